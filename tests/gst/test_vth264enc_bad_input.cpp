// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc given bad input (docs/bad-input.md): it refuses what it cannot take, posts one
// GST_ELEMENT_ERROR a person can act on when it cannot go on, never crashes and never loses a
// frame silently (every frame comes out, or is finished as dropped, which posts a QoS message).
// Its own binary; meson runs each case on its own with GST_CHECKS=<case> (the list in
// tests/gst/meson.build must match kCases below). Small frames and few buffers: the suite also
// runs under valgrind.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <mutex>
#include <string>
#include <vector>

#include "test_util.h"

using vtt::Enc;
using vtt::Input;

namespace {

Input Tiny(GstVideoFormat format = GST_VIDEO_FORMAT_I420) {
  Input in;
  in.format = format;
  in.width = 64;
  in.height = 48;
  return in;
}

// Sets VTC_FAULT_INJECT for its lifetime (read when an x264 instance or a pool is created).
class FaultInjection {
 public:
  explicit FaultInjection(const char* spec) { g_setenv("VTC_FAULT_INJECT", spec, TRUE); }
  ~FaultInjection() { g_unsetenv("VTC_FAULT_INJECT"); }
  FaultInjection(const FaultInjection&) = delete;
  FaultInjection& operator=(const FaultInjection&) = delete;
};

using vtt::BusWatch;
using vtt::ErrorText;

bool Contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// A buffer of `size` bytes (zeroes) with PTS and duration of frame `index` of `in`.
GstBuffer* RawBuffer(const Input& in, int index, gsize size) {
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, size, nullptr);
  gst_buffer_memset(buf, 0, 0, size);
  GST_BUFFER_PTS(buf) = in.Pts(index);
  GST_BUFFER_DURATION(buf) = in.Duration();
  return buf;
}

// Pushes caps `caps` (which the element must refuse) then a frame, which must come back
// GST_FLOW_NOT_NEGOTIATED, without an error from the encoder itself (upstream reports it).
void ExpectCapsRefused(const char* caps) {
  GstHarness* h = gst_harness_new_parse(vtt::kElement);
  GstElement* enc = gst_harness_find_element(h, vtt::kElement);
  BusWatch bus(enc);
  gst_harness_set_src_caps_str(h, caps);
  Input in = Tiny();
  const GstFlowReturn ret = gst_harness_push(h, vtt::MakeFrame(in, 0));
  fail_unless(ret == GST_FLOW_NOT_NEGOTIATED, "%s: push returned %s", caps, gst_flow_get_name(ret));
  fail_unless_equals_int(gst_harness_buffers_received(h), 0);
  gst_object_unref(enc);
  gst_harness_teardown(h);
}

}  // namespace

GST_START_TEST(test_bad_caps_refused) {
  // The sink template takes the formats of gstvtcformats.h, 1..16384 x 1..16384: anything else
  // is not negotiated.
  for (const char* caps : {
           "video/x-raw,format=I420,width=0,height=48,framerate=30/1",
           "video/x-raw,format=I420,width=64,height=0,framerate=30/1",
           "video/x-raw,format=I420,width=(int)-64,height=48,framerate=30/1",
           "video/x-raw,format=I420,width=16385,height=48,framerate=30/1",
           "video/x-raw,format=NV12,width=64,height=2147483647,framerate=30/1",
           "video/x-raw,format=RGB,width=64,height=48,framerate=30/1",
           "video/x-raw,format=YUY2,width=64,height=48,framerate=30/1",
           "video/x-raw,format=I420_12LE,width=64,height=48,framerate=30/1",
           "video/x-raw,format=Y444,width=64,height=0,framerate=30/1",
           "video/x-raw,format=I420,width=64,height=48,framerate=(fraction)-30/1",
           "video/x-bayer,format=rggb,width=64,height=48,framerate=30/1",
           // No frame rate at all (as x264enc): variable-rate sources say framerate=0/1.
           "video/x-raw,format=I420,width=64,height=48",
       })
    ExpectCapsRefused(caps);
}
GST_END_TEST;

