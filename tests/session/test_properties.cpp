// SPDX-License-Identifier: GPL-2.0-or-later
// Contract 7: every compression property, set / copied back / wrong type / out of range /
// read-only / the mid-session rule, and the effect of the keys a test can see in the output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "test_util.h"

using vtc::Status;
using vtc::Value;
using vtctest::Collector;
using vtctest::FrameDuration;
using vtctest::FramePts;
using vtctest::MakeMovingPicture;
using vtctest::RefconFor;

namespace {

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;

// One good value, one of the wrong type and one out of range (null = none) for each key.
struct Case {
  const char* key;
  Value good, wrong_type, out_of_range;
};

std::vector<Case> Cases() {
  using vtc::Array;
  using vtc::Dictionary;
  namespace k = vtc::key;
  return {
      {k::kAverageBitRate, Value(2000000), Value("fast"), Value(-5)},
      {k::kDataRateLimits, Value(Array{Value(250000), Value(1)}), Value(250000),
       Value(Array{Value(250000), Value(-1)})},
      {k::kConstantBitRate, Value(1500000), Value(true), Value(-1)},
      {k::kQuality, Value(0.75), Value("high"), Value(1.5)},
      {k::kRealTime, Value(true), Value(1), Value()},
      {k::kProfileLevel, Value("H264_Main_4_1"), Value(41), Value("H264_High_9_9")},
      {k::kAllowFrameReordering, Value(false), Value("no"), Value()},
      {k::kAllowTemporalCompression, Value(false), Value(0.0), Value()},
      {k::kMaxKeyFrameInterval, Value(60), Value(29.97), Value(-1)},
      {k::kMaxKeyFrameIntervalDuration, Value(2.0), Value("2s"), Value(-1.0)},
      {k::kExpectedFrameRate, Value(29.97), Value(true), Value(-30)},
      {k::kMaxFrameDelayCount, Value(4), Value(4.5), Value(-2)},
      {k::kH264EntropyMode, Value("CAVLC"), Value(1), Value("HUFFMAN")},
      {k::kMinAllowedFrameQP, Value(10), Value("10"), Value(52)},
      {k::kMaxAllowedFrameQP, Value(40), Value(40.5), Value(99)},
      {k::kPrioritizeEncodingSpeedOverQuality, Value(true), Value("true"), Value()},
      {k::kReferenceBufferCount, Value(2), Value("2"), Value(0)},
      {k::kSuggestedLookAheadFrameCount, Value(10), Value(1.5), Value(1000)},
      {k::kSpatialAdaptiveQPLevel, Value(0), Value("off"), Value(3)},
      {k::kMaxH264SliceBytes, Value(1200), Value("1200"), Value(-1)},
      {k::kColorPrimaries, Value("ITU_R_709_2"), Value(1), Value("NTSC_1953")},
      {k::kTransferFunction, Value("ITU_R_2100_HLG"), Value(18), Value("gamma22")},
      {k::kYCbCrMatrix, Value("ITU_R_601_4"), Value(6), Value("YCgCo")},
      {k::kMasteringDisplayColorVolume, Value(vtc::Data(24, 1)), Value("G(1,1)"),
       Value(vtc::Data(25, 1))},
      {k::kContentLightLevelInfo, Value(vtc::Data{3, 232, 1, 144}), Value(1000),
       Value(vtc::Data(2, 1))},
      {k::kPixelAspectRatio,
       Value(Dictionary{{k::kHorizontalSpacing, Value(4)}, {k::kVerticalSpacing, Value(3)}}),
       Value(1.333),
       Value(Dictionary{{k::kHorizontalSpacing, Value(0)}, {k::kVerticalSpacing, Value(3)}})},
      {k::kFieldCount, Value(2), Value("2"), Value(3)},
      {k::kFieldDetail, Value("TemporalBottomFirst"), Value(1), Value("TopFirst")},
      {k::kSourceFrameCount, Value(300), Value("300"), Value(-1)},
      {k::kExpectedDuration, Value(10.0), Value(true), Value(-10.0)},
      {k::kCalculateMeanSquaredError, Value(true), Value("yes"), Value()},
      {k::kX264SpeedPreset, Value("fast"), Value(3), Value("ludicrous")},
      {k::kX264Tune, Value("film,fastdecode"), Value(1), Value("film,grain")},
      {k::kX264Threads, Value(2), Value("2"), Value(-1)},
      {k::kX264Options, Value("bframes=0:ref=2"), Value(true), Value("nosuchoption=1")},
      {k::kReleaseSourceBufferOnImport, Value(true), Value("yes"), Value()},
      {k::kIntraRefresh, Value(true), Value("yes"), Value()},
  };
}

std::shared_ptr<vtc::CompressionSession> NewSession(Collector* c, int w = 64, int h = 48) {
  return vtctest::MakeSession(w, h, kNV12, c);
}

TEST(Properties, EachKeySetsCopiesBackAndRejectsBadValuesKeepingTheOldOne) {
  Collector c;
  auto s = NewSession(&c);
  ASSERT_TRUE(s);
  vtc::Dictionary supported;
  ASSERT_EQ(s->CopySupportedPropertyDictionary(&supported), Status::kNoErr);
  for (const Case& tc : Cases()) {
    SCOPED_TRACE(tc.key);
    ASSERT_TRUE(supported.count(tc.key));
    Value before;
    ASSERT_EQ(s->CopyProperty(tc.key, &before), Status::kNoErr);
    EXPECT_EQ(before, supported.at(tc.key).AsDictionary().at(vtc::key::kDefaultValue));
    ASSERT_EQ(s->SetProperty(tc.key, tc.good), Status::kNoErr);
    Value got;
    ASSERT_EQ(s->CopyProperty(tc.key, &got), Status::kNoErr);
    EXPECT_EQ(got, tc.good) << got.ToString();
    EXPECT_EQ(s->SetProperty(tc.key, tc.wrong_type), Status::kParameterErr);
    if (!tc.out_of_range.IsNull())
      EXPECT_EQ(s->SetProperty(tc.key, tc.out_of_range), Status::kParameterErr);
    ASSERT_EQ(s->CopyProperty(tc.key, &got), Status::kNoErr);
    EXPECT_EQ(got, tc.good) << "old value not kept: " << got.ToString();
    // Null restores the default.
    ASSERT_EQ(s->SetProperty(tc.key, Value()), Status::kNoErr);
    ASSERT_EQ(s->CopyProperty(tc.key, &got), Status::kNoErr);
    EXPECT_EQ(got, before);
  }
}

TEST(Properties, SupportedDictionaryDescribesEveryKeyAndOnlyThose) {
  Collector c;
  auto s = NewSession(&c);
  ASSERT_TRUE(s);
  vtc::Dictionary supported;
  ASSERT_EQ(s->CopySupportedPropertyDictionary(&supported), Status::kNoErr);
  for (const auto& [key, entry] : supported) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(entry.IsDictionary());
    const auto& e = entry.AsDictionary();
    EXPECT_TRUE(e.count(vtc::key::kPropertyType));
    EXPECT_TRUE(e.count(vtc::key::kReadWriteStatus));
    EXPECT_TRUE(e.count(vtc::key::kChangeableBetweenFrames));
    EXPECT_TRUE(e.count(vtc::key::kDocumentation));
    Value v;
    EXPECT_EQ(s->CopyProperty(key, &v), Status::kNoErr);
  }
  // Every case above, plus the read-only keys and MultiPassStorage (an object, tested in
  // test_multipass), and nothing that is not implemented.
  EXPECT_EQ(supported.size(), Cases().size() + 12);
  for (const char* ro : {vtc::key::kNumberOfPendingFrames, vtc::key::kPixelBufferPoolIsShared,
                         vtc::key::kVideoEncoderPixelBufferAttributes,
                         vtc::key::kUsingHardwareAcceleratedVideoEncoder, vtc::key::kEncoderID,
                         vtc::key::kEncoderFrameDelay, vtc::key::kEncoderReorderDepth,
                         vtc::key::kRealTimeSpeedLevel, vtc::key::kRealTimeEncodeTime,
                         vtc::key::kRealTimeCPUTime, vtc::key::kRealTimeFramesDropped}) {
    ASSERT_TRUE(supported.count(ro)) << ro;
    EXPECT_EQ(supported.at(ro).AsDictionary().at(vtc::key::kReadWriteStatus), Value("ReadOnly"));
    EXPECT_EQ(s->SetProperty(ro, Value(1)), Status::kPropertyReadOnlyErr) << ro;
  }
  EXPECT_TRUE(supported.count(vtc::key::kMultiPassStorage));
  EXPECT_EQ(s->SetProperty(vtc::key::kMultiPassStorage, Value()), Status::kNoErr);
  EXPECT_EQ(s->SetProperty("NoSuchKey", Value(1)), Status::kPropertyNotSupportedErr);
  Value v;
  EXPECT_EQ(s->CopyProperty("NoSuchKey", &v), Status::kPropertyNotSupportedErr);
  EXPECT_EQ(s->CopyProperty(vtc::key::kEncoderID, &v), Status::kNoErr);
  EXPECT_EQ(v, Value("org.videolan.x264"));
  EXPECT_EQ(s->CopyProperty(vtc::key::kUsingHardwareAcceleratedVideoEncoder, &v), Status::kNoErr);
  EXPECT_EQ(v, Value(false));
  EXPECT_EQ(s->CopyProperty(vtc::key::kPixelBufferPoolIsShared, &v), Status::kNoErr);
  EXPECT_EQ(v, Value(true));
  EXPECT_EQ(s->CopyProperty(vtc::key::kVideoEncoderPixelBufferAttributes, &v), Status::kNoErr);
  EXPECT_TRUE(v.IsDictionary());
}

