// SPDX-License-Identifier: GPL-2.0-or-later
// CMTime <-> vtc::Time (internal, not installed). The flag bits are the same; vtc::Time has no
// epoch, so the C layer drops it going in (the session's times are all in epoch 0).
#pragma once

#include <CoreMedia/CMTime.h>
#include <CoreMedia/CMTimeRange.h>

#include "vtcompress/time.h"

namespace vtc::cf {

inline Time ToVtcTime(const CMTime& t) {
  Time out;
  out.value = t.value;
  out.timescale = t.timescale;
  out.flags = t.flags;
  return out;
}

inline CMTime FromVtcTime(const Time& t) {
  CMTime out;
  out.value = t.value;
  out.timescale = t.timescale;
  out.flags = t.flags;
  out.epoch = 0;
  return out;
}

inline CMTimeRange FromVtcTimeRange(const TimeRange& r) {
  CMTimeRange out;
  out.start = FromVtcTime(r.start);
  out.duration = FromVtcTime(r.duration);
  return out;
}

inline TimeRange ToVtcTimeRange(const CMTimeRange& r) {
  TimeRange out;
  out.start = ToVtcTime(r.start);
  out.duration = ToVtcTime(r.duration);
  return out;
}

}  // namespace vtc::cf
