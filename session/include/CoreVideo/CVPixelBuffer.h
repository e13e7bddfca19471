/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CVPixelBuffer: an image in main memory, over the session's vtc::PixelBuffer
 * (CoreVideo/CVPixelBuffer.h, the part VideoToolbox code uses).
 *
 * Ownership: Create functions return +1 (CVPixelBufferRelease or CFRelease). A buffer passed to
 * VTCompressionSessionEncodeFrame is kept by the session until that frame is answered; the
 * caller may release its own reference right after the call. Memory wrapped with
 * CreateWithBytes / CreateWithPlanarBytes is handed back through the release callback once, when
 * the last holder (the caller or the session) lets go; it is not called when creation fails.
 *
 * Threading: a buffer may be used from any thread; the pixels are the caller's to synchronize
 * (do not write a buffer the session still holds). Lock/Unlock only count (the memory is always
 * mapped), so GetBaseAddress works without a lock too, which Apple's does not promise. */
#ifndef __VTC_COREVIDEO_CVPIXELBUFFER_H
#define __VTC_COREVIDEO_CVPIXELBUFFER_H

#include <CoreVideo/CVImageBuffer.h>

__VTC_CF_EXTERN_C_BEGIN

typedef CVImageBufferRef CVPixelBufferRef;

/* The formats a compression session takes, with Apple's values (Apple writes them as four-char
 * literals). The session also takes planar layouts CoreVideo has no code for (vtcompress/keys.h:
 * 'y422', 'yx20', ...), by value. */
enum {
  kCVPixelFormatType_32ARGB = 0x00000020,      /* 8-bit A R G B (the session converts it) */
  kCVPixelFormatType_32BGRA = 0x42475241,      /* 'BGRA': 8-bit B G R A (the session converts it) */
  kCVPixelFormatType_422YpCbCr8 = 0x32767579,  /* '2vuy': UYVY, video range */
  kCVPixelFormatType_422YpCbCr10 = 0x76323130, /* 'v210': v210, video range */
  kCVPixelFormatType_420YpCbCr8Planar = 0x79343230,              /* 'y420': I420, video range */
  kCVPixelFormatType_420YpCbCr8PlanarFullRange = 0x66343230,     /* 'f420': I420, full range */
  kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange = 0x34323076,  /* '420v': NV12, video range */
  kCVPixelFormatType_420YpCbCr8BiPlanarFullRange = 0x34323066,   /* '420f': NV12, full range */
  kCVPixelFormatType_422YpCbCr8BiPlanarVideoRange = 0x34323276,  /* '422v': NV16 */
  kCVPixelFormatType_422YpCbCr8BiPlanarFullRange = 0x34323266,   /* '422f' */
  kCVPixelFormatType_444YpCbCr8BiPlanarVideoRange = 0x34343476,  /* '444v': NV24 */
  kCVPixelFormatType_444YpCbCr8BiPlanarFullRange = 0x34343466,   /* '444f' */
  kCVPixelFormatType_420YpCbCr10BiPlanarVideoRange = 0x78343230, /* 'x420': P010 */
  kCVPixelFormatType_420YpCbCr10BiPlanarFullRange = 0x78663230,  /* 'xf20' */
  kCVPixelFormatType_422YpCbCr10BiPlanarVideoRange = 0x78343232, /* 'x422': P210 */
  kCVPixelFormatType_422YpCbCr10BiPlanarFullRange = 0x78663232,  /* 'xf22' */
  kCVPixelFormatType_444YpCbCr10BiPlanarVideoRange = 0x78343434, /* 'x444': P410 */
  kCVPixelFormatType_444YpCbCr10BiPlanarFullRange = 0x78663434   /* 'xf44' */
};

/* Apple's formats the session does not take, for code that lists them (FFmpeg's format table):
 * CVPixelBufferCreate answers kCVReturnInvalidPixelFormat, session creation
 * kVTPixelTransferNotSupportedErr. */
enum {
  kCVPixelFormatType_4444AYpCbCr16 = 0x79343136 /* 'y416': 16-bit A Y Cb Cr */
};

typedef CVOptionFlags CVPixelBufferLockFlags;
enum { kCVPixelBufferLock_ReadOnly = 0x00000001 };

/* Pixel buffer attribute keys (pixelBufferAttributes, sourceImageBufferAttributes). The session
 * reads PixelFormatType (a CFNumber, or a CFArray of them: the first supported one is used),
 * Width, Height, BytesPerRowAlignment and ExtendedPixels*; the others are accepted and ignored
 * (there is no IOSurface, OpenGL or Metal here). */
CV_EXPORT const CFStringRef kCVPixelBufferPixelFormatTypeKey;
CV_EXPORT const CFStringRef kCVPixelBufferWidthKey;
CV_EXPORT const CFStringRef kCVPixelBufferHeightKey;
CV_EXPORT const CFStringRef kCVPixelBufferBytesPerRowAlignmentKey;
CV_EXPORT const CFStringRef kCVPixelBufferExtendedPixelsLeftKey;
CV_EXPORT const CFStringRef kCVPixelBufferExtendedPixelsTopKey;
CV_EXPORT const CFStringRef kCVPixelBufferExtendedPixelsRightKey;
CV_EXPORT const CFStringRef kCVPixelBufferExtendedPixelsBottomKey;
CV_EXPORT const CFStringRef kCVPixelBufferIOSurfacePropertiesKey;
CV_EXPORT const CFStringRef kCVPixelBufferOpenGLCompatibilityKey;
CV_EXPORT const CFStringRef kCVPixelBufferOpenGLESCompatibilityKey;
CV_EXPORT const CFStringRef kCVPixelBufferMetalCompatibilityKey;
CV_EXPORT const CFStringRef kCVPixelBufferCGImageCompatibilityKey;
CV_EXPORT const CFStringRef kCVPixelBufferCGBitmapContextCompatibilityKey;
CV_EXPORT const CFStringRef kCVPixelBufferPlaneAlignmentKey;
CV_EXPORT const CFStringRef kCVPixelBufferMemoryAllocatorKey;

