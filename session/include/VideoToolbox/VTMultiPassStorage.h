/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VTMultiPassStorage: where a compression session keeps its analysis between passes
 * (VideoToolbox/VTMultiPassStorage.h), over the session library's vtc::MultiPassStorage
 * (vtcompress/multipass_storage.h: x264's statistics files).
 *
 * Use as with VideoToolbox: create a storage, set it as the session's
 * kVTCompressionPropertyKey_MultiPassStorage before the first frame (with AverageBitRate:
 * multi-pass is ABR), then BeginPass / encode the same frames / EndPass until EndPass says no
 * further pass is wanted, then VTMultiPassStorageClose.
 *
 * Ownership: Create returns +1 (CFRelease). A session holding the storage as its property keeps
 * the files alive until it is released. Close deletes the files unless
 * kVTMultiPassStorageCreationOption_DoNotDelete was set; releasing the last reference closes it.
 * Any thread. */
#ifndef __VTC_VIDEOTOOLBOX_VTMULTIPASSSTORAGE_H
#define __VTC_VIDEOTOOLBOX_VTMULTIPASSSTORAGE_H

#include <CoreFoundation/CFURL.h>
#include <CoreMedia/CMTimeRange.h>
#include <VideoToolbox/VTBase.h>

__VTC_CF_EXTERN_C_BEGIN

typedef struct OpaqueVTMultiPassStorage* VTMultiPassStorageRef;

VT_EXPORT CFTypeID VTMultiPassStorageGetTypeID(void);

/* CFBoolean, default false: keep the files after Close. */
VT_EXPORT const CFStringRef kVTMultiPassStorageCreationOption_DoNotDelete;
/* This implementation's (CFBoolean, default false): when fileURL already holds a complete first
 * pass (written by another session or process with DoNotDelete), start at the final pass. */
VT_EXPORT const CFStringRef kVTMultiPassStorageCreationOption_ReuseFirstPass;

/* fileURL may be NULL: a temporary file, deleted on Close. timeRange kCMTimeRangeInvalid: the
 * whole stream; otherwise the frames the storage covers (others are skipped in every pass).
 * options may be NULL. A file URL whose directory does not exist or cannot be written is
 * kVTMultiPassStorageInvalidErr; an option that is not one of the two booleans, a fileURL that
 * is not a CFURL, or a NULL out pointer is kVTParameterErr. */
VT_EXPORT OSStatus VTMultiPassStorageCreate(CFAllocatorRef allocator, CFURLRef fileURL,
                                            CMTimeRange timeRange, CFDictionaryRef options,
                                            VTMultiPassStorageRef* multiPassStorageOut);
/* Deletes the files (unless DoNotDelete); idempotent. Close only after the last EndPass. */
VT_EXPORT OSStatus VTMultiPassStorageClose(VTMultiPassStorageRef multiPassStorage);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_VIDEOTOOLBOX_VTMULTIPASSSTORAGE_H */
