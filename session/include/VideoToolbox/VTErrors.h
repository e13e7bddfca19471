/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VideoToolbox's status codes and encode info flags, Apple's values (VideoToolbox/VTErrors.h).
 * The compression session returns those listed in vtcompress/status.h; the others are here for
 * code that compares against them. */
#ifndef __VTC_VIDEOTOOLBOX_VTERRORS_H
#define __VTC_VIDEOTOOLBOX_VTERRORS_H

#include <VideoToolbox/VTBase.h>

__VTC_CF_EXTERN_C_BEGIN

enum {
  kVTPropertyNotSupportedErr = -12900,
  kVTPropertyReadOnlyErr = -12901,
  kVTParameterErr = -12902,
  kVTInvalidSessionErr = -12903,
  kVTAllocationFailedErr = -12904,
  kVTPixelTransferNotSupportedErr = -12905,
  kVTCouldNotFindVideoDecoderErr = -12906,
  kVTCouldNotCreateInstanceErr = -12907,
  kVTCouldNotFindVideoEncoderErr = -12908,
  kVTVideoDecoderBadDataErr = -12909,
  kVTVideoDecoderUnsupportedDataFormatErr = -12910,
  kVTVideoDecoderMalfunctionErr = -12911,
  kVTVideoEncoderMalfunctionErr = -12912,
  kVTVideoDecoderNotAvailableNowErr = -12913,
  kVTImageRotationNotSupportedErr = -12914,
  kVTPixelRotationNotSupportedErr = -12914,
  kVTVideoEncoderNotAvailableNowErr = -12915,
  kVTFormatDescriptionChangeNotSupportedErr = -12916,
  kVTInsufficientSourceColorDataErr = -12917,
  kVTCouldNotCreateColorCorrectionDataErr = -12918,
  kVTColorSyncTransformConvertFailedErr = -12919,
  kVTVideoDecoderAuthorizationErr = -12210,
  kVTVideoEncoderAuthorizationErr = -12211,
  kVTColorCorrectionPixelTransferFailedErr = -12212,
  kVTMultiPassStorageIdentifierMismatchErr = -12213,
  kVTMultiPassStorageInvalidErr = -12214,
  kVTFrameSiloInvalidTimeStampErr = -12215,
  kVTFrameSiloInvalidTimeRangeErr = -12216,
  kVTCouldNotFindTemporalFilterErr = -12217,
  kVTPixelTransferNotPermittedErr = -12218
};

typedef UInt32 VTEncodeInfoFlags;
enum {
  kVTEncodeInfo_Asynchronous = 1UL << 0, /* the frame is being (or was) encoded asynchronously */
  kVTEncodeInfo_FrameDropped = 1UL << 1  /* the frame was dropped; no sample */
};

__VTC_CF_EXTERN_C_END

#endif /* __VTC_VIDEOTOOLBOX_VTERRORS_H */
