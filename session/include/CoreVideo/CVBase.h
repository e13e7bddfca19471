/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CoreVideo's base types (CoreVideo/CVBase.h). */
#ifndef __VTC_COREVIDEO_CVBASE_H
#define __VTC_COREVIDEO_CVBASE_H

#include <CoreFoundation/CoreFoundation.h>

#ifndef CV_EXPORT
#define CV_EXPORT extern VTC_CAPI_EXPORT
#endif
#ifndef CV_INLINE
#define CV_INLINE static __inline__
#endif
#ifndef CV_RETURNS_RETAINED_PARAMETER
#define CV_RETURNS_RETAINED_PARAMETER
#endif

__VTC_CF_EXTERN_C_BEGIN

typedef uint64_t CVOptionFlags;

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREVIDEO_CVBASE_H */
