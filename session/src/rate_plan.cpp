// SPDX-License-Identifier: GPL-2.0-or-later
#include "rate_plan.h"

#include <algorithm>
#include <cmath>

namespace vtc {
namespace {

constexpr double kDataRateMargin = 0.9;  // keep VBV's bound at 90% of each limit

}  // namespace

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

int RefreshPeriod(const EncoderConfig& c, double known_fps) {
  int period = c.max_key_frame_interval;
  if (c.max_key_frame_interval_duration > 0 && known_fps > 0) {
    const int frames =
        int(std::min(c.max_key_frame_interval_duration * known_fps, double(1 << 30)));
    period = period > 0 ? std::min(period, std::max(1, frames)) : std::max(1, frames);
  }
  if (period > 0) return period;
  return known_fps > 0 ? std::max(1, int(std::lround(known_fps))) : 30;
}

}  // namespace vtc
