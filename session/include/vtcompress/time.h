// SPDX-License-Identifier: GPL-2.0-or-later
// vtc::Time: a rational time like CoreMedia's CMTime.
#pragma once

#include "vtcompress/export.h"

#include <cstdint>
#include <string>

namespace vtc {

struct VTC_EXPORT Time {
  enum Flags : std::uint32_t {
    kValid = 1u << 0,
    kHasBeenRounded = 1u << 1,
    kPositiveInfinity = 1u << 2,
    kNegativeInfinity = 1u << 3,
    kIndefinite = 1u << 4,
  };

  std::int64_t value = 0;
  std::int32_t timescale = 0;
  std::uint32_t flags = 0;  // Invalid by default, as kCMTimeInvalid.

  static constexpr Time Make(std::int64_t value, std::int32_t timescale) {
    return timescale > 0 ? Time{value, timescale, kValid} : Time{};
  }
  static constexpr Time Invalid() { return Time{}; }
  static constexpr Time Indefinite() { return Time{0, 0, kValid | kIndefinite}; }
  static constexpr Time PositiveInfinity() { return Time{0, 0, kValid | kPositiveInfinity}; }
  static constexpr Time NegativeInfinity() { return Time{0, 0, kValid | kNegativeInfinity}; }
  static constexpr Time Zero() { return Time{0, 1, kValid}; }

  constexpr bool IsValid() const { return (flags & kValid) != 0; }
  // Valid and finite: a number of seconds (CMTIME_IS_NUMERIC).
  constexpr bool IsNumeric() const {
    return IsValid() && (flags & (kPositiveInfinity | kNegativeInfinity | kIndefinite)) == 0 &&
           timescale > 0;
  }
  constexpr bool IsIndefinite() const { return IsValid() && (flags & kIndefinite) != 0; }
  constexpr bool IsPositiveInfinity() const { return IsValid() && (flags & kPositiveInfinity); }

  double Seconds() const;  // NaN when not numeric
  // The same instant in another timescale, rounded to nearest (ties away from zero).
  Time ConvertScale(std::int32_t new_timescale) const;
  std::string ToString() const;
};

// CMTimeCompare: -1, 0, 1. Invalid < -inf < numeric < +inf < indefinite... as CoreMedia orders
// them.
VTC_EXPORT int Compare(const Time& a, const Time& b);
inline bool operator==(const Time& a, const Time& b) {
  return Compare(a, b) == 0;
}
inline bool operator!=(const Time& a, const Time& b) {
  return Compare(a, b) != 0;
}
inline bool operator<(const Time& a, const Time& b) {
  return Compare(a, b) < 0;
}
inline bool operator<=(const Time& a, const Time& b) {
  return Compare(a, b) <= 0;
}
inline bool operator>(const Time& a, const Time& b) {
  return Compare(a, b) > 0;
}
inline bool operator>=(const Time& a, const Time& b) {
  return Compare(a, b) >= 0;
}

// CMTimeRange: [start, start + duration). Invalid (the default) when either time is not
// numeric or the duration is negative.
struct VTC_EXPORT TimeRange {
  Time start, duration;

  static TimeRange Make(Time start, Time duration) { return TimeRange{start, duration}; }
  bool IsValid() const { return start.IsNumeric() && duration.IsNumeric() && duration.value >= 0; }
  Time End() const;  // start + duration (invalid for an invalid range)
  // start <= t < end (false for an invalid range or a time that is not numeric).
  bool Contains(Time t) const;
};

}  // namespace vtc
