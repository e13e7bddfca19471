// SPDX-License-Identifier: GPL-2.0-or-later
// Buffer metas the encoders write into the stream. Closed captions and user data:
// GstVideoCaptionMeta of every type and GstVideoSEIUserDataUnregisteredMeta in, SEI in the
// stream, and the same captions out of GStreamer's own parser and of FFmpeg's decoder (avdec_*),
// each on the picture it came with, with B-frames reordering the stream in between. Regions of
// interest: GstVideoRegionOfInterestMeta makes its region sharper at the same bit rate.
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define VTT_MAKE_DEFINED(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define VTT_MAKE_DEFINED(p, n) ((void)0)
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using Bytes = std::vector<guint8>;
using vtt::Input;

struct FrameCaptions {
  Bytes cc_data;    // the CEA-708 cc_data triplets expected out of the stream
  Bytes user_data;  // unregistered user data after its UUID, if any
};

const guint8 kUuid[16] = {0x6e, 0x2f, 0x1b, 0x60, 0x31, 0x9a, 0x4c, 0x1e,
                          0x9d, 0x57, 0x0a, 0x3c, 0x7b, 0x44, 0x21, 0x90};

// Frame i's metas, one caption type after another, and what must come out for them.
FrameCaptions AddMetas(GstBuffer* buf, int i) {
  FrameCaptions want;
  const guint8 a = guint8(0x80 | (i & 0x7f)), b = guint8(0x80 | ((i * 7) & 0x7f));
  switch (i % 4) {
    case 0: {  // CEA-708 cc_data: a 608 pair and a DTVCC packet start
      const Bytes cc = {0xfc, a, b, 0xff, 0x02, guint8(i)};
      gst_buffer_add_video_caption_meta(buf, GST_VIDEO_CAPTION_TYPE_CEA708_RAW, cc.data(),
                                        cc.size());
      want.cc_data = cc;
      break;
    }
    case 1: {  // CDP with a time code section and two triplets, then its footer
      const Bytes cdp = {0x96, 0x69, 0,    0x4f, 0xc3, 0x00, guint8(i), 0x71,
                         0x10, 0x20, 0x30, 0x40, 0x72, 0xe2, 0xfc,      a,
                         b,    0xfe, 0x03, 0x04, 0x74, 0x00, guint8(i), 0x00};
      Bytes with_length = cdp;
      with_length[2] = guint8(cdp.size());
      gst_buffer_add_video_caption_meta(buf, GST_VIDEO_CAPTION_TYPE_CEA708_CDP, with_length.data(),
                                        with_length.size());
      want.cc_data = {0xfc, a, b, 0xfe, 0x03, 0x04};
      break;
    }
    case 2: {  // CEA-608 byte pairs (field 1)
      const Bytes pairs = {a, b, 0x94, 0x2c};
      gst_buffer_add_video_caption_meta(buf, GST_VIDEO_CAPTION_TYPE_CEA608_RAW, pairs.data(),
                                        pairs.size());
      want.cc_data = {0xfc, a, b, 0xfc, 0x94, 0x2c};
      break;
    }
    case 3: {  // S334-1A: field 1 then field 2
      const Bytes s334 = {0x80, a, b, 0x00, 0x91, b};
      gst_buffer_add_video_caption_meta(buf, GST_VIDEO_CAPTION_TYPE_CEA608_S334_1A, s334.data(),
                                        s334.size());
      want.cc_data = {0xfc, a, b, 0xfd, 0x91, b};
      break;
    }
  }
  if (i % 3 == 0) {
    // Bytes that need emulation prevention in the NAL unit.
    want.user_data = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, guint8(i), 0x00, 0x00, 0x03};
    guint8 uuid[16];
    std::copy(kUuid, kUuid + 16, uuid);
    gst_buffer_add_video_sei_user_data_unregistered_meta(buf, uuid, want.user_data.data(),
                                                         want.user_data.size());
  }
  return want;
}

