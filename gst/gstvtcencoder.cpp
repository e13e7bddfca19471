// SPDX-License-Identifier: GPL-2.0-or-later
// GstVtcEncoder: the codec-neutral part of the vtcompress encoder elements (see the header).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvtcencoder.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gstvtcbufferpool.h"
#include "gstvtccaps.h"
#include "gstvtcformats.h"
#include "gstvtcmeta.h"
#include "gstvtcpresets.h"
#include "vtcompress/vtcompress.h"

GST_DEBUG_CATEGORY_STATIC(gst_vtc_encoder_debug);
// Every message goes to the element's own category (the class's debug_category), so every
// function that logs has its GstVtcEncoder* in `self`.
#define GST_CAT_DEFAULT (GST_VTC_ENCODER_GET_CLASS(self)->debug_category)

namespace {

constexpr gint64 kTimescale = GST_SECOND;  // session timestamps are GStreamer nanoseconds

// What one session's output callback needs. Made before the session exists and read-only
// afterwards, except `format` and `last_delay`, which only the session's worker touches.
struct SessionContext {
  GstVtcEncoder* self = nullptr;
  vtc::CompressionSession* session = nullptr;  // valid in callbacks: they end before it goes
  GstVtcNegotiated negotiated;                 // the codec element's framing and keys
  gstvtc::Settings settings;  // what the session was created with (a reconfigure negotiates again)
  std::string encoder_name;   // for messages: "x264"
  GstVtcRateControl rate_control = GST_VTC_RATE_CONTROL_ABR;  // as the session was created
  GstVideoCodecState* input_state = nullptr;                  // owned ref
  GstClockTime frame_duration = GST_CLOCK_TIME_NONE;
  std::atomic<bool> discard{false};  // flushing/stopping: answer frames without pushing
  vtc::FormatDescriptionRef format;  // worker only: the description the src caps were made from
  gint64 last_delay = -1;            // worker only
  // Worker only: the session answered a frame with an error. The element posted its one
  // GST_ELEMENT_ERROR for it; the flow stays GST_FLOW_ERROR for the rest of this session.
  bool failed = false;
  // Two-pass (pass property): the session runs one pass of it until the next drain (EOS), which
  // ends it with EndPass instead of CompleteFrames. Streaming thread only.
  GstVtcPass pass = GST_VTC_PASS_SINGLE;
  bool in_pass = false;
  std::string cache_file;

  ~SessionContext() {
    if (input_state) gst_video_codec_state_unref(input_state);
  }
};

}  // namespace

// All of an instance's state, constructed in the private area in init, destroyed in finalize.
struct GstVtcEncoderPrivate {
  gstvtc::Settings settings;  // OBJECT_LOCK
  GstVtcPresetState presets;  // OBJECT_LOCK (gstvtcpresets.cpp)

  // Streaming-thread state (STREAM_LOCK), see the header for the lock order.
  GstVideoCodecState* input_state = nullptr;
  // The session, or an empty ref. Written by the streaming thread under STREAM_LOCK and
  // session_lock; other threads (property setters) read it under session_lock only.
  vtc::CompressionSessionRef session;
  std::mutex session_lock;                                            // leaf lock
  GstVtcRateControl session_rate_control = GST_VTC_RATE_CONTROL_ABR;  // (session_lock)
  std::unique_ptr<SessionContext> context;          // the session's callback context
  GstBufferPool* pool = nullptr;                    // proposed upstream, from the session's pool
  GstClockTime synthetic_pts = 0;                   // for input without timestamps
  GstClockTime last_pts = GST_CLOCK_TIME_NONE;      // of the last frame given to the session
  GstClockTime last_running = GST_CLOCK_TIME_NONE;  // its running time
  GstSegment last_segment;                          // the input segment it came in
  // set_min_pts's shift, which the base class adds to frame->pts but not to the input segment.
  GstClockTime time_adjustment = 0;
  bool going_back = false;  // dropping frames whose time went back (warned once per episode)
  // Captions and user data of frames qos dropped before the session saw them: they go with the
  // next frame encoded (the session merges the captions into its one A/53 message).
  vtc::Array carried_sei;
  // Written by the current session's worker only (sessions never overlap); kept across
  // sessions (caps changes, new segments) so that DTS keep increasing.
  GstClockTime last_dts = GST_CLOCK_TIME_NONE;
  bool min_pts_set = false;                           // set_min_pts done since start
  GstCaps* failed_caps = nullptr;                     // caps no session could be made for
  std::atomic<GstFlowReturn> last_flow{GST_FLOW_OK};  // downstream result of finish_frame
  std::atomic<guint64> frames_dropped{0};  // to keep up: the governor's and qos's, since start
  gstvtc::RefreshRequests refresh;         // intra-refresh: plain key-unit requests not yet met
  std::mutex error_lock;                   // leaf lock: guards last_error
  std::deque<std::string> last_error;      // the session's latest error messages, for the bus

  GstVtcEncoderPrivate() { gst_segment_init(&last_segment, GST_FORMAT_TIME); }
  ~GstVtcEncoderPrivate() {
    if (session) session->Invalidate();
    context.reset();
    if (pool) gst_object_unref(pool);
    if (input_state) gst_video_codec_state_unref(input_state);
    gst_clear_caps(&failed_caps);
  }
};

#define gst_vtc_encoder_parent_class parent_class
G_DEFINE_ABSTRACT_TYPE_WITH_CODE(GstVtcEncoder, gst_vtc_encoder, GST_TYPE_VIDEO_ENCODER,
                                 G_ADD_PRIVATE(GstVtcEncoder)
                                     G_IMPLEMENT_INTERFACE(GST_TYPE_PRESET,
                                                           gst_vtc_encoder_preset_init));

static GstVtcEncoderPrivate* gst_vtc_encoder_priv(GstVtcEncoder* self) {
  return static_cast<GstVtcEncoderPrivate*>(gst_vtc_encoder_get_instance_private(self));
}

static void gst_vtc_encoder_reset_time(GstVtcEncoder* self);

// --- Helpers -------------------------------------------------------------------------------------

namespace gstvtc {

bool IsInterlaced(const GstVideoInfo* info) {
  const GstVideoInterlaceMode mode = GST_VIDEO_INFO_INTERLACE_MODE(info);
  return mode == GST_VIDEO_INTERLACE_MODE_INTERLEAVED || mode == GST_VIDEO_INTERLACE_MODE_MIXED;
}

std::string FirstString(const GstStructure* s, const char* field) {
  const GValue* v = gst_structure_get_value(s, field);
  if (!v) return {};
  if (G_VALUE_HOLDS_STRING(v)) return g_value_get_string(v);
  if (GST_VALUE_HOLDS_LIST(v) && gst_value_list_get_size(v) > 0) {
    const GValue* first = gst_value_list_get_value(v, 0);
    if (G_VALUE_HOLDS_STRING(first)) return g_value_get_string(first);
  }
  return {};
}

}  // namespace gstvtc

namespace {

// VideoToolbox's colour names for GStreamer's colorimetry, through their H.273 code points
// (vtcompress/color.h). Transfer codes 6 (BT.601) and 15 (BT.2020 12-bit) are the same curves as
// 1 and 14, which VideoToolbox names.
std::string ColorPrimaries(gint p) {
  return vtc::ColorPrimariesGetStringForIntegerCodePoint(
      gst_video_color_primaries_to_iso(GstVideoColorPrimaries(p)));
}

std::string TransferFunction(gint t) {
  guint code = gst_video_transfer_function_to_iso(GstVideoTransferFunction(t));
  if (code == 6) code = 1;
  if (code == 15) code = 14;
  return vtc::TransferFunctionGetStringForIntegerCodePoint(int(code));
}

std::string YCbCrMatrix(gint m) {
  return vtc::YCbCrMatrixGetStringForIntegerCodePoint(
      gst_video_color_matrix_to_iso(GstVideoColorMatrix(m)));
}

// The held mapping of an input frame, released when the session lets go of its pixel buffer.
struct MappedFrame {
  GstVideoFrame frame;
  ~MappedFrame() { gst_video_frame_unmap(&frame); }
};

// Bytes readable from `p` inside the frame's mapped memory.
gsize BytesFrom(const GstVideoFrame& f, const guint8* p) {
  for (guint i = 0; i < GST_VIDEO_MAX_PLANES; ++i) {
    const GstMapInfo& m = f.map[i];
    if (m.data && p >= m.data && p < m.data + m.size) return gsize(m.data + m.size - p);
  }
  return 0;
}

// The encoders the session has for a codec: IDs and names ("org.videolan.x264", "x264").
struct EncoderList {
  std::vector<std::string> ids, names;

  explicit EncoderList(vtc::CodecType codec) {
    vtc::Array encoders;
    vtc::CopyVideoEncoderList(nullptr, &encoders);
    for (const vtc::Value& e : encoders) {
      const vtc::Dictionary& d = e.AsDictionary();
      gint64 type = 0;
      auto at = [&d](const char* key) {
        auto it = d.find(key);
        std::string s;
        if (it != d.end()) it->second.GetString(&s);
        return s;
      };
      auto t = d.find(vtc::key::kCodecType);
      if (t == d.end() || !t->second.GetInt(&type) || vtc::CodecType(type) != codec) continue;
      ids.push_back(at(vtc::key::kEncoderID));
      names.push_back(at(vtc::key::kEncoderName));
    }
  }
  bool Has(const std::string& id) const {
    for (const std::string& i : ids)
      if (i == id) return true;
    return false;
  }
  // The encoder an encoder-id picks ("" = any: the first), by name.
  std::string NameOf(const std::string& id) const {
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (id.empty() || ids[i] == id) return names[i];
    return "the encoder";
  }
  // "x264", "x264 and x265": for messages.
  static std::string Join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
    return out.empty() ? "none" : out;
  }
};

}  // namespace

