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
#include "rate_plan.h"
// AbrSteering, which the backend feeds and maps onto x264 with ApplyAbrAsk or CrfForAsk.
#include "rate_steering.h"

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

// The crf for an ask equal to the target: low, so that the VBV, not the crf, sets the rate where
// the limit binds; the steering raises it where content is easy. The steering's first ask is twice
// the target, crf 12 (CrfUnderLimitsTuning in rate_steering.h says why).
constexpr double kLimitsCrf = 18.0;
// x264 plans its VBV over the whole lookahead; a lookahead much longer than the buffer's span
// makes it plan for overflow it never meets and starve the rate (medium's 40 frames against a
// 0.33 s buffer: -16%; 10 frames: +1%). kCrfUnderLimits caps it at this many buffer spans.
constexpr double kLookaheadPerBuffer = 1.2;

// The crf that kCrfUnderLimits runs with for an ask (kbit/s): kLimitsCrf for the reference (the
// target x264 was opened for), 6 lower for every doubling (x264's bits roughly double), in
// tenths, within 1..51. A fixed reference keeps the crf where it is when the target changes
// and the ask follows it.
double CrfForAsk(double ask_kbps, double reference_kbps);

// The lookahead for kCrfUnderLimits: p's, capped at kLookaheadPerBuffer x the VBV buffer's span
// in frames (p's VBV fields must be set), and at least one more than p's B-frames.
int LimitsLookahead(double fps, const x264_param_t& p);

// Sets every rate-control field of *p from c. fps is the stream's best guess (VBV granularity).
void ApplyRateControl(const EncoderConfig& c, double fps, AbrMode mode, x264_param_t* p);

// The bitrate x264 runs kCbrLike AverageBitRate with when the steering asks for `ask_kbps`: the
// ask, within a DataRateLimits cap and the explicit level's MaxBR (0 = none). Sets only
// i_bitrate and i_vbv_max_bitrate (x264 keeps them equal in this mode).
void ApplyAbrAsk(const EncoderConfig& c, double fps, double ask_kbps, x264_param_t* p);

}  // namespace vtc
