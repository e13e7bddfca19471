// SPDX-License-Identifier: GPL-2.0-or-later
/**
 * SECTION:element-vth265enc
 *
 * HEVC encoder with the semantics of Apple's VideoToolbox compression session, on x265. Property
 * names follow applemedia's vtenc_h265, so a macOS pipeline ports by renaming the element.
 *
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=300 ! vth265enc bitrate=2000 ! h265parse ! mp4mux !
 *     filesink location=out.mp4
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvth265enc.h"

#include <gst/pbutils/codec-utils.h>

#include <map>
#include <string>
#include <vector>

#include "gstvtccaps.h"
#include "gstvtcformats.h"
#include "vtcompress/vtcompress.h"

GST_DEBUG_CATEGORY_STATIC(gst_vt_h265_enc_debug);
#define GST_CAT_DEFAULT gst_vt_h265_enc_debug

struct _GstVtH265Enc {
  GstVtcEncoder parent;  // all state is the base class's
};

G_DEFINE_TYPE(GstVtH265Enc, gst_vt_h265_enc, GST_TYPE_VTC_ENCODER);
GST_ELEMENT_REGISTER_DEFINE(vth265enc, "vth265enc", GST_RANK_SECONDARY, GST_TYPE_VT_H265_ENC);

// Main first: 8-bit 4:2:0 input is coded as Main unless downstream names only Main 10 (the
// profile list's order decides what a fixation picks). The *-intra profiles are what x265 signals
// for all-intra coding (format range extensions profiles with the intra constraint); they are
// never negotiated, only named in the src caps when the stream is one.
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("video/x-h265, stream-format = (string) { hvc1, hev1, byte-stream }, "
                    "alignment = (string) au, "
                    "profile = (string) { main, main-10, main-422-10, main-444, main-444-10, "
                    "main-12, main-422-12, main-444-12, "
                    "main-intra, main-10-intra, main-422-10-intra, main-444-intra, "
                    "main-444-10-intra, main-12-intra, main-422-12-intra, main-444-12-intra }, "
                    "width = (int) [ 16, 16384 ], height = (int) [ 16, 16384 ], "
                    "framerate = (fraction) [ 0/1, MAX ]"));

// --- HEVC's own properties -----------------------------------------------------------------------

// x265enc's GstX265Tune numbers (one tune at most, as x265 takes).
typedef enum {
  GST_VTC_X265_TUNE_NONE = 0,
  GST_VTC_X265_TUNE_PSNR = 1,
  GST_VTC_X265_TUNE_SSIM = 2,
  GST_VTC_X265_TUNE_GRAIN = 3,
  GST_VTC_X265_TUNE_ZEROLATENCY = 4,
  GST_VTC_X265_TUNE_FASTDECODE = 5,
  GST_VTC_X265_TUNE_ANIMATION = 6,
} GstVtcX265Tune;

namespace {

GType X265TuneType() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_VTC_X265_TUNE_NONE, "No tuning", "none"},
      {GST_VTC_X265_TUNE_PSNR, "Best PSNR (turns psycho-visual tools off)", "psnr"},
      {GST_VTC_X265_TUNE_SSIM, "Best SSIM", "ssim"},
      {GST_VTC_X265_TUNE_GRAIN, "Keep film grain", "grain"},
      {GST_VTC_X265_TUNE_ZEROLATENCY, "Zero latency (no frame delay)", "zerolatency"},
      {GST_VTC_X265_TUNE_FASTDECODE, "Fast decoding", "fastdecode"},
      {GST_VTC_X265_TUNE_ANIMATION, "Animation", "animation"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtcX265Tune", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

// The session's X265Tune text ("" for none).
const char* X265TuneString(gint tune) {
  static const char* const kNames[] = {"",           "psnr",     "ssim", "grain", "zerolatency",
                                       "fastdecode", "animation"};
  return tune >= 0 && tune < gint(G_N_ELEMENTS(kNames)) ? kNames[tune] : "";
}

using gstvtc::CapsRef;
using gstvtc::ClassDefaults;
using gstvtc::Settings;
using Dict = vtc::Dictionary;

// Values live in Settings::codec slots (Field() below); `v` is the row's own value.
const gstvtc::PropertyRow kH265Rows[] = {
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_enum("speed-preset", "Speed preset",
                                "x265 preset, as x265enc's speed-preset; auto: chosen from "
                                "realtime, prioritize-speed and quality (medium by default). "
                                "Session key X265SpeedPreset",
                                gstvtc::SpeedPresetType(), GST_VTC_SPEED_PRESET_AUTO, f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kX265SpeedPreset},
     false,  // x265 takes a preset only when it opens
     [](const GValue& v, const Settings&, Dict* d) {
       (*d)[vtc::key::kX265SpeedPreset] =
           vtc::Value(gstvtc::SpeedPresetName(GstVtcSpeedPreset(g_value_get_enum(&v))));
     }},
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_enum("tune", "Tune",
                                "x265 tune, as x265enc's tune (zerolatency: no frame delay); "
                                "none by default. Session key X265Tune",
                                X265TuneType(), GST_VTC_X265_TUNE_NONE, f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kX265Tune},
     false,
     [](const GValue& v, const Settings&, Dict* d) {
       (*d)[vtc::key::kX265Tune] = vtc::Value(X265TuneString(g_value_get_enum(&v)));
     }},
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_uint("threads", "Threads",
                                "x265 thread pool size; 0 = automatic (default). Session key "
                                "X265Threads",
                                0, 128, 0, f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kX265Threads},
     false,
     [](const GValue& v, const Settings&, Dict* d) {
       (*d)[vtc::key::kX265Threads] = vtc::Value(g_value_get_uint(&v));
     }},
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_string("option-string", "Option string",
                                  "x265 options \"key1=value1:key2=value2\" applied after every "
                                  "other property, as x265enc's option-string; a bad one is an "
                                  "error at start; \"\" by default. Session key X265Options",
                                  "", f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kX265Options},
     false,
     [](const GValue& v, const Settings&, Dict* d) {
       const gchar* s = g_value_get_string(&v);
       (*d)[vtc::key::kX265Options] = vtc::Value(s ? s : "");
     }},
};

// --- Profiles ------------------------------------------------------------------------------------

// GStreamer's profile names and the session's ProfileLevel values for them (HEVC has no level
// VideoToolbox names: the encoder picks it).
struct Profile {
  const char* caps;
  const char* profile_level;
};
constexpr Profile kProfiles[] = {
    {"main", "HEVC_Main_AutoLevel"},
    {"main-10", "HEVC_Main10_AutoLevel"},
    {"main-422-10", "HEVC_Main42210_AutoLevel"},
    {"main-444", "HEVC_Main444_AutoLevel"},
    {"main-444-10", "HEVC_Main44410_AutoLevel"},
    {"main-12", "HEVC_Main12_AutoLevel"},
    {"main-422-12", "HEVC_Main42212_AutoLevel"},
    {"main-444-12", "HEVC_Main44412_AutoLevel"},
};

const char* ProfileLevelFor(const std::string& caps_profile) {
  for (const Profile& p : kProfiles)
    if (caps_profile == p.caps) return p.profile_level;
  return kProfiles[0].profile_level;
}

const char* CapsProfileFor(const std::string& profile_level) {
  for (const Profile& p : kProfiles)
    if (profile_level == p.profile_level) return p.caps;
  return nullptr;
}

// The profile a raw format's sampling is coded in; null for 8-bit 4:2:0 (downstream picks main,
// or main-10, which codes it converted to 10 bits). 8-bit 4:2:2 has no HEVC profile of its own:
// it is coded as Main 4:2:2 10, converted to 10 bits. Lossless coding keeps the profile.
const char* ProfileForFormat(const gstvtc::RawFormat& f) {
  const bool twelve = f.bit_depth > 10;
  if (f.chroma == 444) return twelve ? "main-444-12" : f.bit_depth > 8 ? "main-444-10" : "main-444";
  if (f.chroma == 422) return twelve ? "main-422-12" : "main-422-10";
  if (f.bit_depth > 8) return twelve ? "main-12" : "main-10";
  return nullptr;
}

const char* ProfileForFormat(GstVideoFormat format) {
  const gstvtc::RawFormat* f = gstvtc::FindRawFormat(format);
  return f ? ProfileForFormat(*f) : nullptr;
}

bool IsPlainProfile(const std::string& p) {
  return p == "main" || p == "main-10";
}

// x265 refuses pictures smaller than its smallest CTU (16).
const gstvtc::CodecCaps kH265Caps = {
    "video/x-h265", [](const gstvtc::RawFormat& f, bool) { return ProfileForFormat(f); },
    IsPlainProfile, 16, [](const gstvtc::RawFormat&) { return true; }};

}  // namespace

// --- GstVtcEncoder virtuals ----------------------------------------------------------------------

// stream-format and profile from what downstream accepts.
static gboolean gst_vt_h265_enc_negotiate(GstVtcEncoder* self, const GstVideoInfo* info,
                                          const gstvtc::Settings&, GstVtcNegotiated* out) {
  if (gstvtc::IsInterlaced(info)) {
    // x265 codes fields only as separate field pictures, which the session does not do.
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Interlaced input (interlace-mode %s) cannot be coded as HEVC; deinterlace "
                       "upstream (deinterlace), or use vth264enc, which codes interlaced H.264.",
                       gst_video_interlace_mode_to_string(GST_VIDEO_INFO_INTERLACE_MODE(info))),
                      (nullptr));
    return FALSE;
  }
  // 4:2:2, 4:4:4 and 10-bit input is coded in its own sampling, in the profile that has it.
  const char* format_profile = ProfileForFormat(GST_VIDEO_INFO_FORMAT(info));
  std::string profile = format_profile ? format_profile : "main";
  GstPad* srcpad = GST_VIDEO_ENCODER_SRC_PAD(self);
  CapsRef peer(gst_pad_peer_query_caps(srcpad, nullptr));
  CapsRef templ(gst_pad_get_pad_template_caps(srcpad));
  CapsRef allowed(peer.caps && !gst_caps_is_any(peer.caps)
                      ? gst_caps_intersect(templ.caps, peer.caps)
                      : nullptr);
  if (allowed.caps && !gst_caps_is_empty(allowed.caps)) {
    const std::string format_caps =
        format_profile ? std::string("video/x-h265, profile = (string) ") + format_profile : "";
    CapsRef ours(gst_caps_from_string(format_profile
                                          ? format_caps.c_str()
                                          : "video/x-h265, profile = (string) { main, main-10 }"));
    CapsRef usable(gst_caps_intersect(allowed.caps, ours.caps));
    if (gst_caps_is_empty(usable.caps)) {
      gchar* asked = gst_caps_to_string(allowed.caps);
      if (format_profile)
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("%s input is coded in HEVC profile %s, which downstream does not "
                           "accept; allow that profile downstream, or convert to 8-bit 4:2:0 "
                           "(I420 or NV12) upstream.",
                           GST_VIDEO_INFO_NAME(info), format_profile),
                          ("downstream accepts %s", asked));
      else
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("Downstream accepts only HEVC profiles of 4:2:2 or 4:4:4 input, and the "
                           "input is 8-bit 4:2:0 (%s), which is coded as main or main-10; feed "
                           "input of the profile downstream wants, or allow main.",
                           GST_VIDEO_INFO_NAME(info)),
                          ("downstream accepts %s", asked));
      g_free(asked);
      return FALSE;
    }
    // hvc1 (VideoToolbox's own framing) whenever downstream takes it with this profile, else hev1
    // (the same samples with the parameter sets in band too), else byte-stream.
    out->stream_format = "byte-stream";
    for (const char* format : {"hvc1", "hev1"}) {
      const std::string text = std::string("video/x-h265, stream-format = (string) ") + format;
      CapsRef framing(gst_caps_from_string(text.c_str()));
      if (gst_caps_can_intersect(usable.caps, framing.caps)) {
        out->stream_format = format;
        usable.reset(gst_caps_intersect(usable.caps, framing.caps));
        break;
      }
    }
    out->annexb = out->stream_format == "byte-stream";
    out->inband_parameter_sets = out->stream_format == "hev1";
    out->out_of_band_only = out->stream_format == "hvc1";
    allowed.reset(gst_caps_fixate(usable.caps));
    usable.caps = nullptr;  // fixate took it
    if (!format_profile)
      profile = gstvtc::FirstString(gst_caps_get_structure(allowed.caps, 0), "profile");
  } else {
    // Anything goes downstream (a filesink, fakesink): a self-contained Annex-B stream.
    out->annexb = true;
    out->stream_format = "byte-stream";
  }
  out->description = ProfileLevelFor(profile);
  out->properties[vtc::key::kProfileLevel] = vtc::Value(out->description);
  return TRUE;
}

static GstCaps* gst_vt_h265_enc_make_src_caps(GstVtcEncoder* self, const vtc::FormatDescription& fd,
                                              const GstVtcNegotiated& negotiated) {
  GstCaps* caps = gst_caps_new_simple("video/x-h265", "stream-format", G_TYPE_STRING,
                                      negotiated.stream_format.c_str(), "alignment", G_TYPE_STRING,
                                      "au", nullptr);
  // hvcC bytes 1..12 are the general profile_tier_level: profile space, tier, profile, its
  // compatibility and constraint flags, level.
  const vtc::Data& hvcc = fd.configuration_record();
  if (hvcc.size() >= 13)
    gst_codec_utils_h265_caps_set_level_tier_and_profile(caps, hvcc.data() + 1, 12);
  GstStructure* st = gst_caps_get_structure(caps, 0);
  if (!gst_structure_has_field(st, "profile")) {
    // x265 writes general_profile_idc 0 for lossless coding, whose tools (transquant bypass) are
    // the negotiated profile's: name that one.
    if (const char* profile = CapsProfileFor(negotiated.description))
      gst_structure_set(st, "profile", G_TYPE_STRING, profile, nullptr);
  }
  // The bitstream's profile may be a subset of what downstream asked for: name the superset
  // downstream accepts, as a decoder of it can play it (x265 marks Main streams compatible with
  // Main 10, and Main Still Picture with both). All-intra coding is signalled as a format range
  // extensions *-intra profile, which the decoders of the range extensions profiles of the same
  // or wider sampling and depth decode (H.265 A.3.5).
  const std::string produced = gst_structure_get_string(st, "profile") ?: "";
  static const std::map<std::string, std::vector<const char*>> kSupersets = {
      {"main", {"main-10"}},
      {"main-still-picture", {"main", "main-10"}},
      {"main-intra", {"main-444", "main-422-10", "main-444-10"}},
      {"main-10-intra", {"main-422-10", "main-444-10"}},
      {"main-422-10-intra", {"main-422-10", "main-444-10"}},
      {"main-444-intra", {"main-444", "main-444-10"}},
      {"main-444-10-intra", {"main-444-10"}},
      {"main-12-intra", {"main-12", "main-422-12", "main-444-12"}},
      {"main-422-12-intra", {"main-422-12", "main-444-12"}},
      {"main-444-12-intra", {"main-444-12"}},
  };
  GstPad* srcpad = GST_VIDEO_ENCODER_SRC_PAD(self);
  auto it = kSupersets.find(produced);
  if (it != kSupersets.end() && !gst_pad_peer_query_accept_caps(srcpad, caps)) {
    for (const char* wider : it->second) {
      GstCaps* candidate = gst_caps_copy(caps);
      gst_caps_set_simple(candidate, "profile", G_TYPE_STRING, wider, nullptr);
      if (gst_pad_peer_query_accept_caps(srcpad, candidate)) {
        gst_caps_unref(caps);
        caps = candidate;
        break;
      }
      gst_caps_unref(candidate);
    }
  }
  if (!negotiated.annexb) {
    GstBuffer* codec_data = gst_buffer_new_memdup(hvcc.data(), hvcc.size());
    gst_caps_set_simple(caps, "codec_data", GST_TYPE_BUFFER, codec_data, nullptr);
    gst_buffer_unref(codec_data);
  }
  return caps;
}

// VPS, SPS and PPS (x265 writes no access unit delimiters here), length-prefixed or Annex-B
// framed. The hvcC's SEI arrays stay out: the samples carry what SEI a key frame needs.
static void gst_vt_h265_enc_append_parameter_sets(GstVtcEncoder*, const vtc::FormatDescription& fd,
                                                  bool annexb, std::vector<guint8>* out) {
  std::size_t count = 0;
  fd.GetHEVCParameterSetAtIndex(0, nullptr, nullptr, &count, nullptr);
  for (std::size_t i = 0; i < count; ++i) {
    const guint8* ps = nullptr;
    gsize size = 0;
    if (fd.GetHEVCParameterSetAtIndex(i, &ps, &size, nullptr, nullptr) != vtc::Status::kNoErr ||
        size < 2)
      continue;
    const int type = (ps[0] >> 1) & 0x3f;
    if (type < 32 || type > 34) continue;
    if (annexb) {
      out->insert(out->end(), {0, 0, 0, 1});
    } else {
      out->insert(out->end(),
                  {guint8(size >> 24), guint8(size >> 16), guint8(size >> 8), guint8(size)});
    }
    out->insert(out->end(), ps, ps + size);
  }
}

// The raw formats upstream may send and accept-caps (gstvtccaps.h): 8-bit 4:2:0 to a converter
// in front unless downstream asks for a profile of more, every format downstream's profiles allow
// to any other upstream.
static GstCaps* gst_vt_h265_enc_getcaps(GstVideoEncoder* enc, GstCaps* filter) {
  return gstvtc::SinkGetCaps(kH265Caps, enc, filter);
}

static gboolean gst_vt_h265_enc_sink_query(GstVideoEncoder* enc, GstQuery* query) {
  if (gstvtc::SinkAcceptCaps(kH265Caps, enc, query)) return TRUE;
  return GST_VIDEO_ENCODER_CLASS(gst_vt_h265_enc_parent_class)->sink_query(enc, query);
}

// --- GObject -------------------------------------------------------------------------------------

static void gst_vt_h265_enc_init(GstVtH265Enc*) {}

static void gst_vt_h265_enc_class_init(GstVtH265EncClass* klass) {
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstVtcEncoderClass* vtc_class = GST_VTC_ENCODER_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_vt_h265_enc_debug, "vth265enc", 0, "VideoToolbox-style x265 encoder");
  vtc_class->codec_type = vtc::kCodecType_HEVC;
  vtc_class->codec_name = "HEVC";
  vtc_class->debug_category = gst_vt_h265_enc_debug;
  vtc_class->defaults = {vtc::kX265EncoderID, "vth265enc.log"};
  vtc_class->negotiate = GST_DEBUG_FUNCPTR(gst_vt_h265_enc_negotiate);
  vtc_class->make_src_caps = GST_DEBUG_FUNCPTR(gst_vt_h265_enc_make_src_caps);
  vtc_class->append_parameter_sets = GST_DEBUG_FUNCPTR(gst_vt_h265_enc_append_parameter_sets);
  gst_vtc_encoder_class_install_properties(vtc_class, kH265Rows, G_N_ELEMENTS(kH265Rows));

  GstCaps* sink_caps = gstvtc::SinkTemplateCaps(kH265Caps);
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, sink_caps));
  gst_caps_unref(sink_caps);
  GST_VIDEO_ENCODER_CLASS(klass)->getcaps = GST_DEBUG_FUNCPTR(gst_vt_h265_enc_getcaps);
  GST_VIDEO_ENCODER_CLASS(klass)->sink_query = GST_DEBUG_FUNCPTR(gst_vt_h265_enc_sink_query);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "HEVC encoder (VideoToolbox semantics, x265)", "Codec/Encoder/Video",
      "HEVC encoder with Apple VideoToolbox compression-session semantics, on x265",
      "gst-vtcompress developers");
}
