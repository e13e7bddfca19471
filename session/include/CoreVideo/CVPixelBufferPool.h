/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CVPixelBufferPool over the session's vtc::PixelBufferPool (CoreVideo/CVPixelBufferPool.h).
 * A pool may be used from any thread; buffers return to it when their last reference goes, and
 * the pool and its buffers may be released in any order. */
#ifndef __VTC_COREVIDEO_CVPIXELBUFFERPOOL_H
#define __VTC_COREVIDEO_CVPIXELBUFFERPOOL_H

#include <CoreVideo/CVPixelBuffer.h>

__VTC_CF_EXTERN_C_BEGIN

typedef struct __CVPixelBufferPool* CVPixelBufferPoolRef;

/* Pool attributes: MinimumBufferCount is honoured (preallocated), MaximumBufferAge accepted and
 * ignored. Auxiliary attribute: AllocationThreshold (kCVReturnWouldExceedAllocationThreshold
 * beyond it). */
CV_EXPORT const CFStringRef kCVPixelBufferPoolMinimumBufferCountKey;
CV_EXPORT const CFStringRef kCVPixelBufferPoolMaximumBufferAgeKey;
CV_EXPORT const CFStringRef kCVPixelBufferPoolAllocationThresholdKey;

typedef CVOptionFlags CVPixelBufferPoolFlushFlags;
enum { kCVPixelBufferPoolFlushExcessBuffers = 1 };

CV_EXPORT CFTypeID CVPixelBufferPoolGetTypeID(void);
/* NULL is allowed and ignored. */
CV_EXPORT CVPixelBufferPoolRef CVPixelBufferPoolRetain(CVPixelBufferPoolRef pixelBufferPool);
CV_EXPORT void CVPixelBufferPoolRelease(CVPixelBufferPoolRef pixelBufferPool);

/* pixelBufferAttributes needs PixelFormatType, Width and Height
 * (kCVReturnInvalidPixelBufferAttributes otherwise, kCVReturnInvalidPixelFormat for a format the
 * session does not take). */
CV_EXPORT CVReturn CVPixelBufferPoolCreate(CFAllocatorRef allocator, CFDictionaryRef poolAttributes,
                                           CFDictionaryRef pixelBufferAttributes,
                                           CVPixelBufferPoolRef* poolOut);
/* Not retained (Get rule): the pool attributes as given (NULL when none) and the buffers' real
 * attributes (the resolved format, alignment and extents). */
CV_EXPORT CFDictionaryRef CVPixelBufferPoolGetAttributes(CVPixelBufferPoolRef pool);
CV_EXPORT CFDictionaryRef CVPixelBufferPoolGetPixelBufferAttributes(CVPixelBufferPoolRef pool);
/* A buffer from the pool (+1). */
CV_EXPORT CVReturn CVPixelBufferPoolCreatePixelBuffer(CFAllocatorRef allocator,
                                                      CVPixelBufferPoolRef pixelBufferPool,
                                                      CVPixelBufferRef* pixelBufferOut);
CV_EXPORT CVReturn CVPixelBufferPoolCreatePixelBufferWithAuxAttributes(
    CFAllocatorRef allocator, CVPixelBufferPoolRef pixelBufferPool, CFDictionaryRef auxAttributes,
    CVPixelBufferRef* pixelBufferOut);
/* Frees the idle buffers. */
CV_EXPORT void CVPixelBufferPoolFlush(CVPixelBufferPoolRef pool,
                                      CVPixelBufferPoolFlushFlags options);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREVIDEO_CVPIXELBUFFERPOOL_H */
