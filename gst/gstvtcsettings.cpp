// SPDX-License-Identifier: GPL-2.0-or-later
#include "gstvtcsettings.h"

#include <gst/video/video.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>
#include <utility>

#include "vtcompress/keys.h"

namespace gstvtc {
namespace {

GType RateControlType() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_VTC_RATE_CONTROL_ABR, "Average bit rate (AverageBitRate)", "abr"},
      {GST_VTC_RATE_CONTROL_CBR, "Constant bit rate with filler (ConstantBitRate)", "cbr"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtcRateControl", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

GType PassType() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_VTC_PASS_SINGLE, "One pass (no statistics file)", "single"},
      {GST_VTC_PASS_PASS1, "First pass of two: writes multipass-cache-file", "pass1"},
      {GST_VTC_PASS_PASS2, "Second pass of two: reads multipass-cache-file", "pass2"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtcPass", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

GQuark RowQuark() {
  static GQuark q = g_quark_from_static_string("GstVtcPropertyRow");
  return q;
}

// Row helpers: most rows set one compression key to their value as it is.
using Dict = vtc::Dictionary;
const Settings kDefaults;

}  // namespace

GType SpeedPresetType() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_VTC_SPEED_PRESET_AUTO, "Chosen from realtime, prioritize-speed and quality", "auto"},
      {GST_VTC_SPEED_PRESET_ULTRAFAST, "ultrafast", "ultrafast"},
      {GST_VTC_SPEED_PRESET_SUPERFAST, "superfast", "superfast"},
      {GST_VTC_SPEED_PRESET_VERYFAST, "veryfast", "veryfast"},
      {GST_VTC_SPEED_PRESET_FASTER, "faster", "faster"},
      {GST_VTC_SPEED_PRESET_FAST, "fast", "fast"},
      {GST_VTC_SPEED_PRESET_MEDIUM, "medium", "medium"},
      {GST_VTC_SPEED_PRESET_SLOW, "slow", "slow"},
      {GST_VTC_SPEED_PRESET_SLOWER, "slower", "slower"},
      {GST_VTC_SPEED_PRESET_VERYSLOW, "veryslow", "veryslow"},
      {GST_VTC_SPEED_PRESET_PLACEBO, "placebo", "placebo"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtcSpeedPreset", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

const char* SpeedPresetName(GstVtcSpeedPreset preset) {
  static const char* const kNames[] = {"auto",   "ultrafast", "superfast", "veryfast",
                                       "faster", "fast",      "medium",    "slow",
                                       "slower", "veryslow",  "placebo"};
  const unsigned i = unsigned(preset);
  return i < G_N_ELEMENTS(kNames) ? kNames[i] : "auto";
}

// --- ValueSlot -------------------------------------------------------------------------------

ValueSlot& ValueSlot::operator=(const ValueSlot& other) {
  if (this != &other) {
    Reset();
    if (!other.empty()) Assign(other.get());
  }
  return *this;
}

void ValueSlot::Assign(const GValue* value) {
  if (value == &value_) return;
  Reset();
  g_value_init(&value_, G_VALUE_TYPE(value));
  g_value_copy(value, &value_);
}

void ValueSlot::Reset() {
  if (G_IS_VALUE(&value_)) g_value_unset(&value_);
}

// --- The common rows ---------------------------------------------------------------------------

const std::vector<PropertyRow>& CommonProperties() {
  namespace k = vtc::key;
  static const std::vector<PropertyRow> rows = [] {
    std::vector<PropertyRow> r;
    r.push_back(
        {[](const ClassDefaults&, GParamFlags f) {
           return g_param_spec_uint(
               "bitrate", "Bitrate",
               "Target bit rate in kbit/s; 0 lets the encoder decide (quality-based). VT key "
               "AverageBitRate, or ConstantBitRate with rate-control=cbr",
               0, G_MAXUINT / 1000, kDefaults.bitrate, f);
         },
         Member<&Settings::bitrate>(),
         Target::kCompression,
         {k::kAverageBitRate, k::kConstantBitRate},
         true,
         [](const GValue&, const Settings& s, Dict* d) {
           const std::int64_t bps = std::int64_t(s.bitrate) * 1000;
           const bool cbr = s.rate_control == GST_VTC_RATE_CONTROL_CBR;
           (*d)[cbr ? k::kConstantBitRate : k::kAverageBitRate] = vtc::Value(bps);
         }});
    // Which of bitrate's keys is set, and whether data-rate-limits applies: those rows read it.
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_enum(
                       "rate-control", "Rate control",
                       "abr: average bit rate (AverageBitRate); cbr: constant bit rate padded "
                       "with filler (ConstantBitRate), which needs a bitrate (an error at start "
                       "without one)",
                       RateControlType(), kDefaults.rate_control, f);
                 },
                 Member<&Settings::rate_control>(),
                 Target::kCompression,
                 {k::kAverageBitRate, k::kConstantBitRate, k::kDataRateLimits},
                 false});
    {
      Field field;
      // A null string is "0,0" (no limits), as the default.
      field.set = [](Settings* s, const GValue* v) {
        const gchar* str = g_value_get_string(v);
        s->data_rate_limits = str ? str : "0,0";
      };
      field.get = [](const Settings& s, GValue* v) {
        g_value_set_string(v, s.data_rate_limits.c_str());
      };
      r.push_back(
          {[](const ClassDefaults&, GParamFlags f) {
             return g_param_spec_string(
                 "data-rate-limits", "Data rate limits",
                 "Hard cap \"kbps,seconds\": no window of that many seconds holds more than kbps "
                 "x seconds; \"0,0\" = none. VT key DataRateLimits",
                 kDefaults.data_rate_limits.c_str(), f);
           },
           field,
           Target::kCompression,
           {k::kDataRateLimits},
           true,
           [](const GValue&, const Settings& s, Dict* d) {
             vtc::Value limits;
             // Only with an average bit rate: a constant one has no room for limits.
             if (s.rate_control != GST_VTC_RATE_CONTROL_CBR &&
                 ParseDataRateLimits(s.data_rate_limits, &limits) && !limits.IsNull())
               (*d)[k::kDataRateLimits] = limits;
           },
           [](const GValue* v, std::string* error) {
             const gchar* str = g_value_get_string(v);
             const std::string text = str ? str : "0,0";
             vtc::Value parsed;
             if (ParseDataRateLimits(text, &parsed)) return true;
             *error =
                 "data-rate-limits must be \"kbps,seconds\" (for example \"4000,1\"), or \"0,0\"; "
                 "got \"" +
                 text + "\"";
             return false;
           }});
    }
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_double(
                       "quality", "Quality",
                       "0.0..1.0 when bitrate is 0: 0.25 low, 0.5 normal (x264 crf 23), 0.75 high, "
                       "1.0 lossless. VT key Quality",
                       0.0, 1.0, kDefaults.quality, f);
                 },
                 Member<&Settings::quality>(),
                 Target::kCompression,
                 {k::kQuality},
                 true,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kQuality] = vtc::Value(s.quality);
                 }});
    r.push_back(
        {[](const ClassDefaults&, GParamFlags f) {
           return g_param_spec_boolean(
               "realtime", "Realtime",
               "Keep up with the timestamps' pace: with speed-preset auto a governor picks "
               "the encoder's analysis frame by frame and drops frames only when the fastest "
               "cannot keep up; no frame of delay at the caps' frame rate unless "
               "max-frame-delay-count is set. VT key RealTime",
               kDefaults.realtime, f);
         },
         Member<&Settings::realtime>(),
         Target::kCompression,
         {k::kRealTime},
         true,
         [](const GValue&, const Settings& s, Dict* d) {
           (*d)[k::kRealTime] = vtc::Value(bool(s.realtime));
         }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_boolean("allow-frame-reordering", "Allow frame reordering",
                                               "B-frames (decode order differs from display "
                                               "order). VT key AllowFrameReordering",
                                               kDefaults.allow_frame_reordering, f);
                 },
                 Member<&Settings::allow_frame_reordering>(),
                 Target::kCompression,
                 {k::kAllowFrameReordering},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kAllowFrameReordering] = vtc::Value(bool(s.allow_frame_reordering));
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_boolean(
                       "allow-temporal-compression", "Allow temporal compression",
                       "FALSE: every frame is a key frame. VT key AllowTemporalCompression",
                       kDefaults.allow_temporal_compression, f);
                 },
                 Member<&Settings::allow_temporal_compression>(),
                 Target::kCompression,
                 {k::kAllowTemporalCompression},
                 true,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kAllowTemporalCompression] =
                       vtc::Value(bool(s.allow_temporal_compression));
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_int("max-keyframe-interval", "Max keyframe interval",
                                           "Most frames from one key frame to the next; 0 = 250. "
                                           "VT key MaxKeyFrameInterval",
                                           0, G_MAXINT, kDefaults.max_keyframe_interval, f);
                 },
                 Member<&Settings::max_keyframe_interval>(),
                 Target::kCompression,
                 {k::kMaxKeyFrameInterval},
                 true,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kMaxKeyFrameInterval] = vtc::Value(s.max_keyframe_interval);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_uint64(
                       "max-keyframe-interval-duration", "Max keyframe interval duration",
                       "Longest time in ns from one key frame to the next; 0 = no limit. VT key "
                       "MaxKeyFrameIntervalDuration",
                       0, G_MAXUINT64, kDefaults.max_keyframe_interval_duration, f);
                 },
                 Member<&Settings::max_keyframe_interval_duration>(),
                 Target::kCompression,
                 {k::kMaxKeyFrameIntervalDuration},
                 true,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kMaxKeyFrameIntervalDuration] =
                       vtc::Value(double(s.max_keyframe_interval_duration) / GST_SECOND);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_int("max-frame-delay-count", "Max frame delay count",
                                           "Most frames the encoder may hold (0 = each frame out "
                                           "before the next goes in; -1 = unlimited). VT key "
                                           "MaxFrameDelayCount",
                                           -1, 1000, kDefaults.max_frame_delay_count, f);
                 },
                 Member<&Settings::max_frame_delay_count>(),
                 Target::kCompression,
                 {k::kMaxFrameDelayCount},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kMaxFrameDelayCount] = vtc::Value(s.max_frame_delay_count);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_int("min-qp", "Min QP",
                                           "Lowest frame QP; -1 = no bound. VT key "
                                           "MinAllowedFrameQP",
                                           -1, 51, kDefaults.min_qp, f);
                 },
                 Member<&Settings::min_qp>(),
                 Target::kCompression,
                 {k::kMinAllowedFrameQP},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   if (s.min_qp >= 0) (*d)[k::kMinAllowedFrameQP] = vtc::Value(s.min_qp);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_int("max-qp", "Max QP",
                                           "Highest frame QP; -1 = no bound. VT key "
                                           "MaxAllowedFrameQP",
                                           -1, 51, kDefaults.max_qp, f);
                 },
                 Member<&Settings::max_qp>(),
                 Target::kCompression,
                 {k::kMaxAllowedFrameQP},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   if (s.max_qp >= 0) (*d)[k::kMaxAllowedFrameQP] = vtc::Value(s.max_qp);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_boolean("prioritize-speed", "Prioritize speed",
                                               "Speed over quality (speed-preset auto: "
                                               "superfast). VT key "
                                               "PrioritizeEncodingSpeedOverQuality",
                                               kDefaults.prioritize_speed, f);
                 },
                 Member<&Settings::prioritize_speed>(),
                 Target::kCompression,
                 {k::kPrioritizeEncodingSpeedOverQuality},
                 true,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kPrioritizeEncodingSpeedOverQuality] =
                       vtc::Value(bool(s.prioritize_speed));
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_int("reference-buffer-count", "Reference buffer count",
                                           "Reference frames; 0 = encoder decides. VT key "
                                           "ReferenceBufferCount",
                                           0, 16, kDefaults.reference_buffer_count, f);
                 },
                 Member<&Settings::reference_buffer_count>(),
                 Target::kCompression,
                 {k::kReferenceBufferCount},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   if (s.reference_buffer_count > 0)
                     (*d)[k::kReferenceBufferCount] = vtc::Value(s.reference_buffer_count);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_int("lookahead", "Lookahead",
                                           "Rate-control lookahead in frames; -1 = encoder "
                                           "decides. VT key SuggestedLookAheadFrameCount",
                                           -1, 250, kDefaults.lookahead, f);
                 },
                 Member<&Settings::lookahead>(),
                 Target::kCompression,
                 {k::kSuggestedLookAheadFrameCount},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   if (s.lookahead >= 0)
                     (*d)[k::kSuggestedLookAheadFrameCount] = vtc::Value(s.lookahead);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_boolean("spatial-aq", "Spatial AQ",
                                               "Spatial adaptive quantisation. VT key "
                                               "SpatialAdaptiveQPLevel (-1 when TRUE, 0 when "
                                               "FALSE)",
                                               kDefaults.spatial_aq, f);
                 },
                 Member<&Settings::spatial_aq>(),
                 Target::kCompression,
                 {k::kSpatialAdaptiveQPLevel},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kSpatialAdaptiveQPLevel] = vtc::Value(s.spatial_aq ? -1 : 0);
                 }});
    r.push_back({[](const ClassDefaults& c, GParamFlags f) {
                   return g_param_spec_string(
                       "encoder-id", "Encoder ID",
                       g_intern_string(("Encoder specification EncoderID "
                                        "(only " +
                                        std::string(c.encoder_id) + " exists)")
                                           .c_str()),
                       c.encoder_id, f);
                 },
                 Member<&Settings::encoder_id>(),
                 Target::kEncoderSpecification,
                 {k::kEncoderID},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   if (!s.encoder_id.empty())  // empty: any
                     (*d)[k::kEncoderID] = vtc::Value(s.encoder_id);
                 }});
    r.push_back(
        {[](const ClassDefaults&, GParamFlags f) {
           return g_param_spec_boolean(
               "enable-hardware", "Enable hardware",
               "Encoder specification EnableHardwareAcceleratedVideoEncoder (there is no hardware "
               "encoder; accepted for portability)",
               kDefaults.enable_hardware, f);
         },
         Member<&Settings::enable_hardware>(),
         Target::kEncoderSpecification,
         {k::kEnableHardwareAcceleratedVideoEncoder},
         false,
         [](const GValue&, const Settings& s, Dict* d) {
           (*d)[k::kEnableHardwareAcceleratedVideoEncoder] = vtc::Value(bool(s.enable_hardware));
         }});
    r.push_back(
        {[](const ClassDefaults&, GParamFlags f) {
           return g_param_spec_boolean(
               "require-hardware", "Require hardware",
               "Encoder specification RequireHardwareAcceleratedVideoEncoder: TRUE fails at "
               "start, there is no hardware encoder",
               kDefaults.require_hardware, f);
         },
         Member<&Settings::require_hardware>(),
         Target::kEncoderSpecification,
         {k::kRequireHardwareAcceleratedVideoEncoder},
         false,
         [](const GValue&, const Settings& s, Dict* d) {
           (*d)[k::kRequireHardwareAcceleratedVideoEncoder] = vtc::Value(bool(s.require_hardware));
         }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_boolean(
                       "low-latency-rate-control", "Low-latency rate control",
                       "Encoder specification EnableLowLatencyRateControl: no B-frames, no "
                       "lookahead, no frame delay, a VBV of one frame with a bitrate, one IDR then "
                       "P-frames unless an interval is set",
                       kDefaults.low_latency_rate_control, f);
                 },
                 Member<&Settings::low_latency_rate_control>(),
                 Target::kEncoderSpecification,
                 {k::kEnableLowLatencyRateControl},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kEnableLowLatencyRateControl] =
                       vtc::Value(bool(s.low_latency_rate_control));
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_boolean(
                       "intra-refresh", "Intra refresh",
                       "Refresh the picture with waves of intra blocks (one every "
                       "max-keyframe-interval frames, else 1 s) instead of key frames. A "
                       "force-key-unit request with all-headers still gets an IDR with SPS/PPS, "
                       "one without starts a wave. Session key IntraRefresh",
                       kDefaults.intra_refresh, f);
                 },
                 Member<&Settings::intra_refresh>(),
                 Target::kCompression,
                 {k::kIntraRefresh},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kIntraRefresh] = vtc::Value(bool(s.intra_refresh));
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_uint(
                       "bytes-per-row-alignment", "Bytes per row alignment",
                       "Row alignment of the buffers the element's pool proposes upstream (a power "
                       "of two). Pool attribute BytesPerRowAlignment",
                       1, 4096, kDefaults.bytes_per_row_alignment, f);
                 },
                 Member<&Settings::bytes_per_row_alignment>(),
                 Target::kPoolAttributes,
                 {k::kBytesPerRowAlignment},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kBytesPerRowAlignment] = vtc::Value(s.bytes_per_row_alignment);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_uint("pool-min-buffers", "Pool min buffers",
                                            "Buffers the proposed pool makes up front "
                                            "(MinimumBufferCount)",
                                            0, 256, kDefaults.pool_min_buffers, f);
                 },
                 Member<&Settings::pool_min_buffers>(),
                 Target::kPoolAttributes,
                 {k::kPoolMinimumBufferCount},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kPoolMinimumBufferCount] = vtc::Value(s.pool_min_buffers);
                 }});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_uint("pool-max-buffers", "Pool max buffers",
                                            "Most buffers the proposed pool hands out; 0 = "
                                            "unlimited (AllocationThreshold)",
                                            0, 4096, kDefaults.pool_max_buffers, f);
                 },
                 Member<&Settings::pool_max_buffers>(),
                 Target::kPoolAttributes,
                 {k::kPoolAllocationThreshold},
                 false,
                 [](const GValue&, const Settings& s, Dict* d) {
                   (*d)[k::kPoolAllocationThreshold] = vtc::Value(s.pool_max_buffers);
                 }});
    // The base class gives the session a MultiPassStorage on the cache file (BeginPass).
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_enum(
                       "pass", "Pass",
                       "Two-pass file encoding, as x264enc's pass: run the pipeline with pass1 "
                       "(output usually to fakesink), then again on the same input with pass2. "
                       "Both need rate-control=abr and a bitrate. Session BeginPass/EndPass with a "
                       "MultiPassStorage",
                       PassType(), kDefaults.pass, f);
                 },
                 Member<&Settings::pass>(),
                 Target::kCompression,
                 {k::kMultiPassStorage},
                 false});
    r.push_back({[](const ClassDefaults& c, GParamFlags f) {
                   return g_param_spec_string("multipass-cache-file", "Multipass cache file",
                                              "The statistics file pass1 writes and pass2 reads "
                                              "(the encoder's stats, plus x264's "
                                              "<file>.mbtree or x265's <file>.cutree, and "
                                              "<file>.vtcpass beside it)",
                                              c.multipass_cache_file, f);
                 },
                 Member<&Settings::multipass_cache_file>(),
                 Target::kCompression,
                 {k::kMultiPassStorage},
                 false});
    // Read from the running session.
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_int("pending-frames", "Pending frames",
                                           "Frames given to the session and not yet answered "
                                           "(NumberOfPendingFrames)",
                                           0, G_MAXINT, 0, f);
                 },
                 Field(),
                 Target::kSessionReadOnly,
                 {k::kNumberOfPendingFrames},
                 false});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_boolean(
                       "using-hardware", "Using hardware",
                       "UsingHardwareAcceleratedVideoEncoder (always FALSE)", FALSE, f);
                 },
                 Field(),
                 Target::kSessionReadOnly,
                 {k::kUsingHardwareAcceleratedVideoEncoder},
                 false});
    // RealTime's governor (docs/realtime.md).
    r.push_back(
        {[](const ClassDefaults&, GParamFlags f) {
           return g_param_spec_int(
               "speed-level", "Speed level",
               "realtime=true: the speed level the governor runs the encoder at, 0 = fastest; -1 "
               "when it is not running (RealTimeSpeedLevel)",
               -1, G_MAXINT, -1, f);
         },
         Field(),
         Target::kSessionReadOnly,
         {k::kRealTimeSpeedLevel},
         false});
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_uint64(
                       "encode-time", "Encode time",
                       "realtime=true: wall-clock time the encoder takes per frame, smoothed, in "
                       "nanoseconds (RealTimeEncodeTime)",
                       0, G_MAXUINT64, 0, f);
                 },
                 Field(),
                 Target::kSessionReadOnly,
                 {k::kRealTimeEncodeTime},
                 false});
    r.push_back(
        {[](const ClassDefaults&, GParamFlags f) {
           return g_param_spec_uint64(
               "cpu-time", "CPU time",
               "realtime=true: CPU time per frame over the encoder's call, its threads included, "
               "smoothed, in nanoseconds (RealTimeCPUTime)",
               0, G_MAXUINT64, 0, f);
         },
         Field(),
         Target::kSessionReadOnly,
         {k::kRealTimeCPUTime},
         false});
    // GstPreset by name from a launch line (GstVtcEncoder resets and loads; not stored in presets).
    r.push_back(
        {[](const ClassDefaults&, GParamFlags) {
           return g_param_spec_string(
               "preset", "Preset",
               "Load this preset (GstPreset: low-latency-live, streaming, archive, ... as "
               "gst-inspect-1.0 lists them under Presets): every property it does not name "
               "goes back to its default first, so properties set after it win and those "
               "set before it do not (gst_preset_load_preset and @preset= set only what it "
               "names). Reads the last preset loaded",
               "",
               GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
         },
         Field(),
         Target::kNone,
         {},
         true});
    // The element's own count (the base class keeps it).
    r.push_back({[](const ClassDefaults&, GParamFlags f) {
                   return g_param_spec_uint64(
                       "frames-dropped", "Frames dropped",
                       "Frames dropped to keep up since the element started: by realtime=true "
                       "when even its fastest level falls behind, and with qos=true those already "
                       "too late for downstream",
                       0, G_MAXUINT64, 0, f);
                 },
                 Field(),
                 Target::kNone,
                 {},
                 false});
    return r;
  }();
  return rows;
}