// Error messages kept for the next report: the encoder's own reason comes one line before the
// session's summary of it, so a few are kept.
constexpr std::size_t kKeptErrors = 3;

static void gst_vtc_encoder_log(GstVtcEncoder* self, vtc::LogLevel level, const char* message) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  if (level == vtc::LogLevel::kError) {
    std::lock_guard<std::mutex> lock(priv->error_lock);
    priv->last_error.emplace_back(message);
    while (priv->last_error.size() > kKeptErrors) priv->last_error.pop_front();
  }
  GstDebugLevel l = GST_LEVEL_DEBUG;
  switch (level) {
    case vtc::LogLevel::kError:
      l = GST_LEVEL_ERROR;
      break;
    case vtc::LogLevel::kWarning:
      l = GST_LEVEL_WARNING;
      break;
    case vtc::LogLevel::kInfo:
      l = GST_LEVEL_INFO;
      break;
    case vtc::LogLevel::kDebug:
      l = GST_LEVEL_DEBUG;
      break;
  }
  GST_CAT_LEVEL_LOG(GST_CAT_DEFAULT, l, self, "%s", message);
}

// The session's reasons for the last failure (its latest error messages, oldest first), for
// GST_ELEMENT_ERROR's debug text. Reading them consumes them: the next report has only newer ones.
static std::string gst_vtc_encoder_last_error(GstVtcEncoder* self) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  std::lock_guard<std::mutex> lock(priv->error_lock);
  if (priv->last_error.empty()) return "no details";
  std::string text;
  for (const std::string& m : priv->last_error) text += (text.empty() ? "" : "; ") + m;
  priv->last_error.clear();
  return text;
}

// --- The output side (session worker thread) ---------------------------------------------------

static GstBuffer* gst_vtc_encoder_buffer_for(SessionContext* ctx, const vtc::SampleBufferRef& s,
                                             bool headers) {
  const vtc::Data& data = s->data();
  const bool annexb = ctx->negotiated.annexb;
  if (!annexb && !headers) {
    // Zero copy: the buffer keeps the sample alive.
    auto* holder = new vtc::SampleBufferRef(s);
    return gst_buffer_new_wrapped_full(
        GST_MEMORY_FLAG_READONLY, const_cast<guint8*>(data.data()), data.size(), 0, data.size(),
        holder, [](gpointer p) { delete static_cast<vtc::SampleBufferRef*>(p); });
  }
  std::vector<guint8> out;
  out.reserve(data.size() + 256);
  // Appends sample bytes [from, to); with annexb their 4-byte lengths become 4-byte start codes.
  auto append = [&out, &data, annexb](std::size_t from, std::size_t to) {
    const std::size_t start = out.size();
    out.insert(out.end(), data.begin() + from, data.begin() + to);
    std::size_t pos = start;
    while (annexb && pos + 4 <= out.size()) {
      const std::size_t len = (std::size_t(out[pos]) << 24) | (std::size_t(out[pos + 1]) << 16) |
                              (std::size_t(out[pos + 2]) << 8) | out[pos + 3];
      out[pos] = out[pos + 1] = out[pos + 2] = 0;
      out[pos + 3] = 1;
      pos += 4 + len;
    }
  };
  std::size_t lead = 0;
  if (headers) {
    GstVtcEncoder* self = ctx->self;
    GstVtcEncoderClass* klass = GST_VTC_ENCODER_GET_CLASS(self);
    // An access unit delimiter opens the access unit, before the parameter sets.
    if (klass->leading_delimiter)
      lead = std::min(data.size(), klass->leading_delimiter(self, data.data(), data.size()));
    append(0, lead);
    klass->append_parameter_sets(self, *s->format_description(), annexb, &out);
  }
  append(lead, data.size());
  return gst_buffer_new_memdup(out.data(), out.size());
}

// Finishes `frame` (the caller's reference) without output: dropped, with a QoS message. The
// 1.22 base class cannot drop a frame before an output state exists (finish_frame posts "Output
// state was not configured" and loses the frame's events), and the output caps need the first
// sample's parameter sets. Before that, the frame is dropped here by hand: the same QoS message,
// its input buffer released; the frame itself stays in the base class's list (its events go out
// with the next finished frame) until the next flush or stop frees it.
static GstFlowReturn gst_vtc_encoder_drop_frame(GstVtcEncoder* self, GstVideoCodecFrame* frame) {
  GstVideoEncoder* enc = GST_VIDEO_ENCODER(self);
  frame->output_buffer = nullptr;
  if (GstVideoCodecState* out = gst_video_encoder_get_output_state(enc)) {
    gst_video_codec_state_unref(out);
    return gst_video_encoder_finish_frame(enc, frame);
  }
  GST_VIDEO_ENCODER_STREAM_LOCK(self);
  const GstSegment* seg = &enc->input_segment;
  const GstClockTime running = gst_segment_to_running_time(seg, GST_FORMAT_TIME, frame->pts);
  const GstClockTime stream = gst_segment_to_stream_time(seg, GST_FORMAT_TIME, frame->pts);
  gst_buffer_replace(&frame->input_buffer, nullptr);
  GST_VIDEO_ENCODER_STREAM_UNLOCK(self);
  GstMessage* qos = gst_message_new_qos(GST_OBJECT_CAST(self), FALSE, running, stream, frame->pts,
                                        frame->duration);
  gst_message_set_qos_stats(qos, GST_FORMAT_BUFFERS, 0, 1);
  gst_element_post_message(GST_ELEMENT_CAST(self), qos);
  GST_DEBUG_OBJECT(self, "frame %u dropped before the first output", frame->system_frame_number);
  gst_video_codec_frame_unref(frame);
  return GST_FLOW_OK;
}

// The session answered frame `number` with an error: one message for the lot (the session
// answers every frame in flight with it), each frame then finished as dropped.
static void gst_vtc_encoder_report_failure(GstVtcEncoder* self, SessionContext* ctx, guint32 number,
                                           vtc::Status status) {
  if (ctx->failed) {
    GST_WARNING_OBJECT(self, "frame %u also lost: %s", number, vtc::StatusName(status));
    return;
  }
  ctx->failed = true;
  const std::string why = gst_vtc_encoder_last_error(self);
  switch (status) {
    case vtc::Status::kAllocationFailedErr:
      GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT,
                        ("The encoder ran out of memory; the frames it held, from frame %u on, "
                         "are dropped. Free memory or lower the resolution or lookahead, then "
                         "restart the stream.",
                         number),
                        ("VTCompressionOutputCallback: %s (%d): %s", vtc::StatusName(status),
                         vtc::ToOSStatus(status), why.c_str()));
      break;
    case vtc::Status::kParameterErr:
      GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                        ("The encoder could not apply its settings; the frames it held, from "
                         "frame %u on, are dropped. Check profile, level and bitrate against the "
                         "picture size and rate.",
                         number),
                        ("VTCompressionOutputCallback: %s (%d): %s", vtc::StatusName(status),
                         vtc::ToOSStatus(status), why.c_str()));
      break;
    default:
      GST_ELEMENT_ERROR(self, STREAM, ENCODE,
                        ("The %s encoder (%s) failed; the frames it held, from frame %u on, are "
                         "dropped. Restart the stream; if it fails again, report it with a "
                         "GST_DEBUG=%s:5 log.",
                         GST_VTC_ENCODER_GET_CLASS(self)->codec_name, ctx->encoder_name.c_str(),
                         number, gst_debug_category_get_name(GST_CAT_DEFAULT)),
                        ("VTCompressionOutputCallback: %s (%d): %s", vtc::StatusName(status),
                         vtc::ToOSStatus(status), why.c_str()));
      break;
  }
}

// DTS: the session's (increasing, <= PTS). Below zero only if min_pts could not cover the
// reorder delay (unknown frame rate); below the last one pushed only after a new session (caps
// change, new segment), which starts its DTS the reorder delay before its first PTS. Those go
// strictly after the last one: parsers (GstBaseParse) take an equal DTS for a duplicate and
// interpolate one that can pass the PTS. A fraction of a frame (at most half the way to the PTS)
// keeps them apart in containers' clocks too.
static void gst_vtc_encoder_set_dts(GstVtcEncoder* self, SessionContext* ctx,
                                    GstVideoCodecFrame* frame, const vtc::SampleBuffer& sample) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  const vtc::Time dts = sample.decode_time_stamp().ConvertScale(kTimescale);
  GstClockTime gdts = dts.value < 0 ? 0 : GstClockTime(dts.value);
  if (GST_CLOCK_TIME_IS_VALID(priv->last_dts) && gdts <= priv->last_dts) {
    const GstClockTime room = GST_CLOCK_TIME_IS_VALID(frame->pts) && frame->pts > priv->last_dts
                                  ? frame->pts - priv->last_dts
                                  : 0;
    const GstClockTime quarter =
        GST_CLOCK_TIME_IS_VALID(ctx->frame_duration) ? ctx->frame_duration / 4 : GST_MSECOND;
    gdts = priv->last_dts + MIN(quarter, room / 2);  // equal only if the PTS leaves no room
  }
  if (GST_CLOCK_TIME_IS_VALID(frame->pts) && gdts > frame->pts) gdts = frame->pts;
  frame->dts = priv->last_dts = gdts;
}

