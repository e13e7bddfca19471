// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the session tests (tests/session/*.cpp): test pictures, buffers, an output
// collector, AVCC/Annex-B handling, decoding with ffmpeg and PSNR.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vtcompress/vtcompress.h"

namespace vtctest {

// Deterministic moving picture: frame i of a w x h picture, as three 8-bit planes (I420 layout,
// chroma (w+1)/2 x (h+1)/2).
struct Picture {
  int width = 0, height = 0;
  std::vector<uint8_t> y, u, v;

  int chroma_width() const { return (width + 1) / 2; }
  int chroma_height() const { return (height + 1) / 2; }
  uint8_t Y(int x, int yy) const { return y[size_t(yy) * size_t(width) + size_t(x)]; }
};

// An all-zero picture of that size.
Picture MakeBlankPicture(int width, int height);

// Smooth gradients, a moving textured square and a little noise seeded by the frame index. It
// compresses well at default quality (PSNR > 40 dB typical) yet is not trivially flat.
Picture MakeMovingPicture(int width, int height, int frame_index);

// Copy a Picture into a buffer of any supported format ('420v'/'420f' NV12 with interleaved UV,
// 'y420' I420), honouring bytes_per_row. The sizes must match (ADD_FAILURE otherwise).
void CopyPictureInto(const Picture& pic, const vtc::PixelBufferRef& buffer);

// Read a buffer back into a Picture.
Picture ReadPicture(const vtc::PixelBufferRef& buffer);

// A wrapped buffer over heap memory it owns (freed by the release callback), with bytes_per_row =
// row bytes + stride_pad, holding pic. If release_count is non-null it is incremented when the
// release callback runs. Returns null (with ADD_FAILURE) if the buffer could not be made.
vtc::PixelBufferRef MakeWrappedBuffer(const Picture& pic, vtc::PixelFormatType format,
                                      int stride_pad, std::atomic<int>* release_count = nullptr);

// Gets a buffer from the session's pool and fills it with pic (failures via gtest ADD_FAILURE;
// returns null on failure).
vtc::PixelBufferRef MakePoolBuffer(vtc::CompressionSession& session, const Picture& pic);

// One output callback (or handler call), as seen by a Collector.
struct Output {
  void* refcon = nullptr;
  vtc::Status status = vtc::Status::kNoErr;
  vtc::EncodeInfoFlags flags = 0;
  vtc::SampleBufferRef sample;
  std::thread::id thread;
};

// Collects output callbacks (thread-safe). Use `Collector::Callback` as the session's
// OutputCallback and the Collector* as outputCallbackRefCon.
class Collector {
 public:
  static void Callback(void* output_refcon, void* frame_refcon, vtc::Status status,
                       vtc::EncodeInfoFlags flags, const vtc::SampleBufferRef& sample);

  // A handler for EncodeFrameWithOutputHandler that records `refcon` as the frame's refcon.
  vtc::OutputHandler Handler(void* refcon);

  std::vector<Output> outputs() const;  // copy, in callback order
  size_t count() const;
  // Waits (on a condition variable) until at least n outputs have arrived; false on timeout.
  bool WaitForCount(size_t n, std::chrono::milliseconds timeout);
  std::vector<vtc::SampleBufferRef> samples() const;  // non-null samples in order
  void Add(Output o);                                 // used by Callback and by handler-form tests
  void Clear();

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Output> outputs_;
};

// Annex-B stream from samples: AVCC/HVCC 4-byte lengths -> 00 00 00 01, the parameter sets (from
// the sample's format description: H.264's SPS and PPS, HEVC's every hvcC set) before every sync
// sample.
std::vector<uint8_t> ToAnnexB(const std::vector<vtc::SampleBufferRef>& samples);

// Split one AVCC sample into its NAL units (without length prefixes). Checks that the 4-byte
// lengths add up exactly to the sample size and that no NAL unit is empty (ADD_FAILURE otherwise;
// the units parsed before the problem are returned).
std::vector<std::vector<uint8_t>> SplitAvcc(const vtc::SampleBufferRef& sample);

// Parse the NAL unit types of one AVCC sample (checks the lengths add up exactly; ADD_FAILURE
// otherwise).
std::vector<int> NalTypes(const vtc::SampleBufferRef& sample);

// Path of ffmpeg: env VTC_FFMPEG, else "ffmpeg" (looked up in PATH). ffprobe is taken from the
// same directory.
std::string FfmpegPath();
std::string FfprobePath();
// True if `ffmpeg -version` runs successfully (cached).
bool FfmpegAvailable();

// Decode an Annex-B H.264 stream with ffmpeg to raw 8-bit 4:2:0 frames, in presentation order.
// Temp files go to a mkdtemp directory that is removed afterwards. Returns false (with a message
// in *error) if ffmpeg or ffprobe fails, writes anything at -v error (decode errors), or gives a
// pixel format other than yuv420p/yuvj420p.
struct Decoded {
  int width = 0, height = 0;
  std::vector<Picture> frames;
  std::string profile;      // as ffprobe names it: "Constrained Baseline", "Main", "High", ...
  int level = 0;            // level_idc, e.g. 31
  std::string pix_fmt;      // "yuv420p" or "yuvj420p"
  std::string color_range;  // "tv", "pc" or "unknown"
  // VUI as ffprobe names it ("bt709", "smpte170m", ..., "unknown"), and the sample aspect ratio
  // ("1:1", "4:3", or "N/A" / "0:1" when absent).
  std::string color_primaries, color_transfer, color_space, sample_aspect_ratio;
};
// `demuxer` is ffmpeg's name of the stream's format: "h264" or "hevc".
bool DecodeAnnexB(const std::vector<uint8_t>& annexb, Decoded* out, std::string* error,
                  const char* demuxer = "h264");

// PSNR (dB) of the luma plane, and of all three planes together, comparing the top-left
// width x height region of `decoded` against `source` (decoded may be larger, e.g. odd sizes
// coded at even size). Identical -> 100.
double PsnrY(const Picture& source, const Picture& decoded);
double Psnr(const Picture& source, const Picture& decoded);

// Convenience: create a session (H.264 unless `codec` says otherwise) with a Collector; source
// attributes from format (PixelFormatType) and optional extra properties; ASSERT-friendly (returns
// null + ADD_FAILURE on error).
std::shared_ptr<vtc::CompressionSession> MakeSession(int w, int h, vtc::PixelFormatType fmt,
                                                     Collector* collector,
                                                     const vtc::Dictionary& properties = {},
                                                     vtc::CodecType codec = vtc::kCodecType_H264);

// PTS of frame i at 30 fps, and one frame's duration.
inline vtc::Time FramePts(int i) {
  return vtc::Time::Make(i, 30);
}
inline vtc::Time FrameDuration() {
  return vtc::Time::Make(1, 30);
}

// A refcon that encodes a small integer (never null for i >= 0), and back.
inline void* RefconFor(int i) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>(i) + 1);
}
inline int IndexOfRefcon(void* refcon) {
  return static_cast<int>(reinterpret_cast<uintptr_t>(refcon)) - 1;
}

}  // namespace vtctest
