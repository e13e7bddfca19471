// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers for the vth264enc GstHarness tests: deterministic test pictures, a recorder for
// everything the element pushes, and checks on the H.264 it produces.
#pragma once

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "h264_bits.h"

namespace vtt {

constexpr const char* kElement = "vth264enc";

// The raw video the tests push.
struct Input {
  GstVideoFormat format = GST_VIDEO_FORMAT_I420;
  int width = 320;
  int height = 240;
  int fps_n = 30;
  int fps_d = 1;
  GstClockTime start = GST_SECOND;  // PTS of frame 0
  int noise = 3;  // amplitude of fresh per-frame noise on top of the moving picture

  GstVideoInfo Info() const;
  std::string Caps() const;
  GstClockTime Duration() const;
  GstClockTime Pts(int index) const;
  // The index of the frame with this PTS, or -1.
  int IndexOf(GstClockTime pts) const;
};

// The small picture most cases push: 160x96 at 30 fps.
inline Input Small(GstVideoFormat format = GST_VIDEO_FORMAT_I420) {
  Input in;
  in.format = format;
  in.width = 160;
  in.height = 96;
  return in;
}

// Draws picture `index` (a texture that moves smoothly, plus fresh noise) into a mapped frame.
void FillFrame(GstVideoFrame* frame, int index, int noise);
// Fills a buffer laid out as `info` describes, or as its GstVideoMeta says when it has one.
void FillBuffer(GstBuffer* buffer, const GstVideoInfo& info, int index, int noise);
// A new system-memory buffer of info.size bytes holding frame `index`, with PTS and duration.
GstBuffer* MakeFrame(const Input& in, int index);

struct OutBuf {
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  GstClockTime dts = GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
  guint flags = 0;
  std::vector<uint8_t> data;
  int caps_index = -1;       // into Recorder::caps
  int epoch = 0;             // number of FLUSH_STOP events seen before this buffer
  gint64 segment_start = 0;  // start of the segment in effect
  gint64 segment_base = 0;   // and its base
  bool keyframe() const { return (flags & GST_BUFFER_FLAG_DELTA_UNIT) == 0; }
  // Running time of a timestamp in that segment (rate 1), signed: a DTS may come before the
  // segment's start by the reorder delay.
  gint64 Running(GstClockTime t) const { return segment_base + (gint64(t) - segment_start); }
};

// Records, in order, every buffer and event that reaches the harness's sink pad (a pad probe, so
// buffers and events stay interleaved, whichever thread pushes them).
class Recorder {
 public:
  explicit Recorder(GstPad* pad);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Snapshots (copies) taken under the lock.
  std::vector<OutBuf> Buffers();
  size_t NumBuffers();
  std::vector<GstCaps*> Caps();  // borrowed: valid while the recorder lives
  std::vector<std::string> EventNames();
  int CountForceKeyUnit();

 private:
  static GstPadProbeReturn Probe(GstPad* pad, GstPadProbeInfo* info, gpointer user_data);

  GstPad* pad_;
  gulong probe_id_ = 0;
  std::mutex mu_;
  std::vector<OutBuf> bufs_;
  std::vector<GstCaps*> caps_;
  std::vector<std::string> events_;
  int force_key_units_ = 0;
  int epoch_ = 0;
  gint64 segment_start_ = 0;
  gint64 segment_base_ = 0;
};

// A GstHarness around one vth264enc (properties as in gst-launch: "bitrate=500 quality=0.2"),
// the given input caps and optional downstream caps, plus a Recorder.
class Enc {
 public:
  Enc(const std::string& props, const Input& in, const char* sink_caps = nullptr);
  ~Enc();
  Enc(const Enc&) = delete;
  Enc& operator=(const Enc&) = delete;

  GstHarness* h() const { return h_; }
  GstElement* element() const { return enc_; }  // the vth264enc inside the harness
  Recorder& rec() { return *rec_; }
  Input& input() { return in_; }

  // Pushes frames [first, first + count) and expects GST_FLOW_OK for each.
  void Push(int first, int count);
  void PushBuffer(GstBuffer* buffer);
  void Eos();
  // Sends new input caps (mid-stream renegotiation).
  void SetInput(const Input& in);

