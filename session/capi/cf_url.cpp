// SPDX-License-Identifier: GPL-2.0-or-later
// CFURL: file URLs only (CoreFoundation/CFURL.h).
#include <CoreFoundation/CFURL.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <string>

#include "cf_types.h"

struct __CFURL : vtc::cf::Object {
  __CFURL(std::string p, bool dir);
  ~__CFURL();
  const std::string path;  // absolute, no trailing slash but for "/"
  const bool directory;
  CFStringRef string = nullptr;  // "file://...", made with the URL (Get rule)
};

namespace vtc::cf {
namespace {

bool EqualUrl(const Object* a, const Object* b) {
  const auto* x = static_cast<const __CFURL*>(a);
  const auto* y = static_cast<const __CFURL*>(b);
  return x->path == y->path && x->directory == y->directory;
}

CFHashCode HashUrl(const Object* o) {
  const auto* u = static_cast<const __CFURL*>(o);
  return HashBytes(u->path.data(), u->path.size()) ^ (u->directory ? 1 : 0);
}

std::string UrlString(const std::string& path, bool directory) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string s = "file://";
  for (unsigned char c : path) {
    // RFC 3986 unreserved characters and the path's own separators stay as they are.
    if (std::isalnum(c) || std::strchr("-._~/!$&'()*+,;=:@", c)) {
      s += char(c);
    } else {
      s += '%';
      s += kHex[c >> 4];
      s += kHex[c & 15];
    }
  }
  if (directory && path != "/") s += '/';
  return s;
}

std::string DescribeUrl(const Object* o) {
  const auto* u = static_cast<const __CFURL*>(o);
  return UrlString(u->path, u->directory);
}

const __CFURL* AsUrl(CFURLRef url, const char* function) {
  const auto* u = Cast<__CFURL>(url, CFURLGetTypeID());
  if (!u) Warn(function, "not a CFURL");
  return u;
}

CFURLRef MakeUrl(std::string path, bool directory, const char* function) {
  if (path.empty() || path.find('\0') != std::string::npos) {
    Warn(function, "an empty path, or one with a NUL byte");
    return nullptr;
  }
  if (path[0] != '/') {
    char cwd[4096];
    if (!::getcwd(cwd, sizeof cwd)) {
      Warn(function, "a relative path, and the current directory cannot be read");
      return nullptr;
    }
    path = std::string(cwd) + "/" + path;
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return New<__CFURL>(std::move(path), directory);
}

}  // namespace
}  // namespace vtc::cf

using namespace vtc::cf;

__CFURL::__CFURL(std::string p, bool dir)
    : Object(CFURLGetTypeID(), kMagicCounted), path(std::move(p)), directory(dir) {
  string = MakeString(UrlString(path, directory));
}

__CFURL::~__CFURL() {
  if (string) CFRelease(string);
}

extern "C" {

CFTypeID CFURLGetTypeID(void) {
  static const CFTypeID id =
      RegisterType<__CFURL>({"CFURL", &EqualUrl, &HashUrl, &DescribeUrl, nullptr});
  return id;
}

CFURLRef CFURLCreateWithFileSystemPath(CFAllocatorRef, CFStringRef filePath,
                                       CFURLPathStyle pathStyle, Boolean isDirectory) {
  std::string_view text;
  if (!StringText(filePath, &text)) {
    Warn(__func__, "filePath is not a CFString");
    return nullptr;
  }
  if (pathStyle != kCFURLPOSIXPathStyle) {
    Warn(__func__, "only kCFURLPOSIXPathStyle paths exist here");
    return nullptr;
  }
  return MakeUrl(std::string(text), isDirectory, __func__);
}

CFURLRef CFURLCreateFromFileSystemRepresentation(CFAllocatorRef, const UInt8* buffer,
                                                 CFIndex bufLen, Boolean isDirectory) {
  if (!buffer || bufLen <= 0) {
    Warn(__func__, "NULL buffer or no bytes");
    return nullptr;
  }
  return MakeUrl(std::string(reinterpret_cast<const char*>(buffer), std::size_t(bufLen)),
                 isDirectory, __func__);
}

Boolean CFURLGetFileSystemRepresentation(CFURLRef url, Boolean, UInt8* buffer, CFIndex maxBufLen) {
  const __CFURL* u = AsUrl(url, __func__);
  if (!u || !buffer || maxBufLen <= 0 || u->path.size() + 1 > std::size_t(maxBufLen)) return false;
  std::memcpy(buffer, u->path.c_str(), u->path.size() + 1);
  return true;
}

CFStringRef CFURLCopyFileSystemPath(CFURLRef anURL, CFURLPathStyle pathStyle) {
  const __CFURL* u = AsUrl(anURL, __func__);
  if (!u) return nullptr;
  if (pathStyle != kCFURLPOSIXPathStyle) {
    Warn(__func__, "only kCFURLPOSIXPathStyle paths exist here");
    return nullptr;
  }
  return MakeString(u->path);
}

CFStringRef CFURLGetString(CFURLRef anURL) {
  const __CFURL* u = AsUrl(anURL, __func__);
  return u ? u->string : nullptr;
}

Boolean CFURLHasDirectoryPath(CFURLRef anURL) {
  const __CFURL* u = AsUrl(anURL, __func__);
  return u && u->directory;
}

}  // extern "C"
