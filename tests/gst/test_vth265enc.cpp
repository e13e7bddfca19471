// SPDX-License-Identifier: GPL-2.0-or-later
// vth265enc's own cases (the generic ones run for it from the other binaries, as h265_<case>):
// its properties and presets, the raw formats it offers and the HEVC profile each is coded in,
// the profile downstream asks for, the three framings (hvc1, hev1 with the parameter sets in band
// too, byte-stream), and the errors a person can act on. Its own binary; meson runs each case on
// its own with GST_CHECKS=<case> (the list in tests/gst/meson.build must match main() below).
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

using vtt::Enc;
using vtt::Input;
using vtt::OutBuf;

namespace {

constexpr const char* kElement = "vth265enc";
constexpr double kMinPsnr = 28.0;  // as the generic cases: a misread plane gives far less

const vtt::Codec& Hevc() {
  return vtt::H265();
}

// What the tests read from an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1).
struct HvcC {
  int profile_idc = -1;
  int chroma_format_idc = -1;
  int bit_depth_luma = -1;
  int length_size = -1;
  std::vector<nal::Nal> nals;  // every array's NAL units, in order
};

bool ParseHvcC(const std::vector<uint8_t>& d, HvcC* out) {
  if (d.size() < 23 || d[0] != 1) return false;
  out->profile_idc = d[1] & 0x1f;
  out->chroma_format_idc = d[16] & 0x03;
  out->bit_depth_luma = (d[17] & 0x07) + 8;
  out->length_size = (d[21] & 0x03) + 1;
  size_t pos = 23;
  for (int a = 0; a < d[22]; a++) {
    if (pos + 3 > d.size()) return false;
    const int type = d[pos] & 0x3f;
    const int count = (d[pos + 1] << 8) | d[pos + 2];
    pos += 3;
    for (int i = 0; i < count; i++) {
      if (pos + 2 > d.size()) return false;
      const size_t len = (size_t(d[pos]) << 8) | d[pos + 1];
      pos += 2;
      if (len < 2 || pos + len > d.size()) return false;
      nal::Nal n;
      n.type = (d[pos] >> 1) & 0x3f;
      if (n.type != type) return false;
      n.bytes.assign(d.begin() + long(pos), d.begin() + long(pos + len));
      out->nals.push_back(std::move(n));
      pos += len;
    }
  }
  return pos == d.size();
}

HvcC HvcCFromCaps(GstCaps* caps) {
  std::vector<uint8_t> cd;
  fail_unless(vtt::CapsCodecData(caps, &cd), "no codec_data in %s",
              vtt::CapsToString(caps).c_str());
  HvcC hvcc;
  fail_unless(ParseHvcC(cd, &hvcc), "malformed hvcC in %s", vtt::CapsToString(caps).c_str());
  return hvcc;
}

GstCaps* LastCaps(Enc& e) {
  auto caps = e.rec().Caps();
  fail_unless(!caps.empty(), "no caps were pushed");
  return caps.back();
}

bool AnyReordered(const std::vector<OutBuf>& bufs) {
  for (const auto& b : bufs)
    if (b.dts != b.pts) return true;
  return false;
}

// Encodes `n` frames of `in` with `props` for downstream `sink_caps`, framed as
// `stream_format` wants it: every key frame carries exactly the hvcC's VPS, SPS and PPS first
// (in band: hev1 and byte-stream) or none (hvc1), a delta frame none, and the stream decodes.
// Returns the buffers.
std::vector<OutBuf> CheckFraming(const std::string& props, const Input& in, int n,
                                 const std::string& sink_caps, const char* stream_format) {
  Enc e(Hevc(), props, in, sink_caps);
  e.Push(0, n);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  GstCaps* caps = LastCaps(e);
  const std::string got = vtt::CapsString(caps, "stream-format");
  fail_unless(got == stream_format, "downstream %s: stream-format %s, want %s", sink_caps.c_str(),
              got.c_str(), stream_format);
  vtt::ExpectField(caps, "alignment", "au");
  const bool annexb = got == "byte-stream";
  std::vector<uint8_t> cd;
  fail_unless_equals_int(vtt::CapsCodecData(caps, &cd), !annexb);
  // The parameter sets a key frame must start with: the hvcC's (hvc1, hev1), or those of the
  // first key frame (byte-stream, whose caps have none), always VPS, SPS, PPS.
  std::vector<nal::Nal> sets;
  if (!annexb) {
    for (const auto& nal : HvcCFromCaps(caps).nals)
      if (nal.type >= 32 && nal.type <= 34) sets.push_back(nal);
  }
  for (const auto& b : bufs) {
    const auto nals = vtt::SplitOrFail(Hevc(), b, !annexb);
    fail_unless_equals_int(vtt::HasKeyNal(Hevc(), nals), b.keyframe());
    if (!b.keyframe() || got == "hvc1") {
      fail_if(vtt::HasAnyParameterSet(Hevc(), nals), "frame %d (%s) carries parameter sets",
              in.IndexOf(b.pts), b.keyframe() ? "key" : "delta");
      continue;
    }
    fail_unless(nals.size() > 3, "key frame %d too short", in.IndexOf(b.pts));
    if (sets.empty()) sets.assign(nals.begin(), nals.begin() + 3);
    for (size_t i = 0; i < 3; i++) {
      fail_unless(nals[i].type == 32 + int(i), "key frame %d: NAL %zu is type %d, want %zu",
                  in.IndexOf(b.pts), i, nals[i].type, 32 + i);
      fail_unless(i < sets.size() && nals[i].bytes == sets[i].bytes,
                  "key frame %d: parameter set %zu differs from the configuration record's",
                  in.IndexOf(b.pts), i);
    }
    fail_if(vtt::HasAnyParameterSet(Hevc(), std::vector<nal::Nal>(nals.begin() + 3, nals.end())),
            "key frame %d: more parameter sets after the first three", in.IndexOf(b.pts));
  }
  int decoded = 0;
  const double psnr = vtt::MinLumaPsnr(Hevc(), bufs, caps, in, &decoded);
  fail_unless_equals_int(decoded, n);
  fail_unless(psnr > kMinPsnr, "%s: luma PSNR %.1f dB", stream_format, psnr);
  return bufs;
}

// The profile, chroma format and luma depth h265parse reads from the stream `launch` makes.
struct Parsed {
  std::string profile, chroma;
  guint depth = 0;
};

Parsed ParseStream(const std::string& launch) {
  const std::string text = vtt::ParsedCaps(launch);
  GstCaps* caps = gst_caps_from_string(text.c_str());
  fail_unless(caps != nullptr && !gst_caps_is_empty(caps), "%s: no caps", launch.c_str());
  const GstStructure* st = gst_caps_get_structure(caps, 0);
  Parsed p;
  p.profile = gst_structure_get_string(st, "profile") ?: "";
  p.chroma = gst_structure_get_string(st, "chroma-format") ?: "";
  gst_structure_get_uint(st, "bit-depth-luma", &p.depth);
  gst_caps_unref(caps);
  return p;
}

}  // namespace

