// SPDX-License-Identifier: GPL-2.0-or-later
// VTC_EXPORT marks what libvtcompress.so exports: the session API in these headers. Everything
// else in the library is built with hidden visibility (meson's gnu_symbol_visibility), so the
// shared library's ABI is exactly what these headers declare.
#pragma once

#if defined(__GNUC__)
#define VTC_EXPORT __attribute__((visibility("default")))
#else
#define VTC_EXPORT
#endif