 private:
  GstHarness* h_;
  GstElement* enc_;
  std::unique_ptr<Recorder> rec_;
  Input in_;
};

// Encodes `count` frames and EOS with these settings; returns what came out.
std::vector<OutBuf> EncodeAll(const std::string& props, const Input& in, int count,
                              const char* sink_caps = nullptr);

// Caps helpers.
std::string CapsString(const GstCaps* caps, const char* field);  // "" when missing
int CapsInt(const GstCaps* caps, const char* field);             // -1 when missing
bool CapsCodecData(const GstCaps* caps, std::vector<uint8_t>* out);
std::string CapsToString(const GstCaps* caps);
// Fails the test unless the caps' string field `field` is `want`.
void ExpectField(const GstCaps* caps, const char* field, const std::string& want);

// Splits one output buffer according to the stream format; fails the test if it is malformed.
std::vector<h264::Nal> SplitOrFail(const OutBuf& b, bool avc);
bool HasNal(const std::vector<h264::Nal>& nals, int type);

// Total payload bytes of the buffers whose PTS belongs to frames [first, last).
size_t BytesInRange(const std::vector<OutBuf>& bufs, const Input& in, int first, int last);
// Indices (by PTS) of the key frames, sorted.
std::vector<int> KeyframeIndices(const std::vector<OutBuf>& bufs, const Input& in);
// DTS valid, non-decreasing and <= PTS; PTS valid.
void CheckTimestamps(const std::vector<OutBuf>& bufs);
// The same in running time, across segments: DTS increase strictly and never pass their PTS.
void CheckRunningTimestamps(const std::vector<OutBuf>& bufs);

// Decodes `bufs` (sent with `caps`) with avdec_h264 and compares each picture's luma with the
// source picture of the same PTS. Returns the lowest PSNR in dB (100 for identical) and the number
// of decoded pictures in *decoded.
double MinLumaPsnr(const std::vector<OutBuf>& bufs, GstCaps* caps, const Input& in, int* decoded);

// The encoder's min latency as reported through the harness (LATENCY query).
GstClockTime QueryLatency(GstHarness* h);

// Counts the buffers that pass pad `pad` of the element named `name` in `bin` (a probe that lives
// as long as the pad; `count` must outlive the pipeline's streaming).
void CountBuffers(GstElement* bin, const char* name, const char* pad, std::atomic<int>* count);

// One gst-check case: its name (as GST_CHECKS selects it) and its function.
struct CaseEntry {
  const char* name;
  TFun fn;
};
#define VTT_CASE(f) \
  vtt::CaseEntry {  \
#f, f           \
  }
// The cases defined in test_vth264enc_streams.cpp, part of the gst-vth264enc binary.
const std::vector<CaseEntry>& StreamCases();

// The main() of every test binary: runs `cases` as the gst-check suite `suite`. A GST_CHECKS that
// names no case would run nothing and pass, so an unknown name is an error (exit status 1).
int RunCases(const char* suite, const std::vector<CaseEntry>& cases, int argc, char** argv);

struct ErrorText {
  std::string message, debug;
};

// Sets `pipeline` PLAYING, waits for EOS or ERROR and sets it to NULL; returns the ERROR messages
// in order. A hang fails the test after 60 s (no timing threshold: a pass never waits that long).
std::vector<ErrorText> PlayToEnd(GstElement* pipeline);

// A bus of its own on one element, and what the element posted on it.
class BusWatch {
 public:
  explicit BusWatch(GstElement* element);
  ~BusWatch();
  BusWatch(const BusWatch&) = delete;
  BusWatch& operator=(const BusWatch&) = delete;

  // Takes every message posted so far into errors, warnings and qos.
  void Collect();
  // Collect(), then the error messages so far.
  std::vector<std::string> ErrorMessages();

  std::vector<ErrorText> errors;
  std::vector<std::string> warnings;
  int qos = 0;  // frames finished as dropped

 private:
  GstElement* element_;
  GstBus* bus_;
};

}  // namespace vtt