// --- properties ----------------------------------------------------------------------------------

GST_START_TEST(test_h265_properties) {
  GstElement* el = gst_element_factory_make(kElement, nullptr);
  fail_unless(el != nullptr, "no %s", kElement);
  GObjectClass* klass = G_OBJECT_GET_CLASS(el);
  // speed-preset: the same type as vth264enc's (x265's presets have x264's names).
  GParamSpec* ps = g_object_class_find_property(klass, "speed-preset");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_ENUM(ps));
  fail_unless_equals_string(g_type_name(G_PARAM_SPEC_VALUE_TYPE(ps)), "GstVtcSpeedPreset");
  fail_unless_equals_int(G_PARAM_SPEC_ENUM(ps)->default_value, 0);
  // tune: x265enc's numbers, one tune at most.
  ps = g_object_class_find_property(klass, "tune");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_ENUM(ps));
  GEnumClass* tunes = G_PARAM_SPEC_ENUM(ps)->enum_class;
  const char* nicks[] = {"none", "psnr", "ssim", "grain", "zerolatency", "fastdecode", "animation"};
  fail_unless_equals_int(static_cast<int>(tunes->n_values), G_N_ELEMENTS(nicks));
  for (guint i = 0; i < G_N_ELEMENTS(nicks); i++) {
    GEnumValue* v = g_enum_get_value(tunes, static_cast<gint>(i));
    fail_unless(v != nullptr && g_str_equal(v->value_nick, nicks[i]), "tune %u is not %s", i,
                nicks[i]);
  }
  fail_unless_equals_int(G_PARAM_SPEC_ENUM(ps)->default_value, 0);
  ps = g_object_class_find_property(klass, "threads");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_UINT(ps));
  fail_unless_equals_int(G_PARAM_SPEC_UINT(ps)->default_value, 0);
  ps = g_object_class_find_property(klass, "option-string");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_STRING(ps));
  fail_unless_equals_string(G_PARAM_SPEC_STRING(ps)->default_value, "");
  for (const char* name : {"speed-preset", "tune", "threads", "option-string"}) {
    ps = g_object_class_find_property(klass, name);
    fail_unless(ps->flags & GST_PARAM_MUTABLE_READY, "%s should be MUTABLE_READY", name);
    fail_if(ps->flags & GST_PARAM_MUTABLE_PLAYING, "%s must not be MUTABLE_PLAYING", name);
  }
  for (auto [name, key] : {std::pair{"speed-preset", "X265SpeedPreset"},
                           {"tune", "X265Tune"},
                           {"threads", "X265Threads"},
                           {"option-string", "X265Options"}}) {
    const gchar* blurb = g_param_spec_get_blurb(g_object_class_find_property(klass, name));
    fail_unless(blurb && strstr(blurb, key), "%s blurb does not name %s", name, key);
  }
  // H.264's own properties are not here.
  for (const char* name : {"entropy-mode", "max-slice-bytes"})
    fail_if(g_object_class_find_property(klass, name) != nullptr, "%s on %s", name, kElement);
  // The element's own defaults of the common properties.
  gchar* id = nullptr;
  gchar* cache = nullptr;
  g_object_get(el, "encoder-id", &id, "multipass-cache-file", &cache, nullptr);
  const std::string id_s = id ? id : "", cache_s = cache ? cache : "";
  g_free(id);
  g_free(cache);
  fail_unless(id_s == "com.multicorewareinc.x265", "encoder-id %s", id_s.c_str());
  fail_unless(cache_s == "vth265enc.log", "multipass-cache-file %s", cache_s.c_str());
  // Round trip, gst-launch style.
  gst_util_set_object_arg(G_OBJECT(el), "tune", "fastdecode");
  gint tune = 0;
  g_object_get(el, "tune", &tune, nullptr);
  fail_unless_equals_int(tune, 5);
  gst_object_unref(el);
}
GST_END_TEST;

