// SPDX-License-Identifier: GPL-2.0-or-later
// CF values <-> vtc::Value, for the C API's later layers (internal, not installed; not Apple
// API). VTSessionSetProperty turns its CFTypeRef into a Value with ToValue, CopyProperty turns
// the session's Value back with CreateCFValue. The CF runtime (cf_runtime.h) comes with it, for
// types such as CVPixelBuffer and CMSampleBuffer to define themselves.
#pragma once

#include "cf_runtime.h"
#include "vtcompress/value.h"

namespace vtc::cf {

// CF -> Value. CFString -> string, CFNumber -> int (integer types) or double (float types),
// CFBoolean -> bool, CFData -> Data, CFArray -> Array, CFDictionary with CFString keys ->
// Dictionary, kCFNull and NULL -> null. False (with *out untouched) for anything else: another
// CF type, a dictionary with a key that is not a CFString, a collection not made with the
// kCFType callbacks (its values may not be CF objects), or such a value nested anywhere.
bool ToValue(CFTypeRef cf, Value* out);

// Value -> CF, +1 in *out. null -> kCFNull, bool -> kCFBooleanTrue/False, int -> CFNumber
// (kCFNumberSInt32Type when it fits, else kCFNumberSInt64Type), double -> CFNumber
// (kCFNumberFloat64Type), string -> CFString, Data -> CFData, Array -> CFArray and Dictionary ->
// CFDictionary (kCFType callbacks). False, with *out NULL and nothing leaked, for an object
// Value (vtc::Object) anywhere inside, or a string that is not UTF-8 or holds a NUL.
bool CreateCFValue(const Value& value, CFTypeRef* out);

}  // namespace vtc::cf
