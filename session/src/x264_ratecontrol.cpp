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
void VbvForLimits(const std::vector<std::pair<double, double>>& limits, double fps, double* maxrate,
                  double* buffer) {
  double tightest = 1e12;
  for (const auto& [bytes, seconds] : limits)
    tightest = std::min(tightest, bytes * 8 / 1000 * kDataRateMargin);
  double buf = 0.25 * tightest;
  double mr = 1e12;
  for (const auto& [bytes, seconds] : limits)
    mr = std::min(mr, (bytes * 8 / 1000 * kDataRateMargin - buf) / seconds);
  // x264 raises the buffer to at least one frame's worth: make room for that within the limits.
  const double frame = mr / std::max(fps, 1.0);
  if (buf < frame) {
    buf = frame;
    for (const auto& [bytes, seconds] : limits)
      mr = std::min(mr, (bytes * 8 / 1000 * kDataRateMargin - buf) / seconds);
  }
  *maxrate = std::max(mr, 1.0);
  *buffer = buf;
}

}  // namespace

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

// Rate-control fields, shared by open and live reconfiguration.
void ApplyRateControl(const EncoderConfig& c, double fps, x264_param_t* p) {
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
  if (!c.data_rate_limits.empty()) VbvForLimits(c.data_rate_limits, fps, &maxrate, &buffer);
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
  ApplyRateControl(c, fps, p);
  int ask = std::max(1, int(ask_kbps));
  if (!c.data_rate_limits.empty()) {
    double maxrate = 0, buffer = 0;
    VbvForLimits(c.data_rate_limits, fps, &maxrate, &buffer);
    ask = std::min(ask, std::max(1, int(maxrate)));
  }
  p->rc.i_bitrate = ask;
  p->rc.i_vbv_max_bitrate = ask;
}

void AbrSteering::Reset(double target_kbps) {
  *this = AbrSteering();
  target_ = target_kbps;
}

void AbrSteering::OnInput(std::int64_t pts, double seconds, double ask_kbps) {
  if (target_ <= 0) return;
  if (!started_) first_seconds_ = seconds, started_ = true;
  // A frame lasts until the next one starts; the newest lasts as long as the one before it.
  if (!pending_.empty() && seconds > last_seconds_) {
    last_duration_ = seconds - last_seconds_;
    auto it = pending_.find(last_pts_);
    if (it != pending_.end()) it->second.duration = last_duration_;
  }
  pending_[pts] = Pending{ask_kbps, last_duration_};
  last_pts_ = pts;
  last_seconds_ = seconds;
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
  window_.push_back(Done{bits, f.ask * 1000 * f.duration, f.duration});
  window_seconds_ += f.duration;
  while (window_seconds_ - window_.front().duration >= kGainWindow) {
    window_seconds_ -= window_.front().duration;
    window_.pop_front();
  }
}

double AbrSteering::Next(double ask_kbps) {
  if (target_ <= 0 || out_seconds_ < kWarmUp || since_steer_ < kEvery) return 0;
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
  const double elapsed = last_seconds_ + last_duration_ - first_seconds_;
  const double deficit = target_ * 1000 * elapsed - (out_bits_ + g * in_flight);  // bits
  double want = target_ / g + deficit / 1000 / kHorizon;
  want = std::clamp(want, ask_kbps / kMaxStep, ask_kbps * kMaxStep);
  want = std::clamp(want, target_ * 0.5, target_ * 2);
  if (std::abs(want - ask_kbps) < 0.01 * ask_kbps) return 0;
  return want;
}

}  // namespace vtc
