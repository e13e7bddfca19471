// SPDX-License-Identifier: GPL-2.0-or-later
// Just enough H.264 parsing for the element tests: NAL units from AVCC (4-byte lengths) and
// Annex B (start codes) with H.264's types (nal_bits.h), the avcC record, and the SPS/PPS fields
// the tests look at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nal_bits.h"

namespace h264 {

enum NalType {
  kSlice = 1,
  kIdr = 5,
  kSei = 6,
  kSps = 7,
  kPps = 8,
  kAud = 9,
};

using Nal = nal::Nal;

// The type of an H.264 NAL unit from its header byte.
inline int TypeOf(uint8_t header) {
  return header & 0x1f;
}

// nal::SplitLengthPrefixed and nal::SplitAnnexB with H.264's NAL types.
inline bool SplitAvc(const uint8_t* data, size_t size, std::vector<Nal>* out) {
  return nal::SplitLengthPrefixed(data, size, TypeOf, out);
}
inline bool SplitAnnexB(const uint8_t* data, size_t size, std::vector<Nal>* out,
                        int* first_start_code_len = nullptr) {
  return nal::SplitAnnexB(data, size, TypeOf, out, first_start_code_len);
}

struct AvcC {
  int version = 0;
  int profile_idc = 0;
  int compat = 0;
  int level_idc = 0;
  int length_size = 0;
  std::vector<Nal> sps, pps;
};

// Parses an AVCDecoderConfigurationRecord. False if it is truncated or malformed.
bool ParseAvcC(const uint8_t* data, size_t size, AvcC* out);

struct Sps {
  int profile_idc = 0;
  int constraint_flags = 0;  // the byte after profile_idc (constraint_set0 is 0x80)
  int level_idc = 0;
  int sps_id = 0;
  int chroma_format_idc = 1;
  int max_num_ref_frames = 0;
  int coded_width = 0, coded_height = 0;  // in pixels, before cropping
  int width = 0, height = 0;              // after cropping
};

// Parses a SPS NAL unit (header byte included). False on a truncated or unsupported SPS.
bool ParseSps(const std::vector<uint8_t>& nal, Sps* out);

struct Pps {
  int pps_id = 0;
  int sps_id = 0;
  int entropy_coding_mode_flag = 0;
};

bool ParsePps(const std::vector<uint8_t>& nal, Pps* out);

// profile_idc for a caps profile name (constrained-baseline and baseline -> 66, main 77, high 100).
int ProfileIdc(const std::string& caps_profile);

}  // namespace h264
