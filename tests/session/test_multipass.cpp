// SPDX-License-Identifier: GPL-2.0-or-later
// Multi-pass (issue 5): MultiPassStorage, BeginPass / EndPass / GetTimeRangesForNextPass on
// x264's two-pass statistics. API errors, pass sequencing, the further-pass flag, time ranges,
// every frame answered once per pass, the storage's files, and the encode itself: two passes land
// within 2% of the target and beat one pass at the same bit rate in PSNR (320x240, 10 s).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "rate_util.h"
#include "temp_dir.h"

using vtc::Dictionary;
using vtc::MultiPassStorage;
using vtc::MultiPassStorageRef;
using vtc::Status;
using vtc::Time;
using vtc::TimeRange;
using vtc::Value;
using vtctest::Collector;
using vtctest::FramePts;
using vtctest::Output;
using vtctest::Picture;
using vtctest::TempDir;

namespace k = vtc::key;

#if defined(__SANITIZE_ADDRESS__)
// x264 (build 164) leaks what it allocated when x264_encoder_open refuses two-pass statistics;
// AFinalPassX264CannotOpen... provokes that once on purpose. x264's code has no frame pointers,
// so LeakSanitizer's stacks end at x264_malloc: the suppression can only name that, and it is
// limited to this test binary.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:x264_malloc\n";
}
#endif

namespace {

constexpr int kW = 320, kH = 240;
constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

MultiPassStorageRef MakeStorage(const std::string& path = "", TimeRange range = {},
                                const Dictionary& options = {}) {
  MultiPassStorageRef storage;
  EXPECT_EQ(MultiPassStorage::Create(path, range, options, &storage), Status::kNoErr);
  return storage;
}

// Submits frames [0, n) of `picture` with PTS i/30 (refcon = frame index); false on an error.
bool SubmitFrames(vtc::CompressionSession& s, int n, const std::function<Picture(int)>& picture,
                  int first = 0) {
  for (int i = first; i < first + n; ++i) {
    auto buffer = vtctest::MakePoolBuffer(s, picture(i));
    if (!buffer) return false;
    const Status st = s.EncodeFrame(buffer, FramePts(i), vtctest::FrameDuration(), nullptr,
                                    vtctest::RefconFor(i), nullptr);
    EXPECT_EQ(st, Status::kNoErr) << "frame " << i;
    if (st != Status::kNoErr) return false;
  }
  return true;
}

std::function<Picture(int)> Moving() {
  return [](int i) { return vtctest::MakeMovingPicture(kW, kH, i); };
}

// Each refcon in `outputs` exactly once, and exactly the indices [0, n).
void ExpectAnsweredOnce(const std::vector<Output>& outputs, int n) {
  std::map<int, int> seen;
  for (const Output& o : outputs) ++seen[vtctest::IndexOfRefcon(o.refcon)];
  EXPECT_EQ(int(seen.size()), n);
  for (const auto& [index, count] : seen) {
    EXPECT_EQ(count, 1) << "frame " << index;
    EXPECT_TRUE(index >= 0 && index < n) << "frame " << index;
  }
}

Dictionary AbrProps(int bits_per_second) {
  return Dictionary{{k::kAverageBitRate, Value(bits_per_second)}};
}

// --- API -----------------------------------------------------------------------------------------

TEST(MultiPass, VerbsNeedAStorage) {
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  bool further = true;
  std::vector<TimeRange> ranges;
  EXPECT_EQ(s->BeginPass(0), Status::kMultiPassStorageInvalidErr);
  EXPECT_EQ(s->EndPass(&further), Status::kMultiPassStorageInvalidErr);
  EXPECT_FALSE(further);
  EXPECT_EQ(s->GetTimeRangesForNextPass(&ranges), Status::kMultiPassStorageInvalidErr);

  // A closed storage is no storage.
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  EXPECT_EQ(storage->Close(), Status::kNoErr);
  EXPECT_EQ(s->BeginPass(0), Status::kMultiPassStorageInvalidErr);
}

TEST(MultiPass, PropertyTakesOnlyAStorageBeforeTheFirstFrame) {
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->SetProperty(k::kMultiPassStorage, Value("file")), Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(k::kMultiPassStorage, Value(1)), Status::kParameterErr);
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  Value v;
  ASSERT_EQ(s->CopyProperty(k::kMultiPassStorage, &v), Status::kNoErr);
  ASSERT_TRUE(v.IsObject());
  EXPECT_EQ(v.AsObject().get(), storage.get());
  EXPECT_EQ(v, Value(storage));
  Dictionary supported;
  ASSERT_EQ(s->CopySupportedPropertyDictionary(&supported), Status::kNoErr);
  EXPECT_TRUE(supported.count(k::kMultiPassStorage));
  ASSERT_TRUE(SubmitFrames(*s, 1, Moving()));
  EXPECT_EQ(s->SetProperty(k::kMultiPassStorage, MakeStorage()), Status::kPropertyReadOnlyErr);
}

