// SPDX-License-Identifier: GPL-2.0-or-later
// CFString: UTF-8 text in the object (heap strings) or in a CFSTR literal after its marker.
#include <cstring>

#include "cf_types.h"

namespace vtc::cf {
namespace {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool ValidUtf8(std::string_view s) {
  std::size_t i = 0, n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

// UTF-16 code units of valid UTF-8 text.
CFIndex Utf16Length(std::string_view s) {
  CFIndex units = 0;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++units;  // a lead byte or ASCII
    if (c >= 0xF0) ++units;           // outside the BMP: a surrogate pair
  }
  return units;
}

bool IsAscii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// Bytes in `encoding` -> UTF-8. False when not supported or not valid.
bool DecodeToUtf8(const char* bytes, CFStringEncoding encoding, std::string* out) {
  std::string_view in(bytes);
  switch (encoding) {
    case kCFStringEncodingUTF8:
      if (!ValidUtf8(in)) return false;
      *out = std::string(in);
      return true;
    case kCFStringEncodingASCII:
    case kCFStringEncodingMacRoman:  // its ASCII half only (no table for the rest)
      if (!IsAscii(in)) return false;
      *out = std::string(in);
      return true;
    case kCFStringEncodingISOLatin1:
      out->clear();
      for (char ch : in) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
          *out += static_cast<char>(c);
        } else {
          *out += static_cast<char>(0xC0 | (c >> 6));
          *out += static_cast<char>(0x80 | (c & 0x3F));
        }
      }
      return true;
    default:
      return false;
  }
}

// UTF-8 -> `encoding`. False when not supported or the text has characters it cannot hold.
bool EncodeFromUtf8(std::string_view text, CFStringEncoding encoding, std::string* out) {
  switch (encoding) {
    case kCFStringEncodingUTF8:
      *out = std::string(text);
      return true;
    case kCFStringEncodingASCII:
    case kCFStringEncodingMacRoman:  // its ASCII half only
      if (!IsAscii(text)) return false;
      *out = std::string(text);
      return true;
    case kCFStringEncodingISOLatin1:
      out->clear();
      for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
          *out += static_cast<char>(c);
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size()) {
          *out += static_cast<char>(((c & 0x03) << 6) | (text[++i] & 0x3F));
        } else {
          return false;  // above U+00FF
        }
      }
      return true;
    default:
      return false;
  }
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
char FoldAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

CFComparisonResult Compare(std::string_view a, std::string_view b, CFStringCompareFlags options) {
  const bool fold = options & kCFCompareCaseInsensitive;
  const bool numeric = options & kCFCompareNumerically;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (numeric && IsDigit(a[i]) && IsDigit(b[j])) {
      // Compare the two digit runs by value: skip leading zeros, then longer is larger.
      std::size_t ei = i, ej = j;
      while (ei < a.size() && IsDigit(a[ei])) ++ei;
      while (ej < b.size() && IsDigit(b[ej])) ++ej;
      std::size_t si = i, sj = j;
      while (si + 1 < ei && a[si] == '0') ++si;
      while (sj + 1 < ej && b[sj] == '0') ++sj;
      if (ei - si != ej - sj) return ei - si < ej - sj ? kCFCompareLessThan : kCFCompareGreaterThan;
      int c = a.substr(si, ei - si).compare(b.substr(sj, ej - sj));
      if (c) return c < 0 ? kCFCompareLessThan : kCFCompareGreaterThan;
      i = ei;
      j = ej;
      continue;
    }
    // UTF-8 byte order is code point order.
    auto ca = static_cast<unsigned char>(fold ? FoldAscii(a[i]) : a[i]);
    auto cb = static_cast<unsigned char>(fold ? FoldAscii(b[j]) : b[j]);
    if (ca != cb) return ca < cb ? kCFCompareLessThan : kCFCompareGreaterThan;
    ++i;
    ++j;
  }
  if (i < a.size()) return kCFCompareGreaterThan;
  if (j < b.size()) return kCFCompareLessThan;
  return kCFCompareEqualTo;
}

__CFString* MutableString(CFMutableStringRef s, const char* function) {
  auto* str = CastMutable<__CFString>(s, kStringTypeID);
  if (!str || !str->mutable_) {
    Warn(function, str ? "the string is not mutable" : "not a mutable CFString");
    return nullptr;
  }
  return str;
}

void AppendChecked(__CFString* str, std::string_view more, const char* function) {
  if (str->max_length > 0 && Utf16Length(str->text) + Utf16Length(more) > str->max_length) {
    Warn(function, "past the string's maximum length %ld", str->max_length);
    return;
  }
  str->text.append(more.data(), more.size());
}

}  // namespace

const TypeInfo kStringTypeInfo = {"CFString", nullptr, nullptr, nullptr, &DeleteAs<__CFString>};

bool StringText(CFTypeRef ref, std::string_view* text) {
  if (IsConstantString(ref)) {
    *text = std::string_view(static_cast<const char*>(ref) + kConstantStringTextOffset);
    return true;
  }
  const auto* s = Cast<__CFString>(ref, kStringTypeID);
  if (!s) return false;
  *text = s->text;
  return true;
}

CFStringRef MakeString(std::string text) {
  return New<__CFString>(std::move(text), false);
}

CFHashCode HashBytes(const void* data, std::size_t size) {
  // FNV-1a, 64 bits.
  std::uint64_t h = 0xcbf29ce484222325ull;
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return static_cast<CFHashCode>(h);
}

}  // namespace vtc::cf

using namespace vtc::cf;