GST_START_TEST(test_bad_caps_framerates) {
  const vtt::Codec& codec = VTT_CODEC;
  // Caps with absurd frame rates still encode every frame: the rate only
  // informs latency and rate control, and an implausible one counts as unknown.
  for (const char* rate : {",framerate=0/1", ",framerate=1000000/1", ",framerate=1/1000000",
                           ",framerate=2147483647/1", ",framerate=30000/1001"}) {
    const std::string caps = std::string("video/x-raw,format=I420,width=64,height=48") + rate;
    GstHarness* h = gst_harness_new_parse(codec.element);
    gst_harness_set_src_caps_str(h, caps.c_str());
    Input in = Tiny();  // its buffers keep 1/30 s timestamps whatever the caps say
    const int n = 4;
    for (int i = 0; i < n; i++) {
      const GstFlowReturn ret = gst_harness_push(h, vtt::MakeFrame(in, i));
      fail_unless(ret == GST_FLOW_OK, "%s: frame %d: %s", caps.c_str(), i, gst_flow_get_name(ret));
    }
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    fail_unless(gst_harness_buffers_received(h) == guint(n), "%s: %u of %d frames out",
                caps.c_str(), gst_harness_buffers_received(h), n);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

GST_START_TEST(test_bad_buffer_too_small) {
  const vtt::Codec& codec = VTT_CODEC;
  // A buffer smaller than the caps say: one error naming both sizes, GST_FLOW_ERROR, no crash.
  Input in = Tiny();
  Enc e(codec, "", in);
  BusWatch bus(e.element());
  e.Push(0, 2);
  const gsize size = in.Info().size;
  fail_unless(gst_harness_push(e.h(), RawBuffer(in, 2, size / 2)) == GST_FLOW_ERROR);
  bus.Collect();
  fail_unless_equals_int(static_cast<int>(bus.errors.size()), 1);
  fail_unless(Contains(bus.errors[0].message, "too small"), "message: %s",
              bus.errors[0].message.c_str());
  fail_unless(Contains(bus.errors[0].message, std::to_string(size).c_str()),
              "message does not say the size the caps need: %s", bus.errors[0].message.c_str());
  // The two frames before it are not lost.
  e.Eos();
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 2);
}
GST_END_TEST;

GST_START_TEST(test_bad_buffer_strides) {
  const vtt::Codec& codec = VTT_CODEC;
  // A GstVideoMeta whose strides cannot hold a row, or whose planes overlap the end of the
  // memory: the layout is refused with one error, no read outside the buffer (valgrind/ASan).
  Input in = Tiny();
  const GstVideoInfo info = in.Info();
  struct Layout {
    const char* what;
    gint stride[3];
    gsize offset[3];
  };
  const gsize y = gsize(in.width) * in.height;
  for (const Layout& l : {
           Layout{"luma stride shorter than a row",
                  {in.width / 2, in.width / 2, in.width / 2},
                  {0, y, y + y / 4}},
           Layout{"chroma plane past the end",
                  {in.width, in.width / 2, in.width / 2},
                  {0, y, y + y / 4 + 64}},
       }) {
    Enc e(codec, "", in);
    BusWatch bus(e.element());
    GstBuffer* buf = RawBuffer(in, 0, info.size);
    gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_I420, in.width,
                                   in.height, 3, const_cast<gsize*>(l.offset),
                                   const_cast<gint*>(l.stride));
    const GstFlowReturn ret = gst_harness_push(e.h(), buf);
    fail_unless(ret == GST_FLOW_ERROR, "%s: push returned %s", l.what, gst_flow_get_name(ret));
    bus.Collect();
    fail_unless(bus.errors.size() == 1, "%s: %zu errors", l.what, bus.errors.size());
    e.Eos();
    fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 0);
  }
  // A video meta that disagrees with the caps (format and plane count, or a smaller picture):
  // one readable error, not a GLib critical from gst_video_frame_map (found by fuzz_element).
  struct Meta {
    const char* what;
    GstVideoFormat format;
    guint width, n_planes;
  };
  for (const Meta& m : {Meta{"NV12 meta on I420 caps", GST_VIDEO_FORMAT_NV12, guint(in.width), 2},
                        Meta{"narrower meta", GST_VIDEO_FORMAT_I420, guint(in.width) - 2, 3}}) {
    Enc e(codec, "", in);
    BusWatch bus(e.element());
    GstBuffer* buf = RawBuffer(in, 0, info.size);
    gsize offset[3] = {0, y, y + y / 4};
    gint stride[3] = {in.width, in.width / 2, in.width / 2};
    gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, m.format, m.width, in.height,
                                   m.n_planes, offset, stride);
    const GstFlowReturn ret = gst_harness_push(e.h(), buf);
    fail_unless(ret == GST_FLOW_ERROR, "%s: push returned %s", m.what, gst_flow_get_name(ret));
    bus.Collect();
    fail_unless(bus.errors.size() == 1, "%s: %zu errors", m.what, bus.errors.size());
    fail_unless(bus.errors[0].message.find("video meta") != std::string::npos, "%s: %s", m.what,
                bus.errors[0].message.c_str());
    e.Eos();
  }
}
GST_END_TEST;

