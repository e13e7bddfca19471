// SPDX-License-Identifier: GPL-2.0-or-later
// The session: validation on the caller's thread, a queue, and one worker thread that owns the
// encoder backend and calls the output callbacks.
//
// LOCKS (one family, std::mutex; order from outer to inner):
//   1. SessionImpl::mu_      queue, pending frames, properties, state. Never held while x264
//                            runs or a callback runs.
//   2. MultiPassStorage::mu_ leaf (its state and record file), taken by BeginPass/EndPass.
//   3. Logger::mu_           leaf (handler pointer only).
//   4. PixelBufferPool::Shared::mu   leaf (free list), taken when a buffer is released.
// The worker owns `encoder_` and `in_encoder_` without a lock: no other thread touches them.
#include "vtcompress/compression_session.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <thread>

#include "backend.h"
#include "encoder.h"
#include "log_internal.h"
#include "pixel_format.h"
#include "pixel_transfer.h"
#include "properties.h"
#include "roi.h"
#include "sei.h"
#include "speed_governor.h"
#include "vtcompress/multipass_storage.h"

namespace vtc {

namespace {

constexpr int kMaxDimension = 16384;

// Largest PTS magnitude, in ticks of the session's timescale, the session takes: x264 and the
// keyframe arithmetic add durations and delays to it, which must not overflow int64.
constexpr std::int64_t kMaxTicks = std::int64_t(1) << 61;

// A frame accepted by EncodeFrame, owned by the queue and then by the worker.
struct FrameJob {
  std::uint64_t seq = 0;
  PixelBufferRef buffer;
  Time pts, duration;
  std::int64_t pts_ticks = 0;  // pts in the session timescale
  bool force_keyframe = false;
  bool force_intra_refresh = false;       // ForceIntraRefresh
  std::vector<SeiPayload> sei;            // SEIPayloads, written into this frame's access unit
  std::vector<RegionOfInterest> regions;  // RegionsOfInterest
  void* refcon = nullptr;
  bool skip = false;      // multi-pass: outside the storage's time range, answered as dropped
  OutputHandler handler;  // set for the handler form
  std::shared_ptr<const EncoderConfig> config;
};

struct Job {
  enum class Kind { kFrame, kDrain, kPrepare, kBeginPass, kEndPass } kind = Kind::kFrame;
  FrameJob frame;
  std::uint64_t ticket = 0;         // all but kFrame: completion ticket
  PassMode pass = PassMode::kNone;  // kBeginPass: the pass's x264 role and statistics file
  std::string stats_path;
};

// Messages formatted while mu_ is held and written after it is released (declare it before the
// lock), so a log handler never runs under the session's lock.
class DeferredLog {
 public:
  explicit DeferredLog(const Logger& logger) : logger_(logger) {}
  ~DeferredLog() {
    for (const auto& [level, text] : lines_) logger_.Write(level, text.c_str());
  }
  void Add(LogLevel level, const char* format, ...) __attribute__((format(printf, 3, 4))) {
    char buf[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    lines_.emplace_back(level, buf);
  }

 private:
  const Logger& logger_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

// The timescale PrepareToEncodeFrames opens x264 with when no frame has set one.
constexpr std::int32_t kGuessedTimescale = 1000000000;

// `t` in `timescale` units, rounded toward minus infinity; false if that is beyond kMaxTicks.
bool FloorToTimescale(const Time& t, std::int32_t timescale, Time* out) {
  const __int128 num = static_cast<__int128>(t.value) * timescale;
  __int128 q = num / t.timescale;
  if (num % t.timescale != 0 && num < 0) --q;
  if (q > kMaxTicks || q < -kMaxTicks) return false;
  *out = Time::Make(static_cast<std::int64_t>(q), timescale);
  return true;
}

bool GetBoolKey(const Dictionary* d, const char* k, bool def, bool* ok) {
  if (!d) return def;
  auto it = d->find(k);
  if (it == d->end() || it->second.IsNull()) return def;
  bool v = def;
  if (!it->second.GetBool(&v)) *ok = false;
  return v;
}

}  // namespace

class SessionImpl {
 public:
  SessionImpl(const Backend& backend, int width, int height, OutputCallback callback, void* refcon,
              bool low_latency_rate_control)
      : table_(PropertyTable::For(backend)),
        width_(width),
        height_(height),
        callback_(callback),
        callback_refcon_(refcon),
        low_latency_rc_(low_latency_rate_control) {
    config_ = std::make_shared<const EncoderConfig>(table_.Resolve(values_, low_latency_rc_));
    encoder_ = backend.create(&logger_);  // null only without memory: Init refuses then
  }

  ~SessionImpl() {
    if (worker_.joinable()) Invalidate();
  }

  bool OnWorkerThread() const { return OnWorker(); }

  // The last reference was dropped inside an output callback: the worker cannot join itself, so
  // it finishes invalidation after the callback returns and then deletes the session.
  static void DestroyFromWorker(std::unique_ptr<SessionImpl> self) {
    SessionImpl* impl = self.get();
    std::lock_guard<std::mutex> lock(impl->mu_);
    impl->state_ = State::kInvalidating;
    impl->self_owner_ = std::move(self);
    impl->worker_.detach();
    impl->cv_.notify_all();
  }

  Status Init(const Dictionary* source_attributes) {
    if (!encoder_) return Status::kAllocationFailedErr;
    Dictionary attrs = source_attributes ? *source_attributes : Dictionary{};
    if (!attrs.count(key::kWidth)) attrs[key::kWidth] = Value(width_);
    if (!attrs.count(key::kHeight)) attrs[key::kHeight] = Value(height_);
    // Odd sizes are coded at the next even size: give the pool's buffers room for the
    // repeated edge so it is written in place.
    for (auto [k, odd] : {std::pair{key::kExtendedPixelsRight, width_ & 1},
                          std::pair{key::kExtendedPixelsBottom, height_ & 1}}) {
      std::int64_t e = 0;
      auto it = attrs.find(k);
      if (it != attrs.end() && !it->second.GetInt(&e)) return Status::kParameterErr;
      if (e < odd) attrs[k] = Value(odd);
    }
    Status st = PixelBufferPool::Create(attrs, &pool_);
    if (st != Status::kNoErr) {
      logger_.Logf(LogLevel::kError, "source image buffer attributes rejected: %s", StatusName(st));
      return st;
    }
    stream_format_ = pool_->pixel_format();
    pool_shared_ = pool_->width() == width_ && pool_->height() == height_;
    worker_ = std::thread([this] { WorkerMain(); });
    worker_id_ = worker_.get_id();  // before Create returns: callers read it without the lock
    return Status::kNoErr;
  }

  Logger& logger() { return logger_; }

  // --- Caller-side verbs -----------------------------------------------------------------------

