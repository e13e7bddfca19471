// SPDX-License-Identifier: GPL-2.0-or-later
// The built-in CF types' objects (private to session/capi). The struct tags are Apple's, so the
// public CFStringRef etc. point at these very types.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cf_runtime.h"

struct __CFAllocator : vtc::cf::Object {
  constexpr __CFAllocator() : Object(vtc::cf::kAllocatorTypeID, vtc::cf::kMagicImmortal) {}
};

struct __CFNull : vtc::cf::Object {
  constexpr __CFNull() : Object(vtc::cf::kNullTypeID, vtc::cf::kMagicImmortal) {}
};

struct __CFBoolean : vtc::cf::Object {
  constexpr explicit __CFBoolean(bool v)
      : Object(vtc::cf::kBooleanTypeID, vtc::cf::kMagicImmortal), value(v) {}
  bool value;
};

// Heap strings hold UTF-8 text. CFSTR literals are not objects of this type (see CFString.h).
struct __CFString : vtc::cf::Object {
  __CFString(std::string t, bool m)
      : Object(vtc::cf::kStringTypeID, vtc::cf::kMagicCounted), text(std::move(t)), mutable_(m) {}
  std::string text;
  bool mutable_;
  CFIndex max_length = 0;  // mutable: 0 is unlimited
};

struct __CFNumber : vtc::cf::Object {
  __CFNumber(CFNumberType t, std::int64_t i, double d)
      : Object(vtc::cf::kNumberTypeID, vtc::cf::kMagicCounted), type(t), i(i), d(d) {}
  CFNumberType type;  // canonical: SInt8/16/32/64, Float32/64
  std::int64_t i;     // the value of an integer type
  double d;           // the value of a float type
  bool IsFloat() const { return type == kCFNumberFloat32Type || type == kCFNumberFloat64Type; }
};

struct __CFData : vtc::cf::Object {
  __CFData(std::vector<UInt8> b, bool m, CFIndex cap)
      : Object(vtc::cf::kDataTypeID, vtc::cf::kMagicCounted),
        bytes(std::move(b)),
        mutable_(m),
        capacity(cap) {}
  std::vector<UInt8> bytes;
  bool mutable_;
  CFIndex capacity;  // 0 is unlimited
};

struct __CFArray : vtc::cf::Object {
  __CFArray(const CFArrayCallBacks& cb, bool m, CFIndex cap)
      : Object(vtc::cf::kArrayTypeID, vtc::cf::kMagicCounted),
        callbacks(cb),
        mutable_(m),
        capacity(cap) {}
  ~__CFArray();  // releases the values
  CFArrayCallBacks callbacks;
  std::vector<const void*> values;
  bool mutable_;
  CFIndex capacity;
};

namespace vtc::cf {

// Hash and equality of dictionary keys through the dictionary's key callbacks.
struct KeyHash {
  const CFDictionaryKeyCallBacks* cb;
  std::size_t operator()(const void* k) const {
    return cb->hash ? cb->hash(k) : std::hash<const void*>()(k);
  }
};
struct KeyEqual {
  const CFDictionaryKeyCallBacks* cb;
  bool operator()(const void* a, const void* b) const {
    return a == b || (cb->equal && cb->equal(a, b));
  }
};

// Text of a string (heap or CFSTR literal); nullopt-like empty view with ok=false otherwise.
bool StringText(CFTypeRef ref, std::string_view* text);
CFStringRef MakeString(std::string text);  // +1, immutable
CFHashCode HashBytes(const void* data, std::size_t size);

}  // namespace vtc::cf

struct __CFDictionary : vtc::cf::Object {
  __CFDictionary(const CFDictionaryKeyCallBacks& kcb, const CFDictionaryValueCallBacks& vcb, bool m,
                 CFIndex cap)
      : Object(vtc::cf::kDictionaryTypeID, vtc::cf::kMagicCounted),
        key_callbacks(kcb),
        value_callbacks(vcb),
        map(8, vtc::cf::KeyHash{&key_callbacks}, vtc::cf::KeyEqual{&key_callbacks}),
        mutable_(m),
        capacity(cap) {}
  ~__CFDictionary();  // releases keys and values
  CFDictionaryKeyCallBacks key_callbacks;
  CFDictionaryValueCallBacks value_callbacks;
  std::unordered_map<const void*, const void*, vtc::cf::KeyHash, vtc::cf::KeyEqual> map;
  bool mutable_;
  CFIndex capacity;
};

namespace vtc::cf {
// The built-in types' hooks (each defined beside its functions; constant-initialized).
extern const TypeInfo kAllocatorTypeInfo;
extern const TypeInfo kNullTypeInfo;
extern const TypeInfo kBooleanTypeInfo;
extern const TypeInfo kStringTypeInfo;
extern const TypeInfo kNumberTypeInfo;
extern const TypeInfo kDataTypeInfo;
extern const TypeInfo kArrayTypeInfo;
extern const TypeInfo kDictionaryTypeInfo;
}  // namespace vtc::cf

namespace vtc::cf {
// The kCFType callbacks' retain and release (shared by arrays and dictionaries).
const void* CFTypeRetainCallBack(CFAllocatorRef, const void* value);
void CFTypeReleaseCallBack(CFAllocatorRef, const void* value);
std::string DescribeElement(CFStringRef (*copy_description)(const void*), const void* value);
}  // namespace vtc::cf