// Each backend's session documents the generic keys with its own encoder's facts: an HEVC
// session once described AverageBitRate, Quality, ... with x264's settings.
TEST(Properties, DocumentationNamesTheSessionsOwnEncoder) {
  struct Codec {
    vtc::CodecType type;
    const char *own, *other;
  };
  for (const Codec& codec :
       {Codec{vtc::kCodecType_H264, "x264", "x265"}, Codec{vtc::kCodecType_HEVC, "x265", "x264"}}) {
    SCOPED_TRACE(codec.own);
    Collector c;
    auto s = vtctest::MakeSession(64, 48, kNV12, &c, {}, codec.type);
    ASSERT_TRUE(s);
    vtc::Dictionary supported;
    ASSERT_EQ(s->CopySupportedPropertyDictionary(&supported), Status::kNoErr);
    auto doc = [&](const char* key) {
      std::string text;
      supported.at(key).AsDictionary().at(vtc::key::kDocumentation).GetString(&text);
      return text;
    };
    for (const auto& entry : supported) {
      SCOPED_TRACE(entry.first);
      EXPECT_EQ(doc(entry.first.c_str()).find(codec.other), std::string::npos)
          << doc(entry.first.c_str());
    }
    for (const char* key :
         {vtc::key::kAverageBitRate, vtc::key::kConstantBitRate, vtc::key::kQuality,
          vtc::key::kRealTime, vtc::key::kMaxAllowedFrameQP, vtc::key::kFieldCount}) {
      SCOPED_TRACE(key);
      EXPECT_NE(doc(key).find(codec.own), std::string::npos) << doc(key);
    }
  }
}

