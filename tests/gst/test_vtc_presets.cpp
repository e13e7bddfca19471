// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc's presets (gstvtcpresets.h): GstPreset's API, the `preset` property. Its own binary:
// the case list in tests/gst/meson.build must match main() below. The presets are the project's
// (GST_PRESET_PATH=plugin/), and the user's preset directory is one of the build directory's
// (XDG_DATA_HOME, tests/gst/meson.build), so that a developer's own saved presets change nothing.

#include <gst/check/gstcheck.h>

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

// --- suite ----------------------------------------------------------------------------------

int main(int argc, char** argv) {
  const std::vector<vtt::CaseEntry> cases = {
      VTT_CASE(test_presets),
      VTT_CASE(test_preset_property),
  };
  return vtt::RunCases("vth264enc-presets", cases, argc, argv);
}
