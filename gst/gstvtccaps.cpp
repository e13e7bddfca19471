// SPDX-License-Identifier: GPL-2.0-or-later
#include "gstvtccaps.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "gstvtcencoder.h"
#include "vtcompress/keys.h"

namespace gstvtc {

GstCaps* RawSinkCaps(const CodecCaps& codec, const std::function<bool(const RawFormat&)>& keep) {
  const std::string formats = FormatList([&](const RawFormat& f) {
    return (!codec.takes_format || codec.takes_format(f)) && keep(f);
  });
  if (formats.empty()) return gst_caps_new_empty();
  const std::string size = "[ " + std::to_string(codec.min_size) + ", 16384 ]";
  const std::string caps = "video/x-raw, format = (string) " + formats + ", width = (int) " + size +
                           ", height = (int) " + size + ", framerate = (fraction) [ 0/1, MAX ]";
  return gst_caps_from_string(caps.c_str());
}

GstCaps* SinkTemplateCaps(const CodecCaps& codec) {
  return RawSinkCaps(codec, [](const RawFormat&) { return true; });
}

Upstream UpstreamKind(GstPad* sink) {
  GstPad* pad = gst_pad_get_peer(sink);
  for (int hops = 0; pad && hops < 16; ++hops) {
    if (GST_IS_PROXY_PAD(pad) && !GST_IS_GHOST_PAD(pad)) {
      // The inside of a ghost pad: continue from the ghost pad's peer.
      GstProxyPad* ghost = gst_proxy_pad_get_internal(GST_PROXY_PAD(pad));
      gst_object_unref(pad);
      pad = ghost ? gst_pad_get_peer(GST_PAD(ghost)) : nullptr;
      if (ghost) gst_object_unref(ghost);
      continue;
    }
    if (GST_IS_GHOST_PAD(pad)) {
      GstPad* target = gst_ghost_pad_get_target(GST_GHOST_PAD(pad));
      gst_object_unref(pad);
      pad = target;
      continue;
    }
    GstElement* element = gst_pad_get_parent_element(pad);
    gst_object_unref(pad);
    pad = nullptr;
    if (!element) break;
    const gchar* klass = gst_element_get_metadata(element, GST_ELEMENT_METADATA_KLASS);
    const Upstream kind = !klass                            ? Upstream::kOther
                          : std::strstr(klass, "Converter") ? Upstream::kConverter
                          : std::strstr(klass, "Source")    ? Upstream::kSource
                                                            : Upstream::kOther;
    GstPad* in = nullptr;
    if (klass && std::strcmp(klass, "Generic") == 0) {
      // The pad lists change under the element's lock (request pads, dynamic pads).
      GST_OBJECT_LOCK(element);
      if (element->numsinkpads == 1 && element->numsrcpads == 1)
        in = GST_PAD(gst_object_ref(element->sinkpads->data));
      GST_OBJECT_UNLOCK(element);
    }
    if (in) {
      pad = gst_pad_get_peer(in);
      gst_object_unref(in);
    }
    gst_object_unref(element);
    if (kind != Upstream::kOther) {
      if (pad) gst_object_unref(pad);
      return kind;
    }
  }
  if (pad) gst_object_unref(pad);
  return Upstream::kOther;
}

bool UpstreamCannotGive(GstVideoEncoder* enc, GstCaps* caps) {
  static thread_local int depth = 0;
  if (depth > 0) return false;
  ++depth;
  CapsRef upstream(gst_pad_peer_query_caps(GST_VIDEO_ENCODER_SINK_PAD(enc), nullptr));
  --depth;
  return upstream.caps && !gst_caps_is_any(upstream.caps) &&
         !gst_caps_can_intersect(upstream.caps, caps);
}

GstCaps* AllowedSinkCaps(const CodecCaps& codec, GstVideoEncoder* enc, bool prefer_plain,
                         bool plain_if_upstream_gives) {
  const bool lossless = IsLossless(gst_vtc_encoder_copy_settings(GST_VTC_ENCODER(enc)));
  // Unfiltered: a filter of our own template would read as downstream naming every profile.
  CapsRef peer(gst_pad_peer_query_caps(GST_VIDEO_ENCODER_SRC_PAD(enc), nullptr));
  bool any_profile = !peer.caps || gst_caps_is_any(peer.caps);
  std::set<std::string> named;
  for (guint i = 0; !any_profile && i < gst_caps_get_size(peer.caps); ++i) {
    const GstStructure* st = gst_caps_get_structure(peer.caps, i);
    if (!gst_structure_has_name(st, codec.media)) continue;
    const GValue* v = gst_structure_get_value(st, "profile");
    if (!v) {
      any_profile = true;
    } else if (G_VALUE_HOLDS_STRING(v)) {
      named.insert(g_value_get_string(v));
    } else if (GST_VALUE_HOLDS_LIST(v)) {
      for (guint j = 0; j < gst_value_list_get_size(v); ++j) {
        const GValue* e = gst_value_list_get_value(v, j);
        if (G_VALUE_HOLDS_STRING(e)) named.insert(g_value_get_string(e));
      }
    }
  }
  auto accepted = [&](const RawFormat& f) {
    if (any_profile) return true;
    if (const char* own = codec.profile_for_format(f, lossless)) return named.count(own) > 0;
    return std::any_of(named.begin(), named.end(), codec.is_plain_profile);
  };
  if (prefer_plain) {
    GstCaps* plain = RawSinkCaps(codec, [&](const RawFormat& f) {
      return f.chroma == 420 && f.bit_depth == 8 && accepted(f);
    });
    if (!gst_caps_is_empty(plain) && !(plain_if_upstream_gives && UpstreamCannotGive(enc, plain)))
      return plain;
    gst_caps_unref(plain);
  }
  GstCaps* caps = RawSinkCaps(codec, accepted);
  if (!gst_caps_is_empty(caps) && !UpstreamCannotGive(enc, caps)) return caps;
  gst_caps_unref(caps);
  return SinkTemplateCaps(codec);
}

GstCaps* SinkGetCaps(const CodecCaps& codec, GstVideoEncoder* enc, GstCaps* filter) {
  const Upstream kind = UpstreamKind(GST_VIDEO_ENCODER_SINK_PAD(enc));
  CapsRef sink(AllowedSinkCaps(codec, enc, kind != Upstream::kOther, kind == Upstream::kSource));
  GstCaps* result = gst_video_encoder_proxy_getcaps(enc, sink.caps, filter);
  static const char* const kNames[] = {"a converter", "a source", "neither converter nor source"};
  GST_CAT_DEBUG_OBJECT(GST_VTC_ENCODER_GET_CLASS(enc)->debug_category, enc,
                       "upstream is %s: may send %" GST_PTR_FORMAT, kNames[int(kind)], result);
  return result;
}

bool SinkAcceptCaps(const CodecCaps& codec, GstVideoEncoder* enc, GstQuery* query) {
  if (GST_QUERY_TYPE(query) != GST_QUERY_ACCEPT_CAPS) return false;
  GstCaps* caps = nullptr;
  gst_query_parse_accept_caps(query, &caps);
  CapsRef allowed(AllowedSinkCaps(codec, enc, false));
  CapsRef possible(gst_video_encoder_proxy_getcaps(enc, allowed.caps, nullptr));
  gst_query_set_accept_caps_result(query, caps && gst_caps_is_subset(caps, possible.caps));
  return true;
}

// HDR static metadata: the session's layouts are the SEI's, big-endian (vtcompress/keys.h), and
// GStreamer's units are the SEI's too; GStreamer's primaries are R, G, B, the SEI's G, B, R.
constexpr int kSeiPrimaryOrder[] = {1, 2, 0};

vtc::Dictionary HdrProperties(GstCaps* caps) {
  vtc::Dictionary props;
  if (!caps) return props;
  auto put = [](vtc::Data* d, guint32 v, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) d->push_back(guint8(v >> shift));
  };
  GstVideoMasteringDisplayInfo mdi;
  if (gst_video_mastering_display_info_from_caps(&mdi, caps)) {
    vtc::Data d;
    for (int i : kSeiPrimaryOrder) {
      put(&d, mdi.display_primaries[i].x, 2);
      put(&d, mdi.display_primaries[i].y, 2);
    }
    put(&d, mdi.white_point.x, 2);
    put(&d, mdi.white_point.y, 2);
    put(&d, mdi.max_display_mastering_luminance, 4);
    put(&d, mdi.min_display_mastering_luminance, 4);
    props[vtc::key::kMasteringDisplayColorVolume] = vtc::Value(std::move(d));
  }
  GstVideoContentLightLevel cll;
  if (gst_video_content_light_level_from_caps(&cll, caps)) {
    vtc::Data d;
    put(&d, cll.max_content_light_level, 2);
    put(&d, cll.max_frame_average_light_level, 2);
    props[vtc::key::kContentLightLevelInfo] = vtc::Value(std::move(d));
  }
  return props;
}

