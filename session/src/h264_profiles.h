// SPDX-License-Identifier: GPL-2.0-or-later
// H.264's profile table: the ProfileLevel values (VideoToolbox's H264_* names and this project's
// High10/High422/High444), what each profile codes, and the level limits of Table A-1. Pure
// functions over static data; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vtcompress/status.h"

namespace vtc {

// Every ProfileLevel value H.264 takes, in CopySupportedPropertyDictionary's order.
const std::vector<std::string>& H264ProfileLevelValues();

// "H264_High_4_1" -> ("High", 41); "..._AutoLevel" -> level 0; anything else ("High", 0).
void ParseH264ProfileLevel(const std::string& s, std::string* profile, int* level);

// What an H.264 profile codes: chroma_format_idc (1 4:2:0, 2 4:2:2, 3 4:4:4) and bit depth (8,
// 10, or 0 for "the source's": High422 and High444 take 8 and 10 bits).
void ProfileSampling(const std::string& profile, int* chroma_format_idc, int* bit_depth);
// The profile that codes a chroma format and depth: High, High10, High422 or High444.
std::string ProfileForSampling(int chroma_format_idc, int bit_depth);

// The explicit level's MaxBR for this profile in bit/s (High: 1.25x, High10 3x, High422 and
// High444 4x); 0 for automatic or unknown.
double LevelMaxBitRate(const std::string& profile, int level_idc);

// H.264 level limits (Table A-1) used to refuse a ProfileLevel the stream cannot fit.
// Returns kParameterErr and a reason if width x height at fps (0 = unknown) and bitrate (bit/s,
// 0 = unknown) exceed the level.
Status CheckLevelFits(const std::string& profile, int level_idc, int coded_width, int coded_height,
                      double fps, std::int64_t bitrate, std::string* why);

}  // namespace vtc
