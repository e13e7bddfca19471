// SPDX-License-Identifier: GPL-2.0-or-later
#include "pixel_transfer.h"

#include <libyuv/convert.h>
#include <libyuv/convert_from_argb.h>
#include <libyuv/planar_functions.h>
#include <libyuv/scale.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace vtc {
namespace {

// One plane of samples: 1 byte each, or 2 (little-endian, value in the low bits).
struct PlaneView {
  const std::uint8_t* data = nullptr;
  std::size_t stride = 0;  // bytes
  int width = 0, height = 0;
  int bytes = 1;
};

struct MutablePlane {
  std::uint8_t* data = nullptr;
  std::size_t stride = 0;
  int width = 0, height = 0;
  int bytes = 1;
  operator PlaneView() const { return {data, stride, width, height, bytes}; }
};

std::uint16_t Load16(const std::uint8_t* p) {
  return std::uint16_t(p[0] | (p[1] << 8));
}
void Store16(std::uint8_t* p, int v) {
  p[0] = std::uint8_t(v);
  p[1] = std::uint8_t(v >> 8);
}

// libyuv's 16-bit functions take uint16_t pointers and strides in samples.
bool Aligned16(const PlaneView& p) {
  return (reinterpret_cast<std::uintptr_t>(p.data) | p.stride) % 2 == 0;
}

// Kr and Kb of a YCbCrMatrix value (ITU-T H.273): BT.601 unless another is named.
void MatrixCoefficients(const std::string& matrix, double* kr, double* kb) {
  *kr = 0.299;
  *kb = 0.114;
  if (matrix == "ITU_R_709_2") *kr = 0.2126, *kb = 0.0722;
  if (matrix == "ITU_R_2020") *kr = 0.2627, *kb = 0.0593;
  if (matrix == "SMPTE_240M_1995") *kr = 0.212, *kb = 0.087;
}

// Converts 8-bit R'G'B' to Y'CbCr samples of `depth` bits in video or full range, in 16.16 fixed
// point: Y = Kr R + Kg G + Kb B, Cb = (B - Y) / (2 (1 - Kb)), Cr = (R - Y) / (2 (1 - Kr)),
// scaled to 219 / 224 steps of 256 from 16 / 128 (video range) or to 255 of 255 (full range).
class RgbToYuv {
 public:
  RgbToYuv(const std::string& matrix, int depth, bool full_range) {
    double kr, kb;
    MatrixCoefficients(matrix, &kr, &kb);
    const double kg = 1 - kr - kb;
    const double unit = double(1 << (depth - 8));  // one 8-bit step in this depth
    const double max = double((1 << depth) - 1);
    const double sy = full_range ? max / 255 : 219 * unit / 255;
    const double sc = full_range ? max / 255 : 224 * unit / 255;
    y_off_ = full_range ? 0 : 16 * unit;
    c_off_ = double(1 << (depth - 1));
    max_ = int(max);
    auto fix = [](double v) { return int(std::lround(v * 65536)); };
    y_[0] = fix(kr * sy), y_[1] = fix(kg * sy), y_[2] = fix(kb * sy);
    cb_[0] = fix(-kr / (2 * (1 - kb)) * sc), cb_[1] = fix(-kg / (2 * (1 - kb)) * sc);
    cb_[2] = fix(0.5 * sc);
    cr_[0] = fix(0.5 * sc), cr_[1] = fix(-kg / (2 * (1 - kr)) * sc);
    cr_[2] = fix(-kb / (2 * (1 - kr)) * sc);
    y_off_fixed_ = fix(y_off_) + 32768;  // + 0.5: rounds to nearest
    c_off_fixed_ = fix(c_off_) + 32768;
  }
  void Convert(int r, int g, int b, int* y, int* cb, int* cr) const {
    *y = Clamp((y_[0] * r + y_[1] * g + y_[2] * b + y_off_fixed_) >> 16);
    *cb = Clamp((cb_[0] * r + cb_[1] * g + cb_[2] * b + c_off_fixed_) >> 16);
    *cr = Clamp((cr_[0] * r + cr_[1] * g + cr_[2] * b + c_off_fixed_) >> 16);
  }