void AddHdrCaps(const vtc::Dictionary& extensions, GstCaps* caps) {
  auto data = [&extensions](const char* key, std::size_t size) -> const guint8* {
    auto it = extensions.find(key);
    if (it == extensions.end() || !it->second.IsData() || it->second.AsData().size() != size)
      return nullptr;
    return it->second.AsData().data();
  };
  auto get = [](const guint8* p, int bytes) {
    guint32 v = 0;
    for (int i = 0; i < bytes; i++) v = (v << 8) | p[i];
    return v;
  };
  if (const guint8* d = data(vtc::key::kMasteringDisplayColorVolume, 24)) {
    GstVideoMasteringDisplayInfo mdi;
    gst_video_mastering_display_info_init(&mdi);
    for (int k = 0; k < 3; k++) {
      mdi.display_primaries[kSeiPrimaryOrder[k]].x = guint16(get(d + 4 * k, 2));
      mdi.display_primaries[kSeiPrimaryOrder[k]].y = guint16(get(d + 4 * k + 2, 2));
    }
    mdi.white_point.x = guint16(get(d + 12, 2));
    mdi.white_point.y = guint16(get(d + 14, 2));
    mdi.max_display_mastering_luminance = get(d + 16, 4);
    mdi.min_display_mastering_luminance = get(d + 20, 4);
    gst_video_mastering_display_info_add_to_caps(&mdi, caps);
  }
  if (const guint8* d = data(vtc::key::kContentLightLevelInfo, 4)) {
    GstVideoContentLightLevel cll;
    gst_video_content_light_level_init(&cll);
    cll.max_content_light_level = guint16(get(d, 2));
    cll.max_frame_average_light_level = guint16(get(d + 2, 2));
    gst_video_content_light_level_add_to_caps(&cll, caps);
  }
}

}  // namespace gstvtc
