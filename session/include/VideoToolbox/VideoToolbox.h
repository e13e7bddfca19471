/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VideoToolbox's compression API with Apple's names, types and values, on libvtcompress (x264
 * and x265). Build with `pkg-config --cflags --libs vtcompress`; docs/capi.md lists what is here
 * and where it differs from Apple's. */
#ifndef __VTC_VIDEOTOOLBOX_VIDEOTOOLBOX_H
#define __VTC_VIDEOTOOLBOX_VIDEOTOOLBOX_H

#include <VideoToolbox/VTBase.h>
#include <VideoToolbox/VTCompressionProperties.h>
#include <VideoToolbox/VTCompressionSession.h>
#include <VideoToolbox/VTErrors.h>
#include <VideoToolbox/VTMultiPassStorage.h>
#include <VideoToolbox/VTSession.h>
#include <VideoToolbox/VTVideoEncoderList.h>

#endif /* __VTC_VIDEOTOOLBOX_VIDEOTOOLBOX_H */