 private:
  int Clamp(int v) const { return std::clamp(v, 0, max_); }
  int y_[3], cb_[3], cr_[3];
  double y_off_, c_off_;
  int y_off_fixed_, c_off_fixed_;
  int max_;
};

// Resizes a reusable temporary plane (its memory is kept between frames) and views it.
MutablePlane TempPlane(std::vector<std::uint8_t>* mem, int width, int height, int bytes) {
  MutablePlane p;
  p.width = width;
  p.height = height;
  p.bytes = bytes;
  // Rows of whole 32-byte multiples keep every row aligned for libyuv's vector code.
  p.stride = (std::size_t(width) * std::size_t(bytes) + 31) & ~std::size_t(31);
  mem->resize(p.stride * std::size_t(std::max(height, 1)));
  p.data = mem->data();
  return p;
}

void CopyPlaneBytes(const PlaneView& src, const MutablePlane& dst) {
  const std::size_t row = std::size_t(src.width) * std::size_t(src.bytes);
  for (int y = 0; y < src.height; ++y)
    std::memcpy(dst.data + dst.stride * y, src.data + src.stride * y, row);
}

// Changes the depth of a plane of the same size: 8 <-> 10 bits, for video range by shifting (16
// and 235 keep their meaning), for full range by scaling 0..255 to 0..1023 and back.
void ConvertDepth(const PlaneView& src, int src_depth, const MutablePlane& dst, int dst_depth,
                  bool full_range) {
  const int smax = (1 << src_depth) - 1, dmax = (1 << dst_depth) - 1;
  const int shift = dst_depth - src_depth;
  for (int y = 0; y < src.height; ++y) {
    const std::uint8_t* in = src.data + src.stride * y;
    std::uint8_t* out = dst.data + dst.stride * y;
    for (int x = 0; x < src.width; ++x) {
      const int v = src.bytes == 2 ? Load16(in + 2 * x) : in[x];
      int w;
      if (full_range)
        w = (v * dmax + smax / 2) / smax;
      else if (shift > 0)
        w = v << shift;
      else
        w = std::min((v + (1 << (-shift - 1))) >> -shift, dmax);
      if (dst.bytes == 2)
        Store16(out + 2 * x, w);
      else
        out[x] = std::uint8_t(w);
    }
  }
}

// Scales a plane (same depth) with libyuv's box filter (bilinear when enlarging).
void ScalePlaneTo(const PlaneView& src, const MutablePlane& dst) {
  if (src.bytes == 1) {
    libyuv::ScalePlane(src.data, int(src.stride), src.width, src.height, dst.data, int(dst.stride),
                       dst.width, dst.height, libyuv::kFilterBox);
  } else {
    libyuv::ScalePlane_16(reinterpret_cast<const std::uint16_t*>(src.data), int(src.stride / 2),
                          src.width, src.height, reinterpret_cast<std::uint16_t*>(dst.data),
                          int(dst.stride / 2), dst.width, dst.height, libyuv::kFilterBox);
  }
}

// libyuv straight into the scratch picture, at the same size and 8 bits: UYVY to 4:2:0, and RGB
// in BT.601 video range. False if there is no such shortcut.
bool Shortcut(const PixelBuffer& source, const PixelFormatInfo& src, const PixelFormatInfo& dst,
              const std::string& matrix, const MutablePlane* to) {
  if (source.width() != to[0].width || source.height() != to[0].height || dst.bit_depth != 8)
    return false;
  const std::uint8_t* in = source.base_address_of_plane(0);
  const int stride = int(source.bytes_per_row_of_plane(0));
  const int w = source.width(), h = source.height();
  if (src.layout == PixelLayout::kUYVY && dst.chroma == ChromaFormat::k420) {
    return libyuv::UYVYToI420(in, stride, to[0].data, int(to[0].stride), to[1].data,
                              int(to[1].stride), to[2].data, int(to[2].stride), w, h) == 0;
  }
  // libyuv's fixed BT.601 video-range conversions; its "ARGB" is CoreVideo's 32BGRA (bytes B G
  // R A) and its "BGRA" CoreVideo's 32ARGB (bytes A R G B). Other matrices and full range go
  // through RgbToYuv.
  const bool bt601 = matrix.empty() || matrix == "ITU_R_601_4";
  if (!src.is_rgb() || !bt601 || dst.full_range) return false;
  const bool bgra = src.fourcc == kPixelFormat_32BGRA;
  std::uint8_t *y = to[0].data, *u = to[1].data, *v = to[2].data;
  const int sy = int(to[0].stride), su = int(to[1].stride), sv = int(to[2].stride);
  switch (dst.chroma) {
    case ChromaFormat::k420:
      return (bgra ? libyuv::ARGBToI420(in, stride, y, sy, u, su, v, sv, w, h)
                   : libyuv::BGRAToI420(in, stride, y, sy, u, su, v, sv, w, h)) == 0;
    case ChromaFormat::k422:
      return bgra && libyuv::ARGBToI422(in, stride, y, sy, u, su, v, sv, w, h) == 0;
    case ChromaFormat::k444:
      return bgra && libyuv::ARGBToI444(in, stride, y, sy, u, su, v, sv, w, h) == 0;
  }
  return false;
}

// The source as three planes of its own chroma format and depth (RGB: 4:4:4 at the coded depth
// and range), samples in the low bits, at its own size: views into the buffer where it has them,
// else into temp[0..2]. *depth: the planes' bit depth.
void Unpack(const PixelBuffer& source, const PixelFormatInfo& src, const PixelFormatInfo& dst,
            const std::string& matrix, std::vector<std::uint8_t>* temp_, PlaneView* out,
            int* depth) {
  const int w = source.width(), h = source.height();
  auto plane = [&](std::size_t i) {
    PlaneView p;
    p.data = source.base_address_of_plane(i);
    p.stride = source.bytes_per_row_of_plane(i);
    p.width = source.width_of_plane(i);
    p.height = source.height_of_plane(i);
    p.bytes = src.bytes_per_sample;
    return p;
  };
  *depth = src.bit_depth;
  switch (src.layout) {
    case PixelLayout::kPlanar:
      for (std::size_t i = 0; i < 3; ++i) out[i] = plane(i);
      return;
    case PixelLayout::kBiPlanar: {
      const PlaneView uv = plane(1);
      const int cw = uv.width, ch = uv.height;
      MutablePlane u = TempPlane(&temp_[1], cw, ch, src.bytes_per_sample);
      MutablePlane v = TempPlane(&temp_[2], cw, ch, src.bytes_per_sample);
      if (!src.msb_aligned) {
        out[0] = plane(0);
        libyuv::SplitUVPlane(uv.data, int(uv.stride), u.data, int(u.stride), v.data, int(v.stride),
                             cw, ch);
      } else {
        // P010 and kin: 10 bits in the high bits of each word; shift them down.
        const PlaneView y_in = plane(0);
        MutablePlane y = TempPlane(&temp_[0], y_in.width, y_in.height, 2);
        for (int r = 0; r < y_in.height; ++r)
          for (int x = 0; x < y_in.width; ++x)
            Store16(y.data + y.stride * r + 2 * x,
                    Load16(y_in.data + y_in.stride * r + 2 * x) >> 6);
        for (int r = 0; r < ch; ++r) {
          const std::uint8_t* in = uv.data + uv.stride * r;
          for (int x = 0; x < cw; ++x) {
            Store16(u.data + u.stride * r + 2 * x, Load16(in + 4 * x) >> 6);
            Store16(v.data + v.stride * r + 2 * x, Load16(in + 4 * x + 2) >> 6);
          }
        }
        out[0] = y;
      }
      out[1] = u;
      out[2] = v;
      return;
    }
    case PixelLayout::kUYVY: {
      const int cw = (w + 1) / 2;
      MutablePlane y = TempPlane(&temp_[0], w, h, 1), u = TempPlane(&temp_[1], cw, h, 1),
                   v = TempPlane(&temp_[2], cw, h, 1);
      libyuv::UYVYToI422(source.base_address_of_plane(0), int(source.bytes_per_row_of_plane(0)),
                         y.data, int(y.stride), u.data, int(u.stride), v.data, int(v.stride), w, h);
      out[0] = y, out[1] = u, out[2] = v;
      return;
    }
    case PixelLayout::kV210: {
      // Groups of 6 pixels in four little-endian words of three 10-bit samples each:
      // Cb0 Y0 Cr0 | Y1 Cb1 Y2 | Cr1 Y3 Cb2 | Y4 Cr2 Y5.
      const int cw = (w + 1) / 2;
      MutablePlane y = TempPlane(&temp_[0], w, h, 2), u = TempPlane(&temp_[1], cw, h, 2),
                   v = TempPlane(&temp_[2], cw, h, 2);
      static const int kLuma[6] = {1, 3, 5, 7, 9, 11}, kCb[3] = {0, 4, 8}, kCr[3] = {2, 6, 10};
      for (int r = 0; r < h; ++r) {
        const std::uint8_t* in =
            source.base_address_of_plane(0) + source.bytes_per_row_of_plane(0) * std::size_t(r);
        for (int g = 0; g * 6 < w; ++g) {
          int s[12];
          for (int k = 0; k < 4; ++k) {
            const std::uint8_t* p = in + 16 * g + 4 * k;
            const std::uint32_t word = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 |
                                       std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
            for (int j = 0; j < 3; ++j) s[3 * k + j] = int(word >> (10 * j)) & 0x3ff;
          }
          for (int j = 0; j < 6 && 6 * g + j < w; ++j)
            Store16(y.data + y.stride * r + 2 * (6 * g + j), s[kLuma[j]]);
          for (int j = 0; j < 3 && 3 * g + j < cw; ++j) {
            Store16(u.data + u.stride * r + 2 * (3 * g + j), s[kCb[j]]);
            Store16(v.data + v.stride * r + 2 * (3 * g + j), s[kCr[j]]);
          }
        }
      }
      out[0] = y, out[1] = u, out[2] = v;
      return;
    }
    case PixelLayout::kRGB32: {
      // Straight to 4:4:4 at the coded depth and range (libyuv has BT.601 only).
      const int bytes = dst.bit_depth > 8 ? 2 : 1;
      MutablePlane p[3];
      for (int i = 0; i < 3; ++i) p[i] = TempPlane(&temp_[i], w, h, bytes);
      const RgbToYuv conv(matrix, dst.bit_depth, dst.full_range);
      const int ro = src.rgb_offset[0], go = src.rgb_offset[1], bo = src.rgb_offset[2];
      for (int r = 0; r < h; ++r) {
        const std::uint8_t* in =
            source.base_address_of_plane(0) + source.bytes_per_row_of_plane(0) * std::size_t(r);
        for (int x = 0; x < w; ++x, in += 4) {
          int yuv[3];
          conv.Convert(in[ro], in[go], in[bo], &yuv[0], &yuv[1], &yuv[2]);
          for (int i = 0; i < 3; ++i) {
            std::uint8_t* o = p[i].data + p[i].stride * r;
            if (bytes == 2)
              Store16(o + 2 * x, yuv[i]);
            else
              o[x] = std::uint8_t(yuv[i]);
          }
        }
      }
      for (int i = 0; i < 3; ++i) out[i] = p[i];
      *depth = dst.bit_depth;
      return;
    }
  }
}

// One plane to the size and depth of a scratch plane: chroma format and picture size change
// together, through libyuv's scaler. `resample_` and `depth_` are reusable temporaries.
void Resample(const PlaneView& src, int src_depth, const MutablePlane& dst, int dst_depth,
              bool full_range, std::vector<std::uint8_t>* resample_,
              std::vector<std::uint8_t>* depth_) {
  const bool same_size = src.width == dst.width && src.height == dst.height;
  if (same_size) {
    if (src_depth == dst_depth)
      CopyPlaneBytes(src, dst);
    else
      ConvertDepth(src, src_depth, dst, dst_depth, full_range);
    return;
  }
  // Scaled at the lower of the two depths: fewer bytes to filter, nothing lost.
  PlaneView from = src;
  if (src.bytes == 2 && !Aligned16(src)) {
    MutablePlane copy = TempPlane(resample_, src.width, src.height, 2);
    CopyPlaneBytes(src, copy);
    from = copy;
  }
  if (src_depth == dst_depth) {
    ScalePlaneTo(from, dst);
  } else if (src_depth > dst_depth) {
    MutablePlane lower = TempPlane(depth_, from.width, from.height, dst.bytes);
    ConvertDepth(from, src_depth, lower, dst_depth, full_range);
    ScalePlaneTo(lower, dst);
  } else {
    MutablePlane scaled = TempPlane(depth_, dst.width, dst.height, from.bytes);
    ScalePlaneTo(from, scaled);
    ConvertDepth(scaled, src_depth, dst, dst_depth, full_range);
  }
}

}  // namespace

