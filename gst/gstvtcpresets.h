// SPDX-License-Identifier: GPL-2.0-or-later
// GstVtcEncoder's presets (internal to the element library): its GstPreset implementation, which
// wraps GStreamer's own (keyfiles in GST_PRESET_PATH, the user's and GStreamer's directories), and
// the `preset` property. GstPreset's API (gst_preset_load_preset, gst-launch's @preset=) sets only
// what a preset names, as GStreamer's does; the property makes a preset a whole setting (every
// writable property it does not name goes back to its default first). Both keep the property
// current. A saved preset holds the writable properties but `preset` itself and the x264enc-named
// knobs that are not set (PropertyRow::when_set), so that loading it leaves those to the encoder.
//
// Threads and locks: every function here may run on any thread with no lock held, and takes the
// element's OBJECT_LOCK only around the preset state and the settings (never with another lock,
// and never while it sets a property or posts a message). None touches the STREAM_LOCK or the
// session: properties set by a preset reach a running session through set_property, as any
// property does.
#pragma once

#include <gst/gst.h>

#include <string>

#include "gstvtcencoder.h"

// The element's preset state, in its private area. Guarded by the element's OBJECT_LOCK.
struct GstVtcPresetState {
  std::string preset;   // the last preset loaded, the `preset` property's value
  std::string missing;  // a `preset` that does not exist, warned of again at start
};

// --- Provided by gstvtcencoder.cpp ---------------------------------------------------------------

// The element's preset state (lives as long as the element; OBJECT_LOCK to read or write it).
GstVtcPresetState* gst_vtc_encoder_preset_state(GstVtcEncoder* self);
// The element's settings (lives as long as the element; OBJECT_LOCK held while it is used).
gstvtc::Settings* gst_vtc_encoder_settings(GstVtcEncoder* self);

// --- Provided by gstvtcpresets.cpp ---------------------------------------------------------------

// GstPreset's interface init (G_IMPLEMENT_INTERFACE, once, when the type is registered): keeps
// GStreamer's default implementation and wraps load_preset, save_preset and get_property_names.
void gst_vtc_encoder_preset_init(GstPresetInterface* iface);

// The `preset` property's setter (set_property, no lock held). Null or "" clears the property
// only. A known name resets what it does not name, then loads it; an unknown one (or one that
// does not load) changes nothing and is an element warning listing the presets, posted again at
// start (gst_vtc_encoder_warn_missing_preset), as on a launch line the element has no bus yet.
void gst_vtc_encoder_set_preset(GstVtcEncoder* self, const gchar* name);
// The `preset` property's value into `value` (a string GValue), under the OBJECT_LOCK.
void gst_vtc_encoder_get_preset(GstVtcEncoder* self, GValue* value);
// GstVideoEncoder::start (streaming thread, no lock held): the element warning for a `preset`
// that did not exist, if there was one.
void gst_vtc_encoder_warn_missing_preset(GstVtcEncoder* self);
