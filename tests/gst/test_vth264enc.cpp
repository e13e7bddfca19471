// SPDX-License-Identifier: GPL-2.0-or-later
// GstHarness tests for the encoder elements (docs/element.md): the generic cases
// (VTT_GENERIC_CASE) run for every codec in vtt::Codecs(), the others are vth264enc's. One binary;
// meson runs each case on its own with GST_CHECKS=<case> (the lists in tests/gst/meson.build must
// match the cases registered below).

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "h264_bits.h"
#include "test_util.h"

using vtt::Enc;
using vtt::Input;
using vtt::OutBuf;
using vtt::Small;

namespace {

// Lowest luma PSNR accepted for a decoded picture at default settings (a misread stride or plane
// gives far less).
constexpr double kMinPsnr = 28.0;

// The SPS from an avc caps' codec_data.
h264::Sps SpsFromCaps(GstCaps* caps) {
  std::vector<uint8_t> cd;
  fail_unless(vtt::CapsCodecData(caps, &cd), "no codec_data in %s",
              vtt::CapsToString(caps).c_str());
  h264::AvcC avcc;
  fail_unless(h264::ParseAvcC(cd.data(), cd.size(), &avcc), "malformed avcC");
  fail_unless(!avcc.sps.empty(), "avcC without SPS");
  h264::Sps sps;
  fail_unless(h264::ParseSps(avcc.sps[0].bytes, &sps), "cannot parse the SPS in avcC");
  return sps;
}

h264::Pps PpsFromCaps(GstCaps* caps) {
  std::vector<uint8_t> cd;
  fail_unless(vtt::CapsCodecData(caps, &cd), "no codec_data");
  h264::AvcC avcc;
  fail_unless(h264::ParseAvcC(cd.data(), cd.size(), &avcc), "malformed avcC");
  fail_unless(!avcc.pps.empty(), "avcC without PPS");
  h264::Pps pps;
  fail_unless(h264::ParsePps(avcc.pps[0].bytes, &pps), "cannot parse the PPS in avcC");
  return pps;
}

GstCaps* LastCaps(Enc& e) {
  auto caps = e.rec().Caps();
  fail_unless(!caps.empty(), "no caps were pushed");
  return caps.back();
}

// Output PTS, sorted, must be exactly the input PTS of frames [0, n).
void CheckPtsSet(const std::vector<OutBuf>& bufs, const Input& in, int n) {
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  std::vector<GstClockTime> pts;
  for (const auto& b : bufs) pts.push_back(b.pts);
  std::sort(pts.begin(), pts.end());
  for (int i = 0; i < n; i++) {
    fail_unless(pts[i] == in.Pts(i),
                "sorted output PTS #%d is %" GST_TIME_FORMAT ", input PTS %" GST_TIME_FORMAT, i,
                GST_TIME_ARGS(pts[i]), GST_TIME_ARGS(in.Pts(i)));
  }
}

// Builds videotestsrc ! <element> PROP=VALUE ! fakesink and expects the change to PAUSED to
// fail, with an ERROR message from the element on the bus.
void ExpectStartFailure(const vtt::Codec& codec, const char* prop, const char* value) {
  gchar* desc = g_strdup_printf(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=64,framerate=30/1 ! "
      "%s name=enc %s=%s ! fakesink",
      codec.element, prop, value);
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(desc, &error);
  fail_unless(pipeline != nullptr && error == nullptr, "cannot build %s", desc);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstStateChangeReturn ret = gst_element_set_state(pipeline, GST_STATE_PAUSED);
  if (ret == GST_STATE_CHANGE_ASYNC) {
    ret = gst_element_get_state(pipeline, nullptr, nullptr, 10 * GST_SECOND);
  }
  fail_unless(ret == GST_STATE_CHANGE_FAILURE, "%s=%s: the change to PAUSED returned %s", prop,
              value, gst_element_state_change_return_get_name(ret));
  // The bin may commit the failure before the messages reach the bus: wait for the one from the
  // encoder (the source posts its own "streaming stopped" error after it).
  bool from_enc = false;
  while (GstMessage* msg = gst_bus_timed_pop_filtered(bus, 5 * GST_SECOND, GST_MESSAGE_ERROR)) {
    GError* err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    GST_INFO("%s=%s: error from %s: '%s'", prop, value, GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
             err->message);
    from_enc = g_str_equal(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "enc");
    g_error_free(err);
    gst_message_unref(msg);
    if (from_enc) break;
  }
  fail_unless(from_enc, "%s=%s: state change failed without an ERROR message from %s", prop, value,
              codec.element);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
  g_free(desc);
}

}  // namespace

// --- basics ---------------------------------------------------------------------------------

GST_START_TEST(test_encode_simple) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;  // 320x240 I420 @30, PTS from 1 s
  const int n = 30;
  Enc e(codec, "", in, codec.Caps(true));
  e.Push(0, n);
  e.Eos();
  auto bufs = e.rec().Buffers();
  CheckPtsSet(bufs, in, n);
  vtt::CheckTimestamps(bufs);

  GstCaps* caps = LastCaps(e);
  vtt::ExpectField(caps, "stream-format", codec.packetized);
  vtt::ExpectField(caps, "alignment", "au");
  fail_unless_equals_int(vtt::CapsInt(caps, "width"), 320);
  fail_unless_equals_int(vtt::CapsInt(caps, "height"), 240);
  std::vector<uint8_t> cd;
  fail_unless(vtt::CapsCodecData(caps, &cd), "no codec_data");
  if (&codec == &vtt::H264()) {
    fail_unless(cd.size() > 7 && cd[0] == 1, "codec_data is not avcC version 1");
    h264::AvcC avcc;
    fail_unless(h264::ParseAvcC(cd.data(), cd.size(), &avcc), "malformed avcC");
    fail_unless_equals_int(avcc.length_size, 4);
    fail_unless_equals_int(static_cast<int>(avcc.sps.size()), 1);
    fail_unless_equals_int(static_cast<int>(avcc.pps.size()), 1);
    h264::Sps sps = SpsFromCaps(caps);
    fail_unless_equals_int(sps.width, 320);
    fail_unless_equals_int(sps.height, 240);
  }

  fail_unless(bufs[0].keyframe(), "first buffer is not a key frame");
  fail_unless(bufs[0].flags & GST_BUFFER_FLAG_DISCONT, "first buffer not DISCONT");
  for (size_t i = 0; i < bufs.size(); i++) {
    auto nals = vtt::SplitOrFail(codec, bufs[i], true);
    fail_unless(!vtt::HasAnyParameterSet(codec, nals),
                "%s buffer %zu carries parameter sets in band", codec.packetized, i);
    fail_unless_equals_int(vtt::HasKeyNal(codec, nals), bufs[i].keyframe());
    bool slice = false;
    for (const auto& nal : nals) slice |= codec.is_slice_nal(nal.type);
    fail_unless(slice, "buffer %zu holds no coded slice", i);
    fail_unless(GST_CLOCK_TIME_IS_VALID(bufs[i].duration), "buffer %zu has no duration", i);
  }
  int decoded = 0;
  double psnr = vtt::MinLumaPsnr(codec, bufs, caps, in, &decoded);
  fail_unless_equals_int(decoded, n);
  fail_unless(psnr > kMinPsnr, "luma PSNR %.1f dB", psnr);
}
GST_END_TEST;

GST_START_TEST(test_timestamps_from_zero) {
  const vtt::Codec& codec = VTT_CODEC;
  // Input starting at 0: output PTS may be shifted (set_min_pts), but the running time of every
  // frame is kept, and DTS stays valid and <= PTS.
  Input in;
  in.start = 0;
  const int n = 20;
  Enc e(codec, "", in);
  e.Push(0, n);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  vtt::CheckTimestamps(bufs);
  std::vector<GstClockTime> rt;
  for (const auto& b : bufs) {
    fail_unless(b.pts >= static_cast<GstClockTime>(b.segment_start), "PTS before segment start");
    rt.push_back(b.pts - b.segment_start);
  }
  std::sort(rt.begin(), rt.end());
  for (int i = 0; i < n; i++) {
    fail_unless(rt[i] == in.Pts(i),
                "frame %d: running time %" GST_TIME_FORMAT " != %" GST_TIME_FORMAT, i,
                GST_TIME_ARGS(rt[i]), GST_TIME_ARGS(in.Pts(i)));
  }
  // The shift is the reorder delay, not x264enc's 1000 hours.
  fail_unless(bufs[0].segment_start < static_cast<gint64>(GST_SECOND),
              "segment start shifted by %" GST_TIME_FORMAT, GST_TIME_ARGS(bufs[0].segment_start));
}
GST_END_TEST;

