// SPDX-License-Identifier: GPL-2.0-or-later
// The eight contracts of compression_session.h, one or more tests each.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <set>

#include "test_util.h"

using namespace std::chrono_literals;
using vtc::Status;
using vtctest::Collector;
using vtctest::FrameDuration;
using vtctest::FramePts;
using vtctest::IndexOfRefcon;
using vtctest::MakeMovingPicture;
using vtctest::RefconFor;

namespace {

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;
constexpr vtc::PixelFormatType kI420 = vtc::kPixelFormat_420YpCbCr8Planar;

Status Encode(vtc::CompressionSession& s, int i, const vtc::Dictionary* opts = nullptr) {
  auto buf = vtctest::MakePoolBuffer(
      s, MakeMovingPicture(s.GetPixelBufferPool()->width(), s.GetPixelBufferPool()->height(), i));
  return s.EncodeFrame(buf, FramePts(i), FrameDuration(), opts, RefconFor(i), nullptr);
}

// Each refcon in [0, n) exactly once.
void ExpectEachRefconOnce(const std::vector<vtctest::Output>& outs, int n) {
  std::map<int, int> seen;
  for (const auto& o : outs) seen[IndexOfRefcon(o.refcon)]++;
  EXPECT_EQ(outs.size(), size_t(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "frame " << i;
}

// --- Contract 1 and 5: exactly once, through Invalidate ----------------------------------------

TEST(Contract1, SixtyFramesThenInvalidateAnswersEachOnceAndReleasesBuffers) {
  Collector c;
  auto s = vtctest::MakeSession(320, 240, kNV12, &c);
  ASSERT_TRUE(s);
  std::atomic<int> released{0};
  for (int i = 0; i < 60; ++i) {
    auto buf = vtctest::MakeWrappedBuffer(MakeMovingPicture(320, 240, i), kNV12, 16, &released);
    ASSERT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  s->Invalidate();
  auto outs = c.outputs();
  ExpectEachRefconOnce(outs, 60);
  int dropped = 0;
  for (const auto& o : outs) {
    EXPECT_EQ(o.status, Status::kNoErr);
    if (o.flags & vtc::kEncodeInfo_FrameDropped) {
      ++dropped;
      EXPECT_FALSE(o.sample);
    } else {
      EXPECT_TRUE(o.sample);
    }
  }
  // x264 holds frames (lookahead): some were still inside and are reported dropped.
  EXPECT_GT(dropped, 0);
  EXPECT_EQ(released.load(), 60);

  // Contract 5: every later call is kInvalidSessionErr, Invalidate is idempotent.
  s->Invalidate();
  EXPECT_EQ(s->GetPixelBufferPool(), nullptr);
  auto late = vtctest::MakeWrappedBuffer(MakeMovingPicture(320, 240, 60), kNV12, 0);
  EXPECT_EQ(s->EncodeFrame(late, FramePts(60), FrameDuration(), nullptr, RefconFor(60), nullptr),
            Status::kInvalidSessionErr);
}

TEST(Contract5, CallsAfterInvalidateFail) {
  Collector c;
  auto s = vtctest::MakeSession(64, 64, kNV12, &c);
  ASSERT_TRUE(s);
  auto pool = s->GetPixelBufferPool();
  ASSERT_TRUE(pool);
  auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(64, 64, 0));
  s->Invalidate();
  s->Invalidate();
  EXPECT_EQ(s->GetPixelBufferPool(), nullptr);
  EXPECT_EQ(s->EncodeFrame(buf, FramePts(0), FrameDuration(), nullptr, nullptr, nullptr),
            Status::kInvalidSessionErr);
  EXPECT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kInvalidSessionErr);
  EXPECT_EQ(s->PrepareToEncodeFrames(), Status::kInvalidSessionErr);
  EXPECT_EQ(s->SetProperty(vtc::key::kAverageBitRate, 1000000), Status::kInvalidSessionErr);
  vtc::Value v;
  EXPECT_EQ(s->CopyProperty(vtc::key::kAverageBitRate, &v), Status::kInvalidSessionErr);
  vtc::Dictionary d;
  EXPECT_EQ(s->CopySupportedPropertyDictionary(&d), Status::kInvalidSessionErr);
  // Validity comes before the arguments: bad arguments after Invalidate are still -12903.
  EXPECT_EQ(s->EncodeFrame(nullptr, FramePts(0), FrameDuration(), nullptr, nullptr, nullptr),
            Status::kInvalidSessionErr);
  EXPECT_EQ(s->EncodeFrame(buf, vtc::Time::Invalid(), FrameDuration(), nullptr, nullptr, nullptr),
            Status::kInvalidSessionErr);
  EXPECT_EQ(
      s->EncodeFrameWithOutputHandler(buf, FramePts(0), FrameDuration(), nullptr, nullptr, nullptr),
      Status::kInvalidSessionErr);
  EXPECT_EQ(s->CopyProperty(vtc::key::kAverageBitRate, nullptr), Status::kInvalidSessionErr);
  EXPECT_EQ(s->CopyProperty("NoSuchKey", &v), Status::kInvalidSessionErr);
  EXPECT_EQ(s->CopySupportedPropertyDictionary(nullptr), Status::kInvalidSessionErr);
  EXPECT_EQ(s->SetProperty("NoSuchKey", vtc::Value(1)), Status::kInvalidSessionErr);
  EXPECT_EQ(s->BeginPass(0xff), Status::kInvalidSessionErr);
  EXPECT_EQ(s->EndPass(nullptr), Status::kInvalidSessionErr);
  EXPECT_EQ(s->GetTimeRangesForNextPass(nullptr), Status::kInvalidSessionErr);
  EXPECT_EQ(c.count(), 0u);
  // A pool the caller kept still works after the session is gone.
  vtc::PixelBufferRef more;
  EXPECT_EQ(pool->CreatePixelBuffer(&more), Status::kNoErr);
}

TEST(Contract1, DestroyingTheSessionAnswersEveryFrame) {
  Collector c;
  std::atomic<int> released{0};
  {
    auto s = vtctest::MakeSession(160, 96, kI420, &c);
    ASSERT_TRUE(s);
    for (int i = 0; i < 25; ++i) {
      auto buf = vtctest::MakeWrappedBuffer(MakeMovingPicture(160, 96, i), kI420, 0, &released);
      ASSERT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
                Status::kNoErr);
    }
  }  // last reference dropped: invalidated
  ExpectEachRefconOnce(c.outputs(), 25);
  EXPECT_EQ(released.load(), 25);
}

TEST(Contract1, WrappedBufferIsReleasedOnlyAfterItsFrameIsAnswered) {
  Collector c;
  auto s = vtctest::MakeSession(128, 72, kNV12, &c);
  ASSERT_TRUE(s);
  // For each frame, how many outputs had been seen when its buffer was released.
  std::mutex mu;
  std::map<int, size_t> released_after;
  for (int i = 0; i < 30; ++i) {
    auto pic = MakeMovingPicture(128, 72, i);
    auto storage = std::make_shared<std::vector<uint8_t>>(128 * 72 * 3 / 2);
    vtc::PlaneDescriptor planes[2] = {{storage->data(), 128, 128 * 72},
                                      {storage->data() + 128 * 72, 128, 128 * 36}};
    vtc::PixelBufferRef buf;
    ASSERT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(
                  128, 72, kNV12, planes, 2,
                  [&, i, storage] {
                    std::lock_guard<std::mutex> lock(mu);
                    released_after[i] = c.count();
                  },
                  &buf),
              Status::kNoErr);
    vtctest::CopyPictureInto(pic, buf);
    ASSERT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto outs = c.outputs();
  ASSERT_EQ(outs.size(), 30u);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(released_after.size(), 30u);
  for (size_t k = 0; k < outs.size(); ++k) {
    int frame = IndexOfRefcon(outs[k].refcon);
    EXPECT_GE(released_after[frame], k + 1) << "buffer of frame " << frame << " released early";
  }
}

// ReleaseSourceBufferOnImport: each buffer goes back to its owner before its frame is answered,
// and x264 never reads it afterwards: the release callback scribbles over the memory, and the
// stream must still equal the one encoded with the buffers held to the end (one x264 thread, so
// both runs are deterministic). 127x71 takes the odd-size path (a padded copy of the luma).
TEST(Contract1, ReleaseSourceBufferOnImportReleasesBeforeTheAnswerAndNothingReadsItLater) {
  for (const auto& [w, h] : {std::pair{128, 72}, std::pair{127, 71}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    constexpr int kFrames = 30;
    std::vector<std::vector<uint8_t>> streams;
    for (bool early : {false, true}) {
      SCOPED_TRACE(early ? "released on import" : "held until answered");
      // Declared before the session: its destruction runs the release callbacks.
      Collector c;
      std::mutex mu;
      std::map<int, size_t> released_after;  // frame -> outputs seen when its buffer was released
      auto s = vtctest::MakeSession(w, h, kNV12, &c,
                                    {{vtc::key::kX264Threads, vtc::Value(1)},
                                     {vtc::key::kReleaseSourceBufferOnImport, vtc::Value(early)}});
      ASSERT_TRUE(s);
      const int cw = (w + 1) & ~1, ch = (h + 1) & ~1;
      for (int i = 0; i < kFrames; ++i) {
        auto storage = std::make_shared<std::vector<uint8_t>>(size_t(cw) * ch * 3 / 2);
        vtc::PlaneDescriptor planes[2] = {
            {storage->data(), size_t(cw), size_t(cw) * h},
            {storage->data() + size_t(cw) * ch, size_t(cw), size_t(cw) * ch / 2}};
        vtc::PixelBufferRef buf;
        ASSERT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(
                      w, h, kNV12, planes, 2,
                      [&, i, storage] {
                        std::fill(storage->begin(), storage->end(), uint8_t(0x5a));
                        std::lock_guard<std::mutex> lock(mu);
                        released_after[i] = c.count();
                      },
                      &buf),
                  Status::kNoErr);
        vtctest::CopyPictureInto(MakeMovingPicture(w, h, i), buf);
        ASSERT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
                  Status::kNoErr);
        if (early) {
          // Frame i is queued behind at most kMaxQueuedFrames - 1 others, and the worker has
          // taken the frame before those: every earlier frame has been through x264's encode
          // call and must be released, however long x264 holds it (lookahead, B-frames).
          const int must = i - vtc::CompressionSession::kMaxQueuedFrames;
          std::lock_guard<std::mutex> lock(mu);
          EXPECT_GE(int(released_after.size()), must) << "after submitting frame " << i;
        }
      }
      ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
      auto outs = c.outputs();
      ASSERT_EQ(outs.size(), size_t(kFrames));
      std::lock_guard<std::mutex> lock(mu);
      ASSERT_EQ(released_after.size(), size_t(kFrames));
      std::vector<uint8_t> stream;
      for (size_t k = 0; k < outs.size(); ++k) {
        const int frame = IndexOfRefcon(outs[k].refcon);
        if (early)
          EXPECT_LE(released_after[frame], k) << "buffer of frame " << frame << " held too long";
        else
          EXPECT_GE(released_after[frame], k + 1)
              << "buffer of frame " << frame << " released early";
        ASSERT_TRUE(outs[k].sample);
        const auto& d = outs[k].sample->data();
        stream.insert(stream.end(), d.begin(), d.end());
      }
      streams.push_back(std::move(stream));
    }
    EXPECT_EQ(streams[0], streams[1]) << "the stream depends on when the source was released";
  }
}

