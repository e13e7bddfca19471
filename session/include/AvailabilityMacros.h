/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AvailabilityMacros.h for code ported from Apple platforms to Linux with vtcompress's C API.
 * Apple's header has the older spelling of Availability.h's markings; this one has only
 * Availability.h and the plain DEPRECATED/UNAVAILABLE/WEAK_IMPORT attributes. Code that marks
 * declarations with AVAILABLE_MAC_OS_X_VERSION_*_AND_LATER needs them defined empty by hand;
 * none of the version numbers exist (see Availability.h). */
#ifndef __VTC_AVAILABILITYMACROS_H
#define __VTC_AVAILABILITYMACROS_H

#include <Availability.h>

#define DEPRECATED_ATTRIBUTE __attribute__((deprecated))
#define UNAVAILABLE_ATTRIBUTE __attribute__((unavailable))
#define WEAK_IMPORT_ATTRIBUTE __attribute__((weak))

#endif /* __VTC_AVAILABILITYMACROS_H */