GST_START_TEST(test_reuse) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  GstHarness* h = gst_harness_new_parse(codec.element);
  vtt::Recorder rec(h->sinkpad);
  size_t before = 0;
  for (int cycle = 0; cycle < 3; cycle++) {
    if (cycle > 0) {
      fail_unless_equals_int(gst_element_set_state(h->element, GST_STATE_READY),
                             GST_STATE_CHANGE_SUCCESS);
      fail_unless_equals_int(gst_element_set_state(h->element, GST_STATE_PLAYING),
                             GST_STATE_CHANGE_SUCCESS);
      // Deactivation dropped the sink pad's sticky events: send a new stream.
      gchar* sid = g_strdup_printf("reuse-%d", cycle);
      fail_unless(gst_harness_push_event(h, gst_event_new_stream_start(sid)));
      g_free(sid);
    }
    gst_harness_set_src_caps_str(h, in.Caps().c_str());
    for (int i = 0; i < 12; i++) {
      fail_unless_equals_int(gst_harness_push(h, vtt::MakeFrame(in, i)), GST_FLOW_OK);
    }
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    auto bufs = rec.Buffers();
    fail_unless(bufs.size() - before == 12, "cycle %d: %zu buffers out of 12", cycle,
                bufs.size() - before);
    fail_unless(bufs[before].keyframe(), "cycle %d does not start with a key frame", cycle);
    before = bufs.size();
  }
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_eos_no_buffers) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  Enc e(codec, "", in);
  e.Eos();
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 0);
  auto ev = e.rec().EventNames();
  fail_unless(std::find(ev.begin(), ev.end(), "eos") != ev.end(), "EOS was not forwarded");

  // Also without caps: straight EOS after stream-start.
  GstHarness* h = gst_harness_new_parse(codec.element);
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  GstEvent* got = nullptr;
  while (GstEvent* e2 = gst_harness_try_pull_event(h)) {
    if (GST_EVENT_TYPE(e2) == GST_EVENT_EOS) got = gst_event_ref(e2);
    gst_event_unref(e2);
  }
  fail_unless(got != nullptr, "EOS without caps was not forwarded");
  gst_event_unref(got);
  fail_unless_equals_int(gst_harness_buffers_received(h), 0);
  gst_harness_teardown(h);
}
GST_END_TEST;

// --- caps -----------------------------------------------------------------------------------

static void CheckCapsCombination(const char* profile, GstVideoFormat fmt, bool avc) {
  Input in = Small(fmt);
  const int n = 8;
  gchar* sink = g_strdup_printf("video/x-h264,stream-format=%s,alignment=au,profile=%s",
                                avc ? "avc" : "byte-stream", profile);
  Enc e("", in, sink);
  e.Push(0, n);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless(static_cast<int>(bufs.size()) == n, "%s: %zu of %d frames out", sink, bufs.size(), n);
  GstCaps* caps = LastCaps(e);
  GST_INFO("%s -> %" GST_PTR_FORMAT, sink, caps);
  vtt::ExpectField(caps, "profile", profile);
  vtt::ExpectField(caps, "stream-format", avc ? "avc" : "byte-stream");
  vtt::ExpectField(caps, "alignment", "au");
  const int want_idc = h264::ProfileIdc(profile);
  const bool constrained = std::strcmp(profile, "constrained-baseline") == 0;

  std::vector<uint8_t> cd;
  if (avc) {
    fail_unless(vtt::CapsCodecData(caps, &cd), "%s: no codec_data", sink);
    h264::AvcC avcc;
    fail_unless(h264::ParseAvcC(cd.data(), cd.size(), &avcc), "%s: malformed avcC", sink);
    fail_unless_equals_int(avcc.version, 1);
    fail_unless_equals_int(avcc.profile_idc, want_idc);
    h264::Sps sps = SpsFromCaps(caps);
    fail_unless_equals_int(sps.profile_idc, want_idc);
    if (constrained) fail_unless(sps.constraint_flags & 0x40, "constraint_set1 not set");
    for (const auto& b : bufs) {
      auto nals = vtt::SplitOrFail(b, true);
      fail_unless_equals_int(vtt::HasNal(nals, h264::kIdr), b.keyframe());
    }
  } else {
    fail_if(vtt::CapsCodecData(caps, &cd), "%s: byte-stream caps carry codec_data", sink);
    int keyframes = 0;
    for (const auto& b : bufs) {
      fail_unless(
          b.data.size() > 4 && b.data[0] == 0 && b.data[1] == 0 && b.data[2] == 0 && b.data[3] == 1,
          "byte-stream buffer does not start with 00 00 00 01");
      auto nals = vtt::SplitOrFail(b, false);
      fail_unless_equals_int(vtt::HasNal(nals, h264::kIdr), b.keyframe());
      if (!b.keyframe()) continue;
      keyframes++;
      fail_unless(vtt::HasNal(nals, h264::kSps) && vtt::HasNal(nals, h264::kPps),
                  "byte-stream IDR buffer without SPS and PPS");
      for (const auto& nal : nals) {
        if (nal.type != h264::kSps) continue;
        h264::Sps sps;
        fail_unless(h264::ParseSps(nal.bytes, &sps), "cannot parse in-band SPS");
        fail_unless_equals_int(sps.profile_idc, want_idc);
        if (constrained) fail_unless(sps.constraint_flags & 0x40, "constraint_set1 not set");
        fail_unless_equals_int(sps.width, in.width);
        fail_unless_equals_int(sps.height, in.height);
      }
    }
    fail_unless(keyframes >= 1, "no key frame");
  }
  g_free(sink);
}

static void CheckProfile(const char* profile) {
  for (GstVideoFormat fmt : {GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_I420}) {
    for (bool avc : {true, false}) CheckCapsCombination(profile, fmt, avc);
  }
}

GST_START_TEST(test_caps_constrained_baseline) {
  CheckProfile("constrained-baseline");
}
GST_END_TEST;

GST_START_TEST(test_caps_baseline) {
  CheckProfile("baseline");
}
GST_END_TEST;

GST_START_TEST(test_caps_main) {
  CheckProfile("main");
}
GST_END_TEST;

GST_START_TEST(test_caps_high) {
  CheckProfile("high");
}
GST_END_TEST;

GST_START_TEST(test_caps_level) {
  Input in = Small();
  Enc e("", in, "video/x-h264,stream-format=avc,alignment=au,profile=main,level=(string)3.1");
  e.Push(0, 5);
  e.Eos();
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 5);
  GstCaps* caps = LastCaps(e);
  vtt::ExpectField(caps, "level", "3.1");
  vtt::ExpectField(caps, "profile", "main");
  h264::Sps sps = SpsFromCaps(caps);
  fail_unless_equals_int(sps.level_idc, 31);
  fail_unless_equals_int(sps.profile_idc, 77);
}
GST_END_TEST;

GST_START_TEST(test_stream_format_choice) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  const std::string media = codec.media_type, packetized = codec.packetized;
  struct {
    std::string sink_caps;
    std::string want;
  } cases[] = {
      // Downstream accepts anything. (Plain "video/x-h264" counts as that too: not checked, the
      // spec leaves it open.)
      {"", "byte-stream"},
      {media + ",stream-format=" + packetized, packetized},
      {media + ",stream-format=(string){byte-stream," + packetized + "},alignment=au", packetized},
      {media + ",stream-format=byte-stream", "byte-stream"},
  };
  std::string wrong;  // every mismatch, so one run shows them all
  for (const auto& c : cases) {
    Enc e(codec, "", in, c.sink_caps);
    e.Push(0, 3);
    e.Eos();
    fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 3);
    GstCaps* caps = LastCaps(e);
    vtt::ExpectField(caps, "alignment", "au");
    std::string got = vtt::CapsString(caps, "stream-format");
    std::vector<uint8_t> cd;
    fail_unless_equals_int(vtt::CapsCodecData(caps, &cd), got == packetized);
    if (got != c.want) {
      wrong += "; downstream " + (c.sink_caps.empty() ? "ANY" : c.sink_caps) + ": got " + got +
               ", want " + c.want;
    }
  }
  fail_unless(wrong.empty(), "stream-format choice%s", wrong.c_str());
}
GST_END_TEST;