GST_START_TEST(test_bad_timestamps) {
  const vtt::Codec& codec = VTT_CODEC;
  // A repeated PTS is refused by the session (-12902): that frame is dropped (a QoS message),
  // the rest go on. A buffer without PTS continues the timeline. Nothing else is lost.
  Input in = Tiny();
  Enc e(codec, "", in);
  BusWatch bus(e.element());
  e.Push(0, 5);
  GstBuffer* repeat = vtt::MakeFrame(in, 5);
  GST_BUFFER_PTS(repeat) = in.Pts(4);
  e.PushBuffer(repeat);
  GstBuffer* none = vtt::MakeFrame(in, 6);
  GST_BUFFER_PTS(none) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(none) = GST_CLOCK_TIME_NONE;
  e.PushBuffer(none);
  e.Push(7, 3);
  e.Eos();
  bus.Collect();
  const int pushed = 10, out = static_cast<int>(e.rec().NumBuffers());
  fail_unless_equals_int(static_cast<int>(bus.errors.size()), 0);
  fail_unless_equals_int(bus.qos, 1);
  fail_unless_equals_int(out, pushed - 1);
  vtt::CheckTimestamps(e.rec().Buffers());
}
GST_END_TEST;

GST_START_TEST(test_bad_caps_change_unsupported) {
  const vtt::Codec& codec = VTT_CODEC;
  // A caps change to a format the element does not take is refused; the frames before it are
  // not lost: they come out when caps it takes arrive (or at EOS).
  Input a = Tiny();
  Enc e(codec, "", a);
  BusWatch bus(e.element());
  e.Push(0, 5);
  gst_harness_set_src_caps_str(e.h(), "video/x-raw,format=RGB,width=64,height=48,framerate=30/1");
  fail_unless(gst_harness_push(e.h(), vtt::MakeFrame(a, 5)) == GST_FLOW_NOT_NEGOTIATED);
  Input b = Tiny(GST_VIDEO_FORMAT_NV12);
  b.width = 80;
  b.height = 64;
  e.SetInput(b);
  e.Push(6, 5);
  e.Eos();
  bus.Collect();
  fail_unless_equals_int(static_cast<int>(bus.errors.size()), 0);
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 10);
  vtt::CheckTimestamps(e.rec().Buffers());
}
GST_END_TEST;

