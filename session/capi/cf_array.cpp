// SPDX-License-Identifier: GPL-2.0-or-later
// CFArray and CFMutableArray: a vector of pointers kept through the array's callbacks, and the
// kCFType callbacks that the dictionaries share.
#include <cstdio>

#include "cf_types.h"

namespace vtc::cf {

const void* CFTypeRetainCallBack(CFAllocatorRef, const void* value) {
  return CFRetain(value);
}
void CFTypeReleaseCallBack(CFAllocatorRef, const void* value) {
  CFRelease(value);
}

// A description of one value through a collection's copyDescription callback.
std::string DescribeElement(CFStringRef (*copy_description)(const void*), const void* value) {
  if (copy_description == &CFCopyDescription) return Describe(value);
  if (!copy_description) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "<%p>", value);
    return buf;
  }
  Owned<CFStringRef> text(copy_description(value));
  std::string_view view;
  return text && StringText(text.get(), &view) ? std::string(view) : "<?>";
}

namespace {

constexpr CFArrayCallBacks kNullArrayCallBacks = {0, nullptr, nullptr, nullptr, nullptr};

bool ValuesEqual(const CFArrayCallBacks& cb, const void* a, const void* b) {
  return a == b || (cb.equal && cb.equal(a, b));
}

bool EqualArrays(const Object* a, const Object* b) {
  const auto* x = static_cast<const __CFArray*>(a);
  const auto* y = static_cast<const __CFArray*>(b);
  if (x->values.size() != y->values.size()) return false;
  for (std::size_t i = 0; i < x->values.size(); ++i)
    if (!ValuesEqual(x->callbacks, x->values[i], y->values[i])) return false;
  return true;
}

// The count, as Apple's: equal arrays have equal counts.
CFHashCode HashArray(const Object* o) {
  return static_cast<const __CFArray*>(o)->values.size();
}

std::string DescribeArray(const Object* o) {
  const auto* a = static_cast<const __CFArray*>(o);
  std::string s = "(";
  for (std::size_t i = 0; i < a->values.size(); ++i)
    s += (i ? ", " : " ") + DescribeElement(a->callbacks.copyDescription, a->values[i]);
  return s + (a->values.empty() ? ")" : " )");
}

const __CFArray* AsArray(CFArrayRef array, const char* function) {
  const auto* a = Cast<__CFArray>(array, kArrayTypeID);
  if (!a) Warn(function, "not a CFArray");
  return a;
}

__CFArray* AsMutableArray(CFMutableArrayRef array, const char* function) {
  auto* a = CastMutable<__CFArray>(array, kArrayTypeID);
  if (!a || !a->mutable_) {
    Warn(function, a ? "the array is not mutable" : "not a CFMutableArray");
    return nullptr;
  }
  return a;
}

// Collections with the kCFType callbacks hold CF objects: NULL is refused (Apple's crashes).
bool RefusesNull(const CFArrayCallBacks& cb, const void* value, const char* function) {
  if (value || cb.retain != &CFTypeRetainCallBack) return false;
  Warn(function, "NULL value in an array with kCFTypeArrayCallBacks");
  return true;
}

const void* Keep(const __CFArray* a, const void* value) {
  return a->callbacks.retain ? a->callbacks.retain(nullptr, value) : value;
}

void Drop(const __CFArray* a, const void* value) {
  if (a->callbacks.release) a->callbacks.release(nullptr, value);
}

__CFArray* MakeArray(const CFArrayCallBacks* cb, bool is_mutable, CFIndex capacity,
                     const void* const* values, CFIndex count, const char* function) {
  const CFArrayCallBacks& callbacks = cb ? *cb : kNullArrayCallBacks;
  for (CFIndex i = 0; i < count; ++i)
    if (RefusesNull(callbacks, values[i], function)) return nullptr;
  auto* a = New<__CFArray>(callbacks, is_mutable, capacity);
  a->values.reserve(count);
  for (CFIndex i = 0; i < count; ++i) a->values.push_back(Keep(a, values[i]));
  return a;
}

}  // namespace

const TypeInfo kArrayTypeInfo = {"CFArray", &EqualArrays, &HashArray, &DescribeArray,
                                 &DeleteAs<__CFArray>};

}  // namespace vtc::cf

using namespace vtc::cf;

__CFArray::~__CFArray() {
  for (const void* v : values) Drop(this, v);
}

