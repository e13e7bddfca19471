// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers for the rate-control tests (test_rate_control.cpp): content that behaves like camera
// footage, encoding runs with arbitrary frame timing, and measurements on the output (bitrate
// from PTS and duration, sliding windows in decode time, QP, key-frame distances).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "test_util.h"

namespace vtctest {

// Moving, natural-looking pictures: a noise landscape with detail at every scale panning and
// drifting with sub-pixel motion, three soft textured objects crossing it, film grain that changes
// every frame, and a cut to a new landscape every `scene_frames` frames. Deterministic.
class NaturalSource {
 public:
  NaturalSource(int width, int height, int scene_frames = 120);
  Picture Frame(int index);

 private:
  void BuildScene(int scene);

  int width_, height_, scene_frames_;
  int tex_w_, tex_h_;
  int scene_ = -1;
  std::vector<float> luma_, cb_, cr_;  // the current scene's landscape, tex_w_ x tex_h_
};

// One sample as the rate-control checks need it; times in seconds.
struct Coded {
  double pts = 0, dts = 0, duration = 0;
  std::size_t bytes = 0;
  int qp = -1;
  bool sync = false;
  vtc::SampleBufferRef sample;
};

// What a run produced, in decode order.
struct EncodedRun {
  std::vector<Coded> frames;
  int answered = 0, errors = 0;
  double seconds = 0;  // from the first PTS to the last PTS + its duration
  double kbps() const;
  std::size_t bytes() const;
  // Bytes with PTS in [from, to) seconds, as kbit/s over that span.
  double KbpsBetween(double from, double to) const;
};

// Frame timing: the duration of frame i in seconds (constant or variable frame rate).
using Timing = std::function<double(int)>;
Timing ConstantRate(double fps);
// Durations that vary frame to frame (between 1/60 s and 1/15 s, deterministic) around an
// average of about 1/30 s.
Timing VariableRate();

// Encodes `frames` pictures from `picture(i)` at w x h (NV12, pool buffers), timestamps in
// microseconds from `timing`, with `props`; then CompleteFrames. `before_frame(i, session)`, if
// set, runs before frame i is submitted (mid-stream property changes). H.264 unless `codec`.
EncodedRun EncodeRun(int w, int h, const vtc::Dictionary& props, int frames,
                     const std::function<Picture(int)>& picture, const Timing& timing,
                     const std::function<void(int, vtc::CompressionSession&)>& before_frame = {},
                     vtc::CodecType codec = vtc::kCodecType_H264);

// Most bytes in any window [t, t + seconds) in decode time, windows starting at each DTS.
std::size_t MaxWindowBytes(const EncodedRun& run, double seconds);
// Fewest bytes in any such window that lies wholly inside the stream.
std::size_t MinWindowBytes(const EncodedRun& run, double seconds);

// Largest PTS distance in seconds and in frames between consecutive sync samples (and from the
// last one to the end of the stream).
struct KeyGaps {
  double max_seconds = 0;
  int max_frames = 0;
  int syncs = 0;
};
KeyGaps KeyFrameGaps(const EncodedRun& run);

// The QP of the first slice of an AVCC sample (26 + pic_init_qp_minus26 + slice_qp_delta),
// parsed with the SPS and PPS of its format description: what a decoder sees. -1 if it cannot
// be parsed (ADD_FAILURE says why).
int SliceQp(const vtc::SampleBufferRef& sample);

}  // namespace vtctest
