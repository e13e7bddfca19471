// SPDX-License-Identifier: GPL-2.0-or-later
#include "gstvtcmeta.h"

#include <gst/video/video.h>

#include <algorithm>
#include <cstdint>

#include "vtcompress/a53.h"
#include "vtcompress/keys.h"

namespace {

// cc_data triplets: cc_valid/cc_type byte and two data bytes. CEA-608 field 1 is 0xFC, field 2
// 0xFD (marker bits, cc_valid, cc_type 0 or 1).
using Triplets = std::vector<std::uint8_t>;

// A CDP (SMPTE 334-2, CEA-708's caption distribution packet): header, optional time code, then
// the ccdata section. False with *why if it is not one.
bool CdpToTriplets(const std::uint8_t* d, std::size_t size, Triplets* out, std::string* why) {
  if (size < 7 || d[0] != 0x96 || d[1] != 0x69) {
    *why = "a CDP without its 0x9669 identifier";
    return false;
  }
  const std::size_t length = d[2];
  if (length < 7 || length > size) {
    *why = "a CDP whose length is not its size";
    return false;
  }
  const std::uint8_t flags = d[4];
  std::size_t at = 7;  // after id, length, frame rate, flags and sequence counter
  if (flags & 0x80) {  // time_code_present: section 0x71 and 4 bytes
    if (at + 5 > length || d[at] != 0x71) {
      *why = "a CDP with a broken time code section";
      return false;
    }
    at += 5;
  }
  if (!(flags & 0x40)) return true;  // ccdata_present not set: nothing to carry
  if (at + 2 > length || d[at] != 0x72) {
    *why = "a CDP without its ccdata section";
    return false;
  }
  const std::size_t count = d[at + 1] & 0x1f;
  at += 2;
  if (at + 3 * count > length) {
    *why = "a CDP whose cc_count runs past its end";
    return false;
  }
  out->insert(out->end(), d + at, d + at + 3 * count);
  return true;
}

bool CaptionToTriplets(const GstVideoCaptionMeta* m, Triplets* out, std::string* why) {
  const std::uint8_t* d = m->data;
  switch (m->caption_type) {
    case GST_VIDEO_CAPTION_TYPE_CEA708_RAW:
      if (m->size % 3 != 0) {
        *why = "CEA-708 cc_data whose size is not a multiple of 3";
        return false;
      }
      out->insert(out->end(), d, d + m->size);
      return true;
    case GST_VIDEO_CAPTION_TYPE_CEA708_CDP:
      return CdpToTriplets(d, m->size, out, why);
    case GST_VIDEO_CAPTION_TYPE_CEA608_RAW:  // byte pairs, field 1
      if (m->size % 2 != 0) {
        *why = "CEA-608 byte pairs of an odd size";
        return false;
      }
      for (std::size_t i = 0; i < m->size; i += 2) out->insert(out->end(), {0xfc, d[i], d[i + 1]});
      return true;
    case GST_VIDEO_CAPTION_TYPE_CEA608_S334_1A:  // triplets; top bit of the first: field 1
      if (m->size % 3 != 0) {
        *why = "CEA-608 S334-1A data whose size is not a multiple of 3";
        return false;
      }
      for (std::size_t i = 0; i < m->size; i += 3)
        out->insert(out->end(), {std::uint8_t((d[i] & 0x80) ? 0xfc : 0xfd), d[i + 1], d[i + 2]});
      return true;
    default:
      *why = "a caption type it does not know";
      return false;
  }
}

vtc::Value Message(int type, vtc::Data bytes) {
  return vtc::Value(vtc::Dictionary{{vtc::key::kSEIPayloadType, vtc::Value(type)},
                                    {vtc::key::kSEIPayload, vtc::Value(std::move(bytes))}});
}

}  // namespace

void gst_vtc_meta_to_sei(GstBuffer* buffer, vtc::Dictionary* options, std::string* skipped) {
  skipped->clear();
  Triplets triplets;
  vtc::Array messages;
  std::size_t total = 0;  // the session refuses a frame with more SEI than this: leave it out
  auto add = [&](int type, vtc::Data bytes) {
    total += bytes.size();
    if (total > static_cast<std::size_t>(vtc::key::kMaxSEIPayloadBytes)) {
      *skipped = "more caption and user data than one frame can carry";
      return;
    }
    messages.push_back(Message(type, std::move(bytes)));
  };
  gpointer state = nullptr;
  while (GstMeta* meta = gst_buffer_iterate_meta(buffer, &state)) {
    if (meta->info->api == GST_VIDEO_CAPTION_META_API_TYPE) {
      std::string why;
      if (!CaptionToTriplets(reinterpret_cast<GstVideoCaptionMeta*>(meta), &triplets, &why))
        *skipped = why;
    }
  }
  for (std::size_t at = 0; at < triplets.size(); at += 3 * vtc::kA53MaxTriplets) {
    const std::size_t n = std::min(vtc::kA53MaxTriplets, (triplets.size() - at) / 3);
    add(vtc::key::kSEIPayloadType_UserDataRegistered, vtc::A53CaptionPayload(&triplets[at], n));
  }
  state = nullptr;
  while (GstMeta* meta = gst_buffer_iterate_meta(buffer, &state)) {
    if (meta->info->api != GST_VIDEO_SEI_USER_DATA_UNREGISTERED_META_API_TYPE) continue;
    auto* u = reinterpret_cast<GstVideoSEIUserDataUnregisteredMeta*>(meta);
    if (u->size == 0) {
      *skipped = "unregistered user data with no data after its UUID";
      continue;
    }
    vtc::Data bytes(u->uuid, u->uuid + 16);
    bytes.insert(bytes.end(), u->data, u->data + u->size);
    add(vtc::key::kSEIPayloadType_UserDataUnregistered, std::move(bytes));
  }
  if (!messages.empty()) (*options)[vtc::key::kSEIPayloads] = vtc::Value(std::move(messages));
}