// --- PropertyTable -----------------------------------------------------------------------------

namespace {

constexpr GParamFlags kReady =
    GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
constexpr GParamFlags kLive =
    GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
constexpr GParamFlags kReadOnly = GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

bool HasValue(const PropertyRow& row) {
  return row.target != Target::kSessionReadOnly && row.target != Target::kNone;
}

}  // namespace

const PropertyTable* PropertyTable::Install(GObjectClass* klass, const ClassDefaults& defaults,
                                            const std::vector<PropertyRow>& common,
                                            const PropertyRow* codec, std::size_t n_codec) {
  auto* table = new PropertyTable();  // lives as long as the class: for ever
  // A pspec's name, from a throw-away pspec.
  auto name_of = [&defaults](const PropertyRow& row) {
    GParamSpec* pspec = g_param_spec_ref_sink(row.make(defaults, kReady));
    std::string name = g_param_spec_get_name(pspec);
    g_param_spec_unref(pspec);
    return name;
  };
  std::set<std::string> codec_names;
  for (std::size_t i = 0; i < n_codec; ++i) codec_names.insert(name_of(codec[i]));
  std::vector<const PropertyRow*> rows;
  for (const PropertyRow& row : common)
    if (!codec_names.count(name_of(row))) rows.push_back(&row);
  for (std::size_t i = 0; i < n_codec; ++i) rows.push_back(&codec[i]);
  table->entries_.reserve(rows.size());  // entries are referenced from their pspecs
  for (const PropertyRow* row : rows) {
    const GParamFlags flags = !HasValue(*row) ? kReadOnly : row->live ? kLive : kReady;
    GParamSpec* pspec = row->make(defaults, flags);
    const bool in_slot = HasValue(*row) && !row->field.set;
    table->entries_.push_back({row, pspec, in_slot ? table->n_slots_++ : -1});
    g_param_spec_set_qdata(pspec, RowQuark(), &table->entries_.back());
    g_object_class_install_property(klass, guint(table->entries_.size()), pspec);
  }
  return table;
}

