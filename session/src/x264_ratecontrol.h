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

// How one-pass AverageBitRate runs in x264. Chosen at open and kept for the x264 instance's
// life: x264 cannot change its rate-control method live, and DataRateLimits may change
// mid-stream without an IDR.
enum class AbrMode {
  // ABR with VBV maxrate == bitrate (x264's CBR-like mode); the steering moves the bitrate.
  kCbrLike,
  // A DataRateLimits close to the bitrate: CRF under the limits' VBV; the steering moves the
  // crf. In the CBR-like mode x264 wastes much of such a VBV: at 1.5x the bitrate over 1 s it
  // landed 14% under target, as its ABR estimate has no feedback there and its VBV plans
  // pessimistically for frames in other threads. CRF under the same VBV fills it (measured on
  // the benchmark's 720p and 1080p clips, docs/properties.md).
  kCrfUnderLimits,
};
// A limit is "close" when the VBV maxrate it allows is under this many times the bitrate (at
// 1 s: a limit under about 1.85x the bitrate). From 2x on, the CBR-like mode holds the target.
constexpr double kTightLimits = 1.25;
// DataRateLimits that leave AverageBitRate out of reach with the usual VBV (its maxrate under the
// target: for one 1 s pair, a limit under about 1.48x the bit rate) get a VBV shared out for the
// target instead: maxrate is raised to kCloseLimitsHeadroom x the target, taken from the margin
// (down to kCloseLimitsMargin) and then from the buffer (down to kCloseLimitsBufferFrames), as far
// as the limits allow. The bound buffer + maxrate x S stays within each limit.
// The headroom lets the crf steering reach the target where the content is easy. More overshoots
// where it is not: with 1.05 the steering could not bring x264 down from the VBV's rate in time on
// a 10 s 720p clip (+4% to +5%; with 1.02: -0% to +2%).
constexpr double kCloseLimitsHeadroom = 1.02;
// The least share of each limit the bound may reach there (0.9 otherwise); the rest is left for
// x264's misses, which were up to 1.4% of the limit on hard content (x264-notes.md, section 3).
constexpr double kCloseLimitsMargin = 0.97;
// The smallest buffer there, in frames of maxrate: kCloseLimitsBufferFrames without B-frames,
// kCloseLimitsBufferFramesWithB or 2 more than the B-frames with them (CloseLimitsBufferFrames).
// With less, x264 wastes much of maxrate (320x240 natural clip, 1.1x over 1 s, where the limit
// binds: medium's 3 B-frames lost 7% of it with a 4-frame buffer and 1% with 5; without B-frames,
// 8% with 2 frames and 1% with 3; 1.25x over 0.5 s, 1 B-frame: 4% with 3 frames, 1% with 4, and
// on testsrc2 8% and 2%).
constexpr int kCloseLimitsBufferFrames = 3;
constexpr int kCloseLimitsBufferFramesWithB = 4;
int CloseLimitsBufferFrames(int bframes);
// The crf for an ask equal to the target: low, so that the VBV, not the crf, sets the rate where
// the limit binds; the steering raises it where content is easy. The steering's first ask is twice
// the target, crf 12 (CrfUnderLimitsTuning in rate_steering.h says why).
constexpr double kLimitsCrf = 18.0;
// x264 plans its VBV over the whole lookahead; a lookahead much longer than the buffer's span
// makes it plan for overflow it never meets and starve the rate (medium's 40 frames against a
// 0.33 s buffer: -16%; 10 frames: +1%). kCrfUnderLimits caps it at this many buffer spans.
constexpr double kLookaheadPerBuffer = 1.2;

// The mode for c; multi-pass always runs x264's ABR (its statistics need it).
AbrMode ChooseAbrMode(const EncoderConfig& c, double fps, bool multipass);

// The crf that kCrfUnderLimits runs with for an ask (kbit/s): kLimitsCrf for the reference (the
// target x264 was opened for), 6 lower for every doubling (x264's bits roughly double), in
// tenths, within 1..51. A fixed reference keeps the crf where it is when the target changes
// and the ask follows it.
double CrfForAsk(double ask_kbps, double reference_kbps);

// The B-frames to open x264 with in kCrfUnderLimits, from the `bframes` it would have: where the
// limits' window is too short for their buffer (CloseLimitsBufferFrames) next to a maxrate of the
// target, the most that leave maxrate at the target or above, possibly none (1.25x over 0.5 s:
// none; 1.35x: 2). Where the target is out of reach even without B-frames, they are kept: they
// give the better picture for the bits the limits allow (1.1x over 1 s, docs/properties.md).
// AllowFrameReordering permits B-frames, it does not require them.
int BframesForLimits(const EncoderConfig& c, double fps, int bframes);

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