typedef void (*CVPixelBufferReleaseBytesCallback)(void* releaseRefCon, const void* baseAddress);
typedef void (*CVPixelBufferReleasePlanarBytesCallback)(void* releaseRefCon, const void* dataPtr,
                                                        size_t dataSize, size_t numberOfPlanes,
                                                        const void* planeAddresses[]);

CV_EXPORT CFTypeID CVPixelBufferGetTypeID(void);
/* NULL is allowed and ignored. */
CV_EXPORT CVPixelBufferRef CVPixelBufferRetain(CVPixelBufferRef texture);
CV_EXPORT void CVPixelBufferRelease(CVPixelBufferRef texture);

/* A new buffer of the session's layout for the format (16-byte aligned rows unless
 * BytesPerRowAlignment says more; ExtendedPixels* honoured). kCVReturnInvalidArgument for a NULL
 * out, kCVReturnInvalidSize for a size outside 1..16384, kCVReturnInvalidPixelFormat for a format
 * the session does not take, kCVReturnInvalidPixelBufferAttributes for attributes of the wrong
 * types. */
CV_EXPORT CVReturn CVPixelBufferCreate(CFAllocatorRef allocator, size_t width, size_t height,
                                       OSType pixelFormatType,
                                       CFDictionaryRef pixelBufferAttributes,
                                       CVPixelBufferRef* pixelBufferOut);
/* Wraps one plane of caller memory (packed formats only: kCVReturnInvalidPixelFormat for planar
 * ones) without copying. bytesPerRow * height bytes must be readable. */
CV_EXPORT CVReturn CVPixelBufferCreateWithBytes(
    CFAllocatorRef allocator, size_t width, size_t height, OSType pixelFormatType,
    void* baseAddress, size_t bytesPerRow, CVPixelBufferReleaseBytesCallback releaseCallback,
    void* releaseRefCon, CFDictionaryRef pixelBufferAttributes, CVPixelBufferRef* pixelBufferOut);
/* Wraps the planes of a planar or bi-planar format without copying; planeBytesPerRow[i] *
 * planeHeight[i] bytes must be readable at planeBaseAddress[i]. numberOfPlanes must be the
 * format's. dataPtr and dataSize are only handed back to the callback (and by GetBaseAddress /
 * GetDataSize). */
CV_EXPORT CVReturn CVPixelBufferCreateWithPlanarBytes(
    CFAllocatorRef allocator, size_t width, size_t height, OSType pixelFormatType, void* dataPtr,
    size_t dataSize, size_t numberOfPlanes, void* planeBaseAddress[], size_t planeWidth[],
    size_t planeHeight[], size_t planeBytesPerRow[],
    CVPixelBufferReleasePlanarBytesCallback releaseCallback, void* releaseRefCon,
    CFDictionaryRef pixelBufferAttributes, CVPixelBufferRef* pixelBufferOut);

/* Counted per flags value: Unlock with flags no Lock used gives kCVReturnError. */
CV_EXPORT CVReturn CVPixelBufferLockBaseAddress(CVPixelBufferRef pixelBuffer,
                                                CVPixelBufferLockFlags lockFlags);
CV_EXPORT CVReturn CVPixelBufferUnlockBaseAddress(CVPixelBufferRef pixelBuffer,
                                                  CVPixelBufferLockFlags unlockFlags);

CV_EXPORT size_t CVPixelBufferGetWidth(CVPixelBufferRef pixelBuffer);
CV_EXPORT size_t CVPixelBufferGetHeight(CVPixelBufferRef pixelBuffer);
CV_EXPORT OSType CVPixelBufferGetPixelFormatType(CVPixelBufferRef pixelBuffer);
/* Packed formats: the pixels. Planar ones: the start of the memory holding every plane (the
 * buffer's single allocation, or CreateWithPlanarBytes' dataPtr), not Apple's planar
 * descriptor struct: use GetBaseAddressOfPlane. */
CV_EXPORT void* CVPixelBufferGetBaseAddress(CVPixelBufferRef pixelBuffer);
/* Packed: the row stride; planar: plane 0's. */
CV_EXPORT size_t CVPixelBufferGetBytesPerRow(CVPixelBufferRef pixelBuffer);
CV_EXPORT size_t CVPixelBufferGetDataSize(CVPixelBufferRef pixelBuffer);
CV_EXPORT Boolean CVPixelBufferIsPlanar(CVPixelBufferRef pixelBuffer);
/* 0 for packed formats, as Apple's; the *OfPlane functions give 0/NULL for them. */
CV_EXPORT size_t CVPixelBufferGetPlaneCount(CVPixelBufferRef pixelBuffer);
CV_EXPORT size_t CVPixelBufferGetWidthOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex);
CV_EXPORT size_t CVPixelBufferGetHeightOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex);
CV_EXPORT void* CVPixelBufferGetBaseAddressOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex);
CV_EXPORT size_t CVPixelBufferGetBytesPerRowOfPlane(CVPixelBufferRef pixelBuffer,
                                                    size_t planeIndex);
/* Any out pointer may be NULL. */
CV_EXPORT void CVPixelBufferGetExtendedPixels(CVPixelBufferRef pixelBuffer,
                                              size_t* extraColumnsOnLeft,
                                              size_t* extraColumnsOnRight, size_t* extraRowsOnTop,
                                              size_t* extraRowsOnBottom);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREVIDEO_CVPIXELBUFFER_H */