// --- Contract 2: order and thread --------------------------------------------------------------

struct ThreadProbe {
  Collector collector;
  std::atomic<int> in_callback{0};
  std::atomic<bool> overlap{false};
  std::atomic<bool> after_invalidate{false};
  std::atomic<bool> called_after_invalidate{false};
  std::shared_ptr<vtc::CompressionSession> session;
  Status complete_status = Status::kNoErr, encode_status = Status::kNoErr;
  Status set_status = Status::kParameterErr, copy_status = Status::kParameterErr;
  std::atomic<bool> reentered{false};

  static void Callback(void* self_ptr, void* refcon, Status st, vtc::EncodeInfoFlags flags,
                       const vtc::SampleBufferRef& sample) {
    auto* self = static_cast<ThreadProbe*>(self_ptr);
    if (self->in_callback.fetch_add(1) != 0) self->overlap = true;
    if (self->after_invalidate) self->called_after_invalidate = true;
    if (!self->reentered.exchange(true) && self->session) {
      // Allowed: properties. Refused (not deadlocking): the blocking verbs.
      vtc::Value v;
      self->copy_status = self->session->CopyProperty(vtc::key::kNumberOfPendingFrames, &v);
      self->set_status = self->session->SetProperty(vtc::key::kAverageBitRate, 500000);
      self->complete_status = self->session->CompleteFrames(vtc::Time::Invalid());
      self->encode_status = self->session->EncodeFrame(
          vtctest::MakeWrappedBuffer(MakeMovingPicture(96, 64, 0), kNV12, 0), FramePts(1000),
          FrameDuration(), nullptr, nullptr, nullptr);
    }
    std::this_thread::yield();
    self->in_callback.fetch_sub(1);
    Collector::Callback(&self->collector, refcon, st, flags, sample);
  }
};

