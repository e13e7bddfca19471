/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VTCompressionSession: frames in, compressed samples out, with Apple's signatures
 * (VideoToolbox/VTCompressionSession.h), over the session library's vtc::CompressionSession.
 * The contracts are the session's (vtcompress/compression_session.h), in short:
 *
 * - Every frame EncodeFrame accepts (noErr) is answered exactly once through the output
 *   callback: with a sample, with kVTEncodeInfo_FrameDropped and no sample, or with an error
 *   status and no sample.
 * - Threads: callbacks run on the session's own thread, in decode order, one at a time, never
 *   after Invalidate returns. A callback may set and copy properties of its session; EncodeFrame
 *   and CompleteFrames from inside a callback return kVTParameterErr. Every function may be
 *   called from any thread.
 * - Ownership: Create returns +1 (CFRelease; releasing the last reference invalidates the
 *   session, which waits for a callback in progress: do not release the last reference from
 *   inside the session's own callback). The callback's CMSampleBufferRef is not the callback's:
 *   CFRetain it to keep it. GetPixelBufferPool follows the Get rule. Pixel buffers passed to
 *   EncodeFrame are retained until their frame is answered.
 *
 * Not here: VTCompressionSessionEncodeFrameWithOutputHandler (the block form: the library is
 * built without blocks; use the callback form) and the multi-image (MV-HEVC) functions. */
#ifndef __VTC_VIDEOTOOLBOX_VTCOMPRESSIONSESSION_H
#define __VTC_VIDEOTOOLBOX_VTCOMPRESSIONSESSION_H

#include <VideoToolbox/VTBase.h>
#include <VideoToolbox/VTCompressionProperties.h>
#include <VideoToolbox/VTErrors.h>
#include <VideoToolbox/VTSession.h>

__VTC_CF_EXTERN_C_BEGIN

typedef struct OpaqueVTCompressionSession* VTCompressionSessionRef;

/* sampleBuffer is NULL unless the frame was encoded (not dropped, no error). */
typedef void (*VTCompressionOutputCallback)(void* outputCallbackRefCon, void* sourceFrameRefCon,
                                            OSStatus status, VTEncodeInfoFlags infoFlags,
                                            CMSampleBufferRef sampleBuffer);

VT_EXPORT CFTypeID VTCompressionSessionGetTypeID(void);

/* A new session (+1 in *compressionSessionOut). codecType: kCMVideoCodecType_H264 (x264) or
 * kCMVideoCodecType_HEVC (x265), else kVTCouldNotFindVideoEncoderErr. width and height
 * 1..16384. encoderSpecification (may be NULL): the kVTVideoEncoderSpecification_ keys
 * (RequireHardwareAcceleratedVideoEncoder true gives kVTCouldNotFindVideoEncoderErr: there is no
 * hardware encoder). sourceImageBufferAttributes (may be NULL) describes the pool of
 * GetPixelBufferPool (kCVPixelBuffer*Key). outputCallback must not be NULL here (the handler
 * form is absent). The allocators are ignored. kVTParameterErr for a dictionary argument that is
 * not a CFDictionary or holds values that are not CF property values, and for a NULL out. */
VT_EXPORT OSStatus VTCompressionSessionCreate(
    CFAllocatorRef allocator, int32_t width, int32_t height, CMVideoCodecType codecType,
    CFDictionaryRef encoderSpecification, CFDictionaryRef sourceImageBufferAttributes,
    CFAllocatorRef compressedDataAllocator, VTCompressionOutputCallback outputCallback,
    void* outputCallbackRefCon, VTCompressionSessionRef* compressionSessionOut);

/* Answers every frame not yet answered as dropped, waits for a callback in progress and releases
 * the encoder. Idempotent; later calls give kVTInvalidSessionErr, GetPixelBufferPool NULL. */
VT_EXPORT void VTCompressionSessionInvalidate(VTCompressionSessionRef session);

/* The pool for source frames (Get rule: owned by the session; NULL once invalidated). The same
 * object while the session's pool stays the same. */
VT_EXPORT CVPixelBufferPoolRef
VTCompressionSessionGetPixelBufferPool(VTCompressionSessionRef session);

/* Opens the encoder now, checking the configuration (optional). */
VT_EXPORT OSStatus VTCompressionSessionPrepareToEncodeFrames(VTCompressionSessionRef session);

/* Queues a frame. imageBuffer: a CVPixelBuffer (kVTParameterErr for another CF type).
 * presentationTimeStamp numeric and increasing; duration may be kCMTimeInvalid; frameProperties
 * may be NULL or hold kVTEncodeFrameOptionKey_ForceKeyFrame. infoFlagsOut may be NULL. */
VT_EXPORT OSStatus VTCompressionSessionEncodeFrame(VTCompressionSessionRef session,
                                                   CVImageBufferRef imageBuffer,
                                                   CMTime presentationTimeStamp, CMTime duration,
                                                   CFDictionaryRef frameProperties,
                                                   void* sourceFrameRefcon,
                                                   VTEncodeInfoFlags* infoFlagsOut);

/* Returns once every frame with a PTS <= completeUntilPresentationTimeStamp (every frame, when
 * it is not numeric, e.g. kCMTimeInvalid) has been answered. */
VT_EXPORT OSStatus VTCompressionSessionCompleteFrames(VTCompressionSessionRef session,
                                                      CMTime completeUntilPresentationTimeStamp);

typedef uint32_t VTCompressionSessionOptionFlags;
enum { kVTCompressionSessionBeginFinalPass = 1 << 0 };

/* Multi-pass (vtcompress/compression_session.h), with a VTMultiPassStorage set as the
 * session's kVTCompressionPropertyKey_MultiPassStorage (VideoToolbox/VTMultiPassStorage.h);
 * without one they return kVTMultiPassStorageInvalidErr. `reserved` must be NULL. The range
 * array of GetTimeRangesForNextPass is the session's, valid until the next EndPass, Invalidate or
 * GetTimeRangesForNextPass. */
VT_EXPORT OSStatus VTCompressionSessionBeginPass(VTCompressionSessionRef session,
                                                 VTCompressionSessionOptionFlags beginPassFlags,
                                                 uint32_t* reserved);
VT_EXPORT OSStatus VTCompressionSessionEndPass(VTCompressionSessionRef session,
                                               Boolean* furtherPassesRequestedOut,
                                               uint32_t* reserved);
VT_EXPORT OSStatus VTCompressionSessionGetTimeRangesForNextPass(
    VTCompressionSessionRef session, CMItemCount* timeRangeCountOut,
    const CMTimeRange** timeRangeArrayOut);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_VIDEOTOOLBOX_VTCOMPRESSIONSESSION_H */
