/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VideoToolbox's base macros (VideoToolbox/VTBase.h), for VideoToolbox code built on Linux
 * against libvtcompress. */
#ifndef __VTC_VIDEOTOOLBOX_VTBASE_H
#define __VTC_VIDEOTOOLBOX_VTBASE_H

#include <CoreFoundation/CoreFoundation.h>
#include <CoreMedia/CoreMedia.h>
#include <CoreVideo/CoreVideo.h>

#ifndef VT_EXPORT
#define VT_EXPORT extern VTC_CAPI_EXPORT
#endif
#ifndef VT_INLINE
#define VT_INLINE static __inline__
#endif

#endif /* __VTC_VIDEOTOOLBOX_VTBASE_H */
