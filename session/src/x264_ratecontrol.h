// SPDX-License-Identifier: GPL-2.0-or-later
// The session's rate-control and quality keys mapped onto x264's rate control: ABR, CRF, CQP
// (lossless), VBV from DataRateLimits, and CBR through NAL HRD. Used at open and for live
// reconfiguration by the x264 backend; one thread at a time (the session's worker).
// See docs/properties.md for the mapping and ../shared/reference/x264-notes.md for what x264
// honours mid-stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
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
// the limit binds; the steering raises it where content is easy.
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

// How fast and how far AbrSteering moves. The defaults were tuned for kCbrLike on the
// benchmark's natural input and testsrc2, 720p, 10 s, presets ultrafast to medium, and on
// test_rate_control's clips (docs/properties.md has the numbers).
struct SteeringTuning {
  double warm_up = 2.0;                 // s of output before the first correction
  double every = 0.5;                   // s of output between corrections
  double gain_window = 4.0;             // s of output the gain is measured over
  double horizon = 8.0;                 // s over which a deficit is made up
  double max_step = 1.1;                // most one correction changes the ask by
  double min_ask = 0.5, max_ask = 1.5;  // x target
  double max_deficit = 2.0;             // s of target: the VBV buffer's size
};

// Keeps one-pass AverageBitRate on its target over the whole stream. The session opens ABR with
// VBV maxrate == bitrate, x264's CBR-like mode: the only one where x264 takes a new bitrate
// mid-stream, and one in which x264 has no feedback on the total (ratecontrol.c skips its
// overflow term when maxrate <= bitrate). There the VBV ceiling at the average makes content of
// uneven difficulty land under target, by 10-12% over 10 s at preset medium on natural content
// (x264enc too, docs/benchmark.md). This loop watches what x264 makes of the bitrate it is asked
// for (the gain g, over the last few seconds) and asks for target/g, plus the deficit so far spread
// over `horizon` seconds. Frames in x264's lookahead count at the rate they were asked for, as
// that is where they will land (without it, a 2 s lookahead makes the loop overshoot).
// Bounded: the ask stays within [min_ask, max_ask] x target, a frame counts for at most 1 s (a
// pause in the timestamps is not owed bits, as in x264's own accounting), and the deficit is
// held within max_deficit seconds of the target, so static content or a pause cannot wind it up.
// x264's VBV starts 90% full (its default, kept): easy content spends some of that in its first
// seconds (testsrc2: +5% over 10 s), which the loop takes back. A lower initial fill was tried
// and dropped: 0.7 starved the first seconds, cost 0.03-0.05 dB against x264enc at presets
// where x264 is on target anyway, and made the loop swing by up to 18% to catch up.
// One thread (the session's worker); times are stream seconds.
class AbrSteering {
 public:
  using Tuning = SteeringTuning;
  // Starts over for `target_kbps` (0 turns steering off); `frame_seconds` is the frame duration
  // to assume until timestamps tell; the first ask is `ask_kbps` (0: the target).
  void Reset(double target_kbps, double frame_seconds, const Tuning& tuning = Tuning(),
             double ask_kbps = 0);
  // Starts a new stretch after x264 was drained and reopened with the same target: keeps the
  // gain learned so far and the ask, forgets the deficit (the timestamps may restart).
  void Resume();
  double target() const { return target_; }
  // The ask x264 runs with now (kbit/s): the target after Reset or Resume, then Next's.
  double ask() const { return ask_; }
  // A frame with this PTS goes into x264, which runs with `ask_kbps` for it.
  void OnInput(std::int64_t pts, double seconds, double ask_kbps);
  // x264 returned the frame with this PTS, `bytes` long.
  void OnOutput(std::int64_t pts, std::size_t bytes);
  // The bitrate (kbit/s, unrounded) to ask for from the next frame on, or 0 for no change.
  double Next();

 private:
  struct Pending {
    double ask, duration;  // kbit/s asked for it; s until the next frame
  };
  struct Done {
    double bits, asked_bits, duration;
  };
  static constexpr double kMaxFrameSeconds = 1.0;
  double target_ = 0, ask_ = 0, default_duration_ = 1.0 / 30;
  Tuning tuning_;
  double typical_duration_ = 1.0 / 30;       // a running mean of output frame durations
  std::map<std::int64_t, Pending> pending_;  // in x264, by PTS
  std::deque<Done> window_;                  // the last gain_window s of output
  double window_seconds_ = 0;
  // Since Reset or Resume: bits out, seconds out and in, seconds since the last correction.
  double out_bits_ = 0, out_seconds_ = 0, in_seconds_ = 0, since_steer_ = 0;
  double last_seconds_ = 0, last_duration_ = 0, duration_of_last_ = 0;
  std::int64_t last_pts_ = 0;
  bool started_ = false;
  bool warm_ = false;  // a gain known from before a Resume
};

// The steering for kCrfUnderLimits: quicker than kCbrLike's, because where the VBV binds the rate
// hardly moves with the crf, and wider: crf 1 (the VBV alone sets the rate) to kLimitsCrf + 24.
inline AbrSteering::Tuning CrfUnderLimitsTuning() {
  AbrSteering::Tuning t;
  t.warm_up = 0.5;
  t.every = 0.25;
  t.gain_window = 1.5;
  t.max_step = 1.25;
  t.min_ask = 1.0 / 16;
  t.max_ask = 8;
  return t;
}

}  // namespace vtc
