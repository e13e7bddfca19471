// SPDX-License-Identifier: GPL-2.0-or-later
// x265's entry in the backend registry: HEVC ('hvc1'), its keys (ProfileLevel's HEVC values and
// x265's X265* knobs), the combinations it cannot code, and its rule for which changes a running
// x265 takes.
#include "x265_backend.h"

#include "backend.h"
#include "hevc_profiles.h"
#include "vtcompress/keys.h"

namespace vtc {
namespace {

using Kind = PropertyDescriptor::Kind;

const std::vector<PropertyDescriptor>& X265PropertyRows() {
  static const std::vector<PropertyDescriptor> rows = [] {
    const std::vector<std::string> presets = {"auto",   "ultrafast", "superfast", "veryfast",
                                              "faster", "fast",      "medium",    "slow",
                                              "slower", "veryslow",  "placebo"};
    std::vector<PropertyDescriptor> d;
    // clang-format off
    d.push_back({key::kProfileLevel, Kind::kEnum, Value(), 0, 0, HevcProfileLevelValues(), false, false,
       "HEVC profile, automatic level. Unset: the profile follows the source's pixel format "
       "(Main for 8-bit 4:2:0 and RGB, Main10 for 10-bit 4:2:0, Main42210 for 4:2:2, Main444 or "
       "Main44410 for 4:4:4). A profile converts the source to what it codes: Main 8-bit 4:2:0, "
       "Main10 10-bit 4:2:0, Main42210 10-bit 4:2:2, Main444 8-bit 4:4:4, Main44410 10-bit 4:4:4 "
       "(Main12, Main42212, Main444, Main44410 and Main44412 are extensions)."});
    d.push_back({key::kX265SpeedPreset, Kind::kEnum, Value("auto"), 0, 0, presets, false, false,
       "x265 preset: auto (from PrioritizeEncodingSpeedOverQuality, RealTime and Quality) or "
       "ultrafast..placebo. Extension."});
    d.push_back({key::kX265Tune, Kind::kString, Value(""), 0, 0, {}, false, false,
       "x265 tune, \"\" = none: psnr, ssim, grain, zerolatency, fastdecode, animation (one). "
       "zerolatency: no frame delay. Extension.",
       CheckX265Tune});
    d.push_back({key::kX265Threads, Kind::kInt, Value(0), 0, 128, {}, false, false,
       "x265 worker threads (its thread pool); 0 = x265 decides. Extension."});
    d.push_back({key::kX265Options, Kind::kString, Value(""), 0, 0, {}, false, false,
       "x265 options \"key=value:key=value\" (x265_param_parse), applied after the other keys; "
       "MaxFrameDelayCount and the profile still hold. annexb, repeat-headers, open-gop, keyint, "
       "interlace and the input's format are the session's. Extension.",
       CheckX265Options});
    // clang-format on
    return d;
  }();
  return rows;
}

// What the generic keys do in x265 (PropertyTable appends each note to the key's text), as
// x265_encoder.cpp and x265_ratecontrol.cpp code them.
const std::vector<std::pair<const char*, const char*>>& X265KeyNotes() {
  static const std::vector<std::pair<const char*, const char*>> notes = {
      // clang-format off
      {key::kAverageBitRate,
       "x265: ABR with VBV maxrate = bitrate and a 2 s buffer. Without B-frames (RealTime without "
       "MaxFrameDelayCount, AllowFrameReordering false) a change applies between frames through "
       "x265's zones (200 ms windows), with no key frame; with B-frames, or above the level x265 "
       "opened at, a change opens a new x265 (an IDR)."},
      {key::kDataRateLimits,
       "x265: VBV maxrate and buffer chosen so buffer + maxrate x seconds stays under 90% of each "
       "limit; with AverageBitRate they cap its rate and buffer. Under a zone-steered "
       "AverageBitRate a change applies between frames; otherwise, or when it needs a smaller "
       "buffer than x265 opened with, it opens a new x265 (an IDR)."},
      {key::kConstantBitRate,
       "x265: strict CBR with filler data and HRD SEI, bitrate = maxrate, 1 s buffer; a change "
       "opens a new x265 (an IDR)."},
      {key::kQuality,
       "x265: crf 28 (x265's default) at 0.5 and unset, crf 23 at 0.75, lossless at 1.0 (without "
       "DataRateLimits). "
       "Without AverageBitRate a change opens a new x265 (an IDR)."},
      {key::kRealTime,
       "x265 (X265SpeedPreset auto): four levels on preset veryfast with coding tree units of "
       "32, starting at level 2; a level change opens a new x265 (an IDR; the parameter sets "
       "stay the same). Without MaxFrameDelayCount the delay budget is 3 frames: x265 opens "
       "without B-frames or lookahead (either costs at least 4 frames) and, unless X265Options "
       "ask for more, on one frame thread: no frame of delay. "
       "Turning it on or off opens a new x265 (an IDR) where that changes the preset or the "
       "delay budget."},
      {key::kMaxKeyFrameInterval,
       "x265: opened with no key-frame interval of its own (the session places key frames); x265 "
       "still adds IDRs at scene cuts, which IntraRefresh and low-latency rate control turn "
       "off."},
      {key::kExpectedFrameRate,
       "x265: the VUI timing is always written (x265 3.5 writes a broken SPS without it): this "
       "rate as a fraction, else the first frame's duration's, else 30 fps. Set when x265 opens; "
       "a running x265 keeps it."},
      {key::kMaxFrameDelayCount,
       "x265: B-frames, lookahead and frame threads are cut to fit (under 4: none of them, one "
       "frame thread); an x265 that still lags more is kVTParameterErr at open."},
      {key::kMinAllowedFrameQP, "x265: qpmin."},
      {key::kMaxAllowedFrameQP, "x265: qpmax."},
      {key::kPrioritizeEncodingSpeedOverQuality,
       "x265: preset superfast (with X265SpeedPreset auto); a change opens a new x265 (an IDR)."},
      {key::kReferenceBufferCount, "x265: ref."},
      {key::kSuggestedLookAheadFrameCount,
       "x265: rc-lookahead, B-frames cut below it, cuTree off at 0; not with low-latency rate "
       "control."},
      {key::kSpatialAdaptiveQPLevel,
       "x265: -1 is the preset's aq-mode; 0 is aq-mode none, and regions of interest are then "
       "ignored."},
      {key::kMasteringDisplayColorVolume, "x265: in its headers and before every IDR."},
      {key::kContentLightLevelInfo, "x265: in its headers and before every IDR."},
      {key::kFieldCount,
       "x265: 2 is kVTParameterErr (x265 codes fields only as separate field pictures): "
       "deinterlace, or use H.264."},
      {key::kFieldDetail, "x265: unused (FieldCount 2 is refused)."},
      {key::kSourceFrameCount, "x265: its total frame count (totalFrames)."},
      {key::kCalculateMeanSquaredError,
       "x265: from x265's PSNR per plane, which x265 measures only at log level INFO: it then "
       "prints its summary on stderr."},
      {key::kMultiPassStorage,
       "x265: x265's two-pass ABR (stat-write, then stat-read of the storage's file); no live "
       "bit-rate zones in a pass."},
      {key::kReleaseSourceBufferOnImport,
       "x265: released once x265_encoder_encode has copied it into x265's picture."},
      {key::kIntraRefresh,
       "x265: x265's intra refresh (scene cuts off); ForceIntraRefresh calls "
       "x265_encoder_intra_refresh. Not with all key frames (AllowTemporalCompression false)."},
      {key::kRealTimeCPUTime, "x265: x265's worker threads included."},
      // clang-format on
  };
  return notes;
}

void ResolveX265(const Dictionary& values, EncoderConfig* c) {
  auto find = [&](const char* k) -> const Value* {
    auto it = values.find(k);
    return it == values.end() ? nullptr : &it->second;
  };
  std::string s;
  const Value* profile_level = find(key::kProfileLevel);
  c->profile = "Main";
  if (profile_level && profile_level->GetString(&s)) ParseHevcProfileLevel(s, &c->profile);
  c->level_idc = 0;
  c->profile_from_source = !profile_level;
  HevcProfileSampling(c->profile, &c->profile_chroma_format_idc, &c->profile_bit_depth);
  c->planar_input_only = true;  // x265 reads three planes (picyuv.cpp copyFromPicture)
  c->max_bit_depth = 12;
  c->entropy_mode.clear();
  c->max_slice_bytes = 0;
  if (const Value* v = find(key::kX265SpeedPreset); v && v->GetString(&s)) c->speed_preset = s;
  c->tune.clear();
  if (const Value* v = find(key::kX265Tune)) v->GetString(&c->tune);
  std::int64_t threads = 0;
  if (const Value* v = find(key::kX265Threads)) v->GetInt(&threads);
  c->threads = int(threads);
  c->options.clear();
  if (const Value* v = find(key::kX265Options)) v->GetString(&c->options);
}

Status CheckX265Combination(const Dictionary& values, std::string* why) {
  std::int64_t field_count = 1;
  if (auto it = values.find(key::kFieldCount); it != values.end()) it->second.GetInt(&field_count);
  if (field_count == 2) {
    *why =
        "interlaced coding (FieldCount 2) is not available for HEVC here: x265 codes fields "
        "only as separate field pictures; deinterlace, or use H.264";
    return Status::kParameterErr;
  }
  return Status::kNoErr;
}

EncoderConfig::Change X265ChangeRule(const EncoderConfig& b, const EncoderConfig& a) {
  using Change = EncoderConfig::Change;
  // x265 cannot switch its rate-control mode, turn VBV or HRD on or off, or change tune,
  // threads, options or intra refresh in a running encoder.
  if (a.UsesVbv() != b.UsesVbv() || a.constant_bit_rate != b.constant_bit_rate ||
      (a.average_bit_rate > 0) != (b.average_bit_rate > 0) ||
      (a.quality.has_value() && *a.quality >= 1.0) !=
          (b.quality.has_value() && *b.quality >= 1.0) ||
      a.tune != b.tune || a.threads != b.threads || a.options != b.options ||
      a.intra_refresh != b.intra_refresh)
    return Change::kRestart;
  // x265 3.5 takes a new bit rate only through its zones (x265_encoder.cpp, ZoneSteered): a new
  // AverageBitRate, and new DataRateLimits under one, apply between frames. Its
  // x265_encoder_reconfig reaches neither the rate control (a new crf or VBV is ignored) nor,
  // once zones are on, anything safely: a new quality, limits without a bit rate, or another
  // preset take a new instance (an IDR).
  if (a.ResolvedSpeedPreset() != b.ResolvedSpeedPreset() ||
      (a.average_bit_rate == 0 &&
       (a.quality != b.quality || a.data_rate_limits != b.data_rate_limits)))
    return Change::kRestart;
  if (a.average_bit_rate != b.average_bit_rate || a.data_rate_limits != b.data_rate_limits)
    return Change::kReconfigure;
  return Change::kNone;  // keyframe keys are applied by the session itself; Quality, RealTime
                         // and priority under a bit rate change nothing x265 runs with
}

}  // namespace

const Backend kX265Backend = {
    kCodecType_HEVC,
    kX265EncoderID,
    "HEVC",
    "x265",
    "HEVC (x265)",
    /*hardware_accelerated=*/false,
    /*supports_frame_reordering=*/true,
    CreateX265Encoder,
    X265PropertyRows,
    X265KeyNotes,
    ResolveX265,
    CheckX265Combination,
    X265ChangeRule,
};

}  // namespace vtc
