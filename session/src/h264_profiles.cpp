// SPDX-License-Identifier: GPL-2.0-or-later
#include "h264_profiles.h"

#include <cmath>
#include <cstdio>

namespace vtc {

const std::vector<std::string>& H264ProfileLevelValues() {
  static const std::vector<std::string> values = [] {
    std::vector<std::string> v;
    const char* levels[] = {"3_0", "3_1", "3_2", "4_0", "4_1", "4_2", "5_0", "5_1", "5_2"};
    // High10, High422 and High444 (High 4:4:4 Predictive) are this project's names: VideoToolbox
    // defines no H.264 profile beyond 8-bit 4:2:0.
    for (const char* profile : {"Baseline", "Main", "High", "High10", "High422", "High444"}) {
      if (std::string(profile) == "Baseline") v.push_back("H264_Baseline_1_3");
      for (const char* l : levels) v.push_back(std::string("H264_") + profile + "_" + l);
      v.push_back(std::string("H264_") + profile + "_AutoLevel");
    }
    v.push_back("H264_ConstrainedBaseline_AutoLevel");
    v.push_back("H264_ConstrainedHigh_AutoLevel");
    return v;
  }();
  return values;
}

// "H264_High_4_1" -> ("High", 41); "..._AutoLevel" -> level 0.
void ParseH264ProfileLevel(const std::string& s, std::string* profile, int* level) {
  *profile = "High";
  *level = 0;
  if (s.rfind("H264_", 0) != 0) return;
  std::string rest = s.substr(5);
  std::size_t us = rest.find('_');
  if (us == std::string::npos) return;
  *profile = rest.substr(0, us);
  std::string lv = rest.substr(us + 1);
  if (lv != "AutoLevel" && lv.size() == 3) *level = (lv[0] - '0') * 10 + (lv[2] - '0');
}

namespace {

struct LevelLimit {
  int level;
  double max_mbps;
  int max_fs;
  double max_br_kbps;  // Baseline/Main; High allows 1.25x
};

// H.264 Table A-1; nullptr for 0 (automatic) and unknown levels.
const LevelLimit* FindLevel(int level_idc) {
  static const LevelLimit kLimits[] = {
      {9, 1485, 99, 128},          {10, 1485, 99, 64},           {11, 3000, 396, 192},
      {12, 6000, 396, 384},        {13, 11880, 396, 768},        {20, 11880, 396, 2000},
      {21, 19800, 792, 4000},      {22, 20250, 1620, 4000},      {30, 40500, 1620, 10000},
      {31, 108000, 3600, 14000},   {32, 216000, 5120, 20000},    {40, 245760, 8192, 20000},
      {41, 245760, 8192, 50000},   {42, 522240, 8704, 50000},    {50, 589824, 22080, 135000},
      {51, 983040, 36864, 240000}, {52, 2073600, 36864, 240000},
  };
  for (const auto& l : kLimits)
    if (l.level == level_idc) return &l;
  return nullptr;
}

// cpbBrVclFactor / 1000 (Table A-2): MaxBR and MaxCPB scale with the profile.
double HighFactor(const std::string& profile) {
  if (profile == "High10") return 3.0;
  if (profile == "High422" || profile == "High444") return 4.0;
  return profile.find("High") != std::string::npos ? 1.25 : 1.0;
}

}  // namespace

void ProfileSampling(const std::string& profile, int* chroma_format_idc, int* bit_depth) {
  *chroma_format_idc = 1;
  *bit_depth = 8;
  if (profile == "High10") *bit_depth = 10;
  if (profile == "High422" || profile == "High444") {
    *chroma_format_idc = profile == "High422" ? 2 : 3;
    *bit_depth = 0;  // 8 or 10, as the source
  }
}

std::string ProfileForSampling(int chroma_format_idc, int bit_depth) {
  if (chroma_format_idc == 3) return "High444";
  if (chroma_format_idc == 2) return "High422";
  return bit_depth > 8 ? "High10" : "High";
}

double LevelMaxBitRate(const std::string& profile, int level_idc) {
  const LevelLimit* limit = FindLevel(level_idc);
  return limit ? limit->max_br_kbps * 1000 * HighFactor(profile) : 0;
}

Status CheckLevelFits(const std::string& profile, int level_idc, int coded_width, int coded_height,
                      double fps, std::int64_t bitrate, std::string* why) {
  const LevelLimit* limit = FindLevel(level_idc);
  if (!limit) return Status::kNoErr;
  const int mbs_w = (coded_width + 15) / 16, mbs_h = (coded_height + 15) / 16;
  const double level = level_idc / 10.0;
  char buf[256];
  const double side = std::sqrt(8.0 * limit->max_fs);
  if (mbs_w * mbs_h > limit->max_fs || mbs_w > side || mbs_h > side) {
    std::snprintf(buf, sizeof buf,
                  "%dx%d (%d macroblocks) does not fit H.264 level %.1f (at most %d macroblocks, "
                  "%.0f across)",
                  coded_width, coded_height, mbs_w * mbs_h, level, limit->max_fs, side);
    *why = buf;
    return Status::kParameterErr;
  }
  if (fps > 0 && mbs_w * mbs_h * fps > limit->max_mbps * 1.0001) {
    std::snprintf(buf, sizeof buf,
                  "%dx%d at %.3g fps (%.0f macroblocks/s) does not fit H.264 level %.1f (at most "
                  "%.0f)",
                  coded_width, coded_height, fps, mbs_w * mbs_h * fps, level, limit->max_mbps);
    *why = buf;
    return Status::kParameterErr;
  }
  const double factor = HighFactor(profile);
  if (bitrate > 0 && bitrate > limit->max_br_kbps * 1000 * factor) {
    std::snprintf(buf, sizeof buf, "%lld bit/s is above H.264 level %.1f's %.0f kbit/s",
                  static_cast<long long>(bitrate), level, limit->max_br_kbps * factor);
    *why = buf;
    return Status::kParameterErr;
  }
  return Status::kNoErr;
}

}  // namespace vtc
