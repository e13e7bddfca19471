// SPDX-License-Identifier: GPL-2.0-or-later
// Session stress (issue 4): eight sessions encode at once from eight threads while other threads
// change properties, call CompleteFrames and CopyProperty, and invalidate sessions at random
// moments. Checked:
//   - every accepted frame is answered exactly once, with its own PTS (refcon accounting per
//     session), and a frame whose EncodeFrame failed is never answered;
//   - callbacks one at a time, on one thread, DTS non-decreasing, Invalidate's drops last and in
//     submission order, none after Invalidate (or the destructor) returned;
//   - statuses: live keys 0, non-live keys -12901 once the first frame went in, -12903 only on an
//     invalidated session, CompleteFrames/EncodeFrame from inside a callback refused;
//   - MaxFrameDelayCount and CompleteFrames(T) keep their promises under all this;
//   - wrapped buffers all released, pool buffers all returned, sessions all destroyed, the
//     session threads all gone, and RSS flat from round to round;
//   - no deadlock: a watchdog prints the stuck threads and aborts after 60 s without progress.
// Sizes are small (64x48..160x96) so that the whole test stays well under a minute on two shared
// cores. VTC_STRESS_SEED repeats a run; VTC_STRESS_ROUNDS / VTC_STRESS_FRAMES scale it.
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../session/test_util.h"
#include "stress_util.h"

using namespace std::chrono_literals;
using vtc::Status;
using vtc::Value;
namespace key = vtc::key;

namespace {

constexpr int kEncoderThreads = 8;
constexpr int kChaosThreads = 3;
constexpr vtc::PixelFormatType kNV12v = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;
constexpr vtc::PixelFormatType kNV12f = vtc::kPixelFormat_420YpCbCr8BiPlanarFullRange;
constexpr vtc::PixelFormatType kI420 = vtc::kPixelFormat_420YpCbCr8Planar;

// ---- failure reporting from any thread (bounded, so a systematic bug does not flood the log) ----

std::atomic<int> g_failures{0};

void Failure(const std::string& what) {
  const int n = g_failures.fetch_add(1);
  if (n < 40) ADD_FAILURE() << what;
  if (n == 40) ADD_FAILURE() << "(further failures not printed)";
}

std::string StatusText(Status s) {
  return std::to_string(int(s)) + " " + vtc::StatusName(s);
}

// ---- statistics, printed after each round ----

struct Stats {
  std::atomic<long> frames_accepted{0}, encoded{0}, dropped{0}, errors{0};
  std::atomic<long> sessions{0}, invalidated_by_chaos{0}, invalidated_by_owner{0}, drained{0},
      dropped_refs{0};
  std::atomic<long> live_sets{0}, nonlive_sets{0}, nonlive_readonly{0}, copies{0}, completes{0},
      set_properties{0}, in_callback_calls{0}, invalid_session{0};
  void Print(int round) const {
    std::printf(
        "round %d: sessions %ld, frames accepted %ld (encoded %ld, dropped %ld, errors %ld); "
        "invalidated by chaos %ld, by owner %ld, drained %ld, last ref dropped %ld; "
        "live sets %ld, non-live sets %ld (%ld read-only), SetProperties %ld, copies %ld, "
        "CompleteFrames %ld, calls from callbacks %ld, -12903 answers %ld\n",
        round, sessions.load(), frames_accepted.load(), encoded.load(), dropped.load(),
        errors.load(), invalidated_by_chaos.load(), invalidated_by_owner.load(), drained.load(),
        dropped_refs.load(), live_sets.load(), nonlive_sets.load(), nonlive_readonly.load(),
        set_properties.load(), copies.load(), completes.load(), in_callback_calls.load(),
        invalid_session.load());
    std::fflush(stdout);
  }
};

// ---- one session's bookkeeping ----

struct SessionCtx {
  int id = 0;
  int width = 0, height = 0;
  vtc::PixelFormatType format = kNV12v;
  int buffer_kind = 0;  // 0 pool, 1 wrapped, 2 both
  bool mixed_formats = false;
  bool handler_form = false;
  int max_frame_delay = -1;
  int capacity = 0;  // frames this session may get

  // Written by the owning encoder thread only; read by the main thread after the round.
  std::vector<uint8_t> accepted;
  int submitted = 0;

  // Written by callbacks.
  std::unique_ptr<std::atomic<uint8_t>[]> answered;
  std::atomic<int> answered_count{0};

  std::atomic<bool> started{false};       // an EncodeFrame returned kNoErr
  std::atomic<bool> invalidating{false};  // someone is about to call Invalidate
  std::atomic<bool> invalidated{false};   // an Invalidate call has returned
  std::atomic<bool> destroyed{false};     // the destructor ran and returned
  std::weak_ptr<vtc::CompressionSession> weak;
  vtc::PixelBufferPoolRef pool;

  // Callback-side state (callbacks are serialised by contract; the mutex keeps the test itself
  // free of data races if they are not, and `in_callback` detects it).
  std::atomic<int> in_callback{0};
  std::mutex cb_mu;
  bool have_dts = false;
  vtc::Time last_dts;
  bool seen_drop = false;
  int last_drop_index = -1;
  bool have_worker = false;
  std::thread::id worker;
  std::mt19937_64 cb_rng;

