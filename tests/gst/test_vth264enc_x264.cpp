// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc's properties for people coming from x264enc: speed-preset, tune, threads and
// option-string, each seen in the output: parameter sets (reference count, entropy coding),
// slices per frame, reordering and the reported latency. Its own binary: the case list in
// tests/gst/meson.build (gst_x264_cases) must match kCases below.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <string>
#include <vector>

#include "test_util.h"

using vtt::Enc;
using vtt::Input;
using vtt::Small;

namespace {

bool AnyReordered(const std::vector<vtt::OutBuf>& bufs) {
  for (const auto& b : bufs)
    if (b.dts != b.pts) return true;
  return false;
}

// What an encode with these properties produced: buffers (avc), parameter sets, latency.
struct Result {
  std::vector<vtt::OutBuf> bufs;
  h264::Sps sps;
  h264::Pps pps;
  GstClockTime latency = GST_CLOCK_TIME_NONE;
  // Slices (NAL units 1 or 5) in each buffer.
  std::vector<int> slices;
};

Result EncodeAndInspect(const std::string& props, const Input& in = Small(), int n = 6) {
  Result r;
  Enc e(props, in, "video/x-h264,stream-format=avc,alignment=au");
  e.Push(0, n);
  r.latency = vtt::QueryLatency(e.h());
  e.Eos();
  r.bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(r.bufs.size()), n);
  vtt::CheckTimestamps(r.bufs);
  auto caps = e.rec().Caps();
  fail_unless(!caps.empty(), "no caps");
  std::vector<uint8_t> codec_data;
  fail_unless(vtt::CapsCodecData(caps.back(), &codec_data), "no codec_data");
  h264::AvcC avcc;
  fail_unless(h264::ParseAvcC(codec_data.data(), codec_data.size(), &avcc), "bad avcC");
  fail_unless(!avcc.sps.empty() && !avcc.pps.empty(), "avcC without SPS or PPS");
  fail_unless(h264::ParseSps(avcc.sps[0].bytes, &r.sps), "bad SPS");
  fail_unless(h264::ParsePps(avcc.pps[0].bytes, &r.pps), "bad PPS");
  for (const auto& b : r.bufs) {
    int slices = 0;
    for (const auto& nal : vtt::SplitOrFail(b, true))
      slices += nal.type == h264::kSlice || nal.type == h264::kIdr;
    r.slices.push_back(slices);
  }
  return r;
}

}  // namespace