GST_START_TEST(test_h265_presets) {
  GstElement* el = gst_element_factory_make(kElement, nullptr);
  fail_unless(el != nullptr && GST_IS_PRESET(el));
  gchar** names = gst_preset_get_preset_names(GST_PRESET(el));
  fail_unless(names != nullptr, "no presets (GST_PRESET_PATH=%s)", g_getenv("GST_PRESET_PATH"));
  std::vector<std::string> got;
  for (gchar** n = names; *n; n++) {
    got.push_back(*n);
    fail_unless(gst_preset_load_preset(GST_PRESET(el), *n), "preset '%s' does not load", *n);
  }
  g_strfreev(names);
  for (const char* want : {"low-latency-live", "streaming", "archive"})
    fail_unless(std::find(got.begin(), got.end(), want) != got.end(), "no preset %s", want);
  // archive: constant quality at x265's medium (slow costs far more on x265).
  fail_unless(gst_preset_load_preset(GST_PRESET(el), "archive"));
  gint preset = -1;
  guint bitrate = 1;
  gdouble quality = 0;
  g_object_get(el, "speed-preset", &preset, "bitrate", &bitrate, "quality", &quality, nullptr);
  GParamSpec* ps = g_object_class_find_property(G_OBJECT_GET_CLASS(el), "speed-preset");
  GEnumValue* v = g_enum_get_value(G_PARAM_SPEC_ENUM(ps)->enum_class, preset);
  fail_unless(v != nullptr && g_str_equal(v->value_nick, "medium"), "archive speed-preset %s",
              v ? v->value_nick : "?");
  fail_unless_equals_int(bitrate, 0);
  fail_unless(quality == 0.75, "archive quality %f", quality);
  gst_object_unref(el);
}
GST_END_TEST;

