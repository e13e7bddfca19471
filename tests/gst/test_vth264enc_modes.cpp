// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc output modes beyond the everyday ones: lossless (High 4:4:4 Predictive) and
// interlaced coding, each negotiated with downstream like the other profiles, and refused with an
// error a person can act on when downstream cannot take it. Its own binary; meson runs each case
// on its own with GST_CHECKS=<case> (the list in tests/gst/meson.build must match main() below).
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <string>
#include <vector>

#include "test_util.h"

using vtt::Input;

namespace {

bool Contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// Runs `launch` (vth264enc named "enc") to EOS or ERROR; returns the errors posted.
std::vector<vtt::ErrorText> Run(const std::string& launch) {
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &error);
  fail_unless(pipeline != nullptr && error == nullptr, "cannot build %s: %s", launch.c_str(),
              error ? error->message : "");
  auto errors = vtt::PlayToEnd(pipeline);
  gst_object_unref(pipeline);
  return errors;
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
    fail_unless_equals_string(vtt::CapsString(caps.back(), "profile").c_str(), "high-4:4:4");
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
  auto errors = Run(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "vth264enc name=enc quality=1.0 ! video/x-h264,profile=high ! fakesink");
  fail_unless(!errors.empty(), "no error");
  fail_unless(Contains(errors[0].message, "quality") && Contains(errors[0].message, "high-4:4:4"),
              "first error: '%s'", errors[0].message.c_str());
  // And the other way round: only high-4:4:4 downstream, lossy settings.
  errors = Run(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "vth264enc name=enc ! video/x-h264,profile=high-4:4:4 ! fakesink");
  fail_unless(!errors.empty(), "no error");
  fail_unless(Contains(errors[0].message, "quality=1.0"), "first error: '%s'",
              errors[0].message.c_str());
}
GST_END_TEST;

// --- suite ---------------------------------------------------------------------------------------

int main(int argc, char** argv) {
  return vtt::RunCases("vth264enc-modes",
                       {
                           VTT_CASE(test_lossless_profile_negotiated),
                           VTT_CASE(test_lossless_refused_downstream_says_why),
                       },
                       argc, argv);
}
