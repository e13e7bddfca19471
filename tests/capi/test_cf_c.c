/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CoreFoundation subset from plain C11, the way VideoToolbox code uses it: CFSTR keys at file
 * scope, encoder-specification and property dictionaries of CFNumber and CFBoolean, arrays,
 * data, byte swaps, reference counts, and bad input that must not crash. Exit status 0 when
 * every check passes; each failure prints its line. Run under ASan/LSan and valgrind, it also
 * proves that everything created here and released leaves nothing behind. */
#include <CoreFoundation/CoreFoundation.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

static int failures;
static int checks;

#define EXPECT(cond)                                                       \
  do {                                                                     \
    ++checks;                                                              \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: expected: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                          \
    }                                                                      \
  } while (0)

/* Apple-style file-scope keys: CFSTR must be a constant expression in C. */
static const CFStringRef kKeyAverageBitRate = CFSTR("AverageBitRate");
static const CFStringRef kKeyRealTime = CFSTR("RealTime");
static const CFStringRef kKeyTable[] = {CFSTR("ProfileLevel"), CFSTR("H264_Main_AutoLevel")};
static const struct {
  CFStringRef key;
  int value;
} kRows[] = {{CFSTR("MaxKeyFrameInterval"), 60}, {CFSTR("ExpectedFrameRate"), 30}};

/* A CFSTR made inside a function outlives the call (static storage, as Apple's). */
static CFStringRef KeyFromFunction(void) {
  return CFSTR("FromAFunction");
}

static void TestBaseTypes(void) {
  EXPECT(sizeof(CFIndex) == sizeof(long) && (CFIndex)-1 < 0);
  EXPECT(sizeof(Boolean) == 1);
  EXPECT(sizeof(OSStatus) == 4 && (OSStatus)-1 < 0);
  EXPECT(sizeof(UInt8) == 1 && sizeof(SInt16) == 2 && sizeof(UInt32) == 4 && sizeof(SInt64) == 8);
  EXPECT(noErr == 0);
  EXPECT(kCFNotFound == -1);
  EXPECT(kCFCompareLessThan == -1 && kCFCompareEqualTo == 0 && kCFCompareGreaterThan == 1);
  EXPECT(kCFAllocatorDefault == NULL);
  CFRange r = CFRangeMake(3, 4);
  EXPECT(r.location == 3 && r.length == 4);
  EXPECT(kCFStringEncodingUTF8 == 0x08000100 && kCFStringEncodingASCII == 0x0600);
  EXPECT(kCFNumberSInt32Type == 3 && kCFNumberFloat64Type == 6 && kCFNumberIntType == 9 &&
         kCFNumberDoubleType == 13 && kCFNumberCGFloatType == 16 && kCFNumberMaxType == 16);
}

static void TestFileScopeStrings(void) {
  char buf[64];
  EXPECT(CFGetTypeID(kKeyAverageBitRate) == CFStringGetTypeID());
  EXPECT(CFStringGetCString(kKeyAverageBitRate, buf, sizeof buf, kCFStringEncodingUTF8));
  EXPECT(strcmp(buf, "AverageBitRate") == 0);
  EXPECT(strcmp(CFStringGetCStringPtr(kKeyTable[1], kCFStringEncodingUTF8),
                "H264_Main_AutoLevel") == 0);
  EXPECT(CFStringGetLength(kRows[0].key) == 19 && kRows[0].value == 60);
  EXPECT(CFEqual(kKeyRealTime, CFSTR("RealTime")));
  EXPECT(CFHash(kKeyRealTime) == CFHash(CFSTR("RealTime")));
  EXPECT(!CFEqual(kKeyRealTime, kKeyAverageBitRate));
  /* Constants are immortal: retain and release change nothing. */
  CFRetain(kKeyRealTime);
  CFRelease(kKeyRealTime);
  CFRelease(kKeyRealTime);
  EXPECT(CFGetRetainCount(kKeyRealTime) == LONG_MAX);
  EXPECT(CFStringCompare(KeyFromFunction(), CFSTR("FromAFunction"), 0) == kCFCompareEqualTo);

  CFStringRef heap =
      CFStringCreateWithCString(kCFAllocatorDefault, "RealTime", kCFStringEncodingUTF8);
  EXPECT(heap != NULL && CFEqual(heap, kKeyRealTime) && CFEqual(kKeyRealTime, heap));
  EXPECT(CFHash(heap) == CFHash(kKeyRealTime));
  EXPECT(CFGetRetainCount(heap) == 1);
  CFRelease(heap);
}