// RECONFIGURE: downstream that now takes only byte-stream gets it from the running session, from
// the next buffer on: no new session (the key frames are those of a run without the change), the
// parameter sets in band in the first byte-stream buffer, and caps that say byte-stream.
GST_START_TEST(test_reconfigure_stream_format) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  const int n = 12, at = 6;
  // Each frame out before the next goes in: the first `at` are out before the change.
  const char* kNow = "max-frame-delay-count=0 allow-frame-reordering=false";
  auto keyframes = [](const std::vector<vtt::OutBuf>& bufs) {
    std::vector<GstClockTime> k;
    for (const vtt::OutBuf& b : bufs)
      if (b.keyframe()) k.push_back(b.pts);
    return k;
  };
  std::vector<GstClockTime> control;
  {
    Enc e(codec, kNow, in, codec.Caps(true));
    e.Push(0, n);
    e.Eos();
    control = keyframes(e.rec().Buffers());
  }
  Enc e(codec, kNow, in, codec.Caps(true));
  e.Push(0, at);
  gst_harness_set_sink_caps_str(e.h(), codec.Caps(false).c_str());
  fail_unless(gst_pad_push_event(e.h()->sinkpad, gst_event_new_reconfigure()));
  e.Push(at, n - at);
  e.Eos();
  const std::vector<vtt::OutBuf> bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  const std::vector<GstCaps*> caps = e.rec().Caps();
  fail_unless(!caps.empty());
  // Named: the macro keeps the pointers past a temporary's life.
  const std::string before = vtt::CapsString(caps.front(), "stream-format");
  const std::string after = vtt::CapsString(caps.back(), "stream-format");
  fail_unless_equals_string(before.c_str(), codec.packetized);
  fail_unless_equals_string(after.c_str(), "byte-stream");
  fail_unless(keyframes(bufs) == control, "the change made a key frame (a new session?)");
  bool first = true;
  int annexb = 0;
  for (const vtt::OutBuf& b : bufs) {
    const bool bytestream =
        vtt::CapsString(caps[std::size_t(b.caps_index)], "stream-format") == "byte-stream";
    const std::vector<nal::Nal> nals = vtt::SplitOrFail(codec, b, !bytestream);
    if (!bytestream) continue;
    ++annexb;
    if (first) {
      int sets = 0;
      for (const nal::Nal& u : nals)
        for (int t : codec.parameter_sets) sets += u.type == t;
      fail_unless(sets >= int(codec.parameter_sets.size()),
                  "no parameter sets in the first byte-stream buffer");
      first = false;
    }
  }
  fail_unless(annexb > 0 && annexb < n, "%d byte-stream buffers of %d", annexb, n);
}
GST_END_TEST;

GST_START_TEST(test_stream_format_from_h264parse) {
  // What h264parse answers downstream: avc.
  Enc e("", Small(),
        "video/x-h264,stream-format=(string){avc,avc3,byte-stream},alignment=(string){au,nal}");
  e.Push(0, 3);
  e.Eos();
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 3);
  vtt::ExpectField(LastCaps(e), "stream-format", "avc");
}
GST_END_TEST;

GST_START_TEST(test_sink_caps_query) {
  GstHarness* h = gst_harness_new_parse(vtt::kElement);
  GstElement* el = gst_harness_find_element(h, vtt::kElement);
  GstPad* sink = gst_element_get_static_pad(el, "sink");
  gst_object_unref(el);
  GstCaps* caps = gst_pad_query_caps(sink, nullptr);
  GST_INFO("sink caps %" GST_PTR_FORMAT, caps);
  fail_if(gst_caps_is_empty(caps) || gst_caps_is_any(caps), "unusable sink caps");
  std::vector<std::string> formats;
  for (guint i = 0; i < gst_caps_get_size(caps); i++) {
    const GstStructure* s = gst_caps_get_structure(caps, i);
    fail_unless(gst_structure_has_name(s, "video/x-raw"), "unexpected %s",
                gst_structure_get_name(s));
    const GValue* f = gst_structure_get_value(s, "format");
    fail_unless(f != nullptr, "structure without format");
    if (G_VALUE_HOLDS_STRING(f)) {
      formats.push_back(g_value_get_string(f));
    } else {
      fail_unless(GST_VALUE_HOLDS_LIST(f), "format is neither a string nor a list");
      for (guint k = 0; k < gst_value_list_get_size(f); k++) {
        formats.push_back(g_value_get_string(gst_value_list_get_value(f, k)));
      }
    }
  }
  std::set<std::string> uniq(formats.begin(), formats.end());
  fail_unless(uniq == std::set<std::string>({"I420", "YV12", "NV12", "Y42B", "NV16", "Y444",
                                             "I420_10LE", "P010_10LE", "I422_10LE", "Y444_10LE"}),
              "sink formats are not the ten of the format table");
  // 8-bit 4:2:0 first: an unconstrained upstream picks it (x264enc lists Y444 first).
  fail_unless_equals_string(formats[0].c_str(), "I420");
  gst_caps_unref(caps);

  GstCaps* yuy2 = gst_caps_from_string("video/x-raw,format=YUY2,width=64,height=64,framerate=30/1");
  GstCaps* y444 = gst_caps_from_string("video/x-raw,format=Y444,width=64,height=64,framerate=30/1");
  GstCaps* i420 = gst_caps_from_string("video/x-raw,format=I420,width=64,height=64,framerate=30/1");
  GstCaps* nv12 = gst_caps_from_string("video/x-raw,format=NV12,width=17,height=9,framerate=0/1");
  fail_if(gst_pad_query_accept_caps(sink, yuy2), "YUY2 accepted");
  fail_unless(gst_pad_query_accept_caps(sink, y444), "Y444 refused");
  fail_unless(gst_pad_query_accept_caps(sink, i420), "I420 refused");
  fail_unless(gst_pad_query_accept_caps(sink, nv12), "NV12 17x9 at 0/1 refused");
  gst_caps_unref(yuy2);
  gst_caps_unref(y444);
  gst_caps_unref(i420);
  gst_caps_unref(nv12);
  gst_object_unref(sink);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_odd_sizes) {
  const vtt::Codec& codec = VTT_CODEC;
  for (GstVideoFormat fmt : {GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12}) {
    Input in;
    in.format = fmt;
    // Odd, and as small as the codec allows: 17x9 (H.264), 33x17 (HEVC, 16 at least).
    in.width = std::max(17, 2 * codec.min_size + 1);
    in.height = std::max(9, codec.min_size + 1);
    Enc e(codec, "", in);
    e.Push(0, 6);
    e.Eos();
    auto bufs = e.rec().Buffers();
    fail_unless_equals_int(static_cast<int>(bufs.size()), 6);
    CheckPtsSet(bufs, in, 6);
    GstCaps* caps = LastCaps(e);
    fail_unless_equals_int(vtt::CapsInt(caps, "width"), in.width + 1);
    fail_unless_equals_int(vtt::CapsInt(caps, "height"), in.height + 1);
    // The SPS codes the same size as the caps say (H.264's SPS is read here).
    if (&codec == &vtt::H264()) {
      bool avc = vtt::CapsString(caps, "stream-format") == "avc";
      h264::Sps sps;
      if (avc) {
        sps = SpsFromCaps(caps);
      } else {
        auto nals = vtt::SplitOrFail(codec, bufs[0], false);
        bool found = false;
        for (const auto& nal : nals)
          found |= nal.type == h264::kSps && h264::ParseSps(nal.bytes, &sps);
        fail_unless(found, "no SPS in the first byte-stream buffer");
      }
      fail_unless_equals_int(sps.width, 18);
      fail_unless_equals_int(sps.height, 10);
    }
    // The odd picture survives (the extra column and row are padding).
    int decoded = 0;
    double psnr = vtt::MinLumaPsnr(codec, bufs, caps, in, &decoded);
    fail_unless_equals_int(decoded, 6);
    fail_unless(psnr > kMinPsnr, "%dx%d %s: luma PSNR %.1f dB", in.width, in.height,
                gst_video_format_to_string(fmt), psnr);
  }
}
GST_END_TEST;

