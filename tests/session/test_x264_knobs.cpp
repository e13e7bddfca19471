// SPDX-License-Identifier: GPL-2.0-or-later
// The x264 extension keys (X264SpeedPreset, X264Tune, X264Threads, X264Options) and the automatic
// preset choice. What x264 runs with is read from the session's "x264 settings:" log line, which
// is the "options:" text x264 writes into its version SEI; delay and reordering from the
// EncoderFrameDelay / EncoderReorderDepth keys and the samples' timestamps.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "test_util.h"

using vtc::Status;
using vtc::Value;
using vtctest::Collector;
using vtctest::FrameDuration;
using vtctest::FramePts;
using vtctest::MakeMovingPicture;
using vtctest::RefconFor;
namespace k = vtc::key;

namespace {

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;

// Every line the session logs (the handler runs on the session's threads).
class LogLines {
 public:
  void Attach(vtc::CompressionSession& s) {
    s.SetLogHandler([this](vtc::LogLevel, const char* message) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(message);
    });
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  // The text after the last line starting with `prefix`, or "" if there is none.
  std::string Last(const std::string& prefix) const {
    std::string found;
    for (const auto& l : lines())
      if (l.rfind(prefix, 0) == 0) found = l.substr(prefix.size());
    return found;
  }
  bool Contains(const std::string& text) const {
    for (const auto& l : lines())
      if (l.find(text) != std::string::npos) return true;
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// x264's settings text as a map ("subme" -> "7", ...).
std::map<std::string, std::string> ParseSettings(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const size_t eq = item.find('=');
    if (eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
    start = end + 1;
  }
  return out;
}

struct Opened {
  std::string preset;                           // from the "x264 open:" line
  std::map<std::string, std::string> settings;  // from the "x264 settings:" line
  int64_t delay = -1, reorder = -1;
};

// A session with these keys, opened by PrepareToEncodeFrames (no frames).
Opened Open(const vtc::Dictionary& props, int w = 320, int h = 240) {
  Opened o;
  Collector c;
  auto s = vtctest::MakeSession(w, h, kNV12, &c, props);
  if (!s) return o;
  LogLines log;
  log.Attach(*s);
  EXPECT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
  Value v;
  EXPECT_EQ(s->CopyProperty(k::kEncoderFrameDelay, &v), Status::kNoErr);
  v.GetInt(&o.delay);
  EXPECT_EQ(s->CopyProperty(k::kEncoderReorderDepth, &v), Status::kNoErr);
  v.GetInt(&o.reorder);
  s->Invalidate();
  const std::string open = log.Last("x264 open: ");
  const size_t at = open.find("preset ");
  if (at != std::string::npos) {
    const size_t end = open.find_first_of(", ", at + 7);
    o.preset = open.substr(at + 7, end - at - 7);
  }
  const std::string settings = log.Last("x264 settings: ");
  EXPECT_FALSE(settings.empty()) << "no x264 settings line";
  o.settings = ParseSettings(settings);
  return o;
}

// Encodes `frames` frames and drains; the samples in decode order.
std::vector<vtc::SampleBufferRef> Encode(const vtc::Dictionary& props, int frames, int w = 160,
                                         int h = 96) {
  Collector c;
  auto s = vtctest::MakeSession(w, h, kNV12, &c, props);
  if (!s) return {};
  for (int i = 0; i < frames; ++i) {
    EXPECT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, MakeMovingPicture(w, h, i)), FramePts(i),
                             FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  EXPECT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  return c.samples();
}

bool AnyReordered(const std::vector<vtc::SampleBufferRef>& samples) {
  for (const auto& smp : samples)
    if (smp->decode_time_stamp() != smp->presentation_time_stamp()) return true;
  return false;
}

// x264's subpel refinement differs for every preset: a fingerprint of the preset in use.
const std::map<std::string, std::string> kSubmeOfPreset = {
    {"ultrafast", "0"}, {"superfast", "1"}, {"veryfast", "2"}, {"faster", "4"},
    {"fast", "6"},      {"medium", "7"},    {"slow", "8"},     {"slower", "9"},
    {"veryslow", "10"}, {"placebo", "11"},
};

TEST(X264Knobs, EachSpeedPresetReachesX264) {
  for (const auto& [preset, subme] : kSubmeOfPreset) {
    SCOPED_TRACE(preset);
    const Opened o = Open({{k::kX264SpeedPreset, Value(preset)}}, 160, 96);
    EXPECT_EQ(o.preset, preset);
    EXPECT_EQ(o.settings.count("subme") ? o.settings.at("subme") : "", subme);
  }
}

TEST(X264Knobs, AutoPresetFollowsTheTable) {
  struct Row {
    bool prioritize, real_time;
    double quality;  // < 0: unset
    int64_t bitrate;
    const char* preset;
  };
  const Row rows[] = {
      {false, false, -1, 0, "medium"},
      {false, false, 0.5, 0, "medium"},
      {false, false, 0.75, 0, "medium"},
      {false, false, 0.9, 0, "slow"},
      {false, false, 0.9, 1000000, "medium"},  // a bit rate: Quality does not pick the preset
      // RealTime: the governor's levels, opened from medium (test_speed_governor.cpp).
      {false, true, -1, 0, "auto"},
      {false, true, 0.5, 0, "auto"},
      {false, true, 0.75, 0, "auto"},
      {false, true, 0.75, 1000000, "auto"},
      {true, false, -1, 0, "superfast"},
      {true, true, 0.9, 0, "superfast"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(r.preset) + (r.prioritize ? " prioritize" : "") +
                 (r.real_time ? " realtime" : "") + " q=" + std::to_string(r.quality) +
                 " bitrate=" + std::to_string(r.bitrate));
    vtc::Dictionary props{{k::kPrioritizeEncodingSpeedOverQuality, Value(r.prioritize)},
                          {k::kRealTime, Value(r.real_time)},
                          {k::kAverageBitRate, Value(r.bitrate)}};
    if (r.quality >= 0) props[k::kQuality] = Value(r.quality);
    const Opened o = Open(props, 160, 96);
    EXPECT_EQ(o.preset, r.preset);
    EXPECT_EQ(o.settings.count("subme") ? o.settings.at("subme") : "",
              kSubmeOfPreset.at(r.preset == std::string("auto") ? "medium" : r.preset));
  }
  // An explicit preset wins over the hints.
  const Opened o = Open({{k::kX264SpeedPreset, Value("slower")},
                         {k::kRealTime, Value(true)},
                         {k::kPrioritizeEncodingSpeedOverQuality, Value(true)}},
                        160, 96);
  EXPECT_EQ(o.preset, "slower");
}

TEST(X264Knobs, TuneZeroLatencyHasNoFrameDelay) {
  const Opened plain = Open({});
  EXPECT_GT(plain.delay, 0);
  EXPECT_EQ(plain.reorder, 2);
  const Opened zl = Open({{k::kX264Tune, Value("zerolatency")}});
  EXPECT_EQ(zl.delay, 0);
  EXPECT_EQ(zl.reorder, 0);
  EXPECT_EQ(zl.settings.at("bframes"), "0");
  EXPECT_EQ(zl.settings.at("sliced_threads"), "1");
  // Frame by frame: each sample comes out in order, decode order = display order.
  auto samples = Encode({{k::kX264Tune, Value("zerolatency")}}, 12);
  ASSERT_EQ(samples.size(), 12u);
  EXPECT_FALSE(AnyReordered(samples));
  EXPECT_TRUE(AnyReordered(Encode({}, 12)));
}

TEST(X264Knobs, TunesAndTheirCombinationsReachX264) {
  // film: psy-trellis 0.15; fastdecode: CAVLC, no deblocking; stillimage: deblock -3:-3.
  const Opened film = Open({{k::kX264Tune, Value("film")}}, 160, 96);
  EXPECT_EQ(film.settings.at("psy_rd"), "1.00:0.15");
  EXPECT_EQ(film.settings.at("cabac"), "1");
  const Opened both = Open({{k::kX264Tune, Value("film,fastdecode")}}, 160, 96);
  EXPECT_EQ(both.settings.at("psy_rd"), "1.00:0.15");
  EXPECT_EQ(both.settings.at("cabac"), "0");
  EXPECT_EQ(both.settings.at("deblock").substr(0, 1), "0");
  const Opened still = Open({{k::kX264Tune, Value("stillimage")}}, 160, 96);
  EXPECT_EQ(still.settings.at("deblock"), "1:-3:-3");
}

TEST(X264Knobs, ThreadsReachX264) {
  EXPECT_EQ(Open({{k::kX264Threads, Value(1)}}).settings.at("threads"), "1");
  EXPECT_EQ(Open({{k::kX264Threads, Value(3)}}).settings.at("threads"), "3");
  // 0: x264 decides (not necessarily 1, so only check that it is a number).
  EXPECT_FALSE(Open({{k::kX264Threads, Value(0)}}).settings.at("threads").empty());
}

TEST(X264Knobs, OptionsApplyAfterEveryOtherKey) {
  // bframes=0: no reordering, though the preset has B-frames.
  const Opened o = Open({{k::kX264Options, Value("bframes=0:subme=3")}});
  EXPECT_EQ(o.reorder, 0);
  EXPECT_EQ(o.settings.at("bframes"), "0");
  EXPECT_EQ(o.settings.at("subme"), "3");  // over the preset's 7
  EXPECT_FALSE(AnyReordered(Encode({{k::kX264Options, Value("bframes=0")}}, 12)));
  // Over the keys too: ReferenceBufferCount 4, then ref=2.
  EXPECT_EQ(Open({{k::kReferenceBufferCount, Value(4)}, {k::kX264Options, Value("ref=2")}})
                .settings.at("ref"),
            "2");
  // Over the tune: zerolatency, then B-frames again (and the delay they bring).
  const Opened zl =
      Open({{k::kX264Tune, Value("zerolatency")}, {k::kX264Options, Value("bframes=2")}});
  EXPECT_EQ(zl.settings.at("bframes"), "2");
  EXPECT_GT(zl.delay, 0);
  // But not over what the keys promise: no reordering, all-intra.
  vtc::Dictionary no_reorder;
  no_reorder[k::kAllowFrameReordering] = Value(false);
  no_reorder[k::kX264Options] = Value("bframes=3");
  EXPECT_EQ(Open(no_reorder).reorder, 0);
  vtc::Dictionary all_intra;
  all_intra[k::kAllowTemporalCompression] = Value(false);
  all_intra[k::kX264Options] = Value("keyint=50");
  EXPECT_EQ(Open(all_intra).settings.at("keyint"), "1");
  // Booleans without a value, x264's "no-" prefix and empty items.
  const Opened flags = Open({{k::kX264Options, Value(":no-cabac::weightb=0:")}});
  EXPECT_EQ(flags.settings.at("cabac"), "0");
  EXPECT_EQ(flags.settings.at("weightb"), "0");
}

// AverageBitRate under a close DataRateLimits runs CRF under the limits' VBV, with the lookahead
// cut to the buffer's span (docs/properties.md); options that set the rate control themselves
// keep x264's ABR, since they turn off the steering that the crf mode needs.
TEST(X264Knobs, CloseLimitsRunCrfUnlessOptionsSetTheRate) {
  const vtc::Dictionary close{{k::kAverageBitRate, Value(300000)},
                              {k::kDataRateLimits, Value(vtc::Array{Value(56250), Value(1)})}};
  const Opened crf = Open(close);
  EXPECT_EQ(crf.preset, "medium");
  EXPECT_EQ(crf.settings.at("rc"), "crf");
  EXPECT_EQ(crf.settings.at("vbv_maxrate"), "303");  // 0.75 x 0.9 x 450 kbit
  EXPECT_EQ(crf.settings.at("vbv_bufsize"), "101");
  EXPECT_EQ(crf.settings.at("rc_lookahead"), "12");  // medium's 40, cut to 1.2 x 10 frames
  // x264 calls its ABR with maxrate == bitrate "cbr".
  vtc::Dictionary loose = close;
  loose[k::kDataRateLimits] = Value(vtc::Array{Value(75000), Value(1)});
  EXPECT_EQ(Open(loose).settings.at("rc"), "cbr");
  for (const char* options : {"vbv-bufsize=200", "bitrate=250", "nal-hrd=vbr"}) {
    vtc::Dictionary with = close;
    with[k::kX264Options] = Value(options);
    const Opened o = Open(with);
    EXPECT_NE(o.settings.at("rc"), "crf") << options;
    EXPECT_EQ(o.settings.at("rc_lookahead"), "40") << options;
  }
  vtc::Dictionary own_crf = close;
  own_crf[k::kX264Options] = Value("crf=20");
  const Opened o = Open(own_crf);
  EXPECT_EQ(o.settings.at("crf"), "20.0") << "the options' crf, not the steering's";
  EXPECT_EQ(o.settings.at("rc_lookahead"), "40");
  vtc::Dictionary speed = close;
  speed[k::kX264Options] = Value("subme=3");
  EXPECT_EQ(Open(speed).settings.at("rc"), "crf") << "options that leave the rate alone";
}

// Under a limit that leaves the target out of reach with the usual VBV (1.1x over 1 s here), the
// buffer is at least 2 frames more than the B-frames x264 opens with, whether their number comes
// from the preset, the keys, the options or the delay budget: every reconfiguration computes the
// VBV from the B-frames x264 runs with, and the crf steering runs only while the two agree.
TEST(X264Knobs, TightLimitsVbvFollowsTheBframesX264OpensWith) {
  const vtc::Dictionary tight{{k::kAverageBitRate, Value(300000)},
                              {k::kDataRateLimits, Value(vtc::Array{Value(41250), Value(1)})}};
  const Opened medium = Open(tight);
  EXPECT_EQ(medium.settings.at("rc"), "crf");
  EXPECT_EQ(medium.settings.at("bframes"), "3");
  EXPECT_EQ(medium.settings.at("vbv_maxrate"), "274");  // 0.97 x 330 kbit / (1 s + 5 frames)
  EXPECT_EQ(medium.settings.at("vbv_bufsize"), "45");
  vtc::Dictionary keys = tight;
  keys[k::kAllowFrameReordering] = Value(false);
  vtc::Dictionary options = tight;
  options[k::kX264Options] = Value("bframes=0");
  for (const vtc::Dictionary& props : {keys, options}) {
    const Opened o = Open(props);
    EXPECT_EQ(o.settings.at("rc"), "crf");
    EXPECT_EQ(o.settings.at("bframes"), "0");
    EXPECT_EQ(o.settings.at("vbv_maxrate"), "290");  // 0.97 x 330 kbit / (1 s + 3 frames)
    EXPECT_EQ(o.settings.at("vbv_bufsize"), "29");
  }
  vtc::Dictionary budget = tight;
  budget[k::kMaxFrameDelayCount] = Value(4);  // room for 1 B-frame
  const Opened one = Open(budget);
  EXPECT_EQ(one.settings.at("rc"), "crf");
  EXPECT_EQ(one.settings.at("bframes"), "1");
  EXPECT_EQ(one.settings.at("vbv_maxrate"), "282");  // 0.97 x 330 kbit / (1 s + 4 frames)
  EXPECT_EQ(one.settings.at("vbv_bufsize"), "37");
}

// Over a window too short for the buffer x264's B-frames need next to a maxrate of the target
// (1.25x over 0.5 s: with medium's 3 B-frames maxrate was 0.91x the target and the average 10-11%
// under, issue 13), CRF under the limits opens x264 with as many B-frames as leave maxrate at the
// target, here none, and the session reports the reordering and delay x264 really has. B-frames
// set in X264Options are kept, and so are the defaults where even no B-frames leave the target
// out of reach (1.1x over 1 s, above) or where the window leaves room for them (1.4x over 0.5 s).
TEST(X264Knobs, ShortWindowLimitsOpenWithTheBframesTheBufferAllows) {
  auto limit = [](double peak, double seconds) {
    return vtc::Dictionary{
        {k::kAverageBitRate, Value(300000)},
        {k::kDataRateLimits,
         Value(vtc::Array{Value(int(300000 * peak * seconds / 8)), Value(seconds)})}};
  };
  const Opened reference = Open({{k::kAverageBitRate, Value(300000)}});
  ASSERT_EQ(reference.settings.at("bframes"), "3");
  ASSERT_GT(reference.reorder, 0);
  const Opened short_window = Open(limit(1.25, 0.5));
  EXPECT_EQ(short_window.settings.at("rc"), "crf");
  EXPECT_EQ(short_window.settings.at("bframes"), "0");
  EXPECT_GE(std::stoi(short_window.settings.at("vbv_maxrate")), 300);
  EXPECT_EQ(short_window.reorder, 0);
  EXPECT_LT(short_window.delay, reference.delay);
  const Opened some = Open(limit(1.35, 0.5));
  EXPECT_EQ(some.settings.at("bframes"), "2");
  EXPECT_GE(std::stoi(some.settings.at("vbv_maxrate")), 300);
  EXPECT_EQ(Open(limit(1.4, 0.5)).settings.at("bframes"), "3");
  EXPECT_EQ(Open(limit(1.25, 1)).settings.at("bframes"), "3");
  vtc::Dictionary options = limit(1.25, 0.5);
  options[k::kX264Options] = Value("bframes=3");
  const Opened kept = Open(options);
  EXPECT_EQ(kept.settings.at("bframes"), "3");
  EXPECT_LT(std::stoi(kept.settings.at("vbv_maxrate")), 300);
  EXPECT_GT(kept.reorder, 0);
}

TEST(X264Knobs, MaxFrameDelayCountHoldsWhateverTheOptionsSay) {
  for (int budget : {0, 3}) {
    SCOPED_TRACE(budget);
    const Opened o = Open(
        {{k::kMaxFrameDelayCount, Value(budget)},
         {k::kX264Options, Value("bframes=8:rc-lookahead=60:sync-lookahead=10:sliced-threads=0")}});
    EXPECT_GE(o.delay, 0);
    EXPECT_LE(o.delay, budget);
  }
}

TEST(X264Knobs, BadTunesAndOptionsAreParameterErrorsKeepingTheOldValue) {
  Collector c;
  auto s = vtctest::MakeSession(64, 48, kNV12, &c);
  ASSERT_TRUE(s);
  LogLines log;
  log.Attach(*s);
  ASSERT_EQ(s->SetProperty(k::kX264Options, Value("bframes=1")), Status::kNoErr);
  ASSERT_EQ(s->SetProperty(k::kX264Tune, Value("film")), Status::kNoErr);
  struct Bad {
    const char* key;
    const char* value;
    const char* named;  // what the log message must name
  };
  for (const Bad& b :
       {Bad{k::kX264Options, "ref=2:nosuchoption=1", "'nosuchoption'"},
        Bad{k::kX264Options, "bframes=lots", "'bframes=lots'"},
        Bad{k::kX264Options, "subme", "'subme'"}, Bad{k::kX264Options, "annexb=1", "'annexb=1'"},
        Bad{k::kX264Options, "repeat-headers", "'repeat-headers'"},
        Bad{k::kX264Tune, "turbo", "'turbo'"}, Bad{k::kX264Tune, "film,grain", "film,grain"},
        Bad{k::kX264SpeedPreset, "ludicrous", "ludicrous"}}) {
    SCOPED_TRACE(std::string(b.key) + "=" + b.value);
    EXPECT_EQ(s->SetProperty(b.key, Value(b.value)), Status::kParameterErr);
    EXPECT_TRUE(log.Contains(b.named)) << "no log message naming " << b.named;
  }
  Value v;
  ASSERT_EQ(s->CopyProperty(k::kX264Options, &v), Status::kNoErr);
  EXPECT_EQ(v, Value("bframes=1"));
  ASSERT_EQ(s->CopyProperty(k::kX264Tune, &v), Status::kNoErr);
  EXPECT_EQ(v, Value("film"));
  // Still usable, with the old values.
  ASSERT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
  EXPECT_EQ(ParseSettings(log.Last("x264 settings: ")).at("bframes"), "1");
}

TEST(X264Knobs, OptionsThatX264RefusesAtOpenFailPrepareToEncodeFrames) {
  // Parses, but x264_encoder_open refuses a crop larger than the picture.
  Collector c;
  auto s = vtctest::MakeSession(64, 48, kNV12, &c);
  ASSERT_TRUE(s);
  s->SetLogHandler([](vtc::LogLevel, const char*) {});
  ASSERT_EQ(s->SetProperty(k::kX264Options, Value("crop-rect=0,0,200,0")), Status::kNoErr);
  EXPECT_EQ(s->PrepareToEncodeFrames(), Status::kParameterErr);
}

TEST(X264Knobs, PrepareThenNanosecondFramesOpensX264Once) {
  // A second open after PrepareToEncodeFrames re-faults all of x264's memory (3% of a 1080p
  // encode). GStreamer's timestamps (nanoseconds, with the caps' frame rate) must not need it;
  // another timescale still works, by opening again.
  for (const int32_t timescale : {1000000000, 90000}) {
    SCOPED_TRACE(timescale);
    Collector c;
    auto s = vtctest::MakeSession(160, 96, kNV12, &c, {{k::kExpectedFrameRate, Value(30)}});
    ASSERT_TRUE(s);
    LogLines log;
    log.Attach(*s);
    ASSERT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
    for (int i = 0; i < 5; ++i) {
      const vtc::Time pts = vtc::Time::Make(int64_t(i) * timescale / 30, timescale);
      ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, MakeMovingPicture(160, 96, i)), pts,
                               vtc::Time::Make(timescale / 30, timescale), nullptr, RefconFor(i),
                               nullptr),
                Status::kNoErr);
    }
    ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    EXPECT_EQ(c.count(), 5u);
    const auto lines = log.lines();
    const auto opens = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
      return l.rfind("x264 open: ", 0) == 0;
    });
    EXPECT_EQ(opens, timescale == 1000000000 ? 1 : 2);
  }
}

