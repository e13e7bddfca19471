// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc: an H.264 GstVideoEncoder on vtc::CompressionSession (x264).
//
// Threads and locks (outer to inner): the base class's STREAM_LOCK, then the element's
// OBJECT_LOCK (settings), then its session_lock (the session pointer, a leaf held only to copy
// it), then the session's own lock (inside vtc::CompressionSession). The
// session's output callback runs on the session's worker thread and takes the STREAM_LOCK
// (gst_video_encoder_get_frame / finish_frame) with nothing else held, so the streaming thread
// drops the STREAM_LOCK around every session call that can wait for that worker: EncodeFrame,
// CompleteFrames and Invalidate.
#pragma once

#include <gst/video/gstvideoencoder.h>

G_BEGIN_DECLS

#define GST_TYPE_VT_H264_ENC (gst_vt_h264_enc_get_type())
G_DECLARE_FINAL_TYPE(GstVtH264Enc, gst_vt_h264_enc, GST, VT_H264_ENC, GstVideoEncoder)

GST_ELEMENT_REGISTER_DECLARE(vth264enc);

G_END_DECLS
