// SPDX-License-Identifier: GPL-2.0-or-later
#include "x264_ratecontrol.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <utility>
#include <vector>

namespace vtc {
namespace {

constexpr double kDataRateMargin = 0.9;  // keep VBV's bound at 90% of each limit

// VBV (maxrate, buffer) in kbit/s and kbit such that buffer + maxrate x S <= margin x limit for
// every (bytes, S) pair: whatever fills a window of S seconds is at most that (x264-notes.md §3).
// The buffer is a quarter of the tightest limit, which x264 needs to absorb I-frames (the best
// quality for one 1 s limit in the notes' measurements); maxrate is the most every pair allows
// with it, so a long window beside a short one costs the average rate nothing.
// With an AverageBitRate target (kbit/s, 0 = none) that this leaves out of reach (maxrate under
// it), maxrate is raised to kCloseLimitsHeadroom x the target, from the margin first, down to
// kCloseLimitsMargin, then from the buffer, down to CloseLimitsBufferFrames(bframes) frames of
// maxrate; where even that is not enough (under about 1.25x over 1 s), maxrate is what those
// leave.
void VbvForLimits(const std::vector<std::pair<double, double>>& limits, double fps,
                  double target_kbps, int bframes, double* maxrate, double* buffer) {
  const double fps1 = std::max(fps, 1.0);
  double margin = kDataRateMargin;
  double tightest = 1e12;
  for (const auto& [bytes, seconds] : limits)
    tightest = std::min(tightest, bytes * 8 / 1000 * margin);
  double buf = 0.25 * tightest;
  double mr = 1e12;
  for (const auto& [bytes, seconds] : limits)
    mr = std::min(mr, (bytes * 8 / 1000 * margin - buf) / seconds);
  if (target_kbps > 0 && mr < target_kbps) {
    const double floor_s = CloseLimitsBufferFrames(bframes) / fps1;
    double close_mr = kCloseLimitsHeadroom * target_kbps;
    for (const auto& [bytes, seconds] : limits)
      close_mr = std::min(close_mr, bytes * 8 / 1000 * kCloseLimitsMargin / (seconds + floor_s));
    if (close_mr > mr) {  // never less than without the target (at a very low frame rate)
      margin = kCloseLimitsMargin;
      mr = close_mr;
      for (const auto& [bytes, seconds] : limits)
        buf = std::min(buf, bytes * 8 / 1000 * margin - mr * seconds);
    }
  }
  // x264 raises the buffer to at least one frame's worth: make room for that within the limits.
  const double frame = mr / fps1;
  if (buf < frame) {
    buf = frame;
    for (const auto& [bytes, seconds] : limits)
      mr = std::min(mr, (bytes * 8 / 1000 * margin - buf) / seconds);
  }
  *maxrate = std::max(mr, 1.0);
  *buffer = buf;
}

}  // namespace

int CloseLimitsBufferFrames(int bframes) {
  if (bframes <= 0) return kCloseLimitsBufferFrames;
  return std::max(kCloseLimitsBufferFramesWithB, bframes + 2);
}

int BframesForLimits(const EncoderConfig& c, double fps, int bframes) {
  if (c.data_rate_limits.empty() || c.average_bit_rate <= 0 || bframes <= 0) return bframes;
  const double target = c.average_bit_rate / 1000.0;
  double maxrate = 0, buffer = 0;
  for (int b = bframes; b >= 0; --b) {
    VbvForLimits(c.data_rate_limits, fps, target, b, &maxrate, &buffer);
    if (maxrate >= target) return b;
  }
  return bframes;  // out of reach whatever the B-frames: keep them, for the picture
}

int MaxCbrKbps(const EncoderConfig& c, double fps, const x264_param_t& p) {
  // x264 sizes its output buffer at open as below. CBR pads a frame with filler of up to one
  // frame's share of the rate; filler that does not fit makes x264 (build 164,
  // encoder_frame_end) grow the buffer and leave the frame's slice NAL units pointing into the
  // freed one, a heap corruption. Half the buffer is left for the slices themselves.
  const double qp_min = std::max(p.rc.i_qp_min, c.min_qp);
  const double buffer = std::clamp(double(p.i_width) * p.i_height * 4 * std::pow(0.95, qp_min), 1e6,
                                   double(INT_MAX / 3));
  const double max_kbps = buffer / 2 * 8 * std::max(fps, 0.001) / 1000;
  return int(std::min<double>(max_kbps, INT_MAX / 2));
}

// Quality 0..1 -> crf: 0 -> 51, 0.25 -> 37, 0.5 -> 23 (x264's default), 0.75 -> 18, 1 -> lossless.
double QualityToCrf(double q) {
  if (q <= 0.5) return 51.0 - 56.0 * q;
  return 23.0 - 20.0 * (q - 0.5);
}

bool IsLossless(const EncoderConfig& c) {
  return c.quality && *c.quality >= 1.0 && c.average_bit_rate == 0 && c.constant_bit_rate == 0 &&
         c.data_rate_limits.empty() && c.profile == "High";
}

AbrMode ChooseAbrMode(const EncoderConfig& c, double fps, bool multipass) {
  if (c.average_bit_rate <= 0 || c.constant_bit_rate > 0 || c.data_rate_limits.empty() || multipass)
    return AbrMode::kCbrLike;
  // The B-frames only set how far the buffer may shrink for the target: either way maxrate stays
  // under kCloseLimitsHeadroom x the target where it was under the target.
  double maxrate = 0, buffer = 0;
  VbvForLimits(c.data_rate_limits, fps, c.average_bit_rate / 1000.0, 0, &maxrate, &buffer);
  const double kbps = std::max<double>(1, c.average_bit_rate / 1000.0);
  return maxrate < kTightLimits * kbps ? AbrMode::kCrfUnderLimits : AbrMode::kCbrLike;
}

double CrfForAsk(double ask_kbps, double reference_kbps) {
  const double ratio = std::max(ask_kbps, 1e-3) / std::max(reference_kbps, 1e-3);
  // x264's bits roughly halve for every 6 crf; the steering corrects what this misses.
  const double crf = std::clamp(kLimitsCrf - 6.0 * std::log2(ratio), 1.0, 51.0);
  return std::round(crf * 10) / 10;  // tenths: finer changes are not worth a reconfiguration
}

int LimitsLookahead(double fps, const x264_param_t& p) {
  if (p.rc.i_vbv_max_bitrate <= 0 || p.rc.i_vbv_buffer_size <= 0) return p.rc.i_lookahead;
  const double span = double(p.rc.i_vbv_buffer_size) / p.rc.i_vbv_max_bitrate * std::max(fps, 1.0);
  const int cap = std::max(p.i_bframe + 1, int(std::lround(kLookaheadPerBuffer * span)));
  return std::min(p.rc.i_lookahead, cap);
}

// Rate-control fields, shared by open and live reconfiguration.
void ApplyRateControl(const EncoderConfig& c, double fps, AbrMode mode, x264_param_t* p) {
  if (c.constant_bit_rate > 0) {
    const int kbps = std::min(int(std::max<std::int64_t>(1, c.constant_bit_rate / 1000)),
                              MaxCbrKbps(c, fps, *p));
    p->rc.i_rc_method = X264_RC_ABR;
    p->rc.i_bitrate = kbps;
    p->rc.i_vbv_max_bitrate = kbps;
    p->rc.i_vbv_buffer_size = kbps;  // 1 s HRD buffer
    return;
  }
  double maxrate = 0, buffer = 0;
  if (!c.data_rate_limits.empty())
    VbvForLimits(c.data_rate_limits, fps, c.average_bit_rate / 1000.0, p->i_bframe, &maxrate,
                 &buffer);
  if (c.average_bit_rate > 0 && mode == AbrMode::kCrfUnderLimits) {
    const double kbps = std::max<double>(1, c.average_bit_rate / 1000.0);
    p->rc.i_rc_method = X264_RC_CRF;
    p->rc.f_rf_constant = float(kLimitsCrf);  // CrfForAsk(target, target), as at open
    p->rc.i_bitrate = 0;
    if (maxrate <= 0) {
      // The limits went away mid-stream; x264 cannot turn its VBV off, so loosen it to what
      // the other AverageBitRate mode allows (2 s buffer), with room above the target.
      maxrate = 2 * kbps;
      buffer = 2 * kbps;
    }
    if (const double level_max = LevelMaxBitRate(c.profile, c.level_idc); level_max > 0)
      maxrate = std::min(maxrate, std::max(1.0, level_max / 1000));
    p->rc.i_vbv_max_bitrate = std::max(1, int(maxrate));
    p->rc.i_vbv_buffer_size = std::max(1, int(buffer));
    return;
  }
  if (c.average_bit_rate > 0) {
    const double kbps = std::max<double>(1, c.average_bit_rate / 1000.0);
    p->rc.i_rc_method = X264_RC_ABR;
    p->rc.i_bitrate = int(kbps);
    // maxrate == bitrate makes x264 reload the target on reconfig (its CBR-like path); the
    // 2 s buffer leaves room for the picture's needs within that. Multi-pass keeps the cap:
    // without it x264's two-pass overshot a 10 s clip of mixed difficulty by 3% (500 kbit/s
    // target: 516.5 vs 502.9 with it) for no PSNR gain (docs/session.md, "Multi-pass").
    double mr = kbps, buf = 2 * kbps;
    if (maxrate > 0) mr = std::min(mr, maxrate), buf = std::min(buf, buffer);
    // A DataRateLimits cap below the bitrate is the bitrate too: x264 would do the same at open
    // and at every reconfiguration ("max bitrate less than average bitrate, assuming CBR"),
    // with a warning, and the steering must see the bitrate x264 really runs with.
    p->rc.i_bitrate = std::max(1, int(mr));
    p->rc.i_vbv_max_bitrate = std::max(1, int(mr));
    p->rc.i_vbv_buffer_size = std::max(1, int(buf));
    return;
  }
  if (IsLossless(c)) {
    p->rc.i_rc_method = X264_RC_CQP;
    p->rc.i_qp_constant = 0;
    return;
  }
  p->rc.i_rc_method = X264_RC_CRF;
  p->rc.f_rf_constant = float(QualityToCrf(c.quality ? std::min(*c.quality, 0.99) : 0.5));
  if (maxrate > 0) {
    p->rc.i_vbv_max_bitrate = std::max(1, int(maxrate));
    p->rc.i_vbv_buffer_size = std::max(1, int(buffer));
  }
}

void ApplyAbrAsk(const EncoderConfig& c, double fps, double ask_kbps, x264_param_t* p) {
  int ask = std::max(1, int(std::lround(ask_kbps)));
  if (!c.data_rate_limits.empty()) {
    double maxrate = 0, buffer = 0;
    VbvForLimits(c.data_rate_limits, fps, c.average_bit_rate / 1000.0, p->i_bframe, &maxrate,
                 &buffer);
    ask = std::min(ask, std::max(1, int(maxrate)));
  }
  if (const double level_max = LevelMaxBitRate(c.profile, c.level_idc); level_max > 0)
    ask = std::min<double>(ask, std::max(1.0, level_max / 1000));
  p->rc.i_bitrate = ask;
  p->rc.i_vbv_max_bitrate = ask;
}

void AbrSteering::Reset(double target_kbps, double frame_seconds, const Tuning& tuning,
                        double ask_kbps) {
  *this = AbrSteering();
  target_ = target_kbps;
  tuning_ = tuning;
  ask_ = ask_kbps > 0 ? ask_kbps : target_kbps;
  if (frame_seconds > 0) default_duration_ = std::min(frame_seconds, kMaxFrameSeconds);
  typical_duration_ = default_duration_;
}

void AbrSteering::Resume() {
  pending_.clear();
  out_bits_ = out_seconds_ = in_seconds_ = since_steer_ = 0;
  last_seconds_ = duration_of_last_ = 0;
  started_ = false;
  // The new x264 instance starts at the target; the gain is still known.
  ask_ = target_;
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
  pending_[pts] = Pending{ask_kbps, duration};
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
  // A frame before a pause says nothing about the gain: x264's VBV would not let it spend its
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
  if (target_ <= 0 || (!warm_ && out_seconds_ < tuning_.warm_up) || since_steer_ < tuning_.every)
    return 0;
  since_steer_ = 0;
  // The gain over the window. I frames count: leaving them out makes g too low wherever they are
  // a large share of the bits (ultrafast, low rates), and the loop then overshoots by 4-7%.
  double bits = 0, asked = 0;
  for (const Done& d : window_) bits += d.bits, asked += d.asked_bits;
  if (asked <= 0 || bits <= 0) return 0;
  const double g = std::clamp(bits / asked, 0.25, 4.0);
  // Where the stream will stand once the frames inside x264 are out.
  double in_flight = 0;
  for (const auto& [pts, f] : pending_) in_flight += f.ask * 1000 * f.duration;
  const double limit = tuning_.max_deficit * target_ * 1000;
  const double deficit =
      std::clamp(target_ * 1000 * in_seconds_ - (out_bits_ + g * in_flight), -limit, limit);
  double want = target_ / g + deficit / 1000 / tuning_.horizon;
  want = std::clamp(want, ask_ / tuning_.max_step, ask_ * tuning_.max_step);
  want = std::clamp(want, target_ * tuning_.min_ask, target_ * tuning_.max_ask);
  if (std::abs(want - ask_) < 0.01 * ask_) return 0;
  ask_ = want;
  return want;
}

}  // namespace vtc