TEST(Properties, MidSessionRuleFollowsTheSupportedDictionary) {
  Collector c;
  auto s = NewSession(&c);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, MakeMovingPicture(64, 48, 0)), FramePts(0),
                           FrameDuration(), nullptr, RefconFor(0), nullptr),
            Status::kNoErr);
  vtc::Dictionary supported;
  ASSERT_EQ(s->CopySupportedPropertyDictionary(&supported), Status::kNoErr);
  int mutable_keys = 0;
  for (const Case& tc : Cases()) {
    SCOPED_TRACE(tc.key);
    const bool changeable =
        supported.at(tc.key).AsDictionary().at(vtc::key::kChangeableBetweenFrames).AsBool();
    Value before;
    ASSERT_EQ(s->CopyProperty(tc.key, &before), Status::kNoErr);
    // ConstantBitRate cannot sit beside AverageBitRate: clear it first.
    Status st = s->SetProperty(tc.key, tc.good);
    if (changeable) {
      ++mutable_keys;
      EXPECT_EQ(st, Status::kNoErr);
      EXPECT_EQ(s->SetProperty(tc.key, before), Status::kNoErr);
    } else {
      EXPECT_EQ(st, Status::kPropertyReadOnlyErr);
      Value after;
      ASSERT_EQ(s->CopyProperty(tc.key, &after), Status::kNoErr);
      EXPECT_EQ(after, before);
    }
  }
  // The keys design.md names as live: rate control, quality, keyframe interval, frame rate,
  // RealTime (QP bounds cannot change in x264 without a restart: see docs/properties.md).
  for (const char* live : {vtc::key::kAverageBitRate, vtc::key::kDataRateLimits, vtc::key::kQuality,
                           vtc::key::kMaxKeyFrameInterval, vtc::key::kMaxKeyFrameIntervalDuration,
                           vtc::key::kExpectedFrameRate, vtc::key::kRealTime}) {
    EXPECT_TRUE(supported.at(live).AsDictionary().at(vtc::key::kChangeableBetweenFrames).AsBool())
        << live;
  }
  EXPECT_GE(mutable_keys, 10);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
}

