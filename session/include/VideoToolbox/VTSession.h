/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Properties of any VideoToolbox session (VideoToolbox/VTSession.h): here a
 * VTCompressionSessionRef. Keys and values are CF property values; the session checks them
 * (docs/properties.md). Thread-safe: any thread, also from the session's output callback. */
#ifndef __VTC_VIDEOTOOLBOX_VTSESSION_H
#define __VTC_VIDEOTOOLBOX_VTSESSION_H

#include <VideoToolbox/VTBase.h>

__VTC_CF_EXTERN_C_BEGIN

typedef CFTypeRef VTSessionRef;

/* Keys of each entry of VTSessionCopySupportedPropertyDictionary, and their values. Besides
 * Apple's types the session reports "String", "Array", "Dictionary", "Data" and
 * "MultiPassStorage", and two keys of its own, "DefaultValue" and "ChangeableBetweenFrames". */
VT_EXPORT const CFStringRef kVTPropertyTypeKey;
VT_EXPORT const CFStringRef kVTPropertyType_Enumeration;
VT_EXPORT const CFStringRef kVTPropertyType_Boolean;
VT_EXPORT const CFStringRef kVTPropertyType_Number;
VT_EXPORT const CFStringRef kVTPropertyReadWriteStatusKey;
VT_EXPORT const CFStringRef kVTPropertyReadWriteStatus_ReadOnly;
VT_EXPORT const CFStringRef kVTPropertyReadWriteStatus_ReadWrite;
VT_EXPORT const CFStringRef kVTPropertySupportedValueMinimumKey;
VT_EXPORT const CFStringRef kVTPropertySupportedValueMaximumKey;
VT_EXPORT const CFStringRef kVTPropertySupportedValueListKey;
VT_EXPORT const CFStringRef kVTPropertyDocumentationKey;

/* The supported keys (+1 in *supportedPropertyDictionaryOut): key -> dictionary of the keys
 * above. kVTParameterErr for a NULL out or what is not a session. */
VT_EXPORT OSStatus VTSessionCopySupportedPropertyDictionary(
    VTSessionRef session, CFDictionaryRef* supportedPropertyDictionaryOut);
/* Sets one property; propertyValue NULL restores the default. kVTPropertyNotSupportedErr for an
 * unknown key, kVTPropertyReadOnlyErr for a read-only one (or one that can no longer change),
 * kVTParameterErr for a key that is not a CFString, a value of the wrong CF type or out of range
 * (the old value is kept), kVTInvalidSessionErr after Invalidate. */
VT_EXPORT OSStatus VTSessionSetProperty(VTSessionRef session, CFStringRef propertyKey,
                                        CFTypeRef propertyValue);
/* Sets each entry in turn (in key order) and stops at the first failure; earlier ones stay set. */
VT_EXPORT OSStatus VTSessionSetProperties(VTSessionRef session, CFDictionaryRef propertyDictionary);
/* The value (+1 in *(CFTypeRef*)propertyValueOut, which may be NULL for a property without a
 * value). kVTPropertyNotSupportedErr for an unknown key and for MultiPassStorage (it holds no CF
 * value here). */
VT_EXPORT OSStatus VTSessionCopyProperty(VTSessionRef session, CFStringRef propertyKey,
                                         CFAllocatorRef allocator, void* propertyValueOut);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_VIDEOTOOLBOX_VTSESSION_H */
