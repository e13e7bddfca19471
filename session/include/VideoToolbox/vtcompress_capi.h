/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Extensions of libvtcompress's C API that Apple's frameworks do not have (not included by
 * VideoToolbox.h; include it by name). */
#ifndef __VTC_VIDEOTOOLBOX_VTCOMPRESS_CAPI_H
#define __VTC_VIDEOTOOLBOX_VTCOMPRESS_CAPI_H

#include <CoreFoundation/CoreFoundation.h>

__VTC_CF_EXTERN_C_BEGIN

/* How many CF objects of the C API are alive now (created and not yet freed: strings, numbers,
 * collections, pixel buffers, samples, sessions, ...; CFSTR literals and the constant objects do
 * not count). For leak checks in tests: 0 once a program has released everything it made. */
extern VTC_CAPI_EXPORT CFIndex vtcompress_capi_live_object_count(void);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_VIDEOTOOLBOX_VTCOMPRESS_CAPI_H */
