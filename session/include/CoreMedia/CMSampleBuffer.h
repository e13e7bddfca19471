/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CMSampleBuffer: one compressed frame out of a compression session, over the session's
 * vtc::SampleBuffer (CoreMedia/CMSampleBuffer.h, the part VideoToolbox code reads).
 *
 * A sample holds one access unit: NAL units each preceded by a 4-byte big-endian length (AVCC /
 * HVCC framing), parameter sets only in the format description.
 * Ownership: the output callback's sample is not the callback's (CFRetain it to keep it; it may
 * be kept as long as wanted, from any thread). Get functions return objects owned by the sample
 * (the data buffer, the format description, the attachments array), valid while it lives.
 * Threading: every function may be called from any thread; the attachment dictionaries are
 * mutable and need the caller's locking if several threads change them. */
#ifndef __VTC_COREMEDIA_CMSAMPLEBUFFER_H
#define __VTC_COREMEDIA_CMSAMPLEBUFFER_H

#include <CoreMedia/CMBase.h>
#include <CoreMedia/CMBlockBuffer.h>
#include <CoreMedia/CMFormatDescription.h>
#include <CoreMedia/CMTime.h>

__VTC_CF_EXTERN_C_BEGIN

/* Apple's values. */
enum {
  kCMSampleBufferError_AllocationFailed = -12730,
  kCMSampleBufferError_RequiredParameterMissing = -12731,
  kCMSampleBufferError_AlreadyHasDataBuffer = -12732,
  kCMSampleBufferError_BufferNotReady = -12733,
  kCMSampleBufferError_SampleIndexOutOfRange = -12734,
  kCMSampleBufferError_BufferHasNoSampleSizes = -12735,
  kCMSampleBufferError_BufferHasNoSampleTimingInfo = -12736,
  kCMSampleBufferError_ArrayTooSmall = -12737,
  kCMSampleBufferError_InvalidEntryCount = -12738,
  kCMSampleBufferError_CannotSubdivide = -12739,
  kCMSampleBufferError_SampleTimingInfoInvalid = -12740,
  kCMSampleBufferError_InvalidMediaTypeForOperation = -12741,
  kCMSampleBufferError_InvalidSampleData = -12742,
  kCMSampleBufferError_InvalidMediaFormat = -12743,
  kCMSampleBufferError_Invalidated = -12744,
  kCMSampleBufferError_DataFailed = -16750,
  kCMSampleBufferError_DataCanceled = -16751
};

typedef struct opaqueCMSampleBuffer* CMSampleBufferRef;

/* Sample attachment keys (the dictionaries of CMSampleBufferGetSampleAttachmentsArray). The
 * session sets NotSync (true on frames that are not sync samples; absent on key frames),
 * DependsOnOthers and IsDependedOnByOthers; the others are Apple's, for code that sets or tests
 * them. */
CM_EXPORT const CFStringRef kCMSampleAttachmentKey_NotSync;
CM_EXPORT const CFStringRef kCMSampleAttachmentKey_PartialSync;
CM_EXPORT const CFStringRef kCMSampleAttachmentKey_HasRedundantCoding;
CM_EXPORT const CFStringRef kCMSampleAttachmentKey_IsDependedOnByOthers;
CM_EXPORT const CFStringRef kCMSampleAttachmentKey_DependsOnOthers;
CM_EXPORT const CFStringRef kCMSampleAttachmentKey_EarlierDisplayTimesAllowed;
CM_EXPORT const CFStringRef kCMSampleAttachmentKey_DisplayImmediately;
CM_EXPORT const CFStringRef kCMSampleAttachmentKey_DoNotDisplay;

CM_EXPORT CFTypeID CMSampleBufferGetTypeID(void);

/* The sample's data (Get rule). NULL for NULL or what is not a sample. */
CM_EXPORT CMBlockBufferRef CMSampleBufferGetDataBuffer(CMSampleBufferRef sbuf);
/* The sample's format description (Get rule). Consecutive samples of a session with the same
 * description return the same object. */
CM_EXPORT CMFormatDescriptionRef CMSampleBufferGetFormatDescription(CMSampleBufferRef sbuf);
/* Times as the session gives them (the PTS and duration as encoded; the DTS always valid).
 * kCMTimeInvalid for what is not a sample. The Output* forms are the same here (no edits). */
CM_EXPORT CMTime CMSampleBufferGetPresentationTimeStamp(CMSampleBufferRef sbuf);
CM_EXPORT CMTime CMSampleBufferGetDecodeTimeStamp(CMSampleBufferRef sbuf);
CM_EXPORT CMTime CMSampleBufferGetDuration(CMSampleBufferRef sbuf);
CM_EXPORT CMTime CMSampleBufferGetOutputPresentationTimeStamp(CMSampleBufferRef sbuf);
CM_EXPORT CMTime CMSampleBufferGetOutputDecodeTimeStamp(CMSampleBufferRef sbuf);
CM_EXPORT CMTime CMSampleBufferGetOutputDuration(CMSampleBufferRef sbuf);
/* A CFArray with one CFMutableDictionary (the sample's attachments), owned by the sample (Get
 * rule); the same array on every call. Without attachments and with createIfNecessary false:
 * NULL; with it true, an array holding one empty dictionary is made. */
CM_EXPORT CFArrayRef CMSampleBufferGetSampleAttachmentsArray(CMSampleBufferRef sbuf,
                                                             Boolean createIfNecessary);
/* Always true for a sample (the data is there when the callback gets it); false otherwise. */
CM_EXPORT Boolean CMSampleBufferDataIsReady(CMSampleBufferRef sbuf);
CM_EXPORT Boolean CMSampleBufferIsValid(CMSampleBufferRef sbuf);
/* 1 (one frame a sample); 0 for what is not a sample. */
CM_EXPORT CMItemCount CMSampleBufferGetNumSamples(CMSampleBufferRef sbuf);
/* Bytes of the data buffer. */
CM_EXPORT size_t CMSampleBufferGetTotalSampleSize(CMSampleBufferRef sbuf);
/* Index 0: the total size; 0 for another index. */
CM_EXPORT size_t CMSampleBufferGetSampleSize(CMSampleBufferRef sbuf, CMItemIndex sampleIndex);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREMEDIA_CMSAMPLEBUFFER_H */
