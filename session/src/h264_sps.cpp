// SPDX-License-Identifier: GPL-2.0-or-later
#include "h264_sps.h"

#include <cmath>

namespace vtc {
namespace {

class BitWriter {
 public:
  void Bit(unsigned b) {
    if (bits_ % 8 == 0) out_.push_back(0);
    if (b) out_.back() |= std::uint8_t(0x80 >> (bits_ % 8));
    ++bits_;
  }
  void Bits(std::uint32_t v, int n) {
    while (n-- > 0) Bit((v >> n) & 1);
  }
  // rbsp_trailing_bits: the stop bit, then zeros to the byte boundary.
  void Trailing() {
    Bit(1);
    while (bits_ % 8) Bit(0);
  }
  const Data& bytes() const { return out_; }

 private:
  Data out_;
  std::size_t bits_ = 0;
};

// Copies bits [from, to) of an RBSP.
void CopyBits(const Data& rbsp, std::size_t from, std::size_t to, BitWriter* w) {
  for (std::size_t i = from; i < to; ++i) w->Bit((rbsp[i / 8] >> (7 - i % 8)) & 1);
}

// A NAL unit from its header byte and RBSP: 00 00 0x (x <= 3) gets an emulation-prevention 03.
Data ToNal(std::uint8_t header, const Data& rbsp) {
  Data nal{header};
  int zeros = 0;
  for (std::uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 3) {
      nal.push_back(3);
      zeros = 0;
    }
    nal.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return nal;
}

void SkipScalingList(RbspReader& r, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size && r.ok(); ++j) {
    if (next != 0) next = (last + r.Se() + 256) % 256;
    last = next == 0 ? last : next;
  }
}

// Where the VUI's timing fields are, in bits of the RBSP.
struct SpsLayout {
  std::size_t vui_flag = 0;      // position of vui_parameters_present_flag
  bool has_vui = false;          // its value
  std::size_t timing_start = 0;  // position of timing_info_present_flag (has_vui only)
  std::size_t timing_end = 0;    // first bit after the timing fields (has_vui only)
  VuiTiming timing;
  std::size_t stop_bit = 0;  // position of rbsp_stop_one_bit
};

bool Parse(RbspReader& r, SpsLayout* l, std::string* why) {
  const unsigned profile = r.Bits(8);
  r.Bits(16);  // constraint flags, level_idc
  r.Ue();      // seq_parameter_set_id
  switch (profile) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135: {
      const unsigned chroma_format_idc = r.Ue();
      if (chroma_format_idc == 3) r.Bit();  // separate_colour_plane_flag
      r.Ue();                               // bit_depth_luma_minus8
      r.Ue();                               // bit_depth_chroma_minus8
      r.Bit();                              // qpprime_y_zero_transform_bypass_flag
      if (r.Bit()) {                        // seq_scaling_matrix_present_flag
        for (int i = 0; i < (chroma_format_idc != 3 ? 8 : 12) && r.ok(); ++i)
          if (r.Bit()) SkipScalingList(r, i < 6 ? 16 : 64);
      }
      break;
    }
    default:
      break;
  }
  r.Ue();  // log2_max_frame_num_minus4
  const unsigned poc_type = r.Ue();
  if (poc_type == 0) {
    r.Ue();  // log2_max_pic_order_cnt_lsb_minus4
  } else if (poc_type == 1) {
    r.Bit();
    r.Se();
    r.Se();
    const unsigned cycle = r.Ue();
    if (cycle > 255) {
      *why = "SPS: num_ref_frames_in_pic_order_cnt_cycle out of range";
      return false;
    }
    for (unsigned i = 0; i < cycle && r.ok(); ++i) r.Se();
  }
  r.Ue();                 // max_num_ref_frames
  r.Bit();                // gaps_in_frame_num_value_allowed_flag
  r.Ue();                 // pic_width_in_mbs_minus1
  r.Ue();                 // pic_height_in_map_units_minus1
  if (!r.Bit()) r.Bit();  // frame_mbs_only_flag, else mb_adaptive_frame_field_flag
  r.Bit();                // direct_8x8_inference_flag
  if (r.Bit())            // frame_cropping_flag
    for (int i = 0; i < 4; ++i) r.Ue();
  l->vui_flag = r.position();
  l->has_vui = r.Bit();
  if (l->has_vui) {
    if (r.Bit() && r.Bits(8) == 255) r.Bits(32);  // aspect_ratio_idc, Extended_SAR
    if (r.Bit()) r.Bit();                         // overscan
    if (r.Bit()) {                                // video_signal_type
      r.Bits(4);                                  // video_format, video_full_range_flag
      if (r.Bit()) r.Bits(24);                    // colour description
    }
    if (r.Bit()) {  // chroma_loc_info
      r.Ue();
      r.Ue();
    }
    l->timing_start = r.position();
    l->timing.present = r.Bit();
    if (l->timing.present) {
      l->timing.num_units_in_tick = r.Bits(32);
      l->timing.time_scale = r.Bits(32);
      l->timing.fixed_frame_rate = r.Bit();
    }
    l->timing_end = r.position();
  }
  if (!r.ok()) {
    *why = "SPS: truncated";
    return false;
  }
  // The stop bit is the last 1 of the RBSP.
  const Data& rbsp = r.rbsp();
  std::size_t last = rbsp.size();
  while (last > 0 && rbsp[last - 1] == 0) --last;
  if (last == 0) {
    *why = "SPS: no stop bit";
    return false;
  }
  const std::uint8_t b = rbsp[last - 1];
  int low = 0;
  while (!((b >> low) & 1)) ++low;
  l->stop_bit = last * 8 - 1 - std::size_t(low);
  if (l->stop_bit < r.position()) {
    *why = "SPS: stop bit inside the parsed fields";
    return false;
  }
  return true;
}

