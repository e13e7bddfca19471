// SPDX-License-Identifier: GPL-2.0-or-later
#include "pixel_format.h"

#include "vtcompress/pixel_buffer.h"

namespace vtc {
namespace {

using L = PixelLayout;
using C = ChromaFormat;

// Planes: luma, then chroma subsampled by the chroma format; `bytes` per sample, doubled for
// interleaved pairs.
constexpr PlaneFormat kLuma8{0, 0, 1, 1}, kLuma16{0, 0, 1, 2};
constexpr PlaneFormat Chroma(C c, int bytes) {
  return {c == C::k444 ? 0 : 1, c == C::k420 ? 1 : 0, 1, bytes};
}

constexpr PixelFormatInfo Planar(PixelFormatType f, const char* name, C c, int depth, bool full) {
  const int bps = depth > 8 ? 2 : 1;
  const PlaneFormat luma = bps == 2 ? kLuma16 : kLuma8;
  return {f,     name, L::kPlanar, 3,        {luma, Chroma(c, bps), Chroma(c, bps)}, c, bps, depth,
          false, full, true,       {0, 0, 0}};
}

// Bi-planar 8-bit (NV12, NV16, NV24: x264 takes the first two) or 10-bit MSB-aligned (P0x0).
constexpr PixelFormatInfo BiPlanar(PixelFormatType f, const char* name, C c, int depth, bool full,
                                   bool direct) {
  const int bps = depth > 8 ? 2 : 1;
  const PlaneFormat luma = bps == 2 ? kLuma16 : kLuma8;
  return {f,         name, L::kBiPlanar, 2,        {luma, Chroma(c, 2 * bps), {}}, c, bps, depth,
          depth > 8, full, direct,       {0, 0, 0}};
}

constexpr PixelFormatInfo Rgb32(PixelFormatType f, const char* name, int r, int g, int b) {
  return {f,     name,  L::kRGB32, 1,        {{0, 0, 1, 4}, {}, {}}, C::k444, 1, 8,
          false, false, false,     {r, g, b}};
}

constexpr PixelFormatInfo kFormats[] = {
    BiPlanar(kPixelFormat_420YpCbCr8BiPlanarVideoRange, "NV12", C::k420, 8, false, true),
    BiPlanar(kPixelFormat_420YpCbCr8BiPlanarFullRange, "NV12", C::k420, 8, true, true),
    Planar(kPixelFormat_420YpCbCr8Planar, "I420", C::k420, 8, false),
    Planar(kPixelFormat_420YpCbCr8PlanarFullRange, "I420", C::k420, 8, true),
    BiPlanar(kPixelFormat_422YpCbCr8BiPlanarVideoRange, "NV16", C::k422, 8, false, true),
    BiPlanar(kPixelFormat_422YpCbCr8BiPlanarFullRange, "NV16", C::k422, 8, true, true),
    BiPlanar(kPixelFormat_444YpCbCr8BiPlanarVideoRange, "NV24", C::k444, 8, false, false),
    BiPlanar(kPixelFormat_444YpCbCr8BiPlanarFullRange, "NV24", C::k444, 8, true, false),
    BiPlanar(kPixelFormat_420YpCbCr10BiPlanarVideoRange, "P010", C::k420, 10, false, false),
    BiPlanar(kPixelFormat_420YpCbCr10BiPlanarFullRange, "P010", C::k420, 10, true, false),
    BiPlanar(kPixelFormat_422YpCbCr10BiPlanarVideoRange, "P210", C::k422, 10, false, false),
    BiPlanar(kPixelFormat_422YpCbCr10BiPlanarFullRange, "P210", C::k422, 10, true, false),
    BiPlanar(kPixelFormat_444YpCbCr10BiPlanarVideoRange, "P410", C::k444, 10, false, false),
    BiPlanar(kPixelFormat_444YpCbCr10BiPlanarFullRange, "P410", C::k444, 10, true, false),
    Planar(kPixelFormat_422YpCbCr8Planar, "I422", C::k422, 8, false),
    Planar(kPixelFormat_422YpCbCr8PlanarFullRange, "I422", C::k422, 8, true),
    Planar(kPixelFormat_444YpCbCr8Planar, "I444", C::k444, 8, false),
    Planar(kPixelFormat_444YpCbCr8PlanarFullRange, "I444", C::k444, 8, true),
    Planar(kPixelFormat_420YpCbCr10Planar, "I010", C::k420, 10, false),
    Planar(kPixelFormat_420YpCbCr10PlanarFullRange, "I010", C::k420, 10, true),
    Planar(kPixelFormat_422YpCbCr10Planar, "I210", C::k422, 10, false),
    Planar(kPixelFormat_422YpCbCr10PlanarFullRange, "I210", C::k422, 10, true),
    Planar(kPixelFormat_444YpCbCr10Planar, "I410", C::k444, 10, false),
    Planar(kPixelFormat_444YpCbCr10PlanarFullRange, "I410", C::k444, 10, true),
    Planar(kPixelFormat_420YpCbCr12Planar, "I012", C::k420, 12, false),
    Planar(kPixelFormat_420YpCbCr12PlanarFullRange, "I012", C::k420, 12, true),
    Planar(kPixelFormat_422YpCbCr12Planar, "I212", C::k422, 12, false),
    Planar(kPixelFormat_422YpCbCr12PlanarFullRange, "I212", C::k422, 12, true),
    Planar(kPixelFormat_444YpCbCr12Planar, "I412", C::k444, 12, false),
    Planar(kPixelFormat_444YpCbCr12PlanarFullRange, "I412", C::k444, 12, true),
    {kPixelFormat_422YpCbCr8,
     "UYVY",
     L::kUYVY,
     1,
     {{0, 0, 2, 4}, {}, {}},
     C::k422,
     1,
     8,
     false,
     false,
     false,
     {0, 0, 0}},
    {kPixelFormat_422YpCbCr10,
     "v210",
     L::kV210,
     1,
     {{0, 0, 6, 16}, {}, {}},
     C::k422,
     2,
     10,
     false,
     false,
     false,
     {0, 0, 0}},
    Rgb32(kPixelFormat_32BGRA, "BGRA", 2, 1, 0),
    Rgb32(kPixelFormat_32ARGB, "ARGB", 1, 2, 3),
};

}  // namespace

const PixelFormatInfo* FindPixelFormat(PixelFormatType format) {
  for (const PixelFormatInfo& f : kFormats)
    if (f.fourcc == format) return &f;
  return nullptr;
}

PixelFormatType PlanarPixelFormat(ChromaFormat chroma, int bit_depth, bool full_range) {
  static const PixelFormatType k8[3][2] = {
      {kPixelFormat_420YpCbCr8Planar, kPixelFormat_420YpCbCr8PlanarFullRange},
      {kPixelFormat_422YpCbCr8Planar, kPixelFormat_422YpCbCr8PlanarFullRange},
      {kPixelFormat_444YpCbCr8Planar, kPixelFormat_444YpCbCr8PlanarFullRange}};
  static const PixelFormatType k10[3][2] = {
      {kPixelFormat_420YpCbCr10Planar, kPixelFormat_420YpCbCr10PlanarFullRange},
      {kPixelFormat_422YpCbCr10Planar, kPixelFormat_422YpCbCr10PlanarFullRange},
      {kPixelFormat_444YpCbCr10Planar, kPixelFormat_444YpCbCr10PlanarFullRange}};
  static const PixelFormatType k12[3][2] = {
      {kPixelFormat_420YpCbCr12Planar, kPixelFormat_420YpCbCr12PlanarFullRange},
      {kPixelFormat_422YpCbCr12Planar, kPixelFormat_422YpCbCr12PlanarFullRange},
      {kPixelFormat_444YpCbCr12Planar, kPixelFormat_444YpCbCr12PlanarFullRange}};
  const int c = chroma == ChromaFormat::k420 ? 0 : chroma == ChromaFormat::k422 ? 1 : 2;
  return (bit_depth > 10 ? k12 : bit_depth > 8 ? k10 : k8)[c][full_range ? 1 : 0];
}

const char* ChromaFormatName(ChromaFormat chroma) {
  switch (chroma) {
    case ChromaFormat::k420:
      return "4:2:0";
    case ChromaFormat::k422:
      return "4:2:2";
    case ChromaFormat::k444:
      return "4:4:4";
  }
  return "?";
}

bool IsPlanarFormat(PixelFormatType f) {
  const PixelFormatInfo* info = FindPixelFormat(f);
  return info && info->layout == PixelLayout::kPlanar;
}

bool IsFullRangeFormat(PixelFormatType f) {
  const PixelFormatInfo* info = FindPixelFormat(f);
  return info && info->full_range;
}

std::size_t PlaneCountForFormat(PixelFormatType format) {
  const PixelFormatInfo* info = FindPixelFormat(format);
  return info ? std::size_t(info->plane_count) : 0;
}

bool IsSupportedPixelFormat(PixelFormatType format) {
  return FindPixelFormat(format) != nullptr;
}

}  // namespace vtc
