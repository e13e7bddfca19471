// SPDX-License-Identifier: GPL-2.0-or-later
/**
 * SECTION:element-vth264enc
 *
 * H.264 encoder with the semantics of Apple's VideoToolbox compression session, on x264. Property
 * names follow applemedia's vtenc_h264, so a macOS pipeline ports by renaming the element.
 *
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=300 ! vth264enc bitrate=3000 ! h264parse ! mp4mux !
 *     filesink location=out.mp4
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvth264enc.h"

#include <gst/pbutils/codec-utils.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gstvtccaps.h"
#include "gstvtcformats.h"
#include "gstvth264enc_compat.h"
#include "vtcompress/vtcompress.h"

GST_DEBUG_CATEGORY_STATIC(gst_vt_h264_enc_debug);
#define GST_CAT_DEFAULT gst_vt_h264_enc_debug

struct _GstVtH264Enc {
  GstVtcEncoder parent;  // all state is the base class's
};

G_DEFINE_TYPE(GstVtH264Enc, gst_vt_h264_enc, GST_TYPE_VTC_ENCODER);
GST_ELEMENT_REGISTER_DEFINE(vth264enc, "vth264enc", GST_RANK_SECONDARY, GST_TYPE_VT_H264_ENC);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("video/x-h264, stream-format = (string) { avc, byte-stream }, "
                    "alignment = (string) au, "
                    "profile = (string) { high, main, constrained-baseline, baseline, "
                    "high-10, high-4:2:2, high-4:4:4 }, "
                    "width = (int) [ 1, 16384 ], height = (int) [ 1, 16384 ], "
                    "framerate = (fraction) [ 0/1, MAX ]"));

// --- H.264's own properties ----------------------------------------------------------------------

typedef enum {
  GST_VTC_ENTROPY_AUTO,
  GST_VTC_ENTROPY_CAVLC,
  GST_VTC_ENTROPY_CABAC,
} GstVtcEntropyMode;

// x264enc's GstX264EncTune flags.
typedef enum {
  GST_VTC_TUNE_NONE = 0,
  GST_VTC_TUNE_STILLIMAGE = 1 << 0,
  GST_VTC_TUNE_FASTDECODE = 1 << 1,
  GST_VTC_TUNE_ZEROLATENCY = 1 << 2,
} GstVtcTune;

namespace {

GType EntropyModeType() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_VTC_ENTROPY_AUTO, "By profile (CABAC for Main/High)", "auto"},
      {GST_VTC_ENTROPY_CAVLC, "CAVLC", "cavlc"},
      {GST_VTC_ENTROPY_CABAC, "CABAC", "cabac"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtcEntropyMode", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

GType TuneType() {
  static GType type = 0;
  static const GFlagsValue values[] = {{GST_VTC_TUNE_STILLIMAGE, "Still image", "stillimage"},
                                       {GST_VTC_TUNE_FASTDECODE, "Fast decode", "fastdecode"},
                                       {GST_VTC_TUNE_ZEROLATENCY, "Zero latency", "zerolatency"},
                                       {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_flags_register_static("GstVtcTune", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

// The session's X264Tune text for these flags ("zerolatency,fastdecode").
std::string TuneString(guint tune) {
  std::string out;
  for (auto [flag, name] : {std::pair{GST_VTC_TUNE_STILLIMAGE, "stillimage"},
                            std::pair{GST_VTC_TUNE_FASTDECODE, "fastdecode"},
                            std::pair{GST_VTC_TUNE_ZEROLATENCY, "zerolatency"}}) {
    if (!(tune & flag)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

using gstvtc::CapsRef;
using gstvtc::ClassDefaults;
using gstvtc::Settings;
using Dict = vtc::Dictionary;

// Values live in Settings::codec slots (Field() below); `v` is the row's own value.
const gstvtc::PropertyRow kH264Rows[] = {
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_enum("entropy-mode", "Entropy mode", "VT key H264EntropyMode",
                                EntropyModeType(), GST_VTC_ENTROPY_AUTO, f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kH264EntropyMode},
     false,
     [](const GValue& v, const Settings&, Dict* d) {
       const gint mode = g_value_get_enum(&v);
       if (mode != GST_VTC_ENTROPY_AUTO)
         (*d)[vtc::key::kH264EntropyMode] =
             vtc::Value(mode == GST_VTC_ENTROPY_CABAC ? "CABAC" : "CAVLC");
     }},
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_uint("max-slice-bytes", "Max slice bytes",
                                "Largest slice in bytes; 0 = no limit. VT key MaxH264SliceBytes", 0,
                                G_MAXINT, 0, f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kMaxH264SliceBytes},
     true,
     [](const GValue& v, const Settings&, Dict* d) {
       (*d)[vtc::key::kMaxH264SliceBytes] = vtc::Value(g_value_get_uint(&v));
     }},
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_enum("speed-preset", "Speed preset",
                                "x264 preset, as x264enc's speed-preset; auto: chosen from "
                                "realtime, prioritize-speed and quality (medium by default); "
                                "None (-1): x264enc's, medium with x264enc's property defaults "
                                "for the x264 knobs not set. While PLAYING only x264's analysis "
                                "settings follow. Session key X264SpeedPreset",
                                gstvtc::H264SpeedPresetType(), GST_VTC_SPEED_PRESET_AUTO, f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kX264SpeedPreset},
     true,
     [](const GValue& v, const Settings&, Dict* d) {
       (*d)[vtc::key::kX264SpeedPreset] =
           vtc::Value(g_value_get_enum(&v) == gstvtc::kSpeedPresetNone
                          ? "medium"  // x264's defaults; NegotiateX264Compat adds x264enc's
                          : gstvtc::SpeedPresetName(GstVtcSpeedPreset(g_value_get_enum(&v))));
     }},
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_flags("tune", "Tune",
                                 "x264 tune, as x264enc's tune (zerolatency: no frame delay); "
                                 "none by default. Session key X264Tune",
                                 TuneType(), GST_VTC_TUNE_NONE, f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kX264Tune},
     false,
     [](const GValue& v, const Settings&, Dict* d) {
       (*d)[vtc::key::kX264Tune] = vtc::Value(TuneString(g_value_get_flags(&v)));
     }},
    {[](const ClassDefaults&, GParamFlags f) {
       return g_param_spec_uint("threads", "Threads",
                                "x264 threads; 0 = automatic (default), as x264enc's threads; "
                                "above 128 as 128, x264's most. Session key X264Threads",
                                0, G_MAXINT, 0, f);
     },
     gstvtc::Field(),
     gstvtc::Target::kCompression,
     {vtc::key::kX264Threads},
     false,
     [](const GValue& v, const Settings&, Dict* d) {
       (*d)[vtc::key::kX264Threads] = vtc::Value(std::min(g_value_get_uint(&v), 128u));
     }},
};

// Applied before the x264enc-named rows' x264 options, which override it as in x264enc ("overridden
// by element properties"); after the element's own rows.
const gstvtc::PropertyRow kOptionStringRow = {
    [](const ClassDefaults&, GParamFlags f) {
      return g_param_spec_string("option-string", "Option string",
                                 "x264 options \"key1=value1:key2=value2\", overridden by the "
                                 "x264enc-named properties set, as x264enc's option-string; a bad "
                                 "one is an error at start; \"\" by default. Session key "
                                 "X264Options",
                                 "", f);
    },
    gstvtc::Field(),
    gstvtc::Target::kCompression,
    {vtc::key::kX264Options},
    false,
    [](const GValue& v, const Settings&, Dict* d) {
      const gchar* s = g_value_get_string(&v);
      gstvtc::AppendX264Options(d, s ? s : "");
    }};

// The element's rows: its own, option-string, then x264enc's and vtenc's names
// (gstvth264enc_compat.h), whose x264 options come after option-string's.
const std::vector<gstvtc::PropertyRow>& H264Rows() {
  static const std::vector<gstvtc::PropertyRow> rows = [] {
    std::vector<gstvtc::PropertyRow> r(std::begin(kH264Rows), std::end(kH264Rows));
    r.push_back(kOptionStringRow);
    const auto& compat = gstvtc::X264CompatRows();
    r.insert(r.end(), compat.begin(), compat.end());
    return r;
  }();
  return rows;
}

// --- Profile and level ---------------------------------------------------------------------------

// The profile a raw format's sampling is coded in; null for 8-bit 4:2:0 (downstream picks among
// baseline, main and high).
const char* ProfileForFormat(GstVideoFormat format) {
  const gstvtc::RawFormat* f = gstvtc::FindRawFormat(format);
  if (!f) return nullptr;
  if (f->chroma == 444) return "high-4:4:4";
  if (f->chroma == 422) return "high-4:2:2";
  if (f->bit_depth > 8) return "high-10";
  return nullptr;
}

// "constrained-baseline" + "3.1" -> "H264_ConstrainedBaseline_3_1" (AutoLevel when the level is
// not one VideoToolbox names for that profile).
std::string ProfileLevelKey(const std::string& profile, const std::string& level) {
  std::string p = "High";
  if (profile == "main") p = "Main";
  if (profile == "baseline") p = "Baseline";
  if (profile == "constrained-baseline") p = "ConstrainedBaseline";
  if (profile == "constrained-high") p = "ConstrainedHigh";
  std::string l = "AutoLevel";
  if (!level.empty() && (p == "Baseline" || p == "Main" || p == "High")) {
    std::string candidate = level;
    if (candidate.find('.') == std::string::npos) candidate += ".0";
    candidate[candidate.find('.')] = '_';
    const std::string key = "H264_" + p + "_" + candidate;
    static const char* known[] = {"1_3", "3_0", "3_1", "3_2", "4_0",
                                  "4_1", "4_2", "5_0", "5_1", "5_2"};
    for (const char* k : known)
      if (candidate == k && (candidate != "1_3" || p == "Baseline")) return key;
  }
  return "H264_" + p + "_" + l;
}

}  // namespace

// --- GstVtcEncoder virtuals ----------------------------------------------------------------------

// stream-format and profile/level from what downstream accepts.
static gboolean gst_vt_h264_enc_negotiate(GstVtcEncoder* self, const GstVideoInfo* info,
                                          const gstvtc::Settings& settings, GstVtcNegotiated* out) {
  std::string profile, level;
  GstPad* srcpad = GST_VIDEO_ENCODER_SRC_PAD(self);
  CapsRef peer(gst_pad_peer_query_caps(srcpad, nullptr));
  CapsRef templ(gst_pad_get_pad_template_caps(srcpad));
  CapsRef allowed(peer.caps && !gst_caps_is_any(peer.caps)
                      ? gst_caps_intersect(templ.caps, peer.caps)
                      : nullptr);
  const gstvtc::PropertyTable& table = *GST_VTC_ENCODER_GET_CLASS(self)->properties;
  if (allowed.caps && !gst_caps_is_empty(allowed.caps)) {
    // avc (VideoToolbox's own framing) whenever downstream takes it, unless byte-stream=true
    // prefers byte-stream and downstream takes that too.
    CapsRef avc(gst_caps_from_string("video/x-h264, stream-format = (string) avc"));
    CapsRef bytestream(gst_caps_from_string("video/x-h264, stream-format = (string) byte-stream"));
    out->annexb = !gst_caps_can_intersect(allowed.caps, avc.caps) ||
                  (gstvtc::PrefersByteStream(table, settings) &&
                   gst_caps_can_intersect(allowed.caps, bytestream.caps));
    if (out->annexb) {
      // Profile and level from caps of the chosen framing.
      CapsRef framed(gst_caps_intersect(allowed.caps, bytestream.caps));
      allowed.reset(framed.caps);
      framed.caps = nullptr;
    }
    // Lossless coding is High 4:4:4 Predictive, the other settings one of the rest, and
    // interlaced coding exists in Main and High only: downstream must take what these make.
    const bool lossless = gstvtc::IsLossless(settings);
    const bool interlaced = gstvtc::IsInterlaced(info) || gstvtc::CodesInterlaced(table, settings);
    // 10-bit, 4:2:2 and 4:4:4 input is coded in its own sampling, in the profile that has it.
    const char* format_profile = ProfileForFormat(GST_VIDEO_INFO_FORMAT(info));
    const std::string format_caps =
        format_profile ? std::string("video/x-h264, profile = (string) ") + format_profile : "";
    CapsRef ours(gst_caps_from_string(
        lossless         ? "video/x-h264, profile = (string) high-4:4:4"
        : format_profile ? format_caps.c_str()
        : interlaced     ? "video/x-h264, profile = (string) { high, main }"
                         : "video/x-h264, profile = (string) { high, main, constrained-baseline, "
                           "baseline }"));
    CapsRef usable(gst_caps_intersect(allowed.caps, ours.caps));
    if (gst_caps_is_empty(usable.caps)) {
      gchar* asked = gst_caps_to_string(allowed.caps);
      if (format_profile && !lossless)
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("%s input is coded in H.264 profile %s, which downstream does not "
                           "accept; allow that profile downstream, or convert to 8-bit 4:2:0 "
                           "(I420 or NV12) upstream.",
                           GST_VIDEO_INFO_NAME(info), format_profile),
                          ("downstream accepts %s", asked));
      else if (interlaced && !lossless && !gstvtc::IsInterlaced(info))
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("interlaced=true codes interlaced H.264, which needs profile main or "
                           "high downstream; allow one of them, or set interlaced=false."),
                          ("downstream accepts %s", asked));
      else if (interlaced && !lossless)
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("Interlaced input (interlace-mode %s) is coded as interlaced H.264, "
                           "which needs profile main or high downstream; allow one of them, or "
                           "deinterlace upstream.",
                           gst_video_interlace_mode_to_string(GST_VIDEO_INFO_INTERLACE_MODE(info))),
                          ("downstream accepts %s", asked));
      else if (lossless)
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("quality=1.0 codes losslessly, in H.264 profile high-4:4:4 (High 4:4:4 "
                           "Predictive), which downstream does not accept; allow that profile "
                           "downstream, or set quality below 1.0 (or a bitrate)."),
                          ("downstream accepts %s", asked));
      else
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("Downstream accepts only profiles of 10-bit, 4:2:2 or 4:4:4 input, and "
                           "the input is 8-bit 4:2:0 (%s), which is coded as baseline, main or "
                           "high, or losslessly as high-4:4:4 (set quality=1.0 with bitrate=0 and "
                           "no data-rate-limits); feed input of the profile downstream wants, or "
                           "allow another profile.",
                           GST_VIDEO_INFO_NAME(info)),
                          ("downstream accepts %s", asked));
      g_free(asked);
      return FALSE;
    }
    allowed.reset(gst_caps_fixate(usable.caps));
    usable.caps = nullptr;  // fixate took it
    const GstStructure* s = gst_caps_get_structure(allowed.caps, 0);
    profile = gstvtc::FirstString(s, "profile");
    level = gstvtc::FirstString(s, "level");
  } else {
    // Anything goes downstream (a filesink, fakesink): a self-contained Annex-B stream.
    out->annexb = true;
  }
  out->stream_format = out->annexb ? "byte-stream" : "avc";
  // 10-bit, 4:2:2 and 4:4:4 input: the profile of its sampling, whatever level downstream named
  // (VideoToolbox names no levels for them). 8-bit 4:2:0: downstream's profile and level (lossless
  // stays High 4:4:4 Predictive over 4:2:0 samples, as x264 codes it).
  const std::string format_profile = ProfileForFormat(GST_VIDEO_INFO_FORMAT(info)) ?: "";
  if (format_profile == "high-10")
    out->description = "H264_High10_AutoLevel";
  else if (format_profile == "high-4:2:2")
    out->description = "H264_High422_AutoLevel";
  else if (format_profile == "high-4:4:4")
    out->description = "H264_High444_AutoLevel";
  else
    out->description = ProfileLevelKey(profile, level);
  out->properties[vtc::key::kProfileLevel] = vtc::Value(out->description);
  gstvtc::NegotiateX264Compat(self, table, settings, info, out);
  return TRUE;
}

static GstCaps* gst_vt_h264_enc_make_src_caps(GstVtcEncoder* self, const vtc::FormatDescription& fd,
                                              const GstVtcNegotiated& negotiated) {
  GstCaps* caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING,
                                      negotiated.stream_format.c_str(), "alignment", G_TYPE_STRING,
                                      "au", nullptr);
  const guint8* sps = nullptr;
  gsize sps_size = 0;
  if (fd.GetH264ParameterSetAtIndex(0, &sps, &sps_size, nullptr, nullptr) == vtc::Status::kNoErr &&
      sps_size > 4) {
    // The profile/level helper wants the SPS without its NAL header byte.
    gst_codec_utils_h264_caps_set_level_and_profile(caps, sps + 1, guint(sps_size - 1));
  }
  // The bitstream's profile may be a subset of what downstream asked for (x264's Baseline is
  // Constrained Baseline): name the superset downstream accepts, as a decoder of it can play it.
  const GstStructure* st = gst_caps_get_structure(caps, 0);
  const std::string produced = gst_structure_get_string(st, "profile") ?: "";
  static const std::map<std::string, std::vector<const char*>> kSupersets = {
      {"constrained-baseline", {"baseline", "main", "high"}},
      {"main", {"high"}},
      {"constrained-high", {"high"}},
      // All-intra coding (one key frame a frame) is named *-intra by the SPS's constraint flag;
      // a decoder of the full profile plays it.
      {"high-10-intra", {"high-10", "high-4:2:2", "high-4:4:4"}},
      {"high-4:2:2-intra", {"high-4:2:2", "high-4:4:4"}},
      {"high-4:4:4-intra", {"high-4:4:4"}}};
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
    const vtc::Data& avcc = fd.avcc();
    GstBuffer* codec_data = gst_buffer_new_memdup(avcc.data(), avcc.size());
    gst_caps_set_simple(caps, "codec_data", GST_TYPE_BUFFER, codec_data, nullptr);
    gst_buffer_unref(codec_data);
  }
  return caps;
}

// SPS then PPS, AVCC or Annex-B framed (after the access unit delimiter that x264 writes with
// aud=true: leading_delimiter).
static void gst_vt_h264_enc_append_parameter_sets(GstVtcEncoder*, const vtc::FormatDescription& fd,
                                                  bool annexb, std::vector<guint8>* out) {
  for (std::size_t i = 0; i < 2; ++i) {
    const guint8* ps = nullptr;
    gsize size = 0;
    if (fd.GetH264ParameterSetAtIndex(i, &ps, &size, nullptr, nullptr) != vtc::Status::kNoErr)
      continue;
    if (annexb) {
      out->insert(out->end(), {0, 0, 0, 1});
    } else {
      out->insert(out->end(),
                  {guint8(size >> 24), guint8(size >> 16), guint8(size >> 8), guint8(size)});
    }
    out->insert(out->end(), ps, ps + size);
  }
}

namespace {

// The profiles 8-bit 4:2:0 input is coded in (lossy), one of them chosen downstream.
bool IsPlainProfile(const std::string& p) {
  return p == "high" || p == "main" || p == "baseline" || p == "constrained-baseline";
}

// Lossless coding is High 4:4:4 Predictive whatever the format.
const char* CapsProfileForFormat(const gstvtc::RawFormat& f, bool lossless) {
  return lossless ? "high-4:4:4" : ProfileForFormat(f.format);
}

// No H.264 profile here codes more than 10 bits.
const gstvtc::CodecCaps kH264Caps = {"video/x-h264", CapsProfileForFormat, IsPlainProfile, 1,
                                     [](const gstvtc::RawFormat& f) { return f.bit_depth <= 10; }};

}  // namespace

// The raw formats upstream may send (gstvtc::SinkGetCaps, gstvtccaps.h): 8-bit 4:2:0 to a
// converter in front unless downstream asks for a profile of more (a YUY2 camera would otherwise
// get High 4:2:2, which browsers cannot play); every format downstream's profiles allow to any
// other upstream.
static GstCaps* gst_vt_h264_enc_getcaps(GstVideoEncoder* enc, GstCaps* filter) {
  return gstvtc::SinkGetCaps(kH264Caps, enc, filter);
}

// Accept-caps takes every format downstream's profiles allow, also from a converter: fixed caps
// upstream chose (a decoder's 10-bit output, say) are not refused for not being the preferred.
static gboolean gst_vt_h264_enc_sink_query(GstVideoEncoder* enc, GstQuery* query) {
  if (gstvtc::SinkAcceptCaps(kH264Caps, enc, query)) return TRUE;
  return GST_VIDEO_ENCODER_CLASS(gst_vt_h264_enc_parent_class)->sink_query(enc, query);
}

// --- GObject -------------------------------------------------------------------------------------

static void gst_vt_h264_enc_init(GstVtH264Enc*) {}

static void gst_vt_h264_enc_class_init(GstVtH264EncClass* klass) {
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstVtcEncoderClass* vtc_class = GST_VTC_ENCODER_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_vt_h264_enc_debug, "vth264enc", 0, "VideoToolbox-style x264 encoder");
  vtc_class->codec_type = vtc::kCodecType_H264;
  vtc_class->codec_name = "H.264";
  vtc_class->debug_category = gst_vt_h264_enc_debug;
  vtc_class->defaults = {vtc::kX264EncoderID, "vth264enc.log"};
  vtc_class->negotiate = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_negotiate);
  vtc_class->make_src_caps = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_make_src_caps);
  vtc_class->append_parameter_sets = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_append_parameter_sets);
  vtc_class->leading_delimiter = GST_DEBUG_FUNCPTR(gstvtc::H264LeadingDelimiter);
  gst_vtc_encoder_class_install_properties(vtc_class, H264Rows().data(), H264Rows().size());

  GstCaps* sink_caps = gstvtc::SinkTemplateCaps(kH264Caps);
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, sink_caps));
  gst_caps_unref(sink_caps);
  GST_VIDEO_ENCODER_CLASS(klass)->getcaps = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_getcaps);
  GST_VIDEO_ENCODER_CLASS(klass)->sink_query = GST_DEBUG_FUNCPTR(gst_vt_h264_enc_sink_query);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "H.264 encoder (VideoToolbox semantics, x264)", "Codec/Encoder/Video",
      "H.264 encoder with Apple VideoToolbox compression-session semantics, on x264",
      "gst-vtcompress developers");
}