TEST(Properties, EncoderDelayAndReorderDepthAreKnownAfterPrepare) {
  struct Want {
    vtc::Dictionary props;
    int reorder;
    int max_delay;  // -1: just positive
  };
  for (const Want& w :
       {Want{{}, 2, -1}, Want{{{vtc::key::kAllowFrameReordering, Value(false)}}, 0, -1},
        Want{{{vtc::key::kMaxFrameDelayCount, Value(0)}}, 0, 0},
        Want{{{vtc::key::kMaxFrameDelayCount, Value(6)}}, 1, 6}}) {
    Collector c;
    auto s = vtctest::MakeSession(320, 180, kNV12, &c, w.props);
    ASSERT_TRUE(s);
    Value delay, reorder;
    ASSERT_EQ(s->CopyProperty(vtc::key::kEncoderFrameDelay, &delay), Status::kNoErr);
    EXPECT_EQ(delay, Value(-1));
    ASSERT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
    ASSERT_EQ(s->CopyProperty(vtc::key::kEncoderFrameDelay, &delay), Status::kNoErr);
    ASSERT_EQ(s->CopyProperty(vtc::key::kEncoderReorderDepth, &reorder), Status::kNoErr);
    EXPECT_EQ(reorder, Value(w.reorder));
    int64_t d = -1;
    ASSERT_TRUE(delay.GetInt(&d));
    if (w.max_delay < 0) {
      EXPECT_GT(d, 0);
    } else {
      EXPECT_LE(d, w.max_delay);
    }
    for (int i = 0; i < 30; ++i) {
      ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, MakeMovingPicture(320, 180, i)),
                               FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
                Status::kNoErr);
    }
    ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    // First DTS precedes the first PTS by exactly the reorder depth.
    auto samples = c.samples();
    ASSERT_FALSE(samples.empty());
    EXPECT_EQ(samples[0]->decode_time_stamp(), FramePts(-w.reorder));
  }
}

// VideoToolbox's DataRateLimits takes 0-2 pairs: [] is no limit, like null, and reads back as
// the default; it does not block ConstantBitRate as a limit would.
TEST(Properties, EmptyDataRateLimitsIsNoLimit) {
  Collector c;
  auto s = NewSession(&c);
  ASSERT_TRUE(s);
  namespace k = vtc::key;
  Value def;
  ASSERT_EQ(s->CopyProperty(k::kDataRateLimits, &def), Status::kNoErr);
  ASSERT_EQ(s->SetProperty(k::kDataRateLimits, Value(vtc::Array{Value(250000), Value(1)})),
            Status::kNoErr);
  ASSERT_EQ(s->SetProperty(k::kDataRateLimits, Value(vtc::Array{})), Status::kNoErr);
  Value v;
  ASSERT_EQ(s->CopyProperty(k::kDataRateLimits, &v), Status::kNoErr);
  EXPECT_EQ(v, def);
  EXPECT_TRUE(v.IsNull());
  EXPECT_EQ(s->SetProperty(k::kConstantBitRate, 1000000), Status::kNoErr);
  // Malformed arrays stay refused.
  EXPECT_EQ(s->SetProperty(k::kDataRateLimits, Value(vtc::Array{Value(250000)})),
            Status::kParameterErr);
}

