/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CoreFoundation subset that VideoToolbox code uses, with Apple's names, types and values
 * (libvtcompress's C API; docs/capi.md lists what is here and how it differs from Apple's). */
#ifndef __VTC_COREFOUNDATION_COREFOUNDATION_H
#define __VTC_COREFOUNDATION_COREFOUNDATION_H

#include <CoreFoundation/CFArray.h>
#include <CoreFoundation/CFBase.h>
#include <CoreFoundation/CFByteOrder.h>
#include <CoreFoundation/CFData.h>
#include <CoreFoundation/CFDictionary.h>
#include <CoreFoundation/CFNumber.h>
#include <CoreFoundation/CFString.h>
#include <CoreFoundation/CFURL.h>

#endif /* __VTC_COREFOUNDATION_COREFOUNDATION_H */