static void TestEncoderSpecification(void) {
  /* As a VideoToolbox encoder sets up its session. */
  SInt32 bitrate = 2000000;
  double fps = 29.97;
  CFNumberRef n_bitrate = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt32Type, &bitrate);
  CFNumberRef n_fps = CFNumberCreate(NULL, kCFNumberDoubleType, &fps);
  const void* keys[] = {kKeyAverageBitRate, kKeyRealTime, CFSTR("ExpectedFrameRate")};
  const void* values[] = {n_bitrate, kCFBooleanTrue, n_fps};
  CFDictionaryRef props = CFDictionaryCreate(NULL, keys, values, 3, &kCFTypeDictionaryKeyCallBacks,
                                             &kCFTypeDictionaryValueCallBacks);
  EXPECT(props != NULL && CFDictionaryGetCount(props) == 3);
  /* The dictionary retained its values: our references can go. */
  EXPECT(CFGetRetainCount(n_bitrate) == 2);
  CFRelease(n_bitrate);
  CFRelease(n_fps);

  /* Look-ups by an equal key made another way. */
  CFStringRef key = CFStringCreateWithCString(NULL, "AverageBitRate", kCFStringEncodingUTF8);
  CFNumberRef got = (CFNumberRef)CFDictionaryGetValue(props, key);
  SInt64 v64 = 0;
  EXPECT(got != NULL && CFGetTypeID(got) == CFNumberGetTypeID());
  EXPECT(CFNumberGetValue(got, kCFNumberSInt64Type, &v64) && v64 == 2000000);
  CFRelease(key);
  EXPECT(CFBooleanGetValue((CFBooleanRef)CFDictionaryGetValue(props, kKeyRealTime)));
  const void* fps_value = NULL;
  EXPECT(CFDictionaryGetValueIfPresent(props, CFSTR("ExpectedFrameRate"), &fps_value));
  SInt32 fps_int = 0;
  /* A float read as an integer truncates and reports the loss. */
  EXPECT(!CFNumberGetValue((CFNumberRef)fps_value, kCFNumberSInt32Type, &fps_int));
  EXPECT(fps_int == 29);
  EXPECT(!CFDictionaryContainsKey(props, CFSTR("Quality")));
  EXPECT(CFDictionaryGetValue(props, CFSTR("Quality")) == NULL);

  CFMutableDictionaryRef spec = CFDictionaryCreateMutableCopy(NULL, 0, props);
  CFDictionarySetValue(spec, CFSTR("EnableHardwareAcceleratedVideoEncoder"), kCFBooleanFalse);
  CFDictionaryAddValue(spec, kKeyRealTime, kCFBooleanFalse); /* present: Add keeps the old */
  EXPECT(CFDictionaryGetValue(spec, kKeyRealTime) == kCFBooleanTrue);
  CFDictionaryRemoveValue(spec, kKeyAverageBitRate);
  EXPECT(CFDictionaryGetCount(spec) == 3 && CFDictionaryGetCount(props) == 3);
  EXPECT(!CFEqual(spec, props));
  CFRelease(spec);
  CFRelease(props);
}

static void TestArraysAndData(void) {
  CFMutableArrayRef array = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
  const UInt8 sps[] = {0x67, 0x42, 0xc0, 0x1e};
  CFDataRef data = CFDataCreate(NULL, sps, sizeof sps);
  CFArrayAppendValue(array, data);
  CFArrayAppendValue(array, kCFNull);
  CFRelease(data);
  EXPECT(CFArrayGetCount(array) == 2);
  CFDataRef first = (CFDataRef)CFArrayGetValueAtIndex(array, 0);
  EXPECT(CFDataGetLength(first) == 4 && memcmp(CFDataGetBytePtr(first), sps, 4) == 0);
  EXPECT(CFArrayGetValueAtIndex(array, 1) == kCFNull);
  EXPECT(CFArrayGetValueAtIndex(array, 2) == NULL); /* out of range: NULL, a warning */

  /* NULL callbacks hold raw pointers, compared by address. */
  static int a = 1, b = 2;
  const void* raw[] = {&a, &b};
  CFArrayRef raw_array = CFArrayCreate(NULL, raw, 2, NULL);
  EXPECT(CFArrayGetValueAtIndex(raw_array, 1) == &b);
  CFRelease(raw_array);

  CFMutableDataRef avcc = CFDataCreateMutable(NULL, 0);
  UInt32 length_be = CFSwapInt32HostToBig(4);
  CFDataAppendBytes(avcc, (const UInt8*)&length_be, 4);
  CFDataAppendBytes(avcc, sps, sizeof sps);
  EXPECT(CFDataGetLength(avcc) == 8);
  UInt32 read_be;
  memcpy(&read_be, CFDataGetBytePtr(avcc), 4);
  EXPECT(CFSwapInt32BigToHost(read_be) == 4);
  CFDataGetMutableBytePtr(avcc)[4] = 0x68;
  EXPECT(CFDataGetBytePtr(avcc)[4] == 0x68);
  CFRelease(avcc);
  CFRelease(array);
}

