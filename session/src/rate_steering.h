// SPDX-License-Identifier: GPL-2.0-or-later
// AbrSteering: keeps one-pass AverageBitRate on its target over the whole stream by moving what
// the encoder library is asked for. Codec-neutral: pure logic on bit-rate asks (kbit/s), PTS and
// byte counts, with nothing of any library in it. A backend feeds it every frame it gives its
// library (OnInput) and every frame it gets back (OnOutput), and from time to time asks it for a
// new bit rate (Next); it maps that ask onto its library through one narrow call of its own (x264:
// its bitrate in the CBR-like ABR mode, or its crf under close DataRateLimits, both in
// x264_ratecontrol.h). One thread: the session's worker, which runs the backend.
// See docs/properties.md ("Rate control: what holds, measured") for the numbers behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>

namespace vtc {

// How fast and how far AbrSteering moves. The defaults were tuned for x264's CBR-like ABR mode
// (AbrMode::kCbrLike in x264_ratecontrol.h) on the benchmark's natural input and testsrc2, 720p,
// 10 s, presets ultrafast to medium, and on test_rate_control's clips (docs/properties.md).
struct SteeringTuning {
  double warm_up = 2.0;                 // s of output before the first correction
  double every = 0.5;                   // s of output between corrections
  double gain_window = 4.0;             // s of output the gain is measured over
  double horizon = 8.0;                 // s over which a deficit is made up
  double max_step = 1.1;                // most one correction changes the ask by
  double min_ask = 0.5, max_ask = 1.5;  // x target
  double max_deficit = 2.0;             // s of target: about a VBV buffer's size
  // x the ask from the first frame (the first Next) until the stream is boost_ahead s of target
  // ahead, then less by max_step per correction: a head start where the first ask lands low.
  double start_boost = 1;
  double boost_ahead = 0.3;
};

// The loop watches what the library makes of the bit rate it is asked for (the gain g: bits out
// over bits asked, over the last gain_window seconds of output) and asks for target / g, plus the
// deficit so far spread over `horizon` seconds. Frames still inside the library (its lookahead)
// count at the rate they were asked for, as that is where they will land (without it, x264's 2 s
// lookahead made the loop overshoot).
// Why a loop at all: x264's one mode that takes a new bit rate mid-stream (ABR with VBV maxrate ==
// bitrate) has no feedback on the total, and lands 10-12% under target over 10 s at preset medium
// on natural content (x264enc too, docs/benchmark.md).
// Bounded: the ask stays within [min_ask, max_ask] x target, a frame counts for at most 1 s (a
// pause in the timestamps is not owed bits, as in x264's own accounting), and the deficit is
// held within max_deficit seconds of the target, so static content or a pause cannot wind it up.
// x264's VBV starts 90% full (its default, kept): easy content spends some of that in its first
// seconds (testsrc2: +5% over 10 s), which the loop takes back; 0.7 starved the first seconds and
// made the loop swing by up to 18% to catch up. Times are stream seconds.
class AbrSteering {
 public:
  using Tuning = SteeringTuning;
  // Starts over for `target_kbps` (0 turns steering off); `frame_seconds` is the frame duration
  // to assume until timestamps tell; the first ask is `ask_kbps` (0: the target, and the first
  // Next returns it times Tuning::start_boost if that is over 1).
  void Reset(double target_kbps, double frame_seconds, const Tuning& tuning = Tuning(),
             double ask_kbps = 0);
  // Starts a new stretch after the library was drained and reopened with the same target: keeps
  // the gain learned so far, asks for the target again, forgets the deficit (the timestamps may
  // restart).
  void Resume();
  double target() const { return target_; }
  // The ask the library runs with now (kbit/s): the target after Reset or Resume, then Next's
  // (the start boost included).
  double ask() const { return ask_ * boost_; }
  // A frame with this PTS (at `seconds`) goes into the library, which runs with `ask_kbps` for it.
  void OnInput(std::int64_t pts, double seconds, double ask_kbps);
  // The library returned the frame with this PTS, `bytes` long.
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
  std::map<std::int64_t, Pending> pending_;  // in the library, by PTS
  std::deque<Done> window_;                  // the last gain_window s of output
  double window_seconds_ = 0;
  // Since Reset or Resume: bits out, seconds out and in, seconds since the last correction.
  double out_bits_ = 0, out_seconds_ = 0, in_seconds_ = 0, since_steer_ = 0;
  double last_seconds_ = 0, last_duration_ = 0, duration_of_last_ = 0;
  std::int64_t last_pts_ = 0;
  bool started_ = false;
  double boost_ = 1;            // ask_ x boost_ is what the library runs with (start_boost)
  bool boost_pending_ = false;  // the first Next is to return the boosted ask
  bool warm_ = false;           // a gain known from before a Resume
};

// The steering for an ask mapped onto a quality knob under a VBV (x264: the crf under close
// DataRateLimits, AbrMode::kCrfUnderLimits): quicker than the defaults, because where the VBV
// binds the rate hardly moves with the knob, and wider (x264: crf 1, where the VBV alone sets the
// rate, to kLimitsCrf + 24).
// It starts at twice the target (x264: crf 12, not kLimitsCrf's 18). Under a VBV this close to the
// target a low crf can overshoot little, while crf 18 coded easy content (the tests' pattern) at
// 175 and 250 kbit/s of 300 in its first two seconds, before the corrections took hold through
// x264's frame threads: a loss that a maxrate of 1.02x the target never made up (-5% to -7.5% over
// 12 s; now -1% to -4%, docs/properties.md). Where the VBV has room (1.7x limits), the stream gets
// ahead and the boost goes: kept, it left x264 at the VBV's rate (+6%). Ending it as soon as the
// stream was ahead at all ended it on the pattern too (its VBV's initial fill; -5%).
inline AbrSteering::Tuning CrfUnderLimitsTuning() {
  AbrSteering::Tuning t;
  t.warm_up = 0.5;
  t.every = 0.25;
  t.gain_window = 1.5;
  t.max_step = 1.25;
  t.min_ask = 1.0 / 16;
  t.max_ask = 8;
  t.start_boost = 2;
  t.boost_ahead = 0.3;
  return t;
}

}  // namespace vtc
