// SPDX-License-Identifier: GPL-2.0-or-later
// Odd picture sizes: the libraries code 4:2:0 and 4:2:2 pictures in even sizes, so the session
// pads the right column and the bottom row with copies of the edge. Used by the backends on the
// session's worker thread.
#pragma once

#include <cstdint>
#include <vector>

#include "vtcompress/pixel_buffer.h"

namespace vtc {

// The planes of `b` for coding at coded_width x coded_height (its size rounded up to even):
// b's own planes when it has room around the picture (extended pixels, filled here), otherwise,
// for each plane that has samples past the odd size, a padded copy in copies[i], reused from
// frame to frame. planes/strides get b's plane count entries; they stay valid until the next
// call with the same copies. False if the pixel format is unknown.
bool PaddedPlanes(PixelBuffer* b, int coded_width, int coded_height, std::uint8_t* planes[3],
                  int strides[3], std::vector<std::uint8_t> (&copies)[3]);

}  // namespace vtc