// --- key frames -----------------------------------------------------------------------------

GST_START_TEST(test_force_key_unit_downstream) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  const int n = 40, k = 20;
  Enc e(codec, "", in, codec.Caps(true));
  e.Push(0, k);
  GstClockTime rt = in.Pts(k);  // segment starts at 0: running time == PTS
  fail_unless(gst_harness_push_event(
      e.h(), gst_video_event_new_downstream_force_key_unit(in.Pts(k), in.Pts(k), rt, FALSE, 1)));
  e.Push(k, n - k);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  bool seen = false;
  for (const auto& b : bufs) {
    if (b.pts != in.Pts(k)) continue;
    seen = true;
    fail_unless(b.keyframe(), "forced frame is DELTA_UNIT");
    fail_unless(vtt::HasKeyNal(codec, vtt::SplitOrFail(codec, b, true)),
                "forced frame has no IDR NAL");
  }
  fail_unless(seen, "no output with the forced frame's PTS");
  auto keys = vtt::KeyframeIndices(bufs, in);
  fail_unless(keys == std::vector<int>({0, k}), "key frames at %zu places, want exactly 0 and %d",
              keys.size(), k);
  fail_unless(e.rec().CountForceKeyUnit() >= 1, "no force-key-unit event went downstream");
}
GST_END_TEST;

GST_START_TEST(test_force_key_unit_upstream) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  const int n = 40, k = 20;
  Enc e(codec, "", in, codec.Caps(true));
  e.Push(0, k);
  // all-headers: the avc key frame also carries SPS and PPS in band; hvc1's does not (its hvcC
  // says the parameter-set arrays are complete, so none may be in band: hev1 is for that).
  fail_unless(gst_harness_push_upstream_event(
      e.h(), gst_video_event_new_upstream_force_key_unit(in.Pts(k), TRUE, 1)));
  e.Push(k, n - k);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  bool seen = false;
  for (const auto& b : bufs) {
    if (b.pts != in.Pts(k)) continue;
    seen = true;
    fail_unless(b.keyframe(), "forced frame is DELTA_UNIT");
    auto nals = vtt::SplitOrFail(codec, b, true);
    fail_unless(vtt::HasKeyNal(codec, nals), "forced frame has no IDR NAL");
    const bool out_of_band_only = std::string(codec.packetized) == "hvc1";
    fail_unless(vtt::HasParameterSets(codec, nals) != out_of_band_only,
                out_of_band_only ? "hvc1 key frame with in-band parameter sets"
                                 : "all-headers key frame without in-band SPS/PPS");
  }
  fail_unless(seen, "no output with the forced frame's PTS");
  auto keys = vtt::KeyframeIndices(bufs, in);
  fail_unless(keys == std::vector<int>({0, k}), "key frames at %zu places, want exactly 0 and %d",
              keys.size(), k);
  fail_unless(e.rec().CountForceKeyUnit() >= 1, "no force-key-unit event went downstream");
}
GST_END_TEST;

GST_START_TEST(test_max_keyframe_interval) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  auto bufs = vtt::EncodeAll(codec, "max-keyframe-interval=10", in, 45);
  fail_unless_equals_int(static_cast<int>(bufs.size()), 45);
  auto keys = vtt::KeyframeIndices(bufs, in);
  fail_unless(!keys.empty() && keys[0] == 0, "frame 0 is not a key frame");
  keys.push_back(45);
  for (size_t i = 1; i < keys.size(); i++) {
    fail_unless(keys[i] - keys[i - 1] <= 10, "key frames %d and %d are more than 10 apart",
                keys[i - 1], keys[i]);
  }

  // Default: one key frame only for this smooth picture.
  auto def = vtt::EncodeAll(codec, "", in, 45);
  fail_unless_equals_int(static_cast<int>(vtt::KeyframeIndices(def, in).size()), 1);
}
GST_END_TEST;

GST_START_TEST(test_max_keyframe_interval_duration) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  auto bufs = vtt::EncodeAll(codec, "max-keyframe-interval-duration=500000000", in, 60);
  fail_unless_equals_int(static_cast<int>(bufs.size()), 60);
  auto keys = vtt::KeyframeIndices(bufs, in);
  keys.push_back(60);
  fail_unless(keys.size() >= 4, "only %zu key frames in 2 s with a 0.5 s limit", keys.size() - 1);
  for (size_t i = 1; i < keys.size(); i++) {
    fail_unless(keys[i] - keys[i - 1] <= 15, "key frames %d and %d are more than 0.5 s apart",
                keys[i - 1], keys[i]);
  }
}
GST_END_TEST;

GST_START_TEST(test_max_keyframe_interval_live) {
  const vtt::Codec& codec = VTT_CODEC;
  // max-keyframe-interval changes while PLAYING, without a forced key frame at the change.
  Input in = Small();
  Enc e(codec, "", in);
  e.Push(0, 30);
  g_object_set(e.element(), "max-keyframe-interval", 10, nullptr);
  e.Push(30, 70);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), 100);
  auto keys = vtt::KeyframeIndices(bufs, in);
  std::vector<int> late;
  for (int k : keys) {
    if (k >= 60) late.push_back(k);
  }
  late.push_back(100);
  fail_unless(late.size() >= 4, "only %zu key frames in frames 60..99", late.size() - 1);
  for (size_t i = 1; i < late.size(); i++) {
    fail_unless(late[i] - late[i - 1] <= 10, "key frames %d and %d more than 10 apart", late[i - 1],
                late[i]);
  }
}
GST_END_TEST;

GST_START_TEST(test_temporal_compression_off) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  auto bufs = vtt::EncodeAll(codec, "allow-temporal-compression=false", in, 10, codec.Caps(true));
  fail_unless_equals_int(static_cast<int>(bufs.size()), 10);
  for (const auto& b : bufs) {
    fail_unless(b.keyframe(), "DELTA_UNIT buffer with allow-temporal-compression=false");
    fail_unless(vtt::HasKeyNal(codec, vtt::SplitOrFail(codec, b, true)), "key frame without IDR");
  }
}
GST_END_TEST;

// --- timestamps and reordering ---------------------------------------------------------------

GST_START_TEST(test_frame_reordering_default) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  const int n = 30;
  auto bufs = vtt::EncodeAll(codec, "", in, n, codec.reordering_caps);
  CheckPtsSet(bufs, in, n);
  vtt::CheckTimestamps(bufs);
  bool reordered = false;
  for (size_t i = 1; i < bufs.size(); i++) reordered |= bufs[i].pts < bufs[i - 1].pts;
  fail_unless(reordered, "default settings (high profile) produced no B-frame reordering");
  fail_unless(bufs[0].dts < bufs[0].pts, "with reordering the first DTS should precede its PTS");
}
GST_END_TEST;

GST_START_TEST(test_no_frame_reordering) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  const int n = 30;
  auto bufs = vtt::EncodeAll(codec, "allow-frame-reordering=false", in, n, codec.reordering_caps);
  CheckPtsSet(bufs, in, n);
  for (int i = 0; i < n; i++) {
    fail_unless(bufs[i].pts == in.Pts(i), "output %d out of order", i);
    fail_unless(bufs[i].dts == bufs[i].pts, "output %d: DTS %" GST_TIME_FORMAT " != PTS", i,
                GST_TIME_ARGS(bufs[i].dts));
  }
}
GST_END_TEST;

// --- rate control ---------------------------------------------------------------------------

static double Kbps(size_t bytes, int frames, const Input& in) {
  return bytes * 8.0 / 1000.0 / (frames * static_cast<double>(in.fps_d) / in.fps_n);
}