// The src caps for this description and framing (worker only).
static void gst_vtc_encoder_update_caps(GstVtcEncoder* self, SessionContext* ctx,
                                        const vtc::FormatDescription& fd) {
  GstCaps* caps = GST_VTC_ENCODER_GET_CLASS(self)->make_src_caps(self, fd, ctx->negotiated);
  caps = gst_caps_make_writable(caps);
  gstvtc::AddHdrCaps(fd.extensions(), caps);
  GstVideoCodecState* state =
      gst_video_encoder_set_output_state(GST_VIDEO_ENCODER(self), caps, ctx->input_state);
  // Odd sizes are coded at the next even size; the caps say what is in the bitstream.
  GST_VIDEO_INFO_WIDTH(&state->info) = fd.width();
  GST_VIDEO_INFO_HEIGHT(&state->info) = fd.height();
  GST_INFO_OBJECT(self, "output caps %" GST_PTR_FORMAT, state->caps);
  gst_video_codec_state_unref(state);
}

// Downstream asked for new caps (RECONFIGURE): when what it takes now needs another framing
// (avc <-> byte-stream, hvc1 <-> hev1 <-> byte-stream) and the same profile keys, the running
// session keeps going and only the framing changes, from this sample on. Worker only (it owns
// ctx->negotiated once the session runs). Anything else is left to the base class, which
// re-sends its caps and asks for a new allocation as always.
static bool gst_vtc_encoder_take_reconfigure(GstVtcEncoder* self, SessionContext* ctx,
                                             bool has_format) {
  GstPad* srcpad = GST_VIDEO_ENCODER_SRC_PAD(self);
  if (!has_format || !gst_pad_check_reconfigure(srcpad)) return false;
  GstVtcNegotiated again;
  // With the settings the session was created with: changes meant for the next session stay
  // there, and the profile keys compare like with like.
  GstVtcEncoderClass* klass = GST_VTC_ENCODER_GET_CLASS(self);
  const bool ok = klass->negotiate(self, &ctx->input_state->info, ctx->settings, &again);
  GstVtcNegotiated& now = ctx->negotiated;
  const bool same_framing =
      again.annexb == now.annexb && again.inband_parameter_sets == now.inband_parameter_sets &&
      again.out_of_band_only == now.out_of_band_only && again.stream_format == now.stream_format;
  if (!ok || same_framing) {
    gst_pad_mark_reconfigure(srcpad);  // the base class's own renegotiation
    return false;
  }
  if (again.description != now.description) {
    GST_WARNING_OBJECT(self,
                       "downstream now takes %s (%s), not %s: kept until the next session, "
                       "whose caps and profile are negotiated afresh",
                       again.stream_format.c_str(), again.description.c_str(),
                       now.description.c_str());
    gst_pad_mark_reconfigure(srcpad);
    return false;
  }
  GST_INFO_OBJECT(self, "downstream reconfigured: stream-format %s -> %s, same session",
                  now.stream_format.c_str(), again.stream_format.c_str());
  now.annexb = again.annexb;
  now.inband_parameter_sets = again.inband_parameter_sets;
  now.out_of_band_only = again.out_of_band_only;
  now.stream_format = again.stream_format;
  return true;
}

static void gst_vtc_encoder_output(void* refcon, void* frame_refcon, vtc::Status status,
                                   vtc::EncodeInfoFlags flags, const vtc::SampleBufferRef& sample) {
  auto* ctx = static_cast<SessionContext*>(refcon);
  GstVtcEncoder* self = ctx->self;
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GstVideoEncoder* enc = GST_VIDEO_ENCODER(self);
  const guint32 number = guint32(GPOINTER_TO_UINT(frame_refcon));
  GstVideoCodecFrame* frame = gst_video_encoder_get_frame(enc, int(number));
  if (!frame) {
    GST_DEBUG_OBJECT(self, "frame %u is gone (flushed)", number);
    return;
  }
  if (ctx->discard) {
    // Flushing or stopping: the base class drops its own reference when it resets.
    gst_video_codec_frame_unref(frame);
    return;
  }
  if (status != vtc::Status::kNoErr) {
    // None disappears silently: a QoS message each; the flow stays an error for this session.
    gst_vtc_encoder_report_failure(self, ctx, number, status);
    priv->last_flow.store(GST_FLOW_ERROR);
    gst_vtc_encoder_drop_frame(self, frame);
    return;
  }
  if (!sample || (flags & vtc::kEncodeInfo_FrameDropped)) {
    // finish_frame of a dropped frame would renegotiate the old framing: switch first.
    if (gst_vtc_encoder_take_reconfigure(self, ctx, ctx->format != nullptr))
      gst_vtc_encoder_update_caps(self, ctx, *ctx->format);
    GST_DEBUG_OBJECT(self, "frame %u dropped by the encoder", number);
    priv->frames_dropped.fetch_add(1);
    const GstFlowReturn ret = gst_vtc_encoder_drop_frame(self, frame);
    priv->last_flow.store(ctx->failed ? GST_FLOW_ERROR : ret);
    return;
  }
  const vtc::FormatDescriptionRef& fd = sample->format_description();
  const bool reframed = gst_vtc_encoder_take_reconfigure(self, ctx, fd != nullptr);
  if (fd && (reframed || !ctx->format || !ctx->format->Equals(*fd))) {
    ctx->format = fd;
    gst_vtc_encoder_update_caps(self, ctx, *fd);
  }
  const bool sync = sample->IsSync();
  const bool headers = sync && GST_VIDEO_CODEC_FRAME_IS_FORCE_KEYFRAME_HEADERS(frame) &&
                       !ctx->negotiated.out_of_band_only;
  // After a new framing the parameter sets come in band at once where it carries them, so that a
  // parser downstream need not wait for the next key frame.
  const bool inband = ctx->negotiated.annexb || ctx->negotiated.inband_parameter_sets;
  frame->output_buffer =
      gst_vtc_encoder_buffer_for(ctx, sample, headers || ((sync || reframed) && inband));
  if (sync) GST_VIDEO_CODEC_FRAME_SET_SYNC_POINT(frame);
  gst_vtc_encoder_set_dts(self, ctx, frame, *sample);

  // The delay can change when a live change restarts the encoder (e.g. turning on VBV).
  vtc::Value delay;
  if (ctx->session->CopyProperty(vtc::key::kEncoderFrameDelay, &delay) == vtc::Status::kNoErr) {
    gint64 frames = -1;
    delay.GetInt(&frames);
    if (frames >= 0 && frames != ctx->last_delay && ctx->last_delay >= 0 &&
        GST_CLOCK_TIME_IS_VALID(ctx->frame_duration)) {
      const GstClockTime latency = ctx->frame_duration * guint64(frames);
      GST_INFO_OBJECT(self, "encoder delay now %" G_GINT64_FORMAT " frames", frames);
      gst_video_encoder_set_latency(enc, latency, latency);
    }
    if (frames >= 0) ctx->last_delay = frames;
  }
  // Frames a restarted encoder codes after a failure still go out, but the error stays.
  const GstFlowReturn ret = gst_video_encoder_finish_frame(enc, frame);
  priv->last_flow.store(ctx->failed ? GST_FLOW_ERROR : ret);
}

// --- Session lifetime (streaming thread, STREAM_LOCK held on entry) -----------------------------

// Runs a session call that may wait for the worker with the STREAM_LOCK released.
template <typename F>
static auto gst_vtc_encoder_unlocked(GstVtcEncoder* self, F&& call) {
  GST_VIDEO_ENCODER_STREAM_UNLOCK(self);
  auto r = call();
  GST_VIDEO_ENCODER_STREAM_LOCK(self);
  return r;
}

static void gst_vtc_encoder_destroy_session(GstVtcEncoder* self, bool discard) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  if (!priv->session) return;
  vtc::CompressionSessionRef session;
  {
    std::lock_guard<std::mutex> lock(priv->session_lock);
    session = std::move(priv->session);
    priv->session.reset();
  }
  if (priv->context) priv->context->discard = discard;
  gst_vtc_encoder_unlocked(self, [&] {
    session->Invalidate();
    return 0;
  });
  session.reset();
  priv->context.reset();
  // The pool proposed upstream stays: upstream activated it and owns that state, and its buffers
  // (the old session's pixel buffers) remain valid for the next session.
}

// Ends the session's pass (pass1/pass2): every frame is answered, pass1's statistics are
// complete in the cache file.
static GstFlowReturn gst_vtc_encoder_end_pass(GstVtcEncoder* self) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  SessionContext* ctx = priv->context.get();
  ctx->in_pass = false;
  vtc::CompressionSessionRef session = priv->session;
  bool further = false;
  vtc::Status st = gst_vtc_encoder_unlocked(self, [&] { return session->EndPass(&further); });
  if (st == vtc::Status::kMultiPassStorageIdentifierMismatchErr) {
    GST_ELEMENT_WARNING(
        self, STREAM, ENCODE,
        ("pass2 got other frames than pass1 wrote to %s; run pass1 again on the "
         "same input for an accurate bitrate.",
         ctx->cache_file.c_str()),
        ("EndPass: %s: %s", vtc::StatusName(st), gst_vtc_encoder_last_error(self).c_str()));
  } else if (st != vtc::Status::kNoErr && st != vtc::Status::kInvalidSessionErr) {
    GST_ELEMENT_ERROR(
        self, STREAM, ENCODE,
        ("Could not finish the encoder's %s.",
         ctx->pass == GST_VTC_PASS_PASS1 ? "first pass" : "second pass"),
        ("EndPass: %s: %s", vtc::StatusName(st), gst_vtc_encoder_last_error(self).c_str()));
    return GST_FLOW_ERROR;
  } else if (ctx->pass == GST_VTC_PASS_PASS1) {
    GST_INFO_OBJECT(self, "first pass done: statistics in %s%s", ctx->cache_file.c_str(),
                    further ? "" : " (no frames: nothing for pass2)");
  }
  return priv->last_flow.load();
}

