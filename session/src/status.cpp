// SPDX-License-Identifier: GPL-2.0-or-later
#include "vtcompress/status.h"

namespace vtc {

const char* StatusName(Status status) {
  switch (status) {
    case Status::kNoErr:
      return "noErr";
    case Status::kPropertyNotSupportedErr:
      return "kVTPropertyNotSupportedErr";
    case Status::kPropertyReadOnlyErr:
      return "kVTPropertyReadOnlyErr";
    case Status::kParameterErr:
      return "kVTParameterErr";
    case Status::kInvalidSessionErr:
      return "kVTInvalidSessionErr";
    case Status::kAllocationFailedErr:
      return "kVTAllocationFailedErr";
    case Status::kPixelTransferNotSupportedErr:
      return "kVTPixelTransferNotSupportedErr";
    case Status::kCouldNotCreateInstanceErr:
      return "kVTCouldNotCreateInstanceErr";
    case Status::kCouldNotFindVideoEncoderErr:
      return "kVTCouldNotFindVideoEncoderErr";
    case Status::kVideoEncoderMalfunctionErr:
      return "kVTVideoEncoderMalfunctionErr";
    case Status::kVideoEncoderNotAvailableNowErr:
      return "kVTVideoEncoderNotAvailableNowErr";
    case Status::kFormatDescriptionChangeNotSupportedErr:
      return "kVTFormatDescriptionChangeNotSupportedErr";
    case Status::kMultiPassStorageIdentifierMismatchErr:
      return "kVTMultiPassStorageIdentifierMismatchErr";
    case Status::kMultiPassStorageInvalidErr:
      return "kVTMultiPassStorageInvalidErr";
  }
  return "unknown";
}

}  // namespace vtc
