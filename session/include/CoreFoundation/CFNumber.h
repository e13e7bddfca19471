/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CFNumber and CFBoolean, with Apple's CFNumberType values. */
#ifndef __VTC_COREFOUNDATION_CFNUMBER_H
#define __VTC_COREFOUNDATION_CFNUMBER_H

#include <CoreFoundation/CFBase.h>

__VTC_CF_EXTERN_C_BEGIN

typedef const struct __CFBoolean* CFBooleanRef;
CF_EXPORT const CFBooleanRef kCFBooleanTrue;
CF_EXPORT const CFBooleanRef kCFBooleanFalse;
CF_EXPORT CFTypeID CFBooleanGetTypeID(void);
/* false for what is not a CFBoolean. */
CF_EXPORT Boolean CFBooleanGetValue(CFBooleanRef boolean);

typedef const struct __CFNumber* CFNumberRef;
typedef CFIndex CFNumberType;
enum {
  kCFNumberSInt8Type = 1,
  kCFNumberSInt16Type = 2,
  kCFNumberSInt32Type = 3,
  kCFNumberSInt64Type = 4,
  kCFNumberFloat32Type = 5,
  kCFNumberFloat64Type = 6,
  kCFNumberCharType = 7,
  kCFNumberShortType = 8,
  kCFNumberIntType = 9,
  kCFNumberLongType = 10,
  kCFNumberLongLongType = 11,
  kCFNumberFloatType = 12,
  kCFNumberDoubleType = 13,
  kCFNumberCFIndexType = 14,
  kCFNumberNSIntegerType = 15,
  kCFNumberCGFloatType = 16,
  kCFNumberMaxType = 16
};

CF_EXPORT CFTypeID CFNumberGetTypeID(void);
/* NULL for an unknown theType or a NULL valuePtr. */
CF_EXPORT CFNumberRef CFNumberCreate(CFAllocatorRef allocator, CFNumberType theType,
                                     const void* valuePtr);
/* The canonical fixed-width type the number was stored as: SInt8/16/32/64 or Float32/64
 * (kCFNumberIntType gives kCFNumberSInt32Type, kCFNumberDoubleType kCFNumberFloat64Type, ...). */
CF_EXPORT CFNumberType CFNumberGetType(CFNumberRef number);
CF_EXPORT CFIndex CFNumberGetByteSize(CFNumberRef number);
CF_EXPORT Boolean CFNumberIsFloatType(CFNumberRef number);
/* Apple's rules: the value is converted to theType and stored even when the conversion loses
 * something; the result is true only when it was exact. Integers out of range are clamped to
 * the type's limits; floats to integers truncate toward zero (NaN gives 0). False, with nothing
 * stored, for what is not a CFNumber or an unknown theType. */
CF_EXPORT Boolean CFNumberGetValue(CFNumberRef number, CFNumberType theType, void* valuePtr);
/* Compares values exactly across integer and float kinds; NaN equals NaN and is less than any
 * other number. */
CF_EXPORT CFComparisonResult CFNumberCompare(CFNumberRef number, CFNumberRef otherNumber,
                                             void* context);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREFOUNDATION_CFNUMBER_H */
