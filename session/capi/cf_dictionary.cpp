// SPDX-License-Identifier: GPL-2.0-or-later
// CFDictionary and CFMutableDictionary: a hash map whose hash and equality are the key callbacks'.
#include <algorithm>
#include <utility>

#include "cf_types.h"

namespace vtc::cf {
namespace {

constexpr CFDictionaryKeyCallBacks kNullKeyCallBacks = {0,       nullptr, nullptr,
                                                        nullptr, nullptr, nullptr};
constexpr CFDictionaryValueCallBacks kNullValueCallBacks = {0, nullptr, nullptr, nullptr, nullptr};

const void* CopyStringKey(CFAllocatorRef, const void* key) {
  return CFStringCreateCopy(nullptr, static_cast<CFStringRef>(key));
}

bool EqualDictionaries(const Object* a, const Object* b) {
  const auto* x = static_cast<const __CFDictionary*>(a);
  const auto* y = static_cast<const __CFDictionary*>(b);
  if (x->map.size() != y->map.size()) return false;
  for (const auto& [key, value] : x->map) {
    auto it = y->map.find(key);
    if (it == y->map.end()) return false;
    if (value != it->second &&
        !(x->value_callbacks.equal && x->value_callbacks.equal(value, it->second)))
      return false;
  }
  return true;
}

// The count, as Apple's: equal dictionaries have equal counts.
CFHashCode HashDictionary(const Object* o) {
  return static_cast<const __CFDictionary*>(o)->map.size();
}

// Pairs sorted by the key's text, so that a description does not depend on hashing.
std::string DescribeDictionary(const Object* o) {
  const auto* d = static_cast<const __CFDictionary*>(o);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [key, value] : d->map)
    pairs.emplace_back(DescribeElement(d->key_callbacks.copyDescription, key),
                       DescribeElement(d->value_callbacks.copyDescription, value));
  std::sort(pairs.begin(), pairs.end());
  std::string s = "{";
  for (const auto& [k, v] : pairs) s += " " + k + " = " + v + ";";
  return s + (pairs.empty() ? "}" : " }");
}

const __CFDictionary* AsDictionary(CFDictionaryRef dict, const char* function) {
  const auto* d = Cast<__CFDictionary>(dict, kDictionaryTypeID);
  if (!d) Warn(function, "not a CFDictionary");
  return d;
}

__CFDictionary* AsMutableDictionary(CFMutableDictionaryRef dict, const char* function) {
  auto* d = CastMutable<__CFDictionary>(dict, kDictionaryTypeID);
  if (!d || !d->mutable_) {
    Warn(function, d ? "the dictionary is not mutable" : "not a CFMutableDictionary");
    return nullptr;
  }
  return d;
}

// Keys and values kept as CF objects (retained or copied) may not be NULL (Apple's crashes).
bool KeepsObjects(CFDictionaryRetainCallBack retain) {
  return retain == &CFTypeRetainCallBack || retain == &CopyStringKey;
}
bool RefusesNull(const __CFDictionary* d, const void* key, const void* value,
                 const char* function) {
  if ((!key && KeepsObjects(d->key_callbacks.retain)) ||
      (!value && KeepsObjects(d->value_callbacks.retain))) {
    Warn(function, "NULL key or value in a dictionary of CF objects");
    return true;
  }
  if (d->key_callbacks.retain == &CopyStringKey && TypeOf(key) != kStringTypeID) {
    Warn(function, "a key that is not a CFString with kCFCopyStringDictionaryKeyCallBacks");
    return true;
  }
  return false;
}

const void* KeepKey(const __CFDictionary* d, const void* key) {
  return d->key_callbacks.retain ? d->key_callbacks.retain(nullptr, key) : key;
}
const void* KeepValue(const __CFDictionary* d, const void* value) {
  return d->value_callbacks.retain ? d->value_callbacks.retain(nullptr, value) : value;
}
void DropKey(const __CFDictionary* d, const void* key) {
  if (d->key_callbacks.release) d->key_callbacks.release(nullptr, key);
}
void DropValue(const __CFDictionary* d, const void* value) {
  if (d->value_callbacks.release) d->value_callbacks.release(nullptr, value);
}

enum class Mode { kAdd, kSet, kReplace };

void Put(__CFDictionary* d, const void* key, const void* value, Mode mode, const char* function) {
  if (RefusesNull(d, key, value, function)) return;
  auto it = d->map.find(key);
  if (it != d->map.end()) {
    if (mode == Mode::kAdd) return;
    // Keep the new value before dropping the old: they may be the same object.
    const void* old = it->second;
    it->second = KeepValue(d, value);
    DropValue(d, old);
    return;
  }
  if (mode == Mode::kReplace) return;
  if (d->capacity > 0 && static_cast<CFIndex>(d->map.size()) >= d->capacity) {
    Warn(function, "the dictionary is at its capacity %ld", d->capacity);
    return;
  }
  d->map.emplace(KeepKey(d, key), KeepValue(d, value));
}

__CFDictionary* MakeDictionary(const CFDictionaryKeyCallBacks* kcb,
                               const CFDictionaryValueCallBacks* vcb, bool is_mutable,
                               CFIndex capacity) {
  return New<__CFDictionary>(kcb ? *kcb : kNullKeyCallBacks, vcb ? *vcb : kNullValueCallBacks,
                             is_mutable, capacity);
}

// A copy with the same callbacks (the source already holds only acceptable pairs).
__CFDictionary* CopyDictionary(const __CFDictionary* src, bool is_mutable, CFIndex capacity) {
  __CFDictionary* d =
      MakeDictionary(&src->key_callbacks, &src->value_callbacks, is_mutable, capacity);
  d->map.reserve(src->map.size());
  for (const auto& [key, value] : src->map) d->map.emplace(KeepKey(d, key), KeepValue(d, value));
  return d;
}

}  // namespace

