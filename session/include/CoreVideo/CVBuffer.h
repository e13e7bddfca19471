/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CVBuffer: the reference-counted base of CVImageBuffer and CVPixelBuffer, with attachments
 * (CoreVideo/CVBuffer.h). A CVBufferRef is a CF object: CFRetain/CFRelease work on it as
 * CVBufferRetain/CVBufferRelease do. Attachments are not locked: set them before sharing the
 * buffer between threads, as on Apple's platforms. */
#ifndef __VTC_COREVIDEO_CVBUFFER_H
#define __VTC_COREVIDEO_CVBUFFER_H

#include <CoreVideo/CVBase.h>
#include <CoreVideo/CVReturn.h>

__VTC_CF_EXTERN_C_BEGIN

typedef struct __CVBuffer* CVBufferRef;

typedef uint32_t CVAttachmentMode;
enum { kCVAttachmentMode_ShouldNotPropagate = 0, kCVAttachmentMode_ShouldPropagate = 1 };

/* Keys of the attachment that names a buffer's movie time (accepted as any other). */
CV_EXPORT const CFStringRef kCVBufferPropagatedAttachmentsKey;
CV_EXPORT const CFStringRef kCVBufferNonPropagatedAttachmentsKey;

/* +1 / -1; NULL is allowed and ignored, as Apple's (CFRetain/CFRelease(NULL) are not). */
CV_EXPORT CVBufferRef CVBufferRetain(CVBufferRef buffer);
CV_EXPORT void CVBufferRelease(CVBufferRef buffer);

/* value is retained; NULL buffer, key or value does nothing. */
CV_EXPORT void CVBufferSetAttachment(CVBufferRef buffer, CFStringRef key, CFTypeRef value,
                                     CVAttachmentMode attachmentMode);
/* Not retained (Get rule); NULL when absent. attachmentMode may be NULL. */
CV_EXPORT CFTypeRef CVBufferGetAttachment(CVBufferRef buffer, CFStringRef key,
                                          CVAttachmentMode* attachmentMode);
/* The same, +1. */
CV_EXPORT CFTypeRef CVBufferCopyAttachment(CVBufferRef buffer, CFStringRef key,
                                           CVAttachmentMode* attachmentMode);
CV_EXPORT void CVBufferRemoveAttachment(CVBufferRef buffer, CFStringRef key);
CV_EXPORT void CVBufferRemoveAllAttachments(CVBufferRef buffer);
/* The attachments of that mode as a new dictionary (+1), NULL when there are none. */
CV_EXPORT CFDictionaryRef CVBufferCopyAttachments(CVBufferRef buffer,
                                                  CVAttachmentMode attachmentMode);
/* Sets each of the dictionary's entries (CFString keys). */
CV_EXPORT void CVBufferSetAttachments(CVBufferRef buffer, CFDictionaryRef theAttachments,
                                      CVAttachmentMode attachmentMode);
/* Copies the propagating attachments of source onto destination. */
CV_EXPORT void CVBufferPropagateAttachments(CVBufferRef sourceBuffer,
                                            CVBufferRef destinationBuffer);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREVIDEO_CVBUFFER_H */