TEST(MultiPass, NeedsAverageBitRate) {
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  for (const Dictionary& props : {Dictionary{}, Dictionary{{k::kQuality, Value(0.5)}},
                                  Dictionary{{k::kConstantBitRate, Value(300000)}}}) {
    Collector c;
    auto s = vtctest::MakeSession(kW, kH, kNV12, &c, props);
    ASSERT_TRUE(s);
    ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
    EXPECT_EQ(s->BeginPass(0), Status::kParameterErr);
  }
  // During a pass the rate control stays ABR.
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  EXPECT_EQ(s->SetProperty(k::kAverageBitRate, Value(0)), Status::kParameterErr);
  EXPECT_EQ(s->SetProperty(k::kAverageBitRate, Value(400000)), Status::kNoErr);
  EXPECT_EQ(s->BeginPass(0), Status::kParameterErr);  // already in a pass
  EXPECT_EQ(s->BeginPass(0x100), Status::kParameterErr);
  bool further = true;
  EXPECT_EQ(s->EndPass(&further), Status::kNoErr);
  EXPECT_FALSE(further);                                   // no frames: nothing to improve on
  EXPECT_EQ(s->EndPass(&further), Status::kParameterErr);  // not in a pass
}

TEST(MultiPass, TwoPassesOnOneSession) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  auto storage = MakeStorage(dir.File("stats"), {},
                             {{k::kMultiPassStorageCreationOption_DoNotDelete, Value(true)}});
  ASSERT_TRUE(storage);
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  std::vector<TimeRange> ranges;
  EXPECT_EQ(s->GetTimeRangesForNextPass(&ranges), Status::kParameterErr);  // no pass ended yet
  constexpr int kN = 40;

  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, kN, Moving()));
  bool further = false;
  ASSERT_EQ(s->EndPass(&further), Status::kNoErr);
  EXPECT_TRUE(further);
  EXPECT_TRUE(storage->HasFirstPass());
  EXPECT_TRUE(Exists(dir.File("stats")));
  std::vector<Output> first = c.outputs();
  EXPECT_EQ(int(first.size()), kN);  // EndPass answered every frame
  ExpectAnsweredOnce(first, kN);
  for (const Output& o : first) EXPECT_EQ(o.status, Status::kNoErr);
  ASSERT_EQ(s->GetTimeRangesForNextPass(&ranges), Status::kNoErr);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].start, FramePts(0));
  EXPECT_EQ(ranges[0].End(), FramePts(kN));

  c.Clear();
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, kN, Moving()));  // the same timestamps again
  ASSERT_EQ(s->EndPass(&further), Status::kNoErr);
  EXPECT_FALSE(further);
  std::vector<Output> second = c.outputs();
  EXPECT_EQ(int(second.size()), kN);
  ExpectAnsweredOnce(second, kN);
  for (const Output& o : second) {
    EXPECT_EQ(o.status, Status::kNoErr);
    EXPECT_TRUE(o.sample);
  }
  ASSERT_EQ(s->GetTimeRangesForNextPass(&ranges), Status::kNoErr);
  EXPECT_TRUE(ranges.empty());
  ASSERT_EQ(storage->Close(), Status::kNoErr);
  EXPECT_TRUE(Exists(dir.File("stats")));  // DoNotDelete
}

