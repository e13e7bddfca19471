// SPDX-License-Identifier: GPL-2.0-or-later
// HEVC sessions ('hvc1', x265): the stream decodes frame for frame with ffmpeg, the samples and
// the hvcC have VideoToolbox's shape (length-prefixed, parameter sets only in the format
// description, sync samples only on IDRs), the keys reach x265, and bad input gets a status.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

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
using vtc::PixelFormatType;
using vtc::Status;
using vtc::Value;

constexpr PixelFormatType kY420 = vtc::kPixelFormat_420YpCbCr8Planar;
constexpr PixelFormatType k420v = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;

// HEVC NAL unit type of a NAL unit (without its length).
int HevcNalType(const std::vector<uint8_t>& nal) {
  return nal.empty() ? -1 : (nal[0] >> 1) & 0x3f;
}

std::shared_ptr<vtc::CompressionSession> MakeHevcSession(int w, int h, PixelFormatType fmt,
                                                         Collector* c,
                                                         const Dictionary& props = {}) {
  return MakeSession(w, h, fmt, c, props, vtc::kCodecType_HEVC);
}

// Encodes `frames` moving pictures from the session's pool, then completes.
void EncodeMoving(vtc::CompressionSession& s, int w, int h, int frames,
                  const std::set<int>& force_key = {}) {
  for (int i = 0; i < frames; ++i) {
    vtc::PixelBufferRef b = MakePoolBuffer(s, MakeMovingPicture(w, h, i));
    ASSERT_TRUE(b);
    Dictionary opts;
    if (force_key.count(i)) opts[vtc::key::kForceKeyFrame] = Value(true);
    ASSERT_EQ(s.EncodeFrame(b, FramePts(i), FrameDuration(), force_key.count(i) ? &opts : nullptr,
                            RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s.CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
}

TEST(Hevc, EncoderListHasX265) {
  vtc::Array list;
  ASSERT_EQ(vtc::CopyVideoEncoderList(nullptr, &list), Status::kNoErr);
  bool found = false;
  for (const Value& v : list) {
    const auto& e = v.AsDictionary();
    if (e.at(vtc::key::kEncoderID) != Value(vtc::kX265EncoderID)) continue;
    found = true;
    EXPECT_EQ(e.at(vtc::key::kCodecType), Value(int64_t(vtc::kCodecType_HEVC)));
    EXPECT_EQ(e.at(vtc::key::kEncoderName), Value("x265"));
    EXPECT_EQ(e.at(vtc::key::kSupportsFrameReordering), Value(true));
  }
  EXPECT_TRUE(found);
}

// The first thing a user checks: frames in, a stream ffmpeg decodes frame for frame out.
TEST(Hevc, DecodesFrameForFrameWithFfmpeg) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  for (PixelFormatType fmt : {kY420, k420v}) {
    SCOPED_TRACE(vtc::PixelFormatName(fmt));
    const int w = 320, h = 240, n = 30;
    Collector c;
    auto s = MakeHevcSession(w, h, fmt, &c);
    ASSERT_TRUE(s);
    EncodeMoving(*s, w, h, n);
    ASSERT_EQ(c.count(), size_t(n));
    for (const Output& o : c.outputs()) EXPECT_EQ(o.status, Status::kNoErr);
    const auto samples = c.samples();
    ASSERT_EQ(samples.size(), size_t(n));
    Decoded d;
    std::string error;
    ASSERT_TRUE(DecodeAnnexB(ToAnnexB(samples), &d, &error, "hevc")) << error;
    EXPECT_EQ(d.profile, "Main");
    ASSERT_EQ(d.frames.size(), size_t(n));
    for (int i = 0; i < n; ++i)
      EXPECT_GT(PsnrY(MakeMovingPicture(w, h, i), d.frames[size_t(i)]), 35.0) << "frame " << i;
    s->Invalidate();
  }
}

// VideoToolbox's shape: an 'hvc1' description with an hvcC, length-prefixed samples without
// parameter sets, NotSync false exactly on IDRs, DTS non-decreasing and never above the PTS.
TEST(Hevc, SamplesAndDescriptionHaveVideoToolboxShape) {
  const int w = 256, h = 144, n = 40;
  Collector c;
  auto s = MakeHevcSession(w, h, kY420, &c);
  ASSERT_TRUE(s);
  EncodeMoving(*s, w, h, n, {17});
  const auto samples = c.samples();
  ASSERT_EQ(samples.size(), size_t(n));
  const auto& fd = samples[0]->format_description();
  ASSERT_TRUE(fd);
  EXPECT_EQ(fd->codec_type(), vtc::kCodecType_HEVC);
  EXPECT_EQ(fd->display_width(), w);
  EXPECT_EQ(fd->display_height(), h);
  std::size_t count = 0;
  int header_length = 0;
  const uint8_t* ps = nullptr;
  std::size_t size = 0;
  ASSERT_EQ(fd->GetHEVCParameterSetAtIndex(0, &ps, &size, &count, &header_length), Status::kNoErr);
  EXPECT_EQ(header_length, 4);
  EXPECT_GE(count, 3u);
  std::set<int> set_types;
  for (std::size_t i = 0; i < count; ++i) {
    ASSERT_EQ(fd->GetHEVCParameterSetAtIndex(i, &ps, &size, nullptr, nullptr), Status::kNoErr);
    set_types.insert((ps[0] >> 1) & 0x3f);
  }
  EXPECT_EQ(set_types, (std::set<int>{32, 33, 34}));
  vtc::Time last_dts = vtc::Time::Invalid();
  bool saw_reorder = false;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& smp = samples[i];
    std::vector<int> types;
    for (const auto& nal : SplitAvcc(smp)) types.push_back(HevcNalType(nal));
    ASSERT_FALSE(types.empty());
    bool idr = false;
    for (int t : types) {
      EXPECT_FALSE(t >= 32 && t <= 34) << "parameter set in sample " << i;
      idr |= t == 19 || t == 20;
    }
    EXPECT_EQ(smp->IsSync(), idr) << "sample " << i;
    const vtc::Time pts = smp->presentation_time_stamp(), dts = smp->decode_time_stamp();
    EXPECT_LE(dts, pts) << "sample " << i;
    if (last_dts.IsValid()) EXPECT_LE(last_dts, dts) << "sample " << i;
    last_dts = dts;
    saw_reorder |= pts != dts;
    // ForceKeyFrame's frame is an IDR.
    if (IndexOfRefcon(c.outputs()[i].refcon) == 17) EXPECT_TRUE(idr);
  }
  EXPECT_TRUE(samples[0]->IsSync());
  EXPECT_TRUE(saw_reorder) << "x265's default B-frames should reorder";
  int64_t delay = -1;
  Value v;
  ASSERT_EQ(s->CopyProperty(vtc::key::kEncoderFrameDelay, &v), Status::kNoErr);
  ASSERT_TRUE(v.GetInt(&delay));
  EXPECT_GT(delay, 0);
  s->Invalidate();
}

// CompleteFrames drains x265; the next frame starts a new coded sequence with an IDR.
TEST(Hevc, CompleteFramesThenIdr) {
  const int w = 192, h = 128;
  Collector c;
  auto s = MakeHevcSession(w, h, kY420, &c);
  ASSERT_TRUE(s);
  EncodeMoving(*s, w, h, 10);
  ASSERT_EQ(c.count(), 10u);
  vtc::PixelBufferRef b = MakePoolBuffer(*s, MakeMovingPicture(w, h, 10));
  ASSERT_EQ(s->EncodeFrame(b, FramePts(10), FrameDuration(), nullptr, RefconFor(10), nullptr),
            Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  const auto samples = c.samples();
  ASSERT_EQ(samples.size(), 11u);
  EXPECT_TRUE(samples[10]->IsSync());
  s->Invalidate();
}

// Keys reach x265: AllowFrameReordering false gives no reordering, MaxFrameDelayCount 0 gives
// every frame back before EncodeFrame's next call completes, CalculateMeanSquaredError gives the
// metrics, and AverageBitRate lands near its target.
TEST(Hevc, KeysReachX265) {
  const int w = 320, h = 240, n = 30;
  Collector c;
  auto s = MakeHevcSession(w, h, kY420, &c,
                           {{vtc::key::kAllowFrameReordering, Value(false)},
                            {vtc::key::kMaxFrameDelayCount, Value(0)},
                            {vtc::key::kCalculateMeanSquaredError, Value(true)}});
  ASSERT_TRUE(s);
  Value v;
  ASSERT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
  ASSERT_EQ(s->CopyProperty(vtc::key::kEncoderFrameDelay, &v), Status::kNoErr);
  EXPECT_EQ(v, Value(0));
  EncodeMoving(*s, w, h, n);
  const auto samples = c.samples();
  ASSERT_EQ(samples.size(), size_t(n));
  for (const auto& smp : samples) {
    EXPECT_EQ(smp->presentation_time_stamp(), smp->decode_time_stamp());
    ASSERT_TRUE(smp->attachments().count(vtc::key::kQualityMetrics));
    const auto& m = smp->attachments().at(vtc::key::kQualityMetrics).AsDictionary();
    double y = -1;
    ASSERT_TRUE(m.at(vtc::key::kLumaMeanSquaredError).GetDouble(&y));
    EXPECT_GT(y, 0.0);
    EXPECT_LT(y, 30.0);  // above 33 dB
  }
  s->Invalidate();
}

TEST(Hevc, AverageBitRateNearTarget) {
  const int w = 320, h = 240, n = 90;
  Collector c;
  auto s = MakeHevcSession(w, h, kY420, &c, {{vtc::key::kAverageBitRate, Value(300000)}});
  ASSERT_TRUE(s);
  EncodeMoving(*s, w, h, n);
  std::size_t bytes = 0;
  for (const auto& smp : c.samples()) bytes += smp->size();
  const double kbps = bytes * 8.0 / (n / 30.0) / 1000.0;
  EXPECT_NEAR(kbps, 300.0, 300.0 * 0.15);
  s->Invalidate();
}

// 10-bit planar input is coded as Main 10, and an explicit Main 10 profile codes 8-bit input
// in 10 bits.
TEST(Hevc, Main10FromSourceOrProfile) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  const int w = 160, h = 96, n = 8;
  {
    Collector c;
    auto s = MakeHevcSession(w, h, kY420, &c,
                             {{vtc::key::kProfileLevel, Value("HEVC_Main10_AutoLevel")}});
    ASSERT_TRUE(s);
    EncodeMoving(*s, w, h, n);
    ASSERT_EQ(c.samples().size(), size_t(n));
    const std::vector<uint8_t> annexb = ToAnnexB(c.samples());
    Decoded d;
    std::string error;
    // The helper decodes 8-bit output only; 10-bit output is its own error with the pix_fmt.
    EXPECT_FALSE(DecodeAnnexB(annexb, &d, &error, "hevc"));
    EXPECT_NE(error.find("yuv420p10le"), std::string::npos) << error;
    s->Invalidate();
  }
}

// 12-bit planar sources: HEVC codes them as they are (Main 12, 4:2:2 12, 4:4:4 12 through x265's
// 12-bit library); H.264 sessions code them in 10 bits (High 10), x264 having no 12-bit build.
TEST(Hevc, TwelveBitSources) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  struct Row {
    vtc::CodecType codec;
    PixelFormatType format;
    const char* pix_fmt;  // what ffmpeg decodes the stream to
  };
  const Row rows[] = {
      {vtc::kCodecType_HEVC, vtc::kPixelFormat_420YpCbCr12Planar, "yuv420p12le"},
      {vtc::kCodecType_HEVC, vtc::kPixelFormat_422YpCbCr12Planar, "yuv422p12le"},
      {vtc::kCodecType_HEVC, vtc::kPixelFormat_444YpCbCr12Planar, "yuv444p12le"},
      {vtc::kCodecType_H264, vtc::kPixelFormat_420YpCbCr12Planar, "yuv420p10le"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(vtc::PixelFormatName(r.format) +
                 (r.codec == vtc::kCodecType_HEVC ? " HEVC" : " H.264"));
    const int w = 96, h = 64, n = 6;
    Collector c;
    auto s = MakeSession(w, h, r.format, &c, {}, r.codec);
    ASSERT_TRUE(s);
    for (int i = 0; i < n; ++i) {
      vtc::PixelBufferRef b;
      ASSERT_EQ(s->GetPixelBufferPool()->CreatePixelBuffer(&b), Status::kNoErr);
      for (std::size_t p = 0; p < 3; ++p)
        for (std::size_t y = 0; y < std::size_t(b->height_of_plane(p)); ++y) {
          auto* row = reinterpret_cast<uint16_t*>(b->base_address_of_plane(p) +
                                                  y * b->bytes_per_row_of_plane(p));
          for (std::size_t x = 0; x < std::size_t(b->width_of_plane(p)); ++x)
            row[x] = uint16_t(p ? 2048 : 256 + 12 * ((x + y + 3 * std::size_t(i)) % 300));
        }
      ASSERT_EQ(s->EncodeFrame(b, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
                Status::kNoErr);
    }
    ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    ASSERT_EQ(c.samples().size(), size_t(n));
    Decoded d;
    std::string error;
    // The helper decodes 8-bit 4:2:0 only: deeper output is its own error naming the pix_fmt.
    EXPECT_FALSE(DecodeAnnexB(ToAnnexB(c.samples()), &d, &error,
                              r.codec == vtc::kCodecType_HEVC ? "hevc" : "h264"));
    EXPECT_NE(error.find(std::string("'") + r.pix_fmt + "'"), std::string::npos) << error;
    s->Invalidate();
  }
}

TEST(Hevc, BadInputGetsAStatus) {
  Collector c;
  std::shared_ptr<vtc::CompressionSession> s;
  Dictionary attrs{{vtc::key::kPixelFormatType, Value(int64_t(kY420))}};
  // Too small for one coding tree unit.
  ASSERT_EQ(vtc::CompressionSession::Create(8, 8, vtc::kCodecType_HEVC, nullptr, &attrs,
                                            &Collector::Callback, &c, &s),
            Status::kNoErr);
  EXPECT_NE(s->PrepareToEncodeFrames(), Status::kNoErr);
  s->Invalidate();
  s = MakeHevcSession(64, 64, kY420, &c);
  ASSERT_TRUE(s);
  // Interlaced HEVC, a bad tune, an option that would break the framing, an H.264 profile.
  EXPECT_EQ(s->SetProperty(vtc::key::kFieldCount, Value(2)), Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kX265Tune, Value("film")), Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kX265Options, Value("annexb=1")), Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kX265Options, Value("no-such-option=1")),
            Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kProfileLevel, Value("H264_High_AutoLevel")),
            Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kX264Tune, Value("film")), Status::kPropertyNotSupportedErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kX265Options, Value("ref=2:bframes=2")), Status::kNoErr);
  EncodeMoving(*s, 64, 64, 5);
  EXPECT_EQ(c.samples().size(), 5u);
  s->Invalidate();
}

}  // namespace
}  // namespace vtctest

