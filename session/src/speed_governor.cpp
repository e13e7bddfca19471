// SPDX-License-Identifier: GPL-2.0-or-later
#include "speed_governor.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace vtc {

namespace {
// A pause in the timestamps is not a deadline: a gap counts for at most this long.
constexpr double kMaxGap = 1.0;
// One sample moves the smoothed time by at most this factor either way: a key frame (2-3x a
// P-frame) or one preemption must not read as a machine twice as slow; a lasting change still
// shows within a few frames, and the lag catches a real stall.
constexpr double kMaxSampleRatio = 2.0;
// Measured frames before the first decision: x264's first frames after an open run slower.
constexpr int kWarmUpFrames = 4;
// Calls not measured after the ones that only fill the encoder's pipeline: its first encodes
// (the IDR, x264's threads and memory warming up) took 50-140 ms at 1080p here where later ones
// took 10-20. Their time still counts in the lag.
constexpr int kWarmUpCalls = 4;
// Frame counters stop here (no overflow in a stream of years).
constexpr int kCountCap = 1 << 30;
}  // namespace

void SpeedGovernor::Reset(std::vector<double> level_cost, int level, int settle_frames,
                          double interval, const Tuning& tuning) {
  tuning_ = tuning;
  cost_ = std::move(level_cost);
  backoff_.assign(cost_.size(), 1);
  level_ = cost_.empty() ? 0 : std::clamp(level, 0, int(cost_.size()) - 1);
  settle_ = std::max(0, settle_frames);
  interval_ = interval > 0 ? std::min(interval, kMaxGap) : 1.0 / 30;
  gaps_.fill(interval_);
  gap_sum_ = interval_ * double(gaps_.size());
  gap_at_ = 0;
  wall_ = cpu_ = lag_ = dev_ = 0;
  last_service_ = 0;
  have_pts_ = measured_ = false;
  measured_frames_ = 0;
  since_change_ = under_ = since_start_ = 0;
  since_restart_ = 2 * std::max(0, tuning_.start_frames);
  last_up_from_ = -1;
  slow_start_ = true;
  dropped_ = changes_ = 0;
  skip_ = settle_ + kWarmUpCalls;
}

void SpeedGovernor::Resume() {
  have_pts_ = false;
  lag_ = last_service_ = 0;
  under_ = since_start_ = 0;
  // A new encoder instance fills its pipeline and warms up again: not measured.
  skip_ = settle_ + kWarmUpCalls;
}

void SpeedGovernor::OnRestarted(double wall) {
  if (!active()) return;
  last_service_ = wall;
  skip_ = settle_ + kWarmUpCalls;
  since_restart_ = 0;
}