CodedSampling CodedSamplingFor(const PixelFormatInfo& source, const EncoderConfig& c) {
  if (c.profile_from_source) {
    // RGB and UYVY (camera and screen captures) are coded as 8-bit 4:2:0, which every decoder
    // plays, rather than as their own 4:4:4 and 4:2:2.
    if (source.is_rgb() || source.layout == PixelLayout::kUYVY) return {};
    return {source.chroma, source.bit_depth};
  }
  const int chroma_idc = c.profile_chroma_format_idc, depth = c.profile_bit_depth;
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
  if (info->encoder_direct && info->chroma == s.chroma && info->bit_depth == s.bit_depth &&
      (!c.planar_input_only || info->layout == PixelLayout::kPlanar))
    return source;
  return PlanarPixelFormat(s.chroma, s.bit_depth, info->full_range);
}

bool TakesDirectly(const PixelBuffer& b, PixelFormatType input, int width, int height,
                   bool planar_only) {
  const PixelFormatInfo* have = FindPixelFormat(b.pixel_format());
  const PixelFormatInfo* want = FindPixelFormat(input);
  return have && want && have->encoder_direct &&
         (!planar_only || have->layout == PixelLayout::kPlanar) && have->chroma == want->chroma &&
         have->bit_depth == want->bit_depth && b.width() == width && b.height() == height;
}