const PropertyTable::Entry* PropertyTable::Find(const GParamSpec* pspec) {
  return static_cast<const Entry*>(
      g_param_spec_get_qdata(const_cast<GParamSpec*>(pspec), RowQuark()));
}

const PropertyTable::Entry* PropertyTable::Lookup(const char* name) const {
  for (const Entry& e : entries_)
    if (std::strcmp(g_param_spec_get_name(e.pspec), name) == 0) return &e;
  return nullptr;
}

void PropertyTable::Unset(Settings* s, const Entry& e) const {
  if (e.row->when_set && e.slot >= 0) s->codec[std::size_t(e.slot)] = ValueSlot();
}

bool PropertyTable::IsSet(const Settings& s, const Entry& e) const {
  return !e.row->when_set || e.slot < 0 || !s.codec[std::size_t(e.slot)].empty();
}

void PropertyTable::Init(Settings* s) const {
  s->codec.assign(std::size_t(n_slots_), ValueSlot());
  for (const Entry& e : entries_) {
    if (!HasValue(*e.row) || (e.row->when_set && e.slot >= 0)) continue;  // when_set: unset
    GValue v = G_VALUE_INIT;
    g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(e.pspec));
    g_param_value_set_default(e.pspec, &v);
    std::string unused;
    Set(s, e, &v, &unused);
    g_value_unset(&v);
  }
}