  // What happened to this session (settings, property calls, drains), printed when a check
  // about it fails, so a failure can be reduced to a plain sequence of calls.
  std::mutex log_mu;
  std::vector<std::string> log;
  std::atomic<int> submitted_now{0};
  void Note(const std::string& what) {
    std::lock_guard<std::mutex> lock(log_mu);
    if (log.size() < 400) log.push_back("@" + std::to_string(submitted_now.load()) + " " + what);
  }
  std::string History() {
    std::lock_guard<std::mutex> lock(log_mu);
    std::string out = "\n  history of session " + std::to_string(id) + " (@N = frames submitted):";
    for (const auto& l : log) out += "\n    " + l;
    return out;
  }
};

// A session as the test shares it: `session` is our own shared_ptr over the one Create returned,
// whose deleter drops that one (running the destructor) and then records that the destructor has
// returned. The last reference may drop on any thread: an encoder thread, a chaos thread, or the
// session's own worker when a callback holds it (then the destructor runs inside the callback and
// `destroyed` is not set: callbacks for that session's remaining frames legitimately follow).
struct SessionHolder {
  std::shared_ptr<vtc::CompressionSession> session;
  SessionCtx* ctx = nullptr;
};

thread_local bool t_in_callback = false;

std::shared_ptr<vtc::CompressionSession> Track(std::shared_ptr<vtc::CompressionSession> created,
                                               SessionCtx* c) {
  vtc::CompressionSession* raw = created.get();
  return std::shared_ptr<vtc::CompressionSession>(
      raw, [created = std::move(created), c](vtc::CompressionSession*) mutable {
        created.reset();
        if (!t_in_callback) c->destroyed.store(true);
      });
}

Stats* g_stats = nullptr;

void Progress() {
  if (auto* dog = stress::Watchdog::Current()) dog->Progress();
}

// ---- random property values ----

struct Rng {
  std::mt19937_64 gen;
  explicit Rng(std::uint64_t seed) : gen(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); }
  double Real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(gen); }
};

// Keys that change between frames, with a valid value (null restores the default). Not
// ConstantBitRate: it may not be combined with AverageBitRate/DataRateLimits, so concurrent
// random setters would make the expected status ambiguous.
std::pair<const char*, Value> RandomLiveProperty(Rng& r) {
  switch (r.Int(0, 10)) {
    case 0:
      return {key::kAverageBitRate, r.Chance(0.2) ? Value(0) : Value(r.Int(20000, 2000000))};
    case 1:
      return {key::kQuality, r.Chance(0.1) ? Value() : Value(r.Real(0.0, 1.0))};
    case 2:
      if (r.Chance(0.3)) return {key::kDataRateLimits, Value()};
      return {key::kDataRateLimits, Value(vtc::Array{Value(r.Int(4000, 400000)), Value(1.0)})};
    case 3:
      return {key::kRealTime, Value(r.Chance(0.5))};
    case 4:
      return {key::kAllowTemporalCompression, Value(r.Chance(0.8))};
    case 5:
      return {key::kMaxKeyFrameInterval, Value(r.Int(0, 120))};
    case 6:
      return {key::kMaxKeyFrameIntervalDuration, Value(r.Real(0.0, 5.0))};
    case 7:
      return {key::kPrioritizeEncodingSpeedOverQuality, Value(r.Chance(0.5))};
    case 8:
      return {key::kMaxH264SliceBytes, r.Chance(0.5) ? Value(0) : Value(r.Int(300, 4000))};
    case 9:
      return {key::kExpectedFrameRate, Value(r.Real(0.0, 60.0))};
    default:
      return {key::kAverageBitRate, Value()};
  }
}

// Keys fixed at the first frame, with values that cannot conflict with each other or with what the
// encoder threads set at creation.
std::pair<const char*, Value> RandomNonLiveProperty(Rng& r) {
  switch (r.Int(0, 7)) {
    case 0:
      return {key::kAllowFrameReordering, Value(r.Chance(0.5))};
    case 1:
      return {key::kSpatialAdaptiveQPLevel, Value(r.Chance(0.5) ? -1 : 0)};
    case 2:
      return {key::kReferenceBufferCount, Value(r.Int(1, 4))};
    case 3:
      return {key::kColorPrimaries, Value("ITU_R_709_2")};
    case 4:
      return {key::kSourceFrameCount, Value(r.Int(0, 1000))};
    case 5:
      return {key::kCalculateMeanSquaredError, Value(r.Chance(0.3))};
    case 6:
      return {key::kPixelAspectRatio, Value(vtc::Dictionary{{key::kHorizontalSpacing, Value(1)},
                                                            {key::kVerticalSpacing, Value(1)}})};
    default:
      return {key::kExpectedDuration, Value(r.Real(0.0, 100.0))};
  }
}

