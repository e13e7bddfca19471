// SPDX-License-Identifier: GPL-2.0-or-later
// Bit-level access to H.264 parameter sets: an RBSP reader (emulation prevention removed) and the
// one rewrite the session needs, the VUI timing of an SPS.
//
// Why rewrite: x264 writes its timebase into the VUI (num_units_in_tick = timebase num,
// time_scale = 2 x timebase den). The session keeps x264's timebase at the timestamps' own
// timescale (nanoseconds from GStreamer) so that rate control follows real time, which would
// declare 1e9 fps to every decoder that trusts the SPS (ffmpeg on raw files). The rate control
// keeps its time base; the SPS says the stream's nominal frame rate, or nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vtcompress/value.h"

namespace vtc {

// Reads an RBSP from a NAL unit (header skipped, emulation-prevention bytes dropped). H.264 NAL
// headers are one byte, HEVC's two (hevc_ps.h).
class RbspReader {
 public:
  explicit RbspReader(const Data& nal, std::size_t header_bytes = 1);
  unsigned Bit();
  std::uint32_t Bits(int n);  // n <= 32
  std::uint32_t Ue();
  std::int32_t Se();
  // True if what is left is exactly rbsp_trailing_bits (a stop bit, then zeros to the byte
  // boundary): a parse that ends here consumed the whole syntax, so every field was where expected.
  bool AtTrailingBits() const;
  bool ok() const { return ok_; }
  std::size_t position() const { return pos_; }  // in bits
  const Data& rbsp() const { return rbsp_; }

 private:
  Data rbsp_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

struct VuiTiming {
  bool present = false;  // false: timing_info_present_flag = 0 (variable or unknown rate)
  std::uint32_t num_units_in_tick = 0, time_scale = 0;
  bool fixed_frame_rate = false;
};

// The nominal rate of a frame rate given as a double, as a fraction with a small denominator
// (29.97002997 -> 30000/1001, 25 -> 25/1). False for rates outside 0.001..1000.
bool FrameRateFraction(double fps, std::uint32_t* num, std::uint32_t* den);

// VUI timing that declares `num/den` frames per second (frame_mbs_only: two ticks per frame).
VuiTiming TimingForRate(std::uint32_t num, std::uint32_t den, bool fixed);

// Rewrites the VUI timing fields of an SPS NAL unit (header byte included, emulation-prevented
// as x264 writes it) and returns the new NAL unit in *out. An SPS without VUI gets one carrying
// only the timing. False (with *why) if the SPS cannot be parsed; *out is then untouched.
bool SetSpsTiming(const Data& sps, const VuiTiming& timing, Data* out, std::string* why);

// The VUI timing an SPS carries now (present = false when it has none). False if unparsable.
bool GetSpsTiming(const Data& sps, VuiTiming* timing);

}  // namespace vtc