// RealTime's governor drops frames that come faster than it encodes (timestamps 1 ms apart):
// not in multi-pass, where both passes must see the same frames.
TEST(MultiPass, RealTimeDropsNoFrameInAPass) {
  constexpr int kN = 60;
  // Feeds kN frames 1 ms apart (100 Mbit/s: enough bits for x264's second pass at that pace).
  auto feed = [](vtc::CompressionSession& s) {
    for (int i = 0; i < kN; ++i) {
      auto buffer = vtctest::MakePoolBuffer(s, vtctest::MakeMovingPicture(kW, kH, i));
      ASSERT_TRUE(buffer);
      ASSERT_EQ(s.EncodeFrame(buffer, vtc::Time::Make(i, 1000), vtc::Time::Invalid(), nullptr,
                              vtctest::RefconFor(i), nullptr),
                Status::kNoErr);
    }
  };
  Dictionary props = AbrProps(100000000);
  props[k::kRealTime] = Value(true);
  {
    // Without passes, the governor drops some of them.
    Collector c;
    auto s = vtctest::MakeSession(kW, kH, kNV12, &c, props);
    ASSERT_TRUE(s);
    feed(*s);
    ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    int dropped = 0;
    for (const Output& o : c.outputs()) dropped += !o.sample;
    ASSERT_GT(dropped, 0) << "the pace does not make the governor drop: the test shows nothing";
  }
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, props);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  for (int pass = 0; pass < 2; ++pass) {
    c.Clear();
    ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
    feed(*s);
    bool further = false;
    ASSERT_EQ(s->EndPass(&further), Status::kNoErr);
    ExpectAnsweredOnce(c.outputs(), kN);
    for (const Output& o : c.outputs()) EXPECT_TRUE(o.sample) << "pass " << pass << " dropped";
    Value level;
    ASSERT_EQ(s->CopyProperty(k::kRealTimeSpeedLevel, &level), Status::kNoErr);
    EXPECT_EQ(level, Value(-1));
  }
  ASSERT_EQ(storage->Close(), Status::kNoErr);
}

TEST(MultiPass, FinalPassChecksTheFrames) {
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 20, Moving()));
  bool further = false;
  ASSERT_EQ(s->EndPass(&further), Status::kNoErr);
  ASSERT_TRUE(further);
  // More frames than the first pass: the extra one is refused (and never answered).
  c.Clear();
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 20, Moving()));
  auto extra = vtctest::MakePoolBuffer(*s, Moving()(20));
  ASSERT_TRUE(extra);
  EXPECT_EQ(s->EncodeFrame(extra, FramePts(20), vtctest::FrameDuration(), nullptr,
                           vtctest::RefconFor(20), nullptr),
            Status::kMultiPassStorageIdentifierMismatchErr);
  EXPECT_EQ(s->EndPass(&further), Status::kNoErr);
  ExpectAnsweredOnce(c.outputs(), 20);
  // Fewer: every frame is answered, and EndPass says the passes differ.
  c.Clear();
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 10, Moving()));
  EXPECT_EQ(s->EndPass(&further), Status::kMultiPassStorageIdentifierMismatchErr);
  EXPECT_FALSE(further);
  ExpectAnsweredOnce(c.outputs(), 10);
}

