/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CMFormatDescription / CMVideoFormatDescription: what a compressed stream is (codec, size,
 * parameter sets, extensions), over the session's vtc::FormatDescription
 * (CoreMedia/CMFormatDescription.h, the part VideoToolbox code reads).
 *
 * Ownership: CMSampleBufferGetFormatDescription returns the sample's (Get rule); Get functions
 * here return objects and pointers owned by the description, valid while it lives.
 * Threading: immutable, any thread. */
#ifndef __VTC_COREMEDIA_CMFORMATDESCRIPTION_H
#define __VTC_COREMEDIA_CMFORMATDESCRIPTION_H

#include <CoreMedia/CMBase.h>

__VTC_CF_EXTERN_C_BEGIN

/* Apple's values. */
enum {
  kCMFormatDescriptionError_InvalidParameter = -12710,
  kCMFormatDescriptionError_AllocationFailed = -12711,
  kCMFormatDescriptionError_ValueNotAvailable = -12718
};

typedef FourCharCode CMMediaType;
enum { kCMMediaType_Video = 0x76696465 /* 'vide' */ };

typedef FourCharCode CMVideoCodecType;
enum {
  kCMVideoCodecType_H264 = 0x61766331, /* 'avc1' */
  kCMVideoCodecType_HEVC = 0x68766331  /* 'hvc1' */
};

typedef struct {
  int32_t width;
  int32_t height;
} CMVideoDimensions;

typedef const struct opaqueCMFormatDescription* CMFormatDescriptionRef;
typedef CMFormatDescriptionRef CMVideoFormatDescriptionRef;

/* Extension keys on the descriptions the session makes. Texts are the session's key strings
 * (compare with CFEqual or use these constants, as Apple's documentation asks). */
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_SampleDescriptionExtensionAtoms;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_FullRangeVideo;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_CleanAperture;
CM_EXPORT const CFStringRef kCMFormatDescriptionKey_CleanApertureWidth;
CM_EXPORT const CFStringRef kCMFormatDescriptionKey_CleanApertureHeight;
CM_EXPORT const CFStringRef kCMFormatDescriptionKey_CleanApertureHorizontalOffset;
CM_EXPORT const CFStringRef kCMFormatDescriptionKey_CleanApertureVerticalOffset;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_PixelAspectRatio;
CM_EXPORT const CFStringRef kCMFormatDescriptionKey_PixelAspectRatioHorizontalSpacing;
CM_EXPORT const CFStringRef kCMFormatDescriptionKey_PixelAspectRatioVerticalSpacing;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_ColorPrimaries;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_TransferFunction;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_YCbCrMatrix;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_FieldCount;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_FieldDetail;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_MasteringDisplayColorVolume;
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_ContentLightLevelInfo;
/* Apple's, never on the session's descriptions (it holds a QuickTime sample description, which
 * Apple's encoders give for ProRes): CMFormatDescriptionGetExtension answers NULL. */
CM_EXPORT const CFStringRef kCMFormatDescriptionExtension_VerbatimSampleDescription;

CM_EXPORT CFTypeID CMFormatDescriptionGetTypeID(void);
/* Same codec, sizes, parameter sets and extensions. False when either is NULL. */
CM_EXPORT Boolean CMFormatDescriptionEqual(CMFormatDescriptionRef formatDescription,
                                           CMFormatDescriptionRef otherFormatDescription);
/* kCMMediaType_Video (0 for what is not a description). */
CM_EXPORT CMMediaType CMFormatDescriptionGetMediaType(CMFormatDescriptionRef desc);
/* The codec type, 'avc1' or 'hvc1' (0 for what is not a description). */
CM_EXPORT FourCharCode CMFormatDescriptionGetMediaSubType(CMFormatDescriptionRef desc);
#define CMVideoFormatDescriptionGetCodecType(desc) CMFormatDescriptionGetMediaSubType(desc)
/* The extensions (Get rule; NULL for what is not a description). */
CM_EXPORT CFDictionaryRef CMFormatDescriptionGetExtensions(CMFormatDescriptionRef desc);
/* One extension (Get rule), NULL when absent. SampleDescriptionExtensionAtoms is a dictionary
 * holding "avcC" (H.264) or "hvcC" (HEVC), a CFData with the decoder configuration record. */
CM_EXPORT CFPropertyListRef CMFormatDescriptionGetExtension(CMFormatDescriptionRef desc,
                                                            CFStringRef extensionKey);

/* The coded size ({0, 0} for what is not a description). */
CM_EXPORT CMVideoDimensions
CMVideoFormatDescriptionGetDimensions(CMVideoFormatDescriptionRef videoDesc);

/* Parameter set parameterSetIndex (H.264: 0 the SPS, 1 the PPS; HEVC: the hvcC's order, every
 * VPS, SPS, PPS, then SEI), without start code or length. Every out pointer may be NULL; the
 * pointer stays valid while the description lives. An index out of range still sets the count
 * and the NAL unit header length (the size of the samples' NAL length fields, 4) and returns
 * kCMFormatDescriptionError_InvalidParameter, so `GetH264ParameterSetAtIndex(d, 0, NULL, NULL,
 * &count, &len)` works as on Apple's platforms. A description of the other codec or NULL:
 * kCMFormatDescriptionError_InvalidParameter and nothing set. */
CM_EXPORT OSStatus CMVideoFormatDescriptionGetH264ParameterSetAtIndex(
    CMFormatDescriptionRef videoDesc, size_t parameterSetIndex,
    const uint8_t** parameterSetPointerOut, size_t* parameterSetSizeOut,
    size_t* parameterSetCountOut, int* NALUnitHeaderLengthOut);
CM_EXPORT OSStatus CMVideoFormatDescriptionGetHEVCParameterSetAtIndex(
    CMFormatDescriptionRef videoDesc, size_t parameterSetIndex,
    const uint8_t** parameterSetPointerOut, size_t* parameterSetSizeOut,
    size_t* parameterSetCountOut, int* NALUnitHeaderLengthOut);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREMEDIA_CMFORMATDESCRIPTION_H */
