/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CMTimeRange: a start and a duration (CoreMedia/CMTimeRange.h, the part VideoToolbox uses). */
#ifndef __VTC_COREMEDIA_CMTIMERANGE_H
#define __VTC_COREMEDIA_CMTIMERANGE_H

#include <CoreMedia/CMTime.h>

__VTC_CF_EXTERN_C_BEGIN

typedef struct {
  CMTime start;
  CMTime duration;
} CMTimeRange;

CM_EXPORT const CMTimeRange kCMTimeRangeZero;
CM_EXPORT const CMTimeRange kCMTimeRangeInvalid;

/* Valid: start and duration valid, duration numeric or +infinity, epoch 0 and not negative. */
#define CMTIMERANGE_IS_VALID(range)                                                 \
  ((Boolean)(CMTIME_IS_VALID((range).start) && CMTIME_IS_VALID((range).duration) && \
             (range).duration.epoch == 0 && (range).duration.value >= 0))
#define CMTIMERANGE_IS_INVALID(range) (!CMTIMERANGE_IS_VALID(range))
#define CMTIMERANGE_IS_EMPTY(range) \
  ((Boolean)(CMTIMERANGE_IS_VALID(range) && (CMTimeCompare((range).duration, kCMTimeZero) == 0)))

CM_EXPORT CMTimeRange CMTimeRangeMake(CMTime start, CMTime duration);
/* start + duration (kCMTimeInvalid for an invalid range). */
CM_EXPORT CMTime CMTimeRangeGetEnd(CMTimeRange range);
/* start <= time < end. */
CM_EXPORT Boolean CMTimeRangeContainsTime(CMTimeRange range, CMTime time);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREMEDIA_CMTIMERANGE_H */
