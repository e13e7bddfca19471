// SPDX-License-Identifier: GPL-2.0-or-later
// vth265enc: the HEVC element on GstVtcEncoder (x265 behind the session). It adds only what is
// HEVC's own: its pad templates, profile negotiation, the hvc1/hev1/byte-stream framings with the
// hvcC and in-band VPS/SPS/PPS, and x265's knobs (speed-preset, tune, threads, option-string).
// Threads and locks: see gstvtcencoder.h.
#pragma once

#include "gstvtcencoder.h"

G_BEGIN_DECLS

#define GST_TYPE_VT_H265_ENC (gst_vt_h265_enc_get_type())
G_DECLARE_FINAL_TYPE(GstVtH265Enc, gst_vt_h265_enc, GST, VT_H265_ENC, GstVtcEncoder)

GST_ELEMENT_REGISTER_DECLARE(vth265enc);

G_END_DECLS
