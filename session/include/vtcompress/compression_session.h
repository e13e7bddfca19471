// SPDX-License-Identifier: GPL-2.0-or-later
// vtc::CompressionSession: Apple's VTCompressionSession on Linux, with x264 doing the coding.
//
// Typical use, as with VideoToolbox:
//
//   std::shared_ptr<vtc::CompressionSession> s;
//   vtc::CompressionSession::Create(1280, 720, vtc::kCodecType_H264, nullptr, &attrs, OnOutput,
//                                   ctx, &s);
//   s->SetProperty(vtc::key::kAverageBitRate, 4000000);
//   s->PrepareToEncodeFrames();                       // optional
//   for (...) s->EncodeFrame(buffer, pts, duration, nullptr, my_frame, nullptr);
//   s->CompleteFrames(vtc::Time::Invalid());          // drain
//   s->Invalidate();                                  // or drop the last reference
//
// THE CONTRACTS (tests/session/ checks each one)
//
// 1. Every accepted frame is answered exactly once. Each EncodeFrame that returns kNoErr leads to
//    exactly one output callback (or handler call) for that frame: with a sample, or with
//    kEncodeInfo_FrameDropped and no sample, or with an error status and no sample. This holds
//    through CompleteFrames, Invalidate, encoder errors and destruction. An EncodeFrame that
//    returns an error never calls back for that frame and does not keep the buffer.
// 2. Order and thread. Callbacks run on the session's own worker thread, in decode order, one at
//    a time, never after Invalidate returns. A callback may SetProperty/CopyProperty on its own
//    session; EncodeFrame and CompleteFrames called from inside a callback return kParameterErr
//    instead of deadlocking (Invalidate from a callback: contract 5). Frames answered as dropped
//    by Invalidate come last, in submission order.
// 3. EncodeFrame is asynchronous and bounded. It retains the buffer, queues the frame and returns
//    (infoFlagsOut gets kEncodeInfo_Asynchronous). It blocks only while the input queue is full
//    (at most kMaxQueuedFrames waiting for the worker, plus what the encoder holds as delay) and
//    to honour MaxFrameDelayCount M: before the call that submits frame N returns, frame N-M has
//    been answered, and so has frame N-D when the open encoder holds fewer frames, D
//    (EncoderFrameDelay), so that the delay a caller reads is the one it gets (D = 0: the frame
//    is answered before EncodeFrame returns, and infoFlagsOut is 0). PTS must be numeric and
//    increase strictly, else kParameterErr.
// 4. CompleteFrames(T) returns after every frame with PTS <= T (every frame, when T is not
//    numeric) has been answered. Frames after T that x264 holds with them are answered too
//    (x264 cannot drain part of its lookahead). The session stays usable and the next frame
//    encoded after a full drain is an IDR.
// 5. Invalidate is idempotent. It waits for a callback in progress, answers every frame not yet
//    answered as dropped (kEncodeInfo_FrameDropped, kNoErr), joins the worker and releases x264
//    and the buffers. Every later call returns kInvalidSessionErr, checked before any argument;
//    GetPixelBufferPool returns null. Dropping the last reference to a session invalidates it.
//    Invalidate from inside an output callback marks the session invalid at once (every later
//    call, from the callback too, returns kInvalidSessionErr; a CompleteFrames waiting elsewhere
//    returns it) and returns; that callback may finish, and right after it returns the worker
//    answers every other frame as dropped, releases x264 and ends, on its own. Those dropped
//    answers are the only callbacks after such an Invalidate. The next Invalidate from outside
//    a callback, or the destructor, joins the ended worker.
// 6. Samples: one access unit each, AVCC with 4-byte lengths, SPS/PPS only in the format
//    description's avcC. Attachments NotSync, DependsOnOthers, IsDependedOnByOthers. PTS and
//    duration exactly as given; DTS always valid, non-decreasing and <= PTS, also with B-frames
//    (the first DTS may come before the first PTS by the reorder delay) and across x264
//    restarts (drains, reconfigurations), where the new instance's first DTS that would fall
//    before the last one take its value (equal: within one x264 instance they increase).
// 7. Properties: unknown key kPropertyNotSupportedErr, read-only key kPropertyReadOnlyErr, wrong
//    type or out of range kParameterErr, and the old value is kept. Keys marked
//    ChangeableBetweenFrames in CopySupportedPropertyDictionary apply to frames submitted after
//    the call, with no drain and no IDR; the others can be set until the first EncodeFrame, and
//    then give kPropertyReadOnlyErr. Setting a key to null restores its default.
// 8. Zero copy. The planes of a buffer (from the pool or wrapped caller memory) in a layout x264
//    takes, of the session's size and the stream's chroma format and depth, go to x264 as they
//    are; x264 imports them into its own frames during the encode call. The exceptions: for odd
//    widths or heights the coded size is the next even size, and the edge column/row is repeated
//    into the buffer's extended pixels when it has them (the pool's buffers do), else into
//    copies of the planes that need it; and the pixel transfer: other layouts, chroma formats,
//    depths and sizes are converted on the worker into a scratch picture first
//    (docs/session.md, "Picture formats"). The buffer is held until its frame is answered
//    (contract 3), or, with the ReleaseSourceBufferOnImport extension key, released on the
//    worker as soon as that encode call has returned, before the frame's callback (frames that
//    never reach x264: skipped, failed or dropped, still release it after their answer).
//
// THREADS: every method may be called from any thread. Callbacks come from one worker thread per
// session. x264 runs its own threads inside the encode call; the log handler may be called from
// them.
#pragma once

