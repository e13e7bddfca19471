// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc's presets (gstvtcpresets.h): GstPreset's API, the `preset` property. Its own binary:
// the case list in tests/gst/meson.build must match main() below. The presets are the project's
// (GST_PRESET_PATH=plugin/), and the user's preset directory is one of the build directory's
// (XDG_DATA_HOME, tests/gst/meson.build), so that a developer's own saved presets change nothing.

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <cstring>
#include <string>
#include <vector>

#include "test_util.h"

GST_START_TEST(test_presets) {
  GstElement* el = gst_element_factory_make(vtt::kElement, nullptr);
  fail_unless(el != nullptr);
  fail_unless(GST_IS_PRESET(el), "%s does not implement GstPreset", vtt::kElement);
  gchar** names = gst_preset_get_preset_names(GST_PRESET(el));
  fail_unless(names != nullptr && names[0] != nullptr, "no presets (GST_PRESET_PATH=%s)",
              g_getenv("GST_PRESET_PATH"));
  for (gchar** n = names; *n; n++) {
    fail_unless(gst_preset_load_preset(GST_PRESET(el), *n), "preset '%s' does not load", *n);
  }
  g_strfreev(names);
  gst_object_unref(el);
}
GST_END_TEST;

// The preset property: a launch line picks a preset by name, properties after it win, a preset
// resets what it does not name (one after another keeps nothing of the first), and an unknown
// name is a warning that changes nothing.
GST_START_TEST(test_preset_property) {
  GstElement* el = gst_element_factory_make(vtt::kElement, nullptr);
  fail_unless(el != nullptr);
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(el, bus);
  gchar* drl = nullptr;
  gboolean realtime = FALSE;
  g_object_set(el, "preset", "streaming", nullptr);
  g_object_get(el, "data-rate-limits", &drl, "realtime", &realtime, nullptr);
  fail_unless_equals_string(drl, "6000,1");
  fail_unless(realtime);
  g_free(drl);
  // An x264enc-named knob set before: back to not set (its default) by the next preset.
  g_object_set(el, "subme", 3u, nullptr);
  g_object_set(el, "preset", "archive", nullptr);
  gdouble quality = 0;
  guint subme = 0;
  gchar* preset = nullptr;
  g_object_get(el, "data-rate-limits", &drl, "realtime", &realtime, "quality", &quality, "subme",
               &subme, "preset", &preset, nullptr);
  fail_unless_equals_string(drl, "0,0");  // streaming's limits did not survive
  fail_unless(!realtime);
  fail_unless(quality > 0.74 && quality < 0.76);
  GParamSpec* ps = g_object_class_find_property(G_OBJECT_GET_CLASS(el), "subme");
  fail_unless_equals_int(subme, G_PARAM_SPEC_UINT(ps)->default_value);
  fail_unless_equals_string(preset, "archive");
  g_free(drl);
  g_free(preset);
  // Unknown: a warning naming the presets, nothing changed.
  g_object_set(el, "preset", "no-such-preset", nullptr);
  GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
  fail_unless(m != nullptr, "no warning for an unknown preset");
  GError* err = nullptr;
  gst_message_parse_warning(m, &err, nullptr);
  fail_unless(strstr(err->message, "no-such-preset") && strstr(err->message, "archive"), "%s",
              err->message);
  g_error_free(err);
  gst_message_unref(m);
  g_object_get(el, "quality", &quality, "preset", &preset, nullptr);
  fail_unless(quality > 0.74 && quality < 0.76);
  fail_unless_equals_string(preset, "archive");
  g_free(preset);
  gst_element_set_bus(el, nullptr);
  gst_object_unref(bus);
  gst_object_unref(el);
  // From a launch line, with a property after it.
  GstElement* bin = gst_parse_bin_from_description(
      (std::string(vtt::kElement) + " name=enc preset=streaming bitrate=2000").c_str(), FALSE,
      nullptr);
  fail_unless(bin != nullptr);
  GstElement* enc = gst_bin_get_by_name(GST_BIN(bin), "enc");
  guint bitrate = 0;
  g_object_get(enc, "bitrate", &bitrate, "realtime", &realtime, nullptr);
  fail_unless_equals_int(bitrate, 2000);
  fail_unless(realtime);
  gst_object_unref(enc);
  gst_object_unref(bin);
  // GstPreset's own API sets only what the preset names (GStreamer's meaning, also @preset=),
  // and the property follows it.
  el = gst_element_factory_make(vtt::kElement, nullptr);
  g_object_set(el, "bitrate", 1234u, nullptr);
  fail_unless(gst_preset_load_preset(GST_PRESET(el), "low-latency-live"));
  g_object_get(el, "bitrate", &bitrate, "preset", &preset, nullptr);
  fail_unless_equals_int(bitrate, 1234);
  fail_unless_equals_string(preset, "low-latency-live");
  g_free(preset);
  gst_object_unref(el);
  // A mistyped name on a launch line, where the element has no bus yet: warned of at start.
  GstElement* pipe = gst_parse_launch(
      (std::string("videotestsrc num-buffers=2 ! video/x-raw,width=64,height=48 ! ") +
       vtt::kElement + " preset=no-such-preset ! fakesink")
          .c_str(),
      nullptr);
  fail_unless(pipe != nullptr);
  GstBus* pbus = gst_element_get_bus(pipe);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  bool warned = false;
  for (;;) {
    GstMessage* msg = gst_bus_timed_pop_filtered(
        pbus, 30 * GST_SECOND,
        GstMessageType(GST_MESSAGE_WARNING | GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    fail_unless(msg != nullptr, "no EOS");
    const GstMessageType type = GST_MESSAGE_TYPE(msg);
    if (type == GST_MESSAGE_WARNING) {
      GError* w = nullptr;
      gst_message_parse_warning(msg, &w, nullptr);
      warned = warned || strstr(w->message, "no-such-preset") != nullptr;
      g_error_free(w);
    }
    gst_message_unref(msg);
    fail_unless(type != GST_MESSAGE_ERROR, "the pipeline failed");
    if (type == GST_MESSAGE_EOS) break;
  }
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pbus);
  gst_object_unref(pipe);
  fail_unless(warned, "no warning about the unknown preset");
}
GST_END_TEST;

// vth264enc's preset file in the user's directory (where GstPreset saves), removed before and
// after a case that saves: GStreamer stamps it with its own version, above the project's, so a
// later run would read it instead of the project's presets. The directory must be the one the
// test's environment names (a directory of the build, tests/gst/meson.build), never a person's.
class UserPresetFile {
 public:
  UserPresetFile() {
    const gchar* xdg = g_getenv("XDG_DATA_HOME");
    fail_unless(xdg && *xdg && std::strcmp(g_get_user_data_dir(), xdg) == 0,
                "XDG_DATA_HOME must name the test's own directory (meson test sets it): this case "
                "saves presets there");
    gchar* path = g_build_filename(xdg, "gstreamer-1.0", "presets", "GstVtH264Enc.prs", nullptr);
    path_ = path;
    g_free(path);
    Remove();
  }
  ~UserPresetFile() { Remove(); }
  UserPresetFile(const UserPresetFile&) = delete;
  UserPresetFile& operator=(const UserPresetFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  void Remove() {
    g_remove(path_.c_str());
    g_remove((path_ + ".bak").c_str());
  }
  std::string path_;
};

// A saved preset holds the x264enc-named knobs the user set and leaves out those not set (their
// defaults would be set values once loaded: bframes=0 turns B-frames off), also when it replaces
// a preset of the same name that had them set.
GST_START_TEST(test_preset_save_leaves_unset_knobs_out) {
  const char* kName = "vtt-saved";
  UserPresetFile file;
  GstElement* first = gst_element_factory_make(vtt::kElement, nullptr);
  g_object_set(first, "bframes", 0u, "subme", 3u, nullptr);
  fail_unless(gst_preset_save_preset(GST_PRESET(first), kName));
  gst_object_unref(first);
  // Saved again under the same name with bframes not set.
  GstElement* second = gst_element_factory_make(vtt::kElement, nullptr);
  g_object_set(second, "subme", 3u, nullptr);
  fail_unless(gst_preset_save_preset(GST_PRESET(second), kName));
  gst_object_unref(second);
  // The file: subme there, bframes not.
  GKeyFile* saved = g_key_file_new();
  fail_unless(g_key_file_load_from_file(saved, file.path().c_str(), G_KEY_FILE_NONE, nullptr),
              "no preset file at %s", file.path().c_str());
  fail_unless(g_key_file_has_key(saved, kName, "subme", nullptr), "subme was not saved");
  fail_unless(!g_key_file_has_key(saved, kName, "bframes", nullptr), "bframes, not set, was saved");
  for (const char* not_a_setting : {"name", "parent", "preset"})
    fail_unless(!g_key_file_has_key(saved, kName, not_a_setting, nullptr), "%s was saved",
                not_a_setting);
  g_key_file_free(saved);
  // Loaded into a fresh element: subme is 3, and bframes stays the speed preset's (B-frames).
  GstElement* el = gst_element_factory_make(vtt::kElement, nullptr);
  fail_unless(gst_preset_load_preset(GST_PRESET(el), kName));
  guint subme = 0;
  g_object_get(el, "subme", &subme, nullptr);
  fail_unless_equals_int(subme, 3);
  GstHarness* h = gst_harness_new_with_element(el, "sink", "src");
  const vtt::Input in;
  const int n = 30;
  std::vector<vtt::OutBuf> bufs;
  {
    vtt::Recorder rec(h->sinkpad);
    gst_harness_set_sink_caps_str(h, vtt::H264().reordering_caps);
    gst_harness_set_src_caps_str(h, in.Caps().c_str());
    for (int i = 0; i < n; i++)
      fail_unless_equals_int(gst_harness_push(h, vtt::MakeFrame(in, i)), GST_FLOW_OK);
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    bufs = rec.Buffers();
  }
  gst_harness_teardown(h);
  gst_object_unref(el);
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  bool reordered = false;
  for (size_t i = 1; i < bufs.size(); i++) reordered |= bufs[i].pts < bufs[i - 1].pts;
  fail_unless(reordered, "no B-frames: the preset set bframes, which was not set when saved");
}
GST_END_TEST;

// --- suite ----------------------------------------------------------------------------------

int main(int argc, char** argv) {
  const std::vector<vtt::CaseEntry> cases = {
      VTT_CASE(test_presets),
      VTT_CASE(test_preset_property),
      VTT_CASE(test_preset_save_leaves_unset_knobs_out),
  };
  return vtt::RunCases("vth264enc-presets", cases, argc, argv);
}
