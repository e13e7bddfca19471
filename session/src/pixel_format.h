// SPDX-License-Identifier: GPL-2.0-or-later
// The pixel-format table: one row per format a session takes (keys.h has the codes), with what
// pools, wrapped buffers, the pixel transfer and the encoder backends need to know about its
// memory layout and its samples. Immutable; usable from any thread.
#pragma once

#include <cstddef>

#include "vtcompress/keys.h"

namespace vtc {

// Chroma subsampling of the samples (RGB counts as 4:4:4).
enum class ChromaFormat { k420, k422, k444 };

enum class PixelLayout {
  kPlanar,    // Y, Cb, Cr planes
  kBiPlanar,  // Y plane, then one plane of interleaved Cb Cr pairs
  kUYVY,      // one plane: Cb Y0 Cr Y1 per two pixels (8-bit 4:2:2)
  kV210,      // one plane: 6 pixels of 10-bit 4:2:2 in four little-endian 32-bit words
  kRGB32,     // one plane: 4 bytes a pixel, in the order of rgb_offset + an ignored alpha
};

// How one plane's rows are made: the plane covers ceil(width >> h_shift) x ceil(height >>
// v_shift) "samples" (pixels of packed formats, Cb/Cr pairs of interleaved chroma), stored in
// blocks of block_samples samples taking block_bytes bytes.
struct PlaneFormat {
  int h_shift = 0, v_shift = 0;
  int block_samples = 1, block_bytes = 1;

  int Width(int picture_width) const { return (picture_width + (1 << h_shift) - 1) >> h_shift; }
  int Height(int picture_height) const { return (picture_height + (1 << v_shift) - 1) >> v_shift; }
  // Bytes holding `samples` samples (whole blocks).
  std::size_t RowBytes(int samples) const {
    return std::size_t((samples + block_samples - 1) / block_samples) * std::size_t(block_bytes);
  }
};

struct PixelFormatInfo {
  PixelFormatType fourcc;
  const char* name;  // the layout's common name: "NV12", "I420", "P010", "UYVY", "BGRA", ...
  PixelLayout layout;
  int plane_count;
  PlaneFormat planes[3];
  ChromaFormat chroma;
  int bytes_per_sample;  // of Y/Cb/Cr samples in planar and bi-planar layouts: 1 or 2
  int bit_depth;         // 8, 10 or 12
  bool msb_aligned;      // 10-bit samples in the high bits of their 16-bit word (P010)
  bool full_range;       // YUV 0..255 (0..1023) samples; false for video range and for RGB
  // Planar or bi-planar YUV with samples in the low bits, a layout encoders take as it is (x264:
  // I420, NV12, I422, NV16, I444 and their high-depth forms); otherwise the session converts.
  bool encoder_direct;
  int rgb_offset[3];  // kRGB32: byte offset of R, G and B in a pixel

  bool interleaved_chroma() const { return layout == PixelLayout::kBiPlanar; }
  bool is_rgb() const { return layout == PixelLayout::kRGB32; }
  bool is_yuv_planes() const {
    return layout == PixelLayout::kPlanar || layout == PixelLayout::kBiPlanar;
  }
};

// The row of a format, or nullptr if the session does not take it.
const PixelFormatInfo* FindPixelFormat(PixelFormatType format);

// The planar format (Y, Cb, Cr planes, samples in the low bits) of that chroma format, depth (8,
// 10 or 12) and range: the layout the session converts into when the encoder cannot take a source.
PixelFormatType PlanarPixelFormat(ChromaFormat chroma, int bit_depth, bool full_range);

// "4:2:0", "4:2:2", "4:4:4".
const char* ChromaFormatName(ChromaFormat chroma);

}  // namespace vtc
