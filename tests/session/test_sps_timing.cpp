// SPDX-License-Identifier: GPL-2.0-or-later
// What the SPS says about time and fields: the stream's nominal frame rate (h264_sps.h; what
// ffprobe reports and what ffmpeg's constant-frame-rate output keeps depend on it), and
// interlaced coding (FieldCount, FieldDetail).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "h264_sps.h"
#include "temp_dir.h"
#include "test_util.h"

using vtc::Status;
using vtc::Value;
using vtctest::Collector;

namespace {

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;

TEST(FrameRateFraction, FindsTheNominalFraction) {
  struct {
    double fps;
    std::uint32_t num, den;
  } cases[] = {{30, 30, 1},
               {25, 25, 1},
               {30000.0 / 1001, 30000, 1001},
               {24000.0 / 1001, 24000, 1001},
               {60000.0 / 1001, 60000, 1001},
               {12.5, 25, 2},
               {0.5, 1, 2},
               {120, 120, 1}};
  for (const auto& c : cases) {
    std::uint32_t num = 0, den = 0;
    ASSERT_TRUE(vtc::FrameRateFraction(c.fps, &num, &den)) << c.fps;
    EXPECT_EQ(num, c.num) << c.fps;
    EXPECT_EQ(den, c.den) << c.fps;
  }
  std::uint32_t num = 0, den = 0;
  EXPECT_FALSE(vtc::FrameRateFraction(0, &num, &den));
  EXPECT_FALSE(vtc::FrameRateFraction(1001, &num, &den));
  EXPECT_FALSE(vtc::FrameRateFraction(-30, &num, &den));
}

// An SPS without VUI (openh264's, Constrained Baseline 320x240): the rewrite adds a VUI carrying
// only the timing, and removing timing from it again gives an SPS without timing.
TEST(SpsTiming, AddsAVuiWhereThereIsNone) {
  const vtc::Data sps = {0x67, 0x42, 0xc0, 0x0d, 0x8c, 0x8d, 0x40, 0xa0, 0xf9, 0x00, 0xf0, 0x88};
  vtc::VuiTiming t;
  ASSERT_TRUE(vtc::GetSpsTiming(sps, &t));
  EXPECT_FALSE(t.present);
  vtc::Data out;
  std::string why;
  ASSERT_TRUE(vtc::SetSpsTiming(sps, vtc::TimingForRate(30000, 1001, true), &out, &why)) << why;
  ASSERT_TRUE(vtc::GetSpsTiming(out, &t));
  EXPECT_TRUE(t.present);
  EXPECT_EQ(t.num_units_in_tick, 1001u);
  EXPECT_EQ(t.time_scale, 60000u);
  EXPECT_TRUE(t.fixed_frame_rate);
  // The fields before the VUI are untouched.
  EXPECT_EQ(vtc::Data(out.begin(), out.begin() + 4), vtc::Data(sps.begin(), sps.begin() + 4));
  vtc::Data back;
  ASSERT_TRUE(vtc::SetSpsTiming(out, vtc::VuiTiming{}, &back, &why)) << why;
  ASSERT_TRUE(vtc::GetSpsTiming(back, &t));
  EXPECT_FALSE(t.present);
  // No SPS, no rewrite.
  EXPECT_FALSE(vtc::SetSpsTiming({0x68, 0xce, 0x3c, 0x80}, t, &out, &why));
  EXPECT_FALSE(vtc::SetSpsTiming({0x67, 0x42}, t, &out, &why));
}

vtc::FormatDescriptionRef EncodeClip(const vtc::Dictionary& props, int frames, double fps,
                                     std::vector<vtc::SampleBufferRef>* samples) {
  Collector c;
  auto s = vtctest::MakeSession(160, 96, kNV12, &c, props);
  if (!s) return nullptr;
  // Timestamps in nanoseconds, as GStreamer gives them.
  for (int i = 0; i < frames; ++i) {
    const auto pts = vtc::Time::Make(std::int64_t(i * 1e9 / fps), 1000000000);
    const auto dur = vtc::Time::Make(std::int64_t(1e9 / fps), 1000000000);
    auto buf = vtctest::MakePoolBuffer(*s, vtctest::MakeMovingPicture(160, 96, i));
    EXPECT_EQ(s->EncodeFrame(buf, pts, dur, nullptr, vtctest::RefconFor(i), nullptr),
              Status::kNoErr);
  }
  EXPECT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  *samples = c.samples();
  return samples->empty() ? nullptr : (*samples)[0]->format_description();
}

vtc::VuiTiming TimingOf(const vtc::FormatDescriptionRef& fd) {
  const std::uint8_t* p = nullptr;
  std::size_t n = 0;
  EXPECT_EQ(fd->GetH264ParameterSetAtIndex(0, &p, &n, nullptr, nullptr), Status::kNoErr);
  vtc::VuiTiming t;
  EXPECT_TRUE(vtc::GetSpsTiming(vtc::Data(p, p + n), &t));
  return t;
}

// ffprobe's r_frame_rate of a raw H.264 file, and the frames ffmpeg's default (constant frame
// rate) raw output keeps.
void Probe(const std::vector<std::uint8_t>& annexb, std::string* rate, int* frames) {
  vtctest::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string in = dir.File("in.h264"), out = dir.File("out.txt");
  {
    std::ofstream f(in, std::ios::binary);
    f.write(reinterpret_cast<const char*>(annexb.data()), std::streamsize(annexb.size()));
  }
  const std::string probe = vtctest::FfprobePath() +
                            " -v error -show_entries stream=r_frame_rate -of csv=p=0 " + in +
                            " > " + out;
  ASSERT_EQ(std::system(probe.c_str()), 0) << probe;
  std::ifstream r(out);
  std::getline(r, *rate);
  const std::string decode = vtctest::FfmpegPath() + " -nostdin -v error -i " + in +
                             " -f framemd5 - 2>&1 | grep -vc '^#' > " + out;
  ASSERT_EQ(std::system(decode.c_str()), 0) << decode;
  std::ifstream d(out);
  d >> *frames;
}

TEST(SpsTiming, ExpectedFrameRateIsTheStreamsRate) {
  if (!vtctest::FfmpegAvailable()) GTEST_SKIP() << "no ffmpeg";
  struct {
    double fps;
    const char* expected;
  } cases[] = {{30000.0 / 1001, "30000/1001"}, {25, "25/1"}, {60, "60/1"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    std::vector<vtc::SampleBufferRef> samples;
    auto fd = EncodeClip({{vtc::key::kExpectedFrameRate, Value(c.fps)}}, 48, c.fps, &samples);
    ASSERT_TRUE(fd);
    const vtc::VuiTiming t = TimingOf(fd);
    EXPECT_TRUE(t.present);
    EXPECT_TRUE(t.fixed_frame_rate);
    std::string rate;
    int frames = 0;
    ASSERT_NO_FATAL_FAILURE(Probe(vtctest::ToAnnexB(samples), &rate, &frames));
    EXPECT_EQ(rate, c.expected);
    EXPECT_EQ(frames, 48) << "ffmpeg's constant-rate output lost or doubled frames";
  }
}

TEST(SpsTiming, NoExpectedFrameRateMeansNoTiming) {
  std::vector<vtc::SampleBufferRef> samples;
  auto fd = EncodeClip({}, 24, 30, &samples);
  ASSERT_TRUE(fd);
  EXPECT_FALSE(TimingOf(fd).present) << "a variable or unknown rate must not be declared";
  if (!vtctest::FfmpegAvailable()) return;
  std::string rate;
  int frames = 0;
  ASSERT_NO_FATAL_FAILURE(Probe(vtctest::ToAnnexB(samples), &rate, &frames));
  EXPECT_EQ(frames, 24);
}

// ConstantBitRate writes NAL HRD, whose SEI counts in the VUI's ticks: x264 times it by the frame
// rate itself, which is then the exact fraction.
TEST(SpsTiming, ConstantBitRateKeepsX264sTimingAtTheExactRate) {
  std::vector<vtc::SampleBufferRef> samples;
  auto fd = EncodeClip({{vtc::key::kExpectedFrameRate, Value(30000.0 / 1001)},
                        {vtc::key::kConstantBitRate, Value(300000)}},
                       24, 30000.0 / 1001, &samples);
  ASSERT_TRUE(fd);
  const vtc::VuiTiming t = TimingOf(fd);
  ASSERT_TRUE(t.present);
  EXPECT_EQ(t.num_units_in_tick, 1001u);
  EXPECT_EQ(t.time_scale, 60000u);
}

}  // namespace

namespace {

std::string ProbeFieldOrder(const std::vector<std::uint8_t>& annexb) {
  vtctest::TempDir dir;
  const std::string in = dir.File("in.h264"), out = dir.File("out.txt");
  {
    std::ofstream f(in, std::ios::binary);
    f.write(reinterpret_cast<const char*>(annexb.data()), std::streamsize(annexb.size()));
  }
  const std::string probe = vtctest::FfprobePath() +
                            " -v error -show_entries stream=field_order -of csv=p=0 " + in + " > " +
                            out;
  if (std::system(probe.c_str()) != 0) return "ffprobe failed";
  std::string order;
  std::ifstream r(out);
  std::getline(r, order);
  return order;
}

// FieldCount 2 codes interlaced (MBAFF) with the field order of FieldDetail; the format
// description says so too.
TEST(Fields, FieldCountTwoCodesInterlaced) {
  struct {
    const char* detail;
    const char* order;
  } cases[] = {{nullptr, "tt"}, {"TemporalBottomFirst", "bb"}, {"SpatialFirstLineEarly", "tt"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.detail ? c.detail : "(default)");
    vtc::Dictionary props{{vtc::key::kFieldCount, Value(2)},
                          {vtc::key::kExpectedFrameRate, Value(25)}};
    if (c.detail) props[vtc::key::kFieldDetail] = Value(c.detail);
    std::vector<vtc::SampleBufferRef> samples;
    auto fd = EncodeClip(props, 12, 25, &samples);
    ASSERT_TRUE(fd);
    EXPECT_EQ(fd->extensions().at(vtc::key::kFieldCount), Value(2));
    // x264 writes pic_struct for interlaced coding; the timing is still the nominal rate.
    const vtc::VuiTiming t = TimingOf(fd);
    EXPECT_TRUE(t.present);
    EXPECT_EQ(t.time_scale, 50u);
    EXPECT_EQ(t.num_units_in_tick, 1u);
    if (vtctest::FfmpegAvailable()) EXPECT_EQ(ProbeFieldOrder(vtctest::ToAnnexB(samples)), c.order);
  }
  std::vector<vtc::SampleBufferRef> samples;
  auto fd = EncodeClip({}, 4, 25, &samples);
  ASSERT_TRUE(fd);
  EXPECT_EQ(fd->extensions().at(vtc::key::kFieldCount), Value(1));
  if (vtctest::FfmpegAvailable())
    EXPECT_EQ(ProbeFieldOrder(vtctest::ToAnnexB(samples)), "progressive");
}

TEST(Fields, InterlacedNeedsMainOrHighAndAHeightDivisibleByFour) {
  Collector c;
  auto s = vtctest::MakeSession(160, 96, kNV12, &c);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(vtc::key::kProfileLevel, Value("H264_Baseline_AutoLevel")),
            Status::kNoErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kFieldCount, Value(2)), Status::kParameterErr);
  Collector c2;
  auto odd = vtctest::MakeSession(160, 90, kNV12, &c2, {{vtc::key::kFieldCount, Value(2)}});
  ASSERT_TRUE(odd);
  auto buf = vtctest::MakePoolBuffer(*odd, vtctest::MakeMovingPicture(160, 90, 0));
  EXPECT_EQ(odd->EncodeFrame(buf, vtctest::FramePts(0), vtctest::FrameDuration(), nullptr, nullptr,
                             nullptr),
            Status::kParameterErr);
}

}  // namespace