static GstFlowReturn gst_vtc_encoder_drain(GstVtcEncoder* self) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  if (!priv->session) return GST_FLOW_OK;
  if (priv->context && priv->context->in_pass) return gst_vtc_encoder_end_pass(self);
  vtc::CompressionSessionRef session = priv->session;
  vtc::Status st =
      gst_vtc_encoder_unlocked(self, [&] { return session->CompleteFrames(vtc::Time::Invalid()); });
  if (st != vtc::Status::kNoErr && st != vtc::Status::kInvalidSessionErr) {
    GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("Could not drain the encoder."),
                      ("CompleteFrames: %s", vtc::StatusName(st)));
    return GST_FLOW_ERROR;
  }
  return priv->last_flow.load();
}

// pass1 / pass2: a storage on the cache file (kept on close), and BeginPass. pass2 needs the
// complete statistics of a pass1 run. pass3 (x264enc's) runs as pass2: the session's passes are a
// first and a final one (vth264enc warns when it starts).
static gboolean gst_vtc_encoder_begin_pass(GstVtcEncoder* self, vtc::CompressionSession& session,
                                           const gstvtc::Settings& settings, SessionContext* ctx) {
  namespace k = vtc::key;
  const bool second = settings.pass != GST_VTC_PASS_PASS1;
  const std::string& file = settings.multipass_cache_file;
  if (settings.rate_control != GST_VTC_RATE_CONTROL_ABR || settings.bitrate == 0) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                      ("pass=%s needs rate-control=abr and a bitrate.",
                       settings.pass == GST_VTC_PASS_PASS3 ? "pass3"
                       : second                            ? "pass2"
                                                           : "pass1"),
                      (nullptr));
    return FALSE;
  }
  if (file.empty()) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("multipass-cache-file is empty."), (nullptr));
    return FALSE;
  }
  vtc::MultiPassStorageRef storage;
  vtc::Status st = vtc::MultiPassStorage::Create(
      file, vtc::TimeRange{},
      {{k::kMultiPassStorageCreationOption_DoNotDelete, vtc::Value(true)},
       {k::kMultiPassStorageCreationOption_ReuseFirstPass, vtc::Value(second)}},
      &storage);
  if (st != vtc::Status::kNoErr) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE,
                      ("Cannot use multipass-cache-file \"%s\".", file.c_str()),
                      ("MultiPassStorageCreate: %s", vtc::StatusName(st)));
    return FALSE;
  }
  if (second && !storage->HasFirstPass()) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                      ("No first-pass statistics in \"%s\": run the pipeline with pass=pass1 "
                       "first.",
                       file.c_str()),
                      (nullptr));
    return FALSE;
  }
  st = session.SetProperty(k::kMultiPassStorage, storage);
  if (st == vtc::Status::kNoErr)
    st = session.BeginPass(second ? vtc::kCompressionSessionBeginFinalPass : 0);
  if (st == vtc::Status::kMultiPassStorageIdentifierMismatchErr) {
    GST_ELEMENT_ERROR(
        self, STREAM, FORMAT,
        ("The statistics in \"%s\" are from another stream: run pass1 first on "
         "this input.",
         file.c_str()),
        ("BeginPass: %s: %s", vtc::StatusName(st), gst_vtc_encoder_last_error(self).c_str()));
    return FALSE;
  }
  if (st != vtc::Status::kNoErr) {
    GST_ELEMENT_ERROR(
        self, LIBRARY, SETTINGS, ("Could not start the encoder's pass."),
        ("BeginPass: %s: %s", vtc::StatusName(st), gst_vtc_encoder_last_error(self).c_str()));
    return FALSE;
  }
  ctx->pass = settings.pass;
  ctx->in_pass = true;
  ctx->cache_file = file;
  return TRUE;
}

// The compression properties the input caps ask for: interlacing, frame rate, colour, aspect.
static void gst_vtc_encoder_caps_properties(const GstVideoInfo* info, vtc::Dictionary* props) {
  if (gstvtc::IsInterlaced(info)) {
    // Interleaved fields (or mixed frames, coded as MBAFF, which adapts per macroblock pair) are
    // coded interlaced, never as progressive pictures; the field order comes from the caps.
    (*props)[vtc::key::kFieldCount] = vtc::Value(2);
    (*props)[vtc::key::kFieldDetail] =
        vtc::Value(GST_VIDEO_INFO_FIELD_ORDER(info) == GST_VIDEO_FIELD_ORDER_BOTTOM_FIELD_FIRST
                       ? vtc::key::kFieldDetailTemporalBottomFirst
                       : vtc::key::kFieldDetailTemporalTopFirst);
  }
  if (GST_VIDEO_INFO_FPS_N(info) > 0 && GST_VIDEO_INFO_FPS_D(info) > 0) {
    const double fps = double(GST_VIDEO_INFO_FPS_N(info)) / GST_VIDEO_INFO_FPS_D(info);
    if (fps <= 1000) (*props)[vtc::key::kExpectedFrameRate] = vtc::Value(fps);
  }
  // Caps may carry colorimetry numbers outside GStreamer's enums (colorimetry=2147483647:...):
  // read them as plain ints, never as out-of-range enum values.
  gint primaries = 0, transfer = 0, matrix = 0;
  std::memcpy(&primaries, &info->colorimetry.primaries, sizeof primaries);
  std::memcpy(&transfer, &info->colorimetry.transfer, sizeof transfer);
  std::memcpy(&matrix, &info->colorimetry.matrix, sizeof matrix);
  if (std::string v = ColorPrimaries(primaries); !v.empty())
    (*props)[vtc::key::kColorPrimaries] = vtc::Value(v);
  if (std::string v = TransferFunction(transfer); !v.empty())
    (*props)[vtc::key::kTransferFunction] = vtc::Value(v);
  if (std::string v = YCbCrMatrix(matrix); !v.empty())
    (*props)[vtc::key::kYCbCrMatrix] = vtc::Value(v);
  if (GST_VIDEO_INFO_PAR_N(info) > 0 && GST_VIDEO_INFO_PAR_D(info) > 0 &&
      GST_VIDEO_INFO_PAR_N(info) != GST_VIDEO_INFO_PAR_D(info) &&
      GST_VIDEO_INFO_PAR_N(info) <= 65535 && GST_VIDEO_INFO_PAR_D(info) <= 65535) {
    (*props)[vtc::key::kPixelAspectRatio] = vtc::Value(
        vtc::Dictionary{{vtc::key::kHorizontalSpacing, vtc::Value(GST_VIDEO_INFO_PAR_N(info))},
                        {vtc::key::kVerticalSpacing, vtc::Value(GST_VIDEO_INFO_PAR_D(info))}});
  }
}

gstvtc::Settings gst_vtc_encoder_copy_settings(GstVtcEncoder* self) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GST_OBJECT_LOCK(self);
  gstvtc::Settings settings = priv->settings;
  GST_OBJECT_UNLOCK(self);
  return settings;
}