GST_START_TEST(test_bitrate_target) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  in.noise = 8;
  auto bufs = vtt::EncodeAll(codec, "bitrate=400", in, 90);
  fail_unless_equals_int(static_cast<int>(bufs.size()), 90);
  double kbps = Kbps(vtt::BytesInRange(bufs, in, 0, 90), 90, in);
  GST_INFO("bitrate=400: %.0f kbit/s", kbps);
  fail_unless(kbps > 400 * 0.6 && kbps < 400 * 1.4, "bitrate=400 gave %.0f kbit/s", kbps);
}
GST_END_TEST;

GST_START_TEST(test_rate_control_cbr) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  in.noise = 8;
  auto bufs = vtt::EncodeAll(codec, "rate-control=cbr bitrate=400", in, 90);
  fail_unless_equals_int(static_cast<int>(bufs.size()), 90);
  for (int sec = 1; sec < 3; sec++) {
    double kbps = Kbps(vtt::BytesInRange(bufs, in, sec * 30, sec * 30 + 30), 30, in);
    GST_INFO("cbr 400: second %d: %.0f kbit/s", sec, kbps);
    fail_unless(kbps > 400 * 0.7 && kbps < 400 * 1.3, "cbr 400, second %d: %.0f kbit/s", sec, kbps);
  }
}
GST_END_TEST;

GST_START_TEST(test_bitrate_live) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  in.noise = 8;
  Enc e(codec, std::string("bitrate=1500 ") + codec.live_rate_props, in);
  e.Push(0, 60);
  g_object_set(e.element(), "bitrate", 150u, nullptr);
  e.Push(60, 90);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), 150);
  double before = Kbps(vtt::BytesInRange(bufs, in, 20, 60), 40, in);
  double after = Kbps(vtt::BytesInRange(bufs, in, 110, 150), 40, in);
  GST_INFO("bitrate 1500 -> 150: %.0f -> %.0f kbit/s", before, after);
  fail_unless(before > 1500 * 0.5, "bitrate=1500 only gave %.0f kbit/s", before);
  fail_unless(after < before * 0.35, "bitrate 1500 -> 150 while playing: %.0f -> %.0f kbit/s",
              before, after);
  fail_unless_equals_int(static_cast<int>(vtt::KeyframeIndices(bufs, in).size()), 1);
}
GST_END_TEST;

GST_START_TEST(test_quality_ordering) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  size_t prev = 0;
  for (const char* q : {"0.1", "0.5", "0.9"}) {
    auto bufs = vtt::EncodeAll(codec, std::string("bitrate=0 quality=") + q, in, 20);
    fail_unless_equals_int(static_cast<int>(bufs.size()), 20);
    size_t bytes = vtt::BytesInRange(bufs, in, 0, 20);
    GST_INFO("quality %s: %zu bytes", q, bytes);
    fail_unless(bytes > prev * 11 / 10, "quality=%s: %zu bytes, not clearly above %zu", q, bytes,
                prev);
    prev = bytes;
  }
}
GST_END_TEST;

GST_START_TEST(test_data_rate_limits) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  in.noise = 8;
  const int n = 90;
  const size_t limit = 300 * 1000 / 8;  // "300,1": 300 kbit in any 1 s window
  auto free_run = vtt::EncodeAll(codec, "bitrate=0 quality=0.8", in, n);
  auto limited = vtt::EncodeAll(codec, "bitrate=0 quality=0.8 data-rate-limits=300,1", in, n);
  fail_unless_equals_int(static_cast<int>(limited.size()), n);
  size_t free_max = 0, limited_max = 0;
  for (int w = 0; w + 30 <= n; w += 5) {
    free_max = std::max(free_max, vtt::BytesInRange(free_run, in, w, w + 30));
    limited_max = std::max(limited_max, vtt::BytesInRange(limited, in, w, w + 30));
  }
  GST_INFO("largest 1 s window: %zu bytes unlimited, %zu limited (limit %zu)", free_max,
           limited_max, limit);
  fail_unless(free_max > 2 * limit, "the picture needs only %zu bytes/s: test too weak", free_max);
  fail_unless(limited_max <= limit * 12 / 10, "1 s window of %zu bytes over a %zu-byte limit",
              limited_max, limit);
}
GST_END_TEST;

GST_START_TEST(test_qp_bounds) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in = Small();
  in.noise = 8;
  auto size = [&](const char* props) {
    auto bufs = vtt::EncodeAll(codec, props, in, 20);
    fail_unless_equals_int(static_cast<int>(bufs.size()), 20);
    return vtt::BytesInRange(bufs, in, 0, 20);
  };
  size_t low = size("bitrate=50"), low_capped = size("bitrate=50 max-qp=20");
  size_t high = size("bitrate=5000"), high_floored = size("bitrate=5000 min-qp=45");
  GST_INFO("50k: %zu, max-qp=20: %zu; 5000k: %zu, min-qp=45: %zu", low, low_capped, high,
           high_floored);
  fail_unless(low_capped > 2 * low, "max-qp=20 did not raise the size (%zu vs %zu)", low_capped,
              low);
  fail_unless(high_floored * 2 < high, "min-qp=45 did not lower the size (%zu vs %zu)",
              high_floored, high);
}
GST_END_TEST;

// --- coding tools -----------------------------------------------------------------------------

GST_START_TEST(test_entropy_mode) {
  Input in = Small();
  struct {
    const char* mode;
    int flag;
  } cases[] = {{"cavlc", 0}, {"cabac", 1}};
  for (const auto& c : cases) {
    Enc e(std::string("entropy-mode=") + c.mode, in, "video/x-h264,stream-format=avc,profile=main");
    e.Push(0, 3);
    e.Eos();
    fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 3);
    fail_unless_equals_int(PpsFromCaps(LastCaps(e)).entropy_coding_mode_flag, c.flag);
  }
}
GST_END_TEST;

GST_START_TEST(test_reference_buffer_count) {
  Input in = Small();
  for (int refs : {1, 3}) {
    gchar* props = g_strdup_printf("allow-frame-reordering=false reference-buffer-count=%d", refs);
    Enc e(props, in, "video/x-h264,stream-format=avc");
    e.Push(0, 3);
    e.Eos();
    fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 3);
    fail_unless_equals_int(SpsFromCaps(LastCaps(e)).max_num_ref_frames, refs);
    g_free(props);
  }
}
GST_END_TEST;

GST_START_TEST(test_max_slice_bytes) {
  Input in;
  in.noise = 8;
  auto bufs =
      vtt::EncodeAll("bitrate=2000 max-slice-bytes=600", in, 10, "video/x-h264,stream-format=avc");
  fail_unless_equals_int(static_cast<int>(bufs.size()), 10);
  size_t max_slices = 0;
  for (const auto& b : bufs) {
    auto nals = vtt::SplitOrFail(b, true);
    size_t slices = 0;
    for (const auto& nal : nals) {
      if (nal.type != h264::kSlice && nal.type != h264::kIdr) continue;
      slices++;
      fail_unless(nal.bytes.size() <= 600, "slice NAL of %zu bytes with max-slice-bytes=600",
                  nal.bytes.size());
    }
    max_slices = std::max(max_slices, slices);
  }
  fail_unless(max_slices > 1, "no frame was split into slices");
}
GST_END_TEST;

// --- stream changes ---------------------------------------------------------------------------

GST_START_TEST(test_resolution_change) {
  const vtt::Codec& codec = VTT_CODEC;
  Input a;
  Input b = a, c = a;
  b.width = 640;
  b.height = 480;
  c.width = 176;
  c.height = 144;
  Enc e(codec, "", a, codec.Caps(true));
  e.Push(0, 10);
  e.SetInput(b);
  e.Push(10, 10);
  e.SetInput(c);
  e.Push(20, 10);
  e.Eos();
  auto bufs = e.rec().Buffers();
  auto caps = e.rec().Caps();
  CheckPtsSet(bufs, a, 30);
  vtt::CheckTimestamps(bufs);
  const Input* sizes[] = {&a, &b, &c};
  std::vector<std::vector<uint8_t>> codec_data;
  for (const auto& buf : bufs) {
    int i = a.IndexOf(buf.pts);
    const Input* want = sizes[i / 10];
    fail_unless(buf.caps_index >= 0, "buffer before caps");
    GstCaps* bc = caps[buf.caps_index];
    fail_unless(
        vtt::CapsInt(bc, "width") == want->width && vtt::CapsInt(bc, "height") == want->height,
        "frame %d went out under %s", i, vtt::CapsToString(bc).c_str());
    if (&codec == &vtt::H264()) {
      h264::Sps sps = SpsFromCaps(bc);
      fail_unless_equals_int(sps.width, want->width);
      fail_unless_equals_int(sps.height, want->height);
    }
    if (i % 10 == 0)
      fail_unless(buf.keyframe(), "frame %d after a caps change is not a key frame", i);
  }
  // Three distinct codec_data, in order.
  std::vector<uint8_t> last;
  int changes = 0;
  for (GstCaps* cc : caps) {
    std::vector<uint8_t> cd;
    fail_unless(vtt::CapsCodecData(cc, &cd), "caps without codec_data");
    if (cd != last) changes++;
    last = cd;
  }
  fail_unless(changes >= 3, "only %d distinct codec_data for 3 sizes", changes);
}
GST_END_TEST;

