// SPDX-License-Identifier: GPL-2.0-or-later
// vtc-call: the sending side of a video call, as a GStreamer application.
//
//   appsrc (frames the application draws itself, in buffers from the encoder's own pool)
//     ! vth264enc realtime=true (or vth265enc)
//     ! appsink (byte-stream access units; written to a file with -o)
//
// While it runs it does what a call application does when the network or the receiver asks:
//   - every --step frames it sets a new `bitrate` on the running encoder (a congestion
//     controller's new estimate);
//   - every --key-every frames it sends a force-key-unit event upstream into the encoder's source
//     pad: what a receiver's picture loss indication (PLI) becomes once rtpsession and
//     rtph264pay have passed it upstream.
// At the end it prints frames in and out, the key frames requested and seen, and each bitrate
// step's target next to the rate measured on the encoder's output.
//
//   vtc-call [--frames N] [--width W --height H] [--codec h264|h265] [-o OUT.h264]

#include <gst/app/app.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace {

// --- command line --------------------------------------------------------------------------------

struct Options {
  int frames = 300;
  int width = 640;
  int height = 360;
  int fps = 30;
  int step = 60;       // frames per bitrate step
  int key_every = 90;  // frames between key frame requests; 0: never
  gchar* codec = nullptr;
  gchar* bitrates = nullptr;  // comma-separated kbit/s, one per step, repeated
  gchar* output = nullptr;
};