#include "vtcompress/export.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vtcompress/keys.h"
#include "vtcompress/log.h"
#include "vtcompress/pixel_buffer.h"
#include "vtcompress/sample_buffer.h"
#include "vtcompress/status.h"
#include "vtcompress/time.h"
#include "vtcompress/value.h"

namespace vtc {

using EncodeInfoFlags = std::uint32_t;
constexpr EncodeInfoFlags kEncodeInfo_Asynchronous = 1u << 0;
constexpr EncodeInfoFlags kEncodeInfo_FrameDropped = 1u << 1;

constexpr int kUnlimitedFrameDelayCount = -1;

// BeginPass flags (VTCompressionSessionOptionFlags).
using PassFlags = std::uint32_t;
// kVTCompressionSessionBeginFinalPass: this pass is the last one; with a storage that holds no
// first-pass statistics it is a plain one-pass encode.
constexpr PassFlags kCompressionSessionBeginFinalPass = 1u << 0;

// Most frames between key frames when neither MaxKeyFrameInterval nor
// MaxKeyFrameIntervalDuration is set (x264's own default keyint): finite, so a stream never goes
// long without a recovery point. EnableLowLatencyRateControl lifts it, as VideoToolbox does.
constexpr int kDefaultMaxKeyFrameInterval = 250;

// VTCompressionOutputCallback. `sample` is null unless the frame was encoded; it may be kept.
using OutputCallback = void (*)(void* output_callback_refcon, void* source_frame_refcon,
                                Status status, EncodeInfoFlags info_flags,
                                const SampleBufferRef& sample);
// VTCompressionOutputHandler.
using OutputHandler =
    std::function<void(Status status, EncodeInfoFlags info_flags, const SampleBufferRef& sample)>;

class SessionImpl;

class VTC_EXPORT CompressionSession {
 public:
  // Frames that may wait for the worker before EncodeFrame blocks.
  static constexpr int kMaxQueuedFrames = 3;

  // VTCompressionSessionCreate. codec_type: one CopyVideoEncoderList lists (kCodecType_H264),
  // else kCouldNotFindVideoEncoderErr. width/height 1..16384. encoder_specification (may be
  // null): EncoderID (one of that codec's in CopyVideoEncoderList, else
  // kCouldNotFindVideoEncoderErr), Enable-/RequireHardwareAcceleratedVideoEncoder (Require = true
  // gives kCouldNotFindVideoEncoderErr: there is no hardware encoder), EnableLowLatencyRateControl.
  // source_image_buffer_attributes (may be null) describes the pool of GetPixelBufferPool; see
  // PixelBufferPool::Create (Width and Height default to the session's). output_callback may be
  // null only if every frame is submitted with EncodeFrameWithOutputHandler.
  static Status Create(int width, int height, CodecType codec_type,
                       const Dictionary* encoder_specification,
                       const Dictionary* source_image_buffer_attributes,
                       OutputCallback output_callback, void* output_callback_refcon,
                       std::shared_ptr<CompressionSession>* session_out);

  ~CompressionSession();
  CompressionSession(const CompressionSession&) = delete;
  CompressionSession& operator=(const CompressionSession&) = delete;

  // VTCompressionSessionEncodeFrame. `frame_properties` may hold ForceKeyFrame (bool) and the
  // extensions ForceIntraRefresh (bool) and SEIPayloads (user data SEI for this frame; keys.h).
  // `duration` may be invalid. `info_flags_out` may be null.
  Status EncodeFrame(const PixelBufferRef& image_buffer, Time pts, Time duration,
                     const Dictionary* frame_properties, void* source_frame_refcon,
                     EncodeInfoFlags* info_flags_out);
  // VTCompressionSessionEncodeFrameWithOutputHandler; only for sessions created without a
  // callback (kParameterErr otherwise, and an empty handler is kParameterErr too).
  Status EncodeFrameWithOutputHandler(const PixelBufferRef& image_buffer, Time pts, Time duration,
                                      const Dictionary* frame_properties,
                                      EncodeInfoFlags* info_flags_out, OutputHandler handler);

