// SPDX-License-Identifier: GPL-2.0-or-later
// The session's rate-control and quality keys mapped onto x265's rate control: ABR with VBV
// (AverageBitRate), CRF (Quality), lossless (Quality 1.0), strict CBR with HRD
// (ConstantBitRate), and a VBV from DataRateLimits (rate_plan.h). Used at open by the x265
// backend; one thread at a time (the session's worker).
#pragma once

// x265.h needs the fixed-width types first.
#include <x265.h>
#include <cstdint>

#include "properties.h"
#include "rate_plan.h"

namespace vtc {

// Quality 0..1 -> x265 crf (monotonic, decreasing): 0 -> 51, 0.5 -> 28 (x265's default),
// 0.75 -> 23, 0.99 -> about 18.
double QualityToX265Crf(double q);

// True when the keys ask for mathematically lossless output (Quality 1.0 and no bit-rate key).
bool IsX265Lossless(const EncoderConfig& c);

// Sets every rate-control field of *p from c at `fps` (the stream's best guess; VBV
// granularity). AverageBitRate runs x265's ABR with maxrate == bitrate (capped by the limits)
// and a 2 s buffer, as the x264 backend's CBR-like mode.
void ApplyX265Rates(const EncoderConfig& c, double fps, x265_param* p);

}  // namespace vtc
