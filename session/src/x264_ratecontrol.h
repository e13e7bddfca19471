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

// Sets every rate-control field of *p from c. fps is the stream's best guess (VBV granularity).
void ApplyRateControl(const EncoderConfig& c, double fps, x264_param_t* p);

// The bitrate x264 runs one-pass AverageBitRate with when the steering asks for `ask_kbps`: the
// ask, within a DataRateLimits cap and the explicit level's MaxBR (0 = none). Sets only
// i_bitrate and i_vbv_max_bitrate (x264 keeps them equal in this mode).
void ApplyAbrAsk(const EncoderConfig& c, double fps, int ask_kbps, x264_param_t* p);

// Keeps one-pass AverageBitRate on its target over the whole stream. The session opens ABR with
// VBV maxrate == bitrate, x264's CBR-like mode: the only one where x264 takes a new bitrate
// mid-stream, and one in which x264 has no feedback on the total (ratecontrol.c skips its
// overflow term when maxrate <= bitrate). There the VBV ceiling at the average makes content of
// uneven difficulty land under target, by 10-12% over 10 s at preset medium on natural content
// (x264enc too, docs/benchmark.md). This loop watches what x264 makes of the bitrate it is asked
// for (the gain g, over the last few seconds) and asks for target/g, plus the deficit so far spread
// over kHorizon seconds. Frames in x264's lookahead count at the rate they were asked for, as
// that is where they will land (without it, a 2 s lookahead makes the loop overshoot).
// Bounded: the ask stays within [kMinAsk, kMaxAsk] x target, a frame counts for at most 1 s (a
// pause in the timestamps is not owed bits, as in x264's own accounting), and the deficit is
// held within kMaxDeficit seconds of the target, so static content or a pause cannot wind it up.
// x264's VBV starts 90% full (its default, kept): easy content spends some of that in its first
// seconds (testsrc2: +5% over 10 s), which the loop takes back. A lower initial fill was tried
// and dropped: 0.7 starved the first seconds, cost 0.03-0.05 dB against x264enc at presets
// where x264 is on target anyway, and made the loop swing by up to 18% to catch up.
// One thread (the session's worker); times are stream seconds.
class AbrSteering {
 public:
  // Starts over for `target_kbps` (0 turns steering off); `frame_seconds` is the frame duration
  // to assume until timestamps tell.
  void Reset(double target_kbps, double frame_seconds);
  // Starts a new stretch after x264 was drained and reopened with the same target: keeps the
  // gain learned so far and the ask, forgets the deficit (the timestamps may restart).
  void Resume();
  double target() const { return target_; }
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
  // Tuned on the benchmark's natural input and testsrc2, 720p, 10 s, presets ultrafast to
  // medium, and on test_rate_control's clips (docs/properties.md has the numbers).
  static constexpr double kWarmUp = 2.0;                 // s of output before the first correction
  static constexpr double kEvery = 0.5;                  // s of output between corrections
  static constexpr double kGainWindow = 4.0;             // s of output the gain is measured over
  static constexpr double kHorizon = 8.0;                // s over which a deficit is made up
  static constexpr double kMaxStep = 1.1;                // most one correction changes the ask by
  static constexpr double kMinAsk = 0.5, kMaxAsk = 1.5;  // x target
  static constexpr double kMaxDeficit = 2.0;             // s of target: the VBV buffer's size
  static constexpr double kMaxFrameSeconds = 1.0;
  double target_ = 0, ask_ = 0, default_duration_ = 1.0 / 30;
  double typical_duration_ = 1.0 / 30;       // a running mean of output frame durations
  std::map<std::int64_t, Pending> pending_;  // in x264, by PTS
  std::deque<Done> window_;                  // the last kGainWindow s of output
  double window_seconds_ = 0;
  // Since Reset or Resume: bits out, seconds out and in, seconds since the last correction.
  double out_bits_ = 0, out_seconds_ = 0, in_seconds_ = 0, since_steer_ = 0;
  double last_seconds_ = 0, last_duration_ = 0, duration_of_last_ = 0;
  std::int64_t last_pts_ = 0;
  bool started_ = false;
  bool warm_ = false;  // a gain known from before a Resume
};

}  // namespace vtc