void WriteTiming(const VuiTiming& t, BitWriter* w) {
  w->Bit(t.present);
  if (!t.present) return;
  w->Bits(t.num_units_in_tick, 32);
  w->Bits(t.time_scale, 32);
  w->Bit(t.fixed_frame_rate);
}

}  // namespace

RbspReader::RbspReader(const Data& nal, std::size_t header_bytes) {
  int zeros = 0;
  for (std::size_t i = header_bytes; i < nal.size(); ++i) {  // skip the NAL header
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    rbsp_.push_back(nal[i]);
  }
}

unsigned RbspReader::Bit() {
  if (pos_ >= rbsp_.size() * 8) {
    ok_ = false;
    return 0;
  }
  const unsigned b = (rbsp_[pos_ / 8] >> (7 - pos_ % 8)) & 1;
  ++pos_;
  return b;
}

std::uint32_t RbspReader::Bits(int n) {
  std::uint32_t v = 0;
  while (n-- > 0) v = (v << 1) | Bit();
  return v;
}

std::uint32_t RbspReader::Ue() {
  int lz = 0;
  while (ok_ && Bit() == 0) {
    if (++lz > 31) {
      ok_ = false;
      return 0;
    }
  }
  return lz ? ((1u << lz) - 1 + Bits(lz)) : 0;
}

std::int32_t RbspReader::Se() {
  const std::uint32_t k = Ue();
  return (k & 1) ? std::int32_t((k + 1) / 2) : -std::int32_t(k / 2);
}

bool RbspReader::AtTrailingBits() const {
  const std::size_t end = rbsp_.size() * 8;
  if (!ok_ || pos_ >= end) return false;
  auto bit = [&](std::size_t i) { return (rbsp_[i / 8] >> (7 - i % 8)) & 1; };
  if (!bit(pos_)) return false;
  // Zero bytes after the alignment are tolerated: a byte stream's trailing_zero_8bits that a
  // splitter left on the NAL unit.
  for (std::size_t i = pos_ + 1; i < end; ++i)
    if (bit(i)) return false;
  return true;
}

bool FrameRateFraction(double fps, std::uint32_t* num, std::uint32_t* den) {
  if (!(fps >= 0.001 && fps <= 1000)) return false;
  // Continued fraction: the first convergent within 1e-9 relative, denominator at most 1e6.
  double x = fps;
  std::uint64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0;
  for (int i = 0; i < 32; ++i) {
    const double a = std::floor(x);
    const std::uint64_t ai = std::uint64_t(a);
    const std::uint64_t h2 = ai * h1 + h0, k2 = ai * k1 + k0;
    if (k2 > 1000000 || h2 > 0x7fffffffu) break;
    h0 = h1, h1 = h2, k0 = k1, k1 = k2;
    if (std::fabs(double(h1) / double(k1) - fps) <= 1e-9 * fps) break;
    const double frac = x - a;
    if (frac < 1e-12) break;
    x = 1.0 / frac;
  }
  if (h1 == 0 || k1 == 0) return false;
  *num = std::uint32_t(h1);
  *den = std::uint32_t(k1);
  return true;
}

VuiTiming TimingForRate(std::uint32_t num, std::uint32_t den, bool fixed) {
  VuiTiming t;
  t.present = num > 0 && den > 0 && num <= 0x7fffffffu;
  if (t.present) {
    t.num_units_in_tick = den;
    t.time_scale = 2 * num;
    t.fixed_frame_rate = fixed;
  }
  return t;
}

bool GetSpsTiming(const Data& sps, VuiTiming* timing) {
  if (sps.size() < 4 || (sps[0] & 0x1f) != 7) return false;
  RbspReader r(sps);
  SpsLayout l;
  std::string why;
  if (!Parse(r, &l, &why)) return false;
  *timing = l.has_vui ? l.timing : VuiTiming{};
  return true;
}

bool SetSpsTiming(const Data& sps, const VuiTiming& timing, Data* out, std::string* why) {
  if (sps.size() < 4 || (sps[0] & 0x1f) != 7) {
    *why = "not an SPS NAL unit";
    return false;
  }
  RbspReader r(sps);
  SpsLayout l;
  if (!Parse(r, &l, why)) return false;
  const Data& rbsp = r.rbsp();
  BitWriter w;
  if (l.has_vui) {
    CopyBits(rbsp, 0, l.timing_start, &w);
    WriteTiming(timing, &w);
    CopyBits(rbsp, l.timing_end, l.stop_bit, &w);
  } else {
    if (!timing.present) {  // nothing to say
      *out = sps;
      return true;
    }
    CopyBits(rbsp, 0, l.vui_flag, &w);
    w.Bit(1);      // vui_parameters_present_flag
    w.Bits(0, 4);  // aspect ratio, overscan, video signal, chroma location: absent
    WriteTiming(timing, &w);
    w.Bits(0, 3);                                    // nal_hrd, vcl_hrd, pic_struct_present: absent
    w.Bit(0);                                        // bitstream_restriction_flag
    CopyBits(rbsp, l.vui_flag + 1, l.stop_bit, &w);  // nothing, in a conforming SPS
  }
  w.Trailing();
  *out = ToNal(sps[0], w.bytes());
  return true;
}

}  // namespace vtc
