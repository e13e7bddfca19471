// SPDX-License-Identifier: GPL-2.0-or-later
// Encoder gst-check cases on timestamps, latency, stream continuity (caps changes, segments,
// seeks) and input buffer lifetime, split from test_vth264enc.cpp, which registers them. The
// generic ones run for every codec (VTT_CODEC); the rest are vth264enc's.
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "test_util.h"

using vtt::Enc;
using vtt::Input;

GST_START_TEST(test_latency_live_change) {
  const vtt::Codec& codec = VTT_CODEC;
  // All-intra x264 holds almost nothing; turning temporal compression on while playing needs a
  // new x264 instance with lookahead and B-frames: the latency grows, and the element says so.
  Input in;
  Enc e(codec, "allow-temporal-compression=false", in);
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(e.element(), bus);
  const GstClockTime before = vtt::QueryLatency(e.h());
  e.Push(0, 10);
  while (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_LATENCY)) gst_message_unref(m);
  g_object_set(e.element(), "allow-temporal-compression", TRUE, nullptr);
  e.Push(10, 60);
  GstMessage* latency = gst_bus_pop_filtered(bus, GST_MESSAGE_LATENCY);
  fail_unless(latency != nullptr, "no latency message after a change that altered the delay");
  gst_message_unref(latency);
  const GstClockTime after = vtt::QueryLatency(e.h());
  GST_INFO("latency %" GST_TIME_FORMAT " -> %" GST_TIME_FORMAT, GST_TIME_ARGS(before),
           GST_TIME_ARGS(after));
  fail_unless(after > before, "latency did not grow: %" GST_TIME_FORMAT " -> %" GST_TIME_FORMAT,
              GST_TIME_ARGS(before), GST_TIME_ARGS(after));
  e.Eos();
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 70);
  gst_element_set_bus(e.element(), nullptr);
  gst_object_unref(bus);
}
GST_END_TEST;

GST_START_TEST(test_resolution_change_from_zero) {
  const vtt::Codec& codec = VTT_CODEC;
  // Input from PTS 0 with B-frames: the first caps set the reorder shift (set_min_pts); a caps
  // change must keep that shift, so PTS never repeat and DTS never go back across sessions.
  Input a;
  a.start = 0;
  Input b = a;
  b.width = 352;
  b.height = 288;
  Enc e(codec, "", a, codec.Caps(true));
  e.Push(0, 20);
  e.SetInput(b);
  e.Push(20, 20);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), 40);
  vtt::CheckTimestamps(bufs);
  std::vector<GstClockTime> pts;
  for (const auto& buf : bufs) pts.push_back(buf.pts);
  std::sort(pts.begin(), pts.end());
  fail_unless(std::adjacent_find(pts.begin(), pts.end()) == pts.end(), "a PTS appears twice");
  // Evenly spaced in presentation order: the same shift for both sessions.
  for (size_t i = 1; i < pts.size(); i++) {
    const GstClockTime step = pts[i] - pts[i - 1];
    fail_unless(step + 2 >= a.Duration() && step <= a.Duration() + 2,
                "PTS step %" GST_TIME_FORMAT " at frame %zu", GST_TIME_ARGS(step), i);
  }
}
GST_END_TEST;

GST_START_TEST(test_timestamps_restart_without_flush) {
  const vtt::Codec& codec = VTT_CODEC;
  // A new segment whose PTS start again (concat, playlists) without a flush: nothing is lost,
  // the element starts a new stream.
  Input in;
  Enc e(codec, "", in);
  e.Push(0, 30);
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  seg.base = 2 * GST_SECOND;
  fail_unless(gst_harness_push_event(e.h(), gst_event_new_segment(&seg)));
  e.Push(0, 30);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), 60);
  int keyframes = 0;
  for (const auto& buf : bufs) keyframes += buf.keyframe();
  fail_unless(keyframes >= 2, "the second stream does not start with a key frame");
  vtt::CheckRunningTimestamps(bufs);
}
GST_END_TEST;

