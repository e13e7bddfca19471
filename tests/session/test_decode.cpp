// SPDX-License-Identifier: GPL-2.0-or-later
// The decode matrix: sizes x pixel formats x buffer sources, each encoded by a session, decoded by
// ffmpeg and compared with the source pictures. Also the shape of the avcC and of the samples.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"

namespace vtctest {
namespace {

using vtc::PixelFormatType;
using vtc::Status;

constexpr PixelFormatType k420v = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;
constexpr PixelFormatType k420f = vtc::kPixelFormat_420YpCbCr8BiPlanarFullRange;
constexpr PixelFormatType kY420 = vtc::kPixelFormat_420YpCbCr8Planar;

// Per-frame luma PSNR floor and the floor of the average over all planes, at default settings.
constexpr double kMinFramePsnrY = 35.0;
constexpr double kMinAveragePsnr = 38.0;
// Pictures of a macroblock or two: x264 at crf 23 codes their P-frames with QP 26-29, and the
// moving picture measured 36.6 dB lowest luma, 39.1 dB average at 17x9, too close to the floors
// above to survive small changes to x264's settings. Still well above 30 dB.
constexpr double kMinFramePsnrYTiny = 34.0;
constexpr double kMinAveragePsnrTiny = 37.0;
bool IsTiny(int w, int h) {
  return long(w) * h < 64L * 64;
}
double MinFramePsnrY(int w, int h) {
  return IsTiny(w, h) ? kMinFramePsnrYTiny : kMinFramePsnrY;
}
double MinAveragePsnr(int w, int h) {
  return IsTiny(w, h) ? kMinAveragePsnrTiny : kMinAveragePsnr;
}
// Largest mean |decoded - source| allowed along the repeated edge of odd sizes.
constexpr double kMaxEdgeMeanAbsDiff = 6.0;

enum class Source { kPool, kWrapped };

struct DecodeCase {
  int width, height;
  PixelFormatType format;
  Source source;
  int stride_pad;  // wrapped buffers only
  int frames;
};

std::string CaseName(const testing::TestParamInfo<DecodeCase>& info) {
  const DecodeCase& c = info.param;
  std::ostringstream s;
  s << c.width << "x" << c.height << "_" << vtc::PixelFormatName(c.format) << "_";
  if (c.source == Source::kPool)
    s << "pool";
  else
    s << "wrapped_pad" << c.stride_pad;
  return s.str();
}

void PrintTo(const DecodeCase& c, std::ostream* os) {
  *os << c.width << "x" << c.height << " " << vtc::PixelFormatName(c.format) << " "
      << (c.source == Source::kPool ? "pool" : "wrapped") << " pad " << c.stride_pad << ", "
      << c.frames << " frames";
}

int FramesFor(int w, int h) {
  const long pixels = long(w) * h;
  if (pixels >= 1920L * 1080) return 12;
  if (pixels >= 1280L * 720) return 20;
  return 30;
}

std::vector<DecodeCase> AllCases() {
  const std::pair<int, int> sizes[] = {{1, 1}, {17, 9}, {640, 360}, {1280, 720}, {1920, 1080}};
  const PixelFormatType formats[] = {k420v, kY420};
  std::vector<DecodeCase> cases;
  for (const auto& sz : sizes) {
    for (PixelFormatType f : formats) {
      const int n = FramesFor(sz.first, sz.second);
      cases.push_back({sz.first, sz.second, f, Source::kPool, 0, n});
      cases.push_back({sz.first, sz.second, f, Source::kWrapped, 32, n});
      cases.push_back({sz.first, sz.second, f, Source::kWrapped, 13, n});
    }
  }
  return cases;
}

int RoundUpEven(int v) {
  return (v + 1) & ~1;
}

// Everything one encode-and-decode run produced.
struct RunResult {
  std::vector<Picture> sources;
  std::vector<Output> outputs;
  Decoded decoded;
  int released = 0;  // wrapped buffers whose release callback ran by the end
};

// Encodes `c.frames` moving pictures (PTS i/30 s), drains, checks the callbacks, invalidates,
// checks the wrapped buffers came back, then decodes with ffmpeg. Non-fatal failures are
// recorded; fatal ones end the calling test via ASSERT_NO_FATAL_FAILURE at the call site.
void EncodeAndDecode(const DecodeCase& c, RunResult* r, const vtc::Dictionary& properties = {}) {
  Collector collector;
  std::atomic<int> release_count{0};
  auto session = MakeSession(c.width, c.height, c.format, &collector, properties);
  ASSERT_TRUE(session);

  for (int i = 0; i < c.frames; ++i) {
    r->sources.push_back(MakeMovingPicture(c.width, c.height, i));
    vtc::PixelBufferRef buffer =
        c.source == Source::kPool
            ? MakePoolBuffer(*session, r->sources.back())
            : MakeWrappedBuffer(r->sources.back(), c.format, c.stride_pad, &release_count);
    ASSERT_TRUE(buffer) << "frame " << i;
    ASSERT_EQ(buffer->width(), c.width);
    ASSERT_EQ(buffer->height(), c.height);
    ASSERT_EQ(buffer->pixel_format(), c.format);
    vtc::EncodeInfoFlags flags = 0;
    ASSERT_EQ(
        session->EncodeFrame(buffer, FramePts(i), FrameDuration(), nullptr, RefconFor(i), &flags),
        Status::kNoErr)
        << "EncodeFrame of frame " << i;
    // Our reference goes now: from here the session alone keeps the buffer alive.
  }
  ASSERT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  EXPECT_EQ(collector.count(), size_t(c.frames))
      << "CompleteFrames returned before every frame was answered";
  // Still wait a little, so a late answer shows up as "late" rather than "missing".
  collector.WaitForCount(size_t(c.frames), std::chrono::seconds(10));
  session->Invalidate();
  r->released = release_count.load();
  r->outputs = collector.outputs();
  session.reset();

  // Exactly one successful answer with a sample per frame, refcons once each, PTS as given.
  EXPECT_EQ(r->outputs.size(), size_t(c.frames));
  std::vector<int> seen(size_t(c.frames), 0);
  for (size_t k = 0; k < r->outputs.size(); ++k) {
    const Output& o = r->outputs[k];
    EXPECT_EQ(o.status, Status::kNoErr) << "output " << k << ": " << vtc::StatusName(o.status);
    EXPECT_EQ(o.flags & vtc::kEncodeInfo_FrameDropped, 0u) << "output " << k << " dropped";
    EXPECT_TRUE(o.sample) << "output " << k << " has no sample";
    const int i = IndexOfRefcon(o.refcon);
    if (i < 0 || i >= c.frames) {
      ADD_FAILURE() << "output " << k << " has unknown refcon " << o.refcon;
      continue;
    }
    ++seen[size_t(i)];
    if (o.sample) {
      EXPECT_EQ(o.sample->presentation_time_stamp(), FramePts(i))
          << "output " << k << " (frame " << i << ") PTS "
          << o.sample->presentation_time_stamp().ToString();
      EXPECT_GT(o.sample->size(), 0u) << "output " << k;
    }
  }
  for (int i = 0; i < c.frames; ++i)
    EXPECT_EQ(seen[size_t(i)], 1) << "frame " << i << " answered " << seen[size_t(i)] << " times";

  // All callbacks from the session's one worker thread.
  for (size_t k = 0; k < r->outputs.size(); ++k) {
    EXPECT_NE(r->outputs[k].thread, std::this_thread::get_id()) << "output " << k;
    EXPECT_EQ(r->outputs[k].thread, r->outputs[0].thread) << "output " << k;
  }

  // DTS: valid, non-decreasing in callback (decode) order, never after the PTS.
  vtc::Time last_dts = vtc::Time::Invalid();
  for (size_t k = 0; k < r->outputs.size(); ++k) {
    const vtc::SampleBufferRef& s = r->outputs[k].sample;
    if (!s) continue;
    const vtc::Time dts = s->decode_time_stamp();
    EXPECT_TRUE(dts.IsNumeric()) << "output " << k << " DTS " << dts.ToString();
    EXPECT_LE(dts, s->presentation_time_stamp())
        << "output " << k << " DTS " << dts.ToString() << " PTS "
        << s->presentation_time_stamp().ToString();
    if (last_dts.IsValid()) {
      EXPECT_GE(dts, last_dts) << "output " << k << " DTS " << dts.ToString() << " after "
                               << last_dts.ToString();
    }
    last_dts = dts;
  }

  // A sync sample starts a coded video sequence: it holds an IDR slice, and every slice in it is
  // IDR. Other samples hold no IDR slice (else they would be sync).
  for (size_t k = 0; k < r->outputs.size(); ++k) {
    const vtc::SampleBufferRef& s = r->outputs[k].sample;
    if (!s) continue;
    int idr = 0, non_idr = 0;
    for (int t : NalTypes(s)) {
      if (t == 5) ++idr;
      if (t == 1) ++non_idr;
    }
    if (s->IsSync()) {
      EXPECT_TRUE(idr > 0 && non_idr == 0) << "output " << k << " is marked sync but has " << idr
                                           << " IDR and " << non_idr << " non-IDR slices";
    } else {
      EXPECT_EQ(idr, 0) << "output " << k << " has IDR slices but is not marked sync";
    }
  }

  if (c.source == Source::kWrapped) {
    EXPECT_EQ(r->released, c.frames) << "wrapped buffers released after Invalidate()";
  }

  std::vector<vtc::SampleBufferRef> samples;
  for (const auto& o : r->outputs)
    if (o.sample) samples.push_back(o.sample);
  ASSERT_FALSE(samples.empty());
  ASSERT_TRUE(samples.front()->IsSync()) << "the first sample is not a sync sample";
  const std::vector<uint8_t> annexb = ToAnnexB(samples);
  std::string error;
  ASSERT_TRUE(DecodeAnnexB(annexb, &r->decoded, &error)) << error;
}

// Mean |a - b| of luma along column (x_dec of decoded, x_src of source) or row, over the source's
// rows/columns.
double ColumnMeanAbsDiff(const Picture& src, int x_src, const Picture& dec, int x_dec) {
  double sum = 0;
  for (int y = 0; y < src.height; ++y) sum += std::abs(int(src.Y(x_src, y)) - int(dec.Y(x_dec, y)));
  return sum / src.height;
}
double RowMeanAbsDiff(const Picture& src, int y_src, const Picture& dec, int y_dec) {
  double sum = 0;
  for (int x = 0; x < src.width; ++x) sum += std::abs(int(src.Y(x, y_src)) - int(dec.Y(x, y_dec)));
  return sum / src.width;
}

class DecodeMatrix : public testing::TestWithParam<DecodeCase> {
 protected:
  void SetUp() override {
    if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg/ffprobe not found (" << FfmpegPath() << ")";
  }
};

TEST_P(DecodeMatrix, EncodesAndDecodes) {
  const DecodeCase& c = GetParam();
  RunResult r;
  ASSERT_NO_FATAL_FAILURE(EncodeAndDecode(c, &r));
  const Decoded& d = r.decoded;

  ASSERT_EQ(d.frames.size(), size_t(c.frames)) << "decoded frame count";
  EXPECT_EQ(d.width, RoundUpEven(c.width)) << "decoded width";
  EXPECT_EQ(d.height, RoundUpEven(c.height)) << "decoded height";
  ASSERT_GE(d.width, c.width);
  ASSERT_GE(d.height, c.height);
  EXPECT_EQ(d.pix_fmt, "yuv420p") << "video-range input should decode as yuv420p";

  double sum = 0, min_y = 1000;
  int min_y_frame = -1;
  for (int i = 0; i < c.frames; ++i) {
    const double py = PsnrY(r.sources[size_t(i)], d.frames[size_t(i)]);
    const double p = Psnr(r.sources[size_t(i)], d.frames[size_t(i)]);
    EXPECT_GT(py, MinFramePsnrY(c.width, c.height)) << "frame " << i << " luma PSNR";
    if (py < min_y) {
      min_y = py;
      min_y_frame = i;
    }
    sum += p;
  }
  const double avg = sum / c.frames;
  EXPECT_GT(avg, MinAveragePsnr(c.width, c.height)) << "average PSNR";
  RecordProperty("average_psnr", std::to_string(avg));
  RecordProperty("min_luma_psnr", std::to_string(min_y));
  std::printf(
      "  %dx%d %s: %d frames, average PSNR %.2f dB, lowest luma PSNR %.2f dB (frame %d), "
      "profile %s level %d\n",
      c.width, c.height, vtc::PixelFormatName(c.format).c_str(), c.frames, avg, min_y, min_y_frame,
      d.profile.c_str(), d.level);

  // Odd sizes: the padding column/row repeats the edge, so nothing there is garbage.
  for (int i = 0; i < c.frames; ++i) {
    const Picture& src = r.sources[size_t(i)];
    const Picture& dec = d.frames[size_t(i)];
    if (c.width % 2 == 1 && d.width > c.width) {
      EXPECT_LE(ColumnMeanAbsDiff(src, c.width - 1, dec, d.width - 1), kMaxEdgeMeanAbsDiff)
          << "frame " << i << ": padding column " << d.width - 1 << " vs source column "
          << c.width - 1;
      EXPECT_LE(ColumnMeanAbsDiff(src, c.width - 1, dec, c.width - 1), kMaxEdgeMeanAbsDiff)
          << "frame " << i << ": last source column " << c.width - 1;
    }
    if (c.height % 2 == 1 && d.height > c.height) {
      EXPECT_LE(RowMeanAbsDiff(src, c.height - 1, dec, d.height - 1), kMaxEdgeMeanAbsDiff)
          << "frame " << i << ": padding row " << d.height - 1 << " vs source row " << c.height - 1;
      EXPECT_LE(RowMeanAbsDiff(src, c.height - 1, dec, c.height - 1), kMaxEdgeMeanAbsDiff)
          << "frame " << i << ": last source row " << c.height - 1;
    }
    if (c.width % 2 == 1 && c.height % 2 == 1 && d.width > c.width && d.height > c.height) {
      EXPECT_LE(
          std::abs(int(src.Y(c.width - 1, c.height - 1)) - int(dec.Y(d.width - 1, d.height - 1))),
          2 * kMaxEdgeMeanAbsDiff)
          << "frame " << i << ": padding corner";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, DecodeMatrix, testing::ValuesIn(AllCases()), CaseName);

class Decode : public testing::Test {
 protected:
  void SetUp() override {
    if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg/ffprobe not found (" << FfmpegPath() << ")";
  }
};

// Full-range NV12 decodes with the same samples (no range conversion happens on the way), and
// the stream says it is full range.
TEST_F(Decode, FullRangeNv12) {
  const DecodeCase c{640, 360, k420f, Source::kPool, 0, 15};
  RunResult r;
  ASSERT_NO_FATAL_FAILURE(EncodeAndDecode(c, &r));
  const Decoded& d = r.decoded;
  ASSERT_EQ(d.frames.size(), size_t(c.frames));
  EXPECT_EQ(d.width, 640);
  EXPECT_EQ(d.height, 360);
  double sum = 0;
  for (int i = 0; i < c.frames; ++i) {
    EXPECT_GT(PsnrY(r.sources[size_t(i)], d.frames[size_t(i)]), kMinFramePsnrY) << "frame " << i;
    sum += Psnr(r.sources[size_t(i)], d.frames[size_t(i)]);
  }
  EXPECT_GT(sum / c.frames, kMinAveragePsnr);
  EXPECT_EQ(d.color_range, "pc") << "a '420f' session should signal full range in the VUI";
}

// A full drain in the middle: the stream stays decodable and the frame after the drain is an IDR.
TEST_F(Decode, DrainInTheMiddle) {
  constexpr int kW = 320, kH = 240, kFirst = 10, kTotal = 20;
  Collector collector;
  auto session = MakeSession(kW, kH, kY420, &collector);
  ASSERT_TRUE(session);
  std::vector<Picture> sources;
  for (int i = 0; i < kTotal; ++i) {
    sources.push_back(MakeMovingPicture(kW, kH, i));
    auto buffer = MakePoolBuffer(*session, sources.back());
    ASSERT_TRUE(buffer);
    ASSERT_EQ(
        session->EncodeFrame(buffer, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
        Status::kNoErr);
    if (i == kFirst - 1) {
      ASSERT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
      EXPECT_EQ(collector.count(), size_t(kFirst));
    }
  }
  ASSERT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  session->Invalidate();
  const auto outputs = collector.outputs();
  ASSERT_EQ(outputs.size(), size_t(kTotal));
  for (const auto& o : outputs) ASSERT_TRUE(o.sample);
  // Frames answered after the drain are those from kFirst on.
  for (size_t k = kFirst; k < outputs.size(); ++k)
    EXPECT_GE(IndexOfRefcon(outputs[k].refcon), kFirst) << "output " << k;
  // The first frame in decode order after the drain is sync and holds an IDR slice.
  EXPECT_TRUE(outputs[kFirst].sample->IsSync()) << "first sample after the drain";
  const auto types = NalTypes(outputs[kFirst].sample);
  EXPECT_NE(std::find(types.begin(), types.end(), 5), types.end())
      << "first sample after the drain has no IDR slice";

  Decoded d;
  std::string error;
  ASSERT_TRUE(DecodeAnnexB(ToAnnexB(collector.samples()), &d, &error)) << error;
  ASSERT_EQ(d.frames.size(), size_t(kTotal));
  for (int i = 0; i < kTotal; ++i)
    EXPECT_GT(PsnrY(sources[size_t(i)], d.frames[size_t(i)]), kMinFramePsnrY) << "frame " << i;
}

// ---- Non-default settings: each still decodes, and the stream says what was asked ----

struct SettingsCase {
  std::string name;
  vtc::Dictionary properties;
  int width = 320, height = 240;
  PixelFormatType format = k420v;
  int frames = 20;
  std::vector<std::string> profiles;  // acceptable ffprobe profile names; empty: any
  int level = 0;                      // expected level_idc; 0: any
  double min_average_psnr = kMinAveragePsnr;
  double min_frame_psnr_y = kMinFramePsnrY;
  bool lossless = false;  // decoded pictures must equal the source exactly
};

std::string SettingsName(const testing::TestParamInfo<SettingsCase>& info) {
  return info.param.name;
}

void PrintTo(const SettingsCase& c, std::ostream* os) {
  *os << c.name << " (" << c.width << "x" << c.height << " " << vtc::PixelFormatName(c.format)
      << ", " << c.frames << " frames)";
}

std::vector<SettingsCase> AllSettings() {
  namespace key = vtc::key;
  std::vector<SettingsCase> v;
  auto add = [&v](std::string name, vtc::Dictionary props) -> SettingsCase& {
    SettingsCase c;
    c.name = std::move(name);
    c.properties = std::move(props);
    v.push_back(std::move(c));
    return v.back();
  };
  add("Baseline", {{key::kProfileLevel, "H264_Baseline_AutoLevel"}}).profiles = {
      "Baseline", "Constrained Baseline"};
  add("ConstrainedBaseline", {{key::kProfileLevel, "H264_ConstrainedBaseline_AutoLevel"}})
      .profiles = {"Constrained Baseline"};
  {
    SettingsCase& c = add("Main31", {{key::kProfileLevel, "H264_Main_3_1"}});
    c.profiles = {"Main"};
    c.level = 31;
  }
  {
    SettingsCase& c = add("High40_1080p", {{key::kProfileLevel, "H264_High_4_0"}});
    c.width = 1920;
    c.height = 1080;
    c.frames = 6;
    c.profiles = {"High"};
    c.level = 40;
  }
  add("ConstrainedHigh", {{key::kProfileLevel, "H264_ConstrainedHigh_AutoLevel"}}).profiles = {
      "High", "Constrained High"};
  add("HighCavlc", {{key::kH264EntropyMode, "CAVLC"}}).profiles = {"High"};
  add("NoReordering", {{key::kAllowFrameReordering, false}});
  add("RealTime", {{key::kRealTime, true}});
  add("SpeedOverQuality", {{key::kPrioritizeEncodingSpeedOverQuality, true}});
  add("NoDelay", {{key::kMaxFrameDelayCount, 0}});
  add("KeyFrameEvery5", {{key::kMaxKeyFrameInterval, 5}});
  add("AllKeyFrames", {{key::kAllowTemporalCompression, false}});
  add("SmallSlices", {{key::kMaxH264SliceBytes, 600}});
  add("HighQuality", {{key::kQuality, 0.75}}).min_average_psnr = 42.0;
  {
    SettingsCase& c = add("Bitrate1M", {{key::kAverageBitRate, 1000000}});
    c.min_average_psnr = 34.0;
    c.min_frame_psnr_y = 31.0;
  }
  {
    SettingsCase& c = add("Colour709", {{key::kColorPrimaries, "ITU_R_709_2"},
                                        {key::kTransferFunction, "ITU_R_709_2"},
                                        {key::kYCbCrMatrix, "ITU_R_709_2"}});
    c.frames = 5;
  }
  {
    SettingsCase& c = add("Colour601", {{key::kYCbCrMatrix, "ITU_R_601_4"}});
    c.frames = 5;
  }
  {
    SettingsCase& c = add("PixelAspect4to3",
                          {{key::kPixelAspectRatio, vtc::Dictionary{{key::kHorizontalSpacing, 4},
                                                                    {key::kVerticalSpacing, 3}}}});
    c.frames = 5;
  }
  for (PixelFormatType f : {k420v, kY420}) {
    for (auto sz : {std::pair<int, int>{320, 240}, std::pair<int, int>{17, 9}}) {
      SettingsCase& c = add("Lossless_" + std::to_string(sz.first) + "x" +
                                std::to_string(sz.second) + "_" + vtc::PixelFormatName(f),
                            {{key::kQuality, 1.0}});
      c.width = sz.first;
      c.height = sz.second;
      c.format = f;
      c.frames = 10;
      c.lossless = true;
      c.profiles = {"High 4:4:4 Predictive", "High"};
    }
  }
  return v;
}

class DecodeSettings : public testing::TestWithParam<SettingsCase> {
 protected:
  void SetUp() override {
    if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg/ffprobe not found (" << FfmpegPath() << ")";
  }
};

TEST_P(DecodeSettings, EncodesAndDecodes) {
  namespace key = vtc::key;
  const SettingsCase& sc = GetParam();
  const DecodeCase c{sc.width, sc.height, sc.format, Source::kPool, 0, sc.frames};
  RunResult r;
  ASSERT_NO_FATAL_FAILURE(EncodeAndDecode(c, &r, sc.properties));
  const Decoded& d = r.decoded;
  ASSERT_EQ(d.frames.size(), size_t(c.frames)) << "decoded frame count";
  EXPECT_EQ(d.width, RoundUpEven(c.width));
  EXPECT_EQ(d.height, RoundUpEven(c.height));

  if (!sc.profiles.empty()) {
    EXPECT_NE(std::find(sc.profiles.begin(), sc.profiles.end(), d.profile), sc.profiles.end())
        << "ffprobe profile '" << d.profile << "'";
  }
  if (sc.level) {
    EXPECT_EQ(d.level, sc.level) << "level_idc";
  }

  double sum = 0;
  for (int i = 0; i < c.frames; ++i) {
    const Picture& src = r.sources[size_t(i)];
    const Picture& dec = d.frames[size_t(i)];
    if (sc.lossless) {
      EXPECT_EQ(Psnr(src, dec), 100.0) << "frame " << i << " is not bit-exact";
    } else {
      EXPECT_GT(PsnrY(src, dec), sc.min_frame_psnr_y) << "frame " << i;
    }
    sum += Psnr(src, dec);
  }
  EXPECT_GT(sum / c.frames, sc.min_average_psnr) << "average PSNR";

  std::vector<vtc::SampleBufferRef> samples;
  for (const auto& o : r.outputs)
    if (o.sample) samples.push_back(o.sample);
  ASSERT_EQ(samples.size(), size_t(c.frames));
  const vtc::Dictionary& props = sc.properties;
  auto has = [&props](const char* k) { return props.count(k) != 0; };

  if (has(key::kAllowFrameReordering) || has(key::kMaxFrameDelayCount)) {
    // No reordering: decode order is presentation order.
    for (size_t k = 0; k < samples.size(); ++k)
      EXPECT_EQ(samples[k]->presentation_time_stamp(), FramePts(int(k)))
          << "sample " << k << " out of presentation order";
  }
  if (has(key::kAllowTemporalCompression)) {
    for (size_t k = 0; k < samples.size(); ++k)
      EXPECT_TRUE(samples[k]->IsSync()) << "sample " << k << " is not a key frame";
  }
  if (has(key::kMaxKeyFrameInterval)) {
    // Key frames at most 5 frames apart (in presentation order).
    std::vector<int> sync_frames;
    for (const auto& s : samples)
      if (s->IsSync())
        sync_frames.push_back(int(std::lround(s->presentation_time_stamp().Seconds() * 30)));
    std::sort(sync_frames.begin(), sync_frames.end());
    ASSERT_FALSE(sync_frames.empty());
    EXPECT_EQ(sync_frames.front(), 0);
    int prev = 0;
    for (int f : sync_frames) {
      EXPECT_LE(f - prev, 5) << "key frames at " << prev << " and " << f;
      prev = f;
    }
    EXPECT_LE(c.frames - 1 - prev, 4) << "last key frame at " << prev;
  }
  if (has(key::kMaxH264SliceBytes)) {
    size_t most_slices = 0;
    for (size_t k = 0; k < samples.size(); ++k) {
      size_t slices = 0;
      for (const auto& nal : SplitAvcc(samples[k])) {
        const int type = nal[0] & 0x1f;
        if (type != 1 && type != 5) continue;
        ++slices;
        EXPECT_LE(nal.size(), 600u)
            << "sample " << k << ": slice NAL of " << nal.size() << " bytes";
      }
      most_slices = std::max(most_slices, slices);
    }
    EXPECT_GT(most_slices, 1u) << "no sample was split into slices";
  }
  if (has(key::kColorPrimaries)) {
    EXPECT_EQ(d.color_primaries, "bt709");
    EXPECT_EQ(d.color_transfer, "bt709");
    EXPECT_EQ(d.color_space, "bt709");
  }
  if (sc.name == "Colour601") {
    EXPECT_EQ(d.color_space, "smpte170m");
  }
  if (has(key::kPixelAspectRatio)) {
    EXPECT_EQ(d.sample_aspect_ratio, "4:3");
  }
}

INSTANTIATE_TEST_SUITE_P(Settings, DecodeSettings, testing::ValuesIn(AllSettings()), SettingsName);

// ---- The shape of the output, without decoding ----

TEST(DecodeFormat, FirstSampleAndAvcC) {
  constexpr int kW = 640, kH = 360, kFrames = 8;
  Collector collector;
  auto session = MakeSession(kW, kH, k420v, &collector);
  ASSERT_TRUE(session);
  for (int i = 0; i < kFrames; ++i) {
    auto buffer = MakePoolBuffer(*session, MakeMovingPicture(kW, kH, i));
    ASSERT_TRUE(buffer);
    ASSERT_EQ(
        session->EncodeFrame(buffer, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
        Status::kNoErr);
  }
  ASSERT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  session->Invalidate();
  const auto samples = collector.samples();
  ASSERT_EQ(samples.size(), size_t(kFrames));

  const vtc::SampleBufferRef& first = samples.front();
  EXPECT_TRUE(first->IsSync());
  const auto first_types = NalTypes(first);
  EXPECT_NE(std::find(first_types.begin(), first_types.end(), 5), first_types.end())
      << "the first sample has no IDR slice";

  const vtc::FormatDescriptionRef fd = first->format_description();
  ASSERT_TRUE(fd);
  EXPECT_EQ(fd->codec_type(), vtc::kCodecType_H264);
  EXPECT_EQ(fd->width(), kW);
  EXPECT_EQ(fd->height(), kH);
  EXPECT_EQ(fd->display_width(), kW);
  EXPECT_EQ(fd->display_height(), kH);

  const vtc::Data& avcc = fd->avcc();
  ASSERT_GE(avcc.size(), 7u);
  EXPECT_EQ(avcc[0], 0x01) << "configurationVersion";
  EXPECT_EQ(avcc[4], 0xFF) << "6 reserved bits + lengthSizeMinusOne = 3";
  EXPECT_EQ(avcc[4] & 3, 3) << "lengthSizeMinusOne";
  EXPECT_EQ(avcc[5] & 0x1f, 1) << "numOfSequenceParameterSets";
  EXPECT_EQ(avcc[1], fd->profile_idc()) << "AVCProfileIndication";
  EXPECT_EQ(avcc[3], fd->level_idc()) << "AVCLevelIndication";

  // The avcC atom in the extensions is the same record.
  const auto atoms = fd->extensions().find(vtc::key::kSampleDescriptionExtensionAtoms);
  ASSERT_NE(atoms, fd->extensions().end());
  ASSERT_TRUE(atoms->second.IsDictionary());
  const auto atom = atoms->second.AsDictionary().find(vtc::key::kAvcC);
  ASSERT_NE(atom, atoms->second.AsDictionary().end());
  ASSERT_TRUE(atom->second.IsData());
  EXPECT_EQ(atom->second.AsData(), avcc);

  // Parameter sets: count 2, 4-byte NAL headers, SPS then PPS.
  const uint8_t* sps = nullptr;
  const uint8_t* pps = nullptr;
  size_t sps_size = 0, pps_size = 0, count = 0;
  int header_length = 0;
  ASSERT_EQ(fd->GetH264ParameterSetAtIndex(0, &sps, &sps_size, &count, &header_length),
            Status::kNoErr);
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(header_length, 4);
  ASSERT_TRUE(sps);
  ASSERT_GE(sps_size, 4u);
  EXPECT_EQ(sps[0] & 0x1f, 7) << "index 0 is the SPS";
  EXPECT_EQ(sps[1], avcc[1]) << "profile_idc in SPS and avcC";
  EXPECT_EQ(sps[3], avcc[3]) << "level_idc in SPS and avcC";
  count = 0;
  header_length = 0;
  ASSERT_EQ(fd->GetH264ParameterSetAtIndex(1, &pps, &pps_size, &count, &header_length),
            Status::kNoErr);
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(header_length, 4);
  ASSERT_TRUE(pps);
  ASSERT_GE(pps_size, 1u);
  EXPECT_EQ(pps[0] & 0x1f, 8) << "index 1 is the PPS";
  // Out of range: an error, but count and header length still reported.
  count = 0;
  header_length = 0;
  EXPECT_EQ(fd->GetH264ParameterSetAtIndex(2, nullptr, nullptr, &count, &header_length),
            Status::kParameterErr);
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(header_length, 4);

  // The SPS and PPS inside the avcC are those bytes.
  ASSERT_GE(avcc.size(), 8u + sps_size);
  EXPECT_EQ(size_t(avcc[6]) << 8 | avcc[7], sps_size);
  EXPECT_TRUE(std::equal(sps, sps + sps_size, avcc.begin() + 8));
  const size_t p = 8 + sps_size;
  ASSERT_GE(avcc.size(), p + 3 + pps_size);
  EXPECT_EQ(avcc[p], 1) << "numOfPictureParameterSets";
  EXPECT_EQ(size_t(avcc[p + 1]) << 8 | avcc[p + 2], pps_size);
  EXPECT_TRUE(std::equal(pps, pps + pps_size, avcc.begin() + std::ptrdiff_t(p + 3)));

  // No sample carries parameter sets in band; every NAL length adds up.
  for (size_t k = 0; k < samples.size(); ++k) {
    for (int t : NalTypes(samples[k])) {
      EXPECT_NE(t, 7) << "SPS in band in sample " << k;
      EXPECT_NE(t, 8) << "PPS in band in sample " << k;
    }
    EXPECT_TRUE(samples[k]->format_description()) << "sample " << k;
  }
}

// Odd sizes: the format description gives the coded (even) size and the picture's own size.
TEST(DecodeFormat, OddSizeDimensions) {
  constexpr int kW = 17, kH = 9;
  Collector collector;
  auto session = MakeSession(kW, kH, kY420, &collector);
  ASSERT_TRUE(session);
  auto buffer = MakePoolBuffer(*session, MakeMovingPicture(kW, kH, 0));
  ASSERT_TRUE(buffer);
  ASSERT_EQ(
      session->EncodeFrame(buffer, FramePts(0), FrameDuration(), nullptr, RefconFor(0), nullptr),
      Status::kNoErr);
  ASSERT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  session->Invalidate();
  const auto samples = collector.samples();
  ASSERT_EQ(samples.size(), 1u);
  const vtc::FormatDescriptionRef fd = samples[0]->format_description();
  ASSERT_TRUE(fd);
  EXPECT_EQ(fd->width(), 18);
  EXPECT_EQ(fd->height(), 10);
  EXPECT_EQ(fd->display_width(), kW);
  EXPECT_EQ(fd->display_height(), kH);
}

// The helpers themselves: a picture survives a round trip through every layout.
TEST(DecodeHelpers, PictureRoundTrips) {
  for (PixelFormatType f : {k420v, k420f, kY420}) {
    for (int pad : {0, 13, 32}) {
      const Picture pic = MakeMovingPicture(17, 9, 3);
      auto buffer = MakeWrappedBuffer(pic, f, pad);
      ASSERT_TRUE(buffer);
      const Picture back = ReadPicture(buffer);
      EXPECT_EQ(back.y, pic.y) << vtc::PixelFormatName(f) << " pad " << pad;
      EXPECT_EQ(back.u, pic.u) << vtc::PixelFormatName(f) << " pad " << pad;
      EXPECT_EQ(back.v, pic.v) << vtc::PixelFormatName(f) << " pad " << pad;
      EXPECT_EQ(PsnrY(pic, back), 100.0);
      EXPECT_EQ(Psnr(pic, back), 100.0);
    }
  }
  // Frames differ from one another (the picture moves), and are deterministic.
  EXPECT_NE(MakeMovingPicture(64, 48, 0).y, MakeMovingPicture(64, 48, 1).y);
  EXPECT_EQ(MakeMovingPicture(64, 48, 5).y, MakeMovingPicture(64, 48, 5).y);
}

TEST(DecodeHelpers, WrappedBufferReleaseRuns) {
  std::atomic<int> released{0};
  {
    auto buffer = MakeWrappedBuffer(MakeMovingPicture(8, 8, 0), kY420, 13, &released);
    ASSERT_TRUE(buffer);
    EXPECT_EQ(released.load(), 0);
  }
  EXPECT_EQ(released.load(), 1);
}

}  // namespace
}  // namespace vtctest