TEST(MultiPass, FramesOutsideTheStorageRangeAreDropped) {
  // The storage covers [10/30, 30/30): frames 10..29 are encoded, the rest dropped.
  auto storage = MakeStorage("", TimeRange{FramePts(10), Time::Make(20, 30)});
  ASSERT_TRUE(storage);
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  for (int pass = 0; pass < 2; ++pass) {
    c.Clear();
    ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
    ASSERT_TRUE(SubmitFrames(*s, 40, Moving()));
    bool further = false;
    ASSERT_EQ(s->EndPass(&further), Status::kNoErr);
    EXPECT_EQ(further, pass == 0);
    const std::vector<Output> out = c.outputs();
    ExpectAnsweredOnce(out, 40);
    for (const Output& o : out) {
      const int i = vtctest::IndexOfRefcon(o.refcon);
      const bool inside = i >= 10 && i < 30;
      EXPECT_EQ(o.status, Status::kNoErr);
      EXPECT_EQ(bool(o.sample), inside) << "frame " << i;
      EXPECT_EQ((o.flags & vtc::kEncodeInfo_FrameDropped) != 0, !inside) << "frame " << i;
    }
    if (pass == 0) {
      std::vector<TimeRange> ranges;
      ASSERT_EQ(s->GetTimeRangesForNextPass(&ranges), Status::kNoErr);
      ASSERT_EQ(ranges.size(), 1u);
      EXPECT_EQ(ranges[0].start, FramePts(10));
      EXPECT_EQ(ranges[0].End(), FramePts(30));
    }
  }
}

TEST(MultiPass, CompleteFramesEndsThePassInput) {
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 15, Moving()));
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  EXPECT_EQ(c.count(), 15u);
  auto more = vtctest::MakePoolBuffer(*s, Moving()(15));
  ASSERT_TRUE(more);
  EXPECT_EQ(s->EncodeFrame(more, FramePts(15), vtctest::FrameDuration(), nullptr,
                           vtctest::RefconFor(15), nullptr),
            Status::kParameterErr);
  bool further = false;
  EXPECT_EQ(s->EndPass(&further), Status::kNoErr);
  EXPECT_TRUE(further);
}

TEST(MultiPass, InvalidateDuringAPassAnswersEveryFrame) {
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 12, Moving()));
  s->Invalidate();
  ExpectAnsweredOnce(c.outputs(), 12);
  EXPECT_FALSE(storage->HasFirstPass());  // the pass never ended
  bool further = true;
  EXPECT_EQ(s->EndPass(&further), Status::kInvalidSessionErr);
}

TEST(MultiPass, NothingThatRestartsX264OrSwapsTheStorageDuringAPass) {
  // Turning temporal compression back on after an all-intra open needs a new x264, which would
  // start the statistics over; another storage would split statistics and record. Both refused.
  auto storage = MakeStorage(), other = MakeStorage();
  ASSERT_TRUE(storage && other);
  Collector c;
  Dictionary props = AbrProps(300000);
  props[k::kAllowTemporalCompression] = Value(false);
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, props);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  EXPECT_EQ(s->SetProperty(k::kMultiPassStorage, other), Status::kParameterErr);
  ASSERT_TRUE(SubmitFrames(*s, 10, Moving()));
  EXPECT_EQ(s->SetProperty(k::kAllowTemporalCompression, true), Status::kParameterErr);
  ASSERT_TRUE(SubmitFrames(*s, 10, Moving(), 10));
  bool further = false;
  ASSERT_EQ(s->EndPass(&further), Status::kNoErr);
  EXPECT_TRUE(further);
  vtc::FirstPassRecord record;
  ASSERT_TRUE(storage->HasFirstPass(&record));
  EXPECT_EQ(record.frames, 20);
  EXPECT_FALSE(other->HasFirstPass());
  ExpectAnsweredOnce(c.outputs(), 20);
}

TEST(MultiPass, StorageClosedDuringAPassStillEndsIt) {
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 10, Moving()));
  ASSERT_EQ(storage->Close(), Status::kNoErr);
  bool further = true;
  EXPECT_EQ(s->EndPass(&further), Status::kMultiPassStorageInvalidErr);
  EXPECT_FALSE(further);
  ExpectAnsweredOnce(c.outputs(), 10);  // drained all the same
  // Out of the pass: frames encode as usual, and the verbs say the storage is unusable.
  EXPECT_EQ(s->BeginPass(0), Status::kMultiPassStorageInvalidErr);
  ASSERT_TRUE(SubmitFrames(*s, 5, Moving(), 10));
  ASSERT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  ExpectAnsweredOnce(c.outputs(), 15);
}

