// SPDX-License-Identifier: GPL-2.0-or-later
// fuzz_session_calls: random sequences of session calls, checked against the contracts of
// compression_session.h.
//
// The input drives up to 3 sessions (1..96 pixels a side) through Create, EncodeFrame (pool
// buffers, wrapped caller memory with right and deliberately wrong layouts, foreign formats,
// timestamps that increase or not in several timescales, invalid ones, frame options), the
// handler form, CompleteFrames, PrepareToEncodeFrames, property changes, GetPixelBufferPool,
// Invalidate and dropping the last reference; callbacks sometimes call back into their session.
// At most 40 frames per input, so an input runs in milliseconds. Checked:
//  - every EncodeFrame that returned kNoErr got exactly one answer, refused frames none;
//  - answers come one at a time, never after Invalidate (or the last release) returned; an
//    Invalidate from a callback makes later calls -12903 and answers the rest as dropped;
//  - samples: AVCC, no SPS/PPS in band, PTS as given, DTS valid, non-decreasing, <= PTS;
//  - CompleteFrames(T) returned after every frame with PTS <= T was answered;
//  - MaxFrameDelayCount M: frame N-M is answered when EncodeFrame of frame N returns;
//  - NumberOfPendingFrames agrees with the answers seen;
//  - inside a callback, EncodeFrame / CompleteFrames give kParameterErr;
//  - every wrapped buffer is released exactly once (never when wrapping failed), and every pool
//    buffer goes back to its pool.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fuzz_common.h"

// libx265 3.5 leaks a copy of its parameters at every x265_encoder_open (its own allocation, not
// this project's); LeakSanitizer is told to leave that one alone.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libx265.so\n";
}

namespace {

using vtc::Dictionary;
using vtc::Status;
using vtc::Time;
using vtc::Value;

constexpr int kMaxFramesPerInput = 40;
constexpr int kMaxSessionsPerInput = 3;

// Caller memory behind a wrapped pixel buffer. Each plane is its own allocation of exactly what
// the descriptor claims (plus the extended pixels before the origin), so ASan sees any read past
// what the caller said is readable.
struct Wrapped {
  std::vector<std::unique_ptr<std::uint8_t[]>> planes;
  std::atomic<int> released{0};
  bool created = false;
};

struct FrameRec {
  Time pts;
  bool accepted = false;
  int answers = 0;
};

struct Ctx {
  // Set while the session may be called from a callback (cleared before the last release).
  std::atomic<vtc::CompressionSession*> session{nullptr};
  std::atomic<bool> closed{false};  // Invalidate returned: no answer may come after this
  std::atomic<int> in_callback{0};
  std::atomic<int> reentry{0};  // what a callback does with its session (0: nothing)
  // A callback invalidated the session (set once its Invalidate has returned): every later call
  // gives -12903, calls running meanwhile may, and the rest is answered as dropped.
  std::atomic<bool> invalidated_in_callback{false};
  // Set just before that Invalidate: from then on calls elsewhere may already see -12903.
  std::atomic<bool> invalidating_in_callback{false};
  int width = 0, height = 0;