  Status EncodeFrame(const PixelBufferRef& buffer, Time pts, Time duration,
                     const Dictionary* options, void* refcon, OutputHandler handler,
                     bool handler_form, EncodeInfoFlags* info_out) {
    if (info_out) *info_out = 0;
    if (Invalid()) return Status::kInvalidSessionErr;  // before any argument check (contract 5)
    if (OnWorker()) {
      logger_.Logf(LogLevel::kError, "EncodeFrame called from inside an output callback");
      return Status::kParameterErr;
    }
    if (handler_form ? (callback_ != nullptr || !handler) : callback_ == nullptr) {
      logger_.Logf(LogLevel::kError,
                   handler_form ? "EncodeFrameWithOutputHandler needs a session created without "
                                  "an output callback, and a handler"
                                : "EncodeFrame needs a session created with an output callback");
      return Status::kParameterErr;
    }
    if (!buffer) return Fail(Status::kParameterErr, "EncodeFrame: no pixel buffer");
    // Any format of the table, at any size: the worker converts and scales what the encoder
    // cannot take (pixel_transfer.h).
    if (!FindPixelFormat(buffer->pixel_format()))
      return Fail(Status::kPixelTransferNotSupportedErr, "EncodeFrame: pixel format %s",
                  PixelFormatName(buffer->pixel_format()).c_str());
    if (!pts.IsNumeric())
      return Fail(Status::kParameterErr, "EncodeFrame: the presentation time is not numeric");
    if (duration.IsValid() && (!duration.IsNumeric() || duration.value < 0))
      return Fail(Status::kParameterErr, "EncodeFrame: bad duration %s",
                  duration.ToString().c_str());
    bool options_ok = true;
    const bool force_key = GetBoolKey(options, key::kForceKeyFrame, false, &options_ok);
    if (!options_ok) return Fail(Status::kParameterErr, "ForceKeyFrame must be a boolean");
    const bool force_refresh = GetBoolKey(options, key::kForceIntraRefresh, false, &options_ok);
    if (!options_ok) return Fail(Status::kParameterErr, "ForceIntraRefresh must be a boolean");
    std::vector<SeiPayload> sei;
    std::vector<RegionOfInterest> regions;
    if (options) {
      std::string why;
      auto it = options->find(key::kSEIPayloads);
      if (it != options->end() && !ParseSeiPayloads(it->second, &sei, &why))
        return Fail(Status::kParameterErr, "EncodeFrame: %s", why.c_str());
      if (const int cut = MergeA53Captions(&sei))
        logger_.Logf(LogLevel::kWarning,
                     "EncodeFrame: %d caption triplets over the 31 one picture carries left out",
                     cut);
      it = options->find(key::kRegionsOfInterest);
      if (it != options->end() &&
          !ParseRegionsOfInterest(it->second, width_, height_, &regions, &why))
        return Fail(Status::kParameterErr, "EncodeFrame: %s", why.c_str());
    }

    DeferredLog log(logger_);
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    if (last_pts_.IsValid() && pts <= last_pts_) {
      log.Add(LogLevel::kError,
              "EncodeFrame: presentation time %s is not after the previous one %s",
              pts.ToString().c_str(), last_pts_.ToString().c_str());
      return Status::kParameterErr;
    }
    // The first accepted frame's timescale becomes the session's (and x264's timebase).
    const std::int32_t timescale = timescale_ ? timescale_ : pts.timescale;
    // Rounded down, so a DTS derived from it can never land after the exact PTS.
    Time scaled;
    if (!FloorToTimescale(pts, timescale, &scaled)) {
      log.Add(LogLevel::kError,
              "EncodeFrame: presentation time %s is too far from zero for the session's "
              "timescale %d",
              pts.ToString().c_str(), timescale);
      return Status::kParameterErr;
    }
    if (last_pts_.IsValid() && scaled.value <= last_pts_ticks_) {
      log.Add(LogLevel::kError,
              "EncodeFrame: presentation time %s is too close to the previous one for the "
              "session's timescale %d",
              pts.ToString().c_str(), timescale);
      return Status::kParameterErr;
    }
    if (!started_) {
      // The first frame fixes the configuration's non-mutable keys: check them now so a bad
      // combination is this call's error rather than a callback's.
      timescale_ = timescale;
      stream_format_ = buffer->pixel_format();  // '420f' buffers mean full-range video
      std::string why;
      Status st = encoder_->Validate(*config_, StreamFor(duration), &why);
      if (st != Status::kNoErr) {
        timescale_ = 0;
        log.Add(LogLevel::kError, "%s", why.c_str());
        return st;
      }
      started_ = true;
    }
    bool skip = false;
    if (in_pass_) {
      if (Status st = AdmitPassFrame(pts, duration, scaled.value, &skip, &log);
          st != Status::kNoErr)
        return st;
    }
    // Bounded queue: wait for the worker to take frames.
    cv_.wait(lock, [&] {
      return queued_frames_ < CompressionSession::kMaxQueuedFrames || state_ != State::kActive;
    });
    if (state_ != State::kActive) return Status::kInvalidSessionErr;

    Job job;
    FrameJob& f = job.frame;
    f.seq = seq_++;
    f.buffer = buffer;
    f.pts = pts;
    f.duration = duration;
    f.pts_ticks = scaled.value;
    f.force_keyframe = force_key;
    f.force_intra_refresh = force_refresh;
    f.sei = std::move(sei);
    f.regions = std::move(regions);
    f.refcon = refcon;
    f.skip = skip;
    f.handler = std::move(handler);
    f.config = config_;
    last_pts_ = pts;
    last_pts_ticks_ = scaled.value;
    if (!first_duration_.IsValid() && duration.IsNumeric() && duration.value > 0)
      first_duration_ = duration;
    pending_[f.seq] = pts;
    const std::uint64_t seq = f.seq;
    queue_.push_back(std::move(job));
    ++queued_frames_;
    cv_.notify_all();
    if (info_out) *info_out = kEncodeInfo_Asynchronous;

    // MaxFrameDelayCount M: frame seq - M must have been answered before we return. When the
    // open encoder holds fewer frames, D (EncoderFrameDelay, which an element reports as its
    // latency), frame seq - D is waited for too, unless the worker has nothing left to do (an
    // encoder holding more than it said must not hang the caller). D is published by the worker
    // when it opens the encoder, maybe while this waits: the predicate reads it on each wake-up.
    const int m = config_->max_frame_delay_count;
    if (m >= 0) {
      auto answered = [&](int back) {
        return seq < std::uint64_t(back) || !pending_.count(seq - std::uint64_t(back));
      };
      cv_.wait(lock, [&] {
        if (state_ != State::kActive) return true;
        if (!answered(m)) return false;
        const int d = encoder_frame_delay_ >= 0 ? std::min(m, encoder_frame_delay_) : m;
        return answered(d) || (worker_idle_ && queue_.empty());
      });
      if (info_out && !pending_.count(seq)) *info_out = 0;  // answered synchronously
    }
    return Status::kNoErr;
  }

