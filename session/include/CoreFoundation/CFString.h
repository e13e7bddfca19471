/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CFString: immutable and mutable Unicode strings (held as UTF-8), and CFSTR.
 *
 * CFSTR("text") is a constant expression in C and in C++, usable in file-scope initializers
 * (static const CFStringRef k = CFSTR("x");) and inside functions, and never freed, as Apple's.
 * It is the address of a string literal that begins with an 8-byte marker the runtime recognizes
 * (the literal, not a compound literal, so that it has static storage at block scope too, in
 * C11). Two CFSTR of the same text are CFEqual and hash alike; they may or may not be the same
 * pointer. The text runs to its first NUL and must be UTF-8 (Apple's takes ASCII or UTF-8). */
#ifndef __VTC_COREFOUNDATION_CFSTRING_H
#define __VTC_COREFOUNDATION_CFSTRING_H

#include <CoreFoundation/CFBase.h>

__VTC_CF_EXTERN_C_BEGIN

#define __VTC_CFSTR_MARKER \
  "\x7f"                   \
  "VTCFSTR" /* 8 bytes, never the start of a heap object */
#define CFSTR(cStr) ((CFStringRef)(const void*)(__VTC_CFSTR_MARKER cStr))

typedef UInt32 CFStringEncoding;
/* Apple's values. Supported by the functions here: UTF8, ASCII, ISOLatin1, and MacRoman for ASCII
 * text only (the common CFStringGetCStringPtr(s, kCFStringEncodingMacRoman) idiom); others and
 * MacRoman's upper half give NULL/false. */
enum {
  kCFStringEncodingMacRoman = 0,
  kCFStringEncodingWindowsLatin1 = 0x0500,
  kCFStringEncodingISOLatin1 = 0x0201,
  kCFStringEncodingNextStepLatin = 0x0B01,
  kCFStringEncodingASCII = 0x0600,
  kCFStringEncodingUnicode = 0x0100,
  kCFStringEncodingUTF8 = 0x08000100,
  kCFStringEncodingNonLossyASCII = 0x0BFF,
  kCFStringEncodingUTF16 = 0x0100,
  kCFStringEncodingUTF16BE = 0x10000100,
  kCFStringEncodingUTF16LE = 0x14000100,
  kCFStringEncodingUTF32 = 0x0c000100,
  kCFStringEncodingUTF32BE = 0x18000100,
  kCFStringEncodingUTF32LE = 0x1c000100
};
#define kCFStringEncodingInvalidId (0xffffffffU)

typedef CFOptionFlags CFStringCompareFlags;
enum {
  kCFCompareCaseInsensitive = 1,
  kCFCompareBackwards = 4,
  kCFCompareAnchored = 8,
  kCFCompareNonliteral = 16,
  kCFCompareLocalized = 32,
  kCFCompareNumerically = 64,
  kCFCompareDiacriticInsensitive = 128,
  kCFCompareWidthInsensitive = 256,
  kCFCompareForcedOrdering = 512
};

CF_EXPORT CFTypeID CFStringGetTypeID(void);

/* NULL when cStr is NULL, the encoding is not supported, or the bytes are not valid in it. */
CF_EXPORT CFStringRef CFStringCreateWithCString(CFAllocatorRef alloc, const char* cStr,
                                                CFStringEncoding encoding);
/* Returns the string itself, retained, when it is immutable (as Apple's may). */
CF_EXPORT CFStringRef CFStringCreateCopy(CFAllocatorRef alloc, CFStringRef theString);
/* Length in UTF-16 code units, as Apple's. 0 for what is not a CFString. */
CF_EXPORT CFIndex CFStringGetLength(CFStringRef theString);
/* The bytes needed for `length` UTF-16 units in an encoding, without the NUL. */
CF_EXPORT CFIndex CFStringGetMaximumSizeForEncoding(CFIndex length, CFStringEncoding encoding);
/* Copies the text and a NUL into buffer. False (buffer holding "" when it has room) when the
 * buffer is too small, the encoding cannot represent the text, or theString is not a CFString. */
CF_EXPORT Boolean CFStringGetCString(CFStringRef theString, char* buffer, CFIndex bufferSize,
                                     CFStringEncoding encoding);
/* The string's own NUL-terminated bytes when they are in that encoding (UTF-8 always; ASCII,
 * MacRoman and ISOLatin1 when the text is ASCII), else NULL, as Apple's may. Valid while the string
 * lives and is not mutated.
 */
CF_EXPORT const char* CFStringGetCStringPtr(CFStringRef theString, CFStringEncoding encoding);
/* Unicode code point order; kCFCompareCaseInsensitive folds ASCII letters, kCFCompareNumerically
 * compares runs of decimal digits by value. The other flags are accepted and ignored. */
CF_EXPORT CFComparisonResult CFStringCompare(CFStringRef theString1, CFStringRef theString2,
                                             CFStringCompareFlags compareOptions);

/* Mutable strings (CFGetTypeID is CFStringGetTypeID()). maxLength 0 is unlimited; otherwise an
 * append past maxLength UTF-16 units is refused with a warning. */
CF_EXPORT CFMutableStringRef CFStringCreateMutable(CFAllocatorRef alloc, CFIndex maxLength);
CF_EXPORT CFMutableStringRef CFStringCreateMutableCopy(CFAllocatorRef alloc, CFIndex maxLength,
                                                       CFStringRef theString);
CF_EXPORT void CFStringAppend(CFMutableStringRef theString, CFStringRef appendedString);
CF_EXPORT void CFStringAppendCString(CFMutableStringRef theString, const char* cStr,
                                     CFStringEncoding encoding);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREFOUNDATION_CFSTRING_H */