extern "C" {

const CFArrayCallBacks kCFTypeArrayCallBacks = {0, &CFTypeRetainCallBack, &CFTypeReleaseCallBack,
                                                &CFCopyDescription, &CFEqual};

CFTypeID CFArrayGetTypeID(void) {
  return kArrayTypeID;
}

CFArrayRef CFArrayCreate(CFAllocatorRef, const void** values, CFIndex numValues,
                         const CFArrayCallBacks* callBacks) {
  if (numValues < 0 || (!values && numValues > 0)) {
    Warn("CFArrayCreate", "negative numValues, or NULL values");
    return nullptr;
  }
  return MakeArray(callBacks, false, 0, values, numValues, "CFArrayCreate");
}

CFArrayRef CFArrayCreateCopy(CFAllocatorRef, CFArrayRef theArray) {
  const __CFArray* a = AsArray(theArray, "CFArrayCreateCopy");
  if (!a) return nullptr;
  return MakeArray(&a->callbacks, false, 0, a->values.data(),
                   static_cast<CFIndex>(a->values.size()), "CFArrayCreateCopy");
}

CFMutableArrayRef CFArrayCreateMutable(CFAllocatorRef, CFIndex capacity,
                                       const CFArrayCallBacks* callBacks) {
  if (capacity < 0) {
    Warn("CFArrayCreateMutable", "negative capacity");
    return nullptr;
  }
  return MakeArray(callBacks, true, capacity, nullptr, 0, "CFArrayCreateMutable");
}

CFMutableArrayRef CFArrayCreateMutableCopy(CFAllocatorRef, CFIndex capacity, CFArrayRef theArray) {
  const __CFArray* a = AsArray(theArray, "CFArrayCreateMutableCopy");
  if (!a) return nullptr;
  const auto count = static_cast<CFIndex>(a->values.size());
  if (capacity < 0 || (capacity > 0 && capacity < count)) {
    Warn("CFArrayCreateMutableCopy", "capacity %ld below the count %ld", capacity, count);
    return nullptr;
  }
  return MakeArray(&a->callbacks, true, capacity, a->values.data(), count,
                   "CFArrayCreateMutableCopy");
}

CFIndex CFArrayGetCount(CFArrayRef theArray) {
  const __CFArray* a = AsArray(theArray, "CFArrayGetCount");
  return a ? static_cast<CFIndex>(a->values.size()) : 0;
}

const void* CFArrayGetValueAtIndex(CFArrayRef theArray, CFIndex idx) {
  const __CFArray* a = AsArray(theArray, "CFArrayGetValueAtIndex");
  if (!a) return nullptr;
  if (idx < 0 || idx >= static_cast<CFIndex>(a->values.size())) {
    Warn("CFArrayGetValueAtIndex", "index %ld outside the array's %zu values", idx,
         a->values.size());
    return nullptr;
  }
  return a->values[idx];
}

void CFArrayGetValues(CFArrayRef theArray, CFRange range, const void** values) {
  const __CFArray* a = AsArray(theArray, "CFArrayGetValues");
  if (!a) return;
  const auto count = static_cast<CFIndex>(a->values.size());
  if (range.location < 0 || range.length < 0 || range.location > count ||
      range.length > count - range.location || (!values && range.length > 0)) {
    Warn("CFArrayGetValues", "range {%ld, %ld} outside %ld values", range.location, range.length,
         count);
    return;
  }
  for (CFIndex i = 0; i < range.length; ++i) values[i] = a->values[range.location + i];
}

void CFArrayAppendValue(CFMutableArrayRef theArray, const void* value) {
  __CFArray* a = AsMutableArray(theArray, "CFArrayAppendValue");
  if (!a || RefusesNull(a->callbacks, value, "CFArrayAppendValue")) return;
  if (a->capacity > 0 && static_cast<CFIndex>(a->values.size()) >= a->capacity) {
    Warn("CFArrayAppendValue", "the array is at its capacity %ld", a->capacity);
    return;
  }
  a->values.push_back(Keep(a, value));
}

void CFArrayRemoveValueAtIndex(CFMutableArrayRef theArray, CFIndex idx) {
  __CFArray* a = AsMutableArray(theArray, "CFArrayRemoveValueAtIndex");
  if (!a) return;
  if (idx < 0 || idx >= static_cast<CFIndex>(a->values.size())) {
    Warn("CFArrayRemoveValueAtIndex", "index %ld outside the array", idx);
    return;
  }
  const void* v = a->values[idx];
  a->values.erase(a->values.begin() + idx);
  Drop(a, v);
}

void CFArrayRemoveAllValues(CFMutableArrayRef theArray) {
  __CFArray* a = AsMutableArray(theArray, "CFArrayRemoveAllValues");
  if (!a) return;
  std::vector<const void*> old;
  old.swap(a->values);
  for (const void* v : old) Drop(a, v);
}

}  // extern "C"
