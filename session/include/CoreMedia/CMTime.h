/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CMTime: a rational time, with Apple's layout, names and values (CoreMedia/CMTime.h).
 * A CMTime is a plain struct passed by value: no ownership, any thread. docs/capi.md lists where
 * the arithmetic's corner cases are this library's own choice. */
#ifndef __VTC_COREMEDIA_CMTIME_H
#define __VTC_COREMEDIA_CMTIME_H

#include <CoreMedia/CMBase.h>

__VTC_CF_EXTERN_C_BEGIN

typedef int64_t CMTimeValue;
typedef int32_t CMTimeScale;
typedef int64_t CMTimeEpoch;
typedef uint32_t CMTimeFlags;
#define kCMTimeMaxTimescale 1000000000L

enum {
  kCMTimeFlags_Valid = 1UL << 0,
  kCMTimeFlags_HasBeenRounded = 1UL << 1,
  kCMTimeFlags_PositiveInfinity = 1UL << 2,
  kCMTimeFlags_NegativeInfinity = 1UL << 3,
  kCMTimeFlags_Indefinite = 1UL << 4,
  kCMTimeFlags_ImpliedValueFlagsMask =
      kCMTimeFlags_PositiveInfinity | kCMTimeFlags_NegativeInfinity | kCMTimeFlags_Indefinite
};

/* 24 bytes, as Apple's (value, timescale, flags, epoch). */
typedef struct {
  CMTimeValue value;
  CMTimeScale timescale;
  CMTimeFlags flags;
  CMTimeEpoch epoch;
} CMTime;

typedef uint32_t CMTimeRoundingMethod;
enum {
  kCMTimeRoundingMethod_RoundHalfAwayFromZero = 1,
  kCMTimeRoundingMethod_RoundTowardZero = 2,
  kCMTimeRoundingMethod_RoundAwayFromZero = 3,
  kCMTimeRoundingMethod_QuickTime = 4,
  kCMTimeRoundingMethod_RoundTowardPositiveInfinity = 5,
  kCMTimeRoundingMethod_RoundTowardNegativeInfinity = 6,
  kCMTimeRoundingMethod_Default = kCMTimeRoundingMethod_RoundHalfAwayFromZero
};

#define CMTIME_IS_VALID(time) ((Boolean)(((time).flags & kCMTimeFlags_Valid) != 0))
#define CMTIME_IS_INVALID(time) (!CMTIME_IS_VALID(time))
#define CMTIME_IS_POSITIVE_INFINITY(time) \
  ((Boolean)(CMTIME_IS_VALID(time) && (((time).flags & kCMTimeFlags_PositiveInfinity) != 0)))
#define CMTIME_IS_NEGATIVE_INFINITY(time) \
  ((Boolean)(CMTIME_IS_VALID(time) && (((time).flags & kCMTimeFlags_NegativeInfinity) != 0)))
#define CMTIME_IS_INDEFINITE(time) \
  ((Boolean)(CMTIME_IS_VALID(time) && (((time).flags & kCMTimeFlags_Indefinite) != 0)))
#define CMTIME_IS_NUMERIC(time)                                                            \
  ((Boolean)(((time).flags & (kCMTimeFlags_Valid | kCMTimeFlags_ImpliedValueFlagsMask)) == \
             kCMTimeFlags_Valid))
#define CMTIME_HAS_BEEN_ROUNDED(time) \
  ((Boolean)(CMTIME_IS_NUMERIC(time) && (((time).flags & kCMTimeFlags_HasBeenRounded) != 0)))

CM_EXPORT const CMTime kCMTimeInvalid;
CM_EXPORT const CMTime kCMTimeIndefinite;
CM_EXPORT const CMTime kCMTimePositiveInfinity;
CM_EXPORT const CMTime kCMTimeNegativeInfinity;
CM_EXPORT const CMTime kCMTimeZero; /* 0/1 */

/* value/timescale in epoch 0; kCMTimeInvalid when timescale <= 0. */
CM_EXPORT CMTime CMTimeMake(int64_t value, int32_t timescale);
CM_EXPORT CMTime CMTimeMakeWithEpoch(int64_t value, int32_t timescale, int64_t epoch);
/* seconds in preferredTimescale, rounded half away from zero (HasBeenRounded when inexact); the
 * timescale is halved until the value fits in 64 bits. NaN gives kCMTimeInvalid, +/-infinity
 * kCMTimePositive/NegativeInfinity, a preferredTimescale <= 0 kCMTimeInvalid. */
CM_EXPORT CMTime CMTimeMakeWithSeconds(Float64 seconds, int32_t preferredTimescale);
/* NaN for invalid and indefinite times, +/-INFINITY for the infinities. */
CM_EXPORT Float64 CMTimeGetSeconds(CMTime time);
/* The time in newTimescale. Times that are not numeric come back unchanged; newTimescale <= 0
 * gives kCMTimeInvalid; a value that no longer fits gives +/-infinity. */
CM_EXPORT CMTime CMTimeConvertScale(CMTime time, int32_t newTimescale, CMTimeRoundingMethod method);
/* Apple's ordering: -infinity < numeric < indefinite < +infinity < invalid; numeric times in a
 * larger epoch are greater. -1, 0 or 1. */
CM_EXPORT int32_t CMTimeCompare(CMTime time1, CMTime time2);
#define CMTIME_COMPARE_INLINE(time1, comparator, time2) \
  ((Boolean)(CMTimeCompare(time1, time2) comparator 0))
/* Sums and differences: the operands' timescale when equal, else their least common multiple
 * (at most kCMTimeMaxTimescale, rounding to it); on overflow the timescale is halved until the
 * value fits, then +/-infinity. Invalid operands or epochs that differ give kCMTimeInvalid;
 * indefinite gives indefinite; +infinity + -infinity is invalid. */
CM_EXPORT CMTime CMTimeAdd(CMTime lhs, CMTime rhs);
CM_EXPORT CMTime CMTimeSubtract(CMTime lhs, CMTime rhs);
/* time * multiplier in time's timescale (halved on overflow, then +/-infinity). An infinity
 * times 0 is kCMTimeInvalid; times a negative number it changes sign. */
CM_EXPORT CMTime CMTimeMultiply(CMTime time, int32_t multiplier);
/* The same with a float multiplier, rounded half away from zero. A NaN or infinite multiplier
 * gives kCMTimeInvalid for numeric times. */
CM_EXPORT CMTime CMTimeMultiplyByFloat64(CMTime time, Float64 multiplier);
CM_EXPORT CMTime CMTimeMultiplyByRatio(CMTime time, int32_t multiplier, int32_t divisor);
CM_EXPORT CMTime CMTimeMaximum(CMTime time1, CMTime time2); /* invalid if either is */
CM_EXPORT CMTime CMTimeMinimum(CMTime time1, CMTime time2); /* invalid if either is */
CM_EXPORT CMTime CMTimeAbsoluteValue(CMTime time);
/* Prints the time to stderr, as "{value/timescale = seconds}" or "{INVALID}" etc. */
CM_EXPORT void CMTimeShow(CMTime time);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREMEDIA_CMTIME_H */