GST_START_TEST(test_timestamps_restart_in_a_close_segment) {
  const vtt::Codec& codec = VTT_CODEC;
  // The new segment's running time starts a fraction of a frame after the last PTS: the new
  // session's first DTS (its PTS minus the reorder delay) would fall before DTS already pushed.
  // In running time DTS must never decrease (muxers refuse that) nor pass the PTS.
  for (int frames : {30, 31, 32}) {
    Input in;
    // The first stream without B-frames ends with DTS = PTS; the second, with them, starts its
    // DTS two frames before its PTS.
    Enc e(codec, "allow-frame-reordering=false", in);
    e.Push(0, frames);
    g_object_set(e.element(), "allow-frame-reordering", TRUE, nullptr);
    GstSegment seg;
    gst_segment_init(&seg, GST_FORMAT_TIME);
    // Frame 0 of the second run (PTS = in.start) lands 1/4 frame after the last frame's PTS.
    seg.base = in.Pts(frames - 1) + in.Duration() / 4 - in.start;
    fail_unless(gst_harness_push_event(e.h(), gst_event_new_segment(&seg)));
    e.Push(0, 30);
    e.Eos();
    auto bufs = e.rec().Buffers();
    fail_unless_equals_int(static_cast<int>(bufs.size()), frames + 30);
    vtt::CheckRunningTimestamps(bufs);
  }
}
GST_END_TEST;

GST_START_TEST(test_timestamps_back_in_one_segment_are_dropped) {
  const vtt::Codec& codec = VTT_CODEC;
  // PTS that go back in the same segment (a source that rewinds without a flush) cannot get a DTS
  // that is both <= PTS and >= the DTS already pushed: they are dropped with one warning and a
  // QoS message each, until the PTS pass the last one; the stream goes on without a new IDR.
  Input in;
  Enc e(codec, "", in);
  vtt::BusWatch bus(e.element());
  e.Push(0, 30);
  e.Push(10, 30);  // frames 10..29 again, then 30..39
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), 40);
  vtt::CheckTimestamps(bufs);
  std::vector<GstClockTime> pts;
  for (const auto& b : bufs) pts.push_back(b.pts);
  std::sort(pts.begin(), pts.end());
  for (size_t i = 0; i < pts.size(); i++)
    fail_unless_equals_int(in.IndexOf(pts[i]), static_cast<int>(i));
  bus.Collect();
  fail_unless_equals_int(static_cast<int>(bus.warnings.size()), 1);
  fail_unless_equals_int(bus.qos, 20);
}
GST_END_TEST;