Status PixelTransfer::EnsureScratch(PixelFormatType input, int width, int height) {
  if (scratch_ && scratch_->pixel_format() == input && scratch_->width() == width &&
      scratch_->height() == height)
    return Status::kNoErr;
  scratch_.reset();
  // One extended pixel right and bottom where the size is odd: the encoder pads there in place.
  Status st = PixelBufferPool::Create({{key::kPixelFormatType, Value(std::int64_t(input))},
                                       {key::kWidth, Value(width)},
                                       {key::kHeight, Value(height)},
                                       {key::kBytesPerRowAlignment, Value(64)},
                                       {key::kExtendedPixelsRight, Value(width & 1)},
                                       {key::kExtendedPixelsBottom, Value(height & 1)}},
                                      &pool_);
  if (st == Status::kNoErr) st = pool_->CreatePixelBuffer(&scratch_);
  if (st != Status::kNoErr) pool_.reset();
  return st;
}

void PixelTransfer::Reset() {
  scratch_.reset();
  pool_.reset();
  for (auto& t : temp_) std::vector<std::uint8_t>().swap(t);
  std::vector<std::uint8_t>().swap(resample_);
  std::vector<std::uint8_t>().swap(depth_);
}

// In two stages: Unpack the source into planes of its own chroma format and depth, then Resample
// each to the scratch plane's size and depth; or one libyuv call where it has the conversion
// (Shortcut).
Status PixelTransfer::Transfer(const PixelBuffer& source, PixelFormatType input, int width,
                               int height, const std::string& matrix, PixelBufferRef* out,
                               std::string* why) {
  const PixelFormatInfo* src = FindPixelFormat(source.pixel_format());
  const PixelFormatInfo* in = FindPixelFormat(input);
  if (!src || !in || !in->encoder_direct) {
    *why = "no pixel transfer from " + PixelFormatName(source.pixel_format()) + " to " +
           PixelFormatName(input);
    return Status::kPixelTransferNotSupportedErr;
  }
  // Into the planar layout of input's chroma format, depth and range (an encoder opened for NV12
  // takes I420 as well).
  const PixelFormatType target = PlanarPixelFormat(in->chroma, in->bit_depth, in->full_range);
  const PixelFormatInfo* dst = FindPixelFormat(target);
  if (Status st = EnsureScratch(target, width, height); st != Status::kNoErr) {
    *why = "no memory for a " + std::to_string(width) + "x" + std::to_string(height) + " " +
           PixelFormatName(target) + " picture";
    return st;
  }
  MutablePlane to[3];
  for (int i = 0; i < 3; ++i) {
    to[i].data = scratch_->base_address_of_plane(std::size_t(i));
    to[i].stride = scratch_->bytes_per_row_of_plane(std::size_t(i));
    to[i].width = scratch_->width_of_plane(std::size_t(i));
    to[i].height = scratch_->height_of_plane(std::size_t(i));
    to[i].bytes = dst->bytes_per_sample;
  }
  if (!Shortcut(source, *src, *dst, matrix, to)) {
    PlaneView planes[3];
    int depth = 8;
    Unpack(source, *src, *dst, matrix, temp_, planes, &depth);
    for (int i = 0; i < 3; ++i)
      Resample(planes[i], depth, to[i], dst->bit_depth, dst->full_range, &resample_, &depth_);
  }
  *out = scratch_;
  return Status::kNoErr;
}

}  // namespace vtc
