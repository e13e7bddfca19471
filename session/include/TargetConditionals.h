/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TargetConditionals.h for code ported from Apple platforms to Linux with vtcompress's C API.
 *
 * Apple's SDK header says which OS and CPU a translation unit is compiled for. Here every Apple
 * OS macro is 0 (this is none of them: code under "#if TARGET_OS_OSX" or "#if TARGET_OS_IPHONE"
 * is left out, "#if !TARGET_OS_IPHONE" is kept), TARGET_OS_LINUX is 1, and the CPU and runtime
 * macros come from the compiler. Every macro is defined, to 0 or 1, as Apple's are, so both
 * "#if TARGET_X" and "#if defined(TARGET_X)" behave as they do there. */
#ifndef __VTC_TARGETCONDITIONALS_H
#define __VTC_TARGETCONDITIONALS_H

#define TARGET_OS_MAC 0
#define TARGET_OS_OSX 0
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_MACCATALYST 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_VISION 0
#define TARGET_OS_BRIDGE 0
#define TARGET_OS_DRIVERKIT 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_OS_EMBEDDED 0
#define TARGET_IPHONE_SIMULATOR 0
#define TARGET_OS_UNIX 1
#define TARGET_OS_LINUX 1
#define TARGET_OS_WIN32 0
#define TARGET_OS_WINDOWS 0

#if defined(__x86_64__)
#define TARGET_CPU_X86_64 1
#else
#define TARGET_CPU_X86_64 0
#endif
#if defined(__i386__)
#define TARGET_CPU_X86 1
#else
#define TARGET_CPU_X86 0
#endif
#if defined(__aarch64__)
#define TARGET_CPU_ARM64 1
#else
#define TARGET_CPU_ARM64 0
#endif
#if defined(__arm__)
#define TARGET_CPU_ARM 1
#else
#define TARGET_CPU_ARM 0
#endif
#define TARGET_CPU_PPC 0
#define TARGET_CPU_PPC64 0

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define TARGET_RT_LITTLE_ENDIAN 0
#define TARGET_RT_BIG_ENDIAN 1
#else
#define TARGET_RT_LITTLE_ENDIAN 1
#define TARGET_RT_BIG_ENDIAN 0
#endif
#if defined(__LP64__)
#define TARGET_RT_64_BIT 1
#else
#define TARGET_RT_64_BIT 0
#endif
#define TARGET_RT_MAC_MACHO 0
#define TARGET_RT_MAC_CFM 0

#endif /* __VTC_TARGETCONDITIONALS_H */
