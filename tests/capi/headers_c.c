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
#include <gst/gst.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
           vtcompress_capi_live_object_count() >= 0;
  free(copy);
  return ok ? 0 : 1;
}