  Status CompleteFrames(Time until) {
    if (Invalid()) return Status::kInvalidSessionErr;
    if (OnWorker()) {
      logger_.Logf(LogLevel::kError, "CompleteFrames called from inside an output callback");
      return Status::kParameterErr;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    bool needed = false;
    for (const auto& [seq, pts] : pending_)
      if (!until.IsNumeric() || pts <= until) needed = true;
    if (!needed) return Status::kNoErr;
    if (in_pass_) pass_drained_ = true;  // x264 cannot take more frames of this pass
    return RunTicketJob(lock, Job::Kind::kDrain);
  }

  Status Prepare() {
    if (Invalid()) return Status::kInvalidSessionErr;
    if (OnWorker()) return Status::kParameterErr;
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    return RunTicketJob(lock, Job::Kind::kPrepare);
  }

  void Invalidate() {
    std::unique_lock<std::mutex> lock(mu_);
    if (OnWorker()) {
      // From inside an output callback: the session is invalid from now on (every later call
      // returns kInvalidSessionErr). The worker cannot join itself: it answers the rest as
      // dropped and ends as soon as this callback returns; whoever calls Invalidate next (or
      // the destructor) joins it.
      if (state_ == State::kActive) {
        state_ = State::kInvalidating;
        cv_.notify_all();
      }
      return;
    }
    if (state_ == State::kActive) {
      state_ = State::kInvalidating;
      cv_.notify_all();
    }
    if (joining_) {  // another thread joins the worker: wait for it to finish
      cv_.wait(lock, [&] { return state_ == State::kInvalidated; });
      return;
    }
    joining_ = true;
    lock.unlock();
    if (worker_.joinable()) worker_.join();
    lock.lock();
    state_ = State::kInvalidated;
    pool_.reset();
    cv_.notify_all();
  }

  PixelBufferPoolRef GetPool() {
    std::lock_guard<std::mutex> lock(mu_);
    return state_ == State::kActive ? pool_ : nullptr;
  }

  Status SetProperty(const std::string& k, const Value& value) {
    DeferredLog log(logger_);
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    return SetPropertyLocked(k, value, &log);
  }

  Status SetProperties(const Dictionary& props) {
    DeferredLog log(logger_);
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    for (const auto& [k, v] : props)
      if (Status st = SetPropertyLocked(k, v, &log); st != Status::kNoErr) return st;
    return Status::kNoErr;
  }

  Status CopyProperty(const std::string& k, Value* out) {
    if (Invalid()) return Status::kInvalidSessionErr;
    if (!out) return Status::kParameterErr;
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    const PropertyDescriptor* d = table_.Find(k);
    if (!d) return Status::kPropertyNotSupportedErr;
    if (k == key::kNumberOfPendingFrames) {
      *out = Value(std::int64_t(pending_.size()));
    } else if (k == key::kEncoderFrameDelay) {
      *out = Value(encoder_frame_delay_);
    } else if (k == key::kEncoderReorderDepth) {
      *out = Value(encoder_reorder_depth_);
    } else if (k == key::kRealTimeSpeedLevel) {
      *out = Value(realtime_.level);
    } else if (k == key::kRealTimeEncodeTime) {
      *out = Value(realtime_.encode_seconds);
    } else if (k == key::kRealTimeCPUTime) {
      *out = Value(realtime_.cpu_seconds);
    } else if (k == key::kRealTimeFramesDropped) {
      *out = Value(std::int64_t(realtime_.dropped));
    } else if (k == key::kPixelBufferPoolIsShared) {
      // Shared when the pool's buffers reach the encoder as they are: same size, and a format
      // the encoder takes with the coded sampling (else the pixel transfer converts each frame).
      *out = Value(pool_shared_ &&
                   EncoderInputFormat(pool_->pixel_format(), *config_) == pool_->pixel_format());
    } else if (k == key::kVideoEncoderPixelBufferAttributes) {
      // The encoder's own layouts first: x265 takes planar pictures only.
      Array formats = {Value(kPixelFormat_420YpCbCr8BiPlanarVideoRange),
                       Value(kPixelFormat_420YpCbCr8BiPlanarFullRange),
                       Value(kPixelFormat_420YpCbCr8Planar),
                       Value(kPixelFormat_420YpCbCr8PlanarFullRange)};
      if (config_->planar_input_only)
        std::rotate(formats.begin(), formats.begin() + 2, formats.end());
      *out = Value(Dictionary{{key::kPixelFormatType, Value(formats)},
                              {key::kWidth, Value(width_)},
                              {key::kHeight, Value(height_)},
                              {key::kBytesPerRowAlignment, Value(64)},
                              {key::kExtendedPixelsRight, Value(width_ & 1)},
                              {key::kExtendedPixelsBottom, Value(height_ & 1)}});
    } else if (auto it = values_.find(k); it != values_.end()) {
      *out = it->second;
    } else {
      *out = d->default_value;
    }
    return Status::kNoErr;
  }

  Status CopySupported(Dictionary* out) {
    if (Invalid()) return Status::kInvalidSessionErr;
    if (!out) return Status::kParameterErr;
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    *out = table_.SupportedPropertyDictionary();
    return Status::kNoErr;
  }

  // --- Multi-pass (see compression_session.h) --------------------------------------------------

  Status BeginPass(PassFlags flags) {
    if (Invalid()) return Status::kInvalidSessionErr;
    if (OnWorker()) return Status::kParameterErr;
    DeferredLog log(logger_);
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    std::shared_ptr<MultiPassStorage> storage;
    if (Status st = StorageLocked(&storage, "BeginPass", &log); st != Status::kNoErr) return st;
    if (in_pass_) {
      log.Add(LogLevel::kError, "BeginPass: a pass is running (call EndPass first)");
      return Status::kParameterErr;
    }
    if (flags & ~kCompressionSessionBeginFinalPass) {
      log.Add(LogLevel::kError, "BeginPass: unknown flags 0x%x", unsigned(flags));
      return Status::kParameterErr;
    }
    if (config_->average_bit_rate <= 0 || config_->constant_bit_rate > 0) {
      log.Add(LogLevel::kError,
              "BeginPass: multi-pass needs AverageBitRate (x264's two-pass is ABR) and no "
              "ConstantBitRate");
      return Status::kParameterErr;
    }
    FirstPassRecord record;
    PassMode mode = PassMode::kNone;
    if (storage->HasFirstPass(&record)) {
      if (record.width != width_ || record.height != height_ ||
          (timescale_ && record.timescale != timescale_)) {
        log.Add(LogLevel::kError,
                "BeginPass: the storage's first pass was %dx%d with timescale %d, this session "
                "is %dx%d",
                record.width, record.height, int(record.timescale), width_, height_);
        return Status::kMultiPassStorageIdentifierMismatchErr;
      }
      mode = PassMode::kFinal;
      expected_frames_ = record.frames;
      // The timestamps must be in the first pass's timescale, which is x264's timebase there.
      if (!timescale_) timescale_ = record.timescale;
    } else if (!(flags & kCompressionSessionBeginFinalPass)) {
      if (Status st = storage->ForgetFirstPass(); st != Status::kNoErr) return st;
      mode = PassMode::kFirst;
      expected_frames_ = 0;
    }
    Job job;
    job.pass = mode;
    job.stats_path = storage->path();
    if (Status st = RunTicketJob(lock, Job::Kind::kBeginPass, std::move(job)); st != Status::kNoErr)
      return st;
    in_pass_ = true;
    pass_storage_ = storage;  // the pass's statistics live there, whatever is set later
    pass_drained_ = false;
    pass_mode_ = mode;
    pass_frames_ = 0;
    pass_range_ = storage->time_range();
    last_pts_ = Time::Invalid();  // each pass's timestamps start again
    log.Add(LogLevel::kInfo, "multi-pass: %s pass begins",
            mode == PassMode::kFirst   ? "first (statistics-writing)"
            : mode == PassMode::kFinal ? "final (statistics-reading)"
                                       : "single");
    return Status::kNoErr;
  }

  Status EndPass(bool* further) {
    if (further) *further = false;
    if (Invalid()) return Status::kInvalidSessionErr;
    if (OnWorker()) return Status::kParameterErr;
    DeferredLog log(logger_);
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    if (!in_pass_) {
      std::shared_ptr<MultiPassStorage> storage;
      if (Status st = StorageLocked(&storage, "EndPass", &log); st != Status::kNoErr) return st;
      log.Add(LogLevel::kError, "EndPass: no pass is running (call BeginPass first)");
      return Status::kParameterErr;
    }
    // The pass ends (every frame answered, x264 closed) even if its storage was closed meanwhile;
    // only the record of a completed first pass needs the storage.
    std::shared_ptr<MultiPassStorage> storage = std::move(pass_storage_);
    Status st = RunTicketJob(lock, Job::Kind::kEndPass);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    in_pass_ = false;
    if (st == Status::kNoErr && (!storage || storage->IsClosed())) {
      log.Add(LogLevel::kError, "EndPass: the MultiPassStorage was closed during the pass");
      st = Status::kMultiPassStorageInvalidErr;
    }
    ended_pass_ = true;
    next_ranges_.clear();
    if (st == Status::kNoErr && pass_mode_ == PassMode::kFinal &&
        pass_frames_ != expected_frames_) {
      log.Add(LogLevel::kError, "EndPass: this pass had %lld frames, the first pass %lld",
              static_cast<long long>(pass_frames_), static_cast<long long>(expected_frames_));
      st = Status::kMultiPassStorageIdentifierMismatchErr;
    }
    if (st == Status::kNoErr && pass_mode_ == PassMode::kFirst) {
      if (pass_frames_ == 0) {
        log.Add(LogLevel::kWarning, "EndPass: the first pass had no frames; no further pass");
      } else {
        FirstPassRecord record;
        record.width = width_;
        record.height = height_;
        record.timescale = timescale_;
        record.frames = pass_frames_;
        record.span = TimeRange{Time::Make(pass_start_ticks_, timescale_),
                                Time::Make(pass_end_ticks_ - pass_start_ticks_, timescale_)};
        st = storage->RecordFirstPass(record);
        if (st == Status::kNoErr) {
          next_ranges_.push_back(record.span);
          if (further) *further = true;
        }
      }
    }
    return st;
  }

  Status GetTimeRangesForNextPass(std::vector<TimeRange>* out) {
    if (Invalid()) return Status::kInvalidSessionErr;
    if (!out) return Status::kParameterErr;
    DeferredLog log(logger_);
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kActive) return Status::kInvalidSessionErr;
    std::shared_ptr<MultiPassStorage> storage;
    if (Status st = StorageLocked(&storage, "GetTimeRangesForNextPass", &log); st != Status::kNoErr)
      return st;
    if (!ended_pass_) {
      log.Add(LogLevel::kError, "GetTimeRangesForNextPass: no pass has ended yet");
      return Status::kParameterErr;
    }
    *out = next_ranges_;
    return Status::kNoErr;
  }

