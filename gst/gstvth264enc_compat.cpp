// SPDX-License-Identifier: GPL-2.0-or-later
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvth264enc_compat.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "vtcompress/keys.h"

namespace gstvtc {
namespace {

namespace k = vtc::key;
using Dict = vtc::Dictionary;

// --- x264enc's enum and flags types, with its numbers and nicks ----------------------------------

GType PassType() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_VTC_PASS_SINGLE, "One pass: at bitrate (an average), or at quality without one",
       "single"},
      {GST_VTC_PASS_SINGLE,
       "x264enc's cbr: the same one pass at bitrate (x264enc's is an average too; "
       "rate-control=cbr is a constant bit rate)",
       "cbr"},
      {GST_VTC_PASS_QUANT, "Constant quantizer: every frame at quantizer (x264 qp)", "quant"},
      {GST_VTC_PASS_QUAL, "Constant quality: quantizer as x264's crf", "qual"},
      {GST_VTC_PASS_PASS1, "First pass of two: writes multipass-cache-file", "pass1"},
      {GST_VTC_PASS_PASS2, "Second pass of two: reads multipass-cache-file", "pass2"},
      {GST_VTC_PASS_PASS3,
       "x264enc's pass 3 of three: runs as pass2 (reads the statistics, writes none), with a "
       "warning",
       "pass3"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtH264EncPass", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

// The common speed presets, and x264enc's None.
GType SpeedPresetWithNoneType() {
  static GType type = 0;
  static std::vector<GEnumValue> values;
  if (g_once_init_enter(&type)) {
    GEnumClass* common = static_cast<GEnumClass*>(g_type_class_ref(SpeedPresetType()));
    values.push_back({kSpeedPresetNone,
                      "x264enc's None: medium with x264enc's property defaults (bframes 0, subme "
                      "1, ...) for the x264 knobs not set, unless a tune is set",
                      "None"});
    for (guint i = 0; i < common->n_values; ++i) values.push_back(common->values[i]);
    values.push_back({0, nullptr, nullptr});
    g_type_class_unref(common);  // the values' strings are static
    GType t = g_enum_register_static("GstVtH264EncSpeedPreset", values.data());
    g_once_init_leave(&type, t);
  }
  return type;
}

// x264enc's GstX264EncMe: x264's motion estimation methods, in x264's order.
const char* const kMeNames[] = {"dia", "hex", "umh", "esa", "tesa"};

GType MeType() {
  static GType type = 0;
  static const GEnumValue values[] = {{0, "dia", "dia"},   {1, "hex", "hex"},
                                      {2, "umh", "umh"},   {3, "esa", "esa"},
                                      {4, "tesa", "tesa"}, {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtH264EncMe", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

// x264enc's GstX264EncPsyTune; the nicks are x264's tune names.
GType PsyTuneType() {
  static GType type = 0;
  static const GEnumValue values[] = {{0, "No tuning", "none"},      {1, "Film", "film"},
                                      {2, "Animation", "animation"}, {3, "Grain", "grain"},
                                      {4, "PSNR", "psnr"},           {5, "SSIM", "ssim"},
                                      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtH264EncPsyTune", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

// x264enc's GstX264EncAnalyse: x264's partition flags (X264_ANALYSE_*), named as its
// "partitions" option takes them.
struct Partition {
  guint flag;
  const char* name;
};
const Partition kPartitions[] = {
    {0x0001, "i4x4"}, {0x0002, "i8x8"}, {0x0010, "p8x8"}, {0x0020, "p4x4"}, {0x0100, "b8x8"}};

GType AnalyseType() {
  static GType type = 0;
  static const GFlagsValue values[] = {{0x0001, "i4x4", "i4x4"}, {0x0002, "i8x8", "i8x8"},
                                       {0x0010, "p8x8", "p8x8"}, {0x0020, "p4x4", "p4x4"},
                                       {0x0100, "b8x8", "b8x8"}, {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_flags_register_static("GstVtH264EncAnalyse", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

// x264enc's GstX264EncFramePacking: -1 auto (from the caps' multiview mode), else x264's
// frame_packing_arrangement_type (its frame-packing option), written as SEI.
GType FramePackingType() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {-1, "Automatic (from the input caps' multiview-mode)", "auto"},
      {0, "checkerboard - Left and Right pixels alternate in a checkerboard pattern",
       "checkerboard"},
      {1, "column interleaved - Alternating pixel columns represent Left and Right views",
       "column-interleaved"},
      {2, "row interleaved - Alternating pixel rows represent Left and Right views",
       "row-interleaved"},
      {3, "side by side - The left half of the frame contains the Left eye view", "side-by-side"},
      {4, "top bottom - L is on top, R on bottom", "top-bottom"},
      {5, "frame interleaved - Each frame contains either Left or Right view alternately",
       "frame-interleaved"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstVtH264EncFramePacking", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

// The caps' multiview mode as x264's frame packing, or -1 (none, mono, or one x264 cannot say).
int FramePackingFor(GstVideoMultiviewMode mode) {
  switch (mode) {
    case GST_VIDEO_MULTIVIEW_MODE_CHECKERBOARD:
      return 0;
    case GST_VIDEO_MULTIVIEW_MODE_COLUMN_INTERLEAVED:
      return 1;
    case GST_VIDEO_MULTIVIEW_MODE_ROW_INTERLEAVED:
      return 2;
    case GST_VIDEO_MULTIVIEW_MODE_SIDE_BY_SIDE:
    case GST_VIDEO_MULTIVIEW_MODE_SIDE_BY_SIDE_QUINCUNX:
      return 3;
    case GST_VIDEO_MULTIVIEW_MODE_TOP_BOTTOM:
      return 4;
    case GST_VIDEO_MULTIVIEW_MODE_FRAME_BY_FRAME:
      return 5;
    default:
      return -1;
  }
}

// --- Row helpers ---------------------------------------------------------------------------------

// Numbers as x264_param_parse reads them (atof, in the same locale: x264enc prints them so too).
std::string Number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

// Applies of the rows that are one x264 option each: kOption=<value>.
template <const char* kOption>
void OptionBool(const GValue& v, const Settings&, Dict* d) {
  AppendX264Options(d, std::string(kOption) + (g_value_get_boolean(&v) ? "=1" : "=0"));
}
template <const char* kOption>
void OptionUint(const GValue& v, const Settings&, Dict* d) {
  AppendX264Options(d, std::string(kOption) + "=" + std::to_string(g_value_get_uint(&v)));
}
template <const char* kOption>
void OptionInt(const GValue& v, const Settings&, Dict* d) {
  AppendX264Options(d, std::string(kOption) + "=" + std::to_string(g_value_get_int(&v)));
}
template <const char* kOption>
void OptionFloat(const GValue& v, const Settings&, Dict* d) {
  AppendX264Options(d, std::string(kOption) + "=" + Number(g_value_get_float(&v)));
}

constexpr char kOptBAdapt[] = "b-adapt";
constexpr char kOptWeightb[] = "weightb";
constexpr char kOpt8x8dct[] = "8x8dct";
constexpr char kOptSubme[] = "subme";
constexpr char kOptTrellis[] = "trellis";
constexpr char kOptMbtree[] = "mbtree";
constexpr char kOptSyncLookahead[] = "sync-lookahead";
constexpr char kOptSlicedThreads[] = "sliced-threads";
constexpr char kOptNr[] = "nr";
constexpr char kOptQpstep[] = "qpstep";
constexpr char kOptIpratio[] = "ipratio";
constexpr char kOptPbratio[] = "pbratio";
constexpr char kOptSpsId[] = "sps-id";

// An int member of Settings under a uint pspec (key-int-max: x264enc's type for
// max-keyframe-interval's value).
Field KeyIntMaxField() {
  Field f;
  f.set = [](Settings* s, const GValue* v) {
    s->max_keyframe_interval = gint(std::min<guint>(g_value_get_uint(v), G_MAXINT));
  };
  f.get = [](const Settings& s, GValue* v) {
    g_value_set_uint(v, guint(std::max(s.max_keyframe_interval, 0)));
  };
  return f;
}

// A QP bound of x264enc (0..63, x264's scale, H.264's for 8-bit input) as the session's
// MinAllowedFrameQP / MaxAllowedFrameQP (H.264's 0..51 at every bit depth).
vtc::Value QpKey(guint qp) {
  return vtc::Value(gint64(std::min<guint>(qp, 51)));
}

std::vector<PropertyRow> MakeRows() {
  std::vector<PropertyRow> r;
  // Rate control by pass, as x264enc's pass and quantizer.
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_enum(
                     "pass", "Pass",
                     "x264enc's pass: single (x264enc's cbr) one pass; quant: constant QP "
                     "quantizer; qual: constant quality, quantizer as crf; pass1/pass2: two-pass "
                     "file encoding (run the pipeline with pass1, output usually to fakesink, then "
                     "again on the same input with pass2; both need rate-control=abr and a "
                     "bitrate; session BeginPass/EndPass with a MultiPassStorage on "
                     "multipass-cache-file); pass3 runs as pass2, with a warning",
                     PassType(), GST_VTC_PASS_SINGLE, f);
               },
               Member<&Settings::pass>(),
               Target::kCompression,
               {k::kMultiPassStorage, k::kX264Options},
               false});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "quantizer", "Quantizer",
                     "With pass=quant the QP of every frame (x264 qp), with pass=qual x264's crf; "
                     "unused otherwise (bitrate and quality decide), as x264enc's quantizer. x264 "
                     "option qp / crf",
                     0, 50, 21, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               [](const GValue& v, const Settings& s, Dict* d) {
                 const std::string q = std::to_string(g_value_get_uint(&v));
                 if (s.pass == GST_VTC_PASS_QUANT) AppendX264Options(d, "qp=" + q);
                 if (s.pass == GST_VTC_PASS_QUAL) AppendX264Options(d, "crf=" + q);
               }});
  r.push_back(
      {[](const ClassDefaults&, GParamFlags f) {
         return g_param_spec_uint(
             "vbv-buf-capacity", "VBV buffer capacity",
             "x264enc's VBV buffer in milliseconds at bitrate (x264enc default 600), once set: "
             "x264's vbv-maxrate = bitrate, vbv-bufsize = bitrate x this. Unset, a bitrate "
             "gets the session's 2 s buffer and its steering onto the target. Needs a bitrate "
             "and rate-control=abr (else a warning); sized when the session starts. x264 options "
             "vbv-maxrate, vbv-bufsize",
             0, 10000, 600, f);
       },
       Field(),
       Target::kCompression,
       {k::kX264Options},
       false,
       [](const GValue& v, const Settings& s, Dict* d) {
         if (s.bitrate == 0 || s.rate_control != GST_VTC_RATE_CONTROL_ABR) return;
         const guint64 kbit = guint64(s.bitrate) * g_value_get_uint(&v) / 1000;
         AppendX264Options(d, "vbv-maxrate=" + std::to_string(s.bitrate) +
                                  ":vbv-bufsize=" + std::to_string(kbit));
       },
       nullptr,
       true});
  // Frame types and references.
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "bframes", "B-frames",
                     "Most B-frames between I and P, once set (else the preset's; x264enc default "
                     "0): 0 turns AllowFrameReordering off, more turns it on. VT key "
                     "AllowFrameReordering, x264 option bframes",
                     0, 16, 0, f);
               },
               Field(),
               Target::kCompression,
               {k::kAllowFrameReordering, k::kX264Options},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 const guint n = g_value_get_uint(&v);
                 (*d)[k::kAllowFrameReordering] = vtc::Value(n > 0);
                 if (n > 0) AppendX264Options(d, "bframes=" + std::to_string(n));
               },
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "b-adapt", "B-adapt",
                     "Decide how many B-frames to use, once set (else the preset's; x264enc "
                     "default true). x264 option b-adapt (1 or 0)",
                     TRUE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionBool<kOptBAdapt>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "b-pyramid", "B-pyramid",
                     "Keep some B-frames as references, once set (else the preset's; x264enc "
                     "default false): true is x264's strict pyramid, as x264enc's. x264 option "
                     "b-pyramid (strict or none)",
                     FALSE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 AppendX264Options(d,
                                   g_value_get_boolean(&v) ? "b-pyramid=strict" : "b-pyramid=none");
               },
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "weightb", "Weighted B",
                     "Weighted prediction for B-frames, once set (else the preset's; x264enc "
                     "default false). x264 option weightb",
                     FALSE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionBool<kOptWeightb>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "ref", "References",
                     "Reference frames, once set (else the preset's; x264enc default 3), as "
                     "reference-buffer-count. VT key ReferenceBufferCount",
                     1, 16, 3, f);
               },
               Field(),
               Target::kCompression,
               {k::kReferenceBufferCount},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 (*d)[k::kReferenceBufferCount] = vtc::Value(gint64(g_value_get_uint(&v)));
               },
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "key-int-max", "Key-int-max",
                     "Most frames from one key frame to the next, as max-keyframe-interval (the "
                     "same value: setting either sets both); 0 = automatic (250 here; x264enc's "
                     "is 10 s of frames). VT key MaxKeyFrameInterval",
                     0, G_MAXINT, 0, f);
               },
               KeyIntMaxField(),
               Target::kCompression,
               {k::kMaxKeyFrameInterval},
               true});
  // Analysis.
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "dct8x8", "DCT 8x8",
                     "Adaptive 8x8 transform (High profile), once set (else the preset's; "
                     "x264enc default false). x264 option 8x8dct",
                     FALSE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionBool<kOpt8x8dct>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_flags(
                     "analyse", "Analyse",
                     "Partitions to consider, once set (else the preset's; x264enc default none, "
                     "which x264enc leaves unapplied; here none means none). x264 option "
                     "partitions",
                     AnalyseType(), 0, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 const guint flags = g_value_get_flags(&v);
                 std::string list;
                 for (const Partition& p : kPartitions)
                   if (flags & p.flag) list += (list.empty() ? "" : ",") + std::string(p.name);
                 AppendX264Options(d, "partitions=" + (list.empty() ? std::string("none") : list));
               },
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_enum(
                     "me", "Motion estimation",
                     "Integer-pixel motion estimation, once set (else the preset's; x264enc "
                     "default hex). x264 option me",
                     MeType(), 1, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 const gint me = std::clamp(g_value_get_enum(&v), 0, 4);
                 AppendX264Options(d, std::string("me=") + kMeNames[me]);
               },
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "subme", "Subpixel ME",
                     "Subpixel motion estimation and partition decision quality, 1 fast .. 10 "
                     "best, once set (else the preset's; x264enc default 1). x264 option subme",
                     1, 10, 1, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionUint<kOptSubme>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "trellis", "Trellis",
                     "Trellis quantization, once set (else the preset's; x264enc default true). "
                     "x264 option trellis (1 or 0)",
                     TRUE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionBool<kOptTrellis>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "noise-reduction", "Noise reduction",
                     "Noise reduction strength, once set (else the preset's; x264enc default 0). "
                     "x264 option nr",
                     0, 100000, 0, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionUint<kOptNr>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_enum(
                     "psy-tune", "Psychovisual tune",
                     "x264's psychovisual tune (film, animation, grain, psnr, ssim), added to "
                     "tune's; none by default. Session key X264Tune",
                     PsyTuneType(), 0, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Tune},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 const gint psy = g_value_get_enum(&v);
                 if (psy <= 0) return;
                 GEnumClass* c = static_cast<GEnumClass*>(g_type_class_ref(PsyTuneType()));
                 const GEnumValue* ev = g_enum_get_value(c, psy);
                 const std::string name = ev ? ev->value_nick : "";
                 g_type_class_unref(c);
                 std::string tune;
                 if (auto it = d->find(k::kX264Tune); it != d->end()) it->second.GetString(&tune);
                 // x264 takes one psychovisual tune and x264enc puts this one first, so it wins
                 // over stillimage (x264 ignores the second with a warning; the session would
                 // refuse the pair): stillimage goes (NegotiateX264Compat warns).
                 std::string rest;
                 for (std::size_t at = 0; at <= tune.size();) {
                   std::size_t end = tune.find(',', at);
                   if (end == std::string::npos) end = tune.size();
                   const std::string t = tune.substr(at, end - at);
                   if (!t.empty() && t != "stillimage") rest += (rest.empty() ? "" : ",") + t;
                   at = end + 1;
                 }
                 (*d)[k::kX264Tune] = vtc::Value(rest.empty() ? name : name + "," + rest);
               }});
  // Rate control.
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "qp-min", "QP min",
                     "Lowest QP, once set (else min-qp's; x264enc default 10); H.264's QP, "
                     "above 51 as 51. VT key MinAllowedFrameQP",
                     0, 63, 10, f);
               },
               Field(),
               Target::kCompression,
               {k::kMinAllowedFrameQP},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 (*d)[k::kMinAllowedFrameQP] = QpKey(g_value_get_uint(&v));
               },
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "qp-max", "QP max",
                     "Highest QP, once set (else max-qp's; x264enc default 51); H.264's QP, "
                     "above 51 as 51. VT key MaxAllowedFrameQP",
                     0, 63, 51, f);
               },
               Field(),
               Target::kCompression,
               {k::kMaxAllowedFrameQP},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 (*d)[k::kMaxAllowedFrameQP] = QpKey(g_value_get_uint(&v));
               },
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "qp-step", "QP step",
                     "Largest QP change from one frame to the next, once set (else x264's 4). "
                     "x264 option qpstep",
                     0, 63, 4, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionUint<kOptQpstep>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_float(
                     "ip-factor", "IP factor",
                     "Quantizer factor between I- and P-frames, once set (else x264's 1.4). x264 "
                     "option ipratio",
                     0, 2, 1.4f, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionFloat<kOptIpratio>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_float(
                     "pb-factor", "PB factor",
                     "Quantizer factor between P- and B-frames, once set (else x264's 1.3). x264 "
                     "option pbratio",
                     0, 2, 1.3f, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionFloat<kOptPbratio>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "mb-tree", "MB-tree",
                     "Macroblock-tree rate control, once set (else the preset's; x264enc default "
                     "true). x264 option mbtree",
                     TRUE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionBool<kOptMbtree>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_int(
                     "rc-lookahead", "RC lookahead",
                     "Frames of rate-control and frame-type lookahead, once set (else "
                     "lookahead's; x264enc default 40), as lookahead. VT key "
                     "SuggestedLookAheadFrameCount",
                     0, 250, 40, f);
               },
               Field(),
               Target::kCompression,
               {k::kSuggestedLookAheadFrameCount},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 (*d)[k::kSuggestedLookAheadFrameCount] = vtc::Value(gint64(g_value_get_int(&v)));
               },
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "cabac", "CABAC",
                     "CABAC entropy coding (true) or CAVLC (false), once set (else "
                     "entropy-mode's; x264enc default true); Baseline is CAVLC whatever this "
                     "says. VT key H264EntropyMode",
                     TRUE, f);
               },
               Field(),
               Target::kCompression,
               {k::kH264EntropyMode},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 (*d)[k::kH264EntropyMode] =
                     vtc::Value(g_value_get_boolean(&v) ? "CABAC" : "CAVLC");
               },
               nullptr,
               true});
  // Threads.
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "sliced-threads", "Sliced threads",
                     "Threads share each frame as slices (no frame of delay per thread), once "
                     "set (else the preset's; x264enc default false). x264 option sliced-threads",
                     FALSE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionBool<kOptSlicedThreads>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_int(
                     "sync-lookahead", "Sync lookahead",
                     "Frames of threaded lookahead buffer, -1 automatic, once set (else x264's; "
                     "x264enc default -1). x264 option sync-lookahead",
                     -1, 250, -1, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionInt<kOptSyncLookahead>,
               nullptr,
               true});
  // The stream's syntax.
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_uint(
                     "sps-id", "SPS ID",
                     "The SPS and PPS id (0..31), once set (else 0). x264 option sps-id", 0, 31, 0,
                     f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               OptionUint<kOptSpsId>,
               nullptr,
               true});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "aud", "AU delimiter",
                     "An access unit delimiter NAL unit first in every access unit (in byte-stream "
                     "before the SPS and PPS). false by default, as VideoToolbox writes none "
                     "(x264enc's default is true). x264 option aud",
                     FALSE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 if (g_value_get_boolean(&v)) AppendX264Options(d, "aud=1");
               }});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "byte-stream", "Byte stream",
                     "Prefer stream-format byte-stream (start codes, SPS/PPS in band) when "
                     "downstream takes both it and avc; false: avc then. Downstream that takes "
                     "one gets that one, and byte-stream when it takes anything",
                     FALSE, f);
               },
               Field(),
               Target::kCompression,
               {},
               false});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "insert-vui", "Insert VUI",
                     "The input caps' colorimetry in the SPS's VUI (colour primaries, transfer, "
                     "matrix); false leaves them out, as x264enc's (the VUI keeps its timing and "
                     "aspect ratio). x264 options colorprim, transfer, colormatrix = undef",
                     TRUE, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 if (!g_value_get_boolean(&v))
                   AppendX264Options(d, "colorprim=undef:transfer=undef:colormatrix=undef");
               }});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_boolean(
                     "interlaced", "Interlaced",
                     "Interlaced material: coded as interlaced H.264 (MBAFF, top field first) "
                     "even when the caps say progressive; interlaced caps are coded so anyway "
                     "(x264enc 1.22 stores this and ignores it). VT key FieldCount 2",
                     FALSE, f);
               },
               Field(),
               Target::kCompression,
               {k::kFieldCount},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 if (g_value_get_boolean(&v)) (*d)[k::kFieldCount] = vtc::Value(gint64(2));
               }});
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_enum(
                     "frame-packing", "Frame packing",
                     "Stereoscopic frame packing written as SEI: auto takes the input caps' "
                     "multiview-mode. x264 option frame-packing",
                     FramePackingType(), -1, f);
               },
               Field(),
               Target::kCompression,
               {k::kX264Options},
               false,
               [](const GValue& v, const Settings&, Dict* d) {
                 if (g_value_get_enum(&v) >= 0)
                   AppendX264Options(d, "frame-packing=" + std::to_string(g_value_get_enum(&v)));
               }});
  // vtenc_h264's name for max-frame-delay-count (1.26; there for ProRes).
  r.push_back({[](const ClassDefaults&, GParamFlags f) {
                 return g_param_spec_int(
                     "max-frame-delay", "Max frame delay",
                     "vtenc's name for max-frame-delay-count (the same value: setting either "
                     "sets both): most frames the encoder may hold, -1 = unlimited. VT key "
                     "MaxFrameDelayCount",
                     -1, G_MAXINT, -1, f);
               },
               Member<&Settings::max_frame_delay_count>(),
               Target::kCompression,
               {k::kMaxFrameDelayCount},
               false});
  return r;
}

}  // namespace