const char* RandomCopyKey(Rng& r) {
  static const char* const kKeys[] = {
      key::kNumberOfPendingFrames,
      key::kAverageBitRate,
      key::kMaxKeyFrameInterval,
      key::kAllowFrameReordering,
      key::kEncoderFrameDelay,
      key::kEncoderReorderDepth,
      key::kEncoderID,
      key::kMaxFrameDelayCount,
      key::kPixelBufferPoolIsShared,
      key::kRealTime,
      key::kDataRateLimits,
      key::kUsingHardwareAcceleratedVideoEncoder,
      key::kProfileLevel,
      key::kExpectedFrameRate,
  };
  return kKeys[r.Int(0, int(sizeof kKeys / sizeof kKeys[0]) - 1)];
}

// ---- the output callback ----

void OnAnswer(SessionCtx* c, void* refcon, Status status, vtc::EncodeInfoFlags flags,
              const vtc::SampleBufferRef& sample) {
  Progress();
  t_in_callback = true;
  if (c->invalidated.load() || c->destroyed.load())
    Failure("session " + std::to_string(c->id) +
            ": callback after Invalidate/destruction returned");
  if (c->in_callback.fetch_add(1) != 0)
    Failure("session " + std::to_string(c->id) + ": two callbacks at once");
  std::lock_guard<std::mutex> lock(c->cb_mu);
  const std::string who = "session " + std::to_string(c->id) + " ";
  if (!c->have_worker) {
    c->have_worker = true;
    c->worker = std::this_thread::get_id();
  } else if (c->worker != std::this_thread::get_id()) {
    Failure(who + "callback on a second thread");
  }

  const int index = vtctest::IndexOfRefcon(refcon);
  if (index < 0 || index >= c->capacity) {
    Failure(who + "callback with an unknown refcon " + std::to_string(index));
  } else {
    if (c->answered[index].fetch_add(1) != 0)
      Failure(who + "frame " + std::to_string(index) + " answered twice");
    c->answered_count.fetch_add(1);
  }

  const bool drop = (flags & vtc::kEncodeInfo_FrameDropped) != 0;
  if (sample) {
    g_stats->encoded.fetch_add(1);
    if (status != Status::kNoErr || drop)
      Failure(who + "sample with status " + StatusText(status) + " flags " + std::to_string(flags));
    if (sample->presentation_time_stamp() != vtctest::FramePts(index))
      Failure(who + "frame " + std::to_string(index) + " answered with the sample of PTS " +
              sample->presentation_time_stamp().ToString() + c->History());
    const vtc::Time dts = sample->decode_time_stamp();
    if (!dts.IsNumeric() || dts > sample->presentation_time_stamp())
      Failure(who + "bad DTS " + dts.ToString() + " for frame " + std::to_string(index));
    if (c->have_dts && dts < c->last_dts)
      Failure(who + "DTS went back from " + c->last_dts.ToString() + " to " + dts.ToString() +
              " (frame " + std::to_string(index) + ")" + c->History());
    c->have_dts = true;
    c->last_dts = dts;
    if (sample->IsSync())
      c->Note("sync sample, frame " + std::to_string(index) + " DTS " + dts.ToString());
    if (c->seen_drop)
      Failure(who + "encoded frame " + std::to_string(index) + " answered after a dropped one");
  } else if (drop) {
    g_stats->dropped.fetch_add(1);
    if (status != Status::kNoErr) Failure(who + "dropped with status " + StatusText(status));
    if (c->seen_drop && index <= c->last_drop_index)
      Failure(who + "dropped frames out of submission order");
    c->seen_drop = true;
    c->last_drop_index = index;
  } else {
    g_stats->errors.fetch_add(1);
    Failure(who + "frame " + std::to_string(index) + " answered with error " + StatusText(status) +
            " (x264 failed?)");
  }

  // Now and then, use the session from inside its own callback (contract 2).
  if (c->cb_rng() % 16 == 0) {
    if (auto s = c->weak.lock()) {
      g_stats->in_callback_calls.fetch_add(1);
      Value v;
      Status st = s->CopyProperty(key::kNumberOfPendingFrames, &v);
      if (st != Status::kNoErr && !(st == Status::kInvalidSessionErr && c->invalidating.load()))
        Failure(who + "CopyProperty in callback: " + StatusText(st));
      Rng r(c->cb_rng());
      auto [k, val] = RandomLiveProperty(r);
      st = s->SetProperty(k, val);
      c->Note(std::string("callback SetProperty ") + k + " " + val.ToString() + " = " +
              StatusText(st));
      if (st != Status::kNoErr && !(st == Status::kInvalidSessionErr && c->invalidating.load()))
        Failure(who + "SetProperty(" + k + ") in callback: " + StatusText(st));
      st = s->CompleteFrames(vtc::Time::Invalid());
      if (st != Status::kParameterErr &&
          !(st == Status::kInvalidSessionErr && c->invalidating.load()))
        Failure(who + "CompleteFrames in callback gave " + StatusText(st) +
                ", expected kVTParameterErr");
      // `s` may be the last reference: then the session is destroyed here, on its worker.
    }
  }
  c->in_callback.fetch_sub(1);
  t_in_callback = false;
}

void Callback(void* output_refcon, void* frame_refcon, Status status, vtc::EncodeInfoFlags flags,
              const vtc::SampleBufferRef& sample) {
  OnAnswer(static_cast<SessionCtx*>(output_refcon), frame_refcon, status, flags, sample);
}