  std::mutex mu;
  std::map<std::uint64_t, FrameRec> frames;  // by id (the refcon)
  std::vector<std::uint64_t> accepted;       // ids in submission order
  int answered = 0;
  bool have_dts = false;
  Time last_dts;
};

void CheckSample(Ctx* c, const FrameRec& f, const vtc::SampleBuffer& s) {
  const Time pts = s.presentation_time_stamp(), dts = s.decode_time_stamp();
  FUZZ_CHECK(
      pts.value == f.pts.value && pts.timescale == f.pts.timescale && pts.flags == f.pts.flags,
      "sample PTS %s, the frame was given %s", pts.ToString().c_str(), f.pts.ToString().c_str());
  FUZZ_CHECK(dts.IsNumeric(), "sample DTS %s is not numeric", dts.ToString().c_str());
  // dts-rounding: a PTS in another timescale than the session's first one is rounded into the
  // session's timescale, and the DTS made from it can come out a fraction of a tick after it.
  FUZZ_CHECK(vtc::Compare(dts, pts) <= 0 ||
                 (vtcfuzz::Known("dts-rounding") && pts.timescale != dts.timescale &&
                  vtc::Compare(vtc::Time::Make(dts.value - 1, dts.timescale), pts) <= 0),
             "DTS %s after PTS %s", dts.ToString().c_str(), pts.ToString().c_str());
  if (c->have_dts)
    FUZZ_CHECK(vtc::Compare(c->last_dts, dts) <= 0, "DTS went back from %s to %s",
               c->last_dts.ToString().c_str(), dts.ToString().c_str());
  c->have_dts = true;
  c->last_dts = dts;
  const vtc::Data& d = s.data();
  FUZZ_CHECK(!d.empty(), "empty sample");
  std::size_t pos = 0;
  while (pos < d.size()) {
    FUZZ_CHECK(d.size() - pos >= 5, "AVCC: %zu trailing bytes at %zu of %zu", d.size() - pos, pos,
               d.size());
    const std::size_t len = (std::size_t(d[pos]) << 24) | (std::size_t(d[pos + 1]) << 16) |
                            (std::size_t(d[pos + 2]) << 8) | d[pos + 3];
    FUZZ_CHECK(len >= 1 && len <= d.size() - pos - 4, "AVCC: NAL length %zu at %zu of %zu", len,
               pos, d.size());
    // Parameter sets live in the format description only: H.264's SPS/PPS (7, 8), HEVC's
    // VPS/SPS/PPS (32..34).
    const bool hevc =
        s.format_description() && s.format_description()->codec_type() == vtc::kCodecType_HEVC;
    const int type = hevc ? (d[pos + 4] >> 1) & 0x3f : d[pos + 4] & 0x1f;
    FUZZ_CHECK(hevc ? (type < 32 || type > 34) : (type != 7 && type != 8),
               "parameter set (NAL type %d) in band", type);
    pos += 4 + len;
  }
  FUZZ_CHECK(s.format_description(), "sample without a format description");
  FUZZ_CHECK(s.format_description()->display_width() == c->width &&
                 s.format_description()->display_height() == c->height,
             "format description %dx%d for a %dx%d session",
             s.format_description()->display_width(), s.format_description()->display_height(),
             c->width, c->height);
}

void Answer(Ctx* c, std::uint64_t id, Status st, vtc::EncodeInfoFlags flags,
            const vtc::SampleBufferRef& sample) {
  FUZZ_CHECK(!c->closed.load(), "answer for frame %llu after Invalidate returned",
             static_cast<unsigned long long>(id));
  FUZZ_CHECK(c->in_callback.fetch_add(1) == 0, "two callbacks at once");
  {
    std::lock_guard<std::mutex> lock(c->mu);
    auto it = c->frames.find(id);
    FUZZ_CHECK(it != c->frames.end(), "answer for a frame never submitted (%llu)",
               static_cast<unsigned long long>(id));
    FrameRec& f = it->second;
    ++f.answers;
    ++c->answered;
    FUZZ_CHECK(f.answers == 1, "frame %llu answered %d times", static_cast<unsigned long long>(id),
               f.answers);
    if (sample) {
      FUZZ_CHECK(st == Status::kNoErr && !(flags & vtc::kEncodeInfo_FrameDropped),
                 "a sample with status %s, flags %u", vtcfuzz::StatusStr(st), flags);
      CheckSample(c, f, *sample);
    } else {
      FUZZ_CHECK(st != Status::kNoErr || (flags & vtc::kEncodeInfo_FrameDropped),
                 "no sample, no error, not dropped (frame %llu)",
                 static_cast<unsigned long long>(id));
    }
    FUZZ_CHECK(st == Status::kNoErr || st == Status::kVideoEncoderMalfunctionErr ||
                   st == Status::kParameterErr || st == Status::kAllocationFailedErr,
               "callback status %s", vtcfuzz::StatusStr(st));
  }
  // Calls a callback may make. The session is invalidating while frames are being answered as
  // dropped, so -12903 is fine there.
  if (vtc::CompressionSession* s = c->session.load(); s && c->reentry.load() != 0) {
    const int mode = c->reentry.load();
    if (mode & 1) {
      Value v;
      Status r = s->CopyProperty(vtc::key::kNumberOfPendingFrames, &v);
      FUZZ_CHECK(r == Status::kNoErr || r == Status::kInvalidSessionErr,
                 "CopyProperty in a callback: %s", vtcfuzz::StatusStr(r));
    }
    if (mode & 2) {
      Status r = s->SetProperty(vtc::key::kAverageBitRate, Value(200000 + int(id % 7) * 1000));
      FUZZ_CHECK(
          r == Status::kNoErr || r == Status::kInvalidSessionErr || r == Status::kParameterErr,
          "SetProperty in a callback: %s", vtcfuzz::StatusStr(r));
    }
    if (mode & 4) {
      // Validity comes first: -12903 once the session is invalid (a callback invalidated it, or
      // the owner is invalidating it while these are the dropped answers), else -12902.
      const bool invalid = c->invalidated_in_callback.load();
      auto refused = [invalid](Status r) {
        return r == Status::kInvalidSessionErr || (!invalid && r == Status::kParameterErr);
      };
      Status r = s->CompleteFrames(Time::Invalid());
      FUZZ_CHECK(refused(r), "CompleteFrames in a callback: %s", vtcfuzz::StatusStr(r));
      r = s->EncodeFrame(nullptr, Time::Make(1, 1), Time::Invalid(), nullptr, nullptr, nullptr);
      FUZZ_CHECK(refused(r), "EncodeFrame in a callback: %s", vtcfuzz::StatusStr(r));
      r = s->PrepareToEncodeFrames();
      FUZZ_CHECK(r == Status::kParameterErr || r == Status::kInvalidSessionErr,
                 "PrepareToEncodeFrames in a callback: %s", vtcfuzz::StatusStr(r));
    }
    if (mode & 8) {  // the session is invalid at once; the worker ends after this callback
      c->invalidating_in_callback = true;
      s->Invalidate();
      c->invalidated_in_callback = true;
    }
  }
  c->in_callback.fetch_sub(1);
}

void OnOutput(void* ctx, void* refcon, Status st, vtc::EncodeInfoFlags flags,
              const vtc::SampleBufferRef& sample) {
  Answer(static_cast<Ctx*>(ctx), reinterpret_cast<std::uintptr_t>(refcon), st, flags, sample);
}

vtc::PixelFormatType PickFormat(FuzzedDataProvider& in) {
  // Mostly the 8-bit 4:2:0 formats; sometimes any other the session takes (converted or not),
  // or one it does not ('b64a', 0).
  static const vtc::PixelFormatType kFormats[] = {vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange,
                                                  vtc::kPixelFormat_420YpCbCr8BiPlanarFullRange,
                                                  vtc::kPixelFormat_420YpCbCr8Planar,
                                                  vtc::kPixelFormat_420YpCbCr8PlanarFullRange,
                                                  vtc::kPixelFormat_422YpCbCr8BiPlanarVideoRange,
                                                  vtc::kPixelFormat_444YpCbCr8BiPlanarFullRange,
                                                  vtc::kPixelFormat_420YpCbCr10BiPlanarVideoRange,
                                                  vtc::kPixelFormat_422YpCbCr10BiPlanarFullRange,
                                                  vtc::kPixelFormat_444YpCbCr10BiPlanarVideoRange,
                                                  vtc::kPixelFormat_422YpCbCr8Planar,
                                                  vtc::kPixelFormat_444YpCbCr8PlanarFullRange,
                                                  vtc::kPixelFormat_420YpCbCr10Planar,
                                                  vtc::kPixelFormat_422YpCbCr10PlanarFullRange,
                                                  vtc::kPixelFormat_444YpCbCr10Planar,
                                                  vtc::kPixelFormat_422YpCbCr8,
                                                  vtc::kPixelFormat_422YpCbCr10,
                                                  vtc::kPixelFormat_32BGRA,
                                                  vtc::kPixelFormat_32ARGB,
                                                  vtc::FourCC("b64a"),
                                                  0};
  return in.ConsumeIntegralInRange<int>(0, 9) == 0 ? in.PickValueInArray(kFormats)
                                                   : kFormats[in.ConsumeIntegralInRange<int>(0, 2)];
}

Dictionary MakeAttributes(FuzzedDataProvider& in) {
  Dictionary a;
  if (in.ConsumeBool()) return a;
  if (in.ConsumeBool()) {
    if (in.ConsumeIntegralInRange<int>(0, 5) == 0)
      a[vtc::key::kPixelFormatType] = Value(vtc::Array{Value(0), Value(PickFormat(in))});
    else
      a[vtc::key::kPixelFormatType] = Value(PickFormat(in));
  }
  if (in.ConsumeBool())
    a[vtc::key::kBytesPerRowAlignment] = Value(1 << in.ConsumeIntegralInRange<int>(0, 8));
  static const char* kExt[] = {vtc::key::kExtendedPixelsLeft, vtc::key::kExtendedPixelsTop,
                               vtc::key::kExtendedPixelsRight, vtc::key::kExtendedPixelsBottom};
  for (const char* k : kExt)
    if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
      a[k] = Value(in.ConsumeIntegralInRange<int>(-1, 66));
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
    a[vtc::key::kPoolAllocationThreshold] = Value(in.ConsumeIntegralInRange<int>(0, 12));
  if (in.ConsumeIntegralInRange<int>(0, 5) == 0)
    a[vtc::key::kPoolMinimumBufferCount] = Value(in.ConsumeIntegralInRange<int>(-1, 4));
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
    a[vtc::key::kWidth] = Value(in.ConsumeIntegralInRange<int>(0, 100));
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
    a[vtc::key::kHeight] = Value(in.ConsumeIntegralInRange<int>(0, 100));
  if (in.ConsumeIntegralInRange<int>(0, 9) == 0)
    a[in.ConsumeRandomLengthString(10)] = vtcfuzz::MakeValue(in, {}, 1);
  return a;
}

// A wrapped buffer whose layout the input chooses, right or wrong; the memory always covers what
// the descriptors claim.
vtc::PixelBufferRef MakeWrapped(FuzzedDataProvider& in, const Ctx& c,
                                std::vector<std::shared_ptr<Wrapped>>* all, Status* st_out) {
  const vtc::PixelFormatType format = PickFormat(in);
  int w = c.width, h = c.height;
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
    w = in.ConsumeIntegralInRange<int>(-1, 100);
    h = in.ConsumeIntegralInRange<int>(-1, 100);
  }
  vtc::ExtendedPixels e;
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    e.left = in.ConsumeIntegralInRange<int>(0, 66);
    e.top = in.ConsumeIntegralInRange<int>(0, 66);
    e.right = in.ConsumeIntegralInRange<int>(-1, 66);
    e.bottom = in.ConsumeIntegralInRange<int>(-1, 66);
    if (in.ConsumeBool()) e.left &= ~1, e.top &= ~1;
  }
  // The format's planes (an unknown format: as if NV12, which the session refuses anyway).
  std::size_t nplanes = vtc::PlaneCountForFormat(format);
  const vtc::PixelFormatType shape_format =
      nplanes ? format : vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;
  if (!nplanes) nplanes = 2;
  std::size_t count = nplanes;
  if (in.ConsumeIntegralInRange<int>(0, 15) == 0) count = in.ConsumeIntegralInRange<int>(0, 3);
  auto rec = std::make_shared<Wrapped>();
  vtc::PlaneDescriptor planes[3];
  const int bad = in.ConsumeIntegralInRange<int>(0, 11);  // which mistake, if any
  for (std::size_t i = 0; i < count && i < 3; ++i) {
    vtcfuzz::PlaneShape shape;  // a plane the format does not have: shaped as its last one
    for (std::size_t j = std::min(i, nplanes - 1) + 1; j-- > 0;)
      if (vtcfuzz::PlaneShapeOf(shape_format, j, &shape)) break;
    const int hs = shape.hshift, vs = shape.vshift;
    const int pw = std::max((w + (1 << hs) - 1) >> hs, 0),
              ph = std::max((h + (1 << vs) - 1) >> vs, 0);
    const int el = std::max(e.left >> hs, 0), et = std::max(e.top >> vs, 0),
              er = std::max((e.right + (1 << hs) - 1) >> hs, 0),
              eb = std::max((e.bottom + (1 << vs) - 1) >> vs, 0);
    const std::size_t visible = shape.RowBytes(pw + er);
    std::size_t row = shape.RowBytes(el) + visible;
    std::size_t bpr = row;
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        bpr = (row + 63) & ~std::size_t(63);
        break;
      case 1:
        bpr = row + in.ConsumeIntegralInRange<int>(0, 40);
        break;
      default:
        break;
    }
    if (bad == 1 && i == 0) bpr = row > 0 ? row - 1 : 0;
    std::size_t need = bpr * std::size_t(std::max(ph - 1 + eb, 0)) + visible;
    std::size_t size = need;
    if (bad == 2 && i == nplanes - 1 && size > 0) size -= 1;
    if (bad == 3) size += in.ConsumeIntegralInRange<int>(0, 100);
    std::size_t prefix = std::size_t(et) * bpr + shape.RowBytes(el);
    if (bad == 4 && i == 0) {  // an absurd stride with a claim the memory does not back
      bpr = in.PickValueInArray({std::size_t(1) << 31, std::size_t(0x7fffffff), SIZE_MAX / 2});
      size = need;
      prefix = 0;
    }
    const std::size_t alloc = (bad == 4 && i == 0) ? 1 : prefix + size;
    if (alloc > (std::size_t(8) << 20)) return nullptr;
    rec->planes.emplace_back(new std::uint8_t[std::max<std::size_t>(alloc, 1)]);
    std::memset(rec->planes.back().get(), 0x55 + int(i), std::max<std::size_t>(alloc, 1));
    planes[i].base = (bad == 5 && i == 0) ? nullptr : rec->planes.back().get() + prefix;
    planes[i].bytes_per_row = bpr;
    planes[i].size = (bad == 4 && i == 0) ? 1 : size;
  }
  vtc::PixelBufferRef buf;
  Wrapped* raw = rec.get();
  *st_out = vtc::PixelBuffer::CreateWithPlanarBytes(
      w, h, format, count ? planes : nullptr, count, [raw] { raw->released.fetch_add(1); }, &buf,
      e);
  rec->created = *st_out == Status::kNoErr;
  FUZZ_CHECK(rec->created == (buf != nullptr), "CreateWithPlanarBytes %s with buffer %p",
             vtcfuzz::StatusStr(*st_out), static_cast<void*>(buf.get()));
  all->push_back(std::move(rec));
  return buf;
}

