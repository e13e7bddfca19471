// SPDX-License-Identifier: GPL-2.0-or-later
// HEVC parameter sets (ITU-T H.265 7.3.2): the fields an HEVCDecoderConfigurationRecord (ISO/IEC
// 14496-15 8.3.3.1, 'hvcC') carries, read from VPS, SPS and PPS NAL units, and the record itself.
//
// The parsers walk each parameter set to its end (VUI and HRD included) and check that the
// rbsp_trailing_bits follow: a field read from the wrong place would otherwise go unnoticed and
// end up in the record. Parameter sets with extension data (sps_extension_present_flag and
// friends) are accepted without that last check, since the extensions are not parsed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vtcompress/value.h"

namespace vtc {
namespace hevc {

// nal_unit_type values (H.265 table 7-1) a configuration record holds.
enum NalType : int {
  kNalVps = 32,
  kNalSps = 33,
  kNalPps = 34,
  kNalPrefixSei = 39,
  kNalSuffixSei = 40,
};

// The arrays of an hvcC, in order.
inline constexpr int kRecordOrder[] = {kNalVps, kNalSps, kNalPps, kNalPrefixSei, kNalSuffixSei};

// nal_unit_type from the 2-byte NAL unit header (the NAL unit must have at least one byte).
inline int NalUnitType(const Data& nal) {
  return (nal[0] >> 1) & 0x3f;
}

// The general part of profile_tier_level() (7.3.3).
struct ProfileTierLevel {
  unsigned profile_space = 0;  // 2 bits
  bool tier = false;
  unsigned profile_idc = 0;               // 5 bits
  std::uint32_t compatibility_flags = 0;  // general_profile_compatibility_flag[0] is the MSB
  std::uint64_t constraint_flags = 0;     // the 48 bits from progressive_source_flag on
  unsigned level_idc = 0;
};

struct VpsInfo {
  unsigned max_sub_layers = 1;  // vps_max_sub_layers_minus1 + 1
  bool temporal_id_nesting = false;
  ProfileTierLevel ptl;
};

struct SpsInfo {
  unsigned max_sub_layers = 1;  // sps_max_sub_layers_minus1 + 1
  bool temporal_id_nesting = false;
  ProfileTierLevel ptl;
  unsigned chroma_format_idc = 0;
  unsigned width = 0, height = 0;  // pic_{width,height}_in_luma_samples
  unsigned bit_depth_luma = 8, bit_depth_chroma = 8;
  // From the VUI's bitstream_restriction; 0 (its inferred value) when absent.
  unsigned min_spatial_segmentation_idc = 0;
};

struct PpsInfo {
  bool tiles_enabled = false;
  bool entropy_coding_sync_enabled = false;
};

// Each parses a whole NAL unit (2-byte header included, emulation-prevention bytes as in the
// bitstream). False with *why when the unit is not of that type or does not parse.
bool ParseVps(const Data& nal, VpsInfo* out, std::string* why);
bool ParseSps(const Data& nal, SpsInfo* out, std::string* why);
bool ParsePps(const Data& nal, PpsInfo* out, std::string* why);

// The HEVCDecoderConfigurationRecord for these NAL units, given in any order (at least one VPS,
// SPS and PPS; SEI optional; nothing else); the arrays follow kRecordOrder, units of one type in
// the order given. False with *why for a bad unit, a missing parameter set or a bad length size.
// General profile, tier and level fields combine every VPS and SPS (highest tier, profile and
// level; flags set in all); chroma format and bit depths are the first SPS's. Parameter-set arrays
// are marked complete (none in the samples, as the session writes them); SEI arrays are not, since
// samples carry SEI. length_size is the sample's NAL length field size (1, 2 or 4).
bool BuildHvcc(const std::vector<Data>& nal_units, int length_size, Data* out, std::string* why);

}  // namespace hevc
}  // namespace vtc
