// SPDX-License-Identifier: GPL-2.0-or-later
// CFNumber: an int64 or a double, tagged with the canonical fixed-width type it was created as.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "cf_types.h"

namespace vtc::cf {
namespace {

// The canonical fixed-width type of each CFNumberType (0 for an unknown one), as CF's table.
CFNumberType Canonical(CFNumberType t) {
  switch (t) {
    case kCFNumberSInt8Type:
    case kCFNumberCharType:
      return kCFNumberSInt8Type;
    case kCFNumberSInt16Type:
    case kCFNumberShortType:
      return kCFNumberSInt16Type;
    case kCFNumberSInt32Type:
    case kCFNumberIntType:
      return kCFNumberSInt32Type;
    case kCFNumberSInt64Type:
    case kCFNumberLongType:
    case kCFNumberLongLongType:
    case kCFNumberCFIndexType:
    case kCFNumberNSIntegerType:
      return kCFNumberSInt64Type;
    case kCFNumberFloat32Type:
    case kCFNumberFloatType:
      return kCFNumberFloat32Type;
    case kCFNumberFloat64Type:
    case kCFNumberDoubleType:
    case kCFNumberCGFloatType:
      return kCFNumberFloat64Type;
    default:
      return 0;
  }
}
static_assert(sizeof(long) == 8 && sizeof(CFIndex) == 8, "LP64: Long, CFIndex are 64 bits");

template <class T>
T Load(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
void Store(void* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

constexpr double kTwo63 = 9223372036854775808.0;

// int64 -> an integer type of `bits`: clamped, true when in range.
template <class T>
bool StoreInt(std::int64_t v, void* out) {
  const auto lo = static_cast<std::int64_t>(std::numeric_limits<T>::min());
  const auto hi = static_cast<std::int64_t>(std::numeric_limits<T>::max());
  T r = static_cast<T>(v < lo ? lo : v > hi ? hi : v);
  Store(out, r);
  return r == v;
}

// double -> integer type: NaN gives 0, out of range clamps, the rest truncates toward zero.
template <class T>
bool StoreIntFromDouble(double d, void* out) {
  if (std::isnan(d)) {
    Store<T>(out, 0);
    return false;
  }
  const double lo = static_cast<double>(std::numeric_limits<T>::min());  // exact: -2^(n-1)
  const double hi_excl = -lo;                                            // 2^(n-1)
  if (d < lo) {
    Store(out, std::numeric_limits<T>::min());
    return false;
  }
  if (d >= hi_excl) {
    Store(out, std::numeric_limits<T>::max());
    return false;
  }
  T r = static_cast<T>(d);
  Store(out, r);
  return static_cast<double>(r) == d;
}

// A double that holds an exact int64 value?
bool DoubleIsInt64(double d, std::int64_t* i) {
  if (!(d >= -kTwo63 && d < kTwo63) || d != std::trunc(d)) return false;
  *i = static_cast<std::int64_t>(d);
  return true;
}

CFComparisonResult Sign(bool less, bool greater) {
  return less ? kCFCompareLessThan : greater ? kCFCompareGreaterThan : kCFCompareEqualTo;
}

// i <=> d, exactly.
CFComparisonResult CompareIntDouble(std::int64_t i, double d) {
  if (std::isnan(d)) return kCFCompareGreaterThan;  // NaN is below every number
  if (d >= kTwo63) return kCFCompareLessThan;
  if (d < -kTwo63) return kCFCompareGreaterThan;
  double t = std::trunc(d);
  auto ti = static_cast<std::int64_t>(t);
  if (i != ti) return Sign(i<ti, i> ti);
  double frac = d - t;
  return Sign(frac > 0, frac < 0);
}

CFComparisonResult CompareNumbers(const __CFNumber* a, const __CFNumber* b) {
  if (!a->IsFloat() && !b->IsFloat()) return Sign(a->i<b->i, a->i> b->i);
  if (a->IsFloat() && b->IsFloat()) {
    bool na = std::isnan(a->d), nb = std::isnan(b->d);
    if (na || nb) return Sign(na && !nb, nb && !na);
    return Sign(a->d<b->d, a->d> b->d);
  }
  if (!a->IsFloat()) return CompareIntDouble(a->i, b->d);
  CFComparisonResult r = CompareIntDouble(b->i, a->d);
  return -r;
}

bool EqualNumbers(const Object* a, const Object* b) {
  return CompareNumbers(static_cast<const __CFNumber*>(a), static_cast<const __CFNumber*>(b)) ==
         kCFCompareEqualTo;
}

// Equal numbers hash alike: a float with an integer value hashes as that integer.
CFHashCode HashNumber(const Object* o) {
  const auto* n = static_cast<const __CFNumber*>(o);
  std::int64_t i = n->i;
  if (n->IsFloat() && !DoubleIsInt64(n->d, &i)) {
    double d = std::isnan(n->d) ? std::nan("") : n->d;
    return HashBytes(&d, sizeof d) ^ 0x5bd1e995u;
  }
  return HashBytes(&i, sizeof i);
}

std::string DescribeNumber(const Object* o) {
  const auto* n = static_cast<const __CFNumber*>(o);
  char buf[64];
  if (!n->IsFloat()) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n->i));
    return buf;
  }
  // The shortest of %.15g and %.17g that reads back as the same double.
  std::snprintf(buf, sizeof buf, "%.15g", n->d);
  if (std::strtod(buf, nullptr) != n->d && !std::isnan(n->d))
    std::snprintf(buf, sizeof buf, "%.17g", n->d);
  return buf;
}

const __CFNumber* AsNumber(CFNumberRef n, const char* function) {
  const auto* num = Cast<__CFNumber>(n, kNumberTypeID);
  if (!num) Warn(function, "not a CFNumber");
  return num;
}

}  // namespace