GST_START_TEST(test_flush) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  Enc e(codec, "", in);
  e.Push(0, 20);
  fail_unless(gst_harness_push_event(e.h(), gst_event_new_flush_start()));
  fail_unless(gst_harness_push_event(e.h(), gst_event_new_flush_stop(TRUE)));
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  fail_unless(gst_harness_push_event(e.h(), gst_event_new_segment(&seg)));
  const int first_after = 300;  // PTS 11 s
  e.Push(first_after, 15);
  e.Eos();
  auto bufs = e.rec().Buffers();
  std::vector<OutBuf> after;
  for (const auto& b : bufs) {
    int i = in.IndexOf(b.pts);
    if (b.epoch == 0) {
      fail_unless(i >= 0 && i < 20, "unexpected buffer before the flush");
    } else {
      fail_unless(i >= first_after, "pre-flush frame %d came out after the flush", i);
      after.push_back(b);
    }
  }
  fail_unless_equals_int(static_cast<int>(after.size()), 15);
  fail_unless(after[0].keyframe(), "output after the flush does not start with a key frame");
  const bool packetized = vtt::CapsString(LastCaps(e), "stream-format") == codec.packetized;
  fail_unless(vtt::HasKeyNal(codec, vtt::SplitOrFail(codec, after[0], packetized)),
              "first buffer after the flush has no key frame NAL");
  vtt::CheckTimestamps(after);
}
GST_END_TEST;

// --- latency --------------------------------------------------------------------------------

static int LatencyFrames(GstClockTime latency, const Input& in) {
  const GstClockTime dur = in.Duration();
  int frames = static_cast<int>((latency + dur / 2) / dur);
  GstClockTime diff = latency > frames * dur ? latency - frames * dur : frames * dur - latency;
  fail_unless(diff <= static_cast<GstClockTime>(frames) + 1,
              "latency %" GST_TIME_FORMAT " is not a whole number of frames",
              GST_TIME_ARGS(latency));
  return frames;
}

GST_START_TEST(test_latency_zero_delay) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  Enc e(codec, "max-frame-delay-count=0", in);
  fail_unless_equals_uint64(vtt::QueryLatency(e.h()), 0);
  // Zero delay: every frame is out before its push returns.
  for (int i = 0; i < 10; i++) {
    e.Push(i, 1);
    fail_unless(e.rec().NumBuffers() == static_cast<size_t>(i + 1),
                "max-frame-delay-count=0: %zu buffers out after pushing %d", e.rec().NumBuffers(),
                i + 1);
  }
  e.Eos();
}
GST_END_TEST;

GST_START_TEST(test_latency_frame_delay) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  Enc e(codec, "max-frame-delay-count=3", in);
  GstClockTime lat = vtt::QueryLatency(e.h());
  int frames = LatencyFrames(lat, in);
  fail_unless(frames >= 0 && frames <= 3, "max-frame-delay-count=3 reports %d frames", frames);
  // The reported latency is truthful: frame N - frames is out when the push of frame N returns.
  for (int i = 0; i < 20; i++) {
    e.Push(i, 1);
    fail_unless(static_cast<int>(e.rec().NumBuffers()) >= i + 1 - frames,
                "latency says %d frames, but only %zu out after pushing %d", frames,
                e.rec().NumBuffers(), i + 1);
  }
  e.Eos();
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 20);
}
GST_END_TEST;

GST_START_TEST(test_latency_default) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  GstClockTime def, fast;
  {
    Enc e(codec, "", in);
    def = vtt::QueryLatency(e.h());
    e.Push(0, 5);
    fail_unless_equals_uint64(vtt::QueryLatency(e.h()), def);
    e.Eos();
  }
  {
    Enc e(codec, "lookahead=0 allow-frame-reordering=false", in);
    fast = vtt::QueryLatency(e.h());
  }
  GST_INFO("latency default %" GST_TIME_FORMAT ", no lookahead/reordering %" GST_TIME_FORMAT,
           GST_TIME_ARGS(def), GST_TIME_ARGS(fast));
  fail_unless(LatencyFrames(def, in) > 0, "default latency is 0");
  LatencyFrames(fast, in);
  fail_unless(fast < def, "lookahead=0 without reordering does not lower the latency");
}
GST_END_TEST;

// --- allocation -----------------------------------------------------------------------------

// Encodes frames [0, n) from buffers made by `make` and returns the bitstream.
template <typename MakeFn>
static std::vector<OutBuf> EncodeWith(Enc& e, int n, MakeFn make) {
  for (int i = 0; i < n; i++) {
    GstBuffer* buf = make(i);
    GST_BUFFER_PTS(buf) = e.input().Pts(i);
    GST_BUFFER_DURATION(buf) = e.input().Duration();
    e.PushBuffer(buf);
  }
  e.Eos();
  return e.rec().Buffers();
}

// The encoder saw the right pixels: everything decodes, close to the source.
static void CheckDecodes(Enc& e, const std::vector<OutBuf>& got, int n, const char* what) {
  fail_unless(static_cast<int>(got.size()) == n, "%s: %zu of %d frames out", what, got.size(), n);
  int decoded = 0;
  double psnr = vtt::MinLumaPsnr(e.codec(), got, LastCaps(e), e.input(), &decoded);
  GST_INFO("%s: %d decoded, min luma PSNR %.1f dB", what, decoded, psnr);
  fail_unless(decoded == n, "%s: %d of %d frames decode", what, decoded, n);
  fail_unless(psnr > kMinPsnr, "%s: luma PSNR %.1f dB against the source", what, psnr);
}

// Runs the ALLOCATION query the way an upstream element would and returns the proposed pool.
static GstBufferPool* ProposedPool(Enc& e, guint* size, guint* min, guint* max) {
  GstCaps* caps = gst_caps_from_string(e.input().Caps().c_str());
  GstQuery* q = gst_query_new_allocation(caps, TRUE);
  fail_unless(gst_pad_peer_query(e.h()->srcpad, q), "ALLOCATION query failed");
  fail_unless(gst_query_get_n_allocation_pools(q) >= 1, "no pool proposed");
  GstBufferPool* pool = nullptr;
  gst_query_parse_nth_allocation_pool(q, 0, &pool, size, min, max);
  fail_unless(pool != nullptr, "the proposal has no pool object");
  fail_unless(gst_query_find_allocation_meta(q, GST_VIDEO_META_API_TYPE, nullptr),
              "GstVideoMeta not offered");
  GstVideoInfo info = e.input().Info();
  fail_unless(*size >= GST_VIDEO_INFO_SIZE(&info), "proposed size %u too small", *size);

  GstStructure* config = gst_buffer_pool_get_config(pool);
  gst_buffer_pool_config_set_params(config, caps, *size, *min, *max);
  gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (!gst_buffer_pool_set_config(pool, config)) {
    config = gst_buffer_pool_get_config(pool);
    fail_unless(gst_buffer_pool_config_validate_params(config, caps, *size, *min, *max),
                "pool changed the parameters");
    fail_unless(gst_buffer_pool_set_config(pool, config), "pool refuses its own config");
  }
  fail_unless(gst_buffer_pool_set_active(pool, TRUE), "cannot activate the proposed pool");
  gst_query_unref(q);
  gst_caps_unref(caps);
  return pool;
}

