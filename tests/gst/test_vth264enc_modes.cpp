// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc output modes beyond the everyday ones: lossless (High 4:4:4 Predictive), interlaced
// coding and the picture formats (10-bit, 4:2:2, 4:4:4), each negotiated with downstream like the
// other profiles and refused with an error a person can act on when downstream cannot take it;
// and HDR static metadata (a generic case, for every codec). Its own binary; meson runs each case
// on its own with GST_CHECKS=<case> (the list in tests/gst/meson.build must match main() below).
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "test_util.h"

using vtt::Input;

// --- lossless ------------------------------------------------------------------------------------

GST_START_TEST(test_lossless_profile_negotiated) {
  // quality=1.0 without a bit rate is lossless: x264 writes High 4:4:4 Predictive, and the caps
  // say so ("high-4:4:4", in the src template like every other profile), also when downstream
  // asks for exactly that profile.
  Input in;
  in.width = 64;
  in.height = 48;
  for (const char* downstream :
       {static_cast<const char*>(nullptr), "video/x-h264,profile=high-4:4:4"}) {
    vtt::Enc e("quality=1.0", in, downstream);
    e.Push(0, 8);
    e.Eos();
    auto bufs = e.rec().Buffers();
    fail_unless_equals_int(static_cast<int>(bufs.size()), 8);
    auto caps = e.rec().Caps();
    fail_unless(!caps.empty());
    const std::string profile = vtt::CapsString(caps.back(), "profile");  // outlives the check
    fail_unless_equals_string(profile.c_str(), "high-4:4:4");
    int decoded = 0;
    const double psnr = vtt::MinLumaPsnr(bufs, caps.back(), in, &decoded);
    fail_unless_equals_int(decoded, 8);
    fail_unless(psnr >= 99.0, "lossless decoded with PSNR %.2f", psnr);
  }
}
GST_END_TEST;

GST_START_TEST(test_lossless_refused_downstream_says_why) {
  // Downstream that takes only profile=high cannot get a lossless stream: an element error that
  // names the property and the way out, not a bare not-negotiated.
  vtt::ExpectLaunchError(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "vth264enc name=enc quality=1.0 ! video/x-h264,profile=high ! fakesink",
      {"quality", "high-4:4:4"});
  // And the other way round: only high-4:4:4 downstream, lossy settings.
  vtt::ExpectLaunchError(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "vth264enc name=enc ! video/x-h264,profile=high-4:4:4 ! fakesink",
      {"quality=1.0"});
}
GST_END_TEST;

// --- interlaced ----------------------------------------------------------------------------------

namespace {

struct FieldCounts {
  std::atomic<int> frames{0}, interlaced{0}, tff{0};
};

GstPadProbeReturn CountFields(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* counts = static_cast<FieldCounts*>(data);
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  counts->frames++;
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_VIDEO_BUFFER_FLAG_INTERLACED)) counts->interlaced++;
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_VIDEO_BUFFER_FLAG_TFF)) counts->tff++;
  return GST_PAD_PROBE_OK;
}

// Encodes `raw` (a launch fragment ending in raw video caps), decodes it with avdec_h264 and
// counts the decoded pictures and their field flags.
void EncodeDecodeFields(const std::string& raw, const char* props, FieldCounts* counts) {
  const std::string launch =
      raw + " ! vth264enc name=enc " + props + " ! h264parse ! avdec_h264 ! fakesink name=out";
  const auto errors = vtt::RunLaunch(launch, [counts](GstElement* pipeline) {
    GstElement* out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
    GstPad* pad = gst_element_get_static_pad(out, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, CountFields, counts, nullptr);
    gst_object_unref(pad);
    gst_object_unref(out);
  });
  fail_unless(errors.empty(), "%s: error '%s'", launch.c_str(),
              errors.empty() ? "" : errors[0].message.c_str());
}

const char* kRaw =
    "videotestsrc num-buffers=30 pattern=ball ! "
    "video/x-raw,format=I420,width=320,height=240,framerate=50/1 ! interlace field-pattern=1:1 ";

}  // namespace

