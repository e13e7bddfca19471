// SPDX-License-Identifier: GPL-2.0-or-later
// The colour table (vtcompress/color.h): VideoToolbox's names against ITU-T H.273 code points.
#include <gtest/gtest.h>

#include "vtcompress/vtcompress.h"

namespace {

TEST(Color, NamesMapToTheirH273CodePoints) {
  // H.273 Table 2 (colour primaries).
  EXPECT_EQ(vtc::ColorPrimariesGetIntegerCodePointForString("ITU_R_709_2"), 1);
  EXPECT_EQ(vtc::ColorPrimariesGetIntegerCodePointForString("EBU_3213"), 5);
  EXPECT_EQ(vtc::ColorPrimariesGetIntegerCodePointForString("SMPTE_C"), 6);
  EXPECT_EQ(vtc::ColorPrimariesGetIntegerCodePointForString("ITU_R_2020"), 9);
  EXPECT_EQ(vtc::ColorPrimariesGetIntegerCodePointForString("DCI_P3"), 11);
  EXPECT_EQ(vtc::ColorPrimariesGetIntegerCodePointForString("P3_D65"), 12);
  // Table 3 (transfer characteristics).
  EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString("ITU_R_709_2"), 1);
  EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString("SMPTE_240M_1995"), 7);
  EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString("Linear"), 8);
  EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString("IEC_sRGB"), 13);
  EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString("ITU_R_2020"), 14);
  EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString("SMPTE_ST_2084_PQ"), 16);
  EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString("SMPTE_ST_428_1"), 17);
  EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString("ITU_R_2100_HLG"), 18);
  // Table 4 (matrix coefficients).
  EXPECT_EQ(vtc::YCbCrMatrixGetIntegerCodePointForString("ITU_R_709_2"), 1);
  EXPECT_EQ(vtc::YCbCrMatrixGetIntegerCodePointForString("ITU_R_601_4"), 6);
  EXPECT_EQ(vtc::YCbCrMatrixGetIntegerCodePointForString("SMPTE_240M_1995"), 7);
  EXPECT_EQ(vtc::YCbCrMatrixGetIntegerCodePointForString("ITU_R_2020"), 9);
}

TEST(Color, UnknownNamesAreUnspecifiedAndUnnamedCodesEmpty) {
  for (const char* bad : {"", "itu_r_709_2", "BT709", "ITU_R_709"}) {
    EXPECT_EQ(vtc::ColorPrimariesGetIntegerCodePointForString(bad), vtc::kColorCodeUnspecified);
    EXPECT_EQ(vtc::TransferFunctionGetIntegerCodePointForString(bad), vtc::kColorCodeUnspecified);
    EXPECT_EQ(vtc::YCbCrMatrixGetIntegerCodePointForString(bad), vtc::kColorCodeUnspecified);
  }
  for (int code : {-1, 0, 2, 3, 4, 22, 255}) {
    EXPECT_EQ(vtc::ColorPrimariesGetStringForIntegerCodePoint(code), "") << code;
    EXPECT_EQ(vtc::TransferFunctionGetStringForIntegerCodePoint(code), "") << code;
    EXPECT_EQ(vtc::YCbCrMatrixGetStringForIntegerCodePoint(code), "") << code;
  }
}

TEST(Color, EveryNameRoundTripsAndIsWhatTheKeysAccept) {
  struct Key {
    const char* key;
    const std::vector<std::string>& names;
    int (*code)(const std::string&);
    std::string (*name)(int);
  };
  const Key keys[] = {
      {vtc::key::kColorPrimaries, vtc::ColorPrimariesNames(),
       vtc::ColorPrimariesGetIntegerCodePointForString,
       vtc::ColorPrimariesGetStringForIntegerCodePoint},
      {vtc::key::kTransferFunction, vtc::TransferFunctionNames(),
       vtc::TransferFunctionGetIntegerCodePointForString,
       vtc::TransferFunctionGetStringForIntegerCodePoint},
      {vtc::key::kYCbCrMatrix, vtc::YCbCrMatrixNames(),
       vtc::YCbCrMatrixGetIntegerCodePointForString, vtc::YCbCrMatrixGetStringForIntegerCodePoint},
  };
  std::shared_ptr<vtc::CompressionSession> s;
  ASSERT_EQ(vtc::CompressionSession::Create(64, 64, vtc::kCodecType_H264, nullptr, nullptr, nullptr,
                                            nullptr, &s),
            vtc::Status::kNoErr);
  vtc::Dictionary supported;
  ASSERT_EQ(s->CopySupportedPropertyDictionary(&supported), vtc::Status::kNoErr);
  for (const Key& k : keys) {
    ASSERT_FALSE(k.names.empty());
    vtc::Array listed =
        supported.at(k.key).AsDictionary().at(vtc::key::kSupportedValueList).AsArray();
    ASSERT_EQ(listed.size(), k.names.size()) << k.key;
    for (std::size_t i = 0; i < k.names.size(); ++i) {
      const std::string& n = k.names[i];
      EXPECT_EQ(listed[i], vtc::Value(n)) << k.key;
      EXPECT_NE(k.code(n), vtc::kColorCodeUnspecified) << n;
      EXPECT_EQ(k.name(k.code(n)), n) << k.key << " " << n;
      EXPECT_EQ(s->SetProperty(k.key, vtc::Value(n)), vtc::Status::kNoErr) << k.key << " " << n;
    }
  }
  s->Invalidate();
}

}  // namespace