// --- formats and profiles ------------------------------------------------------------------------

GST_START_TEST(test_h265_formats_offered_upstream) {
  auto expect = [](const std::string& launch, const std::string& want) {
    const std::string got = vtt::Joined(vtt::OfferedFormats(launch));
    fail_unless(got == want, "%s: offered %s, want %s", launch.c_str(), got.c_str(), want.c_str());
  };
  const std::string all =
      "I420,YV12,NV12,Y42B,NV16,Y444,I420_10LE,P010_10LE,I422_10LE,Y444_10LE,I420_12LE,I422_12LE,"
      "Y444_12LE";
  expect("vth265enc name=enc ! fakesink", all);
  // A converter in front: 8-bit 4:2:0 (Main), as for vth264enc.
  expect("videotestsrc ! video/x-raw,format=YUY2 ! videoconvert ! vth265enc name=enc ! fakesink",
         "I420,YV12,NV12");
  expect("videotestsrc ! tee name=t ! queue ! vth265enc name=enc ! fakesink t. ! queue ! fakesink",
         all);
  // A source that can give 8-bit 4:2:0 (which would fixate 10-bit 4:4:4 through a capsfilter).
  expect("videotestsrc ! video/x-raw,width=64,height=48 ! vth265enc name=enc ! fakesink",
         "I420,YV12,NV12");
  const std::string ten = vtt::Joined(vtt::OfferedFormats(
      "videotestsrc ! video/x-raw,format=P010_10LE ! vth265enc name=enc ! fakesink"));
  fail_unless(ten.find("P010_10LE") != std::string::npos, "offered %s", ten.c_str());
  // Downstream's profile bounds it. Main 10 also codes 8-bit 4:2:0 (converted up), so a
  // converter is still offered 8-bit 4:2:0 only.
  expect("vth265enc name=enc ! video/x-h265,profile=main ! fakesink", "I420,YV12,NV12");
  expect("vth265enc name=enc ! video/x-h265,profile=main-10 ! fakesink",
         "I420,YV12,NV12,I420_10LE,P010_10LE");
  expect(
      "videotestsrc ! videoconvert ! vth265enc name=enc ! video/x-h265,profile=main-10 ! "
      "fakesink",
      "I420,YV12,NV12");
  // 8-bit 4:2:2 has no HEVC profile of its own: Main 4:2:2 10 takes it.
  expect(
      "videotestsrc ! videoconvert ! vth265enc name=enc ! video/x-h265,profile=main-422-10 ! "
      "fakesink",
      "Y42B,NV16,I422_10LE");
  expect("vth265enc name=enc ! video/x-h265,profile=main-444 ! fakesink", "Y444");
  expect("vth265enc name=enc ! video/x-h265,profile=main-444-10 ! fakesink", "Y444_10LE");
  // Lossless keeps each format's profile (unlike H.264's High 4:4:4 Predictive).
  expect("vth265enc name=enc quality=1.0 ! video/x-h265,profile=main ! fakesink", "I420,YV12,NV12");
  // Nothing under x265's smallest CTU (16).
  GstElement* pipeline = gst_parse_launch("vth265enc name=enc ! fakesink", nullptr);
  GstElement* enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
  GstPad* sink = gst_element_get_static_pad(enc, "sink");
  for (auto [caps, want] :
       {std::pair{"video/x-raw,format=I420,width=16,height=16,framerate=0/1", true},
        {"video/x-raw,format=I420,width=15,height=16,framerate=0/1", false},
        {"video/x-raw,format=NV12,width=64,height=8,framerate=30/1", false}}) {
    GstCaps* c = gst_caps_from_string(caps);
    fail_unless_equals_int(gst_pad_query_accept_caps(sink, c), want);
    gst_caps_unref(c);
  }
  gst_object_unref(sink);
  gst_object_unref(enc);
  gst_object_unref(pipeline);
}
GST_END_TEST;