namespace vtctest {
namespace {

// HDR10 static metadata, as the keys hold it: BT.2020 primaries (G, B, R), D65, 1000 / 0.005
// cd/m2; MaxCLL 1000, MaxFALL 400.
const vtc::Data kMasteringDisplay = {0x33, 0xc2, 0x86, 0xc4, 0x1d, 0x4c, 0x0b, 0xb8,
                                     0x84, 0xd0, 0x3e, 0x80, 0x3d, 0x13, 0x40, 0x42,
                                     0x00, 0x98, 0x96, 0x80, 0x00, 0x00, 0x00, 0x32};
const vtc::Data kContentLightLevel = {0x03, 0xe8, 0x01, 0x90};

// The SEI payload types in one sample's SEI NAL units (H.264 type 6, HEVC prefix SEI 39), one
// message per NAL unit as both libraries write them.
std::set<int> SeiPayloadTypes(const vtc::SampleBufferRef& s, bool hevc) {
  std::set<int> types;
  for (const auto& nal : SplitAvcc(s)) {
    const int type = hevc ? HevcNalType(nal) : (nal.empty() ? -1 : nal[0] & 0x1f);
    const std::size_t header = hevc ? 2 : 1;
    if (type != (hevc ? 39 : 6) || nal.size() <= header) continue;
    int payload = 0;
    std::size_t i = header;
    while (i < nal.size() && nal[i] == 0xff) payload += 255, ++i;
    if (i < nal.size()) types.insert(payload + nal[i]);
  }
  return types;
}

// Both codecs write the mastering display and content light level SEIs (137, 144) before every
// IDR, with BT.2020/PQ in the VUI, and the format description carries the keys' bytes.
TEST(Hdr, StaticMetadataInEveryIdrForBothCodecs) {
  for (vtc::CodecType codec : {vtc::kCodecType_H264, vtc::kCodecType_HEVC}) {
    const bool hevc = codec == vtc::kCodecType_HEVC;
    SCOPED_TRACE(hevc ? "HEVC" : "H.264");
    const int w = 160, h = 96, n = 12;
    Collector c;
    auto s = MakeSession(w, h, vtc::kPixelFormat_420YpCbCr10Planar, &c,
                         {{vtc::key::kMasteringDisplayColorVolume, Value(kMasteringDisplay)},
                          {vtc::key::kContentLightLevelInfo, Value(kContentLightLevel)},
                          {vtc::key::kColorPrimaries, Value("ITU_R_2020")},
                          {vtc::key::kTransferFunction, Value("SMPTE_ST_2084_PQ")},
                          {vtc::key::kYCbCrMatrix, Value("ITU_R_2020")}},
                         codec);
    ASSERT_TRUE(s);
    for (int i = 0; i < n; ++i) {
      vtc::PixelBufferRef b;
      ASSERT_EQ(s->GetPixelBufferPool()->CreatePixelBuffer(&b), Status::kNoErr);
      // Mid-grey in 10 bits, a moving bar.
      for (std::size_t p = 0; p < 3; ++p) {
        for (std::size_t y = 0; y < std::size_t(b->height_of_plane(p)); ++y) {
          auto* row = reinterpret_cast<uint16_t*>(b->base_address_of_plane(p) +
                                                  y * b->bytes_per_row_of_plane(p));
          for (std::size_t x = 0; x < std::size_t(b->width_of_plane(p)); ++x)
            row[x] = uint16_t(p == 0 && (int(x) + 4 * i) % 40 < 8 ? 700 : 512);
        }
      }
      Dictionary opts{{vtc::key::kForceKeyFrame, Value(i == 6)}};
      ASSERT_EQ(s->EncodeFrame(b, FramePts(i), FrameDuration(), &opts, RefconFor(i), nullptr),
                Status::kNoErr);
    }
    ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    const auto samples = c.samples();
    ASSERT_EQ(samples.size(), size_t(n));
    int idrs = 0;
    for (const auto& smp : samples) {
      const std::set<int> sei = SeiPayloadTypes(smp, hevc);
      if (smp->IsSync()) {
        ++idrs;
        EXPECT_TRUE(sei.count(137)) << "no mastering display SEI before an IDR";
        EXPECT_TRUE(sei.count(144)) << "no content light level SEI before an IDR";
      } else {
        EXPECT_FALSE(sei.count(137) || sei.count(144)) << "HDR SEI on a non-IDR sample";
      }
    }
    EXPECT_EQ(idrs, 2);
    const auto& ext = samples[0]->format_description()->extensions();
    EXPECT_EQ(ext.at(vtc::key::kMasteringDisplayColorVolume), Value(kMasteringDisplay));
    EXPECT_EQ(ext.at(vtc::key::kContentLightLevelInfo), Value(kContentLightLevel));
    s->Invalidate();
  }
}

TEST(Hdr, WrongSizesAreRefused) {
  Collector c;
  auto s = MakeSession(64, 64, kY420, &c, {}, vtc::kCodecType_HEVC);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->SetProperty(vtc::key::kMasteringDisplayColorVolume, Value(vtc::Data(23))),
            Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kContentLightLevelInfo, Value(int64_t(1000))),
            Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kContentLightLevelInfo, Value(kContentLightLevel)),
            Status::kNoErr);
  s->Invalidate();
}

}  // namespace
}  // namespace vtctest
