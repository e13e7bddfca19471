// SPDX-License-Identifier: GPL-2.0-or-later
// Create and its arguments, the encoder list, Time and Value.
#include <gtest/gtest.h>

#include "test_util.h"

using vtc::Status;
using vtc::Time;
using vtc::Value;
using vtctest::Collector;

namespace {

std::shared_ptr<vtc::CompressionSession> Create(int w, int h, const vtc::Dictionary* spec,
                                                const vtc::Dictionary* attrs, Status* st,
                                                vtc::CodecType codec = vtc::kCodecType_H264) {
  std::shared_ptr<vtc::CompressionSession> s;
  *st = vtc::CompressionSession::Create(w, h, codec, spec, attrs, Collector::Callback, nullptr, &s);
  return s;
}

TEST(Create, AcceptsEverySizeFromOneTo16384) {
  Status st;
  for (auto [w, h] : {std::pair{1, 1}, {17, 9}, {16384, 16}, {16, 16384}}) {
    EXPECT_TRUE(Create(w, h, nullptr, nullptr, &st)) << w << "x" << h;
    EXPECT_EQ(st, Status::kNoErr);
  }
  for (auto [w, h] : {std::pair{0, 1}, {1, 0}, {-4, 4}, {16385, 4}, {4, 16385}}) {
    EXPECT_FALSE(Create(w, h, nullptr, nullptr, &st)) << w << "x" << h;
    EXPECT_EQ(st, Status::kParameterErr);
  }
  EXPECT_EQ(vtc::CompressionSession::Create(16, 16, vtc::kCodecType_H264, nullptr, nullptr,
                                            Collector::Callback, nullptr, nullptr),
            Status::kParameterErr);
}

TEST(Create, EncoderSpecification) {
  Status st;
  vtc::Dictionary x264{{vtc::key::kEncoderID, Value("org.videolan.x264")},
                       {vtc::key::kEnableHardwareAcceleratedVideoEncoder, Value(true)},
                       {vtc::key::kEnableLowLatencyRateControl, Value(true)}};
  EXPECT_TRUE(Create(64, 64, &x264, nullptr, &st));
  EXPECT_EQ(st, Status::kNoErr);
  vtc::Dictionary other{{vtc::key::kEncoderID, Value("com.apple.videotoolbox.videoencoder.h264")}};
  EXPECT_FALSE(Create(64, 64, &other, nullptr, &st));
  EXPECT_EQ(st, Status::kCouldNotFindVideoEncoderErr);
  vtc::Dictionary hw{{vtc::key::kRequireHardwareAcceleratedVideoEncoder, Value(true)}};
  EXPECT_FALSE(Create(64, 64, &hw, nullptr, &st));
  EXPECT_EQ(st, Status::kCouldNotFindVideoEncoderErr);
  vtc::Dictionary no_hw{{vtc::key::kRequireHardwareAcceleratedVideoEncoder, Value(false)}};
  EXPECT_TRUE(Create(64, 64, &no_hw, nullptr, &st));
  vtc::Dictionary bad{{vtc::key::kEnableLowLatencyRateControl, Value("yes")}};
  EXPECT_FALSE(Create(64, 64, &bad, nullptr, &st));
  EXPECT_EQ(st, Status::kParameterErr);
  // HEVC is x265's; x264's ID does not code it, and an unknown codec type has no encoder.
  EXPECT_TRUE(Create(64, 64, nullptr, nullptr, &st, vtc::kCodecType_HEVC));
  EXPECT_FALSE(Create(64, 64, &x264, nullptr, &st, vtc::kCodecType_HEVC));
  EXPECT_EQ(st, Status::kCouldNotFindVideoEncoderErr);
  EXPECT_FALSE(Create(64, 64, nullptr, nullptr, &st, vtc::FourCC("av01")));
  EXPECT_EQ(st, Status::kCouldNotFindVideoEncoderErr);
}

TEST(Create, SourceAttributesShapeThePool) {
  Status st;
  vtc::Dictionary attrs{{vtc::key::kPixelFormatType, Value(vtc::kPixelFormat_420YpCbCr8Planar)},
                        {vtc::key::kBytesPerRowAlignment, Value(64)}};
  auto s = Create(70, 40, nullptr, &attrs, &st);
  ASSERT_TRUE(s);
  auto pool = s->GetPixelBufferPool();
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->pixel_format(), vtc::kPixelFormat_420YpCbCr8Planar);
  EXPECT_EQ(pool->width(), 70);
  vtc::PixelBufferRef b;
  ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
  EXPECT_EQ(b->bytes_per_row_of_plane(0) % 64, 0u);
  vtc::Dictionary unsupported{{vtc::key::kPixelFormatType, Value(vtc::FourCC("b64a"))}};
  EXPECT_FALSE(Create(70, 40, nullptr, &unsupported, &st));
  EXPECT_EQ(st, Status::kPixelTransferNotSupportedErr);
}