GST_START_TEST(test_h265_formats_coded_in_their_own_profile) {
  // Each format in the HEVC profile that carries its sampling, as h265parse reads the stream.
  // 8-bit 4:2:2 is converted to 10 bits (no HEVC profile codes 8-bit 4:2:2).
  struct Case {
    const char *format, *profile, *chroma;
    guint depth;
  };
  for (const Case& c : std::vector<Case>{
           {"I420", "main", "4:2:0", 8},
           {"YV12", "main", "4:2:0", 8},
           {"NV12", "main", "4:2:0", 8},
           {"Y42B", "main-422-10", "4:2:2", 10},
           {"NV16", "main-422-10", "4:2:2", 10},
           {"Y444", "main-444", "4:4:4", 8},
           {"I420_10LE", "main-10", "4:2:0", 10},
           {"P010_10LE", "main-10", "4:2:0", 10},
           {"I422_10LE", "main-422-10", "4:2:2", 10},
           {"Y444_10LE", "main-444-10", "4:4:4", 10},
           {"I420_12LE", "main-12", "4:2:0", 12},
           {"I422_12LE", "main-422-12", "4:2:2", 12},
           {"Y444_12LE", "main-444-12", "4:4:4", 12},
       }) {
    const Parsed p =
        ParseStream(std::string("videotestsrc num-buffers=4 ! video/x-raw,format=") + c.format +
                    ",width=64,height=48,framerate=30/1 ! vth265enc ! h265parse ! fakesink "
                    "name=out");
    fail_unless(p.profile == c.profile, "%s: profile %s, want %s", c.format, p.profile.c_str(),
                c.profile);
    fail_unless(p.chroma == c.chroma, "%s: chroma-format %s, want %s", c.format, p.chroma.c_str(),
                c.chroma);
    fail_unless(p.depth == c.depth, "%s: bit depth %u, want %u", c.format, p.depth, c.depth);
  }
}
GST_END_TEST;