GST_START_TEST(test_interlaced_coded_as_interlaced) {
  // Interleaved fields are coded as interlaced H.264 (never as progressive pictures), in the field
  // order the caps give: the decoder's pictures say so.
  for (bool top_first : {true, false}) {
    FieldCounts counts;
    EncodeDecodeFields(
        std::string(kRaw) + (top_first ? "top-field-first=true" : "top-field-first=false"), "",
        &counts);
    fail_unless_equals_int(counts.frames.load(), 15);  // two fields per frame
    fail_unless_equals_int(counts.interlaced.load(), 15);
    fail_unless_equals_int(counts.tff.load(), top_first ? 15 : 0);
  }
  // Progressive input stays progressive.
  FieldCounts counts;
  EncodeDecodeFields(
      "videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=320,height=240,framerate=25/1",
      "", &counts);
  fail_unless_equals_int(counts.frames.load(), 10);
  fail_unless_equals_int(counts.interlaced.load(), 0);
}
GST_END_TEST;

GST_START_TEST(test_interlaced_refused_downstream_says_why) {
  // Interlaced coding exists in Main and High only: Baseline downstream gets an error that says
  // what to do, and so does a height x264 cannot code as field pairs.
  vtt::ExpectLaunchError(
      std::string(kRaw) + " ! vth264enc name=enc ! video/x-h264,profile=baseline ! fakesink",
      {"nterlaced", "main"});
  vtt::ExpectLaunchError(
      "videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=320,height=242,framerate=50/1 ! "
      "interlace field-pattern=1:1 ! vth264enc name=enc ! fakesink",
      {"divisible by 4"});
}
GST_END_TEST;

// --- picture formats -----------------------------------------------------------------------------

using vtt::Joined;
using vtt::OfferedFormats;
using vtt::ParsedCaps;

GST_START_TEST(test_formats_coded_in_their_own_profile) {
  // Each format in its own chroma format and bit depth, in the profile that carries it, as
  // h264parse reads the stream (not the encoder's caps).
  struct Case {
    const char *format, *profile, *chroma, *depth;
  };
  for (const Case& c : std::vector<Case>{
           {"I420", "high", "4:2:0", "8"},
           {"YV12", "high", "4:2:0", "8"},
           {"NV12", "high", "4:2:0", "8"},
           {"Y42B", "high-4:2:2", "4:2:2", "8"},
           {"NV16", "high-4:2:2", "4:2:2", "8"},
           {"Y444", "high-4:4:4", "4:4:4", "8"},
           {"I420_10LE", "high-10", "4:2:0", "10"},
           {"I422_10LE", "high-4:2:2", "4:2:2", "10"},
           {"Y444_10LE", "high-4:4:4", "4:4:4", "10"},
       }) {
    const std::string caps = ParsedCaps(
        std::string("videotestsrc num-buffers=4 ! video/x-raw,format=") + c.format +
        ",width=64,height=48,framerate=30/1 ! vth264enc ! h264parse ! fakesink name=out");
    GstCaps* parsed = gst_caps_from_string(caps.c_str());
    fail_unless(parsed != nullptr, "%s: no caps", c.format);
    const GstStructure* st = gst_caps_get_structure(parsed, 0);
    const std::string profile = gst_structure_get_string(st, "profile") ?: "";
    const std::string chroma = gst_structure_get_string(st, "chroma-format") ?: "";
    guint depth = 0;
    gst_structure_get_uint(st, "bit-depth-luma", &depth);
    fail_unless(profile == c.profile, "%s: profile %s, want %s", c.format, profile.c_str(),
                c.profile);
    fail_unless(chroma == c.chroma, "%s: chroma-format %s, want %s", c.format, chroma.c_str(),
                c.chroma);
    fail_unless(std::to_string(depth) == c.depth, "%s: bit depth %u, want %s", c.format, depth,
                c.depth);
    gst_caps_unref(parsed);
  }
}
GST_END_TEST;