const TypeInfo kNumberTypeInfo = {"CFNumber", &EqualNumbers, &HashNumber, &DescribeNumber,
                                  &DeleteAs<__CFNumber>};

}  // namespace vtc::cf

using namespace vtc::cf;

extern "C" {

CFTypeID CFNumberGetTypeID(void) {
  return kNumberTypeID;
}

CFNumberRef CFNumberCreate(CFAllocatorRef, CFNumberType theType, const void* valuePtr) {
  CFNumberType canonical = Canonical(theType);
  if (!canonical || !valuePtr) {
    Warn("CFNumberCreate", "unknown number type %ld or NULL valuePtr", static_cast<long>(theType));
    return nullptr;
  }
  std::int64_t i = 0;
  double d = 0;
  switch (canonical) {
    case kCFNumberSInt8Type:
      i = Load<std::int8_t>(valuePtr);
      break;
    case kCFNumberSInt16Type:
      i = Load<std::int16_t>(valuePtr);
      break;
    case kCFNumberSInt32Type:
      i = Load<std::int32_t>(valuePtr);
      break;
    case kCFNumberSInt64Type:
      i = Load<std::int64_t>(valuePtr);
      break;
    case kCFNumberFloat32Type:
      d = Load<float>(valuePtr);
      break;
    default:
      d = Load<double>(valuePtr);
      break;
  }
  return New<__CFNumber>(canonical, i, d);
}

CFNumberType CFNumberGetType(CFNumberRef number) {
  const __CFNumber* n = AsNumber(number, "CFNumberGetType");
  return n ? n->type : 0;
}

CFIndex CFNumberGetByteSize(CFNumberRef number) {
  const __CFNumber* n = AsNumber(number, "CFNumberGetByteSize");
  if (!n) return 0;
  switch (n->type) {
    case kCFNumberSInt8Type:
      return 1;
    case kCFNumberSInt16Type:
      return 2;
    case kCFNumberSInt32Type:
    case kCFNumberFloat32Type:
      return 4;
    default:
      return 8;
  }
}

Boolean CFNumberIsFloatType(CFNumberRef number) {
  const __CFNumber* n = AsNumber(number, "CFNumberIsFloatType");
  return n && n->IsFloat();
}

Boolean CFNumberGetValue(CFNumberRef number, CFNumberType theType, void* valuePtr) {
  const __CFNumber* n = AsNumber(number, "CFNumberGetValue");
  CFNumberType to = Canonical(theType);
  if (!n || !to || !valuePtr) {
    if (n) Warn("CFNumberGetValue", "unknown number type %ld or NULL valuePtr", (long)theType);
    return false;
  }
  if (!n->IsFloat()) {
    const std::int64_t i = n->i;
    switch (to) {
      case kCFNumberSInt8Type:
        return StoreInt<std::int8_t>(i, valuePtr);
      case kCFNumberSInt16Type:
        return StoreInt<std::int16_t>(i, valuePtr);
      case kCFNumberSInt32Type:
        return StoreInt<std::int32_t>(i, valuePtr);
      case kCFNumberSInt64Type:
        return StoreInt<std::int64_t>(i, valuePtr);
      case kCFNumberFloat32Type: {
        auto f = static_cast<float>(i);
        Store(valuePtr, f);
        std::int64_t back;
        return DoubleIsInt64(f, &back) && back == i;
      }
      default: {
        auto d = static_cast<double>(i);
        Store(valuePtr, d);
        std::int64_t back;
        return DoubleIsInt64(d, &back) && back == i;
      }
    }
  }
  const double d = n->d;
  switch (to) {
    case kCFNumberSInt8Type:
      return StoreIntFromDouble<std::int8_t>(d, valuePtr);
    case kCFNumberSInt16Type:
      return StoreIntFromDouble<std::int16_t>(d, valuePtr);
    case kCFNumberSInt32Type:
      return StoreIntFromDouble<std::int32_t>(d, valuePtr);
    case kCFNumberSInt64Type:
      return StoreIntFromDouble<std::int64_t>(d, valuePtr);
    case kCFNumberFloat32Type: {
      if (std::isfinite(d) && std::fabs(d) > FLT_MAX) {
        Store(valuePtr, d < 0 ? -FLT_MAX : FLT_MAX);
        return false;
      }
      auto f = static_cast<float>(d);
      Store(valuePtr, f);
      return static_cast<double>(f) == d || std::isnan(d);
    }
    default:
      Store(valuePtr, d);
      return true;
  }
}

CFComparisonResult CFNumberCompare(CFNumberRef number, CFNumberRef otherNumber, void*) {
  const __CFNumber* a = AsNumber(number, "CFNumberCompare");
  const __CFNumber* b = AsNumber(otherNumber, "CFNumberCompare");
  if (!a || !b) return a ? kCFCompareGreaterThan : b ? kCFCompareLessThan : kCFCompareEqualTo;
  return CompareNumbers(a, b);
}

}  // extern "C"