extern "C" {

CFTypeID CFStringGetTypeID(void) {
  return kStringTypeID;
}

CFStringRef CFStringCreateWithCString(CFAllocatorRef, const char* cStr, CFStringEncoding encoding) {
  if (!cStr) {
    Warn("CFStringCreateWithCString", "NULL cStr");
    return nullptr;
  }
  std::string text;
  if (!DecodeToUtf8(cStr, encoding, &text)) {
    Warn("CFStringCreateWithCString", "bytes not valid in encoding 0x%x (or not supported)",
         static_cast<unsigned>(encoding));
    return nullptr;
  }
  return MakeString(std::move(text));
}

CFStringRef CFStringCreateCopy(CFAllocatorRef, CFStringRef theString) {
  std::string_view text;
  if (!StringText(theString, &text)) {
    Warn("CFStringCreateCopy", "not a CFString");
    return nullptr;
  }
  const auto* s = Cast<__CFString>(theString, kStringTypeID);
  if (!s || !s->mutable_) return static_cast<CFStringRef>(CFRetain(theString));
  return MakeString(std::string(text));
}

CFIndex CFStringGetLength(CFStringRef theString) {
  std::string_view text;
  if (!StringText(theString, &text)) {
    Warn("CFStringGetLength", "not a CFString");
    return 0;
  }
  return Utf16Length(text);
}

CFIndex CFStringGetMaximumSizeForEncoding(CFIndex length, CFStringEncoding encoding) {
  if (length < 0) return kCFNotFound;
  switch (encoding) {
    case kCFStringEncodingUTF8:
      return length * 3;  // a UTF-16 unit is at most 3 bytes; a pair (2 units) is 4
    case kCFStringEncodingASCII:
    case kCFStringEncodingMacRoman:
    case kCFStringEncodingISOLatin1:
      return length;
    default:
      return kCFNotFound;
  }
}

Boolean CFStringGetCString(CFStringRef theString, char* buffer, CFIndex bufferSize,
                           CFStringEncoding encoding) {
  if (!buffer || bufferSize <= 0) {
    Warn("CFStringGetCString", "no buffer");
    return false;
  }
  buffer[0] = '\0';
  std::string_view text;
  if (!StringText(theString, &text)) {
    Warn("CFStringGetCString", "not a CFString");
    return false;
  }
  std::string out;
  if (!EncodeFromUtf8(text, encoding, &out)) return false;
  if (static_cast<CFIndex>(out.size()) + 1 > bufferSize) return false;
  std::memcpy(buffer, out.c_str(), out.size() + 1);
  return true;
}

const char* CFStringGetCStringPtr(CFStringRef theString, CFStringEncoding encoding) {
  std::string_view text;
  if (!StringText(theString, &text)) {
    Warn("CFStringGetCStringPtr", "not a CFString");
    return nullptr;
  }
  // Heap text is a std::string and a literal's runs to its NUL: both are NUL-terminated.
  switch (encoding) {
    case kCFStringEncodingUTF8:
      return text.data();
    case kCFStringEncodingASCII:
    case kCFStringEncodingMacRoman:
    case kCFStringEncodingISOLatin1:
      return IsAscii(text) ? text.data() : nullptr;
    default:
      return nullptr;
  }
}

CFComparisonResult CFStringCompare(CFStringRef theString1, CFStringRef theString2,
                                   CFStringCompareFlags compareOptions) {
  std::string_view a, b;
  bool ok1 = StringText(theString1, &a), ok2 = StringText(theString2, &b);
  if (!ok1 || !ok2) {
    // Apple's crashes; here a non-string sorts before any string, two are equal.
    Warn("CFStringCompare", "not a CFString");
    if (ok1 == ok2) return kCFCompareEqualTo;
    return ok1 ? kCFCompareGreaterThan : kCFCompareLessThan;
  }
  return Compare(a, b, compareOptions);
}

CFMutableStringRef CFStringCreateMutable(CFAllocatorRef, CFIndex maxLength) {
  if (maxLength < 0) {
    Warn("CFStringCreateMutable", "negative maxLength");
    return nullptr;
  }
  auto* s = New<__CFString>(std::string(), true);
  s->max_length = maxLength;
  return s;
}

CFMutableStringRef CFStringCreateMutableCopy(CFAllocatorRef, CFIndex maxLength,
                                             CFStringRef theString) {
  std::string_view text;
  if (maxLength < 0 || !StringText(theString, &text)) {
    Warn("CFStringCreateMutableCopy", "not a CFString, or a negative maxLength");
    return nullptr;
  }
  if (maxLength > 0 && Utf16Length(text) > maxLength) {
    Warn("CFStringCreateMutableCopy", "the string is longer than maxLength");
    return nullptr;
  }
  auto* s = New<__CFString>(std::string(text), true);
  s->max_length = maxLength;
  return s;
}

void CFStringAppend(CFMutableStringRef theString, CFStringRef appendedString) {
  __CFString* str = MutableString(theString, "CFStringAppend");
  std::string_view more;
  if (!str) return;
  if (!StringText(appendedString, &more)) {
    Warn("CFStringAppend", "appendedString is not a CFString");
    return;
  }
  std::string copy(more);  // appendedString may be theString itself
  AppendChecked(str, copy, "CFStringAppend");
}

void CFStringAppendCString(CFMutableStringRef theString, const char* cStr,
                           CFStringEncoding encoding) {
  __CFString* str = MutableString(theString, "CFStringAppendCString");
  if (!str) return;
  std::string more;
  if (!cStr || !DecodeToUtf8(cStr, encoding, &more)) {
    Warn("CFStringAppendCString", "NULL, or bytes not valid in encoding 0x%x",
         static_cast<unsigned>(encoding));
    return;
  }
  AppendChecked(str, more, "CFStringAppendCString");
}

}  // extern "C"