 private:
  enum class State { kActive, kInvalidating, kInvalidated };

  bool OnWorker() const { return std::this_thread::get_id() == worker_id_; }
  bool Invalid() {
    std::lock_guard<std::mutex> lock(mu_);
    return state_ != State::kActive;
  }

  Status Fail(Status st, const char* format, ...) const __attribute__((format(printf, 3, 4))) {
    va_list args;
    va_start(args, format);
    logger_.Vlogf(LogLevel::kError, format, args);
    va_end(args);
    return st;
  }

  // The MultiPassStorage property, if it is set and open; else kMultiPassStorageInvalidErr.
  Status StorageLocked(std::shared_ptr<MultiPassStorage>* out, const char* verb,
                       DeferredLog* log) const {
    auto it = values_.find(key::kMultiPassStorage);
    if (it != values_.end() && it->second.IsObject())
      *out = std::const_pointer_cast<MultiPassStorage>(
          std::dynamic_pointer_cast<const MultiPassStorage>(it->second.AsObject()));
    if (!*out || (*out)->IsClosed()) {
      log->Add(LogLevel::kError, "%s: %s", verb,
               *out ? "the MultiPassStorage is closed" : "no MultiPassStorage is set");
      return Status::kMultiPassStorageInvalidErr;
    }
    return Status::kNoErr;
  }

  // EncodeFrame during a pass: counts the frame (or marks it to be skipped) and keeps the span.
  Status AdmitPassFrame(Time pts, Time duration, std::int64_t ticks, bool* skip, DeferredLog* log) {
    if (pass_drained_) {
      log->Add(LogLevel::kError,
               "EncodeFrame: CompleteFrames ended this pass's input; call EndPass first");
      return Status::kParameterErr;
    }
    if (pass_range_.IsValid() && !pass_range_.Contains(pts)) {
      *skip = true;
      return Status::kNoErr;
    }
    if (pass_mode_ == PassMode::kFinal && pass_frames_ >= expected_frames_) {
      log->Add(LogLevel::kError,
               "EncodeFrame: more frames than the first pass had (%lld); each pass must get "
               "the same frames",
               static_cast<long long>(expected_frames_));
      return Status::kMultiPassStorageIdentifierMismatchErr;
    }
    std::int64_t dur = 1;
    if (duration.IsNumeric() && duration.value > 0)
      dur = std::max<std::int64_t>(1, duration.ConvertScale(timescale_).value);
    if (pass_frames_++ == 0) pass_start_ticks_ = ticks;
    pass_end_ticks_ = ticks + dur;
    return Status::kNoErr;
  }

  StreamInfo StreamFor(Time duration) const {
    StreamInfo s;
    s.width = width_;
    s.height = height_;
    s.pixel_format = EncoderInputFormat(stream_format_, *config_);  // pixel_transfer.h
    s.source_format = stream_format_;
    // Before the first frame (PrepareToEncodeFrames) the timescale is a guess; a wrong one
    // costs a second x264 open at the first frame, which re-faults (and zeroes) all of x264's
    // memory (perf at 1080p veryfast: up to 3% of a 10 s encode on this project's VMs).
    // Nanoseconds are what GStreamer and CoreMedia's host clock use.
    s.timescale = timescale_ > 0 ? timescale_ : kGuessedTimescale;
    s.fps = config_->expected_frame_rate;
    if (s.fps <= 0 && duration.IsNumeric() && duration.value > 0) s.fps = 1.0 / duration.Seconds();
    if (s.fps <= 0 && first_duration_.IsNumeric()) s.fps = 1.0 / first_duration_.Seconds();
    // Implausible durations (x264 counts the rate in thousandths): rate unknown.
    if (!(s.fps >= 0.001 && s.fps <= 1000)) s.fps = 0;
    return s;
  }

  Status SetPropertyLocked(const std::string& k, const Value& value, DeferredLog* log) {
    const PropertyDescriptor* d = table_.Find(k);
    if (!d) {
      log->Add(LogLevel::kDebug, "property %s is not supported", k.c_str());
      return Status::kPropertyNotSupportedErr;
    }
    if (d->read_only) return Status::kPropertyReadOnlyErr;
    if (started_ && !d->changeable_between_frames) {
      log->Add(LogLevel::kWarning, "%s cannot change once frames have been encoded", k.c_str());
      return Status::kPropertyReadOnlyErr;
    }
    Value normalized;
    std::string why;
    Status st = ValidatePropertyValue(*d, value, &normalized, &why);
    Dictionary next = values_;
    if (st == Status::kNoErr) {
      if (normalized.IsNull())
        next.erase(k);
      else
        next[k] = normalized;
      st = table_.CheckCombination(next, &why);
    }
    auto config = std::make_shared<const EncoderConfig>(table_.Resolve(next, low_latency_rc_));
    // Anything that would need a new x264 instance mid-pass (a restart, or temporal
    // compression turned back on after an all-intra open) would cut its statistics short.
    if (st == Status::kNoErr && in_pass_ &&
        (config->average_bit_rate <= 0 || config->constant_bit_rate > 0 ||
         table_.ChangeFrom(*config_, *config) == EncoderConfig::Change::kRestart ||
         config->allow_temporal_compression != config_->allow_temporal_compression ||
         k == key::kMultiPassStorage)) {
      why = k +
            ": during a multi-pass pass the rate control must stay AverageBitRate, without a "
            "change that restarts x264";
      st = Status::kParameterErr;
    }
    // Once encoding, a live change must still fit the level the stream was opened with.
    if (st == Status::kNoErr && started_)
      st = encoder_->Validate(*config, StreamFor(Time::Invalid()), &why);
    if (st != Status::kNoErr) {
      log->Add(LogLevel::kError, "%s", why.c_str());
      return st;
    }
    values_ = std::move(next);
    config_ = std::move(config);
    return Status::kNoErr;
  }

