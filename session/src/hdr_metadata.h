// SPDX-License-Identifier: GPL-2.0-or-later
// The HDR static-metadata keys (MasteringDisplayColorVolume, ContentLightLevelInfo: keys.h) read
// into numbers for the backends. Pure; any thread.
#pragma once

#include <cstdint>

#include "vtcompress/value.h"

namespace vtc {

struct MasteringDisplay {
  // Primaries in the SEI's order G, B, R; units of 0.00002. Luminance in units of 0.0001 cd/m2.
  std::uint16_t x[3] = {}, y[3] = {};
  std::uint16_t white_x = 0, white_y = 0;
  std::uint32_t max_luminance = 0, min_luminance = 0;
};

// False unless `d` holds exactly 24 bytes.
inline bool ReadMasteringDisplay(const Data& d, MasteringDisplay* m) {
  if (d.size() != 24) return false;
  auto u16 = [&](int at) { return std::uint16_t((d[at] << 8) | d[at + 1]); };
  auto u32 = [&](int at) { return (std::uint32_t(u16(at)) << 16) | u16(at + 2); };
  for (int i = 0; i < 3; ++i) {
    m->x[i] = u16(4 * i);
    m->y[i] = u16(4 * i + 2);
  }
  m->white_x = u16(12);
  m->white_y = u16(14);
  m->max_luminance = u32(16);
  m->min_luminance = u32(20);
  return true;
}

// MaxCLL and MaxFALL (cd/m2); false unless `d` holds exactly 4 bytes.
inline bool ReadContentLightLevel(const Data& d, std::uint16_t* max_cll, std::uint16_t* max_fall) {
  if (d.size() != 4) return false;
  *max_cll = std::uint16_t((d[0] << 8) | d[1]);
  *max_fall = std::uint16_t((d[2] << 8) | d[3]);
  return true;
}

}  // namespace vtc
