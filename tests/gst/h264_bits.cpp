// SPDX-License-Identifier: GPL-2.0-or-later
#include "h264_bits.h"

namespace h264 {

namespace {

// Reads bits MSB first from an RBSP (emulation prevention bytes already removed).
class BitReader {
 public:
  explicit BitReader(std::vector<uint8_t> rbsp) : data_(std::move(rbsp)) {}

  bool ok() const { return ok_; }

  uint32_t Bits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
      if (pos_ >= data_.size() * 8) {
        ok_ = false;
        return 0;
      }
      v = (v << 1) | ((data_[pos_ / 8] >> (7 - pos_ % 8)) & 1);
      pos_++;
    }
    return v;
  }

  uint32_t Ue() {
    int zeros = 0;
    while (Bits(1) == 0) {
      if (!ok_ || ++zeros > 31) {
        ok_ = false;
        return 0;
      }
    }
    if (zeros == 0) return 0;
    return ((1u << zeros) - 1) + Bits(zeros);
  }

  int32_t Se() {
    uint32_t k = Ue();
    return (k & 1) ? static_cast<int32_t>((k + 1) / 2) : -static_cast<int32_t>(k / 2);
  }

 private:
  std::vector<uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// The NAL payload without its header byte and without emulation prevention bytes.
std::vector<uint8_t> Rbsp(const std::vector<uint8_t>& nal) {
  std::vector<uint8_t> out;
  int zeros = 0;
  for (size_t i = 1; i < nal.size(); i++) {
    uint8_t b = nal[i];
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    zeros = (b == 0) ? zeros + 1 : 0;
    out.push_back(b);
  }
  return out;
}

void SkipScalingList(BitReader* br, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size; j++) {
    if (next != 0) {
      int delta = br->Se();
      next = (last + delta + 256) % 256;
    }
    last = (next == 0) ? last : next;
  }
}

}  // namespace

bool ParseAvcC(const uint8_t* data, size_t size, AvcC* out) {
  if (size < 7) return false;
  out->version = data[0];
  out->profile_idc = data[1];
  out->compat = data[2];
  out->level_idc = data[3];
  out->length_size = (data[4] & 3) + 1;
  size_t pos = 5;
  for (int kind = 0; kind < 2; kind++) {
    if (pos >= size) return false;
    int count = kind == 0 ? (data[pos] & 0x1f) : data[pos];
    pos++;
    for (int i = 0; i < count; i++) {
      if (pos + 2 > size) return false;
      size_t len = (size_t(data[pos]) << 8) | data[pos + 1];
      pos += 2;
      if (len == 0 || pos + len > size) return false;
      Nal nal;
      nal.type = data[pos] & 0x1f;
      nal.bytes.assign(data + pos, data + pos + len);
      (kind == 0 ? out->sps : out->pps).push_back(std::move(nal));
      pos += len;
    }
  }
  return true;
}

bool ParseSps(const std::vector<uint8_t>& nal, Sps* out) {
  if (nal.size() < 4 || (nal[0] & 0x1f) != kSps) return false;
  BitReader br(Rbsp(nal));
  out->profile_idc = br.Bits(8);
  out->constraint_flags = br.Bits(8);
  out->level_idc = br.Bits(8);
  out->sps_id = br.Ue();
  int p = out->profile_idc;
  out->chroma_format_idc = 1;
  if (p == 100 || p == 110 || p == 122 || p == 244 || p == 44 || p == 83 || p == 86 || p == 118 ||
      p == 128 || p == 138 || p == 139 || p == 134 || p == 135) {
    out->chroma_format_idc = br.Ue();
    if (out->chroma_format_idc == 3) br.Bits(1);  // separate_colour_plane_flag
    br.Ue();                                      // bit_depth_luma_minus8
    br.Ue();                                      // bit_depth_chroma_minus8
    br.Bits(1);                                   // qpprime_y_zero_transform_bypass_flag
    if (br.Bits(1)) {                             // seq_scaling_matrix_present_flag
      int lists = out->chroma_format_idc != 3 ? 8 : 12;
      for (int i = 0; i < lists; i++) {
        if (br.Bits(1)) SkipScalingList(&br, i < 6 ? 16 : 64);
      }
    }
  }
  br.Ue();  // log2_max_frame_num_minus4
  uint32_t poc_type = br.Ue();
  if (poc_type == 0) {
    br.Ue();  // log2_max_pic_order_cnt_lsb_minus4
  } else if (poc_type == 1) {
    br.Bits(1);
    br.Se();
    br.Se();
    uint32_t n = br.Ue();
    if (n > 255) return false;
    for (uint32_t i = 0; i < n; i++) br.Se();
  }
  out->max_num_ref_frames = br.Ue();
  br.Bits(1);  // gaps_in_frame_num_value_allowed_flag
  int width_mbs = br.Ue() + 1;
  int height_map_units = br.Ue() + 1;
  int frame_mbs_only = br.Bits(1);
  if (!frame_mbs_only) br.Bits(1);  // mb_adaptive_frame_field_flag
  br.Bits(1);                       // direct_8x8_inference_flag
  out->coded_width = width_mbs * 16;
  out->coded_height = height_map_units * 16 * (2 - frame_mbs_only);
  out->width = out->coded_width;
  out->height = out->coded_height;
  if (br.Bits(1)) {  // frame_cropping_flag
    int l = br.Ue(), r = br.Ue(), t = br.Ue(), b = br.Ue();
    int crop_x = 1, crop_y = 2 - frame_mbs_only;
    if (out->chroma_format_idc == 1) {
      crop_x = 2;
      crop_y *= 2;
    } else if (out->chroma_format_idc == 2) {
      crop_x = 2;
    }
    out->width -= crop_x * (l + r);
    out->height -= crop_y * (t + b);
  }
  return br.ok();
}

bool ParsePps(const std::vector<uint8_t>& nal, Pps* out) {
  if (nal.size() < 2 || (nal[0] & 0x1f) != kPps) return false;
  BitReader br(Rbsp(nal));
  out->pps_id = br.Ue();
  out->sps_id = br.Ue();
  out->entropy_coding_mode_flag = br.Bits(1);
  return br.ok();
}

int ProfileIdc(const std::string& caps_profile) {
  if (caps_profile == "constrained-baseline" || caps_profile == "baseline") return 66;
  if (caps_profile == "main") return 77;
  if (caps_profile == "high") return 100;
  return -1;
}

}  // namespace h264
