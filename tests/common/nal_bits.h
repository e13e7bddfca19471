// SPDX-License-Identifier: GPL-2.0-or-later
// NAL units of any codec that frames them as H.264 and HEVC do: 4-byte big-endian lengths (avc,
// hvc1: the element's packetized output, the session's samples) or Annex B start codes
// (byte-stream). The codec only decides how the type is read from the NAL header (see
// vtt::Codec). Shared by the session's and the element's tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nal {

struct Nal {
  int type = 0;
  std::vector<uint8_t> bytes;  // the NAL unit, header included, no length or start code
};

// The NAL unit type from the header's first byte (H.264: & 0x1f; HEVC: >> 1 & 0x3f).
using TypeOf = int (*)(uint8_t first_header_byte);

// Splits a buffer of 4-byte length-prefixed NAL units. False if a length runs past the end, a
// length is 0, or bytes are left over.
bool SplitLengthPrefixed(const uint8_t* data, size_t size, TypeOf type_of, std::vector<Nal>* out);

// Splits an Annex B byte stream. False unless the buffer starts with a start code (3 or 4 bytes)
// and every NAL unit is non-empty. `first_start_code_len` receives the length of the first one.
bool SplitAnnexB(const uint8_t* data, size_t size, TypeOf type_of, std::vector<Nal>* out,
                 int* first_start_code_len = nullptr);

// One SEI message: payload type and payload (emulation prevention removed).
struct SeiMessage {
  int type = 0;
  std::vector<uint8_t> payload;
};

// The messages of an SEI NAL unit whose header is header_size bytes (H.264 1, HEVC 2). False if
// a message runs past the unit or the trailing bits are missing.
bool ParseSei(const Nal& n, size_t header_size, std::vector<SeiMessage>* out);

}  // namespace nal