GST_START_TEST(test_h265_main10_downstream_with_8bit_input) {
  // Downstream that names only Main 10 gets Main 10 from 8-bit input (converted up): the caps,
  // the hvcC and the decoder say so, and the picture survives.
  const Input in = vtt::Small();
  {
    Enc e(Hevc(), "", in, "video/x-h265,stream-format=hvc1,profile=main-10");
    e.Push(0, 8);
    e.Eos();
    auto bufs = e.rec().Buffers();
    fail_unless_equals_int(static_cast<int>(bufs.size()), 8);
    GstCaps* caps = LastCaps(e);
    vtt::ExpectField(caps, "profile", "main-10");
    const HvcC hvcc = HvcCFromCaps(caps);
    fail_unless_equals_int(hvcc.profile_idc, 2);
    fail_unless_equals_int(hvcc.bit_depth_luma, 10);
    fail_unless_equals_int(hvcc.chroma_format_idc, 1);
    fail_unless_equals_int(hvcc.length_size, 4);
    int decoded = 0;
    const double psnr = vtt::MinLumaPsnr(Hevc(), bufs, caps, in, &decoded);
    fail_unless_equals_int(decoded, 8);
    fail_unless(psnr > kMinPsnr, "Main 10 from I420: luma PSNR %.1f dB", psnr);
  }
  // Given the choice, 8-bit input stays Main, whatever order downstream names them in.
  for (const char* sink : {"video/x-h265,stream-format=hvc1,profile=(string){main-10,main}",
                           "video/x-h265,stream-format=hvc1"}) {
    Enc e(Hevc(), "", in, sink);
    e.Push(0, 3);
    e.Eos();
    GstCaps* caps = LastCaps(e);
    vtt::ExpectField(caps, "profile", "main");
    const HvcC hvcc = HvcCFromCaps(caps);
    fail_unless_equals_int(hvcc.profile_idc, 1);
    fail_unless_equals_int(hvcc.bit_depth_luma, 8);
  }
}
GST_END_TEST;

GST_START_TEST(test_h265_all_intra_profiles) {
  // All-intra coding is signalled as the *-intra range extensions profile of the sampling: the
  // element's caps say so (within its template), as h265parse reads the stream.
  GstElementFactory* factory = gst_element_factory_find(kElement);
  GstCaps* templ = nullptr;
  for (const GList* l = gst_element_factory_get_static_pad_templates(factory); l; l = l->next) {
    auto* t = static_cast<GstStaticPadTemplate*>(l->data);
    if (t->direction == GST_PAD_SRC) templ = gst_static_pad_template_get_caps(t);
  }
  gst_object_unref(factory);
  fail_unless(templ != nullptr);
  // (8-bit formats: the test pictures are 8-bit.)
  for (auto [format, profile] : {std::pair{GST_VIDEO_FORMAT_I420, "main-intra"},
                                 {GST_VIDEO_FORMAT_Y444, "main-444-intra"}}) {
    Input in = vtt::Small(format);
    Enc e(Hevc(), "allow-temporal-compression=false", in, Hevc().Caps(true));
    e.Push(0, 3);
    e.Eos();
    fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 3);
    GstCaps* caps = LastCaps(e);
    const std::string got = vtt::CapsString(caps, "profile");
    fail_unless(got == profile, "%s all-intra: profile %s, want %s",
                gst_video_format_to_string(format), got.c_str(), profile);
    GstCaps* fields =
        gst_caps_new_simple("video/x-h265", "profile", G_TYPE_STRING, got.c_str(), nullptr);
    fail_unless(gst_caps_can_intersect(fields, templ), "%s is not in the src template",
                got.c_str());
    gst_caps_unref(fields);
  }
  gst_caps_unref(templ);
  const Parsed ten = ParseStream(
      "videotestsrc num-buffers=3 ! video/x-raw,format=I420_10LE,width=64,height=48,"
      "framerate=30/1 ! vth265enc allow-temporal-compression=false ! h265parse ! fakesink "
      "name=out");
  fail_unless(ten.profile == "main-10-intra", "I420_10LE all-intra: %s", ten.profile.c_str());
  // Downstream that takes only Main 4:4:4 gets the all-intra 4:4:4 stream named so: its decoders
  // decode the intra profile.
  Enc e(Hevc(), "allow-temporal-compression=false", vtt::Small(GST_VIDEO_FORMAT_Y444),
        "video/x-h265,stream-format=hvc1,profile=main-444");
  e.Push(0, 3);
  e.Eos();
  fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 3);
  vtt::ExpectField(LastCaps(e), "profile", "main-444");
}
GST_END_TEST;

// --- framings ------------------------------------------------------------------------------------

