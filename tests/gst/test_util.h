// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers for the encoder elements' GstHarness tests: deterministic test pictures, a recorder for
// everything the element pushes, and checks on the bitstream it produces. The generic cases take
// a Codec (the element and what to know about its bitstream) and are registered once per codec
// in Codecs(); the rest are H.264's (vth264enc).
#pragma once

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <atomic>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "h264_bits.h"
#include "nal_bits.h"

namespace vtt {

// An encoder element under test, and how to read what it produces.
struct Codec {
  const char* id;          // "h264"; the generic cases of every codec but the first are named
                           // "<id>_<case>" (test_<id>_<case> for GST_CHECKS)
  const char* element;     // "vth264enc"
  const char* media_type;  // its src caps' name: "video/x-h264"
  const char* packetized;  // the length-prefixed stream-format, parameter sets in codec_data: "avc"
  const char* parser;      // "h264parse"
  const char* decoder;     // "avdec_h264"
  const char* encoder_id;  // the session's encoder: "org.videolan.x264"
  // Downstream caps that let the encoder reorder frames (a profile with B-frames).
  const char* reordering_caps;
  // The NAL reader: a NAL unit's type from its header's first byte, and what the types mean.
  nal::TypeOf nal_type;
  bool (*is_key_nal)(int type);     // a slice of a key frame (H.264: IDR)
  bool (*is_slice_nal)(int type);   // any coded slice
  std::vector<int> parameter_sets;  // the NAL types a key frame carries in band (SPS, PPS)
  int min_size;                     // the smallest width and height the element takes
  // Properties under which a live bitrate change needs no key frame (x265: no B-frames, since
  // x265 takes live rates through zones only then; with B-frames a change restarts it).
  const char* live_rate_props;

  // "<media_type>,stream-format=<packetized or byte-stream>,alignment=au[,<extra>]".
  std::string Caps(bool packetized, const std::string& extra = "") const;
};

// The codecs the generic cases run for, the first being H.264 (whose case names have no prefix),
// then HEVC (vth265enc, cases named h265_<case>).
const std::vector<const Codec*>& Codecs();
const Codec& H264();
const Codec& H265();
const Codec& CodecAt(int index);  // Codecs()[index]

// In a case registered with VTT_GENERIC_CASE: the codec it runs for (gst-check's loop index).
#define VTT_CODEC (vtt::CodecAt(__i__))

// The H.264 element, for the cases that are H.264's own.
constexpr const char* kElement = "vth264enc";

// The raw video the tests push.
struct Input {
  GstVideoFormat format = GST_VIDEO_FORMAT_I420;
  int width = 320;
  int height = 240;
  int fps_n = 30;
  int fps_d = 1;
  GstClockTime start = GST_SECOND;  // PTS of frame 0
  int noise = 3;           // amplitude of fresh per-frame noise on top of the moving picture
  std::string caps_extra;  // more fields for Caps(): "colorimetry=bt2100-pq,..."

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

// A GstHarness around one encoder element (properties as in gst-launch: "bitrate=500
// quality=0.2"), the given input caps and optional downstream caps, plus a Recorder.
class Enc {
 public:
  Enc(const Codec& codec, const std::string& props, const Input& in,
      const std::string& sink_caps = "");
  // vth264enc.
  Enc(const std::string& props, const Input& in, const char* sink_caps = nullptr);
  ~Enc();
  Enc(const Enc&) = delete;
  Enc& operator=(const Enc&) = delete;

  GstHarness* h() const { return h_; }
  GstElement* element() const { return enc_; }  // the encoder inside the harness
  const Codec& codec() const { return codec_; }
  Recorder& rec() { return *rec_; }
  Input& input() { return in_; }

  // Pushes frames [first, first + count) and expects GST_FLOW_OK for each.
  void Push(int first, int count);
  void PushBuffer(GstBuffer* buffer);
  void Eos();
  // Sends new input caps (mid-stream renegotiation).
  void SetInput(const Input& in);

