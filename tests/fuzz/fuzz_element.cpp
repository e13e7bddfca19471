// SPDX-License-Identifier: GPL-2.0-or-later
// fuzz_element: caps, buffers and events pushed through vth264enc in a GstHarness.
//
// The input picks caps (mutated from a list of valid and invalid video/x-raw caps: odd sizes,
// absurd frame rates, missing fields, wrong formats, or raw text), downstream caps, then up to
// 24 operations: buffers of random sizes (too small, exact, too large) with random timestamps,
// flags and GstVideoMeta strides, flushes, caps changes, EOS, READY <-> PLAYING, live property
// changes, force-key-unit events and buffers from the element's own proposed pool. The element
// must never crash, leak or break GLib's preconditions (criticals are fatal); errors are fine.
// After an EOS that was accepted while no error was posted, no frame may still be pending.
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <string>
#include <vector>

#include "fuzz_common.h"
#include "gstvth264enc.h"

namespace {

const char* const kCaps[] = {
    "video/x-raw,format=I420,width=32,height=32,framerate=30/1",
    "video/x-raw,format=NV12,width=33,height=17,framerate=25/1",
    "video/x-raw,format=I420,width=1,height=1,framerate=1/1",
    "video/x-raw,format=NV12,width=2,height=96,framerate=0/1",
    "video/x-raw,format=I420,width=96,height=2,framerate=2147483647/1",
    "video/x-raw,format=I420,width=16,height=16,framerate=1/2147483647",
    "video/x-raw,format=I420,width=64,height=48",
    "video/x-raw,format=NV12,width=48,height=64,framerate=30000/1001,pixel-aspect-ratio=0/1",
    "video/x-raw,format=I420,width=40,height=30,framerate=30/1,pixel-aspect-ratio=65536/3",
    "video/x-raw,format=I420,width=40,height=30,framerate=30/1,interlace-mode=interleaved",
    "video/x-raw,format=I420,width=40,height=30,framerate=30/1,colorimetry=bt2020",
    "video/x-raw,format=NV12,width=40,height=30,framerate=30/1,colorimetry=1:4:7:1",
    "video/x-raw,format=I420,width=40,height=30,framerate=30/1,chroma-site=jpeg",
    "video/x-raw,format=I420,width=16384,height=1,framerate=30/1",
    "video/x-raw,format=I420,width=16385,height=16,framerate=30/1",
    "video/x-raw,format=I420,width=0,height=16,framerate=30/1",
    "video/x-raw,format=I420,width=-4,height=16,framerate=30/1",
    "video/x-raw,format=I420,height=16,framerate=30/1",
    "video/x-raw,format=I420,width=16,framerate=30/1",
    "video/x-raw,width=16,height=16,framerate=30/1",
    "video/x-raw,format=RGB,width=16,height=16,framerate=30/1",
    "video/x-raw,format=NV21,width=16,height=16,framerate=30/1",
    "video/x-raw,format=I420_10LE,width=16,height=16,framerate=30/1",
    "video/x-raw,format=Y444,width=16,height=16,framerate=30/1",
    "video/x-raw,format=I420,width=16,height=16,framerate=-30/1",
    "video/x-raw,format=I420,width=16,height=16,framerate=30/0",
    "video/x-raw(memory:DMABuf),format=I420,width=16,height=16,framerate=30/1",
    "video/x-raw,format=I420,width=16,height=16,framerate=30/1,multiview-mode=side-by-side",
    "video/x-raw,format=I420,width=[16,32],height=16,framerate=30/1",
    "video/x-bayer,format=rggb,width=16,height=16,framerate=30/1",
    "video/x-h264,stream-format=avc",
    "ANY",
    "EMPTY",
    "",
};

const char* const kSinkCaps[] = {
    "video/x-h264,stream-format=avc,alignment=au",
    "video/x-h264,stream-format=byte-stream,alignment=au",
    "video/x-h264,profile=constrained-baseline",
    "video/x-h264,profile=main",
    "video/x-h264,profile=high,level=(string)1",
    "video/x-h264,profile=high-10",
    "video/x-h264,width=16,height=16",
    "video/x-raw",
};

std::string MutateCaps(FuzzedDataProvider& in) {
  std::string caps = in.PickValueInArray(kCaps);
  const int how = in.ConsumeIntegralInRange<int>(0, 7);
  if (how == 0) return in.ConsumeRandomLengthString(96);
  if (how == 1 || how == 2) {  // change the numbers
    std::string out;
    for (std::size_t i = 0; i < caps.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(caps[i])) &&
          in.ConsumeIntegralInRange<int>(0, 3) == 0) {
        while (i < caps.size() && std::isdigit(static_cast<unsigned char>(caps[i]))) ++i;
        --i;
        out += std::to_string(in.PickValueInArray(
            {0, 1, 2, 3, 15, 16, 17, 31, 33, 64, 95, 96, 127, 1001, 65535, 2147483647}));
      } else {
        out += caps[i];
      }
    }
    return out;
  }
  if (how == 3) {  // drop a field
    std::size_t comma = caps.find(',', in.ConsumeIntegralInRange<std::size_t>(0, caps.size()));
    if (comma != std::string::npos) {
      std::size_t end = caps.find(',', comma + 1);
      caps.erase(comma, end == std::string::npos ? std::string::npos : end - comma);
    }
  }
  return caps;
}