  // Queues a drain or prepare job and waits for the worker to finish it.
  Status RunTicketJob(std::unique_lock<std::mutex>& lock, Job::Kind kind, Job job = {}) {
    job.kind = kind;
    job.ticket = ++tickets_issued_;
    job.frame.config = config_;
    const std::uint64_t ticket = job.ticket;
    queue_.push_back(std::move(job));
    cv_.notify_all();
    cv_.wait(lock, [&] { return tickets_done_ >= ticket || state_ != State::kActive; });
    if (tickets_done_ < ticket) return Status::kInvalidSessionErr;
    Status st = ticket_status_[ticket];
    ticket_status_.erase(ticket);
    return st;
  }

  // --- Worker ----------------------------------------------------------------------------------

  void WorkerMain() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (queue_.empty()) {
          worker_idle_ = true;  // every answer the jobs so far could give has been given
          cv_.notify_all();
        }
        cv_.wait(lock, [&] { return !queue_.empty() || state_ != State::kActive; });
        worker_idle_ = false;
        if (state_ != State::kActive) break;
        job = std::move(queue_.front());
        queue_.pop_front();
        if (job.kind == Job::Kind::kFrame) --queued_frames_;
        cv_.notify_all();
      }
      switch (job.kind) {
        case Job::Kind::kFrame:
          HandleFrame(std::move(job.frame));
          break;
        case Job::Kind::kDrain:
          FinishTicket(job.ticket, Drain());
          break;
        case Job::Kind::kPrepare:
          FinishTicket(job.ticket, EnsureOpen(job.frame.config, Time::Invalid()));
          break;
        case Job::Kind::kBeginPass:
          FinishTicket(job.ticket, StartPass(job.pass, std::move(job.stats_path)));
          break;
        case Job::Kind::kEndPass:
          FinishTicket(job.ticket, FinishPass());
          break;
      }
    }
    // Invalidating: every frame not yet answered is answered as dropped, then x264 goes.
    std::deque<Job> rest;
    {
      std::lock_guard<std::mutex> lock(mu_);
      rest.swap(queue_);
      queued_frames_ = 0;
    }
    for (auto& [seq, f] : in_encoder_) Answer(f, Status::kNoErr, kEncodeInfo_FrameDropped, {});
    in_encoder_.clear();
    if (!carried_sei_.empty())
      logger_.Logf(LogLevel::kWarning,
                   "%zu SEI messages of frames RealTime dropped at the end had no later frame to "
                   "go with",
                   carried_sei_.size());
    for (Job& j : rest)
      if (j.kind == Job::Kind::kFrame)
        Answer(j.frame, Status::kNoErr, kEncodeInfo_FrameDropped, {});
    encoder_->Close();
    std::unique_ptr<SessionImpl> self;
    {
      std::lock_guard<std::mutex> lock(mu_);
      self = std::move(self_owner_);
      if (self) state_ = State::kInvalidated;
    }
    // Set only by DestroyFromWorker: the session deletes itself; touch nothing after this.
    self.reset();
  }

  void FinishTicket(std::uint64_t ticket, Status st) {
    std::lock_guard<std::mutex> lock(mu_);
    ticket_status_[ticket] = st;
    tickets_done_ = ticket;
    cv_.notify_all();
  }

  // Multi-pass on the worker: a pass starts with no x264 instance (the next frame opens one in
  // the pass's role) and fresh keyframe and DTS state.
  Status StartPass(PassMode mode, std::string stats_path) {
    Drain();
    encoder_->Close();
    worker_pass_ = mode;
    stats_path_ = std::move(stats_path);
    pass_failed_ = false;
    frames_encoded_ = 0;
    frames_since_key_ = 0;
    applied_config_ = nullptr;
    have_dts_ = false;
    return Status::kNoErr;
  }

  // Answers every frame, and closes x264, which writes the first pass's statistics file.
  Status FinishPass() {
    Status st = Drain();
    encoder_->Close();
    worker_pass_ = PassMode::kNone;
    if (st == Status::kNoErr && pass_failed_) st = Status::kVideoEncoderMalfunctionErr;
    return st;
  }