// ---- the shared table the chaos threads pick sessions from ----

struct Table {
  std::mutex mu;
  std::shared_ptr<SessionHolder> slots[kEncoderThreads];
  std::shared_ptr<SessionHolder> Get(int i) {
    std::lock_guard<std::mutex> lock(mu);
    return slots[i];
  }
  void Set(int i, std::shared_ptr<SessionHolder> h) {
    std::lock_guard<std::mutex> lock(mu);
    slots[i] = std::move(h);
  }
};

// ---- the round ----

struct Round {
  Table table;
  std::atomic<int> encoders_running{kEncoderThreads};
  std::mutex ctx_mu;
  std::vector<std::unique_ptr<SessionCtx>> contexts;
  std::atomic<int> wrapped_made{0};
  std::atomic<int> wrapped_released{0};
  std::atomic<int> next_id{0};
};

bool Allowed(Status st, bool invalidating, std::initializer_list<Status> ok) {
  for (Status s : ok)
    if (st == s) return true;
  if (st == Status::kInvalidSessionErr && invalidating) return true;
  return false;
}

void EncoderThread(Round* round, int slot, int frames, std::uint64_t seed, stress::Watchdog* dog) {
  stress::Watchdog::Thread me(*dog, "encoder-" + std::to_string(slot));
  Rng r(seed);
  int remaining = frames;
  while (remaining > 0) {
    auto owned = std::make_unique<SessionCtx>();
    SessionCtx* c = owned.get();
    c->id = round->next_id.fetch_add(1);
    c->width = r.Int(64, 160);
    c->height = r.Int(48, 96);
    const vtc::PixelFormatType formats[] = {kNV12v, kNV12f, kI420};
    c->format = formats[r.Int(0, 2)];
    c->buffer_kind = r.Int(0, 2);
    c->mixed_formats = r.Chance(0.3);
    c->handler_form = r.Chance(0.3);
    const int delays[] = {-1, -1, 0, 2, 4};
    c->max_frame_delay = delays[r.Int(0, 4)];
    c->capacity = std::min(remaining, r.Int(80, 300));
    c->accepted.assign(size_t(c->capacity), 0);
    c->answered.reset(new std::atomic<uint8_t>[size_t(c->capacity)]);
    for (int i = 0; i < c->capacity; ++i) c->answered[i].store(0);
    c->cb_rng.seed(r.gen());
    {
      std::lock_guard<std::mutex> lock(round->ctx_mu);
      round->contexts.push_back(std::move(owned));
    }
    const std::string who = "session " + std::to_string(c->id) + " ";

    vtc::Dictionary attrs{{key::kPixelFormatType, Value(int(c->format))},
                          {key::kBytesPerRowAlignment, Value(r.Chance(0.5) ? 16 : 64)}};
    if (r.Chance(0.5)) {
      attrs[key::kExtendedPixelsRight] = Value(16);
      attrs[key::kExtendedPixelsBottom] = Value(16);
    }
    auto holder = std::make_shared<SessionHolder>();
    holder->ctx = c;
    me.Doing("Create");
    std::shared_ptr<vtc::CompressionSession> created;
    Status st = vtc::CompressionSession::Create(c->width, c->height, vtc::kCodecType_H264, nullptr,
                                                &attrs, c->handler_form ? nullptr : &Callback,
                                                c->handler_form ? nullptr : c, &created);
    if (st != Status::kNoErr || !created) {
      Failure(who + "Create: " + StatusText(st));
      c->capacity = 0;
      remaining = 0;
      break;
    }
    holder->session = Track(std::move(created), c);
    g_stats->sessions.fetch_add(1);
    vtc::CompressionSession& s = *holder->session;
    s.SetLogHandler([](vtc::LogLevel, const char*) {});  // quiet: -12901 etc. are expected here
    c->weak = holder->session;
    c->pool = s.GetPixelBufferPool();
    me.Doing("SetProperty (before start)");
    if (c->max_frame_delay != -1 &&
        (st = s.SetProperty(key::kMaxFrameDelayCount, c->max_frame_delay)) != Status::kNoErr)
      Failure(who + "MaxFrameDelayCount: " + StatusText(st));
    const char* profiles[] = {"H264_Baseline_AutoLevel", "H264_Main_AutoLevel",
                              "H264_High_AutoLevel"};
    const char* profile = profiles[r.Int(0, 2)];
    if ((st = s.SetProperty(key::kProfileLevel, profile)) != Status::kNoErr)
      Failure(who + "ProfileLevel: " + StatusText(st));
    const bool real_time = r.Chance(0.5);
    if ((st = s.SetProperty(key::kRealTime, real_time)) != Status::kNoErr)
      Failure(who + "RealTime: " + StatusText(st));
    c->Note(std::string("ProfileLevel ") + profile + ", RealTime " +
            (real_time ? "true" : "false"));
    if (r.Chance(0.25)) {
      me.Doing("PrepareToEncodeFrames");
      c->Note("PrepareToEncodeFrames");
      if ((st = s.PrepareToEncodeFrames()) != Status::kNoErr)
        Failure(who + "PrepareToEncodeFrames: " + StatusText(st));
    }
    c->Note(std::to_string(c->width) + "x" + std::to_string(c->height) + " " +
            vtc::PixelFormatName(c->format) + (c->mixed_formats ? " mixed formats" : "") +
            " buffers " +
            (c->buffer_kind == 0   ? "pool"
             : c->buffer_kind == 1 ? "wrapped"
                                   : "both") +
            (c->handler_form ? " handler form" : " callback form") + " MaxFrameDelayCount " +
            std::to_string(c->max_frame_delay));
    round->table.Set(slot, holder);

    const int pad = r.Int(0, 40);
    bool stopped = false;
    for (int i = 0; i < c->capacity && !stopped; ++i) {
      vtc::PixelFormatType fmt = c->format;
      if (c->mixed_formats && r.Chance(0.5)) fmt = (fmt == kI420) ? kNV12v : kI420;
      const bool use_pool = c->buffer_kind == 0 || (c->buffer_kind == 2 && r.Chance(0.5));
      const vtctest::Picture pic = vtctest::MakeMovingPicture(c->width, c->height, i);
      vtc::PixelBufferRef buf;
      if (use_pool) {
        me.Doing("CreatePixelBuffer");
        st = c->pool->CreatePixelBuffer(&buf);
        if (st != Status::kNoErr) {
          Failure(who + "CreatePixelBuffer: " + StatusText(st));
          break;
        }
        vtctest::CopyPictureInto(pic, buf);
      } else {
        buf = vtctest::MakeWrappedBuffer(pic, fmt, pad, &round->wrapped_released);
        if (!buf) break;
        round->wrapped_made.fetch_add(1);
      }
      vtc::Dictionary opts{{key::kForceKeyFrame, Value(true)}};
      const vtc::Dictionary* frame_opts = r.Chance(0.03) ? &opts : nullptr;
      me.Doing("EncodeFrame");
      c->submitted = i + 1;
      if (frame_opts) c->Note("ForceKeyFrame on frame " + std::to_string(i));
      if (c->handler_form) {
        st = s.EncodeFrameWithOutputHandler(
            buf, vtctest::FramePts(i), vtctest::FrameDuration(), frame_opts, nullptr,
            [c, i](Status status, vtc::EncodeInfoFlags flags, const vtc::SampleBufferRef& sample) {
              OnAnswer(c, vtctest::RefconFor(i), status, flags, sample);
            });
      } else {
        st = s.EncodeFrame(buf, vtctest::FramePts(i), vtctest::FrameDuration(), frame_opts,
                           vtctest::RefconFor(i), nullptr);
      }
      buf.reset();
      Progress();
      if (st == Status::kNoErr) {
        c->accepted[size_t(i)] = 1;
        c->submitted_now.store(i + 1);
        c->started.store(true);
        g_stats->frames_accepted.fetch_add(1);
        --remaining;
        // Contract 3: before the call that submits frame N returns, frame N-M was answered.
        const int m = c->max_frame_delay;
        if (m >= 0 && i >= m && c->answered[i - m].load() == 0 && !c->invalidating.load())
          Failure(who + "MaxFrameDelayCount " + std::to_string(m) + ": frame " +
                  std::to_string(i - m) + " not answered when EncodeFrame(" + std::to_string(i) +
                  ") returned");
      } else if (st == Status::kInvalidSessionErr && c->invalidating.load()) {
        g_stats->invalid_session.fetch_add(1);
        stopped = true;
      } else {
        Failure(who + "EncodeFrame(" + std::to_string(i) + "): " + StatusText(st));
        stopped = true;
      }

      // Now and then the owner itself completes up to a recent frame, and checks the promise.
      if (!stopped && r.Chance(0.02)) {
        const int upto = std::max(0, i - r.Int(0, 10));
        me.Doing("CompleteFrames(T) by owner");
        st = s.CompleteFrames(vtctest::FramePts(upto));
        c->Note("owner CompleteFrames(" + vtctest::FramePts(upto).ToString() +
                ") = " + StatusText(st));
        Progress();
        if (st == Status::kNoErr) {
          for (int j = 0; j <= upto; ++j)
            if (c->accepted[size_t(j)] && c->answered[j].load() == 0)
              Failure(who + "CompleteFrames(" + std::to_string(upto) + ") returned before frame " +
                      std::to_string(j) + " was answered");
        } else if (!(st == Status::kInvalidSessionErr && c->invalidating.load())) {
          Failure(who + "CompleteFrames by owner: " + StatusText(st));
        }
      }
    }

    // End of this session: drain, invalidate, or just let go of it (destruction invalidates).
    const int ending = r.Int(0, 2);
    if (ending == 0) {
      me.Doing("CompleteFrames(all) by owner");
      st = s.CompleteFrames(vtc::Time::Invalid());
      c->Note("owner CompleteFrames(all) = " + StatusText(st));
      g_stats->drained.fetch_add(1);
      if (st == Status::kNoErr) {
        if (c->answered_count.load() != std::count(c->accepted.begin(), c->accepted.end(), 1))
          Failure(who + "CompleteFrames(all) returned with frames unanswered");
      } else if (!(st == Status::kInvalidSessionErr && c->invalidating.load())) {
        Failure(who + "final CompleteFrames: " + StatusText(st));
      }
    }
    if (ending <= 1) {
      me.Doing("Invalidate by owner");
      c->Note("owner Invalidate");
      c->invalidating.store(true);
      s.Invalidate();
      c->invalidated.store(true);
      g_stats->invalidated_by_owner.fetch_add(1);
      if (c->answered_count.load() != std::count(c->accepted.begin(), c->accepted.end(), 1))
        Failure(who + "Invalidate returned with frames unanswered");
      Value v;
      if ((st = s.CopyProperty(key::kAverageBitRate, &v)) != Status::kInvalidSessionErr)
        Failure(who + "CopyProperty after Invalidate: " + StatusText(st));
      if (s.GetPixelBufferPool()) Failure(who + "GetPixelBufferPool after Invalidate not null");
    } else {
      g_stats->dropped_refs.fetch_add(1);
    }
    me.Doing("releasing the session");
    round->table.Set(slot, nullptr);
    holder.reset();  // the destructor runs here unless a chaos thread or a callback holds it
  }
  round->encoders_running.fetch_sub(1);
}

