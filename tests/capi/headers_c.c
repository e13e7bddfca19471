/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compile test: the CoreFoundation, CoreMedia, CoreVideo and VideoToolbox headers in a C11
 * translation unit beside glibc's and GStreamer's, built with -Wall -Wextra -Wpedantic -Werror
 * (tests/capi/meson.build). Including them in both orders and using a few names from each catches
 * clashing types or macros. */
#include <CoreFoundation/CFString.h> /* again, after GStreamer: include guards hold */
#include <CoreFoundation/CoreFoundation.h>
#include <CoreMedia/CoreMedia.h>
#include <CoreVideo/CoreVideo.h>
#include <VideoToolbox/VideoToolbox.h>
#include <VideoToolbox/vtcompress_capi.h>
/* Apple's SDK headers that ported code includes beside the frameworks. */
#include <Availability.h>
#include <AvailabilityMacros.h>
#include <TargetConditionals.h>
#include <gst/gst.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if TARGET_OS_MAC || TARGET_OS_OSX || TARGET_OS_IPHONE || !TARGET_OS_LINUX
#error "TargetConditionals.h: Linux is none of Apple's systems"
#endif
#if defined(__x86_64__) != TARGET_CPU_X86_64 || defined(__aarch64__) != TARGET_CPU_ARM64
#error "TargetConditionals.h: the CPU macros follow the compiler"
#endif
#if defined(MAC_OS_X_VERSION_10_9) || defined(__MAC_OS_X_VERSION_MAX_ALLOWED)
#error "Availability.h: no SDK version exists, so version comparisons take the older branch"
#endif
#if !defined(kCFCoreFoundationVersionNumber10_7)
#error "CFBase.h: FFmpeg maps NV12 only under #ifdef kCFCoreFoundationVersionNumber10_7"
#endif

API_AVAILABLE(macos(10.15), ios(13.0)) static int MarkedAvailable(void) {
  return 1;
}

static const CFStringRef kFileScopeKey = CFSTR("file-scope");
static const CMTime kFileScopeTime = {1, 30, kCMTimeFlags_Valid, 0};

int capi_headers_c(void);
int capi_headers_c(void) {
  gboolean g = TRUE;
  Boolean b = true;
  uint32_t be = CFSwapInt32HostToBig(1);
  char* copy = malloc(2);
  if (copy) memcpy(copy, "x", 2);
  int ok = g && b && be != 0 && CMTIME_IS_NUMERIC(kFileScopeTime) &&
           kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange == 0x34323076 && copy &&
           CFStringGetLength(kFileScopeKey) == 10 && GST_VERSION_MAJOR == 1 &&
           kVTParameterErr == -12902 && kCMBlockBufferBadOffsetParameterErr == -12703 &&
           VTCompressionSessionGetTypeID() != CMSampleBufferGetTypeID() &&
           vtcompress_capi_live_object_count() >= 0 &&
           /* GCC has no __builtin_available: Availability.h makes it true */
           (__builtin_available(macOS 10.15, iOS 13, *) ? MarkedAvailable() : 0) &&
           kCFCoreFoundationVersionNumber >= kCFCoreFoundationVersionNumber10_7;
  free(copy);
  return ok ? 0 : 1;
}
