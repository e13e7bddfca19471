/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CoreMedia's base types (CMBase.h), for VideoToolbox code built on Linux against libvtcompress. */
#ifndef __VTC_COREMEDIA_CMBASE_H
#define __VTC_COREMEDIA_CMBASE_H

#include <CoreFoundation/CoreFoundation.h>

#ifndef CM_EXPORT
#define CM_EXPORT extern VTC_CAPI_EXPORT
#endif
#ifndef CM_INLINE
#define CM_INLINE static __inline__
#endif
#ifndef CM_RETURNS_RETAINED_PARAMETER
#define CM_RETURNS_RETAINED_PARAMETER
#endif

__VTC_CF_EXTERN_C_BEGIN

typedef int32_t CMPersistentTrackID;
typedef CFIndex CMItemCount;
typedef CFIndex CMItemIndex;

/* CoreFoundation's property-list type (Apple's CFBase.h has it; CoreMedia is the first user
 * here). */
#ifndef __VTC_CF_PROPERTY_LIST_REF
#define __VTC_CF_PROPERTY_LIST_REF
typedef CFTypeRef CFPropertyListRef;
#endif

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREMEDIA_CMBASE_H */
