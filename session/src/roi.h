// SPDX-License-Identifier: GPL-2.0-or-later
// Regions of interest (the RegionsOfInterest frame option, keys.h): checked at EncodeFrame,
// turned by each backend into its library's per-block QP offsets (x264 quant_offsets, x265
// quantOffsets: one float per 16x16 block in raster order).
//
// Threading: pure functions.
#pragma once

#include <string>
#include <vector>

#include "vtcompress/value.h"

namespace vtc {

struct RegionOfInterest {
  int x = 0, y = 0, width = 0, height = 0;  // in the session's picture, clipped to it
  float qp_offset = 0;                      // added to the block's QP; negative: finer
};

// Reads a RegionsOfInterest value for a picture_width x picture_height session. False with
// *why for anything but an Array of Dictionaries with X, Y, Width, Height (integers, the size
// above 0) and QPOffset (a number in -51..51). Regions are clipped to the picture; one wholly
// outside it is left out.
bool ParseRegionsOfInterest(const Value& value, int picture_width, int picture_height,
                            std::vector<RegionOfInterest>* out, std::string* why);

// Fills `offsets` (columns x rows blocks of block x block pixels, raster order) with each
// block's offset: 0 outside every region; where regions overlap, the lowest. A block counts as
// in a region when the region covers any of its pixels.
void RegionOffsets(const std::vector<RegionOfInterest>& regions, int block, int columns, int rows,
                   std::vector<float>* offsets);

}  // namespace vtc