TEST(MultiPass, AFinalPassX264CannotOpenAnswersEveryFrameWithoutRetrying) {
  // The first pass's statistics were made with B-frames; a final pass without them is refused by
  // x264 when it opens. Every frame gets -12912, x264 is not opened again for each frame (each
  // failed open leaks inside x264), and EndPass reports the failure.
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.File("stats");
  const Dictionary reuse = {{k::kMultiPassStorageCreationOption_DoNotDelete, Value(true)},
                            {k::kMultiPassStorageCreationOption_ReuseFirstPass, Value(true)}};
  {
    auto storage = MakeStorage(path, {}, reuse);
    Collector c;
    auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
    ASSERT_TRUE(s && storage);
    ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
    ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
    ASSERT_TRUE(SubmitFrames(*s, 20, Moving()));
    ASSERT_EQ(s->EndPass(nullptr), Status::kNoErr);
  }
  auto storage = MakeStorage(path, {}, reuse);
  ASSERT_TRUE(storage && storage->HasFirstPass());
  int opens = 0;
  std::mutex mu;
  Collector c;
  Dictionary props = AbrProps(300000);
  props[k::kAllowFrameReordering] = Value(false);
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, props);
  ASSERT_TRUE(s);
  s->SetLogHandler([&](vtc::LogLevel, const char* message) {
    std::lock_guard<std::mutex> lock(mu);
    opens += std::string(message).find("cannot open the encoder") != std::string::npos;
  });
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 20, Moving()));
  EXPECT_EQ(s->EndPass(nullptr), Status::kVideoEncoderMalfunctionErr);
  ExpectAnsweredOnce(c.outputs(), 20);
  for (const Output& o : c.outputs()) EXPECT_NE(o.status, Status::kNoErr);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(opens, 1) << "x264 was opened again for later frames";
}

// --- Storage -----------------------------------------------------------------------------------

TEST(MultiPassStorage, TemporaryFileIsDeletedOnClose) {
  auto storage = MakeStorage();
  ASSERT_TRUE(storage);
  const std::string path = storage->path();
  ASSERT_FALSE(path.empty());
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 10, Moving()));
  ASSERT_EQ(s->EndPass(nullptr), Status::kNoErr);
  EXPECT_TRUE(Exists(path));
  EXPECT_FALSE(storage->IsClosed());
  EXPECT_EQ(storage->Close(), Status::kNoErr);
  EXPECT_TRUE(storage->IsClosed());
  EXPECT_EQ(storage->Close(), Status::kNoErr);  // idempotent
  EXPECT_FALSE(Exists(path));
  EXPECT_FALSE(Exists(path + ".mbtree"));
  EXPECT_FALSE(Exists(path.substr(0, path.rfind('/'))));  // its directory too
}

TEST(MultiPassStorage, NamedFileIsDeletedUnlessDoNotDelete) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  for (bool keep : {false, true}) {
    const std::string path = dir.File(keep ? "kept" : "deleted");
    {
      auto storage =
          MakeStorage(path, {}, {{k::kMultiPassStorageCreationOption_DoNotDelete, Value(keep)}});
      ASSERT_TRUE(storage);
      Collector c;
      auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
      ASSERT_TRUE(s);
      ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
      ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
      ASSERT_TRUE(SubmitFrames(*s, 10, Moving()));
      ASSERT_EQ(s->EndPass(nullptr), Status::kNoErr);
      EXPECT_TRUE(Exists(path));
    }  // the session and the last storage reference go: destruction closes
    EXPECT_EQ(Exists(path), keep);
    EXPECT_EQ(Exists(path + ".vtcpass"), keep);
  }
}

