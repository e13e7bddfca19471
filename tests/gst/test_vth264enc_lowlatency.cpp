// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc for interactive streams: low-latency-rate-control (no reordering, no frame delay) and
// intra-refresh, with how force-key-unit requests are answered under it: with all-headers (what a
// new viewer needs) an IDR with SPS/PPS in band, without (a PLI from a viewer that lost packets) a
// refresh wave and no IDR. Its own binary; meson runs each case on its own with
// GST_CHECKS=<case> (the list in tests/gst/meson.build must match main() below).
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <string>
#include <vector>

#include "test_util.h"

using vtt::Enc;
using vtt::Input;
using vtt::OutBuf;
using vtt::Small;

namespace {

constexpr const char* kAvc = "video/x-h264,stream-format=avc,alignment=au";

// Frame indices (by PTS) of the buffers holding an IDR slice (NAL type 5).
std::vector<int> IdrIndices(const std::vector<OutBuf>& bufs, const Input& in) {
  std::vector<int> out;
  for (const auto& b : bufs)
    if (vtt::HasNal(vtt::SplitOrFail(b, true), h264::kIdr)) out.push_back(in.IndexOf(b.pts));
  return out;
}

// Whether the buffer starts a refresh wave: x264's recovery-point SEI (payload type 6) on a
// frame without an IDR slice.
bool StartsWave(const OutBuf& b) {
  bool recovery = false;
  for (const auto& nal : vtt::SplitOrFail(b, true)) {
    if (nal.type == h264::kIdr) return false;
    recovery |= nal.type == h264::kSei && nal.bytes.size() > 1 && nal.bytes[1] == 6;
  }
  return recovery;
}

const OutBuf& BufferOf(const std::vector<OutBuf>& bufs, const Input& in, int index) {
  for (const auto& b : bufs)
    if (in.IndexOf(b.pts) == index) return b;
  fail("no output for frame %d", index);
  return bufs.front();
}

// The whole stream decodes with the codec's decoder, every frame.
void ExpectDecodes(Enc& e, const std::vector<OutBuf>& bufs, int frames) {
  auto caps = e.rec().Caps();
  fail_unless(!caps.empty(), "no caps");
  int decoded = 0;
  const double psnr = vtt::MinLumaPsnr(e.codec(), bufs, caps.back(), e.input(), &decoded);
  fail_unless_equals_int(decoded, frames);
  GST_INFO("lowest luma PSNR %.2f dB", psnr);
}

// Encodes n frames with `props`, sending `event` (upstream, or downstream before frame k) after
// frame k - 1 has gone in; returns the buffers.
std::vector<OutBuf> EncodeWithRequest(Enc& e, int n, int k, GstEvent* event, bool upstream) {
  e.Push(0, k);
  if (upstream)
    fail_unless(gst_harness_push_upstream_event(e.h(), event));
  else
    fail_unless(gst_harness_push_event(e.h(), event));
  e.Push(k, n - k);
  e.Eos();
  auto bufs = e.rec().Buffers();
  fail_unless_equals_int(static_cast<int>(bufs.size()), n);
  return bufs;
}

}  // namespace

GST_START_TEST(test_intra_refresh_property) {
  const vtt::Codec& codec = VTT_CODEC;
  GstElement* el = gst_element_factory_make(codec.element, nullptr);
  fail_unless(el != nullptr);
  GParamSpec* ps = g_object_class_find_property(G_OBJECT_GET_CLASS(el), "intra-refresh");
  fail_unless(ps != nullptr && G_IS_PARAM_SPEC_BOOLEAN(ps), "no boolean intra-refresh");
  fail_unless(!G_PARAM_SPEC_BOOLEAN(ps)->default_value, "intra-refresh is on by default");
  fail_unless(ps->flags & GST_PARAM_MUTABLE_READY, "intra-refresh should be MUTABLE_READY");
  fail_if(ps->flags & GST_PARAM_MUTABLE_PLAYING, "intra-refresh must not be MUTABLE_PLAYING");
  const gchar* blurb = g_param_spec_get_blurb(ps);
  fail_unless(blurb && strstr(blurb, "IntraRefresh"), "the blurb does not name IntraRefresh");
  g_object_set(el, "intra-refresh", TRUE, nullptr);
  gboolean on = FALSE;
  g_object_get(el, "intra-refresh", &on, nullptr);
  fail_unless(on);
  gst_object_unref(el);
}
GST_END_TEST;

