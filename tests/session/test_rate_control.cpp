// SPDX-License-Identifier: GPL-2.0-or-later
// Rate control and quality, measured on the output (issue 5): AverageBitRate accuracy on natural
// and synthetic content at constant and variable frame rate, DataRateLimits as a hard limit over
// sliding windows in decode time, ConstantBitRate against its HRD bounds, Quality's ordering,
// key-frame distances, and mid-stream changes without an IDR. All runs are 320x240, 12 s.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "rate_util.h"

using vtc::Array;
using vtc::Status;
using vtc::Value;
using vtctest::ConstantRate;
using vtctest::EncodedRun;
using vtctest::EncodeRun;
using vtctest::MakeMovingPicture;
using vtctest::NaturalSource;
using vtctest::Picture;

namespace k = vtc::key;

namespace {

constexpr int kW = 320, kH = 240;
constexpr int kFrames = 360;  // 12 s at 30 fps

std::function<Picture(int)> Natural() {
  auto src = std::make_shared<NaturalSource>(kW, kH);
  return [src](int i) { return src->Frame(i); };
}

std::function<Picture(int)> Pattern() {
  return [](int i) { return MakeMovingPicture(kW, kH, i); };
}

// Key frames with PTS after t seconds.
int SyncsAfter(const EncodedRun& r, double t) {
  int n = 0;
  for (const auto& f : r.frames) n += f.sync && f.pts > t;
  return n;
}

// The frames of r with DTS in [from, to) seconds, for windows that must hold from a change on.
EncodedRun DecodedBetween(const EncodedRun& r, double from, double to = 1e9) {
  EncodedRun out = r;
  out.frames.erase(std::remove_if(out.frames.begin(), out.frames.end(),
                                  [&](const auto& f) { return f.dts < from || f.dts >= to; }),
                   out.frames.end());
  return out;
}

std::string Describe(const EncodedRun& r) {
  char text[160];
  std::snprintf(text, sizeof text, "%.1f kbit/s over %.2f s, %zu frames, %d errors", r.kbps(),
                r.seconds, r.frames.size(), r.errors);
  return text;
}

// --- AverageBitRate ----------------------------------------------------------------------------

struct AbrCase {
  const char* content;
  int bits_per_second;
  bool variable_rate;
};

class AverageBitRate : public ::testing::TestWithParam<AbrCase> {};

TEST_P(AverageBitRate, AchievedWithinFivePercent) {
  const AbrCase& c = GetParam();
  auto picture = std::string(c.content) == "natural" ? Natural() : Pattern();
  auto timing = c.variable_rate ? vtctest::VariableRate() : ConstantRate(30);
  EncodedRun r =
      EncodeRun(kW, kH, {{k::kAverageBitRate, Value(c.bits_per_second)}}, kFrames, picture, timing);
  ASSERT_EQ(int(r.frames.size()), kFrames) << Describe(r);
  ASSERT_GE(r.seconds, 10.0) << "the requirement is over 10 s or more";
  const double target = c.bits_per_second / 1000.0;
  EXPECT_NEAR(r.kbps(), target, 0.05 * target) << Describe(r);
}

INSTANTIATE_TEST_SUITE_P(
    Content, AverageBitRate,
    ::testing::Values(AbrCase{"natural", 200000, false}, AbrCase{"natural", 600000, false},
                      AbrCase{"pattern", 200000, false}, AbrCase{"pattern", 600000, false},
                      AbrCase{"natural", 300000, true}, AbrCase{"pattern", 300000, true}),
    [](const auto& info) {
      return std::string(info.param.content) + "_" +
             std::to_string(info.param.bits_per_second / 1000) + "k" +
             (info.param.variable_rate ? "_vfr" : "");
    });

// --- DataRateLimits ------------------------------------------------------------------------------

TEST(DataRateLimits, NoWindowHoldsMoreThanItsLimit) {
  // Unconstrained, Quality 0.8 needs far more than 25 kB/s on this content.
  EncodedRun free_run =
      EncodeRun(kW, kH, {{k::kQuality, Value(0.8)}}, 150, Natural(), ConstantRate(30));
  ASSERT_GT(vtctest::MaxWindowBytes(free_run, 1.0), 25000u * 3 / 2) << "content too easy";

  struct Limit {
    std::vector<std::pair<int, double>> pairs;
    vtc::Dictionary extra;
  } limits[] = {
      {{{25000, 1.0}}, {{k::kQuality, Value(0.8)}}},
      {{{15000, 0.5}, {100000, 5.0}}, {{k::kQuality, Value(0.8)}}},
      // With an average target above what the limit allows, the limit wins.
      {{{20000, 1.0}}, {{k::kAverageBitRate, Value(400000)}}},
  };
  for (const Limit& l : limits) {
    Array a;
    for (const auto& [bytes, seconds] : l.pairs) {
      a.push_back(Value(bytes));
      a.push_back(Value(seconds));
    }
    vtc::Dictionary props = l.extra;
    props[k::kDataRateLimits] = Value(a);
    EncodedRun r = EncodeRun(kW, kH, props, kFrames, Natural(), ConstantRate(30));
    ASSERT_EQ(int(r.frames.size()), kFrames) << Describe(r);
    for (const auto& [bytes, seconds] : l.pairs) {
      EXPECT_LE(vtctest::MaxWindowBytes(r, seconds), std::size_t(bytes))
          << "window " << seconds << " s; " << Describe(r);
    }
    // A hard limit, not a starvation: at least half the rate the tightest pair allows is used.
    double tightest = 1e18;
    for (const auto& [bytes, seconds] : l.pairs) tightest = std::min(tightest, bytes / seconds);
    EXPECT_GT(r.kbps() * 1000 / 8, 0.5 * tightest) << Describe(r);
  }
}

TEST(DataRateLimits, ChangedMidStreamHoldsFromOneSecondLater) {
  EncodedRun r = EncodeRun(
      kW, kH,
      {{k::kQuality, Value(0.8)}, {k::kDataRateLimits, Value(Array{Value(60000), Value(1)})}},
      kFrames, Natural(), ConstantRate(30), [](int i, vtc::CompressionSession& s) {
        if (i == 180)
          ASSERT_EQ(s.SetProperty(k::kDataRateLimits, Value(Array{Value(15000), Value(1)})),
                    Status::kNoErr);
      });
  ASSERT_EQ(int(r.frames.size()), kFrames);
  EXPECT_LE(vtctest::MaxWindowBytes(DecodedBetween(r, 7.0), 1.0), 15000u);
  EXPECT_GT(vtctest::MaxWindowBytes(r, 1.0), 15000u) << "the first limit should allow more";
}

// A bitrate with a limit on its peaks: the limit holds and the average reaches its target.
// At 1.5x over 1 s (WebRTC's VideoToolbox encoder sets DataRateLimits so) the limit leaves a VBV
// maxrate of about the bitrate; x264's CBR-like ABR landed 20% under target there (239 of 300 on
// the natural clip), which is why the session runs CRF under that VBV instead (AbrMode). Under
// about 1.48x the usual VBV's maxrate is under the target itself (1.25x: 16-17% under, issue
// 13), and the VBV is shared out for the target instead (kCloseLimitsHeadroom). Over 0.5 s,
// 1.25x leaves too little buffer for x264's B-frames (10-11% under with them, docs/properties.md),
// so x264 opens without them there (BframesForLimits), as without reordering. The test pattern at
// 1.25x with x264's frame threads (3, as x264 picks on two cores) landed 6-7% under: crf 18 coded
// its first 2 s at 175-250 kbit/s, never made up under a maxrate of 306; the steering now starts
// at crf 12 (-1% to -2%; with one thread -3% before, 0% now).
struct LimitCase {
  const char* content;
  double peak;          // the limit over `seconds`, x the bitrate
  double seconds = 1;   // the limit's window
  bool reorder = true;  // AllowFrameReordering
  int threads = 0;      // X264Threads (0: x264's choice, by the machine's cores)
};

class AverageBitRateUnderALimit : public ::testing::TestWithParam<LimitCase> {};

TEST_P(AverageBitRateUnderALimit, LimitHoldsAndTargetReached) {
  const LimitCase& c = GetParam();
  constexpr int kBps = 300000;
  const int limit_bytes = int(kBps * c.peak * c.seconds / 8);
  auto picture = std::string(c.content) == "natural" ? Natural() : Pattern();
  EncodedRun r =
      EncodeRun(kW, kH,
                {{k::kAverageBitRate, Value(kBps)},
                 {k::kDataRateLimits, Value(Array{Value(limit_bytes), Value(c.seconds)})},
                 {k::kAllowFrameReordering, Value(c.reorder)},
                 {k::kX264Threads, Value(c.threads)}},
                kFrames, picture, ConstantRate(30));
  ASSERT_EQ(int(r.frames.size()), kFrames) << Describe(r);
  EXPECT_LE(vtctest::MaxWindowBytes(r, c.seconds), std::size_t(limit_bytes)) << Describe(r);
  EXPECT_NEAR(r.kbps(), kBps / 1000.0, 0.05 * kBps / 1000.0) << Describe(r);
}

INSTANTIATE_TEST_SUITE_P(Content, AverageBitRateUnderALimit,
                         ::testing::Values(LimitCase{"natural", 1.25}, LimitCase{"natural", 1.3},
                                           LimitCase{"natural", 1.25, 2.0},
                                           LimitCase{"natural", 1.25, 0.5},
                                           LimitCase{"natural", 1.25, 0.5, false},
                                           LimitCase{"natural", 1.5}, LimitCase{"pattern", 1.5},
                                           LimitCase{"pattern", 1.25, 1, true, 3},
                                           LimitCase{"natural", 1.8}, LimitCase{"natural", 2.0}),
                         [](const auto& info) {
                           const LimitCase& c = info.param;
                           return std::string(c.content) + "_" +
                                  std::to_string(int(std::lround(c.peak * 100))) + "pct_" +
                                  std::to_string(int(std::lround(c.seconds * 1000))) + "ms" +
                                  (c.reorder ? "" : "_no_reordering") +
                                  (c.threads ? "_threads" + std::to_string(c.threads) : "");
                         });

// Limits too tight for the target (1.1x and 1.0x over 1 s): the limit still holds, and the
// average gets what the VBV allows under it: 9-10% under at 1.1x, 17-18% at 1.0x on the natural
// clip (docs/properties.md). The usual VBV left 27% and 33%.
TEST(DataRateLimits, TightLimitHoldsAndTheAverageGetsWhatItAllows) {
  for (auto [peak, least] : {std::pair{1.1, 0.85}, std::pair{1.0, 0.75}}) {
    constexpr int kBps = 300000;
    const int limit_bytes = int(kBps * peak / 8);
    EncodedRun r = EncodeRun(kW, kH,
                             {{k::kAverageBitRate, Value(kBps)},
                              {k::kDataRateLimits, Value(Array{Value(limit_bytes), Value(1)})}},
                             kFrames, Natural(), ConstantRate(30));
    ASSERT_EQ(int(r.frames.size()), kFrames) << Describe(r);
    EXPECT_LE(vtctest::MaxWindowBytes(r, 1.0), std::size_t(limit_bytes))
        << peak << "x; " << Describe(r);
    EXPECT_GE(r.kbps(), least * kBps / 1000.0) << peak << "x; " << Describe(r);
    EXPECT_LE(r.kbps(), kBps / 1000.0) << peak << "x; " << Describe(r);
  }
}

// A drain mid-stream (CompleteFrames, then more frames) opens a new x264 instance: the limit
// still holds on every window, including those across the drain. Under the close limit the
// average reaches its target too. (At 2x, in the ABR mode, a drain at 6 s of this 12 s clip
// leaves it about 8% under, as before the CRF mode: the loop keeps the gain but not the deficit.)
TEST(DataRateLimits, HoldsAcrossADrain) {
  for (double peak : {1.5, 2.0}) {
    constexpr int kBps = 300000;
    const int limit_bytes = int(kBps * peak / 8);
    EncodedRun r =
        EncodeRun(kW, kH,
                  {{k::kAverageBitRate, Value(kBps)},
                   {k::kDataRateLimits, Value(Array{Value(limit_bytes), Value(1)})}},
                  kFrames, Natural(), ConstantRate(30), [](int i, vtc::CompressionSession& s) {
                    if (i == 180) ASSERT_EQ(s.CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
                  });
    ASSERT_EQ(int(r.frames.size()), kFrames) << Describe(r);
    EXPECT_LE(vtctest::MaxWindowBytes(r, 1.0), std::size_t(limit_bytes))
        << peak << "x; " << Describe(r);
    if (peak < 1.85) EXPECT_NEAR(r.kbps(), kBps / 1000.0, 0.05 * kBps / 1000.0) << Describe(r);
  }
}

// A close limit added to a running AverageBitRate stream stays in the ABR mode until x264 opens
// again; after a drain the new instance runs CRF under the limit, with its own steering, and the
// limit holds from there. The average after the drain is within 10%: the new instance's IDR at 3 s
// and the clip's scene cut at 4 s share one tight second (-7% measured; -20% if the mode stayed).
TEST(DataRateLimits, CloseLimitAddedThenDrainedSwitchesMode) {
  constexpr int kBps = 300000, kLimitBytes = kBps * 3 / 2 / 8;
  EncodedRun r = EncodeRun(
      kW, kH, {{k::kAverageBitRate, Value(kBps)}}, kFrames, Natural(), ConstantRate(30),
      [](int i, vtc::CompressionSession& s) {
        if (i != 90) return;
        ASSERT_EQ(s.SetProperty(k::kDataRateLimits, Value(Array{Value(kLimitBytes), Value(1)})),
                  Status::kNoErr);
        ASSERT_EQ(s.CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
      });
  ASSERT_EQ(int(r.frames.size()), kFrames) << Describe(r);
  EXPECT_LE(vtctest::MaxWindowBytes(DecodedBetween(r, 3.0), 1.0), std::size_t(kLimitBytes))
      << Describe(r);
  EXPECT_NEAR(r.KbpsBetween(3.0, 12.0), kBps / 1000.0, 0.1 * kBps / 1000.0) << Describe(r);
}

// Under a close limit (CRF under the VBV), a new AverageBitRate with a limit to match (as
// WebRTC's VideoToolbox encoder sets them) takes effect as it does without a limit, with no IDR,
// and each limit holds from one second after it was set. With one x264 thread the 5 s after a
// drop from 300 to 200 kbit/s land 3-6% under (seen 188.4-193.6, varying with MALLOC_PERTURB_),
// held to 10%. With frame threads x264's VBV plans for the frames in its other threads
// pessimistically and its sync lookahead takes the change at a point that depends on timing: they
// land 13-15% under (seen 169.8-173.6), held to 20%.
TEST(DataRateLimits, AverageBitRateAndLimitChangedTogether) {
  for (auto [threads, tolerance] : {std::pair{1, 0.10}, std::pair{0, 0.20}}) {
    for (auto [from, to] : {std::pair{300000, 200000}, std::pair{200000, 300000}}) {
      auto limit = [](int bps) { return bps * 3 / 2 / 8; };
      const vtc::Dictionary props{{k::kAverageBitRate, Value(from)},
                                  {k::kDataRateLimits, Value(Array{Value(limit(from)), Value(1)})},
                                  {k::kMaxKeyFrameInterval, Value(100000)},
                                  {k::kX264Threads, Value(threads)}};
      EncodedRun r = EncodeRun(
          kW, kH, props, kFrames, Natural(), ConstantRate(30),
          [to = to, &limit](int i, vtc::CompressionSession& s) {
            if (i != 180) return;
            ASSERT_EQ(s.SetProperty(k::kAverageBitRate, Value(to)), Status::kNoErr);
            ASSERT_EQ(s.SetProperty(k::kDataRateLimits, Value(Array{Value(limit(to)), Value(1)})),
                      Status::kNoErr);
          });
      ASSERT_EQ(int(r.frames.size()), kFrames);
      SCOPED_TRACE(std::to_string(from) + " -> " + std::to_string(to) + ", threads " +
                   std::to_string(threads));
      // The natural clip cuts to a new scene every 4 s (x264 puts an IDR there): none at the
      // change.
      EXPECT_EQ(SyncsAfter(r, 5.9) - SyncsAfter(r, 7.9), 0) << "an IDR at the change";
      EXPECT_LE(vtctest::MaxWindowBytes(DecodedBetween(r, -1e9, 6.0), 1.0),
                std::size_t(limit(from)))
          << Describe(r);
      EXPECT_LE(vtctest::MaxWindowBytes(DecodedBetween(r, 7.0), 1.0), std::size_t(limit(to)))
          << Describe(r);
      EXPECT_NEAR(r.KbpsBetween(1.0, 6.0), from / 1000.0, 0.05 * from / 1000.0);
      EXPECT_NEAR(r.KbpsBetween(7.0, 12.0), to / 1000.0, tolerance * to / 1000.0);
    }
  }
}

// --- ConstantBitRate
// -------------------------------------------------------------------------------

class ConstantBitRate : public ::testing::TestWithParam<const char*> {};

TEST_P(ConstantBitRate, WholeStreamAndEveryWindowWithinTheHrdBounds) {
  const int bps = 300000;
  auto picture = std::string(GetParam()) == "natural" ? Natural()
                 : std::string(GetParam()) == "still"
                     ? std::function<Picture(int)>([](int) { return MakeMovingPicture(kW, kH, 0); })
                     : Pattern();
  EncodedRun r =
      EncodeRun(kW, kH, {{k::kConstantBitRate, Value(bps)}}, kFrames, picture, ConstantRate(30));
  ASSERT_EQ(int(r.frames.size()), kFrames) << Describe(r);
  EXPECT_NEAR(r.kbps(), bps / 1000.0, 0.01 * bps / 1000.0) << Describe(r);
  // The HRD buffer is one second of the rate (docs/properties.md).
  const double buffer_bytes = bps / 8.0;
  for (double t : {1.0, 2.0, 4.0}) {
    const double expected = bps / 8.0 * t;
    EXPECT_LE(double(vtctest::MaxWindowBytes(r, t)), expected + buffer_bytes) << t << " s";
    EXPECT_GE(double(vtctest::MinWindowBytes(r, t)), expected - buffer_bytes) << t << " s";
  }
}

INSTANTIATE_TEST_SUITE_P(Content, ConstantBitRate,
                         ::testing::Values("natural", "pattern", "still"));

TEST(ConstantBitRate, MoreFillerThanX264CanHoldIsCappedNotACrash) {
  // 50 Mbit/s at 1 frame/s on a 54x48 picture: 6 MB of filler per frame. x264 cannot hold that
  // (it corrupts its heap); the session caps the rate instead.
  EncodedRun r = EncodeRun(
      54, 48, {{k::kConstantBitRate, Value(50000000)}}, 3,
      [](int i) { return MakeMovingPicture(54, 48, i); }, ConstantRate(1));
  ASSERT_EQ(r.frames.size(), 3u) << Describe(r);
  EXPECT_EQ(r.errors, 0);
  EXPECT_LT(r.bytes(), std::size_t(50000000 / 8 * 3));
  EXPECT_GT(r.bytes(), 3u * 100000) << "still padded as far as x264 can";
}

// --- Quality
// ---------------------------------------------------------------------------------------

TEST(Quality, HigherNeverGivesASmallerFileOrLowerPsnr) {
  if (!vtctest::FfmpegAvailable()) GTEST_SKIP() << "no ffmpeg";
  const int frames = 60;
  std::vector<Picture> source;
  NaturalSource src(kW, kH);
  for (int i = 0; i < frames; ++i) source.push_back(src.Frame(i));
  std::size_t last_bytes = 0;
  double last_psnr = 0;
  for (double q : {0.0, 0.25, 0.5, 0.75, 0.9, 1.0}) {
    EncodedRun r = EncodeRun(
        kW, kH, {{k::kQuality, Value(q)}, {k::kProfileLevel, Value("H264_High_AutoLevel")}}, frames,
        [&](int i) { return source[i]; }, ConstantRate(30));
    ASSERT_EQ(int(r.frames.size()), frames);
    std::vector<vtc::SampleBufferRef> samples;
    for (const auto& f : r.frames) samples.push_back(f.sample);
    vtctest::Decoded d;
    std::string error;
    ASSERT_TRUE(vtctest::DecodeAnnexB(vtctest::ToAnnexB(samples), &d, &error)) << error;
    ASSERT_EQ(int(d.frames.size()), frames);
    double psnr = 0;
    for (int i = 0; i < frames; ++i) psnr += vtctest::Psnr(source[i], d.frames[i]) / frames;
    EXPECT_GT(r.bytes(), last_bytes) << "quality " << q;
    EXPECT_GT(psnr, last_psnr) << "quality " << q;
    if (q >= 1.0) EXPECT_NEAR(psnr, 100.0, 1e-6) << "1.0 is lossless";
    last_bytes = r.bytes();
    last_psnr = psnr;
  }
}

// --- Key frames
// ------------------------------------------------------------------------------------

TEST(KeyFrames, IntervalAndDurationWhicheverComesFirst) {
  struct KeyCase {
    int interval;
    double duration;
    bool vfr;
    int expect_frames;      // largest distance in frames (0: not checked)
    double expect_seconds;  // largest distance in seconds (0: not checked)
  } cases[] = {
      {24, 0, false, 24, 0},     {0, 0.5, false, 15, 0.5},
      {30, 0.5, false, 15, 0.5},  // the duration comes first
      {10, 2.0, false, 10, 0},    // the interval comes first
      {0, 0.5, true, 0, 0.5},
  };
  for (const KeyCase& c : cases) {
    vtc::Dictionary props;
    if (c.interval) props[k::kMaxKeyFrameInterval] = Value(c.interval);
    if (c.duration > 0) props[k::kMaxKeyFrameIntervalDuration] = Value(c.duration);
    EncodedRun r = EncodeRun(kW, kH, props, 120, Pattern(),
                             c.vfr ? vtctest::VariableRate() : ConstantRate(30));
    ASSERT_EQ(r.frames.size(), 120u);
    vtctest::KeyGaps g = vtctest::KeyFrameGaps(r);
    if (c.expect_frames)
      EXPECT_EQ(g.max_frames, c.expect_frames) << c.interval << "/" << c.duration;
    if (c.expect_seconds > 0) {
      EXPECT_LE(g.max_seconds, c.expect_seconds + 1e-6) << c.interval << "/" << c.duration;
      EXPECT_GT(g.max_seconds, c.expect_seconds * 0.5) << "keys far more often than needed";
    }
  }
}

TEST(KeyFrames, NoTemporalCompressionMakesEveryFrameASyncSample) {
  EncodedRun r = EncodeRun(kW, kH, {{k::kAllowTemporalCompression, Value(false)}}, 30, Natural(),
                           ConstantRate(30));
  ASSERT_EQ(r.frames.size(), 30u);
  for (const auto& f : r.frames) EXPECT_TRUE(f.sync) << "pts " << f.pts;
}

// --- Mid-stream changes
// ----------------------------------------------------------------------------

TEST(MidStream, AverageBitRateTakesEffectWithinOneSecondWithoutAnIdr) {
  for (auto [from, to] : {std::pair{600000, 200000}, std::pair{200000, 600000}}) {
    // No scheduled key frame within the run: an IDR could only come from the change.
    const vtc::Dictionary props{{k::kAverageBitRate, Value(from)},
                                {k::kMaxKeyFrameInterval, Value(100000)}};
    EncodedRun r =
        EncodeRun(kW, kH, props, kFrames, Pattern(), ConstantRate(30),
                  [to = to](int i, vtc::CompressionSession& s) {
                    if (i == 180)
                      ASSERT_EQ(s.SetProperty(k::kAverageBitRate, Value(to)), Status::kNoErr);
                  });
    ASSERT_EQ(int(r.frames.size()), kFrames);
    EXPECT_EQ(SyncsAfter(r, 0.0), 0) << "no IDR after the first";
    const double after = r.KbpsBetween(7.0, 12.0), target = to / 1000.0;
    EXPECT_NEAR(after, target, 0.15 * target) << from << " -> " << to;
    EXPECT_NEAR(r.KbpsBetween(1.0, 6.0), from / 1000.0, 0.15 * from / 1000.0);
  }
}

TEST(MidStream, QualityTakesEffectWithinOneSecondWithoutAnIdr) {
  EncodedRun r = EncodeRun(kW, kH, {{k::kQuality, Value(0.3)}}, 240, Pattern(), ConstantRate(30),
                           [](int i, vtc::CompressionSession& s) {
                             if (i == 120)
                               ASSERT_EQ(s.SetProperty(k::kQuality, Value(0.7)), Status::kNoErr);
                           });
  ASSERT_EQ(r.frames.size(), 240u);
  EXPECT_EQ(SyncsAfter(r, 0.0), 0);
  EXPECT_GT(r.KbpsBetween(5.0, 8.0), 1.5 * r.KbpsBetween(1.0, 4.0));
}

// --- Per-frame QP -------------------------------------------------------------------------------

TEST(FrameQp, MinAndMaxAllowedBoundEveryFrame) {
  // Default threading (frame threads on a multi-core machine): every sample carries its QP.
  for (auto [lo, hi] : {std::pair{30, 34}, std::pair{18, 22}}) {
    EncodedRun r = EncodeRun(kW, kH,
                             {{k::kQuality, Value(0.5)},
                              {k::kMinAllowedFrameQP, Value(lo)},
                              {k::kMaxAllowedFrameQP, Value(hi)}},
                             90, Natural(), ConstantRate(30));
    ASSERT_EQ(r.frames.size(), 90u);
    for (const auto& f : r.frames) {
      EXPECT_GE(f.qp, lo) << "pts " << f.pts;
      EXPECT_LE(f.qp, hi) << "pts " << f.pts;
    }
  }
}

TEST(FrameQp, EachSampleCarriesTheQpInItsSliceHeaders) {
  // x264 reports a QP when it starts a frame, and with frame threads (the default on several
  // cores) it returns an older frame in that call: each sample must carry its own frame's QP.
  // Without adaptive quantization and mb-tree every macroblock, and so every slice header, codes
  // the frame's QP. A bit rate makes the QP vary frame to frame.
  const Value no_aq("aq-mode=0:mbtree=0");
  for (const vtc::Dictionary& props :
       {vtc::Dictionary{{k::kAverageBitRate, Value(250000)}, {k::kX264Options, no_aq}},
        vtc::Dictionary{{k::kAverageBitRate, Value(250000)},
                        {k::kX264Threads, Value(3)},
                        {k::kX264Options, no_aq}},
        vtc::Dictionary{{k::kAverageBitRate, Value(250000)},
                        {k::kMaxFrameDelayCount, Value(4)},
                        {k::kX264Options, no_aq}}}) {
    EncodedRun r = EncodeRun(kW, kH, props, 150, Natural(), ConstantRate(30));
    ASSERT_EQ(r.frames.size(), 150u);
    std::set<int> seen;
    for (const auto& f : r.frames) {
      EXPECT_EQ(f.qp, vtctest::SliceQp(f.sample)) << "pts " << f.pts;
      seen.insert(f.qp);
    }
    EXPECT_GT(seen.size(), 1u) << "the QP should vary";
  }
}

}  // namespace