TEST(MultiPassStorage, TemporaryWithDoNotDeleteKeepsItsFilesAndDirectory) {
  auto storage =
      MakeStorage("", {}, {{k::kMultiPassStorageCreationOption_DoNotDelete, Value(true)}});
  ASSERT_TRUE(storage);
  const std::string path = storage->path();
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
  ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
  ASSERT_TRUE(SubmitFrames(*s, 10, Moving()));
  ASSERT_EQ(s->EndPass(nullptr), Status::kNoErr);
  ASSERT_EQ(storage->Close(), Status::kNoErr);
  EXPECT_TRUE(Exists(path));
  const std::string dir = path.substr(0, path.rfind('/'));
  EXPECT_TRUE(Exists(dir));
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST(MultiPassStorage, CreateChecksItsArguments) {
  MultiPassStorageRef storage;
  EXPECT_EQ(MultiPassStorage::Create("", {}, {{"NoSuchOption", Value(true)}}, &storage),
            Status::kParameterErr);
  EXPECT_EQ(MultiPassStorage::Create(
                "", {}, {{k::kMultiPassStorageCreationOption_DoNotDelete, Value(3)}}, &storage),
            Status::kParameterErr);
  EXPECT_EQ(MultiPassStorage::Create("/nonexistent-dir/stats", {}, {}, &storage),
            Status::kMultiPassStorageInvalidErr);
  EXPECT_EQ(MultiPassStorage::Create("", TimeRange{FramePts(0), Time::Make(-1, 30)}, {}, &storage),
            Status::kParameterErr);
  EXPECT_FALSE(storage);
}

// A second session (a second process, as with two pipeline runs) reuses complete first-pass
// statistics: its first pass is the final one.
TEST(MultiPassStorage, ReuseFirstPassInAnotherSession) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.File("stats");
  const Dictionary keep = {{k::kMultiPassStorageCreationOption_DoNotDelete, Value(true)}};
  Dictionary reuse = keep;
  reuse[k::kMultiPassStorageCreationOption_ReuseFirstPass] = Value(true);
  {
    auto storage = MakeStorage(path, {}, reuse);  // nothing there yet: an empty storage
    ASSERT_TRUE(storage);
    EXPECT_FALSE(storage->HasFirstPass());
    Collector c;
    auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
    ASSERT_TRUE(s);
    ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
    ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
    ASSERT_TRUE(SubmitFrames(*s, 30, Moving()));
    bool further = false;
    ASSERT_EQ(s->EndPass(&further), Status::kNoErr);
    EXPECT_TRUE(further);
  }
  {
    auto storage = MakeStorage(path, {}, reuse);
    ASSERT_TRUE(storage);
    vtc::FirstPassRecord record;
    ASSERT_TRUE(storage->HasFirstPass(&record));
    EXPECT_EQ(record.frames, 30);
    EXPECT_EQ(record.width, kW);
    Collector c;
    auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(300000));
    ASSERT_TRUE(s);
    ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
    ASSERT_EQ(s->BeginPass(0), Status::kNoErr);
    ASSERT_TRUE(SubmitFrames(*s, 30, Moving()));
    bool further = true;
    ASSERT_EQ(s->EndPass(&further), Status::kNoErr);
    EXPECT_FALSE(further);
    ExpectAnsweredOnce(c.outputs(), 30);
    EXPECT_EQ(c.samples().size(), 30u);
  }
  {
    // Another size: the statistics do not belong to it.
    auto storage = MakeStorage(path, {}, reuse);
    Collector c;
    auto s = vtctest::MakeSession(kW / 2, kH / 2, kNV12, &c, AbrProps(300000));
    ASSERT_TRUE(s);
    ASSERT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
    EXPECT_EQ(s->BeginPass(0), Status::kMultiPassStorageIdentifierMismatchErr);
  }
  {
    // Without ReuseFirstPass the storage starts empty: a new first pass.
    auto storage = MakeStorage(path, {}, keep);
    EXPECT_FALSE(storage->HasFirstPass());
  }
}

