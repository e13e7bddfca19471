// SPDX-License-Identifier: GPL-2.0-or-later
// CMTime and CMTimeRange from C++: Apple's layout and constants, the arithmetic's rounding,
// overflow and special values, and the conversion to and from vtc::Time.
#include <CoreMedia/CoreMedia.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>

#include "cm_time.h"

namespace {

// Same value, timescale, flags and epoch (CMTimeCompare would call 1/2 and 2/4 equal).
void ExpectSame(const CMTime& want, const CMTime& got) {
  EXPECT_EQ(want.value, got.value);
  EXPECT_EQ(want.timescale, got.timescale);
  EXPECT_EQ(want.flags, got.flags);
  EXPECT_EQ(want.epoch, got.epoch);
}

CMTime Rounded(int64_t v, int32_t ts) {
  CMTime t = CMTimeMake(v, ts);
  t.flags |= kCMTimeFlags_HasBeenRounded;
  return t;
}

TEST(CMTime, LayoutAndConstantsAreApples) {
  EXPECT_EQ(24u, sizeof(CMTime));
  EXPECT_EQ(0u, offsetof(CMTime, value));
  EXPECT_EQ(8u, offsetof(CMTime, timescale));
  EXPECT_EQ(12u, offsetof(CMTime, flags));
  EXPECT_EQ(16u, offsetof(CMTime, epoch));
  EXPECT_EQ(1u, kCMTimeFlags_Valid);
  EXPECT_EQ(2u, kCMTimeFlags_HasBeenRounded);
  EXPECT_EQ(4u, kCMTimeFlags_PositiveInfinity);
  EXPECT_EQ(8u, kCMTimeFlags_NegativeInfinity);
  EXPECT_EQ(16u, kCMTimeFlags_Indefinite);
  EXPECT_EQ(28u, kCMTimeFlags_ImpliedValueFlagsMask);
  EXPECT_EQ(1u, kCMTimeRoundingMethod_Default);
  EXPECT_EQ(6u, kCMTimeRoundingMethod_RoundTowardNegativeInfinity);
  ExpectSame(CMTime{0, 0, 0, 0}, kCMTimeInvalid);
  ExpectSame(CMTime{0, 1, 1, 0}, kCMTimeZero);
  ExpectSame(CMTime{0, 0, 17, 0}, kCMTimeIndefinite);
  ExpectSame(CMTime{0, 0, 5, 0}, kCMTimePositiveInfinity);
  ExpectSame(CMTime{0, 0, 9, 0}, kCMTimeNegativeInfinity);
}

TEST(CMTime, Macros) {
  EXPECT_TRUE(CMTIME_IS_VALID(kCMTimeZero));
  EXPECT_TRUE(CMTIME_IS_INVALID(kCMTimeInvalid));
  EXPECT_TRUE(CMTIME_IS_NUMERIC(CMTimeMake(3, 30)));
  EXPECT_FALSE(CMTIME_IS_NUMERIC(kCMTimeIndefinite));
  EXPECT_FALSE(CMTIME_IS_NUMERIC(kCMTimePositiveInfinity));
  EXPECT_FALSE(CMTIME_IS_NUMERIC(kCMTimeInvalid));
  EXPECT_TRUE(CMTIME_IS_INDEFINITE(kCMTimeIndefinite));
  EXPECT_FALSE(CMTIME_IS_INDEFINITE(kCMTimePositiveInfinity));
  EXPECT_TRUE(CMTIME_IS_POSITIVE_INFINITY(kCMTimePositiveInfinity));
  EXPECT_TRUE(CMTIME_IS_NEGATIVE_INFINITY(kCMTimeNegativeInfinity));
  // The flag alone, without Valid, is not an infinity.
  EXPECT_FALSE(CMTIME_IS_POSITIVE_INFINITY((CMTime{0, 0, kCMTimeFlags_PositiveInfinity, 0})));
  EXPECT_TRUE(CMTIME_HAS_BEEN_ROUNDED(Rounded(1, 3)));
  EXPECT_FALSE(CMTIME_HAS_BEEN_ROUNDED(CMTimeMake(1, 3)));
  EXPECT_TRUE(CMTIME_COMPARE_INLINE(CMTimeMake(1, 3), <, CMTimeMake(1, 2)));
}

TEST(CMTime, MakeAndSeconds) {
  ExpectSame(CMTime{1001, 30000, 1, 0}, CMTimeMake(1001, 30000));
  ExpectSame(CMTime{5, 10, 1, 7}, CMTimeMakeWithEpoch(5, 10, 7));
  ExpectSame(kCMTimeInvalid, CMTimeMake(1, 0));
  ExpectSame(kCMTimeInvalid, CMTimeMake(1, -5));
  EXPECT_DOUBLE_EQ(1001.0 / 30000, CMTimeGetSeconds(CMTimeMake(1001, 30000)));
  EXPECT_TRUE(std::isnan(CMTimeGetSeconds(kCMTimeInvalid)));
  EXPECT_TRUE(std::isnan(CMTimeGetSeconds(kCMTimeIndefinite)));
  EXPECT_EQ(HUGE_VAL, CMTimeGetSeconds(kCMTimePositiveInfinity));
  EXPECT_EQ(-HUGE_VAL, CMTimeGetSeconds(kCMTimeNegativeInfinity));

  ExpectSame(CMTimeMake(1500, 1000), CMTimeMakeWithSeconds(1.5, 1000));
  ExpectSame(Rounded(333, 1000), CMTimeMakeWithSeconds(1.0 / 3, 1000));
  ExpectSame(Rounded(-2, 1000), CMTimeMakeWithSeconds(-0.0015, 1000));  // half away from zero
  ExpectSame(kCMTimeInvalid, CMTimeMakeWithSeconds(NAN, 1000));
  ExpectSame(kCMTimePositiveInfinity, CMTimeMakeWithSeconds(INFINITY, 1000));
  ExpectSame(kCMTimeNegativeInfinity, CMTimeMakeWithSeconds(-INFINITY, 1000));
  ExpectSame(kCMTimeInvalid, CMTimeMakeWithSeconds(1, 0));
  // 1e12 s does not fit at 1e9 per second: the timescale halves until it does.
  CMTime big = CMTimeMakeWithSeconds(1e12, 1000000000);
  EXPECT_TRUE(CMTIME_IS_NUMERIC(big));
  EXPECT_LT(big.timescale, 1000000000);
  EXPECT_NEAR(1e12, CMTimeGetSeconds(big), 1.0);
  ExpectSame(kCMTimePositiveInfinity, CMTimeMakeWithSeconds(1e300, 1));
}

TEST(CMTime, CompareFollowsApplesOrder) {
  // -inf < numeric < indefinite < +inf < invalid.
  const CMTime order[] = {kCMTimeNegativeInfinity, CMTimeMake(-5, 1), CMTimeMake(1, 3),
                          CMTimeMake(1, 2),        kCMTimeIndefinite, kCMTimePositiveInfinity,
                          kCMTimeInvalid};
  const std::size_t n = sizeof order / sizeof order[0];
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      EXPECT_EQ(i < j ? -1 : (i > j ? 1 : 0), CMTimeCompare(order[i], order[j])) << i << "," << j;
  EXPECT_EQ(0, CMTimeCompare(CMTimeMake(1, 2), CMTimeMake(500, 1000)));
  EXPECT_EQ(0, CMTimeCompare(kCMTimeInvalid, CMTime{3, 0, 0, 0}));
  // Epochs first.
  EXPECT_EQ(1, CMTimeCompare(CMTimeMakeWithEpoch(0, 1, 1), CMTimeMakeWithEpoch(100, 1, 0)));
  // Exact: no overflow with large values and timescales.
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(-1, CMTimeCompare(CMTimeMake(max - 1, 1000000000), CMTimeMake(max, 1000000000)));
  EXPECT_EQ(1, CMTimeCompare(CMTimeMake(max, 999999999), CMTimeMake(max, 1000000000)));
}

TEST(CMTime, AddAndSubtract) {
  ExpectSame(CMTimeMake(5, 30), CMTimeAdd(CMTimeMake(2, 30), CMTimeMake(3, 30)));
  // Different timescales: their least common multiple.
  ExpectSame(CMTimeMake(5, 6), CMTimeAdd(CMTimeMake(1, 2), CMTimeMake(1, 3)));
  ExpectSame(CMTimeMake(1, 6), CMTimeSubtract(CMTimeMake(1, 2), CMTimeMake(1, 3)));
  ExpectSame(CMTimeMake(1001 + 10, 30000),  // LCM(30000, 3000)
             CMTimeAdd(CMTimeMake(1001, 30000), CMTimeMake(1, 3000)));
  // An LCM over kCMTimeMaxTimescale is capped, and rounded to it.
  CMTime capped = CMTimeAdd(CMTimeMake(1, 999999937), CMTimeMake(1, 999999929));
  EXPECT_EQ(1000000000, capped.timescale);
  EXPECT_TRUE(CMTIME_HAS_BEEN_ROUNDED(capped));
  // Special values.
  ExpectSame(kCMTimeInvalid, CMTimeAdd(kCMTimeInvalid, CMTimeMake(1, 1)));
  ExpectSame(kCMTimeInvalid, CMTimeAdd(kCMTimeIndefinite, kCMTimeInvalid));
  ExpectSame(kCMTimeIndefinite, CMTimeAdd(kCMTimeIndefinite, CMTimeMake(1, 1)));
  ExpectSame(kCMTimeIndefinite, CMTimeAdd(kCMTimePositiveInfinity, kCMTimeIndefinite));
  ExpectSame(kCMTimePositiveInfinity, CMTimeAdd(kCMTimePositiveInfinity, CMTimeMake(-1, 1)));
  ExpectSame(kCMTimeInvalid, CMTimeAdd(kCMTimePositiveInfinity, kCMTimeNegativeInfinity));
  ExpectSame(kCMTimeInvalid, CMTimeSubtract(kCMTimePositiveInfinity, kCMTimePositiveInfinity));
  ExpectSame(kCMTimePositiveInfinity,
             CMTimeSubtract(kCMTimePositiveInfinity, kCMTimeNegativeInfinity));
  ExpectSame(kCMTimeNegativeInfinity, CMTimeSubtract(CMTimeMake(1, 1), kCMTimePositiveInfinity));
  ExpectSame(kCMTimeInvalid, CMTimeAdd(CMTimeMakeWithEpoch(1, 1, 0), CMTimeMakeWithEpoch(1, 1, 1)));
  // Overflow: the timescale halves; past timescale 1, infinity.
  const int64_t max = std::numeric_limits<int64_t>::max();
  CMTime halved = CMTimeAdd(CMTimeMake(max, 1000), CMTimeMake(max, 1000));
  EXPECT_EQ(500, halved.timescale);
  EXPECT_EQ(max, halved.value);
  ExpectSame(kCMTimePositiveInfinity, CMTimeAdd(CMTimeMake(max, 1), CMTimeMake(1, 1)));
  ExpectSame(kCMTimeNegativeInfinity, CMTimeSubtract(CMTimeMake(-max, 1), CMTimeMake(2, 1)));
}

TEST(CMTime, Multiply) {
  ExpectSame(CMTimeMake(3003, 30000), CMTimeMultiply(CMTimeMake(1001, 30000), 3));
  ExpectSame(CMTimeMake(-2, 30), CMTimeMultiply(CMTimeMake(1, 30), -2));
  ExpectSame(kCMTimeNegativeInfinity, CMTimeMultiply(kCMTimePositiveInfinity, -1));
  ExpectSame(kCMTimeInvalid, CMTimeMultiply(kCMTimePositiveInfinity, 0));
  ExpectSame(kCMTimeIndefinite, CMTimeMultiply(kCMTimeIndefinite, 4));
  ExpectSame(kCMTimeInvalid, CMTimeMultiply(kCMTimeInvalid, 4));
  const int64_t max = std::numeric_limits<int64_t>::max();
  CMTime halved = CMTimeMultiply(CMTimeMake(max / 2 + 1, 4), 2);
  EXPECT_EQ(2, halved.timescale);
  ExpectSame(kCMTimePositiveInfinity, CMTimeMultiply(CMTimeMake(max, 1), 2));

  ExpectSame(CMTimeMake(15, 10), CMTimeMultiplyByFloat64(CMTimeMake(10, 10), 1.5));
  ExpectSame(Rounded(3, 10), CMTimeMultiplyByFloat64(CMTimeMake(10, 10), 0.25));  // 2.5 -> 3
  ExpectSame(Rounded(-3, 10), CMTimeMultiplyByFloat64(CMTimeMake(10, 10), -0.25));
  ExpectSame(kCMTimeInvalid, CMTimeMultiplyByFloat64(CMTimeMake(1, 1), NAN));
  ExpectSame(kCMTimeNegativeInfinity, CMTimeMultiplyByFloat64(kCMTimePositiveInfinity, -2.0));

  ExpectSame(CMTimeMake(2, 3), CMTimeMultiplyByRatio(CMTimeMake(1, 3), 4, 2));
  ExpectSame(Rounded(1, 3), CMTimeMultiplyByRatio(CMTimeMake(1, 3), 1, 2));  // 0.5 -> 1
  ExpectSame(kCMTimeInvalid, CMTimeMultiplyByRatio(CMTimeMake(1, 3), 1, 0));
}

TEST(CMTime, ConvertScaleRoundingMethods) {
  const CMTime t = CMTimeMake(1001, 30000);  // 3.003 in 1000ths
  ExpectSame(Rounded(33, 1000),
             CMTimeConvertScale(t, 1000, kCMTimeRoundingMethod_RoundHalfAwayFromZero));
  ExpectSame(Rounded(33, 1000), CMTimeConvertScale(t, 1000, kCMTimeRoundingMethod_RoundTowardZero));
  ExpectSame(Rounded(34, 1000),
             CMTimeConvertScale(t, 1000, kCMTimeRoundingMethod_RoundAwayFromZero));
  ExpectSame(Rounded(34, 1000),
             CMTimeConvertScale(t, 1000, kCMTimeRoundingMethod_RoundTowardPositiveInfinity));
  ExpectSame(Rounded(33, 1000),
             CMTimeConvertScale(t, 1000, kCMTimeRoundingMethod_RoundTowardNegativeInfinity));
  const CMTime n = CMTimeMake(-1001, 30000);
  ExpectSame(Rounded(-33, 1000),
             CMTimeConvertScale(n, 1000, kCMTimeRoundingMethod_RoundTowardPositiveInfinity));
  ExpectSame(Rounded(-34, 1000),
             CMTimeConvertScale(n, 1000, kCMTimeRoundingMethod_RoundTowardNegativeInfinity));
  // Half away from zero, both signs.
  ExpectSame(Rounded(1, 1), CMTimeConvertScale(CMTimeMake(1, 2), 1, kCMTimeRoundingMethod_Default));
  ExpectSame(Rounded(-1, 1),
             CMTimeConvertScale(CMTimeMake(-1, 2), 1, kCMTimeRoundingMethod_Default));
  // QuickTime: toward zero to a coarser scale, away to a finer one, negatives never to 0.
  ExpectSame(Rounded(33, 1000), CMTimeConvertScale(t, 1000, kCMTimeRoundingMethod_QuickTime));
  ExpectSame(Rounded(-1, 10),
             CMTimeConvertScale(CMTimeMake(-1, 1000), 10, kCMTimeRoundingMethod_QuickTime));
  ExpectSame(Rounded(3, 3),
             CMTimeConvertScale(CMTimeMake(1001, 1000), 3, kCMTimeRoundingMethod_QuickTime));
  ExpectSame(Rounded(4, 10),
             CMTimeConvertScale(CMTimeMake(1, 3), 10, kCMTimeRoundingMethod_QuickTime));
  // Exact conversions keep the flags; others pass through.
  ExpectSame(CMTimeMake(3003, 90000), CMTimeConvertScale(t, 90000, kCMTimeRoundingMethod_Default));
  ExpectSame(kCMTimeIndefinite,
             CMTimeConvertScale(kCMTimeIndefinite, 90000, kCMTimeRoundingMethod_Default));
  ExpectSame(kCMTimeInvalid, CMTimeConvertScale(t, 0, kCMTimeRoundingMethod_Default));
  const int64_t max = std::numeric_limits<int64_t>::max();
  ExpectSame(kCMTimePositiveInfinity,
             CMTimeConvertScale(CMTimeMake(max, 1), 2, kCMTimeRoundingMethod_Default));
}

TEST(CMTime, MaximumMinimumAbsolute) {
  ExpectSame(CMTimeMake(1, 2), CMTimeMaximum(CMTimeMake(1, 3), CMTimeMake(1, 2)));
  ExpectSame(CMTimeMake(1, 3), CMTimeMinimum(CMTimeMake(1, 3), CMTimeMake(1, 2)));
  ExpectSame(kCMTimeInvalid, CMTimeMaximum(kCMTimeInvalid, CMTimeMake(1, 2)));
  ExpectSame(CMTimeMake(5, 3), CMTimeAbsoluteValue(CMTimeMake(-5, 3)));
  ExpectSame(kCMTimePositiveInfinity, CMTimeAbsoluteValue(kCMTimeNegativeInfinity));
}

TEST(CMTimeRange, MakeEndContains) {
  CMTimeRange r = CMTimeRangeMake(CMTimeMake(1, 1), CMTimeMake(2, 1));
  EXPECT_TRUE(CMTIMERANGE_IS_VALID(r));
  ExpectSame(CMTimeMake(3, 1), CMTimeRangeGetEnd(r));
  EXPECT_TRUE(CMTimeRangeContainsTime(r, CMTimeMake(1, 1)));
  EXPECT_FALSE(CMTimeRangeContainsTime(r, CMTimeMake(3, 1)));
  EXPECT_TRUE(CMTIMERANGE_IS_INVALID(kCMTimeRangeInvalid));
  EXPECT_TRUE(CMTIMERANGE_IS_EMPTY(kCMTimeRangeZero));
  EXPECT_TRUE(CMTIMERANGE_IS_INVALID(CMTimeRangeMake(CMTimeMake(0, 1), CMTimeMake(-1, 1))));
  ExpectSame(kCMTimeInvalid, CMTimeRangeGetEnd(kCMTimeRangeInvalid));
}

TEST(CMTime, ConvertsToAndFromVtcTime) {
  using vtc::Time;
  using vtc::cf::FromVtcTime;
  using vtc::cf::ToVtcTime;
  EXPECT_FALSE(ToVtcTime(kCMTimeInvalid).IsValid());
  EXPECT_TRUE(ToVtcTime(kCMTimeIndefinite).IsIndefinite());
  EXPECT_TRUE(ToVtcTime(kCMTimePositiveInfinity).IsPositiveInfinity());
  Time t = ToVtcTime(CMTimeMake(1001, 30000));
  EXPECT_EQ(1001, t.value);
  EXPECT_EQ(30000, t.timescale);
  EXPECT_TRUE(t.IsNumeric());
  ExpectSame(CMTimeMake(1001, 30000), FromVtcTime(Time::Make(1001, 30000)));
  ExpectSame(kCMTimeInvalid, FromVtcTime(Time::Invalid()));
  ExpectSame(kCMTimeIndefinite, FromVtcTime(Time::Indefinite()));
  ExpectSame(kCMTimePositiveInfinity, FromVtcTime(Time::PositiveInfinity()));
  ExpectSame(kCMTimeNegativeInfinity, FromVtcTime(Time::NegativeInfinity()));
  ExpectSame(kCMTimeZero, FromVtcTime(Time::Zero()));
  Time rounded = ToVtcTime(Rounded(1, 3));
  EXPECT_EQ(static_cast<uint32_t>(Time::kValid | Time::kHasBeenRounded), rounded.flags);
  vtc::TimeRange range = vtc::TimeRange::Make(Time::Make(1, 2), Time::Make(3, 2));
  CMTimeRange cr = vtc::cf::FromVtcTimeRange(range);
  ExpectSame(CMTimeMake(1, 2), cr.start);
  ExpectSame(CMTimeMake(3, 2), cr.duration);
}

}  // namespace