GST_START_TEST(test_formats_offered_upstream) {
  // Compared as std::string: a temporary's c_str() would not outlive the check's macro.
  auto expect = [](const std::string& launch, const std::string& want) {
    const std::string got = Joined(OfferedFormats(launch));
    fail_unless(got == want, "%s: offered %s, want %s", launch.c_str(), got.c_str(), want.c_str());
  };
  // Nothing known on either side: every format, 8-bit 4:2:0 first.
  expect("vth264enc name=enc ! fakesink",
         "I420,YV12,NV12,Y42B,NV16,Y444,I420_10LE,P010_10LE,I422_10LE,Y444_10LE");
  // A converter in front can give 8-bit 4:2:0: only that is offered (a YUY2 camera through
  // videoconvert gets High, not High 4:2:2).
  expect("videotestsrc ! video/x-raw,format=YUY2 ! videoconvert ! vth264enc name=enc ! fakesink",
         "I420,YV12,NV12");
  // A source that can give 8-bit 4:2:0 is offered only that: through a capsfilter it would fixate
  // in its own order (videotestsrc lists 10-bit 4:4:4 first) and get High 4:4:4.
  expect("videotestsrc ! video/x-raw,width=64,height=48 ! vth264enc name=enc ! fakesink",
         "I420,YV12,NV12");
  // A tee is not a converter: every format (its other branches may need one).
  expect("videotestsrc ! tee name=t ! queue ! vth264enc name=enc ! fakesink t. ! queue ! fakesink",
         "I420,YV12,NV12,Y42B,NV16,Y444,I420_10LE,P010_10LE,I422_10LE,Y444_10LE");
  // A source fixed to 10-bit gets 10-bit offered.
  const std::string ten = Joined(OfferedFormats(
      "videotestsrc ! video/x-raw,format=I420_10LE ! vth264enc name=enc ! fakesink"));
  fail_unless(ten.find("I420_10LE") != std::string::npos, "offered %s", ten.c_str());
  // Downstream's profile bounds it.
  expect("vth264enc name=enc ! video/x-h264,profile=high ! fakesink", "I420,YV12,NV12");
  expect(
      "videotestsrc ! videoconvert ! vth264enc name=enc ! video/x-h264,profile=high-4:2:2 ! "
      "fakesink",
      "Y42B,NV16,I422_10LE");
  expect("vth264enc name=enc ! video/x-h264,profile=high-10 ! fakesink", "I420_10LE,P010_10LE");
  // Lossless is High 4:4:4 Predictive for every format.
  expect("vth264enc name=enc quality=1.0 ! video/x-h264,profile=high-4:4:4 ! fakesink",
         "I420,YV12,NV12,Y42B,NV16,Y444,I420_10LE,P010_10LE,I422_10LE,Y444_10LE");
}
GST_END_TEST;

GST_START_TEST(test_formats_from_a_source) {
  // The everyday pipeline: a source, a size, the encoder. High, 8-bit 4:2:0.
  const std::string caps = ParsedCaps(
      "videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! queue ! vth264enc ! "
      "h264parse ! fakesink name=out");
  fail_unless(caps.find("profile=(string)high,") != std::string::npos &&
                  caps.find("chroma-format=(string)4:2:0") != std::string::npos &&
                  caps.find("bit-depth-luma=(uint)8") != std::string::npos,
              "%s", caps.c_str());
}
GST_END_TEST;