GST_START_TEST(test_h265_hev1_parameter_sets_in_band) {
  // hev1: the hvc1 samples, plus VPS, SPS and PPS (length-prefixed) before every key frame; the
  // hvcC in codec_data too.
  Input in = vtt::Small();
  const auto bufs =
      CheckFraming("max-keyframe-interval=10", in, 30, "video/x-h265,stream-format=hev1", "hev1");
  fail_unless(vtt::KeyframeIndices(bufs, in) == std::vector<int>({0, 10, 20}),
              "key frames not at 0, 10, 20");
  // hev1 is the choice when downstream takes it and not hvc1; hvc1 wins when it may.
  CheckFraming("", in, 5, "video/x-h265,stream-format=(string){byte-stream,hev1}", "hev1");
  CheckFraming("", in, 5, "video/x-h265,stream-format=(string){byte-stream,hev1,hvc1}", "hvc1");
}
GST_END_TEST;

GST_START_TEST(test_h265_byte_stream) {
  // byte-stream: start codes, VPS, SPS and PPS before every key frame, no codec_data; also what
  // a downstream that takes anything gets.
  Input in = vtt::Small();
  const auto bufs = CheckFraming("max-keyframe-interval=10", in, 30,
                                 "video/x-h265,stream-format=byte-stream", "byte-stream");
  fail_unless(vtt::KeyframeIndices(bufs, in) == std::vector<int>({0, 10, 20}),
              "key frames not at 0, 10, 20");
  CheckFraming("", in, 5, "", "byte-stream");
  // The framing follows the profile: hvc1 only for Main here, so 4:4:4 goes out as byte-stream.
  Input y444 = vtt::Small(GST_VIDEO_FORMAT_Y444);
  CheckFraming("", y444, 5,
               "video/x-h265,stream-format=hvc1,profile=main;"
               "video/x-h265,stream-format=byte-stream,profile=main-444",
               "byte-stream");
  // hvc1 (what h265parse takes first): no parameter sets in band.
  CheckFraming("max-keyframe-interval=10", in, 12,
               "video/x-h265,stream-format=(string){hvc1,hev1,byte-stream},alignment=(string){au,"
               "nal}",
               "hvc1");
}
GST_END_TEST;

// --- errors --------------------------------------------------------------------------------------

GST_START_TEST(test_h265_refused_downstream_says_why) {
  // 8-bit 4:2:0 input, downstream only Main 4:4:4.
  vtt::ExpectLaunchError(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "vth265enc name=enc ! video/x-h265,profile=main-444 ! fakesink",
      {"8-bit 4:2:0", "I420", "main"});
  // 4:4:4 input, downstream only Main.
  vtt::ExpectLaunchError(
      "videotestsrc num-buffers=5 ! video/x-raw,format=Y444,width=64,height=48,framerate=30/1 ! "
      "vth265enc name=enc ! video/x-h265,profile=main ! fakesink",
      {"Y444", "main-444"});
  // Interlaced input: x265 codes fields only as field pictures, which the session does not do.
  vtt::ExpectLaunchError(
      "videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=320,height=240,framerate=50/1 "
      "! interlace field-pattern=1:1 ! vth265enc name=enc ! fakesink",
      {"nterlaced", "deinterlace"});
}
GST_END_TEST;

// --- x265's knobs --------------------------------------------------------------------------------

