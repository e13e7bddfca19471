// SPDX-License-Identifier: GPL-2.0-or-later
#include "pixel_transfer.h"

namespace vtc {

CodedSampling CodedSamplingFor(const PixelFormatInfo& source, const EncoderConfig& c) {
  if (c.profile_from_source) {
    // RGB and UYVY (camera and screen captures) are coded as 8-bit 4:2:0, which every decoder
    // plays, rather than as their own 4:4:4 and 4:2:2.
    if (source.is_rgb() || source.layout == PixelLayout::kUYVY) return {};
    return {source.chroma, source.bit_depth};
  }
  int chroma_idc = 1, depth = 8;
  ProfileSampling(c.profile, &chroma_idc, &depth);
  CodedSampling s;
  s.chroma = chroma_idc == 3   ? ChromaFormat::k444
             : chroma_idc == 2 ? ChromaFormat::k422
                               : ChromaFormat::k420;
  s.bit_depth = depth > 0 ? depth : source.bit_depth;
  return s;
}

PixelFormatType EncoderInputFormat(PixelFormatType source, const EncoderConfig& c) {
  const PixelFormatInfo* info = FindPixelFormat(source);
  if (!info) return 0;
  const CodedSampling s = CodedSamplingFor(*info, c);
  if (info->encoder_direct && info->chroma == s.chroma && info->bit_depth == s.bit_depth)
    return source;
  return PlanarPixelFormat(s.chroma, s.bit_depth, info->full_range);
}

bool TakesDirectly(const PixelBuffer& b, PixelFormatType input, int width, int height) {
  const PixelFormatInfo* have = FindPixelFormat(b.pixel_format());
  const PixelFormatInfo* want = FindPixelFormat(input);
  return have && want && have->encoder_direct && have->chroma == want->chroma &&
         have->bit_depth == want->bit_depth && b.width() == width && b.height() == height;
}

Status PixelTransfer::Transfer(const PixelBuffer& source, PixelFormatType input, int width,
                               int height, const std::string& matrix, PixelBufferRef* out,
                               std::string* why) {
  // The conversions come with the next change; until then only what x264 takes is encoded.
  *why = "no pixel transfer from " + PixelFormatName(source.pixel_format()) + " to " +
         PixelFormatName(input);
  return Status::kPixelTransferNotSupportedErr;
}

void PixelTransfer::Reset() {
  scratch_.reset();
  pool_.reset();
}

}  // namespace vtc
