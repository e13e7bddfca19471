// SPDX-License-Identifier: GPL-2.0-or-later
#include "x264_ratecontrol.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <utility>
#include <vector>

#include "h264_profiles.h"

namespace vtc {

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

}  // namespace vtc
