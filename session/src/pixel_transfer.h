// SPDX-License-Identifier: GPL-2.0-or-later
// Pixel transfer, as VideoToolbox's VTPixelTransferSession inside a compression session: which
// pixel format the encoder is fed for a source format and profile, and the conversion of source
// buffers the encoder cannot take as they are (another layout, chroma format, bit depth or size)
// into a scratch picture. A PixelTransfer is used by one thread at a time (the session's worker).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pixel_format.h"
#include "properties.h"
#include "vtcompress/pixel_buffer.h"

namespace vtc {

// What the encoder codes for frames of `source` under config: ProfileLevel's chroma format and
// bit depth, or without a ProfileLevel the source's own (8-bit 4:2:0 for RGB and UYVY sources).
struct CodedSampling {
  ChromaFormat chroma = ChromaFormat::k420;
  int bit_depth = 8;
};
CodedSampling CodedSamplingFor(const PixelFormatInfo& source, const EncoderConfig& c);

// The pixel format the encoder is opened for and fed: the source's own when the encoder takes it
// as it is (planar only, if c.planar_input_only) and it has the coded sampling, else the planar
// format of that sampling and the source's range (RGB: video range), which the pixel transfer
// converts into. 0 for an unknown source format.
PixelFormatType EncoderInputFormat(PixelFormatType source, const EncoderConfig& c);

// Whether a buffer goes to an encoder opened for `input` without a copy: a layout the encoder
// takes, with input's chroma format and depth, at width x height. (The range is not converted:
// a full-range buffer in a video-range stream is coded as it is.) `planar_only`: the encoder takes
// planar layouts only (EncoderConfig::planar_input_only).
bool TakesDirectly(const PixelBuffer& b, PixelFormatType input, int width, int height,
                   bool planar_only);

class PixelTransfer {
 public:
  // Converts `source` for an encoder opened for `input` (EncoderInputFormat) into `*out`, a
  // buffer in the planar format of input's chroma format, depth and range, at width x height
  // (scaled if the source's size differs), with one extended pixel right and bottom where a size
  // is odd (the encoder pads into it).
  // RGB sources use the YCbCrMatrix value `matrix` ("" = ITU_R_601_4). The buffer is this
  // object's scratch picture: valid until the next call. kPixelTransferNotSupportedErr for
  // conversions it does not know, kAllocationFailedErr without memory; *why says more.
  Status Transfer(const PixelBuffer& source, PixelFormatType input, int width, int height,
                  const std::string& matrix, PixelBufferRef* out, std::string* why);

  // Frees the scratch memory (the next Transfer allocates it again).
  void Reset();

 private:
  Status EnsureScratch(PixelFormatType input, int width, int height);

  PixelBufferPoolRef pool_;  // of the scratch picture's format and size
  PixelBufferRef scratch_;
  // Intermediate planes, kept from frame to frame so that a stream allocates them once.
  std::vector<std::uint8_t> temp_[3], resample_, depth_;
};

}  // namespace vtc
