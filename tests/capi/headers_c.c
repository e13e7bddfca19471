/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compile test: the CoreFoundation headers in a C11 translation unit beside glibc's and
 * GStreamer's, built with -Wall -Wextra -Wpedantic -Werror (tests/capi/meson.build). Including
 * them in both orders and using a few names from each catches clashing types or macros. */
#include <CoreFoundation/CFString.h> /* again, after GStreamer: include guards hold */
#include <CoreFoundation/CoreFoundation.h>
#include <gst/gst.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const CFStringRef kFileScopeKey = CFSTR("file-scope");

int capi_headers_c(void);
int capi_headers_c(void) {
  gboolean g = TRUE;
  Boolean b = true;
  uint32_t be = CFSwapInt32HostToBig(1);
  char* copy = malloc(2);
  if (copy) memcpy(copy, "x", 2);
  int ok =
      g && b && be != 0 && copy && CFStringGetLength(kFileScopeKey) == 10 && GST_VERSION_MAJOR == 1;
  free(copy);
  return ok ? 0 : 1;
}