std::string Hex(const Bytes& b) {
  std::string s;
  char t[4];
  for (guint8 c : b) {
    g_snprintf(t, sizeof t, "%02x ", c);
    s += t;
  }
  return s;
}

// The cc_data of every CEA-708 caption meta on a buffer, in order (other types fail the test).
Bytes CaptionsOf(GstBuffer* buf, int* metas) {
  Bytes out;
  gpointer state = nullptr;
  *metas = 0;
  while (GstMeta* m =
             gst_buffer_iterate_meta_filtered(buf, &state, GST_VIDEO_CAPTION_META_API_TYPE)) {
    auto* c = reinterpret_cast<GstVideoCaptionMeta*>(m);
    fail_unless_equals_int(c->caption_type, GST_VIDEO_CAPTION_TYPE_CEA708_RAW);
    out.insert(out.end(), c->data, c->data + c->size);
    ++*metas;
  }
  return out;
}

struct Run {
  std::map<GstClockTime, Bytes> captions;          // by PTS
  std::map<GstClockTime, Bytes> user_data;         // by PTS, the data after our UUID, from metas
  std::map<GstClockTime, Bytes> stream_user_data;  // the same, read from the stream's SEI
  std::map<GstClockTime, int> caption_metas;
  std::vector<GstClockTime> order;  // PTS in output order
};

