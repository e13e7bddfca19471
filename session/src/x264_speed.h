// SPDX-License-Identifier: GPL-2.0-or-later
// x264's speed levels for RealTime's governor (speed_governor.h): a ladder of analysis settings,
// all changeable in a running encoder (x264_encoder_reconfig), finer than x264's presets.
// Level 0 is the fastest. One thread at a time (the session's worker).
#pragma once

#include <cstdint>
// x264.h needs the fixed-width types first.
#include <x264.h>

#include <vector>

namespace vtc {

// The number of levels, and each one's name (for logs) and cost relative to the top level,
// measured (docs/realtime.md): the governor's prior for how a step changes the encode time.
int X264SpeedLevels();
const char* X264SpeedLevelName(int level);
std::vector<double> X264SpeedLevelCosts();
// The level a governed encoder opens with: the fastest (superfast). The governor's slow start
// climbs from there once the warm-up's lag has drained, so no machine or size starts behind the
// clock (veryfast, the start level before, took 32-57 ms a frame at 1080p here while x264
// warmed up, over the 33 ms interval).
constexpr int kX264StartSpeedLevel = 0;

// The preset a governed encoder opens from: it fixes what x264 cannot change later (weighted
// prediction, B-frame decision, references allocated, 8x8 transform) at values every level can
// use; the levels then move the analysis within them.
constexpr const char* kX264GovernedBasePreset = "medium";

// Sets the analysis fields of `level` in *p, with at most `max_refs` references (the count x264
// opened with: it never uses more).
void ApplyX264SpeedLevel(int level, int max_refs, x264_param_t* p);

}  // namespace vtc
