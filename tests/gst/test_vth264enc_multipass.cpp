// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc's two-pass file encoding (pass, multipass-cache-file; session MultiPassStorage):
// pass1 then pass2 on the same input, as two pipeline runs; pass2 without pass1's statistics is
// an error that says what to do. Its own binary: the case list in tests/gst/meson.build
// (gst_multipass_cases) must match kCases below. Small: these run under valgrind.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "test_util.h"

using vtt::Enc;
using vtt::Input;
using vtt::Small;

namespace {

constexpr int kFrames = 60;  // 2 s at 30 fps

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

using vtt::BusWatch;

// Encodes kFrames of Small() with these properties, expecting no error; the kbit/s out.
double Run(const vtt::Codec& codec, const std::string& props,
           std::vector<vtt::OutBuf>* out = nullptr) {
  const Input in = Small();
  Enc e(codec, props, in, codec.Caps(true));
  BusWatch bus(e.element());
  e.Push(0, kFrames);
  e.Eos();
  const std::vector<vtt::OutBuf> bufs = e.rec().Buffers();
  const std::vector<std::string> errors = bus.ErrorMessages();
  fail_unless(errors.empty(), "%s: error %s", props.c_str(),
              errors.empty() ? "" : errors[0].c_str());
  fail_unless_equals_int(static_cast<int>(bufs.size()), kFrames);
  vtt::CheckTimestamps(bufs);
  size_t bytes = 0;
  for (const auto& b : bufs) bytes += b.data.size();
  if (out) *out = bufs;
  return bytes * 8.0 / 1000.0 / (kFrames * in.Duration() / double(GST_SECOND));
}

// The errors the element with these properties posts when it gets its caps and a first frame
// (the bus is attached before the caps, whose set_format makes the session).
std::vector<std::string> FirstFrameErrors(const vtt::Codec& codec, const std::string& props) {
  const Input in = Small();
  GstHarness* h = gst_harness_new_parse((std::string(codec.element) + " " + props).c_str());
  fail_unless(h != nullptr);
  GstElement* enc = gst_harness_find_element(h, codec.element);
  std::vector<std::string> errors;
  {
    BusWatch bus(enc);
    gst_harness_set_src_caps_str(h, in.Caps().c_str());
    const GstFlowReturn ret = gst_harness_push(h, vtt::MakeFrame(in, 0));
    fail_unless(ret != GST_FLOW_OK, "%s: a frame was accepted", props.c_str());
    errors = bus.ErrorMessages();
  }
  gst_object_unref(enc);
  gst_harness_teardown(h);
  return errors;
}

}  // namespace

GST_START_TEST(test_multipass_properties) {
  const vtt::Codec& codec = VTT_CODEC;
  GstElement* el = gst_element_factory_make(codec.element, nullptr);
  fail_unless(el != nullptr);
  GObjectClass* klass = G_OBJECT_GET_CLASS(el);
  GParamSpec* ps = g_object_class_find_property(klass, "pass");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_ENUM(ps));
  fail_unless(ps->flags & GST_PARAM_MUTABLE_READY);
  GEnumClass* passes = G_PARAM_SPEC_ENUM(ps)->enum_class;
  // x264enc's numbers for the same passes.
  const struct {
    const char* nick;
    int value;
  } want[] = {{"single", 0}, {"pass1", 17}, {"pass2", 18}};
  for (const auto& w : want) {
    GEnumValue* v = g_enum_get_value_by_nick(passes, w.nick);
    fail_unless(v != nullptr, "no pass %s", w.nick);
    fail_unless_equals_int(v->value, w.value);
  }
  gint pass = -1;
  gchar* file = nullptr;
  g_object_get(el, "pass", &pass, "multipass-cache-file", &file, nullptr);
  fail_unless_equals_int(pass, 0);
  // "<element>.log", as x264enc's "x264.log".
  const std::string want_file = std::string(codec.element) + ".log";  // outlives the check
  fail_unless_equals_string(file, want_file.c_str());
  g_free(file);
  ps = g_object_class_find_property(klass, "multipass-cache-file");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_STRING(ps));
  fail_unless(ps->flags & GST_PARAM_MUTABLE_READY);
  gst_object_unref(el);
}
GST_END_TEST;

GST_START_TEST(test_multipass_two_runs) {
  const vtt::Codec& codec = VTT_CODEC;
  vtctest::TempDir dir;
  fail_unless(dir.ok(), "mkdtemp failed");
  const std::string file = dir.File("stats.log");
  const std::string common = "bitrate=150 multipass-cache-file=" + file;
  // pass1 writes the statistics and still produces its (fast, first-pass) stream.
  Run(codec, "pass=pass1 " + common);
  fail_unless(Exists(file), "pass1 left no %s", file.c_str());
  fail_unless(Exists(file + ".vtcpass"), "pass1 did not record its end");
  // pass2 reads them: within a few percent of the target on this 2 s clip.
  std::vector<vtt::OutBuf> bufs;
  const double kbps = Run(codec, "pass=pass2 " + common, &bufs);
  GST_INFO("pass2: %.1f kbit/s for 150", kbps);
  fail_unless(kbps > 150 * 0.9 && kbps < 150 * 1.1, "pass2 gave %.1f kbit/s for 150", kbps);
  fail_unless(bufs[0].keyframe());
  // The file stays for another pass2 (x264enc keeps its cache file too).
  fail_unless(Exists(file));
}
GST_END_TEST;

GST_START_TEST(test_multipass_pass2_without_pass1) {
  const vtt::Codec& codec = VTT_CODEC;
  vtctest::TempDir dir;
  fail_unless(dir.ok(), "mkdtemp failed");
  const std::vector<std::string> errors = FirstFrameErrors(
      codec, "pass=pass2 bitrate=150 multipass-cache-file=" + dir.File("missing.log"));
  fail_unless_equals_int(static_cast<int>(errors.size()), 1);
  fail_unless(errors[0].find("pass1") != std::string::npos, "error: %s", errors[0].c_str());
  fail_unless(errors[0].find("missing.log") != std::string::npos, "error: %s", errors[0].c_str());
}
GST_END_TEST;

GST_START_TEST(test_multipass_needs_bitrate) {
  const vtt::Codec& codec = VTT_CODEC;
  vtctest::TempDir dir;
  fail_unless(dir.ok(), "mkdtemp failed");
  const std::vector<std::string> errors = FirstFrameErrors(
      codec, "pass=pass1 multipass-cache-file=" + dir.File("stats.log"));  // bitrate 0
  fail_unless_equals_int(static_cast<int>(errors.size()), 1);
  fail_unless(errors[0].find("bitrate") != std::string::npos, "error: %s", errors[0].c_str());
}
GST_END_TEST;

int main(int argc, char** argv) {
  std::vector<vtt::CaseEntry> cases = {
      VTT_GENERIC_CASE(test_multipass_properties),
      VTT_GENERIC_CASE(test_multipass_two_runs),
      VTT_GENERIC_CASE(test_multipass_pass2_without_pass1),
      VTT_GENERIC_CASE(test_multipass_needs_bitrate),
  };
  return vtt::RunCases("vth264enc-multipass", cases, argc, argv);
}