// gst_caps_from_string itself raises criticals on some text (a range [32,16]): GStreamer's parser
// is not under test, so criticals are not fatal while it runs.
thread_local bool g_parsing = false;  // inside ParseCaps: its criticals are not printed

GstCaps* ParseCaps(const std::string& s) {
  const GLogLevelFlags fatal =
      g_log_set_always_fatal(static_cast<GLogLevelFlags>(G_LOG_FATAL_MASK));
  g_parsing = true;
  GstCaps* caps = gst_caps_from_string(s.c_str());
  g_parsing = false;
  g_log_set_always_fatal(fatal);
  return caps;
}

// Caps the harness may set: parseable ones must not ask for pictures that cannot be allocated
// on a fuzzing machine (the element would rightly try).
bool Affordable(const std::string& s) {
  GstCaps* caps = ParseCaps(s);
  if (!caps) return true;
  bool ok = true;
  for (guint i = 0; i < gst_caps_get_size(caps); ++i) {
    gint w = 0, h = 0;
    const GstStructure* st = gst_caps_get_structure(caps, i);
    if (gst_structure_get_int(st, "width", &w) && gst_structure_get_int(st, "height", &h) &&
        gint64(w) * h > (1 << 16))
      ok = false;
  }
  gst_caps_unref(caps);
  return ok;
}

struct State {
  GstHarness* h = nullptr;
  GstBus* bus = nullptr;
  GstVideoInfo info;
  bool have_info = false;
  GstClockTime next_pts = 0;
  bool errored = false;
  bool started = false;  // stream-start sent
  bool segment = false;  // a segment is in effect
};

void PushSegment(State& s) {
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  gst_harness_push_event(s.h, gst_event_new_segment(&seg));
  s.segment = true;
}

void DrainOutputs(State& s) {
  while (GstBuffer* b = gst_harness_try_pull(s.h)) gst_buffer_unref(b);
  while (GstEvent* e = gst_harness_try_pull_event(s.h)) gst_event_unref(e);
  while (GstEvent* e = gst_harness_try_pull_upstream_event(s.h)) gst_event_unref(e);
  while (GstMessage* m = gst_bus_pop(s.bus)) {
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) s.errored = true;
    gst_message_unref(m);
  }
}

void SetCaps(State& s, std::string caps) {
  // colorimetry-enum: a colorimetry with numbers outside GStreamer's enums reaches the element as
  // out-of-range enum values (UBSan: invalid enum load).
  if (vtcfuzz::Known("colorimetry-enum")) {
    const std::size_t at = caps.find("colorimetry=");
    if (at != std::string::npos && at > 0) caps.erase(at - 1, caps.find(',', at) - (at - 1));
  }
  FUZZ_TRACE("caps \"%s\"%s", caps.c_str(), Affordable(caps) ? "" : " (too large: skipped)");
  if (!Affordable(caps)) return;
  GstCaps* c = ParseCaps(caps);
  // Only fixed caps can be an event (gst_event_new_caps insists): anything else is no input a
  // pipeline could give the element.
  // gst_harness_set_src_caps asserts that the element accepts them: push the events by hand.
  if (c && gst_caps_is_fixed(c)) {
    if (!s.started) {
      gst_harness_push_event(s.h, gst_event_new_stream_start("fuzz"));
      s.started = true;
    }
    GstVideoInfo info;
    const bool parsed = gst_video_info_from_caps(&info, c);
    // Buffers (and their video metas) follow the caps the element took; after refused caps they
    // keep the old layout, as an upstream element would.
    if (gst_harness_push_event(s.h, gst_event_new_caps(gst_caps_ref(c)))) {
      s.have_info = parsed && GST_VIDEO_INFO_SIZE(&info) <= (1 << 20);
      if (s.have_info) s.info = info;
    }
    if (!s.segment) PushSegment(s);
  }
  if (c) gst_caps_unref(c);
}

