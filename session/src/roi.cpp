// SPDX-License-Identifier: GPL-2.0-or-later
#include "roi.h"

#include <algorithm>
#include <cstdint>

#include "vtcompress/keys.h"

namespace vtc {

bool ParseRegionsOfInterest(const Value& value, int picture_width, int picture_height,
                            std::vector<RegionOfInterest>* out, std::string* why) {
  out->clear();
  if (value.IsNull()) return true;
  if (!value.IsArray()) {
    *why = "RegionsOfInterest must be an array of dictionaries";
    return false;
  }
  for (const Value& item : value.AsArray()) {
    if (!item.IsDictionary()) {
      *why = "RegionsOfInterest must be an array of dictionaries";
      return false;
    }
    const Dictionary& d = item.AsDictionary();
    std::int64_t v[4];
    const char* names[4] = {key::kRegionX, key::kRegionY, key::kRegionWidth, key::kRegionHeight};
    for (int i = 0; i < 4; ++i) {
      auto it = d.find(names[i]);
      if (it == d.end() || !it->second.GetInt(&v[i]) || v[i] < 0 || v[i] > (1 << 20)) {
        *why = std::string("RegionsOfInterest: each region needs ") + names[i] +
               ", a non-negative integer";
        return false;
      }
    }
    if (v[2] == 0 || v[3] == 0) {
      *why = "RegionsOfInterest: a region of no width or height";
      return false;
    }
    double offset = 0;
    auto q = d.find(key::kRegionQPOffset);
    if (q == d.end() || !q->second.GetDouble(&offset) || !(offset >= -51 && offset <= 51)) {
      *why = "RegionsOfInterest: each region needs a QPOffset in -51..51";
      return false;
    }
    RegionOfInterest r;
    r.x = int(v[0]);
    r.y = int(v[1]);
    r.width = int(std::min<std::int64_t>(v[2], picture_width - v[0]));
    r.height = int(std::min<std::int64_t>(v[3], picture_height - v[1]));
    r.qp_offset = float(offset);
    if (r.width > 0 && r.height > 0) out->push_back(r);
  }
  return true;
}

void RegionOffsets(const std::vector<RegionOfInterest>& regions, int block, int columns, int rows,
                   std::vector<float>* offsets) {
  offsets->assign(std::size_t(columns) * std::size_t(rows), 0.0f);
  // x265 gets offsets on every picture: no per-picture allocation when there is no region.
  if (regions.empty()) return;
  // Where regions overlap the lowest offset wins: start from "no region" and take minima.
  std::vector<bool> covered(offsets->size(), false);
  for (const RegionOfInterest& r : regions) {
    const int c0 = r.x / block, r0 = r.y / block;
    const int c1 = std::min(columns - 1, (r.x + r.width - 1) / block);
    const int r1 = std::min(rows - 1, (r.y + r.height - 1) / block);
    for (int row = r0; row <= r1; ++row)
      for (int col = c0; col <= c1; ++col) {
        const std::size_t i = std::size_t(row) * std::size_t(columns) + std::size_t(col);
        (*offsets)[i] = covered[i] ? std::min((*offsets)[i], r.qp_offset) : r.qp_offset;
        covered[i] = true;
      }
  }
}

}  // namespace vtc
