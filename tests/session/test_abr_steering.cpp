// SPDX-License-Identifier: GPL-2.0-or-later
// AbrSteering (session/src/rate_steering.h) against a model of x264 in its CBR-like ABR mode:
// frames come out a lookahead later, each as large as its asked-for share of the rate times a
// gain that depends on the content. The real encoder is covered by test_rate_control; this pins
// down the loop itself, deterministically. Also the choice between the two AverageBitRate modes
// and the fields the CRF-under-limits mode sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "rate_steering.h"
#include "x264_ratecontrol.h"

namespace {

using vtc::AbrSteering;

constexpr double kFps = 25;
constexpr std::int64_t kTimescale = 90000;

struct Result {
  double kbps = 0;  // over the whole run
  double min_ask = 1e9, max_ask = 0;
  int changes = 0;
};

// Runs `seconds` of frames through the model: `gain(i)` is what x264 makes of the asked rate for
// frame i, `delay` frames stay inside it, every `gop`-th frame is an I frame `i_weight` times the
// size of the others (the others shrink so that the gain holds on average). A `ceiling` (kbit/s,
// 0 = none) stands for a VBV: no frame gets more than its share of it, whatever the ask.
Result Simulate(double target, double seconds, int delay, const std::function<double(int)>& gain,
                bool steer = true, int gop = 100, double i_weight = 6,
                const std::function<double(int)>& pts_seconds = nullptr,
                const vtc::SteeringTuning& tuning = vtc::SteeringTuning(), double ceiling = 0) {
  AbrSteering s;
  s.Reset(steer ? target : 0, 1 / kFps, tuning);
  struct InX264 {
    std::int64_t pts;
    double ask;
    int index;
  };
  std::deque<InX264> x264;
  Result r;
  double ask = target, bits = 0;
  const int frames = int(seconds * kFps);
  const double p_share = (gop - i_weight) / (gop - 1.0);  // keeps a GOP's mean at 1
  auto emit = [&] {
    const InX264 f = x264.front();
    x264.pop_front();
    const double share = f.index % gop == 0 ? i_weight : p_share;
    double rate = gain(f.index) * f.ask;
    if (ceiling > 0) rate = std::min(rate, ceiling);
    const double b = rate * 1000 / kFps * share;
    bits += b;
    s.OnOutput(f.pts, std::size_t(b / 8));
  };
  for (int i = 0; i < frames; ++i) {
    if (const double want = s.Next(); want > 0) {
      ask = want;
      ++r.changes;
    }
    r.min_ask = std::min(r.min_ask, ask);
    r.max_ask = std::max(r.max_ask, ask);
    const double t = pts_seconds ? pts_seconds(i) : i / kFps;
    const std::int64_t pts = std::int64_t(std::llround(t * kTimescale));
    s.OnInput(pts, double(pts) / kTimescale, ask);
    x264.push_back({pts, ask, i});
    if (int(x264.size()) > delay) emit();
  }
  while (!x264.empty()) emit();
  r.kbps = bits / 1000 / seconds;
  return r;
}

// x264 at preset medium on natural content: 12-15% under what it is asked for, steadily, with a
// lookahead of about 2 s (docs/benchmark.md).
TEST(AbrSteering, MakesUpForAnEncoderThatStaysUnderTarget) {
  const auto under = [](int) { return 0.86; };
  const Result alone = Simulate(2300, 10, 48, under, false);
  ASSERT_NEAR(alone.kbps, 2300 * 0.86, 0.02 * 2300) << "the model itself";
  const Result steered = Simulate(2300, 10, 48, under);
  EXPECT_NEAR(steered.kbps, 2300, 0.03 * 2300);
  EXPECT_LE(steered.max_ask, 2 * 2300.0);
}

TEST(AbrSteering, BringsDownAnEncoderThatOvershoots) {
  const Result steered = Simulate(600, 12, 20, [](int) { return 1.12; });
  EXPECT_NEAR(steered.kbps, 600, 0.03 * 600);
}

// An encoder that already lands on target is left nearly alone. I frames move the measured gain:
// the first IDR makes it read high for the first seconds (the ask dips about 10%, then recovers),
// later ones by a few percent.
TEST(AbrSteering, LeavesAnAccurateEncoderAlone) {
  const Result r = Simulate(3000, 10, 48, [](int) { return 1.0; });
  EXPECT_NEAR(r.kbps, 3000, 0.02 * 3000);
  EXPECT_GE(r.min_ask, 0.88 * 3000);
  EXPECT_LE(r.max_ask, 1.06 * 3000);
  const Result no_i = Simulate(
      3000, 10, 48, [](int) { return 1.0; }, true, 1 << 20, 1);
  EXPECT_EQ(no_i.changes, 0) << "nothing to correct, nothing corrected";
}

// Easy content spending the VBV's initial fill: 25% over for the first 2 s, then on target. The
// loop takes the excess back without swinging far (each correction is at most 10%).
TEST(AbrSteering, TakesBackAnEarlyExcessWithoutOscillating) {
  const auto early = [](int i) { return i < 2 * kFps ? 1.25 : 1.0; };
  const Result r = Simulate(3000, 10, 48, early);
  EXPECT_NEAR(r.kbps, 3000, 0.04 * 3000);
  EXPECT_GE(r.min_ask, 0.75 * 3000);
  EXPECT_LE(r.max_ask, 1.05 * 3000);
}

// A gain that changes mid-stream (a harder scene) is followed.
TEST(AbrSteering, FollowsAGainThatChanges) {
  const auto scenes = [](int i) { return i < 5 * kFps ? 1.0 : 0.8; };
  const Result r = Simulate(1000, 20, 30, scenes);
  EXPECT_NEAR(r.kbps, 1000, 0.03 * 1000);
}

// With no lookahead (MaxFrameDelayCount 0, tune zerolatency) every frame comes out before the
// next goes in: the loop must still learn frame durations from the timestamps.
TEST(AbrSteering, WorksWithoutAnyFramesInFlight) {
  const Result r = Simulate(1000, 12, 0, [](int) { return 0.85; });
  EXPECT_GT(r.changes, 0);
  EXPECT_NEAR(r.kbps, 1000, 0.03 * 1000);
}

// A 20 s pause in the timestamps is not owed: the frame before it counts for 1 s, as in x264's
// own accounting (MAX_FRAME_DURATION), so the ask rises by about 12% (1 s over the 8 s horizon),
// not to its 1.5x bound as 20 s owed would make it.
TEST(AbrSteering, APauseInTheTimestampsIsNotOwed) {
  const auto with_pause = [](int i) { return i / kFps + (i >= 125 ? 20.0 : 0.0); };
  const Result r = Simulate(
      1000, 10, 10, [](int) { return 1.0; }, true, 1 << 20, 1, with_pause);
  EXPECT_LE(r.max_ask, 1.15 * 1000) << "the loop wound up over the pause";
}

// A 5 fps stream whose frame rate nobody gave (the loop assumes 1/30 s frames until timestamps
// tell): its 0.2 s frames are not pauses, and the loop still steers.
TEST(AbrSteering, ASlowStreamOfUnknownRateIsSteered) {
  AbrSteering s;
  s.Reset(500, 0);
  double ask = 500, bits = 0;
  for (int i = 0; i < 100; ++i) {  // 20 s at 5 fps, x264 making 0.8 of what it is asked for
    if (const double want = s.Next(); want > 0) ask = want;
    s.OnInput(i, i * 0.2, ask);
    const double b = 0.8 * ask * 1000 * 0.2;
    bits += b;
    s.OnOutput(i, std::size_t(b / 8));
  }
  EXPECT_NEAR(bits / 1000 / 20, 500, 0.05 * 500);
}

// Whatever the content does, the ask stays within 0.5x..1.5x the target.
TEST(AbrSteering, TheAskIsBounded) {
  const Result starved = Simulate(1000, 30, 10, [](int) { return 0.1; });
  EXPECT_LE(starved.max_ask, 1.5 * 1000 + 1e-6);
  const Result flooded = Simulate(1000, 30, 10, [](int) { return 5.0; });
  EXPECT_GE(flooded.min_ask, 0.5 * 1000 - 1e-6);
}

// After a drain and a new x264 instance with the same target, the gain is already known: the
// loop corrects without waiting for another warm-up.
TEST(AbrSteering, ResumeKeepsTheGain) {
  AbrSteering s;
  s.Reset(1000, 1 / kFps);
  for (int i = 0; i < 100; ++i) {  // 4 s at a gain of 0.8, no lookahead
    s.OnInput(i, i / kFps, 1000);
    s.OnOutput(i, std::size_t(0.8 * 1000 * 1000 / kFps / 8));
  }
  s.Resume();
  double first = 0;
  for (int i = 100; i < 125 && first == 0; ++i) {  // within the first second after it
    s.OnInput(i, i / kFps, 1000);
    s.OnOutput(i, std::size_t(0.8 * 1000 * 1000 / kFps / 8));
    first = s.Next();
  }
  EXPECT_GT(first, 1000) << "no correction in the first second after Resume";
}

TEST(AbrSteering, OffMeansNoChanges) {
  const Result r = Simulate(
      1000, 10, 10, [](int) { return 0.7; }, false);
  EXPECT_EQ(r.changes, 0);
  AbrSteering s;
  s.Reset(0, 1 / kFps);
  s.OnInput(0, 0, 1000);
  s.OnOutput(0, 100000);
  EXPECT_EQ(s.Next(), 0);
}

// Frames x264 never saw (a PTS the loop does not know) are ignored, not counted.
TEST(AbrSteering, UnknownOutputIsIgnored) {
  AbrSteering s;
  s.Reset(1000, 1 / kFps);
  for (int i = 0; i < 50; ++i) s.OnOutput(i, 1 << 20);
  EXPECT_EQ(s.Next(), 0);
}

// The quick tuning of the CRF-under-limits mode, on the same model (the ask stands for a crf):
// a crf that gives half or twice the target is found within a few seconds, with x264 holding 18
// frames (lookahead 12, 3 frame threads, B-frames). After twice the target for the first second
// the loop pays the excess back, down to about 0.33x for a while; it must not run away. Without
// the start boost, which has tests of its own with a VBV in the model (below): here nothing caps
// the boosted first second, as a VBV always does in this mode.
TEST(AbrSteering, CrfTuningFindsTheRateQuicklyWithoutSwinging) {
  vtc::SteeringTuning quick = vtc::CrfUnderLimitsTuning();
  quick.start_boost = 1;
  const Result half = Simulate(
      300, 12, 18, [](int) { return 0.5; }, true, 100, 6, nullptr, quick);
  EXPECT_NEAR(half.kbps, 300, 0.05 * 300);
  EXPECT_LE(half.max_ask, 2.6 * 300) << "the ideal ask is 2x";
  const Result twice = Simulate(
      300, 12, 18, [](int) { return 2.0; }, true, 100, 6, nullptr, quick);
  EXPECT_NEAR(twice.kbps, 300, 0.05 * 300);
  EXPECT_GE(twice.min_ask, 0.25 * 300) << "the ideal ask is 0.5x";
  // The ABR tuning is too slow for this: it ends 10 s further from the target.
  const Result slow = Simulate(300, 12, 18, [](int) { return 0.5; });
  EXPECT_LT(slow.kbps, 0.9 * 300);
}

// The CRF tuning's start boost: the first Next, before any frame, asks for twice the target.
TEST(AbrSteering, CrfTuningStartsAtTwiceTheTarget) {
  AbrSteering s;
  s.Reset(300, 1 / kFps, vtc::CrfUnderLimitsTuning());
  EXPECT_DOUBLE_EQ(s.Next(), 600);
  EXPECT_DOUBLE_EQ(s.ask(), 600);
  EXPECT_EQ(s.Next(), 0) << "once";
  // Not after a change of target that carries its own ask, nor with the default tuning.
  s.Reset(300, 1 / kFps, vtc::CrfUnderLimitsTuning(), 450);
  EXPECT_EQ(s.Next(), 0);
  s.Reset(300, 1 / kFps);
  EXPECT_EQ(s.Next(), 0);
}

// x264 under a close limit on easy content (the tests' pattern): the target's crf gives 0.55x the
// target, and the VBV holds any crf to 0.97x (95% of a maxrate of 1.02x). What the first seconds
// lose is never made up: the boost keeps them close to the ceiling.
TEST(AbrSteering, CrfTuningBoostSavesTheFirstSecondsUnderACeiling) {
  vtc::SteeringTuning plain = vtc::CrfUnderLimitsTuning();
  plain.start_boost = 1;
  const auto easy = [](int) { return 0.55; };
  const Result without = Simulate(300, 12, 18, easy, true, 100, 3, nullptr, plain, 0.97 * 300);
  const Result with =
      Simulate(300, 12, 18, easy, true, 100, 3, nullptr, vtc::CrfUnderLimitsTuning(), 0.97 * 300);
  EXPECT_LT(without.kbps, 0.95 * 300) << with.kbps;
  EXPECT_GT(with.kbps, 0.96 * 300) << without.kbps;
}

// Where the VBV has room (a ceiling of 1.2x, as for a 1.8x limit over 1 s) the boosted start runs
// over; the stream gets ahead, the boost goes and the excess is paid back.
TEST(AbrSteering, CrfTuningBoostGoesWhereTheVbvHasRoom) {
  for (double gain : {0.5, 1.0, 2.0}) {
    const Result r = Simulate(
        300, 12, 18, [gain](int) { return gain; }, true, 100, 6, nullptr,
        vtc::CrfUnderLimitsTuning(), 1.2 * 300);
    EXPECT_NEAR(r.kbps, 300, 0.03 * 300) << "gain " << gain;
  }
}

// --- AbrMode: ABR (CBR-like) or CRF under the DataRateLimits VBV -------------------------------

vtc::EncoderConfig WithLimit(std::int64_t bps, double peak, double seconds = 1) {
  vtc::EncoderConfig c;
  c.average_bit_rate = bps;
  if (peak > 0) c.data_rate_limits = {{bps * peak * seconds / 8, seconds}};
  return c;
}

TEST(AbrMode, CloseLimitsRunCrfOthersTheCbrLikeAbr) {
  using vtc::AbrMode;
  using vtc::ChooseAbrMode;
  EXPECT_EQ(ChooseAbrMode(WithLimit(300000, 1.25), 30, false), AbrMode::kCrfUnderLimits);
  EXPECT_EQ(ChooseAbrMode(WithLimit(300000, 1.5), 30, false), AbrMode::kCrfUnderLimits);
  EXPECT_EQ(ChooseAbrMode(WithLimit(300000, 1.8), 30, false), AbrMode::kCrfUnderLimits);
  EXPECT_EQ(ChooseAbrMode(WithLimit(300000, 1.0), 30, false), AbrMode::kCrfUnderLimits);
  EXPECT_EQ(ChooseAbrMode(WithLimit(300000, 2.0), 30, false), AbrMode::kCbrLike);
  EXPECT_EQ(ChooseAbrMode(WithLimit(300000, 0), 30, false), AbrMode::kCbrLike);
  // A long window beside a loose short one: the long one decides.
  vtc::EncoderConfig two = WithLimit(300000, 3.0, 0.5);
  two.data_rate_limits.push_back({300000 * 1.2 * 10 / 8, 10.0});
  EXPECT_EQ(ChooseAbrMode(two, 30, false), AbrMode::kCrfUnderLimits);
  // Multi-pass statistics need x264's ABR; CBR is its own mode; no bitrate, no ABR mode at all.
  EXPECT_EQ(ChooseAbrMode(WithLimit(300000, 1.5), 30, true), AbrMode::kCbrLike);
  vtc::EncoderConfig cbr = WithLimit(300000, 1.5);
  cbr.constant_bit_rate = 300000;
  EXPECT_EQ(ChooseAbrMode(cbr, 30, false), AbrMode::kCbrLike);
  EXPECT_EQ(ChooseAbrMode(WithLimit(0, 1.5), 30, false), AbrMode::kCbrLike);
}

TEST(AbrMode, CrfFollowsTheAskOnALogScale) {
  using vtc::CrfForAsk;
  EXPECT_DOUBLE_EQ(CrfForAsk(300, 300), vtc::kLimitsCrf);
  EXPECT_DOUBLE_EQ(CrfForAsk(600, 300), vtc::kLimitsCrf - 6);
  EXPECT_DOUBLE_EQ(CrfForAsk(150, 300), vtc::kLimitsCrf + 6);
  EXPECT_DOUBLE_EQ(CrfForAsk(1e9, 300), 1.0);
  EXPECT_DOUBLE_EQ(CrfForAsk(1e-9, 300), 51.0);
  double last = 100;
  for (double ask = 10; ask < 5000; ask *= 1.07) {
    const double crf = CrfForAsk(ask, 300);
    EXPECT_LE(crf, last) << ask;
    EXPECT_DOUBLE_EQ(crf, std::round(crf * 10) / 10) << "tenths";
    last = crf;
  }
}

TEST(AbrMode, CrfUnderLimitsSetsTheLimitsVbv) {
  x264_param_t p;
  x264_param_default(&p);
  const vtc::EncoderConfig c = WithLimit(300000, 1.5);
  vtc::ApplyRateControl(c, 30, vtc::AbrMode::kCrfUnderLimits, &p);
  EXPECT_EQ(p.rc.i_rc_method, X264_RC_CRF);
  EXPECT_FLOAT_EQ(p.rc.f_rf_constant, float(vtc::kLimitsCrf));
  // The same VBV as without a bitrate: buffer + maxrate x 1 s within 90% of the limit.
  x264_param_t q;
  x264_param_default(&q);
  vtc::EncoderConfig quality = c;
  quality.average_bit_rate = 0;
  vtc::ApplyRateControl(quality, 30, vtc::AbrMode::kCbrLike, &q);
  EXPECT_EQ(p.rc.i_vbv_max_bitrate, q.rc.i_vbv_max_bitrate);
  EXPECT_EQ(p.rc.i_vbv_buffer_size, q.rc.i_vbv_buffer_size);
  EXPECT_LE(p.rc.i_vbv_max_bitrate + p.rc.i_vbv_buffer_size, 0.9 * 450);
  // Limits taken away mid-stream: x264 keeps a VBV, loosened to 2x the bitrate and 2 s.
  vtc::EncoderConfig none = c;
  none.data_rate_limits.clear();
  vtc::ApplyRateControl(none, 30, vtc::AbrMode::kCrfUnderLimits, &p);
  EXPECT_EQ(p.rc.i_rc_method, X264_RC_CRF);
  EXPECT_EQ(p.rc.i_vbv_max_bitrate, 600);
  EXPECT_EQ(p.rc.i_vbv_buffer_size, 600);
}

// A limit under about 1.48x the bit rate over 1 s leaves the usual VBV's maxrate under the
// target (at 1.25x: 0.84x), which no crf reaches: the average landed 16-27% under (issue 13).
// The VBV then takes margin (down to 3%) and buffer (down to 2 frames more than the B-frames)
// for a maxrate of 1.02x the target, within every limit.
vtc::EncoderConfig WithLimits(std::int64_t bps, std::vector<std::pair<double, double>> peaks) {
  vtc::EncoderConfig c;
  c.average_bit_rate = bps;
  for (auto [peak, seconds] : peaks)
    c.data_rate_limits.push_back({bps * peak * seconds / 8, seconds});
  return c;
}

void ExpectWithinLimits(const vtc::EncoderConfig& c, const x264_param_t& p, double margin) {
  for (const auto& [bytes, seconds] : c.data_rate_limits)
    EXPECT_LE(p.rc.i_vbv_buffer_size + p.rc.i_vbv_max_bitrate * seconds, margin * bytes * 8 / 1000)
        << "limit " << bytes << " B / " << seconds << " s";
}

TEST(AbrMode, CloseLimitsLeaveTheTargetInReach) {
  struct Case {
    std::vector<std::pair<double, double>> peaks;  // x the bit rate, seconds
    int bframes;
  } cases[] = {
      {{{1.25, 1}}, 3},
      {{{1.3, 1}}, 3},
      {{{1.45, 1}}, 3},
      {{{1.25, 2}}, 3},
      {{{1.25, 1}}, 0},
      {{{1.25, 0.5}}, 0},
      {{{1.25, 1}, {1.1, 10}}, 3},
  };
  for (const Case& k : cases) {
    const vtc::EncoderConfig c = WithLimits(300000, k.peaks);
    SCOPED_TRACE(::testing::Message() << k.peaks[0].first << "x over " << k.peaks[0].second
                                      << " s, " << k.bframes << " B-frames");
    EXPECT_EQ(vtc::ChooseAbrMode(c, 30, false), vtc::AbrMode::kCrfUnderLimits);
    x264_param_t p;
    x264_param_default(&p);
    p.i_bframe = k.bframes;
    vtc::ApplyRateControl(c, 30, vtc::AbrMode::kCrfUnderLimits, &p);
    EXPECT_GE(p.rc.i_vbv_max_bitrate, 300);
    EXPECT_LE(p.rc.i_vbv_max_bitrate, int(vtc::kCloseLimitsHeadroom * 300));
    ExpectWithinLimits(c, p, vtc::kCloseLimitsMargin);
    const int frames = vtc::CloseLimitsBufferFrames(k.bframes);
    EXPECT_GE(p.rc.i_vbv_buffer_size, frames * p.rc.i_vbv_max_bitrate / 30 - 1);
  }
}

// Tighter limits get the most maxrate they allow with that margin and buffer, still under the
// target; where the target is in reach with the usual VBV (1.5x over 1 s), it stays as it was.
TEST(AbrMode, TightLimitsGetTheMostTheyAllow) {
  for (double peak : {1.1, 1.0}) {
    SCOPED_TRACE(peak);
    const vtc::EncoderConfig c = WithLimit(300000, peak);
    x264_param_t p;
    x264_param_default(&p);
    ASSERT_EQ(p.i_bframe, 3);
    vtc::ApplyRateControl(c, 30, vtc::AbrMode::kCrfUnderLimits, &p);
    const double most = vtc::kCloseLimitsMargin * 300 * peak / (1 + 5.0 / 30);  // 5-frame buffer
    EXPECT_NEAR(p.rc.i_vbv_max_bitrate, most, 1);
    EXPECT_LT(p.rc.i_vbv_max_bitrate, 300);
    EXPECT_GT(p.rc.i_vbv_max_bitrate, 0.8 * 300 * peak) << "the usual VBV's 0.675 x the limit";
    ExpectWithinLimits(c, p, vtc::kCloseLimitsMargin);
  }
  // Without a target, at a frame rate so low that 5 frames are no buffer to take from, and where
  // the target is in reach: the usual VBV, whose bound is 90% of the limit.
  auto vbv = [](const vtc::EncoderConfig& c, double fps) {
    x264_param_t p;
    x264_param_default(&p);
    vtc::ApplyRateControl(c, fps, vtc::ChooseAbrMode(c, fps, false), &p);
    return std::pair{p.rc.i_vbv_max_bitrate, p.rc.i_vbv_buffer_size};
  };
  for (auto [peak, fps] : {std::pair{1.25, 1.0}, std::pair{1.5, 30.0}, std::pair{1.8, 30.0}}) {
    vtc::EncoderConfig c = WithLimit(300000, peak), quality = c;
    quality.average_bit_rate = 0;
    EXPECT_EQ(vbv(c, fps), vbv(quality, fps)) << peak << "x at " << fps << " fps";
  }
}

// A window too short for the buffer the B-frames need next to a maxrate of the target: CRF under
// the limits opens with the most B-frames that leave maxrate at the target (x264 lands at about
// maxrate where the limit binds), and keeps them where nothing is gained, or nothing is enough.
TEST(AbrMode, BframesAsTheLimitsBufferAllows) {
  EXPECT_EQ(vtc::CloseLimitsBufferFrames(0), vtc::kCloseLimitsBufferFrames);
  EXPECT_EQ(vtc::CloseLimitsBufferFrames(1), vtc::kCloseLimitsBufferFramesWithB);
  EXPECT_EQ(vtc::CloseLimitsBufferFrames(3), 5);
  struct Case {
    double peak, seconds;
    int have, want;
  } cases[] = {
      {1.25, 0.5, 3, 0},                     // 3 B-frames: maxrate 0.91x; 2: 0.96x; none: 1.01x
      {1.3, 0.5, 3, 0},                      // 2: 0.995x
      {1.35, 0.5, 3, 2},                     // 3: 0.98x
      {1.4, 0.5, 3, 3},                      // 3: 1.02x
      {1.25, 1, 3, 3},                       // room for them
      {1.25, 2, 3, 3},   {1.1, 1, 3, 3},     // out of reach without them too (0.97x): kept
      {1.2, 0.5, 3, 3},  {1.25, 0.5, 1, 0},  // fewer to start with
      {1.25, 0.5, 0, 0}, {2.0, 0.5, 3, 3},   // the usual VBV reaches the target
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(::testing::Message()
                 << k.peak << "x over " << k.seconds << " s, " << k.have << " B-frames");
    const vtc::EncoderConfig c = WithLimit(300000, k.peak, k.seconds);
    EXPECT_EQ(vtc::BframesForLimits(c, 30, k.have), k.want);
    x264_param_t p;
    x264_param_default(&p);
    p.i_bframe = vtc::BframesForLimits(c, 30, k.have);
    vtc::ApplyRateControl(c, 30, vtc::AbrMode::kCrfUnderLimits, &p);
    ExpectWithinLimits(c, p, vtc::kCloseLimitsMargin);
    if (k.want < k.have) {
      EXPECT_GE(p.rc.i_vbv_max_bitrate, 300);
    }
  }
  // No target: nothing to reach.
  EXPECT_EQ(vtc::BframesForLimits(WithLimit(0, 1.25, 0.5), 30, 3), 3);
}

TEST(AbrMode, LookaheadCappedAtTheBuffersSpan) {
  x264_param_t p;
  x264_param_default_preset(&p, "medium", nullptr);
  p.rc.i_vbv_max_bitrate = 300;
  p.rc.i_vbv_buffer_size = 100;  // 1/3 s: 10 frames at 30 fps
  EXPECT_EQ(p.rc.i_lookahead, 40);
  EXPECT_EQ(vtc::LimitsLookahead(30, p), 12);
  p.rc.i_lookahead = 8;
  EXPECT_EQ(vtc::LimitsLookahead(30, p), 8) << "never raised";
  p.rc.i_lookahead = 40;
  p.rc.i_vbv_buffer_size = 10;  // 1 frame: still room for the B-frames
  EXPECT_EQ(vtc::LimitsLookahead(30, p), p.i_bframe + 1);
  p.rc.i_vbv_max_bitrate = 0;
  EXPECT_EQ(vtc::LimitsLookahead(30, p), 40) << "no VBV, no cap";
}

}  // namespace