  // Opens x264 if it is not open (or must be reopened after a drain).
  // `config` is the snapshot the job was queued with; a different snapshot means properties
  // changed since (snapshots are replaced, never modified).
  Status EnsureOpen(const std::shared_ptr<const EncoderConfig>& config, Time duration) {
    StreamInfo stream;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stream = StreamFor(duration);
    }
    stream.pass = worker_pass_;
    stream.stats_path = stats_path_;
    if (encoder_->IsOpen() && !encoder_->Exhausted()) {
      // Opened by PrepareToEncodeFrames before the timestamps were known, or before properties
      // that only apply at open (MaxFrameDelayCount, profile, ...) were set: nothing has been
      // encoded yet, so open again with what holds now.
      if (frames_encoded_ == 0 &&
          (encoder_->stream().timescale != stream.timescale ||
           encoder_->stream().fps != stream.fps || config != opened_config_ ||
           encoder_->stream().pixel_format != stream.pixel_format)) {
        encoder_->Close();
      } else {
        return Status::kNoErr;
      }
    }
    std::string why;
    Status st = encoder_->Open(*config, stream, &why);
    if (st != Status::kNoErr) {
      logger_.Logf(LogLevel::kError, "cannot open the encoder: %s", why.c_str());
      return st;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      encoder_frame_delay_ = encoder_->OutputLag();
      encoder_reorder_depth_ = encoder_->ReorderDepth();
    }
    applied_config_ = config;
    opened_config_ = config;
    if (governor_.active()) governor_.Resume();  // timestamps may restart; the first is an IDR
    opened_all_intra_ = !config->allow_temporal_compression;
    force_next_idr_ = true;
    return Status::kNoErr;
  }

  void HandleFrame(FrameJob f) {
    if (f.skip) {
      Answer(f, Status::kNoErr, kEncodeInfo_FrameDropped, {});
      return;
    }
    const EncoderConfig& config = *f.config;
    const bool restart =
        applied_config_ &&
        (table_.ChangeFrom(*applied_config_, config) == EncoderConfig::Change::kRestart ||
         (opened_all_intra_ && config.allow_temporal_compression) ||
         (encoder_->IsOpen() && encoder_->NeedsRestart(config)));
    if (worker_pass_ != PassMode::kNone && restart && encoder_->IsOpen()) {
      // Refused by SetProperty during a pass; should one get here, the pass is over.
      logger_.Logf(LogLevel::kError, "multi-pass: a change needs a new %s instance mid-pass",
                   table_.backend().encoder_name);
      pass_failed_ = true;
    }
    if (worker_pass_ != PassMode::kNone && pass_failed_ && !encoder_->IsOpen()) {
      // The pass failed (x264 refused to open or failed): a new x264 would start its
      // statistics over mid-stream (or fail to open again, leaking each time). Answer the rest
      // of the pass with the error; EndPass reports it.
      Answer(f, Status::kVideoEncoderMalfunctionErr, 0, {});
      return;
    }
    if (encoder_->IsOpen() && !encoder_->Exhausted() && restart) {
      // x264 cannot switch rate-control mode, VBV, NAL HRD or its keyint in a running encoder.
      logger_.Logf(LogLevel::kInfo, "configuration needs a new %s instance (drain + IDR)",
                   table_.backend().encoder_name);
      Drain();
      encoder_->Close();
      if (Invalid()) {
        // A callback of the drain invalidated the session: the worker's exit answers this frame
        // as dropped with the others, in submission order.
        in_encoder_.emplace(f.seq, std::move(f));
        return;
      }
    }
    Status st = EnsureOpen(f.config, f.duration);
    if (st != Status::kNoErr) {
      if (worker_pass_ != PassMode::kNone) pass_failed_ = true;
      Answer(f, st == Status::kParameterErr ? st : Status::kVideoEncoderMalfunctionErr, 0, {});
      return;
    }
    // RealTime: the governor picks the speed level, or drops the frame when even the fastest
    // level falls behind the timestamps' pace (never a frame that must be a key frame or that
    // asks for a refresh wave).
    // Not in multi-pass: both passes must see the same frames, and the speed of a pass that is
    // not played live means nothing.
    const bool governed = config.SpeedGoverned() && worker_pass_ == PassMode::kNone &&
                          !encoder_->SpeedLevelCosts().empty();
    if (governed && Govern(f) == SpeedGovernor::Action::kDrop) {
      // Its SEI (captions) go with the next frame encoded rather than being lost.
      carried_sei_.insert(carried_sei_.end(), std::make_move_iterator(f.sei.begin()),
                          std::make_move_iterator(f.sei.end()));
      Answer(f, Status::kNoErr, kEncodeInfo_FrameDropped, {});
      return;
    }
    if (!governed && governor_.active()) {
      governor_.Stop();
      PublishGovernor();
    }
    if (!carried_sei_.empty()) {
      f.sei.insert(f.sei.begin(), std::make_move_iterator(carried_sei_.begin()),
                   std::make_move_iterator(carried_sei_.end()));
      carried_sei_.clear();
      // One caption message a picture: the dropped frames' captions join this frame's.
      if (const int cut = MergeA53Captions(&f.sei))
        logger_.Logf(LogLevel::kWarning,
                     "frame at %.3f s: %d caption triplets of dropped frames did not fit",
                     f.pts.Seconds(), cut);
    }
    // Pixel transfer: a buffer the encoder cannot take as it is (layout, chroma format, depth,
    // size) is converted into the transfer's scratch picture, here on the worker.
    PixelBufferRef converted;
    const PixelFormatType input = encoder_->stream().pixel_format;
    if (!TakesDirectly(*f.buffer, input, width_, height_, config.planar_input_only)) {
      std::string why;
      st = transfer_.Transfer(*f.buffer, input, width_, height_, config.ycbcr_matrix, &converted,
                              &why);
      if (st != Status::kNoErr) {
        logger_.Logf(LogLevel::kError, "pixel transfer: %s", why.c_str());
        Answer(f, st, 0, {});
        return;
      }
      logger_.Logf(LogLevel::kDebug, "pixel transfer: frame at %.3f s, %s %dx%d -> %s %dx%d",
                   f.pts.Seconds(), PixelFormatName(f.buffer->pixel_format()).c_str(),
                   f.buffer->width(), f.buffer->height(), PixelFormatName(input).c_str(), width_,
                   height_);
    }
    InputFrame in;
    in.buffer = converted ? converted.get() : f.buffer.get();
    in.pts = f.pts_ticks;
    in.id = f.seq;
    in.speed_level = governed ? governor_.level() : -1;
    in.regions = f.regions.empty() ? nullptr : &f.regions;
    in.sei = encoder_->WritesSei() && !f.sei.empty() ? &f.sei : nullptr;
    // With intra refresh x264 places the periodic refreshes (waves) itself; without it a wave
    // asked for is a key frame.
    const bool waves = encoder_->IntraRefresh();
    const bool scheduled = DecideKeyframe(config, f, waves);  // always: it keeps its state current
    in.force_keyframe = f.force_keyframe || scheduled || (f.force_intra_refresh && !waves);
    in.force_intra_refresh = f.force_intra_refresh && waves && !in.force_keyframe;
    if (in.force_keyframe) {
      frames_since_key_ = 0;
      last_key_ticks_ = f.pts_ticks;
    }
    ++frames_since_key_;
    if (applied_config_ &&
        table_.ChangeFrom(*applied_config_, config) != EncoderConfig::Change::kNone)
      in.reconfigure = &config;
    applied_config_ = f.config;
    std::vector<EncodedFrame> out;
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = governed ? ProcessCpuSeconds() : 0;
    st = encoder_->Encode(&in, &out);
    if (governed) {
      const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
      if (encoder_->TakeReopened())
        governor_.OnRestarted(wall.count());  // a new instance: late frames count, not its pace
      else
        governor_.OnEncoded(wall.count(), ProcessCpuSeconds() - cpu_start);
      PublishGovernor();
      // One line a frame for traces (tests/bench/realtime_trace.py).
      logger_.Logf(LogLevel::kDebug,
                   "RealTime: frame %.3f s: level %d, %.2f ms (%.2f smoothed), lag %.1f ms",
                   f.pts.Seconds(), in.speed_level, wall.count() * 1000,
                   governor_.encode_seconds() * 1000, governor_.lag() * 1000);
    }
    // x264 has copied the planes into its own frame (or padded copies of them) by now.
    if (config.release_source_on_import) f.buffer.reset();
    const std::uint64_t seq = f.seq;
    in_encoder_.emplace(seq, std::move(f));
    ++frames_encoded_;
    Emit(out);
    if (st != Status::kNoErr) FailEncoder(st);
  }

  // Runs RealTime's governor for the frame f (speed_governor.h) and logs what it changes.
  SpeedGovernor::Action Govern(const FrameJob& f) {
    if (!governor_.active()) {
      double interval = f.duration.IsNumeric() && f.duration.value > 0 ? f.duration.Seconds() : 0;
      if (interval <= 0 && f.config->expected_frame_rate > 0)
        interval = 1.0 / f.config->expected_frame_rate;
      governor_.Reset(encoder_->SpeedLevelCosts(), encoder_->StartSpeedLevel(),
                      encoder_->MaxDelayedFrames(), interval, encoder_->SpeedTuning());
      logger_.Logf(LogLevel::kInfo, "RealTime: speed governor starts at level %d (%s)",
                   governor_.level(), encoder_->SpeedLevelName(governor_.level()));
    }
    const int before = governor_.level();
    const bool must_key = f.force_keyframe || f.force_intra_refresh || force_next_idr_;
    // Under MaxFrameDelayCount M, EncodeFrame of frame N waits until frame N-M is out, and an
    // encoder that holds frames lets one out only when it gets the next: a dropped frame would
    // leave N-M inside, and the caller waiting for ever.
    const bool holds = f.config->max_frame_delay_count >= 0 && encoder_->OutputLag() > 0;
    const SpeedGovernor::Action action = governor_.OnFrame(f.pts.Seconds(), !must_key && !holds);
    if (action == SpeedGovernor::Action::kDrop) {
      ++realtime_dropped_;
      logger_.Logf(LogLevel::kDebug,
                   "RealTime: dropped the frame at %.3f s: %.1f ms behind at the fastest level",
                   f.pts.Seconds(), governor_.lag() * 1000);
      PublishGovernor();
    } else if (governor_.level() != before) {
      logger_.Logf(LogLevel::kInfo,
                   "RealTime: speed level %d -> %d (%s): %.1f ms per frame of %.1f ms "
                   "(load %.2f, slow frames %.2f), %.1f ms behind",
                   before, governor_.level(), encoder_->SpeedLevelName(governor_.level()),
                   governor_.encode_seconds() * 1000, governor_.interval() * 1000, governor_.load(),
                   governor_.tail_load(), governor_.lag() * 1000);
    }
    return action;
  }

  void PublishGovernor() {
    std::lock_guard<std::mutex> lock(mu_);
    realtime_.level = governor_.active() ? governor_.level() : -1;
    realtime_.encode_seconds = governor_.active() ? governor_.encode_seconds() : 0;
    realtime_.cpu_seconds = governor_.active() ? governor_.cpu_seconds() : 0;
    realtime_.dropped = realtime_dropped_;
  }

  static double ProcessCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
  }

  // Session-side keyframe placement (x264's keyint cannot change in a running encoder).
  bool DecideKeyframe(const EncoderConfig& c, const FrameJob& f, bool waves) {
    if (force_next_idr_) {
      force_next_idr_ = false;
      return true;
    }
    // x264 opened all-intra makes every frame an IDR itself (forcing would only make it warn).
    if (!c.allow_temporal_compression) return !opened_all_intra_;
    if (waves) {
      prev_pts_ticks_ = f.pts_ticks;
      return false;
    }
    int interval = c.max_key_frame_interval;
    if (interval == 0 && c.max_key_frame_interval_duration <= 0 && !c.low_latency_rate_control)
      interval = kDefaultMaxKeyFrameInterval;
    if (interval > 0 && frames_since_key_ >= interval) return true;
    if (c.max_key_frame_interval_duration > 0 && timescale_ > 0) {
      // Force this frame if the next one would land past the limit.
      // In double: a duration of any size must not overflow the tick arithmetic.
      double step = f.duration.IsNumeric() ? f.duration.Seconds() * timescale_
                                           : double(f.pts_ticks - prev_pts_ticks_);
      if (!(step > 0)) step = 0;
      prev_pts_ticks_ = f.pts_ticks;
      const double next_gap = (double(f.pts_ticks - last_key_ticks_) + step) / timescale_;
      if (next_gap > c.max_key_frame_interval_duration + 1e-9) return true;
    }
    prev_pts_ticks_ = f.pts_ticks;
    return false;
  }

  // Drains x264 completely; every frame in it is answered. The next frame is an IDR.
  Status Drain() {
    Status result = Status::kNoErr;
    if (encoder_->IsOpen() && !encoder_->Exhausted()) {
      while (encoder_->DelayedFrames() > 0 && !Invalid()) {
        std::vector<EncodedFrame> out;
        Status st = encoder_->Encode(nullptr, &out);
        Emit(out);
        if (st != Status::kNoErr) {
          FailEncoder(st);
          result = st;
          break;
        }
      }
    }
    // Frames x264 never returned (it failed) are answered with the error; after an Invalidate
    // from a callback the worker's exit answers them as dropped instead.
    if (Invalid()) return Status::kInvalidSessionErr;
    for (auto& [seq, f] : in_encoder_) Answer(f, Status::kVideoEncoderMalfunctionErr, 0, {});
    in_encoder_.clear();
    if (encoder_->Exhausted()) encoder_->Close();
    force_next_idr_ = true;
    return result;
  }

  void FailEncoder(Status st) {
    logger_.Logf(LogLevel::kError, "encoder failure (%s); it restarts at the next frame",
                 StatusName(st));
    for (auto& [seq, f] : in_encoder_) Answer(f, st, 0, {});
    in_encoder_.clear();
    encoder_->Close();
    if (worker_pass_ != PassMode::kNone) pass_failed_ = true;  // the statistics are incomplete
  }

  void Emit(std::vector<EncodedFrame>& out) {
    for (EncodedFrame& e : out) {
      // Invalidated by an earlier callback of this batch: the rest stay in in_encoder_, which the
      // worker's exit answers as dropped, in submission order.
      if (Invalid()) break;
      auto it = in_encoder_.find(e.id);
      if (it == in_encoder_.end()) {
        logger_.Logf(LogLevel::kError, "%s returned an unknown frame %" PRIu64,
                     table_.backend().encoder_name, e.id);
        continue;
      }
      FrameJob f = std::move(it->second);
      in_encoder_.erase(it);
      // DTS: x264's, kept non-decreasing across encoder restarts and never above the PTS. A new
      // x264 instance starts its DTS the reorder delay before its first PTS, which can be below
      // the last DTS of the one before: those frames take that last DTS (equal, never earlier).
      // Raising them any further can pass the PTS of a B-frame that follows (the fuzzer found it
      // with variable durations); the element moves equal DTS apart where it knows the frame rate.
      std::int64_t dts = e.dts;
      if (have_dts_ && dts < last_dts_) dts = last_dts_;
      if (dts > f.pts_ticks) dts = f.pts_ticks;  // cannot happen: PTS increase across restarts
      last_dts_ = dts;
      have_dts_ = true;

      SampleBuffer::Init init;
      init.data = std::move(e.data);
      if (!f.sei.empty() && !encoder_->WritesSei() &&
          !InsertSei(table_.backend().codec_type, f.sei, &init.data))
        logger_.Logf(LogLevel::kError, "frame at %.3f s: no slice to put its SEI before",
                     f.pts.Seconds());
      init.pts = f.pts;
      init.dts = Time::Make(dts, timescale_);
      init.duration = f.duration;
      init.format_description = encoder_->format_description();
      init.frame_qp = e.qp;
      const bool key = e.type == EncodedFrame::Type::kIDR;
      const bool intra = key || e.type == EncodedFrame::Type::kI;
      init.attachments[key::kNotSync] = Value(!key);
      init.attachments[key::kDependsOnOthers] = Value(!intra);
      init.attachments[key::kIsDependedOnByOthers] = Value(e.type != EncodedFrame::Type::kB);
      if (e.has_mse)
        init.attachments[key::kQualityMetrics] =
            Value(Dictionary{{key::kLumaMeanSquaredError, Value(e.mse[0])},
                             {key::kChromaBlueMeanSquaredError, Value(e.mse[1])},
                             {key::kChromaRedMeanSquaredError, Value(e.mse[2])}});
      Answer(f, Status::kNoErr, 0, SampleBuffer::Create(std::move(init)));
    }
  }

  // Calls the frame's callback (no lock held), then retires it. The buffer reference, if
  // ReleaseSourceBufferOnImport has not dropped it already, goes after the callback has returned.
  void Answer(FrameJob& f, Status st, EncodeInfoFlags flags, SampleBufferRef sample) {
    if (f.handler)
      f.handler(st, flags, sample);
    else if (callback_)
      callback_(callback_refcon_, f.refcon, st, flags, sample);
    f.buffer.reset();
    f.handler = nullptr;
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(f.seq);
    cv_.notify_all();
  }

  // Immutable after construction.
  const PropertyTable& table_;  // this session's backend and its property rows
  const int width_, height_;
  const OutputCallback callback_;
  void* const callback_refcon_;
  const bool low_latency_rc_;
  Logger logger_;

  // Guarded by mu_.
  std::mutex mu_;
  std::condition_variable cv_;  // any change of queue, pending, tickets or state
  State state_ = State::kActive;
  bool joining_ = false;  // a thread has taken on joining the worker (Invalidate)
  Dictionary values_;     // properties set (normalized), without defaults
  std::shared_ptr<const EncoderConfig> config_;
  bool started_ = false;  // first frame accepted: non-mutable keys are fixed
  PixelBufferPoolRef pool_;
  bool pool_shared_ = true;
  int encoder_frame_delay_ = -1, encoder_reorder_depth_ = -1;  // published by the worker
  struct RealTimeState {
    std::int64_t level = -1;
    double encode_seconds = 0, cpu_seconds = 0;
    std::uint64_t dropped = 0;
  } realtime_;  // published by the worker (PublishGovernor)
  PixelFormatType stream_format_ = kPixelFormat_420YpCbCr8BiPlanarVideoRange;
  std::deque<Job> queue_;
  int queued_frames_ = 0;
  bool worker_idle_ = false;               // the worker waits for a job with the queue empty
  std::map<std::uint64_t, Time> pending_;  // seq -> pts of frames not yet answered
  std::uint64_t seq_ = 0;
  Time last_pts_, first_duration_;
  std::int64_t last_pts_ticks_ = 0;
  std::int32_t timescale_ = 0;
  std::uint64_t tickets_issued_ = 0, tickets_done_ = 0;
  std::map<std::uint64_t, Status> ticket_status_;
  std::thread::id worker_id_;
  std::thread worker_;
  std::unique_ptr<SessionImpl> self_owner_;  // see DestroyFromWorker
  // Multi-pass, guarded by mu_ too.
  bool in_pass_ = false, ended_pass_ = false;
  std::shared_ptr<MultiPassStorage> pass_storage_;  // captured by BeginPass, released by EndPass
  bool pass_drained_ = false;                       // CompleteFrames drained x264 during this pass
  PassMode pass_mode_ = PassMode::kNone;
  TimeRange pass_range_;  // the storage's range: frames outside are skipped
  std::int64_t pass_frames_ = 0, expected_frames_ = 0;
  std::int64_t pass_start_ticks_ = 0, pass_end_ticks_ = 0;
  std::vector<TimeRange> next_ranges_;

  // Worker only.
  std::unique_ptr<VideoEncoder> encoder_;
  std::map<std::uint64_t, FrameJob> in_encoder_;  // given to x264, not yet answered
  std::vector<SeiPayload> carried_sei_;           // from frames RealTime dropped, for the next one
  std::shared_ptr<const EncoderConfig> applied_config_;
  std::shared_ptr<const EncoderConfig> opened_config_;  // what x264 was last opened with
  bool force_next_idr_ = false;
  bool opened_all_intra_ = false;
  int frames_since_key_ = 0;
  std::int64_t last_key_ticks_ = 0, prev_pts_ticks_ = 0;
  std::uint64_t frames_encoded_ = 0;
  std::int64_t last_dts_ = 0;
  bool have_dts_ = false;
  PassMode worker_pass_ = PassMode::kNone;  // role of the x264 instances of the current pass
  std::string stats_path_;
  bool pass_failed_ = false;
  SpeedGovernor governor_;  // RealTime (speed_governor.h)
  PixelTransfer transfer_;  // converts what the encoder cannot take (pixel_transfer.h)
  std::uint64_t realtime_dropped_ = 0;
};