bool ParseOptions(int* argc, char*** argv, Options* o, std::vector<guint>* kbps) {
  const GOptionEntry entries[] = {
      {"frames", 'n', 0, G_OPTION_ARG_INT, &o->frames, "Frames to send (default 300)", "N"},
      {"width", 'W', 0, G_OPTION_ARG_INT, &o->width, "Picture width (default 640)", "W"},
      {"height", 'H', 0, G_OPTION_ARG_INT, &o->height, "Picture height (default 360)", "H"},
      {"fps", 0, 0, G_OPTION_ARG_INT, &o->fps, "Frames per second (default 30)", "N"},
      {"codec", 'c', 0, G_OPTION_ARG_STRING, &o->codec, "h264 (default) or h265", "CODEC"},
      {"step", 0, 0, G_OPTION_ARG_INT, &o->step, "Frames per bitrate step (default 60)", "N"},
      {"bitrates", 'b', 0, G_OPTION_ARG_STRING, &o->bitrates,
       "Target of each step in kbit/s, repeated (default 800,400,1600,200)", "LIST"},
      {"key-every", 'k', 0, G_OPTION_ARG_INT, &o->key_every,
       "Request a key frame every N frames (default 90; 0: never)", "N"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output, "Write the stream to FILE", "FILE"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  GOptionContext* ctx = g_option_context_new("- a video call's sender through vth264enc");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  GError* err = nullptr;
  const bool parsed = g_option_context_parse(ctx, argc, argv, &err);
  g_option_context_free(ctx);
  if (!parsed) {
    g_printerr("vtc-call: %s (--help lists the options)\n", err->message);
    g_error_free(err);
    return false;
  }
  if (!o->codec) o->codec = g_strdup("h264");
  if (std::strcmp(o->codec, "h264") != 0 && std::strcmp(o->codec, "h265") != 0) {
    g_printerr("vtc-call: --codec must be h264 or h265, not '%s'\n", o->codec);
    return false;
  }
  if (o->frames < 1 || o->width < 16 || o->height < 16 || o->fps < 1 || o->step < 1 ||
      o->key_every < 0) {
    g_printerr("vtc-call: --frames, --fps, --step must be >= 1, the size >= 16x16\n");
    return false;
  }
  gchar** parts = g_strsplit(o->bitrates ? o->bitrates : "800,400,1600,200", ",", -1);
  for (gchar** p = parts; *p; ++p) {
    gchar* end = nullptr;
    const guint64 v = g_ascii_strtoull(*p, &end, 10);
    if (end == *p || *end != '\0' || v == 0 || v > 1000000) {
      g_printerr("vtc-call: bad bitrate '%s' in --bitrates (kbit/s, 1..1000000)\n", *p);
      g_strfreev(parts);
      return false;
    }
    kbps->push_back(guint(v));
  }
  g_strfreev(parts);
  return !kbps->empty();
}

// --- what the appsink sees (streaming thread) and the main thread reads at the end ---------------

struct Call {
  Options opt;
  std::vector<guint> kbps;  // --bitrates
  FILE* out = nullptr;

  std::mutex lock;  // guards what follows: written by appsink's callback
  guint frames_out = 0;
  std::vector<guint64> step_bytes;  // per bitrate step, by the output frames' timestamps
  std::vector<guint64> keyframes;   // frame numbers of the key frames seen
  bool negotiated = false;          // appsrc asked for its first frame: caps and pool are set
  std::condition_variable negotiated_cond;

  guint64 FrameOf(GstClockTime pts) const {
    return gst_util_uint64_scale_round(pts, guint64(opt.fps), GST_SECOND);
  }
};

GstFlowReturn OnSample(GstAppSink* sink, gpointer data) {
  auto* call = static_cast<Call*>(data);
  GstSample* sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_EOS;
  GstBuffer* buf = gst_sample_get_buffer(sample);
  GstMapInfo map;
  if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
    if (call->out) std::fwrite(map.data, 1, map.size, call->out);
    const guint64 frame = call->FrameOf(GST_BUFFER_PTS(buf));
    std::lock_guard<std::mutex> l(call->lock);
    call->frames_out++;
    const std::size_t step = std::size_t(frame / guint64(call->opt.step));
    if (step < call->step_bytes.size()) call->step_bytes[step] += map.size;
    if (!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT)) call->keyframes.push_back(frame);
    gst_buffer_unmap(buf, &map);
  }
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

// appsrc asks for data from its streaming thread once it has sent its caps downstream (appsrc
// 1.22 sends the caps property's caps with its first request for data): from then on the encoder
// has a session and proposes its pool in the ALLOCATION query.
void OnNeedData(GstAppSrc*, guint, gpointer data) {
  auto* call = static_cast<Call*>(data);
  std::lock_guard<std::mutex> l(call->lock);
  call->negotiated = true;
  call->negotiated_cond.notify_all();
}

// The pool the encoder proposes, configured for `caps` and active. appsrc never asks for one
// (it pushes the application's buffers), so the application runs the ALLOCATION query itself on
// appsrc's peer, the encoder's sink pad, as an upstream element would.
GstBufferPool* EncoderPool(GstElement* appsrc, GstCaps* caps) {
  GstPad* pad = gst_element_get_static_pad(appsrc, "src");
  GstQuery* query = gst_query_new_allocation(caps, TRUE);
  GstBufferPool* pool = nullptr;
  guint size = 0, min = 0, max = 0;
  if (gst_pad_peer_query(pad, query) && gst_query_get_n_allocation_pools(query) > 0)
    gst_query_parse_nth_allocation_pool(query, 0, &pool, &size, &min, &max);
  gst_query_unref(query);
  gst_object_unref(pad);
  if (!pool) return nullptr;
  GstStructure* config = gst_buffer_pool_get_config(pool);
  gst_buffer_pool_config_set_params(config, caps, size, min, max);
  gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  // A pool may adjust the configuration (its own strides and size): take what it answers.
  if (!gst_buffer_pool_set_config(pool, config) &&
      !gst_buffer_pool_set_config(pool, gst_buffer_pool_get_config(pool))) {
    gst_object_unref(pool);
    return nullptr;
  }
  if (!gst_buffer_pool_set_active(pool, TRUE)) {
    gst_object_unref(pool);
    return nullptr;
  }
  return pool;
}

// --- drawing -------------------------------------------------------------------------------------

// A moving pattern with some noise, so the encoder has something to spend its bits on. Works for
// any 8-bit YUV layout through the frame's component strides (the pool's buffers may be padded).
void Draw(GstVideoFrame* f, int n) {
  guint32 seed = 0x9e3779b9u * guint32(n + 1);
  for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(f); c++) {
    guint8* base = static_cast<guint8*>(GST_VIDEO_FRAME_COMP_DATA(f, c));
    const int stride = GST_VIDEO_FRAME_COMP_STRIDE(f, c);
    const int pstride = GST_VIDEO_FRAME_COMP_PSTRIDE(f, c);
    for (int y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(f, c); y++) {
      guint8* p = base + y * stride;
      for (int x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH(f, c); x++, p += pstride) {
        seed = seed * 1664525u + 1013904223u;
        const int noise = int(seed >> 27) - 16;  // -16..15
        const int v = c == 0 ? ((x + 4 * n) ^ (y + 2 * n)) & 0xff : 128 + ((x + y + n) & 0x3f) - 32;
        *p = guint8(CLAMP(v + noise, 16, 235));
      }
    }
  }
}

