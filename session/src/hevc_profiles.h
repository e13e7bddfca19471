// SPDX-License-Identifier: GPL-2.0-or-later
// HEVC's profile table: the ProfileLevel values (VideoToolbox's HEVC_Main_AutoLevel,
// HEVC_Main10_AutoLevel and HEVC_Main42210_AutoLevel, and this project's names for the other
// range-extension profiles x265 codes), what each profile codes, and x265's names for them. Pure
// functions over static data; any thread.
#pragma once

#include <string>
#include <vector>

namespace vtc {

// Every ProfileLevel value HEVC takes, in CopySupportedPropertyDictionary's order. VideoToolbox
// names no HEVC levels: the level is always chosen by the encoder.
const std::vector<std::string>& HevcProfileLevelValues();

// "HEVC_Main10_AutoLevel" -> "Main10"; false for anything else.
bool ParseHevcProfileLevel(const std::string& s, std::string* profile);

// What an HEVC profile codes: chroma_format_idc (1 4:2:0, 2 4:2:2, 3 4:4:4) and bit depth.
// Main42210 and Main444 also code 8-bit pictures as they are; the depth given here is what a
// ProfileLevel asks for (a source of another depth is converted to it).
void HevcProfileSampling(const std::string& profile, int* chroma_format_idc, int* bit_depth);

// The profile that codes a source's chroma format and depth as it is: Main, Main10, Main12,
// Main42210 (8- and 10-bit 4:2:2), Main42212, Main444, Main44410, Main44412.
std::string HevcProfileForSampling(int chroma_format_idc, int bit_depth);

// x265_param_apply_profile's name for a profile and coded depth ("main", "main10",
// "main422-10", "main444-8", ...).
std::string X265ProfileName(const std::string& profile, int bit_depth);

}  // namespace vtc
