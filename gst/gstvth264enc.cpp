// SPDX-License-Identifier: GPL-2.0-or-later
/**
 * SECTION:element-vth264enc
 *
 * H.264 encoder with the semantics of Apple's VideoToolbox compression session, on x264. Property
 * names follow applemedia's vtenc_h264, so a macOS pipeline ports by renaming the element.
 *
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=300 ! vth264enc bitrate=3000 ! h264parse ! mp4mux !
 *     filesink location=out.mp4
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvth264enc.h"

#include <gst/pbutils/codec-utils.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gstvtcbufferpool.h"
#include "gstvtcsettings.h"
#include "vtcompress/vtcompress.h"

GST_DEBUG_CATEGORY_STATIC(gst_vt_h264_enc_debug);
#define GST_CAT_DEFAULT gst_vt_h264_enc_debug

using gstvtc::PropId;

namespace {

constexpr gint64 kTimescale = GST_SECOND;  // session timestamps are GStreamer nanoseconds

enum class StreamFormat { kAvc, kByteStream };

// What one session's output callback needs. Made in set_format before the session exists and
// read-only afterwards, except `format` and `last_delay`, which only the session's worker touches.
struct SessionContext {
  GstVtH264Enc* self = nullptr;
  vtc::CompressionSession* session = nullptr;  // valid in callbacks: they end before it goes
  StreamFormat stream_format = StreamFormat::kAvc;
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

struct _GstVtH264Enc {
  GstVideoEncoder parent;

  gstvtc::Settings settings;  // OBJECT_LOCK

  // Streaming-thread state (STREAM_LOCK), see the header for the lock order.
  GstVideoCodecState* input_state;
  // The session, or an empty ref. Written by the streaming thread under STREAM_LOCK and
  // session_lock; other threads (property setters) read it under session_lock only.
  vtc::CompressionSessionRef* session;
  std::mutex* session_lock;                // leaf lock
  GstVtcRateControl session_rate_control;  // the session's mode (session_lock)
  SessionContext* context;                 // the session's callback context
  GstBufferPool* pool;                     // proposed upstream, from the session's pool
  GstClockTime synthetic_pts;              // for input without timestamps
  GstClockTime last_pts;                   // of the last frame given to the session
  GstClockTime last_running;               // its running time
  GstSegment last_segment;                 // the input segment it came in
  // set_min_pts's shift, which the base class adds to frame->pts but not to the input segment.
  GstClockTime time_adjustment;
  gboolean going_back;  // dropping frames whose time went back (warned once per episode)
  // Written by the current session's worker only (sessions never overlap); kept across
  // sessions (caps changes, new segments) so that DTS keep increasing.
  GstClockTime last_dts;
  gboolean min_pts_set;                   // set_min_pts done since start
  GstCaps* failed_caps;                   // caps no session could be made for (error posted)
  std::atomic<GstFlowReturn>* last_flow;  // downstream result of the worker's finish_frame
  std::atomic<guint64>* frames_dropped;   // to keep up: the governor's and qos's, since start
  gstvtc::RefreshRequests* refresh;       // intra-refresh: plain key-unit requests not yet met
  std::mutex* error_lock;                 // leaf lock: guards last_error
  std::deque<std::string>* last_error;    // the session's latest error messages, for the bus
};

static void gst_vt_h264_enc_reset_time(GstVtH264Enc* self);

#define gst_vt_h264_enc_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE(GstVtH264Enc, gst_vt_h264_enc, GST_TYPE_VIDEO_ENCODER,
                        G_IMPLEMENT_INTERFACE(GST_TYPE_PRESET, nullptr));
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE(vth264enc, "vth264enc", GST_RANK_SECONDARY,
                                      GST_TYPE_VT_H264_ENC,
                                      GST_DEBUG_CATEGORY_INIT(gst_vt_h264_enc_debug, "vth264enc", 0,
                                                              "VideoToolbox-style x264 encoder"));

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("video/x-raw, format = (string) { NV12, I420 }, width = (int) [ 1, 16384 ], "
                    "height = (int) [ 1, 16384 ], framerate = (fraction) [ 0/1, MAX ]"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("video/x-h264, stream-format = (string) { avc, byte-stream }, "
                    "alignment = (string) au, "
                    "profile = (string) { high, main, constrained-baseline, baseline, "
                    "high-4:4:4 }, "
                    "width = (int) [ 1, 16384 ], height = (int) [ 1, 16384 ], "
                    "framerate = (fraction) [ 0/1, MAX ]"));

// --- Helpers -------------------------------------------------------------------------------------

namespace {

const char* ColorPrimaries(gint p) {
  switch (p) {
    case GST_VIDEO_COLOR_PRIMARIES_BT709:
      return "ITU_R_709_2";
    case GST_VIDEO_COLOR_PRIMARIES_BT470BG:
      return "EBU_3213";
    case GST_VIDEO_COLOR_PRIMARIES_SMPTE170M:
      return "SMPTE_C";
    case GST_VIDEO_COLOR_PRIMARIES_BT2020:
      return "ITU_R_2020";
    case GST_VIDEO_COLOR_PRIMARIES_SMPTERP431:
      return "DCI_P3";
    case GST_VIDEO_COLOR_PRIMARIES_SMPTEEG432:
      return "P3_D65";
    default:
      return nullptr;
  }
}

const char* TransferFunction(gint t) {
  switch (t) {
    case GST_VIDEO_TRANSFER_BT709:
    case GST_VIDEO_TRANSFER_BT601:
      return "ITU_R_709_2";
    case GST_VIDEO_TRANSFER_SMPTE240M:
      return "SMPTE_240M_1995";
    case GST_VIDEO_TRANSFER_GAMMA10:
      return "Linear";
    case GST_VIDEO_TRANSFER_SRGB:
      return "IEC_sRGB";
    case GST_VIDEO_TRANSFER_BT2020_10:
    case GST_VIDEO_TRANSFER_BT2020_12:
      return "ITU_R_2020";
    case GST_VIDEO_TRANSFER_SMPTE2084:
      return "SMPTE_ST_2084_PQ";
    case GST_VIDEO_TRANSFER_ARIB_STD_B67:
      return "ITU_R_2100_HLG";
    default:
      return nullptr;
  }
}

const char* YCbCrMatrix(gint m) {
  switch (m) {
    case GST_VIDEO_COLOR_MATRIX_BT709:
      return "ITU_R_709_2";
    case GST_VIDEO_COLOR_MATRIX_BT601:
      return "ITU_R_601_4";
    case GST_VIDEO_COLOR_MATRIX_SMPTE240M:
      return "SMPTE_240M_1995";
    case GST_VIDEO_COLOR_MATRIX_BT2020:
      return "ITU_R_2020";
    default:
      return nullptr;
  }
}

// "constrained-baseline" + "3.1" -> "H264_ConstrainedBaseline_3_1" (AutoLevel when the level is
// not one VideoToolbox names for that profile).
std::string ProfileLevelKey(const std::string& profile, const std::string& level) {
  std::string p = "High";
  if (profile == "main") p = "Main";
  if (profile == "baseline") p = "Baseline";
  if (profile == "constrained-baseline") p = "ConstrainedBaseline";
  if (profile == "constrained-high") p = "ConstrainedHigh";
  std::string l = "AutoLevel";
  if (!level.empty() && (p == "Baseline" || p == "Main" || p == "High")) {
    std::string candidate = level;
    if (candidate.find('.') == std::string::npos) candidate += ".0";
    candidate[candidate.find('.')] = '_';
    const std::string key = "H264_" + p + "_" + candidate;
    static const char* known[] = {"1_3", "3_0", "3_1", "3_2", "4_0",
                                  "4_1", "4_2", "5_0", "5_1", "5_2"};
    for (const char* k : known)
      if (candidate == k && (candidate != "1_3" || p == "Baseline")) return key;
  }
  return "H264_" + p + "_" + l;
}

// Interleaved fields, or a mix of progressive and interlaced frames.
bool IsInterlaced(const GstVideoInfo* info) {
  const GstVideoInterlaceMode mode = GST_VIDEO_INFO_INTERLACE_MODE(info);
  return mode == GST_VIDEO_INTERLACE_MODE_INTERLEAVED || mode == GST_VIDEO_INTERLACE_MODE_MIXED;
}

// Takes the first value of a field that may be a string or a list of strings.
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

}  // namespace

// Error messages kept for the next report: x264's own reason comes one line before the
// session's summary of it, so a few are kept.
constexpr std::size_t kKeptErrors = 3;

static void gst_vt_h264_enc_log(GstVtH264Enc* self, vtc::LogLevel level, const char* message) {
  if (level == vtc::LogLevel::kError) {
    std::lock_guard<std::mutex> lock(*self->error_lock);
    self->last_error->emplace_back(message);
    while (self->last_error->size() > kKeptErrors) self->last_error->pop_front();
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
static std::string gst_vt_h264_enc_last_error(GstVtH264Enc* self) {
  std::lock_guard<std::mutex> lock(*self->error_lock);
  if (self->last_error->empty()) return "no details";
  std::string text;
  for (const std::string& m : *self->last_error) text += (text.empty() ? "" : "; ") + m;
  self->last_error->clear();
  return text;
}

namespace {

// The session's pixel format for raw video of this format and range.
vtc::PixelFormatType PixelFormatFor(const GstVideoInfo* info) {
  // Read as a plain int: caps can carry a range number outside the enum.
  gint range = 0;
  std::memcpy(&range, &info->colorimetry.range, sizeof range);
  const bool full = range == GST_VIDEO_COLOR_RANGE_0_255;
  if (GST_VIDEO_INFO_FORMAT(info) == GST_VIDEO_FORMAT_I420)
    return full ? vtc::kPixelFormat_420YpCbCr8PlanarFullRange : vtc::kPixelFormat_420YpCbCr8Planar;
  return full ? vtc::kPixelFormat_420YpCbCr8BiPlanarFullRange
              : vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;
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

}  // namespace

// --- The output side (session worker thread) ---------------------------------------------------

static GstCaps* gst_vt_h264_enc_src_caps_for(SessionContext* ctx,
                                             const vtc::FormatDescription& fd) {
  GstCaps* caps =
      gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING,
                          ctx->stream_format == StreamFormat::kAvc ? "avc" : "byte-stream",
                          "alignment", G_TYPE_STRING, "au", nullptr);
  const guint8* sps = nullptr;
  gsize sps_size = 0;
  if (fd.GetH264ParameterSetAtIndex(0, &sps, &sps_size, nullptr, nullptr) == vtc::Status::kNoErr &&
      sps_size > 4) {
    // The profile/level helper wants the SPS without its NAL header byte.
    gst_codec_utils_h264_caps_set_level_and_profile(caps, sps + 1, guint(sps_size - 1));
  }
  // The bitstream's profile may be a subset of what downstream asked for (x264's Baseline is
  // Constrained Baseline): name the superset downstream accepts, as a decoder of it can play it.
  const GstStructure* st = gst_caps_get_structure(caps, 0);
  const std::string produced = gst_structure_get_string(st, "profile") ?: "";
  static const std::map<std::string, std::vector<const char*>> kSupersets = {
      {"constrained-baseline", {"baseline", "main", "high"}},
      {"main", {"high"}},
      {"constrained-high", {"high"}}};
  GstPad* srcpad = GST_VIDEO_ENCODER_SRC_PAD(ctx->self);
  auto it = kSupersets.find(produced);
  if (it != kSupersets.end() && !gst_pad_peer_query_accept_caps(srcpad, caps)) {
    for (const char* wider : it->second) {
      GstCaps* candidate = gst_caps_copy(caps);
      gst_caps_set_simple(candidate, "profile", G_TYPE_STRING, wider, nullptr);
      if (gst_pad_peer_query_accept_caps(srcpad, candidate)) {
        gst_caps_unref(caps);
        caps = candidate;
        break;
      }
      gst_caps_unref(candidate);
    }
  }
  if (ctx->stream_format == StreamFormat::kAvc) {
    const vtc::Data& avcc = fd.avcc();
    GstBuffer* codec_data = gst_buffer_new_memdup(avcc.data(), avcc.size());
    gst_caps_set_simple(caps, "codec_data", GST_TYPE_BUFFER, codec_data, nullptr);
    gst_buffer_unref(codec_data);
  }
  return caps;
}

// Appends the parameter sets, AVCC or Annex-B framed.
static void gst_vt_h264_enc_append_parameter_sets(const vtc::FormatDescription& fd, bool annexb,
                                                  std::vector<guint8>* out) {
  for (std::size_t i = 0; i < 2; ++i) {
    const guint8* ps = nullptr;
    gsize size = 0;
    if (fd.GetH264ParameterSetAtIndex(i, &ps, &size, nullptr, nullptr) != vtc::Status::kNoErr)
      continue;
    if (annexb) {
      out->insert(out->end(), {0, 0, 0, 1});
    } else {
      out->insert(out->end(),
                  {guint8(size >> 24), guint8(size >> 16), guint8(size >> 8), guint8(size)});
    }
    out->insert(out->end(), ps, ps + size);
  }
}

static GstBuffer* gst_vt_h264_enc_buffer_for(SessionContext* ctx, const vtc::SampleBufferRef& s,
                                             bool headers) {
  const vtc::Data& data = s->data();
  if (ctx->stream_format == StreamFormat::kAvc && !headers) {
    // Zero copy: the buffer keeps the sample alive.
    auto* holder = new vtc::SampleBufferRef(s);
    return gst_buffer_new_wrapped_full(
        GST_MEMORY_FLAG_READONLY, const_cast<guint8*>(data.data()), data.size(), 0, data.size(),
        holder, [](gpointer p) { delete static_cast<vtc::SampleBufferRef*>(p); });
  }
  const bool annexb = ctx->stream_format == StreamFormat::kByteStream;
  std::vector<guint8> out;
  out.reserve(data.size() + 256);
  if (headers) gst_vt_h264_enc_append_parameter_sets(*s->format_description(), annexb, &out);
  const std::size_t start = out.size();
  out.insert(out.end(), data.begin(), data.end());
  if (annexb) {
    // 4-byte lengths become 4-byte start codes, in place.
    std::size_t pos = start;
    while (pos + 4 <= out.size()) {
      const std::size_t len = (std::size_t(out[pos]) << 24) | (std::size_t(out[pos + 1]) << 16) |
                              (std::size_t(out[pos + 2]) << 8) | out[pos + 3];
      out[pos] = out[pos + 1] = out[pos + 2] = 0;
      out[pos + 3] = 1;
      pos += 4 + len;
    }
  }
  return gst_buffer_new_memdup(out.data(), out.size());
}

// Finishes `frame` (the caller's reference) without output: dropped, with a QoS message. The
// 1.22 base class cannot drop a frame before an output state exists (finish_frame posts "Output
// state was not configured" and loses the frame's events), and the output caps need the first
// sample's avcC. Before that, the frame is dropped here by hand: the same QoS message, its input
// buffer released; the frame itself stays in the base class's list (its events go out with the
// next finished frame) until the next flush or stop frees it.
static GstFlowReturn gst_vt_h264_enc_drop_frame(GstVtH264Enc* self, GstVideoCodecFrame* frame) {
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

static void gst_vt_h264_enc_output(void* refcon, void* frame_refcon, vtc::Status status,
                                   vtc::EncodeInfoFlags flags, const vtc::SampleBufferRef& sample) {
  auto* ctx = static_cast<SessionContext*>(refcon);
  GstVtH264Enc* self = ctx->self;
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
    // The session answers every frame in flight with the error (x264 lost them all): one
    // message for the lot, then each frame is finished as dropped (a QoS message each), so none
    // disappears silently. The flow stays an error for the rest of this session.
    if (!ctx->failed) {
      ctx->failed = true;
      const std::string why = gst_vt_h264_enc_last_error(self);
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
          GST_ELEMENT_ERROR(
              self, LIBRARY, SETTINGS,
              ("The encoder could not apply its settings; the frames it held, from "
               "frame %u on, are dropped. Check profile, level and bitrate against the "
               "picture size and rate.",
               number),
              ("VTCompressionOutputCallback: %s (%d): %s", vtc::StatusName(status),
               vtc::ToOSStatus(status), why.c_str()));
          break;
        default:
          GST_ELEMENT_ERROR(
              self, STREAM, ENCODE,
              ("The H.264 encoder (x264) failed; the frames it held, from frame %u on, are "
               "dropped. Restart the stream; if it fails again, report it with a "
               "GST_DEBUG=vth264enc:5 log.",
               number),
              ("VTCompressionOutputCallback: %s (%d): %s", vtc::StatusName(status),
               vtc::ToOSStatus(status), why.c_str()));
          break;
      }
    } else {
      GST_WARNING_OBJECT(self, "frame %u also lost: %s", number, vtc::StatusName(status));
    }
    self->last_flow->store(GST_FLOW_ERROR);
    gst_vt_h264_enc_drop_frame(self, frame);
    return;
  }
  if (!sample || (flags & vtc::kEncodeInfo_FrameDropped)) {
    GST_DEBUG_OBJECT(self, "frame %u dropped by the encoder", number);
    self->frames_dropped->fetch_add(1);
    const GstFlowReturn ret = gst_vt_h264_enc_drop_frame(self, frame);
    self->last_flow->store(ctx->failed ? GST_FLOW_ERROR : ret);
    return;
  }
  const vtc::FormatDescriptionRef& fd = sample->format_description();
  if (fd && (!ctx->format || !ctx->format->Equals(*fd))) {
    ctx->format = fd;
    GstCaps* caps = gst_vt_h264_enc_src_caps_for(ctx, *fd);
    GstVideoCodecState* state = gst_video_encoder_set_output_state(enc, caps, ctx->input_state);
    // Odd sizes are coded at the next even size; the caps say what is in the bitstream.
    GST_VIDEO_INFO_WIDTH(&state->info) = fd->width();
    GST_VIDEO_INFO_HEIGHT(&state->info) = fd->height();
    GST_INFO_OBJECT(self, "output caps %" GST_PTR_FORMAT, state->caps);
    gst_video_codec_state_unref(state);
  }
  const bool sync = sample->IsSync();
  const bool headers = sync && GST_VIDEO_CODEC_FRAME_IS_FORCE_KEYFRAME_HEADERS(frame);
  frame->output_buffer = gst_vt_h264_enc_buffer_for(
      ctx, sample, headers || (sync && ctx->stream_format == StreamFormat::kByteStream));
  if (sync) GST_VIDEO_CODEC_FRAME_SET_SYNC_POINT(frame);
  // DTS: the session's (increasing, <= PTS). Below zero only if min_pts could not cover the
  // reorder delay (unknown frame rate); below the last one pushed only after a new session
  // (caps change, new segment), which starts its DTS the reorder delay before its first PTS.
  // Those go strictly after the last one: parsers (GstBaseParse) take an equal DTS for a
  // duplicate and interpolate one that can pass the PTS. A fraction of a frame (at most half
  // the way to the PTS) keeps them apart in containers' clocks too.
  const vtc::Time dts = sample->decode_time_stamp().ConvertScale(kTimescale);
  GstClockTime gdts = dts.value < 0 ? 0 : GstClockTime(dts.value);
  if (GST_CLOCK_TIME_IS_VALID(self->last_dts) && gdts <= self->last_dts) {
    const GstClockTime room = GST_CLOCK_TIME_IS_VALID(frame->pts) && frame->pts > self->last_dts
                                  ? frame->pts - self->last_dts
                                  : 0;
    const GstClockTime quarter =
        GST_CLOCK_TIME_IS_VALID(ctx->frame_duration) ? ctx->frame_duration / 4 : GST_MSECOND;
    gdts = self->last_dts + MIN(quarter, room / 2);  // equal only if the PTS leaves no room
  }
  if (GST_CLOCK_TIME_IS_VALID(frame->pts) && gdts > frame->pts) gdts = frame->pts;
  frame->dts = self->last_dts = gdts;

  // The delay can change when a live change restarts x264 (e.g. turning on VBV).
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
  // Frames a restarted x264 encodes after a failure still go out, but the error stays.
  const GstFlowReturn ret = gst_video_encoder_finish_frame(enc, frame);
  self->last_flow->store(ctx->failed ? GST_FLOW_ERROR : ret);
}

// --- Session lifetime (streaming thread, STREAM_LOCK held on entry) -----------------------------

// Runs a session call that may wait for the worker with the STREAM_LOCK released.
template <typename F>
static auto gst_vt_h264_enc_unlocked(GstVtH264Enc* self, F&& call) {
  GST_VIDEO_ENCODER_STREAM_UNLOCK(self);
  auto r = call();
  GST_VIDEO_ENCODER_STREAM_LOCK(self);
  return r;
}

static void gst_vt_h264_enc_destroy_session(GstVtH264Enc* self, bool discard) {
  if (!*self->session) return;
  vtc::CompressionSessionRef session;
  {
    std::lock_guard<std::mutex> lock(*self->session_lock);
    session = std::move(*self->session);
    self->session->reset();
  }
  if (self->context) self->context->discard = discard;
  gst_vt_h264_enc_unlocked(self, [&] {
    session->Invalidate();
    return 0;
  });
  session.reset();
  delete self->context;
  self->context = nullptr;
  // The pool proposed upstream stays: upstream activated it and owns that state, and its buffers
  // (the old session's pixel buffers) remain valid for the next session.
}

// Ends the session's pass (pass1/pass2): every frame is answered, pass1's statistics are
// complete in the cache file.
static GstFlowReturn gst_vt_h264_enc_end_pass(GstVtH264Enc* self) {
  SessionContext* ctx = self->context;
  ctx->in_pass = false;
  vtc::CompressionSessionRef session = *self->session;
  bool further = false;
  vtc::Status st = gst_vt_h264_enc_unlocked(self, [&] { return session->EndPass(&further); });
  if (st == vtc::Status::kMultiPassStorageIdentifierMismatchErr) {
    GST_ELEMENT_WARNING(
        self, STREAM, ENCODE,
        ("pass2 got other frames than pass1 wrote to %s; run pass1 again on the "
         "same input for an accurate bitrate.",
         ctx->cache_file.c_str()),
        ("EndPass: %s: %s", vtc::StatusName(st), gst_vt_h264_enc_last_error(self).c_str()));
  } else if (st != vtc::Status::kNoErr && st != vtc::Status::kInvalidSessionErr) {
    GST_ELEMENT_ERROR(
        self, STREAM, ENCODE,
        ("Could not finish the encoder's %s.",
         ctx->pass == GST_VTC_PASS_PASS1 ? "first pass" : "second pass"),
        ("EndPass: %s: %s", vtc::StatusName(st), gst_vt_h264_enc_last_error(self).c_str()));
    return GST_FLOW_ERROR;
  } else if (ctx->pass == GST_VTC_PASS_PASS1) {
    GST_INFO_OBJECT(self, "first pass done: statistics in %s%s", ctx->cache_file.c_str(),
                    further ? "" : " (no frames: nothing for pass2)");
  }
  return self->last_flow->load();
}

static GstFlowReturn gst_vt_h264_enc_drain(GstVtH264Enc* self) {
  if (!*self->session) return GST_FLOW_OK;
  if (self->context && self->context->in_pass) return gst_vt_h264_enc_end_pass(self);
  vtc::CompressionSessionRef session = *self->session;
  vtc::Status st =
      gst_vt_h264_enc_unlocked(self, [&] { return session->CompleteFrames(vtc::Time::Invalid()); });
  if (st != vtc::Status::kNoErr && st != vtc::Status::kInvalidSessionErr) {
    GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("Could not drain the encoder."),
                      ("CompleteFrames: %s", vtc::StatusName(st)));
    return GST_FLOW_ERROR;
  }
  return self->last_flow->load();
}

// pass1 / pass2: a storage on the cache file (kept on close), and BeginPass. pass2 needs the
// complete statistics of a pass1 run.
static gboolean gst_vt_h264_enc_begin_pass(GstVtH264Enc* self, vtc::CompressionSession& session,
                                           const gstvtc::Settings& settings, SessionContext* ctx) {
  namespace k = vtc::key;
  const bool second = settings.pass == GST_VTC_PASS_PASS2;
  const std::string& file = settings.multipass_cache_file;
  if (settings.rate_control != GST_VTC_RATE_CONTROL_ABR || settings.bitrate == 0) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                      ("pass=%s needs rate-control=abr and a bitrate.", second ? "pass2" : "pass1"),
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
        ("BeginPass: %s: %s", vtc::StatusName(st), gst_vt_h264_enc_last_error(self).c_str()));
    return FALSE;
  }
  if (st != vtc::Status::kNoErr) {
    GST_ELEMENT_ERROR(
        self, LIBRARY, SETTINGS, ("Could not start the encoder's pass."),
        ("BeginPass: %s: %s", vtc::StatusName(st), gst_vt_h264_enc_last_error(self).c_str()));
    return FALSE;
  }
  ctx->pass = settings.pass;
  ctx->in_pass = true;
  ctx->cache_file = file;
  return TRUE;
}

// `first`: called from set_format, before any buffer of these caps (see set_min_pts below).
static gboolean gst_vt_h264_enc_create_session(GstVtH264Enc* self, bool first) {
  GstVideoEncoder* enc = GST_VIDEO_ENCODER(self);
  GstVideoCodecState* in = self->input_state;
  const GstVideoInfo* info = &in->info;
  const int width = GST_VIDEO_INFO_WIDTH(info), height = GST_VIDEO_INFO_HEIGHT(info);

  // Downstream decides stream-format and profile/level.
  auto ctx = std::make_unique<SessionContext>();
  ctx->self = self;
  ctx->input_state = gst_video_codec_state_ref(in);
  gstvtc::Settings settings;
  GST_OBJECT_LOCK(self);
  settings = self->settings;
  GST_OBJECT_UNLOCK(self);

  std::string profile, level;
  GstPad* srcpad = GST_VIDEO_ENCODER_SRC_PAD(enc);
  GstCaps* peer = gst_pad_peer_query_caps(srcpad, nullptr);
  GstCaps* templ = gst_pad_get_pad_template_caps(srcpad);
  GstCaps* allowed = peer && !gst_caps_is_any(peer) ? gst_caps_intersect(templ, peer) : nullptr;
  if (allowed && !gst_caps_is_empty(allowed)) {
    // avc (VideoToolbox's own framing) whenever downstream takes it.
    GstCaps* avc = gst_caps_from_string("video/x-h264, stream-format = (string) avc");
    ctx->stream_format =
        gst_caps_can_intersect(allowed, avc) ? StreamFormat::kAvc : StreamFormat::kByteStream;
    gst_caps_unref(avc);
    // Lossless coding is High 4:4:4 Predictive, the other settings one of the rest, and
    // interlaced coding exists in Main and High only: downstream must take what these make.
    const bool lossless = gstvtc::IsLossless(settings);
    const bool interlaced = IsInterlaced(info);
    GstCaps* ours = gst_caps_from_string(
        lossless     ? "video/x-h264, profile = (string) high-4:4:4"
        : interlaced ? "video/x-h264, profile = (string) { high, main }"
                     : "video/x-h264, profile = (string) { high, main, constrained-baseline, "
                       "baseline }");
    GstCaps* usable = gst_caps_intersect(allowed, ours);
    gst_caps_unref(ours);
    if (gst_caps_is_empty(usable)) {
      gchar* asked = gst_caps_to_string(allowed);
      if (interlaced && !lossless)
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("Interlaced input (interlace-mode %s) is coded as interlaced H.264, "
                           "which needs profile main or high downstream; allow one of them, or "
                           "deinterlace upstream.",
                           gst_video_interlace_mode_to_string(GST_VIDEO_INFO_INTERLACE_MODE(info))),
                          ("downstream accepts %s", asked));
      else if (lossless)
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("quality=1.0 codes losslessly, in H.264 profile high-4:4:4 (High 4:4:4 "
                           "Predictive), which downstream does not accept; allow that profile "
                           "downstream, or set quality below 1.0 (or a bitrate)."),
                          ("downstream accepts %s", asked));
      else
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("Downstream accepts only profile high-4:4:4 (High 4:4:4 Predictive), "
                           "which vth264enc writes only when lossless: set quality=1.0 with "
                           "bitrate=0 and no data-rate-limits, or allow another profile."),
                          ("downstream accepts %s", asked));
      g_free(asked);
      gst_caps_unref(usable);
      gst_caps_unref(allowed);
      if (peer) gst_caps_unref(peer);
      gst_caps_unref(templ);
      return FALSE;
    }
    gst_caps_unref(allowed);
    allowed = gst_caps_fixate(usable);
    const GstStructure* s = gst_caps_get_structure(allowed, 0);
    profile = FirstString(s, "profile");
    level = FirstString(s, "level");
  } else {
    // Anything goes downstream (a filesink, fakesink): a self-contained Annex-B stream.
    ctx->stream_format = StreamFormat::kByteStream;
  }
  if (allowed) gst_caps_unref(allowed);
  if (peer) gst_caps_unref(peer);
  gst_caps_unref(templ);

  {
    // Reasons kept from an earlier session would be misread as this one's.
    std::lock_guard<std::mutex> lock(*self->error_lock);
    self->last_error->clear();
  }
  vtc::Dictionary spec = gstvtc::EncoderSpecification(settings);
  vtc::Dictionary attrs = gstvtc::PoolAttributes(settings);
  attrs[vtc::key::kPixelFormatType] = vtc::Value(PixelFormatFor(info));
  vtc::CompressionSessionRef session;
  vtc::Status st =
      vtc::CompressionSession::Create(width, height, vtc::kCodecType_H264, &spec, &attrs,
                                      gst_vt_h264_enc_output, ctx.get(), &session);
  if (st != vtc::Status::kNoErr) {
    if (st == vtc::Status::kCouldNotFindVideoEncoderErr) {
      GST_ELEMENT_ERROR(self, LIBRARY, INIT,
                        ("No suitable encoder: %s",
                         settings.require_hardware ? "require-hardware is set but there is no "
                                                     "hardware H.264 encoder (x264 is software); "
                                                     "unset require-hardware"
                                                   : "encoder-id must be org.videolan.x264"),
                        ("VTCompressionSessionCreate: %s", vtc::StatusName(st)));
    } else {
      GST_ELEMENT_ERROR(self, LIBRARY, INIT,
                        ("Could not create the encoder session for %dx%d.", width, height),
                        ("VTCompressionSessionCreate: %s", vtc::StatusName(st)));
    }
    return FALSE;
  }
  session->SetLogHandler([self](vtc::LogLevel level, const char* message) {
    gst_vt_h264_enc_log(self, level, message);
  });

  vtc::Dictionary props = gstvtc::CompressionProperties(settings);
  props[vtc::key::kProfileLevel] = vtc::Value(ProfileLevelKey(profile, level));
  if (IsInterlaced(info)) {
    // Interleaved fields (or mixed frames, coded as MBAFF, which adapts per macroblock pair) are
    // coded interlaced, never as progressive pictures; the field order comes from the caps.
    props[vtc::key::kFieldCount] = vtc::Value(2);
    props[vtc::key::kFieldDetail] =
        vtc::Value(GST_VIDEO_INFO_FIELD_ORDER(info) == GST_VIDEO_FIELD_ORDER_BOTTOM_FIELD_FIRST
                       ? vtc::key::kFieldDetailTemporalBottomFirst
                       : vtc::key::kFieldDetailTemporalTopFirst);
  }
  if (GST_VIDEO_INFO_FPS_N(info) > 0 && GST_VIDEO_INFO_FPS_D(info) > 0) {
    const double fps = double(GST_VIDEO_INFO_FPS_N(info)) / GST_VIDEO_INFO_FPS_D(info);
    if (fps <= 1000) props[vtc::key::kExpectedFrameRate] = vtc::Value(fps);
    ctx->frame_duration =
        gst_util_uint64_scale(GST_SECOND, GST_VIDEO_INFO_FPS_D(info), GST_VIDEO_INFO_FPS_N(info));
  }
  // Caps may carry colorimetry numbers outside GStreamer's enums (colorimetry=2147483647:...):
  // read them as plain ints, never as out-of-range enum values.
  gint primaries = 0, transfer = 0, matrix = 0;
  std::memcpy(&primaries, &info->colorimetry.primaries, sizeof primaries);
  std::memcpy(&transfer, &info->colorimetry.transfer, sizeof transfer);
  std::memcpy(&matrix, &info->colorimetry.matrix, sizeof matrix);
  if (const char* v = ColorPrimaries(primaries)) props[vtc::key::kColorPrimaries] = vtc::Value(v);
  if (const char* v = TransferFunction(transfer))
    props[vtc::key::kTransferFunction] = vtc::Value(v);
  if (const char* v = YCbCrMatrix(matrix)) props[vtc::key::kYCbCrMatrix] = vtc::Value(v);
  if (GST_VIDEO_INFO_PAR_N(info) > 0 && GST_VIDEO_INFO_PAR_D(info) > 0 &&
      GST_VIDEO_INFO_PAR_N(info) != GST_VIDEO_INFO_PAR_D(info) &&
      GST_VIDEO_INFO_PAR_N(info) <= 65535 && GST_VIDEO_INFO_PAR_D(info) <= 65535) {
    props[vtc::key::kPixelAspectRatio] = vtc::Value(
        vtc::Dictionary{{vtc::key::kHorizontalSpacing, vtc::Value(GST_VIDEO_INFO_PAR_N(info))},
                        {vtc::key::kVerticalSpacing, vtc::Value(GST_VIDEO_INFO_PAR_D(info))}});
  }
  for (const auto& [key, value] : props) {
    st = session->SetProperty(key, value);
    if (st != vtc::Status::kNoErr) {
      const std::string why = gst_vt_h264_enc_last_error(self);  // read once: it clears
      GST_ELEMENT_ERROR(
          self, LIBRARY, SETTINGS,
          ("Invalid setting for %s: %s (%s).", key.c_str(), value.ToString().c_str(), why.c_str()),
          ("VTSessionSetProperty: %s: %s", vtc::StatusName(st), why.c_str()));
      return FALSE;
    }
  }
  if (settings.pass != GST_VTC_PASS_SINGLE &&
      !gst_vt_h264_enc_begin_pass(self, *session, settings, ctx.get()))
    return FALSE;
  st = session->PrepareToEncodeFrames();
  if (st != vtc::Status::kNoErr) {
    const std::string why = gst_vt_h264_enc_last_error(self);  // read once: it clears
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                      ("The encoder cannot take these settings (%s for %dx%d): %s. Check "
                       "profile, level and bitrate against the picture size and rate.",
                       ProfileLevelKey(profile, level).c_str(), width, height, why.c_str()),
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
  if (first && !self->min_pts_set) {
    gst_video_encoder_set_min_pts(enc, duration * guint64(MAX(reorder_frames, 0)));
    self->min_pts_set = TRUE;
  }
  GST_INFO_OBJECT(
      self, "session %dx%d, %s, %s, delay %" G_GINT64_FORMAT " frames, reorder %" G_GINT64_FORMAT,
      width, height, ctx->stream_format == StreamFormat::kAvc ? "avc" : "byte-stream",
      ProfileLevelKey(profile, level).c_str(), delay_frames, reorder_frames);

  ctx->session = session.get();
  ctx->rate_control = settings.rate_control;
  self->context = ctx.release();
  {
    std::lock_guard<std::mutex> lock(*self->session_lock);
    *self->session = session;
    self->session_rate_control = settings.rate_control;
  }
  // A live property set while the session was being built went to no session: apply the live
  // keys again from the settings as they are now.
  gstvtc::Settings now;
  GST_OBJECT_LOCK(self);
  now = self->settings;
  GST_OBJECT_UNLOCK(self);
  for (guint id = gstvtc::PROP_0 + 1; id < gstvtc::PROP_LAST; ++id) {
    if (!gstvtc::IsLive(id)) continue;
    const vtc::Dictionary before = gstvtc::LiveChange(settings, id, settings.rate_control);
    const vtc::Dictionary after = gstvtc::LiveChange(now, id, settings.rate_control);
    if (before == after) continue;
    for (const auto& [key, v] : after) session->SetProperty(key, v);
  }
  self->last_flow->store(GST_FLOW_OK);
  return TRUE;
}

// --- GstVideoEncoder vfuncs ----------------------------------------------------------------------

static gboolean gst_vt_h264_enc_start(GstVideoEncoder* enc) {
  auto* self = GST_VT_H264_ENC(enc);
  // Fail at start, not at the first caps, for an encoder specification nothing can satisfy.
  GST_OBJECT_LOCK(self);
  const std::string encoder_id = self->settings.encoder_id;
  const bool require_hardware = self->settings.require_hardware;
  const bool cbr_without_rate =
      self->settings.rate_control == GST_VTC_RATE_CONTROL_CBR && self->settings.bitrate == 0;
  GST_OBJECT_UNLOCK(self);
  self->frames_dropped->store(0);
  if (cbr_without_rate) {
    // ConstantBitRate 0 means off: the session would silently code quality-based.
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                      ("rate-control=cbr needs a bit rate: set bitrate (kbit/s), or use "
                       "rate-control=abr with bitrate=0 for quality-based coding."),
                      ("ConstantBitRate would be 0 (off)"));
    return FALSE;
  }
  if (require_hardware) {
    GST_ELEMENT_ERROR(self, LIBRARY, INIT,
                      ("require-hardware is set but there is no hardware H.264 encoder (x264 is "
                       "software); unset require-hardware."),
                      ("RequireHardwareAcceleratedVideoEncoder: kVTCouldNotFindVideoEncoderErr"));
    return FALSE;
  }
  vtc::Array encoders;
  vtc::CopyVideoEncoderList(nullptr, &encoders);
  bool known = encoder_id.empty();
  for (const vtc::Value& e : encoders)
    if (e.AsDictionary().at(vtc::key::kEncoderID) == vtc::Value(encoder_id)) known = true;
  if (!known) {
    GST_ELEMENT_ERROR(
        self, LIBRARY, INIT,
        ("Unknown encoder-id \"%s\"; the only encoder is org.videolan.x264.", encoder_id.c_str()),
        ("EncoderID: kVTCouldNotFindVideoEncoderErr"));
    return FALSE;
  }
  self->last_flow->store(GST_FLOW_OK);
  self->synthetic_pts = 0;
  gst_vt_h264_enc_reset_time(self);
  self->min_pts_set = FALSE;
  gst_clear_caps(&self->failed_caps);
  return TRUE;
}

static gboolean gst_vt_h264_enc_stop(GstVideoEncoder* enc) {
  auto* self = GST_VT_H264_ENC(enc);
  GST_VIDEO_ENCODER_STREAM_LOCK(self);
  gst_vt_h264_enc_destroy_session(self, true);
  GST_VIDEO_ENCODER_STREAM_UNLOCK(self);
  if (self->input_state) {
    gst_video_codec_state_unref(self->input_state);
    self->input_state = nullptr;
  }
  return TRUE;
}

static gboolean gst_vt_h264_enc_set_format(GstVideoEncoder* enc, GstVideoCodecState* state) {
  auto* self = GST_VT_H264_ENC(enc);
  if (*self->session) {
    // New caps: everything encoded so far goes out first, then a new session.
    gst_vt_h264_enc_drain(self);
    gst_vt_h264_enc_destroy_session(self, false);
  }
  if (self->failed_caps && gst_caps_is_equal(state->caps, self->failed_caps)) {
    // Upstream resends sticky caps with every push: one error for them is enough.
    GST_DEBUG_OBJECT(self, "caps already refused: %" GST_PTR_FORMAT, state->caps);
    return FALSE;
  }
  // Not in the template: caps without interlace-mode (progressive) must stay acceptable.
  const GstVideoInterlaceMode mode = GST_VIDEO_INFO_INTERLACE_MODE(&state->info);
  if (mode != GST_VIDEO_INTERLACE_MODE_PROGRESSIVE && !IsInterlaced(&state->info)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("interlace-mode %s (fields in separate buffers) is not supported; give "
                       "interleaved frames (interlace-mode interleaved or mixed).",
                       gst_video_interlace_mode_to_string(mode)),
                      ("caps %" GST_PTR_FORMAT, state->caps));
    gst_caps_replace(&self->failed_caps, state->caps);
    return FALSE;
  }
  if (self->input_state) gst_video_codec_state_unref(self->input_state);
  self->input_state = gst_video_codec_state_ref(state);
  if (gst_vt_h264_enc_create_session(self, true)) {
    gst_clear_caps(&self->failed_caps);
    return TRUE;
  }
  gst_caps_replace(&self->failed_caps, state->caps);
  return FALSE;
}

// After the pixels have been handed to the session (the mapping holds its own reference), the
// frame keeps a buffer with the input's flags, timestamps and metas but no memory: finish_frame
// copies metas from it, and the raw picture is freed as soon as the session releases it
// (ReleaseSourceBufferOnImport), instead of one picture per frame of x264's delay.
// Without COPY_MEMORY, memory metas (GstVideoMeta) are not copied; COPY_DEEP also leaves out
// memory-reference metas (GstParentBufferMeta), which would keep the picture alive.
static void gst_vt_h264_enc_detach_pixels(GstVideoCodecFrame* frame) {
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

static void gst_vt_h264_enc_reset_time(GstVtH264Enc* self) {
  self->last_pts = self->last_dts = self->last_running = GST_CLOCK_TIME_NONE;
  gst_segment_init(&self->last_segment, GST_FORMAT_TIME);
  self->time_adjustment = 0;
  self->going_back = FALSE;
}

// Running time of a frame's (shifted) PTS in the current input segment.
static GstClockTime gst_vt_h264_enc_running_time(GstVtH264Enc* self, const GstSegment* segment,
                                                 GstClockTime pts) {
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return GST_CLOCK_TIME_NONE;
  return gst_segment_to_running_time(segment, GST_FORMAT_TIME,
                                     pts - MIN(pts, self->time_adjustment));
}

// Gives frames without PTS one, and says where the frame stands; *running is its running time.
static TimeStep gst_vt_h264_enc_place_in_time(GstVtH264Enc* self, GstVideoCodecFrame* frame,
                                              GstClockTime* running_out) {
  GstVideoEncoder* enc = GST_VIDEO_ENCODER(self);
  const GstClockTime buffer_pts = GST_BUFFER_PTS(frame->input_buffer);
  if (GST_CLOCK_TIME_IS_VALID(buffer_pts) && GST_CLOCK_TIME_IS_VALID(frame->pts) &&
      frame->pts >= buffer_pts && buffer_pts >= enc->input_segment.start)
    self->time_adjustment = frame->pts - buffer_pts;
  if (!GST_CLOCK_TIME_IS_VALID(frame->pts)) {
    // The session needs increasing timestamps: continue from the last one.
    frame->pts = self->synthetic_pts;
  }
  GstClockTime step = frame->duration;
  if (!GST_CLOCK_TIME_IS_VALID(step) && self->context)
    step = self->context->frame_duration;  // from the caps' frame rate
  if (!GST_CLOCK_TIME_IS_VALID(step)) step = GST_SECOND / 30;
  const GstClockTime running = gst_vt_h264_enc_running_time(self, &enc->input_segment, frame->pts);
  *running_out = running;
  TimeStep result = TimeStep::kNext;
  if (GST_CLOCK_TIME_IS_VALID(self->last_pts) && frame->pts <= self->last_pts) {
    if (GST_CLOCK_TIME_IS_VALID(running) && GST_CLOCK_TIME_IS_VALID(self->last_running) &&
        running > self->last_running) {
      GST_INFO_OBJECT(self,
                      "PTS went back from %" GST_TIME_FORMAT " to %" GST_TIME_FORMAT
                      " in a new segment (running time %" GST_TIME_FORMAT " -> %" GST_TIME_FORMAT
                      "): draining and starting a new session",
                      GST_TIME_ARGS(self->last_pts), GST_TIME_ARGS(frame->pts),
                      GST_TIME_ARGS(self->last_running), GST_TIME_ARGS(running));
      result = TimeStep::kNewSegment;
    } else {
      if (!self->going_back) {
        GST_ELEMENT_WARNING(
            self, STREAM, ENCODE,
            ("Timestamps went back without a flush (from %" GST_TIME_FORMAT " to %" GST_TIME_FORMAT
             "): frames are dropped until they pass %" GST_TIME_FORMAT ".",
             GST_TIME_ARGS(self->last_pts), GST_TIME_ARGS(frame->pts),
             GST_TIME_ARGS(self->last_pts)),
            ("Send a flush or a new segment when timestamps start again; the encoded stream "
             "cannot go back in time."));
        self->going_back = TRUE;
      }
      GST_DEBUG_OBJECT(
          self, "frame %u at %" GST_TIME_FORMAT " is not after %" GST_TIME_FORMAT ": dropped",
          frame->system_frame_number, GST_TIME_ARGS(frame->pts), GST_TIME_ARGS(self->last_pts));
      return TimeStep::kBack;
    }
  }
  self->synthetic_pts = frame->pts + MAX(step, 1);
  return result;
}

// Ends the stream and starts a new session for a new segment whose PTS start again. The last
// DTS pushed, in running time, becomes the new session's lowest DTS (in the new segment).
static gboolean gst_vt_h264_enc_restart_for_segment(GstVtH264Enc* self) {
  GstVideoEncoder* enc = GST_VIDEO_ENCODER(self);
  gst_vt_h264_enc_drain(self);
  gst_vt_h264_enc_destroy_session(self, false);
  GstClockTime floor = GST_CLOCK_TIME_NONE;
  const GstClockTime dts_running =
      gst_vt_h264_enc_running_time(self, &self->last_segment, self->last_dts);
  guint64 at = 0;
  const gint sign = GST_CLOCK_TIME_IS_VALID(dts_running)
                        ? gst_segment_position_from_running_time_full(
                              &enc->input_segment, GST_FORMAT_TIME, dts_running, &at)
                        : 0;
  // A position before zero (the last DTS lies before the new segment's start by more than
  // set_min_pts's shift): every DTS of the new session comes later; no floor.
  if (sign > 0)
    floor = at + self->time_adjustment;
  else if (sign < 0 && at < self->time_adjustment)
    floor = self->time_adjustment - at;
  self->last_dts = floor;
  return gst_vt_h264_enc_create_session(self, false);
}

static GstFlowReturn gst_vt_h264_enc_handle_frame(GstVideoEncoder* enc, GstVideoCodecFrame* frame) {
  auto* self = GST_VT_H264_ENC(enc);
  GstFlowReturn last = self->last_flow->load();
  if (last == GST_FLOW_FLUSHING || last == GST_FLOW_NOT_LINKED) {
    // Not sticky: downstream may be relinked or back from flushing without a flush reaching
    // this sink pad; only the next push can tell.
    self->last_flow->store(GST_FLOW_OK);
    last = GST_FLOW_OK;
  }
  if (last != GST_FLOW_OK) {
    gst_vt_h264_enc_drop_frame(self, frame);
    return last;
  }
  if (!self->input_state) {
    gst_video_codec_frame_unref(frame);
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("No caps before the first buffer."), (nullptr));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (!*self->session && !gst_vt_h264_enc_create_session(self, false)) {
    gst_video_codec_frame_unref(frame);
    return GST_FLOW_ERROR;
  }

  GstClockTime running = GST_CLOCK_TIME_NONE;
  switch (gst_vt_h264_enc_place_in_time(self, frame, &running)) {
    case TimeStep::kNext:
      break;
    case TimeStep::kBack:
      gst_vt_h264_enc_drop_frame(self, frame);
      return self->last_flow->load();
    case TimeStep::kNewSegment:
      if (!gst_vt_h264_enc_restart_for_segment(self)) {
        gst_video_codec_frame_unref(frame);
        return GST_FLOW_ERROR;
      }
      break;
  }
  self->last_pts = frame->pts;
  self->last_running = running;
  self->last_segment = enc->input_segment;
  self->going_back = FALSE;

  // qos=true: a frame downstream's QoS says is already too late is dropped before it costs an
  // encode (never one asked to be a key frame).
  if (gst_video_encoder_is_qos_enabled(enc) && !GST_VIDEO_CODEC_FRAME_IS_FORCE_KEYFRAME(frame) &&
      gst_video_encoder_get_max_encode_time(enc, frame) < 0) {
    GST_DEBUG_OBJECT(self, "frame %u is too late for downstream: dropped (qos)",
                     frame->system_frame_number);
    self->frames_dropped->fetch_add(1);
    gst_vt_h264_enc_drop_frame(self, frame);
    return self->last_flow->load();
  }

  // Zero copy: the session gets the mapped planes; the mapping (and the buffer) is released as
  // soon as x264 has copied them (ReleaseSourceBufferOnImport).
  // gst_video_frame_map only asserts (a GLib critical) when the buffer's video meta disagrees
  // with the caps: check first and say what is wrong.
  const GstVideoInfo* in_info = &self->input_state->info;
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
    gst_vt_h264_enc_drop_frame(self, frame);
    return GST_FLOW_ERROR;
  }
  auto mapped = std::make_unique<MappedFrame>();
  if (!gst_video_frame_map(&mapped->frame, &self->input_state->info, frame->input_buffer,
                           GST_MAP_READ)) {
    GST_ELEMENT_ERROR(
        self, STREAM, FORMAT,
        ("Input buffer of %" G_GSIZE_FORMAT " bytes is too small for the caps "
         "(%" G_GSIZE_FORMAT " bytes).",
         gst_buffer_get_size(frame->input_buffer), GST_VIDEO_INFO_SIZE(&self->input_state->info)),
        (nullptr));
    gst_vt_h264_enc_drop_frame(self, frame);
    return GST_FLOW_ERROR;
  }
  GstVideoFrame* vf = &mapped->frame;
  vtc::PlaneDescriptor planes[3];
  const guint n_planes = GST_VIDEO_FRAME_N_PLANES(vf);
  for (guint i = 0; i < n_planes; ++i) {
    auto* data = static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(vf, i));
    planes[i] = {data, gsize(GST_VIDEO_FRAME_PLANE_STRIDE(vf, i)), BytesFrom(*vf, data)};
  }
  // Buffers from our pool have the session's extended pixels for odd sizes.
  vtc::ExtendedPixels extended;
  if (vtc::PixelBuffer* own = gst_vtc_buffer_get_pixel_buffer(frame->input_buffer))
    extended = own->extended_pixels();
  const vtc::PixelFormatType format = PixelFormatFor(&self->input_state->info);
  MappedFrame* raw = mapped.get();
  vtc::PixelBufferRef pixels;
  vtc::Status st = vtc::PixelBuffer::CreateWithPlanarBytes(
      GST_VIDEO_FRAME_WIDTH(vf), GST_VIDEO_FRAME_HEIGHT(vf), format, planes, n_planes,
      [raw] { delete raw; }, &pixels, extended);
  if (st != vtc::Status::kNoErr) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("The input buffer's layout is not usable."),
                      ("CVPixelBufferCreateWithPlanarBytes: %s", vtc::StatusName(st)));
    gst_vt_h264_enc_drop_frame(self, frame);
    return GST_FLOW_ERROR;
  }
  mapped.release();  // owned by the pixel buffer's release callback now
  gst_vt_h264_enc_detach_pixels(frame);

  vtc::Dictionary options;
  if (GST_VIDEO_CODEC_FRAME_IS_FORCE_KEYFRAME(frame)) {
    GST_DEBUG_OBJECT(self, "forcing a key frame at frame %u", frame->system_frame_number);
    options[vtc::key::kForceKeyFrame] = vtc::Value(true);
  } else if (self->refresh->Due(running)) {
    GST_DEBUG_OBJECT(self, "intra-refresh wave at frame %u", frame->system_frame_number);
    options[vtc::key::kForceIntraRefresh] = vtc::Value(true);
  }
  const vtc::Time pts = vtc::Time::Make(gint64(frame->pts), kTimescale);
  const vtc::Time duration = GST_CLOCK_TIME_IS_VALID(frame->duration)
                                 ? vtc::Time::Make(gint64(frame->duration), kTimescale)
                                 : vtc::Time::Invalid();
  const guint32 number = frame->system_frame_number;
  gst_video_codec_frame_unref(frame);  // the base class keeps its own; the callback finds it

  vtc::CompressionSessionRef session = *self->session;
  st = gst_vt_h264_enc_unlocked(self, [&] {
    return session->EncodeFrame(pixels, pts, duration, options.empty() ? nullptr : &options,
                                GUINT_TO_POINTER(number), nullptr);
  });
  pixels.reset();
  if (st != vtc::Status::kNoErr) {
    GstVideoCodecFrame* lost = gst_video_encoder_get_frame(enc, int(number));
    if (st == vtc::Status::kParameterErr) {
      // e.g. a timestamp that does not increase: drop this frame (QoS message), keep going.
      GST_WARNING_OBJECT(self, "frame %u refused by the encoder (%s: %s): dropped", number,
                         vtc::StatusName(st), gst_vt_h264_enc_last_error(self).c_str());
      if (lost) gst_vt_h264_enc_drop_frame(self, lost);
      return self->last_flow->load();
    }
    if (lost) gst_vt_h264_enc_drop_frame(self, lost);
    if (st == vtc::Status::kInvalidSessionErr) return GST_FLOW_FLUSHING;
    GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("The encoder refused frame %u.", number),
                      ("VTCompressionSessionEncodeFrame: %s: %s", vtc::StatusName(st),
                       gst_vt_h264_enc_last_error(self).c_str()));
    return GST_FLOW_ERROR;
  }
  return self->last_flow->load();
}

static GstFlowReturn gst_vt_h264_enc_finish(GstVideoEncoder* enc) {
  return gst_vt_h264_enc_drain(GST_VT_H264_ENC(enc));
}

static gboolean gst_vt_h264_enc_flush(GstVideoEncoder* enc) {
  auto* self = GST_VT_H264_ENC(enc);
  // Pending frames are answered and discarded; the next frame starts a new session (an IDR).
  gst_vt_h264_enc_destroy_session(self, true);
  self->last_flow->store(GST_FLOW_OK);
  gst_vt_h264_enc_reset_time(self);
  return TRUE;
}

static gboolean gst_vt_h264_enc_propose_allocation(GstVideoEncoder* enc, GstQuery* query) {
  auto* self = GST_VT_H264_ENC(enc);
  GstCaps* caps = nullptr;
  gst_query_parse_allocation(query, &caps, nullptr);
  GstVideoInfo info;
  if (caps && gst_video_info_from_caps(&info, caps) && *self->session &&
      gst_query_get_n_allocation_pools(query) == 0) {
    vtc::PixelBufferPoolRef session_pool = (*self->session)->GetPixelBufferPool();
    if (session_pool && session_pool->width() == GST_VIDEO_INFO_WIDTH(&info) &&
        session_pool->height() == GST_VIDEO_INFO_HEIGHT(&info)) {
      GstBufferPool* pool = gst_vtc_buffer_pool_new(session_pool, GST_ELEMENT(self));
      GstStructure* config = gst_buffer_pool_get_config(pool);
      guint min = 0, max = 0;
      GST_OBJECT_LOCK(self);
      min = self->settings.pool_min_buffers;
      max = self->settings.pool_max_buffers;
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
        if (self->pool) gst_object_unref(self->pool);
        self->pool = pool;
        return TRUE;
      }
      GST_WARNING_OBJECT(self, "could not configure the session-backed pool");
      gst_object_unref(pool);
    }
  }
  return GST_VIDEO_ENCODER_CLASS(parent_class)->propose_allocation(enc, query);
}

static GstCaps* gst_vt_h264_enc_getcaps(GstVideoEncoder* enc, GstCaps* filter) {
  // Every profile offered takes 4:2:0 NV12/I420, so the template restricted by downstream's
  // size/rate is the answer.
  return gst_video_encoder_proxy_getcaps(enc, nullptr, filter);
}

static vtc::CompressionSessionRef gst_vt_h264_enc_get_session(
    GstVtH264Enc* self, GstVtcRateControl* rate_control = nullptr) {
  std::lock_guard<std::mutex> lock(*self->session_lock);
  if (rate_control) *rate_control = self->session_rate_control;
  return *self->session;
}

// --- GObject
// --------------------------------------------------------------------------------------

static void gst_vt_h264_enc_set_property(GObject* obj, guint id, const GValue* value,
                                         GParamSpec* pspec) {
  auto* self = GST_VT_H264_ENC(obj);
  std::string error;
  GST_OBJECT_LOCK(self);
  const gboolean ok = gstvtc::SetProperty(&self->settings, id, value, &error);
  const gstvtc::Settings settings = self->settings;
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
  vtc::CompressionSessionRef session = gst_vt_h264_enc_get_session(self, &rate_control);
  if (!session) return;
  if (!gstvtc::IsLive(id)) {
    GST_WARNING_OBJECT(self, "%s applies from the next session (caps change or restart)",
                       pspec->name);
    return;
  }
  if (id == gstvtc::PROP_BITRATE && rate_control == GST_VTC_RATE_CONTROL_CBR &&
      settings.bitrate == 0) {
    GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                        ("bitrate=0 is not a constant bit rate; the encoder keeps the last one."),
                        ("rate-control=cbr: ConstantBitRate 0 would turn it off"));
    return;
  }
  // In the rate-control mode the session runs with (rate-control itself is not live).
  for (const auto& [key, v] : gstvtc::LiveChange(settings, id, rate_control)) {
    vtc::Status st = session->SetProperty(key, v);
    // An invalidated session is being replaced; the next one reads the settings.
    if (st != vtc::Status::kNoErr && st != vtc::Status::kInvalidSessionErr)
      GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                          ("The encoder did not take %s = %s.", key.c_str(), v.ToString().c_str()),
                          ("VTSessionSetProperty: %s", vtc::StatusName(st)));
  }
}

static void gst_vt_h264_enc_get_property(GObject* obj, guint id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_VT_H264_ENC(obj);
  if (id == gstvtc::PROP_FRAMES_DROPPED) {
    g_value_set_uint64(value, self->frames_dropped->load());
    return;
  }
  if (gstvtc::IsSessionProperty(id)) {
    gstvtc::GetSessionProperty(gst_vt_h264_enc_get_session(self).get(), id, value);
    return;
  }
  GST_OBJECT_LOCK(self);
  const gboolean ok = gstvtc::GetProperty(self->settings, id, value);
  GST_OBJECT_UNLOCK(self);
  if (!ok) G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
}

static void gst_vt_h264_enc_finalize(GObject* obj) {
  auto* self = GST_VT_H264_ENC(obj);
  if (*self->session) (*self->session)->Invalidate();
  delete self->session;
  delete self->session_lock;
  delete self->context;
  delete self->last_flow;
  delete self->frames_dropped;
  delete self->refresh;
  delete self->error_lock;
  delete self->last_error;
  self->settings.~Settings();
  if (self->pool) gst_object_unref(self->pool);
  if (self->input_state) gst_video_codec_state_unref(self->input_state);
  gst_clear_caps(&self->failed_caps);
  G_OBJECT_CLASS(parent_class)->finalize(obj);
}

static void gst_vt_h264_enc_init(GstVtH264Enc* self) {
  new (&self->settings) gstvtc::Settings();
  self->session = new vtc::CompressionSessionRef();
  self->session_lock = new std::mutex();
  self->session_rate_control = GST_VTC_RATE_CONTROL_ABR;
  self->context = nullptr;
  self->pool = nullptr;
  self->input_state = nullptr;
  self->synthetic_pts = 0;
  gst_vt_h264_enc_reset_time(self);
  self->min_pts_set = FALSE;
  self->failed_caps = nullptr;
  self->last_flow = new std::atomic<GstFlowReturn>(GST_FLOW_OK);
  self->frames_dropped = new std::atomic<guint64>(0);
  self->refresh = new gstvtc::RefreshRequests();
  self->error_lock = new std::mutex();
  self->last_error = new std::deque<std::string>();
}

// intra-refresh=true: plain force-key-unit requests become refresh waves (RefreshRequests).
static gboolean gst_vt_h264_enc_take_refresh(GstVtH264Enc* self, GstEvent* event) {
  GST_OBJECT_LOCK(self);
  const bool on = self->settings.intra_refresh;
  GST_OBJECT_UNLOCK(self);
  if (!on || !self->refresh->Take(event)) return FALSE;
  gst_event_unref(event);
  return TRUE;
}

static gboolean gst_vt_h264_enc_src_event(GstVideoEncoder* enc, GstEvent* event) {
  return gst_vt_h264_enc_take_refresh(GST_VT_H264_ENC(enc), event) ||
         GST_VIDEO_ENCODER_CLASS(parent_class)->src_event(enc, event);
}

static gboolean gst_vt_h264_enc_sink_event(GstVideoEncoder* enc, GstEvent* event) {
  return gst_vt_h264_enc_take_refresh(GST_VT_H264_ENC(enc), event) ||
         GST_VIDEO_ENCODER_CLASS(parent_class)->sink_event(enc, event);
}

static void gst_vt_h264_enc_class_init(GstVtH264EncClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstVideoEncoderClass* venc_class = GST_VIDEO_ENCODER_CLASS(klass);

  gobject_class->set_property = gst_vt_h264_enc_set_property;
  gobject_class->get_property = gst_vt_h264_enc_get_property;
  gobject_class->finalize = gst_vt_h264_enc_finalize;
  gstvtc::InstallProperties(gobject_class);

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "H.264 encoder (VideoToolbox semantics, x264)", "Codec/Encoder/Video",
      "H.264 encoder with Apple VideoToolbox compression-session semantics, on x264",
      "gst-vtcompress developers");

  venc_class->start = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_start);
  venc_class->stop = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_stop);
  venc_class->set_format = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_set_format);
  venc_class->handle_frame = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_handle_frame);
  venc_class->finish = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_finish);
  venc_class->flush = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_flush);
  venc_class->propose_allocation = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_propose_allocation);
  venc_class->getcaps = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_getcaps);
  venc_class->src_event = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_src_event);
  venc_class->sink_event = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_sink_event);

  gst_type_mark_as_plugin_api(GST_TYPE_VTC_BUFFER_POOL, GstPluginAPIFlags(0));
}