GST_START_TEST(test_h265_x265_properties_reach_x265) {
  const Input in = vtt::Small();
  auto encode = [&](const std::string& props, GstClockTime* latency) {
    Enc e(Hevc(), props, in, Hevc().Caps(true));
    e.Push(0, 12);
    if (latency) *latency = vtt::QueryLatency(e.h());
    e.Eos();
    auto bufs = e.rec().Buffers();
    fail_unless_equals_int(static_cast<int>(bufs.size()), 12);
    return bufs;
  };
  // zerolatency: no frame delay, decode order = display order.
  GstClockTime latency = 1;
  fail_if(AnyReordered(encode("tune=zerolatency", &latency)), "zerolatency reordered frames");
  fail_unless_equals_uint64(latency, 0);
  // Without it: latency and B-frames (so the checks above can fail).
  fail_unless(AnyReordered(encode("", &latency)), "default settings did not reorder");
  fail_unless(latency > 0, "default latency is 0");
  // option-string applies last: bframes=0 removes the preset's reordering.
  fail_if(AnyReordered(encode("option-string=bframes=0", nullptr)), "bframes=0 still reordered");
  encode("threads=2 speed-preset=ultrafast", nullptr);
  // A bad option is an error naming it.
  const auto errors = vtt::RunLaunch(
      "videotestsrc num-buffers=3 ! video/x-raw,format=I420,width=64,height=64,framerate=30/1 ! "
      "vth265enc name=enc option-string=nosuchoption=1 ! fakesink");
  fail_unless(!errors.empty(), "a bad option-string was accepted");
  fail_unless((errors[0].message + errors[0].debug).find("nosuchoption") != std::string::npos,
              "the error does not name the option: '%s' (%s)", errors[0].message.c_str(),
              errors[0].debug.c_str());
}
GST_END_TEST;

GST_START_TEST(test_h265_speed_preset) {
  // The preset reaches x265 (it takes one only when it opens: the property is MUTABLE_READY):
  // ultrafast looks ahead 5 frames, medium 20, and the latency says so.
  const Input in = vtt::Small();
  auto latency = [&](const char* props) {
    Enc e(Hevc(), props, in, Hevc().Caps(true));
    const GstClockTime l = vtt::QueryLatency(e.h());
    e.Push(0, 3);
    e.Eos();
    fail_unless_equals_int(static_cast<int>(e.rec().NumBuffers()), 3);
    return l;
  };
  const GstClockTime medium = latency(""), ultrafast = latency("speed-preset=ultrafast");
  GST_INFO("latency medium %" GST_TIME_FORMAT ", ultrafast %" GST_TIME_FORMAT,
           GST_TIME_ARGS(medium), GST_TIME_ARGS(ultrafast));
  fail_unless(ultrafast < medium,
              "ultrafast latency %" GST_TIME_FORMAT " not below medium's %" GST_TIME_FORMAT,
              GST_TIME_ARGS(ultrafast), GST_TIME_ARGS(medium));
  fail_unless_equals_uint64(latency("speed-preset=medium"), medium);
  GParamSpec* ps = g_object_class_find_property(
      G_OBJECT_CLASS(g_type_class_peek(g_type_from_name("GstVtH265Enc"))), "speed-preset");
  fail_unless(ps != nullptr && !(ps->flags & GST_PARAM_MUTABLE_PLAYING),
              "speed-preset must not be MUTABLE_PLAYING for x265");
}
GST_END_TEST;

// --- suite ---------------------------------------------------------------------------------------

int main(int argc, char** argv) {
  return vtt::RunCases("vth265enc",
                       {
                           VTT_H265_CASE(test_h265_properties),
                           VTT_H265_CASE(test_h265_presets),
                           VTT_H265_CASE(test_h265_formats_offered_upstream),
                           VTT_H265_CASE(test_h265_formats_coded_in_their_own_profile),
                           VTT_H265_CASE(test_h265_main10_downstream_with_8bit_input),
                           VTT_H265_CASE(test_h265_all_intra_profiles),
                           VTT_H265_CASE(test_h265_hev1_parameter_sets_in_band),
                           VTT_H265_CASE(test_h265_byte_stream),
                           VTT_H265_CASE(test_h265_refused_downstream_says_why),
                           VTT_H265_CASE(test_h265_x265_properties_reach_x265),
                           VTT_H265_CASE(test_h265_speed_preset),
                       },
                       argc, argv);
}
