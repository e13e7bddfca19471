// SPDX-License-Identifier: GPL-2.0-or-later
// CFArray and CFDictionary: the callbacks (kCFType retains, NULL holds raw pointers, the
// copy-string keys copy), equality and hashing, copies, mutation rules and bad input.
#include <CoreFoundation/CoreFoundation.h>

#include <algorithm>
#include <set>
#include <thread>

#include "cf_test_util.h"

namespace {

using Arrays = CfTest;
using Dictionaries = CfTest;

TEST_F(Arrays, TypeCallbacksRetainAndReleaseValues) {
  OwnedRef a(MakeInt(1)), b(MakeString("b"));
  const void* values[] = {a.get(), b.get()};
  vtc::cf::Owned<CFArrayRef> array(CFArrayCreate(nullptr, values, 2, &kCFTypeArrayCallBacks));
  EXPECT_EQ(CFArrayGetCount(array.get()), 2);
  EXPECT_EQ(CFGetRetainCount(a.get()), 2);
  EXPECT_EQ(CFArrayGetValueAtIndex(array.get(), 1), b.get());  // Get: +0
  EXPECT_EQ(CFGetRetainCount(b.get()), 2);
  array.reset();
  EXPECT_EQ(CFGetRetainCount(a.get()), 1);
  EXPECT_EQ(CFGetRetainCount(b.get()), 1);
}

TEST_F(Arrays, NullCallbacksHoldRawPointers) {
  OwnedRef a(MakeInt(1));
  int x = 5;
  const void* values[] = {a.get(), &x};
  vtc::cf::Owned<CFArrayRef> array(CFArrayCreate(nullptr, values, 2, nullptr));
  EXPECT_EQ(CFGetRetainCount(a.get()), 1);  // not retained
  EXPECT_EQ(CFArrayGetValueAtIndex(array.get(), 1), &x);
  // Equality by address: another array of an equal but distinct number differs.
  OwnedRef a2(MakeInt(1));
  const void* other[] = {a2.get(), &x};
  vtc::cf::Owned<CFArrayRef> array2(CFArrayCreate(nullptr, other, 2, nullptr));
  EXPECT_FALSE(CFEqual(array.get(), array2.get()));
  vtc::cf::Owned<CFMutableArrayRef> m(CFArrayCreateMutable(nullptr, 0, nullptr));
  CFArrayAppendValue(m.get(), nullptr);  // raw NULL is a value like any other
  EXPECT_EQ(CFArrayGetCount(m.get()), 1);
  EXPECT_TRUE(TakeWarnings().empty());
}

TEST_F(Arrays, MutableAppendRemoveAndCopies) {
  vtc::cf::Owned<CFMutableArrayRef> m(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
  OwnedRef n(MakeInt(3));
  for (int i = 0; i < 3; ++i) CFArrayAppendValue(m.get(), n.get());
  EXPECT_EQ(CFGetRetainCount(n.get()), 4);
  vtc::cf::Owned<CFArrayRef> copy(CFArrayCreateCopy(nullptr, m.get()));
  EXPECT_EQ(CFGetRetainCount(n.get()), 7);
  EXPECT_TRUE(CFEqual(copy.get(), m.get()));
  EXPECT_EQ(CFHash(copy.get()), CFHash(m.get()));
  CFArrayRemoveValueAtIndex(m.get(), 0);
  EXPECT_EQ(CFGetRetainCount(n.get()), 6);
  EXPECT_EQ(CFArrayGetCount(copy.get()), 3);  // the copy does not follow
  EXPECT_FALSE(CFEqual(copy.get(), m.get()));
  CFArrayAppendValue((CFMutableArrayRef)copy.get(), n.get());
  EXPECT_TRUE(WarnedOnce("not mutable"));
  vtc::cf::Owned<CFMutableArrayRef> mcopy(CFArrayCreateMutableCopy(nullptr, 0, copy.get()));
  CFArrayAppendValue(mcopy.get(), kCFNull);
  EXPECT_EQ(CFArrayGetCount(mcopy.get()), 4);
  const void* got[2] = {};
  CFArrayGetValues(mcopy.get(), CFRangeMake(2, 2), got);
  EXPECT_EQ(got[0], n.get());
  EXPECT_EQ(got[1], kCFNull);
  CFArrayRemoveAllValues(mcopy.get());
  EXPECT_EQ(CFArrayGetCount(mcopy.get()), 0);
  EXPECT_EQ(CFGetRetainCount(n.get()), 6);
  EXPECT_EQ(Description(m.get()), "( 3, 3 )");
}

TEST_F(Arrays, EqualArraysCompareElementsByValue) {
  OwnedRef x1(MakeString("x")), n1(MakeInt(2)), n2(MakeDouble(2.0));
  const void* a[] = {x1.get(), n1.get()};
  const void* b[] = {CFSTR("x"), n2.get()};
  vtc::cf::Owned<CFArrayRef> aa(CFArrayCreate(nullptr, a, 2, &kCFTypeArrayCallBacks));
  vtc::cf::Owned<CFArrayRef> bb(CFArrayCreate(nullptr, b, 2, &kCFTypeArrayCallBacks));
  EXPECT_TRUE(CFEqual(aa.get(), bb.get()));
  EXPECT_EQ(CFHash(aa.get()), CFHash(bb.get()));
  vtc::cf::Owned<CFArrayRef> shorter(CFArrayCreate(nullptr, a, 1, &kCFTypeArrayCallBacks));
  EXPECT_FALSE(CFEqual(aa.get(), shorter.get()));
}

TEST_F(Arrays, BadInput) {
  EXPECT_EQ(CFArrayCreate(nullptr, nullptr, 2, &kCFTypeArrayCallBacks), nullptr);
  EXPECT_TRUE(WarnedOnce("CFArrayCreate"));
  const void* with_null[] = {kCFNull, nullptr};
  EXPECT_EQ(CFArrayCreate(nullptr, with_null, 2, &kCFTypeArrayCallBacks), nullptr);
  EXPECT_TRUE(WarnedOnce("NULL value"));
  vtc::cf::Owned<CFMutableArrayRef> m(CFArrayCreateMutable(nullptr, 1, &kCFTypeArrayCallBacks));
  CFArrayAppendValue(m.get(), nullptr);
  EXPECT_TRUE(WarnedOnce("NULL value"));
  CFArrayAppendValue(m.get(), kCFNull);
  CFArrayAppendValue(m.get(), kCFNull);
  EXPECT_TRUE(WarnedOnce("capacity"));
  EXPECT_EQ(CFArrayGetCount(m.get()), 1);
  EXPECT_EQ(CFArrayGetValueAtIndex(m.get(), -1), nullptr);
  EXPECT_TRUE(WarnedOnce("outside"));
  CFArrayRemoveValueAtIndex(m.get(), 5);
  EXPECT_TRUE(WarnedOnce("outside"));
  EXPECT_EQ(CFArrayGetCount((CFArrayRef)CFSTR("x")), 0);
  EXPECT_TRUE(WarnedOnce("not a CFArray"));
  EXPECT_EQ(CFArrayCreateMutableCopy(nullptr, 0, (CFArrayRef)kCFBooleanTrue), nullptr);
  EXPECT_TRUE(WarnedOnce("not a CFArray"));
}

TEST_F(Dictionaries, TypeCallbacksRetainKeysAndValues) {
  OwnedRef key(MakeString("AverageBitRate")), value(MakeInt(1000000));
  vtc::cf::Owned<CFMutableDictionaryRef> d(CFDictionaryCreateMutable(
      nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(d.get(), key.get(), value.get());
  EXPECT_EQ(CFGetRetainCount(key.get()), 2);
  EXPECT_EQ(CFGetRetainCount(value.get()), 2);
  // Looked up by an equal key (a literal): Get is +0.
  EXPECT_EQ(CFDictionaryGetValue(d.get(), CFSTR("AverageBitRate")), value.get());
  EXPECT_EQ(CFGetRetainCount(value.get()), 2);
  // Replacing the value keeps the original key object and releases the old value.
  OwnedRef other(MakeInt(5));
  CFDictionarySetValue(d.get(), CFSTR("AverageBitRate"), other.get());
  EXPECT_EQ(CFGetRetainCount(value.get()), 1);
  EXPECT_EQ(CFGetRetainCount(key.get()), 2);
  const void* k = nullptr;
  CFDictionaryGetKeysAndValues(d.get(), &k, nullptr);
  EXPECT_EQ(k, key.get());
  // Setting the same value again must not free it in between.
  CFDictionarySetValue(d.get(), key.get(), other.get());
  EXPECT_EQ(CFGetRetainCount(other.get()), 2);
  CFDictionaryRemoveValue(d.get(), CFSTR("AverageBitRate"));
  EXPECT_EQ(CFGetRetainCount(key.get()), 1);
  EXPECT_EQ(CFGetRetainCount(other.get()), 1);
  EXPECT_EQ(CFDictionaryGetCount(d.get()), 0);
}

TEST_F(Dictionaries, NullCallbacksHoldRawPointers) {
  static const int k1 = 1, k2 = 2;
  int v = 0;
  const void* keys[] = {&k1, &k2};
  const void* values[] = {&v, nullptr};
  vtc::cf::Owned<CFDictionaryRef> d(CFDictionaryCreate(nullptr, keys, values, 2, nullptr, nullptr));
  EXPECT_EQ(CFDictionaryGetValue(d.get(), &k1), &v);
  const void* got = &v;
  EXPECT_TRUE(CFDictionaryGetValueIfPresent(d.get(), &k2, &got));  // present, value NULL
  EXPECT_EQ(got, nullptr);
  int k1_copy = 1;
  EXPECT_FALSE(CFDictionaryContainsKey(d.get(), &k1_copy));  // by address, not by value
  // CF objects as raw keys are not retained.
  OwnedRef s(MakeString("x"));
  vtc::cf::Owned<CFMutableDictionaryRef> m(
      CFDictionaryCreateMutable(nullptr, 0, nullptr, &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(m.get(), s.get(), s.get());
  EXPECT_EQ(CFGetRetainCount(s.get()), 2);  // as the value only
  EXPECT_FALSE(CFDictionaryContainsKey(m.get(), CFSTR("x")));
  EXPECT_TRUE(CFDictionaryContainsKey(m.get(), s.get()));
}

TEST_F(Dictionaries, CopyStringKeysAreCopied) {
  vtc::cf::Owned<CFMutableStringRef> key(CFStringCreateMutable(nullptr, 0));
  CFStringAppendCString(key.get(), "Quality", kCFStringEncodingUTF8);
  vtc::cf::Owned<CFMutableDictionaryRef> d(CFDictionaryCreateMutable(
      nullptr, 0, &kCFCopyStringDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(d.get(), key.get(), kCFBooleanTrue);
  CFStringAppendCString(key.get(), "X", kCFStringEncodingUTF8);  // the stored key stays
  EXPECT_TRUE(CFDictionaryContainsKey(d.get(), CFSTR("Quality")));
  EXPECT_FALSE(CFDictionaryContainsKey(d.get(), CFSTR("QualityX")));
  EXPECT_EQ(CFGetRetainCount(key.get()), 1);
  OwnedRef n(MakeInt(1));
  CFDictionarySetValue(d.get(), n.get(), kCFBooleanTrue);
  EXPECT_TRUE(WarnedOnce("not a CFString"));
}

TEST_F(Dictionaries, CreateWithDuplicatesKeepsTheLast) {
  OwnedRef one(MakeInt(1)), two(MakeInt(2));
  const void* keys[] = {CFSTR("k"), CFSTR("k")};
  const void* values[] = {one.get(), two.get()};
  vtc::cf::Owned<CFDictionaryRef> d(CFDictionaryCreate(
      nullptr, keys, values, 2, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  EXPECT_EQ(CFDictionaryGetCount(d.get()), 1);
  EXPECT_EQ(CFDictionaryGetValue(d.get(), CFSTR("k")), two.get());
  EXPECT_EQ(CFGetRetainCount(one.get()), 1);
}

TEST_F(Dictionaries, AddReplaceSetAndImmutability) {
  vtc::cf::Owned<CFMutableDictionaryRef> d(CFDictionaryCreateMutable(
      nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  CFDictionaryReplaceValue(d.get(), CFSTR("a"), kCFBooleanTrue);  // absent: nothing
  EXPECT_EQ(CFDictionaryGetCount(d.get()), 0);
  CFDictionaryAddValue(d.get(), CFSTR("a"), kCFBooleanTrue);
  CFDictionaryAddValue(d.get(), CFSTR("a"), kCFBooleanFalse);  // present: kept
  EXPECT_EQ(CFDictionaryGetValue(d.get(), CFSTR("a")), kCFBooleanTrue);
  CFDictionaryReplaceValue(d.get(), CFSTR("a"), kCFBooleanFalse);
  EXPECT_EQ(CFDictionaryGetValue(d.get(), CFSTR("a")), kCFBooleanFalse);
  vtc::cf::Owned<CFDictionaryRef> copy(CFDictionaryCreateCopy(nullptr, d.get()));
  EXPECT_TRUE(CFEqual(copy.get(), d.get()));
  CFDictionarySetValue(d.get(), CFSTR("b"), kCFNull);
  EXPECT_EQ(CFDictionaryGetCount(copy.get()), 1);
  CFDictionarySetValue((CFMutableDictionaryRef)copy.get(), CFSTR("b"), kCFNull);
  EXPECT_TRUE(WarnedOnce("not mutable"));
  CFDictionaryRemoveAllValues(d.get());
  EXPECT_EQ(CFDictionaryGetCount(d.get()), 0);
}

TEST_F(Dictionaries, EqualDictionariesAndHash) {
  OwnedRef n1(MakeInt(30)), n2(MakeDouble(30.0)), s1(MakeString("High"));
  const void* k1[] = {CFSTR("ExpectedFrameRate"), CFSTR("Profile")};
  const void* v1[] = {n1.get(), s1.get()};
  const void* k2[] = {CFSTR("Profile"), CFSTR("ExpectedFrameRate")};  // another order
  const void* v2[] = {CFSTR("High"), n2.get()};
  vtc::cf::Owned<CFDictionaryRef> a(CFDictionaryCreate(
      nullptr, k1, v1, 2, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  vtc::cf::Owned<CFDictionaryRef> b(CFDictionaryCreate(
      nullptr, k2, v2, 2, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  EXPECT_TRUE(CFEqual(a.get(), b.get()));
  EXPECT_EQ(CFHash(a.get()), CFHash(b.get()));
  vtc::cf::Owned<CFMutableDictionaryRef> c(CFDictionaryCreateMutableCopy(nullptr, 0, b.get()));
  CFDictionarySetValue(c.get(), CFSTR("Profile"), CFSTR("Main"));
  EXPECT_FALSE(CFEqual(a.get(), c.get()));
  // Dictionaries as keys of a dictionary (CFHash and CFEqual through the key callbacks).
  vtc::cf::Owned<CFMutableDictionaryRef> outer(CFDictionaryCreateMutable(
      nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(outer.get(), a.get(), kCFBooleanTrue);
  EXPECT_TRUE(CFDictionaryContainsKey(outer.get(), b.get()));
  EXPECT_FALSE(CFDictionaryContainsKey(outer.get(), c.get()));
  EXPECT_EQ(Description(a.get()), "{ \"ExpectedFrameRate\" = 30; \"Profile\" = \"High\"; }");
}

struct Collected {
  std::set<std::string> keys;
  int calls = 0;
};

TEST_F(Dictionaries, KeysAndValuesAndApply) {
  const void* keys[] = {CFSTR("a"), CFSTR("b"), CFSTR("c")};
  const void* values[] = {kCFBooleanTrue, kCFBooleanFalse, kCFNull};
  vtc::cf::Owned<CFDictionaryRef> d(CFDictionaryCreate(
      nullptr, keys, values, 3, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  const void* ks[3] = {};
  const void* vs[3] = {};
  CFDictionaryGetKeysAndValues(d.get(), ks, vs);
  for (int i = 0; i < 3; ++i) {
    // Each key is paired with its own value.
    EXPECT_EQ(CFDictionaryGetValue(d.get(), ks[i]), vs[i]);
  }
  Collected collected;
  CFDictionaryApplyFunction(
      d.get(),
      [](const void* key, const void*, void* context) {
        auto* c = static_cast<Collected*>(context);
        c->keys.insert(Text(key));
        ++c->calls;
      },
      &collected);
  EXPECT_EQ(collected.calls, 3);
  EXPECT_EQ(collected.keys, (std::set<std::string>{"a", "b", "c"}));
}

TEST_F(Dictionaries, BadInput) {
  EXPECT_EQ(CFDictionaryCreate(nullptr, nullptr, nullptr, 1, nullptr, nullptr), nullptr);
  EXPECT_TRUE(WarnedOnce("CFDictionaryCreate"));
  const void* keys[] = {CFSTR("a")};
  const void* values[] = {nullptr};
  EXPECT_EQ(CFDictionaryCreate(nullptr, keys, values, 1, &kCFTypeDictionaryKeyCallBacks,
                               &kCFTypeDictionaryValueCallBacks),
            nullptr);
  EXPECT_TRUE(WarnedOnce("NULL key or value"));
  vtc::cf::Owned<CFMutableDictionaryRef> d(CFDictionaryCreateMutable(
      nullptr, 1, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(d.get(), nullptr, kCFNull);
  EXPECT_TRUE(WarnedOnce("NULL key or value"));
  CFDictionarySetValue(d.get(), CFSTR("a"), kCFNull);
  CFDictionarySetValue(d.get(), CFSTR("b"), kCFNull);
  EXPECT_TRUE(WarnedOnce("capacity"));
  EXPECT_EQ(CFDictionaryGetCount(d.get()), 1);
  EXPECT_EQ(CFDictionaryCreateMutableCopy(nullptr, 0, (CFDictionaryRef)CFSTR("x")), nullptr);
  EXPECT_TRUE(WarnedOnce("not a CFDictionary"));
  EXPECT_EQ(CFDictionaryGetValue((CFDictionaryRef)kCFNull, CFSTR("a")), nullptr);
  EXPECT_TRUE(WarnedOnce("not a CFDictionary"));
  EXPECT_FALSE(CFDictionaryContainsKey((CFDictionaryRef)kCFBooleanTrue, CFSTR("a")));
  EXPECT_TRUE(WarnedOnce("not a CFDictionary"));
  CFDictionaryRemoveValue((CFMutableDictionaryRef)kCFBooleanTrue, CFSTR("a"));
  EXPECT_TRUE(WarnedOnce("not a CFMutableDictionary"));
}

TEST_F(Dictionaries, SharedImmutableDictionaryAcrossThreads) {
  // Immutable objects may be shared: threads look up, retain and release values concurrently.
  OwnedRef n(MakeInt(42));
  const void* keys[] = {CFSTR("n")};
  const void* values[] = {n.get()};
  vtc::cf::Owned<CFDictionaryRef> d(CFDictionaryCreate(
      nullptr, keys, values, 1, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        CFTypeRef v = CFRetain(CFDictionaryGetValue(d.get(), CFSTR("n")));
        SInt32 x = 0;
        if (CFNumberGetValue((CFNumberRef)v, kCFNumberSInt32Type, &x) && x == 42) ++found;
        CFRelease(v);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), 20000);
  EXPECT_EQ(CFGetRetainCount(n.get()), 2);
}

}  // namespace
