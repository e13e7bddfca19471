// SPDX-License-Identifier: GPL-2.0-or-later
#include "hevc_ps.h"

#include <algorithm>
#include <iterator>

#include "h264_sps.h"  // RbspReader

namespace vtc {
namespace hevc {
namespace {

bool Fail(std::string* why, const char* what) {
  if (why) *why = what;
  return false;
}

// Bounds from H.265 that keep loops over parsed counts short on garbage input.
constexpr unsigned kMaxSubLayersMinus1 = 6;
constexpr unsigned kMaxDpbSize = 16;
constexpr unsigned kMaxShortTermRefPicSets = 64;
constexpr unsigned kMaxLongTermRefPicsSps = 32;
constexpr unsigned kMaxCpbCnt = 32;

// A NAL unit header (7.3.1.2) fit for a configuration record: forbidden_zero_bit 0, base layer,
// nuh_temporal_id_plus1 not 0. Layered (L-HEVC) parameter sets belong in an 'lhvC', not here.
bool HeaderOk(const Data& nal) {
  return nal.size() >= 3 && !(nal[0] & 0x80) && ((nal[0] & 1) | (nal[1] >> 3)) == 0 &&
         (nal[1] & 7) != 0;
}

// profile_tier_level(1, max_sub_layers_minus1), 7.3.3: the general part kept, sub-layers skipped.
void ReadPtl(RbspReader& r, unsigned max_sub_layers_minus1, ProfileTierLevel* p) {
  p->profile_space = r.Bits(2);
  p->tier = r.Bit();
  p->profile_idc = r.Bits(5);
  p->compatibility_flags = r.Bits(32);
  const std::uint64_t hi = r.Bits(16);
  p->constraint_flags = (hi << 32) | r.Bits(32);
  p->level_idc = r.Bits(8);
  bool profile_present[8] = {}, level_present[8] = {};
  for (unsigned i = 0; i < max_sub_layers_minus1; ++i) {
    profile_present[i] = r.Bit();
    level_present[i] = r.Bit();
  }
  if (max_sub_layers_minus1 > 0)
    for (unsigned i = max_sub_layers_minus1; i < 8; ++i) r.Bits(2);  // reserved_zero_2bits
  for (unsigned i = 0; i < max_sub_layers_minus1; ++i) {
    if (profile_present[i]) {  // the same 88 bits as the general profile, tier and flags
      r.Bits(32);
      r.Bits(32);
      r.Bits(24);
    }
    if (level_present[i]) r.Bits(8);
  }
}

// scaling_list_data(), 7.3.4.
void SkipScalingListData(RbspReader& r) {
  for (int size_id = 0; size_id < 4; ++size_id) {
    for (int matrix_id = 0; matrix_id < 6 && r.ok(); matrix_id += size_id == 3 ? 3 : 1) {
      if (!r.Bit()) {  // scaling_list_pred_mode_flag 0: a copy of another list
        r.Ue();        // scaling_list_pred_matrix_id_delta
        continue;
      }
      const int coefs = std::min(64, 1 << (4 + 2 * size_id));
      if (size_id > 1) r.Se();  // scaling_list_dc_coef_minus8
      for (int i = 0; i < coefs && r.ok(); ++i) r.Se();
    }
  }
}

// st_ref_pic_set(idx), 7.3.7, as it appears in an SPS. num_delta_pocs[i] receives NumDeltaPocs of
// set i; an inter-predicted set's syntax depends on the previous set's.
bool SkipStRefPicSet(RbspReader& r, unsigned idx, unsigned* num_delta_pocs) {
  if (idx != 0 && r.Bit()) {  // inter_ref_pic_set_prediction_flag
    // In an SPS the reference set is always the previous one (delta_idx_minus1 is only coded in
    // slice headers).
    r.Bit();  // delta_rps_sign
    r.Ue();   // abs_delta_rps_minus1
    unsigned n = 0;
    for (unsigned j = 0; j <= num_delta_pocs[idx - 1] && r.ok(); ++j) {
      // used_by_curr_pic_flag, else use_delta_flag (inferred 1 when not coded): either keeps
      // the picture in the new set.
      const bool used = r.Bit();
      if (used || r.Bit()) ++n;
    }
    if (n > kMaxDpbSize) return false;
    num_delta_pocs[idx] = n;
    return r.ok();
  }
  const unsigned negative = r.Ue(), positive = r.Ue();
  if (negative > kMaxDpbSize || positive > kMaxDpbSize || negative + positive > kMaxDpbSize)
    return false;
  for (unsigned i = 0; i < negative + positive; ++i) {
    r.Ue();   // delta_poc_s{0,1}_minus1
    r.Bit();  // used_by_curr_pic_s{0,1}_flag
  }
  num_delta_pocs[idx] = negative + positive;
  return r.ok();
}

// hrd_parameters(common_inf_present, max_sub_layers_minus1), E.2.2, with its
// sub_layer_hrd_parameters (E.2.3).
bool SkipHrd(RbspReader& r, bool common_inf_present, unsigned max_sub_layers_minus1) {
  bool nal = false, vcl = false, sub_pic = false;
  if (common_inf_present) {
    nal = r.Bit();
    vcl = r.Bit();
    if (nal || vcl) {
      sub_pic = r.Bit();
      // tick_divisor_minus2, du_cpb_removal_delay_increment_length_minus1,
      // sub_pic_cpb_params_in_pic_timing_sei_flag, dpb_output_delay_du_length_minus1
      if (sub_pic) r.Bits(8 + 5 + 1 + 5);
      r.Bits(8);               // bit_rate_scale, cpb_size_scale
      if (sub_pic) r.Bits(4);  // cpb_size_du_scale
      r.Bits(15);  // initial_cpb_removal_delay, au_cpb_removal_delay, dpb_output_delay lengths
    }
  }
  for (unsigned i = 0; i <= max_sub_layers_minus1 && r.ok(); ++i) {
    const bool fixed_pic_rate_general = r.Bit();
    // fixed_pic_rate_within_cvs_flag is inferred 1 when the general flag is 1.
    const bool fixed_pic_rate_within_cvs = fixed_pic_rate_general || r.Bit();
    bool low_delay = false;
    if (fixed_pic_rate_within_cvs)
      r.Ue();  // elemental_duration_in_tc_minus1
    else
      low_delay = r.Bit();
    unsigned cpb_cnt = 1;
    if (!low_delay) {
      cpb_cnt = r.Ue() + 1;
      if (cpb_cnt > kMaxCpbCnt) return false;
    }
    const int sets = int(nal) + int(vcl);
    for (int s = 0; s < sets; ++s) {
      for (unsigned j = 0; j < cpb_cnt && r.ok(); ++j) {
        r.Ue();  // bit_rate_value_minus1
        r.Ue();  // cpb_size_value_minus1
        if (sub_pic) {
          r.Ue();  // cpb_size_du_value_minus1
          r.Ue();  // bit_rate_du_value_minus1
        }
        r.Bit();  // cbr_flag
      }
    }
  }
  return r.ok();
}

// vui_parameters(), E.2.1: only min_spatial_segmentation_idc is kept.
bool ReadVui(RbspReader& r, unsigned max_sub_layers_minus1, unsigned* min_spatial_segmentation) {
  if (r.Bit() && r.Bits(8) == 255) r.Bits(32);  // aspect_ratio_idc, EXTENDED_SAR's sar_w/h
  if (r.Bit()) r.Bit();                         // overscan_info / overscan_appropriate
  if (r.Bit()) {                                // video_signal_type_present_flag
    r.Bits(4);                                  // video_format, video_full_range_flag
    if (r.Bit()) r.Bits(24);                    // colour primaries, transfer, matrix
  }
  if (r.Bit()) {  // chroma_loc_info_present_flag
    r.Ue();
    r.Ue();
  }
  r.Bits(3);      // neutral_chroma_indication, field_seq, frame_field_info_present
  if (r.Bit()) {  // default_display_window_flag
    for (int i = 0; i < 4; ++i) r.Ue();
  }
  if (r.Bit()) {          // vui_timing_info_present_flag
    r.Bits(32);           // vui_num_units_in_tick
    r.Bits(32);           // vui_time_scale
    if (r.Bit()) r.Ue();  // vui_num_ticks_poc_diff_one_minus1
    if (r.Bit() && !SkipHrd(r, true, max_sub_layers_minus1)) return false;
  }
  if (r.Bit()) {  // bitstream_restriction_flag
    r.Bits(3);    // tiles_fixed_structure, motion_vectors_over_pic_boundaries, restricted lists
    const unsigned v = r.Ue();
    if (v > 4095) return false;
    *min_spatial_segmentation = v;
    for (int i = 0; i < 4; ++i) r.Ue();  // max_bytes/bits denominators, max mv lengths
  }
  return r.ok();
}

}  // namespace

bool ParseVps(const Data& nal, VpsInfo* out, std::string* why) {
  if (!HeaderOk(nal) || NalUnitType(nal) != kNalVps) return Fail(why, "VPS: not a VPS NAL unit");
  RbspReader r(nal, 2);
  VpsInfo v;
  r.Bits(4);  // vps_video_parameter_set_id
  r.Bits(2);  // vps_base_layer_internal_flag, vps_base_layer_available_flag
  r.Bits(6);  // vps_max_layers_minus1
  const unsigned msl = r.Bits(3);
  if (msl > kMaxSubLayersMinus1) return Fail(why, "VPS: vps_max_sub_layers_minus1 out of range");
  v.max_sub_layers = msl + 1;
  v.temporal_id_nesting = r.Bit();
  r.Bits(16);  // vps_reserved_0xffff_16bits
  ReadPtl(r, msl, &v.ptl);
  const bool ordering_for_all = r.Bit();
  for (unsigned i = ordering_for_all ? 0 : msl; i <= msl; ++i) {
    r.Ue();  // vps_max_dec_pic_buffering_minus1
    r.Ue();  // vps_max_num_reorder_pics
    r.Ue();  // vps_max_latency_increase_plus1
  }
  const unsigned max_layer_id = r.Bits(6);
  const unsigned num_layer_sets_minus1 = r.Ue();
  if (num_layer_sets_minus1 > 1023) return Fail(why, "VPS: vps_num_layer_sets_minus1 too large");
  for (unsigned i = 1; i <= num_layer_sets_minus1 && r.ok(); ++i)
    for (unsigned j = 0; j <= max_layer_id; ++j) r.Bit();  // layer_id_included_flag
  if (r.Bit()) {                                           // vps_timing_info_present_flag
    r.Bits(32);
    r.Bits(32);
    if (r.Bit()) r.Ue();  // vps_num_ticks_poc_diff_one_minus1
    const unsigned num_hrd = r.Ue();
    if (num_hrd > num_layer_sets_minus1 + 1)
      return Fail(why, "VPS: vps_num_hrd_parameters too large");
    for (unsigned i = 0; i < num_hrd && r.ok(); ++i) {
      r.Ue();  // hrd_layer_set_idx
      const bool cprms_present = i == 0 || r.Bit();
      if (!SkipHrd(r, cprms_present, msl)) return Fail(why, "VPS: bad hrd_parameters");
    }
  }
  const bool extension = r.Bit();  // vps_extension_flag: extension data is not parsed
  if (!r.ok()) return Fail(why, "VPS: truncated");
  if (!extension && !r.AtTrailingBits()) return Fail(why, "VPS: does not end where expected");
  *out = v;
  return true;
}

bool ParseSps(const Data& nal, SpsInfo* out, std::string* why) {
  if (!HeaderOk(nal) || NalUnitType(nal) != kNalSps) return Fail(why, "SPS: not an SPS NAL unit");
  RbspReader r(nal, 2);
  SpsInfo s;
  r.Bits(4);  // sps_video_parameter_set_id
  const unsigned msl = r.Bits(3);
  if (msl > kMaxSubLayersMinus1) return Fail(why, "SPS: sps_max_sub_layers_minus1 out of range");
  s.max_sub_layers = msl + 1;
  s.temporal_id_nesting = r.Bit();
  ReadPtl(r, msl, &s.ptl);
  if (r.Ue() > 15) return Fail(why, "SPS: sps_seq_parameter_set_id out of range");
  s.chroma_format_idc = r.Ue();
  if (s.chroma_format_idc > 3) return Fail(why, "SPS: chroma_format_idc out of range");
  if (s.chroma_format_idc == 3) r.Bit();  // separate_colour_plane_flag
  s.width = r.Ue();
  s.height = r.Ue();
  if (r.Bit()) {  // conformance_window_flag
    for (int i = 0; i < 4; ++i) r.Ue();
  }
  const unsigned luma_minus8 = r.Ue(), chroma_minus8 = r.Ue();
  if (luma_minus8 > 8 || chroma_minus8 > 8) return Fail(why, "SPS: bit depth out of range");
  s.bit_depth_luma = luma_minus8 + 8;
  s.bit_depth_chroma = chroma_minus8 + 8;
  const unsigned log2_max_poc_lsb = r.Ue() + 4;
  if (log2_max_poc_lsb > 16) return Fail(why, "SPS: log2_max_pic_order_cnt_lsb out of range");
  const bool ordering_for_all = r.Bit();
  for (unsigned i = ordering_for_all ? 0 : msl; i <= msl; ++i) {
    r.Ue();  // sps_max_dec_pic_buffering_minus1
    r.Ue();  // sps_max_num_reorder_pics
    r.Ue();  // sps_max_latency_increase_plus1
  }
  // Coding and transform block sizes, max_transform_hierarchy_depth_{inter,intra}.
  for (int i = 0; i < 6; ++i) r.Ue();
  // scaling_list_enabled_flag, then sps_scaling_list_data_present_flag.
  if (r.Bit() && r.Bit()) SkipScalingListData(r);
  r.Bits(2);      // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.Bit()) {  // pcm_enabled_flag
    r.Bits(8);    // pcm sample bit depths
    r.Ue();       // log2_min_pcm_luma_coding_block_size_minus3
    r.Ue();       // log2_diff_max_min_pcm_luma_coding_block_size
    r.Bit();      // pcm_loop_filter_disabled_flag
  }
  const unsigned num_st_rps = r.Ue();
  if (num_st_rps > kMaxShortTermRefPicSets)
    return Fail(why, "SPS: num_short_term_ref_pic_sets out of range");
  unsigned num_delta_pocs[kMaxShortTermRefPicSets] = {};
  for (unsigned i = 0; i < num_st_rps; ++i)
    if (!SkipStRefPicSet(r, i, num_delta_pocs)) return Fail(why, "SPS: bad st_ref_pic_set");
  if (r.Bit()) {  // long_term_ref_pics_present_flag
    const unsigned n = r.Ue();
    if (n > kMaxLongTermRefPicsSps) return Fail(why, "SPS: num_long_term_ref_pics_sps too large");
    for (unsigned i = 0; i < n; ++i) {
      r.Bits(int(log2_max_poc_lsb));  // lt_ref_pic_poc_lsb_sps
      r.Bit();                        // used_by_curr_pic_lt_sps_flag
    }
  }
  r.Bits(2);  // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  if (r.Bit() && !ReadVui(r, msl, &s.min_spatial_segmentation_idc))
    return Fail(why, "SPS: bad vui_parameters");
  const bool extension = r.Bit();  // sps_extension_present_flag: extensions are not parsed
  if (!r.ok()) return Fail(why, "SPS: truncated");
  if (!extension && !r.AtTrailingBits()) return Fail(why, "SPS: does not end where expected");
  *out = s;
  return true;
}

bool ParsePps(const Data& nal, PpsInfo* out, std::string* why) {
  if (!HeaderOk(nal) || NalUnitType(nal) != kNalPps) return Fail(why, "PPS: not a PPS NAL unit");
  RbspReader r(nal, 2);
  PpsInfo p;
  if (r.Ue() > 63) return Fail(why, "PPS: pps_pic_parameter_set_id out of range");
  if (r.Ue() > 15) return Fail(why, "PPS: pps_seq_parameter_set_id out of range");
  // dependent_slice_segments_enabled, output_flag_present, num_extra_slice_header_bits (3),
  // sign_data_hiding_enabled, cabac_init_present
  r.Bits(7);
  r.Ue();         // num_ref_idx_l0_default_active_minus1
  r.Ue();         // num_ref_idx_l1_default_active_minus1
  r.Se();         // init_qp_minus26
  r.Bits(2);      // constrained_intra_pred_flag, transform_skip_enabled_flag
  if (r.Bit()) {  // cu_qp_delta_enabled_flag
    r.Ue();       // diff_cu_qp_delta_depth
  }
  r.Se();     // pps_cb_qp_offset
  r.Se();     // pps_cr_qp_offset
  r.Bits(4);  // slice chroma qp offsets present, weighted pred/bipred, transquant bypass
  p.tiles_enabled = r.Bit();
  p.entropy_coding_sync_enabled = r.Bit();
  if (p.tiles_enabled) {
    const unsigned columns_minus1 = r.Ue(), rows_minus1 = r.Ue();
    if (columns_minus1 > 1023 || rows_minus1 > 1023) return Fail(why, "PPS: too many tiles");
    if (!r.Bit()) {  // uniform_spacing_flag
      for (unsigned i = 0; i < columns_minus1 + rows_minus1 && r.ok(); ++i) r.Ue();
    }
    r.Bit();  // loop_filter_across_tiles_enabled_flag
  }
  r.Bit();           // pps_loop_filter_across_slices_enabled_flag
  if (r.Bit()) {     // deblocking_filter_control_present_flag
    r.Bit();         // deblocking_filter_override_enabled_flag
    if (!r.Bit()) {  // pps_deblocking_filter_disabled_flag
      r.Se();        // pps_beta_offset_div2
      r.Se();        // pps_tc_offset_div2
    }
  }
  if (r.Bit()) SkipScalingListData(r);  // pps_scaling_list_data_present_flag
  r.Bit();                              // lists_modification_present_flag
  r.Ue();                               // log2_parallel_merge_level_minus2
  r.Bit();                              // slice_segment_header_extension_present_flag
  const bool extension = r.Bit();       // pps_extension_present_flag
  if (!r.ok()) return Fail(why, "PPS: truncated");
  if (!extension && !r.AtTrailingBits()) return Fail(why, "PPS: does not end where expected");
  *out = p;
  return true;
}

bool BuildHvcc(const std::vector<Data>& nal_units, int length_size, Data* out, std::string* why) {
  if (length_size != 1 && length_size != 2 && length_size != 4)
    return Fail(why, "NAL unit length size must be 1, 2 or 4");
  ProfileTierLevel general;
  bool have_ptl = false;
  // The record must describe what every VPS and SPS allows ("a profile all of them conform
  // to"): taken as the highest tier, profile_idc and level, and only the compatibility and
  // constraint flags all of them set.
  auto merge = [&](const ProfileTierLevel& p) {
    if (!have_ptl) {
      general = p;
      have_ptl = true;
      return;
    }
    general.tier = general.tier || p.tier;
    general.profile_idc = std::max(general.profile_idc, p.profile_idc);
    general.compatibility_flags &= p.compatibility_flags;
    general.constraint_flags &= p.constraint_flags;
    general.level_idc = std::max(general.level_idc, p.level_idc);
  };
  unsigned temporal_layers = 1;
  bool temporal_id_nested = true;
  unsigned min_spatial_segmentation = 4096;  // above the 12-bit range: no SPS yet
  SpsInfo first_sps;
  int parallelism = -1;  // -1: no PPS yet; then 1 slices, 2 tiles, 3 wavefront, 0 mixed
  int counts[5] = {};
  for (const Data& nal : nal_units) {
    if (!HeaderOk(nal)) return Fail(why, "NAL unit too short or with a bad header");
    if (nal.size() > 0xffff) return Fail(why, "NAL unit larger than 65535 bytes");
    const int type = NalUnitType(nal);
    const int* slot = std::find(std::begin(kRecordOrder), std::end(kRecordOrder), type);
    if (slot == std::end(kRecordOrder)) return Fail(why, "NAL unit not a VPS, SPS, PPS or SEI");
    ++counts[slot - kRecordOrder];
    if (type == kNalVps) {
      VpsInfo v;
      if (!ParseVps(nal, &v, why)) return false;
      merge(v.ptl);
      temporal_layers = std::max(temporal_layers, v.max_sub_layers);
    } else if (type == kNalSps) {
      SpsInfo s;
      if (!ParseSps(nal, &s, why)) return false;
      if (counts[1] == 1) first_sps = s;
      merge(s.ptl);
      temporal_layers = std::max(temporal_layers, s.max_sub_layers);
      temporal_id_nested = temporal_id_nested && s.temporal_id_nesting;
      min_spatial_segmentation = std::min(min_spatial_segmentation, s.min_spatial_segmentation_idc);
    } else if (type == kNalPps) {
      PpsInfo p;
      if (!ParsePps(nal, &p, why)) return false;
      const int t = p.tiles_enabled && p.entropy_coding_sync_enabled ? 0
                    : p.entropy_coding_sync_enabled                  ? 3
                    : p.tiles_enabled                                ? 2
                                                                     : 1;
      parallelism = parallelism < 0 || parallelism == t ? t : 0;
    }
  }
  if (!counts[0] || !counts[1] || !counts[2])
    return Fail(why, "an HEVC description needs at least one VPS, SPS and PPS");
  if (counts[0] + counts[1] + counts[2] + counts[3] + counts[4] > 0xffff)
    return Fail(why, "too many NAL units");
  // parallelismType says which kind of parallelism min_spatial_segmentation_idc promises; with
  // no promise (0) it is 0, "unknown".
  if (min_spatial_segmentation == 0) parallelism = 0;

  Data a;
  auto put16 = [&a](unsigned v) {
    a.push_back(std::uint8_t(v >> 8));
    a.push_back(std::uint8_t(v));
  };
  a.push_back(1);  // configurationVersion
  a.push_back(std::uint8_t((general.profile_space & 3) << 6 | unsigned(general.tier) << 5 |
                           (general.profile_idc & 0x1f)));
  for (int shift = 24; shift >= 0; shift -= 8)
    a.push_back(std::uint8_t(general.compatibility_flags >> shift));
  for (int shift = 40; shift >= 0; shift -= 8)
    a.push_back(std::uint8_t(general.constraint_flags >> shift));
  a.push_back(std::uint8_t(general.level_idc));
  put16(0xf000 | min_spatial_segmentation);
  a.push_back(std::uint8_t(0xfc | parallelism));
  a.push_back(std::uint8_t(0xfc | first_sps.chroma_format_idc));
  a.push_back(std::uint8_t(0xf8 | (first_sps.bit_depth_luma - 8)));
  a.push_back(std::uint8_t(0xf8 | (first_sps.bit_depth_chroma - 8)));
  put16(0);  // avgFrameRate: unspecified
  // constantFrameRate 0 (not known to be constant), numTemporalLayers, temporalIdNested,
  // lengthSizeMinusOne.
  a.push_back(std::uint8_t(temporal_layers << 3 | unsigned(temporal_id_nested) << 2 |
                           unsigned(length_size - 1)));
  int arrays = 0;
  for (int c : counts) arrays += c > 0;
  a.push_back(std::uint8_t(arrays));
  for (int i = 0; i < 5; ++i) {
    if (!counts[i]) continue;
    // array_completeness: every VPS, SPS and PPS is here and none in the samples; SEI may also
    // come in samples.
    const bool complete = i < 3;
    a.push_back(std::uint8_t(unsigned(complete) << 7 | unsigned(kRecordOrder[i])));
    put16(unsigned(counts[i]));
    for (const Data& nal : nal_units) {
      if (NalUnitType(nal) != kRecordOrder[i]) continue;
      put16(unsigned(nal.size()));
      a.insert(a.end(), nal.begin(), nal.end());
    }
  }
  *out = std::move(a);
  return true;
}

}  // namespace hevc
}  // namespace vtc