 private:
  const Codec& codec_;
  GstHarness* h_;
  GstElement* enc_;
  std::unique_ptr<Recorder> rec_;
  Input in_;
};

// Encodes `count` frames and EOS with these settings; returns what came out.
std::vector<OutBuf> EncodeAll(const Codec& codec, const std::string& props, const Input& in,
                              int count, const std::string& sink_caps = "");
std::vector<OutBuf> EncodeAll(const std::string& props, const Input& in, int count,
                              const char* sink_caps = nullptr);  // vth264enc

// Caps helpers.
std::string CapsString(const GstCaps* caps, const char* field);  // "" when missing
int CapsInt(const GstCaps* caps, const char* field);             // -1 when missing
bool CapsCodecData(const GstCaps* caps, std::vector<uint8_t>* out);
std::string CapsToString(const GstCaps* caps);
// Fails the test unless the caps' string field `field` is `want`.
void ExpectField(const GstCaps* caps, const char* field, const std::string& want);

// Splits one output buffer according to the stream format (length-prefixed or Annex B with
// 4-byte start codes); fails the test if it is malformed.
std::vector<nal::Nal> SplitOrFail(const Codec& codec, const OutBuf& b, bool packetized);
std::vector<nal::Nal> SplitOrFail(const OutBuf& b, bool avc);  // H.264
bool HasNal(const std::vector<nal::Nal>& nals, int type);
// A slice of a key frame among `nals`.
bool HasKeyNal(const Codec& codec, const std::vector<nal::Nal>& nals);
// Every parameter set the codec carries in band before a key frame.
bool HasParameterSets(const Codec& codec, const std::vector<nal::Nal>& nals);
// Any of them.
bool HasAnyParameterSet(const Codec& codec, const std::vector<nal::Nal>& nals);

// Total payload bytes of the buffers whose PTS belongs to frames [first, last).
size_t BytesInRange(const std::vector<OutBuf>& bufs, const Input& in, int first, int last);
// Indices (by PTS) of the key frames, sorted.
std::vector<int> KeyframeIndices(const std::vector<OutBuf>& bufs, const Input& in);
// DTS valid, non-decreasing and <= PTS; PTS valid.
void CheckTimestamps(const std::vector<OutBuf>& bufs);
// The same in running time, across segments: DTS increase strictly and never pass their PTS.
void CheckRunningTimestamps(const std::vector<OutBuf>& bufs);

// Decodes `bufs` (sent with `caps`) with the codec's decoder and compares each picture's luma with
// the source picture of the same PTS. Returns the lowest PSNR in dB (100 for identical) and the
// number of decoded pictures in *decoded.
double MinLumaPsnr(const Codec& codec, const std::vector<OutBuf>& bufs, GstCaps* caps,
                   const Input& in, int* decoded);
double MinLumaPsnr(const std::vector<OutBuf>& bufs, GstCaps* caps, const Input& in,
                   int* decoded);  // H.264

// The encoder's min latency as reported through the harness (LATENCY query).
GstClockTime QueryLatency(GstHarness* h);

// Counts the buffers that pass pad `pad` of the element named `name` in `bin` (a probe that lives
// as long as the pad; `count` must outlive the pipeline's streaming).
void CountBuffers(GstElement* bin, const char* name, const char* pad, std::atomic<int>* count);

// One gst-check case: its name (as GST_CHECKS selects it), its function, and the codec it is for
// (null: a generic case, registered once per codec, which reads its codec with VTT_CODEC).
struct CaseEntry {
  const char* name;
  TFun fn;
  const Codec* codec;
};
// A case of H.264's own.
#define VTT_CASE(f)     \
  vtt::CaseEntry {      \
#f, f, &vtt::H264() \
  }
// A case of HEVC's own (vth265enc; its name carries the h265_ prefix itself).
#define VTT_H265_CASE(f) \
  vtt::CaseEntry {       \
#f, f, &vtt::H265()  \
  }
// A case for every codec in Codecs().
#define VTT_GENERIC_CASE(f) \
  vtt::CaseEntry {          \
#f, f, nullptr          \
  }
// The cases defined in test_vth264enc_streams.cpp, part of the gst-vth264enc binary.
const std::vector<CaseEntry>& StreamCases();

// The main() of every test binary: runs `cases` as the gst-check suite `suite`, a generic case
// once per codec (named as Codec::id says; its loop index is the codec's index). A GST_CHECKS
// that names no case would run nothing and pass, so an unknown name is an error (exit status 1).
int RunCases(const char* suite, const std::vector<CaseEntry>& cases, int argc, char** argv);

struct ErrorText {
  std::string message, debug;
};

// Sets `pipeline` PLAYING, waits for EOS or ERROR and sets it to NULL; returns the ERROR messages
// in order. A hang fails the test after 60 s (no timing threshold: a pass never waits that long).
std::vector<ErrorText> PlayToEnd(GstElement* pipeline);

// Builds `launch` (gst-launch syntax), lets `setup` add probes, runs it to EOS or ERROR
// (PlayToEnd) and returns the errors posted.
std::vector<ErrorText> RunLaunch(const std::string& launch,
                                 const std::function<void(GstElement*)>& setup = nullptr);
// Runs `launch`, which must fail; its first error's message must contain every one of `parts`.
void ExpectLaunchError(const std::string& launch, std::initializer_list<const char*> parts);
// The caps a parser put on what it read from `launch`'s stream (the last CAPS event reaching a
// fakesink named "out", last in `launch`), as a string; fails the test on an error.
std::string ParsedCaps(const std::string& launch);
// The raw formats the sink pad of the element named "enc" in `launch` offers upstream (a caps
// query of the pad, the pipeline built but not started).
std::vector<std::string> OfferedFormats(const std::string& launch);
// "a,b,c".
std::string Joined(const std::vector<std::string>& v);

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
