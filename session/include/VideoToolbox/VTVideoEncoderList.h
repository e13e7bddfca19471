/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The encoders there are (VideoToolbox/VTVideoEncoderList.h): x264 for 'avc1', x265 for
 * 'hvc1'. */
#ifndef __VTC_VIDEOTOOLBOX_VTVIDEOENCODERLIST_H
#define __VTC_VIDEOTOOLBOX_VTVIDEOENCODERLIST_H

#include <VideoToolbox/VTBase.h>

__VTC_CF_EXTERN_C_BEGIN

/* +1 in *listOfVideoEncodersOut: a CFArray of CFDictionaries with the keys below. options may be
 * NULL (no option is read). kVTParameterErr for a NULL out, or options that are not a
 * dictionary. */
VT_EXPORT OSStatus VTCopyVideoEncoderList(CFDictionaryRef options,
                                          CFArrayRef* listOfVideoEncodersOut);

VT_EXPORT const CFStringRef kVTVideoEncoderList_CodecType; /* CFNumber, the four-char code */
VT_EXPORT const CFStringRef kVTVideoEncoderList_EncoderID; /* CFString, reverse DNS */
VT_EXPORT const CFStringRef kVTVideoEncoderList_CodecName;
VT_EXPORT const CFStringRef kVTVideoEncoderList_EncoderName;
VT_EXPORT const CFStringRef kVTVideoEncoderList_DisplayName;
VT_EXPORT const CFStringRef kVTVideoEncoderList_IsHardwareAccelerated;   /* kCFBooleanFalse */
VT_EXPORT const CFStringRef kVTVideoEncoderList_SupportsFrameReordering; /* CFBoolean */

__VTC_CF_EXTERN_C_END

#endif /* __VTC_VIDEOTOOLBOX_VTVIDEOENCODERLIST_H */