TEST(Contract2, CallbacksOnOneWorkerThreadInDecodeOrderNeverOverlapping) {
  ThreadProbe probe;
  vtc::Dictionary attrs{{vtc::key::kPixelFormatType, vtc::Value(kNV12)}};
  ASSERT_EQ(vtc::CompressionSession::Create(96, 64, vtc::kCodecType_H264, nullptr, &attrs,
                                            ThreadProbe::Callback, &probe, &probe.session),
            Status::kNoErr);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(Encode(*probe.session, i), Status::kNoErr);
  ASSERT_EQ(probe.session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  for (int i = 40; i < 60; ++i) ASSERT_EQ(Encode(*probe.session, i), Status::kNoErr);
  probe.session->Invalidate();
  probe.after_invalidate = true;

  auto outs = probe.collector.outputs();
  ExpectEachRefconOnce(outs, 60);
  EXPECT_FALSE(probe.overlap);
  EXPECT_FALSE(probe.called_after_invalidate);
  std::set<std::thread::id> threads;
  for (const auto& o : outs) threads.insert(o.thread);
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
  // Decode order: DTS never goes back.
  vtc::Time last = vtc::Time::Invalid();
  for (const auto& o : outs) {
    if (!o.sample) continue;
    if (last.IsValid()) EXPECT_GE(o.sample->decode_time_stamp(), last);
    last = o.sample->decode_time_stamp();
  }
  EXPECT_EQ(probe.copy_status, Status::kNoErr);
  EXPECT_EQ(probe.set_status, Status::kNoErr);
  EXPECT_EQ(probe.complete_status, Status::kParameterErr);
  EXPECT_EQ(probe.encode_status, Status::kParameterErr);
}

// Invalidate from inside a callback (VideoToolbox ports do it when something goes wrong): the
// session is invalid at once, that callback finishes, and the rest is answered as dropped right
// after it returns, with no further call from the caller.
struct InvalidatingProbe {
  Collector collector;
  std::shared_ptr<vtc::CompressionSession> session;
  int invalidate_at = 0;  // the output (0-based) whose callback invalidates
  std::atomic<int> seen{0};
  std::atomic<bool> sample_after{false};
  Status set_after = Status::kNoErr, copy_after = Status::kNoErr, complete_after = Status::kNoErr;

  static void Callback(void* self_ptr, void* refcon, Status st, vtc::EncodeInfoFlags flags,
                       const vtc::SampleBufferRef& sample) {
    auto* self = static_cast<InvalidatingProbe*>(self_ptr);
    const int n = self->seen.fetch_add(1);
    if (n > self->invalidate_at && sample) self->sample_after = true;
    if (n == self->invalidate_at) {
      self->session->Invalidate();
      self->session->Invalidate();  // idempotent here too
      vtc::Value v;
      self->set_after = self->session->SetProperty(vtc::key::kAverageBitRate, 500000);
      self->copy_after = self->session->CopyProperty(vtc::key::kNumberOfPendingFrames, &v);
      self->complete_after = self->session->CompleteFrames(vtc::Time::Invalid());
    }
    Collector::Callback(&self->collector, refcon, st, flags, sample);
  }
};

TEST(Contract5, InvalidateFromInsideACallbackEndsTheSession) {
  InvalidatingProbe probe;
  probe.invalidate_at = 3;
  vtc::Dictionary attrs{{vtc::key::kPixelFormatType, vtc::Value(kNV12)}};
  ASSERT_EQ(vtc::CompressionSession::Create(96, 64, vtc::kCodecType_H264, nullptr, &attrs,
                                            InvalidatingProbe::Callback, &probe, &probe.session),
            Status::kNoErr);
  int accepted = 0;
  for (int i = 0; i < 300; ++i) {
    // Not from the pool: GetPixelBufferPool is null once the session is invalid.
    const Status st = probe.session->EncodeFrame(
        vtctest::MakeWrappedBuffer(MakeMovingPicture(96, 64, i), kNV12, 0), FramePts(i),
        FrameDuration(), nullptr, RefconFor(i), nullptr);
    if (st != Status::kNoErr) {
      EXPECT_EQ(st, Status::kInvalidSessionErr) << "frame " << i;
      break;
    }
    ++accepted;
  }
  // x264 holds about 20 frames at 96x64: the session was invalidated while frames were queued.
  ASSERT_GT(accepted, probe.invalidate_at + 1);
  ASSERT_LT(accepted, 300) << "EncodeFrame kept accepting frames after the invalidation";
  // Every accepted frame is answered without another call from here (the worker ends itself).
  ASSERT_TRUE(probe.collector.WaitForCount(size_t(accepted), std::chrono::seconds(60)));
  EXPECT_EQ(probe.set_after, Status::kInvalidSessionErr);
  EXPECT_EQ(probe.copy_after, Status::kInvalidSessionErr);
  EXPECT_EQ(probe.complete_after, Status::kInvalidSessionErr);
  EXPECT_FALSE(probe.sample_after) << "a frame was encoded after the invalidating callback";
  EXPECT_EQ(probe.session->GetPixelBufferPool(), nullptr);
  vtc::Value v;
  EXPECT_EQ(probe.session->CopyProperty(vtc::key::kAverageBitRate, &v), Status::kInvalidSessionErr);
  probe.session->Invalidate();  // joins the ended worker; still idempotent
  auto outs = probe.collector.outputs();
  ExpectEachRefconOnce(outs, accepted);
  for (size_t i = size_t(probe.invalidate_at) + 1; i < outs.size(); ++i) {
    EXPECT_EQ(outs[i].status, Status::kNoErr);
    EXPECT_TRUE(outs[i].flags & vtc::kEncodeInfo_FrameDropped) << "output " << i;
  }
  probe.session.reset();
}

TEST(Contract5, InvalidateFromACallbackDuringADrainThenDestroy) {
  InvalidatingProbe probe;
  probe.invalidate_at = 0;
  vtc::Dictionary attrs{{vtc::key::kPixelFormatType, vtc::Value(kNV12)}};
  ASSERT_EQ(vtc::CompressionSession::Create(96, 64, vtc::kCodecType_H264, nullptr, &attrs,
                                            InvalidatingProbe::Callback, &probe, &probe.session),
            Status::kNoErr);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Encode(*probe.session, i), Status::kNoErr);
  // The drain's first output invalidates: CompleteFrames returns -12903, every frame answered.
  EXPECT_EQ(probe.session->CompleteFrames(vtc::Time::Invalid()), Status::kInvalidSessionErr);
  ASSERT_TRUE(probe.collector.WaitForCount(10, std::chrono::seconds(60)));
  EXPECT_FALSE(probe.sample_after);
  probe.session.reset();  // the destructor joins the worker
  ExpectEachRefconOnce(probe.collector.outputs(), 10);
}