TEST(Properties, CombinationsThatCannotWorkAreRefused) {
  Collector c;
  auto s = NewSession(&c);
  ASSERT_TRUE(s);
  namespace k = vtc::key;
  ASSERT_EQ(s->SetProperty(k::kMinAllowedFrameQP, 30), Status::kNoErr);
  EXPECT_EQ(s->SetProperty(k::kMaxAllowedFrameQP, 20), Status::kParameterErr);
  ASSERT_EQ(s->SetProperty(k::kAverageBitRate, 1000000), Status::kNoErr);
  EXPECT_EQ(s->SetProperty(k::kConstantBitRate, 1000000), Status::kParameterErr);
  ASSERT_EQ(s->SetProperty(k::kProfileLevel, "H264_Baseline_3_1"), Status::kNoErr);
  EXPECT_EQ(s->SetProperty(k::kH264EntropyMode, "CABAC"), Status::kParameterErr);
  ASSERT_EQ(s->SetProperty(k::kMaxFrameDelayCount, 2), Status::kNoErr);
  EXPECT_EQ(s->SetProperty(k::kSuggestedLookAheadFrameCount, 5), Status::kParameterErr);
  // SetProperties stops at the first bad key; the keys before it stay set.
  EXPECT_EQ(s->SetProperties({{k::kExpectedFrameRate, Value(25)}, {k::kQuality, Value("bad")}}),
            Status::kParameterErr);
  Value v;
  ASSERT_EQ(s->CopyProperty(k::kExpectedFrameRate, &v), Status::kNoErr);
  EXPECT_EQ(v, Value(25.0));
}

TEST(Properties, ALevelTheSizeCannotFitIsAParameterError) {
  Collector c;
  auto s = NewSession(&c, 1920, 1080);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(vtc::key::kProfileLevel, "H264_Main_3_0"), Status::kNoErr);
  EXPECT_EQ(s->PrepareToEncodeFrames(), Status::kParameterErr);
  EXPECT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, MakeMovingPicture(1920, 1080, 0)),
                           FramePts(0), FrameDuration(), nullptr, RefconFor(0), nullptr),
            Status::kParameterErr);
  // The key may still change (nothing was encoded), and then it works.
  ASSERT_EQ(s->SetProperty(vtc::key::kProfileLevel, "H264_Main_4_0"), Status::kNoErr);
  EXPECT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
  EXPECT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, MakeMovingPicture(1920, 1080, 0)),
                           FramePts(0), FrameDuration(), nullptr, RefconFor(0), nullptr),
            Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  ASSERT_EQ(c.count(), 1u);
  EXPECT_EQ(c.samples()[0]->format_description()->level_idc(), 40);
  EXPECT_EQ(c.samples()[0]->format_description()->profile_idc(), 77);
}

// --- Effects visible in the output ---------------------------------------------------------------

std::vector<vtc::SampleBufferRef> EncodeSome(const vtc::Dictionary& props, int frames, int w = 160,
                                             int h = 96) {
  Collector c;
  auto s = vtctest::MakeSession(w, h, kNV12, &c, props);
  if (!s) return {};
  for (int i = 0; i < frames; ++i) {
    auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(w, h, i));
    EXPECT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  EXPECT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto samples = c.samples();
  std::sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) {
    return a->presentation_time_stamp() < b->presentation_time_stamp();
  });
  return samples;
}

// Largest distance in frames from one sync sample to the next, in presentation order.
int MaxKeyDistance(const std::vector<vtc::SampleBufferRef>& samples) {
  int last = 0, most = 0;
  for (size_t i = 0; i < samples.size(); ++i)
    if (samples[i]->IsSync()) {
      most = std::max(most, int(i) - last);
      last = int(i);
    }
  return std::max(most, int(samples.size()) - last);
}

TEST(PropertyEffects, KeyframeIntervalsHold) {
  EXPECT_LE(MaxKeyDistance(EncodeSome({{vtc::key::kMaxKeyFrameInterval, Value(10)}}, 60)), 10);
  // 0.5 s at 30 fps: 15 frames.
  EXPECT_LE(MaxKeyDistance(EncodeSome({{vtc::key::kMaxKeyFrameIntervalDuration, Value(0.5)}}, 60)),
            15);
  auto all = EncodeSome({{vtc::key::kAllowTemporalCompression, Value(false)}}, 20);
  ASSERT_EQ(all.size(), 20u);
  for (const auto& smp : all) EXPECT_TRUE(smp->IsSync());
  // The default interval is finite (250 frames).
  auto def = EncodeSome({}, 300, 64, 48);
  ASSERT_EQ(def.size(), 300u);
  EXPECT_LE(MaxKeyDistance(def), vtc::kDefaultMaxKeyFrameInterval);
}