Value MakeLiveValue(FuzzedDataProvider& in, const char** key_out) {
  static const char* kKeys[] = {vtc::key::kAverageBitRate,
                                vtc::key::kDataRateLimits,
                                vtc::key::kConstantBitRate,
                                vtc::key::kQuality,
                                vtc::key::kRealTime,
                                vtc::key::kMaxKeyFrameInterval,
                                vtc::key::kMaxKeyFrameIntervalDuration,
                                vtc::key::kExpectedFrameRate,
                                vtc::key::kAllowTemporalCompression,
                                vtc::key::kPrioritizeEncodingSpeedOverQuality,
                                vtc::key::kMaxH264SliceBytes,
                                vtc::key::kMaxFrameDelayCount,
                                vtc::key::kAllowFrameReordering,
                                vtc::key::kProfileLevel,
                                vtc::key::kH264EntropyMode,
                                vtc::key::kMinAllowedFrameQP,
                                vtc::key::kMaxAllowedFrameQP,
                                vtc::key::kSuggestedLookAheadFrameCount,
                                vtc::key::kReferenceBufferCount,
                                vtc::key::kCalculateMeanSquaredError,
                                vtc::key::kSpatialAdaptiveQPLevel,
                                vtc::key::kPixelAspectRatio,
                                vtc::key::kReleaseSourceBufferOnImport};
  const char* k = in.PickValueInArray(kKeys);
  *key_out = k;
  const std::string key = k;
  // cbr-timestamp-gap: with ConstantBitRate x264 pads a long PTS gap with filler data (gigabytes).
  if (key == vtc::key::kConstantBitRate && vtcfuzz::Known("cbr-timestamp-gap")) return Value(0);
  if (in.ConsumeIntegralInRange<int>(0, 5) == 0) return vtcfuzz::MakeValue(in, {}, 2);
  if (key == vtc::key::kAverageBitRate || key == vtc::key::kConstantBitRate)
    return Value(in.PickValueInArray({0, 1000, 50000, 300000, 2000000, 50000000}));
  if (key == vtc::key::kDataRateLimits)
    return Value(vtc::Array{Value(in.ConsumeIntegralInRange<int>(100, 200000)),
                            Value(in.PickValueInArray({0.1, 0.5, 1.0, 2.0}))});
  if (key == vtc::key::kQuality) return Value(in.PickValueInArray({0.0, 0.25, 0.5, 0.75, 1.0}));
  if (key == vtc::key::kMaxKeyFrameInterval) return Value(in.ConsumeIntegralInRange<int>(0, 10));
  if (key == vtc::key::kMaxKeyFrameIntervalDuration || key == vtc::key::kExpectedFrameRate)
    return Value(in.PickValueInArray({0.0, 0.01, 0.5, 1.0, 25.0, 999.0}));
  if (key == vtc::key::kMaxH264SliceBytes)
    return Value(in.PickValueInArray({0, 1, 100, 400, 1500}));
  if (key == vtc::key::kMaxFrameDelayCount) return Value(in.ConsumeIntegralInRange<int>(-1, 4));
  if (key == vtc::key::kProfileLevel)
    return Value(in.PickValueInArray({"H264_Baseline_AutoLevel", "H264_Main_AutoLevel",
                                      "H264_High_AutoLevel", "H264_Baseline_1_3", "H264_High_3_0",
                                      "H264_ConstrainedBaseline_AutoLevel",
                                      "H264_ConstrainedHigh_AutoLevel", "H264_Main_5_2"}));
  if (key == vtc::key::kH264EntropyMode) return Value(in.PickValueInArray({"CAVLC", "CABAC"}));
  if (key == vtc::key::kMinAllowedFrameQP || key == vtc::key::kMaxAllowedFrameQP)
    return Value(in.ConsumeIntegralInRange<int>(0, 51));
  if (key == vtc::key::kSuggestedLookAheadFrameCount)
    return Value(in.ConsumeIntegralInRange<int>(0, 5));
  if (key == vtc::key::kReferenceBufferCount) return Value(in.ConsumeIntegralInRange<int>(1, 16));
  if (key == vtc::key::kSpatialAdaptiveQPLevel) return Value(in.ConsumeIntegralInRange<int>(-1, 0));
  if (key == vtc::key::kPixelAspectRatio)
    return Value(
        Dictionary{{vtc::key::kHorizontalSpacing, Value(in.ConsumeIntegralInRange<int>(1, 40))},
                   {vtc::key::kVerticalSpacing, Value(in.ConsumeIntegralInRange<int>(1, 40))}});
  return Value(in.ConsumeBool());
}