// --- Contract 3: asynchronous and bounded -----------------------------------------------------

TEST(Contract3, MaxFrameDelayCountZeroAnswersEachFrameBeforeEncodeFrameReturns) {
  Collector c;
  auto s =
      vtctest::MakeSession(320, 180, kNV12, &c, {{vtc::key::kMaxFrameDelayCount, vtc::Value(0)}});
  ASSERT_TRUE(s);
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(Encode(*s, i), Status::kNoErr);
    auto outs = c.outputs();
    ASSERT_EQ(outs.size(), size_t(i + 1)) << "frame " << i << " not answered synchronously";
    EXPECT_EQ(IndexOfRefcon(outs.back().refcon), i);
    ASSERT_TRUE(outs.back().sample);
    // No reordering possible at zero delay.
    EXPECT_EQ(outs.back().sample->decode_time_stamp(),
              outs.back().sample->presentation_time_stamp());
  }
}

TEST(Contract3, MaxFrameDelayCountBoundsTheLag) {
  for (int m : {1, 2, 4, 8}) {
    Collector c;
    auto s =
        vtctest::MakeSession(320, 180, kNV12, &c, {{vtc::key::kMaxFrameDelayCount, vtc::Value(m)}});
    ASSERT_TRUE(s);
    std::set<int> answered;
    for (int i = 0; i < 40; ++i) {
      ASSERT_EQ(Encode(*s, i), Status::kNoErr);
      for (const auto& o : c.outputs()) answered.insert(IndexOfRefcon(o.refcon));
      if (i >= m) EXPECT_TRUE(answered.count(i - m)) << "M=" << m << " frame " << i - m;
    }
    ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    ExpectEachRefconOnce(c.outputs(), 40);
  }
}

