// SPDX-License-Identifier: GPL-2.0-or-later
// The SEIPayloads frame option (keys.h): user data SEI given with a frame comes out in that
// frame's own access unit, before its first slice, with B-frames reordering the output, for both
// codecs; the stream still decodes; anything but user data is refused; frames RealTime drops
// hand theirs on.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "nal_bits.h"
#include "test_util.h"
#include "vtcompress/a53.h"

#if defined(__SANITIZE_ADDRESS__)
// libx265 3.5 leaks a copy of its parameters at every x265_encoder_open (as test_hevc.cpp).
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libx265.so\n";
}
#endif

namespace vtctest {
namespace {

using vtc::Array;
using vtc::Data;
using vtc::Dictionary;
using vtc::Status;
using vtc::Value;
namespace key = vtc::key;

constexpr vtc::PixelFormatType kY420 = vtc::kPixelFormat_420YpCbCr8Planar;

struct Message {
  int type = 0;
  Data bytes;
  bool operator==(const Message& o) const { return type == o.type && bytes == o.bytes; }
};

// An ATSC A/53 caption payload (ITU-T T.35, "GA94") with one CEA-708 triplet carrying `index`
// (0..16383, 7 bits in each data byte).
Data CaptionPayload(int index) {
  return {0xb5,
          0x00,
          0x31,
          'G',
          'A',
          '9',
          '4',
          0x03,
          0x41,
          0xff,
          0xfc,
          uint8_t(0x80 | (index & 0x7f)),
          uint8_t(0x80 | (index >> 7)),
          0xff};
}

// The indices of an A/53 payload's triplets (CaptionPayload's, or several merged).
std::vector<int> CaptionIndices(const Data& p) {
  std::vector<int> out;
  const int n = p.at(8) & 0x1f;
  for (int k = 0; k < n; ++k)
    out.push_back((p.at(11 + 3 * k) & 0x7f) | ((p.at(12 + 3 * k) & 0x7f) << 7));
  return out;
}

// The public builder lays an A/53 payload out as CaptionPayload spells it, and keeps at most 31
// triplets (cc_count's 5 bits).
TEST(SeiA53, CaptionPayloadLayout) {
  const std::uint8_t one[] = {0xfc, 0x80 | (1234 & 0x7f), 0x80 | (1234 >> 7)};
  EXPECT_EQ(vtc::A53CaptionPayload(one, 1), CaptionPayload(1234));
  std::vector<std::uint8_t> many;
  for (int i = 0; i < 40; ++i) many.insert(many.end(), {0xfc, uint8_t(0x80 | i), 0x80});
  const Data p = vtc::A53CaptionPayload(many.data(), 40);
  ASSERT_EQ(p.size(), 8 + 2 + 3 * 31 + 1u);
  EXPECT_EQ(p.at(8), 0x40 | 31);
  std::vector<int> want;
  for (int i = 0; i < 31; ++i) want.push_back(i);
  EXPECT_EQ(CaptionIndices(p), want);
  EXPECT_EQ(p.back(), 0xff);
}

// Unregistered user data whose bytes need emulation prevention (00 00 0x runs).
Data UnregisteredPayload(int index) {
  Data d = {0x17, 0xee, 0x8c, 0x60, 0xf8, 0x4d, 0x11, 0xd9,
            0x8c, 0xd6, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66};
  const Data tail = {0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
                     0x02, 0x00, 0x00, 0x03, 0x00, 0x00, uint8_t(index)};
  d.insert(d.end(), tail.begin(), tail.end());
  return d;
}

Value PayloadsValue(const std::vector<Message>& messages) {
  Array a;
  for (const Message& m : messages)
    a.push_back(Value(
        Dictionary{{key::kSEIPayloadType, Value(m.type)}, {key::kSEIPayload, Value(m.bytes)}}));
  return Value(std::move(a));
}

bool IsHevc(vtc::CodecType codec) {
  return codec == vtc::kCodecType_HEVC;
}

int NalType(vtc::CodecType codec, const std::vector<uint8_t>& nal) {
  return IsHevc(codec) ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
}

bool IsSlice(vtc::CodecType codec, int type) {
  return IsHevc(codec) ? type < 32 : type >= 1 && type <= 5;
}

// Every user data message of a sample that sits before its first slice (the encoders' own SEI
// are of other types), and whether any SEI came after a slice.
std::vector<Message> UserDataOf(vtc::CodecType codec, const vtc::SampleBufferRef& s,
                                bool* sei_after_slice) {
  std::vector<Message> out;
  bool slice_seen = false;
  const int sei_type = IsHevc(codec) ? 39 : 6;
  for (auto& unit : SplitAvcc(s)) {
    const int type = NalType(codec, unit);
    if (IsSlice(codec, type)) slice_seen = true;
    if (type != sei_type) continue;
    if (slice_seen) *sei_after_slice = true;
    if (IsHevc(codec)) EXPECT_EQ(unit[1] & 7, 1) << "TemporalId + 1 of the SEI NAL unit";
    std::vector<nal::SeiMessage> messages;
    EXPECT_TRUE(nal::ParseSei(nal::Nal{type, std::move(unit)}, IsHevc(codec) ? 2 : 1, &messages))
        << "a broken SEI NAL unit: a message runs past it or its trailing bits are missing";
    for (nal::SeiMessage& m : messages)
      if (m.type == 4 || m.type == 5) out.push_back({m.type, std::move(m.payload)});
  }
  return out;
}

class Sei : public ::testing::TestWithParam<vtc::CodecType> {};

// B-frames reorder the output: each frame's messages must still come out in its own sample.
TEST_P(Sei, EachFrameCarriesItsOwnMessagesInItsAccessUnit) {
  const vtc::CodecType codec = GetParam();
  constexpr int kW = 320, kH = 240, kFrames = 24;
  Collector c;
  auto s = MakeSession(kW, kH, kY420, &c, {{key::kAllowFrameReordering, Value(true)}}, codec);
  ASSERT_TRUE(s);
  std::map<int64_t, std::vector<Message>> given;  // by PTS value (timescale 30)
  for (int i = 0; i < kFrames; ++i) {
    auto b = MakePoolBuffer(*s, MakeMovingPicture(kW, kH, i));
    ASSERT_TRUE(b);
    std::vector<Message> m;
    if (i % 3 != 2) m.push_back({4, CaptionPayload(i)});
    if (i % 2 == 0) m.push_back({5, UnregisteredPayload(i)});
    Dictionary opts;
    if (!m.empty()) opts[key::kSEIPayloads] = PayloadsValue(m);
    given[i] = m;
    ASSERT_EQ(s->EncodeFrame(b, FramePts(i), FrameDuration(), &opts, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  const auto samples = c.samples();
  ASSERT_EQ(samples.size(), size_t(kFrames));
  bool reordered = false, after_slice = false;
  int64_t last_pts = -1;
  for (const auto& sample : samples) {
    const int64_t pts = sample->presentation_time_stamp().value;
    if (pts < last_pts) reordered = true;
    last_pts = pts;
    EXPECT_EQ(UserDataOf(codec, sample, &after_slice), given[pts]) << "frame " << pts;
  }
  EXPECT_TRUE(reordered) << "no B-frames: the test would not see reordering";
  EXPECT_FALSE(after_slice) << "an SEI NAL unit after a slice";
  if (!FfmpegAvailable()) GTEST_SKIP() << "no ffmpeg";
  Decoded d;
  std::string error;
  ASSERT_TRUE(DecodeAnnexB(ToAnnexB(samples), &d, &error, IsHevc(codec) ? "hevc" : "h264"))
      << error;
  EXPECT_EQ(d.frames.size(), size_t(kFrames));
}

TEST_P(Sei, AnythingButUserDataIsRefused) {
  const vtc::CodecType codec = GetParam();
  Collector c;
  auto s = MakeSession(64, 64, kY420, &c, {}, codec);
  ASSERT_TRUE(s);
  auto buffer = MakePoolBuffer(*s, MakeMovingPicture(64, 64, 0));
  ASSERT_TRUE(buffer);
  const Data big(key::kMaxSEIPayloadBytes + 1, 0x42);
  const std::vector<std::pair<const char*, Value>> bad = {
      {"not an array", Value(Data{1, 2, 3})},
      {"array of numbers", Value(Array{Value(4)})},
      {"buffering period", PayloadsValue({{0, Data{0x80}}})},
      {"recovery point", PayloadsValue({{6, Data{0x84}}})},
      {"empty payload", PayloadsValue({{4, Data{}}})},
      {"UUID only", PayloadsValue({{5, Data(16, 0x11)}})},
      {"too big", PayloadsValue({{4, big}})},
      {"no type", Value(Array{Value(Dictionary{{key::kSEIPayload, Value(Data{1})}})})},
      {"string payload", Value(Array{Value(Dictionary{{key::kSEIPayloadType, Value(4)},
                                                      {key::kSEIPayload, Value("GA94")}})})},
  };
  for (const auto& [what, value] : bad) {
    Dictionary opts{{key::kSEIPayloads, value}};
    EXPECT_EQ(s->EncodeFrame(buffer, FramePts(0), FrameDuration(), &opts, RefconFor(0), nullptr),
              Status::kParameterErr)
        << what;
  }
  // Refused frames were not taken: the same timestamp still encodes, with good messages.
  Dictionary good{{key::kSEIPayloads, PayloadsValue({{4, CaptionPayload(1)}})}};
  ASSERT_EQ(s->EncodeFrame(buffer, FramePts(0), FrameDuration(), &good, RefconFor(0), nullptr),
            Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  ASSERT_EQ(c.count(), 1u);
  bool after_slice = false;
  EXPECT_EQ(UserDataOf(codec, c.samples().at(0), &after_slice),
            (std::vector<Message>{{4, CaptionPayload(1)}}));
}

INSTANTIATE_TEST_SUITE_P(Codecs, Sei, ::testing::Values(vtc::kCodecType_H264, vtc::kCodecType_HEVC),
                         [](const auto& info) {
                           return std::string(IsHevc(info.param) ? "HEVC" : "H264");
                         });

// H.264's SEI are x264's own (extra_sei): inside its rate control, so a ConstantBitRate stream
// stays at its rate with captions on every frame (its filler makes room for them). Inserted
// after x264 they would add their bytes on top: 8 x 200 bytes x 30 fps = 48 kbit/s, 10% here.
TEST(SeiH264, ConstantBitRateCountsTheSei) {
  constexpr int kW = 320, kH = 240, kFrames = 90, kRate = 480000;
  Collector c;
  auto s =
      MakeSession(kW, kH, kY420, &c,
                  {{key::kConstantBitRate, Value(kRate)}, {key::kExpectedFrameRate, Value(30)}});
  ASSERT_TRUE(s);
  Data big(200, 0x5a);
  big.insert(big.begin(), {0x17, 0xee, 0x8c, 0x60, 0xf8, 0x4d, 0x11, 0xd9, 0x8c, 0xd6, 0x08, 0x00,
                           0x20, 0x0c, 0x9a, 0x66});
  for (int i = 0; i < kFrames; ++i) {
    auto b = MakePoolBuffer(*s, MakeMovingPicture(kW, kH, i));
    ASSERT_TRUE(b);
    Dictionary opts{{key::kSEIPayloads, PayloadsValue({{5, big}})}};
    ASSERT_EQ(s->EncodeFrame(b, FramePts(i), FrameDuration(), &opts, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  const auto samples = c.samples();
  ASSERT_EQ(samples.size(), size_t(kFrames));
  size_t bytes = 0, with_sei = 0;
  bool after_slice = false;
  for (const auto& sm : samples) {
    bytes += sm->data().size();
    for (const Message& m : UserDataOf(vtc::kCodecType_H264, sm, &after_slice))
      if (m.type == 5 && m.bytes == big) ++with_sei;
  }
  EXPECT_EQ(with_sei, size_t(kFrames));
  const double bps = bytes * 8.0 * 30 / kFrames;
  EXPECT_NEAR(bps, kRate, kRate * 0.03) << "the SEI were not counted in the CBR stream";
}

// RealTime drops frames when the timestamps run far ahead of the encoder: their captions come out
// with the next frame encoded, merged into its one A/53 message (a parser keeps one a picture),
// in order; none is lost unless a picture's 31 triplets are full.
TEST(SeiRealTime, DroppedFramesHandTheirMessagesOn) {
  constexpr int kW = 1280, kH = 720, kFrames = 150;
  Collector c;
  auto s = MakeSession(kW, kH, kY420, &c, {{key::kRealTime, Value(true)}});
  ASSERT_TRUE(s);
  std::vector<vtc::PixelBufferRef> pictures;
  for (int i = 0; i < 4; ++i) pictures.push_back(MakePoolBuffer(*s, MakeMovingPicture(kW, kH, i)));
  for (int i = 0; i < kFrames; ++i) {
    // 1000 frames a second of 720p: no encoder here keeps up, so the governor drops.
    Dictionary opts{{key::kSEIPayloads, PayloadsValue({{4, CaptionPayload(i)}})}};
    // The last frame is a key frame, which RealTime never drops: messages of dropped frames
    // before it have a frame to go with (at the very end they would have none).
    if (i == kFrames - 1) opts[key::kForceKeyFrame] = Value(true);
    ASSERT_EQ(s->EncodeFrame(pictures[i % 4], vtc::Time::Make(i, 1000), vtc::Time::Make(1, 1000),
                             &opts, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  int dropped = 0;
  std::map<int64_t, std::vector<int>> by_pts;
  bool after_slice = false, full = false;
  for (const Output& o : c.outputs()) {
    if (o.flags & vtc::kEncodeInfo_FrameDropped) {
      ++dropped;
      continue;
    }
    ASSERT_TRUE(o.sample);
    const auto messages = UserDataOf(vtc::kCodecType_H264, o.sample, &after_slice);
    EXPECT_LE(messages.size(), 1u) << "more than one A/53 message in a picture";
    for (const Message& m : messages) {
      const std::vector<int> indices = CaptionIndices(m.bytes);
      full = full || indices.size() == 31;
      auto& at = by_pts[o.sample->presentation_time_stamp().value];
      at.insert(at.end(), indices.begin(), indices.end());
    }
  }
  if (dropped == 0) GTEST_SKIP() << "the encoder kept up with 1000 fps: nothing dropped";
  std::vector<int> order;  // the captions' indices in presentation order
  for (const auto& [pts, indices] : by_pts)
    order.insert(order.end(), indices.begin(), indices.end());
  for (size_t k = 1; k < order.size(); ++k)
    EXPECT_LT(order[k - 1], order[k]) << "captions out of order";
  if (!full) {
    std::vector<int> want;
    for (int i = 0; i < kFrames; ++i) want.push_back(i);
    EXPECT_EQ(order, want) << dropped << " frames dropped";
  }
}

}  // namespace
}  // namespace vtctest
