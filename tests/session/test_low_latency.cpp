// SPDX-License-Identifier: GPL-2.0-or-later
// EnableLowLatencyRateControl (no B-frames, no lookahead, a one-frame VBV, an endless GOP with key
// frames only on request) and the IntraRefresh extension with its ForceIntraRefresh frame option
// (docs/properties.md). What x264 runs with comes from the session's "x264 settings:" log line,
// the "options:" text of x264's version SEI; the rest from the samples: their NAL units, sync
// flags and timestamps, and an ffmpeg decode of the whole stream.
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
namespace k = vtc::key;

namespace {

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;
constexpr int kW = 160, kH = 96;

// The text after the last "x264 settings: " line the session logged, as a map ("bframes" ->
// "0", ...).
class Settings {
 public:
  void Attach(vtc::CompressionSession& s) {
    s.SetLogHandler([this](vtc::LogLevel, const char* message) {
      static const std::string kPrefix = "x264 settings: ";
      const std::string line = message;
      if (line.rfind(kPrefix, 0) != 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      last_.clear();
      const std::string text = line.substr(kPrefix.size());
      size_t start = 0;
      while (start < text.size()) {
        size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        const std::string item = text.substr(start, end - start);
        const size_t eq = item.find('=');
        if (eq != std::string::npos) last_[item.substr(0, eq)] = item.substr(eq + 1);
        start = end + 1;
      }
    });
  }
  std::map<std::string, std::string> last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> last_;
};

// A session with the encoder specification and keys; samples go to *c, settings to *log.
std::shared_ptr<vtc::CompressionSession> Make(bool low_latency, const vtc::Dictionary& props,
                                              Collector* c, Settings* log) {
  vtc::Dictionary spec{{k::kEnableLowLatencyRateControl, Value(low_latency)}};
  vtc::Dictionary attrs{{k::kPixelFormatType, Value(static_cast<long long>(kNV12))}};
  std::shared_ptr<vtc::CompressionSession> s;
  if (vtc::CompressionSession::Create(kW, kH, vtc::kCodecType_H264, &spec, &attrs,
                                      &Collector::Callback, c, &s) != Status::kNoErr) {
    ADD_FAILURE() << "Create failed";
    return nullptr;
  }
  log->Attach(*s);
  if (!props.empty() && s->SetProperties(props) != Status::kNoErr) {
    ADD_FAILURE() << "SetProperties failed";
    return nullptr;
  }
  return s;
}

// What x264 opens with for these keys (PrepareToEncodeFrames, no frames), and the session's
// EncoderFrameDelay.
std::map<std::string, std::string> Opened(bool low_latency, const vtc::Dictionary& props,
                                          int64_t* delay = nullptr) {
  Collector c;
  Settings log;
  auto s = Make(low_latency, props, &c, &log);
  if (!s) return {};
  EXPECT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
  if (delay) {
    Value v;
    EXPECT_EQ(s->CopyProperty(k::kEncoderFrameDelay, &v), Status::kNoErr);
    v.GetInt(delay);
  }
  s->Invalidate();
  auto settings = log.last();
  EXPECT_FALSE(settings.empty()) << "no x264 settings line";
  return settings;
}

// The moving test picture, with a scene cut every 50 frames (every other stretch inverted and
// shifted), where x264 with its defaults would start a new GOP.
vtctest::Picture CutPicture(int i) {
  const int scene = i / 50;
  vtctest::Picture p = vtctest::MakeMovingPicture(kW, kH, i + scene * 37);
  if (scene % 2) {
    for (auto& v : p.y) v = uint8_t(255 - v);
    for (auto& v : p.u) v = uint8_t(255 - v);
  }
  return p;
}

// Frame options per frame index.
using Options = std::map<int, vtc::Dictionary>;

// Encodes frames [0, n) with the options, then CompleteFrames; the samples in decode order.
std::vector<vtc::SampleBufferRef> Encode(vtc::CompressionSession& s, Collector& c, int n,
                                         const Options& options = {}) {
  for (int i = 0; i < n; ++i) {
    auto it = options.find(i);
    EXPECT_EQ(
        s.EncodeFrame(vtctest::MakePoolBuffer(s, CutPicture(i)), FramePts(i), FrameDuration(),
                      it == options.end() ? nullptr : &it->second, vtctest::RefconFor(i), nullptr),
        Status::kNoErr);
  }
  EXPECT_EQ(s.CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  return c.samples();
}

int FrameIndex(const vtc::SampleBufferRef& smp) {
  return int(smp->presentation_time_stamp().ConvertScale(30).value);
}

// Frame indices of the sync samples, and of the samples with an IDR slice (NAL type 5).
std::vector<int> SyncFrames(const std::vector<vtc::SampleBufferRef>& samples) {
  std::vector<int> out;
  for (const auto& smp : samples)
    if (smp->IsSync()) out.push_back(FrameIndex(smp));
  return out;
}
std::vector<int> IdrFrames(const std::vector<vtc::SampleBufferRef>& samples) {
  std::vector<int> out;
  for (const auto& smp : samples) {
    const auto types = vtctest::NalTypes(smp);
    if (std::count(types.begin(), types.end(), 5)) out.push_back(FrameIndex(smp));
  }
  return out;
}

// Frames that start an intra-refresh wave: x264 gives them a recovery-point SEI (payload type 6)
// and, as P frames, no IDR slice.
std::vector<int> WaveStarts(const std::vector<vtc::SampleBufferRef>& samples) {
  std::vector<int> out;
  for (const auto& smp : samples) {
    bool recovery = false, idr = false;
    for (const auto& nal : vtctest::SplitAvcc(smp)) {
      const int type = nal[0] & 0x1f;
      recovery |= type == 6 && nal.size() > 1 && nal[1] == 6;
      idr |= type == 5;
    }
    if (recovery && !idr) out.push_back(FrameIndex(smp));
  }
  return out;
}

// The whole stream decodes, every frame.
void ExpectDecodes(const std::vector<vtc::SampleBufferRef>& samples, size_t frames) {
  if (!vtctest::FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  vtctest::Decoded d;
  std::string error;
  ASSERT_TRUE(vtctest::DecodeAnnexB(vtctest::ToAnnexB(samples), &d, &error)) << error;
  EXPECT_EQ(d.frames.size(), frames);
}

const Options kForceKeyAt150{{150, {{k::kForceKeyFrame, Value(true)}}}};

TEST(LowLatency, OpensX264WithoutLookaheadOrKeyframesOfItsOwnAndAOneFrameVbv) {
  // 300 kbit/s at 30 frames/s: one frame is 10 kbit. The options and the lookahead key ask for
  // what low-latency rate control rules out; the rules hold.
  const vtc::Dictionary props{
      {k::kAverageBitRate, Value(300000)},
      {k::kExpectedFrameRate, Value(30)},
      {k::kSuggestedLookAheadFrameCount, Value(20)},
      {k::kX264Options, Value("bframes=3:rc-lookahead=30:mbtree=1:scenecut=40:keyint=60")}};
  int64_t delay = -1;
  auto o = Opened(true, props, &delay);
  EXPECT_EQ(o["bframes"], "0");
  EXPECT_EQ(o["rc_lookahead"], "0");
  EXPECT_EQ(o["mbtree"], "0");
  EXPECT_EQ(o["keyint"], "infinite");
  EXPECT_EQ(o["scenecut"], "0");
  EXPECT_EQ(o["intra_refresh"], "0");
  EXPECT_EQ(o["vbv_maxrate"], "300");
  EXPECT_EQ(o["vbv_bufsize"], "10");
  // Nothing held back: no lookahead, slice threads, rate control by the frame.
  EXPECT_EQ(delay, 0);

  // The same keys without it: x264's own choices.
  auto normal = Opened(false, props, &delay);
  EXPECT_NE(normal["rc_lookahead"], "0");
  EXPECT_NE(normal["vbv_bufsize"], "10");
  EXPECT_GT(delay, 0);
}

TEST(LowLatency, WithoutABitRateIsCrfWithoutVbv) {
  auto o = Opened(true, {});
  EXPECT_EQ(o["rc"], "crf");
  EXPECT_EQ(o.count("vbv_maxrate"), 0u);
  EXPECT_EQ(o["bframes"], "0");
  EXPECT_EQ(o["mbtree"], "0");
  EXPECT_EQ(o["keyint"], "infinite");
  // Under DataRateLimits the buffer is one frame of the limits' maxrate.
  o = Opened(true, {{k::kDataRateLimits, Value(vtc::Array{Value(50000), Value(1)})},
                    {k::kExpectedFrameRate, Value(30)}});
  ASSERT_TRUE(o.count("vbv_maxrate"));
  const int maxrate = std::stoi(o["vbv_maxrate"]);
  EXPECT_EQ(std::stoi(o["vbv_bufsize"]), (maxrate + 29) / 30);
}

TEST(LowLatency, OnlyTheFirstFrameIsAKeyFrameUnlessOneIsForced) {
  Collector c;
  Settings log;
  auto s = Make(true, {{k::kAverageBitRate, Value(300000)}}, &c, &log);
  ASSERT_TRUE(s);
  // Scene cuts every 50 frames: x264 would start a GOP at each.
  auto samples = Encode(*s, c, 300);
  ASSERT_EQ(samples.size(), 300u);
  EXPECT_EQ(SyncFrames(samples), std::vector<int>{0});
  EXPECT_EQ(IdrFrames(samples), std::vector<int>{0});
  for (const auto& smp : samples)
    EXPECT_EQ(smp->decode_time_stamp(), smp->presentation_time_stamp()) << "reordered";
  ExpectDecodes(samples, 300);

  // A forced key frame, coded within the one-frame buffer like every other frame: no spike
  // (with the usual 2 s buffer x264 makes it several times a frame's share).
  Collector c2;
  constexpr int kBitRate = 100000;
  auto forced = Make(true, {{k::kAverageBitRate, Value(kBitRate)}}, &c2, &log);
  ASSERT_TRUE(forced);
  samples = Encode(*forced, c2, 300, kForceKeyAt150);
  EXPECT_EQ(SyncFrames(samples), (std::vector<int>{0, 150}));
  EXPECT_EQ(IdrFrames(samples), (std::vector<int>{0, 150}));
  const size_t share = kBitRate / 8 / 30;
  for (const auto& smp : samples) EXPECT_LE(smp->size(), 2 * share) << "frame " << FrameIndex(smp);
  ExpectDecodes(samples, 300);
}

TEST(LowLatency, CombinesWithRealTime) {
  // RealTime opens x264 for its speed governor (at most 3 frames of delay); low-latency rate
  // control cuts that to none and keeps its rules while the governor changes x264's analysis.
  Collector c;
  Settings log;
  auto s = Make(true, {{k::kAverageBitRate, Value(300000)}, {k::kRealTime, Value(true)}}, &c, &log);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
  Value v;
  ASSERT_EQ(s->CopyProperty(k::kEncoderFrameDelay, &v), Status::kNoErr);
  EXPECT_EQ(v, Value(0));
  auto o = log.last();
  EXPECT_EQ(o["bframes"], "0");
  EXPECT_EQ(o["rc_lookahead"], "0");
  EXPECT_EQ(o["keyint"], "infinite");
  EXPECT_EQ(o["scenecut"], "0");
  EXPECT_EQ(o["vbv_bufsize"], "10");
  auto samples = Encode(*s, c, 120, {{60, {{k::kForceKeyFrame, Value(true)}}}});
  ASSERT_EQ(s->CopyProperty(k::kRealTimeSpeedLevel, &v), Status::kNoErr);
  int64_t level = -1;
  v.GetInt(&level);
  EXPECT_GE(level, 0) << "the speed governor is not running";
  int64_t dropped = 0;
  ASSERT_EQ(s->CopyProperty(k::kRealTimeFramesDropped, &v), Status::kNoErr);
  v.GetInt(&dropped);
  // Dropped frames (a slow machine) are answered without a sample; the key frames are never
  // dropped.
  EXPECT_EQ(samples.size() + size_t(dropped), 120u);
  EXPECT_EQ(SyncFrames(samples), (std::vector<int>{0, 60}));
  ExpectDecodes(samples, samples.size());
}

TEST(IntraRefresh, WavesInsteadOfKeyFrames) {
  Collector c;
  Settings log;
  // x264's defaults otherwise (B-frames, lookahead); scene cuts every 50 frames.
  auto s =
      Make(false, {{k::kIntraRefresh, Value(true)}, {k::kExpectedFrameRate, Value(30)}}, &c, &log);
  ASSERT_TRUE(s);
  auto samples = Encode(*s, c, 300);
  ASSERT_EQ(samples.size(), 300u);
  auto o = log.last();
  EXPECT_EQ(o["intra_refresh"], "1");
  EXPECT_EQ(o["keyint"], "30");  // one wave a second
  EXPECT_EQ(o["scenecut"], "0");
  EXPECT_EQ(SyncFrames(samples), std::vector<int>{0});
  EXPECT_EQ(IdrFrames(samples), std::vector<int>{0});
  // A wave every 30 frames (frame numbers in x264's coding order, so not exactly 30 apart).
  const auto waves = WaveStarts(samples);
  EXPECT_GE(waves.size(), 8u);
  EXPECT_LE(waves.size(), 10u);
  ExpectDecodes(samples, 300);
}

TEST(IntraRefresh, TheIntervalKeysSetTheWavePeriod) {
  EXPECT_EQ(Opened(false, {{k::kIntraRefresh, Value(true)},
                           {k::kMaxKeyFrameInterval, Value(90)}})["keyint"],
            "90");
  EXPECT_EQ(Opened(false, {{k::kIntraRefresh, Value(true)},
                           {k::kExpectedFrameRate, Value(25)},
                           {k::kMaxKeyFrameIntervalDuration, Value(2.0)}})["keyint"],
            "50");
  EXPECT_EQ(Opened(false, {{k::kIntraRefresh, Value(true)}})["keyint"], "30");  // rate unknown
}

TEST(IntraRefresh, ForceIntraRefreshStartsAWaveAndForceKeyFrameStillGivesAnIdr) {
  Collector c;
  Settings log;
  // Low latency: each frame is coded as it comes, so the wave starts at the frame that asks.
  // Waves 1000 frames apart: none of its own in 300 frames.
  auto s = Make(true,
                {{k::kIntraRefresh, Value(true)},
                 {k::kMaxKeyFrameInterval, Value(1000)},
                 {k::kAverageBitRate, Value(300000)}},
                &c, &log);
  ASSERT_TRUE(s);
  const Options options{{100, {{k::kForceIntraRefresh, Value(true)}}},
                        {200, {{k::kForceKeyFrame, Value(true)}}},
                        {250, {{k::kForceIntraRefresh, Value(true)}}}};
  auto samples = Encode(*s, c, 300, options);
  ASSERT_EQ(samples.size(), 300u);
  EXPECT_EQ(log.last()["intra_refresh"], "1");
  EXPECT_EQ(WaveStarts(samples), (std::vector<int>{100, 250}));
  EXPECT_EQ(SyncFrames(samples), (std::vector<int>{0, 200}));
  EXPECT_EQ(IdrFrames(samples), (std::vector<int>{0, 200}));
  ExpectDecodes(samples, 300);
}

TEST(IntraRefresh, WithoutItForceIntraRefreshIsAKeyFrame) {
  Collector c;
  Settings log;
  auto s = Make(true, {{k::kAverageBitRate, Value(300000)}}, &c, &log);
  ASSERT_TRUE(s);
  auto samples = Encode(*s, c, 60, {{30, {{k::kForceIntraRefresh, Value(true)}}}});
  EXPECT_EQ(SyncFrames(samples), (std::vector<int>{0, 30}));
  EXPECT_TRUE(WaveStarts(samples).empty());
  // Not a boolean: refused, as ForceKeyFrame.
  const vtc::Dictionary bad{{k::kForceIntraRefresh, Value("yes")}};
  EXPECT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, CutPicture(60)), FramePts(60),
                           FrameDuration(), &bad, nullptr, nullptr),
            Status::kParameterErr);
}

TEST(IntraRefresh, TheFirstFrameAfterADrainIsAnIdr) {
  Collector c;
  Settings log;
  auto s =
      Make(true, {{k::kIntraRefresh, Value(true)}, {k::kAverageBitRate, Value(300000)}}, &c, &log);
  ASSERT_TRUE(s);
  Encode(*s, c, 40);
  for (int i = 40; i < 80; ++i)
    ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, CutPicture(i)), FramePts(i),
                             FrameDuration(), nullptr, vtctest::RefconFor(i), nullptr),
              Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto samples = c.samples();
  ASSERT_EQ(samples.size(), 80u);
  EXPECT_EQ(SyncFrames(samples), (std::vector<int>{0, 40}));
  ExpectDecodes(samples, 80);
}

}  // namespace