GST_START_TEST(test_full_range_i420) {
  // Full-range I420 (jpegdec output) must say so in the VUI, as NV12 does.
  for (const char* format : {"I420", "NV12"}) {
    Input in;
    in.format = std::string(format) == "I420" ? GST_VIDEO_FORMAT_I420 : GST_VIDEO_FORMAT_NV12;
    GstHarness* h = gst_harness_new_parse("vth264enc");
    std::string caps = std::string("video/x-raw,format=") + format +
                       ",width=320,height=240,framerate=30/1,colorimetry=(string)1:4:0:0";
    gst_harness_set_src_caps_str(h, caps.c_str());
    gst_harness_set_sink_caps_str(h, "video/x-h264,stream-format=byte-stream");
    GstVideoInfo info;
    GstCaps* c = gst_caps_from_string(caps.c_str());
    fail_unless(gst_video_info_from_caps(&info, c));
    gst_caps_unref(c);
    for (int i = 0; i < 3; i++) {
      GstBuffer* buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
      vtt::FillBuffer(buf, info, i, 2);
      GST_BUFFER_PTS(buf) = GST_SECOND + i * GST_SECOND / 30;
      GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
      fail_unless_equals_int(gst_harness_push(h, buf), GST_FLOW_OK);
    }
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    // Write the stream out and ask ffprobe what it says about the range.
    GstBuffer* out = gst_harness_pull(h);
    GstMapInfo map;
    gst_buffer_map(out, &map, GST_MAP_READ);
    gchar* path = g_build_filename(g_get_tmp_dir(), "vth264enc-range.h264", nullptr);
    fail_unless(g_file_set_contents(path, reinterpret_cast<const gchar*>(map.data),
                                    gssize(map.size), nullptr));
    gst_buffer_unmap(out, &map);
    gst_buffer_unref(out);
    const gchar* ffprobe = g_getenv("VTC_FFPROBE") ? g_getenv("VTC_FFPROBE") : "ffprobe";
    gchar* argv[] = {const_cast<gchar*>(ffprobe),
                     const_cast<gchar*>("-v"),
                     const_cast<gchar*>("error"),
                     const_cast<gchar*>("-show_entries"),
                     const_cast<gchar*>("stream=color_range"),
                     const_cast<gchar*>("-of"),
                     const_cast<gchar*>("csv=p=0"),
                     path,
                     nullptr};
    gchar* stdout_text = nullptr;
    gint status = 0;
    fail_unless(g_spawn_sync(nullptr, argv, nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr,
                             &stdout_text, nullptr, &status, nullptr));
    fail_unless(g_strstr_len(stdout_text, -1, "pc") != nullptr,
                "%s full range: ffprobe says color_range=%s", format, stdout_text);
    g_free(stdout_text);
    g_unlink(path);
    g_free(path);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

GST_START_TEST(test_flushing_seek_with_own_pool) {
  const vtt::Codec& codec = VTT_CODEC;
  // A flushing seek while upstream allocates from the element's pool: the stream goes on.
  const std::string launch =
      "videotestsrc is-live=false ! video/x-raw,width=320,height=240,framerate=30/1 ! " +
      std::string(codec.element) + " name=enc ! fakesink name=sink sync=false";
  GstElement* pipeline = gst_parse_launch(launch.c_str(), nullptr);
  fail_unless(pipeline != nullptr);
  std::atomic<int> count{0};
  vtt::CountBuffers(pipeline, "sink", "sink", &count);
  fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstBus* bus = gst_element_get_bus(pipeline);
  auto wait_for = [&](int n) {
    for (int i = 0; i < 600 && count.load() < n; i++) {
      GstMessage* m = gst_bus_timed_pop_filtered(bus, 50 * GST_MSECOND, GST_MESSAGE_ERROR);
      if (m) {
        GError* err = nullptr;
        gst_message_parse_error(m, &err, nullptr);
        fail("pipeline error: %s", err->message);
      }
    }
    return count.load() >= n;
  };
  fail_unless(wait_for(20), "no output before the seek");
  fail_unless(
      gst_element_seek_simple(pipeline, GST_FORMAT_TIME, GstSeekFlags(GST_SEEK_FLAG_FLUSH), 0));
  const int after_seek = count.load();
  fail_unless(wait_for(after_seek + 40), "the stream stopped after a flushing seek (%d buffers)",
              count.load() - after_seek);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
}
GST_END_TEST;

// Input buffers go back upstream once x264 has copied them: each is freed before its own frame
// comes out (with B-frames and lookahead, x264 holds many frames), where x264enc keeps every
// frame in its delay. The frame's metas still reach the output.
struct FreedLog {
  Enc* enc = nullptr;
  std::mutex mu;
  std::vector<int> outputs_seen;  // per input frame: outputs when it was freed (-1: not freed)
  int freed = 0;
};
struct FreedTag {
  FreedLog* log;
  int index;
};

static void on_input_freed(gpointer data, GstMiniObject*) {
  auto* tag = static_cast<FreedTag*>(data);
  const int seen = int(tag->log->enc->rec().NumBuffers());
  std::lock_guard<std::mutex> lock(tag->log->mu);
  tag->log->outputs_seen[tag->index] = seen;
  tag->log->freed++;
  delete tag;
}

GST_START_TEST(test_input_freed_before_its_output_metas_kept) {
  constexpr int kFrames = 40;
  Input in;
  Enc e("speed-preset=veryfast", in);  // B-frames and a 10-frame lookahead: a long delay
  FreedLog log;
  log.enc = &e;
  log.outputs_seen.assign(kFrames, -1);
  GstCaps* ref_caps = gst_caps_new_empty_simple("timestamp/x-vtc-test");
  for (int i = 0; i < kFrames; ++i) {
    GstBuffer* buf = vtt::MakeFrame(in, i);
    gst_buffer_add_reference_timestamp_meta(buf, ref_caps, GstClockTime(i) * GST_MSECOND,
                                            GST_CLOCK_TIME_NONE);
    gst_mini_object_weak_ref(GST_MINI_OBJECT(buf), on_input_freed, new FreedTag{&log, i});
    e.PushBuffer(buf);
    // Held: the session's queue (3) and the frame in x264's encode call, whatever x264's delay.
    std::lock_guard<std::mutex> lock(log.mu);
    fail_unless(i + 1 - log.freed <= 5, "%d input buffers alive after pushing frame %d",
                i + 1 - log.freed, i);
  }
  e.Eos();
  const std::vector<vtt::OutBuf> outs = e.rec().Buffers();
  fail_unless_equals_int(int(outs.size()), kFrames);
  {
    std::lock_guard<std::mutex> lock(log.mu);
    for (size_t j = 0; j < outs.size(); ++j) {
      const int i = in.IndexOf(outs[j].pts);
      fail_unless(i >= 0, "output %zu has an unknown PTS", j);
      fail_unless(log.outputs_seen[i] >= 0, "input %d was never freed", i);
      fail_unless(log.outputs_seen[i] <= int(j),
                  "input %d was held until after its output (%d outputs seen, its own is #%zu)", i,
                  log.outputs_seen[i], j);
    }
  }
  for (int j = 0; j < kFrames; ++j) {
    GstBuffer* out = gst_harness_pull(e.h());
    fail_unless(out != nullptr);
    GstReferenceTimestampMeta* meta = gst_buffer_get_reference_timestamp_meta(out, ref_caps);
    fail_unless(meta != nullptr, "output %d lost the input's reference timestamp meta", j);
    fail_unless_equals_uint64(meta->timestamp,
                              GstClockTime(in.IndexOf(GST_BUFFER_PTS(out))) * GST_MSECOND);
    gst_buffer_unref(out);
  }
  gst_caps_unref(ref_caps);
}
GST_END_TEST;

// Upstream on the element's pool with 2 buffers, far fewer than x264's delay (veryfast:
// lookahead, B-frames and frame threads hold about 14 frames): inputs go back to the pool once
// x264 has copied them, so the stream runs to EOS. Holding them until their output left upstream
// waiting for a buffer that only more input could free (a stall, with any max below the delay).
GST_START_TEST(test_small_own_pool_below_the_delay) {
  GstElement* pipeline = gst_parse_launch(
      "videotestsrc num-buffers=60 ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 "
      "! vth264enc name=enc speed-preset=veryfast pool-max-buffers=2 ! fakesink name=sink",
      nullptr);
  fail_unless(pipeline != nullptr);
  GstElement* enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
  GstPad* enc_sink = gst_element_get_static_pad(enc, "sink");
  std::atomic<int> from_own_pool{0};
  gst_pad_add_probe(
      enc_sink, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
        if (b->pool && g_strcmp0(G_OBJECT_TYPE_NAME(b->pool), "GstVtcBufferPool") == 0)
          ++*static_cast<std::atomic<int>*>(data);
        return GST_PAD_PROBE_OK;
      },
      &from_own_pool, nullptr);
  gst_object_unref(enc_sink);
  gst_object_unref(enc);
  std::atomic<int> out{0};
  vtt::CountBuffers(pipeline, "sink", "sink", &out);
  // A stall (upstream waiting for a pool buffer) fails inside PlayToEnd.
  const std::vector<vtt::ErrorText> errors = vtt::PlayToEnd(pipeline);
  fail_unless(errors.empty(), "pipeline error: %s",
              errors.empty() ? "" : errors[0].message.c_str());
  gst_object_unref(pipeline);
  fail_unless_equals_int(from_own_pool.load(), 60);
  fail_unless_equals_int(out.load(), 60);
}
GST_END_TEST;

const std::vector<vtt::CaseEntry>& vtt::StreamCases() {
  static const std::vector<vtt::CaseEntry> cases = {
      VTT_GENERIC_CASE(test_latency_live_change),
      VTT_GENERIC_CASE(test_resolution_change_from_zero),
      VTT_GENERIC_CASE(test_timestamps_restart_without_flush),
      VTT_GENERIC_CASE(test_timestamps_restart_in_a_close_segment),
      VTT_GENERIC_CASE(test_timestamps_back_in_one_segment_are_dropped),
      VTT_CASE(test_full_range_i420),
      VTT_GENERIC_CASE(test_flushing_seek_with_own_pool),
      VTT_CASE(test_input_freed_before_its_output_metas_kept),
      VTT_CASE(test_small_own_pool_below_the_delay),
  };
  return cases;
}