TEST(PropertyEffects, KeyframeIntervalChangesMidStream) {
  Collector c;
  auto s = vtctest::MakeSession(96, 64, kNV12, &c);
  ASSERT_TRUE(s);
  for (int i = 0; i < 90; ++i) {
    if (i == 30) ASSERT_EQ(s->SetProperty(vtc::key::kMaxKeyFrameInterval, 5), Status::kNoErr);
    auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(96, 64, i));
    ASSERT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto samples = c.samples();
  std::sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) {
    return a->presentation_time_stamp() < b->presentation_time_stamp();
  });
  std::vector<vtc::SampleBufferRef> tail(samples.begin() + 35, samples.end());
  EXPECT_LE(MaxKeyDistance(tail), 5);
}

TEST(PropertyEffects, ProfilesAndEntropyModeReachTheBitstream) {
  struct P {
    const char* value;
    int profile_idc;
    bool no_b;
  };
  for (P p :
       {P{"H264_Baseline_AutoLevel", 66, true}, P{"H264_ConstrainedBaseline_AutoLevel", 66, true},
        P{"H264_Main_AutoLevel", 77, false}, P{"H264_High_3_1", 100, false},
        P{"H264_ConstrainedHigh_AutoLevel", 100, true}}) {
    SCOPED_TRACE(p.value);
    auto samples = EncodeSome({{vtc::key::kProfileLevel, Value(p.value)}}, 30);
    ASSERT_EQ(samples.size(), 30u);
    const auto& fd = samples[0]->format_description();
    EXPECT_EQ(fd->profile_idc(), p.profile_idc);
    const uint8_t* sps = nullptr;
    size_t size = 0;
    ASSERT_EQ(fd->GetH264ParameterSetAtIndex(0, &sps, &size, nullptr, nullptr), Status::kNoErr);
    if (std::string(p.value).find("ConstrainedBaseline") != std::string::npos)
      EXPECT_TRUE(sps[2] & 0x40) << "constraint_set1";
    if (std::string(p.value).find("ConstrainedHigh") != std::string::npos)
      EXPECT_EQ(sps[2] & 0x0c, 0x0c) << "constraint_set4/5";
    if (std::string(p.value) == "H264_High_3_1") EXPECT_EQ(fd->level_idc(), 31);
    if (p.no_b) {
      for (const auto& smp : samples)
        EXPECT_EQ(smp->decode_time_stamp(), smp->presentation_time_stamp());
    }
  }
}

TEST(PropertyEffects, QualityOrdersFileSizes) {
  size_t last = 0;
  for (double q : {0.25, 0.5, 0.75}) {
    size_t total = 0;
    for (const auto& smp : EncodeSome({{vtc::key::kQuality, Value(q)}}, 20)) total += smp->size();
    EXPECT_GT(total, last) << "quality " << q;
    last = total;
  }
}

TEST(PropertyEffects, QpBoundsHoldOnEveryFrame) {
  // With a delay budget (slice threads); test_rate_control covers frame threads.
  auto samples = EncodeSome({{vtc::key::kMinAllowedFrameQP, Value(30)},
                             {vtc::key::kMaxAllowedFrameQP, Value(34)},
                             {vtc::key::kMaxFrameDelayCount, Value(8)}},
                            40);
  ASSERT_EQ(samples.size(), 40u);
  for (const auto& smp : samples) {
    EXPECT_GE(smp->frame_qp(), 30);
    EXPECT_LE(smp->frame_qp(), 34);
  }
}