static void TestByteOrder(void) {
  EXPECT(CFSwapInt16(0x1234) == 0x3412);
  EXPECT(CFSwapInt32(0x12345678u) == 0x78563412u);
  EXPECT(CFSwapInt64(0x0102030405060708ull) == 0x0807060504030201ull);
  const UInt8 big[4] = {0x00, 0x00, 0x01, 0x02};
  UInt32 word;
  memcpy(&word, big, 4);
  EXPECT(CFSwapInt32BigToHost(word) == 0x102);
  UInt16 half;
  memcpy(&half, big + 2, 2);
  EXPECT(CFSwapInt16BigToHost(half) == 0x102);
  EXPECT(CFSwapInt32LittleToHost(CFSwapInt32HostToLittle(0xdeadbeefu)) == 0xdeadbeefu);
  EXPECT(CFSwapInt64BigToHost(CFSwapInt64HostToBig(42)) == 42);
  EXPECT(CFByteOrderGetCurrent() == CFByteOrderLittleEndian ||
         CFByteOrderGetCurrent() == CFByteOrderBigEndian);
}

static void TestBadInput(void) {
  /* Wrong types where a CFString, CFNumber, ... is expected: NULL, false or 0, no crash. */
  SInt32 one = 1;
  CFNumberRef number = CFNumberCreate(NULL, kCFNumberSInt32Type, &one);
  char buf[8] = "x";
  EXPECT(CFStringGetLength((CFStringRef)number) == 0);
  EXPECT(!CFStringGetCString((CFStringRef)number, buf, sizeof buf, kCFStringEncodingUTF8));
  EXPECT(buf[0] == '\0');
  EXPECT(CFStringGetCStringPtr((CFStringRef)number, kCFStringEncodingUTF8) == NULL);
  EXPECT(CFDictionaryGetCount((CFDictionaryRef)number) == 0);
  EXPECT(CFArrayGetCount((CFArrayRef)kCFBooleanTrue) == 0);
  EXPECT(CFDataGetBytePtr((CFDataRef)CFSTR("x")) == NULL);
  EXPECT(!CFBooleanGetValue((CFBooleanRef)number));
  SInt32 out = 7;
  EXPECT(!CFNumberGetValue((CFNumberRef)kCFBooleanTrue, kCFNumberSInt32Type, &out) && out == 7);
  CFArrayAppendValue((CFMutableArrayRef)number, number); /* ignored with a warning */
  EXPECT(CFGetRetainCount(number) == 1);
  EXPECT(CFStringCreateWithCString(NULL, NULL, kCFStringEncodingUTF8) == NULL);
  EXPECT(CFStringCreateWithCString(NULL, "\xff", kCFStringEncodingUTF8) == NULL);
  EXPECT(CFNumberCreate(NULL, 99, &one) == NULL);
  EXPECT(CFDataCreate(NULL, NULL, 4) == NULL);
  /* An immutable dictionary refuses mutation. */
  CFDictionaryRef empty = CFDictionaryCreate(NULL, NULL, NULL, 0, &kCFTypeDictionaryKeyCallBacks,
                                             &kCFTypeDictionaryValueCallBacks);
  CFDictionarySetValue((CFMutableDictionaryRef)empty, CFSTR("k"), number);
  EXPECT(CFDictionaryGetCount(empty) == 0 && CFGetRetainCount(number) == 1);
  CFRelease(empty);
  /* NULL where Apple's crashes: a warning here. */
  CFRelease(NULL);
  EXPECT(CFRetain(NULL) == NULL);
  EXPECT(!CFEqual(NULL, number));
  CFRelease(number);
}

static void TestDescription(void) {
  SInt32 v = 5;
  CFNumberRef n = CFNumberCreate(NULL, kCFNumberSInt32Type, &v);
  const void* keys[] = {CFSTR("b"), CFSTR("a")};
  const void* values[] = {n, kCFBooleanTrue};
  CFDictionaryRef d = CFDictionaryCreate(NULL, keys, values, 2, &kCFTypeDictionaryKeyCallBacks,
                                         &kCFTypeDictionaryValueCallBacks);
  CFStringRef text = CFCopyDescription(d);
  char buf[128];
  EXPECT(CFStringGetCString(text, buf, sizeof buf, kCFStringEncodingUTF8));
  EXPECT(strcmp(buf, "{ \"a\" = true; \"b\" = 5; }") == 0);
  CFRelease(text);
  CFRelease(d);
  CFRelease(n);
}

int main(void) {
  TestBaseTypes();
  TestFileScopeStrings();
  TestEncoderSpecification();
  TestArraysAndData();
  TestByteOrder();
  TestBadInput();
  TestDescription();
  if (failures) {
    fprintf(stderr, "%d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("all %d checks passed\n", checks);
  return 0;
}
