// SPDX-License-Identifier: GPL-2.0-or-later
// GstVtcEncoder's presets: GstPreset's implementation and the `preset` property (see the header).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvtcpresets.h"

#include <cstring>

// Every message goes to the element's own category, as in gstvtcencoder.cpp: every function that
// logs has its GstVtcEncoder* in `self`.
#define GST_CAT_DEFAULT (GST_VTC_ENCODER_GET_CLASS(self)->debug_category)

// GstPreset's own implementation (keyfiles in GST_PRESET_PATH, the user's and GStreamer's
// directories), which the element's wraps.
static GstPresetInterface g_default_preset;

// The element whose save_preset runs on this thread: get_property_names then leaves out the
// knobs not set. Per thread, as two elements may save at once.
static thread_local GstPreset* t_saving = nullptr;

// GstPreset's loader, which also keeps the `preset` property current (gst_preset_load_preset(),
// gst-launch's @preset=, the property). It sets only what the preset names, as GStreamer's own.
static gboolean gst_vtc_encoder_load_preset(GstPreset* preset, const gchar* name) {
  if (!g_default_preset.load_preset(preset, name)) return FALSE;
  auto* self = GST_VTC_ENCODER(preset);
  GST_OBJECT_LOCK(self);
  gst_vtc_encoder_preset_state(self)->preset = name;
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

// GStreamer's save adds the current values to the preset's group and keeps the keys already
// there, so a knob set when the preset was saved before and not set now would stay in it: a
// preset saved again is saved anew. Its comment (the meta data tag GStreamer's documentation
// names, and the one the project's presets have) stays; other meta data tags do not.
static gboolean gst_vtc_encoder_save_preset(GstPreset* preset, const gchar* name) {
  gchar** known = gst_preset_get_preset_names(preset);
  const bool exists = known && g_strv_contains(known, name);
  g_strfreev(known);
  gchar* comment = nullptr;
  if (exists) {
    if (!g_default_preset.get_meta(preset, name, "comment", &comment)) comment = nullptr;
    g_default_preset.delete_preset(preset, name);
  }
  t_saving = preset;
  gboolean ok = g_default_preset.save_preset(preset, name);
  t_saving = nullptr;
  if (ok && comment) ok = g_default_preset.set_meta(preset, name, "comment", comment);
  g_free(comment);
  return ok;
}

// The `preset` property makes a preset a whole setting: every writable property it does not name
// goes back to its default first (x264enc-named knobs back to "not set", the preset's choice),
// then the loader sets what it names. One property at a time: loaded while PLAYING, the running
// session hears of each live change in turn.
static void gst_vtc_encoder_reset_for_preset(GstVtcEncoder* self) {
  const gstvtc::PropertyTable* table = GST_VTC_ENCODER_GET_CLASS(self)->properties;
  for (const gstvtc::PropertyTable::Entry& e : table->entries()) {
    if (!(e.pspec->flags & G_PARAM_WRITABLE) || std::strcmp(e.pspec->name, "preset") == 0) continue;
    if (e.row->when_set) {
      GST_OBJECT_LOCK(self);
      table->Unset(gst_vtc_encoder_settings(self), e);
      GST_OBJECT_UNLOCK(self);
      g_object_notify_by_pspec(G_OBJECT(self), e.pspec);
      continue;
    }
    GValue v = G_VALUE_INIT;
    g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(e.pspec));
    g_param_value_set_default(e.pspec, &v);
    GValue now = G_VALUE_INIT;
    g_value_init(&now, G_PARAM_SPEC_VALUE_TYPE(e.pspec));
    g_object_get_property(G_OBJECT(self), e.pspec->name, &now);
    // Only what differs: a live session hears of each change (and non-live ones warn).
    if (g_param_values_cmp(e.pspec, &v, &now) != 0)
      g_object_set_property(G_OBJECT(self), e.pspec->name, &v);
    g_value_unset(&now);
    g_value_unset(&v);
  }
}

