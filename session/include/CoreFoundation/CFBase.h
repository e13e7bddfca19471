/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CoreFoundation's base types, as Apple's CFBase.h and MacTypes.h declare them (LP64 values), for
 * VideoToolbox code built on Linux against libvtcompress. Only the subset VideoToolbox code uses.
 *
 * Ownership follows Apple's rule: a function with Create or Copy in its name returns a reference
 * the caller owns (+1) and must CFRelease; a Get function returns one it does not own. CFRetain
 * and CFRelease are thread-safe (atomic counts); immutable objects may be shared between threads,
 * mutable ones need the caller's own locking, as on Apple's platforms. */
#ifndef __VTC_COREFOUNDATION_CFBASE_H
#define __VTC_COREFOUNDATION_CFBASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The C API's export macro: what libvtcompress.so exports beside the C++ API (the library is
 * built with hidden visibility). */
#if defined(__GNUC__)
#define VTC_CAPI_EXPORT __attribute__((visibility("default")))
#else
#define VTC_CAPI_EXPORT
#endif

#ifdef __cplusplus
#define __VTC_CF_EXTERN_C_BEGIN extern "C" {
#define __VTC_CF_EXTERN_C_END }
#else
#define __VTC_CF_EXTERN_C_BEGIN
#define __VTC_CF_EXTERN_C_END
#endif

/* Apple's own spellings, which code ported from Apple's platforms sometimes uses. */
#ifndef CF_EXPORT
#define CF_EXPORT extern VTC_CAPI_EXPORT
#endif
#ifndef CF_INLINE
#define CF_INLINE static __inline__
#endif
#ifndef CF_EXTERN_C_BEGIN
#define CF_EXTERN_C_BEGIN __VTC_CF_EXTERN_C_BEGIN
#define CF_EXTERN_C_END __VTC_CF_EXTERN_C_END
#endif
#ifndef CF_RETURNS_RETAINED
#define CF_RETURNS_RETAINED
#endif
#ifndef CF_RETURNS_NOT_RETAINED
#define CF_RETURNS_NOT_RETAINED
#endif

__VTC_CF_EXTERN_C_BEGIN

/* MacTypes.h */
typedef unsigned char UInt8;
typedef signed char SInt8;
typedef unsigned short UInt16;
typedef signed short SInt16;
typedef unsigned int UInt32;
typedef signed int SInt32;
typedef unsigned long long UInt64;
typedef signed long long SInt64;
typedef float Float32;
typedef double Float64;
typedef unsigned char Boolean;
typedef SInt32 OSStatus;
typedef UInt32 FourCharCode;
typedef FourCharCode OSType;
typedef UInt16 UniChar;
enum { noErr = 0 };

/* CFBase.h */
typedef unsigned long CFTypeID;
typedef unsigned long CFOptionFlags;
typedef unsigned long CFHashCode;
typedef signed long CFIndex;

typedef const void* CFTypeRef;
/* The struct tags are Apple's, so that code forward-declaring these types still compiles. */
typedef const struct __CFString* CFStringRef;
typedef struct __CFString* CFMutableStringRef;
typedef const struct __CFAllocator* CFAllocatorRef;
typedef const struct __CFNull* CFNullRef;

typedef CFIndex CFComparisonResult;
enum { kCFCompareLessThan = -1L, kCFCompareEqualTo = 0, kCFCompareGreaterThan = 1 };
typedef CFComparisonResult (*CFComparatorFunction)(const void* val1, const void* val2,
                                                   void* context);

static const CFIndex kCFNotFound = -1;

typedef struct {
  CFIndex location;
  CFIndex length;
} CFRange;

CF_INLINE CFRange CFRangeMake(CFIndex loc, CFIndex len) {
  CFRange range;
  range.location = loc;
  range.length = len;
  return range;
}

/* Allocators. Every allocator argument is accepted and the system allocator used.
 * kCFAllocatorDefault is NULL, as Apple's. */
CF_EXPORT const CFAllocatorRef kCFAllocatorDefault;
CF_EXPORT const CFAllocatorRef kCFAllocatorSystemDefault;
CF_EXPORT const CFAllocatorRef kCFAllocatorMalloc;
CF_EXPORT const CFAllocatorRef kCFAllocatorNull;
CF_EXPORT CFTypeID CFAllocatorGetTypeID(void);

/* kCFNull: the singleton null object (for collections, which cannot hold NULL with the kCFType
 * callbacks). */
CF_EXPORT const CFNullRef kCFNull;

/* Version numbers, for code that picks API by CoreFoundation's version (FFmpeg maps NV12 only
 * "#ifdef kCFCoreFoundationVersionNumber10_7"). The run-time number is that of macOS 10.11's
 * CoreFoundation: what this subset offers is what VideoToolbox code of that age and later uses. */
#define kCFCoreFoundationVersionNumber10_5 476.00
#define kCFCoreFoundationVersionNumber10_6 550.00
#define kCFCoreFoundationVersionNumber10_7 635.00
#define kCFCoreFoundationVersionNumber10_8 744.00
#define kCFCoreFoundationVersionNumber10_9 855.11
#define kCFCoreFoundationVersionNumber10_10 1151.16
#define kCFCoreFoundationVersionNumber10_11 1253
CF_EXPORT double kCFCoreFoundationVersionNumber; /* not const, as Apple declares it */
CF_EXPORT CFTypeID CFNullGetTypeID(void);

/* Polymorphic functions. Differences from Apple's CoreFoundation: CFRetain and CFRelease of NULL
 * crash on Apple's platforms; here they log a warning and return (CFRetain returns NULL).
 * CFEqual and CFHash of NULL return false and 0 with a warning. Constant objects (CFSTR strings,
 * kCFBooleanTrue/False, kCFNull, the allocators) are never freed and CFGetRetainCount reports
 * LONG_MAX for them. */
CF_EXPORT CFTypeRef CFRetain(CFTypeRef cf);
CF_EXPORT void CFRelease(CFTypeRef cf);
CF_EXPORT CFIndex CFGetRetainCount(CFTypeRef cf);
CF_EXPORT Boolean CFEqual(CFTypeRef cf1, CFTypeRef cf2);
CF_EXPORT CFHashCode CFHash(CFTypeRef cf);
CF_EXPORT CFTypeID CFGetTypeID(CFTypeRef cf);
/* A human-readable description (+1). Not Apple's exact text: strings print quoted, numbers and
 * booleans as values, data in hex, arrays as ( ... ), dictionaries as { key = value; ... }. */
CF_EXPORT CFStringRef CFCopyDescription(CFTypeRef cf);
/* The type's name ("CFString", ...), +1. */
CF_EXPORT CFStringRef CFCopyTypeIDDescription(CFTypeID type_id);
/* Writes CFCopyDescription's text and a newline to stderr. */
CF_EXPORT void CFShow(CFTypeRef obj);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREFOUNDATION_CFBASE_H */
