/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CMTime from C11, as VideoToolbox code uses it: file-scope constants, the macros, timestamps
 * for a frame loop, and CompleteFrames' "all" values. Exits non-zero on the first failure. */
#include <CoreMedia/CoreMedia.h>
#include <math.h>
#include <stdio.h>

static int failures = 0;
#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                       \
    }                                                                   \
  } while (0)

/* A frame duration at file scope, as encoders keep one. */
static const CMTime kFrameDuration = {1001, 30000, kCMTimeFlags_Valid, 0};

int main(void) {
  CHECK(sizeof(CMTime) == 24);
  CHECK(CMTIME_IS_NUMERIC(kFrameDuration));
  CHECK(CMTIME_IS_INVALID(kCMTimeInvalid));
  CHECK(CMTIME_IS_INDEFINITE(kCMTimeIndefinite) && !CMTIME_IS_NUMERIC(kCMTimeIndefinite));
  CHECK(CMTIME_IS_POSITIVE_INFINITY(kCMTimePositiveInfinity));
  CHECK(CMTIME_IS_VALID(kCMTimeZero) && kCMTimeZero.timescale == 1);

  /* PTS of frame i = i * duration, accumulated with CMTimeAdd, equal to CMTimeMultiply. */
  CMTime pts = kCMTimeZero;
  for (int i = 0; i < 300; ++i) pts = CMTimeAdd(pts, kFrameDuration);
  CHECK(CMTimeCompare(pts, CMTimeMultiply(kFrameDuration, 300)) == 0);
  CHECK(fabs(CMTimeGetSeconds(pts) - 10.01) < 1e-9);
  CHECK(CMTIME_COMPARE_INLINE(pts, >, CMTimeMake(10, 1)));
  CHECK(CMTimeCompare(CMTimeSubtract(pts, pts), kCMTimeZero) == 0);

  CMTime ms = CMTimeConvertScale(kFrameDuration, 1000, kCMTimeRoundingMethod_Default);
  CHECK(ms.value == 33 && ms.timescale == 1000 && CMTIME_HAS_BEEN_ROUNDED(ms));
  CMTime s = CMTimeMakeWithSeconds(0.5, 90000);
  CHECK(s.value == 45000 && s.timescale == 90000 && !CMTIME_HAS_BEEN_ROUNDED(s));
  CHECK(CMTIME_IS_NUMERIC(CMTimeMultiplyByFloat64(kFrameDuration, 2.5)));

  /* What callers pass CompleteFrames to mean "all": none is numeric. */
  CHECK(!CMTIME_IS_NUMERIC(kCMTimeInvalid) && !CMTIME_IS_NUMERIC(kCMTimeIndefinite) &&
        !CMTIME_IS_NUMERIC(kCMTimePositiveInfinity));
  CHECK(isnan(CMTimeGetSeconds(kCMTimeInvalid)));

  CMTimeRange r = CMTimeRangeMake(kCMTimeZero, pts);
  CHECK(CMTIMERANGE_IS_VALID(r) && CMTimeRangeContainsTime(r, kFrameDuration));
  CHECK(CMTimeCompare(CMTimeRangeGetEnd(r), pts) == 0);

  if (failures) fprintf(stderr, "%d failures\n", failures);
  return failures ? 1 : 0;
}