// A request without all-headers, upstream (an RTP session's PLI) and downstream: a refresh wave
// starts at the frame it names, no IDR anywhere after the first frame, no key unit announced
// downstream, and the stream still decodes. Low latency codes each frame as it comes, so the
// wave starts exactly there.
GST_START_TEST(test_intra_refresh_plain_request) {
  const Input in = Small();
  const int n = 90, k = 45;
  for (bool upstream : {true, false}) {
    GST_INFO("plain request %s", upstream ? "upstream" : "downstream");
    // Waves 1000 frames apart: none of x264's own in this stream.
    Enc e("intra-refresh=true low-latency-rate-control=true bitrate=200 max-keyframe-interval=1000",
          in, kAvc);
    GstEvent* event =
        upstream ? gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, FALSE, 1)
                 : gst_video_event_new_downstream_force_key_unit(in.Pts(k), in.Pts(k), in.Pts(k),
                                                                 FALSE, 1);
    auto bufs = EncodeWithRequest(e, n, k, event, upstream);
    fail_unless(IdrIndices(bufs, in) == std::vector<int>{0}, "an IDR after the first frame");
    fail_unless(vtt::KeyframeIndices(bufs, in) == std::vector<int>{0},
                "a key frame after the first frame");
    fail_unless(StartsWave(BufferOf(bufs, in, k)), "frame %d does not start a refresh wave", k);
    for (const auto& b : bufs)
      fail_unless(b.pts == in.Pts(k) || !StartsWave(b), "a wave starts at frame %d",
                  in.IndexOf(b.pts));
    fail_unless_equals_int(e.rec().CountForceKeyUnit(), 0);
    ExpectDecodes(e, bufs, n);
  }
}
GST_END_TEST;

// all-headers (what a new viewer needs; an RTP session's FIR): an IDR with SPS and PPS in band,
// and the key unit announced downstream.
GST_START_TEST(test_intra_refresh_all_headers_request) {
  const Input in = Small();
  const int n = 60, k = 30;
  Enc e("intra-refresh=true low-latency-rate-control=true bitrate=200", in, kAvc);
  auto bufs = EncodeWithRequest(
      e, n, k, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 1), true);
  fail_unless(IdrIndices(bufs, in) == std::vector<int>({0, k}), "IDRs not at 0 and %d", k);
  fail_unless(vtt::KeyframeIndices(bufs, in) == std::vector<int>({0, k}),
              "key frames not at 0 and %d", k);
  const auto nals = vtt::SplitOrFail(BufferOf(bufs, in, k), true);
  fail_unless(vtt::HasNal(nals, h264::kSps) && vtt::HasNal(nals, h264::kPps),
              "the IDR has no SPS/PPS in band");
  fail_unless(e.rec().CountForceKeyUnit() >= 1, "no force-key-unit event went downstream");
  ExpectDecodes(e, bufs, n);
}
GST_END_TEST;

// With x264's defaults otherwise (B-frames, lookahead, frame threads): no periodic IDR (250 frames
// by default without intra-refresh), waves instead (one a second), and a plain request makes no
// IDR either. The stream decodes.
GST_START_TEST(test_intra_refresh_no_periodic_idr) {
  const Input in = Small();
  const int n = 270, k = 100;
  Enc e("intra-refresh=true", in, kAvc);
  auto bufs = EncodeWithRequest(
      e, n, k, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, FALSE, 1), true);
  fail_unless(IdrIndices(bufs, in) == std::vector<int>{0}, "an IDR after the first frame");
  int waves = 0;
  for (const auto& b : bufs) waves += StartsWave(b);
  fail_unless(waves >= 5, "only %d refresh waves in %d frames", waves, n);
  ExpectDecodes(e, bufs, n);
}
GST_END_TEST;

// low-latency-rate-control: no B-frames (DTS == PTS) and no frame delay: latency 0, with realtime
// as well. One IDR, then P frames.
GST_START_TEST(test_low_latency_rate_control) {
  const vtt::Codec& codec = VTT_CODEC;
  const Input in = Small();
  for (const char* props : {"low-latency-rate-control=true bitrate=200",
                            "low-latency-rate-control=true bitrate=200 realtime=true"}) {
    GST_INFO("%s", props);
    Enc e(codec, props, in, codec.Caps(true));
    fail_unless_equals_uint64(vtt::QueryLatency(e.h()), 0);
    e.Push(0, 60);
    e.Eos();
    auto bufs = e.rec().Buffers();
    fail_unless_equals_int(static_cast<int>(bufs.size()), 60);
    for (const auto& b : bufs) fail_unless(b.dts == b.pts, "frame %d reordered", in.IndexOf(b.pts));
    fail_unless(vtt::KeyframeIndices(bufs, in) == std::vector<int>{0}, "more than one key frame");
    ExpectDecodes(e, bufs, 60);
  }
  // Without it, the defaults hold frames back (lookahead, B-frames, frame threads). (realtime=true
  // alone holds none either at a known frame rate: test_vth264enc_live.cpp.)
  Enc e(codec, "bitrate=200", in, codec.Caps(true));
  fail_unless(vtt::QueryLatency(e.h()) > 0, "latency 0");
}
GST_END_TEST;

int main(int argc, char** argv) {
  std::vector<vtt::CaseEntry> cases = {
      VTT_GENERIC_CASE(test_intra_refresh_property),
      VTT_CASE(test_intra_refresh_plain_request),
      VTT_CASE(test_intra_refresh_all_headers_request),
      VTT_CASE(test_intra_refresh_no_periodic_idr),
      VTT_GENERIC_CASE(test_low_latency_rate_control),
  };
  return vtt::RunCases("vth264enc-lowlatency", cases, argc, argv);
}
