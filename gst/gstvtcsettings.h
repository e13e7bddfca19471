// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc's properties: one table that installs them, stores their values and maps them onto
// the session's encoder specification, compression properties and pool attributes.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <string>

#include "vtcompress/compression_session.h"
#include "vtcompress/value.h"

G_BEGIN_DECLS

typedef enum {
  GST_VTC_RATE_CONTROL_ABR,
  GST_VTC_RATE_CONTROL_CBR,
} GstVtcRateControl;

typedef enum {
  GST_VTC_ENTROPY_AUTO,
  GST_VTC_ENTROPY_CAVLC,
  GST_VTC_ENTROPY_CABAC,
} GstVtcEntropyMode;

// x264enc's GstX264EncPreset numbers, with "auto" where x264enc has "None".
typedef enum {
  GST_VTC_SPEED_PRESET_AUTO,
  GST_VTC_SPEED_PRESET_ULTRAFAST,
  GST_VTC_SPEED_PRESET_SUPERFAST,
  GST_VTC_SPEED_PRESET_VERYFAST,
  GST_VTC_SPEED_PRESET_FASTER,
  GST_VTC_SPEED_PRESET_FAST,
  GST_VTC_SPEED_PRESET_MEDIUM,
  GST_VTC_SPEED_PRESET_SLOW,
  GST_VTC_SPEED_PRESET_SLOWER,
  GST_VTC_SPEED_PRESET_VERYSLOW,
  GST_VTC_SPEED_PRESET_PLACEBO,
} GstVtcSpeedPreset;

// x264enc's GstX264EncTune flags.
typedef enum {
  GST_VTC_TUNE_NONE = 0,
  GST_VTC_TUNE_STILLIMAGE = 1 << 0,
  GST_VTC_TUNE_FASTDECODE = 1 << 1,
  GST_VTC_TUNE_ZEROLATENCY = 1 << 2,
} GstVtcTune;

// x264enc's GstX264EncPass numbers for its two-pass values (17, 18); 0 is one pass.
typedef enum {
  GST_VTC_PASS_SINGLE = 0,
  GST_VTC_PASS_PASS1 = 17,
  GST_VTC_PASS_PASS2 = 18,
} GstVtcPass;

G_END_DECLS

