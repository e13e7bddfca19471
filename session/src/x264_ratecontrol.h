// SPDX-License-Identifier: GPL-2.0-or-later
// The session's rate-control and quality keys mapped onto x264's rate control: ABR, CRF, CQP
// (lossless), VBV from DataRateLimits, and CBR through NAL HRD. Used at open and for live
// reconfiguration by the x264 backend; one thread at a time (the session's worker).
// See docs/properties.md for the mapping and ../shared/reference/x264-notes.md for what x264
// honours mid-stream.
#pragma once

#include <cstdint>
// x264.h needs the fixed-width types first.
#include <x264.h>

#include "properties.h"

namespace vtc {

// Quality 0..1 -> crf (monotonic, decreasing): 0.5 -> 23, x264's default.
double QualityToCrf(double q);

// True when the keys ask for mathematically lossless output (Quality 1.0, High profile, no
// bitrate key).
bool IsLossless(const EncoderConfig& c);

// The highest ConstantBitRate (kbit/s) whose filler x264 can hold at this frame rate, for the
// width, height and QP bounds in p. ApplyRateControl never sets more; callers refuse more at open
// with a clear message.
int MaxCbrKbps(const EncoderConfig& c, double fps, const x264_param_t& p);

// Sets every rate-control field of *p from c. fps is the stream's best guess (VBV granularity).
void ApplyRateControl(const EncoderConfig& c, double fps, x264_param_t* p);

}  // namespace vtc
