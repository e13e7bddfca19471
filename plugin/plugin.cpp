// SPDX-License-Identifier: GPL-2.0-or-later
// The vtcompress plugin: registers vth264enc and vth265enc.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstvth264enc.h"
#include "gstvth265enc.h"

static gboolean plugin_init(GstPlugin* plugin) {
  // Each element on its own: one that fails to register leaves the other usable.
  gboolean ok = FALSE;
  ok |= GST_ELEMENT_REGISTER(vth264enc, plugin);
  ok |= GST_ELEMENT_REGISTER(vth265enc, plugin);
  return ok;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, vtcompress,
                  "H.264 and HEVC encoding with VideoToolbox compression-session semantics, on "
                  "x264 and x265",
                  plugin_init, PACKAGE_VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
