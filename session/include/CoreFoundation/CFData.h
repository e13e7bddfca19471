/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CFData and CFMutableData: byte buffers. */
#ifndef __VTC_COREFOUNDATION_CFDATA_H
#define __VTC_COREFOUNDATION_CFDATA_H

#include <CoreFoundation/CFBase.h>

__VTC_CF_EXTERN_C_BEGIN

typedef const struct __CFData* CFDataRef;
typedef struct __CFData* CFMutableDataRef;

CF_EXPORT CFTypeID CFDataGetTypeID(void);
/* Copies the bytes. NULL when length < 0, or bytes is NULL with length > 0. */
CF_EXPORT CFDataRef CFDataCreate(CFAllocatorRef allocator, const UInt8* bytes, CFIndex length);
CF_EXPORT CFDataRef CFDataCreateCopy(CFAllocatorRef allocator, CFDataRef theData);
/* capacity 0 is unlimited; otherwise growing past it is refused with a warning. */
CF_EXPORT CFMutableDataRef CFDataCreateMutable(CFAllocatorRef allocator, CFIndex capacity);
CF_EXPORT CFMutableDataRef CFDataCreateMutableCopy(CFAllocatorRef allocator, CFIndex capacity,
                                                   CFDataRef theData);
CF_EXPORT CFIndex CFDataGetLength(CFDataRef theData);
/* NULL for empty data. The pointer of mutable data moves when it grows. */
CF_EXPORT const UInt8* CFDataGetBytePtr(CFDataRef theData);
/* NULL for data that is not mutable. */
CF_EXPORT UInt8* CFDataGetMutableBytePtr(CFMutableDataRef theData);
/* Copies range's bytes; a range outside the data copies nothing, with a warning. */
CF_EXPORT void CFDataGetBytes(CFDataRef theData, CFRange range, UInt8* buffer);
CF_EXPORT void CFDataAppendBytes(CFMutableDataRef theData, const UInt8* bytes, CFIndex length);
/* New bytes are zero. */
CF_EXPORT void CFDataSetLength(CFMutableDataRef theData, CFIndex length);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREFOUNDATION_CFDATA_H */
