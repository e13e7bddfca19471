// SPDX-License-Identifier: GPL-2.0-or-later
// x264's entry in the backend registry: H.264 ('avc1'), its keys (ProfileLevel's H.264 values,
// H264EntropyMode, MaxH264SliceBytes and x264's X264* knobs), the combinations H.264's profiles
// cannot carry, and its rule for which changes a running x264 takes.
#include "x264_backend.h"

#include "backend.h"
#include "h264_profiles.h"
#include "vtcompress/keys.h"

namespace vtc {
namespace {

using Kind = PropertyDescriptor::Kind;

constexpr double kIntMax = 2147483647.0;

const std::vector<PropertyDescriptor>& X264PropertyRows() {
  static const std::vector<PropertyDescriptor> rows = [] {
    const std::vector<std::string> presets = {"auto",   "ultrafast", "superfast", "veryfast",
                                              "faster", "fast",      "medium",    "slow",
                                              "slower", "veryslow",  "placebo"};
    std::vector<PropertyDescriptor> d;
    // clang-format off
    // H.264's own VideoToolbox keys.
    d.push_back({key::kProfileLevel, Kind::kEnum, Value(), 0, 0, H264ProfileLevelValues(), false, false,
       "H.264 profile and level. Unset: the profile follows the source's pixel format (High for "
       "8-bit 4:2:0 and RGB, High10, High422 or High444 for 10-bit, 4:2:2 and 4:4:4 sources), "
       "automatic level. A profile converts the source to what it codes: 8-bit 4:2:0 for "
       "Baseline, Main and High, 10-bit 4:2:0 for High10, 4:2:2 or 4:4:4 at the source's depth "
       "for High422 and High444 (extensions). Baseline and ConstrainedBaseline: no B-frames, "
       "CAVLC. ConstrainedHigh: High without B-frames. A level the size, rate or bit rate cannot "
       "fit gives kVTParameterErr from PrepareToEncodeFrames or the first EncodeFrame."});
    d.push_back({key::kH264EntropyMode, Kind::kEnum, Value(), 0, 0, {"CAVLC", "CABAC"}, false, false,
       "CAVLC or CABAC; unset: CABAC for Main and High, CAVLC for Baseline (which cannot use "
       "CABAC)."});
    d.push_back({key::kMaxH264SliceBytes, Kind::kInt, Value(0), 0, kIntMax, {}, false, true,
       "Largest slice in bytes (0 = no limit; x264 slice-max-size)."});
    // x264's knobs.
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

// What the generic keys do in x264 (PropertyTable appends each note to the key's text).
const std::vector<std::pair<const char*, const char*>>& X264KeyNotes() {
  static const std::vector<std::pair<const char*, const char*>> notes = {
      // clang-format off
      {key::kAverageBitRate,
       "x264: ABR with VBV maxrate = bitrate and a 2 s buffer, so it can change mid-stream."},
      {key::kDataRateLimits,
       "x264: VBV maxrate and buffer chosen so buffer + maxrate x seconds stays under 90% of each "
       "limit."},
      {key::kConstantBitRate, "x264: NAL HRD CBR, bitrate = maxrate, 1 s buffer."},
      {key::kQuality, "x264: crf 23 at 0.5 and unset, crf 18 at 0.75."},
      {key::kRealTime,
       "x264 (X264SpeedPreset auto): the governor picks x264's analysis settings frame by frame "
       "between superfast and medium; without MaxFrameDelayCount it opens x264 without B-frames "
       "or lookahead, with no frame of delay at a known frame rate (1 without one; an explicit "
       "preset: at most 3). Changes between frames (the delay and the B-frames are chosen at "
       "open and kept)."},
      {key::kExpectedFrameRate,
       "x264: also the nominal rate the SPS's VUI timing declares, as a fraction (29.97002997 -> "
       "30000/1001) with fixed_frame_rate_flag; 0 declares none (variable rate). Set before x264 "
       "opens; a later change does not rewrite the SPS."},
      {key::kMaxFrameDelayCount, "x264: B-frames, lookahead and threads are cut to fit."},
      {key::kMinAllowedFrameQP, "x264: qpmin."},
      {key::kMaxAllowedFrameQP, "x264: qpmax; x264 may drop quality bounds to hold VBV."},
      {key::kPrioritizeEncodingSpeedOverQuality,
       "x264: preset superfast (with X264SpeedPreset auto). Changes between frames like RealTime."},
      {key::kReferenceBufferCount, "x264: ref."},
      {key::kSuggestedLookAheadFrameCount, "x264: rc-lookahead."},
      {key::kSpatialAdaptiveQPLevel, "x264: -1 is variance AQ."},
      {key::kFieldCount,
       "x264: interlaced is MBAFF, fields in the SPS and format description; it needs Main or "
       "High and a height divisible by 4."},
      {key::kFieldDetail, "x264: top field first is tff."},
      {key::kCalculateMeanSquaredError, "x264: the MSE from x264."},
      {key::kMultiPassStorage, "x264: x264's two-pass ABR."},
      {key::kReleaseSourceBufferOnImport, "x264: released once x264 has copied it."},
      {key::kIntraRefresh, "x264: x264's periodic intra refresh, waves of intra columns."},
      {key::kRealTimeCPUTime, "x264: x264's threads included."},
      // clang-format on
  };
  return notes;
}

void ResolveX264(const Dictionary& values, EncoderConfig* c) {
  auto find = [&](const char* k) -> const Value* {
    auto it = values.find(k);
    return it == values.end() ? nullptr : &it->second;
  };
  std::string s;
  // ProfileLevel unset: High, unless the source's format asks for High10/High422/High444.
  const Value* profile_level = find(key::kProfileLevel);
  std::string profile_level_text = "H264_High_AutoLevel";
  if (profile_level) profile_level->GetString(&profile_level_text);
  ParseH264ProfileLevel(profile_level_text, &c->profile, &c->level_idc);
  c->profile_from_source = !profile_level;
  ProfileSampling(c->profile, &c->profile_chroma_format_idc, &c->profile_bit_depth);
  c->entropy_mode.clear();
  if (const Value* v = find(key::kH264EntropyMode)) v->GetString(&c->entropy_mode);
  std::int64_t slice_bytes = 0;
  if (const Value* v = find(key::kMaxH264SliceBytes)) v->GetInt(&slice_bytes);
  c->max_slice_bytes = int(slice_bytes);
  if (const Value* v = find(key::kX264SpeedPreset); v && v->GetString(&s)) c->speed_preset = s;
  c->tune.clear();
  if (const Value* v = find(key::kX264Tune)) v->GetString(&c->tune);
  std::int64_t threads = 0;
  if (const Value* v = find(key::kX264Threads)) v->GetInt(&threads);
  c->threads = int(threads);
  c->options.clear();
  if (const Value* v = find(key::kX264Options)) v->GetString(&c->options);
}

// What H.264's profiles cannot carry.
Status CheckX264Combination(const Dictionary& values, std::string* why) {
  std::string profile;
  int level = 0;
  if (auto it = values.find(key::kProfileLevel); it != values.end())
    ParseH264ProfileLevel(it->second.AsString(), &profile, &level);
  if (auto it = values.find(key::kH264EntropyMode); it != values.end() &&
                                                    it->second.AsString() == "CABAC" &&
                                                    profile.find("Baseline") != std::string::npos) {
    *why = "CABAC entropy coding is not allowed in the Baseline profiles";
    return Status::kParameterErr;
  }
  std::int64_t field_count = 1;
  if (auto it = values.find(key::kFieldCount); it != values.end()) it->second.GetInt(&field_count);
  if (field_count == 2 &&
      (profile.find("Baseline") != std::string::npos || profile == "ConstrainedHigh")) {
    *why = "interlaced coding (FieldCount 2) needs the Main or High profile, not " + profile;
    return Status::kParameterErr;
  }
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
  if (a.tune != b.tune || a.threads != b.threads || a.options != b.options ||
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
    X264KeyNotes,
    ResolveX264,
    CheckX264Combination,
    X264ChangeRule,
};

}  // namespace vtc
