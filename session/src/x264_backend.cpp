// SPDX-License-Identifier: GPL-2.0-or-later
// x264's entry in the backend registry: H.264 ('avc1'), its extension keys and its rule for
// which changes a running x264 takes.
#include "x264_backend.h"

#include "backend.h"
#include "vtcompress/keys.h"

namespace vtc {
namespace {

using Kind = PropertyDescriptor::Kind;

const std::vector<PropertyDescriptor>& X264PropertyRows() {
  static const std::vector<PropertyDescriptor> rows = [] {
    const std::vector<std::string> presets = {"auto",   "ultrafast", "superfast", "veryfast",
                                              "faster", "fast",      "medium",    "slow",
                                              "slower", "veryslow",  "placebo"};
    std::vector<PropertyDescriptor> d;
    // clang-format off
    d.push_back({key::kX264SpeedPreset, Kind::kEnum, Value("auto"), 0, 0, presets, false, true,
       "x264 preset: auto (from PrioritizeEncodingSpeedOverQuality, RealTime and Quality) or "
       "ultrafast..placebo. Changes between frames like RealTime. Extension."});
    d.push_back({key::kX264Tune, Kind::kString, Value(""), 0, 0, {}, false, false,
       "x264 tune(s), \"\" = none: film, animation, grain, stillimage, psnr, ssim (at most one), "
       "fastdecode, zerolatency, joined with ','. zerolatency: no frame delay. Extension.",
       CheckX264Tune});
    d.push_back({key::kX264Threads, Kind::kInt, Value(0), 0, 128, {}, false, false,
       "x264 threads; 0 = x264 decides. Extension."});
    d.push_back({key::kX264Options, Kind::kString, Value(""), 0, 0, {}, false, false,
       "x264 options \"key=value:key=value\" (x264_param_parse), applied after the other keys; "
       "MaxFrameDelayCount and the profile still hold. Extension.",
       CheckX264Options});
    // clang-format on
    return d;
  }();
  return rows;
}

void ResolveX264(const Dictionary& values, EncoderConfig* c) {
  auto find = [&](const char* k) -> const Value* {
    auto it = values.find(k);
    return it == values.end() ? nullptr : &it->second;
  };
  std::string s;
  if (const Value* v = find(key::kX264SpeedPreset); v && v->GetString(&s)) c->speed_preset = s;
  c->tune.clear();
  if (const Value* v = find(key::kX264Tune)) v->GetString(&c->tune);
  std::int64_t threads = 0;
  if (const Value* v = find(key::kX264Threads)) v->GetInt(&threads);
  c->threads = int(threads);
  c->x264_options.clear();
  if (const Value* v = find(key::kX264Options)) v->GetString(&c->x264_options);
}

Status CheckX264Combination(const Dictionary& /*values*/, std::string* /*why*/) {
  return Status::kNoErr;
}

EncoderConfig::Change X264ChangeRule(const EncoderConfig& b, const EncoderConfig& a) {
  using Change = EncoderConfig::Change;
  // Rate-control mode switches (quality <-> VBV, to or from CBR) need a new x264 instance:
  // x264 cannot turn VBV or NAL HRD on or off in a running encoder.
  // NAL HRD (CBR) parameters cannot change in a running x264 either.
  // ABR and CRF are different x264 modes even when both use VBV.
  if (a.UsesVbv() != b.UsesVbv() || a.constant_bit_rate != b.constant_bit_rate ||
      (a.average_bit_rate > 0) != (b.average_bit_rate > 0) ||
      (a.quality.has_value() && *a.quality >= 1.0) != (b.quality.has_value() && *b.quality >= 1.0))
    return Change::kRestart;
  // Tune, threads, options and intra refresh shape the whole x264 instance (they only change
  // before the first frame, when the session opens x264 again anyway).
  if (a.tune != b.tune || a.threads != b.threads || a.x264_options != b.x264_options ||
      a.intra_refresh != b.intra_refresh)
    return Change::kRestart;
  if (a.average_bit_rate != b.average_bit_rate || a.data_rate_limits != b.data_rate_limits ||
      a.quality != b.quality || a.real_time != b.real_time ||
      a.prioritize_speed != b.prioritize_speed ||
      a.ResolvedSpeedPreset() != b.ResolvedSpeedPreset() ||
      a.max_slice_bytes != b.max_slice_bytes || a.expected_frame_rate != b.expected_frame_rate)
    return Change::kReconfigure;
  return Change::kNone;  // keyframe keys are applied by the session itself
}

}  // namespace

const Backend kX264Backend = {
    kCodecType_H264,
    kX264EncoderID,
    "H.264",
    "x264",
    "H.264 (x264)",
    /*hardware_accelerated=*/false,
    /*supports_frame_reordering=*/true,
    CreateX264Encoder,
    X264PropertyRows,
    ResolveX264,
    CheckX264Combination,
    X264ChangeRule,
};

}  // namespace vtc