GST_START_TEST(test_pool_proposal) {
  const vtt::Codec& codec = VTT_CODEC;
  for (guint align : {64u, 256u}) {
    Input in;
    in.width = 200;  // rows of 200 bytes need padding to reach the alignment
    in.height = 120;
    const int n = 12;
    gchar* props = g_strdup_printf("bytes-per-row-alignment=%u pool-min-buffers=3", align);
    Enc e(codec, props, in);
    g_free(props);
    guint size, min, max;
    GstBufferPool* pool = ProposedPool(e, &size, &min, &max);
    fail_unless(min >= 3, "pool-min-buffers=3 but the proposal says min %u", min);
    GstVideoInfo info = in.Info();
    auto got = EncodeWith(e, n, [&](int i) {
      GstBuffer* buf = nullptr;
      fail_unless_equals_int(gst_buffer_pool_acquire_buffer(pool, &buf, nullptr), GST_FLOW_OK);
      GstVideoMeta* meta = gst_buffer_get_video_meta(buf);
      fail_unless(meta != nullptr, "pool buffer without GstVideoMeta");
      for (guint p = 0; p < meta->n_planes; p++) {
        fail_unless(meta->stride[p] % align == 0, "plane %u stride %d not a multiple of %u", p,
                    meta->stride[p], align);
      }
      vtt::FillBuffer(buf, info, i, in.noise);
      return buf;
    });
    CheckDecodes(e, got, n, "pool buffers");
    gst_buffer_pool_set_active(pool, FALSE);
    gst_object_unref(pool);
  }
}
GST_END_TEST;

GST_START_TEST(test_foreign_strides) {
  const vtt::Codec& codec = VTT_CODEC;
  for (GstVideoFormat fmt : {GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12}) {
    Input in;
    in.format = fmt;
    in.width = 176;
    in.height = 100;
    const int n = 10;
    GstVideoInfo info = in.Info();

    // (a) A plain GstVideoBufferPool with odd padding: odd strides, planes at odd offsets.
    {
      Enc e(codec, "", in);
      GstBufferPool* pool = gst_video_buffer_pool_new();
      GstStructure* config = gst_buffer_pool_get_config(pool);
      GstCaps* caps = gst_video_info_to_caps(&info);
      gst_buffer_pool_config_set_params(config, caps, info.size, 0, 0);
      gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
      gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
      GstVideoAlignment align;
      gst_video_alignment_reset(&align);
      align.padding_right = 13;
      align.padding_bottom = 3;
      align.padding_top = 1;
      gst_buffer_pool_config_set_video_alignment(config, &align);
      fail_unless(gst_buffer_pool_set_config(pool, config));
      fail_unless(gst_buffer_pool_set_active(pool, TRUE));
      gst_caps_unref(caps);
      auto got = EncodeWith(e, n, [&](int i) {
        GstBuffer* buf = nullptr;
        fail_unless_equals_int(gst_buffer_pool_acquire_buffer(pool, &buf, nullptr), GST_FLOW_OK);
        GstVideoMeta* meta = gst_buffer_get_video_meta(buf);
        fail_unless(meta != nullptr && meta->stride[0] != static_cast<gint>(info.stride[0]),
                    "pool did not pad the rows");
        vtt::FillBuffer(buf, info, i, in.noise);
        return buf;
      });
      CheckDecodes(e, got, n, "padded GstVideoBufferPool buffers");
      gst_buffer_pool_set_active(pool, FALSE);
      gst_object_unref(pool);
    }

    // (b) gst_buffer_new_allocate + GstVideoMeta with odd strides and gaps between planes.
    {
      Enc e(codec, "", in);
      gsize offset[GST_VIDEO_MAX_PLANES] = {0};
      gint stride[GST_VIDEO_MAX_PLANES] = {0};
      gsize total = 7;  // the first plane does not start at 0
      for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(&info); p++) {
        stride[p] = GST_VIDEO_INFO_PLANE_STRIDE(&info, p) + 37;
        offset[p] = total;
        int rows = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(info.finfo, p, in.height);
        total += static_cast<gsize>(stride[p]) * rows + 11;
      }
      auto got = EncodeWith(e, n, [&](int i) {
        GstBuffer* buf = gst_buffer_new_allocate(nullptr, total, nullptr);
        gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, fmt, in.width, in.height,
                                       GST_VIDEO_INFO_N_PLANES(&info), offset, stride);
        vtt::FillBuffer(buf, info, i, in.noise);
        return buf;
      });
      CheckDecodes(e, got, n, "buffers with GstVideoMeta strides");
    }
  }
}
GST_END_TEST;

GST_START_TEST(test_harness_buffers) {
  const vtt::Codec& codec = VTT_CODEC;
  // gst_harness_create_buffer negotiates allocation with the element first, so these buffers
  // come from whatever the element proposed.
  Input in;
  in.width = 200;
  in.height = 120;
  const int n = 12;
  Enc e(codec, "", in);
  GstVideoInfo info = in.Info();
  auto got = EncodeWith(e, n, [&](int i) {
    GstBuffer* buf = gst_harness_create_buffer(e.h(), GST_VIDEO_INFO_SIZE(&info));
    fail_unless(buf != nullptr);
    vtt::FillBuffer(buf, info, i, in.noise);
    return buf;
  });
  CheckDecodes(e, got, n, "gst_harness_create_buffer buffers");
}
GST_END_TEST;

GST_START_TEST(test_videotestsrc_upstream) {
  const vtt::Codec& codec = VTT_CODEC;
  // A real upstream element: videotestsrc runs the ALLOCATION query and fills the buffers it
  // gets (from the element's pool when it proposes one).
  GstHarness* h = gst_harness_new_parse(codec.element);
  vtt::Recorder rec(h->sinkpad);
  // The type of the pool each input buffer came from, seen on the element's sink pad.
  struct Seen {
    std::mutex mu;
    std::vector<std::string> pools;
  } seen;
  GstElement* el = gst_harness_find_element(h, codec.element);
  GstPad* el_sink = gst_element_get_static_pad(el, "sink");
  gst_pad_add_probe(
      el_sink, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
        auto* s = static_cast<Seen*>(data);
        GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
        std::lock_guard<std::mutex> lock(s->mu);
        s->pools.push_back(b->pool ? G_OBJECT_TYPE_NAME(b->pool) : "(none)");
        return GST_PAD_PROBE_OK;
      },
      &seen, nullptr);
  gst_object_unref(el_sink);
  gst_object_unref(el);
  gst_harness_add_src_parse(h,
                            "videotestsrc pattern=ball ! "
                            "capsfilter caps=video/x-raw,format=NV12,width=200,height=120,"
                            "framerate=30/1",
                            TRUE);
  const int n = 20;
  fail_unless_equals_int(gst_harness_src_crank_and_push_many(h, 0, n), GST_FLOW_OK);
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  auto bufs = rec.Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  vtt::CheckTimestamps(bufs);
  auto caps = rec.Caps();
  fail_unless(!caps.empty());
  fail_unless_equals_int(vtt::CapsInt(caps.back(), "width"), 200);
  fail_unless_equals_int(vtt::CapsInt(caps.back(), "height"), 120);
  // videotestsrc took the element's pool (the element offers one; see test_pool_proposal).
  fail_unless_equals_int(static_cast<int>(seen.pools.size()), n);
  for (const auto& type : seen.pools) {
    fail_unless(type != "(none)" && type != "GstVideoBufferPool" && type != "GstBufferPool",
                "videotestsrc's buffer came from %s, not from the element's pool", type.c_str());
  }
  gst_harness_teardown(h);
}
GST_END_TEST;

// --- properties -----------------------------------------------------------------------------

