// SPDX-License-Identifier: GPL-2.0-or-later
// One table of colour descriptions: VideoToolbox's strings for ColorPrimaries,
// TransferFunction and YCbCrMatrix (kCVImageBuffer*_ITU_R_709_2, ...) against their ITU-T H.273
// code points (the numbers in an H.264/HEVC VUI, in ISO/IEC 23091-2 and in GStreamer's
// gst_video_color_*_to_iso). The session, every backend and the element use it, so a colour
// reads the same at every layer. After CoreVideo's CVColorPrimariesGetIntegerCodePointForString
// and its siblings.
//
// Pure functions over static data; any thread.
#pragma once

#include "vtcompress/export.h"

#include <string>
#include <vector>

namespace vtc {

// H.273 "unspecified", what an unknown or empty name maps to (as CoreVideo answers).
constexpr int kColorCodeUnspecified = 2;

// VideoToolbox's name -> H.273 code; kColorCodeUnspecified if the name is not one of them.
VTC_EXPORT int ColorPrimariesGetIntegerCodePointForString(const std::string& name);
VTC_EXPORT int TransferFunctionGetIntegerCodePointForString(const std::string& name);
VTC_EXPORT int YCbCrMatrixGetIntegerCodePointForString(const std::string& name);

// H.273 code -> VideoToolbox's name; "" if VideoToolbox has no name for the code.
VTC_EXPORT std::string ColorPrimariesGetStringForIntegerCodePoint(int code);
VTC_EXPORT std::string TransferFunctionGetStringForIntegerCodePoint(int code);
VTC_EXPORT std::string YCbCrMatrixGetStringForIntegerCodePoint(int code);

// Every name each key accepts, in the table's order.
VTC_EXPORT const std::vector<std::string>& ColorPrimariesNames();
VTC_EXPORT const std::vector<std::string>& TransferFunctionNames();
VTC_EXPORT const std::vector<std::string>& YCbCrMatrixNames();

}  // namespace vtc
