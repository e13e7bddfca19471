// SPDX-License-Identifier: GPL-2.0-or-later
// Just enough H.264 parsing for the element tests: NAL units from AVCC (4-byte lengths) and
// Annex B (start codes), the avcC record, and the SPS/PPS fields the tests look at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace h264 {

enum NalType {
  kSlice = 1,
  kIdr = 5,
  kSei = 6,
  kSps = 7,
  kPps = 8,
  kAud = 9,
};

struct Nal {
  int type = 0;
  std::vector<uint8_t> bytes;  // the NAL unit, header byte included, no length or start code
};

// Splits a buffer of 4-byte big-endian length-prefixed NAL units. False if a length runs past the
// end, a length is 0, or bytes are left over.
bool SplitAvc(const uint8_t* data, size_t size, std::vector<Nal>* out);

// Splits an Annex B byte stream. False unless the buffer starts with a start code (3 or 4 bytes)
// and every NAL unit is non-empty. `first_start_code_len` receives the length of the first one.
bool SplitAnnexB(const uint8_t* data, size_t size, std::vector<Nal>* out,
                 int* first_start_code_len = nullptr);

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
