// SPDX-License-Identifier: GPL-2.0-or-later
// The internal interface between the session and a codec backend's encoder (x264, x265;
// backend.h registers them). An encoder is used by one thread at a
// time: the session's worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "log_internal.h"
#include "properties.h"
#include "roi.h"
#include "sei.h"
#include "speed_governor.h"
#include "vtcompress/pixel_buffer.h"
#include "vtcompress/sample_buffer.h"

namespace vtc {

// Which multi-pass role an x264 instance has (CompressionSession::BeginPass).
enum class PassMode { kNone, kFirst, kFinal };

struct StreamInfo {
  int width = 0, height = 0;  // as given to the session
  PixelFormatType pixel_format = kPixelFormat_420YpCbCr8BiPlanarVideoRange;  // fed to Encode
  // The source's format, before the pixel transfer (RGB sources: the VUI names the matrix the
  // transfer used).
  PixelFormatType source_format = kPixelFormat_420YpCbCr8BiPlanarVideoRange;
  std::int32_t timescale = 0;  // of the timestamps passed to Encode
  double fps = 0;              // best guess, for VUI and rate control
  // Multi-pass: kFirst writes x264 statistics to stats_path, kFinal reads them.
  PassMode pass = PassMode::kNone;
  std::string stats_path;
};

struct InputFrame {
  PixelBuffer* buffer = nullptr;  // planes read during Encode only
  std::int64_t pts = 0;           // in StreamInfo::timescale units, strictly increasing
  bool force_keyframe = false;
  // Start an intra-refresh wave with this frame (only when IntraRefresh() is true).
  bool force_intra_refresh = false;
  std::uint64_t id = 0;  // returned on the matching EncodedFrame
  // Non-null when mutable properties changed since the previous frame: apply from this frame.
  const EncoderConfig* reconfigure = nullptr;
  // >= 0: RealTime's governor asks for this speed level (SpeedLevelCosts) from this frame on.
  int speed_level = -1;
  // RegionsOfInterest of this picture (null: none), valid during Encode.
  const std::vector<RegionOfInterest>* regions = nullptr;
  // SEIPayloads for an encoder that WritesSei() (null: none), valid during Encode.
  const std::vector<SeiPayload>* sei = nullptr;
};

struct EncodedFrame {
  Data data;  // AVCC or HVCC: NAL units with 4-byte lengths
  std::int64_t pts = 0, dts = 0;
  std::uint64_t id = 0;
  enum class Type { kIDR, kI, kP, kBRef, kB } type = Type::kP;
  int qp = -1;
  bool has_mse = false;
  double mse[3] = {0, 0, 0};  // Y, Cb, Cr
};

// The frame type for a library's own (X264_TYPE_* and X265_TYPE_* share their values: IDR 1,
// I 2, P 3, BREF 4, B 5; anything else counts as P).
inline EncodedFrame::Type FrameTypeFromLibrary(int type) {
  switch (type) {
    case 1:
      return EncodedFrame::Type::kIDR;
    case 2:
      return EncodedFrame::Type::kI;
    case 4:
      return EncodedFrame::Type::kBRef;
    case 5:
      return EncodedFrame::Type::kB;
    default:
      return EncodedFrame::Type::kP;
  }
}

class VideoEncoder {
 public:
  virtual ~VideoEncoder() = default;
  // Checks what can be checked without opening (level limits, sizes); kParameterErr + *why.
  virtual Status Validate(const EncoderConfig& config, const StreamInfo& stream,
                          std::string* why) const = 0;
  virtual Status Open(const EncoderConfig& config, const StreamInfo& stream, std::string* why) = 0;
  virtual bool IsOpen() const = 0;
  virtual void Close() = 0;
  // frame == nullptr: one drain step. Appends finished frames to *out in decode order.
  virtual Status Encode(const InputFrame* frame, std::vector<EncodedFrame>* out) = 0;
  virtual int DelayedFrames() const = 0;
  virtual int MaxDelayedFrames() const = 0;
  // Worst-case frames between input and output (delay plus B-frame reordering), and the
  // reorder depth in frames (0 without B-frames).
  virtual int OutputLag() const = 0;
  virtual int ReorderDepth() const = 0;
  // After a drain step the encoder cannot take new frames and must be reopened.
  virtual bool Exhausted() const = 0;
  // Whether the open encoder refreshes the picture by waves of intra blocks (IntraRefresh):
  // then it places the periodic refreshes itself and takes force_intra_refresh.
  virtual bool IntraRefresh() const = 0;
  virtual FormatDescriptionRef format_description() const = 0;
  // RealTime's speed levels (speed_governor.h), fastest first: each one's encode time relative
  // to the slowest; empty if the backend has none. The level the encoder opens with, and each
  // level's name for logs.
  virtual std::vector<double> SpeedLevelCosts() const = 0;
  virtual int StartSpeedLevel() const = 0;
  virtual const char* SpeedLevelName(int level) const = 0;
  // How the governor moves between those levels (x265: slowly up, since a change costs an IDR).
  virtual SpeedGovernorTuning SpeedTuning() const { return SpeedGovernorTuning(); }
  // True once after an Encode in which the encoder opened a new instance by itself (x265's level
  // change): that call's time is the new instance's start, not the level's pace.
  virtual bool TakeReopened() { return false; }
  // Whether the encoder writes InputFrame::sei into the frame's access unit itself, inside its
  // rate control (x264's extra_sei: counted in VBV and NAL HRD, filler included). Otherwise the
  // session inserts them into the sample afterwards (sei.h), outside the encoder's accounting.
  virtual bool WritesSei() const { return false; }
  virtual const StreamInfo& stream() const = 0;
  // Whether `next` (a config the backend's change rule would reconfigure to) needs a new instance
  // after all, for what only the open encoder knows (x265: a bit rate beyond the level it was
  // opened at). The session then drains, and the next frame is an IDR.
  virtual bool NeedsRestart(const EncoderConfig& next) const {
    (void)next;
    return false;
  }
};

}  // namespace vtc
