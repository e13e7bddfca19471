/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CoreVideo subset that VideoToolbox code uses, with Apple's names, types and values
 * (libvtcompress's C API; docs/capi.md lists what is here and how it differs from Apple's). */
#ifndef __VTC_COREVIDEO_COREVIDEO_H
#define __VTC_COREVIDEO_COREVIDEO_H

#include <CoreFoundation/CoreFoundation.h>
#include <CoreVideo/CVBase.h>
#include <CoreVideo/CVBuffer.h>
#include <CoreVideo/CVImageBuffer.h>
#include <CoreVideo/CVPixelBuffer.h>
#include <CoreVideo/CVPixelBufferPool.h>
#include <CoreVideo/CVReturn.h>

#endif /* __VTC_COREVIDEO_COREVIDEO_H */
