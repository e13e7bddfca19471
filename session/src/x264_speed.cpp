// SPDX-License-Identifier: GPL-2.0-or-later
#include "x264_speed.h"

#include <algorithm>
#include <iterator>

namespace vtc {
namespace {

constexpr unsigned kI4 = X264_ANALYSE_I4x4, kI8 = X264_ANALYSE_I8x8;
constexpr unsigned kP8 = X264_ANALYSE_PSUB16x16, kB8 = X264_ANALYSE_BSUB16x16;

struct Level {
  const char* name;
  int subme, me, me_range, refs;
  unsigned intra, inter;
  int trellis;
  bool mixed_refs, deblock;
  float psy_rd;
  double cost;  // relative to the top level
};

// From x264's superfast to medium with umh, in the fields x264_encoder_reconfig applies
// (x264-notes.md, section 1), opened as the governor opens x264 (1 B-frame, 1 frame of lookahead,
// weightp simple). Costs: CPU time per frame relative to the top level, 720p30 natural clip at
// 2800 kbit/s, one thread (docs/realtime.md). Not in the ladder: x264's ultrafast analysis, which
// measured no faster than superfast's once opened like this; dia versus hex with p8x8 (no
// difference); subme 8 with trellis 2 (23% more time, no better PSNR).
constexpr unsigned kPart = kI4 | kI8 | kP8 | kB8;  // x264's default partitions
constexpr Level kLevels[] = {
    {"superfast", 1, X264_ME_DIA, 16, 1, kI4 | kI8, kI4 | kI8, 0, false, true, 0.0f, 0.146},
    {"subme 2, dia", 2, X264_ME_DIA, 16, 1, kI4 | kI8, kI4 | kI8, 0, false, true, 1.0f, 0.199},
    {"veryfast", 2, X264_ME_HEX, 16, 1, kI4 | kI8, kPart, 0, false, true, 1.0f, 0.252},
    {"subme 3", 3, X264_ME_HEX, 16, 1, kI4 | kI8, kPart, 0, false, true, 1.0f, 0.297},
    {"subme 4", 4, X264_ME_HEX, 16, 1, kI4 | kI8, kPart, 0, false, true, 1.0f, 0.326},
    {"faster", 4, X264_ME_HEX, 16, 2, kI4 | kI8, kPart, 1, false, true, 1.0f, 0.382},
    {"subme 5, mixed refs", 5, X264_ME_HEX, 16, 2, kI4 | kI8, kPart, 1, true, true, 1.0f, 0.495},
    {"fast", 6, X264_ME_HEX, 16, 2, kI4 | kI8, kPart, 1, true, true, 1.0f, 0.566},
    {"subme 7, ref 2", 7, X264_ME_HEX, 16, 2, kI4 | kI8, kPart, 1, true, true, 1.0f, 0.630},
    {"medium", 7, X264_ME_HEX, 16, 3, kI4 | kI8, kPart, 1, true, true, 1.0f, 0.788},
    {"medium, umh", 7, X264_ME_UMH, 16, 3, kI4 | kI8, kPart, 1, true, true, 1.0f, 1.000},
};
constexpr int kCount = int(std::size(kLevels));

}  // namespace

int X264SpeedLevels() {
  return kCount;
}

const char* X264SpeedLevelName(int level) {
  return kLevels[std::clamp(level, 0, kCount - 1)].name;
}

std::vector<double> X264SpeedLevelCosts() {
  std::vector<double> c;
  for (const Level& l : kLevels) c.push_back(l.cost);
  return c;
}

void ApplyX264SpeedLevel(int level, int max_refs, x264_param_t* p) {
  const Level& l = kLevels[std::clamp(level, 0, kCount - 1)];
  p->analyse.i_subpel_refine = l.subme;
  p->analyse.i_me_method = l.me;
  p->analyse.i_me_range = l.me_range;
  p->i_frame_reference = std::max(1, std::min(max_refs, l.refs));
  // x264 drops the 8x8 partitions itself where the 8x8 transform is off (Baseline).
  p->analyse.intra = l.intra;
  p->analyse.inter = l.inter;
  p->analyse.i_trellis = l.trellis;
  p->analyse.b_mixed_references = l.mixed_refs;
  p->b_deblocking_filter = l.deblock;
  p->analyse.f_psy_rd = l.psy_rd;
}

}  // namespace vtc
