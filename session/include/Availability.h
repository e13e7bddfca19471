/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Availability.h for code ported from Apple platforms to Linux with vtcompress's C API.
 *
 * Apple's SDK header marks declarations with the OS versions that have them. On Linux nothing is
 * versioned, so the marking macros expand to nothing, and no __MAC_OS_X_VERSION_* or
 * MAC_OS_X_VERSION_* macro is defined: code that compares SDK versions ("#if
 * MAC_OS_X_VERSION_MAX_ALLOWED >= ...") takes its older-SDK branch, the one that does not rely on
 * newer Apple-only API.
 *
 * Runtime checks, "if (__builtin_available(macOS 10.15, *))": clang answers true on Linux by
 * itself; for GCC, which has no such builtin, this header defines it to 1 (everything the
 * headers declare is there). */
#ifndef __VTC_AVAILABILITY_H
#define __VTC_AVAILABILITY_H

#define __API_AVAILABLE(...)
#define __API_UNAVAILABLE(...)
#define __API_DEPRECATED(...)
#define __API_DEPRECATED_WITH_REPLACEMENT(...)
#define API_AVAILABLE(...)
#define API_UNAVAILABLE(...)
#define API_DEPRECATED(...)
#define API_DEPRECATED_WITH_REPLACEMENT(...)
#define __OSX_AVAILABLE(...)
#define __IOS_AVAILABLE(...)
#define __TVOS_AVAILABLE(...)
#define __WATCHOS_AVAILABLE(...)
#define __OSX_AVAILABLE_STARTING(...)
#define __OSX_AVAILABLE_BUT_DEPRECATED(...)
#define __IOS_PROHIBITED
#define __TVOS_PROHIBITED
#define __WATCHOS_PROHIBITED

#if !defined(__clang__) && !defined(__builtin_available)
#define __builtin_available(...) 1
#endif

#endif /* __VTC_AVAILABILITY_H */