TEST(Create, LowLatencyRateControlAnswersEachFrameWithoutReordering) {
  Collector c;
  std::shared_ptr<vtc::CompressionSession> s;
  vtc::Dictionary spec{{vtc::key::kEnableLowLatencyRateControl, Value(true)}};
  ASSERT_EQ(vtc::CompressionSession::Create(160, 96, vtc::kCodecType_H264, &spec, nullptr,
                                            Collector::Callback, &c, &s),
            Status::kNoErr);
  ASSERT_EQ(s->SetProperty(vtc::key::kMaxFrameDelayCount, 0), Status::kNoErr);
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(s->EncodeFrame(vtctest::MakePoolBuffer(*s, vtctest::MakeMovingPicture(160, 96, i)),
                             vtctest::FramePts(i), vtctest::FrameDuration(), nullptr,
                             vtctest::RefconFor(i), nullptr),
              Status::kNoErr);
    EXPECT_EQ(c.count(), size_t(i + 1));
  }
  int syncs = 0;
  for (const auto& smp : c.samples()) syncs += smp->IsSync();
  EXPECT_EQ(syncs, 1) << "low-latency rate control: one IDR, then P frames";
}

TEST(Create, FramesOfAnotherSizeAreScaledAndNullIsRefused) {
  Collector c;
  auto s = vtctest::MakeSession(64, 48, vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange, &c);
  ASSERT_TRUE(s);
  // Another size is scaled to the session's, as VideoToolbox does (test_formats.cpp checks it).
  auto other = vtctest::MakeWrappedBuffer(vtctest::MakeMovingPicture(64, 50, 0),
                                          vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange, 0);
  EXPECT_EQ(s->EncodeFrame(other, vtctest::FramePts(0), vtctest::FrameDuration(), nullptr, nullptr,
                           nullptr),
            Status::kNoErr);
  EXPECT_EQ(s->EncodeFrame(nullptr, vtctest::FramePts(1), vtctest::FrameDuration(), nullptr,
                           nullptr, nullptr),
            Status::kParameterErr);
  // I420 frames are fine in an NV12 session (x264 takes both).
  auto i420 = vtctest::MakeWrappedBuffer(vtctest::MakeMovingPicture(64, 48, 0),
                                         vtc::kPixelFormat_420YpCbCr8Planar, 8);
  EXPECT_EQ(s->EncodeFrame(i420, vtctest::FramePts(1), vtctest::FrameDuration(), nullptr, nullptr,
                           nullptr),
            Status::kNoErr);
  EXPECT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  EXPECT_EQ(c.count(), 2u);
  for (const auto& o : c.outputs()) EXPECT_EQ(o.status, Status::kNoErr);
}

TEST(EncoderList, ListsX264ThenX265) {
  vtc::Array list;
  ASSERT_EQ(vtc::CopyVideoEncoderList(nullptr, &list), Status::kNoErr);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].AsDictionary().at(vtc::key::kEncoderID), Value(vtc::kX265EncoderID));
  const auto& e = list[0].AsDictionary();
  EXPECT_EQ(e.at(vtc::key::kEncoderID), Value("org.videolan.x264"));
  EXPECT_EQ(e.at(vtc::key::kCodecType), Value(int64_t(vtc::FourCC("avc1"))));
  EXPECT_EQ(e.at(vtc::key::kIsHardwareAccelerated), Value(false));
  EXPECT_EQ(vtc::CopyVideoEncoderList(nullptr, nullptr), Status::kParameterErr);
}

TEST(Time, ComparesAcrossTimescalesAndKinds) {
  EXPECT_EQ(Time::Make(1, 30), Time::Make(3000, 90000));
  EXPECT_LT(Time::Make(1, 30), Time::Make(3001, 90000));
  EXPECT_LT(Time::Invalid(), Time::NegativeInfinity());
  EXPECT_LT(Time::NegativeInfinity(), Time::Make(-1000000, 1));
  EXPECT_LT(Time::Make(1000000, 1), Time::PositiveInfinity());
  EXPECT_LT(Time::PositiveInfinity(), Time::Indefinite());
  EXPECT_FALSE(Time::Make(5, 0).IsValid());
  EXPECT_EQ(Time::Make(1, 3).ConvertScale(1000).value, 333);
  EXPECT_EQ(Time::Make(2, 3).ConvertScale(1000).value, 667);
  EXPECT_EQ(Time::Make(-2, 3).ConvertScale(1000).value, -667);
  EXPECT_DOUBLE_EQ(Time::Make(3, 2).Seconds(), 1.5);
  // No overflow with nanosecond timescales and long streams.
  EXPECT_LT(Time::Make(INT64_MAX / 2, 1000000000), Time::Make(INT64_MAX / 2 + 1, 1000000000));
}

TEST(Value, TypedAccessAndEquality) {
  int64_t i = 0;
  double d = 0;
  EXPECT_TRUE(Value(30.0).GetInt(&i));
  EXPECT_EQ(i, 30);
  EXPECT_FALSE(Value(29.97).GetInt(&i));  // no silent truncation
  EXPECT_TRUE(Value(7).GetDouble(&d));
  EXPECT_EQ(d, 7.0);
  EXPECT_EQ(Value(2), Value(2.0));
  EXPECT_NE(Value(true), Value(1));
  EXPECT_NE(Value("a"), Value());
  EXPECT_EQ(Value(vtc::Array{Value(1), Value("x")}).ToString(), "[1, \"x\"]");
  EXPECT_STREQ(vtc::StatusName(Status::kParameterErr), "kVTParameterErr");
  EXPECT_EQ(vtc::ToOSStatus(Status::kInvalidSessionErr), -12903);
}

}  // namespace