GST_START_TEST(test_bad_caps_change_level) {
  // Downstream fixed level 1.3 (396 macroblocks): a caps change to 640x480 (1200) cannot fit.
  // The frames before it come out; then one error says what to check, with the session's
  // reason in the debug text, and the caps are not negotiated.
  Input a = Tiny();
  Enc e("", a, "video/x-h264,stream-format=avc,alignment=au,profile=baseline,level=(string)1.3");
  BusWatch bus(e.element());
  e.Push(0, 5);
  Input b = a;
  b.width = 640;
  b.height = 480;
  e.SetInput(b);
  fail_unless(gst_harness_push(e.h(), vtt::MakeFrame(b, 5)) == GST_FLOW_NOT_NEGOTIATED);
  bus.Collect();
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 5);
  fail_unless_equals_int(static_cast<int>(bus.errors.size()), 1);
  const ErrorText& err = bus.errors[0];
  fail_unless(Contains(err.message, "level") && Contains(err.message, "640x480"), "message: %s",
              err.message.c_str());
  fail_unless(Contains(err.debug, "-12902") || Contains(err.debug, "kVTParameterErr"), "debug: %s",
              err.debug.c_str());
  fail_unless(Contains(err.debug, "does not fit H.264 level 1.3"), "debug: %s", err.debug.c_str());
}
GST_END_TEST;

GST_START_TEST(test_bad_x264_failure) {
  // x264 fails on the 10th frame given to it (VTC_FAULT_INJECT): the session answers every frame
  // x264 held with -12912. The element posts ONE error saying what failed and what to do, with
  // the session's reason in the debug text; each lost frame is finished as dropped (QoS), so
  // frames out + frames dropped = frames pushed; nothing crashes.
  FaultInjection fault("encode:10");
  Input in = Tiny();
  Enc e("", in);
  BusWatch bus(e.element());
  const int pushed = 20;
  int refused = 0;
  for (int i = 0; i < pushed; i++) {
    const GstFlowReturn ret = gst_harness_push(e.h(), vtt::MakeFrame(in, i));
    fail_unless(ret == GST_FLOW_OK || ret == GST_FLOW_ERROR, "frame %d: %s", i,
                gst_flow_get_name(ret));
    refused += ret != GST_FLOW_OK;
  }
  gst_harness_push_event(e.h(), gst_event_new_eos());  // drains; the flow stays an error
  bus.Collect();
  const int out = static_cast<int>(e.rec().NumBuffers());
  GST_INFO("%d out, %d dropped, %d pushes refused", out, bus.qos, refused);
  fail_unless_equals_int(static_cast<int>(bus.errors.size()), 1);
  const ErrorText& err = bus.errors[0];
  fail_unless(Contains(err.message, "x264") && Contains(err.message, "failed"), "message: %s",
              err.message.c_str());
  fail_unless(Contains(err.message, "Restart"), "message says nothing to do: %s",
              err.message.c_str());
  fail_unless(Contains(err.debug, "kVTVideoEncoderMalfunctionErr") && Contains(err.debug, "-12912"),
              "debug: %s", err.debug.c_str());
  fail_unless(Contains(err.debug, "x264_encoder_encode failed"),
              "debug lacks the session's reason: %s", err.debug.c_str());
  fail_unless(refused > 0, "the element went on as if nothing happened");
  fail_unless(bus.qos >= 2, "only %d frames reported dropped", bus.qos);
  fail_unless(out + bus.qos == pushed, "%d out + %d dropped != %d pushed", out, bus.qos, pushed);
}
GST_END_TEST;

// Input buffers kept alive by a probe on the encoder's sink pad until the pipeline stops, so that
// none goes back to the pool and upstream needs a new allocation for every frame.
struct HeldInputs {
  std::mutex mu;
  std::vector<GstBuffer*> buffers;
  ~HeldInputs() {
    for (GstBuffer* b : buffers) gst_buffer_unref(b);
  }
  static GstPadProbeReturn Probe(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<HeldInputs*>(data);
    std::lock_guard<std::mutex> lock(self->mu);
    self->buffers.push_back(gst_buffer_ref(GST_PAD_PROBE_INFO_BUFFER(info)));
    return GST_PAD_PROBE_OK;
  }
};

