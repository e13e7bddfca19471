// SPDX-License-Identifier: GPL-2.0-or-later
// RealTime's speed governor: picks, frame by frame, the encoder speed level that keeps the
// encoder ahead of the clock, and drops frames when even the fastest level cannot.
//
// Codec-neutral pure logic, fed by the session's worker (one thread; no locking) with the PTS of
// each frame before it is encoded and the time the encoder's call took after. A backend offers
// speed levels (0 = fastest) with a relative cost each (VideoEncoder::SpeedLevelCost) and maps a
// level onto its own analysis settings; it never decides which one.
//
// How it decides (docs/realtime.md has a run):
// - The frame interval comes from the timestamps (their pace is "real time", whatever the source
//   does), the encode time from the worker's clock around the encoder's call. load = encode time
//   / frame interval, smoothed over a few frames. The decisions use the load of a slow frame
//   rather than of the mean one: (mean + `tail_weight` x the mean deviation) / interval, since a
//   frame is late when its own encode runs past the interval. Where other processes make the
//   times jitter (several streams on few cores) that keeps the slow frames in time; on a quiet
//   machine the deviation is small and it is about the mean.
// - The lag is how far behind the clock the encoder would be if frames arrived at their
//   timestamps' pace (a queue whose service times are the measured encode times: Lindley's
//   recursion, lag = max(0, lag + encode time - interval)). Idle time is not banked.
// - Overuse (load above `overuse`, or above `start_overuse` where a backend sets it (x265) in the
//   first `start_frames` frames after Reset or Resume, or a lag of more than `lag_step_down`
//   intervals) steps down at once, as far as
//   the levels' relative costs predict is needed to reach `target_load`, then waits until the new
//   level's time shows in the measurements.
// - Underuse (the load predicted at the next level up under `underuse`, no lag) for `up_after`
//   frames steps up one level. Slow start: from Reset until the first step down or the first
//   frame at which the next level would not fit, `start_up_after` frames suffice, so that
//   starting at the fastest level (no lag on any machine) costs quality only until the warm-up's
//   lag has drained and the climb is done (0.5 s to 3 s here). A step up that had to be undone soon
//   after doubles the wait before that step is tried again (up to `max_backoff` times), so a level
//   the machine cannot hold is not probed every second; a long stay above resets it.
// - At the fastest level, a lag of more than `drop_lag` intervals drops the frame: it is never
//   encoded, and the lag falls by its interval. Latency stays bounded. In an encoder instance's
//   first `start_frames` frames the bound is `start_drop_lag` intervals instead, for dropping and
//   for stepping down on lag, and it tightens to `drop_lag` (to `lag_step_down` for stepping down)
//   over as many frames again: x264's and x265's first frames run slow (threads, memory, the IDR)
//   and the lag they leave drains by itself once warm; dropping there froze the picture at the
//   start of every stream on a loaded machine, and stepping down for it left x265 a level lower
//   for the rest of the stream. A new instance opened for a level change (OnRestarted, x265)
//   gets the start's bound for stepping down again, so that its warm-up does not undo the climb.
// Unlike libwebrtc's overuse detector (which checks every few seconds and changes the resolution),
// it reacts within frames and never changes what the stream looks like, only how hard the encoder
// searches.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace vtc {

struct SpeedGovernorTuning {
  double target_load = 0.70;   // load aimed at after a step down
  double overuse = 0.85;       // smoothed load above which it steps down
  double start_overuse = -1;   // the same in the first `start_frames` frames; <= 0: `overuse`
  double underuse = 0.60;      // predicted load at the next level up below which it may step up
  double lag_step_down = 1.0;  // intervals of lag that count as overuse
  double drop_lag = 3.0;       // intervals of lag at the fastest level that drop a frame
  int start_frames = 30;       // frames after Reset or Resume with the start's bounds (a new
                               // instance after OnRestarted: the bound for stepping down only)
  double start_drop_lag = 10;  // intervals of lag that drop a frame or step down in those frames
  int up_after = 15;           // frames of underuse before a step up
  int start_up_after = 3;      // the same during slow start (until the first step down)
  int max_backoff = 64;        // most times up_after is multiplied for a step that failed
  int failed_within = 90;      // frames after a step up in which a step down counts as failure
  int backoff_reset = 600;     // frames at a level after which its step's backoff resets
  double smoothing = 0.3;      // weight of a new measurement in the smoothed load
  double tail_weight = 1.5;    // mean deviations added to the mean encode time for decisions
  double dev_smoothing = 0.1;  // weight of a new measurement in the mean deviation
};

