// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc output modes beyond the everyday ones: lossless (High 4:4:4 Predictive) and
// interlaced coding, each negotiated with downstream like the other profiles, and refused with an
// error a person can act on when downstream cannot take it. Its own binary; meson runs each case
// on its own with GST_CHECKS=<case> (the list in tests/gst/meson.build must match main() below).
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <atomic>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "test_util.h"

using vtt::Input;

namespace {

bool Contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// Runs `launch` to EOS or ERROR; returns the errors posted. `setup` may add probes first.
std::vector<vtt::ErrorText> Run(const std::string& launch,
                                const std::function<void(GstElement*)>& setup = nullptr) {
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &error);
  fail_unless(pipeline != nullptr && error == nullptr, "cannot build %s: %s", launch.c_str(),
              error ? error->message : "");
  if (setup) setup(pipeline);
  auto errors = vtt::PlayToEnd(pipeline);
  gst_object_unref(pipeline);
  return errors;
}

// Runs `launch`, which must fail; its first error's message must contain every part.
void ExpectError(const std::string& launch, std::initializer_list<const char*> parts) {
  const auto errors = Run(launch);
  fail_unless(!errors.empty(), "%s: no error", launch.c_str());
  for (const char* part : parts)
    fail_unless(Contains(errors[0].message, part), "first error: '%s', expected '%s' in it",
                errors[0].message.c_str(), part);
}

}  // namespace

// --- lossless ------------------------------------------------------------------------------------

GST_START_TEST(test_lossless_profile_negotiated) {
  // quality=1.0 without a bit rate is lossless: x264 writes High 4:4:4 Predictive, and the caps
  // say so ("high-4:4:4", in the src template like every other profile), also when downstream
  // asks for exactly that profile.
  Input in;
  in.width = 64;
  in.height = 48;
  for (const char* downstream :
       {static_cast<const char*>(nullptr), "video/x-h264,profile=high-4:4:4"}) {
    vtt::Enc e("quality=1.0", in, downstream);
    e.Push(0, 8);
    e.Eos();
    auto bufs = e.rec().Buffers();
    fail_unless_equals_int(static_cast<int>(bufs.size()), 8);
    auto caps = e.rec().Caps();
    fail_unless(!caps.empty());
    const std::string profile = vtt::CapsString(caps.back(), "profile");  // outlives the check
    fail_unless_equals_string(profile.c_str(), "high-4:4:4");
    int decoded = 0;
    const double psnr = vtt::MinLumaPsnr(bufs, caps.back(), in, &decoded);
    fail_unless_equals_int(decoded, 8);
    fail_unless(psnr >= 99.0, "lossless decoded with PSNR %.2f", psnr);
  }
}
GST_END_TEST;

GST_START_TEST(test_lossless_refused_downstream_says_why) {
  // Downstream that takes only profile=high cannot get a lossless stream: an element error that
  // names the property and the way out, not a bare not-negotiated.
  ExpectError(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "vth264enc name=enc quality=1.0 ! video/x-h264,profile=high ! fakesink",
      {"quality", "high-4:4:4"});
  // And the other way round: only high-4:4:4 downstream, lossy settings.
  ExpectError(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "vth264enc name=enc ! video/x-h264,profile=high-4:4:4 ! fakesink",
      {"quality=1.0"});
}
GST_END_TEST;

// --- interlaced ----------------------------------------------------------------------------------

namespace {

struct FieldCounts {
  std::atomic<int> frames{0}, interlaced{0}, tff{0};
};

GstPadProbeReturn CountFields(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* counts = static_cast<FieldCounts*>(data);
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  counts->frames++;
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_VIDEO_BUFFER_FLAG_INTERLACED)) counts->interlaced++;
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_VIDEO_BUFFER_FLAG_TFF)) counts->tff++;
  return GST_PAD_PROBE_OK;
}

// Encodes `raw` (a launch fragment ending in raw video caps), decodes it with avdec_h264 and
// counts the decoded pictures and their field flags.
void EncodeDecodeFields(const std::string& raw, const char* props, FieldCounts* counts) {
  const std::string launch =
      raw + " ! vth264enc name=enc " + props + " ! h264parse ! avdec_h264 ! fakesink name=out";
  const auto errors = Run(launch, [counts](GstElement* pipeline) {
    GstElement* out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
    GstPad* pad = gst_element_get_static_pad(out, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, CountFields, counts, nullptr);
    gst_object_unref(pad);
    gst_object_unref(out);
  });
  fail_unless(errors.empty(), "%s: error '%s'", launch.c_str(),
              errors.empty() ? "" : errors[0].message.c_str());
}

const char* kRaw =
    "videotestsrc num-buffers=30 pattern=ball ! "
    "video/x-raw,format=I420,width=320,height=240,framerate=50/1 ! interlace field-pattern=1:1 ";

}  // namespace

GST_START_TEST(test_interlaced_coded_as_interlaced) {
  // Interleaved fields are coded as interlaced H.264 (never as progressive pictures), in the field
  // order the caps give: the decoder's pictures say so.
  for (bool top_first : {true, false}) {
    FieldCounts counts;
    EncodeDecodeFields(
        std::string(kRaw) + (top_first ? "top-field-first=true" : "top-field-first=false"), "",
        &counts);
    fail_unless_equals_int(counts.frames.load(), 15);  // two fields per frame
    fail_unless_equals_int(counts.interlaced.load(), 15);
    fail_unless_equals_int(counts.tff.load(), top_first ? 15 : 0);
  }
  // Progressive input stays progressive.
  FieldCounts counts;
  EncodeDecodeFields(
      "videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=320,height=240,framerate=25/1",
      "", &counts);
  fail_unless_equals_int(counts.frames.load(), 10);
  fail_unless_equals_int(counts.interlaced.load(), 0);
}
GST_END_TEST;

GST_START_TEST(test_interlaced_refused_downstream_says_why) {
  // Interlaced coding exists in Main and High only: Baseline downstream gets an error that says
  // what to do, and so does a height x264 cannot code as field pairs.
  ExpectError(
      std::string(kRaw) + " ! vth264enc name=enc ! video/x-h264,profile=baseline ! fakesink",
      {"nterlaced", "main"});
  ExpectError(
      "videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=320,height=242,framerate=50/1 ! "
      "interlace field-pattern=1:1 ! vth264enc name=enc ! fakesink",
      {"divisible by 4"});
}
GST_END_TEST;

// --- suite ---------------------------------------------------------------------------------------

int main(int argc, char** argv) {
  return vtt::RunCases("vth264enc-modes",
                       {
                           VTT_CASE(test_lossless_profile_negotiated),
                           VTT_CASE(test_lossless_refused_downstream_says_why),
                           VTT_CASE(test_interlaced_coded_as_interlaced),
                           VTT_CASE(test_interlaced_refused_downstream_says_why),
                       },
                       argc, argv);
}