TEST(X264Knobs, OnlyTheSpeedPresetChangesBetweenFrames) {
  Collector c;
  const int w = 160, h = 96;
  auto s = vtctest::MakeSession(w, h, kNV12, &c);
  ASSERT_TRUE(s);
  LogLines log;
  log.Attach(*s);
  for (int i = 0; i < 20; ++i) {
    if (i == 10) {
      EXPECT_EQ(s->SetProperty(k::kX264SpeedPreset, Value("ultrafast")), Status::kNoErr);
      EXPECT_EQ(s->SetProperty(k::kX264Tune, Value("zerolatency")), Status::kPropertyReadOnlyErr);
      EXPECT_EQ(s->SetProperty(k::kX264Threads, Value(1)), Status::kPropertyReadOnlyErr);
      EXPECT_EQ(s->SetProperty(k::kX264Options, Value("bframes=0")), Status::kPropertyReadOnlyErr);
    }
    ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, MakeMovingPicture(w, h, i)), FramePts(i),
                             FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto samples = c.samples();
  ASSERT_EQ(samples.size(), 20u);
  EXPECT_TRUE(log.Contains("X264Options cannot change once frames have been encoded"));
  // Reconfigured in place: no new x264 instance, so no second IDR.
  EXPECT_EQ(
      std::count_if(samples.begin(), samples.end(), [](const auto& x) { return x->IsSync(); }), 1);
}

}  // namespace

// CalculateMeanSquaredError turns x264's PSNR on, and x264 then warns that PSNR with psy is no
// benchmark: the user asked for the measurement, so that is no warning of the session's (it
// stays in the debug log).
TEST(X264Knobs, MeanSquaredErrorIsNoPsnrBenchmarkWarning) {
  Collector c;
  auto s = vtctest::MakeSession(160, 96, kNV12, &c, {{k::kCalculateMeanSquaredError, Value(true)}});
  ASSERT_TRUE(s);
  std::mutex mu;
  std::vector<std::string> warnings, all;
  s->SetLogHandler([&](vtc::LogLevel level, const char* message) {
    std::lock_guard<std::mutex> lock(mu);
    all.emplace_back(message);
    if (level <= vtc::LogLevel::kWarning) warnings.emplace_back(message);
  });
  ASSERT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
  s->Invalidate();
  std::lock_guard<std::mutex> lock(mu);
  for (const std::string& w : warnings) EXPECT_EQ(w.find("psnr"), std::string::npos) << w;
  bool seen = false;
  for (const std::string& l : all)
    seen = seen || l.find("--psnr used with psy") != std::string::npos;
  EXPECT_TRUE(seen) << "x264's message no longer comes at all: this test checks nothing";
}