void ChaosThread(Round* round, int index, std::uint64_t seed, stress::Watchdog* dog) {
  stress::Watchdog::Thread me(*dog, "chaos-" + std::to_string(index));
  Rng r(seed);
  while (round->encoders_running.load() > 0) {
    std::shared_ptr<SessionHolder> h = round->table.Get(r.Int(0, kEncoderThreads - 1));
    if (!h) {
      me.Doing("sleeping");
      std::this_thread::sleep_for(200us);
      continue;
    }
    SessionCtx* c = h->ctx;
    vtc::CompressionSession& s = *h->session;
    const std::string who = "session " + std::to_string(c->id) + " (chaos) ";
    const int op = r.Int(0, 999);
    Status st;
    if (op < 450) {
      auto [k, v] = RandomLiveProperty(r);
      me.Doing("SetProperty (live key)");
      st = s.SetProperty(k, v);
      c->Note(std::string("chaos SetProperty ") + k + " " + v.ToString() + " = " + StatusText(st));
      g_stats->live_sets.fetch_add(1);
      if (!Allowed(st, c->invalidating.load(), {Status::kNoErr}))
        Failure(who + "SetProperty(" + k + ", " + v.ToString() + "): " + StatusText(st));
    } else if (op < 600) {
      auto [k, v] = RandomNonLiveProperty(r);
      const bool started = c->started.load();
      me.Doing("SetProperty (non-live key)");
      st = s.SetProperty(k, v);
      c->Note(std::string("chaos SetProperty ") + k + " " + v.ToString() + " = " + StatusText(st));
      g_stats->nonlive_sets.fetch_add(1);
      if (st == Status::kPropertyReadOnlyErr) g_stats->nonlive_readonly.fetch_add(1);
      const bool ok = started ? Allowed(st, c->invalidating.load(), {Status::kPropertyReadOnlyErr})
                              : Allowed(st, c->invalidating.load(),
                                        {Status::kNoErr, Status::kPropertyReadOnlyErr});
      if (!ok)
        Failure(who + "SetProperty(" + k + ") " + (started ? "after" : "before") +
                " the first frame: " + StatusText(st));
    } else if (op < 650) {
      vtc::Dictionary d;
      for (int n = r.Int(1, 3); n > 0; --n) {
        auto [k, v] = RandomLiveProperty(r);
        d[k] = v;
      }
      me.Doing("SetProperties (live keys)");
      st = s.SetProperties(d);
      c->Note("chaos SetProperties " + Value(d).ToString() + " = " + StatusText(st));
      g_stats->set_properties.fetch_add(1);
      if (!Allowed(st, c->invalidating.load(), {Status::kNoErr}))
        Failure(who + "SetProperties: " + StatusText(st));
    } else if (op < 850) {
      const char* k = RandomCopyKey(r);
      Value v;
      me.Doing("CopyProperty");
      st = s.CopyProperty(k, &v);
      g_stats->copies.fetch_add(1);
      if (!Allowed(st, c->invalidating.load(), {Status::kNoErr}))
        Failure(who + "CopyProperty(" + k + "): " + StatusText(st));
      if (st == Status::kNoErr && std::strcmp(k, key::kNumberOfPendingFrames) == 0) {
        std::int64_t n = -1;
        if (!v.GetInt(&n) || n < 0 || n > c->capacity)
          Failure(who + "NumberOfPendingFrames = " + v.ToString());
      }
    } else if (op < 870) {
      vtc::Dictionary d;
      me.Doing("CopySupportedPropertyDictionary");
      st = s.CopySupportedPropertyDictionary(&d);
      if (!Allowed(st, c->invalidating.load(), {Status::kNoErr}) ||
          (st == Status::kNoErr && d.empty()))
        Failure(who + "CopySupportedPropertyDictionary: " + StatusText(st));
    } else if (op < 995) {
      const vtc::Time t =
          r.Chance(0.3) ? vtc::Time::Invalid() : vtctest::FramePts(r.Int(0, c->capacity));
      me.Doing("CompleteFrames (chaos)");
      st = s.CompleteFrames(t);
      c->Note("chaos CompleteFrames(" + t.ToString() + ") = " + StatusText(st));
      g_stats->completes.fetch_add(1);
      if (!Allowed(st, c->invalidating.load(), {Status::kNoErr}))
        Failure(who + "CompleteFrames(" + t.ToString() + "): " + StatusText(st));
    } else {
      me.Doing("Invalidate (chaos)");
      c->Note("chaos Invalidate");
      c->invalidating.store(true);
      s.Invalidate();
      c->invalidated.store(true);
      g_stats->invalidated_by_chaos.fetch_add(1);
      if ((st = s.SetProperty(key::kQuality, 0.5)) != Status::kInvalidSessionErr)
        Failure(who + "SetProperty after Invalidate: " + StatusText(st));
    }
    if (st == Status::kInvalidSessionErr) g_stats->invalid_session.fetch_add(1);
    Progress();
    me.Doing("releasing its reference");
    h.reset();  // may be the last reference: the session is destroyed here
    me.Doing("sleeping");
    std::this_thread::sleep_for(std::chrono::microseconds(r.Int(0, 1500)));
  }
}

