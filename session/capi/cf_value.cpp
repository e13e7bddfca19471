// SPDX-License-Identifier: GPL-2.0-or-later
#include "cf_value.h"

#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "cf_types.h"

namespace vtc::cf {
namespace {

bool HoldsCFValues(const CFArrayCallBacks& cb) {
  return cb.retain == &CFTypeRetainCallBack;
}

// Collections made with NULL (or their own) callbacks hold whatever pointers the caller put in,
// and VideoToolbox reads them as CF objects all the same: FFmpeg makes its frame options with
// CFDictionaryCreate(NULL, keys, values, 1, NULL, NULL). Such a collection is read when each
// element is a CF object, which is found out without touching the pointer: the first 8 bytes are
// copied by the kernel (process_vm_readv on this process: EFAULT, not a crash, for memory that
// is not there; nothing read past a small object's end in this process's own accesses), and
// must be an object header or a CFSTR marker. Where the probe is not allowed, such collections
// are refused, as before.
bool PlausibleCF(const void* p) {
  if (reinterpret_cast<std::uintptr_t>(p) < 0x10000) return false;  // small integers cast
  unsigned char head[8];
  iovec local{head, sizeof head};
  iovec remote{const_cast<void*>(p), sizeof head};
  if (::process_vm_readv(::getpid(), &local, 1, &remote, 1, 0) != ssize_t(sizeof head))
    return false;
  if (std::memcmp(head, __VTC_CFSTR_MARKER, sizeof head) == 0) return true;
  std::uint32_t magic;
  std::memcpy(&magic, head, sizeof magic);
  return magic == kMagicCounted || magic == kMagicImmortal;
}

// Deeper than any property value; a collection that holds itself stops here.
constexpr int kMaxDepth = 32;

bool ToValueAt(CFTypeRef cf, Value* out, int depth);

bool ToValueAt(CFTypeRef cf, Value* out, int depth) {
  if (depth > kMaxDepth) return false;
  if (!cf) {
    *out = Value();
    return true;
  }
  switch (TypeOf(cf)) {
    case kNullTypeID:
      *out = Value();
      return true;
    case kBooleanTypeID:
      *out = Value(static_cast<const __CFBoolean*>(Header(cf))->value);
      return true;
    case kStringTypeID: {
      std::string_view text;
      StringText(cf, &text);
      *out = Value(std::string(text));
      return true;
    }
    case kNumberTypeID: {
      const auto* n = static_cast<const __CFNumber*>(Header(cf));
      *out = n->IsFloat() ? Value(n->d) : Value(static_cast<long long>(n->i));
      return true;
    }
    case kDataTypeID:
      *out = Value(static_cast<const __CFData*>(Header(cf))->bytes);
      return true;
    case kArrayTypeID: {
      const auto* a = static_cast<const __CFArray*>(Header(cf));
      if (!HoldsCFValues(a->callbacks))
        for (const void* v : a->values)
          if (!PlausibleCF(v)) return false;
      Array array;
      array.reserve(a->values.size());
      for (const void* v : a->values) {
        Value element;
        if (!ToValueAt(v, &element, depth + 1)) return false;
        array.push_back(std::move(element));
      }
      *out = Value(std::move(array));
      return true;
    }
    case kDictionaryTypeID: {
      const auto* d = static_cast<const __CFDictionary*>(Header(cf));
      if (d->value_callbacks.retain != &CFTypeRetainCallBack ||
          d->key_callbacks.equal != &CFEqual)  // not kCFType or kCFCopyString keys
        for (const auto& [key, value] : d->map)
          if (!PlausibleCF(key) || !PlausibleCF(value)) return false;
      Dictionary dict;
      for (const auto& [key, value] : d->map) {
        std::string_view name;
        Value element;
        if (!StringText(key, &name) || !ToValueAt(value, &element, depth + 1)) return false;
        dict.emplace(std::string(name), std::move(element));
      }
      *out = Value(std::move(dict));
      return true;
    }
    default: {
      const TypeInfo* info = GetTypeInfo(TypeOf(cf));
      return info && info->to_value && info->to_value(Header(cf), out);
    }
  }
}

}  // namespace

bool ToValue(CFTypeRef cf, Value* out) {
  return ToValueAt(cf, out, 0);
}

bool CreateCFValue(const Value& value, CFTypeRef* out) {
  *out = nullptr;
  switch (value.type()) {
    case Value::Type::kNull:
      *out = kCFNull;
      return true;
    case Value::Type::kBool:
      *out = value.AsBool() ? kCFBooleanTrue : kCFBooleanFalse;
      return true;
    case Value::Type::kInt: {
      std::int64_t i = 0;
      value.GetInt(&i);
      if (i >= INT32_MIN && i <= INT32_MAX) {
        auto i32 = static_cast<std::int32_t>(i);
        *out = CFNumberCreate(nullptr, kCFNumberSInt32Type, &i32);
      } else {
        *out = CFNumberCreate(nullptr, kCFNumberSInt64Type, &i);
      }
      return true;
    }
    case Value::Type::kDouble: {
      double d = 0;
      value.GetDouble(&d);
      *out = CFNumberCreate(nullptr, kCFNumberFloat64Type, &d);
      return true;
    }
    case Value::Type::kString:
      if (value.AsString().find('\0') != std::string::npos) return false;  // C strings end there
      *out = CFStringCreateWithCString(nullptr, value.AsString().c_str(), kCFStringEncodingUTF8);
      return *out != nullptr;
    case Value::Type::kData: {
      const Data& data = value.AsData();
      *out = CFDataCreate(nullptr, data.data(), static_cast<CFIndex>(data.size()));
      return true;
    }
    case Value::Type::kArray: {
      Owned<CFMutableArrayRef> array(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
      for (const Value& v : value.AsArray()) {
        CFTypeRef element;
        if (!CreateCFValue(v, &element)) return false;
        Owned<CFTypeRef> held(element);
        CFArrayAppendValue(array.get(), element);
      }
      array.get()->mutable_ = false;
      *out = array.release();
      return true;
    }
    case Value::Type::kDictionary: {
      Owned<CFMutableDictionaryRef> dict(CFDictionaryCreateMutable(
          nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
      for (const auto& [name, v] : value.AsDictionary()) {
        CFTypeRef element;
        Owned<CFStringRef> key(
            CFStringCreateWithCString(nullptr, name.c_str(), kCFStringEncodingUTF8));
        if (!key || !CreateCFValue(v, &element)) return false;
        Owned<CFTypeRef> held(element);
        CFDictionarySetValue(dict.get(), key.get(), element);
      }
      dict.get()->mutable_ = false;
      *out = dict.release();
      return true;
    }
    case Value::Type::kObject:
      return false;
  }
  return false;
}

}  // namespace vtc::cf