// RealTime's governor changes x264's settings between frames and may drop frames: the contract
// holds all the same (a dropped frame is answered too), and without MaxFrameDelayCount x264 opens
// with at most 3 frames of delay.
TEST(Contract3, MaxFrameDelayCountHoldsWithRealTime) {
  for (int m : {0, 1, 3, 8, -1}) {
    Collector c;
    vtc::Dictionary props{{vtc::key::kRealTime, vtc::Value(true)}};
    if (m >= 0) props[vtc::key::kMaxFrameDelayCount] = vtc::Value(m);
    auto s = vtctest::MakeSession(320, 180, kNV12, &c, props);
    ASSERT_TRUE(s);
    std::set<int> answered;
    for (int i = 0; i < 40; ++i) {
      ASSERT_EQ(Encode(*s, i), Status::kNoErr);
      for (const auto& o : c.outputs()) answered.insert(IndexOfRefcon(o.refcon));
      if (m >= 0 && i >= m) EXPECT_TRUE(answered.count(i - m)) << "M=" << m << " frame " << i - m;
    }
    vtc::Value delay;
    ASSERT_EQ(s->CopyProperty(vtc::key::kEncoderFrameDelay, &delay), Status::kNoErr);
    std::int64_t frames = -1;
    ASSERT_TRUE(delay.GetInt(&frames));
    EXPECT_LE(frames, m >= 0 ? m : 3) << "M=" << m;  // RealTime's own delay: 3 frames
    ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    ExpectEachRefconOnce(c.outputs(), 40);
  }
}

TEST(Contract3, PendingFramesStayBounded) {
  Collector c;
  auto s = vtctest::MakeSession(320, 180, kNV12, &c);
  ASSERT_TRUE(s);
  int64_t most = 0;
  for (int i = 0; i < 120; ++i) {
    ASSERT_EQ(Encode(*s, i), Status::kNoErr);
    vtc::Value v;
    ASSERT_EQ(s->CopyProperty(vtc::key::kNumberOfPendingFrames, &v), Status::kNoErr);
    int64_t n = 0;
    ASSERT_TRUE(v.GetInt(&n));
    most = std::max(most, n);
  }
  // x264 medium on this machine holds ~46 frames; the queue adds at most kMaxQueuedFrames.
  EXPECT_LE(most, 64 + vtc::CompressionSession::kMaxQueuedFrames);
  EXPECT_GT(most, 0);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  vtc::Value v;
  ASSERT_EQ(s->CopyProperty(vtc::key::kNumberOfPendingFrames, &v), Status::kNoErr);
  EXPECT_EQ(v, vtc::Value(0));
}

TEST(Contract3, NonIncreasingOrInvalidPtsIsRefusedAndTheSessionGoesOn) {
  Collector c;
  auto s = vtctest::MakeSession(96, 64, kNV12, &c);
  ASSERT_TRUE(s);
  auto pic = MakeMovingPicture(96, 64, 0);
  auto enc = [&](vtc::Time pts, int ref) {
    return s->EncodeFrame(vtctest::MakePoolBuffer(*s, pic), pts, FrameDuration(), nullptr,
                          RefconFor(ref), nullptr);
  };
  EXPECT_EQ(enc(FramePts(5), 0), Status::kNoErr);
  EXPECT_EQ(enc(FramePts(5), 1), Status::kParameterErr);  // equal
  EXPECT_EQ(enc(FramePts(3), 2), Status::kParameterErr);  // going back
  EXPECT_EQ(enc(vtc::Time::Invalid(), 3), Status::kParameterErr);
  EXPECT_EQ(enc(vtc::Time::PositiveInfinity(), 4), Status::kParameterErr);
  EXPECT_EQ(enc(vtc::Time::Make(0, 1), 5), Status::kParameterErr);  // other timescale, earlier
  EXPECT_EQ(enc(FramePts(31), 6), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto outs = c.outputs();
  ASSERT_EQ(outs.size(), 2u);
  std::set<int> refs;
  for (const auto& o : outs) {
    refs.insert(IndexOfRefcon(o.refcon));
    EXPECT_TRUE(o.sample);
  }
  EXPECT_EQ(refs, (std::set<int>{0, 6}));
}

// --- Contract 4: CompleteFrames ----------------------------------------------------------------

TEST(Contract4, CompleteFramesReturnsAfterEveryFrameAndEncodingGoesOnWithAnIdr) {
  Collector c;
  auto s = vtctest::MakeSession(320, 240, kI420, &c);
  ASSERT_TRUE(s);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Encode(*s, i), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Indefinite()), Status::kNoErr);
  ExpectEachRefconOnce(c.outputs(), 20);
  // Nothing pending: returns at once.
  EXPECT_EQ(s->CompleteFrames(vtc::Time::PositiveInfinity()), Status::kNoErr);

  for (int i = 20; i < 40; ++i) ASSERT_EQ(Encode(*s, i), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto outs = c.outputs();
  ExpectEachRefconOnce(outs, 40);
  // The first frame after the drain is an IDR.
  for (const auto& o : outs) {
    if (IndexOfRefcon(o.refcon) != 20) continue;
    ASSERT_TRUE(o.sample);
    EXPECT_TRUE(o.sample->IsSync());
    auto types = vtctest::NalTypes(o.sample);
    EXPECT_NE(std::find(types.begin(), types.end(), 5), types.end());
  }
  // And the whole stream still decodes as one.
  if (vtctest::FfmpegAvailable()) {
    vtctest::Decoded d;
    std::string err;
    ASSERT_TRUE(vtctest::DecodeAnnexB(vtctest::ToAnnexB(c.samples()), &d, &err)) << err;
    EXPECT_EQ(d.frames.size(), 40u);
  }
}