// A call's status: -12903 if the session was invalid before it; else `ok`, or -12903 if a
// callback invalidated it meanwhile.
bool Expected(const Ctx& c, bool invalidated, bool invalid_before, Status st, bool ok) {
  if (invalid_before) return st == Status::kInvalidSessionErr;
  return ok ||
         (st == Status::kInvalidSessionErr && (invalidated || c.invalidating_in_callback.load()));
}

bool IsEncodeStatus(Status st) {
  return st == Status::kNoErr || st == Status::kParameterErr ||
         st == Status::kPixelTransferNotSupportedErr || st == Status::kInvalidSessionErr;
}

struct Run {
  FuzzedDataProvider& in;
  std::vector<std::shared_ptr<Wrapped>> wrapped;
  std::vector<vtc::PixelBufferPoolRef> pools;
  std::uint64_t next_id = 1;
  int frames = 0;
  explicit Run(FuzzedDataProvider& p) : in(p) {}

  void CheckAllAnswered(Ctx& c, const char* after) {
    std::lock_guard<std::mutex> lock(c.mu);
    for (const auto& [id, f] : c.frames) {
      if (f.accepted)
        FUZZ_CHECK(f.answers == 1, "after %s frame %llu (PTS %s) answered %d times", after,
                   static_cast<unsigned long long>(id), f.pts.ToString().c_str(), f.answers);
      else
        FUZZ_CHECK(f.answers == 0, "refused frame %llu answered",
                   static_cast<unsigned long long>(id));
    }
  }

