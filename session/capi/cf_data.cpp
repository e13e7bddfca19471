// SPDX-License-Identifier: GPL-2.0-or-later
// CFData and CFMutableData: a byte vector.
#include <cstdio>

#include "cf_types.h"

namespace vtc::cf {
namespace {

bool EqualData(const Object* a, const Object* b) {
  return static_cast<const __CFData*>(a)->bytes == static_cast<const __CFData*>(b)->bytes;
}

CFHashCode HashData(const Object* o) {
  const auto& bytes = static_cast<const __CFData*>(o)->bytes;
  // The first 80 bytes and the length, as Apple's hashes only a prefix of large data.
  std::size_t n = bytes.size() < 80 ? bytes.size() : 80;
  return HashBytes(bytes.data(), n) ^ bytes.size();
}

std::string DescribeData(const Object* o) {
  const auto& bytes = static_cast<const __CFData*>(o)->bytes;
  std::string s = "<";
  char hex[4];
  for (std::size_t i = 0; i < bytes.size() && i < 64; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", bytes[i]);
    s += hex;
  }
  if (bytes.size() > 64) s += "...(" + std::to_string(bytes.size()) + " bytes)";
  return s + ">";
}

const __CFData* AsData(CFDataRef d, const char* function) {
  const auto* data = Cast<__CFData>(d, kDataTypeID);
  if (!data) Warn(function, "not a CFData");
  return data;
}

__CFData* AsMutableData(CFMutableDataRef d, const char* function) {
  auto* data = CastMutable<__CFData>(d, kDataTypeID);
  if (!data || !data->mutable_) {
    Warn(function, data ? "the data is not mutable" : "not a CFMutableData");
    return nullptr;
  }
  return data;
}

bool FitsCapacity(const __CFData* d, CFIndex length, const char* function) {
  if (d->capacity > 0 && length > d->capacity) {
    Warn(function, "%ld bytes exceed the data's capacity %ld", length, d->capacity);
    return false;
  }
  return true;
}

}  // namespace

const TypeInfo kDataTypeInfo = {"CFData", &EqualData, &HashData, &DescribeData,
                                &DeleteAs<__CFData>};

}  // namespace vtc::cf

using namespace vtc::cf;

extern "C" {

CFTypeID CFDataGetTypeID(void) {
  return kDataTypeID;
}

CFDataRef CFDataCreate(CFAllocatorRef, const UInt8* bytes, CFIndex length) {
  if (length < 0 || (!bytes && length > 0)) {
    Warn("CFDataCreate", "negative length, or NULL bytes");
    return nullptr;
  }
  return New<__CFData>(std::vector<UInt8>(bytes, bytes + length), false, 0);
}

CFDataRef CFDataCreateCopy(CFAllocatorRef, CFDataRef theData) {
  const __CFData* d = AsData(theData, "CFDataCreateCopy");
  if (!d) return nullptr;
  if (!d->mutable_) return static_cast<CFDataRef>(CFRetain(d));
  return New<__CFData>(d->bytes, false, 0);
}

CFMutableDataRef CFDataCreateMutable(CFAllocatorRef, CFIndex capacity) {
  if (capacity < 0) {
    Warn("CFDataCreateMutable", "negative capacity");
    return nullptr;
  }
  return New<__CFData>(std::vector<UInt8>(), true, capacity);
}

CFMutableDataRef CFDataCreateMutableCopy(CFAllocatorRef, CFIndex capacity, CFDataRef theData) {
  const __CFData* d = AsData(theData, "CFDataCreateMutableCopy");
  if (!d) return nullptr;
  if (capacity < 0 || (capacity > 0 && static_cast<CFIndex>(d->bytes.size()) > capacity)) {
    Warn("CFDataCreateMutableCopy", "capacity %ld below the length", capacity);
    return nullptr;
  }
  return New<__CFData>(d->bytes, true, capacity);
}

CFIndex CFDataGetLength(CFDataRef theData) {
  const __CFData* d = AsData(theData, "CFDataGetLength");
  return d ? static_cast<CFIndex>(d->bytes.size()) : 0;
}

const UInt8* CFDataGetBytePtr(CFDataRef theData) {
  const __CFData* d = AsData(theData, "CFDataGetBytePtr");
  return d && !d->bytes.empty() ? d->bytes.data() : nullptr;
}

UInt8* CFDataGetMutableBytePtr(CFMutableDataRef theData) {
  __CFData* d = AsMutableData(theData, "CFDataGetMutableBytePtr");
  return d && !d->bytes.empty() ? d->bytes.data() : nullptr;
}

void CFDataGetBytes(CFDataRef theData, CFRange range, UInt8* buffer) {
  const __CFData* d = AsData(theData, "CFDataGetBytes");
  if (!d) return;
  const auto size = static_cast<CFIndex>(d->bytes.size());
  if (range.location < 0 || range.length < 0 || range.location > size ||
      range.length > size - range.location || (!buffer && range.length > 0)) {
    Warn("CFDataGetBytes", "range {%ld, %ld} outside %ld bytes", range.location, range.length,
         size);
    return;
  }
  if (range.length > 0) std::memcpy(buffer, d->bytes.data() + range.location, range.length);
}

void CFDataAppendBytes(CFMutableDataRef theData, const UInt8* bytes, CFIndex length) {
  __CFData* d = AsMutableData(theData, "CFDataAppendBytes");
  if (!d) return;
  if (length < 0 || (!bytes && length > 0)) {
    Warn("CFDataAppendBytes", "negative length, or NULL bytes");
    return;
  }
  if (!FitsCapacity(d, static_cast<CFIndex>(d->bytes.size()) + length, "CFDataAppendBytes")) return;
  d->bytes.insert(d->bytes.end(), bytes, bytes + length);
}

void CFDataSetLength(CFMutableDataRef theData, CFIndex length) {
  __CFData* d = AsMutableData(theData, "CFDataSetLength");
  if (!d) return;
  if (length < 0) {
    Warn("CFDataSetLength", "negative length");
    return;
  }
  if (!FitsCapacity(d, length, "CFDataSetLength")) return;
  d->bytes.resize(length, 0);
}

}  // extern "C"
