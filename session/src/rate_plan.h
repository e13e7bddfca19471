// SPDX-License-Identifier: GPL-2.0-or-later
// The library-free part of rate control, shared by the backends: how one-pass AverageBitRate
// runs (AbrMode), and the VBV that DataRateLimits allow. The numbers were measured on x264
// (x264-notes.md, docs/properties.md); the x265 backend uses the same plan. Pure functions; any
// thread.
#pragma once

#include <utility>
#include <vector>

#include "properties.h"

namespace vtc {

// How one-pass AverageBitRate runs in the library. Chosen at open and kept for the x264 instance's
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
// The mode for c; multi-pass always runs x264's ABR (its statistics need it).
AbrMode ChooseAbrMode(const EncoderConfig& c, double fps, bool multipass);

// The B-frames to open x264 with in kCrfUnderLimits, from the `bframes` it would have: where the
// limits' window is too short for their buffer (CloseLimitsBufferFrames) next to a maxrate of the
// target, the most that leave maxrate at the target or above, possibly none (1.25x over 0.5 s:
// none; 1.35x: 2). Where the target is out of reach even without B-frames, they are kept: they
// give the better picture for the bits the limits allow (1.1x over 1 s, docs/properties.md).
// AllowFrameReordering permits B-frames, it does not require them.
int BframesForLimits(const EncoderConfig& c, double fps, int bframes);

// VBV (maxrate in kbit/s, buffer in kbit) such that buffer + maxrate x S stays within each
// DataRateLimits pair (bytes, S), with room left for the library's misses; see rate_plan.cpp.
// With an AverageBitRate target (kbit/s, 0 = none) that this leaves out of reach, maxrate is
// raised towards the target, taken from the margin and then the buffer (CloseLimitsBufferFrames).
void VbvForLimits(const std::vector<std::pair<double, double>>& limits, double fps,
                  double target_kbps, int bframes, double* maxrate, double* buffer);

// IntraRefresh: the frames from one refresh wave to the next (the libraries also move the intra
// column across the picture in about that many frames). MaxKeyFrameInterval, else
// MaxKeyFrameIntervalDuration at `known_fps`, else about 1 s of frames (30 if the rate is unknown).
int RefreshPeriod(const EncoderConfig& c, double known_fps);

}  // namespace vtc