// `first`: called from set_format, before any buffer of these caps (see set_min_pts below).
static gboolean gst_vtc_encoder_create_session(GstVtcEncoder* self, bool first) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GstVtcEncoderClass* klass = GST_VTC_ENCODER_GET_CLASS(self);
  const gstvtc::PropertyTable& table = *klass->properties;
  GstVideoEncoder* enc = GST_VIDEO_ENCODER(self);
  GstVideoCodecState* in = priv->input_state;
  const GstVideoInfo* info = &in->info;
  const int width = GST_VIDEO_INFO_WIDTH(info), height = GST_VIDEO_INFO_HEIGHT(info);

  auto ctx = std::make_unique<SessionContext>();
  ctx->self = self;
  ctx->input_state = gst_video_codec_state_ref(in);
  const gstvtc::Settings settings = gst_vtc_encoder_copy_settings(self);
  ctx->settings = settings;
  // Downstream decides the framing and the codec's keys (profile, level). The pad's
  // reconfigure flag (set when it was activated) is answered by this negotiation.
  gst_pad_check_reconfigure(GST_VIDEO_ENCODER_SRC_PAD(enc));
  if (!klass->negotiate(self, info, settings, &ctx->negotiated)) return FALSE;
  const GstVtcNegotiated& negotiated = ctx->negotiated;
  const EncoderList encoders(klass->codec_type);
  ctx->encoder_name = encoders.NameOf(settings.encoder_id);

  {
    // Reasons kept from an earlier session would be misread as this one's.
    std::lock_guard<std::mutex> lock(priv->error_lock);
    priv->last_error.clear();
  }
  vtc::Dictionary spec = table.Build(settings, gstvtc::Target::kEncoderSpecification);
  vtc::Dictionary attrs = table.Build(settings, gstvtc::Target::kPoolAttributes);
  attrs[vtc::key::kPixelFormatType] = vtc::Value(gstvtc::PixelFormatFor(info));
  vtc::CompressionSessionRef session;
  vtc::Status st = vtc::CompressionSession::Create(width, height, klass->codec_type, &spec, &attrs,
                                                   gst_vtc_encoder_output, ctx.get(), &session);
  if (st != vtc::Status::kNoErr) {
    if (st == vtc::Status::kCouldNotFindVideoEncoderErr && settings.require_hardware) {
      GST_ELEMENT_ERROR(self, LIBRARY, INIT,
                        ("No suitable encoder: require-hardware is set but there is no hardware "
                         "%s encoder (%s is software); unset require-hardware",
                         klass->codec_name, EncoderList::Join(encoders.names, ", ").c_str()),
                        ("VTCompressionSessionCreate: %s", vtc::StatusName(st)));
    } else if (st == vtc::Status::kCouldNotFindVideoEncoderErr) {
      GST_ELEMENT_ERROR(self, LIBRARY, INIT,
                        ("No suitable encoder: encoder-id must be %s",
                         EncoderList::Join(encoders.ids, " or ").c_str()),
                        ("VTCompressionSessionCreate: %s", vtc::StatusName(st)));
    } else {
      GST_ELEMENT_ERROR(self, LIBRARY, INIT,
                        ("Could not create the encoder session for %dx%d.", width, height),
                        ("VTCompressionSessionCreate: %s", vtc::StatusName(st)));
    }
    return FALSE;
  }
  session->SetLogHandler([self](vtc::LogLevel level, const char* message) {
    gst_vtc_encoder_log(self, level, message);
  });

  vtc::Dictionary props = table.Build(settings, gstvtc::Target::kCompression);
  // The raw picture goes back upstream as soon as the encoder has copied it, not after its
  // delay (the frame keeps only the buffer's metadata, gst_vtc_encoder_detach_pixels).
  props[vtc::key::kReleaseSourceBufferOnImport] = vtc::Value(true);
  for (const auto& [key, value] : negotiated.properties) props[key] = value;
  gst_vtc_encoder_caps_properties(info, &props);
  if (GST_VIDEO_INFO_FPS_N(info) > 0 && GST_VIDEO_INFO_FPS_D(info) > 0)
    ctx->frame_duration =
        gst_util_uint64_scale(GST_SECOND, GST_VIDEO_INFO_FPS_D(info), GST_VIDEO_INFO_FPS_N(info));
  for (const auto& [key, value] : props) {
    st = session->SetProperty(key, value);
    if (st != vtc::Status::kNoErr) {
      const std::string why = gst_vtc_encoder_last_error(self);  // read once: it clears
      GST_ELEMENT_ERROR(
          self, LIBRARY, SETTINGS,
          ("Invalid setting for %s: %s (%s).", key.c_str(), value.ToString().c_str(), why.c_str()),
          ("VTSessionSetProperty: %s: %s", vtc::StatusName(st), why.c_str()));
      return FALSE;
    }
  }
  // HDR metadata the encoder cannot take leaves the stream without it, not stopped: a warning.
  for (const auto& [key, value] : gstvtc::HdrProperties(in->caps)) {
    st = session->SetProperty(key, value);
    if (st != vtc::Status::kNoErr) {
      const std::string why = gst_vtc_encoder_last_error(self);  // read once: it clears
      GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                          ("The encoder does not write the input's %s (%s): the stream goes "
                           "without it.",
                           key.c_str(), why.c_str()),
                          ("VTSessionSetProperty: %s: %s", vtc::StatusName(st), why.c_str()));
    }
  }
  if (gstvtc::IsMultiPass(settings.pass) &&
      !gst_vtc_encoder_begin_pass(self, *session, settings, ctx.get()))
    return FALSE;
  st = session->PrepareToEncodeFrames();
  if (st != vtc::Status::kNoErr) {
    const std::string why = gst_vtc_encoder_last_error(self);  // read once: it clears
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                      ("The encoder cannot take these settings (%s for %dx%d): %s. Check "
                       "profile, level and bitrate against the picture size and rate.",
                       negotiated.description.c_str(), width, height, why.c_str()),
                      ("PrepareToEncodeFrames: %s: %s", vtc::StatusName(st), why.c_str()));
    return FALSE;
  }
  vtc::Value delay, reorder;
  session->CopyProperty(vtc::key::kEncoderFrameDelay, &delay);
  session->CopyProperty(vtc::key::kEncoderReorderDepth, &reorder);
  gint64 delay_frames = 0, reorder_frames = 0;
  delay.GetInt(&delay_frames);
  reorder.GetInt(&reorder_frames);
  ctx->last_delay = delay_frames;
  // Unknown frame rate: assume 25 fps for latency, as x264enc does; the session's DTS still
  // follows the real timestamps.
  const GstClockTime duration =
      GST_CLOCK_TIME_IS_VALID(ctx->frame_duration) ? ctx->frame_duration : GST_SECOND / 25;
  const GstClockTime latency = duration * guint64(MAX(delay_frames, 0));
  gst_video_encoder_set_latency(enc, latency, latency);
  // B-frames put the first DTS before the first PTS by the reorder delay: shift input PTS that
  // start lower than that by just that much (not by 1000 hours).
  // Once, before the first buffer: set_min_pts resets the base class's running adjustment (a
  // second call mid-stream would drop the shift and send PTS backwards), and after a flush the
  // base class recomputes the adjustment from the same min_pts by itself.
  if (first && !priv->min_pts_set) {
    gst_video_encoder_set_min_pts(enc, duration * guint64(MAX(reorder_frames, 0)));
    priv->min_pts_set = true;
  }
  GST_INFO_OBJECT(
      self, "session %dx%d, %s, %s, delay %" G_GINT64_FORMAT " frames, reorder %" G_GINT64_FORMAT,
      width, height, negotiated.stream_format.c_str(), negotiated.description.c_str(), delay_frames,
      reorder_frames);

  ctx->session = session.get();
  ctx->rate_control = settings.rate_control;
  priv->context = std::move(ctx);
  {
    std::lock_guard<std::mutex> lock(priv->session_lock);
    priv->session = session;
    priv->session_rate_control = settings.rate_control;
  }
  // A live property set while the session was being built went to no session: apply the live
  // keys again from the settings as they are now.
  const gstvtc::Settings now = gst_vtc_encoder_copy_settings(self);
  for (const gstvtc::PropertyTable::Entry& e : table.entries()) {
    if (!e.row->live) continue;
    const vtc::Dictionary before = table.LiveChange(settings, e, settings.rate_control);
    const vtc::Dictionary after = table.LiveChange(now, e, settings.rate_control);
    if (before == after) continue;
    for (const auto& [key, v] : after) session->SetProperty(key, v);
  }
  priv->last_flow.store(GST_FLOW_OK);
  return TRUE;
}

// --- GstVideoEncoder vfuncs ----------------------------------------------------------------------

static gboolean gst_vtc_encoder_start(GstVideoEncoder* enc) {
  auto* self = GST_VTC_ENCODER(enc);
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GstVtcEncoderClass* klass = GST_VTC_ENCODER_GET_CLASS(self);
  // Fail at start, not at the first caps, for an encoder specification nothing can satisfy.
  const gstvtc::Settings settings = gst_vtc_encoder_copy_settings(self);
  priv->frames_dropped.store(0);
  gst_vtc_encoder_warn_missing_preset(self);
  if (settings.rate_control == GST_VTC_RATE_CONTROL_CBR && settings.bitrate == 0) {
    // ConstantBitRate 0 means off: the session would silently code quality-based.
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                      ("rate-control=cbr needs a bit rate: set bitrate (kbit/s), or use "
                       "rate-control=abr with bitrate=0 for quality-based coding."),
                      ("ConstantBitRate would be 0 (off)"));
    return FALSE;
  }
  const EncoderList encoders(klass->codec_type);
  if (settings.require_hardware) {
    GST_ELEMENT_ERROR(self, LIBRARY, INIT,
                      ("require-hardware is set but there is no hardware %s encoder (%s is "
                       "software); unset require-hardware.",
                       klass->codec_name, EncoderList::Join(encoders.names, ", ").c_str()),
                      ("RequireHardwareAcceleratedVideoEncoder: kVTCouldNotFindVideoEncoderErr"));
    return FALSE;
  }
  if (!settings.encoder_id.empty() && !encoders.Has(settings.encoder_id)) {
    GST_ELEMENT_ERROR(self, LIBRARY, INIT,
                      ("Unknown encoder-id \"%s\"; the %s %s.", settings.encoder_id.c_str(),
                       encoders.ids.size() == 1 ? "only encoder is" : "encoders are",
                       EncoderList::Join(encoders.ids, ", ").c_str()),
                      ("EncoderID: kVTCouldNotFindVideoEncoderErr"));
    return FALSE;
  }
  priv->last_flow.store(GST_FLOW_OK);
  priv->synthetic_pts = 0;
  gst_vtc_encoder_reset_time(self);
  priv->min_pts_set = false;
  gst_clear_caps(&priv->failed_caps);
  return TRUE;
}

static gboolean gst_vtc_encoder_stop(GstVideoEncoder* enc) {
  auto* self = GST_VTC_ENCODER(enc);
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GST_VIDEO_ENCODER_STREAM_LOCK(self);
  gst_vtc_encoder_destroy_session(self, true);
  priv->carried_sei.clear();
  GST_VIDEO_ENCODER_STREAM_UNLOCK(self);
  if (priv->input_state) {
    gst_video_codec_state_unref(priv->input_state);
    priv->input_state = nullptr;
  }
  return TRUE;
}

static gboolean gst_vtc_encoder_set_format(GstVideoEncoder* enc, GstVideoCodecState* state) {
  auto* self = GST_VTC_ENCODER(enc);
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  if (priv->session) {
    // New caps: everything encoded so far goes out first, then a new session.
    gst_vtc_encoder_drain(self);
    gst_vtc_encoder_destroy_session(self, false);
  }
  if (priv->failed_caps && gst_caps_is_equal(state->caps, priv->failed_caps)) {
    // Upstream resends sticky caps with every push: one error for them is enough.
    GST_DEBUG_OBJECT(self, "caps already refused: %" GST_PTR_FORMAT, state->caps);
    return FALSE;
  }
  // Not in the template: caps without interlace-mode (progressive) must stay acceptable.
  const GstVideoInterlaceMode mode = GST_VIDEO_INFO_INTERLACE_MODE(&state->info);
  if (mode != GST_VIDEO_INTERLACE_MODE_PROGRESSIVE && !gstvtc::IsInterlaced(&state->info)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("interlace-mode %s (fields in separate buffers) is not supported; give "
                       "interleaved frames (interlace-mode interleaved or mixed).",
                       gst_video_interlace_mode_to_string(mode)),
                      ("caps %" GST_PTR_FORMAT, state->caps));
    gst_caps_replace(&priv->failed_caps, state->caps);
    return FALSE;
  }
  if (priv->input_state) gst_video_codec_state_unref(priv->input_state);
  priv->input_state = gst_video_codec_state_ref(state);
  if (gst_vtc_encoder_create_session(self, true)) {
    gst_clear_caps(&priv->failed_caps);
    return TRUE;
  }
  gst_caps_replace(&priv->failed_caps, state->caps);
  return FALSE;
}