class SpeedGovernor {
 public:
  using Tuning = SpeedGovernorTuning;
  enum class Action { kEncode, kDrop };

  // Starts over with these levels' relative costs (fastest first, increasing, > 0) at `level`.
  // `settle_frames`: frames before a level's effect shows in the encode times (the encoder's
  // internal pipeline); `interval` the frame interval (s) to assume until timestamps tell.
  void Reset(std::vector<double> level_cost, int level, int settle_frames, double interval,
             const Tuning& tuning = Tuning());
  bool active() const { return !cost_.empty(); }
  void Stop() { cost_.clear(); }
  // A frame with this PTS (s) is next. Returns whether to encode it (at level()) or drop it;
  // never kDrop when `may_drop` is false (a frame that must be a key frame).
  Action OnFrame(double pts_seconds, bool may_drop = true);
  // The frame OnFrame said to encode took `wall` seconds of the worker's time and `cpu` seconds
  // of the process's CPU time (x264's threads included).
  void OnEncoded(double wall, double cpu);
  // Timestamps restart (a new segment, a drain): keeps the level and what was learned, forgets
  // the previous PTS and the lag.
  void Resume();
  // The encoder's call took `wall` seconds because it opened a new instance (x265's level
  // change): the lag counts that time, the statistics do not, nor the new instance's warm-up.
  void OnRestarted(double wall);

  int level() const { return level_; }
  int levels() const { return int(cost_.size()); }
  double encode_seconds() const { return wall_; }  // smoothed, per frame
  double cpu_seconds() const { return cpu_; }      // smoothed, per frame
  double interval() const { return interval_; }    // frame interval (s), of the last 8 frames
  double load() const { return interval_ > 0 ? wall_ / interval_ : 0; }
  double deviation_seconds() const { return dev_; }  // mean deviation of the encode time
  // The load the decisions use: a slow frame's (mean + tail_weight x deviation).
  double tail_load() const {
    return interval_ > 0 ? (wall_ + tuning_.tail_weight * dev_) / interval_ : 0;
  }
  double lag() const { return lag_; }  // s
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t level_changes() const { return changes_; }

 private:
  void StepTo(int level);
  int LevelFor(double ratio) const;

  Tuning tuning_;
  std::vector<double> cost_;
  std::vector<int> backoff_;  // per level: multiplier of up_after for the step up from it
  int level_ = 0, settle_ = 0;
  double interval_ = 1.0 / 30, wall_ = 0, cpu_ = 0, lag_ = 0, dev_ = 0;
  double last_pts_ = 0, last_service_ = 0;
  std::array<double, 8> gaps_{};  // the last gaps between PTS, a ring
  double gap_sum_ = 0;
  std::size_t gap_at_ = 0;
  bool have_pts_ = false, measured_ = false;
  // Calls not measured at the start of an encoder instance: the `settle` frames it only buffers
  // (they return at once) and its first few encodes (an IDR, x264 warming up).
  int skip_ = 1;
  int since_change_ = 0, under_ = 0, measured_frames_ = 0;
  int since_start_ = 0;     // frames since Reset or Resume (an encoder instance's start)
  int since_restart_ = 0;   // frames since OnRestarted (a new instance for a level change)
  int last_up_from_ = -1;   // the level a step up started from, while it may still fail
  bool slow_start_ = true;  // no step down yet since Reset
  std::uint64_t dropped_ = 0, changes_ = 0;
};

}  // namespace vtc