GstBuffer* MakeBuffer(FuzzedDataProvider& in, State& s) {
  gsize size = 0;
  const gsize exact = s.have_info ? GST_VIDEO_INFO_SIZE(&s.info) : 64;
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      size = 0;
      break;
    case 1:
      size = exact > 0 ? in.ConsumeIntegralInRange<gsize>(0, exact - 1) : 0;
      break;
    case 2:
      size = exact + in.ConsumeIntegralInRange<gsize>(1, 4096);
      break;
    default:
      size = exact;
  }
  GstBuffer* b = gst_buffer_new_allocate(nullptr, size, nullptr);
  if (size) gst_buffer_memset(b, 0, static_cast<guint8>(in.ConsumeIntegral<guint8>()), size);
  // A video meta with the layout the caps say, or a mangled one.
  if (s.have_info && in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    gsize offset[GST_VIDEO_MAX_PLANES] = {};
    gint stride[GST_VIDEO_MAX_PLANES] = {};
    const guint n = GST_VIDEO_INFO_N_PLANES(&s.info);
    for (guint i = 0; i < n; ++i) {
      offset[i] = GST_VIDEO_INFO_PLANE_OFFSET(&s.info, i);
      stride[i] = GST_VIDEO_INFO_PLANE_STRIDE(&s.info, i);
      switch (in.ConsumeIntegralInRange<int>(0, 5)) {
        case 0:
          stride[i] = in.PickValueInArray({0, -1, 1, -64, 65536, G_MAXINT, G_MININT});
          break;
        case 1:
          offset[i] = in.PickValueInArray<gsize>({0, 1, size, size + 1, G_MAXSIZE});
          break;
        case 2:
          stride[i] += in.ConsumeIntegralInRange<int>(-8, 8);
          break;
        default:
          break;
      }
    }
    gst_buffer_add_video_meta_full(b, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(&s.info),
                                   GST_VIDEO_INFO_WIDTH(&s.info), GST_VIDEO_INFO_HEIGHT(&s.info), n,
                                   offset, stride);
  }
  return b;
}

void Timestamp(FuzzedDataProvider& in, State& s, GstBuffer* b) {
  GstClockTime pts = s.next_pts;
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
      pts = GST_CLOCK_TIME_NONE;
      break;
    case 1:
      pts = s.next_pts > GST_SECOND ? s.next_pts - GST_SECOND : 0;
      break;
    case 2:
      pts = in.PickValueInArray<GstClockTime>(
          {0, 1, G_MAXINT64, guint64(G_MAXINT64) + 1, GST_CLOCK_TIME_NONE - 1, 1000 * GST_SECOND});
      break;
    case 3:
      pts = in.ConsumeIntegral<guint64>();
      break;
    default:
      break;
  }
  GST_BUFFER_PTS(b) = pts;
  GST_BUFFER_DTS(b) = in.ConsumeIntegralInRange<int>(0, 7) == 0 ? in.ConsumeIntegral<guint64>()
                                                                : GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_SECOND / 30;
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      duration = GST_CLOCK_TIME_NONE;
      break;
    case 1:
      duration = in.PickValueInArray<GstClockTime>({0, 1, G_MAXINT64, GST_CLOCK_TIME_NONE - 1});
      break;
    default:
      break;
  }
  GST_BUFFER_DURATION(b) = duration;
  if (GST_CLOCK_TIME_IS_VALID(pts)) {
    const GstClockTime step =
        GST_CLOCK_TIME_IS_VALID(duration) && duration > 0 && duration < GST_SECOND ? duration
                                                                                   : GST_MSECOND;
    if (pts <= G_MAXUINT64 - 2 * step) s.next_pts = pts + step;
  }
  static const GstBufferFlags kFlags[] = {GST_BUFFER_FLAG_DISCONT, GST_BUFFER_FLAG_DELTA_UNIT,
                                          GST_BUFFER_FLAG_GAP,     GST_BUFFER_FLAG_DROPPABLE,
                                          GST_BUFFER_FLAG_HEADER,  GST_BUFFER_FLAG_CORRUPTED};
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
    GST_BUFFER_FLAG_SET(b, in.PickValueInArray(kFlags));
}

