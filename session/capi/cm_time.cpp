// SPDX-License-Identifier: GPL-2.0-or-later
// CMTime and CMTimeRange arithmetic, after Apple's CMTime.h documentation. Values are computed
// exactly in 128 bits and rounded once.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "cm_time.h"

namespace {

using i128 = __int128;

constexpr CMTime MakeFlags(CMTimeFlags flags) {
  return CMTime{0, 0, flags, 0};
}

constexpr i128 kMaxValue = std::numeric_limits<std::int64_t>::max();
constexpr i128 kMinValue = std::numeric_limits<std::int64_t>::min();

i128 Abs(i128 v) {
  return v < 0 ? -v : v;
}

// n / d (d > 0) rounded by method (QuickTime is resolved by the caller); *inexact when a
// remainder was dropped.
i128 RoundDiv(i128 n, i128 d, CMTimeRoundingMethod method, bool* inexact) {
  i128 q = n / d, r = n % d;  // truncates toward zero
  *inexact = r != 0;
  if (r == 0) return q;
  const int sign = n < 0 ? -1 : 1;
  switch (method) {
    case kCMTimeRoundingMethod_RoundTowardZero:
      return q;
    case kCMTimeRoundingMethod_RoundAwayFromZero:
      return q + sign;
    case kCMTimeRoundingMethod_RoundTowardPositiveInfinity:
      return sign > 0 ? q + 1 : q;
    case kCMTimeRoundingMethod_RoundTowardNegativeInfinity:
      return sign < 0 ? q - 1 : q;
    default:  // half away from zero
      return 2 * Abs(r) >= d ? q + sign : q;
  }
}

int Sign(i128 v) {
  return v < 0 ? -1 : (v > 0 ? 1 : 0);
}

CMTime Infinity(int sign) {
  return sign < 0 ? kCMTimeNegativeInfinity : kCMTimePositiveInfinity;
}

// The exact time num/den seconds (den > 0) in timescale ts, halving ts while the value does not
// fit in 64 bits; +/-infinity when it does not fit even at timescale 1.
CMTime FromExact(i128 num, i128 den, std::int32_t ts, CMTimeRoundingMethod method,
                 CMTimeFlags extra_flags, CMTimeEpoch epoch) {
  for (;;) {
    bool inexact = false;
    i128 v = RoundDiv(num * ts, den, method, &inexact);
    if (v >= kMinValue && v <= kMaxValue) {
      CMTimeFlags flags = kCMTimeFlags_Valid | (extra_flags & kCMTimeFlags_HasBeenRounded);
      if (inexact) flags |= kCMTimeFlags_HasBeenRounded;
      return CMTime{static_cast<CMTimeValue>(v), ts, flags, epoch};
    }
    if (ts == 1) return Infinity(Sign(num));
    ts /= 2;
    method = kCMTimeRoundingMethod_Default;
  }
}

i128 Gcd(i128 a, i128 b) {
  while (b != 0) {
    i128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Rank in CMTimeCompare's order: -inf < numeric < indefinite < +inf < invalid.
int Rank(const CMTime& t) {
  if (!CMTIME_IS_VALID(t)) return 4;
  if (t.flags & kCMTimeFlags_NegativeInfinity) return 0;
  if (t.flags & kCMTimeFlags_PositiveInfinity) return 3;
  if ((t.flags & kCMTimeFlags_Indefinite) || t.timescale <= 0) return 2;
  return 1;
}

bool Numeric(const CMTime& t) {
  return CMTIME_IS_NUMERIC(t) && t.timescale > 0;
}

// The sum of lhs and sign * rhs, for Add and Subtract.
CMTime AddSigned(CMTime lhs, CMTime rhs, int sign) {
  if (!CMTIME_IS_VALID(lhs) || !CMTIME_IS_VALID(rhs)) return kCMTimeInvalid;
  if (CMTIME_IS_INDEFINITE(lhs) || CMTIME_IS_INDEFINITE(rhs)) return kCMTimeIndefinite;
  const int li = CMTIME_IS_POSITIVE_INFINITY(lhs) ? 1 : (CMTIME_IS_NEGATIVE_INFINITY(lhs) ? -1 : 0);
  int ri = CMTIME_IS_POSITIVE_INFINITY(rhs) ? 1 : (CMTIME_IS_NEGATIVE_INFINITY(rhs) ? -1 : 0);
  ri *= sign;
  if (li != 0 && ri != 0) return li == ri ? Infinity(li) : kCMTimeInvalid;
  if (li != 0) return Infinity(li);
  if (ri != 0) return Infinity(ri);
  if (!Numeric(lhs) || !Numeric(rhs) || lhs.epoch != rhs.epoch) return kCMTimeInvalid;
  const CMTimeFlags rounded = (lhs.flags | rhs.flags) & kCMTimeFlags_HasBeenRounded;
  if (lhs.timescale == rhs.timescale) {
    i128 v = static_cast<i128>(lhs.value) + sign * static_cast<i128>(rhs.value);
    return FromExact(v, lhs.timescale, lhs.timescale, kCMTimeRoundingMethod_Default, rounded,
                     lhs.epoch);
  }
  const i128 a = lhs.timescale, b = rhs.timescale;
  i128 lcm = a / Gcd(a, b) * b;
  if (lcm > kCMTimeMaxTimescale) lcm = kCMTimeMaxTimescale;
  const i128 num = static_cast<i128>(lhs.value) * b + sign * static_cast<i128>(rhs.value) * a;
  return FromExact(num, a * b, static_cast<std::int32_t>(lcm), kCMTimeRoundingMethod_Default,
                   rounded, lhs.epoch);
}

// Non-numeric time times a factor of sign s (0, -1, 1).
CMTime ScaleSpecial(CMTime time, int s) {
  if (!CMTIME_IS_VALID(time)) return kCMTimeInvalid;
  if (CMTIME_IS_INDEFINITE(time)) return kCMTimeIndefinite;
  if (s == 0) return kCMTimeInvalid;  // infinity * 0
  const int inf = CMTIME_IS_POSITIVE_INFINITY(time) ? 1 : -1;
  return Infinity(inf * s);
}

// time * (value / 1) with a double, rounded half away from zero, halving the timescale on
// overflow.
CMTime ScaleByDouble(CMTime time, long double product) {
  std::int32_t ts = time.timescale;
  for (;;) {
    long double r = std::round(product);
    if (std::fabs(r) < 9223372036854775807.0L) {
      CMTimeFlags flags = kCMTimeFlags_Valid | (time.flags & kCMTimeFlags_HasBeenRounded);
      if (r != product) flags |= kCMTimeFlags_HasBeenRounded;
      return CMTime{static_cast<CMTimeValue>(r), ts, flags, time.epoch};
    }
    if (ts == 1) return Infinity(product < 0 ? -1 : 1);
    ts /= 2;
    product /= 2;
  }
}

}  // namespace

extern "C" {

const CMTime kCMTimeInvalid = MakeFlags(0);
const CMTime kCMTimeIndefinite = MakeFlags(kCMTimeFlags_Valid | kCMTimeFlags_Indefinite);
const CMTime kCMTimePositiveInfinity =
    MakeFlags(kCMTimeFlags_Valid | kCMTimeFlags_PositiveInfinity);
const CMTime kCMTimeNegativeInfinity =
    MakeFlags(kCMTimeFlags_Valid | kCMTimeFlags_NegativeInfinity);
const CMTime kCMTimeZero = {0, 1, kCMTimeFlags_Valid, 0};

const CMTimeRange kCMTimeRangeZero = {{0, 1, kCMTimeFlags_Valid, 0}, {0, 1, kCMTimeFlags_Valid, 0}};
const CMTimeRange kCMTimeRangeInvalid = {{0, 0, 0, 0}, {0, 0, 0, 0}};

CMTime CMTimeMake(int64_t value, int32_t timescale) {
  return CMTimeMakeWithEpoch(value, timescale, 0);
}

CMTime CMTimeMakeWithEpoch(int64_t value, int32_t timescale, int64_t epoch) {
  if (timescale <= 0) return kCMTimeInvalid;
  return CMTime{value, timescale, kCMTimeFlags_Valid, epoch};
}

CMTime CMTimeMakeWithSeconds(Float64 seconds, int32_t preferredTimescale) {
  if (std::isnan(seconds) || preferredTimescale <= 0) return kCMTimeInvalid;
  if (std::isinf(seconds)) return Infinity(seconds < 0 ? -1 : 1);
  CMTime base{0, preferredTimescale, kCMTimeFlags_Valid, 0};
  return ScaleByDouble(base, static_cast<long double>(seconds) * preferredTimescale);
}

Float64 CMTimeGetSeconds(CMTime time) {
  if (CMTIME_IS_POSITIVE_INFINITY(time)) return HUGE_VAL;
  if (CMTIME_IS_NEGATIVE_INFINITY(time)) return -HUGE_VAL;
  if (!Numeric(time)) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<Float64>(time.value) / time.timescale;
}

CMTime CMTimeConvertScale(CMTime time, int32_t newTimescale, CMTimeRoundingMethod method) {
  if (newTimescale <= 0) return kCMTimeInvalid;
  if (!Numeric(time)) return time;
  if (time.timescale == newTimescale) return time;
  bool never_zero = false;
  if (method == kCMTimeRoundingMethod_QuickTime) {
    // Less precision: toward zero; more: away from zero; a negative time never becomes 0.
    method = newTimescale < time.timescale ? kCMTimeRoundingMethod_RoundTowardZero
                                           : kCMTimeRoundingMethod_RoundAwayFromZero;
    never_zero = time.value < 0;
  }
  bool inexact = false;
  i128 v = RoundDiv(static_cast<i128>(time.value) * newTimescale, time.timescale, method, &inexact);
  if (never_zero && v == 0) v = -1;
  if (v > kMaxValue || v < kMinValue) return Infinity(Sign(v));
  CMTimeFlags flags = time.flags;
  if (inexact) flags |= kCMTimeFlags_HasBeenRounded;
  return CMTime{static_cast<CMTimeValue>(v), newTimescale, flags, time.epoch};
}

int32_t CMTimeCompare(CMTime time1, CMTime time2) {
  const int r1 = Rank(time1), r2 = Rank(time2);
  if (r1 != r2) return r1 < r2 ? -1 : 1;
  if (r1 != 1) return 0;
  if (time1.epoch != time2.epoch) return time1.epoch < time2.epoch ? -1 : 1;
  const i128 l = static_cast<i128>(time1.value) * time2.timescale;
  const i128 r = static_cast<i128>(time2.value) * time1.timescale;
  return l < r ? -1 : (l > r ? 1 : 0);
}

CMTime CMTimeAdd(CMTime lhs, CMTime rhs) {
  return AddSigned(lhs, rhs, 1);
}

CMTime CMTimeSubtract(CMTime lhs, CMTime rhs) {
  return AddSigned(lhs, rhs, -1);
}

CMTime CMTimeMultiply(CMTime time, int32_t multiplier) {
  if (!Numeric(time)) return ScaleSpecial(time, multiplier < 0 ? -1 : (multiplier > 0 ? 1 : 0));
  return FromExact(static_cast<i128>(time.value) * multiplier, time.timescale, time.timescale,
                   kCMTimeRoundingMethod_Default, time.flags, time.epoch);
}

CMTime CMTimeMultiplyByRatio(CMTime time, int32_t multiplier, int32_t divisor) {
  if (divisor == 0) return kCMTimeInvalid;
  if (!Numeric(time)) {
    const int s = (multiplier < 0) != (divisor < 0) ? -1 : 1;
    return ScaleSpecial(time, multiplier == 0 ? 0 : s);
  }
  i128 num = static_cast<i128>(time.value) * multiplier;
  i128 den = static_cast<i128>(time.timescale) * divisor;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  return FromExact(num, den, time.timescale, kCMTimeRoundingMethod_Default, time.flags, time.epoch);
}

CMTime CMTimeMultiplyByFloat64(CMTime time, Float64 multiplier) {
  if (!Numeric(time)) {
    if (std::isnan(multiplier)) return kCMTimeInvalid;
    return ScaleSpecial(time, multiplier < 0 ? -1 : (multiplier > 0 ? 1 : 0));
  }
  if (!std::isfinite(multiplier)) return kCMTimeInvalid;
  return ScaleByDouble(time, static_cast<long double>(time.value) * multiplier);
}

CMTime CMTimeMaximum(CMTime time1, CMTime time2) {
  if (!CMTIME_IS_VALID(time1) || !CMTIME_IS_VALID(time2)) return kCMTimeInvalid;
  return CMTimeCompare(time1, time2) >= 0 ? time1 : time2;
}

CMTime CMTimeMinimum(CMTime time1, CMTime time2) {
  if (!CMTIME_IS_VALID(time1) || !CMTIME_IS_VALID(time2)) return kCMTimeInvalid;
  return CMTimeCompare(time1, time2) <= 0 ? time1 : time2;
}

CMTime CMTimeAbsoluteValue(CMTime time) {
  if (CMTIME_IS_NEGATIVE_INFINITY(time)) return kCMTimePositiveInfinity;
  if (!Numeric(time) || time.value >= 0) return time;
  if (time.value == std::numeric_limits<std::int64_t>::min()) return CMTimeMultiply(time, -1);
  time.value = -time.value;
  return time;
}

void CMTimeShow(CMTime time) {
  if (!CMTIME_IS_VALID(time))
    std::fprintf(stderr, "{INVALID}\n");
  else if (CMTIME_IS_INDEFINITE(time))
    std::fprintf(stderr, "{INDEFINITE}\n");
  else if (CMTIME_IS_POSITIVE_INFINITY(time))
    std::fprintf(stderr, "{+INFINITY}\n");
  else if (CMTIME_IS_NEGATIVE_INFINITY(time))
    std::fprintf(stderr, "{-INFINITY}\n");
  else
    std::fprintf(stderr, "{%" PRId64 "/%" PRId32 " = %.3f}\n", time.value, time.timescale,
                 CMTimeGetSeconds(time));
}

CMTimeRange CMTimeRangeMake(CMTime start, CMTime duration) {
  return CMTimeRange{start, duration};
}

CMTime CMTimeRangeGetEnd(CMTimeRange range) {
  if (CMTIMERANGE_IS_INVALID(range)) return kCMTimeInvalid;
  return CMTimeAdd(range.start, range.duration);
}

Boolean CMTimeRangeContainsTime(CMTimeRange range, CMTime time) {
  if (CMTIMERANGE_IS_INVALID(range) || !CMTIME_IS_VALID(time)) return false;
  return CMTimeCompare(range.start, time) <= 0 && CMTimeCompare(time, CMTimeRangeGetEnd(range)) < 0;
}

}  // extern "C"
