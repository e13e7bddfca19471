// SPDX-License-Identifier: GPL-2.0-or-later
// vtc::Status: VideoToolbox's OSStatus codes, so ported code can compare numbers it already knows.
#pragma once

#include "vtcompress/export.h"

#include <cstdint>

namespace vtc {

// The numeric values are VideoToolbox's (VTErrors.h); `static_cast<int32_t>(s)` is the OSStatus.
enum class Status : std::int32_t {
  kNoErr = 0,
  kPropertyNotSupportedErr = -12900,  // unknown or unimplemented key
  kPropertyReadOnlyErr = -12901,      // read-only key, or a key that can no longer change
  kParameterErr = -12902,             // bad argument, wrong type, out of range, PTS not increasing
  kInvalidSessionErr = -12903,        // the session was invalidated
  kAllocationFailedErr = -12904,      // memory or pool allocation failed
  kPixelTransferNotSupportedErr = -12905,  // a pixel format the encoder cannot take
  kCouldNotCreateInstanceErr = -12907,
  kCouldNotFindVideoEncoderErr = -12908,  // unknown EncoderID, or hardware required
  kVideoEncoderMalfunctionErr = -12912,   // x264 failed; delivered through the output callback
  kVideoEncoderNotAvailableNowErr = -12915,
  kFormatDescriptionChangeNotSupportedErr = -12916,
  // Multi-pass: the stored statistics do not belong to this stream (other size or frames).
  kMultiPassStorageIdentifierMismatchErr = -12213,
  // Multi-pass: no MultiPassStorage set, or it was closed, or its files are unusable.
  kMultiPassStorageInvalidErr = -12214,
};

// Short name of a status, e.g. "kVTParameterErr"; "unknown" for values not listed above.
VTC_EXPORT const char* StatusName(Status status);

inline constexpr std::int32_t ToOSStatus(Status s) {
  return static_cast<std::int32_t>(s);
}
inline constexpr bool Ok(Status s) {
  return s == Status::kNoErr;
}

}  // namespace vtc