bool PropertyTable::Set(Settings* s, const Entry& e, const GValue* value,
                        std::string* error) const {
  if (!HasValue(*e.row)) return false;
  if (e.row->check && !e.row->check(value, error)) return false;
  if (e.slot < 0) {
    e.row->field.set(s, value);
  } else if (G_VALUE_HOLDS_STRING(value) && !g_value_get_string(value)) {
    // A null string reads back as "", as the common string properties do.
    GValue empty = G_VALUE_INIT;
    g_value_init(&empty, G_VALUE_TYPE(value));
    g_value_set_static_string(&empty, "");
    s->codec[std::size_t(e.slot)].Assign(&empty);
    g_value_unset(&empty);
  } else {
    s->codec[std::size_t(e.slot)].Assign(value);
  }
  return true;
}

void PropertyTable::Get(const Settings& s, const Entry& e, GValue* value) const {
  if (e.slot < 0) {
    if (e.row->field.get) e.row->field.get(s, value);
    return;
  }
  const ValueSlot& slot = s.codec[std::size_t(e.slot)];
  if (!slot.empty())
    g_value_copy(slot.get(), value);
  else
    g_param_value_set_default(e.pspec, value);  // a when_set row not set yet
}

vtc::Dictionary PropertyTable::Build(const Settings& s, Target target) const {
  vtc::Dictionary out;
  for (const Entry& e : entries_) {
    if (e.row->target != target || !e.row->apply || !IsSet(s, e)) continue;
    GValue v = G_VALUE_INIT;
    g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(e.pspec));
    Get(s, e, &v);
    e.row->apply(v, s, &out);
    g_value_unset(&v);
  }
  return out;
}