// After the pixels have been handed to the session (the mapping holds its own reference), the
// frame keeps a buffer with the input's flags, timestamps and metas but no memory: finish_frame
// copies metas from it, and the raw picture is freed as soon as the session releases it
// (ReleaseSourceBufferOnImport), instead of one picture per frame of the encoder's delay.
// Without COPY_MEMORY, memory metas (GstVideoMeta) are not copied; COPY_DEEP also leaves out
// memory-reference metas (GstParentBufferMeta), which would keep the picture alive.
static void gst_vtc_encoder_detach_pixels(GstVideoCodecFrame* frame) {
  GstBuffer* shell = gst_buffer_new();
  gst_buffer_copy_into(shell, frame->input_buffer,
                       GstBufferCopyFlags(GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS |
                                          GST_BUFFER_COPY_META | GST_BUFFER_COPY_DEEP),
                       0, gsize(-1));
  gst_buffer_unref(frame->input_buffer);
  frame->input_buffer = shell;
}

// --- Time: PTS for the session, DTS for downstream -------------------------------------------
//
// The session needs strictly increasing PTS; downstream needs DTS that never decrease (in
// running time) and never pass their PTS. A frame whose PTS does not follow the last one:
// - in a new segment whose running time moves on (concat, playlists): the stream ends (drain)
//   and a new session starts; its DTS start no earlier, in running time, than the last DTS;
// - otherwise its time went back (a source that rewinds without a flush): no DTS can keep both
//   rules for it, so it is dropped (QoS message, one warning) until the PTS pass the last one,
//   as the session itself refuses a PTS that does not increase.

enum class TimeStep { kNext, kNewSegment, kBack };

static void gst_vtc_encoder_reset_time(GstVtcEncoder* self) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  priv->last_pts = priv->last_dts = priv->last_running = GST_CLOCK_TIME_NONE;
  gst_segment_init(&priv->last_segment, GST_FORMAT_TIME);
  priv->time_adjustment = 0;
  priv->going_back = false;
}

// Running time of a frame's (shifted) PTS in the current input segment.
static GstClockTime gst_vtc_encoder_running_time(GstVtcEncoder* self, const GstSegment* segment,
                                                 GstClockTime pts) {
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return GST_CLOCK_TIME_NONE;
  return gst_segment_to_running_time(segment, GST_FORMAT_TIME,
                                     pts - MIN(pts, gst_vtc_encoder_priv(self)->time_adjustment));
}

// Gives frames without PTS one, and says where the frame stands; *running is its running time.
static TimeStep gst_vtc_encoder_place_in_time(GstVtcEncoder* self, GstVideoCodecFrame* frame,
                                              GstClockTime* running_out) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GstVideoEncoder* enc = GST_VIDEO_ENCODER(self);
  const GstClockTime buffer_pts = GST_BUFFER_PTS(frame->input_buffer);
  if (GST_CLOCK_TIME_IS_VALID(buffer_pts) && GST_CLOCK_TIME_IS_VALID(frame->pts) &&
      frame->pts >= buffer_pts && buffer_pts >= enc->input_segment.start)
    priv->time_adjustment = frame->pts - buffer_pts;
  if (!GST_CLOCK_TIME_IS_VALID(frame->pts)) {
    // The session needs increasing timestamps: continue from the last one.
    frame->pts = priv->synthetic_pts;
  }
  GstClockTime step = frame->duration;
  if (!GST_CLOCK_TIME_IS_VALID(step) && priv->context)
    step = priv->context->frame_duration;  // from the caps' frame rate
  if (!GST_CLOCK_TIME_IS_VALID(step)) step = GST_SECOND / 30;
  const GstClockTime running = gst_vtc_encoder_running_time(self, &enc->input_segment, frame->pts);
  *running_out = running;
  TimeStep result = TimeStep::kNext;
  if (GST_CLOCK_TIME_IS_VALID(priv->last_pts) && frame->pts <= priv->last_pts) {
    if (GST_CLOCK_TIME_IS_VALID(running) && GST_CLOCK_TIME_IS_VALID(priv->last_running) &&
        running > priv->last_running) {
      GST_INFO_OBJECT(self,
                      "PTS went back from %" GST_TIME_FORMAT " to %" GST_TIME_FORMAT
                      " in a new segment (running time %" GST_TIME_FORMAT " -> %" GST_TIME_FORMAT
                      "): draining and starting a new session",
                      GST_TIME_ARGS(priv->last_pts), GST_TIME_ARGS(frame->pts),
                      GST_TIME_ARGS(priv->last_running), GST_TIME_ARGS(running));
      result = TimeStep::kNewSegment;
    } else {
      if (!priv->going_back) {
        GST_ELEMENT_WARNING(
            self, STREAM, ENCODE,
            ("Timestamps went back without a flush (from %" GST_TIME_FORMAT " to %" GST_TIME_FORMAT
             "): frames are dropped until they pass %" GST_TIME_FORMAT ".",
             GST_TIME_ARGS(priv->last_pts), GST_TIME_ARGS(frame->pts),
             GST_TIME_ARGS(priv->last_pts)),
            ("Send a flush or a new segment when timestamps start again; the encoded stream "
             "cannot go back in time."));
        priv->going_back = true;
      }
      GST_DEBUG_OBJECT(
          self, "frame %u at %" GST_TIME_FORMAT " is not after %" GST_TIME_FORMAT ": dropped",
          frame->system_frame_number, GST_TIME_ARGS(frame->pts), GST_TIME_ARGS(priv->last_pts));
      return TimeStep::kBack;
    }
  }
  priv->synthetic_pts = frame->pts + MAX(step, 1);
  return result;
}

// Ends the stream and starts a new session for a new segment whose PTS start again. The last
// DTS pushed, in running time, becomes the new session's lowest DTS (in the new segment).
static gboolean gst_vtc_encoder_restart_for_segment(GstVtcEncoder* self) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GstVideoEncoder* enc = GST_VIDEO_ENCODER(self);
  gst_vtc_encoder_drain(self);
  gst_vtc_encoder_destroy_session(self, false);
  GstClockTime floor = GST_CLOCK_TIME_NONE;
  const GstClockTime dts_running =
      gst_vtc_encoder_running_time(self, &priv->last_segment, priv->last_dts);
  guint64 at = 0;
  const gint sign = GST_CLOCK_TIME_IS_VALID(dts_running)
                        ? gst_segment_position_from_running_time_full(
                              &enc->input_segment, GST_FORMAT_TIME, dts_running, &at)
                        : 0;
  // A position before zero (the last DTS lies before the new segment's start by more than
  // set_min_pts's shift): every DTS of the new session comes later; no floor.
  if (sign > 0)
    floor = at + priv->time_adjustment;
  else if (sign < 0 && at < priv->time_adjustment)
    floor = priv->time_adjustment - at;
  priv->last_dts = floor;
  return gst_vtc_encoder_create_session(self, false);
}

// The frame's planes as a pixel buffer over its mapped memory (zero copy), released when the
// session lets go of it. Null after posting an error.
static vtc::PixelBufferRef gst_vtc_encoder_wrap_frame(GstVtcEncoder* self,
                                                      GstVideoCodecFrame* frame) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  // gst_video_frame_map only asserts (a GLib critical) when the buffer's video meta disagrees
  // with the caps: check first and say what is wrong.
  const GstVideoInfo* in_info = &priv->input_state->info;
  if (const GstVideoMeta* meta = gst_buffer_get_video_meta(frame->input_buffer);
      meta && (meta->format != GST_VIDEO_INFO_FORMAT(in_info) ||
               meta->width < guint(GST_VIDEO_INFO_WIDTH(in_info)) ||
               meta->height < guint(GST_VIDEO_INFO_HEIGHT(in_info)) ||
               meta->n_planes != GST_VIDEO_INFO_N_PLANES(in_info))) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("The input buffer's video meta (%s %ux%u, %u planes) does not match the "
                       "caps (%s %dx%d); fix the element upstream.",
                       gst_video_format_to_string(meta->format), meta->width, meta->height,
                       meta->n_planes, GST_VIDEO_INFO_NAME(in_info), GST_VIDEO_INFO_WIDTH(in_info),
                       GST_VIDEO_INFO_HEIGHT(in_info)),
                      (nullptr));
    return nullptr;
  }
  auto mapped = std::make_unique<MappedFrame>();
  if (!gst_video_frame_map(&mapped->frame, in_info, frame->input_buffer, GST_MAP_READ)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Input buffer of %" G_GSIZE_FORMAT " bytes is too small for the caps "
                       "(%" G_GSIZE_FORMAT " bytes).",
                       gst_buffer_get_size(frame->input_buffer), GST_VIDEO_INFO_SIZE(in_info)),
                      (nullptr));
    return nullptr;
  }
  GstVideoFrame* vf = &mapped->frame;
  vtc::PlaneDescriptor planes[3];
  const guint n_planes = GST_VIDEO_FRAME_N_PLANES(vf);
  for (guint i = 0; i < n_planes; ++i) {
    auto* data = static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(vf, i));
    planes[i] = {data, gsize(GST_VIDEO_FRAME_PLANE_STRIDE(vf, i)), BytesFrom(*vf, data)};
  }
  const gstvtc::RawFormat* raw_format = gstvtc::FindRawFormat(GST_VIDEO_FRAME_FORMAT(vf));
  if (raw_format && raw_format->swap_chroma_planes && n_planes == 3)
    std::swap(planes[1], planes[2]);
  // Buffers from our pool have the session's extended pixels for odd sizes.
  vtc::ExtendedPixels extended;
  if (vtc::PixelBuffer* own = gst_vtc_buffer_get_pixel_buffer(frame->input_buffer))
    extended = own->extended_pixels();
  MappedFrame* raw = mapped.get();
  vtc::PixelBufferRef pixels;
  vtc::Status st = vtc::PixelBuffer::CreateWithPlanarBytes(
      GST_VIDEO_FRAME_WIDTH(vf), GST_VIDEO_FRAME_HEIGHT(vf), gstvtc::PixelFormatFor(in_info),
      planes, n_planes, [raw] { delete raw; }, &pixels, extended);
  if (st != vtc::Status::kNoErr) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("The input buffer's layout is not usable."),
                      ("CVPixelBufferCreateWithPlanarBytes: %s", vtc::StatusName(st)));
    return nullptr;
  }
  mapped.release();  // owned by the pixel buffer's release callback now
  return pixels;
}