int CountThreads() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
  }
  return n;
}

// Waits until `deadline` for pred; true if it held.
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::steady_clock::time_point deadline) {
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

void RunRound(int round_index, int frames_per_thread, std::uint64_t seed, stress::Watchdog* dog,
              int baseline_threads) {
  Stats stats;
  g_stats = &stats;
  Round round;
  std::vector<std::thread> threads;
  std::seed_seq seq{seed, std::uint64_t(round_index)};
  std::vector<std::uint64_t> seeds(kEncoderThreads + kChaosThreads);
  {
    std::vector<std::uint32_t> raw(seeds.size() * 2);
    seq.generate(raw.begin(), raw.end());
    for (size_t i = 0; i < seeds.size(); ++i)
      seeds[i] = (std::uint64_t(raw[2 * i]) << 32) | raw[2 * i + 1];
  }
  for (int i = 0; i < kEncoderThreads; ++i)
    threads.emplace_back(EncoderThread, &round, i, frames_per_thread, seeds[size_t(i)], dog);
  for (int i = 0; i < kChaosThreads; ++i)
    threads.emplace_back(ChaosThread, &round, i, seeds[size_t(kEncoderThreads + i)], dog);
  for (auto& t : threads) t.join();

  // Releases that may lag behind (a worker finishing after its last callback) get 10 s in all.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  // Every session is gone now (its last holder was one of the joined threads, or a callback on
  // a worker that has returned from it by the time the destructor finished).
  for (auto& c : round.contexts) {
    const std::string who =
        "round " + std::to_string(round_index) + " session " + std::to_string(c->id) + " ";
    if (!WaitFor([&] { return c->weak.expired(); }, deadline))
      Failure(who + "still alive after every holder let go");
    int accepted = 0;
    for (int i = 0; i < c->capacity; ++i) {
      const int answered = c->answered[i].load();
      if (c->accepted[size_t(i)]) {
        ++accepted;
        if (answered != 1)
          Failure(who + "accepted frame " + std::to_string(i) + " answered " +
                  std::to_string(answered) + " times" + c->History());
      } else if (answered != 0) {
        Failure(who + "frame " + std::to_string(i) + " not accepted but answered");
      }
    }
    if (c->in_callback.load() != 0) Failure(who + "a callback is still running");
    if (c->pool && !WaitFor([&] { return c->pool->outstanding_count() == 0; }, deadline))
      Failure(who + std::to_string(c->pool->outstanding_count()) + " pool buffers never returned");
    c->pool.reset();
  }
  if (!WaitFor([&] { return round.wrapped_released.load() == round.wrapped_made.load(); },
               deadline))
    Failure("round " + std::to_string(round_index) + ": " +
            std::to_string(round.wrapped_made.load() - round.wrapped_released.load()) + " of " +
            std::to_string(round.wrapped_made.load()) + " wrapped buffers never released");
  if (baseline_threads > 0 &&
      !WaitFor([&] { return CountThreads() <= baseline_threads; }, deadline))
    Failure("round " + std::to_string(round_index) + ": " +
            std::to_string(CountThreads() - baseline_threads) +
            " threads left over (session workers or x264 threads not joined)");
  stats.Print(round_index);
  stress::TrimHeap();
  std::printf("round %d: RSS %.1f MB, heap in use %.2f MB, threads %d\n", round_index,
              double(stress::ResidentBytes()) / 1e6, double(stress::HeapInUseBytes()) / 1e6,
              CountThreads());
  g_stats = nullptr;
}

TEST(SessionStress, EightSessionsWithChaos) {
  const std::uint64_t seed = stress::Seed();
  const int rounds = int(stress::EnvInt("VTC_STRESS_ROUNDS", 5));
  const int frames = int(stress::EnvInt("VTC_STRESS_FRAMES", 300));
  std::printf("seed %" PRIu64 " (VTC_STRESS_SEED=%" PRIu64
              " repeats it); 1 warm-up round + %d rounds of %d frames x %d threads\n",
              seed, seed, rounds, frames, kEncoderThreads);
  stress::Watchdog dog(60s);
  stress::Watchdog::Thread me(dog, "main");
  const int baseline_threads = CountThreads();

  const auto t0 = std::chrono::steady_clock::now();
  me.Waiting("warm-up round");
  RunRound(0, frames, seed, &dog, baseline_threads);
  stress::TrimHeap();
  const std::uint64_t rss_before = stress::ResidentBytes();
  const std::uint64_t heap_before = stress::HeapInUseBytes();
  for (int i = 1; i <= rounds; ++i) {
    me.Waiting("round");
    RunRound(i, frames, seed, &dog, baseline_threads);
  }
  stress::TrimHeap();
  const std::uint64_t rss_after = stress::ResidentBytes();
  const std::uint64_t heap_after = stress::HeapInUseBytes();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "after warm-up: RSS %.1f MB, heap in use %.2f MB; after %d more rounds: RSS %.1f MB "
      "(%+.1f MB), heap in use %.2f MB (%+.2f MB); %.1f s\n",
      double(rss_before) / 1e6, double(heap_before) / 1e6, rounds, double(rss_after) / 1e6,
      (double(rss_after) - double(rss_before)) / 1e6, double(heap_after) / 1e6,
      (double(heap_after) - double(heap_before)) / 1e6, secs);

  // Memory flat. After the warm-up round the allocator's arenas, x264's one-time tables and the
  // thread-stack cache have reached their steady size, so further rounds must add nothing.
  // - RSS (/proc/self/statm), bound 20 MB: generous because RSS also counts what glibc keeps after
  //   free (per-thread arenas, fragmentation malloc_trim cannot return, cached thread stacks).
  //   meson runs this test with GLIBC_TUNABLES=glibc.pthread.stack_cache_size=0:
  //   glibc.malloc.arena_max=2, which brings that noise from +-15 MB down to +-2 MB; without it
  //   the bound can still be hit by noise alone. A real leak is far larger: one round submits
  //   2400 frames, and leaking the pixel buffers alone (7-23 KB each) or one x264 instance per
  //   session (MBs each, 20-30 sessions a round) passes 20 MB within the measured rounds.
  // - Heap in use (mallinfo2), bound 2 MB: the allocator's own count of live bytes, free of that
  //   noise (it stays at ~0.4 MB between rounds), so it also catches smaller leaks such as
  //   output samples (hundreds of bytes each, thousands a round).
  if (stress::UnderSanitizer()) {
    std::printf("sanitizer build: memory bounds not checked (LeakSanitizer checks leaks)\n");
  } else {
    if (rss_before && rss_after) {
      EXPECT_LT(double(rss_after) - double(rss_before), 20e6)
          << "RSS grew from " << rss_before << " to " << rss_after << " bytes";
    }
    if (heap_before && heap_after) {
      EXPECT_LT(double(heap_after) - double(heap_before), 2e6)
          << "heap in use grew from " << heap_before << " to " << heap_after << " bytes";
    }
  }
  EXPECT_EQ(g_failures.load(), 0);
}