namespace {

// The QP offset a region meta asks for (see the header); false if its number is unusable.
bool RoiOffset(const GstVideoRegionOfInterestMeta* m, double* offset) {
  *offset = kDefaultRoiQpOffset;
  bool from_priority = false;
  for (GList* l = m->params; l; l = l->next) {
    auto* s = static_cast<const GstStructure*>(l->data);
    const GValue* v = gst_structure_get_value(s, "delta-qp");
    if (!v) {
      const GValue* p = gst_structure_get_value(s, "priority");
      if (p && G_VALUE_HOLDS_INT(p) && !from_priority) {
        *offset = -g_value_get_int(p);
        from_priority = true;
      }
      continue;
    }
    if (G_VALUE_HOLDS_INT(v))
      *offset = g_value_get_int(v);
    else if (G_VALUE_HOLDS_DOUBLE(v))
      *offset = g_value_get_double(v);
    else if (G_VALUE_HOLDS_FLOAT(v))
      *offset = g_value_get_float(v);
    else
      return false;
    break;  // delta-qp wins over priority
  }
  return *offset >= -51 && *offset <= 51;
}

}  // namespace

void gst_vtc_meta_to_roi(GstBuffer* buffer, vtc::Dictionary* options, std::string* skipped) {
  skipped->clear();
  vtc::Array regions;
  gpointer state = nullptr;
  while (GstMeta* meta = gst_buffer_iterate_meta_filtered(
             buffer, &state, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) {
    auto* m = reinterpret_cast<GstVideoRegionOfInterestMeta*>(meta);
    double offset = 0;
    if (m->w == 0 || m->h == 0) {
      *skipped = "a region of interest of no size";
      continue;
    }
    if (!RoiOffset(m, &offset)) {
      *skipped = "a region of interest whose delta-qp or priority is not a QP offset in -51..51";
      continue;
    }
    // The session clips regions to the picture but refuses absurd numbers: keep them sane.
    auto sane = [](guint v) { return vtc::Value(std::min(v, 1u << 20)); };
    regions.push_back(vtc::Value(vtc::Dictionary{
        {vtc::key::kRegionX, sane(m->x)},
        {vtc::key::kRegionY, sane(m->y)},
        {vtc::key::kRegionWidth, sane(m->w)},
        {vtc::key::kRegionHeight, sane(m->h)},
        {vtc::key::kRegionQPOffset, vtc::Value(offset)},
    }));
  }
  if (!regions.empty()) (*options)[vtc::key::kRegionsOfInterest] = vtc::Value(std::move(regions));
}

std::size_t gst_vtc_meta_sei_bytes(const vtc::Array& messages) {
  std::size_t total = 0;
  for (const vtc::Value& m : messages) {
    if (!m.IsDictionary()) continue;
    auto it = m.AsDictionary().find(vtc::key::kSEIPayload);
    if (it != m.AsDictionary().end() && it->second.IsData()) total += it->second.AsData().size();
  }
  return total;
}

void gst_vtc_meta_carry_sei(GstBuffer* buffer, vtc::Array* carried) {
  vtc::Dictionary options;
  std::string skipped;
  gst_vtc_meta_to_sei(buffer, &options, &skipped);
  auto it = options.find(vtc::key::kSEIPayloads);
  if (it == options.end()) return;
  vtc::Array more = *carried;
  for (const vtc::Value& m : it->second.AsArray()) more.push_back(m);
  if (gst_vtc_meta_sei_bytes(more) <= std::size_t(vtc::key::kMaxSEIPayloadBytes))
    *carried = std::move(more);
}

void gst_vtc_meta_frame_options(GstObject* self, GstDebugCategory* cat, guint32 number,
                                GstBuffer* buffer, vtc::Array* carried, vtc::Dictionary* options) {
  std::string skipped;
  gst_vtc_meta_to_sei(buffer, options, &skipped);
  if (!skipped.empty())
    GST_CAT_WARNING_OBJECT(cat, self, "frame %u: a caption or user data meta left out: %s", number,
                           skipped.c_str());
  if (!carried->empty()) {
    vtc::Array sei = std::move(*carried);
    carried->clear();
    auto it = options->find(vtc::key::kSEIPayloads);
    if (it != options->end())
      for (const vtc::Value& m : it->second.AsArray()) sei.push_back(m);
    if (gst_vtc_meta_sei_bytes(sei) <= std::size_t(vtc::key::kMaxSEIPayloadBytes))
      (*options)[vtc::key::kSEIPayloads] = vtc::Value(std::move(sei));
    else
      GST_CAT_WARNING_OBJECT(cat, self,
                             "frame %u: the SEI of frames dropped before it do not fit with its "
                             "own: left out",
                             number);
  }
  gst_vtc_meta_to_roi(buffer, options, &skipped);
  if (!skipped.empty())
    GST_CAT_WARNING_OBJECT(cat, self, "frame %u: %s left out", number, skipped.c_str());
}

bool gst_vtc_meta_is_in_stream(const GstMeta* meta) {
  const GType api = meta->info->api;
  return api == GST_VIDEO_CAPTION_META_API_TYPE ||
         api == GST_VIDEO_SEI_USER_DATA_UNREGISTERED_META_API_TYPE;
}