  // One session's life, until the input says to drop it or runs out.
  void OneSession() {
    Ctx c;
    c.width = in.ConsumeIntegralInRange<int>(1, 96);
    c.height = in.ConsumeIntegralInRange<int>(1, 96);
    if (in.ConsumeIntegralInRange<int>(0, 15) == 0) c.width = in.PickValueInArray({0, -1, 16385});
    const bool handler_form = in.ConsumeIntegralInRange<int>(0, 3) == 0;
    c.reentry =
        in.ConsumeIntegralInRange<int>(0, 3) == 0 ? in.ConsumeIntegralInRange<int>(1, 15) : 0;
    Dictionary spec;
    const bool with_spec = in.ConsumeIntegralInRange<int>(0, 3) == 0;
    if (with_spec) {
      if (in.ConsumeBool()) spec[vtc::key::kEnableLowLatencyRateControl] = Value(in.ConsumeBool());
      if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
        spec[vtc::key::kEncoderID] =
            Value(in.ConsumeBool() ? vtc::kX264EncoderID : vtc::kX265EncoderID);
      if (in.ConsumeIntegralInRange<int>(0, 5) == 0)
        spec[vtc::key::kRequireHardwareAcceleratedVideoEncoder] = Value(in.ConsumeBool());
      if (in.ConsumeIntegralInRange<int>(0, 5) == 0)
        spec[vtc::key::kEnableHardwareAcceleratedVideoEncoder] = vtcfuzz::MakeValue(in, {}, 1);
    }
    const bool with_attrs = in.ConsumeBool();
    const Dictionary attrs = with_attrs ? MakeAttributes(in) : Dictionary{};
    vtc::CompressionSessionRef session;
    // x265's encoder ID asks for an HEVC session (x265 behind the same verbs).
    const bool hevc = with_spec && spec.count(vtc::key::kEncoderID) &&
                      spec[vtc::key::kEncoderID] == Value(vtc::kX265EncoderID);
    Status st = vtc::CompressionSession::Create(
        c.width, c.height, hevc ? vtc::kCodecType_HEVC : vtc::kCodecType_H264,
        with_spec ? &spec : nullptr, with_attrs ? &attrs : nullptr,
        handler_form ? nullptr : OnOutput, &c, &session);
    FUZZ_CHECK(st == Status::kNoErr || st == Status::kParameterErr ||
                   st == Status::kCouldNotFindVideoEncoderErr ||
                   st == Status::kPixelTransferNotSupportedErr,
               "Create = %s", vtcfuzz::StatusStr(st));
    FUZZ_CHECK((st == Status::kNoErr) == (session != nullptr), "Create %s with session %p",
               vtcfuzz::StatusStr(st), static_cast<void*>(session.get()));
    FUZZ_TRACE("Create %s %dx%d%s%s%s = %s", hevc ? "hvc1" : "avc1", c.width, c.height,
               handler_form ? " (handler form)" : "",
               with_spec ? " with encoder specification" : "",
               with_attrs ? " with source attributes" : "", vtcfuzz::StatusStr(st));
    if (!session) return;
    c.session = session.get();
    Dictionary supported;
    FUZZ_CHECK(session->CopySupportedPropertyDictionary(&supported) == Status::kNoErr,
               "CopySupportedPropertyDictionary failed");
    const std::int32_t timescale =
        in.PickValueInArray({1, 30, 1000, 90000, 30000, 1000000000, 2147483647});
    std::int64_t next_pts = in.ConsumeIntegralInRange<std::int64_t>(-5, 5);
    bool invalidated = false, prepared = false;

    while (in.remaining_bytes() > 0) {
      const int op = in.ConsumeIntegralInRange<int>(0, 19);
      if (op == 19) break;  // drop this session, maybe start another
      if (op <= 8) {        // EncodeFrame
        if (frames >= kMaxFramesPerInput) break;
        ++frames;
        Encode(c, session.get(), timescale, &next_pts, handler_form,
               invalidated || c.invalidated_in_callback.load());
      } else if (op <= 10) {  // CompleteFrames
        Time t;
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
          case 0:
            t = vtcfuzz::MakeTime(in);
            break;
          case 1:
            t = Time::Invalid();
            break;
          default:
            t = Time::Make(next_pts - in.ConsumeIntegralInRange<int>(0, 4), timescale);
        }
        const bool before = invalidated || c.invalidated_in_callback.load();
        st = session->CompleteFrames(t);
        FUZZ_TRACE("CompleteFrames(%s) = %s", t.ToString().c_str(), vtcfuzz::StatusStr(st));
        FUZZ_CHECK(Expected(c, invalidated, before, st, st == Status::kNoErr),
                   "CompleteFrames(%s) = %s", t.ToString().c_str(), vtcfuzz::StatusStr(st));
        if (st == Status::kNoErr) {
          std::lock_guard<std::mutex> lock(c.mu);
          for (const auto& [id, f] : c.frames)
            if (f.accepted && (!t.IsNumeric() || vtc::Compare(f.pts, t) <= 0))
              FUZZ_CHECK(f.answers == 1,
                         "CompleteFrames(%s) returned before frame %llu (PTS %s) was answered",
                         t.ToString().c_str(), static_cast<unsigned long long>(id),
                         f.pts.ToString().c_str());
        }
      } else if (op <= 13) {  // property change
        const char* key = nullptr;
        const Value v = MakeLiveValue(in, &key);
        // delay-after-prepare: MaxFrameDelayCount set after PrepareToEncodeFrames is not applied
        // to the x264 already open, and the next EncodeFrame waits forever.
        if (prepared && vtcfuzz::Known("delay-after-prepare") &&
            std::string(key) == vtc::key::kMaxFrameDelayCount)
          continue;
        const bool before = invalidated || c.invalidated_in_callback.load();
        // A key of the other codec's backend (H264EntropyMode in an HEVC session) is not
        // supported; every key the session lists is.
        const bool listed = supported.count(key) > 0;
        st = session->SetProperty(key, v);
        FUZZ_TRACE("SetProperty(%s, %s) = %s", key, v.ToString().c_str(), vtcfuzz::StatusStr(st));
        FUZZ_CHECK(Expected(c, invalidated, before, st,
                            st == Status::kNoErr || st == Status::kParameterErr ||
                                st == Status::kPropertyReadOnlyErr ||
                                (!listed && st == Status::kPropertyNotSupportedErr)),
                   "SetProperty(%s, %s) = %s", key, v.ToString().c_str(), vtcfuzz::StatusStr(st));
      } else if (op == 14) {
        const bool before = invalidated || c.invalidated_in_callback.load();
        st = session->PrepareToEncodeFrames();
        FUZZ_TRACE("PrepareToEncodeFrames = %s", vtcfuzz::StatusStr(st));
        prepared = prepared || st == Status::kNoErr;
        FUZZ_CHECK(Expected(c, invalidated, before, st,
                            st == Status::kNoErr || st == Status::kParameterErr),
                   "PrepareToEncodeFrames = %s", vtcfuzz::StatusStr(st));
      } else if (op == 15) {  // NumberOfPendingFrames agrees with the answers seen
        int accepted = 0, before = 0;
        {
          std::lock_guard<std::mutex> lock(c.mu);
          accepted = int(c.accepted.size());
          before = c.answered;
        }
        Value v;
        const bool invalid_before = invalidated || c.invalidated_in_callback.load();
        st = session->CopyProperty(vtc::key::kNumberOfPendingFrames, &v);
        std::int64_t pending = -1;
        if (invalid_before ||
            (st == Status::kInvalidSessionErr && c.invalidating_in_callback.load())) {
          FUZZ_CHECK(st == Status::kInvalidSessionErr, "CopyProperty after Invalidate = %s",
                     vtcfuzz::StatusStr(st));
        } else {
          FUZZ_CHECK(st == Status::kNoErr && v.GetInt(&pending), "NumberOfPendingFrames");
          // One frame may be in its callback (counted here as answered, by the session still
          // as pending, or the other way round): callbacks run one at a time.
          std::lock_guard<std::mutex> lock(c.mu);
          FUZZ_CHECK(pending <= accepted - before + 1 && pending >= accepted - c.answered - 1,
                     "NumberOfPendingFrames %lld with %d accepted, %d..%d answered",
                     static_cast<long long>(pending), accepted, before, c.answered);
        }
      } else if (op == 16) {
        const bool before = invalidated || c.invalidated_in_callback.load();
        vtc::PixelBufferPoolRef pool = session->GetPixelBufferPool();
        const bool after = invalidated || c.invalidating_in_callback.load();
        FUZZ_CHECK(before ? !pool : (pool || after), "GetPixelBufferPool %p, invalidated %d",
                   static_cast<void*>(pool.get()), invalidated);
        if (pool) pools.push_back(pool);
      } else if (op == 17) {
        c.reentry = in.ConsumeIntegralInRange<int>(0, 15);
      } else {  // Invalidate (idempotent)
        session->Invalidate();
        FUZZ_TRACE("Invalidate");
        c.closed = true;
        invalidated = true;
        CheckAllAnswered(c, "Invalidate");
      }
    }
    // The last reference goes: that invalidates.
    c.session = nullptr;
    session.reset();
    FUZZ_TRACE("session released");
    c.closed = true;
    CheckAllAnswered(c, "the last release");
  }

  void Encode(Ctx& c, vtc::CompressionSession* s, std::int32_t timescale, std::int64_t* next_pts,
              bool handler_form, bool invalidated) {
    vtc::PixelBufferRef buf;
    Status made = Status::kNoErr;
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
      case 0:
      case 1:
      case 2: {
        vtc::PixelBufferPoolRef pool = s->GetPixelBufferPool();
        if (pool) {
          made = pool->CreatePixelBuffer(&buf);
          FUZZ_CHECK(made == Status::kNoErr || made == Status::kAllocationFailedErr,
                     "CreatePixelBuffer = %s", vtcfuzz::StatusStr(made));
          pools.push_back(pool);
        }
        break;
      }
      case 3: {  // a pool of our own, maybe of another size or format
        Dictionary a = MakeAttributes(in);
        if (!a.count(vtc::key::kWidth)) a[vtc::key::kWidth] = Value(c.width);
        if (!a.count(vtc::key::kHeight)) a[vtc::key::kHeight] = Value(c.height);
        vtc::PixelBufferPoolRef pool;
        if (vtc::PixelBufferPool::Create(a, &pool) == Status::kNoErr) {
          FUZZ_CHECK(pool, "PixelBufferPool::Create gave no pool");
          made = pool->CreatePixelBuffer(&buf);
          pools.push_back(pool);
        }
        break;
      }
      default:
        buf = MakeWrapped(in, c, &wrapped, &made);
        break;
    }
    if (buf) vtcfuzz::FillPixels(*buf, static_cast<std::uint8_t>(frames));
    if (in.ConsumeIntegralInRange<int>(0, 31) == 0) buf.reset();

    Time pts;
    switch (in.ConsumeIntegralInRange<int>(0, 11)) {
      case 0:
        pts = vtcfuzz::MakeTime(in);
        break;
      case 1:  // the same or an earlier time again
        pts = Time::Make(*next_pts - in.ConsumeIntegralInRange<int>(1, 3), timescale);
        break;
      case 2:  // another timescale
        pts = Time::Make(*next_pts, in.PickValueInArray({1, 25, 1000, 48000, 90000}));
        break;
      default:
        pts = Time::Make(*next_pts, timescale);
        break;
    }
    *next_pts += in.ConsumeIntegralInRange<int>(0, 3) == 0
                     ? in.ConsumeIntegralInRange<std::int64_t>(1, std::int64_t(1) << 40)
                     : 1;
    Time duration;
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
      case 0:
        duration = vtcfuzz::MakeTime(in);
        break;
      case 1:
        duration = Time::Invalid();
        break;
      default:
        duration = Time::Make(1, timescale);
    }
    Dictionary opts;
    const Dictionary* options = nullptr;
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0:
        opts[vtc::key::kForceKeyFrame] = Value(in.ConsumeBool());
        options = &opts;
        break;
      case 1:
        opts[in.ConsumeBool() ? std::string(vtc::key::kForceKeyFrame)
                              : in.ConsumeRandomLengthString(8)] = vtcfuzz::MakeValue(in, {}, 1);
        options = &opts;
        break;
      default:
        break;
    }
    // MaxFrameDelayCount in force for this frame (it cannot change once frames are encoded).
    Value delay_value;
    std::int64_t delay = -1;
    if (s->CopyProperty(vtc::key::kMaxFrameDelayCount, &delay_value) == Status::kNoErr)
      delay_value.GetInt(&delay);

    const std::uint64_t id = next_id++;
    {
      std::lock_guard<std::mutex> lock(c.mu);
      c.frames[id].pts = pts;
    }
    vtc::EncodeInfoFlags flags = 0xdead;
    Status st;
    const int form = in.ConsumeIntegralInRange<int>(0, 15);
    if (handler_form && form != 0) {
      vtc::OutputHandler h;
      if (form != 1)
        h = [&c, id](Status hs, vtc::EncodeInfoFlags f, const vtc::SampleBufferRef& sample) {
          Answer(&c, id, hs, f, sample);
        };
      st = s->EncodeFrameWithOutputHandler(buf, pts, duration, options, &flags, std::move(h));
      if (form == 1) FUZZ_CHECK(st != Status::kNoErr, "an empty handler was accepted");
    } else if (!handler_form && form == 0) {
      st = s->EncodeFrameWithOutputHandler(
          buf, pts, duration, options, &flags,
          [](Status, vtc::EncodeInfoFlags, const vtc::SampleBufferRef&) {
            FUZZ_CHECK(false, "handler of a callback session called");
          });
      FUZZ_CHECK(st != Status::kNoErr, "handler form accepted on a callback session");
    } else {
      st = s->EncodeFrame(buf, pts, duration, options,
                          reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)), &flags);
      if (handler_form) FUZZ_CHECK(st != Status::kNoErr, "callback form on a handler session");
    }
    FUZZ_TRACE("%s #%llu buffer %dx%d %s (%s), pts %s, duration %s%s = %s",
               handler_form ? "EncodeFrameWithOutputHandler" : "EncodeFrame",
               static_cast<unsigned long long>(id), buf ? buf->width() : 0, buf ? buf->height() : 0,
               buf ? vtc::PixelFormatName(buf->pixel_format()).c_str() : "-",
               buf ? (buf->base_address() ? "pool" : "wrapped") : vtcfuzz::StatusStr(made),
               pts.ToString().c_str(), duration.ToString().c_str(), options ? " with options" : "",
               vtcfuzz::StatusStr(st));
    FUZZ_CHECK(IsEncodeStatus(st), "EncodeFrame = %s", vtcfuzz::StatusStr(st));
    if (invalidated) FUZZ_CHECK(st != Status::kNoErr, "EncodeFrame accepted after Invalidate");
    if (!pts.IsNumeric()) FUZZ_CHECK(st != Status::kNoErr, "non-numeric PTS accepted");
    if (!buf) FUZZ_CHECK(st != Status::kNoErr, "null buffer accepted");
    if (st != Status::kNoErr) {
      FUZZ_CHECK(flags == 0 || flags == 0xdead, "refused frame with info flags %u", flags);
      return;
    }
    FUZZ_CHECK((flags & ~vtc::kEncodeInfo_Asynchronous) == 0, "info flags %u", flags);
    std::lock_guard<std::mutex> lock(c.mu);
    c.frames[id].accepted = true;
    c.accepted.push_back(id);
    const std::int64_t n = std::int64_t(c.accepted.size()) - 1;
    // An invalidation from a callback ends EncodeFrame's wait early (the rest is answered as
    // dropped right after).
    if (delay >= 0 && n >= delay && !c.invalidating_in_callback.load()) {
      const FrameRec& f = c.frames[c.accepted[n - delay]];
      FUZZ_CHECK(f.answers == 1,
                 "MaxFrameDelayCount %lld: frame %lld not answered when frame %lld returned",
                 static_cast<long long>(delay), static_cast<long long>(n - delay),
                 static_cast<long long>(n));
    }
  }

  void Finish() {
    // Our own references go; then every buffer is back where it came from.
    for (const auto& w : wrapped)
      FUZZ_CHECK(w->released.load() == (w->created ? 1 : 0),
                 "wrapped buffer (created %d) released %d times", w->created, w->released.load());
    for (const auto& p : pools)
      FUZZ_CHECK(p->outstanding_count() == 0, "%zu buffers not back in their pool",
                 p->outstanding_count());
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vtcfuzz::QuietLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Run run(in);
  for (int i = 0; i < kMaxSessionsPerInput && in.remaining_bytes() > 0; ++i) run.OneSession();
  run.Finish();
  return 0;
}
