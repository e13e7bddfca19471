// SPDX-License-Identifier: GPL-2.0-or-later
// vtc::Value: the small variant that stands in for CFTypeRef property values
// (null, CFBoolean, CFNumber as int or double, CFString, CFArray, CFDictionary, CFData, and an
// object such as a MultiPassStorage).
#pragma once

#include "vtcompress/export.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace vtc {

// Base of the reference-counted objects a Value can hold (CFTypeRefs that are not plain data,
// e.g. vtc::MultiPassStorage). Values holding objects compare equal when they hold the same one.
class VTC_EXPORT Object {
 public:
  virtual ~Object() = default;
};
using ObjectRef = std::shared_ptr<const Object>;

class Value;
using Array = std::vector<Value>;
using Dictionary = std::map<std::string, Value>;
using Data = std::vector<std::uint8_t>;

class VTC_EXPORT Value {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kDictionary, kData, kObject };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<std::int64_t>(i)) {}
  Value(unsigned i) : v_(static_cast<std::int64_t>(i)) {}
  Value(long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(long long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(unsigned long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Dictionary d) : v_(std::move(d)) {}
  Value(Data d) : v_(std::move(d)) {}
  // Any shared_ptr to an Object subclass; a null pointer gives a null Value.
  template <class T, class = std::enable_if_t<std::is_base_of_v<Object, T>>>
  Value(std::shared_ptr<T> o) {
    if (o) v_ = ObjectRef(std::move(o));
  }

  Type type() const { return static_cast<Type>(v_.index()); }
  bool IsNull() const { return type() == Type::kNull; }
  bool IsBool() const { return type() == Type::kBool; }
  // CFNumber: an int or a double.
  bool IsNumber() const { return type() == Type::kInt || type() == Type::kDouble; }
  bool IsString() const { return type() == Type::kString; }
  bool IsArray() const { return type() == Type::kArray; }
  bool IsDictionary() const { return type() == Type::kDictionary; }
  bool IsData() const { return type() == Type::kData; }
  bool IsObject() const { return type() == Type::kObject; }

  // Typed reads. Each returns false, leaving *out alone, when the value is not of that kind.
  bool GetBool(bool* out) const;
  // Ints, and doubles with no fractional part within int64 range (a float where an integer is
  // expected is rejected rather than reinterpreted).
  bool GetInt(std::int64_t* out) const;
  bool GetDouble(double* out) const;  // ints convert
  bool GetString(std::string* out) const;

  // Accessors that assume the type (check first).
  bool AsBool() const { return std::get<bool>(v_); }
  const std::string& AsString() const { return std::get<std::string>(v_); }
  const Array& AsArray() const { return std::get<Array>(v_); }
  const Dictionary& AsDictionary() const { return std::get<Dictionary>(v_); }
  const Data& AsData() const { return std::get<Data>(v_); }
  const ObjectRef& AsObject() const { return std::get<ObjectRef>(v_); }

  // Short human-readable form for logs and errors.
  std::string ToString() const;

  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Dictionary, Data,
               ObjectRef>
      v_;
};

VTC_EXPORT bool operator==(const Value& a, const Value& b);  // the friend's export
VTC_EXPORT const char* TypeName(Value::Type type);

}  // namespace vtc