// Waits on the pipeline's clock until running time `t` (a live source sends frames when they
// happen, not as fast as it can).
void WaitUntil(GstElement* pipeline, GstClockTime t) {
  GstClock* clock = gst_element_get_clock(pipeline);
  if (!clock) return;
  GstClockID id = gst_clock_new_single_shot_id(clock, gst_element_get_base_time(pipeline) + t);
  gst_clock_id_wait(id, nullptr);
  gst_clock_id_unref(id);
  gst_object_unref(clock);
}

// The first error on the bus, or "" (non-blocking).
std::string BusError(GstElement* pipeline, GstClockTime timeout) {
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* m =
      gst_bus_timed_pop_filtered(bus, timeout, GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
  gst_object_unref(bus);
  std::string what;
  if (m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError* err = nullptr;
    gst_message_parse_error(m, &err, nullptr);
    what = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(m))) + ": " + err->message;
    g_error_free(err);
  }
  if (m) gst_message_unref(m);
  return what;
}

int Fail(GstElement* pipeline, const std::string& why) {
  g_printerr("vtc-call: %s\n", why.c_str());
  if (pipeline) {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Call call;
  Options& opt = call.opt;
  if (!ParseOptions(&argc, &argv, &opt, &call.kbps)) return 2;
  gst_init(&argc, &argv);

  const bool h265 = std::strcmp(opt.codec, "h265") == 0;
  const char* encoder = h265 ? "vth265enc" : "vth264enc";
  gchar* desc = g_strdup_printf(
      "appsrc name=src is-live=true format=time caps=video/x-raw,format=I420,width=%d,height=%d,"
      "framerate=%d/1 ! %s name=enc realtime=true bitrate=%u ! "
      "video/x-%s,stream-format=byte-stream,alignment=au ! appsink name=sink sync=false",
      opt.width, opt.height, opt.fps, encoder, call.kbps[0], h265 ? "h265" : "h264");
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(desc, &err);
  g_free(desc);
  if (!pipeline || err) {
    std::string why = err ? err->message : "cannot build the pipeline";
    g_clear_error(&err);
    return Fail(pipeline, why);
  }
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstElement* enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");

  if (opt.output && !(call.out = std::fopen(opt.output, "wb")))
    return Fail(pipeline, std::string("cannot write ") + opt.output);
  const int steps = (opt.frames + opt.step - 1) / opt.step;
  call.step_bytes.assign(std::size_t(steps), 0);

  GstAppSinkCallbacks sink_cb = {};
  sink_cb.new_sample = OnSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &sink_cb, &call, nullptr);
  GstAppSrcCallbacks src_cb = {};
  src_cb.need_data = OnNeedData;
  gst_app_src_set_callbacks(GST_APP_SRC(src), &src_cb, &call, nullptr);

  gst_element_set_state(pipeline, GST_STATE_PLAYING);

  // Frames are drawn into the encoder's own buffers (no copy on the way in), from its pool.
  {
    std::unique_lock<std::mutex> l(call.lock);
    if (!call.negotiated_cond.wait_for(l, std::chrono::seconds(10),
                                       [&] { return call.negotiated; })) {
      l.unlock();
      const std::string why = BusError(pipeline, 0);
      return Fail(pipeline, why.empty() ? "appsrc did not start" : why);
    }
  }
  GstVideoInfo info;
  GstCaps* caps = gst_app_src_get_caps(GST_APP_SRC(src));
  gst_video_info_from_caps(&info, caps);
  GstBufferPool* pool = EncoderPool(src, caps);
  gst_caps_unref(caps);
  if (!pool) return Fail(pipeline, std::string(encoder) + " proposed no usable buffer pool");
  g_print("%s realtime=true, %dx%d at %d fps, %d frames; input buffers from %s\n", encoder,
          opt.width, opt.height, opt.fps, opt.frames, G_OBJECT_TYPE_NAME(pool));

  GstPad* enc_src = gst_element_get_static_pad(enc, "src");
  const GstClockTime frame_duration = gst_util_uint64_scale_int(GST_SECOND, 1, opt.fps);
  std::vector<int> requests;

  for (int n = 0; n < opt.frames; n++) {
    const GstClockTime pts = gst_util_uint64_scale_int(GST_SECOND, n, opt.fps);
    WaitUntil(pipeline, pts);  // the camera's next picture
    if (n > 0 && n % opt.step == 0) {
      // The congestion controller's new estimate: applied from the next frame, no restart.
      g_object_set(enc, "bitrate", call.kbps[std::size_t(n / opt.step) % call.kbps.size()],
                   nullptr);
    }
    if (opt.key_every > 0 && n > 0 && n % opt.key_every == 0) {
      // A receiver lost a picture: ask for a key frame (with SPS/PPS) as rtph264pay would.
      gst_pad_send_event(enc_src, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE,
                                                                              TRUE, guint(n)));
      requests.push_back(n);
    }

    GstBuffer* buf = nullptr;  // blocks while the encoder still holds every buffer of the pool
    if (gst_buffer_pool_acquire_buffer(pool, &buf, nullptr) != GST_FLOW_OK) break;
    GstVideoFrame frame;
    if (gst_video_frame_map(&frame, &info, buf, GST_MAP_WRITE)) {  // follows the pool's strides
      Draw(&frame, n);
      gst_video_frame_unmap(&frame);
    }
    GST_BUFFER_PTS(buf) = pts;
    GST_BUFFER_DURATION(buf) = frame_duration;
    if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK) break;  // takes buf
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  const std::string error = BusError(pipeline, GST_CLOCK_TIME_NONE);  // waits for EOS or error
  guint64 dropped = 0;
  g_object_get(enc, "frames-dropped", &dropped, nullptr);
  gst_buffer_pool_set_active(pool, FALSE);
  gst_object_unref(pool);
  gst_object_unref(enc_src);
  gst_object_unref(src);
  gst_object_unref(enc);
  gst_object_unref(sink);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  if (call.out) std::fclose(call.out);
  if (!error.empty()) return Fail(nullptr, error);

  // The report. Each step's rate: its bytes over its duration (frames / fps).
  g_print("frames: %d in, %u out, %" G_GUINT64_FORMAT " dropped by the encoder\n", opt.frames,
          call.frames_out, dropped);
  g_print("key frames requested: %zu (at", requests.size());
  for (int r : requests) g_print(" %d", r);
  g_print(")\nkey frames seen: %zu (at", call.keyframes.size());
  for (guint64 k : call.keyframes) g_print(" %" G_GUINT64_FORMAT, k);
  g_print(")\nbitrate steps:\n");
  for (int s = 0; s < steps; s++) {
    const int first = s * opt.step, last = MIN(opt.frames, first + opt.step) - 1;
    const double seconds = double(last - first + 1) / opt.fps;
    g_print("  frames %4d-%-4d target %5u kbit/s, measured %6.0f kbit/s\n", first, last,
            call.kbps[std::size_t(s) % call.kbps.size()],
            double(call.step_bytes[std::size_t(s)]) * 8 / seconds / 1000);
  }
  if (opt.output) g_print("output: %s (%s byte-stream)\n", opt.output, h265 ? "H.265" : "H.264");
  g_free(opt.codec);
  g_free(opt.bitrates);
  g_free(opt.output);
  return 0;
}