GST_START_TEST(test_x264_properties) {
  GstElement* el = gst_element_factory_make(vtt::kElement, nullptr);
  fail_unless(el != nullptr);
  GObjectClass* klass = G_OBJECT_GET_CLASS(el);
  // speed-preset: x264enc's nicks and numbers, with auto where x264enc has None (0), and
  // x264enc's None as -1.
  GParamSpec* ps = g_object_class_find_property(klass, "speed-preset");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_ENUM(ps));
  GEnumClass* presets = G_PARAM_SPEC_ENUM(ps)->enum_class;
  const char* nicks[] = {"auto",   "ultrafast", "superfast", "veryfast", "faster", "fast",
                         "medium", "slow",      "slower",    "veryslow", "placebo"};
  fail_unless_equals_int(static_cast<int>(presets->n_values), G_N_ELEMENTS(nicks) + 1);
  fail_unless_equals_int(g_enum_get_value_by_nick(presets, "None")->value, -1);
  for (guint i = 0; i < G_N_ELEMENTS(nicks); i++) {
    GEnumValue* v = g_enum_get_value(presets, static_cast<gint>(i));
    fail_unless(v != nullptr && g_str_equal(v->value_nick, nicks[i]), "value %u is not %s", i,
                nicks[i]);
  }
  fail_unless_equals_int(G_PARAM_SPEC_ENUM(ps)->default_value, 0);
  fail_unless(ps->flags & GST_PARAM_MUTABLE_PLAYING, "speed-preset should be MUTABLE_PLAYING");
  // tune: x264enc's flags.
  ps = g_object_class_find_property(klass, "tune");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_FLAGS(ps));
  GFlagsClass* tunes = G_PARAM_SPEC_FLAGS(ps)->flags_class;
  fail_unless_equals_int(g_flags_get_value_by_nick(tunes, "stillimage")->value, 1);
  fail_unless_equals_int(g_flags_get_value_by_nick(tunes, "fastdecode")->value, 2);
  fail_unless_equals_int(g_flags_get_value_by_nick(tunes, "zerolatency")->value, 4);
  fail_unless_equals_int(G_PARAM_SPEC_FLAGS(ps)->default_value, 0);
  // threads, option-string.
  ps = g_object_class_find_property(klass, "threads");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_UINT(ps));
  fail_unless_equals_int(G_PARAM_SPEC_UINT(ps)->default_value, 0);
  ps = g_object_class_find_property(klass, "option-string");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_STRING(ps));
  fail_unless_equals_string(G_PARAM_SPEC_STRING(ps)->default_value, "");
  for (const char* name : {"tune", "threads", "option-string"}) {
    ps = g_object_class_find_property(klass, name);
    fail_unless(ps->flags & GST_PARAM_MUTABLE_READY, "%s should be MUTABLE_READY", name);
    fail_if(ps->flags & GST_PARAM_MUTABLE_PLAYING, "%s must not be MUTABLE_PLAYING", name);
  }
  // Each blurb names its session key.
  for (auto [name, key] : {std::pair{"speed-preset", "X264SpeedPreset"},
                           {"tune", "X264Tune"},
                           {"threads", "X264Threads"},
                           {"option-string", "X264Options"}}) {
    const gchar* blurb = g_param_spec_get_blurb(g_object_class_find_property(klass, name));
    fail_unless(blurb && strstr(blurb, key), "%s blurb does not name %s", name, key);
  }
  // Round trip, gst-launch style.
  gst_util_set_object_arg(G_OBJECT(el), "tune", "fastdecode+zerolatency");
  guint tune = 0;
  g_object_get(el, "tune", &tune, nullptr);
  fail_unless_equals_int(tune, 6);
  gst_object_unref(el);
}
GST_END_TEST;

GST_START_TEST(test_x264_speed_preset) {
  // x264's reference count shows the preset in the SPS: medium 4 (B-pyramid), slow 5; ultrafast
  // drops CABAC and B-frames.
  Result medium = EncodeAndInspect("");
  fail_unless_equals_int(medium.sps.max_num_ref_frames, 4);
  fail_unless_equals_int(medium.pps.entropy_coding_mode_flag, 1);
  fail_unless(AnyReordered(medium.bufs), "medium has B-frames");
  Result ultrafast = EncodeAndInspect("speed-preset=ultrafast");
  fail_unless_equals_int(ultrafast.sps.max_num_ref_frames, 1);
  fail_unless_equals_int(ultrafast.pps.entropy_coding_mode_flag, 0);
  fail_if(AnyReordered(ultrafast.bufs), "ultrafast has no B-frames");
  fail_unless_equals_int(EncodeAndInspect("speed-preset=slow").sps.max_num_ref_frames, 5);
  // auto: quality 0.9 with no bit rate is slow; an explicit preset wins over realtime.
  fail_unless_equals_int(EncodeAndInspect("quality=0.9").sps.max_num_ref_frames, 5);
  fail_unless_equals_int(EncodeAndInspect("realtime=true speed-preset=slow").sps.max_num_ref_frames,
                         5);
}
GST_END_TEST;

GST_START_TEST(test_x264_speed_preset_live) {
  // Live: x264 is reconfigured in place (no new IDR), and the element posts no warning.
  Input in = Small();
  Enc e("", in);
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(e.element(), bus);
  e.Push(0, 8);
  gst_util_set_object_arg(G_OBJECT(e.element()), "speed-preset", "superfast");
  e.Push(8, 8);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), 16);
  fail_unless_equals_int(static_cast<int>(vtt::KeyframeIndices(bufs, in).size()), 1);
  GstMessage* m =
      gst_bus_pop_filtered(bus, GstMessageType(GST_MESSAGE_WARNING | GST_MESSAGE_ERROR));
  fail_unless(m == nullptr, "the live speed-preset change posted a message");
  gst_element_set_bus(e.element(), nullptr);
  gst_object_unref(bus);
}
GST_END_TEST;

