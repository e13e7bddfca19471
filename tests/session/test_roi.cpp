// SPDX-License-Identifier: GPL-2.0-or-later
// The RegionsOfInterest frame option (keys.h): at the same bit rate, a region with a negative
// QP offset comes out sharper and the rest pays for it, for both codecs; bad regions are
// refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "test_util.h"

#if defined(__SANITIZE_ADDRESS__)
// libx265 3.5 leaks a copy of its parameters at every x265_encoder_open (as test_hevc.cpp).
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libx265.so\n";
}
#endif

namespace vtctest {
namespace {

using vtc::Array;
using vtc::Dictionary;
using vtc::Status;
using vtc::Value;
namespace key = vtc::key;

constexpr vtc::PixelFormatType kY420 = vtc::kPixelFormat_420YpCbCr8Planar;
constexpr int kW = 320, kH = 240, kFrames = 60;

struct Box {
  int x, y, w, h;
};
constexpr Box kRegion = {96, 64, 128, 96};  // the centre, on the 32x32 grid (x265 qg-size)

Value Regions(const Box& b, double offset) {
  return Value(Array{Value(Dictionary{{key::kRegionX, Value(b.x)},
                                      {key::kRegionY, Value(b.y)},
                                      {key::kRegionWidth, Value(b.w)},
                                      {key::kRegionHeight, Value(b.h)},
                                      {key::kRegionQPOffset, Value(offset)}})});
}

// Luma PSNR over the pixels inside (or outside) the box, all frames together.
double BoxPsnr(const std::vector<Picture>& src, const std::vector<Picture>& out, const Box& b,
               bool inside) {
  double se = 0;
  double n = 0;
  for (size_t f = 0; f < src.size() && f < out.size(); ++f)
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x) {
        const bool in = x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h;
        if (in != inside) continue;
        const double d = double(src[f].Y(x, y)) - double(out[f].Y(x, y));
        se += d * d;
        n += 1;
      }
  return se == 0 ? 100 : 10 * std::log10(255.0 * 255.0 * n / se);
}

struct Result {
  double inside = 0, outside = 0, kbps = 0;
};

Result Encode(vtc::CodecType codec, const Value& regions, const Dictionary& extra = {}) {
  Result r;
  Collector c;
  // A rate where the region is well below the test picture's noise floor for each codec.
  const int bps = codec == vtc::kCodecType_HEVC ? 25000 : 60000;
  Dictionary props{{key::kAverageBitRate, Value(bps)}, {key::kExpectedFrameRate, Value(30)}};
  for (const auto& [k, v] : extra) props[k] = v;
  auto s = MakeSession(kW, kH, kY420, &c, props, codec);
  if (!s) return r;
  std::vector<Picture> src;
  for (int i = 0; i < kFrames; ++i) {
    src.push_back(MakeMovingPicture(kW, kH, i));
    auto b = MakePoolBuffer(*s, src.back());
    if (!b) return r;
    Dictionary opts;
    if (!regions.IsNull()) opts[key::kRegionsOfInterest] = regions;
    EXPECT_EQ(s->EncodeFrame(b, FramePts(i), FrameDuration(), &opts, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  EXPECT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  const auto samples = c.samples();
  size_t bytes = 0;
  for (const auto& sm : samples) bytes += sm->data().size();
  r.kbps = bytes * 8.0 / (kFrames / 30.0) / 1000.0;
  Decoded d;
  std::string error;
  EXPECT_TRUE(
      DecodeAnnexB(ToAnnexB(samples), &d, &error, codec == vtc::kCodecType_HEVC ? "hevc" : "h264"))
      << error;
  EXPECT_EQ(d.frames.size(), size_t(kFrames));
  r.inside = BoxPsnr(src, d.frames, kRegion, true);
  r.outside = BoxPsnr(src, d.frames, kRegion, false);
  return r;
}

class Roi : public ::testing::TestWithParam<vtc::CodecType> {};

TEST_P(Roi, RegionComesOutSharperAtTheSameBitRate) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "no ffmpeg";
  const Result plain = Encode(GetParam(), Value());
  const Result roi = Encode(GetParam(), Regions(kRegion, -8));
  std::printf("inside %.2f -> %.2f dB, outside %.2f -> %.2f dB, %.0f -> %.0f kbit/s\n",
              plain.inside, roi.inside, plain.outside, roi.outside, plain.kbps, roi.kbps);
  const double gain = roi.inside - plain.inside;
  EXPECT_GT(gain, 0.5) << "inside the region: " << plain.inside << " -> " << roi.inside << " dB";
  // The rest pays for it, or at least gains far less (the rate control's aim moves a little).
  EXPECT_LT(roi.outside - plain.outside, gain / 4)
      << "outside the region: " << plain.outside << " -> " << roi.outside << " dB";
  EXPECT_NEAR(roi.kbps, plain.kbps, plain.kbps * 0.15) << "not the same bit rate";
}

TEST_P(Roi, BadRegionsAreRefused) {
  Collector c;
  auto s = MakeSession(64, 64, kY420, &c, {}, GetParam());
  ASSERT_TRUE(s);
  auto buffer = MakePoolBuffer(*s, MakeMovingPicture(64, 64, 0));
  ASSERT_TRUE(buffer);
  const std::vector<std::pair<const char*, Value>> bad = {
      {"not an array", Value(7)},
      {"array of strings", Value(Array{Value("face")})},
      {"no QPOffset", Value(Array{Value(Dictionary{{key::kRegionX, Value(0)},
                                                   {key::kRegionY, Value(0)},
                                                   {key::kRegionWidth, Value(16)},
                                                   {key::kRegionHeight, Value(16)}})})},
      {"offset too low", Regions({0, 0, 16, 16}, -60)},
      {"offset NaN", Regions({0, 0, 16, 16}, std::nan(""))},
      {"no width", Regions({0, 0, 0, 16}, -4)},
      {"negative x", Regions({-16, 0, 16, 16}, -4)},
  };
  for (const auto& [what, value] : bad) {
    Dictionary opts{{key::kRegionsOfInterest, value}};
    EXPECT_EQ(s->EncodeFrame(buffer, FramePts(0), FrameDuration(), &opts, RefconFor(0), nullptr),
              Status::kParameterErr)
        << what;
  }
  // Outside the picture is not an error: clipped away.
  Dictionary far{{key::kRegionsOfInterest, Regions({1000, 1000, 16, 16}, -4)}};
  ASSERT_EQ(s->EncodeFrame(buffer, FramePts(0), FrameDuration(), &far, RefconFor(0), nullptr),
            Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  EXPECT_EQ(c.samples().size(), 1u);
}

// x265 3.5 recycles its frames: offsets on frames that follow many without regions (more than its
// frame pool holds) must land, not crash or linger; also with qg-size 8 (8x8 offsets) and a width
// that is not a multiple of 16.
TEST(RoiHevc, RegionsAfterFramesWithoutThemAndBack) {
  for (const char* options : {"", "qg-size=8"}) {
    SCOPED_TRACE(options);
    constexpr int kWidth = 328, kHeight = 200;  // 328 = 20.5 blocks of 16
    Collector c;
    Dictionary props{{key::kAverageBitRate, Value(60000)}};
    if (*options) props[key::kX265Options] = Value(options);
    auto s = MakeSession(kWidth, kHeight, kY420, &c, props, vtc::kCodecType_HEVC);
    ASSERT_TRUE(s);
    for (int i = 0; i < 90; ++i) {
      auto b = MakePoolBuffer(*s, MakeMovingPicture(kWidth, kHeight, i));
      ASSERT_TRUE(b);
      Dictionary opts;
      if (i >= 40 && i < 70) opts[key::kRegionsOfInterest] = Regions({200, 120, 128, 80}, -10);
      ASSERT_EQ(s->EncodeFrame(b, FramePts(i), FrameDuration(), &opts, RefconFor(i), nullptr),
                Status::kNoErr);
    }
    ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    if (!FfmpegAvailable()) continue;
    Decoded d;
    std::string error;
    ASSERT_TRUE(DecodeAnnexB(ToAnnexB(c.samples()), &d, &error, "hevc")) << error;
    EXPECT_EQ(d.frames.size(), 90u);
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, Roi, ::testing::Values(vtc::kCodecType_H264, vtc::kCodecType_HEVC),
                         [](const auto& info) {
                           return std::string(info.param == vtc::kCodecType_HEVC ? "HEVC" : "H264");
                         });

}  // namespace
}  // namespace vtctest