static GstFlowReturn gst_vtc_encoder_handle_frame(GstVideoEncoder* enc, GstVideoCodecFrame* frame) {
  auto* self = GST_VTC_ENCODER(enc);
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GstFlowReturn last = priv->last_flow.load();
  if (last == GST_FLOW_FLUSHING || last == GST_FLOW_NOT_LINKED) {
    // Not sticky: downstream may be relinked or back from flushing without a flush reaching
    // this sink pad; only the next push can tell.
    priv->last_flow.store(GST_FLOW_OK);
    last = GST_FLOW_OK;
  }
  if (last != GST_FLOW_OK) {
    gst_vtc_encoder_drop_frame(self, frame);
    return last;
  }
  if (!priv->input_state) {
    gst_video_codec_frame_unref(frame);
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("No caps before the first buffer."), (nullptr));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (!priv->session && !gst_vtc_encoder_create_session(self, false)) {
    gst_video_codec_frame_unref(frame);
    return GST_FLOW_ERROR;
  }

  GstClockTime running = GST_CLOCK_TIME_NONE;
  switch (gst_vtc_encoder_place_in_time(self, frame, &running)) {
    case TimeStep::kNext:
      break;
    case TimeStep::kBack:
      gst_vtc_encoder_drop_frame(self, frame);
      return priv->last_flow.load();
    case TimeStep::kNewSegment:
      if (!gst_vtc_encoder_restart_for_segment(self)) {
        gst_video_codec_frame_unref(frame);
        return GST_FLOW_ERROR;
      }
      break;
  }
  priv->last_pts = frame->pts;
  priv->last_running = running;
  priv->last_segment = enc->input_segment;
  priv->going_back = false;

  // qos=true: a frame downstream's QoS says is already too late is dropped before it costs an
  // encode (never one asked to be a key frame).
  if (gst_video_encoder_is_qos_enabled(enc) && !GST_VIDEO_CODEC_FRAME_IS_FORCE_KEYFRAME(frame) &&
      gst_video_encoder_get_max_encode_time(enc, frame) < 0) {
    GST_DEBUG_OBJECT(self, "frame %u is too late for downstream: dropped (qos)",
                     frame->system_frame_number);
    gst_vtc_meta_carry_sei(frame->input_buffer, &priv->carried_sei);
    priv->frames_dropped.fetch_add(1);
    gst_vtc_encoder_drop_frame(self, frame);
    return priv->last_flow.load();
  }

  // Zero copy: the session gets the mapped planes; the mapping (and the buffer) is released as
  // soon as the encoder has copied them (ReleaseSourceBufferOnImport).
  vtc::PixelBufferRef pixels = gst_vtc_encoder_wrap_frame(self, frame);
  if (!pixels) {
    gst_vtc_encoder_drop_frame(self, frame);
    return GST_FLOW_ERROR;
  }
  gst_vtc_encoder_detach_pixels(frame);

  vtc::Dictionary options;
  if (GST_VIDEO_CODEC_FRAME_IS_FORCE_KEYFRAME(frame)) {
    GST_DEBUG_OBJECT(self, "forcing a key frame at frame %u", frame->system_frame_number);
    options[vtc::key::kForceKeyFrame] = vtc::Value(true);
  } else if (priv->refresh.Due(running)) {
    GST_DEBUG_OBJECT(self, "intra-refresh wave at frame %u", frame->system_frame_number);
    options[vtc::key::kForceIntraRefresh] = vtc::Value(true);
  }
  gst_vtc_meta_frame_options(GST_OBJECT(self), GST_CAT_DEFAULT, frame->system_frame_number,
                             frame->input_buffer, &priv->carried_sei, &options);
  const vtc::Time pts = vtc::Time::Make(gint64(frame->pts), kTimescale);
  const vtc::Time duration = GST_CLOCK_TIME_IS_VALID(frame->duration)
                                 ? vtc::Time::Make(gint64(frame->duration), kTimescale)
                                 : vtc::Time::Invalid();
  const guint32 number = frame->system_frame_number;
  gst_video_codec_frame_unref(frame);  // the base class keeps its own; the callback finds it

  vtc::CompressionSessionRef session = priv->session;
  vtc::Status st = gst_vtc_encoder_unlocked(self, [&] {
    return session->EncodeFrame(pixels, pts, duration, options.empty() ? nullptr : &options,
                                GUINT_TO_POINTER(number), nullptr);
  });
  pixels.reset();
  if (st != vtc::Status::kNoErr) {
    GstVideoCodecFrame* lost = gst_video_encoder_get_frame(enc, int(number));
    if (st == vtc::Status::kParameterErr) {
      // e.g. a timestamp that does not increase: drop this frame (QoS message), keep going.
      GST_WARNING_OBJECT(self, "frame %u refused by the encoder (%s: %s): dropped", number,
                         vtc::StatusName(st), gst_vtc_encoder_last_error(self).c_str());
      if (lost) gst_vtc_encoder_drop_frame(self, lost);
      return priv->last_flow.load();
    }
    if (lost) gst_vtc_encoder_drop_frame(self, lost);
    if (st == vtc::Status::kInvalidSessionErr) return GST_FLOW_FLUSHING;
    GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("The encoder refused frame %u.", number),
                      ("VTCompressionSessionEncodeFrame: %s: %s", vtc::StatusName(st),
                       gst_vtc_encoder_last_error(self).c_str()));
    return GST_FLOW_ERROR;
  }
  return priv->last_flow.load();
}

// Captions and user data are in the stream now: a parser downstream makes their metas again,
// so copying them onto the output too would give every caption twice.
static gboolean gst_vtc_encoder_transform_meta(GstVideoEncoder* enc, GstVideoCodecFrame* frame,
                                               GstMeta* meta) {
  if (gst_vtc_meta_is_in_stream(meta)) return FALSE;
  return GST_VIDEO_ENCODER_CLASS(gst_vtc_encoder_parent_class)->transform_meta(enc, frame, meta);
}

static GstFlowReturn gst_vtc_encoder_finish(GstVideoEncoder* enc) {
  return gst_vtc_encoder_drain(GST_VTC_ENCODER(enc));
}

static gboolean gst_vtc_encoder_flush(GstVideoEncoder* enc) {
  auto* self = GST_VTC_ENCODER(enc);
  // Pending frames are answered and discarded; the next frame starts a new session (an IDR).
  gst_vtc_encoder_destroy_session(self, true);
  gst_vtc_encoder_priv(self)->last_flow.store(GST_FLOW_OK);
  gst_vtc_encoder_priv(self)->carried_sei.clear();  // captions of flushed frames
  gst_vtc_encoder_reset_time(self);
  return TRUE;
}

static gboolean gst_vtc_encoder_propose_allocation(GstVideoEncoder* enc, GstQuery* query) {
  auto* self = GST_VTC_ENCODER(enc);
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GstCaps* caps = nullptr;
  gst_query_parse_allocation(query, &caps, nullptr);
  GstVideoInfo info;
  if (caps && gst_video_info_from_caps(&info, caps) && priv->session &&
      gst_query_get_n_allocation_pools(query) == 0) {
    vtc::PixelBufferPoolRef session_pool = priv->session->GetPixelBufferPool();
    // Only where the pool's layout is the caps' (YV12 frames are wrapped, not pooled).
    if (session_pool && session_pool->width() == GST_VIDEO_INFO_WIDTH(&info) &&
        session_pool->height() == GST_VIDEO_INFO_HEIGHT(&info) &&
        gstvtc::GstFormatFor(session_pool->pixel_format()) == GST_VIDEO_INFO_FORMAT(&info)) {
      GstBufferPool* pool = gst_vtc_buffer_pool_new(session_pool, GST_ELEMENT(self));
      GstStructure* config = gst_buffer_pool_get_config(pool);
      GST_OBJECT_LOCK(self);
      const guint min = priv->settings.pool_min_buffers;
      const guint max = priv->settings.pool_max_buffers;
      GST_OBJECT_UNLOCK(self);
      gst_buffer_pool_config_set_params(config, caps, guint(GST_VIDEO_INFO_SIZE(&info)), min, max);
      gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
      if (gst_buffer_pool_set_config(pool, config)) {
        config = gst_buffer_pool_get_config(pool);
        guint size = 0;
        gst_buffer_pool_config_get_params(config, nullptr, &size, nullptr, nullptr);
        gst_structure_free(config);
        gst_query_add_allocation_pool(query, pool, size, min, max);
        gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, nullptr);
        if (priv->pool) gst_object_unref(priv->pool);
        priv->pool = pool;
        return TRUE;
      }
      GST_WARNING_OBJECT(self, "could not configure the session-backed pool");
      gst_object_unref(pool);
    }
  }
  return GST_VIDEO_ENCODER_CLASS(parent_class)->propose_allocation(enc, query);
}

