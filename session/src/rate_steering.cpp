// SPDX-License-Identifier: GPL-2.0-or-later
#include "rate_steering.h"

#include <algorithm>
#include <cmath>

namespace vtc {

void AbrSteering::Reset(double target_kbps, double frame_seconds, const Tuning& tuning,
                        double ask_kbps) {
  *this = AbrSteering();
  target_ = target_kbps;
  tuning_ = tuning;
  ask_ = ask_kbps > 0 ? ask_kbps : target_kbps;
  boost_pending_ = ask_kbps <= 0 && tuning.start_boost > 1;
  if (frame_seconds > 0) default_duration_ = std::min(frame_seconds, kMaxFrameSeconds);
  typical_duration_ = default_duration_;
}

void AbrSteering::Resume() {
  pending_.clear();
  out_bits_ = out_seconds_ = in_seconds_ = since_steer_ = 0;
  last_seconds_ = duration_of_last_ = 0;
  started_ = false;
  // The new library instance starts at the target; the gain is still known.
  ask_ = target_;
  boost_ = 1;
  boost_pending_ = false;
  warm_ = !window_.empty();
}

void AbrSteering::OnInput(std::int64_t pts, double seconds, double ask_kbps) {
  if (target_ <= 0) return;
  double duration = last_duration_ > 0 ? last_duration_ : default_duration_;
  if (started_ && seconds > last_seconds_) {
    // A frame lasts until the next one starts (at most kMaxFrameSeconds); the newest lasts as
    // long as the one before it.
    const double previous = std::min(seconds - last_seconds_, kMaxFrameSeconds);
    auto it = pending_.find(last_pts_);
    if (it != pending_.end()) it->second.duration = previous;
    in_seconds_ += previous - duration_of_last_;
    last_duration_ = duration = previous;
  }
  // Frames count at the ask without the start boost: the loop learns its gain as if there were
  // none, so that the boost's end lowers what the library runs with instead of being learned back.
  pending_[pts] = Pending{ask_kbps / boost_, duration};
  in_seconds_ += duration;
  duration_of_last_ = duration;
  last_pts_ = pts;
  last_seconds_ = seconds;
  started_ = true;
}

void AbrSteering::OnOutput(std::int64_t pts, std::size_t bytes) {
  auto it = pending_.find(pts);
  if (target_ <= 0 || it == pending_.end()) return;
  const Pending f = it->second;
  pending_.erase(it);
  const double bits = 8.0 * double(bytes);
  out_bits_ += bits;
  out_seconds_ += f.duration;
  since_steer_ += f.duration;
  // A frame before a pause says nothing about the gain: a VBV (x264's) would not let it spend its
  // share of the pause even if it could use it. "Long" is against the durations seen so far, so
  // that a slow stream whose frame rate nobody gave still counts.
  const bool pause = f.duration > 3 * typical_duration_;
  typical_duration_ += 0.1 * (std::min(f.duration, 3 * typical_duration_) - typical_duration_);
  if (pause) return;
  window_.push_back(Done{bits, f.ask * 1000 * f.duration, f.duration});
  window_seconds_ += f.duration;
  while (window_.size() > 1 && window_seconds_ - window_.front().duration >= tuning_.gain_window) {
    window_seconds_ -= window_.front().duration;
    window_.pop_front();
  }
}

double AbrSteering::Next() {
  if (target_ > 0 && boost_pending_) {
    boost_pending_ = false;
    boost_ = tuning_.start_boost;
    return ask();
  }
  if (target_ <= 0 || (!warm_ && out_seconds_ < tuning_.warm_up) || since_steer_ < tuning_.every)
    return 0;
  since_steer_ = 0;
  // The gain over the window. I frames count: leaving them out makes g too low wherever they are
  // a large share of the bits (ultrafast, low rates), and the loop then overshoots by 4-7%.
  double bits = 0, asked = 0;
  for (const Done& d : window_) bits += d.bits, asked += d.asked_bits;
  if (asked <= 0 || bits <= 0) return 0;
  const double g = std::clamp(bits / asked, 0.25, 4.0);
  // Where the stream will stand once the frames inside the library are out.
  double in_flight = 0;
  for (const auto& [pts, f] : pending_) in_flight += f.ask * 1000 * f.duration;
  const double limit = tuning_.max_deficit * target_ * 1000;
  const double deficit =
      std::clamp(target_ * 1000 * in_seconds_ - (out_bits_ + g * in_flight), -limit, limit);
  double want = target_ / g + deficit / 1000 / tuning_.horizon;
  want = std::clamp(want, ask_ / tuning_.max_step, ask_ * tuning_.max_step);
  // The start boost goes, a step at a time, once the stream is clearly ahead: a VBV's initial
  // fill spent in the first second puts it a little ahead even where the boost is needed.
  const double before = ask();
  if (boost_ > 1 && deficit < -tuning_.boost_ahead * target_ * 1000)
    boost_ = std::max(1.0, boost_ / tuning_.max_step);
  want = std::clamp(want, target_ * tuning_.min_ask, target_ * tuning_.max_ask / boost_);
  if (std::abs(want * boost_ - before) < 0.01 * before) {
    ask_ = before / boost_;  // the library keeps what it runs with
    return 0;
  }
  ask_ = want;
  return ask();
}

}  // namespace vtc
