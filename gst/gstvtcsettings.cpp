// SPDX-License-Identifier: GPL-2.0-or-later
#include "gstvtcsettings.h"

#include <gst/video/video.h>

#include <cmath>
#include <cstdio>
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

GType EntropyModeType() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_VTC_ENTROPY_AUTO, "By profile (CABAC for Main/High)", "auto"},
      {GST_VTC_ENTROPY_CAVLC, "CAVLC", "cavlc"},
      {GST_VTC_ENTROPY_CABAC, "CABAC", "cabac"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtcEntropyMode", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

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

GType TuneType() {
  static GType type = 0;
  static const GFlagsValue values[] = {{GST_VTC_TUNE_STILLIMAGE, "Still image", "stillimage"},
                                       {GST_VTC_TUNE_FASTDECODE, "Fast decode", "fastdecode"},
                                       {GST_VTC_TUNE_ZEROLATENCY, "Zero latency", "zerolatency"},
                                       {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_flags_register_static("GstVtcTune", values);
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

constexpr GParamFlags kReady =
    GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
constexpr GParamFlags kLive =
    GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
constexpr GParamFlags kReadOnly = GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

}  // namespace

gboolean IsLive(guint id) {
  switch (id) {
    case PROP_BITRATE:
    case PROP_DATA_RATE_LIMITS:
    case PROP_QUALITY:
    case PROP_REALTIME:
    case PROP_ALLOW_TEMPORAL_COMPRESSION:
    case PROP_MAX_KEYFRAME_INTERVAL:
    case PROP_MAX_KEYFRAME_INTERVAL_DURATION:
    case PROP_PRIORITIZE_SPEED:
    case PROP_MAX_SLICE_BYTES:
    case PROP_SPEED_PRESET:
      return TRUE;
    default:
      return FALSE;
  }
}

void InstallProperties(GObjectClass* k) {
  const Settings d;
  auto install = [k](guint id, GParamSpec* spec) { g_object_class_install_property(k, id, spec); };
  install(PROP_BITRATE,
          g_param_spec_uint("bitrate", "Bitrate",
                            "Target bit rate in kbit/s; 0 lets the encoder decide (quality-based). "
                            "VT key AverageBitRate, or ConstantBitRate with rate-control=cbr",
                            0, G_MAXUINT / 1000, d.bitrate, kLive));
  install(PROP_RATE_CONTROL,
          g_param_spec_enum("rate-control", "Rate control",
                            "abr: average bit rate (AverageBitRate); cbr: constant bit rate padded "
                            "with filler (ConstantBitRate), which needs a bitrate (an error at "
                            "start without one)",
                            RateControlType(), d.rate_control, kReady));
  install(
      PROP_DATA_RATE_LIMITS,
      g_param_spec_string("data-rate-limits", "Data rate limits",
                          "Hard cap \"kbps,seconds\": no window of that many seconds holds more "
                          "than kbps x seconds; \"0,0\" = none. VT key DataRateLimits",
                          d.data_rate_limits.c_str(), kLive));
  install(PROP_QUALITY, g_param_spec_double(
                            "quality", "Quality",
                            "0.0..1.0 when bitrate is 0: 0.25 low, 0.5 normal (x264 crf 23), 0.75 "
                            "high, 1.0 lossless. VT key Quality",
                            0.0, 1.0, d.quality, kLive));
  install(PROP_REALTIME, g_param_spec_boolean(
                             "realtime", "Realtime",
                             "Keep up with the timestamps' pace: with speed-preset auto a governor "
                             "picks x264's analysis frame by frame and drops frames only when the "
                             "fastest cannot keep up; no frame of delay at the caps' frame rate "
                             "unless max-frame-delay-count is set. VT key RealTime",
                             d.realtime, kLive));
  install(PROP_ALLOW_FRAME_REORDERING,
          g_param_spec_boolean("allow-frame-reordering", "Allow frame reordering",
                               "B-frames (decode order differs from display order). VT key "
                               "AllowFrameReordering",
                               d.allow_frame_reordering, kReady));
  install(PROP_ALLOW_TEMPORAL_COMPRESSION,
          g_param_spec_boolean("allow-temporal-compression", "Allow temporal compression",
                               "FALSE: every frame is a key frame. VT key AllowTemporalCompression",
                               d.allow_temporal_compression, kLive));
  install(PROP_MAX_KEYFRAME_INTERVAL,
          g_param_spec_int("max-keyframe-interval", "Max keyframe interval",
                           "Most frames from one key frame to the next; 0 = 250. VT key "
                           "MaxKeyFrameInterval",
                           0, G_MAXINT, d.max_keyframe_interval, kLive));
  install(PROP_MAX_KEYFRAME_INTERVAL_DURATION,
          g_param_spec_uint64("max-keyframe-interval-duration", "Max keyframe interval duration",
                              "Longest time in ns from one key frame to the next; 0 = no limit. VT "
                              "key MaxKeyFrameIntervalDuration",
                              0, G_MAXUINT64, d.max_keyframe_interval_duration, kLive));
  install(PROP_MAX_FRAME_DELAY_COUNT,
          g_param_spec_int("max-frame-delay-count", "Max frame delay count",
                           "Most frames the encoder may hold (0 = each frame out before the next "
                           "goes in; -1 = unlimited). VT key MaxFrameDelayCount",
                           -1, 1000, d.max_frame_delay_count, kReady));
  install(PROP_ENTROPY_MODE,
          g_param_spec_enum("entropy-mode", "Entropy mode", "VT key H264EntropyMode",
                            EntropyModeType(), d.entropy_mode, kReady));
  install(PROP_MIN_QP, g_param_spec_int("min-qp", "Min QP",
                                        "Lowest frame QP; -1 = no bound. VT key MinAllowedFrameQP",
                                        -1, 51, d.min_qp, kReady));
  install(PROP_MAX_QP, g_param_spec_int("max-qp", "Max QP",
                                        "Highest frame QP; -1 = no bound. VT key MaxAllowedFrameQP",
                                        -1, 51, d.max_qp, kReady));
  install(PROP_PRIORITIZE_SPEED,
          g_param_spec_boolean("prioritize-speed", "Prioritize speed",
                               "Speed over quality (speed-preset auto: x264 superfast). VT key "
                               "PrioritizeEncodingSpeedOverQuality",
                               d.prioritize_speed, kLive));
  install(PROP_REFERENCE_BUFFER_COUNT,
          g_param_spec_int("reference-buffer-count", "Reference buffer count",
                           "Reference frames; 0 = encoder decides. VT key ReferenceBufferCount", 0,
                           16, d.reference_buffer_count, kReady));
  install(PROP_LOOKAHEAD,
          g_param_spec_int("lookahead", "Lookahead",
                           "Rate-control lookahead in frames; -1 = encoder decides. VT key "
                           "SuggestedLookAheadFrameCount",
                           -1, 250, d.lookahead, kReady));
  install(PROP_SPATIAL_AQ,
          g_param_spec_boolean("spatial-aq", "Spatial AQ",
                               "Spatial adaptive quantisation. VT key SpatialAdaptiveQPLevel "
                               "(-1 when TRUE, 0 when FALSE)",
                               d.spatial_aq, kReady));
  install(PROP_MAX_SLICE_BYTES,
          g_param_spec_uint("max-slice-bytes", "Max slice bytes",
                            "Largest slice in bytes; 0 = no limit. VT key MaxH264SliceBytes", 0,
                            G_MAXINT, d.max_slice_bytes, kLive));
  install(PROP_ENCODER_ID,
          g_param_spec_string("encoder-id", "Encoder ID",
                              "Encoder specification EncoderID (only org.videolan.x264 exists)",
                              d.encoder_id.c_str(), kReady));
  install(PROP_ENABLE_HARDWARE,
          g_param_spec_boolean("enable-hardware", "Enable hardware",
                               "Encoder specification EnableHardwareAcceleratedVideoEncoder (there "
                               "is no hardware encoder; accepted for portability)",
                               d.enable_hardware, kReady));
  install(PROP_REQUIRE_HARDWARE,
          g_param_spec_boolean("require-hardware", "Require hardware",
                               "Encoder specification RequireHardwareAcceleratedVideoEncoder: TRUE "
                               "fails at start, there is no hardware encoder",
                               d.require_hardware, kReady));
  install(PROP_LOW_LATENCY_RATE_CONTROL,
          g_param_spec_boolean("low-latency-rate-control", "Low-latency rate control",
                               "Encoder specification EnableLowLatencyRateControl: no B-frames, no "
                               "lookahead, no frame delay, a VBV of one frame with a bitrate, one "
                               "IDR then P-frames unless an interval is set",
                               d.low_latency_rate_control, kReady));
  install(PROP_INTRA_REFRESH,
          g_param_spec_boolean("intra-refresh", "Intra refresh",
                               "Refresh the picture with waves of intra blocks (one every "
                               "max-keyframe-interval frames, else 1 s) instead of key frames. A "
                               "force-key-unit request with all-headers still gets an IDR with "
                               "SPS/PPS, one without starts a wave. Session key IntraRefresh",
                               d.intra_refresh, kReady));
  install(PROP_BYTES_PER_ROW_ALIGNMENT,
          g_param_spec_uint("bytes-per-row-alignment", "Bytes per row alignment",
                            "Row alignment of the buffers the element's pool proposes upstream "
                            "(a power of two). Pool attribute BytesPerRowAlignment",
                            1, 4096, d.bytes_per_row_alignment, kReady));
  install(PROP_POOL_MIN_BUFFERS,
          g_param_spec_uint("pool-min-buffers", "Pool min buffers",
                            "Buffers the proposed pool makes up front (MinimumBufferCount)", 0, 256,
                            d.pool_min_buffers, kReady));
  install(PROP_POOL_MAX_BUFFERS,
          g_param_spec_uint("pool-max-buffers", "Pool max buffers",
                            "Most buffers the proposed pool hands out; 0 = unlimited "
                            "(AllocationThreshold)",
                            0, 4096, d.pool_max_buffers, kReady));
  install(PROP_SPEED_PRESET,
          g_param_spec_enum("speed-preset", "Speed preset",
                            "x264 preset, as x264enc's speed-preset; auto: chosen from realtime, "
                            "prioritize-speed and quality (medium by default). While PLAYING "
                            "only x264's analysis settings follow. Session key X264SpeedPreset",
                            SpeedPresetType(), d.speed_preset, kLive));
  install(PROP_TUNE, g_param_spec_flags("tune", "Tune",
                                        "x264 tune, as x264enc's tune (zerolatency: no frame "
                                        "delay); none by default. Session key X264Tune",
                                        TuneType(), d.tune, kReady));
  install(PROP_THREADS,
          g_param_spec_uint("threads", "Threads",
                            "x264 threads; 0 = automatic (default), as x264enc's threads. "
                            "Session key X264Threads",
                            0, 128, d.threads, kReady));
  install(PROP_OPTION_STRING,
          g_param_spec_string("option-string", "Option string",
                              "x264 options \"key1=value1:key2=value2\" applied after every other "
                              "property, as x264enc's option-string; a bad one is an error at "
                              "start; \"\" by default. Session key X264Options",
                              d.option_string.c_str(), kReady));
  install(PROP_PASS,
          g_param_spec_enum("pass", "Pass",
                            "Two-pass file encoding, as x264enc's pass: run the pipeline with "
                            "pass1 (output usually to fakesink), then again on the same input with "
                            "pass2. Both need rate-control=abr and a bitrate. Session "
                            "BeginPass/EndPass with a MultiPassStorage",
                            PassType(), d.pass, kReady));
  install(PROP_MULTIPASS_CACHE_FILE,
          g_param_spec_string("multipass-cache-file", "Multipass cache file",
                              "The statistics file pass1 writes and pass2 reads (x264's stats, "
                              "plus <file>.mbtree and <file>.vtcpass beside it)",
                              d.multipass_cache_file.c_str(), kReady));
  install(PROP_PENDING_FRAMES, g_param_spec_int("pending-frames", "Pending frames",
                                                "Frames given to the session and not yet answered "
                                                "(NumberOfPendingFrames)",
                                                0, G_MAXINT, 0, kReadOnly));
  install(PROP_USING_HARDWARE,
          g_param_spec_boolean("using-hardware", "Using hardware",
                               "UsingHardwareAcceleratedVideoEncoder (always FALSE)", FALSE,
                               kReadOnly));
  // RealTime's governor (docs/realtime.md).
  install(PROP_SPEED_LEVEL,
          g_param_spec_int("speed-level", "Speed level",
                           "realtime=true: the speed level the governor runs x264 at, 0 = fastest; "
                           "-1 when it is not running (RealTimeSpeedLevel)",
                           -1, G_MAXINT, -1, kReadOnly));
  install(PROP_ENCODE_TIME,
          g_param_spec_uint64("encode-time", "Encode time",
                              "realtime=true: wall-clock time x264 takes per frame, smoothed, in "
                              "nanoseconds (RealTimeEncodeTime)",
                              0, G_MAXUINT64, 0, kReadOnly));
  install(PROP_CPU_TIME,
          g_param_spec_uint64("cpu-time", "CPU time",
                              "realtime=true: CPU time per frame over x264's call, its threads "
                              "included, smoothed, in nanoseconds (RealTimeCPUTime)",
                              0, G_MAXUINT64, 0, kReadOnly));
  install(PROP_FRAMES_DROPPED,
          g_param_spec_uint64("frames-dropped", "Frames dropped",
                              "Frames dropped to keep up since the element started: by "
                              "realtime=true when even its fastest level falls behind, and with "
                              "qos=true those already too late for downstream",
                              0, G_MAXUINT64, 0, kReadOnly));
}

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

gboolean SetProperty(Settings* s, guint id, const GValue* v, std::string* error) {
  switch (id) {
    case PROP_BITRATE:
      s->bitrate = g_value_get_uint(v);
      break;
    case PROP_RATE_CONTROL:
      s->rate_control = GstVtcRateControl(g_value_get_enum(v));
      break;
    case PROP_DATA_RATE_LIMITS: {
      const gchar* str = g_value_get_string(v);
      std::string text = str ? str : "0,0";
      vtc::Value parsed;
      if (!ParseDataRateLimits(text, &parsed)) {
        *error =
            "data-rate-limits must be \"kbps,seconds\" (for example \"4000,1\"), or \"0,0\"; "
            "got \"" +
            text + "\"";
        return FALSE;
      }
      s->data_rate_limits = text;
      break;
    }
    case PROP_QUALITY:
      s->quality = g_value_get_double(v);
      break;
    case PROP_REALTIME:
      s->realtime = g_value_get_boolean(v);
      break;
    case PROP_ALLOW_FRAME_REORDERING:
      s->allow_frame_reordering = g_value_get_boolean(v);
      break;
    case PROP_ALLOW_TEMPORAL_COMPRESSION:
      s->allow_temporal_compression = g_value_get_boolean(v);
      break;
    case PROP_MAX_KEYFRAME_INTERVAL:
      s->max_keyframe_interval = g_value_get_int(v);
      break;
    case PROP_MAX_KEYFRAME_INTERVAL_DURATION:
      s->max_keyframe_interval_duration = g_value_get_uint64(v);
      break;
    case PROP_MAX_FRAME_DELAY_COUNT:
      s->max_frame_delay_count = g_value_get_int(v);
      break;
    case PROP_ENTROPY_MODE:
      s->entropy_mode = GstVtcEntropyMode(g_value_get_enum(v));
      break;
    case PROP_MIN_QP:
      s->min_qp = g_value_get_int(v);
      break;
    case PROP_MAX_QP:
      s->max_qp = g_value_get_int(v);
      break;
    case PROP_PRIORITIZE_SPEED:
      s->prioritize_speed = g_value_get_boolean(v);
      break;
    case PROP_REFERENCE_BUFFER_COUNT:
      s->reference_buffer_count = g_value_get_int(v);
      break;
    case PROP_LOOKAHEAD:
      s->lookahead = g_value_get_int(v);
      break;
    case PROP_SPATIAL_AQ:
      s->spatial_aq = g_value_get_boolean(v);
      break;
    case PROP_MAX_SLICE_BYTES:
      s->max_slice_bytes = g_value_get_uint(v);
      break;
    case PROP_ENCODER_ID: {
      const gchar* str = g_value_get_string(v);
      s->encoder_id = str ? str : "";
      break;
    }
    case PROP_ENABLE_HARDWARE:
      s->enable_hardware = g_value_get_boolean(v);
      break;
    case PROP_REQUIRE_HARDWARE:
      s->require_hardware = g_value_get_boolean(v);
      break;
    case PROP_LOW_LATENCY_RATE_CONTROL:
      s->low_latency_rate_control = g_value_get_boolean(v);
      break;
    case PROP_INTRA_REFRESH:
      s->intra_refresh = g_value_get_boolean(v);
      break;
    case PROP_BYTES_PER_ROW_ALIGNMENT:
      s->bytes_per_row_alignment = g_value_get_uint(v);
      break;
    case PROP_POOL_MIN_BUFFERS:
      s->pool_min_buffers = g_value_get_uint(v);
      break;
    case PROP_POOL_MAX_BUFFERS:
      s->pool_max_buffers = g_value_get_uint(v);
      break;
    case PROP_SPEED_PRESET:
      s->speed_preset = GstVtcSpeedPreset(g_value_get_enum(v));
      break;
    case PROP_TUNE:
      s->tune = g_value_get_flags(v);
      break;
    case PROP_THREADS:
      s->threads = g_value_get_uint(v);
      break;
    case PROP_OPTION_STRING: {
      const gchar* str = g_value_get_string(v);
      s->option_string = str ? str : "";
      break;
    }
    case PROP_PASS:
      s->pass = GstVtcPass(g_value_get_enum(v));
      break;
    case PROP_MULTIPASS_CACHE_FILE: {
      const gchar* str = g_value_get_string(v);
      s->multipass_cache_file = str ? str : "";
      break;
    }
    default:
      return FALSE;
  }
  return TRUE;
}

gboolean IsSessionProperty(guint id) {
  return id == PROP_PENDING_FRAMES || id == PROP_USING_HARDWARE || id == PROP_SPEED_LEVEL ||
         id == PROP_ENCODE_TIME || id == PROP_CPU_TIME;
}

void GetSessionProperty(vtc::CompressionSession* session, guint id, GValue* v) {
  if (id == PROP_USING_HARDWARE) {
    g_value_set_boolean(v, FALSE);
    return;
  }
  const char* key = id == PROP_PENDING_FRAMES ? vtc::key::kNumberOfPendingFrames
                    : id == PROP_SPEED_LEVEL  ? vtc::key::kRealTimeSpeedLevel
                    : id == PROP_ENCODE_TIME  ? vtc::key::kRealTimeEncodeTime
                                              : vtc::key::kRealTimeCPUTime;
  vtc::Value value;
  const bool have = session && session->CopyProperty(key, &value) == vtc::Status::kNoErr;
  if (id == PROP_PENDING_FRAMES || id == PROP_SPEED_LEVEL) {
    gint64 n = id == PROP_SPEED_LEVEL ? -1 : 0;
    if (have) value.GetInt(&n);
    g_value_set_int(v, gint(n));
  } else {
    double seconds = 0;
    if (have) value.GetDouble(&seconds);
    g_value_set_uint64(v, guint64(seconds * GST_SECOND));
  }
}

gboolean GetProperty(const Settings& s, guint id, GValue* v) {
  switch (id) {
    case PROP_BITRATE:
      g_value_set_uint(v, s.bitrate);
      break;
    case PROP_RATE_CONTROL:
      g_value_set_enum(v, s.rate_control);
      break;
    case PROP_DATA_RATE_LIMITS:
      g_value_set_string(v, s.data_rate_limits.c_str());
      break;
    case PROP_QUALITY:
      g_value_set_double(v, s.quality);
      break;
    case PROP_REALTIME:
      g_value_set_boolean(v, s.realtime);
      break;
    case PROP_ALLOW_FRAME_REORDERING:
      g_value_set_boolean(v, s.allow_frame_reordering);
      break;
    case PROP_ALLOW_TEMPORAL_COMPRESSION:
      g_value_set_boolean(v, s.allow_temporal_compression);
      break;
    case PROP_MAX_KEYFRAME_INTERVAL:
      g_value_set_int(v, s.max_keyframe_interval);
      break;
    case PROP_MAX_KEYFRAME_INTERVAL_DURATION:
      g_value_set_uint64(v, s.max_keyframe_interval_duration);
      break;
    case PROP_MAX_FRAME_DELAY_COUNT:
      g_value_set_int(v, s.max_frame_delay_count);
      break;
    case PROP_ENTROPY_MODE:
      g_value_set_enum(v, s.entropy_mode);
      break;
    case PROP_MIN_QP:
      g_value_set_int(v, s.min_qp);
      break;
    case PROP_MAX_QP:
      g_value_set_int(v, s.max_qp);
      break;
    case PROP_PRIORITIZE_SPEED:
      g_value_set_boolean(v, s.prioritize_speed);
      break;
    case PROP_REFERENCE_BUFFER_COUNT:
      g_value_set_int(v, s.reference_buffer_count);
      break;
    case PROP_LOOKAHEAD:
      g_value_set_int(v, s.lookahead);
      break;
    case PROP_SPATIAL_AQ:
      g_value_set_boolean(v, s.spatial_aq);
      break;
    case PROP_MAX_SLICE_BYTES:
      g_value_set_uint(v, s.max_slice_bytes);
      break;
    case PROP_ENCODER_ID:
      g_value_set_string(v, s.encoder_id.c_str());
      break;
    case PROP_ENABLE_HARDWARE:
      g_value_set_boolean(v, s.enable_hardware);
      break;
    case PROP_REQUIRE_HARDWARE:
      g_value_set_boolean(v, s.require_hardware);
      break;
    case PROP_LOW_LATENCY_RATE_CONTROL:
      g_value_set_boolean(v, s.low_latency_rate_control);
      break;
    case PROP_INTRA_REFRESH:
      g_value_set_boolean(v, s.intra_refresh);
      break;
    case PROP_BYTES_PER_ROW_ALIGNMENT:
      g_value_set_uint(v, s.bytes_per_row_alignment);
      break;
    case PROP_POOL_MIN_BUFFERS:
      g_value_set_uint(v, s.pool_min_buffers);
      break;
    case PROP_POOL_MAX_BUFFERS:
      g_value_set_uint(v, s.pool_max_buffers);
      break;
    case PROP_SPEED_PRESET:
      g_value_set_enum(v, s.speed_preset);
      break;
    case PROP_TUNE:
      g_value_set_flags(v, s.tune);
      break;
    case PROP_THREADS:
      g_value_set_uint(v, s.threads);
      break;
    case PROP_OPTION_STRING:
      g_value_set_string(v, s.option_string.c_str());
      break;
    case PROP_PASS:
      g_value_set_enum(v, s.pass);
      break;
    case PROP_MULTIPASS_CACHE_FILE:
      g_value_set_string(v, s.multipass_cache_file.c_str());
      break;
    default:
      return FALSE;
  }
  return TRUE;
}

vtc::Dictionary EncoderSpecification(const Settings& s) {
  namespace k = vtc::key;
  vtc::Dictionary d{
      {k::kEnableHardwareAcceleratedVideoEncoder, vtc::Value(bool(s.enable_hardware))},
      {k::kRequireHardwareAcceleratedVideoEncoder, vtc::Value(bool(s.require_hardware))},
      {k::kEnableLowLatencyRateControl, vtc::Value(bool(s.low_latency_rate_control))}};
  if (!s.encoder_id.empty()) d[k::kEncoderID] = vtc::Value(s.encoder_id);  // empty: any
  return d;
}

vtc::Dictionary PoolAttributes(const Settings& s) {
  namespace k = vtc::key;
  return {{k::kBytesPerRowAlignment, vtc::Value(s.bytes_per_row_alignment)},
          {k::kPoolMinimumBufferCount, vtc::Value(s.pool_min_buffers)},
          {k::kPoolAllocationThreshold, vtc::Value(s.pool_max_buffers)}};
}

vtc::Dictionary LiveChange(const Settings& s, guint id, GstVtcRateControl rate_control) {
  namespace k = vtc::key;
  Settings as_running = s;
  as_running.rate_control = rate_control;
  const vtc::Dictionary all = CompressionProperties(as_running);
  auto pick = [&all](std::initializer_list<const char*> keys) {
    vtc::Dictionary d;
    for (const char* key : keys) {
      auto it = all.find(key);
      d[key] = it == all.end() ? vtc::Value() : it->second;  // null restores the default
    }
    return d;
  };
  switch (id) {
    case PROP_BITRATE:
      return pick({k::kAverageBitRate, k::kConstantBitRate});
    case PROP_DATA_RATE_LIMITS:
      return pick({k::kDataRateLimits});
    case PROP_QUALITY:
      return pick({k::kQuality});
    case PROP_REALTIME:
      return pick({k::kRealTime});
    case PROP_ALLOW_TEMPORAL_COMPRESSION:
      return pick({k::kAllowTemporalCompression});
    case PROP_MAX_KEYFRAME_INTERVAL:
      return pick({k::kMaxKeyFrameInterval});
    case PROP_MAX_KEYFRAME_INTERVAL_DURATION:
      return pick({k::kMaxKeyFrameIntervalDuration});
    case PROP_PRIORITIZE_SPEED:
      return pick({k::kPrioritizeEncodingSpeedOverQuality});
    case PROP_MAX_SLICE_BYTES:
      return pick({k::kMaxH264SliceBytes});
    case PROP_SPEED_PRESET:
      return pick({k::kX264SpeedPreset});
    default:
      return {};
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

vtc::Dictionary CompressionProperties(const Settings& s) {
  namespace k = vtc::key;
  vtc::Dictionary d;
  const std::int64_t bps = std::int64_t(s.bitrate) * 1000;
  if (s.rate_control == GST_VTC_RATE_CONTROL_CBR) {
    d[k::kConstantBitRate] = vtc::Value(bps);
  } else {
    d[k::kAverageBitRate] = vtc::Value(bps);
    vtc::Value limits;
    if (ParseDataRateLimits(s.data_rate_limits, &limits) && !limits.IsNull())
      d[k::kDataRateLimits] = limits;
  }
  d[k::kQuality] = vtc::Value(s.quality);
  d[k::kRealTime] = vtc::Value(bool(s.realtime));
  d[k::kAllowFrameReordering] = vtc::Value(bool(s.allow_frame_reordering));
  d[k::kAllowTemporalCompression] = vtc::Value(bool(s.allow_temporal_compression));
  d[k::kMaxKeyFrameInterval] = vtc::Value(s.max_keyframe_interval);
  d[k::kMaxKeyFrameIntervalDuration] =
      vtc::Value(double(s.max_keyframe_interval_duration) / GST_SECOND);
  d[k::kMaxFrameDelayCount] = vtc::Value(s.max_frame_delay_count);
  if (s.entropy_mode != GST_VTC_ENTROPY_AUTO)
    d[k::kH264EntropyMode] =
        vtc::Value(s.entropy_mode == GST_VTC_ENTROPY_CABAC ? "CABAC" : "CAVLC");
  if (s.min_qp >= 0) d[k::kMinAllowedFrameQP] = vtc::Value(s.min_qp);
  if (s.max_qp >= 0) d[k::kMaxAllowedFrameQP] = vtc::Value(s.max_qp);
  d[k::kPrioritizeEncodingSpeedOverQuality] = vtc::Value(bool(s.prioritize_speed));
  if (s.reference_buffer_count > 0)
    d[k::kReferenceBufferCount] = vtc::Value(s.reference_buffer_count);
  if (s.lookahead >= 0) d[k::kSuggestedLookAheadFrameCount] = vtc::Value(s.lookahead);
  d[k::kSpatialAdaptiveQPLevel] = vtc::Value(s.spatial_aq ? -1 : 0);
  d[k::kMaxH264SliceBytes] = vtc::Value(s.max_slice_bytes);
  d[k::kX264SpeedPreset] = vtc::Value(SpeedPresetName(s.speed_preset));
  d[k::kX264Tune] = vtc::Value(TuneString(s.tune));
  d[k::kX264Threads] = vtc::Value(s.threads);
  d[k::kX264Options] = vtc::Value(s.option_string);
  // The raw picture goes back upstream as soon as x264 has copied it, not after x264's delay
  // (the element's frame keeps only the buffer's metadata, gst_vt_h264_enc_detach_pixels).
  d[k::kReleaseSourceBufferOnImport] = vtc::Value(true);
  d[k::kIntraRefresh] = vtc::Value(bool(s.intra_refresh));
  return d;
}

const char* SpeedPresetName(GstVtcSpeedPreset preset) {
  static const char* const kNames[] = {"auto",   "ultrafast", "superfast", "veryfast",
                                       "faster", "fast",      "medium",    "slow",
                                       "slower", "veryslow",  "placebo"};
  const unsigned i = unsigned(preset);
  return i < G_N_ELEMENTS(kNames) ? kNames[i] : "auto";
}

std::string TuneString(guint tune) {
  std::string out;
  for (auto [flag, name] : {std::pair{GST_VTC_TUNE_STILLIMAGE, "stillimage"},
                            std::pair{GST_VTC_TUNE_FASTDECODE, "fastdecode"},
                            std::pair{GST_VTC_TUNE_ZEROLATENCY, "zerolatency"}}) {
    if (!(tune & flag)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

}  // namespace gstvtc