TEST(PropertyEffects, MeanSquaredErrorIsAttachedAndMatchesTheDecodedPicture) {
  Collector c;
  auto s = vtctest::MakeSession(160, 96, kNV12, &c,
                                {{vtc::key::kCalculateMeanSquaredError, Value(true)},
                                 {vtc::key::kAllowFrameReordering, Value(false)}});
  ASSERT_TRUE(s);
  std::vector<vtctest::Picture> pics;
  for (int i = 0; i < 10; ++i) {
    pics.push_back(MakeMovingPicture(160, 96, i));
    ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, pics.back()), FramePts(i), FrameDuration(),
                             nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto samples = c.samples();
  ASSERT_EQ(samples.size(), 10u);
  std::vector<double> luma;
  for (const auto& smp : samples) {
    ASSERT_TRUE(smp->attachments().count(vtc::key::kQualityMetrics));
    const auto& m = smp->attachments().at(vtc::key::kQualityMetrics).AsDictionary();
    double y = -1, cb = -1, cr = -1;
    ASSERT_TRUE(m.at(vtc::key::kLumaMeanSquaredError).GetDouble(&y));
    ASSERT_TRUE(m.at(vtc::key::kChromaBlueMeanSquaredError).GetDouble(&cb));
    ASSERT_TRUE(m.at(vtc::key::kChromaRedMeanSquaredError).GetDouble(&cr));
    EXPECT_GT(y, 0);
    EXPECT_LT(y, 100);
    EXPECT_GE(cb, 0);
    EXPECT_GE(cr, 0);
    luma.push_back(y);
  }
  if (!vtctest::FfmpegAvailable()) GTEST_SKIP() << "no ffmpeg";
  vtctest::Decoded d;
  std::string err;
  ASSERT_TRUE(vtctest::DecodeAnnexB(vtctest::ToAnnexB(samples), &d, &err)) << err;
  ASSERT_EQ(d.frames.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    // Decoded MSE from the PSNR the test computes itself: x264's figure is of the same picture.
    const double psnr = vtctest::PsnrY(pics[i], d.frames[i]);
    const double mse = 255.0 * 255.0 / std::pow(10.0, psnr / 10.0);
    EXPECT_NEAR(luma[i], mse, mse * 0.02 + 0.01) << "frame " << i;
  }
}

TEST(PropertyEffects, ColourAndAspectGoToTheFormatDescription) {
  auto samples = EncodeSome({{vtc::key::kColorPrimaries, Value("ITU_R_709_2")},
                             {vtc::key::kTransferFunction, Value("ITU_R_709_2")},
                             {vtc::key::kYCbCrMatrix, Value("ITU_R_709_2")},
                             {vtc::key::kPixelAspectRatio,
                              Value(vtc::Dictionary{{vtc::key::kHorizontalSpacing, Value(16)},
                                                    {vtc::key::kVerticalSpacing, Value(11)}})}},
                            5);
  ASSERT_EQ(samples.size(), 5u);
  const auto& ext = samples[0]->format_description()->extensions();
  EXPECT_EQ(ext.at(vtc::key::kColorPrimaries), Value("ITU_R_709_2"));
  EXPECT_EQ(ext.at(vtc::key::kTransferFunction), Value("ITU_R_709_2"));
  EXPECT_EQ(ext.at(vtc::key::kYCbCrMatrix), Value("ITU_R_709_2"));
  EXPECT_TRUE(ext.count(vtc::key::kPixelAspectRatio));
  // The same SPS without the keys is shorter: the VUI carries them.
  auto plain = EncodeSome({}, 5);
  size_t with = 0, without = 0;
  samples[0]->format_description()->GetH264ParameterSetAtIndex(0, nullptr, &with, nullptr, nullptr);
  plain[0]->format_description()->GetH264ParameterSetAtIndex(0, nullptr, &without, nullptr,
                                                             nullptr);
  EXPECT_GT(with, without);
}

TEST(PropertyEffects, BitrateChangesMidStreamWithoutAnIdr) {
  Collector c;
  auto s = vtctest::MakeSession(
      320, 180, kNV12, &c,
      {{vtc::key::kAverageBitRate, Value(800000)},
       {vtc::key::kRealTime, Value(true)},
       // x264's own scene cuts are not the subject: with RealTime's no B-frames and no lookahead
       // it puts one into this noisy picture at frame 39 (a P-frame costing 90% of an I-frame).
       {vtc::key::kX264Options, Value("scenecut=0")}});
  ASSERT_TRUE(s);
  for (int i = 0; i < 120; ++i) {
    if (i == 60) {
      ASSERT_EQ(s->SetProperty(vtc::key::kAverageBitRate, 100000), Status::kNoErr);
      ASSERT_EQ(s->SetProperty(vtc::key::kRealTime, false), Status::kNoErr);
    }
    ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, MakeMovingPicture(320, 180, i)),
                             FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto samples = c.samples();
  ASSERT_EQ(samples.size(), 120u);
  size_t first = 0, second = 0;
  int syncs = 0;
  for (const auto& smp : samples) {
    const int64_t pts = smp->presentation_time_stamp().value;
    if (pts >= 30 && pts < 60) first += smp->size();
    if (pts >= 90) second += smp->size();
    if (smp->IsSync()) ++syncs;
  }
  EXPECT_EQ(syncs, 1) << "the change must not force a key frame";
  EXPECT_LT(second * 3, first) << "bytes/s before " << first << " after " << second;
}

}  // namespace

