// SPDX-License-Identifier: GPL-2.0-or-later
#include "x265_ratecontrol.h"

#include <algorithm>
#include <cmath>

namespace vtc {

double QualityToX265Crf(double q) {
  if (q <= 0.5) return 51.0 - 46.0 * q;
  return 28.0 - 20.0 * (q - 0.5);
}

bool IsX265Lossless(const EncoderConfig& c) {
  return c.quality && *c.quality >= 1.0 && c.average_bit_rate == 0 && c.constant_bit_rate == 0 &&
         c.data_rate_limits.empty();
}

void ApplyX265Rates(const EncoderConfig& c, double fps, x265_param* p) {
  p->bLossless = 0;
  p->rc.bStrictCbr = 0;
  p->bEmitHRDSEI = 0;
  if (c.constant_bit_rate > 0) {
    // Strict CBR: the buffer never overflows (x265 writes filler data) and the HRD SEI tells a
    // decoder so; a 1 s buffer, as the x264 backend's.
    const int kbps = int(std::max<std::int64_t>(1, c.constant_bit_rate / 1000));
    p->rc.rateControlMode = X265_RC_ABR;
    p->rc.bitrate = kbps;
    p->rc.vbvMaxBitrate = kbps;
    p->rc.vbvBufferSize = kbps;
    p->rc.bStrictCbr = 1;
    p->bEmitHRDSEI = 1;
    return;
  }
  double maxrate = 0, buffer = 0;
  if (!c.data_rate_limits.empty())
    VbvForLimits(c.data_rate_limits, fps, c.average_bit_rate / 1000.0, p->bframes, &maxrate,
                 &buffer);
  if (c.average_bit_rate > 0) {
    const double kbps = std::max<double>(1, c.average_bit_rate / 1000.0);
    double mr = kbps, buf = 2 * kbps;
    if (maxrate > 0) mr = std::min(mr, maxrate), buf = std::min(buf, buffer);
    p->rc.rateControlMode = X265_RC_ABR;
    p->rc.bitrate = std::max(1, int(mr));
    p->rc.vbvMaxBitrate = std::max(1, int(mr));
    p->rc.vbvBufferSize = std::max(1, int(buf));
    return;
  }
  if (IsX265Lossless(c)) {
    p->bLossless = 1;
    p->rc.rateControlMode = X265_RC_CQP;
    p->rc.qp = 0;
    return;
  }
  p->rc.rateControlMode = X265_RC_CRF;
  p->rc.rfConstant = QualityToX265Crf(c.quality ? std::min(*c.quality, 0.99) : 0.5);
  p->rc.bitrate = 0;
  if (maxrate > 0) {
    p->rc.vbvMaxBitrate = std::max(1, int(maxrate));
    p->rc.vbvBufferSize = std::max(1, int(buffer));
  } else {
    p->rc.vbvMaxBitrate = 0;
    p->rc.vbvBufferSize = 0;
  }
}

}  // namespace vtc