GType H264SpeedPresetType() {
  return SpeedPresetWithNoneType();
}

const std::vector<PropertyRow>& X264CompatRows() {
  static const std::vector<PropertyRow> rows = MakeRows();
  return rows;
}

void AppendX264Options(vtc::Dictionary* d, const std::string& options) {
  if (options.empty()) return;
  std::string all;
  if (auto it = d->find(k::kX264Options); it != d->end()) it->second.GetString(&all);
  (*d)[k::kX264Options] = vtc::Value(all.empty() ? options : all + ":" + options);
}

namespace {

// A boolean row's value (its default when unset), or `fallback` without the row.
bool BoolOf(const PropertyTable& table, const Settings& settings, const char* name, bool fallback) {
  const PropertyTable::Entry* e = table.Lookup(name);
  if (!e) return fallback;
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_TYPE_BOOLEAN);
  table.Get(settings, *e, &v);
  const bool b = g_value_get_boolean(&v);
  g_value_unset(&v);
  return b;
}

gint EnumOf(const PropertyTable& table, const Settings& settings, const char* name, gint fallback) {
  const PropertyTable::Entry* e = table.Lookup(name);
  if (!e || !G_IS_PARAM_SPEC_ENUM(e->pspec)) return fallback;
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(e->pspec));
  table.Get(settings, *e, &v);
  const gint x = g_value_get_enum(&v);
  g_value_unset(&v);
  return x;
}