// Pushes `frames` frames with their metas through "<launch>", returns what came out.
Run Through(const vtt::Codec& codec, const std::string& launch, bool decoded, const Input& in,
            int frames, std::map<GstClockTime, FrameCaptions>* given) {
  GstHarness* h = gst_harness_new_parse(launch.c_str());
  gst_harness_set_src_caps_str(h, in.Caps().c_str());
  for (int i = 0; i < frames; ++i) {
    GstBuffer* buf = vtt::MakeFrame(in, i);
    (*given)[in.Pts(i)] = AddMetas(buf, i);
    fail_unless_equals_int(gst_harness_push(h, buf), GST_FLOW_OK);
  }
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  Run run;
  while (GstBuffer* out = gst_harness_try_pull(h)) {
    const GstClockTime pts = GST_BUFFER_PTS(out);
    run.order.push_back(pts);
    int metas = 0;
    run.captions[pts] = CaptionsOf(out, &metas);
    run.caption_metas[pts] = metas;
    gpointer state = nullptr;
    while (GstMeta* m = gst_buffer_iterate_meta_filtered(
               out, &state, GST_VIDEO_SEI_USER_DATA_UNREGISTERED_META_API_TYPE)) {
      auto* u = reinterpret_cast<GstVideoSEIUserDataUnregisteredMeta*>(m);
      if (std::equal(kUuid, kUuid + 16, u->uuid))
        run.user_data[pts].insert(run.user_data[pts].end(), u->data, u->data + u->size);
    }
    // Encoded output: the SEI themselves (the parser's output is packetized). Not the
    // decoder's raw pictures.
    GstMapInfo map;
    std::vector<nal::Nal> nals;
    if (!decoded && gst_buffer_map(out, &map, GST_MAP_READ)) {
      if (!nal::SplitLengthPrefixed(map.data, map.size, codec.nal_type, &nals)) nals.clear();
      gst_buffer_unmap(out, &map);
    }
    const bool hevc = std::string(codec.id) == "h265";
    for (const nal::Nal& n : nals) {
      if (n.type != (hevc ? 39 : 6)) continue;
      std::vector<nal::SeiMessage> messages;
      fail_unless(nal::ParseSei(n, hevc ? 2 : 1, &messages), "a broken SEI NAL unit");
      for (const auto& m : messages)
        if (m.type == 5 && m.payload.size() > 16 &&
            std::equal(kUuid, kUuid + 16, m.payload.begin()))
          run.stream_user_data[pts].insert(run.stream_user_data[pts].end(), m.payload.begin() + 16,
                                           m.payload.end());
    }
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
  return run;
}

void CheckUserData(const std::map<GstClockTime, Bytes>& got,
                   const std::map<GstClockTime, FrameCaptions>& given, const char* what) {
  for (const auto& [pts, want] : given) {
    const auto u = got.find(pts);
    const Bytes none;
    const Bytes& have = u == got.end() ? none : u->second;
    fail_unless(have == want.user_data, "%s: frame at %" GST_TIME_FORMAT ": user data %s, want %s",
                what, GST_TIME_ARGS(pts), Hex(have).c_str(), Hex(want.user_data).c_str());
  }
}

void CheckCaptions(const Run& run, const std::map<GstClockTime, FrameCaptions>& given,
                   const char* what) {
  fail_unless_equals_int(int(run.order.size()), int(given.size()));
  for (const auto& [pts, want] : given) {
    const auto got = run.captions.find(pts);
    fail_unless(got != run.captions.end(), "%s: no frame at %" GST_TIME_FORMAT, what,
                GST_TIME_ARGS(pts));
    fail_unless(got->second == want.cc_data,
                "%s: frame at %" GST_TIME_FORMAT ": captions %s, want %s", what, GST_TIME_ARGS(pts),
                Hex(got->second).c_str(), Hex(want.cc_data).c_str());
  }
}

// Captions in equal captions out, on the same picture: from the parser (decode order, the
// stream's SEI as they are) and from FFmpeg's decoder (presentation order), with B-frames.
GST_START_TEST(test_captions_round_trip) {
  const vtt::Codec& codec = VTT_CODEC;
  const Input in = vtt::Small();
  constexpr int kFrames = 24;
  const std::string enc = std::string(codec.element) + " allow-frame-reordering=true";
  const std::string caps = codec.reordering_caps;

  std::map<GstClockTime, FrameCaptions> given;
  const Run parsed =
      Through(codec, enc + " ! " + caps + " ! " + codec.parser, false, in, kFrames, &given);
  bool reordered = false;
  for (size_t i = 1; i < parsed.order.size(); ++i)
    if (parsed.order[i] < parsed.order[i - 1]) reordered = true;
  fail_unless(reordered, "no B-frames: the case would not see reordering");
  CheckCaptions(parsed, given, codec.parser);
  CheckUserData(parsed.stream_user_data, given, "the stream");
  // h264parse makes user data metas of them (h265parse does not in 1.22).
  if (std::string(codec.id) == "h264") CheckUserData(parsed.user_data, given, codec.parser);
  for (const auto& [pts, n] : parsed.caption_metas)
    fail_unless(n <= 1,
                "%d caption metas on the frame at %" GST_TIME_FORMAT
                " (the encoder copied its input's as well?)",
                n, GST_TIME_ARGS(pts));

  given.clear();
  const Run decoded =
      Through(codec, enc + " ! " + caps + " ! " + codec.parser + " ! " + codec.decoder, true, in,
              kFrames, &given);
  for (size_t i = 1; i < decoded.order.size(); ++i)
    fail_unless(decoded.order[i] > decoded.order[i - 1], "decoder output out of order");
  CheckCaptions(decoded, given, codec.decoder);
}
GST_END_TEST;

// The encoder's own output carries no caption or user data meta (they are in the stream now),
// and a meta it cannot read is left out without losing its frame.
GST_START_TEST(test_captions_metas_not_copied) {
  const vtt::Codec& codec = VTT_CODEC;
  const Input in = vtt::Small();
  vtt::Enc e(codec, "", in);
  for (int i = 0; i < 8; ++i) {
    GstBuffer* buf = vtt::MakeFrame(in, i);
    AddMetas(buf, i);
    if (i == 5) {  // not a CDP: skipped with a warning
      const guint8 junk[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
      gst_buffer_add_video_caption_meta(buf, GST_VIDEO_CAPTION_TYPE_CEA708_CDP, junk, sizeof junk);
    }
    e.PushBuffer(buf);
  }
  e.Eos();
  int out = 0;
  while (GstBuffer* b = gst_harness_try_pull(e.h())) {
    fail_if(gst_buffer_get_video_caption_meta(b), "caption meta copied onto the output");
    fail_if(gst_buffer_get_video_sei_user_data_unregistered_meta(b),
            "user data meta copied onto the output");
    gst_buffer_unref(b);
    ++out;
  }
  fail_unless_equals_int(out, 8);
}
GST_END_TEST;

// qos=true drops frames downstream says are too late before they reach the session: their
// captions go with the next frame encoded, merged into its one A/53 message, in order.
GST_START_TEST(test_captions_of_qos_dropped_frames) {
  const vtt::Codec& codec = VTT_CODEC;
  const Input in = vtt::Small();
  vtt::Enc e(codec, "qos=true", in, codec.Caps(true));
  auto push = [&](int first, int count) {
    for (int i = first; i < first + count; ++i) {
      GstBuffer* buf = vtt::MakeFrame(in, i);
      const Bytes cc = {0xfc, guint8(0x80 | i), 0x80};
      gst_buffer_add_video_caption_meta(buf, GST_VIDEO_CAPTION_TYPE_CEA708_RAW, cc.data(),
                                        cc.size());
      e.PushBuffer(buf);
    }
  };
  push(0, 10);
  // Downstream is 2 s late at frame 10: frames 10..29 are dropped; frame 30, asked to be a key
  // frame, is encoded anyway and carries their captions.
  gst_harness_push_upstream_event(
      e.h(), gst_event_new_qos(GST_QOS_TYPE_UNDERFLOW, 2.0, 2 * GST_SECOND, in.Pts(10)));
  push(10, 20);
  gst_harness_push_event(e.h(), gst_video_event_new_downstream_force_key_unit(
                                    in.Pts(30), GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, TRUE, 1));
  push(30, 1);
  e.Eos();
  const auto bufs = e.rec().Buffers();
  fail_unless(bufs.size() < 31, "qos dropped nothing: the case would not see a carry");
  const bool hevc = std::string(codec.id) == "h265";
  std::map<GstClockTime, std::vector<int>> by_pts;
  for (const auto& b : bufs) {
    int a53 = 0;
    for (const nal::Nal& n : vtt::SplitOrFail(codec, b, true)) {
      if (n.type != (hevc ? 39 : 6)) continue;
      std::vector<nal::SeiMessage> messages;
      fail_unless(nal::ParseSei(n, hevc ? 2 : 1, &messages));
      for (const auto& m : messages) {
        if (m.type != 4 || m.payload.size() < 11 || m.payload[3] != 'G') continue;
        ++a53;
        const int count = m.payload[8] & 0x1f;
        for (int k = 0; k < count; ++k) by_pts[b.pts].push_back(m.payload[11 + 3 * k] & 0x7f);
      }
    }
    fail_unless(a53 <= 1, "%d caption messages in one picture", a53);
  }
  std::vector<int> got, want;
  for (const auto& [pts, indices] : by_pts) got.insert(got.end(), indices.begin(), indices.end());
  for (int i = 0; i <= 30; ++i) want.push_back(i);
  fail_unless(got == want, "captions out: %zu of 31, in order: %s", got.size(),
              got == want ? "yes" : "no");
}
GST_END_TEST;

// Luma PSNR inside the box over every decoded frame against the source pictures.
struct Box {
  guint x, y, w, h;
};

double RegionPsnr(const Input& in, const std::vector<GstBuffer*>& decoded, const Box& box) {
  const GstVideoInfo info = in.Info();
  double se = 0, n = 0;
  for (GstBuffer* out : decoded) {
    const int index = in.IndexOf(GST_BUFFER_PTS(out));
    fail_unless(index >= 0, "a decoded frame at an unknown time");
    GstBuffer* src = vtt::MakeFrame(in, index);
    GstVideoFrame a, b;
    fail_unless(gst_video_frame_map(&a, &info, src, GST_MAP_READ));
    fail_unless(gst_video_frame_map(&b, &info, out, GST_MAP_READ), "decoded frame not I420 %dx%d",
                in.width, in.height);
    const auto* pa = static_cast<const guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&a, 0));
    const auto* pb = static_cast<const guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&b, 0));
    const int sa = GST_VIDEO_FRAME_PLANE_STRIDE(&a, 0), sb = GST_VIDEO_FRAME_PLANE_STRIDE(&b, 0);
    for (guint y = box.y; y < box.y + box.h; ++y) {
      // avdec's SIMD paths leave pixels memcheck cannot prove defined (test_util.cpp).
      VTT_MAKE_DEFINED(pb + y * sb + box.x, box.w);
      for (guint x = box.x; x < box.x + box.w; ++x) {
        const double d = double(pa[y * sa + x]) - double(pb[y * sb + x]);
        se += d * d;
        n += 1;
      }
    }
    gst_video_frame_unmap(&b);
    gst_video_frame_unmap(&a);
    gst_buffer_unref(src);
  }
  return se == 0 ? 100 : 10 * std::log10(255.0 * 255.0 * n / se);
}

