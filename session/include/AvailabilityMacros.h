/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AvailabilityMacros.h for code ported from Apple platforms to Linux with vtcompress's C API:
 * the older spelling of Availability.h's markings (AVAILABLE_MAC_OS_X_VERSION_*_AND_LATER ...),
 * which code tests with #ifdef; see Availability.h for why none of the version numbers exist. */
#ifndef __VTC_AVAILABILITYMACROS_H
#define __VTC_AVAILABILITYMACROS_H

#include <Availability.h>

#define DEPRECATED_ATTRIBUTE __attribute__((deprecated))
#define UNAVAILABLE_ATTRIBUTE __attribute__((unavailable))
#define WEAK_IMPORT_ATTRIBUTE __attribute__((weak))

#endif /* __VTC_AVAILABILITYMACROS_H */