guint FlagsOf(const PropertyTable& table, const Settings& settings, const char* name) {
  const PropertyTable::Entry* e = table.Lookup(name);
  if (!e || !G_IS_PARAM_SPEC_FLAGS(e->pspec)) return 0;
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(e->pspec));
  table.Get(settings, *e, &v);
  const guint x = g_value_get_flags(&v);
  g_value_unset(&v);
  return x;
}

}  // namespace

bool PrefersByteStream(const PropertyTable& table, const Settings& settings) {
  return BoolOf(table, settings, "byte-stream", false);
}

bool CodesInterlaced(const PropertyTable& table, const Settings& settings) {
  return BoolOf(table, settings, "interlaced", false);
}

void NegotiateX264Compat(GstVtcEncoder* self, const PropertyTable& table, const Settings& settings,
                         const GstVideoInfo* info, GstVtcNegotiated* out) {
  const Dict built = table.Build(settings, Target::kCompression);
  // x264 options that go before the properties' own (x264 applies them in order).
  Dict first;
  if (EnumOf(table, settings, "frame-packing", 0) < 0) {
    const int from_caps = FramePackingFor(GST_VIDEO_INFO_MULTIVIEW_MODE(info));
    if (from_caps >= 0) AppendX264Options(&first, "frame-packing=" + std::to_string(from_caps));
  }
  const PropertyTable::Entry* cabac = table.Lookup("cabac");
  bool cabac_from_x264enc = cabac && table.IsSet(settings, *cabac);
  if (EnumOf(table, settings, "speed-preset", 0) == kSpeedPresetNone &&
      FlagsOf(table, settings, "tune") == 0 && EnumOf(table, settings, "psy-tune", 0) == 0) {
    cabac_from_x264enc = true;
    // x264enc's defaults of the knobs not set (the when_set rows, all of them x264enc's), as
    // their rows would write them.
    Dict defaults;
    for (const PropertyTable::Entry& e : table.entries()) {
      if (!e.row->when_set || table.IsSet(settings, e) || !e.row->apply) continue;
      // x264enc leaves an empty analyse out (x264's own partitions stay).
      if (g_strcmp0(e.pspec->name, "analyse") == 0) continue;
      GValue v = G_VALUE_INIT;
      g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(e.pspec));
      g_param_value_set_default(e.pspec, &v);
      e.row->apply(v, settings, &defaults);
      g_value_unset(&v);
    }
    // x264enc's defaults also turn weighted P prediction off.
    AppendX264Options(&first, "weightp=0");
    // Its lookahead and QP floor yield to a delay budget and a QP ceiling the user set (x264
    // would clip them; the session refuses the contradiction).
    // The budget and ceiling as the rows built them (max-frame-delay-count or vtenc's
    // max-frame-delay, max-qp or x264enc's qp-max).
    auto cap = [&](const char* key, const char* bound) {
      auto it = defaults.find(key);
      auto b = built.find(bound);
      std::int64_t v = 0, limit = -1;
      if (it == defaults.end() || b == built.end() || !b->second.GetInt(&limit) || limit < 0)
        return;
      it->second.GetInt(&v);
      it->second = vtc::Value(std::min(v, limit));
    };
    cap(k::kSuggestedLookAheadFrameCount, k::kMaxFrameDelayCount);
    cap(k::kMinAllowedFrameQP, k::kMaxAllowedFrameQP);
    for (const auto& [key, value] : defaults) {
      if (key == k::kX264Options) {
        std::string options;
        value.GetString(&options);
        AppendX264Options(&first, options);
      } else if (key == k::kAllowFrameReordering || !built.count(key)) {
        // bframes 0 (unset) means no B-frames; the other keys yield to the element's own
        // properties of the same meaning (reference-buffer-count, min-qp, ...) when set.
        out->properties[key] = value;
      }
    }
  }
  if (auto it = first.find(k::kX264Options); it != first.end()) {
    std::string rest;
    if (auto b = built.find(k::kX264Options); b != built.end()) b->second.GetString(&rest);
    AppendX264Options(&first, rest);
    out->properties[k::kX264Options] = first.at(k::kX264Options);
  }
  if (EnumOf(table, settings, "psy-tune", 0) > 0 && (FlagsOf(table, settings, "tune") & 0x1))
    GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                        ("tune=stillimage is left out: psy-tune is the one psychovisual tune x264 "
                         "takes (x264enc's psy-tune wins the same way)."),
                        ("x264 applies one psychovisual tune"));
  // x264enc's cabac gives way to a Baseline downstream (x264_param_apply_profile drops it).
  if (cabac_from_x264enc && out->description.find("Baseline") != std::string::npos)
    out->properties[k::kH264EntropyMode] = vtc::Value("CAVLC");
  if (settings.pass == GST_VTC_PASS_PASS3)
    GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                        ("pass=pass3 runs as pass2: it reads the statistics in \"%s\" and writes "
                         "none (the encoder's passes are a first and a final one).",
                         settings.multipass_cache_file.c_str()),
                        ("x264enc's pass3 reads and rewrites the statistics file"));
  const PropertyTable::Entry* vbv = table.Lookup("vbv-buf-capacity");
  if (vbv && table.IsSet(settings, *vbv) &&
      (settings.bitrate == 0 || settings.rate_control != GST_VTC_RATE_CONTROL_ABR))
    GST_ELEMENT_WARNING(
        self, LIBRARY, SETTINGS,
        ("vbv-buf-capacity has no effect %s.",
         settings.bitrate == 0 ? "without a bitrate (x264enc sizes its VBV buffer from bitrate)"
                               : "with rate-control=cbr, whose buffer is 1 s"),
        ("bitrate=%u", settings.bitrate));
}

gsize H264LeadingDelimiter(GstVtcEncoder*, const guint8* sample, gsize size) {
  if (size < 5) return 0;
  const gsize len =
      (gsize(sample[0]) << 24) | (gsize(sample[1]) << 16) | (gsize(sample[2]) << 8) | sample[3];
  const bool aud = (sample[4] & 0x1f) == 9;
  return aud && len > 0 && len <= size - 4 ? 4 + len : 0;
}

}  // namespace gstvtc