void PushFromProposedPool(FuzzedDataProvider& in, State& s) {
  GstCaps* caps = gst_pad_get_current_caps(s.h->srcpad);
  if (!caps) return;
  GstQuery* q = gst_query_new_allocation(caps, TRUE);
  GstBufferPool* pool = nullptr;
  if (gst_pad_peer_query(s.h->srcpad, q) && gst_query_get_n_allocation_pools(q) > 0) {
    guint size = 0, min = 0, max = 0;
    gst_query_parse_nth_allocation_pool(q, 0, &pool, &size, &min, &max);
    if (pool) {
      GstStructure* config = gst_buffer_pool_get_config(pool);
      gst_buffer_pool_config_set_params(config, caps, size, min, max);
      gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
      if (gst_buffer_pool_set_config(pool, config) && gst_buffer_pool_set_active(pool, TRUE)) {
        const int n = in.ConsumeIntegralInRange<int>(1, 4);
        for (int i = 0; i < n; ++i) {
          GstBuffer* b = nullptr;
          if (gst_buffer_pool_acquire_buffer(pool, &b, nullptr) != GST_FLOW_OK || !b) break;
          Timestamp(in, s, b);
          gst_harness_push(s.h, b);
        }
        gst_buffer_pool_set_active(pool, FALSE);
      }
      gst_object_unref(pool);
    }
  }
  gst_query_unref(q);
  gst_caps_unref(caps);
}

