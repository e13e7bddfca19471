// SPDX-License-Identifier: GPL-2.0-or-later
// Caller-supplied SEI messages (the SEIPayloads frame option, keys.h): checked at EncodeFrame,
// written by the session as one SEI NAL unit into the frame's own access unit when it comes out
// of the encoder. The session writes them rather than x264's extra_sei or x265's userSEI: one
// path for both codecs, no payload memory lent to an encoder's threads, and x265 3.5 reuses a
// recycled frame's SEI buffers at their first size (a larger payload later would overflow them).
//
// Threading: pure functions.
#pragma once

#include <string>
#include <vector>

#include "vtcompress/keys.h"
#include "vtcompress/value.h"

namespace vtc {

struct SeiPayload {
  int type = 0;  // kSEIPayloadType_*: 4 (registered, ITU-T T.35) or 5 (unregistered)
  Data bytes;    // the payload, without its type and size
};

// Reads a SEIPayloads value (an Array of Dictionaries with PayloadType and Payload). False with
// *why for anything else: a type other than 4 or 5, an empty payload, an unregistered one
// shorter than its 16-byte UUID, more than kMaxSEIPayloadBytes in all.
bool ParseSeiPayloads(const Value& value, std::vector<SeiPayload>* out, std::string* why);

// ATSC A/53 captions (registered user data: T.35 country 0xB5, provider 0x0031, "GA94",
// cc_data): a decoder or parser takes one such message per picture (GStreamer's parsers keep the
// last one), so all of a frame's are merged into the first: their cc_data triplets in order, at
// most 31 (cc_count's 5 bits; more than CEA-708's bandwidth anyway). Returns how many triplets
// did not fit. Other messages are left alone.
int MergeA53Captions(std::vector<SeiPayload>* payloads);

// Inserts one SEI NAL unit carrying `payloads` into `sample` (NAL units with 4-byte big-endian
// lengths, as the encoders produce), just before the first slice: after any access unit
// delimiter, parameter sets and the encoder's own SEI (a buffering period must stay first).
// HEVC: a prefix SEI with the slice's TemporalId. False, leaving the sample alone, when it has
// no slice (cannot happen with a whole access unit).
bool InsertSei(CodecType codec, const std::vector<SeiPayload>& payloads, Data* sample);

}  // namespace vtc