vtc::Dictionary PropertyTable::LiveChange(const Settings& s, const Entry& e,
                                          GstVtcRateControl rate_control) const {
  Settings as_running = s;
  as_running.rate_control = rate_control;
  const vtc::Dictionary all = Build(as_running, Target::kCompression);
  vtc::Dictionary out;
  for (const char* key : e.row->keys) {
    auto it = all.find(key);
    out[key] = it == all.end() ? vtc::Value() : it->second;  // null restores the default
  }
  return out;
}

// --- Values ------------------------------------------------------------------------------------

gboolean ParseDataRateLimits(const std::string& text, vtc::Value* out) {
  double kbps = 0, seconds = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), " %lf , %lf %c", &kbps, &seconds, &extra) != 2) return FALSE;
  if (!std::isfinite(kbps) || !std::isfinite(seconds) || kbps < 0 || seconds < 0) return FALSE;
  if (kbps == 0 || seconds == 0) {
    if (kbps != 0 || seconds != 0) return FALSE;  // "0,0" only
    *out = vtc::Value();
    return TRUE;
  }
  *out = vtc::Value(vtc::Array{vtc::Value(kbps * 1000.0 * seconds / 8.0), vtc::Value(seconds)});
  return TRUE;
}

void ReadSessionProperty(vtc::CompressionSession* session, const PropertyTable::Entry& e,
                         GValue* v) {
  g_param_value_set_default(e.pspec, v);
  vtc::Value value;
  if (!session || e.row->keys.empty() ||
      session->CopyProperty(e.row->keys[0], &value) != vtc::Status::kNoErr)
    return;
  if (G_VALUE_HOLDS_BOOLEAN(v)) {
    bool b = false;
    if (value.GetBool(&b)) g_value_set_boolean(v, b);
  } else if (G_VALUE_HOLDS_INT(v)) {
    gint64 n = 0;
    if (value.GetInt(&n)) g_value_set_int(v, gint(n));
  } else if (G_VALUE_HOLDS_UINT64(v)) {
    double seconds = 0;
    if (value.GetDouble(&seconds) && seconds >= 0)
      g_value_set_uint64(v, guint64(seconds * GST_SECOND));
  }
}