void SetProperty(FuzzedDataProvider& in, State& s) {
  GstElement* e = s.h->element;
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
      g_object_set(e, "bitrate", in.PickValueInArray<guint>({0, 1, 100, 2000, 100000}), nullptr);
      break;
    case 1:
      g_object_set(e, "realtime", in.ConsumeBool(), nullptr);
      break;
    case 2:
      g_object_set(e, "max-keyframe-interval", in.ConsumeIntegralInRange<int>(0, 5), nullptr);
      break;
    case 3:
      g_object_set(e, "max-frame-delay-count", in.ConsumeIntegralInRange<int>(-1, 3), nullptr);
      break;
    case 4:
      g_object_set(e, "allow-frame-reordering", in.ConsumeBool(), nullptr);
      break;
    case 5:
      g_object_set(
          e, "data-rate-limits",
          in.PickValueInArray({"", "10000,1", "abc", "1,0", "-5,2", "100000,0.5,20,1", "1e400,1"}),
          nullptr);
      break;
    case 6:
      g_object_set(e, "quality", in.PickValueInArray({0.0, 0.5, 1.0}), nullptr);
      break;
    case 7:
      g_object_set(e, "allow-temporal-compression", in.ConsumeBool(), nullptr);
      break;
    case 8:
      g_object_set(e, "max-slice-bytes", in.PickValueInArray<guint>({0, 1, 200}), nullptr);
      break;
    default: {
      gint pending = 0;
      g_object_get(e, "pending-frames", &pending, nullptr);
      FUZZ_CHECK(pending >= -1, "pending-frames %d", pending);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Only the element under test: no system plugins, no registry in the home directory.
  g_setenv("GST_PLUGIN_SYSTEM_PATH_1_0", "", TRUE);
  g_setenv("GST_PLUGIN_PATH_1_0", "", TRUE);
  g_setenv("GST_REGISTRY_FORK", "no", TRUE);
  std::string registry = std::string(g_get_tmp_dir()) + "/vtc-fuzz-element-registry.bin";
  g_setenv("GST_REGISTRY", registry.c_str(), TRUE);
  gst_init(nullptr, nullptr);
  gst_debug_set_default_threshold(GST_LEVEL_NONE);
  // A critical is a broken precondition in GStreamer or GLib: a finding, not noise.
  g_log_set_always_fatal(static_cast<GLogLevelFlags>(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR));
  // Warnings such as "data flow before segment event" are what an input asked for; keep quiet.
  g_log_set_default_handler(
      [](const gchar* domain, GLogLevelFlags level, const gchar* message, gpointer) {
        if ((level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR) && !g_parsing) ||
            std::getenv("VTC_FUZZ_LOG"))
          g_log_default_handler(domain, level, message, nullptr);
      },
      nullptr);
  vtcfuzz::QuietLogs();
  if (!gst_element_register(nullptr, "vth264enc", GST_RANK_NONE, GST_TYPE_VT_H264_ENC)) {
    std::fprintf(stderr, "cannot register vth264enc\n");
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  State s;
  s.h = gst_harness_new("vth264enc");
  FUZZ_CHECK(s.h, "no harness");
  s.bus = gst_bus_new();
  gst_element_set_bus(s.h->element, s.bus);
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
    gst_harness_set_sink_caps_str(s.h, in.PickValueInArray(kSinkCaps));
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) SetProperty(in, s);
  if (in.ConsumeIntegralInRange<int>(0, 7) != 0) SetCaps(s, MutateCaps(in));

  bool eos = false;
  for (int op = 0; op < 24 && in.remaining_bytes() > 0; ++op) {
    const int what = in.ConsumeIntegralInRange<int>(0, 19);
    if (what <= 9) {  // a buffer
      GstBuffer* b = MakeBuffer(in, s);
      Timestamp(in, s, b);
      gst_harness_push(s.h, b);
    } else if (what == 10) {  // flush, then a new segment (or, rarely, none)
      gst_harness_push_event(s.h, gst_event_new_flush_start());
      gst_harness_push_event(s.h, gst_event_new_flush_stop(in.ConsumeBool()));
      s.segment = false;
      if (in.ConsumeIntegralInRange<int>(0, 7) != 0) PushSegment(s);
      eos = false;
    } else if (what == 11) {
      SetCaps(s, MutateCaps(in));
    } else if (what == 12) {
      const gboolean ok = gst_harness_push_event(s.h, gst_event_new_eos());
      DrainOutputs(s);
      if (ok && !eos && !s.errored && s.have_info) {
        // Frames dropped before the first output keep their record in the 1.22 base class until
        // the next flush or stop (the element cannot finish them without output caps), but they
        // were answered: their input buffer is gone. Any frame still holding one was lost.
        GList* frames = gst_video_encoder_get_frames(GST_VIDEO_ENCODER(s.h->element));
        guint pending = 0;
        for (GList* l = frames; l; l = l->next)
          pending += static_cast<GstVideoCodecFrame*>(l->data)->input_buffer != nullptr;
        g_list_free_full(frames, reinterpret_cast<GDestroyNotify>(gst_video_codec_frame_unref));
        FUZZ_CHECK(pending == 0, "%u frames still pending after EOS without an error", pending);
      }
      eos = true;
    } else if (what == 13) {  // READY <-> PLAYING
      gst_element_set_state(s.h->element, GST_STATE_READY);
      gst_element_set_state(s.h->element, GST_STATE_PLAYING);
      eos = false;
      s.errored = false;
    } else if (what == 14 || what == 15) {
      SetProperty(in, s);
    } else if (what == 16) {
      GstClockTime t = in.ConsumeBool() ? GST_CLOCK_TIME_NONE : s.next_pts;
      if (in.ConsumeBool())
        gst_harness_push_upstream_event(
            s.h, gst_video_event_new_upstream_force_key_unit(t, in.ConsumeBool(), 1));
      else
        gst_harness_push_event(
            s.h, gst_video_event_new_downstream_force_key_unit(t, t, t, in.ConsumeBool(), 1));
    } else if (what == 17) {
      PushFromProposedPool(in, s);
    } else if (what == 18) {
      gst_harness_set_sink_caps_str(s.h, in.PickValueInArray(kSinkCaps));
      gst_harness_push_upstream_event(s.h, gst_event_new_reconfigure());
    } else {
      DrainOutputs(s);
    }
  }
  DrainOutputs(s);
  // The element must go away with the harness (a leaked element keeps its session, its threads
  // and the bus's sockets).
  bool finalized = false;
  g_object_weak_ref(
      G_OBJECT(s.h->element), [](gpointer data, GObject*) { *static_cast<bool*>(data) = true; },
      &finalized);
  gst_harness_teardown(s.h);
  gst_bus_set_flushing(s.bus, TRUE);  // messages still queued hold the element
  gst_object_unref(s.bus);
  FUZZ_CHECK(finalized, "vth264enc not finalized after gst_harness_teardown");
  return 0;
}
