// SPDX-License-Identifier: GPL-2.0-or-later
#include "vtcompress/color.h"

namespace vtc {
namespace {

struct ColorName {
  const char* name;
  int code;
};

// VideoToolbox's kCVImageBuffer* strings and their H.273 code points (Tables 2, 3 and 4).
// Where two names share a code, the first is the one a code maps back to.
constexpr ColorName kPrimaries[] = {
    {"ITU_R_709_2", 1}, {"EBU_3213", 5}, {"SMPTE_C", 6},
    {"ITU_R_2020", 9},  {"P3_D65", 12},  {"DCI_P3", 11},
};
constexpr ColorName kTransfers[] = {
    {"ITU_R_709_2", 1}, {"SMPTE_240M_1995", 7},   {"Linear", 8},          {"IEC_sRGB", 13},
    {"ITU_R_2020", 14}, {"SMPTE_ST_2084_PQ", 16}, {"SMPTE_ST_428_1", 17}, {"ITU_R_2100_HLG", 18},
};
constexpr ColorName kMatrices[] = {
    {"ITU_R_709_2", 1},
    {"ITU_R_601_4", 6},
    {"SMPTE_240M_1995", 7},
    {"ITU_R_2020", 9},
};

template <std::size_t N>
int CodeFor(const ColorName (&table)[N], const std::string& name) {
  for (const auto& e : table)
    if (name == e.name) return e.code;
  return kColorCodeUnspecified;
}

template <std::size_t N>
std::string NameFor(const ColorName (&table)[N], int code) {
  for (const auto& e : table)
    if (code == e.code) return e.name;
  return "";
}

template <std::size_t N>
std::vector<std::string> Names(const ColorName (&table)[N]) {
  std::vector<std::string> v;
  for (const auto& e : table) v.push_back(e.name);
  return v;
}

}  // namespace

int ColorPrimariesGetIntegerCodePointForString(const std::string& name) {
  return CodeFor(kPrimaries, name);
}
int TransferFunctionGetIntegerCodePointForString(const std::string& name) {
  return CodeFor(kTransfers, name);
}
int YCbCrMatrixGetIntegerCodePointForString(const std::string& name) {
  return CodeFor(kMatrices, name);
}

std::string ColorPrimariesGetStringForIntegerCodePoint(int code) {
  return NameFor(kPrimaries, code);
}
std::string TransferFunctionGetStringForIntegerCodePoint(int code) {
  return NameFor(kTransfers, code);
}
std::string YCbCrMatrixGetStringForIntegerCodePoint(int code) {
  return NameFor(kMatrices, code);
}

const std::vector<std::string>& ColorPrimariesNames() {
  static const std::vector<std::string> names = Names(kPrimaries);
  return names;
}
const std::vector<std::string>& TransferFunctionNames() {
  static const std::vector<std::string> names = Names(kTransfers);
  return names;
}
const std::vector<std::string>& YCbCrMatrixNames() {
  static const std::vector<std::string> names = Names(kMatrices);
  return names;
}

}  // namespace vtc