GST_START_TEST(test_formats_from_a_decoder_or_a_tee) {
  // A decoder's fixed 10-bit output is accepted (accept-caps is not narrowed to the preferred
  // 8-bit 4:2:0, which its template also lists), and re-encoded as High 10.
  const std::string caps = ParsedCaps(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420_10LE,width=64,height=48,"
      "framerate=30/1 ! vth264enc ! h264parse ! avdec_h264 ! vth264enc ! h264parse ! "
      "fakesink name=out");
  fail_unless(caps.find("profile=(string)high-10") != std::string::npos, "%s", caps.c_str());
  // Every format downstream allows is accepted from a converter too, though 8-bit 4:2:0 is the
  // one it is offered.
  {
    GstElement* pipeline =
        gst_parse_launch("videotestsrc ! videoconvert ! vth264enc name=enc ! fakesink", nullptr);
    GstElement* enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
    GstPad* sink = gst_element_get_static_pad(enc, "sink");
    GstCaps* ten =
        gst_caps_from_string("video/x-raw,format=I420_10LE,width=64,height=48,framerate=30/1");
    fail_unless(gst_pad_query_accept_caps(sink, ten), "I420_10LE refused behind videoconvert");
    gst_caps_unref(ten);
    gst_object_unref(sink);
    gst_object_unref(enc);
    gst_object_unref(pipeline);
  }
  // A tee is not a converter: the encoder's branch is offered every format, so a sibling branch
  // that needs 4:4:4 still negotiates (it would fail if the encoder asked for 4:2:0 only).
  const std::string y444 = ParsedCaps(
      "videotestsrc num-buffers=5 ! video/x-raw,width=64,height=48,framerate=30/1 ! tee name=t "
      "! queue ! vth264enc ! h264parse ! fakesink name=out t. ! queue ! "
      "video/x-raw,format=Y444 ! fakesink");
  fail_unless(y444.find("profile=(string)high-4:4:4") != std::string::npos, "%s", y444.c_str());
}
GST_END_TEST;

GST_START_TEST(test_format_refused_downstream_says_why) {
  // 8-bit 4:2:0 input, downstream only High 4:2:2: the error says what to feed or allow.
  vtt::ExpectLaunchError(
      "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
      "vth264enc name=enc ! video/x-h264,profile=high-4:2:2 ! fakesink",
      {"8-bit 4:2:0", "I420"});
}
GST_END_TEST;

// --- HDR static metadata ------------------------------------------------------------------------

namespace {

// The SEI payload types in one SEI NAL unit (header of `header_bytes`), in order.
std::vector<int> SeiPayloadTypes(const std::vector<uint8_t>& nal, size_t header_bytes) {
  std::vector<uint8_t> rbsp;  // without emulation prevention bytes
  int zeros = 0;
  for (size_t i = header_bytes; i < nal.size(); i++) {
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    rbsp.push_back(nal[i]);
  }
  std::vector<int> types;
  size_t pos = 0;
  while (pos < rbsp.size() && rbsp[pos] != 0x80) {  // up to rbsp_trailing_bits
    int type = 0, size = 0;
    while (pos < rbsp.size() && rbsp[pos] == 0xff) type += rbsp[pos++];
    if (pos >= rbsp.size()) break;
    type += rbsp[pos++];
    while (pos < rbsp.size() && rbsp[pos] == 0xff) size += rbsp[pos++];
    if (pos >= rbsp.size()) break;
    size += rbsp[pos++];
    types.push_back(type);
    pos += size_t(size);
  }
  return types;
}

constexpr int kMasteringDisplaySei = 137, kContentLightSei = 144;

}  // namespace

