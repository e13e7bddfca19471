// SPDX-License-Identifier: GPL-2.0-or-later
// CoreFoundation base, CFString, CFNumber, CFBoolean, CFNull, CFData: Apple's semantics, the
// reference counts, and bad input (a warning and NULL/false/0, never a crash).
#include <CoreFoundation/CoreFoundation.h>

#include <unistd.h>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>

#include "cf_test_util.h"

namespace {

// CFSTR at namespace scope in C++ (the C program checks file scope in C).
const CFStringRef kNamespaceKey = CFSTR("AverageBitRate");
const CFStringRef kKeys[] = {CFSTR("a"), CFSTR("b")};

using Base = CfTest;
using Strings = CfTest;
using Numbers = CfTest;
using Data = CfTest;
using Urls = CfTest;

TEST_F(Base, TypeIdsAreDistinctAndNamed) {
  const CFTypeID ids[] = {CFStringGetTypeID(), CFNumberGetTypeID(),   CFBooleanGetTypeID(),
                          CFDataGetTypeID(),   CFArrayGetTypeID(),    CFDictionaryGetTypeID(),
                          CFNullGetTypeID(),   CFAllocatorGetTypeID()};
  for (std::size_t i = 0; i < std::size(ids); ++i)
    for (std::size_t j = i + 1; j < std::size(ids); ++j) EXPECT_NE(ids[i], ids[j]);
  vtc::cf::Owned<CFStringRef> name(CFCopyTypeIDDescription(CFNumberGetTypeID()));
  EXPECT_EQ(Text(name.get()), "CFNumber");
  EXPECT_EQ(CFCopyTypeIDDescription(12345), nullptr);
  EXPECT_EQ(CFGetTypeID(kCFNull), CFNullGetTypeID());
  EXPECT_EQ(CFGetTypeID(kCFBooleanFalse), CFBooleanGetTypeID());
  EXPECT_EQ(CFGetTypeID(kCFAllocatorSystemDefault), CFAllocatorGetTypeID());
  EXPECT_EQ(kCFAllocatorDefault, nullptr);
}

TEST_F(Base, CreateIsPlusOneRetainAndReleaseCount) {
  CFNumberRef n = MakeInt(1);
  EXPECT_EQ(CFGetRetainCount(n), 1);
  EXPECT_EQ(CFRetain(n), n);
  EXPECT_EQ(CFGetRetainCount(n), 2);
  CFRelease(n);
  EXPECT_EQ(CFGetRetainCount(n), 1);
  long live = vtc::cf::LiveObjectCount();
  CFRelease(n);  // the last reference: freed
  EXPECT_EQ(vtc::cf::LiveObjectCount(), live - 1);
}

TEST_F(Base, ConstantsAreImmortal) {
  for (CFTypeRef c : {(CFTypeRef)kCFBooleanTrue, (CFTypeRef)kCFBooleanFalse, (CFTypeRef)kCFNull,
                      (CFTypeRef)kCFAllocatorNull, (CFTypeRef)CFSTR("literal")}) {
    for (int i = 0; i < 3; ++i) CFRelease(c);
    EXPECT_EQ(CFGetRetainCount(c), LONG_MAX);
    EXPECT_EQ(CFRetain(c), c);
  }
  EXPECT_TRUE(TakeWarnings().empty());
}

TEST_F(Base, NullArgumentsWarnInsteadOfCrashing) {
  CFRelease(nullptr);
  EXPECT_TRUE(WarnedOnce("CFRelease"));
  EXPECT_EQ(CFRetain(nullptr), nullptr);
  EXPECT_TRUE(WarnedOnce("CFRetain"));
  EXPECT_FALSE(CFEqual(nullptr, nullptr));
  EXPECT_TRUE(WarnedOnce("CFEqual"));
  EXPECT_EQ(CFHash(nullptr), 0u);
  EXPECT_TRUE(WarnedOnce("CFHash"));
  EXPECT_EQ(CFGetTypeID(nullptr), 0u);
  EXPECT_TRUE(WarnedOnce("CFGetTypeID"));
  EXPECT_EQ(CFCopyDescription(nullptr), nullptr);
  EXPECT_TRUE(WarnedOnce("CFCopyDescription"));
  EXPECT_EQ(CFGetRetainCount(nullptr), 0);
  EXPECT_TRUE(WarnedOnce("CFGetRetainCount"));
}

TEST_F(Base, PointersThatAreNotCFObjectsAreRefused) {
  long long not_cf[4] = {0, 0, 0, 0};
  EXPECT_EQ(CFGetTypeID(not_cf), 0u);
  EXPECT_TRUE(WarnedOnce("not a CF object"));
  CFRelease(not_cf);
  EXPECT_TRUE(WarnedOnce("not a CF object"));
  EXPECT_EQ(CFStringGetLength(reinterpret_cast<CFStringRef>(not_cf)), 0);
  EXPECT_TRUE(WarnedOnce("not a CFString"));
}

TEST_F(Base, EqualAndHashAcrossTypes) {
  OwnedRef one(MakeInt(1)), one_f(MakeDouble(1.0)), s1(MakeString("1"));
  EXPECT_TRUE(CFEqual(one.get(), one_f.get()));  // CFNumber compares values, as Apple's
  EXPECT_EQ(CFHash(one.get()), CFHash(one_f.get()));
  EXPECT_FALSE(CFEqual(one.get(), s1.get()));
  EXPECT_FALSE(CFEqual(one.get(), kCFBooleanTrue));  // CFBoolean is not a CFNumber
  EXPECT_FALSE(CFEqual(kCFBooleanTrue, kCFBooleanFalse));
  EXPECT_TRUE(CFEqual(kCFNull, kCFNull));
  EXPECT_FALSE(CFEqual(kCFNull, kCFBooleanFalse));
  EXPECT_TRUE(TakeWarnings().empty());
}

TEST_F(Base, RetainReleaseHammerFromManyThreads) {
  // Retains and releases from 8 threads at once: the count stays exact and the object is freed
  // once, by the last release (the sanitizer and valgrind runs see a race or a double free).
  CFNumberRef n = MakeInt(7);
  constexpr int kThreads = 8, kRounds = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([n] {
      for (int i = 0; i < kRounds; ++i) {
        CFRetain(n);
        CFRetain(n);
        CFRelease(n);
        if (i % 2) CFRelease(n);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(CFGetRetainCount(n), 1 + kThreads * kRounds / 2);
  // Now every thread drops its remaining references, the main thread its own last.
  threads.clear();
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([n] {
      for (int i = 0; i < kRounds / 2; ++i) CFRelease(n);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(CFGetRetainCount(n), 1);
  CFRelease(n);
}

TEST_F(Base, DescriptionsAreReadable) {
  OwnedRef n(MakeInt(-3)), d(MakeDouble(0.1)), s(MakeString("a\"b"));
  EXPECT_EQ(Description(n.get()), "-3");
  EXPECT_EQ(Description(d.get()), "0.1");
  EXPECT_EQ(Description(s.get()), "\"a\\\"b\"");
  EXPECT_EQ(Description(kCFBooleanTrue), "true");
  EXPECT_EQ(Description(kCFNull), "null");
  EXPECT_EQ(Description(CFSTR("k")), "\"k\"");
}

// --- CFString ---------------------------------------------------------------------------------

TEST_F(Strings, ConstantStringsWorkEverywhere) {
  EXPECT_EQ(CFGetTypeID(kNamespaceKey), CFStringGetTypeID());
  EXPECT_EQ(Text(kNamespaceKey), "AverageBitRate");
  EXPECT_EQ(Text(kKeys[1]), "b");
  EXPECT_STREQ(CFStringGetCStringPtr(CFSTR("inside"), kCFStringEncodingUTF8), "inside");
  // Same text, whether or not the same pointer: equal, same hash, usable as the same key.
  OwnedRef heap(MakeString("AverageBitRate"));
  EXPECT_TRUE(CFEqual(kNamespaceKey, CFSTR("AverageBitRate")));
  EXPECT_TRUE(CFEqual(heap.get(), kNamespaceKey));
  EXPECT_EQ(CFHash(heap.get()), CFHash(kNamespaceKey));
  EXPECT_EQ(CFStringGetLength(CFSTR("")), 0);
}

TEST_F(Strings, CreateAndReadBack) {
  vtc::cf::Owned<CFStringRef> s(
      CFStringCreateWithCString(nullptr, "caf\xc3\xa9 \xf0\x9f\x8e\xa5", kCFStringEncodingUTF8));
  ASSERT_TRUE(s);
  // UTF-16 units: "café " is 5, the emoji outside the BMP is a surrogate pair.
  EXPECT_EQ(CFStringGetLength(s.get()), 7);
  EXPECT_EQ(Text(s.get()), "caf\xc3\xa9 \xf0\x9f\x8e\xa5");
  EXPECT_EQ(CFStringGetCStringPtr(s.get(), kCFStringEncodingASCII), nullptr);
  EXPECT_STREQ(CFStringGetCStringPtr(s.get(), kCFStringEncodingUTF8),
               "caf\xc3\xa9 \xf0\x9f\x8e\xa5");
  char buf[16];
  EXPECT_FALSE(CFStringGetCString(s.get(), buf, sizeof buf, kCFStringEncodingASCII));
  EXPECT_FALSE(CFStringGetCString(s.get(), buf, sizeof buf, kCFStringEncodingISOLatin1));
  // Too small a buffer: false, and the buffer holds an empty string.
  char small[4] = "zzz";
  EXPECT_FALSE(CFStringGetCString(s.get(), small, sizeof small, kCFStringEncodingUTF8));
  EXPECT_STREQ(small, "");
  EXPECT_EQ(CFStringGetMaximumSizeForEncoding(7, kCFStringEncodingUTF8), 21);
  EXPECT_EQ(CFStringGetMaximumSizeForEncoding(-1, kCFStringEncodingUTF8), kCFNotFound);
}

TEST_F(Strings, Encodings) {
  vtc::cf::Owned<CFStringRef> latin(
      CFStringCreateWithCString(nullptr, "na\xefve", kCFStringEncodingISOLatin1));
  EXPECT_EQ(Text(latin.get()), "na\xc3\xafve");
  char buf[16];
  ASSERT_TRUE(CFStringGetCString(latin.get(), buf, sizeof buf, kCFStringEncodingISOLatin1));
  EXPECT_STREQ(buf, "na\xefve");
  vtc::cf::Owned<CFStringRef> ascii(
      CFStringCreateWithCString(nullptr, "plain", kCFStringEncodingASCII));
  EXPECT_STREQ(CFStringGetCStringPtr(ascii.get(), kCFStringEncodingASCII), "plain");
  EXPECT_EQ(CFStringCreateWithCString(nullptr, "\xc3\xa9", kCFStringEncodingASCII), nullptr);
  EXPECT_TRUE(WarnedOnce("CFStringCreateWithCString"));
  // Invalid UTF-8: a lone continuation byte, an overlong form, a surrogate, a truncated sequence.
  for (const char* bad : {"\x80", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"}) {
    EXPECT_EQ(CFStringCreateWithCString(nullptr, bad, kCFStringEncodingUTF8), nullptr) << bad;
    TakeWarnings();
  }
  // MacRoman: its ASCII half.
  EXPECT_STREQ(CFStringGetCStringPtr(ascii.get(), kCFStringEncodingMacRoman), "plain");
  vtc::cf::Owned<CFStringRef> roman(
      CFStringCreateWithCString(nullptr, "RealTime", kCFStringEncodingMacRoman));
  EXPECT_TRUE(CFEqual(roman.get(), CFSTR("RealTime")));
  EXPECT_EQ(CFStringGetCStringPtr(latin.get(), kCFStringEncodingMacRoman), nullptr);
  EXPECT_FALSE(CFStringGetCString(latin.get(), buf, sizeof buf, kCFStringEncodingMacRoman));
  EXPECT_EQ(CFStringCreateWithCString(nullptr, "\xa5", kCFStringEncodingMacRoman), nullptr);
  EXPECT_TRUE(WarnedOnce("not supported"));
  EXPECT_EQ(CFStringCreateWithCString(nullptr, "x", kCFStringEncodingUTF16), nullptr);
  EXPECT_TRUE(WarnedOnce("not supported"));
}

TEST_F(Strings, Compare) {
  EXPECT_EQ(CFStringCompare(CFSTR("abc"), CFSTR("abd"), 0), kCFCompareLessThan);
  EXPECT_EQ(CFStringCompare(CFSTR("abc"), CFSTR("ab"), 0), kCFCompareGreaterThan);
  EXPECT_EQ(CFStringCompare(CFSTR("ABC"), CFSTR("abc"), 0), kCFCompareLessThan);
  EXPECT_EQ(CFStringCompare(CFSTR("ABC"), CFSTR("abc"), kCFCompareCaseInsensitive),
            kCFCompareEqualTo);
  EXPECT_EQ(CFStringCompare(CFSTR("frame10"), CFSTR("frame9"), 0), kCFCompareLessThan);
  EXPECT_EQ(CFStringCompare(CFSTR("frame10"), CFSTR("frame9"), kCFCompareNumerically),
            kCFCompareGreaterThan);
  EXPECT_EQ(CFStringCompare(CFSTR("f007"), CFSTR("f7"), kCFCompareNumerically), kCFCompareEqualTo);
  OwnedRef n(MakeInt(1));
  EXPECT_EQ(CFStringCompare((CFStringRef)n.get(), CFSTR("a"), 0), kCFCompareLessThan);
  EXPECT_TRUE(WarnedOnce("not a CFString"));
}

TEST_F(Strings, CopyOfImmutableIsTheSameObjectRetained) {
  vtc::cf::Owned<CFStringRef> s(MakeString("x"));
  vtc::cf::Owned<CFStringRef> copy(CFStringCreateCopy(nullptr, s.get()));
  EXPECT_EQ(copy.get(), s.get());
  EXPECT_EQ(CFGetRetainCount(s.get()), 2);
  CFStringRef lit = CFSTR("lit");
  EXPECT_EQ(CFStringCreateCopy(nullptr, lit), lit);  // a constant: itself, nothing to release
  EXPECT_EQ(CFStringCreateCopy(nullptr, (CFStringRef)kCFNull), nullptr);
  EXPECT_TRUE(WarnedOnce("not a CFString"));
}

TEST_F(Strings, Mutable) {
  vtc::cf::Owned<CFMutableStringRef> m(CFStringCreateMutable(nullptr, 0));
  EXPECT_EQ(CFGetTypeID(m.get()), CFStringGetTypeID());
  CFStringAppendCString(m.get(), "Average", kCFStringEncodingUTF8);
  CFStringAppend(m.get(), CFSTR("BitRate"));
  EXPECT_EQ(Text(m.get()), "AverageBitRate");
  EXPECT_TRUE(CFEqual(m.get(), CFSTR("AverageBitRate")));
  CFStringAppend(m.get(), m.get());  // itself
  EXPECT_EQ(Text(m.get()), "AverageBitRateAverageBitRate");
  // A copy of a mutable string is a new immutable one that does not follow the original.
  vtc::cf::Owned<CFStringRef> snapshot(CFStringCreateCopy(nullptr, m.get()));
  EXPECT_NE(snapshot.get(), m.get());
  CFStringAppendCString(m.get(), "!", kCFStringEncodingASCII);
  EXPECT_EQ(Text(snapshot.get()), "AverageBitRateAverageBitRate");
  CFStringAppend((CFMutableStringRef)snapshot.get(), CFSTR("x"));
  EXPECT_TRUE(WarnedOnce("not mutable"));
  CFStringAppend((CFMutableStringRef)CFSTR("lit"), CFSTR("x"));
  EXPECT_TRUE(WarnedOnce("not a mutable CFString"));
  // maxLength bounds the UTF-16 length.
  vtc::cf::Owned<CFMutableStringRef> bounded(CFStringCreateMutableCopy(nullptr, 4, CFSTR("abc")));
  CFStringAppendCString(bounded.get(), "de", kCFStringEncodingUTF8);
  EXPECT_TRUE(WarnedOnce("maximum length"));
  CFStringAppendCString(bounded.get(), "d", kCFStringEncodingUTF8);
  EXPECT_EQ(Text(bounded.get()), "abcd");
}

// --- CFNumber ---------------------------------------------------------------------------------

TEST_F(Numbers, TypesAreCanonical) {
  struct {
    CFNumberType in, canonical;
    CFIndex size;
    bool is_float;
  } rows[] = {
      {kCFNumberSInt8Type, kCFNumberSInt8Type, 1, false},
      {kCFNumberCharType, kCFNumberSInt8Type, 1, false},
      {kCFNumberSInt16Type, kCFNumberSInt16Type, 2, false},
      {kCFNumberShortType, kCFNumberSInt16Type, 2, false},
      {kCFNumberSInt32Type, kCFNumberSInt32Type, 4, false},
      {kCFNumberIntType, kCFNumberSInt32Type, 4, false},
      {kCFNumberSInt64Type, kCFNumberSInt64Type, 8, false},
      {kCFNumberLongType, kCFNumberSInt64Type, 8, false},
      {kCFNumberLongLongType, kCFNumberSInt64Type, 8, false},
      {kCFNumberCFIndexType, kCFNumberSInt64Type, 8, false},
      {kCFNumberNSIntegerType, kCFNumberSInt64Type, 8, false},
      {kCFNumberFloat32Type, kCFNumberFloat32Type, 4, true},
      {kCFNumberFloatType, kCFNumberFloat32Type, 4, true},
      {kCFNumberFloat64Type, kCFNumberFloat64Type, 8, true},
      {kCFNumberDoubleType, kCFNumberFloat64Type, 8, true},
      {kCFNumberCGFloatType, kCFNumberFloat64Type, 8, true},
  };
  for (const auto& r : rows) {
    // A buffer big enough for any type, holding 3 in the type's representation.
    alignas(8) unsigned char value[8] = {};
    if (r.is_float && r.size == 4) {
      float f = 3;
      std::memcpy(value, &f, 4);
    } else if (r.is_float) {
      double d = 3;
      std::memcpy(value, &d, 8);
    } else {
      value[0] = 3;  // little-endian
    }
    OwnedRef n(CFNumberCreate(nullptr, r.in, value));
    ASSERT_TRUE(n) << r.in;
    EXPECT_EQ(CFNumberGetType((CFNumberRef)n.get()), r.canonical) << r.in;
    EXPECT_EQ(CFNumberGetByteSize((CFNumberRef)n.get()), r.size) << r.in;
    EXPECT_EQ(CFNumberIsFloatType((CFNumberRef)n.get()), r.is_float) << r.in;
    SInt32 back = 0;
    EXPECT_TRUE(CFNumberGetValue((CFNumberRef)n.get(), kCFNumberSInt32Type, &back));
    EXPECT_EQ(back, 3);
  }
  int x = 1;
  EXPECT_EQ(CFNumberCreate(nullptr, 0, &x), nullptr);
  EXPECT_EQ(CFNumberCreate(nullptr, 17, &x), nullptr);
  EXPECT_EQ(CFNumberCreate(nullptr, kCFNumberIntType, nullptr), nullptr);
  EXPECT_EQ(TakeWarnings().size(), 3u);
}

TEST_F(Numbers, LossyConversionsStoreAndReturnFalse) {
  vtc::cf::Owned<CFNumberRef> f(MakeDouble(29.97));
  SInt32 i32 = 0;
  EXPECT_FALSE(CFNumberGetValue(f.get(), kCFNumberSInt32Type, &i32));  // truncates, reports
  EXPECT_EQ(i32, 29);
  vtc::cf::Owned<CFNumberRef> neg(MakeDouble(-2.5));
  EXPECT_FALSE(CFNumberGetValue(neg.get(), kCFNumberIntType, &i32));
  EXPECT_EQ(i32, -2);  // toward zero
  vtc::cf::Owned<CFNumberRef> whole(MakeDouble(30.0));
  EXPECT_TRUE(CFNumberGetValue(whole.get(), kCFNumberSInt32Type, &i32));
  EXPECT_EQ(i32, 30);

  // Out of range integers clamp to the type's limits.
  vtc::cf::Owned<CFNumberRef> big(MakeInt(300));
  SInt8 i8 = 0;
  EXPECT_FALSE(CFNumberGetValue(big.get(), kCFNumberSInt8Type, &i8));
  EXPECT_EQ(i8, 127);
  vtc::cf::Owned<CFNumberRef> low(MakeInt(-40000));
  SInt16 i16 = 0;
  EXPECT_FALSE(CFNumberGetValue(low.get(), kCFNumberShortType, &i16));
  EXPECT_EQ(i16, -32768);
  vtc::cf::Owned<CFNumberRef> huge(MakeDouble(1e20));
  SInt64 i64 = 0;
  EXPECT_FALSE(CFNumberGetValue(huge.get(), kCFNumberSInt64Type, &i64));
  EXPECT_EQ(i64, INT64_MAX);
  vtc::cf::Owned<CFNumberRef> nan(MakeDouble(std::nan("")));
  i32 = 5;
  EXPECT_FALSE(CFNumberGetValue(nan.get(), kCFNumberSInt32Type, &i32));
  EXPECT_EQ(i32, 0);

  // Integers to floats: exact when the float holds the value.
  vtc::cf::Owned<CFNumberRef> exact(MakeInt(1 << 24));
  float f32 = 0;
  EXPECT_TRUE(CFNumberGetValue(exact.get(), kCFNumberFloat32Type, &f32));
  EXPECT_EQ(f32, 16777216.0f);
  vtc::cf::Owned<CFNumberRef> inexact(MakeInt((1 << 24) + 1));
  EXPECT_FALSE(CFNumberGetValue(inexact.get(), kCFNumberFloat32Type, &f32));
  EXPECT_EQ(f32, 16777216.0f);
  vtc::cf::Owned<CFNumberRef> max64(MakeInt(INT64_MAX));
  double d = 0;
  EXPECT_FALSE(CFNumberGetValue(max64.get(), kCFNumberFloat64Type, &d));
  EXPECT_EQ(d, 9223372036854775808.0);
  // Doubles to Float32: rounding is a loss, overflow clamps.
  EXPECT_FALSE(CFNumberGetValue(f.get(), kCFNumberFloatType, &f32));
  EXPECT_EQ(f32, 29.97f);
  vtc::cf::Owned<CFNumberRef> quarter(MakeDouble(0.25));
  EXPECT_TRUE(CFNumberGetValue(quarter.get(), kCFNumberFloat32Type, &f32));
  vtc::cf::Owned<CFNumberRef> too_big(MakeDouble(1e300));
  EXPECT_FALSE(CFNumberGetValue(too_big.get(), kCFNumberFloat32Type, &f32));
  EXPECT_EQ(f32, FLT_MAX);
  // Float32 storage keeps the float's value exactly.
  float third = 1.0f / 3;
  vtc::cf::Owned<CFNumberRef> f3(CFNumberCreate(nullptr, kCFNumberFloat32Type, &third));
  EXPECT_TRUE(CFNumberGetValue(f3.get(), kCFNumberFloat64Type, &d));
  EXPECT_EQ(d, static_cast<double>(third));

  // Bad input: not a number, an unknown type; nothing stored.
  i32 = 9;
  EXPECT_FALSE(CFNumberGetValue((CFNumberRef)CFSTR("1"), kCFNumberSInt32Type, &i32));
  EXPECT_TRUE(WarnedOnce("not a CFNumber"));
  EXPECT_FALSE(CFNumberGetValue(f.get(), 42, &i32));
  EXPECT_TRUE(WarnedOnce("unknown number type"));
  EXPECT_EQ(i32, 9);
  EXPECT_EQ(CFNumberGetType((CFNumberRef)kCFBooleanTrue), 0);
  EXPECT_TRUE(WarnedOnce("not a CFNumber"));
}

TEST_F(Numbers, CompareExactlyAcrossKinds) {
  vtc::cf::Owned<CFNumberRef> one(MakeInt(1)), one_f(MakeDouble(1.0)), half(MakeDouble(1.5)),
      big(MakeInt(INT64_MAX)), big_f(MakeDouble(9223372036854775808.0)), nan(MakeDouble(NAN)),
      neg(MakeDouble(-1e300));
  EXPECT_EQ(CFNumberCompare(one.get(), one_f.get(), nullptr), kCFCompareEqualTo);
  EXPECT_EQ(CFNumberCompare(one.get(), half.get(), nullptr), kCFCompareLessThan);
  EXPECT_EQ(CFNumberCompare(half.get(), one.get(), nullptr), kCFCompareGreaterThan);
  // INT64_MAX is below 2^63 though (double)INT64_MAX == 2^63.
  EXPECT_EQ(CFNumberCompare(big.get(), big_f.get(), nullptr), kCFCompareLessThan);
  EXPECT_FALSE(CFEqual(big.get(), big_f.get()));
  EXPECT_EQ(CFNumberCompare(nan.get(), neg.get(), nullptr), kCFCompareLessThan);
  EXPECT_EQ(CFNumberCompare(one.get(), nan.get(), nullptr), kCFCompareGreaterThan);
  vtc::cf::Owned<CFNumberRef> nan2(MakeDouble(NAN));
  EXPECT_TRUE(CFEqual(nan.get(), nan2.get()));
  EXPECT_EQ(CFHash(nan.get()), CFHash(nan2.get()));
  vtc::cf::Owned<CFNumberRef> zero(MakeInt(0)), negzero(MakeDouble(-0.0));
  EXPECT_TRUE(CFEqual(zero.get(), negzero.get()));
  EXPECT_EQ(CFHash(zero.get()), CFHash(negzero.get()));
}

TEST_F(Base, Booleans) {
  EXPECT_TRUE(CFBooleanGetValue(kCFBooleanTrue));
  EXPECT_FALSE(CFBooleanGetValue(kCFBooleanFalse));
  EXPECT_NE(CFHash(kCFBooleanTrue), CFHash(kCFBooleanFalse));
  EXPECT_FALSE(CFBooleanGetValue((CFBooleanRef)kCFNull));
  EXPECT_TRUE(WarnedOnce("not a CFBoolean"));
}

// --- CFData -----------------------------------------------------------------------------------

TEST_F(Data, ImmutableAndMutable) {
  const UInt8 bytes[] = {1, 2, 3, 4, 5};
  vtc::cf::Owned<CFDataRef> d(CFDataCreate(nullptr, bytes, 5));
  EXPECT_EQ(CFDataGetLength(d.get()), 5);
  EXPECT_EQ(std::memcmp(CFDataGetBytePtr(d.get()), bytes, 5), 0);
  EXPECT_NE(CFDataGetBytePtr(d.get()), bytes);  // copied
  UInt8 part[2] = {};
  CFDataGetBytes(d.get(), CFRangeMake(3, 2), part);
  EXPECT_EQ(part[0], 4);
  EXPECT_EQ(part[1], 5);
  CFDataGetBytes(d.get(), CFRangeMake(4, 2), part);
  EXPECT_TRUE(WarnedOnce("outside"));
  EXPECT_EQ(CFDataGetMutableBytePtr((CFMutableDataRef)d.get()), nullptr);
  EXPECT_TRUE(WarnedOnce("not mutable"));

  vtc::cf::Owned<CFMutableDataRef> m(CFDataCreateMutable(nullptr, 0));
  EXPECT_EQ(CFDataGetLength(m.get()), 0);
  EXPECT_EQ(CFDataGetBytePtr(m.get()), nullptr);
  CFDataAppendBytes(m.get(), bytes, 5);
  EXPECT_TRUE(CFEqual(m.get(), d.get()));
  EXPECT_EQ(CFHash(m.get()), CFHash(d.get()));
  CFDataGetMutableBytePtr(m.get())[0] = 9;
  EXPECT_FALSE(CFEqual(m.get(), d.get()));
  CFDataSetLength(m.get(), 7);
  EXPECT_EQ(CFDataGetLength(m.get()), 7);
  EXPECT_EQ(CFDataGetBytePtr(m.get())[6], 0);
  EXPECT_EQ(Description(m.get()), "<09020304050000>");

  // Copies: of immutable data the same object, of mutable data a snapshot.
  vtc::cf::Owned<CFDataRef> c1(CFDataCreateCopy(nullptr, d.get()));
  EXPECT_EQ(c1.get(), d.get());
  vtc::cf::Owned<CFDataRef> c2(CFDataCreateCopy(nullptr, m.get()));
  EXPECT_NE(c2.get(), (CFDataRef)m.get());
  CFDataAppendBytes(m.get(), bytes, 1);
  EXPECT_EQ(CFDataGetLength(c2.get()), 7);
  vtc::cf::Owned<CFMutableDataRef> mc(CFDataCreateMutableCopy(nullptr, 0, d.get()));
  CFDataAppendBytes(mc.get(), bytes, 1);
  EXPECT_EQ(CFDataGetLength(mc.get()), 6);
  EXPECT_EQ(CFDataGetLength(d.get()), 5);
}

TEST_F(Data, BadInput) {
  EXPECT_EQ(CFDataCreate(nullptr, nullptr, 3), nullptr);
  EXPECT_EQ(CFDataCreate(nullptr, nullptr, -1), nullptr);
  EXPECT_EQ(TakeWarnings().size(), 2u);
  vtc::cf::Owned<CFDataRef> empty(CFDataCreate(nullptr, nullptr, 0));
  EXPECT_EQ(CFDataGetLength(empty.get()), 0);
  vtc::cf::Owned<CFMutableDataRef> capped(CFDataCreateMutable(nullptr, 4));
  const UInt8 bytes[5] = {};
  CFDataAppendBytes(capped.get(), bytes, 5);
  EXPECT_TRUE(WarnedOnce("capacity"));
  EXPECT_EQ(CFDataGetLength(capped.get()), 0);
  CFDataAppendBytes(capped.get(), bytes, 4);
  EXPECT_EQ(CFDataGetLength(capped.get()), 4);
  EXPECT_EQ(CFDataGetLength((CFDataRef)kCFNull), 0);
  EXPECT_TRUE(WarnedOnce("not a CFData"));
  CFDataAppendBytes((CFMutableDataRef)CFSTR("x"), bytes, 1);
  EXPECT_TRUE(WarnedOnce("not a CFMutableData"));
}

TEST(ByteOrder, Swaps) {
  EXPECT_EQ(CFSwapInt16(0xABCD), 0xCDAB);
  EXPECT_EQ(CFSwapInt32(0x11223344u), 0x44332211u);
  EXPECT_EQ(CFSwapInt64(0x1122334455667788ull), 0x8877665544332211ull);
  const unsigned char be[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  uint16_t v16;
  uint32_t v32;
  uint64_t v64;
  std::memcpy(&v16, be, 2);
  std::memcpy(&v32, be, 4);
  std::memcpy(&v64, be, 8);
  EXPECT_EQ(CFSwapInt16BigToHost(v16), 0x1122);
  EXPECT_EQ(CFSwapInt32BigToHost(v32), 0x11223344u);
  EXPECT_EQ(CFSwapInt64BigToHost(v64), 0x1122334455667788ull);
  EXPECT_EQ(CFSwapInt16LittleToHost(v16), 0x2211);
  EXPECT_EQ(CFSwapInt32LittleToHost(v32), 0x44332211u);
  EXPECT_EQ(CFSwapInt64LittleToHost(v64), 0x8877665544332211ull);
  EXPECT_EQ(CFSwapInt32HostToBig(0x11223344u), v32);
  EXPECT_EQ(CFSwapInt16HostToBig(0x1122), v16);
  EXPECT_EQ(CFSwapInt64HostToBig(0x1122334455667788ull), v64);
  EXPECT_EQ(CFByteOrderGetCurrent(), CFByteOrderLittleEndian);  // the x86-64 and arm64 hosts
}

// File URLs, for VTMultiPassStorageCreate: absolute paths, Apple's string form, bad input.
TEST_F(Urls, FileUrlsFromPathsAndBack) {
  CFURLRef url =
      CFURLCreateWithFileSystemPath(nullptr, CFSTR("/tmp/a b/stats"), kCFURLPOSIXPathStyle, false);
  ASSERT_NE(url, nullptr);
  EXPECT_EQ(CFGetTypeID(url), CFURLGetTypeID());
  EXPECT_EQ(Text(CFURLGetString(url)), "file:///tmp/a%20b/stats");
  EXPECT_EQ(CFURLGetString(url), CFURLGetString(url));  // Get rule: the URL's own string
  EXPECT_FALSE(CFURLHasDirectoryPath(url));
  UInt8 buffer[64];
  ASSERT_TRUE(CFURLGetFileSystemRepresentation(url, true, buffer, sizeof buffer));
  EXPECT_STREQ(reinterpret_cast<const char*>(buffer), "/tmp/a b/stats");
  EXPECT_FALSE(CFURLGetFileSystemRepresentation(url, true, buffer, 5));  // too small
  CFStringRef path = CFURLCopyFileSystemPath(url, kCFURLPOSIXPathStyle);
  EXPECT_EQ(Text(path), "/tmp/a b/stats");
  CFRelease(path);
  // The same path from bytes is CFEqual, with the same hash.
  const char bytes[] = "/tmp/a b/stats";
  CFURLRef same = CFURLCreateFromFileSystemRepresentation(
      nullptr, reinterpret_cast<const UInt8*>(bytes), sizeof bytes - 1, false);
  EXPECT_TRUE(CFEqual(url, same));
  EXPECT_EQ(CFHash(url), CFHash(same));
  CFRelease(same);
  CFRelease(url);

  // A directory: a trailing slash in the string, not in the path.
  CFURLRef dir = CFURLCreateWithFileSystemPath(nullptr, CFSTR("/tmp/"), kCFURLPOSIXPathStyle, true);
  EXPECT_EQ(Text(CFURLGetString(dir)), "file:///tmp/");
  EXPECT_TRUE(CFURLHasDirectoryPath(dir));
  path = CFURLCopyFileSystemPath(dir, kCFURLPOSIXPathStyle);
  EXPECT_EQ(Text(path), "/tmp");
  CFRelease(path);
  CFRelease(dir);

  // A relative path is made absolute against the current directory.
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  CFURLRef rel =
      CFURLCreateWithFileSystemPath(nullptr, CFSTR("stats"), kCFURLPOSIXPathStyle, false);
  path = CFURLCopyFileSystemPath(rel, kCFURLPOSIXPathStyle);
  EXPECT_EQ(Text(path), std::string(cwd) + "/stats");
  CFRelease(path);
  CFRelease(rel);
  EXPECT_TRUE(TakeWarnings().empty());

  // Bad input: NULL and a warning.
  EXPECT_EQ(CFURLCreateWithFileSystemPath(nullptr, CFSTR("C:\\x"), kCFURLWindowsPathStyle, false),
            nullptr);
  EXPECT_EQ(CFURLCreateWithFileSystemPath(nullptr, (CFStringRef)kCFBooleanTrue,
                                          kCFURLPOSIXPathStyle, false),
            nullptr);
  EXPECT_EQ(CFURLCreateWithFileSystemPath(nullptr, CFSTR(""), kCFURLPOSIXPathStyle, false),
            nullptr);
  EXPECT_EQ(CFURLCreateFromFileSystemRepresentation(nullptr, nullptr, 4, false), nullptr);
  EXPECT_EQ(CFURLGetString((CFURLRef)kCFBooleanTrue), nullptr);
  EXPECT_FALSE(CFURLGetFileSystemRepresentation(nullptr, true, buffer, sizeof buffer));
  EXPECT_EQ(TakeWarnings().size(), 6u);
}

}  // namespace
