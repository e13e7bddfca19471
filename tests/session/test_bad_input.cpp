// SPDX-License-Identifier: GPL-2.0-or-later
// Bad input to the session (docs/bad-input.md): each refused call returns VideoToolbox's status,
// keeps nothing and answers nothing, and the session goes on working where VideoToolbox's does.
// Failures no input can provoke on demand (x264 failing mid-stream, a pool running out of memory)
// come from VTC_FAULT_INJECT (session/src/fault.h), set around the session's creation.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "test_util.h"

using vtc::Status;
using vtc::Time;
using vtc::Value;
using vtctest::Collector;
using vtctest::FrameDuration;
using vtctest::FramePts;
using vtctest::IndexOfRefcon;
using vtctest::MakeMovingPicture;
using vtctest::RefconFor;

namespace {

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;

// Sets VTC_FAULT_INJECT for its lifetime (fault.h reads it when an encoder or pool is created).
class FaultInjection {
 public:
  explicit FaultInjection(const char* spec) { setenv("VTC_FAULT_INJECT", spec, 1); }
  ~FaultInjection() { unsetenv("VTC_FAULT_INJECT"); }
  FaultInjection(const FaultInjection&) = delete;
  FaultInjection& operator=(const FaultInjection&) = delete;
};

std::shared_ptr<vtc::CompressionSession> Create(int w, int h, const vtc::Dictionary* spec,
                                                const vtc::Dictionary* attrs, Status* st,
                                                Collector* c) {
  std::shared_ptr<vtc::CompressionSession> s;
  *st = vtc::CompressionSession::Create(w, h, vtc::kCodecType_H264, spec, attrs,
                                        Collector::Callback, c, &s);
  if (*st != Status::kNoErr) EXPECT_FALSE(s);
  return s;
}

Status Encode(vtc::CompressionSession& s, int index, int w, int h, Time pts,
              Time duration = FrameDuration(), const vtc::Dictionary* options = nullptr) {
  return s.EncodeFrame(vtctest::MakePoolBuffer(s, MakeMovingPicture(w, h, index)), pts, duration,
                       options, RefconFor(index), nullptr);
}

// Each refcon in [0, n) exactly once.
void ExpectEachFrameAnsweredOnce(const std::vector<vtctest::Output>& outs, int n) {
  std::map<int, int> seen;
  for (const auto& o : outs) ++seen[IndexOfRefcon(o.refcon)];
  EXPECT_EQ(outs.size(), size_t(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "frame " << i;
}

// --- Create ------------------------------------------------------------------------------------

TEST(BadInput, CreateRefusesExtremeSizes) {
  Collector c;
  Status st;
  for (auto [w, h] : {std::pair{INT_MIN, 16},
                      {16, INT_MIN},
                      {INT_MAX, 16},
                      {16, INT_MAX},
                      {-1, -1},
                      {0, 0},
                      {16385, 16385}}) {
    EXPECT_FALSE(Create(w, h, nullptr, nullptr, &st, &c)) << w << "x" << h;
    EXPECT_EQ(st, Status::kParameterErr) << w << "x" << h;
  }
  EXPECT_EQ(c.count(), 0u);
}

TEST(BadInput, CreateRefusesEncoderSpecificationsOfTheWrongType) {
  Collector c;
  Status st;
  for (const auto& [k, v] : std::vector<std::pair<const char*, Value>>{
           {vtc::key::kEncoderID, Value(264)},
           {vtc::key::kEncoderID, Value()},
           {vtc::key::kRequireHardwareAcceleratedVideoEncoder, Value("yes")},
           {vtc::key::kEnableHardwareAcceleratedVideoEncoder, Value(2.5)},
           {vtc::key::kEnableLowLatencyRateControl, Value(vtc::Array{})}}) {
    vtc::Dictionary spec{{k, v}};
    EXPECT_FALSE(Create(64, 64, &spec, nullptr, &st, &c)) << k << " = " << v.ToString();
    EXPECT_EQ(st, Status::kParameterErr) << k << " = " << v.ToString();
  }
  // Keys that do not apply to a software encoder are ignored, as VideoToolbox ignores them.
  vtc::Dictionary other{{"GPURegistryID", Value(7)}};
  EXPECT_TRUE(Create(64, 64, &other, nullptr, &st, &c));
  EXPECT_EQ(st, Status::kNoErr);
}

TEST(BadInput, CreateRefusesSourceAttributesItCannotHonour) {
  Collector c;
  Status st;
  struct Bad {
    const char* key;
    Value value;
    Status want;
  };
  for (const Bad& b : std::vector<Bad>{
           {vtc::key::kPixelFormatType, Value(vtc::FourCC("b64a")),
            Status::kPixelTransferNotSupportedErr},
           {vtc::key::kPixelFormatType,
            Value(vtc::Array{Value(vtc::FourCC("b64a")), Value(vtc::FourCC("yuvs"))}),
            Status::kPixelTransferNotSupportedErr},
           {vtc::key::kPixelFormatType, Value(vtc::Array{}), Status::kPixelTransferNotSupportedErr},
           {vtc::key::kPixelFormatType, Value("NV12"), Status::kParameterErr},
           {vtc::key::kWidth, Value("wide"), Status::kParameterErr},
           {vtc::key::kHeight, Value(0), Status::kParameterErr},
           {vtc::key::kBytesPerRowAlignment, Value(48), Status::kParameterErr},
           {vtc::key::kBytesPerRowAlignment, Value(8192), Status::kParameterErr},
           {vtc::key::kExtendedPixelsRight, Value("x"), Status::kParameterErr},
           {vtc::key::kExtendedPixelsLeft, Value(65), Status::kParameterErr},
           {vtc::key::kPoolMinimumBufferCount, Value(-1), Status::kParameterErr},
           {vtc::key::kPoolAllocationThreshold, Value(1.5), Status::kParameterErr},
       }) {
    vtc::Dictionary attrs{{b.key, b.value}};
    EXPECT_FALSE(Create(64, 48, nullptr, &attrs, &st, &c)) << b.key << " = " << b.value.ToString();
    EXPECT_EQ(st, b.want) << b.key << " = " << b.value.ToString();
  }
}

TEST(BadInput, NullOutArgumentsAreParameterErrors) {
  Collector c;
  auto s = vtctest::MakeSession(64, 48, kNV12, &c);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->CopyProperty(vtc::key::kAverageBitRate, nullptr), Status::kParameterErr);
  EXPECT_EQ(s->CopySupportedPropertyDictionary(nullptr), Status::kParameterErr);
  EXPECT_EQ(vtc::CopyVideoEncoderList(nullptr, nullptr), Status::kParameterErr);
  EXPECT_EQ(
      vtc::PixelBufferPool::Create({{vtc::key::kWidth, Value(8)}, {vtc::key::kHeight, 8}}, nullptr),
      Status::kParameterErr);
  EXPECT_EQ(s->GetPixelBufferPool()->CreatePixelBuffer(nullptr), Status::kParameterErr);
  // The session is unharmed.
  EXPECT_EQ(Encode(*s, 0, 64, 48, FramePts(0)), Status::kNoErr);
  EXPECT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  EXPECT_EQ(c.count(), 1u);
}

// --- EncodeFrame ---------------------------------------------------------------------------------

TEST(BadInput, RefusedFramesAreNeitherKeptNorAnswered) {
  Collector c;
  auto s = vtctest::MakeSession(64, 48, kNV12, &c);
  ASSERT_TRUE(s);
  std::atomic<int> released{0};
  const vtc::Dictionary bad_force{{vtc::key::kForceKeyFrame, Value("yes")}};
  const vtc::Dictionary null_force{{vtc::key::kForceKeyFrame, Value()}};
  struct Bad {
    const char* what;
    Time pts, duration;
    const vtc::Dictionary* options;
  };
  for (const Bad& b : {
           Bad{"invalid PTS", Time::Invalid(), FrameDuration(), nullptr},
           Bad{"indefinite PTS", Time::Indefinite(), FrameDuration(), nullptr},
           Bad{"+inf PTS", Time::PositiveInfinity(), FrameDuration(), nullptr},
           Bad{"-inf PTS", Time::NegativeInfinity(), FrameDuration(), nullptr},
           Bad{"negative duration", FramePts(0), Time::Make(-1, 30), nullptr},
           Bad{"+inf duration", FramePts(0), Time::PositiveInfinity(), nullptr},
           Bad{"indefinite duration", FramePts(0), Time::Indefinite(), nullptr},
           Bad{"ForceKeyFrame not a boolean", FramePts(0), FrameDuration(), &bad_force},
       }) {
    auto buf = vtctest::MakeWrappedBuffer(MakeMovingPicture(64, 48, 0), kNV12, 0, &released);
    ASSERT_TRUE(buf);
    vtc::EncodeInfoFlags flags = 123;
    EXPECT_EQ(s->EncodeFrame(buf, b.pts, b.duration, b.options, RefconFor(0), &flags),
              Status::kParameterErr)
        << b.what;
    EXPECT_EQ(flags, 0u) << b.what;
    buf.reset();  // the session kept no reference: released now
  }
  EXPECT_EQ(released.load(), 8);
  EXPECT_EQ(c.count(), 0u);
  // An invalid duration is allowed, and a null ForceKeyFrame means "not set".
  EXPECT_EQ(Encode(*s, 0, 64, 48, FramePts(0), Time::Invalid(), &null_force), Status::kNoErr);
  EXPECT_EQ(Encode(*s, 1, 64, 48, FramePts(1)), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  ExpectEachFrameAnsweredOnce(c.outputs(), 2);
}

TEST(BadInput, TimesThatCannotBeOrderedInTheSessionTimescaleAreRefused) {
  Collector c;
  auto s = vtctest::MakeSession(64, 48, kNV12, &c);
  ASSERT_TRUE(s);
  ASSERT_EQ(Encode(*s, 0, 64, 48, Time::Make(-3, 30)), Status::kNoErr);  // negative PTS are fine
  // 1 ns later: a new instant, but the same tick of the session's 1/30 s timescale.
  EXPECT_EQ(Encode(*s, 1, 64, 48, Time::Make(-100000000 + 1, 1000000000)), Status::kParameterErr);
  // Beyond what the session's timescale can count (INT64_MAX seconds x 30).
  EXPECT_EQ(Encode(*s, 2, 64, 48, Time::Make(std::numeric_limits<int64_t>::max(), 1)),
            Status::kParameterErr);
  EXPECT_EQ(Encode(*s, 3, 64, 48, Time::Make(std::numeric_limits<int64_t>::min(), 1)),
            Status::kParameterErr);
  // x 30 wraps around int64 to a small positive count: still too far, not a small time.
  EXPECT_EQ(Encode(*s, 5, 64, 48,
                   Time::Make(std::int64_t((__int128(1) << 64) / 30) + (std::int64_t(1) << 40), 1)),
            Status::kParameterErr);
  // Too far from zero for the tick arithmetic even in the session's own timescale.
  EXPECT_EQ(Encode(*s, 6, 64, 48, Time::Make(std::numeric_limits<int64_t>::max(), 30)),
            Status::kParameterErr);
  EXPECT_EQ(Encode(*s, 4, 64, 48, FramePts(0)), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  auto outs = c.outputs();
  ASSERT_EQ(outs.size(), 2u);
  std::set<int> refs;
  for (const auto& o : outs) {
    refs.insert(IndexOfRefcon(o.refcon));
    EXPECT_EQ(o.status, Status::kNoErr);
    ASSERT_TRUE(o.sample);
    EXPECT_LE(o.sample->decode_time_stamp(), o.sample->presentation_time_stamp());
  }
  EXPECT_EQ(refs, (std::set<int>{0, 4}));
}

TEST(BadInput, HugeAndTinyDurationsStillEncode) {
  // A duration of thousands of years (frame rate below x264's resolution) or of one tick: the
  // rate is treated as unknown where it is implausible, and every frame is encoded.
  for (Time d : {Time::Make(std::numeric_limits<int64_t>::max(), 1), Time::Make(1000000, 1),
                 Time::Make(1, 1000000000)}) {
    SCOPED_TRACE(d.ToString());
    Collector c;
    auto s = vtctest::MakeSession(64, 48, kNV12, &c,
                                  {{vtc::key::kMaxKeyFrameIntervalDuration, Value(1.0)}});
    ASSERT_TRUE(s);
    for (int i = 0; i < 3; ++i)
      ASSERT_EQ(Encode(*s, i, 64, 48, Time::Make(i, 1), d), Status::kNoErr);
    ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
    ExpectEachFrameAnsweredOnce(c.outputs(), 3);
    EXPECT_EQ(c.samples().size(), 3u);
    for (const auto& sample : c.samples()) EXPECT_EQ(sample->duration(), d);
  }
}

TEST(BadInput, CompleteFramesWithAnyTimeReturns) {
  Collector c;
  auto s = vtctest::MakeSession(64, 48, kNV12, &c);
  ASSERT_TRUE(s);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Encode(*s, i, 64, 48, FramePts(i)), Status::kNoErr);
  // Before every frame: nothing to wait for.
  EXPECT_EQ(s->CompleteFrames(Time::Make(-1000, 1)), Status::kNoErr);
  EXPECT_EQ(s->CompleteFrames(Time::NegativeInfinity()), Status::kNoErr);
  // Not numeric: everything.
  EXPECT_EQ(s->CompleteFrames(Time::Indefinite()), Status::kNoErr);
  ExpectEachFrameAnsweredOnce(c.outputs(), 5);
}

TEST(BadInput, CallsAfterInvalidateAreInvalidSessionErrors) {
  std::shared_ptr<vtc::CompressionSession> s;
  ASSERT_EQ(vtc::CompressionSession::Create(64, 48, vtc::kCodecType_H264, nullptr, nullptr, nullptr,
                                            nullptr, &s),
            Status::kNoErr);
  Collector c;
  auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(64, 48, 0));
  s->Invalidate();
  EXPECT_EQ(s->EncodeFrameWithOutputHandler(buf, FramePts(0), FrameDuration(), nullptr, nullptr,
                                            c.Handler(RefconFor(0))),
            Status::kInvalidSessionErr);
  EXPECT_EQ(s->SetProperties({{vtc::key::kAverageBitRate, Value(1000000)}}),
            Status::kInvalidSessionErr);
  EXPECT_EQ(s->SetProperty("NoSuchKey", Value(1)), Status::kInvalidSessionErr);
  vtc::Value v;
  EXPECT_EQ(s->CopyProperty(vtc::key::kNumberOfPendingFrames, &v), Status::kInvalidSessionErr);
  EXPECT_EQ(s->PrepareToEncodeFrames(), Status::kInvalidSessionErr);
  EXPECT_EQ(s->CompleteFrames(FramePts(10)), Status::kInvalidSessionErr);
  s->Invalidate();
  s->SetLogHandler(nullptr);  // harmless
  EXPECT_EQ(c.count(), 0u);
}

// --- Properties ----------------------------------------------------------------------------------

// Values of the wrong type for a key of this PropertyType.
std::vector<Value> WrongTypes(const std::string& type) {
  const Value dict(vtc::Dictionary{{"x", Value(1)}});
  const Value arr(vtc::Array{Value("x")});
  if (type == "Boolean") return {Value("true"), Value(1.5), arr, dict};
  if (type == "Number") return {Value("1"), Value(true), arr, dict};
  if (type == "Enumeration") return {Value(1), Value(true), Value("NoSuchValue"), arr};
  if (type == "Array") return {Value(1), Value("1,1"), dict};
  if (type == "Dictionary") return {Value(1), Value("4:3"), arr};
  if (type == "String") return {Value(1), Value(true), arr, dict};
  if (type == "MultiPassStorage") return {Value(1), Value("file"), arr, dict};
  if (type == "Data") return {Value(1), Value("bytes"), arr, dict, Value(vtc::Data(3))};
  ADD_FAILURE() << "unknown PropertyType " << type;
  return {};
}

TEST(BadInput, EveryKeyOfTheSupportedDictionaryRefusesWrongTypesAndOutOfRangeValues) {
  Collector c;
  auto s = vtctest::MakeSession(64, 48, kNV12, &c);
  ASSERT_TRUE(s);
  vtc::Dictionary supported;
  ASSERT_EQ(s->CopySupportedPropertyDictionary(&supported), Status::kNoErr);
  ASSERT_FALSE(supported.empty());
  int writable = 0, ranged = 0;
  for (const auto& [key, entry] : supported) {
    SCOPED_TRACE(key);
    const vtc::Dictionary& e = entry.AsDictionary();
    Value before;
    ASSERT_EQ(s->CopyProperty(key, &before), Status::kNoErr);
    if (e.at(vtc::key::kReadWriteStatus) == Value("ReadOnly")) {
      for (const Value& v : {before, Value(), Value(1), Value("x")})
        EXPECT_EQ(s->SetProperty(key, v), Status::kPropertyReadOnlyErr) << v.ToString();
      continue;
    }
    ++writable;
    std::vector<Value> bad = WrongTypes(e.at(vtc::key::kPropertyType).AsString());
    auto min = e.find(vtc::key::kSupportedValueMinimum);
    auto max = e.find(vtc::key::kSupportedValueMaximum);
    if (min != e.end() && max != e.end()) {
      ++ranged;
      std::int64_t imin = 0, imax = 0;
      if (min->second.type() == Value::Type::kInt && min->second.GetInt(&imin) &&
          max->second.GetInt(&imax)) {
        bad.push_back(Value(imin - 1));
        bad.push_back(Value(imax + 1));
        bad.push_back(Value(double(imin) + 0.5));  // a fraction where frames or bits are counted
      } else {
        double dmin = 0, dmax = 0;
        ASSERT_TRUE(min->second.GetDouble(&dmin) && max->second.GetDouble(&dmax));
        bad.push_back(Value(dmin - 1.0));
        bad.push_back(Value(dmax + 1.0));
        bad.push_back(Value(std::nan("")));
        bad.push_back(Value(std::numeric_limits<double>::infinity()));
      }
    }
    for (const Value& v : bad) {
      EXPECT_EQ(s->SetProperty(key, v), Status::kParameterErr) << v.ToString();
      Value after;
      ASSERT_EQ(s->CopyProperty(key, &after), Status::kNoErr);
      EXPECT_EQ(after, before) << "old value not kept after " << v.ToString();
    }
  }
  EXPECT_GE(writable, 20);
  EXPECT_GE(ranged, 5);
  // Unknown keys.
  for (const char* k : {"", "NoSuchKey", "averagebitrate", "kVTCompressionPropertyKey_RealTime"})
    EXPECT_EQ(s->SetProperty(k, Value(1)), Status::kPropertyNotSupportedErr) << k;
  // The session still encodes with its defaults.
  EXPECT_EQ(Encode(*s, 0, 64, 48, FramePts(0)), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  ASSERT_EQ(c.samples().size(), 1u);
}

TEST(BadInput, ALevelTheRateOrBitRateCannotFitIsAParameterError) {
  struct Over {
    const char* what;
    vtc::Dictionary props;
  };
  // 320x240 is 300 macroblocks: level 1.3 allows 396 per frame and 11880 per second (39.6 fps)
  // and 768 kbit/s.
  for (const Over& o : {
           Over{"rate",
                {{vtc::key::kProfileLevel, Value("H264_Baseline_1_3")},
                 {vtc::key::kExpectedFrameRate, Value(60.0)}}},
           Over{"bit rate",
                {{vtc::key::kProfileLevel, Value("H264_Baseline_1_3")},
                 {vtc::key::kAverageBitRate, Value(5000000)}}},
           Over{"size", {{vtc::key::kProfileLevel, Value("H264_Baseline_1_3")}}},
       }) {
    SCOPED_TRACE(o.what);
    Collector c;
    const int w = std::string(o.what) == "size" ? 640 : 320;
    auto s = vtctest::MakeSession(w, 240, kNV12, &c, o.props);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->PrepareToEncodeFrames(), Status::kParameterErr);
    EXPECT_EQ(Encode(*s, 0, w, 240, FramePts(0)), Status::kParameterErr);
    EXPECT_EQ(c.count(), 0u);
    // The level may still change (nothing was encoded), and then it works.
    ASSERT_EQ(s->SetProperty(vtc::key::kProfileLevel, Value("H264_Baseline_AutoLevel")),
              Status::kNoErr);
    EXPECT_EQ(Encode(*s, 0, w, 240, FramePts(0)), Status::kNoErr);
    ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
    EXPECT_EQ(c.samples().size(), 1u);
  }
  // Mid-stream, a live change the level cannot take is refused and the old value kept.
  Collector c;
  auto s = vtctest::MakeSession(320, 240, kNV12, &c,
                                {{vtc::key::kProfileLevel, Value("H264_Baseline_1_3")},
                                 {vtc::key::kAverageBitRate, Value(500000)}});
  ASSERT_TRUE(s);
  ASSERT_EQ(Encode(*s, 0, 320, 240, FramePts(0)), Status::kNoErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kAverageBitRate, Value(5000000)), Status::kParameterErr);
  Value v;
  ASSERT_EQ(s->CopyProperty(vtc::key::kAverageBitRate, &v), Status::kNoErr);
  EXPECT_EQ(v, Value(500000));
  ASSERT_EQ(Encode(*s, 1, 320, 240, FramePts(1)), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  EXPECT_EQ(c.samples().size(), 2u);
}

// --- Injected failures ---------------------------------------------------------------------------

TEST(BadInput, X264FailingAnswersEveryFrameInFlightAndTheNextFrameRestartsIt) {
  // Default settings: x264's lookahead holds many frames when the 12th fails. All of them are
  // answered with kVTVideoEncoderMalfunctionErr; the frames after go to a new x264, which starts
  // with an IDR.
  const int n = 24, fail_at = 12;
  Collector c;
  std::vector<std::string> errors;
  std::mutex errors_mu;
  // Each x264 instance reads the fault when it opens (at the first frame).
  auto fault = std::make_unique<FaultInjection>("encode:12");
  auto s = vtctest::MakeSession(96, 64, kNV12, &c);
  ASSERT_TRUE(s);
  s->SetLogHandler([&](vtc::LogLevel level, const char* message) {
    std::lock_guard<std::mutex> lock(errors_mu);
    if (level == vtc::LogLevel::kError) errors.push_back(message);
  });
  for (int i = 0; i < fail_at; ++i) ASSERT_EQ(Encode(*s, i, 96, 64, FramePts(i)), Status::kNoErr);
  // The failure answers all twelve on the worker; wait for that before the next frame, so that
  // it goes to a new instance opened without the fault.
  ASSERT_TRUE(c.WaitForCount(size_t(fail_at), std::chrono::seconds(120)));
  fault.reset();
  for (int i = fail_at; i < n; ++i) ASSERT_EQ(Encode(*s, i, 96, 64, FramePts(i)), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  auto outs = c.outputs();
  ExpectEachFrameAnsweredOnce(outs, n);
  int failed = 0;
  for (const auto& o : outs) {
    const int i = IndexOfRefcon(o.refcon);
    if (o.status != Status::kNoErr) {
      ++failed;
      EXPECT_EQ(o.status, Status::kVideoEncoderMalfunctionErr) << i;
      EXPECT_FALSE(o.sample) << i;
      EXPECT_LT(i, fail_at);
    } else {
      ASSERT_TRUE(o.sample) << i;
      EXPECT_EQ(o.flags & vtc::kEncodeInfo_FrameDropped, 0u);
    }
  }
  EXPECT_GE(failed, 2) << "x264 held more than the failing frame";
  // The failing frame is among them; the frames after the restart all encoded, from an IDR.
  std::vector<vtc::SampleBufferRef> after;
  for (const auto& o : outs)
    if (IndexOfRefcon(o.refcon) >= fail_at) after.push_back(o.sample);
  ASSERT_EQ(after.size(), size_t(n - fail_at));
  EXPECT_TRUE(after.front()->IsSync());
  for (const auto& sample : after)
    EXPECT_LE(sample->decode_time_stamp(), sample->presentation_time_stamp());
  {
    std::lock_guard<std::mutex> lock(errors_mu);
    bool said = false;
    for (const auto& m : errors) said |= m.find("x264") != std::string::npos;
    EXPECT_TRUE(said) << "no error message names x264";
  }
  Value pending;
  ASSERT_EQ(s->CopyProperty(vtc::key::kNumberOfPendingFrames, &pending), Status::kNoErr);
  EXPECT_EQ(pending, Value(0));
}

TEST(BadInput, X264FailingWithoutDelayLosesOnlyTheFailingFrames) {
  // MaxFrameDelayCount 0: nothing else is in flight. Every 5th frame given to an instance fails
  // (instances opened while the fault is set: all of them here).
  FaultInjection fault("encode:5");
  Collector c;
  auto s = vtctest::MakeSession(96, 64, kNV12, &c, {{vtc::key::kMaxFrameDelayCount, Value(0)}});
  ASSERT_TRUE(s);
  const int n = 12;
  for (int i = 0; i < n; ++i) ASSERT_EQ(Encode(*s, i, 96, 64, FramePts(i)), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  auto outs = c.outputs();
  ExpectEachFrameAnsweredOnce(outs, n);
  ASSERT_EQ(outs.size(), size_t(n));
  for (int i = 0; i < n; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(IndexOfRefcon(outs[i].refcon), i);  // answered in order
    // Instance 1 takes frames 0-4 and fails on 4; instance 2 takes 5-9 and fails on 9; ...
    const bool fails = i % 5 == 4;
    EXPECT_EQ(outs[i].status, fails ? Status::kVideoEncoderMalfunctionErr : Status::kNoErr);
    EXPECT_EQ(bool(outs[i].sample), !fails);
    if (outs[i].sample && (i == 0 || i % 5 == 0)) EXPECT_TRUE(outs[i].sample->IsSync());
  }
}

TEST(BadInput, PoolAllocationFailureIsReportedAndThePoolKeepsWorking) {
  Collector c;
  std::shared_ptr<vtc::CompressionSession> s;
  vtc::PixelBufferPoolRef standalone;
  {
    FaultInjection fault("alloc:3");
    vtc::Dictionary attrs{{vtc::key::kPoolMinimumBufferCount, Value(2)}};
    Status st;
    s = Create(64, 48, nullptr, &attrs, &st, &c);
    ASSERT_TRUE(s);
    ASSERT_EQ(vtc::PixelBufferPool::Create(
                  {{vtc::key::kWidth, Value(16)}, {vtc::key::kHeight, Value(16)}}, &standalone),
              Status::kNoErr);
  }
  auto pool = s->GetPixelBufferPool();
  ASSERT_TRUE(pool);
  std::vector<vtc::PixelBufferRef> held(4);
  // Buffers made up front (MinimumBufferCount) do not count: the third request fails.
  EXPECT_EQ(pool->CreatePixelBuffer(&held[0]), Status::kNoErr);
  EXPECT_EQ(pool->CreatePixelBuffer(&held[1]), Status::kNoErr);
  EXPECT_EQ(pool->CreatePixelBuffer(&held[2]), Status::kAllocationFailedErr);
  EXPECT_FALSE(held[2]);
  EXPECT_EQ(pool->outstanding_count(), 2u);
  EXPECT_EQ(pool->CreatePixelBuffer(&held[3]), Status::kNoErr);
  EXPECT_EQ(pool->outstanding_count(), 3u);
  // Each pool counts on its own.
  vtc::PixelBufferRef a, b, d;
  EXPECT_EQ(standalone->CreatePixelBuffer(&a), Status::kNoErr);
  EXPECT_EQ(standalone->CreatePixelBuffer(&b), Status::kNoErr);
  EXPECT_EQ(standalone->CreatePixelBuffer(&d), Status::kAllocationFailedErr);
  // The buffers it did make encode normally.
  int i = 0;
  for (int k : {0, 1, 3}) {
    vtctest::CopyPictureInto(MakeMovingPicture(64, 48, i), held[size_t(k)]);
    ASSERT_EQ(s->EncodeFrame(held[size_t(k)], FramePts(i), FrameDuration(), nullptr, RefconFor(i),
                             nullptr),
              Status::kNoErr);
    ++i;
  }
  held.clear();
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  ExpectEachFrameAnsweredOnce(c.outputs(), 3);
  EXPECT_EQ(c.samples().size(), 3u);
  EXPECT_EQ(pool->outstanding_count(), 0u);
}

}  // namespace
