// SPDX-License-Identifier: GPL-2.0-or-later
#include "hevc_profiles.h"

namespace vtc {
namespace {

struct HevcProfile {
  const char* name;  // as in the ProfileLevel value
  int chroma_format_idc;
  int bit_depth;
};

// VideoToolbox's three first, then this project's (x265's range extensions).
constexpr HevcProfile kProfiles[] = {
    {"Main", 1, 8},       {"Main10", 1, 10}, {"Main42210", 2, 10}, {"Main12", 1, 12},
    {"Main42212", 2, 12}, {"Main444", 3, 8}, {"Main44410", 3, 10}, {"Main44412", 3, 12},
};

const HevcProfile* Find(const std::string& name) {
  for (const HevcProfile& p : kProfiles)
    if (name == p.name) return &p;
  return nullptr;
}

}  // namespace

const std::vector<std::string>& HevcProfileLevelValues() {
  static const std::vector<std::string> values = [] {
    std::vector<std::string> v;
    for (const HevcProfile& p : kProfiles)
      v.push_back(std::string("HEVC_") + p.name + "_AutoLevel");
    return v;
  }();
  return values;
}

bool ParseHevcProfileLevel(const std::string& s, std::string* profile) {
  const std::string prefix = "HEVC_", suffix = "_AutoLevel";
  if (s.size() <= prefix.size() + suffix.size() || s.compare(0, prefix.size(), prefix) != 0 ||
      s.compare(s.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  const std::string name = s.substr(prefix.size(), s.size() - prefix.size() - suffix.size());
  if (!Find(name)) return false;
  *profile = name;
  return true;
}

void HevcProfileSampling(const std::string& profile, int* chroma_format_idc, int* bit_depth) {
  const HevcProfile* p = Find(profile);
  *chroma_format_idc = p ? p->chroma_format_idc : 1;
  *bit_depth = p ? p->bit_depth : 8;
}

std::string HevcProfileForSampling(int chroma_format_idc, int bit_depth) {
  const int depth = bit_depth > 10 ? 12 : bit_depth > 8 ? 10 : 8;
  switch (chroma_format_idc) {
    case 2:
      // No HEVC profile is 8-bit 4:2:2 alone: Main 4:2:2 10 codes 8-bit samples as they are.
      return depth == 12 ? "Main42212" : "Main42210";
    case 3:
      return depth == 12 ? "Main44412" : depth == 10 ? "Main44410" : "Main444";
    default:
      return depth == 12 ? "Main12" : depth == 10 ? "Main10" : "Main";
  }
}

std::string X265ProfileName(const std::string& profile, int bit_depth) {
  int idc = 1, depth = 8;
  HevcProfileSampling(profile, &idc, &depth);
  if (bit_depth > depth) depth = bit_depth;
  if (idc == 1) return depth == 8 ? "main" : depth == 10 ? "main10" : "main12";
  if (idc == 2) return depth == 12 ? "main422-12" : "main422-10";
  return depth == 8 ? "main444-8" : depth == 10 ? "main444-10" : "main444-12";
}

}  // namespace vtc
