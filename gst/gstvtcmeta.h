// SPDX-License-Identifier: GPL-2.0-or-later
// Buffer metas the encoders write into the stream: closed captions (GstVideoCaptionMeta) and
// unregistered user data (GstVideoSEIUserDataUnregisteredMeta) become the session's SEIPayloads
// frame option, region-of-interest metas its RegionsOfInterest.
//
// Threading: called from the streaming thread with the frame's input buffer; no element lock.
#pragma once

#include <gst/gst.h>

#include <cstddef>
#include <string>

#include "vtcompress/value.h"

// Captions of every GstVideoCaptionMeta type (CEA-708 cc_data and CDP, CEA-608 raw and
// S334-1A) as ATSC A/53 registered user data (ITU-T T.35 "GA94", cc_data in the metas' order,
// at most 31 triplets a message), then each unregistered user data meta, into
// options[SEIPayloads]. A meta it cannot read is skipped; *skipped says why (empty if none).
void gst_vtc_meta_to_sei(GstBuffer* buffer, vtc::Dictionary* options, std::string* skipped);

// The payload bytes of a SEIPayloads array (what the session counts against kMaxSEIPayloadBytes).
std::size_t gst_vtc_meta_sei_bytes(const vtc::Array& messages);

// Each GstVideoRegionOfInterestMeta as a region of the session's RegionsOfInterest: its QP
// offset from a "delta-qp" field (a number in -51..51: negative is finer) of any of its param
// structures, else -"priority" (an int; higher is more important), else kDefaultRoiQpOffset.
// A region of no size or with an offset out of range is left out; *skipped says why.
inline constexpr double kDefaultRoiQpOffset = -6;
void gst_vtc_meta_to_roi(GstBuffer* buffer, vtc::Dictionary* options, std::string* skipped);

// What a frame's metas add to its frame options: its captions and user data after those of
// frames dropped before it (`carried`, emptied; left out if they no longer fit), and its regions
// of interest. What it leaves out is logged to `cat` for `self`'s frame `number`.
void gst_vtc_meta_frame_options(GstObject* self, GstDebugCategory* cat, guint32 number,
                                GstBuffer* buffer, vtc::Array* carried, vtc::Dictionary* options);

// A frame dropped before the session saw it (qos): its captions and user data join `carried`
// for the next frame, as far as they fit in one frame's SEI.
void gst_vtc_meta_carry_sei(GstBuffer* buffer, vtc::Array* carried);

// Whether an input meta is written into the stream by this element (captions, user data): the
// base class then does not copy it onto the output as well, where a parser would find the
// captions twice.
bool gst_vtc_meta_is_in_stream(const GstMeta* meta);