const TypeInfo kDictionaryTypeInfo = {"CFDictionary", &EqualDictionaries, &HashDictionary,
                                      &DescribeDictionary, &DeleteAs<__CFDictionary>};

}  // namespace vtc::cf

using namespace vtc::cf;

__CFDictionary::~__CFDictionary() {
  // Move the pairs out first: a release callback must not see a half-destroyed map.
  std::vector<std::pair<const void*, const void*>> pairs(map.begin(), map.end());
  map.clear();
  for (const auto& [key, value] : pairs) {
    DropKey(this, key);
    DropValue(this, value);
  }
}

extern "C" {

const CFDictionaryKeyCallBacks kCFTypeDictionaryKeyCallBacks = {
    0, &CFTypeRetainCallBack, &CFTypeReleaseCallBack, &CFCopyDescription, &CFEqual, &CFHash};
const CFDictionaryKeyCallBacks kCFCopyStringDictionaryKeyCallBacks = {
    0, &CopyStringKey, &CFTypeReleaseCallBack, &CFCopyDescription, &CFEqual, &CFHash};
const CFDictionaryValueCallBacks kCFTypeDictionaryValueCallBacks = {
    0, &CFTypeRetainCallBack, &CFTypeReleaseCallBack, &CFCopyDescription, &CFEqual};

CFTypeID CFDictionaryGetTypeID(void) {
  return kDictionaryTypeID;
}

CFDictionaryRef CFDictionaryCreate(CFAllocatorRef, const void** keys, const void** values,
                                   CFIndex numValues, const CFDictionaryKeyCallBacks* keyCallBacks,
                                   const CFDictionaryValueCallBacks* valueCallBacks) {
  if (numValues < 0 || ((!keys || !values) && numValues > 0)) {
    Warn("CFDictionaryCreate", "negative numValues, or NULL keys or values");
    return nullptr;
  }
  Owned<CFMutableDictionaryRef> d(MakeDictionary(keyCallBacks, valueCallBacks, true, 0));
  for (CFIndex i = 0; i < numValues; ++i) {
    if (RefusesNull(d.get(), keys[i], values[i], "CFDictionaryCreate")) return nullptr;
    Put(d.get(), keys[i], values[i], Mode::kSet, "CFDictionaryCreate");
  }
  d.get()->mutable_ = false;
  return d.release();
}

CFDictionaryRef CFDictionaryCreateCopy(CFAllocatorRef, CFDictionaryRef theDict) {
  const __CFDictionary* d = AsDictionary(theDict, "CFDictionaryCreateCopy");
  return d ? CopyDictionary(d, false, 0) : nullptr;
}

CFMutableDictionaryRef CFDictionaryCreateMutable(CFAllocatorRef, CFIndex capacity,
                                                 const CFDictionaryKeyCallBacks* keyCallBacks,
                                                 const CFDictionaryValueCallBacks* valueCallBacks) {
  if (capacity < 0) {
    Warn("CFDictionaryCreateMutable", "negative capacity");
    return nullptr;
  }
  return MakeDictionary(keyCallBacks, valueCallBacks, true, capacity);
}

CFMutableDictionaryRef CFDictionaryCreateMutableCopy(CFAllocatorRef, CFIndex capacity,
                                                     CFDictionaryRef theDict) {
  const __CFDictionary* d = AsDictionary(theDict, "CFDictionaryCreateMutableCopy");
  if (!d) return nullptr;
  const auto count = static_cast<CFIndex>(d->map.size());
  if (capacity < 0 || (capacity > 0 && capacity < count)) {
    Warn("CFDictionaryCreateMutableCopy", "capacity %ld below the count %ld", capacity, count);
    return nullptr;
  }
  return CopyDictionary(d, true, capacity);
}

CFIndex CFDictionaryGetCount(CFDictionaryRef theDict) {
  const __CFDictionary* d = AsDictionary(theDict, "CFDictionaryGetCount");
  return d ? static_cast<CFIndex>(d->map.size()) : 0;
}

Boolean CFDictionaryContainsKey(CFDictionaryRef theDict, const void* key) {
  const __CFDictionary* d = AsDictionary(theDict, "CFDictionaryContainsKey");
  return d && d->map.count(key) > 0;
}

const void* CFDictionaryGetValue(CFDictionaryRef theDict, const void* key) {
  const __CFDictionary* d = AsDictionary(theDict, "CFDictionaryGetValue");
  if (!d) return nullptr;
  auto it = d->map.find(key);
  return it == d->map.end() ? nullptr : it->second;
}

Boolean CFDictionaryGetValueIfPresent(CFDictionaryRef theDict, const void* key,
                                      const void** value) {
  const __CFDictionary* d = AsDictionary(theDict, "CFDictionaryGetValueIfPresent");
  if (!d) return false;
  auto it = d->map.find(key);
  if (it == d->map.end()) return false;
  if (value) *value = it->second;
  return true;
}

void CFDictionaryGetKeysAndValues(CFDictionaryRef theDict, const void** keys, const void** values) {
  const __CFDictionary* d = AsDictionary(theDict, "CFDictionaryGetKeysAndValues");
  if (!d) return;
  std::size_t i = 0;
  for (const auto& [key, value] : d->map) {
    if (keys) keys[i] = key;
    if (values) values[i] = value;
    ++i;
  }
}

void CFDictionaryApplyFunction(CFDictionaryRef theDict, CFDictionaryApplierFunction applier,
                               void* context) {
  const __CFDictionary* d = AsDictionary(theDict, "CFDictionaryApplyFunction");
  if (!d || !applier) return;
  std::vector<std::pair<const void*, const void*>> pairs(d->map.begin(), d->map.end());
  for (const auto& [key, value] : pairs) applier(key, value, context);
}

void CFDictionaryAddValue(CFMutableDictionaryRef theDict, const void* key, const void* value) {
  if (__CFDictionary* d = AsMutableDictionary(theDict, "CFDictionaryAddValue"))
    Put(d, key, value, Mode::kAdd, "CFDictionaryAddValue");
}

void CFDictionarySetValue(CFMutableDictionaryRef theDict, const void* key, const void* value) {
  if (__CFDictionary* d = AsMutableDictionary(theDict, "CFDictionarySetValue"))
    Put(d, key, value, Mode::kSet, "CFDictionarySetValue");
}

void CFDictionaryReplaceValue(CFMutableDictionaryRef theDict, const void* key, const void* value) {
  if (__CFDictionary* d = AsMutableDictionary(theDict, "CFDictionaryReplaceValue"))
    Put(d, key, value, Mode::kReplace, "CFDictionaryReplaceValue");
}

void CFDictionaryRemoveValue(CFMutableDictionaryRef theDict, const void* key) {
  __CFDictionary* d = AsMutableDictionary(theDict, "CFDictionaryRemoveValue");
  if (!d) return;
  auto it = d->map.find(key);
  if (it == d->map.end()) return;
  std::pair<const void*, const void*> pair = *it;
  d->map.erase(it);
  DropKey(d, pair.first);
  DropValue(d, pair.second);
}

void CFDictionaryRemoveAllValues(CFMutableDictionaryRef theDict) {
  __CFDictionary* d = AsMutableDictionary(theDict, "CFDictionaryRemoveAllValues");
  if (!d) return;
  std::vector<std::pair<const void*, const void*>> pairs(d->map.begin(), d->map.end());
  d->map.clear();
  for (const auto& [key, value] : pairs) {
    DropKey(d, key);
    DropValue(d, value);
  }
}

}  // extern "C"
