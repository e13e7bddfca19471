// SPDX-License-Identifier: GPL-2.0-or-later
// HEVC rate control: AverageBitRate lands on target and follows live changes without a key
// frame (x265's zone reconfiguration; x265enc restarts its encoder and sends an IDR instead),
// DataRateLimits bound every window, ConstantBitRate holds its rate.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "rate_util.h"

#if defined(__SANITIZE_ADDRESS__)
// libx265 3.5 leaks a copy of its parameters at every x265_encoder_open (tests/valgrind has the
// same suppression); only its own allocations are suppressed.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libx265.so\n";
}
#endif

namespace vtctest {
namespace {

using vtc::Dictionary;
using vtc::Value;

constexpr double kFps = 30;

EncodedRun HevcRun(const Dictionary& props, int frames,
                   const std::function<void(int, vtc::CompressionSession&)>& before = {}) {
  NaturalSource src(320, 240, 100000);  // no scene cuts: their IDRs are x265's own
  return EncodeRun(
      320, 240, props, frames, [&](int i) { return src.Frame(i); }, ConstantRate(kFps), before,
      vtc::kCodecType_HEVC);
}

TEST(HevcRate, AverageBitRateLandsOnTarget) {
  for (int kbps : {150, 400}) {
    SCOPED_TRACE(kbps);
    const EncodedRun run = HevcRun({{vtc::key::kAverageBitRate, Value(kbps * 1000)}}, 240);
    ASSERT_EQ(run.errors, 0);
    ASSERT_EQ(run.frames.size(), 240u);
    EXPECT_NEAR(run.kbps(), kbps, kbps * 0.05) << "over " << run.seconds << " s";
  }
}

// A congestion controller's pattern: a new AverageBitRate every 200 ms for a few seconds, then
// held. No key frame after the first; each held second lands near its target; the average of
// the stepping part follows the mean of the asks.
TEST(HevcRate, LiveChangesWithoutKeyFrames) {
  const std::vector<int> steps = {400, 150, 300, 120, 250, 500, 200, 350, 150, 300};
  const int step_frames = 6;  // 200 ms
  const int hold_from = int(steps.size()) * step_frames;
  const int frames = hold_from + 4 * 30;  // then 4 s at the last ask, 300
  const EncodedRun run =
      HevcRun({{vtc::key::kAverageBitRate, Value(steps[0] * 1000)},
               {vtc::key::kAllowFrameReordering, Value(false)},
               {vtc::key::kMaxFrameDelayCount, Value(0)}},
              frames, [&](int i, vtc::CompressionSession& s) {
                if (i > 0 && i < hold_from && i % step_frames == 0)
                  ASSERT_EQ(s.SetProperty(vtc::key::kAverageBitRate,
                                          Value(steps[std::size_t(i / step_frames)] * 1000)),
                            vtc::Status::kNoErr);
              });
  ASSERT_EQ(run.errors, 0);
  ASSERT_EQ(run.frames.size(), std::size_t(frames));
  const KeyGaps gaps = KeyFrameGaps(run);
  EXPECT_EQ(gaps.syncs, 1) << "a bit-rate change made a key frame";
  double mean_ask = 0;
  for (int k : steps) mean_ask += k;
  mean_ask /= double(steps.size());
  const double stepping = run.KbpsBetween(0, hold_from / kFps);
  EXPECT_NEAR(stepping, mean_ask, mean_ask * 0.25);
  // Held at 300 after the steps: the last two seconds land near it.
  const double held = run.KbpsBetween(hold_from / kFps + 2, frames / kFps);
  EXPECT_NEAR(held, 300, 300 * 0.15);
}

// With B-frames (x265's defaults) a bit-rate change restarts x265 instead (zones would cost
// 0.5 dB there: x265_encoder.cpp, ZoneSteered): one IDR per change, no frame lost, and the rate
// follows each step.
TEST(HevcRate, WithReorderingAChangeRestartsWithOneKeyFrame) {
  const EncodedRun run = HevcRun(
      {{vtc::key::kAverageBitRate, Value(400 * 1000)}}, 6 * 30,
      [](int i, vtc::CompressionSession& s) {
        if (i == 60 || i == 120)
          ASSERT_EQ(s.SetProperty(vtc::key::kAverageBitRate, Value(i == 60 ? 120000 : 400000)),
                    vtc::Status::kNoErr);
      });
  ASSERT_EQ(run.errors, 0);
  ASSERT_EQ(run.frames.size(), 180u);
  const KeyGaps gaps = KeyFrameGaps(run);
  EXPECT_EQ(gaps.syncs, 3);
  for (const Coded& f : run.frames)
    if (f.sync)
      EXPECT_TRUE(f.pts < 0.01 || std::fabs(f.pts - 2) < 0.01 || std::fabs(f.pts - 4) < 0.01)
          << "key frame at " << f.pts << " s";
  // A new x265 starts with an IDR and its ABR's first guesses: 176 kbit/s for 120 measured.
  EXPECT_NEAR(run.KbpsBetween(2, 4), 120, 120 * 0.6);
  EXPECT_LT(run.KbpsBetween(2, 4), 0.6 * run.KbpsBetween(0, 2));
  EXPECT_NEAR(run.KbpsBetween(4, 6), 400, 400 * 0.3);
}

// The level in the hvcC (general_level_idc, byte 12).
int HvcCLevel(const Coded& f) {
  const auto& ext = f.sample->format_description()->extensions();
  const Value& atoms = ext.at(vtc::key::kSampleDescriptionExtensionAtoms);
  const vtc::Data& hvcc = atoms.AsDictionary().at(vtc::key::kHvcC).AsData();
  return hvcc.size() > 12 ? hvcc[12] : -1;
}

// x265 writes the level it opens at (from the size and the VBV) and does not check a zone
// against it. A live raise within that level's MaxBR goes through zones, with no key frame; one
// beyond it opens a new x265 at a level that allows it (one IDR), so the stream never claims a
// level its rate breaks. 320x240 at 300 kbit/s opens at level 2 (MaxBR 1500 kbit/s).
TEST(HevcRate, LiveRaisesStayWithinTheLevel) {
  const EncodedRun run = HevcRun(
      {{vtc::key::kAverageBitRate, Value(300 * 1000)},
       {vtc::key::kAllowFrameReordering, Value(false)}},
      90, [](int i, vtc::CompressionSession& s) {
        if (i == 30 || i == 60)
          ASSERT_EQ(s.SetProperty(vtc::key::kAverageBitRate, Value(i == 30 ? 1400000 : 4000000)),
                    vtc::Status::kNoErr);
      });
  ASSERT_EQ(run.errors, 0);
  ASSERT_EQ(run.frames.size(), 90u);
  for (std::size_t i = 0; i < run.frames.size(); ++i) {
    const Coded& f = run.frames[i];
    EXPECT_EQ(f.sync, i == 0 || i == 60) << "frame " << i;
    EXPECT_EQ(HvcCLevel(f), i < 60 ? 60 : 90) << "frame " << i;  // level 2, then 3 (6000)
  }
  EXPECT_GT(run.KbpsBetween(1.4, 2), 600) << "the raise within the level went through zones";
}

// A bit rate above the level's MaxBR but capped by DataRateLimits below it is no reason for a new
// x265: the cap is what x265 was opened with and what it picked its level for.
TEST(HevcRate, LimitsUnderTheLevelDoNotReopen) {
  const vtc::Array limit = {Value(250000), Value(1.0)};  // 2000 kbit/s
  const EncodedRun run =
      HevcRun({{vtc::key::kAverageBitRate, Value(4000 * 1000)},
               {vtc::key::kDataRateLimits, Value(limit)},
               {vtc::key::kAllowFrameReordering, Value(false)}},
              60, [](int i, vtc::CompressionSession& s) {
                if (i == 30)
                  ASSERT_EQ(s.SetProperty(vtc::key::kAverageBitRate, Value(5000 * 1000)),
                            vtc::Status::kNoErr);
              });
  ASSERT_EQ(run.errors, 0);
  ASSERT_EQ(run.frames.size(), 60u);
  EXPECT_EQ(KeyFrameGaps(run).syncs, 1);
}

// Options cannot take the zones the live bit rate needs; RealTime turned on mid-stream reopens
// x265 for it (its preset and zero delay).
TEST(HevcRate, ZonesAreTheSessionsAndRealTimeReopens) {
  Collector c;
  auto s = MakeSession(320, 192, vtc::kPixelFormat_420YpCbCr8Planar, &c,
                       {{vtc::key::kAverageBitRate, Value(300000)}}, vtc::kCodecType_HEVC);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->SetProperty(vtc::key::kX265Options, Value("zones=0,10,b=2.0")),
            vtc::Status::kParameterErr);
  NaturalSource src(320, 192, 100000);
  auto delay = [&] {
    Value v;
    std::int64_t d = -2;
    EXPECT_EQ(s->CopyProperty(vtc::key::kEncoderFrameDelay, &v), vtc::Status::kNoErr);
    v.GetInt(&d);
    return d;
  };
  for (int i = 0; i < 40; ++i) {
    if (i == 20) ASSERT_EQ(s->SetProperty(vtc::key::kRealTime, Value(true)), vtc::Status::kNoErr);
    vtc::PixelBufferRef b = MakePoolBuffer(*s, src.Frame(i));
    ASSERT_TRUE(b);
    ASSERT_EQ(s->EncodeFrame(b, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              vtc::Status::kNoErr);
    if (i == 19) EXPECT_GT(delay(), 0);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), vtc::Status::kNoErr);
  EXPECT_EQ(delay(), 0);
  EXPECT_EQ(c.count(), 40u);
  s->Invalidate();
}

// DataRateLimits is a hard limit for HEVC too, with Quality and under an AverageBitRate above
// what it allows: no window of its length holds more than its bytes, and the limit is used.
TEST(HevcRate, DataRateLimitsHoldInEveryWindow) {
  const EncodedRun free_run = HevcRun({{vtc::key::kQuality, Value(0.8)}}, 150);
  ASSERT_GT(MaxWindowBytes(free_run, 1.0), 20000u * 3 / 2) << "content too easy";
  const vtc::Array limit = {Value(20000), Value(1.0)};
  for (const Dictionary& extra : {Dictionary{{vtc::key::kQuality, Value(0.8)}},
                                  Dictionary{{vtc::key::kAverageBitRate, Value(400000)}}}) {
    Dictionary props = extra;
    props[vtc::key::kDataRateLimits] = Value(limit);
    const EncodedRun run = HevcRun(props, 150);
    ASSERT_EQ(run.errors, 0);
    ASSERT_EQ(run.frames.size(), 150u);
    EXPECT_LE(MaxWindowBytes(run, 1.0), 20000u) << extra.begin()->first;
    EXPECT_GE(run.kbps(), 20000 * 8 / 1000.0 * 0.5) << extra.begin()->first;
  }
}

// With B-frames a running x265 takes no new VBV (no zones): removing the limits opens a new x265
// (one IDR), after which the rate goes back to the AverageBitRate the limits held down.
TEST(HevcRate, WithReorderingRemovingTheLimitsRestarts) {
  const vtc::Array limit = {Value(20000), Value(1.0)};  // 160 kbit/s in any second
  const EncodedRun run = HevcRun(
      {{vtc::key::kAverageBitRate, Value(400 * 1000)}, {vtc::key::kDataRateLimits, Value(limit)}},
      6 * 30, [](int i, vtc::CompressionSession& s) {
        if (i == 60)
          ASSERT_EQ(s.SetProperty(vtc::key::kDataRateLimits, Value()), vtc::Status::kNoErr);
      });
  ASSERT_EQ(run.errors, 0);
  ASSERT_EQ(run.frames.size(), 180u);
  const KeyGaps gaps = KeyFrameGaps(run);
  EXPECT_EQ(gaps.syncs, 2);
  EXPECT_LE(run.KbpsBetween(0, 2), 160 * 1.05);
  EXPECT_GT(run.KbpsBetween(3, 6), 1.5 * 160) << "the limits still hold x265 down";
}

// RealTime on x265. Behind the clock (timestamps 10 us apart) the governor steps x265 down its
// speed levels, each a new x265 (an IDR) with the same parameter sets, so the format description
// never changes and one decoder takes the whole stream; then it drops frames. With time to spare
// (1000 s apart) x265 starts below the top (StartSpeedLevel) and climbs to it once, after 5 s
// worth of frames: two IDRs, nothing dropped. Every frame is answered.
TEST(HevcRate, RealTimeStepsDownThenDropsOnlyWhenBehindTheClock) {
  // Tune grain turns SAO off: the levels must then leave SAO alone, or the SPS would differ.
  for (const char* tune : {"", "grain"})
    for (const double interval : {1e-5, 1000.0}) {
      SCOPED_TRACE(interval);
      SCOPED_TRACE(tune);
      Collector c;
      // Behind the clock it opens at 4000 kbit/s (level 3) and drops to 300 (level 2's) before
      // the first step down: the new x265 must still write level 3.
      const bool behind = interval < 1;
      Dictionary props = {{vtc::key::kRealTime, Value(true)},
                          {vtc::key::kAverageBitRate, Value(behind ? 4000000 : 300000)}};
      if (*tune) props[vtc::key::kX265Tune] = Value(tune);
      auto s = MakeSession(320, 192, vtc::kPixelFormat_420YpCbCr8Planar, &c, props,
                           vtc::kCodecType_HEVC);
      ASSERT_TRUE(s);
      // Each level change opens one new x265 and says so (SwitchLevel).
      auto reopens = std::make_shared<std::atomic<int>>(0);
      s->SetLogHandler([reopens](vtc::LogLevel, const char* message) {
        if (std::strstr(message, "RealTime: x265 speed level")) ++*reopens;
      });
      const int n = behind ? 60 : 200;
      NaturalSource src(320, 192, 100000);
      std::vector<std::int64_t> levels;
      for (int i = 0; i < n; ++i) {
        if (behind && i == 1)
          ASSERT_EQ(s->SetProperty(vtc::key::kAverageBitRate, Value(300000)), vtc::Status::kNoErr);
        vtc::PixelBufferRef b = MakePoolBuffer(*s, src.Frame(i));
        ASSERT_TRUE(b);
        const auto pts = vtc::Time::Make(std::int64_t(std::llround(i * interval * 1e6)), 1000000);
        ASSERT_EQ(s->EncodeFrame(b, pts, vtc::Time::Make(std::int64_t(interval * 1e6) + 1, 1000000),
                                 nullptr, RefconFor(i), nullptr),
                  vtc::Status::kNoErr);
        Value v;
        std::int64_t level = -1;
        if (s->CopyProperty(vtc::key::kRealTimeSpeedLevel, &v) == vtc::Status::kNoErr &&
            v.GetInt(&level) && level >= 0 && (levels.empty() || levels.back() != level))
          levels.push_back(level);
      }
      ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), vtc::Status::kNoErr);
      ASSERT_EQ(c.count(), std::size_t(n));
      Value v;
      std::int64_t dropped = -1, level = -1;
      ASSERT_EQ(s->CopyProperty(vtc::key::kRealTimeFramesDropped, &v), vtc::Status::kNoErr);
      ASSERT_TRUE(v.GetInt(&dropped));
      ASSERT_EQ(s->CopyProperty(vtc::key::kRealTimeSpeedLevel, &v), vtc::Status::kNoErr);
      ASSERT_TRUE(v.GetInt(&level));
      std::size_t flagged = 0;
      for (const Output& o : c.outputs()) flagged += (o.flags & vtc::kEncodeInfo_FrameDropped) != 0;
      EXPECT_EQ(std::int64_t(flagged), dropped);
      const auto samples = c.samples();
      EXPECT_EQ(samples.size() + flagged, std::size_t(n));
      ASSERT_FALSE(samples.empty());
      std::size_t syncs = 0;
      for (const auto& smp : samples) {
        syncs += smp->IsSync();
        EXPECT_TRUE(smp->format_description()->Equals(*samples[0]->format_description()));
      }
      ASSERT_FALSE(levels.empty());
      const std::int64_t top = levels.front();
      EXPECT_GT(top, 0) << "x265 has more than one level";
      if (interval < 1) {
        EXPECT_EQ(level, 0);
        EXPECT_GT(dropped, 0);
        // One IDR at the start and one per level change (only down in 60 frames, at most top
        // of them; the polls may miss one), nothing else (no scene cuts here).
        EXPECT_GE(syncs, levels.size());
        EXPECT_GE(syncs, 2u);
        EXPECT_LE(syncs, std::size_t(1 + top));
      } else {
        ASSERT_EQ(levels.size(), 2u) << "one climb, from the start level to the top";
        EXPECT_EQ(reopens->load(), 1) << "x265 opened at another level than the governor's";
        EXPECT_LT(levels[0], levels[1]);
        EXPECT_EQ(levels[1], level);
        EXPECT_EQ(dropped, 0);
        EXPECT_EQ(syncs, 2u);
      }
      if (FfmpegAvailable()) {
        Decoded d;
        std::string error;
        ASSERT_TRUE(DecodeAnnexB(ToAnnexB(samples), &d, &error, "hevc")) << error;
        EXPECT_EQ(d.frames.size(), samples.size());
      }
      s->Invalidate();
    }
}

}  // namespace
}  // namespace vtctest