// videotestsrc ! <element> ! fakesink with the element's pool, until EOS or ERROR. Returns the
// ERROR messages; *buffers gets what reached the sink.
std::vector<ErrorText> RunWithOwnPool(const vtt::Codec& codec, int num_buffers, int* buffers) {
  gchar* desc = g_strdup_printf(
      "videotestsrc num-buffers=%d ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "%s name=enc ! fakesink name=sink signal-handoffs=true",
      num_buffers, codec.element);
  GstElement* pipeline = gst_parse_launch(desc, nullptr);
  g_free(desc);
  fail_unless(pipeline != nullptr);
  // The element lets each input go as soon as x264 has copied it, so the pool could recycle one
  // buffer for every frame; holding them makes the pool's allocations one per frame.
  HeldInputs held;
  GstElement* enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
  GstPad* enc_sink = gst_element_get_static_pad(enc, "sink");
  gst_pad_add_probe(enc_sink, GST_PAD_PROBE_TYPE_BUFFER, HeldInputs::Probe, &held, nullptr);
  gst_object_unref(enc_sink);
  gst_object_unref(enc);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  *buffers = 0;
  g_signal_connect(sink, "handoff", G_CALLBACK(+[](GstElement*, GstBuffer*, GstPad*, gpointer n) {
                     g_atomic_int_inc(static_cast<gint*>(n));
                   }),
                   buffers);
  std::vector<ErrorText> errors = vtt::PlayToEnd(pipeline);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return errors;
}

GST_START_TEST(test_bad_pool_allocation) {
  const vtt::Codec& codec = VTT_CODEC;
  {
    // The element's pool probes one buffer when upstream configures it: if that allocation
    // fails the element proposes no pool, upstream allocates its own, and every frame is encoded.
    FaultInjection fault("alloc:1");
    int buffers = 0;
    auto errors = RunWithOwnPool(codec, 6, &buffers);
    fail_unless_equals_int(static_cast<int>(errors.size()), 0);
    fail_unless_equals_int(buffers, 6);
  }
  {
    // A later allocation fails (-12904) while upstream runs on the element's pool (the probe's,
    // then one per frame: the third frame's): the pipeline stops with an ERROR (no hang, no
    // crash) after the frames before it went out.
    FaultInjection fault("alloc:4");
    int buffers = 0;
    auto errors = RunWithOwnPool(codec, 6, &buffers);
    fail_unless(!errors.empty(), "allocation failure without an error");
    fail_unless(buffers <= 2, "%d buffers out", buffers);
    // The first error is the element's and says what ran out, not upstream's generic one.
    fail_unless(errors[0].message.find("buffer pool") != std::string::npos, "first error: %s",
                errors[0].message.c_str());
    fail_unless(errors[0].debug.find("-12904") != std::string::npos, "debug: %s",
                errors[0].debug.c_str());
  }
}
GST_END_TEST;

