/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CoreMedia subset that VideoToolbox code uses, with Apple's names, types and values
 * (libvtcompress's C API; docs/capi.md lists what is here and how it differs from Apple's). */
#ifndef __VTC_COREMEDIA_COREMEDIA_H
#define __VTC_COREMEDIA_COREMEDIA_H

#include <CoreFoundation/CoreFoundation.h>
#include <CoreMedia/CMBase.h>
#include <CoreMedia/CMBlockBuffer.h>
#include <CoreMedia/CMFormatDescription.h>
#include <CoreMedia/CMSampleBuffer.h>
#include <CoreMedia/CMTime.h>
#include <CoreMedia/CMTimeRange.h>

#endif /* __VTC_COREMEDIA_COREMEDIA_H */
