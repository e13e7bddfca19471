// SPDX-License-Identifier: GPL-2.0-or-later
#include "vtcompress/time.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vtc {
namespace {

// Rank of the non-numeric kinds, in CMTimeCompare's order.
int Rank(const Time& t) {
  if (!t.IsValid()) return 0;
  if (t.flags & Time::kNegativeInfinity) return 1;
  if (t.IsNumeric()) return 2;
  if (t.flags & Time::kPositiveInfinity) return 3;
  return 4;  // indefinite
}

}  // namespace

double Time::Seconds() const {
  if (!IsNumeric()) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(value) / timescale;
}

Time Time::ConvertScale(std::int32_t new_timescale) const {
  if (!IsNumeric() || new_timescale <= 0) return *this;
  if (new_timescale == timescale) return *this;
  // value * new / old, exactly in 128 bits, rounded half away from zero.
  __int128 num = static_cast<__int128>(value) * new_timescale;
  __int128 q = num / timescale, r = num % timescale;
  if (2 * (r < 0 ? -r : r) >= timescale) q += (num < 0 ? -1 : 1);
  Time out = Make(static_cast<std::int64_t>(q), new_timescale);
  if (r != 0) out.flags |= kHasBeenRounded;
  return out;
}

std::string Time::ToString() const {
  if (!IsValid()) return "invalid";
  if (flags & kIndefinite) return "indefinite";
  if (flags & kPositiveInfinity) return "+inf";
  if (flags & kNegativeInfinity) return "-inf";
  return std::to_string(value) + "/" + std::to_string(timescale);
}

int Compare(const Time& a, const Time& b) {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb || ra != 2) return ra < rb ? -1 : (ra > rb ? 1 : 0);
  __int128 l = static_cast<__int128>(a.value) * b.timescale;
  __int128 r = static_cast<__int128>(b.value) * a.timescale;
  return l < r ? -1 : (l > r ? 1 : 0);
}

Time TimeRange::End() const {
  if (!IsValid()) return Time::Invalid();
  if (start.timescale == duration.timescale)
    return Time::Make(start.value + duration.value, start.timescale);
  const std::int32_t ts = std::max(start.timescale, duration.timescale);
  return Time::Make(start.ConvertScale(ts).value + duration.ConvertScale(ts).value, ts);
}

bool TimeRange::Contains(Time t) const {
  return IsValid() && t.IsNumeric() && Compare(start, t) <= 0 && Compare(t, End()) < 0;
}

}  // namespace vtc