GST_START_TEST(test_x264_tune) {
  // zerolatency: no frame delay, reported latency 0, decode order = display order.
  Result zl = EncodeAndInspect("tune=zerolatency");
  fail_unless_equals_uint64(zl.latency, 0);
  fail_if(AnyReordered(zl.bufs), "zerolatency reordered frames");
  // Without it: latency and B-frames (so the checks above can fail).
  Result plain = EncodeAndInspect("");
  fail_unless(plain.latency > 0, "default latency is 0");
  fail_unless(AnyReordered(plain.bufs), "default settings did not reorder");
  fail_unless_equals_int(plain.pps.entropy_coding_mode_flag, 1);
  // fastdecode (combined as in gst-launch): CAVLC.
  Result fast = EncodeAndInspect("tune=fastdecode+zerolatency");
  fail_unless_equals_int(fast.pps.entropy_coding_mode_flag, 0);
  fail_unless_equals_uint64(fast.latency, 0);
  // stillimage alone encodes (x264's psychovisual tune).
  EncodeAndInspect("tune=stillimage");
}
GST_END_TEST;

GST_START_TEST(test_x264_threads) {
  // With zerolatency x264 uses slice threads: one slice per thread in every frame (320x240
  // allows up to 3).
  Input in;  // 320x240
  for (int threads : {1, 3}) {
    Result r = EncodeAndInspect("tune=zerolatency threads=" + std::to_string(threads), in, 4);
    for (size_t i = 0; i < r.slices.size(); i++) fail_unless_equals_int(r.slices[i], threads);
  }
}
GST_END_TEST;

GST_START_TEST(test_x264_option_string) {
  // Applied last: bframes=0 removes the preset's reordering, ref=5 and no-cabac reach the
  // parameter sets.
  Result r = EncodeAndInspect("option-string=bframes=0:ref=5:no-cabac");
  fail_if(AnyReordered(r.bufs), "bframes=0 still reordered");
  fail_unless_equals_int(r.sps.max_num_ref_frames, 5);
  fail_unless_equals_int(r.pps.entropy_coding_mode_flag, 0);
  // The latency reported stays exact: 0 with zerolatency and options that add no delay, and
  // more than 0 when the options bring B-frames back.
  fail_unless_equals_uint64(EncodeAndInspect("tune=zerolatency option-string=ref=2").latency, 0);
  Result b = EncodeAndInspect("tune=zerolatency option-string=bframes=2");
  fail_unless(b.latency > 0, "B-frames from option-string but latency 0");
  fail_unless(AnyReordered(b.bufs), "bframes=2 did not reorder");
}
GST_END_TEST;

GST_START_TEST(test_x264_option_string_bad) {
  // A bad option is an error when the session starts, naming the option.
  GstElement* pipeline = gst_parse_launch(
      "videotestsrc num-buffers=3 ! video/x-raw,format=I420,width=64,height=64,framerate=30/1 ! "
      "vth264enc name=enc option-string=bframes=0:nosuchoption=1 ! fakesink",
      nullptr);
  fail_unless(pipeline != nullptr);
  GstBus* bus = gst_element_get_bus(pipeline);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  bool named = false;
  while (GstMessage* msg = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GST_MESSAGE_ERROR)) {
    GError* err = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(msg, &err, &debug);
    const bool from_enc = g_str_equal(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "enc");
    GST_INFO("error from %s: '%s' (%s)", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message,
             debug);
    if (from_enc) named = debug && strstr(debug, "unknown x264 option 'nosuchoption'");
    g_error_free(err);
    g_free(debug);
    gst_message_unref(msg);
    if (from_enc) break;
  }
  fail_unless(named, "no error from the encoder naming the bad option");
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
}
GST_END_TEST;

int main(int argc, char** argv) {
  std::vector<vtt::CaseEntry> cases = {
      VTT_CASE(test_x264_properties),        VTT_CASE(test_x264_speed_preset),
      VTT_CASE(test_x264_speed_preset_live), VTT_CASE(test_x264_tune),
      VTT_CASE(test_x264_threads),           VTT_CASE(test_x264_option_string),
      VTT_CASE(test_x264_option_string_bad),
  };
  return vtt::RunCases("vth264enc-x264", cases, argc, argv);
}
