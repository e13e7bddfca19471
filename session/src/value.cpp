// SPDX-License-Identifier: GPL-2.0-or-later
#include "vtcompress/value.h"

#include <cmath>
#include <cstdio>

namespace vtc {

bool Value::GetBool(bool* out) const {
  if (!IsBool()) return false;
  *out = std::get<bool>(v_);
  return true;
}

bool Value::GetInt(std::int64_t* out) const {
  if (type() == Type::kInt) {
    *out = std::get<std::int64_t>(v_);
    return true;
  }
  if (type() == Type::kDouble) {
    double d = std::get<double>(v_);
    // A whole number only: 29.97 where frames are expected is an error, not 29.
    if (!std::isfinite(d) || d != std::floor(d) || d < -9.2e18 || d > 9.2e18) return false;
    *out = static_cast<std::int64_t>(d);
    return true;
  }
  return false;
}

bool Value::GetDouble(double* out) const {
  if (type() == Type::kDouble) {
    *out = std::get<double>(v_);
    return true;
  }
  if (type() == Type::kInt) {
    *out = static_cast<double>(std::get<std::int64_t>(v_));
    return true;
  }
  return false;
}

bool Value::GetString(std::string* out) const {
  if (!IsString()) return false;
  *out = std::get<std::string>(v_);
  return true;
}

std::string Value::ToString() const {
  switch (type()) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return AsBool() ? "true" : "false";
    case Type::kInt:
      return std::to_string(std::get<std::int64_t>(v_));
    case Type::kDouble: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", std::get<double>(v_));
      return buf;
    }
    case Type::kString:
      return "\"" + AsString() + "\"";
    case Type::kArray: {
      std::string s = "[";
      for (std::size_t i = 0; i < AsArray().size(); ++i) {
        if (i) s += ", ";
        s += AsArray()[i].ToString();
      }
      return s + "]";
    }
    case Type::kDictionary: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, v] : AsDictionary()) {
        if (!first) s += ", ";
        first = false;
        s += k + ": " + v.ToString();
      }
      return s + "}";
    }
    case Type::kData:
      return "<" + std::to_string(AsData().size()) + " bytes>";
    case Type::kObject:
      return "<object>";
  }
  return "?";
}

bool operator==(const Value& a, const Value& b) {
  // Numbers compare by value whatever their representation, as CFNumbers do.
  if (a.IsNumber() && b.IsNumber() && a.type() != b.type()) {
    double x = 0, y = 0;
    a.GetDouble(&x);
    b.GetDouble(&y);
    return x == y;
  }
  return a.v_ == b.v_;
}

const char* TypeName(Value::Type type) {
  switch (type) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return "boolean";
    case Value::Type::kInt:
      return "integer";
    case Value::Type::kDouble:
      return "number";
    case Value::Type::kString:
      return "string";
    case Value::Type::kArray:
      return "array";
    case Value::Type::kDictionary:
      return "dictionary";
    case Value::Type::kData:
      return "data";
    case Value::Type::kObject:
      return "object";
  }
  return "?";
}

}  // namespace vtc