  // VTCompressionSessionCompleteFrames. Not numeric (invalid, indefinite, +inf) means all.
  Status CompleteFrames(Time complete_until_presentation_time_stamp);
  // VTCompressionSessionInvalidate.
  void Invalidate();
  // VTCompressionSessionPrepareToEncodeFrames: opens x264 now (checking the configuration,
  // e.g. a level the size cannot fit gives kParameterErr) instead of at the first frame.
  // x264 is opened assuming timestamps in nanoseconds (timescale 1000000000) and the
  // ExpectedFrameRate; a first frame with another timescale (or, without ExpectedFrameRate, a
  // duration) opens it once more, which is correct but costs the work of the first open.
  Status PrepareToEncodeFrames();
  // VTCompressionSessionGetPixelBufferPool; null once invalidated.
  PixelBufferPoolRef GetPixelBufferPool();

  // VTSessionSetProperty / SetProperties / CopyProperty / CopySupportedPropertyDictionary.
  // SetProperties applies keys in order and stops at the first failure (earlier ones stay set).
  Status SetProperty(const std::string& key, const Value& value);
  Status SetProperties(const Dictionary& properties);
  Status CopyProperty(const std::string& key, Value* value_out);
  Status CopySupportedPropertyDictionary(Dictionary* out);

  // MULTI-PASS (VTCompressionSessionBeginPass / EndPass / GetTimeRangesForNextPass). Set
  // MultiPassStorage (multipass_storage.h) and AverageBitRate before the first frame, then run
  // passes: BeginPass, EncodeFrame the frames, EndPass. Without a storage (or with a closed
  // one) the three verbs return kMultiPassStorageInvalidErr.
  // - x264 two-pass ABR: the first pass (fast analysis) writes statistics to the storage's
  //   file; EndPass reports *further_passes_requested = true. The next pass reads them and is
  //   the final one (false). A storage that already holds complete first-pass statistics (see
  //   ReuseFirstPass) makes the first BeginPass the final pass. Further BeginPass calls after the
  //   final pass read the same statistics again.
  // - Multi-pass needs AverageBitRate and no ConstantBitRate: BeginPass gives kParameterErr
  //   otherwise, and so does a property change during a pass that leaves ABR, would need a new
  //   x264 instance (including AllowTemporalCompression) or replaces the MultiPassStorage. The
  //   VBV cap of AverageBitRate (maxrate = bitrate, 2 s buffer) stays on in both passes: without
  //   it two passes overshot short clips by up to 3%.
  // - A pass whose x264 fails (or cannot open with the statistics) answers the rest of its
  //   frames with kVTVideoEncoderMalfunctionErr without restarting x264; EndPass returns it.
  // - The pass uses the storage set when BeginPass ran. EndPass always ends the pass (every
  //   frame answered); if that storage was closed meanwhile it returns
  //   kMultiPassStorageInvalidErr and records nothing.
  // - Every pass must receive the same frames with the same timestamps; each pass's PTS start
  //   afresh (they must increase within a pass). A final pass that gets more frames than the
  //   first refuses the extra ones with kMultiPassStorageIdentifierMismatchErr; fewer makes
  //   EndPass return it (after answering every frame). A size or timescale other than the first
  //   pass's gives it from BeginPass.
  // - Frames outside the storage's time range are answered as dropped in every pass.
  // - Every frame is answered exactly once in each pass. CompleteFrames during a pass drains
  //   x264, which ends the pass's input: later frames of that pass get kParameterErr until
  //   EndPass.
  // BeginPass drains frames submitted before it; flags: 0 or kCompressionSessionBeginFinalPass,
  // else kParameterErr. kParameterErr during a pass.
  Status BeginPass(PassFlags flags);
  // Answers every frame of the pass (it waits for x264), closes x264 (which completes the
  // statistics file) and records the pass. further_passes_requested may be null. kParameterErr
  // outside a pass.
  Status EndPass(bool* further_passes_requested);
  // The time ranges (start included, end excluded) the next pass should encode: after a first
  // pass, the span of its frames (within the storage's range); empty when no further pass was
  // requested. kParameterErr before the first EndPass. The vector is a copy.
  Status GetTimeRangesForNextPass(std::vector<TimeRange>* ranges_out);

  // Messages of this session and its x264 instance go here (see log.h), instead of the default.
  void SetLogHandler(LogHandler handler);

 private:
  explicit CompressionSession(std::unique_ptr<SessionImpl> impl);
  std::unique_ptr<SessionImpl> impl_;
};

using CompressionSessionRef = std::shared_ptr<CompressionSession>;

// VTCopyVideoEncoderList: one entry per encoder, with CodecType, EncoderID, CodecName,
// EncoderName, DisplayName, IsHardwareAccelerated, SupportsFrameReordering. options may be null.
VTC_EXPORT Status CopyVideoEncoderList(const Dictionary* options, Array* list_out);

}  // namespace vtc