// What a preset holds: the writable properties, not `preset` itself; and when saving, not the
// knobs that are not set (when_set rows), whose defaults a load would turn into set values
// (bframes=0 instead of the speed preset's B-frames).
static gchar** gst_vtc_encoder_get_property_names(GstPreset* preset) {
  auto* self = GST_VTC_ENCODER(preset);
  const gstvtc::PropertyTable* table = GST_VTC_ENCODER_GET_CLASS(self)->properties;
  const bool saving = t_saving == preset && table;
  const gstvtc::Settings settings =
      saving ? gst_vtc_encoder_copy_settings(self) : gstvtc::Settings();
  gchar** all = g_default_preset.get_property_names(preset);
  GPtrArray* out = g_ptr_array_new();
  for (gchar** n = all; n && *n; ++n) {
    // Not settings: `preset` itself, and GstObject's name and parent (a preset must not
    // rename the element it is loaded into).
    if (std::strcmp(*n, "preset") == 0 || std::strcmp(*n, "name") == 0 ||
        std::strcmp(*n, "parent") == 0)
      continue;
    const gstvtc::PropertyTable::Entry* e = saving ? table->Lookup(*n) : nullptr;
    if (e && !table->IsSet(settings, *e)) {
      GST_DEBUG_OBJECT(self, "not saving %s: not set", *n);
      continue;
    }
    g_ptr_array_add(out, g_strdup(*n));
  }
  g_strfreev(all);
  g_ptr_array_add(out, nullptr);
  return reinterpret_cast<gchar**>(g_ptr_array_free(out, FALSE));
}

void gst_vtc_encoder_preset_init(GstPresetInterface* iface) {
  g_default_preset = *iface;  // GstPreset's defaults, set before this runs
  iface->load_preset = gst_vtc_encoder_load_preset;
  iface->save_preset = gst_vtc_encoder_save_preset;
  iface->get_property_names = gst_vtc_encoder_get_property_names;
}

void gst_vtc_encoder_set_preset(GstVtcEncoder* self, const gchar* name) {
  GstVtcPresetState* state = gst_vtc_encoder_preset_state(self);
  if (!name || !*name) {
    GST_OBJECT_LOCK(self);
    state->preset.clear();
    GST_OBJECT_UNLOCK(self);
    return;
  }
  gchar** known = gst_preset_get_preset_names(GST_PRESET(self));
  const bool exists = known && g_strv_contains(known, name);
  g_strfreev(known);
  if (exists) gst_vtc_encoder_reset_for_preset(self);
  if (!exists || !gst_preset_load_preset(GST_PRESET(self), name)) {
    // Posted now and again at start: on a launch line the element has no bus yet.
    GST_OBJECT_LOCK(self);
    state->missing = name;
    GST_OBJECT_UNLOCK(self);
    gchar** names = gst_preset_get_preset_names(GST_PRESET(self));
    gchar* list = names ? g_strjoinv(", ", names) : g_strdup("");
    GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                        ("No preset \"%s\" (presets: %s). Installed with the prefix of "
                         "GStreamer, the presets are found by themselves; else set "
                         "GST_PRESET_PATH to their directory (docs/install.md).",
                         name, *list ? list : "none found"),
                        ("gst_preset_load_preset failed"));
    g_free(list);
    g_strfreev(names);
    return;
  }
  GST_OBJECT_LOCK(self);
  state->missing.clear();
  GST_OBJECT_UNLOCK(self);
}

void gst_vtc_encoder_get_preset(GstVtcEncoder* self, GValue* value) {
  GST_OBJECT_LOCK(self);
  g_value_set_string(value, gst_vtc_encoder_preset_state(self)->preset.c_str());
  GST_OBJECT_UNLOCK(self);
}

void gst_vtc_encoder_warn_missing_preset(GstVtcEncoder* self) {
  GST_OBJECT_LOCK(self);
  const std::string missing = gst_vtc_encoder_preset_state(self)->missing;
  GST_OBJECT_UNLOCK(self);
  if (!missing.empty())
    GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                        ("No preset \"%s\": the element runs with its other settings. "
                         "gst-inspect-1.0 lists the presets it finds.",
                         missing.c_str()),
                        ("set through the preset property"));
}