SpeedGovernor::Action SpeedGovernor::OnFrame(double pts, bool may_drop) {
  if (!active()) return Action::kEncode;
  if (have_pts_) {
    double gap = pts - last_pts_;
    if (!(gap > 0)) gap = interval_;
    gap = std::min(gap, kMaxGap);
    // The interval is the mean of the last few gaps: a change of pace shows within frames.
    gap_sum_ += gap - gaps_[gap_at_];
    gaps_[gap_at_] = gap;
    gap_at_ = (gap_at_ + 1) % gaps_.size();
    interval_ = gap_sum_ / double(gaps_.size());
    lag_ = std::max(0.0, lag_ + last_service_ - gap);
  }
  last_pts_ = pts;
  have_pts_ = true;
  last_service_ = 0;
  if (since_change_ < kCountCap) ++since_change_;
  if (last_up_from_ >= 0 && since_change_ > tuning_.failed_within) last_up_from_ = -1;
  if (level_ > 0 && since_change_ > tuning_.backoff_reset) backoff_[level_ - 1] = 1;

  // An encoder instance's start: the lag its warm-up leaves is worked off, not dropped nor
  // stepped down for; the bound then tightens over as many frames again, so that what is left
  // is not shed as a burst of drops at the end of the grace.
  // The same holds for stepping down on lag: a warm-up lag that is still draining when the grace
  // ends is no reason to leave a level that keeps up (x265 at 720p here: 180 ms behind after its
  // first frames and still 100 ms at frame 30, the clip's first second being busier; the step
  // down it caused cost an IDR and the rest of the stream at a lower level). A new instance
  // opened for a level change (OnRestarted) gets the same ramp for stepping down, not for drops:
  // its warm-up must not undo the climb that opened it.
  const int start = tuning_.start_frames;
  const bool starting = since_start_ < start;
  auto ramp = [start](int since) {
    return start <= 0 ? 1.0 : since < start ? 0.0 : std::min(1.0, double(since - start) / start);
  };
  // From the start's bound to the steady one; never tighter than the steady one (a tuning whose
  // start bound is below the steady one keeps the steady one).
  auto bound = [this](double t, double steady) {
    return std::max(steady, tuning_.start_drop_lag + t * (steady - tuning_.start_drop_lag));
  };
  const double drop_lag = bound(ramp(since_start_), tuning_.drop_lag);
  const double step_lag =
      bound(std::min(ramp(since_start_), ramp(since_restart_)), tuning_.lag_step_down);
  if (since_start_ < 2 * start) ++since_start_;
  if (since_restart_ < 2 * start) ++since_restart_;
  if (may_drop && level_ == 0 && lag_ > drop_lag * interval_) {
    ++dropped_;
    return Action::kDrop;
  }
  if (!measured_ || since_change_ <= settle_) return Action::kEncode;
  // Being behind is a fact from the first measurement on; the load is trusted after warm-up. In
  // the start only a load that cannot keep up at all (`start_overuse`) steps down: a few frames
  // after an IDR say little about the stream (the benchmark clip's first second took x265 25 ms
  // a frame, the rest 20), and reading them as overuse left x265 a level or two low for good;
  // a machine far too slow should not build the start's lag first (a loaded machine at 1080p).
  const double load = tail_load();
  const bool warm = measured_frames_ >= kWarmUpFrames;
  const bool behind = lag_ > step_lag * interval_;
  const double overuse =
      starting && tuning_.start_overuse > 0 ? tuning_.start_overuse : tuning_.overuse;
  if (level_ > 0 && (behind || (warm && load > overuse))) {
    if (!starting && last_up_from_ >= 0 && last_up_from_ == level_ - 1)
      backoff_[last_up_from_] = std::min(backoff_[last_up_from_] * 2, tuning_.max_backoff);
    StepTo(LevelFor(load > 0 ? tuning_.target_load / load : 1.0));
    slow_start_ = false;
    return Action::kEncode;
  }
  if (!warm) return Action::kEncode;
  if (level_ + 1 < levels() && lag_ == 0 &&
      load * cost_[level_ + 1] / cost_[level_] < tuning_.underuse) {
    const int wait = slow_start_ ? tuning_.start_up_after : tuning_.up_after * backoff_[level_];
    if (++under_ >= wait) {
      last_up_from_ = level_;
      StepTo(level_ + 1);
    }
  } else {
    under_ = 0;
    // The next level would not fit: the climb has found its level, and slow start ends.
    if (lag_ == 0) slow_start_ = false;
  }
  return Action::kEncode;
}

void SpeedGovernor::OnEncoded(double wall, double cpu) {
  if (!active()) return;
  last_service_ = wall;
  // Measuring the calls that only buffer would start the smoothed time near 0, from where the
  // per-sample clamp lets it climb only slowly: the load would read low for a second.
  if (skip_ > 0) {
    --skip_;
    return;
  }
  if (measured_frames_ < kCountCap) ++measured_frames_;
  if (!measured_) {
    wall_ = wall;
    cpu_ = cpu;
    measured_ = true;
    return;
  }
  const double w = std::clamp(wall, wall_ / kMaxSampleRatio, wall_ * kMaxSampleRatio);
  const double c = std::clamp(cpu, cpu_ / kMaxSampleRatio, cpu_ * kMaxSampleRatio);
  dev_ += tuning_.dev_smoothing * (std::abs(w - wall_) - dev_);
  wall_ += tuning_.smoothing * (w - wall_);
  cpu_ += tuning_.smoothing * (c - cpu_);
}

// The slowest level below the current one whose cost is at most `ratio` x the current level's,
// and never the current one (a step down always moves).
int SpeedGovernor::LevelFor(double ratio) const {
  int to = level_ - 1;
  while (to > 0 && cost_[to] / cost_[level_] > ratio) --to;
  return std::max(to, 0);
}

void SpeedGovernor::StepTo(int level) {
  // Until the new level shows in the measurements, expect what its cost predicts.
  const double scale = cost_[level] / cost_[level_];
  wall_ *= scale;
  dev_ *= scale;
  cpu_ *= scale;
  level_ = level;
  since_change_ = under_ = 0;
  ++changes_;
}

}  // namespace vtc