bool RefreshRequests::Take(GstEvent* event) {
  if (!gst_video_event_is_force_key_unit(event)) return false;
  GstClockTime timestamp, stream_time, running_time = GST_CLOCK_TIME_NONE;
  gboolean all_headers = FALSE;
  guint count = 0;
  const gboolean parsed =
      GST_EVENT_TYPE(event) == GST_EVENT_CUSTOM_UPSTREAM
          ? gst_video_event_parse_upstream_force_key_unit(event, &running_time, &all_headers,
                                                          &count)
          : gst_video_event_parse_downstream_force_key_unit(event, &timestamp, &stream_time,
                                                            &running_time, &all_headers, &count);
  if (!parsed || all_headers) return false;
  const guint64 want = GST_CLOCK_TIME_IS_VALID(running_time) ? running_time : 0;
  guint64 now = at_.load();
  while (want < now && !at_.compare_exchange_weak(now, want)) {
  }
  return true;
}

bool RefreshRequests::Due(GstClockTime running_time) {
  guint64 at = at_.load();
  do {
    if (at == GST_CLOCK_TIME_NONE) return false;
    if (GST_CLOCK_TIME_IS_VALID(running_time) && running_time < at) return false;
  } while (!at_.compare_exchange_weak(at, GST_CLOCK_TIME_NONE));
  return true;
}

bool IsLossless(const Settings& s) {
  vtc::Value limits;
  const bool limited = ParseDataRateLimits(s.data_rate_limits, &limits) && !limits.IsNull();
  return s.quality >= 1.0 && s.bitrate == 0 && !limited;
}

}  // namespace gstvtc
