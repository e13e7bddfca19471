// SPDX-License-Identifier: GPL-2.0-or-later
// The shared caps rules of the encoder elements (gst/gstvtccaps.h) that need no pipeline: the HDR
// static metadata between caps fields and the session's byte layouts. Links the element library
// (not the plugin): the helpers are internal.
#include <gst/check/gstcheck.h>
#include <gst/video/video.h>

#include <string>
#include <vector>

#include "gstvtccaps.h"
#include "test_util.h"
#include "vtcompress/keys.h"

namespace {

// GStreamer's order is R, G, B, white point, max, min (BT.2020 primaries, D65, 1000 cd/m2 and
// 0.0001 cd/m2 in SEI units).
constexpr const char* kRaw =
    "video/x-raw,format=I420_10LE,width=64,height=48,framerate=30/1,"
    "mastering-display-info=(string)35400:14600:8500:39850:6550:2300:15635:16450:10000000:1,"
    "content-light-level=(string)1000:400";

}  // namespace

GST_START_TEST(test_caps_hdr_metadata_layout) {
  GstCaps* caps = gst_caps_from_string(kRaw);
  fail_unless(caps != nullptr);
  const vtc::Dictionary props = gstvtc::HdrProperties(caps);
  fail_unless_equals_int(static_cast<int>(props.size()), 2);
  // The SEI's layout: G, B, R, white point (uint16 each), max, min (uint32), big-endian.
  const vtc::Data mdcv = {0x21, 0x34, 0x9b, 0xaa,  // G 8500, 39850
                          0x19, 0x96, 0x08, 0xfc,  // B 6550, 2300
                          0x8a, 0x48, 0x39, 0x08,  // R 35400, 14600
                          0x3d, 0x13, 0x40, 0x42,  // white point 15635, 16450
                          0x00, 0x98, 0x96, 0x80,  // max 10000000
                          0x00, 0x00, 0x00, 0x01};
  const vtc::Data cll = {0x03, 0xe8, 0x01, 0x90};  // MaxCLL 1000, MaxFALL 400
  auto it = props.find(vtc::key::kMasteringDisplayColorVolume);
  fail_unless(it != props.end() && it->second.IsData() && it->second.AsData() == mdcv,
              "MasteringDisplayColorVolume %s",
              it == props.end() ? "missing" : it->second.ToString().c_str());
  it = props.find(vtc::key::kContentLightLevelInfo);
  fail_unless(it != props.end() && it->second.IsData() && it->second.AsData() == cll,
              "ContentLightLevelInfo %s",
              it == props.end() ? "missing" : it->second.ToString().c_str());

  // Back from a format description's extensions: the same fields.
  GstCaps* out = gst_caps_from_string("video/x-h265");
  gstvtc::AddHdrCaps(props, out);
  GstVideoMasteringDisplayInfo in_mdi, out_mdi;
  GstVideoContentLightLevel in_cll, out_cll;
  fail_unless(gst_video_mastering_display_info_from_caps(&in_mdi, caps));
  fail_unless(gst_video_mastering_display_info_from_caps(&out_mdi, out), "no field in %s",
              vtt::CapsToString(out).c_str());
  fail_unless(gst_video_mastering_display_info_is_equal(&in_mdi, &out_mdi), "%s",
              vtt::CapsToString(out).c_str());
  fail_unless(gst_video_content_light_level_from_caps(&in_cll, caps));
  fail_unless(gst_video_content_light_level_from_caps(&out_cll, out));
  fail_unless(gst_video_content_light_level_is_equal(&in_cll, &out_cll));
  gst_caps_unref(out);

  // Nothing for caps without the fields, and nothing back from extensions of the wrong size.
  GstCaps* plain = gst_caps_from_string("video/x-raw,format=I420,width=64,height=48");
  fail_unless(gstvtc::HdrProperties(plain).empty());
  fail_unless(gstvtc::HdrProperties(nullptr).empty());
  gst_caps_unref(plain);
  out = gst_caps_from_string("video/x-h265");
  gstvtc::AddHdrCaps({{vtc::key::kMasteringDisplayColorVolume, vtc::Value(vtc::Data(23, 1))},
                      {vtc::key::kContentLightLevelInfo, vtc::Value("1000:400")}},
                     out);
  fail_unless(gst_structure_n_fields(gst_caps_get_structure(out, 0)) == 0, "%s",
              vtt::CapsToString(out).c_str());
  gst_caps_unref(out);
  gst_caps_unref(caps);
}
GST_END_TEST;

int main(int argc, char** argv) {
  return vtt::RunCases("vtc-caps", {VTT_CASE(test_caps_hdr_metadata_layout)}, argc, argv);
}
