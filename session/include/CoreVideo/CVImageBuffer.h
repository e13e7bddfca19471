/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CVImageBuffer: the image kind of CVBuffer, and the colour attachment keys and values
 * (CoreVideo/CVImageBuffer.h, the part VideoToolbox code uses). The key strings are Apple's
 * ("CVImageBufferColorPrimaries", "CVPixelAspectRatio", ...: code that spells them as CFSTR
 * literals, or reads attachment dictionaries printed on a Mac, finds the same keys), equal to the
 * kCMFormatDescriptionExtension_* of the same meaning as on Apple's platforms. The values are
 * Apple's too ("ITU_R_709_2", ...), which the compression properties of the same names accept. */
#ifndef __VTC_COREVIDEO_CVIMAGEBUFFER_H
#define __VTC_COREVIDEO_CVIMAGEBUFFER_H

#include <CoreVideo/CVBuffer.h>

__VTC_CF_EXTERN_C_BEGIN

typedef CVBufferRef CVImageBufferRef;

CV_EXPORT const CFStringRef kCVImageBufferColorPrimariesKey;
CV_EXPORT const CFStringRef kCVImageBufferColorPrimaries_ITU_R_709_2;
CV_EXPORT const CFStringRef kCVImageBufferColorPrimaries_EBU_3213;
CV_EXPORT const CFStringRef kCVImageBufferColorPrimaries_SMPTE_C;
CV_EXPORT const CFStringRef kCVImageBufferColorPrimaries_ITU_R_2020;
CV_EXPORT const CFStringRef kCVImageBufferColorPrimaries_P3_D65;
CV_EXPORT const CFStringRef kCVImageBufferColorPrimaries_DCI_P3;

CV_EXPORT const CFStringRef kCVImageBufferTransferFunctionKey;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_ITU_R_709_2;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_SMPTE_240M_1995;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_Linear;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_sRGB;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_ITU_R_2020;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_SMPTE_ST_2084_PQ;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_SMPTE_ST_428_1;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_ITU_R_2100_HLG;
CV_EXPORT const CFStringRef kCVImageBufferTransferFunction_UseGamma;
CV_EXPORT const CFStringRef kCVImageBufferGammaLevelKey;

CV_EXPORT const CFStringRef kCVImageBufferYCbCrMatrixKey;
CV_EXPORT const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_709_2;
CV_EXPORT const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_601_4;
CV_EXPORT const CFStringRef kCVImageBufferYCbCrMatrix_SMPTE_240M_1995;
CV_EXPORT const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_2020;

CV_EXPORT const CFStringRef kCVImageBufferPixelAspectRatioKey;
CV_EXPORT const CFStringRef kCVImageBufferPixelAspectRatioHorizontalSpacingKey;
CV_EXPORT const CFStringRef kCVImageBufferPixelAspectRatioVerticalSpacingKey;
CV_EXPORT const CFStringRef kCVImageBufferFieldCountKey;
CV_EXPORT const CFStringRef kCVImageBufferFieldDetailKey;

CV_EXPORT const CFStringRef kCVImageBufferChromaLocationTopFieldKey;
CV_EXPORT const CFStringRef kCVImageBufferChromaLocationBottomFieldKey;
CV_EXPORT const CFStringRef kCVImageBufferChromaLocation_Left;
CV_EXPORT const CFStringRef kCVImageBufferChromaLocation_Center;
CV_EXPORT const CFStringRef kCVImageBufferChromaLocation_TopLeft;
CV_EXPORT const CFStringRef kCVImageBufferChromaLocation_Top;
CV_EXPORT const CFStringRef kCVImageBufferChromaLocation_BottomLeft;
CV_EXPORT const CFStringRef kCVImageBufferChromaLocation_Bottom;
CV_EXPORT const CFStringRef kCVImageBufferChromaLocation_DV420;

/* H.273 code points <-> the value strings (after CVColorPrimariesGetIntegerCodePointForString
 * and its siblings): unknown strings give 2 (unspecified), unknown codes NULL. The strings
 * returned are constants (never released). */
CV_EXPORT int CVColorPrimariesGetIntegerCodePointForString(CFStringRef colorPrimariesString);
CV_EXPORT int CVTransferFunctionGetIntegerCodePointForString(CFStringRef transferFunctionString);
CV_EXPORT int CVYCbCrMatrixGetIntegerCodePointForString(CFStringRef yCbCrMatrixString);
CV_EXPORT CFStringRef CVColorPrimariesGetStringForIntegerCodePoint(int colorPrimariesCodePoint);
CV_EXPORT CFStringRef CVTransferFunctionGetStringForIntegerCodePoint(int transferFunctionCodePoint);
CV_EXPORT CFStringRef CVYCbCrMatrixGetStringForIntegerCodePoint(int yCbCrMatrixCodePoint);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREVIDEO_CVIMAGEBUFFER_H */