TEST(Contract4, CompleteFramesUntilATimeAnswersAllFramesUpToIt) {
  Collector c;
  auto s = vtctest::MakeSession(160, 96, kNV12, &c);
  ASSERT_TRUE(s);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(Encode(*s, i), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(FramePts(12)), Status::kNoErr);
  std::set<int> answered;
  for (const auto& o : c.outputs()) answered.insert(IndexOfRefcon(o.refcon));
  for (int i = 0; i <= 12; ++i) EXPECT_TRUE(answered.count(i)) << i;
  for (int i = 30; i < 45; ++i) ASSERT_EQ(Encode(*s, i), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  ExpectEachRefconOnce(c.outputs(), 45);
}

// --- Contract 6: samples -----------------------------------------------------------------------

struct StreamCheck {
  int b_frames = 0;
  int sync = 0;
};

// AVCC framing, no in-band parameter sets, attachments, PTS/duration as given, DTS rules.
StreamCheck CheckSamples(const std::vector<vtctest::Output>& outs, int n,
                         const std::function<vtc::Time(int)>& pts_of) {
  StreamCheck r;
  ExpectEachRefconOnce(outs, n);
  vtc::Time last_dts = vtc::Time::Invalid(), max_pts = vtc::Time::Invalid();
  for (const auto& o : outs) {
    EXPECT_EQ(o.status, Status::kNoErr);
    if (!o.sample) {
      ADD_FAILURE() << "no sample";
      continue;
    }
    const auto& smp = *o.sample;
    const int idx = IndexOfRefcon(o.refcon);
    EXPECT_EQ(smp.presentation_time_stamp().value, pts_of(idx).value);
    EXPECT_EQ(smp.presentation_time_stamp().timescale, pts_of(idx).timescale);
    EXPECT_EQ(smp.duration(), FrameDuration());
    const vtc::Time dts = smp.decode_time_stamp();
    EXPECT_TRUE(dts.IsNumeric());
    EXPECT_LE(dts, smp.presentation_time_stamp());
    if (last_dts.IsValid()) EXPECT_GE(dts, last_dts);
    last_dts = dts;
    if (max_pts.IsValid() && smp.presentation_time_stamp() < max_pts) ++r.b_frames;
    if (!max_pts.IsValid() || smp.presentation_time_stamp() > max_pts)
      max_pts = smp.presentation_time_stamp();

    auto types = vtctest::NalTypes(o.sample);
    EXPECT_FALSE(types.empty());
    for (int t : types) {
      EXPECT_NE(t, 7) << "SPS in band";
      EXPECT_NE(t, 8) << "PPS in band";
    }
    const auto& a = smp.attachments();
    if (!a.count(vtc::key::kNotSync) || !a.count(vtc::key::kDependsOnOthers) ||
        !a.count(vtc::key::kIsDependedOnByOthers)) {
      ADD_FAILURE() << "missing dependency attachments";
      continue;
    }
    const bool idr = std::find(types.begin(), types.end(), 5) != types.end();
    EXPECT_EQ(smp.IsSync(), idr);
    if (idr) {
      ++r.sync;
      EXPECT_EQ(a.at(vtc::key::kDependsOnOthers), vtc::Value(false));
    }
    EXPECT_TRUE(smp.format_description());
  }
  return r;
}

TEST(Contract6, WithReorderingBFramesAppearAndDtsStaysValid) {
  Collector c;
  auto s = vtctest::MakeSession(320, 180, kNV12, &c);
  ASSERT_TRUE(s);
  for (int i = 0; i < 60; ++i) ASSERT_EQ(Encode(*s, i), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto outs = c.outputs();
  StreamCheck r = CheckSamples(outs, 60, FramePts);
  EXPECT_GT(r.b_frames, 0);
  EXPECT_GE(r.sync, 1);
  // Non-reference B-frames say nobody depends on them.
  int droppable = 0;
  for (const auto& o : outs)
    if (o.sample->attachments().at(vtc::key::kIsDependedOnByOthers) == vtc::Value(false))
      ++droppable;
  EXPECT_GT(droppable, 0);
  // The first DTS comes before the first PTS by the reorder delay, not by a huge offset.
  EXPECT_LT(outs.front().sample->decode_time_stamp(), FramePts(0));
  EXPECT_GE(outs.front().sample->decode_time_stamp(), FramePts(-3));
}

TEST(Contract6, WithoutReorderingNoBFramesAndDtsEqualsPts) {
  Collector c;
  auto s = vtctest::MakeSession(320, 180, kNV12, &c,
                                {{vtc::key::kAllowFrameReordering, vtc::Value(false)}});
  ASSERT_TRUE(s);
  for (int i = 0; i < 60; ++i) ASSERT_EQ(Encode(*s, i), Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  auto outs = c.outputs();
  StreamCheck r = CheckSamples(outs, 60, FramePts);
  EXPECT_EQ(r.b_frames, 0);
  for (size_t k = 0; k < outs.size(); ++k) {
    EXPECT_EQ(IndexOfRefcon(outs[k].refcon), int(k));
    EXPECT_EQ(outs[k].sample->decode_time_stamp(), outs[k].sample->presentation_time_stamp());
  }
}

TEST(Contract6, TimestampsKeepTheirTimescaleAndDtsRulesHoldAcrossADrain) {
  // 90 kHz with an irregular start; DTS must stay non-decreasing across the encoder restart.
  Collector c;
  auto s = vtctest::MakeSession(160, 96, kNV12, &c);
  ASSERT_TRUE(s);
  auto pts_of = [](int i) { return vtc::Time::Make(123456 + int64_t(i) * 3000, 90000); };
  for (int i = 0; i < 50; ++i) {
    if (i == 25) ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(160, 96, i));
    ASSERT_EQ(s->EncodeFrame(buf, pts_of(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  StreamCheck r = CheckSamples(c.outputs(), 50, pts_of);
  EXPECT_GE(r.sync, 2);
}

TEST(Contract6, DtsRulesHoldAcrossAReconfigurationThatRestartsX264) {
  // Quality-based to a bit rate changes x264's rate-control mode: a new x264 instance, whose
  // first DTS (the reorder delay before its PTS) would fall at or before the last one.
  Collector c;
  auto s = vtctest::MakeSession(160, 96, kNV12, &c);
  ASSERT_TRUE(s);
  auto pts_of = [](int i) { return vtc::Time::Make(int64_t(i) * 1001, 30000); };
  for (int i = 0; i < 60; ++i) {
    if (i == 30) ASSERT_EQ(s->SetProperty(vtc::key::kAverageBitRate, 200000), Status::kNoErr);
    auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(160, 96, i));
    ASSERT_EQ(s->EncodeFrame(buf, pts_of(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  StreamCheck r = CheckSamples(c.outputs(), 60, pts_of);
  EXPECT_GE(r.sync, 2) << "no new IDR: x264 was not restarted";
}

TEST(Contract6, ForceKeyFrameMakesThatFrameAnIdr) {
  Collector c;
  auto s = vtctest::MakeSession(160, 96, kNV12, &c);
  ASSERT_TRUE(s);
  const vtc::Dictionary force{{vtc::key::kForceKeyFrame, vtc::Value(true)}};
  const vtc::Dictionary bad{{vtc::key::kForceKeyFrame, vtc::Value("yes")}};
  for (int i = 0; i < 40; ++i) {
    if (i == 7) EXPECT_EQ(Encode(*s, 1000, &bad), Status::kParameterErr);
    ASSERT_EQ(Encode(*s, i, (i == 17 || i == 18 || i == 31) ? &force : nullptr), Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  for (const auto& o : c.outputs()) {
    int i = IndexOfRefcon(o.refcon);
    if (i == 17 || i == 18 || i == 31 || i == 0) {
      EXPECT_TRUE(o.sample->IsSync()) << i;
      auto types = vtctest::NalTypes(o.sample);
      EXPECT_NE(std::find(types.begin(), types.end(), 5), types.end()) << i;
    }
  }
}

// --- Handler form ------------------------------------------------------------------------------

TEST(HandlerForm, HandlerSessionsTakeHandlersOnly) {
  std::shared_ptr<vtc::CompressionSession> s;
  ASSERT_EQ(vtc::CompressionSession::Create(64, 48, vtc::kCodecType_H264, nullptr, nullptr, nullptr,
                                            nullptr, &s),
            Status::kNoErr);
  Collector c;
  for (int i = 0; i < 20; ++i) {
    auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(64, 48, i));
    EXPECT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kParameterErr);
    EXPECT_EQ(s->EncodeFrameWithOutputHandler(buf, FramePts(i), FrameDuration(), nullptr, nullptr,
                                              nullptr),
              Status::kParameterErr);
    ASSERT_EQ(s->EncodeFrameWithOutputHandler(buf, FramePts(i), FrameDuration(), nullptr, nullptr,
                                              c.Handler(RefconFor(i))),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  ExpectEachRefconOnce(c.outputs(), 20);

  Collector c2;
  auto cb = vtctest::MakeSession(64, 48, kNV12, &c2);
  ASSERT_TRUE(cb);
  auto buf = vtctest::MakePoolBuffer(*cb, MakeMovingPicture(64, 48, 0));
  EXPECT_EQ(cb->EncodeFrameWithOutputHandler(buf, FramePts(0), FrameDuration(), nullptr, nullptr,
                                             c2.Handler(nullptr)),
            Status::kParameterErr);
}

// --- Contract 8: zero copy ---------------------------------------------------------------------

TEST(Contract8, PoolBuffersAreReusedAfterTheirFramesAreAnswered) {
  Collector c;
  auto s = vtctest::MakeSession(320, 240, kNV12, &c);
  ASSERT_TRUE(s);
  auto pool = s->GetPixelBufferPool();
  std::set<uint8_t*> first_round;
  for (int i = 0; i < 30; ++i) {
    auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(320, 240, i));
    first_round.insert(buf->base_address_of_plane(0));
    ASSERT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  EXPECT_EQ(pool->outstanding_count(), 0u);
  EXPECT_GT(pool->free_count(), 0u);
  auto again = vtctest::MakePoolBuffer(*s, MakeMovingPicture(320, 240, 0));
  EXPECT_TRUE(first_round.count(again->base_address_of_plane(0)));
}

TEST(Contract8, OddSizedPoolBuffersGetTheirEdgeRepeatedInPlace) {
  Collector c;
  auto s = vtctest::MakeSession(17, 9, kI420, &c);
  ASSERT_TRUE(s);
  auto pool = s->GetPixelBufferPool();
  int64_t right = 0;
  ASSERT_TRUE(pool->pixel_buffer_attributes().at(vtc::key::kExtendedPixelsRight).GetInt(&right));
  EXPECT_GE(right, 1);
  auto buf = vtctest::MakePoolBuffer(*s, MakeMovingPicture(17, 9, 3));
  uint8_t* y = buf->base_address_of_plane(0);
  const size_t stride = buf->bytes_per_row_of_plane(0);
  for (int r = 0; r < 9; ++r) y[r * stride + 17] = 0;  // the extended column
  ASSERT_EQ(s->EncodeFrame(buf, FramePts(0), FrameDuration(), nullptr, RefconFor(0), nullptr),
            Status::kNoErr);
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  // The session wrote the repeated edge into the buffer's own memory: x264 read it from there.
  for (int r = 0; r < 9; ++r) EXPECT_EQ(y[r * stride + 17], y[r * stride + 16]) << r;
  for (int x = 0; x < 18; ++x) EXPECT_EQ(y[9 * stride + x], y[8 * stride + x]) << x;
}

// --- Logging -----------------------------------------------------------------------------------

TEST(Logging, SessionAndX264MessagesReachTheHandler) {
  Collector c;
  auto s = vtctest::MakeSession(64, 48, kNV12, &c);
  ASSERT_TRUE(s);
  std::mutex mu;
  std::vector<std::pair<vtc::LogLevel, std::string>> lines;
  s->SetLogHandler([&](vtc::LogLevel level, const char* msg) {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(level, msg);
  });
  ASSERT_EQ(Encode(*s, 1), Status::kNoErr);
  EXPECT_EQ(Encode(*s, 0), Status::kParameterErr);  // PTS going back: logged as an error
  ASSERT_EQ(s->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  s->Invalidate();
  std::lock_guard<std::mutex> lock(mu);
  bool x264 = false, pts_error = false;
  for (const auto& [level, msg] : lines) {
    if (msg.rfind("x264: ", 0) == 0) x264 = true;
    if (level == vtc::LogLevel::kError && msg.find("not after the previous") != std::string::npos)
      pts_error = true;
    EXPECT_TRUE(msg.empty() || msg.back() != '\n');
  }
  EXPECT_TRUE(x264);
  EXPECT_TRUE(pts_error);
}

}  // namespace

namespace {

// Contract 5: dropping the last reference invalidates, also when that happens inside a callback.
// The third callback waits until the test has let go of its own reference, then drops the only
// one left, on the session's own thread, with frames still queued behind it.
struct SelfOwned {
  std::mutex mu;
  std::condition_variable cv;
  bool test_released = false;
  std::shared_ptr<vtc::CompressionSession> session;
  std::atomic<int> answered{0};
  std::atomic<int> dropped{0};
  static void Callback(void* self_ptr, void*, Status, vtc::EncodeInfoFlags flags,
                       const vtc::SampleBufferRef&) {
    auto* self = static_cast<SelfOwned*>(self_ptr);
    if (flags & vtc::kEncodeInfo_FrameDropped) ++self->dropped;
    if (++self->answered == 3) {
      std::shared_ptr<vtc::CompressionSession> last;
      {
        std::unique_lock<std::mutex> lock(self->mu);
        self->cv.wait(lock, [&] { return self->test_released; });
        last = std::move(self->session);
      }
      last.reset();  // the last reference goes away on the session's own thread
    }
  }
};

TEST(Contract5, LastReferenceDroppedInsideACallbackStillAnswersEveryFrame) {
  SelfOwned owner;
  std::shared_ptr<vtc::CompressionSession> s;
  vtc::Dictionary spec{{vtc::key::kEnableLowLatencyRateControl, vtc::Value(true)}};
  ASSERT_EQ(vtc::CompressionSession::Create(64, 48, vtc::kCodecType_H264, &spec, nullptr,
                                            SelfOwned::Callback, &owner, &s),
            Status::kNoErr);
  owner.session = s;
  std::weak_ptr<vtc::CompressionSession> weak = s;
  std::atomic<int> released{0};
  // Three answered (the third holds the worker in its callback) and at most kMaxQueuedFrames
  // queued behind it, so no EncodeFrame waits for the gated worker.
  constexpr int kFrames = 6;
  static_assert(kFrames <= 3 + vtc::CompressionSession::kMaxQueuedFrames);
  for (int i = 0; i < kFrames; ++i) {
    auto buf = vtctest::MakeWrappedBuffer(MakeMovingPicture(64, 48, i), kNV12, 0, &released);
    ASSERT_EQ(s->EncodeFrame(buf, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr),
              Status::kNoErr);
  }
  s.reset();
  {
    std::lock_guard<std::mutex> lock(owner.mu);
    owner.test_released = true;
  }
  owner.cv.notify_all();
  // The session finishes on its own thread and frees every buffer as it deletes itself; poll
  // for that (bounded by the test timeout).
  while (released.load() < kFrames) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(owner.answered.load(), kFrames);
  EXPECT_GT(owner.dropped.load(), 0);
  EXPECT_TRUE(weak.expired());
}

}  // namespace

namespace {

TEST(Contract3, MaxFrameDelayCountSetAfterPrepareStillHolds) {
  // PrepareToEncodeFrames opens x264 with the keys set so far; keys that apply only at open may
  // still change until the first frame, and then the encoder is opened again with them (found by
  // fuzz_session_calls: EncodeFrame waited forever for a frame x264 was still holding).
  Collector c;
  auto s = vtctest::MakeSession(16, 40, kNV12, &c);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->PrepareToEncodeFrames(), Status::kNoErr);
  ASSERT_EQ(s->SetProperty(vtc::key::kMaxFrameDelayCount, 0), Status::kNoErr);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Encode(*s, i), Status::kNoErr);
    EXPECT_EQ(c.count(), size_t(i + 1));
  }
}

}  // namespace