namespace gstvtc {

enum PropId : guint {
  PROP_0,
  PROP_BITRATE,
  PROP_RATE_CONTROL,
  PROP_DATA_RATE_LIMITS,
  PROP_QUALITY,
  PROP_REALTIME,
  PROP_ALLOW_FRAME_REORDERING,
  PROP_ALLOW_TEMPORAL_COMPRESSION,
  PROP_MAX_KEYFRAME_INTERVAL,
  PROP_MAX_KEYFRAME_INTERVAL_DURATION,
  PROP_MAX_FRAME_DELAY_COUNT,
  PROP_ENTROPY_MODE,
  PROP_MIN_QP,
  PROP_MAX_QP,
  PROP_PRIORITIZE_SPEED,
  PROP_REFERENCE_BUFFER_COUNT,
  PROP_LOOKAHEAD,
  PROP_SPATIAL_AQ,
  PROP_MAX_SLICE_BYTES,
  PROP_ENCODER_ID,
  PROP_ENABLE_HARDWARE,
  PROP_REQUIRE_HARDWARE,
  PROP_LOW_LATENCY_RATE_CONTROL,
  PROP_INTRA_REFRESH,
  PROP_BYTES_PER_ROW_ALIGNMENT,
  PROP_POOL_MIN_BUFFERS,
  PROP_POOL_MAX_BUFFERS,
  PROP_SPEED_PRESET,
  PROP_TUNE,
  PROP_THREADS,
  PROP_OPTION_STRING,
  PROP_PASS,
  PROP_MULTIPASS_CACHE_FILE,
  PROP_PENDING_FRAMES,
  PROP_USING_HARDWARE,
  PROP_SPEED_LEVEL,
  PROP_ENCODE_TIME,
  PROP_CPU_TIME,
  PROP_FRAMES_DROPPED,
  PROP_LAST
};

// Values of the writable properties. Guarded by the element's OBJECT_LOCK.
struct Settings {
  guint bitrate = 0;  // kbit/s
  GstVtcRateControl rate_control = GST_VTC_RATE_CONTROL_ABR;
  std::string data_rate_limits = "0,0";
  gdouble quality = 0.5;
  gboolean realtime = FALSE;
  gboolean allow_frame_reordering = TRUE;
  gboolean allow_temporal_compression = TRUE;
  gint max_keyframe_interval = 0;
  guint64 max_keyframe_interval_duration = 0;  // ns
  gint max_frame_delay_count = -1;
  GstVtcEntropyMode entropy_mode = GST_VTC_ENTROPY_AUTO;
  gint min_qp = -1, max_qp = -1;
  gboolean prioritize_speed = FALSE;
  gint reference_buffer_count = 0;
  gint lookahead = -1;
  gboolean spatial_aq = TRUE;
  guint max_slice_bytes = 0;
  std::string encoder_id = "org.videolan.x264";
  gboolean enable_hardware = TRUE;
  gboolean require_hardware = FALSE;
  gboolean low_latency_rate_control = FALSE;
  gboolean intra_refresh = FALSE;  // session extension key IntraRefresh
  guint bytes_per_row_alignment = 64;
  guint pool_min_buffers = 0, pool_max_buffers = 0;
  // x264enc's knobs (session extension keys X264SpeedPreset, X264Tune, X264Threads, X264Options).
  GstVtcSpeedPreset speed_preset = GST_VTC_SPEED_PRESET_AUTO;
  guint tune = GST_VTC_TUNE_NONE;  // GstVtcTune flags
  guint threads = 0;               // 0 = x264 decides
  std::string option_string;
  // Two-pass file encoding (session MultiPassStorage): the statistics file both runs share.
  GstVtcPass pass = GST_VTC_PASS_SINGLE;
  std::string multipass_cache_file = "vth264enc.log";
};

// Installs every property on the class (PROP_PENDING_FRAMES and PROP_USING_HARDWARE read-only).
void InstallProperties(GObjectClass* klass);

// Stores a value (OBJECT_LOCK held by the caller). Returns FALSE for an unknown id or a bad
// string (data-rate-limits), with *error set.
gboolean SetProperty(Settings* s, guint prop_id, const GValue* value, std::string* error);
gboolean GetProperty(const Settings& s, guint prop_id, GValue* value);

// The read-only properties read from the session (pending-frames, using-hardware and
// RealTime's speed-level, encode-time, cpu-time), and their values from `session` (null: none
// yet, the defaults).
gboolean IsSessionProperty(guint prop_id);
void GetSessionProperty(vtc::CompressionSession* session, guint prop_id, GValue* value);

// Whether the property may change while PLAYING (GST_PARAM_MUTABLE_PLAYING).
gboolean IsLive(guint prop_id);

// The session keys for these settings.
vtc::Dictionary EncoderSpecification(const Settings& s);
vtc::Dictionary CompressionProperties(const Settings& s);
vtc::Dictionary PoolAttributes(const Settings& s);
// The session keys one live property sets (a subset of CompressionProperties()), for a
// session running in `rate_control` mode.
vtc::Dictionary LiveChange(const Settings& s, guint prop_id, GstVtcRateControl rate_control);

// The session's X264SpeedPreset / X264Tune text for these values ("auto", "zerolatency,...").
const char* SpeedPresetName(GstVtcSpeedPreset preset);
std::string TuneString(guint tune);

// "kbps,seconds" -> DataRateLimits [bytes, seconds], or null for "0,0"; FALSE if malformed.
gboolean ParseDataRateLimits(const std::string& text, vtc::Value* out);

// intra-refresh=true: a force-key-unit request without all-headers (what GStreamer's RTP session
// sends for a PLI; a FIR comes with all-headers) is answered with a refresh wave at the first
// frame of its running time, not a key frame (docs/properties.md). The element keeps such requests
// from the base class, which would hold each until a sync point that may never come. Events come
// on any thread, frames on the streaming thread.
class RefreshRequests {
 public:
  // True if `event` is such a request: then it is taken (the caller unrefs the event).
  bool Take(GstEvent* event);
  // Whether a frame at this running time (NONE: unknown) answers the requests taken so far; they
  // are then forgotten. Requests before that frame make one wave, from the earliest's time.
  bool Due(GstClockTime running_time);

 private:
  std::atomic<guint64> at_{GST_CLOCK_TIME_NONE};  // the earliest running time asked for; 0: now
};

// Whether these settings code losslessly (quality 1.0 with no bit rate and no limits), which in
// the High profile x264 writes as High 4:4:4 Predictive (GStreamer's profile "high-4:4:4").
bool IsLossless(const Settings& s);

}  // namespace gstvtc
