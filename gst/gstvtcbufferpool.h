// SPDX-License-Identifier: GPL-2.0-or-later
// A GstBufferPool whose buffers are the session's pixel buffers: each GstBuffer wraps one
// vtc::PixelBuffer from the session's PixelBufferPool (one memory, a GstVideoMeta with the
// session's strides and plane offsets), so upstream writes straight into memory laid out the way
// the session asked for, and handle_frame hands those planes to x264 without a copy.
#pragma once

#include <gst/video/video.h>

#include <memory>

#include "vtcompress/pixel_buffer.h"

G_BEGIN_DECLS

#define GST_TYPE_VTC_BUFFER_POOL (gst_vtc_buffer_pool_get_type())
G_DECLARE_FINAL_TYPE(GstVtcBufferPool, gst_vtc_buffer_pool, GST, VTC_BUFFER_POOL, GstBufferPool)

G_END_DECLS

// A pool over `pool` (kept alive by the GstBufferPool). An allocation failure is posted as a
// GST_ELEMENT_ERROR on `owner` (held weakly: the pool may outlive it) besides GST_FLOW_ERROR.
GstBufferPool* gst_vtc_buffer_pool_new(std::shared_ptr<vtc::PixelBufferPool> pool,
                                       GstElement* owner);

// The session pixel buffer behind a buffer's memory, if the buffer came from a GstVtcBufferPool
// (null otherwise). Valid while the buffer lives.
vtc::PixelBuffer* gst_vtc_buffer_get_pixel_buffer(GstBuffer* buffer);
