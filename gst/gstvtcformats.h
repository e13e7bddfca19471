// SPDX-License-Identifier: GPL-2.0-or-later
// The raw video formats the encoder elements take, against the session's pixel formats
// (vtcompress/keys.h). One table for the sink caps, the pixel buffers made from input frames and
// the pool proposed upstream. Immutable; any thread.
#pragma once

#include <gst/video/video.h>

#include <functional>
#include <string>

#include "vtcompress/keys.h"

namespace gstvtc {

struct RawFormat {
  GstVideoFormat format;
  vtc::PixelFormatType video_range, full_range;
  // The caps' plane order is Y, Cr, Cb (YV12): planes 1 and 2 swap to make the session's Y, Cb, Cr.
  bool swap_chroma_planes;
  // Which coded sampling the format asks for: chroma 420/422/444 and bit depth.
  int chroma;
  int bit_depth;
};

// Every format, in the sink caps' order of preference: 8-bit 4:2:0 first (an unconstrained
// upstream such as videotestsrc picks the first, and 4:2:0 High plays everywhere), then 4:2:2,
// 4:4:4 and the 10-bit ones.
const RawFormat* RawFormats(gsize* count);
// The row for a format, or null.
const RawFormat* FindRawFormat(GstVideoFormat format);
// The session's pixel format for frames of `info` (its format and range); 0 if not taken.
vtc::PixelFormatType PixelFormatFor(const GstVideoInfo* info);
// The GStreamer format of a session pool's buffers; GST_VIDEO_FORMAT_UNKNOWN if none.
GstVideoFormat GstFormatFor(vtc::PixelFormatType format);
// "{ I420, YV12, ... }" for caps: the formats `keep` says yes to, in the table's order; "" if none.
std::string FormatList(const std::function<bool(const RawFormat&)>& keep);

}  // namespace gstvtc