GST_START_TEST(test_bad_no_caps) {
  const vtt::Codec& codec = VTT_CODEC;
  // A buffer before any caps: refused as not negotiated, no crash, nothing out.
  GstHarness* h = gst_harness_new_parse(codec.element);
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  fail_unless(gst_harness_push_event(h, gst_event_new_segment(&seg)));
  Input in = Tiny();
  const GstFlowReturn ret = gst_harness_push(h, vtt::MakeFrame(in, 0));
  fail_unless(ret == GST_FLOW_NOT_NEGOTIATED, "push returned %s", gst_flow_get_name(ret));
  fail_unless_equals_int(gst_harness_buffers_received(h), 0);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_bad_property_values) {
  const vtt::Codec& codec = VTT_CODEC;
  GstElement* el = gst_element_factory_make(codec.element, nullptr);
  fail_unless(el != nullptr);
  {
    // A data-rate-limits string that does not parse: a warning that says the format, and the
    // old value stays.
    BusWatch bus(el);
    g_object_set(el, "data-rate-limits", "1000,1", nullptr);
    for (const char* bad : {"fast", "1000", "1000,1,2", "-5,1", "1000,0", "nan,1", ""}) {
      g_object_set(el, "data-rate-limits", bad, nullptr);
      gchar* now = nullptr;
      g_object_get(el, "data-rate-limits", &now, nullptr);
      fail_unless(g_strcmp0(now, "1000,1") == 0, "\"%s\" replaced the value: %s", bad, now);
      g_free(now);
    }
    bus.Collect();
    fail_unless_equals_int(static_cast<int>(bus.warnings.size()), 7);
    for (const auto& w : bus.warnings)
      fail_unless(Contains(w, "kbps,seconds"), "warning: %s", w.c_str());
  }
  // Numbers: every numeric property declares its range, so GObject refuses (clamps) values
  // outside it before the element sees them.
  guint n = 0;
  GParamSpec** specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(el), &n);
  const GType vtc_encoder = g_type_from_name("GstVtcEncoder");
  fail_unless(vtc_encoder != 0 && g_type_is_a(G_OBJECT_TYPE(el), vtc_encoder));
  int ranged = 0;
  for (guint i = 0; i < n; i++) {
    GParamSpec* ps = specs[i];
    // The element's own properties: installed on its type or an ancestor from GstVtcEncoder
    // down (the common ones), not GstElement's or GstVideoEncoder's.
    if (!(ps->flags & G_PARAM_WRITABLE) || !g_type_is_a(ps->owner_type, vtc_encoder)) continue;
    GValue v = G_VALUE_INIT;
    g_value_init(&v, ps->value_type);
    bool out_of_range = false;
    if (G_IS_PARAM_SPEC_INT(ps) && G_PARAM_SPEC_INT(ps)->minimum > G_MININT) {
      g_value_set_int(&v, G_PARAM_SPEC_INT(ps)->minimum - 1);
      out_of_range = true;
    } else if (G_IS_PARAM_SPEC_UINT(ps) && G_PARAM_SPEC_UINT(ps)->maximum < G_MAXUINT) {
      g_value_set_uint(&v, G_PARAM_SPEC_UINT(ps)->maximum + 1);
      out_of_range = true;
    } else if (G_IS_PARAM_SPEC_DOUBLE(ps)) {
      g_value_set_double(&v, G_PARAM_SPEC_DOUBLE(ps)->maximum * 2 + 1);
      out_of_range = true;
    }
    if (out_of_range) {
      ++ranged;
      fail_unless(g_param_value_validate(ps, &v), "%s takes an out-of-range value", ps->name);
    }
    g_value_unset(&v);
  }
  g_free(specs);
  fail_unless(ranged >= 5, "only %d numeric properties with a range", ranged);
  gst_object_unref(el);
}
GST_END_TEST;

// --- suite ---------------------------------------------------------------------------------------

int main(int argc, char** argv) {
  return vtt::RunCases("vth264enc-bad-input",
                       {
                           VTT_CASE(test_bad_caps_refused),
                           VTT_GENERIC_CASE(test_bad_caps_framerates),
                           VTT_GENERIC_CASE(test_bad_buffer_too_small),
                           VTT_GENERIC_CASE(test_bad_buffer_strides),
                           VTT_GENERIC_CASE(test_bad_timestamps),
                           VTT_GENERIC_CASE(test_bad_caps_change_unsupported),
                           VTT_CASE(test_bad_caps_change_level),
                           VTT_CASE(test_bad_x264_failure),
                           VTT_GENERIC_CASE(test_bad_pool_allocation),
                           VTT_GENERIC_CASE(test_bad_no_caps),
                           VTT_GENERIC_CASE(test_bad_property_values),
                       },
                       argc, argv);
}