// Region-of-interest metas, with a delta-qp, a priority or no parameter at all, each make their
// region sharper than the same encode without them, at the same bit rate.
GST_START_TEST(test_roi_regions_come_out_sharper) {
  const vtt::Codec& codec = VTT_CODEC;
  Input in;
  in.width = 320;
  in.height = 240;
  const Box box = {96, 64, 128, 96};  // on x265's 32x32 quantization groups
  constexpr int kFrames = 45;
  const bool hevc = std::string(codec.id) == "h265";
  const std::string launch = std::string(codec.element) + (hevc ? " bitrate=25" : " bitrate=60") +
                             " ! " + codec.parser + " ! " + codec.decoder;
  enum class Kind { kNone, kDeltaQp, kPriority, kBare };
  // Same bitrate property each time (the session's test checks the rate stays the same).
  auto run = [&](Kind kind) {
    GstHarness* h = gst_harness_new_parse(launch.c_str());
    gst_harness_set_src_caps_str(h, in.Caps().c_str());
    for (int i = 0; i < kFrames; ++i) {
      GstBuffer* buf = vtt::MakeFrame(in, i);
      if (kind != Kind::kNone) {
        GstVideoRegionOfInterestMeta* m =
            gst_buffer_add_video_region_of_interest_meta(buf, "face", box.x, box.y, box.w, box.h);
        if (kind == Kind::kDeltaQp)
          gst_video_region_of_interest_meta_add_param(
              m, gst_structure_new("roi/vtcompress", "delta-qp", G_TYPE_INT, -8, nullptr));
        if (kind == Kind::kPriority)
          gst_video_region_of_interest_meta_add_param(
              m, gst_structure_new("roi/any", "priority", G_TYPE_INT, 8, nullptr));
      }
      fail_unless_equals_int(gst_harness_push(h, buf), GST_FLOW_OK);
    }
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    std::vector<GstBuffer*> decoded;
    while (GstBuffer* out = gst_harness_try_pull(h)) decoded.push_back(out);
    fail_unless_equals_int(int(decoded.size()), kFrames);
    const double psnr = RegionPsnr(in, decoded, box);
    for (GstBuffer* b : decoded) gst_buffer_unref(b);
    gst_harness_teardown(h);
    return psnr;
  };
  const double plain = run(Kind::kNone);
  for (Kind kind : {Kind::kDeltaQp, Kind::kPriority, Kind::kBare}) {
    const double psnr = run(kind);
    GST_INFO("region %.2f dB -> %.2f dB", plain, psnr);
    fail_unless(psnr > plain + 0.4, "region of interest (kind %d): %.2f dB, without %.2f dB",
                int(kind), psnr, plain);
  }
}
GST_END_TEST;

}  // namespace

int main(int argc, char** argv) {
  std::vector<vtt::CaseEntry> cases = {
      VTT_GENERIC_CASE(test_captions_round_trip),
      VTT_GENERIC_CASE(test_captions_metas_not_copied),
      VTT_GENERIC_CASE(test_captions_of_qos_dropped_frames),
      VTT_GENERIC_CASE(test_roi_regions_come_out_sharper),
  };
  return vtt::RunCases("vtc-metas", cases, argc, argv);
}