GST_START_TEST(test_property_defaults) {
  GstElement* el = gst_element_factory_make(vtt::kElement, nullptr);
  fail_unless(el != nullptr);
  struct {
    const char* name;
    const char* def;  // as gst_value_serialize prints it
    bool live;        // changes while PLAYING
  } props[] = {
      {"bitrate", "0", true},
      {"rate-control", "abr", false},
      {"data-rate-limits", "0,0", true},
      {"quality", "0.5", true},
      {"realtime", "false", true},
      {"allow-frame-reordering", "true", false},
      {"allow-temporal-compression", "true", true},
      {"max-keyframe-interval", "0", true},
      {"max-keyframe-interval-duration", "0", true},
      {"max-frame-delay-count", "-1", false},
      {"entropy-mode", "auto", false},
      {"min-qp", "-1", false},
      {"max-qp", "-1", false},
      {"prioritize-speed", "false", true},
      {"reference-buffer-count", "0", false},
      {"lookahead", "-1", false},
      {"spatial-aq", "true", false},
      {"max-slice-bytes", "0", true},
      {"encoder-id", "org.videolan.x264", false},
      {"enable-hardware", "true", false},
      {"require-hardware", "false", false},
      {"low-latency-rate-control", "false", false},
      {"bytes-per-row-alignment", "64", false},
      {"pool-min-buffers", "0", false},
      {"pool-max-buffers", "0", false},
  };
  for (const auto& p : props) {
    GParamSpec* ps = g_object_class_find_property(G_OBJECT_GET_CLASS(el), p.name);
    fail_unless(ps != nullptr, "no property %s", p.name);
    fail_unless((ps->flags & G_PARAM_READWRITE) == G_PARAM_READWRITE, "%s not read-write", p.name);
    GValue v = G_VALUE_INIT;
    g_value_init(&v, ps->value_type);
    g_object_get_property(G_OBJECT(el), p.name, &v);
    gchar* s = G_VALUE_HOLDS_STRING(&v) ? g_value_dup_string(&v) : gst_value_serialize(&v);
    if (G_VALUE_HOLDS_DOUBLE(&v)) {
      fail_unless(g_value_get_double(&v) == g_ascii_strtod(p.def, nullptr), "%s = %s, want %s",
                  p.name, s, p.def);
    } else {
      fail_unless(g_strcmp0(s, p.def) == 0, "%s default %s, want %s", p.name, s, p.def);
    }
    g_free(s);
    g_value_unset(&v);
    if (p.live) {
      fail_unless(ps->flags & GST_PARAM_MUTABLE_PLAYING, "%s should be MUTABLE_PLAYING", p.name);
    } else {
      fail_unless(ps->flags & GST_PARAM_MUTABLE_READY, "%s should be MUTABLE_READY", p.name);
      fail_if(ps->flags & GST_PARAM_MUTABLE_PLAYING, "%s must not be MUTABLE_PLAYING", p.name);
    }
  }
  for (const char* ro : {"pending-frames", "using-hardware"}) {
    GParamSpec* ps = g_object_class_find_property(G_OBJECT_GET_CLASS(el), ro);
    fail_unless(ps != nullptr, "no property %s", ro);
    fail_unless(ps->flags & G_PARAM_READABLE, "%s not readable", ro);
    fail_if(ps->flags & G_PARAM_WRITABLE, "%s is writable", ro);
  }
  gboolean hw = TRUE;
  gint pending = -1;
  g_object_get(el, "using-hardware", &hw, "pending-frames", &pending, nullptr);
  fail_if(hw, "using-hardware is true");
  fail_unless_equals_int(pending, 0);
  gst_object_unref(el);
}
GST_END_TEST;

GST_START_TEST(test_pending_frames) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  Enc e(codec, "", in);
  e.Push(0, 30);
  GstClockTime lat = vtt::QueryLatency(e.h());
  gint pending = -1;
  g_object_get(e.element(), "pending-frames", &pending, nullptr);
  GST_INFO("pending-frames after 30 frames: %d (latency %" GST_TIME_FORMAT ")", pending,
           GST_TIME_ARGS(lat));
  fail_unless(pending >= 0, "pending-frames %d", pending);
  if (lat > 0) fail_unless(pending > 0, "latency > 0 but no frame pending before EOS");
  fail_unless(pending + e.rec().NumBuffers() == 30, "pending %d + out %zu != 30", pending,
              e.rec().NumBuffers());
  e.Eos();
  g_object_get(e.element(), "pending-frames", &pending, nullptr);
  fail_unless_equals_int(pending, 0);
}
GST_END_TEST;

GST_START_TEST(test_require_hardware) {
  const vtt::Codec& codec = VTT_CODEC;
  ExpectStartFailure(codec, "require-hardware", "true");
}
GST_END_TEST;

GST_START_TEST(test_cbr_needs_a_bitrate) {
  const vtt::Codec& codec = VTT_CODEC;
  // ConstantBitRate 0 is "off": rate-control=cbr without a bitrate would code quality-based.
  ExpectStartFailure(codec, "rate-control", "cbr");
}
GST_END_TEST;

GST_START_TEST(test_encoder_id_wrong) {
  const vtt::Codec& codec = VTT_CODEC;
  ExpectStartFailure(codec, "encoder-id", "com.example.no-such-encoder");
  // The right one works.
  Input in = Small();
  auto bufs = vtt::EncodeAll(codec, std::string("encoder-id=") + codec.encoder_id, in, 3);
  fail_unless_equals_int(static_cast<int>(bufs.size()), 3);
}
GST_END_TEST;

// --- suite ----------------------------------------------------------------------------------

int main(int argc, char** argv) {
  std::vector<vtt::CaseEntry> cases = {
      VTT_GENERIC_CASE(test_encode_simple),
      VTT_GENERIC_CASE(test_timestamps_from_zero),
      VTT_GENERIC_CASE(test_reuse),
      VTT_GENERIC_CASE(test_eos_no_buffers),
      VTT_CASE(test_caps_constrained_baseline),
      VTT_CASE(test_caps_baseline),
      VTT_CASE(test_caps_main),
      VTT_CASE(test_caps_high),
      VTT_CASE(test_caps_level),
      VTT_GENERIC_CASE(test_stream_format_choice),
      VTT_GENERIC_CASE(test_reconfigure_stream_format),
      VTT_CASE(test_stream_format_from_h264parse),
      VTT_CASE(test_sink_caps_query),
      VTT_GENERIC_CASE(test_odd_sizes),
      VTT_GENERIC_CASE(test_force_key_unit_downstream),
      VTT_GENERIC_CASE(test_force_key_unit_upstream),
      VTT_GENERIC_CASE(test_max_keyframe_interval),
      VTT_GENERIC_CASE(test_max_keyframe_interval_duration),
      VTT_GENERIC_CASE(test_max_keyframe_interval_live),
      VTT_GENERIC_CASE(test_temporal_compression_off),
      VTT_GENERIC_CASE(test_frame_reordering_default),
      VTT_GENERIC_CASE(test_no_frame_reordering),
      VTT_GENERIC_CASE(test_bitrate_target),
      VTT_GENERIC_CASE(test_rate_control_cbr),
      VTT_GENERIC_CASE(test_bitrate_live),
      VTT_GENERIC_CASE(test_quality_ordering),
      VTT_GENERIC_CASE(test_data_rate_limits),
      VTT_GENERIC_CASE(test_qp_bounds),
      VTT_CASE(test_entropy_mode),
      VTT_CASE(test_reference_buffer_count),
      VTT_CASE(test_max_slice_bytes),
      VTT_GENERIC_CASE(test_resolution_change),
      VTT_GENERIC_CASE(test_flush),
      VTT_GENERIC_CASE(test_latency_zero_delay),
      VTT_GENERIC_CASE(test_latency_frame_delay),
      VTT_GENERIC_CASE(test_latency_default),
      VTT_GENERIC_CASE(test_pool_proposal),
      VTT_GENERIC_CASE(test_foreign_strides),
      VTT_GENERIC_CASE(test_harness_buffers),
      VTT_GENERIC_CASE(test_videotestsrc_upstream),
      VTT_CASE(test_property_defaults),
      VTT_GENERIC_CASE(test_pending_frames),
      VTT_GENERIC_CASE(test_require_hardware),
      VTT_GENERIC_CASE(test_encoder_id_wrong),
      VTT_GENERIC_CASE(test_cbr_needs_a_bitrate),
  };
  const std::vector<vtt::CaseEntry>& streams = vtt::StreamCases();
  cases.insert(cases.end(), streams.begin(), streams.end());
  return vtt::RunCases("vth264enc", cases, argc, argv);
}
