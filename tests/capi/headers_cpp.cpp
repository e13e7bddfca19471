// SPDX-License-Identifier: GPL-2.0-or-later
// Compile test: the CoreFoundation, CoreMedia, CoreVideo and VideoToolbox headers in a C++17
// translation unit beside the C library's and GStreamer's (GStreamer first this time), -Wall
// -Wextra -Wpedantic -Werror; then runs the C translation unit's check too.
#include <CoreFoundation/CoreFoundation.h>
#include <CoreMedia/CoreMedia.h>
#include <CoreVideo/CoreVideo.h>
#include <VideoToolbox/VideoToolbox.h>
#include <gst/gst.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cstdio>

extern "C" int capi_headers_c(void);

namespace {
// At namespace scope in C++ too.
const CFStringRef kNamespaceKey = CFSTR("namespace-scope");
}  // namespace

int main() {
  guint major = 0, minor = 0, micro = 0, nano = 0;
  gst_version(&major, &minor, &micro, &nano);  // no gst_init: nothing process-wide to leak
  CFStringRef heap =
      CFStringCreateWithCString(kCFAllocatorDefault, "namespace-scope", kCFStringEncodingUTF8);
  bool ok = major == 1 && heap && CMTimeCompare(CMTimeMake(1, 2), kCMTimeZero) > 0 &&
            CVPixelBufferGetTypeID() != 0 && VTCompressionSessionGetTypeID() != 0 &&
            CMFormatDescriptionGetTypeID() != 0 && CFEqual(heap, kNamespaceKey) &&
            capi_headers_c() == 0;
  CFRelease(heap);
  std::printf("%s\n", ok ? "headers OK" : "headers check failed");
  return ok ? 0 : 1;
}