// --- The encode --------------------------------------------------------------------------------

struct PassResult {
  std::vector<vtc::SampleBufferRef> samples;  // of the last pass, in decode order
  double kbps = 0;
};

constexpr int kFrames = 300;  // 10 s at 30 fps
constexpr int kTarget = 150000;

// Encodes kFrames of natural content at `target` bit/s: with two passes through a storage, or one.
PassResult Encode(bool two_pass, const std::function<Picture(int)>& picture, int target = kTarget) {
  PassResult r;
  Collector c;
  auto s = vtctest::MakeSession(kW, kH, kNV12, &c, AbrProps(target));
  if (!s) return r;
  if (two_pass) {
    auto storage = MakeStorage();
    EXPECT_EQ(s->SetProperty(k::kMultiPassStorage, storage), Status::kNoErr);
    bool further = true;
    for (int pass = 0; further && pass < 3; ++pass) {
      c.Clear();
      EXPECT_EQ(s->BeginPass(0), Status::kNoErr);
      if (!SubmitFrames(*s, kFrames, picture)) return r;
      EXPECT_EQ(s->EndPass(&further), Status::kNoErr);
      EXPECT_EQ(further, pass == 0);
    }
  } else {
    if (!SubmitFrames(*s, kFrames, picture)) return r;
    EXPECT_EQ(s->CompleteFrames(Time::Invalid()), Status::kNoErr);
  }
  r.samples = c.samples();
  EXPECT_EQ(int(r.samples.size()), kFrames);
  std::size_t bytes = 0;
  for (const auto& sample : r.samples) bytes += sample->size();
  r.kbps = bytes * 8.0 / 1000.0 / (kFrames / 30.0);
  return r;
}

double MeanPsnr(const PassResult& r, const std::vector<Picture>& source) {
  vtctest::Decoded decoded;
  std::string error;
  EXPECT_TRUE(vtctest::DecodeAnnexB(vtctest::ToAnnexB(r.samples), &decoded, &error)) << error;
  EXPECT_EQ(decoded.frames.size(), source.size());
  double sum = 0;
  const std::size_t n = std::min(decoded.frames.size(), source.size());
  for (std::size_t i = 0; i < n; ++i) sum += vtctest::Psnr(source[i], decoded.frames[i]);
  return n ? sum / double(n) : 0;
}

TEST(MultiPassEncode, TwoPassesHitTheTargetWithBetterQuality) {
  auto src = std::make_shared<vtctest::NaturalSource>(kW, kH);
  std::vector<Picture> source;
  for (int i = 0; i < kFrames; ++i) source.push_back(src->Frame(i));
  auto picture = [&source](int i) { return source[std::size_t(i)]; };

  const PassResult two = Encode(true, picture);
  const double target = kTarget / 1000.0;
  EXPECT_NEAR(two.kbps, target, 0.02 * target) << "two-pass";
  PassResult one = Encode(false, picture);
  // "At the same bit rate": one pass lands within 5% of its target, two passes within 2%. When
  // they differ by more than 1%, the one-pass encode is run again at the target that makes it
  // spend what the two-pass encode spent.
  if (std::abs(one.kbps / two.kbps - 1) > 0.01 && one.kbps > 0)
    one = Encode(false, picture, int(kTarget * two.kbps / one.kbps));
  if (!vtctest::FfmpegAvailable()) GTEST_SKIP() << "no ffmpeg to decode with";
  const double psnr_two = MeanPsnr(two, source), psnr_one = MeanPsnr(one, source);
  std::printf("target %.0f kbit/s: two-pass %.1f kbit/s %.2f dB, one-pass %.1f kbit/s %.2f dB\n",
              target, two.kbps, psnr_two, one.kbps, psnr_one);
  EXPECT_NEAR(one.kbps, two.kbps, 0.02 * two.kbps) << "not the same bit rate";
  EXPECT_GT(psnr_two, psnr_one);
}

}  // namespace