namespace {

// Bytes in the largest window of `window` consecutive frames, in decode order.
size_t LargestWindow(std::vector<vtc::SampleBufferRef> samples, size_t window) {
  std::sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) {
    return a->decode_time_stamp() < b->decode_time_stamp();
  });
  size_t sum = 0, most = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    sum += samples[i]->size();
    if (i >= window) sum -= samples[i - window]->size();
    most = std::max(most, sum);
  }
  return most;
}

TEST(PropertyEffects, DataRateLimitsCapEverySecond) {
  // Unconstrained, this content needs far more than 15 kB/s at 320x180.
  auto free_run = EncodeSome({{vtc::key::kQuality, Value(0.9)}}, 90, 320, 180);
  auto capped = EncodeSome({{vtc::key::kQuality, Value(0.9)},
                            {vtc::key::kDataRateLimits, Value(vtc::Array{Value(15000), Value(1)})}},
                           90, 320, 180);
  ASSERT_EQ(capped.size(), 90u);
  EXPECT_GT(LargestWindow(free_run, 30), 15000u) << "content too easy to show the cap";
  EXPECT_LE(LargestWindow(capped, 30), 15000u);
}

TEST(PropertyEffects, ConstantBitRatePadsWithFillerToTheTarget) {
  Collector c;
  auto s = vtctest::MakeSession(
      160, 96, kNV12, &c,
      {{vtc::key::kConstantBitRate, Value(400000)}, {vtc::key::kExpectedFrameRate, Value(30)}});
  ASSERT_TRUE(s);
  // A still picture: without filler it would need almost nothing.
  auto still = MakeMovingPicture(160, 96, 0);
  for (int i = 0; i < 90; ++i)
    ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, still), FramePts(i), FrameDuration(),
                             nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  size_t total = 0;
  int filler = 0;
  for (const auto& smp : c.samples()) {
    total += smp->size();
    for (int t : vtctest::NalTypes(smp)) filler += t == 12;
  }
  EXPECT_GT(filler, 0);
  // 3 s at 400 kbit/s = 150000 bytes; x264 starts with its model buffer 90% full.
  EXPECT_NEAR(double(total), 150000.0, 150000.0 * 0.12);
}

TEST(PropertyEffects, SliceBytesAndEntropyModeShowInTheNalUnits) {
  auto sliced = EncodeSome(
      {{vtc::key::kMaxH264SliceBytes, Value(400)}, {vtc::key::kQuality, Value(0.8)}}, 10, 320, 180);
  ASSERT_EQ(sliced.size(), 10u);
  size_t slices = 0;
  for (const auto& smp : sliced)
    for (const auto& nal : vtctest::SplitAvcc(smp))
      if ((nal[0] & 0x1f) == 1 || (nal[0] & 0x1f) == 5) {
        ++slices;
        EXPECT_LE(nal.size(), 400u + 16);  // x264 counts its own estimate of NAL overhead
      }
  EXPECT_GT(slices, sliced.size());
  for (const char* mode : {"CAVLC", "CABAC"}) {
    auto samples = EncodeSome({{vtc::key::kH264EntropyMode, Value(mode)}}, 3);
    ASSERT_FALSE(samples.empty());
    const uint8_t* pps = nullptr;
    size_t size = 0;
    ASSERT_EQ(samples[0]->format_description()->GetH264ParameterSetAtIndex(1, &pps, &size, nullptr,
                                                                           nullptr),
              Status::kNoErr);
    // pic_parameter_set_id ue(0) = '1', seq_parameter_set_id ue(0) = '1', then
    // entropy_coding_mode_flag.
    ASSERT_GE(size, 2u);
    EXPECT_EQ((pps[1] >> 7) & 1, 1);
    EXPECT_EQ((pps[1] >> 6) & 1, 1);
    EXPECT_EQ((pps[1] >> 5) & 1, std::string(mode) == "CABAC" ? 1 : 0) << mode;
  }
}

}  // namespace
