// SPDX-License-Identifier: GPL-2.0-or-later
#include "nal_bits.h"

namespace nal {

bool SplitLengthPrefixed(const uint8_t* data, size_t size, TypeOf type_of, std::vector<Nal>* out) {
  out->clear();
  size_t pos = 0;
  while (pos < size) {
    if (size - pos < 4) return false;
    uint32_t len = (uint32_t(data[pos]) << 24) | (uint32_t(data[pos + 1]) << 16) |
                   (uint32_t(data[pos + 2]) << 8) | data[pos + 3];
    pos += 4;
    if (len == 0 || len > size - pos) return false;
    Nal nal;
    nal.type = type_of(data[pos]);
    nal.bytes.assign(data + pos, data + pos + len);
    out->push_back(std::move(nal));
    pos += len;
  }
  return !out->empty();
}

bool SplitAnnexB(const uint8_t* data, size_t size, TypeOf type_of, std::vector<Nal>* out,
                 int* first_start_code_len) {
  out->clear();
  // Positions just after each start code, and where each start code begins.
  std::vector<size_t> starts, code_begin;
  for (size_t i = 0; i + 2 < size; i++) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      size_t begin = (i > 0 && data[i - 1] == 0) ? i - 1 : i;
      code_begin.push_back(begin);
      starts.push_back(i + 3);
      i += 2;
    }
  }
  if (starts.empty() || code_begin[0] != 0) return false;
  if (first_start_code_len) *first_start_code_len = static_cast<int>(starts[0]);
  for (size_t k = 0; k < starts.size(); k++) {
    size_t end = (k + 1 < starts.size()) ? code_begin[k + 1] : size;
    if (end <= starts[k]) return false;
    Nal nal;
    nal.type = type_of(data[starts[k]]);
    nal.bytes.assign(data + starts[k], data + end);
    out->push_back(std::move(nal));
  }
  return true;
}

}  // namespace nal

namespace nal {

bool ParseSei(const Nal& n, size_t header_size, std::vector<SeiMessage>* out) {
  out->clear();
  std::vector<uint8_t> rbsp;
  int zeros = 0;
  for (size_t i = header_size; i < n.bytes.size(); ++i) {
    const uint8_t b = n.bytes[i];
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    rbsp.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  size_t at = 0;
  // Messages until only rbsp_trailing_bits (0x80) are left.
  while (at < rbsp.size() && !(at + 1 == rbsp.size() && rbsp[at] == 0x80)) {
    SeiMessage m;
    for (; at < rbsp.size() && rbsp[at] == 0xff; ++at) m.type += 255;
    if (at >= rbsp.size()) return false;
    m.type += rbsp[at++];
    size_t size = 0;
    for (; at < rbsp.size() && rbsp[at] == 0xff; ++at) size += 255;
    if (at >= rbsp.size()) return false;
    size += rbsp[at++];
    if (size > rbsp.size() - at) return false;
    m.payload.assign(rbsp.begin() + long(at), rbsp.begin() + long(at + size));
    at += size;
    out->push_back(std::move(m));
  }
  return at + 1 == rbsp.size();
}

}  // namespace nal
