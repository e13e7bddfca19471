// SPDX-License-Identifier: GPL-2.0-or-later
#include "picture_padding.h"

#include <algorithm>
#include <cstring>

#include "pixel_format.h"

namespace vtc {

bool PaddedPlanes(PixelBuffer* b, int cw, int ch, std::uint8_t* planes[3], int strides[3],
                  std::vector<std::uint8_t> (&copies)[3]) {
  const PixelFormatInfo* info = FindPixelFormat(b->pixel_format());
  if (!info) return false;
  for (std::size_t i = 0; i < b->plane_count() && i < 3; ++i) {
    planes[i] = b->base_address_of_plane(i);
    strides[i] = int(b->bytes_per_row_of_plane(i));
  }
  const int pad_r = cw - b->width(), pad_b = ch - b->height();
  if ((!pad_r && !pad_b) || b->FillExtendedPixels(pad_r, pad_b)) return true;
  // No room around the picture: each plane that has samples past the odd size goes through a
  // padded copy (4:2:0 chroma of an odd size already has the even size's dimensions; 4:2:2
  // chroma needs a row more, 4:4:4 chroma a row and a column).
  for (std::size_t i = 0; i < b->plane_count() && i < 3; ++i) {
    const PlaneFormat& pf = info->planes[i];
    const int w = pf.Width(b->width()), h = pf.Height(b->height());
    const int pw = pf.Width(cw), ph = pf.Height(ch);
    if (pw == w && ph == h) continue;
    const std::size_t row = pf.RowBytes(w), padded_row = pf.RowBytes(pw);
    const std::size_t block = std::size_t(pf.block_bytes);
    const std::size_t stride = (padded_row + 31) & ~std::size_t(31);
    copies[i].resize(stride * std::size_t(ph));
    const std::uint8_t* src = b->base_address_of_plane(i);
    for (int y = 0; y < ph; ++y) {
      const std::uint8_t* in = src + b->bytes_per_row_of_plane(i) * std::size_t(std::min(y, h - 1));
      std::uint8_t* dst = copies[i].data() + stride * std::size_t(y);
      std::memcpy(dst, in, row);
      for (std::size_t x = row; x < padded_row; x += block)
        std::memcpy(dst + x, in + row - block, block);
    }
    planes[i] = copies[i].data();
    strides[i] = int(stride);
  }
  return true;
}

}  // namespace vtc