// Found by EightSessionsWithChaos, reduced: contract 6 (DTS non-decreasing and <= PTS) breaks when
// a full drain follows a segment that ended with DTS == PTS (here two frames, which x264 codes
// without reordering; an all-intra stretch does the same) and B-frames follow. x264's DTS for the
// new segment start below the last one; the session lifts them to last + 1, and a B-frame whose
// PTS is below the lifted DTS is then clamped down to its PTS: 0 1 2 3 4 | 3 ...
TEST(SessionStressRegression, DtsAfterDrainOfTwoFrameSegment) {
  vtctest::Collector collector;
  auto session = vtctest::MakeSession(64, 48, kI420, &collector);
  ASSERT_TRUE(session);
  for (int i = 0; i < 30; ++i) {
    if (i == 2) ASSERT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    auto buf = vtctest::MakePoolBuffer(*session, vtctest::MakeMovingPicture(64, 48, i));
    ASSERT_EQ(session->EncodeFrame(buf, vtctest::FramePts(i), vtctest::FrameDuration(), nullptr,
                                   vtctest::RefconFor(i), nullptr),
              Status::kNoErr);
  }
  ASSERT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  const auto samples = collector.samples();
  ASSERT_EQ(samples.size(), 30u);
  std::string order;
  for (const auto& smp : samples)
    order += " (" + smp->presentation_time_stamp().ToString() + ", " +
             smp->decode_time_stamp().ToString() + ")";
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_TRUE(samples[i]->decode_time_stamp() <= samples[i]->presentation_time_stamp())
        << "sample " << i << "; (PTS, DTS) in decode order:" << order;
    if (i > 0)
      EXPECT_TRUE(samples[i]->decode_time_stamp() >= samples[i - 1]->decode_time_stamp())
          << "DTS of sample " << i
          << " below the previous one; (PTS, DTS) in decode order:" << order;
  }
}

}  // namespace
