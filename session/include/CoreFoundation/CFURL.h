/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CFURL, the part VideoToolbox code uses: file URLs, to name a VTMultiPassStorage's file.
 *
 * Only file system paths: a URL made here is "file://" and an absolute path (a relative path is
 * made absolute against the current directory when the URL is created, which is what Apple's
 * CFURLGetFileSystemRepresentation with resolveAgainstBase gives). Only kCFURLPOSIXPathStyle;
 * another style gives NULL with a warning. Create functions return +1 (CFRelease it), Get does
 * not; the objects are immutable and may be used from any thread. */
#ifndef __VTC_COREFOUNDATION_CFURL_H
#define __VTC_COREFOUNDATION_CFURL_H

#include <CoreFoundation/CFBase.h>
#include <CoreFoundation/CFString.h>

__VTC_CF_EXTERN_C_BEGIN

typedef const struct __CFURL* CFURLRef;

typedef CFIndex CFURLPathStyle;
enum { kCFURLPOSIXPathStyle = 0, kCFURLHFSPathStyle = 1, kCFURLWindowsPathStyle = 2 };

CF_EXPORT CFTypeID CFURLGetTypeID(void);
/* filePath: a CFString path. isDirectory adds the trailing slash to the URL's string. */
CF_EXPORT CFURLRef CFURLCreateWithFileSystemPath(CFAllocatorRef allocator, CFStringRef filePath,
                                                 CFURLPathStyle pathStyle, Boolean isDirectory);
/* buffer: bufLen bytes of a path (no terminating NUL needed). */
CF_EXPORT CFURLRef CFURLCreateFromFileSystemRepresentation(CFAllocatorRef allocator,
                                                           const UInt8* buffer, CFIndex bufLen,
                                                           Boolean isDirectory);
/* The path, NUL-terminated, into buffer; false (buffer untouched) if it does not fit. */
CF_EXPORT Boolean CFURLGetFileSystemRepresentation(CFURLRef url, Boolean resolveAgainstBase,
                                                   UInt8* buffer, CFIndex maxBufLen);
/* +1: the path without a trailing slash (except "/"). */
CF_EXPORT CFStringRef CFURLCopyFileSystemPath(CFURLRef anURL, CFURLPathStyle pathStyle);
/* Get rule: "file:///a/b%20c", percent-encoded, with a trailing slash for a directory. */
CF_EXPORT CFStringRef CFURLGetString(CFURLRef anURL);
CF_EXPORT Boolean CFURLHasDirectoryPath(CFURLRef anURL);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREFOUNDATION_CFURL_H */