// --- Public wrappers ---------------------------------------------------------------------------

Status CompressionSession::Create(int width, int height, CodecType codec_type,
                                  const Dictionary* encoder_specification,
                                  const Dictionary* source_image_buffer_attributes,
                                  OutputCallback output_callback, void* output_callback_refcon,
                                  std::shared_ptr<CompressionSession>* session_out) {
  if (!session_out) return Status::kParameterErr;
  session_out->reset();
  Logger log;
  if (width < 1 || height < 1 || width > kMaxDimension || height > kMaxDimension) {
    log.Logf(LogLevel::kError, "Create: size %dx%d is outside 1..%d", width, height, kMaxDimension);
    return Status::kParameterErr;
  }
  bool ok = true;
  bool low_latency = false;
  bool require_hardware = false;
  std::string encoder_id;
  if (encoder_specification) {
    for (const auto& [k, v] : *encoder_specification) {
      if (k == key::kEncoderID) {
        if (!v.GetString(&encoder_id)) return Status::kParameterErr;
      } else if (k == key::kRequireHardwareAcceleratedVideoEncoder) {
        require_hardware = GetBoolKey(encoder_specification, k.c_str(), false, &ok);
      } else if (k == key::kEnableHardwareAcceleratedVideoEncoder) {
        GetBoolKey(encoder_specification, k.c_str(), false, &ok);
      } else if (k == key::kEnableLowLatencyRateControl) {
        low_latency = GetBoolKey(encoder_specification, k.c_str(), false, &ok);
      }
      // Other keys (GPU registry IDs, ...) do not apply to a software encoder: ignored.
    }
    if (!ok) {
      log.Logf(LogLevel::kError, "Create: encoder specification values must be booleans");
      return Status::kParameterErr;
    }
  }
  const Backend* backend = FindBackend(codec_type, encoder_id);
  if (!backend) {
    std::string known;
    for (const Backend* b : Backends())
      known +=
          (known.empty() ? "" : ", ") + PixelFormatName(b->codec_type) + " (" + b->encoder_id + ")";
    if (encoder_id.empty())
      log.Logf(LogLevel::kError, "Create: no encoder for codec type %s (there are: %s)",
               PixelFormatName(codec_type).c_str(), known.c_str());
    else
      log.Logf(LogLevel::kError, "Create: no encoder \"%s\" for codec type %s (there are: %s)",
               encoder_id.c_str(), PixelFormatName(codec_type).c_str(), known.c_str());
    return Status::kCouldNotFindVideoEncoderErr;
  }
  if (require_hardware && !backend->hardware_accelerated) {
    log.Logf(LogLevel::kError,
             "Create: RequireHardwareAcceleratedVideoEncoder is set but there is no hardware "
             "encoder (%s is software)",
             backend->encoder_name);
    return Status::kCouldNotFindVideoEncoderErr;
  }
  auto impl = std::make_unique<SessionImpl>(*backend, width, height, output_callback,
                                            output_callback_refcon, low_latency);
  if (Status st = impl->Init(source_image_buffer_attributes); st != Status::kNoErr) return st;
  session_out->reset(new CompressionSession(std::move(impl)));
  return Status::kNoErr;
}

