// SPDX-License-Identifier: GPL-2.0-or-later
// ATSC A/53 closed captions as an SEIPayloads message (keys.h): the one place the A/53 header is
// spelled, for the session (merging a frame's caption messages) and for callers such as the
// GStreamer element (building them from caption metas).
#pragma once

#include <cstddef>
#include <cstdint>

#include "vtcompress/export.h"
#include "vtcompress/value.h"

namespace vtc {

// cc_count is 5 bits: one A/53 message carries at most this many cc_data triplets.
constexpr std::size_t kA53MaxTriplets = 31;

// A registered user data payload (SEI payload type 4, kSEIPayloadType_UserDataRegistered)
// carrying `count` cc_data triplets (cc_valid/cc_type byte and two data bytes each): ITU-T T.35
// United States (0xB5), provider ATSC (0x0031), "GA94", user_data_type_code 3 (cc_data) with
// process_cc_data_flag set, em_data 0xFF, the triplets, marker_bits 0xFF. Triplets beyond
// kA53MaxTriplets are left out.
VTC_EXPORT Data A53CaptionPayload(const std::uint8_t* triplets, std::size_t count);

}  // namespace vtc
