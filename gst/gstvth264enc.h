// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc: the H.264 element on GstVtcEncoder (x264 behind the session). It adds only what is
// H.264's own: its pad templates, profile/level negotiation, avcC and byte-stream parameter sets,
// and its own properties (entropy-mode, max-slice-bytes and x264's knobs). Threads and locks: see
// gstvtcencoder.h.
#pragma once

#include "gstvtcencoder.h"

G_BEGIN_DECLS

#define GST_TYPE_VT_H264_ENC (gst_vt_h264_enc_get_type())
G_DECLARE_FINAL_TYPE(GstVtH264Enc, gst_vt_h264_enc, GST, VT_H264_ENC, GstVtcEncoder)

GST_ELEMENT_REGISTER_DECLARE(vth264enc);

G_END_DECLS
