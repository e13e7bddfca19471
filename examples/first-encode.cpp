// SPDX-License-Identifier: GPL-2.0-or-later
// first-encode: the smallest complete program on the session, as a model to start from.
// It encodes 90 frames (3 s) of a moving gradient at 640x360 into H.264 and writes an Annex B file
// that any player opens:
//
//   first-encode out.h264 && ffplay out.h264
//
// The cycle is VideoToolbox's: Create a session with source buffer attributes, set properties,
// take buffers from the session's pool and fill them, EncodeFrame, receive each compressed
// sample in the output callback (on the session's thread, in decode order), CompleteFrames to
// drain, Invalidate. Build: g++ -std=c++17 first-encode.cpp $(pkg-config --cflags --libs
// vtcompress) vtc-encode.cpp is the full tool (files in, every option); this is the shape of it.

#include <cstdint>
#include <cstdio>
#include <vector>

#include "vtcompress/vtcompress.h"

namespace {

constexpr int kWidth = 640, kHeight = 360, kFrames = 90, kFps = 30;

struct Output {
  std::FILE* file = nullptr;
  int samples = 0, failures = 0;
};

void WriteAnnexB(std::FILE* f, const std::uint8_t* nal, std::size_t size) {
  static const std::uint8_t kStartCode[] = {0, 0, 0, 1};
  std::fwrite(kStartCode, 1, sizeof kStartCode, f);
  std::fwrite(nal, 1, size, f);
}

// The output callback: one compressed frame, AVCC (4-byte lengths), parameter sets in the
// format description. A key frame gets SPS and PPS in front so the file plays from anywhere.
void OnOutput(void* refcon, void* /*frame_refcon*/, vtc::Status status, vtc::EncodeInfoFlags flags,
              const vtc::SampleBufferRef& sample) {
  auto* out = static_cast<Output*>(refcon);
  if (status != vtc::Status::kNoErr || !sample) {
    if (!(flags & vtc::kEncodeInfo_FrameDropped)) ++out->failures;
    return;
  }
  if (sample->IsSync()) {
    for (std::size_t i = 0;; ++i) {
      const std::uint8_t* ps = nullptr;
      std::size_t size = 0, count = 0;
      if (sample->format_description()->GetH264ParameterSetAtIndex(i, &ps, &size, &count,
                                                                   nullptr) != vtc::Status::kNoErr)
        break;
      WriteAnnexB(out->file, ps, size);
    }
  }
  const vtc::Data& d = sample->data();
  for (std::size_t at = 0; at + 4 <= d.size();) {
    const std::size_t len = (std::size_t(d[at]) << 24) | (std::size_t(d[at + 1]) << 16) |
                            (std::size_t(d[at + 2]) << 8) | std::size_t(d[at + 3]);
    if (len > d.size() - at - 4) break;
    WriteAnnexB(out->file, d.data() + at + 4, len);
    at += 4 + len;
  }
  ++out->samples;
}

// Frame i: a gradient that moves, written into the buffer's three planes (I420).
void Fill(const vtc::PixelBufferRef& b, int i) {
  for (std::size_t p = 0; p < 3; ++p) {
    std::uint8_t* base = b->base_address_of_plane(p);
    for (int y = 0; y < b->height_of_plane(p); ++y) {
      std::uint8_t* row = base + std::size_t(y) * b->bytes_per_row_of_plane(p);
      for (int x = 0; x < b->width_of_plane(p); ++x)
        row[x] = p == 0 ? std::uint8_t(x + y + 4 * i) : std::uint8_t(128 + (p == 1 ? i : -i));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT.h264\n", argv[0]);
    return 2;
  }
  Output out;
  out.file = std::fopen(argv[1], "wb");
  if (!out.file) {
    std::perror(argv[1]);
    return 1;
  }

  // The pool's buffers: I420 at the session's size.
  const vtc::Dictionary attributes = {
      {vtc::key::kPixelFormatType, vtc::Value(vtc::kPixelFormat_420YpCbCr8Planar)},
      {vtc::key::kWidth, vtc::Value(kWidth)},
      {vtc::key::kHeight, vtc::Value(kHeight)},
  };
  vtc::CompressionSessionRef session;
  vtc::Status st = vtc::CompressionSession::Create(kWidth, kHeight, vtc::kCodecType_H264, nullptr,
                                                   &attributes, OnOutput, &out, &session);
  if (st != vtc::Status::kNoErr) {
    std::fprintf(stderr, "VTCompressionSessionCreate: %s\n", vtc::StatusName(st));
    return 1;
  }
  session->SetProperty(vtc::key::kAverageBitRate, vtc::Value(1500000));  // bit/s
  session->SetProperty(vtc::key::kExpectedFrameRate, vtc::Value(kFps));
  session->SetProperty(vtc::key::kMaxKeyFrameIntervalDuration, vtc::Value(2.0));  // seconds

  for (int i = 0; i < kFrames && st == vtc::Status::kNoErr; ++i) {
    vtc::PixelBufferRef buffer;
    st = session->GetPixelBufferPool()->CreatePixelBuffer(&buffer);
    if (st != vtc::Status::kNoErr) break;
    Fill(buffer, i);
    st = session->EncodeFrame(buffer, vtc::Time::Make(i, kFps), vtc::Time::Make(1, kFps), nullptr,
                              nullptr, nullptr);
  }
  if (st == vtc::Status::kNoErr) st = session->CompleteFrames(vtc::Time::Invalid());
  session->Invalidate();
  std::fclose(out.file);
  if (st != vtc::Status::kNoErr || out.failures) {
    std::fprintf(stderr, "encoding failed: %s, %d frames failed\n", vtc::StatusName(st),
                 out.failures);
    return 1;
  }
  std::printf("%d frames written to %s\n", out.samples, argv[1]);
  return 0;
}
