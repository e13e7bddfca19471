// SPDX-License-Identifier: GPL-2.0-or-later
// The internal layer the later C API slices build on: CF <-> vtc::Value (cf_value.h) and
// types registered on the CF runtime (cf_runtime.h).
#include <CoreFoundation/CoreFoundation.h>

#include <cmath>
#include <cstdint>

#include "cf_test_util.h"
#include "cf_value.h"

namespace {

using vtc::Value;
using CfValue = CfTest;
using Runtime = CfTest;

Value RoundTrip(const Value& v) {
  CFTypeRef cf = nullptr;
  EXPECT_TRUE(vtc::cf::CreateCFValue(v, &cf)) << v.ToString();
  OwnedRef held(cf);
  Value back;
  EXPECT_TRUE(vtc::cf::ToValue(cf, &back)) << v.ToString();
  return back;
}

TEST_F(CfValue, ScalarsRoundTripKeepingTheirKinds) {
  for (const Value& v :
       {Value(), Value(true), Value(false), Value(0), Value(-7), Value(3000000000LL),
        Value(INT64_MIN), Value(2.5), Value(30.0), Value("AverageBitRate"), Value(""),
        Value("caf\xc3\xa9"), Value(vtc::Data{0, 1, 255})}) {
    Value back = RoundTrip(v);
    EXPECT_EQ(back, v) << v.ToString();
    EXPECT_EQ(back.type(), v.type()) << v.ToString();  // 30.0 stays a double, 0 an int
  }
}

TEST_F(CfValue, ScalarsBecomeTheExpectedCFTypes) {
  CFTypeRef cf = nullptr;
  ASSERT_TRUE(vtc::cf::CreateCFValue(Value(5), &cf));
  EXPECT_EQ(CFNumberGetType((CFNumberRef)cf), kCFNumberSInt32Type);
  CFRelease(cf);
  ASSERT_TRUE(vtc::cf::CreateCFValue(Value(1LL << 40), &cf));
  EXPECT_EQ(CFNumberGetType((CFNumberRef)cf), kCFNumberSInt64Type);
  CFRelease(cf);
  ASSERT_TRUE(vtc::cf::CreateCFValue(Value(0.5), &cf));
  EXPECT_EQ(CFNumberGetType((CFNumberRef)cf), kCFNumberFloat64Type);
  CFRelease(cf);
  ASSERT_TRUE(vtc::cf::CreateCFValue(Value(true), &cf));
  EXPECT_EQ(cf, kCFBooleanTrue);
  ASSERT_TRUE(vtc::cf::CreateCFValue(Value(), &cf));
  EXPECT_EQ(cf, kCFNull);
  ASSERT_TRUE(vtc::cf::CreateCFValue(Value("x"), &cf));
  EXPECT_TRUE(CFEqual(cf, CFSTR("x")));
  CFRelease(cf);
}

TEST_F(CfValue, ContainersRoundTrip) {
  vtc::Dictionary limits{{"bytes", Value(vtc::Array{Value(1000000), Value(1.0)})}};
  Value v(vtc::Dictionary{
      {"AverageBitRate", Value(2000000)},
      {"RealTime", Value(true)},
      {"ProfileLevel", Value("H264_High_AutoLevel")},
      {"Nested", Value(limits)},
      {"Empty", Value(vtc::Array{})},
      {"Nothing", Value()},
  });
  EXPECT_EQ(RoundTrip(v), v);

  CFTypeRef cf = nullptr;
  ASSERT_TRUE(vtc::cf::CreateCFValue(v, &cf));
  OwnedRef held(cf);
  ASSERT_EQ(CFGetTypeID(cf), CFDictionaryGetTypeID());
  EXPECT_EQ(CFDictionaryGetCount((CFDictionaryRef)cf), 6);
  auto nested = (CFDictionaryRef)CFDictionaryGetValue((CFDictionaryRef)cf, CFSTR("Nested"));
  ASSERT_EQ(CFGetTypeID(nested), CFDictionaryGetTypeID());
  auto bytes = (CFArrayRef)CFDictionaryGetValue(nested, CFSTR("bytes"));
  EXPECT_EQ(CFArrayGetCount(bytes), 2);
  // Immutable, as VideoToolbox's CopyProperty results are.
  CFDictionarySetValue((CFMutableDictionaryRef)cf, CFSTR("x"), kCFNull);
  EXPECT_TRUE(WarnedOnce("not mutable"));
}

TEST_F(CfValue, FromCFMadeByHand) {
  // A dictionary built by application code, with CFSTR keys and a copy-string key dictionary.
  SInt32 fps = 30;
  vtc::cf::Owned<CFNumberRef> n(CFNumberCreate(nullptr, kCFNumberIntType, &fps));
  vtc::cf::Owned<CFMutableDictionaryRef> d(CFDictionaryCreateMutable(
      nullptr, 0, &kCFCopyStringDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(d.get(), CFSTR("ExpectedFrameRate"), n.get());
  CFDictionarySetValue(d.get(), CFSTR("AllowFrameReordering"), kCFBooleanFalse);
  Value v;
  ASSERT_TRUE(vtc::cf::ToValue(d.get(), &v));
  EXPECT_EQ(v, Value(vtc::Dictionary{{"ExpectedFrameRate", Value(30)},
                                     {"AllowFrameReordering", Value(false)}}));
  Value null_value(5);
  ASSERT_TRUE(vtc::cf::ToValue(nullptr, &null_value));
  EXPECT_TRUE(null_value.IsNull());
}

// CF objects in collections made with NULL callbacks (FFmpeg's frame options) are read.
TEST_F(CfValue, CollectionsWithNullCallbacksOfCFObjectsConvert) {
  vtc::cf::Owned<CFNumberRef> seven(MakeInt(7));
  const void* keys[] = {CFSTR("ForceKeyFrame"), CFSTR("Count")};
  const void* values[] = {kCFBooleanTrue, seven.get()};
  vtc::cf::Owned<CFDictionaryRef> d(CFDictionaryCreate(nullptr, keys, values, 2, nullptr, nullptr));
  Value v;
  ASSERT_TRUE(vtc::cf::ToValue(d.get(), &v));
  EXPECT_EQ(v, Value(vtc::Dictionary{{"ForceKeyFrame", Value(true)}, {"Count", Value(7)}}));
  vtc::cf::Owned<CFArrayRef> a(CFArrayCreate(nullptr, values, 2, nullptr));
  ASSERT_TRUE(vtc::cf::ToValue(a.get(), &v));
  EXPECT_EQ(v, Value(vtc::Array{Value(true), Value(7)}));
}

TEST_F(CfValue, WhatCannotConvertIsRefused) {
  Value v(123);
  // Another CF type.
  EXPECT_FALSE(vtc::cf::ToValue(kCFAllocatorNull, &v));
  // A dictionary with a key that is not a string.
  vtc::cf::Owned<CFNumberRef> one(MakeInt(1));
  const void* keys[] = {one.get()};
  const void* values[] = {kCFNull};
  vtc::cf::Owned<CFDictionaryRef> numeric(CFDictionaryCreate(
      nullptr, keys, values, 1, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  EXPECT_FALSE(vtc::cf::ToValue(numeric.get(), &v));
  // Collections of raw pointers (NULL callbacks): memory that is not an object, and an address
  // with nothing mapped there (read through the kernel: refused, not a crash).
  static const char kNotAnObject[16] = "not a CF object";
  const void* raw[] = {kNotAnObject};
  vtc::cf::Owned<CFArrayRef> raw_array(CFArrayCreate(nullptr, raw, 1, nullptr));
  EXPECT_FALSE(vtc::cf::ToValue(raw_array.get(), &v));
  vtc::cf::Owned<CFDictionaryRef> raw_dict(
      CFDictionaryCreate(nullptr, raw, raw, 1, nullptr, nullptr));
  EXPECT_FALSE(vtc::cf::ToValue(raw_dict.get(), &v));
  // Small integers cast to pointers, as code does with NULL callbacks.
  const void* small[] = {reinterpret_cast<const void*>(std::uintptr_t{42})};
  vtc::cf::Owned<CFArrayRef> ints(CFArrayCreate(nullptr, small, 1, nullptr));
  EXPECT_FALSE(vtc::cf::ToValue(ints.get(), &v));
  const void* unmapped[] = {reinterpret_cast<const void*>(std::uintptr_t{0x12345678})};
  const void* string_keys[] = {CFSTR("Key")};
  vtc::cf::Owned<CFDictionaryRef> wild(
      CFDictionaryCreate(nullptr, string_keys, unmapped, 1, nullptr, nullptr));
  EXPECT_FALSE(vtc::cf::ToValue(wild.get(), &v));
  // An array that holds itself ends at the depth limit instead of the stack's.
  vtc::cf::Owned<CFMutableArrayRef> self(CFArrayCreateMutable(nullptr, 0, nullptr));
  CFArrayAppendValue(self.get(), self.get());
  EXPECT_FALSE(vtc::cf::ToValue(self.get(), &v));
  // Nested deep inside.
  const void* inner[] = {numeric.get()};
  vtc::cf::Owned<CFArrayRef> outer(CFArrayCreate(nullptr, inner, 1, &kCFTypeArrayCallBacks));
  EXPECT_FALSE(vtc::cf::ToValue(outer.get(), &v));
  EXPECT_EQ(v, Value(123));  // untouched

  // Value -> CF: objects, and a string with a NUL; nothing leaks on the way out.
  struct Thing : vtc::Object {};
  CFTypeRef cf = kCFNull;
  const Value thing(std::make_shared<Thing>());
  EXPECT_FALSE(vtc::cf::CreateCFValue(thing, &cf));
  EXPECT_EQ(cf, nullptr);
  Value deep(vtc::Dictionary{{"a", Value(1)}, {"b", Value(vtc::Array{Value(2), thing})}});
  EXPECT_FALSE(vtc::cf::CreateCFValue(deep, &cf));
  EXPECT_EQ(cf, nullptr);
  EXPECT_FALSE(vtc::cf::CreateCFValue(Value(std::string("a\0b", 3)), &cf));
  EXPECT_FALSE(vtc::cf::CreateCFValue(Value("\xff"), &cf));
  TakeWarnings();
}

// --- A type defined on the runtime, as CVPixelBuffer will be ---------------------------------

int g_destroyed = 0;

struct Widget : vtc::cf::Object {
  Widget(CFTypeID id, int v) : Object(id, vtc::cf::kMagicCounted), value(v) {}
  ~Widget() { ++g_destroyed; }
  int value;
};

CFTypeID WidgetGetTypeID() {
  static const CFTypeID id = vtc::cf::RegisterType<Widget>(
      {"Widget",
       [](const vtc::cf::Object* a, const vtc::cf::Object* b) {
         return static_cast<const Widget*>(a)->value == static_cast<const Widget*>(b)->value;
       },
       [](const vtc::cf::Object* o) -> CFHashCode { return static_cast<const Widget*>(o)->value; },
       [](const vtc::cf::Object* o) {
         return "<Widget " + std::to_string(static_cast<const Widget*>(o)->value) + ">";
       },
       nullptr});
  return id;
}

struct Gadget : vtc::cf::Object {
  explicit Gadget(CFTypeID id) : Object(id, vtc::cf::kMagicCounted) {}
};

CFTypeID GadgetGetTypeID() {
  static const CFTypeID id =
      vtc::cf::RegisterType<Gadget>({"Gadget", nullptr, nullptr, nullptr, nullptr});
  return id;
}

TEST_F(Runtime, RegisteredTypesJoinThePolymorphicFunctions) {
  g_destroyed = 0;
  CFTypeID wid = WidgetGetTypeID();
  EXPECT_GE(wid, vtc::cf::kFirstRegisteredTypeID);
  EXPECT_EQ(WidgetGetTypeID(), wid);
  EXPECT_NE(GadgetGetTypeID(), wid);
  Widget* a = vtc::cf::New<Widget>(wid, 7);
  Widget* b = vtc::cf::New<Widget>(wid, 7);
  Widget* c = vtc::cf::New<Widget>(wid, 8);
  EXPECT_EQ(CFGetTypeID(a), wid);
  EXPECT_TRUE(CFEqual(a, b));
  EXPECT_FALSE(CFEqual(a, c));
  EXPECT_EQ(CFHash(a), 7u);
  EXPECT_EQ(Description(c), "<Widget 8>");
  vtc::cf::Owned<CFStringRef> name(CFCopyTypeIDDescription(wid));
  EXPECT_EQ(Text(name.get()), "Widget");
  EXPECT_EQ(vtc::cf::Cast<Widget>(a, wid), a);
  EXPECT_EQ(vtc::cf::Cast<Widget>(a, GadgetGetTypeID()), nullptr);
  EXPECT_EQ(vtc::cf::Cast<Widget>(CFSTR("w"), wid), nullptr);

  // In collections, retained and released like any CF object; freed by the last release.
  const void* values[] = {a, c};
  CFArrayRef array = CFArrayCreate(nullptr, values, 2, &kCFTypeArrayCallBacks);
  CFRelease(a);
  CFRelease(c);
  EXPECT_EQ(g_destroyed, 0);
  EXPECT_EQ(Description(array), "( <Widget 7>, <Widget 8> )");
  CFRelease(array);
  EXPECT_EQ(g_destroyed, 2);
  CFRelease(b);
  EXPECT_EQ(g_destroyed, 3);

  // A type without hooks: identity equality, the address as hash, a generic description.
  Gadget* g1 = vtc::cf::New<Gadget>(GadgetGetTypeID());
  Gadget* g2 = vtc::cf::New<Gadget>(GadgetGetTypeID());
  EXPECT_FALSE(CFEqual(g1, g2));
  EXPECT_TRUE(CFEqual(g1, g1));
  EXPECT_EQ(Description(g1).rfind("<Gadget 0x", 0), 0u) << Description(g1);
  Value v;
  EXPECT_FALSE(vtc::cf::ToValue(g1, &v));  // the later slices convert their own types
  CFRelease(g1);
  CFRelease(g2);
}

TEST_F(Runtime, LiveObjectCountSeesALeak) {
  long before = vtc::cf::LiveObjectCount();
  CFNumberRef n = MakeInt(1);
  CFStringRef s = CFSTR("constants are not counted");
  CFRetain(s);
  EXPECT_EQ(vtc::cf::LiveObjectCount(), before + 1);
  CFRelease(n);
  EXPECT_EQ(vtc::cf::LiveObjectCount(), before);
}

}  // namespace
