// SPDX-License-Identifier: GPL-2.0-or-later
// The vtcompress plugin: registers vth264enc.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstvth264enc.h"

static gboolean plugin_init(GstPlugin* plugin) {
  return GST_ELEMENT_REGISTER(vth264enc, plugin);
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, vtcompress,
                  "H.264 encoding with VideoToolbox compression-session semantics, on x264",
                  plugin_init, PACKAGE_VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