GST_START_TEST(test_hdr_static_metadata) {
  // mastering-display-info and content-light-level on the input caps: the encoder takes them (no
  // warning), the stream carries them as SEI (mastering display colour volume 137, content light
  // level 144) and the src caps name them (GstVideoEncoder copies the input's fields too, so only
  // the SEI shows that they reached the encoder).
  const vtt::Codec& codec = VTT_CODEC;
  Input plain = vtt::Small();
  Input in = plain;
  in.caps_extra =
      "colorimetry=bt2100-pq,"
      "mastering-display-info=(string)35400:14600:8500:39850:6550:2300:15635:16450:10000000:1,"
      "content-light-level=(string)1000:400";
  GstCaps* want = gst_caps_from_string(in.Caps().c_str());
  // The bus first (a session is made at the first caps): then the caps that matter.
  vtt::Enc e(codec, "", plain, codec.Caps(true));
  vtt::BusWatch bus(e.element());
  e.SetInput(in);
  e.Push(0, 5);
  e.Eos();
  bus.Collect();
  fail_unless(bus.errors.empty() && bus.warnings.empty(), "%s",
              bus.warnings.empty() ? "an error" : bus.warnings[0].c_str());
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), 5);
  auto caps = e.rec().Caps();
  fail_unless(!caps.empty());
  GstVideoMasteringDisplayInfo want_mdi, got_mdi;
  GstVideoContentLightLevel want_cll, got_cll;
  fail_unless(gst_video_mastering_display_info_from_caps(&want_mdi, want));
  fail_unless(gst_video_content_light_level_from_caps(&want_cll, want));
  fail_unless(gst_video_mastering_display_info_from_caps(&got_mdi, caps.back()) &&
                  gst_video_mastering_display_info_is_equal(&want_mdi, &got_mdi),
              "src caps %s", vtt::CapsToString(caps.back()).c_str());
  fail_unless(gst_video_content_light_level_from_caps(&got_cll, caps.back()) &&
                  gst_video_content_light_level_is_equal(&want_cll, &got_cll),
              "src caps %s", vtt::CapsToString(caps.back()).c_str());
  // The SEI: in the first key frame, or (HEVC) in the hvcC's SEI arrays.
  const bool hevc = &codec != &vtt::H264();
  const int sei_type = hevc ? 39 : 6;
  const size_t header = hevc ? 2 : 1;
  std::vector<nal::Nal> nals = vtt::SplitOrFail(codec, bufs[0], true);
  std::vector<uint8_t> cd;
  if (hevc && vtt::CapsCodecData(caps.back(), &cd) && cd.size() > 23) {
    size_t pos = 23;  // the arrays of the HEVCDecoderConfigurationRecord
    for (int a = 0; a < cd[22] && pos + 3 <= cd.size(); a++) {
      const int count = (cd[pos + 1] << 8) | cd[pos + 2];
      pos += 3;
      for (int i = 0; i < count && pos + 2 <= cd.size(); i++) {
        const size_t len = (size_t(cd[pos]) << 8) | cd[pos + 1];
        pos += 2;
        if (pos + len > cd.size() || len < 2) break;
        nal::Nal n;
        n.type = codec.nal_type(cd[pos]);
        n.bytes.assign(cd.begin() + long(pos), cd.begin() + long(pos + len));
        nals.push_back(n);
        pos += len;
      }
    }
  }
  bool mdcv = false, cll = false;
  for (const auto& n : nals) {
    if (n.type != sei_type) continue;
    for (int t : SeiPayloadTypes(n.bytes, header)) {
      mdcv |= t == kMasteringDisplaySei;
      cll |= t == kContentLightSei;
    }
  }
  fail_unless(mdcv, "no mastering display colour volume SEI");
  fail_unless(cll, "no content light level SEI");
  int decoded = 0;
  vtt::MinLumaPsnr(codec, bufs, caps.back(), in, &decoded);
  fail_unless_equals_int(decoded, 5);
  gst_caps_unref(want);
}
GST_END_TEST;

// --- suite ---------------------------------------------------------------------------------------

int main(int argc, char** argv) {
  return vtt::RunCases("vth264enc-modes",
                       {
                           VTT_CASE(test_lossless_profile_negotiated),
                           VTT_CASE(test_lossless_refused_downstream_says_why),
                           VTT_CASE(test_interlaced_coded_as_interlaced),
                           VTT_CASE(test_interlaced_refused_downstream_says_why),
                           VTT_CASE(test_formats_coded_in_their_own_profile),
                           VTT_CASE(test_formats_offered_upstream),
                           VTT_CASE(test_formats_from_a_source),
                           VTT_CASE(test_formats_from_a_decoder_or_a_tee),
                           VTT_CASE(test_format_refused_downstream_says_why),
                           VTT_GENERIC_CASE(test_hdr_static_metadata),
                       },
                       argc, argv);
}