CompressionSession::CompressionSession(std::unique_ptr<SessionImpl> impl)
    : impl_(std::move(impl)) {}

CompressionSession::~CompressionSession() {
  if (impl_->OnWorkerThread()) {
    SessionImpl::DestroyFromWorker(std::move(impl_));
    return;
  }
  impl_->Invalidate();
}

Status CompressionSession::EncodeFrame(const PixelBufferRef& image_buffer, Time pts, Time duration,
                                       const Dictionary* frame_properties,
                                       void* source_frame_refcon, EncodeInfoFlags* info_flags_out) {
  return impl_->EncodeFrame(image_buffer, pts, duration, frame_properties, source_frame_refcon,
                            nullptr, false, info_flags_out);
}

Status CompressionSession::EncodeFrameWithOutputHandler(const PixelBufferRef& image_buffer,
                                                        Time pts, Time duration,
                                                        const Dictionary* frame_properties,
                                                        EncodeInfoFlags* info_flags_out,
                                                        OutputHandler handler) {
  return impl_->EncodeFrame(image_buffer, pts, duration, frame_properties, nullptr,
                            std::move(handler), true, info_flags_out);
}

Status CompressionSession::CompleteFrames(Time until) {
  return impl_->CompleteFrames(until);
}
void CompressionSession::Invalidate() {
  impl_->Invalidate();
}
Status CompressionSession::PrepareToEncodeFrames() {
  return impl_->Prepare();
}
PixelBufferPoolRef CompressionSession::GetPixelBufferPool() {
  return impl_->GetPool();
}
Status CompressionSession::SetProperty(const std::string& k, const Value& v) {
  return impl_->SetProperty(k, v);
}
Status CompressionSession::SetProperties(const Dictionary& p) {
  return impl_->SetProperties(p);
}
Status CompressionSession::CopyProperty(const std::string& k, Value* out) {
  return impl_->CopyProperty(k, out);
}
Status CompressionSession::CopySupportedPropertyDictionary(Dictionary* out) {
  return impl_->CopySupported(out);
}
Status CompressionSession::BeginPass(PassFlags flags) {
  return impl_->BeginPass(flags);
}
Status CompressionSession::EndPass(bool* further_passes_requested) {
  return impl_->EndPass(further_passes_requested);
}
Status CompressionSession::GetTimeRangesForNextPass(std::vector<TimeRange>* ranges_out) {
  return impl_->GetTimeRangesForNextPass(ranges_out);
}
void CompressionSession::SetLogHandler(LogHandler handler) {
  impl_->logger().SetHandler(std::move(handler));
}

}  // namespace vtc
