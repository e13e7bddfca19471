// SPDX-License-Identifier: GPL-2.0-or-later
#include "gstvtcformats.h"

#include <cstring>

namespace gstvtc {
namespace {

// clang-format off
constexpr RawFormat kFormats[] = {
    {GST_VIDEO_FORMAT_I420, vtc::kPixelFormat_420YpCbCr8Planar,
     vtc::kPixelFormat_420YpCbCr8PlanarFullRange, false, 420, 8},
    {GST_VIDEO_FORMAT_YV12, vtc::kPixelFormat_420YpCbCr8Planar,
     vtc::kPixelFormat_420YpCbCr8PlanarFullRange, true, 420, 8},
    {GST_VIDEO_FORMAT_NV12, vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange,
     vtc::kPixelFormat_420YpCbCr8BiPlanarFullRange, false, 420, 8},
    {GST_VIDEO_FORMAT_Y42B, vtc::kPixelFormat_422YpCbCr8Planar,
     vtc::kPixelFormat_422YpCbCr8PlanarFullRange, false, 422, 8},
    {GST_VIDEO_FORMAT_NV16, vtc::kPixelFormat_422YpCbCr8BiPlanarVideoRange,
     vtc::kPixelFormat_422YpCbCr8BiPlanarFullRange, false, 422, 8},
    {GST_VIDEO_FORMAT_Y444, vtc::kPixelFormat_444YpCbCr8Planar,
     vtc::kPixelFormat_444YpCbCr8PlanarFullRange, false, 444, 8},
    {GST_VIDEO_FORMAT_I420_10LE, vtc::kPixelFormat_420YpCbCr10Planar,
     vtc::kPixelFormat_420YpCbCr10PlanarFullRange, false, 420, 10},
    {GST_VIDEO_FORMAT_P010_10LE, vtc::kPixelFormat_420YpCbCr10BiPlanarVideoRange,
     vtc::kPixelFormat_420YpCbCr10BiPlanarFullRange, false, 420, 10},
    {GST_VIDEO_FORMAT_I422_10LE, vtc::kPixelFormat_422YpCbCr10Planar,
     vtc::kPixelFormat_422YpCbCr10PlanarFullRange, false, 422, 10},
    {GST_VIDEO_FORMAT_Y444_10LE, vtc::kPixelFormat_444YpCbCr10Planar,
     vtc::kPixelFormat_444YpCbCr10PlanarFullRange, false, 444, 10},
    {GST_VIDEO_FORMAT_I420_12LE, vtc::kPixelFormat_420YpCbCr12Planar,
     vtc::kPixelFormat_420YpCbCr12PlanarFullRange, false, 420, 12},
    {GST_VIDEO_FORMAT_I422_12LE, vtc::kPixelFormat_422YpCbCr12Planar,
     vtc::kPixelFormat_422YpCbCr12PlanarFullRange, false, 422, 12},
    {GST_VIDEO_FORMAT_Y444_12LE, vtc::kPixelFormat_444YpCbCr12Planar,
     vtc::kPixelFormat_444YpCbCr12PlanarFullRange, false, 444, 12},
};
// clang-format on

}  // namespace

const RawFormat* RawFormats(gsize* count) {
  *count = G_N_ELEMENTS(kFormats);
  return kFormats;
}

const RawFormat* FindRawFormat(GstVideoFormat format) {
  for (const RawFormat& f : kFormats)
    if (f.format == format) return &f;
  return nullptr;
}

vtc::PixelFormatType PixelFormatFor(const GstVideoInfo* info) {
  const RawFormat* f = FindRawFormat(GST_VIDEO_INFO_FORMAT(info));
  if (!f) return 0;
  // Read as a plain int: caps can carry a range number outside the enum.
  gint range = 0;
  std::memcpy(&range, &info->colorimetry.range, sizeof range);
  return range == GST_VIDEO_COLOR_RANGE_0_255 ? f->full_range : f->video_range;
}

GstVideoFormat GstFormatFor(vtc::PixelFormatType format) {
  for (const RawFormat& f : kFormats)
    if (!f.swap_chroma_planes && (f.video_range == format || f.full_range == format))
      return f.format;
  return GST_VIDEO_FORMAT_UNKNOWN;
}

std::string FormatList(const std::function<bool(const RawFormat&)>& keep) {
  std::string list;
  for (const RawFormat& f : kFormats) {
    if (!keep(f)) continue;
    list += std::string(list.empty() ? "{ " : ", ") + gst_video_format_to_string(f.format);
  }
  return list.empty() ? list : list + " }";
}

}  // namespace gstvtc