static GstCaps* gst_vtc_encoder_getcaps(GstVideoEncoder* enc, GstCaps* filter) {
  // The sink template restricted by downstream's size and rate: every profile a codec element
  // offers takes every raw format of its sink template.
  return gst_video_encoder_proxy_getcaps(enc, nullptr, filter);
}

static vtc::CompressionSessionRef gst_vtc_encoder_get_session(
    GstVtcEncoder* self, GstVtcRateControl* rate_control = nullptr) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  std::lock_guard<std::mutex> lock(priv->session_lock);
  if (rate_control) *rate_control = priv->session_rate_control;
  return priv->session;
}

// --- GObject -------------------------------------------------------------------------------------

// --- Presets (gstvtcpresets.cpp) ----------------------------------------------------------------

GstVtcPresetState* gst_vtc_encoder_preset_state(GstVtcEncoder* self) {
  return &gst_vtc_encoder_priv(self)->presets;
}

gstvtc::Settings* gst_vtc_encoder_settings(GstVtcEncoder* self) {
  return &gst_vtc_encoder_priv(self)->settings;
}

static void gst_vtc_encoder_set_property(GObject* obj, guint id, const GValue* value,
                                         GParamSpec* pspec) {
  auto* self = GST_VTC_ENCODER(obj);
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  const gstvtc::PropertyTable* table = GST_VTC_ENCODER_GET_CLASS(self)->properties;
  const gstvtc::PropertyTable::Entry* e = gstvtc::PropertyTable::Find(pspec);
  if (!e || !table) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    return;
  }
  if (std::strcmp(pspec->name, "preset") == 0) {
    gst_vtc_encoder_set_preset(self, g_value_get_string(value));
    return;
  }
  std::string error;
  GST_OBJECT_LOCK(self);
  const bool ok = table->Set(&priv->settings, *e, value, &error);
  const gstvtc::Settings settings = priv->settings;
  GST_OBJECT_UNLOCK(self);
  if (!ok) {
    if (!error.empty())
      GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS, ("%s", error.c_str()), (nullptr));
    else
      G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    return;
  }
  // Live keys go straight to the running session: its SetProperty never waits for the worker,
  // and the change applies from the next frame, without a drain.
  GstVtcRateControl rate_control = GST_VTC_RATE_CONTROL_ABR;
  vtc::CompressionSessionRef session = gst_vtc_encoder_get_session(self, &rate_control);
  if (!session) return;
  if (!e->row->live) {
    GST_WARNING_OBJECT(self, "%s applies from the next session (caps change or restart)",
                       pspec->name);
    return;
  }
  if (std::strcmp(pspec->name, "bitrate") == 0 && rate_control == GST_VTC_RATE_CONTROL_CBR &&
      settings.bitrate == 0) {
    GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                        ("bitrate=0 is not a constant bit rate; the encoder keeps the last one."),
                        ("rate-control=cbr: ConstantBitRate 0 would turn it off"));
    return;
  }
  // In the rate-control mode the session runs with (rate-control itself is not live).
  for (const auto& [key, v] : table->LiveChange(settings, *e, rate_control)) {
    vtc::Status st = session->SetProperty(key, v);
    // An invalidated session is being replaced; the next one reads the settings.
    if (st != vtc::Status::kNoErr && st != vtc::Status::kInvalidSessionErr)
      GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                          ("The encoder did not take %s = %s.", key.c_str(), v.ToString().c_str()),
                          ("VTSessionSetProperty: %s", vtc::StatusName(st)));
  }
}

static void gst_vtc_encoder_get_property(GObject* obj, guint id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_VTC_ENCODER(obj);
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  const gstvtc::PropertyTable* table = GST_VTC_ENCODER_GET_CLASS(self)->properties;
  const gstvtc::PropertyTable::Entry* e = gstvtc::PropertyTable::Find(pspec);
  if (!e || !table) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    return;
  }
  switch (e->row->target) {
    case gstvtc::Target::kNone:  // the element's own: preset, frames-dropped
      if (std::strcmp(pspec->name, "preset") == 0)
        gst_vtc_encoder_get_preset(self, value);
      else
        g_value_set_uint64(value, priv->frames_dropped.load());
      return;
    case gstvtc::Target::kSessionReadOnly:
      gstvtc::ReadSessionProperty(gst_vtc_encoder_get_session(self).get(), *e, value);
      return;
    default:
      GST_OBJECT_LOCK(self);
      table->Get(priv->settings, *e, value);
      GST_OBJECT_UNLOCK(self);
      return;
  }
}

static void gst_vtc_encoder_constructed(GObject* obj) {
  auto* self = GST_VTC_ENCODER(obj);
  // Here, not in init: only now is the instance's class the codec element's (with its table).
  if (const gstvtc::PropertyTable* table = GST_VTC_ENCODER_GET_CLASS(self)->properties)
    table->Init(&gst_vtc_encoder_priv(self)->settings);
  G_OBJECT_CLASS(parent_class)->constructed(obj);
}

static void gst_vtc_encoder_finalize(GObject* obj) {
  gst_vtc_encoder_priv(GST_VTC_ENCODER(obj))->~GstVtcEncoderPrivate();
  G_OBJECT_CLASS(parent_class)->finalize(obj);
}

static void gst_vtc_encoder_init(GstVtcEncoder* self) {
  new (gst_vtc_encoder_get_instance_private(self)) GstVtcEncoderPrivate();
}

// intra-refresh=true: plain force-key-unit requests become refresh waves (RefreshRequests).
static gboolean gst_vtc_encoder_take_refresh(GstVtcEncoder* self, GstEvent* event) {
  GstVtcEncoderPrivate* priv = gst_vtc_encoder_priv(self);
  GST_OBJECT_LOCK(self);
  const bool on = priv->settings.intra_refresh;
  GST_OBJECT_UNLOCK(self);
  if (!on || !priv->refresh.Take(event)) return FALSE;
  gst_event_unref(event);
  return TRUE;
}

static gboolean gst_vtc_encoder_src_event(GstVideoEncoder* enc, GstEvent* event) {
  return gst_vtc_encoder_take_refresh(GST_VTC_ENCODER(enc), event) ||
         GST_VIDEO_ENCODER_CLASS(parent_class)->src_event(enc, event);
}

static gboolean gst_vtc_encoder_sink_event(GstVideoEncoder* enc, GstEvent* event) {
  return gst_vtc_encoder_take_refresh(GST_VTC_ENCODER(enc), event) ||
         GST_VIDEO_ENCODER_CLASS(parent_class)->sink_event(enc, event);
}

void gst_vtc_encoder_class_install_properties(GstVtcEncoderClass* klass,
                                              const gstvtc::PropertyRow* codec_rows,
                                              gsize n_codec_rows) {
  g_return_if_fail(klass->properties == nullptr);
  // GObject does not inherit these: each class that installs properties names its handlers.
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->set_property = gst_vtc_encoder_set_property;
  gobject_class->get_property = gst_vtc_encoder_get_property;
  klass->properties = gstvtc::PropertyTable::Install(
      gobject_class, klass->defaults, gstvtc::CommonProperties(), codec_rows, n_codec_rows);
}

static void gst_vtc_encoder_class_init(GstVtcEncoderClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstVideoEncoderClass* venc_class = GST_VIDEO_ENCODER_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_vtc_encoder_debug, "vtcencoder", 0, "vtcompress encoder base");
  klass->debug_category = gst_vtc_encoder_debug;
  klass->codec_name = "video";
  klass->defaults = {"", ""};

  gobject_class->constructed = gst_vtc_encoder_constructed;
  gobject_class->finalize = gst_vtc_encoder_finalize;

  venc_class->start = GST_DEBUG_FUNCPTR(gst_vtc_encoder_start);
  venc_class->stop = GST_DEBUG_FUNCPTR(gst_vtc_encoder_stop);
  venc_class->set_format = GST_DEBUG_FUNCPTR(gst_vtc_encoder_set_format);
  venc_class->handle_frame = GST_DEBUG_FUNCPTR(gst_vtc_encoder_handle_frame);
  venc_class->finish = GST_DEBUG_FUNCPTR(gst_vtc_encoder_finish);
  venc_class->flush = GST_DEBUG_FUNCPTR(gst_vtc_encoder_flush);
  venc_class->propose_allocation = GST_DEBUG_FUNCPTR(gst_vtc_encoder_propose_allocation);
  venc_class->getcaps = GST_DEBUG_FUNCPTR(gst_vtc_encoder_getcaps);
  venc_class->src_event = GST_DEBUG_FUNCPTR(gst_vtc_encoder_src_event);
  venc_class->sink_event = GST_DEBUG_FUNCPTR(gst_vtc_encoder_sink_event);
  venc_class->transform_meta = GST_DEBUG_FUNCPTR(gst_vtc_encoder_transform_meta);

  gst_type_mark_as_plugin_api(GST_TYPE_VTC_ENCODER, GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(GST_TYPE_VTC_BUFFER_POOL, GstPluginAPIFlags(0));
}
