// SPDX-License-Identifier: GPL-2.0-or-later
#include "sei.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>

#include "vtcompress/a53.h"

namespace vtc {
namespace {

constexpr std::size_t kLengthSize = 4;  // the encoders' NAL length prefix
constexpr std::size_t kUuidSize = 16;

std::uint32_t ReadLength(const Data& d, std::size_t at) {
  return (std::uint32_t(d[at]) << 24) | (std::uint32_t(d[at + 1]) << 16) |
         (std::uint32_t(d[at + 2]) << 8) | std::uint32_t(d[at + 3]);
}

bool IsSlice(CodecType codec, std::uint8_t header) {
  if (codec == kCodecType_HEVC) return ((header >> 1) & 0x3f) < 32;  // VCL: 0..31
  const int type = header & 0x1f;
  return type >= 1 && type <= 5;
}

// SEI's variable-length numbers (7.3.2.3.1 / 7.3.5): 0xFF per 255, then the rest.
void PutFfCoded(std::size_t v, Data* rbsp) {
  for (; v >= 255; v -= 255) rbsp->push_back(0xff);
  rbsp->push_back(static_cast<std::uint8_t>(v));
}

}  // namespace

bool ParseSeiPayloads(const Value& value, std::vector<SeiPayload>* out, std::string* why) {
  out->clear();
  if (value.IsNull()) return true;
  if (!value.IsArray()) {
    *why = "SEIPayloads must be an array of dictionaries";
    return false;
  }
  std::size_t total = 0;
  for (const Value& item : value.AsArray()) {
    if (!item.IsDictionary()) {
      *why = "SEIPayloads must be an array of dictionaries";
      return false;
    }
    const Dictionary& d = item.AsDictionary();
    auto type = d.find(key::kSEIPayloadType);
    auto bytes = d.find(key::kSEIPayload);
    std::int64_t t = 0;
    if (type == d.end() || !type->second.GetInt(&t)) {
      *why = "SEIPayloads: each message needs a PayloadType number";
      return false;
    }
    if (t != key::kSEIPayloadType_UserDataRegistered &&
        t != key::kSEIPayloadType_UserDataUnregistered) {
      *why = "SEIPayloads: payload type " + std::to_string(t) +
             " is not user data (4, registered, or 5, unregistered): the encoder writes the "
             "stream's own SEI";
      return false;
    }
    if (bytes == d.end() || !bytes->second.IsData() || bytes->second.AsData().empty()) {
      *why = "SEIPayloads: each message needs a non-empty Payload (data)";
      return false;
    }
    const Data& b = bytes->second.AsData();
    if (t == key::kSEIPayloadType_UserDataUnregistered && b.size() <= kUuidSize) {
      *why = "SEIPayloads: an unregistered user data payload is a 16-byte UUID and data";
      return false;
    }
    total += b.size();
    if (total > static_cast<std::size_t>(key::kMaxSEIPayloadBytes)) {
      *why = "SEIPayloads: more than " + std::to_string(key::kMaxSEIPayloadBytes) +
             " bytes of SEI for one frame";
      return false;
    }
    out->push_back(SeiPayload{static_cast<int>(t), b});
  }
  return true;
}

namespace {

// The header of an A/53 cc_data payload up to and including user_data_type_code 3, then
// process_em_data_flag/process_cc_data_flag/additional_data_flag/cc_count and em_data.
constexpr std::uint8_t kA53Header[] = {0xb5, 0x00, 0x31, 'G', 'A', '9', '4', 0x03};
constexpr std::size_t kA53Triplets = sizeof(kA53Header) + 2;  // where the triplets start

// The triplets of an A/53 cc_data payload, or false if it is not one (or is cut short).
bool A53Triplets(const SeiPayload& p, const std::uint8_t** first, std::size_t* count) {
  if (p.type != key::kSEIPayloadType_UserDataRegistered || p.bytes.size() < kA53Triplets ||
      !std::equal(std::begin(kA53Header), std::end(kA53Header), p.bytes.begin()))
    return false;
  const std::size_t n = p.bytes[sizeof(kA53Header)] & 0x1f;
  if (kA53Triplets + 3 * n > p.bytes.size()) return false;
  *first = p.bytes.data() + kA53Triplets;
  *count = n;
  return true;
}

}  // namespace

Data A53CaptionPayload(const std::uint8_t* triplets, std::size_t count) {
  count = std::min(count, kA53MaxTriplets);
  Data p(std::begin(kA53Header), std::end(kA53Header));
  p.push_back(std::uint8_t(0x40 | count));  // process_cc_data_flag, cc_count
  p.push_back(0xff);                        // em_data
  p.insert(p.end(), triplets, triplets + 3 * count);
  p.push_back(0xff);  // marker_bits
  return p;
}

int MergeA53Captions(std::vector<SeiPayload>* payloads) {
  int first = -1, found = 0;
  std::vector<std::uint8_t> triplets;
  for (std::size_t i = 0; i < payloads->size(); ++i) {
    const std::uint8_t* t = nullptr;
    std::size_t n = 0;
    if (!A53Triplets((*payloads)[i], &t, &n)) continue;
    if (first < 0) first = int(i);
    ++found;
    triplets.insert(triplets.end(), t, t + 3 * n);
  }
  const std::size_t total = triplets.size() / 3;
  if (found == 0 || (found == 1 && total <= kA53MaxTriplets)) return 0;
  const std::size_t kept = std::min(total, kA53MaxTriplets);
  SeiPayload merged{key::kSEIPayloadType_UserDataRegistered,
                    A53CaptionPayload(triplets.data(), kept)};
  std::vector<SeiPayload> out;
  for (std::size_t i = 0; i < payloads->size(); ++i) {
    const std::uint8_t* t = nullptr;
    std::size_t n = 0;
    if (int(i) == first)
      out.push_back(std::move(merged));
    else if (!A53Triplets((*payloads)[i], &t, &n))
      out.push_back(std::move((*payloads)[i]));
  }
  *payloads = std::move(out);
  return int(total - kept);
}

bool InsertSei(CodecType codec, const std::vector<SeiPayload>& payloads, Data* sample) {
  if (payloads.empty()) return true;
  // The first slice, and its TemporalId (an HEVC SEI NAL unit must carry the access unit's).
  std::size_t at = 0;
  bool found = false;
  std::uint8_t tid_plus1 = 1;
  while (at + kLengthSize < sample->size()) {
    const std::size_t len = ReadLength(*sample, at);
    if (len == 0 || len > sample->size() - at - kLengthSize) return false;
    const std::uint8_t header = (*sample)[at + kLengthSize];
    if (IsSlice(codec, header)) {
      if (codec == kCodecType_HEVC && len >= 2) tid_plus1 = (*sample)[at + kLengthSize + 1] & 7;
      found = true;
      break;
    }
    at += kLengthSize + len;
  }
  if (!found) return false;

  Data rbsp;
  for (const SeiPayload& p : payloads) {
    PutFfCoded(static_cast<std::size_t>(p.type), &rbsp);
    PutFfCoded(p.bytes.size(), &rbsp);
    rbsp.insert(rbsp.end(), p.bytes.begin(), p.bytes.end());
  }
  rbsp.push_back(0x80);  // rbsp_trailing_bits

  Data nal;
  nal.reserve(kLengthSize + 2 + rbsp.size() + rbsp.size() / 64 + 4);
  nal.resize(kLengthSize);
  if (codec == kCodecType_HEVC) {
    nal.push_back(39 << 1);  // PREFIX_SEI_NUT, layer 0
    nal.push_back(tid_plus1 ? tid_plus1 : 1);
  } else {
    nal.push_back(6);  // SEI, nal_ref_idc 0
  }
  // Emulation prevention: no 00 00 0x (x <= 3) inside the NAL unit.
  int zeros = 0;
  for (std::uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 3) {
      nal.push_back(3);
      zeros = 0;
    }
    nal.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  const std::size_t len = nal.size() - kLengthSize;
  nal[0] = static_cast<std::uint8_t>(len >> 24);
  nal[1] = static_cast<std::uint8_t>(len >> 16);
  nal[2] = static_cast<std::uint8_t>(len >> 8);
  nal[3] = static_cast<std::uint8_t>(len);
  sample->insert(sample->begin() + static_cast<std::ptrdiff_t>(at), nal.begin(), nal.end());
  return true;
}

}  // namespace vtc
