// SPDX-License-Identifier: GPL-2.0-or-later
// The conformance matrix: every output mode of the encoder element, written through the codec's
// parser into every container (mp4mux, matroskamux, mpegtsmux) and into a byte-stream file, and
// each file checked with the system's ffmpeg and ffprobe. docs/conformance.md describes it.
//
//   gst-conformance CELL OUTDIR [OPTIONS]   run one cell, files in OUTDIR
//   gst-conformance --list                  print every cell
//   gst-conformance --check-list CELL...    exit 0 when the given cells are exactly --list
//
// A cell is CODEC_MODE_SINK (for example h264_main_mkv): three tables below, kCodecs, Modes() and
// kSinks, crossed. A second codec is one more row of kCodecs (its element, parser, caps and
// ffmpeg names), plus modes for its own profiles.
//
// OPTIONS show that the checks can fail: --rate N/D replaces the frame rate the cell expects,
// --truncate PERCENT cuts the file before it is checked, --keyframe N asks for one more keyframe
// that nothing forces, --late-dts N gives the muxer buffer N with its DTS one frame after its
// PTS, and --want-fail CHECK,... makes the exit status 0 only when exactly those
// checks fail.
//
// Checks, each reported by name when it fails (every check runs; the cell fails if any fails):
//   pipeline  the encode pipeline reaches EOS with no ERROR (and no WARNING unless the mode
//             expects one), and the actions the mode asks for land on the frames it names
//   muxin     at the muxer's (or filesink's) sink pad, in running time: every buffer has a PTS
//             and a DTS, DTS never decreases and is never above PTS
//   decode    ffmpeg -err_detect explode -xerror decodes the file with its default constant
//             frame-rate output (-f rawvideo), nothing on stderr, and every frame comes out
//   rate      ffprobe's r_frame_rate is the input's frame rate
//   size      ffprobe's width and height are the picture's
//   profile   the profile ffprobe reads is the one in the encoder's caps (and the one asked)
//   dts       ffprobe's packets, where the container stores DTS (mp4, ts): DTS never decreases
//             and is never above PTS (matroska stores PTS only; a byte-stream file no time)
//   keyframes the first frame and every frame where a keyframe was asked are keyframes for the
//             decoder, the container flags exactly the decoder's keyframes, and with a keyframe
//             interval no gap is longer
//   format    ffprobe's pix_fmt is the mode's (chroma format and bit depth of the picture format)
//   psnr      the decoded frames reach the mode's PSNR against the source in that layout
//   filler, bitrate, lossless, interlaced: the mode's own checks (see MakeModes)

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

// ---- the tables ---------------------------------------------------------------------------------

struct Codec {
  const char* name;         // first part of a cell's name
  const char* element;      // the encoder element
  const char* parser;       // its parser
  const char* media;        // caps media type
  const char* packetized;   // stream-format of the length-prefixed form (parameter sets in caps)
  const char* es_format;    // ffmpeg's name of the raw elementary stream (demuxer and muxer)
  const char* to_annexb;    // ffmpeg's bitstream filter from the packetized form to start codes
  int nal_shift, nal_mask;  // NAL unit type = (first byte >> shift) & mask
  int filler_nal;           // NAL unit type of filler data
  // caps profile = ffprobe's names for it ('|' between names), ';' between profiles.
  const char* profiles;
};

const Codec kCodecs[] = {
    {"h264", "vth264enc", "h264parse", "video/x-h264", "avc", "h264", "h264_mp4toannexb", 0, 0x1f,
     12,
     "constrained-baseline=Constrained Baseline;baseline=Baseline|Constrained Baseline;main=Main;"
     "high=High;high-10=High 10;high-4:2:2=High 4:2:2;high-4:4:4=High 4:4:4 Predictive"},
    {"h265", "vth265enc", "h265parse", "video/x-h265", "hvc1", "hevc", "hevc_mp4toannexb", 1, 0x3f,
     38,
     "main=Main;main-10=Main 10;main-422-10=Rext;main-444=Rext;main-444-10=Rext;"
     "main-12=Rext"},
};

struct Sink {
  const char* name;  // last part of a cell's name
  // What follows the parser. {media} is the codec's caps media type, {out} the file; the element
  // whose sink pads receive the parser's output is named "mux".
  const char* tail;
  const char* ext;  // file extension; nullptr: the codec's raw elementary stream
  bool file_dts;    // the container stores DTS, so ffprobe's packet DTS is the file's
};

const Sink kSinks[] = {
    {"mp4", "mp4mux name=mux ! filesink location={out}", "mp4", true},
    {"mkv", "matroskamux name=mux ! filesink location={out}", "mkv", false},
    {"ts", "mpegtsmux name=mux ! filesink location={out}", "ts", true},
    {"bytestream",
     "{media},stream-format=byte-stream,alignment=au ! filesink name=mux location={out}", nullptr,
     false},
};

enum class Act {
  kSetProperty,  // value "name=value" set on the encoder as frame `frame` arrives
  kSetCaps,      // value = new caps of the capsfilter named "cf", effective from frame `frame`
  kShiftPts,     // from frame `frame` on, PTS go back by `value` frame durations (no flush)
  kForceKeyUnit  // a downstream force-key-unit event just before frame `frame`
};

struct Action {
  Act what;
  int frame;
  std::string value;
};

enum ModeCheck : unsigned {
  kFiller = 1,       // filler NAL units in the stream, bit rate within 10% of kbps
  kBitrateStep = 2,  // the live bitrate change lowers the rate: packets after it are smaller
  kLossless = 4,     // every decoded frame is identical to the source frame
  kInterlaced = 8,   // coded interlaced, top field first, every frame
};

struct Mode {
  std::string name;
  std::string codec;           // "": every codec; else only this codec (its own profiles)
  std::string source;          // raw video into the encoder; a capsfilter to change is named "cf"
  std::string branches;        // more pipeline branches (the inputs of a concat named "c")
  std::string props;           // encoder properties
  std::string caps;            // fields added to the encoder's src caps ({packetized}: the codec's)
  std::string profile;         // the caps profile the stream must have, or ""
  int width = 0, height = 0;   // the size ffprobe must report
  std::string rate;            // frame rate of the input
  int frames = 0;              // frames into the encoder
  int frames_min = 0;          // 0, or the fewest frames out the mode allows (frames dropped)
  std::vector<int> keyframes;  // frames asked to be keyframes (frame 0 always is)
  int max_key_gap = 0;         // 0, or the longest distance from one keyframe to the next
  std::vector<Action> actions;
  unsigned checks = 0;                  // ModeCheck bits
  int kbps = 0;                         // kFiller: the target
  std::vector<std::string> skip_sinks;  // sinks this mode cannot be written to ...
  std::string skip_reason;              // ... and why
  bool warnings_ok = false;  // the mode may post WARNING messages (frames dropped by design)
  // Picture formats: ffprobe's pix_fmt the stream must have (chroma format and bit depth), the
  // GStreamer format of that layout for the reference frames, and the PSNR (dB) the decoded
  // frames must reach against them. "": not checked.
  std::string pix_fmt, ref_format;
  double min_psnr = 0;
};

// A mode whose source is `frames` frames of videotestsrc `pattern` in these caps.
Mode& Add(std::vector<Mode>& modes, const char* name, const char* pattern, const char* format,
          int width, int height, const char* rate, int frames, const char* more_caps = "") {
  Mode m;
  m.name = name;
  m.source = std::string("videotestsrc num-buffers=") + std::to_string(frames) + " " + pattern +
             " ! capsfilter name=cf caps=\"video/x-raw,format=" + format +
             ",width=" + std::to_string(width) + ",height=" + std::to_string(height) +
             ",framerate=" + rate + more_caps + "\"";
  m.width = width;
  m.height = height;
  m.rate = rate;
  m.frames = frames;
  modes.push_back(m);
  return modes.back();
}

std::vector<Mode> MakeModes() {
  std::vector<Mode> modes;
  // Stream formats: the encoder's own form; the parser converts where a sink needs the other.
  {
    Mode& m = Add(modes, "packetized", "pattern=ball", "I420", 320, 240, "30/1", 90);
    m.caps = "stream-format={packetized}";
  }
  {
    Mode& m = Add(modes, "bytestream", "pattern=ball", "NV12", 320, 240, "25/1", 90);
    m.caps = "stream-format=byte-stream";
  }
  // H.264 profiles, asked for downstream.
  {
    Mode& m = Add(modes, "baseline", "pattern=ball", "I420", 320, 240, "30000/1001", 90);
    m.codec = "h264";
    m.caps = "profile=baseline";
    m.profile = "baseline";
  }
  {
    Mode& m = Add(modes, "main", "pattern=ball", "I420", 320, 240, "25/1", 90);
    m.codec = "h264";
    m.caps = "profile=main";
    m.profile = "main";
  }
  {  // With a keyframe interval: no gap longer than 30 frames.
    Mode& m = Add(modes, "high_keyint", "pattern=ball", "I420", 320, 240, "30/1", 90);
    m.codec = "h264";
    m.props = "max-keyframe-interval=30";
    m.caps = "profile=high";
    m.profile = "high";
    m.max_key_gap = 30;
  }
  {  // quality=1.0 is lossless, High 4:4:4 Predictive: asked for by name downstream ...
    Mode& m = Add(modes, "high444", "pattern=ball", "I420", 320, 240, "25/1", 60);
    m.codec = "h264";
    m.props = "quality=1.0";
    m.caps = "profile=high-4:4:4";
    m.profile = "high-4:4:4";
    m.checks = kLossless;
  }
  {  // ... and with nothing asked downstream, on moving content.
    Mode& m =
        Add(modes, "lossless", "pattern=smpte horizontal-speed=2", "I420", 320, 240, "30/1", 60);
    m.props = "quality=1.0";
    m.checks = kLossless;
  }
  {  // Constant bit rate padded with filler.
    Mode& m = Add(modes, "cbr", "pattern=ball", "I420", 320, 240, "30/1", 90);
    m.props = "rate-control=cbr bitrate=500";
    m.checks = kFiller;
    m.kbps = 500;
  }
  {  // Interlaced input must be coded interlaced (H.264; the HEVC element refuses it).
    Mode& m = Add(modes, "interlaced", "pattern=ball", "I420", 320, 240, "25/1", 60,
                  ",interlace-mode=interleaved,field-order=top-field-first");
    m.codec = "h264";
    m.checks = kInterlaced;
  }
  {  // Odd sizes: 4:2:0 crops in units of 2 pixels, so 321x241 is coded and declared as 322x242
     // with the edge repeated (docs/element.md).
    Mode& m = Add(modes, "odd_size", "pattern=ball", "I420", 321, 241, "30000/1001", 60);
    m.width = 322;
    m.height = 242;
  }
  {  // Keyframes asked with force-key-unit events.
    Mode& m = Add(modes, "force_key_unit", "pattern=ball", "I420", 320, 240, "30000/1001", 90);
    m.keyframes = {20, 51};
    m.actions = {{Act::kForceKeyUnit, 20, ""}, {Act::kForceKeyUnit, 51, ""}};
  }
  {  // Bit rate lowered while playing (no drain, no keyframe asked).
    Mode& m = Add(modes, "bitrate_live", "pattern=smpte horizontal-speed=4", "I420", 320, 240,
                  "30/1", 90);
    m.props = "bitrate=1200";
    m.actions = {{Act::kSetProperty, 45, "bitrate=300"}};
    m.checks = kBitrateStep;
  }
  {  // A caps change restarts the encoder, and the new session starts with a keyframe ...
    Mode& m = Add(modes, "caps_restart", "pattern=ball", "I420", 320, 240, "25/1", 90);
    m.keyframes = {45};
    m.actions = {
        {Act::kSetCaps, 45, "video/x-raw,format=NV12,width=320,height=240,framerate=25/1"}};
  }
  {  // ... also to another size.
    Mode& m = Add(modes, "resize_restart", "pattern=ball", "I420", 320, 240, "30000/1001", 90);
    m.keyframes = {45};
    m.actions = {
        {Act::kSetCaps, 45, "video/x-raw,format=I420,width=240,height=176,framerate=30000/1001"}};
    m.skip_sinks = {"mp4", "mkv"};
    m.skip_reason = "mp4mux and matroskamux refuse caps changes once they have started";
  }
  {  // Two clips one after the other: the second clip's PTS start again at 0 in a new segment
     // (running time goes on), no flush.
    Mode& m = Add(modes, "segment_restart", "", "I420", 320, 240, "30/1", 90);
    const std::string clip = " ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! c. ";
    m.source = "concat name=c";
    m.branches = "videotestsrc num-buffers=45 pattern=ball" + clip +
                 "videotestsrc num-buffers=45 pattern=smpte" + clip;
    m.keyframes = {45};
  }
  {  // PTS go back 15 frames at frame 45, same segment, no flush: frames 45..59 repeat the PTS
     // of frames 30..44. They may be dropped (with a warning), or all 90 kept if they are given
     // later times; either way DTS never decreases and never exceeds PTS.
    Mode& m = Add(modes, "pts_back", "pattern=ball", "I420", 320, 240, "30/1", 90);
    m.frames_min = 75;
    m.actions = {{Act::kShiftPts, 45, "15"}};
    m.warnings_ok = true;
  }
  // Picture formats, each coded in its own chroma format and bit depth with the profile that
  // carries it. Written to mp4 (avcC with the chroma and depth fields) and a byte-stream file
  // (Annex B); matroska and MPEG-TS repeat those two forms.
  auto format_cell = [](Mode& m, const char* pix_fmt, const char* ref_format, const char* profile,
                        const char* codec = "h264") {
    m.codec = codec;
    m.pix_fmt = pix_fmt;
    m.ref_format = ref_format;
    m.profile = profile;
    m.min_psnr = 35;
    m.skip_sinks = {"mkv", "ts"};
    m.skip_reason =
        "format cells write mp4 (avcC) and byte-stream (Annex B); mkv and ts repeat them";
  };
  struct Format {
    const char* name;
    const char* format;
    const char* pix_fmt;
    const char* ref_format;
    const char* profile;
  };
  const Format formats[] = {
      {"fmt_yv12", "YV12", "yuv420p", "I420", "high"},
      {"fmt_y42b", "Y42B", "yuv422p", "Y42B", "high-4:2:2"},
      {"fmt_nv16", "NV16", "yuv422p", "Y42B", "high-4:2:2"},
      {"fmt_y444", "Y444", "yuv444p", "Y444", "high-4:4:4"},
      {"fmt_i420_10", "I420_10LE", "yuv420p10le", "I420_10LE", "high-10"},
      {"fmt_p010", "P010_10LE", "yuv420p10le", "I420_10LE", "high-10"},
      {"fmt_i422_10", "I422_10LE", "yuv422p10le", "I422_10LE", "high-4:2:2"},
      {"fmt_y444_10", "Y444_10LE", "yuv444p10le", "Y444_10LE", "high-4:4:4"},
  };
  for (const Format& f : formats) {
    Mode& m =
        Add(modes, f.name, "pattern=smpte horizontal-speed=2", f.format, 320, 240, "30/1", 30);
    format_cell(m, f.pix_fmt, f.ref_format, f.profile);
  }
  {  // An unconstrained source (videotestsrc picks the first format downstream lists) through
     // videoconvert: the encoder must get 8-bit 4:2:0 (High, playable everywhere), not 4:4:4 as
     // x264enc, which lists Y444 first, gets.
    Mode& m = Add(modes, "fmt_default", "", "", 320, 240, "30/1", 30);
    m.source =
        "videotestsrc num-buffers=30 pattern=smpte horizontal-speed=2 ! videoconvert ! "
        "capsfilter name=cf caps=\"video/x-raw,width=320,height=240,framerate=30/1\"";
    format_cell(m, "yuv420p", "I420", "high");
  }
  {  // A 10-bit 4:4:4 source with downstream asking for High: the encoder offers upstream only
     // 8-bit 4:2:0, so videoconvert converts.
    Mode& m = Add(modes, "fmt_narrowed", "pattern=smpte horizontal-speed=2", "Y444_10LE", 320, 240,
                  "30/1", 30);
    m.source += " ! videoconvert";
    m.caps = "profile=high";
    format_cell(m, "yuv420p", "I420", "high");
  }
  // HEVC's profiles and formats: Main asked for downstream, Main 10 from 8-bit input when
  // downstream names only that, and the formats in their own profiles.
  {
    Mode& m = Add(modes, "main", "pattern=ball", "I420", 320, 240, "25/1", 90);
    m.codec = "h265";
    m.caps = "profile=main";
    m.profile = "main";
  }
  {
    Mode& m =
        Add(modes, "main10_up", "pattern=smpte horizontal-speed=2", "I420", 320, 240, "30/1", 30);
    m.caps = "profile=main-10";
    // The reference in 10 bits too (videoconvert widens the 8-bit source as the session does).
    format_cell(m, "yuv420p10le", "I420_10LE", "main-10", "h265");
  }
  const Format hevc_formats[] = {
      {"fmt_p010", "P010_10LE", "yuv420p10le", "I420_10LE", "main-10"},
      {"fmt_i422_10", "I422_10LE", "yuv422p10le", "I422_10LE", "main-422-10"},
      {"fmt_y444", "Y444", "yuv444p", "Y444", "main-444"},
      {"fmt_y444_10", "Y444_10LE", "yuv444p10le", "Y444_10LE", "main-444-10"},
      {"fmt_i420_12", "I420_12LE", "yuv420p12le", "I420_12LE", "main-12"},
  };
  for (const Format& f : hevc_formats) {
    Mode& m =
        Add(modes, f.name, "pattern=smpte horizontal-speed=2", f.format, 320, 240, "30/1", 30);
    format_cell(m, f.pix_fmt, f.ref_format, f.profile, "h265");
  }
  {
    Mode& m = Add(modes, "fmt_default", "", "", 320, 240, "30/1", 30);
    m.source =
        "videotestsrc num-buffers=30 pattern=smpte horizontal-speed=2 ! videoconvert ! "
        "capsfilter name=cf caps=\"video/x-raw,width=320,height=240,framerate=30/1\"";
    format_cell(m, "yuv420p", "I420", "main", "h265");
  }
  return modes;
}

const std::vector<Mode>& Modes() {
  static const std::vector<Mode> modes = MakeModes();
  return modes;
}

// ---- results ------------------------------------------------------------------------------------

// Failed checks by name. Fail() runs on streaming threads too (the pad probes).
std::set<std::string> g_failed_checks;
std::mutex g_failed_mutex;

void Fail(const char* check, const char* fmt, ...) G_GNUC_PRINTF(2, 3);
void Fail(const char* check, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  gchar* msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  std::lock_guard<std::mutex> lock(g_failed_mutex);
  std::fprintf(stderr, "FAIL [%s] %s\n", check, msg);
  g_free(msg);
  g_failed_checks.insert(check);
}

void Info(const char* fmt, ...) G_GNUC_PRINTF(1, 2);
void Info(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fputc('\n', stderr);
}

std::string Replace(std::string s, const std::string& key, const std::string& value) {
  for (size_t pos = 0; (pos = s.find(key, pos)) != std::string::npos; pos += value.size()) {
    s.replace(pos, key.size(), value);
  }
  return s;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::istringstream in(s);
  for (std::string p; std::getline(in, p, sep);) parts.push_back(p);
  return parts;
}

bool ParseFraction(const std::string& s, int* n, int* d) {
  return std::sscanf(s.c_str(), "%d/%d", n, d) == 2 && *d > 0;
}

// ---- the encode pipeline ------------------------------------------------------------------------

struct EncodeState {
  const Mode* mode = nullptr;
  GstElement* enc = nullptr;
  GstElement* cf = nullptr;
  GstClockTime frame_duration = 0;
  int rate_n = 0, rate_d = 1;  // the input's frame rate
  int late_dts = -1;  // --late-dts: this buffer reaches the muxer with DTS one frame after PTS
  int frames_in = 0;  // buffers that reached the encoder's sink pad
  std::vector<int> caps_at;     // frames_in when each CAPS event reached the encoder
  std::vector<int> actions_at;  // frames_in when each action was done (-1: never)
  GstSegment segment;           // on the encoder's sink pad
  std::string enc_caps;         // the last caps the encoder sent
  // At the muxer's input:
  GstSegment mux_segment;
  int mux_buffers = 0;
  gint64 last_dts = G_MININT64;
  int dts_errors = 0;
};

GstPadProbeReturn EncoderSinkProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* st = static_cast<EncodeState*>(data);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) st->caps_at.push_back(st->frames_in);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_SEGMENT) gst_event_copy_segment(ev, &st->segment);
    return GST_PAD_PROBE_OK;
  }
  if (!(info->type & GST_PAD_PROBE_TYPE_BUFFER)) return GST_PAD_PROBE_OK;
  const int n = st->frames_in++;
  const auto& actions = st->mode->actions;
  for (size_t i = 0; i < actions.size(); i++) {
    const Action& a = actions[i];
    switch (a.what) {
      case Act::kSetProperty:
        if (n == a.frame) {
          auto kv = Split(a.value, '=');
          gst_util_set_object_arg(G_OBJECT(st->enc), kv[0].c_str(), kv[1].c_str());
          st->actions_at[i] = n;
        }
        break;
      case Act::kSetCaps:
        // The source renegotiates before it makes its next buffer: set the caps as the frame
        // before arrives. caps_at says where they landed.
        if (n == a.frame - 1 && st->cf) {
          GstCaps* caps = gst_caps_from_string(a.value.c_str());
          g_object_set(st->cf, "caps", caps, nullptr);
          gst_caps_unref(caps);
          st->actions_at[i] = n + 1;
        }
        break;
      case Act::kShiftPts:
        if (n >= a.frame) {
          // Frame n takes the PTS frame n - shift had (videotestsrc: n x duration, rounded
          // down; not n x the rounded duration, which would put it a few ns later).
          GstBuffer* buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
          const int shift = std::stoi(a.value);
          GstClockTime back = gst_util_uint64_scale(n, GST_SECOND * st->rate_d, st->rate_n) -
                              gst_util_uint64_scale(n - shift, GST_SECOND * st->rate_d, st->rate_n);
          GST_BUFFER_PTS(buf) -= std::min(back, GST_BUFFER_PTS(buf));
          info->data = buf;
          if (n == a.frame) st->actions_at[i] = n;
        }
        break;
      case Act::kForceKeyUnit:
        if (n == a.frame) {
          GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
          GstClockTime rt = gst_segment_to_running_time(&st->segment, GST_FORMAT_TIME, pts);
          GstClockTime stream_time = gst_segment_to_stream_time(&st->segment, GST_FORMAT_TIME, pts);
          gst_pad_send_event(
              pad, gst_video_event_new_downstream_force_key_unit(pts, stream_time, rt, TRUE, 0));
          st->actions_at[i] = n;
        }
        break;
    }
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn EncoderSrcProbe(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(ev, &caps);
    gchar* s = gst_caps_to_string(caps);
    static_cast<EncodeState*>(data)->enc_caps = s;
    g_free(s);
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn MuxInputProbe(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* st = static_cast<EncodeState*>(data);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_SEGMENT) gst_event_copy_segment(ev, &st->mux_segment);
    return GST_PAD_PROBE_OK;
  }
  if (!(info->type & GST_PAD_PROBE_TYPE_BUFFER)) return GST_PAD_PROBE_OK;
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  const int n = st->mux_buffers++;
  if (n == st->late_dts && GST_BUFFER_PTS_IS_VALID(buf)) {
    buf = gst_buffer_make_writable(buf);
    GST_BUFFER_DTS(buf) = GST_BUFFER_PTS(buf) + st->frame_duration;
    info->data = buf;
  }
  GstClockTime pts = GST_BUFFER_PTS(buf), dts = GST_BUFFER_DTS(buf);
  const bool report = st->dts_errors < 5;  // the first few of each run
  if (!GST_CLOCK_TIME_IS_VALID(pts) || !GST_CLOCK_TIME_IS_VALID(dts)) {
    if (report) {
      Fail("muxin", "buffer %d: PTS %" GST_TIME_FORMAT " DTS %" GST_TIME_FORMAT " (both needed)", n,
           GST_TIME_ARGS(pts), GST_TIME_ARGS(dts));
    }
    st->dts_errors++;
    return GST_PAD_PROBE_OK;
  }
  // Running time: a new segment (concat) moves the base, the buffers' times start again.
  guint64 rpts = 0, rdts = 0;
  int spts = gst_segment_to_running_time_full(&st->mux_segment, GST_FORMAT_TIME, pts, &rpts);
  int sdts = gst_segment_to_running_time_full(&st->mux_segment, GST_FORMAT_TIME, dts, &rdts);
  gint64 ipts = spts >= 0 ? gint64(rpts) : -gint64(rpts);
  gint64 idts = sdts >= 0 ? gint64(rdts) : -gint64(rdts);
  if (idts < st->last_dts) {
    if (report) {
      Fail("muxin", "buffer %d: DTS %.3f ms (running time) below the previous %.3f ms", n,
           idts / 1e6, st->last_dts / 1e6);
    }
    st->dts_errors++;
  }
  if (idts > ipts) {
    if (report) {
      Fail("muxin", "buffer %d: DTS %.3f ms above PTS %.3f ms (running time)", n, idts / 1e6,
           ipts / 1e6);
    }
    st->dts_errors++;
  }
  st->last_dts = std::max(st->last_dts, idts);
  return GST_PAD_PROBE_OK;
}

// Runs a pipeline to EOS; ERRORs (and WARNINGs unless allowed) fail the check `check`.
bool RunPipeline(GstElement* pipeline, const char* check, bool warnings_ok) {
  GstBus* bus = gst_element_get_bus(pipeline);
  bool eos = false, done = false;
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    Fail(check, "the pipeline does not start");
    done = true;
  }
  gint64 deadline = g_get_monotonic_time() + 60 * G_TIME_SPAN_SECOND;
  while (!done) {
    gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0) {
      Fail(check, "no EOS within 60 s");
      break;
    }
    GstMessage* msg = gst_bus_timed_pop(bus, left * GST_USECOND);
    if (!msg) continue;
    switch (GST_MESSAGE_TYPE(msg)) {
      case GST_MESSAGE_EOS:
        eos = done = true;
        break;
      case GST_MESSAGE_ERROR:
      case GST_MESSAGE_WARNING: {
        GError* e = nullptr;
        gchar* dbg = nullptr;
        const bool is_error = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
        if (is_error) {
          gst_message_parse_error(msg, &e, &dbg);
        } else {
          gst_message_parse_warning(msg, &e, &dbg);
        }
        if (is_error || !warnings_ok) {
          Fail(check, "%s from %s: %s (%s)", is_error ? "ERROR" : "WARNING",
               GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), e->message, dbg ? dbg : "");
        } else {
          Info("warning (allowed in this mode) from %s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
               e->message);
        }
        g_error_free(e);
        g_free(dbg);
        if (is_error) done = true;
        break;
      }
      default:
        break;
    }
    gst_message_unref(msg);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  return eos;
}

GstElement* Parse(const std::string& desc, const char* check) {
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!pipeline || err) {
    Fail(check, "cannot build '%s': %s", desc.c_str(), err ? err->message : "?");
    if (err) g_error_free(err);
    if (pipeline) gst_object_unref(pipeline);
    return nullptr;
  }
  return pipeline;
}

struct EncodeResult {
  bool eos = false;
  std::string caps;  // the encoder's last src caps
};

EncodeResult Encode(const Codec& codec, const Mode& mode, const Sink& sink, const std::string& file,
                    int late_dts) {
  EncodeResult r;
  std::string caps = std::string(codec.media);
  if (!mode.caps.empty())
    caps += std::string(",") + Replace(mode.caps, "{packetized}", codec.packetized);
  std::string tail = Replace(Replace(sink.tail, "{media}", codec.media), "{out}", file);
  std::string desc = mode.source + " ! " + codec.element + " name=enc " + mode.props + " ! " +
                     caps + " ! " + codec.parser + " ! " + tail + " " + mode.branches;
  Info("pipeline: %s", desc.c_str());
  GstElement* pipeline = Parse(desc, "pipeline");
  if (!pipeline) return r;

  EncodeState st;
  st.mode = &mode;
  st.late_dts = late_dts;
  st.actions_at.assign(mode.actions.size(), -1);
  gst_segment_init(&st.segment, GST_FORMAT_TIME);
  gst_segment_init(&st.mux_segment, GST_FORMAT_TIME);
  ParseFraction(mode.rate, &st.rate_n, &st.rate_d);
  st.frame_duration = gst_util_uint64_scale(GST_SECOND, st.rate_d, st.rate_n);
  st.enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
  st.cf = gst_bin_get_by_name(GST_BIN(pipeline), "cf");
  GstElement* mux = gst_bin_get_by_name(GST_BIN(pipeline), "mux");
  const auto kProbeTypes =
      GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM);
  GstPad* enc_sink = gst_element_get_static_pad(st.enc, "sink");
  GstPad* enc_src = gst_element_get_static_pad(st.enc, "src");
  gst_pad_add_probe(enc_sink, kProbeTypes, EncoderSinkProbe, &st, nullptr);
  gst_pad_add_probe(enc_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, EncoderSrcProbe, &st, nullptr);
  int mux_pads = 0;
  GstIterator* it = gst_element_iterate_sink_pads(mux);
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstPad* pad = GST_PAD(g_value_get_object(&item));
    gst_pad_add_probe(pad, kProbeTypes, MuxInputProbe, &st, nullptr);
    mux_pads++;
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  if (mux_pads != 1) Fail("pipeline", "%d sink pads on the muxer, want 1", mux_pads);

  r.eos = RunPipeline(pipeline, "pipeline", mode.warnings_ok);
  if (!r.eos) Fail("pipeline", "no EOS");
  r.caps = st.enc_caps;
  Info("%s caps: %s", codec.element, r.caps.c_str());
  Info("frames into the encoder: %d; buffers into the muxer: %d", st.frames_in, st.mux_buffers);
  if (st.frames_in != mode.frames) {
    Fail("pipeline", "%d frames reached the encoder, the source makes %d", st.frames_in,
         mode.frames);
  }
  // The harness's own actions must land where the mode says, else the checks below mean nothing.
  for (size_t i = 0; i < mode.actions.size(); i++) {
    if (st.actions_at[i] != mode.actions[i].frame) {
      Fail("pipeline", "action %zu was done at frame %d, not %d", i, st.actions_at[i],
           mode.actions[i].frame);
    }
    if (mode.actions[i].what == Act::kSetCaps &&
        std::find(st.caps_at.begin(), st.caps_at.end(), mode.actions[i].frame) ==
            st.caps_at.end()) {
      Fail("pipeline", "no new caps at frame %d", mode.actions[i].frame);
    }
  }
  if (st.dts_errors) Fail("muxin", "%d timestamp problems at the muxer's input", st.dts_errors);

  gst_object_unref(enc_sink);
  gst_object_unref(enc_src);
  gst_object_unref(mux);
  if (st.cf) gst_object_unref(st.cf);
  gst_object_unref(st.enc);
  gst_object_unref(pipeline);
  return r;
}

// ---- ffmpeg and ffprobe -------------------------------------------------------------------------

struct Proc {
  bool ran = false;
  bool ok = false;  // exit status 0
  std::string out, err;
};

Proc Spawn(const std::vector<std::string>& args) {
  Proc p;
  std::vector<gchar*> argv;
  for (const auto& a : args) argv.push_back(const_cast<gchar*>(a.c_str()));
  argv.push_back(nullptr);
  gchar *sout = nullptr, *serr = nullptr;
  gint status = 0;
  GError* err = nullptr;
  p.ran = g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr, &sout,
                       &serr, &status, &err);
  if (!p.ran) Info("cannot run %s: %s", args[0].c_str(), err ? err->message : "?");
  if (err) g_error_free(err);
  p.ok = p.ran && g_spawn_check_wait_status(status, nullptr);
  p.out = sout ? sout : "";
  p.err = serr ? serr : "";
  g_free(sout);
  g_free(serr);
  return p;
}

std::string Tool(const char* env, const char* name) {
  const char* path = g_getenv(env);
  return path && *path ? path : name;
}

// ffmpeg's input options: a byte-stream file is read as the codec's raw elementary stream.
std::vector<std::string> Input(const Codec& codec, const Sink& sink, const std::string& file) {
  std::vector<std::string> in;
  if (!sink.ext) in = {"-f", codec.es_format};
  in.push_back("-i");
  in.push_back(file);
  return in;
}

// ffprobe's compact output: one map per line that starts with `section|`.
std::vector<std::map<std::string, std::string>> Records(const std::string& text,
                                                        const std::string& section) {
  std::vector<std::map<std::string, std::string>> recs;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, section.size() + 1, section + "|") != 0) continue;
    std::map<std::string, std::string> kv;
    for (const auto& field : Split(line.substr(section.size() + 1), '|')) {
      size_t eq = field.find('=');
      if (eq != std::string::npos && !kv.count(field.substr(0, eq))) {
        kv[field.substr(0, eq)] = field.substr(eq + 1);
      }
    }
    recs.push_back(kv);
  }
  return recs;
}

Proc Ffprobe(const Codec& codec, const Sink& sink, const std::string& file,
             const std::string& entries) {
  std::vector<std::string> args = {Tool("VTC_FFPROBE", "ffprobe"), "-v", "error"};
  if (!sink.ext) args.insert(args.end(), {"-f", codec.es_format});
  args.insert(args.end(),
              {"-select_streams", "v:0", "-show_entries", entries, "-of", "compact=nokey=0", file});
  Proc p = Spawn(args);
  if (!p.ok || !p.err.empty()) {
    Fail("ffprobe", "ffprobe -show_entries %s: %s", entries.c_str(), p.err.c_str());
  }
  return p;
}

// ---- the checks on the file ---------------------------------------------------------------------

// (decode) ffmpeg decodes every frame, with its default constant-frame-rate output.
void CheckDecode(const Codec& codec, const Sink& sink, const Mode& mode, const std::string& file,
                 const std::string& dir) {
  const std::string out = dir + "/decoded.gray16x16";
  std::remove(out.c_str());
  std::vector<std::string> args = {
      Tool("VTC_FFMPEG", "ffmpeg"), "-nostdin", "-v", "error", "-err_detect", "explode", "-xerror"};
  for (const auto& a : Input(codec, sink, file)) args.push_back(a);
  // Every frame scaled to 16x16 grey: 256 bytes a frame, whatever the size (and size changes).
  args.insert(args.end(),
              {"-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "gray", "-s", "16x16", "-y", out});
  Proc p = Spawn(args);
  if (!p.ok) Fail("decode", "ffmpeg failed: %s", p.err.c_str());
  if (p.ok && !p.err.empty()) Fail("decode", "ffmpeg reported: %s", p.err.c_str());
  GStatBuf sb;
  long frames = g_stat(out.c_str(), &sb) == 0 ? long(sb.st_size / 256) : -1;
  const int min = mode.frames_min ? mode.frames_min : mode.frames;
  Info("ffmpeg decoded %ld frames (constant frame rate output)", frames);
  if (frames < min || frames > mode.frames) {
    if (min == mode.frames) {
      Fail("decode", "ffmpeg's constant-frame-rate output has %ld frames, the input %d", frames,
           mode.frames);
    } else {
      Fail("decode", "ffmpeg's constant-frame-rate output has %ld frames, want %d..%d", frames, min,
           mode.frames);
    }
  }
}

bool ProfileMatches(const Codec& codec, const std::string& caps_profile,
                    const std::string& ffprobe_profile) {
  for (const auto& entry : Split(codec.profiles, ';')) {
    size_t eq = entry.find('=');
    if (entry.substr(0, eq) != caps_profile) continue;
    for (const auto& name : Split(entry.substr(eq + 1), '|')) {
      if (name == ffprobe_profile) return true;
    }
  }
  return false;
}

std::string CapsField(const std::string& caps, const char* field) {
  std::string value;
  if (GstCaps* c = gst_caps_from_string(caps.c_str())) {
    if (!gst_caps_is_empty(c)) {
      if (const char* v = gst_structure_get_string(gst_caps_get_structure(c, 0), field)) value = v;
    }
    gst_caps_unref(c);
  }
  return value;
}

// (rate, size, interlaced) the stream as ffprobe sees it.
void CheckStream(const Codec& codec, const Sink& sink, const Mode& mode, const std::string& file,
                 const std::string& rate, const std::string& enc_caps) {
  Proc p = Ffprobe(codec, sink, file,
                   "stream=codec_name,profile,pix_fmt,width,height,r_frame_rate,avg_frame_rate,"
                   "field_order");
  auto recs = Records(p.out, "stream");
  if (recs.empty()) {
    Fail("rate", "ffprobe shows no video stream");
    return;
  }
  auto& s = recs[0];
  Info("ffprobe: codec %s, profile %s, %sx%s, r_frame_rate %s, avg_frame_rate %s, field_order %s",
       s["codec_name"].c_str(), s["profile"].c_str(), s["width"].c_str(), s["height"].c_str(),
       s["r_frame_rate"].c_str(), s["avg_frame_rate"].c_str(), s["field_order"].c_str());
  int en = 0, ed = 1, gn = 0, gd = 1;
  ParseFraction(rate, &en, &ed);
  bool same_rate = ParseFraction(s["r_frame_rate"], &gn, &gd) && gint64(gn) * ed == gint64(en) * gd;
  if (!same_rate) {
    Fail("rate", "ffprobe's r_frame_rate is %s, the input's rate %s", s["r_frame_rate"].c_str(),
         rate.c_str());
  }
  if (s["width"] != std::to_string(mode.width) || s["height"] != std::to_string(mode.height)) {
    Fail("size", "ffprobe's size %sx%s, want %dx%d", s["width"].c_str(), s["height"].c_str(),
         mode.width, mode.height);
  }
  const std::string caps_profile = CapsField(enc_caps, "profile");
  if (!mode.profile.empty() && caps_profile != mode.profile) {
    Fail("profile", "the encoder's caps say profile '%s', the mode asks '%s'", caps_profile.c_str(),
         mode.profile.c_str());
  }
  const std::string want = mode.profile.empty() ? caps_profile : mode.profile;
  if (!ProfileMatches(codec, want, s["profile"])) {
    Fail("profile", "ffprobe's profile '%s' is not the caps profile '%s'", s["profile"].c_str(),
         want.c_str());
  }
  if (!mode.pix_fmt.empty() && s["pix_fmt"] != mode.pix_fmt) {
    Fail("format", "ffprobe's pix_fmt is '%s', want '%s'", s["pix_fmt"].c_str(),
         mode.pix_fmt.c_str());
  }
  if (mode.checks & kInterlaced) {
    if (s["field_order"] != "tt" && s["field_order"] != "tb") {
      Fail("interlaced", "ffprobe's field_order is '%s', want top field first (tt or tb)",
           s["field_order"].c_str());
    }
  }
}

struct Packet {
  gint64 pts = G_MININT64, dts = G_MININT64;  // G_MININT64: N/A
  std::string pos;                            // byte position in the file
  bool key = false;
  long size = 0;
};

gint64 Ts(const std::string& v) {
  return v.empty() || v == "N/A" ? G_MININT64 : std::stoll(v);
}

std::vector<Packet> Packets(const Codec& codec, const Sink& sink, const std::string& file) {
  std::vector<Packet> packets;
  Proc p = Ffprobe(codec, sink, file, "packet=pts,dts,flags,size,pos");
  for (auto& kv : Records(p.out, "packet")) {
    Packet pk;
    pk.pts = Ts(kv["pts"]);
    pk.dts = Ts(kv["dts"]);
    pk.key = !kv["flags"].empty() && kv["flags"][0] == 'K';
    pk.size = std::atol(kv["size"].c_str());
    pk.pos = kv["pos"];
    packets.push_back(pk);
  }
  return packets;
}

// (dts) the file's DTS, where the container stores them.
void CheckFileDts(const Sink& sink, const std::vector<Packet>& packets) {
  if (!sink.file_dts) {
    Info("dts: %s stores no DTS; checked at the muxer's input only", sink.name);
    return;
  }
  int errors = 0;
  gint64 last = G_MININT64;
  for (size_t i = 0; i < packets.size(); i++) {
    const Packet& p = packets[i];
    if (p.pts == G_MININT64 || p.dts == G_MININT64) {
      if (errors++ < 5) Fail("dts", "packet %zu without PTS or DTS", i);
      continue;
    }
    if (p.dts < last && errors++ < 5) {
      Fail("dts", "packet %zu: DTS %lld below the previous %lld", i, (long long)p.dts,
           (long long)last);
    }
    if (p.dts > p.pts && errors++ < 5) {
      Fail("dts", "packet %zu: DTS %lld above PTS %lld", i, (long long)p.dts, (long long)p.pts);
    }
    last = std::max(last, p.dts);
  }
  if (errors) Fail("dts", "%d problems in %zu packets", errors, packets.size());
}

// (keyframes, interlaced) the decoded frames, in presentation order.
void CheckFrames(const Codec& codec, const Sink& sink, const Mode& mode, const std::string& file,
                 const std::vector<Packet>& packets) {
  Proc p = Ffprobe(codec, sink, file,
                   "frame=key_frame,pict_type,interlaced_frame,top_field_first,pkt_pos");
  auto frames = Records(p.out, "frame");
  std::vector<int> keys;
  for (size_t i = 0; i < frames.size(); i++) {
    if (frames[i]["key_frame"] == "1") keys.push_back(int(i));
  }
  std::string list;
  for (int k : keys) list += (list.empty() ? "" : ",") + std::to_string(k);
  Info("decoder's keyframes (of %zu frames): %s", frames.size(), list.c_str());
  if (frames.empty()) {
    Fail("keyframes", "ffprobe shows no frames");
    return;
  }
  std::vector<int> asked = {0};
  asked.insert(asked.end(), mode.keyframes.begin(), mode.keyframes.end());
  for (int k : asked) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      Fail("keyframes", "frame %d was asked to be a keyframe; it is %s (pict_type %s)", k,
           k < int(frames.size()) ? "not" : "missing",
           k < int(frames.size()) ? frames[k]["pict_type"].c_str() : "-");
    }
  }
  if (mode.max_key_gap) {
    keys.push_back(int(frames.size()));
    for (size_t i = 1; i < keys.size(); i++) {
      if (keys[i] - keys[i - 1] > mode.max_key_gap) {
        Fail("keyframes", "%d frames from keyframe %d to the next, interval %d",
             keys[i] - keys[i - 1], keys[i - 1], mode.max_key_gap);
      }
    }
    keys.pop_back();
  }
  // The container's keyframe flags are the decoder's keyframes: each decoded frame is found by
  // its packet's byte position. (A byte-stream file has no container flags, and ffmpeg's raw
  // parser gives frames positions of its own: there only the numbers are compared.)
  if (sink.ext) {
    std::map<std::string, const Packet*> by_pos;
    for (const Packet& pk : packets) by_pos[pk.pos] = &pk;
    int wrong = 0;
    for (size_t i = 0; i < frames.size(); i++) {
      auto it = by_pos.find(frames[i]["pkt_pos"]);
      if (it == by_pos.end()) {
        if (wrong++ < 5) Fail("keyframes", "frame %zu: no packet at its position", i);
      } else if (it->second->key != (frames[i]["key_frame"] == "1")) {
        if (wrong++ < 5) {
          Fail("keyframes", "frame %zu is %sa keyframe, its packet in the %s is %sflagged", i,
               frames[i]["key_frame"] == "1" ? "" : "not ", sink.name,
               it->second->key ? "" : "not ");
        }
      }
    }
    if (wrong)
      Fail("keyframes", "%d frames whose keyframe flag is wrong in the %s", wrong, sink.name);
  } else {
    long flagged =
        std::count_if(packets.begin(), packets.end(), [](const Packet& pk) { return pk.key; });
    if (flagged != long(keys.size())) {
      Fail("keyframes", "%ld packets flagged keyframes, the decoder finds %zu", flagged,
           keys.size());
    }
  }
  if (mode.checks & kInterlaced) {
    int progressive = 0, bottom_first = 0;
    for (auto& f : frames) {
      if (f["interlaced_frame"] != "1") progressive++;
      if (f["interlaced_frame"] == "1" && f["top_field_first"] != "1") bottom_first++;
    }
    if (progressive) {
      Fail("interlaced", "%d of %zu frames decoded as progressive", progressive, frames.size());
    }
    if (bottom_first) Fail("interlaced", "%d frames bottom field first", bottom_first);
  }
}

// (filler) filler NAL units in the elementary stream, and the bit rate on target.
void CheckFiller(const Codec& codec, const Sink& sink, const Mode& mode, const std::string& file,
                 const std::string& dir, const std::vector<Packet>& packets,
                 const std::string& rate) {
  std::string es = file;
  if (sink.ext) {
    es = dir + "/stream." + codec.es_format;
    std::remove(es.c_str());
    Proc p =
        Spawn({Tool("VTC_FFMPEG", "ffmpeg"), "-nostdin", "-v", "error", "-i", file, "-map", "0:v:0",
               "-c", "copy", "-bsf:v", codec.to_annexb, "-f", codec.es_format, "-y", es});
    if (!p.ok) Fail("filler", "ffmpeg cannot extract the stream: %s", p.err.c_str());
  }
  std::ifstream in(es, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::map<int, int> nals;
  for (size_t i = 0; i + 3 < data.size(); i++) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      nals[(uint8_t(data[i + 3]) >> codec.nal_shift) & codec.nal_mask]++;
      i += 2;
    }
  }
  Info("filler NAL units: %d", nals[codec.filler_nal]);
  if (nals[codec.filler_nal] == 0) Fail("filler", "no filler NAL units in the stream");
  int n = 0, d = 1;
  ParseFraction(rate, &n, &d);
  long bytes = 0;
  for (const Packet& p : packets) bytes += p.size;
  double seconds = double(mode.frames) * d / n;
  double kbps = bytes * 8 / seconds / 1000;
  Info("bit rate: %.1f kbit/s (%ld bytes in %zu packets), target %d", kbps, bytes, packets.size(),
       mode.kbps);
  if (kbps < mode.kbps * 0.9 || kbps > mode.kbps * 1.1) {
    Fail("filler", "bit rate %.1f kbit/s, not within 10%% of %d", kbps, mode.kbps);
  }
}

// (bitrate) the live change lowers the rate: packets after it (from 15 frames on, the rate
// control's reaction) against packets before it (from frame 15 on, after the first keyframe).
void CheckBitrateStep(const Mode& mode, const std::vector<Packet>& packets) {
  std::vector<int> bitrates;
  int at = -1;
  for (const Action& a : mode.actions) {
    if (a.what == Act::kSetProperty && g_str_has_prefix(a.value.c_str(), "bitrate=")) {
      at = a.frame;
      bitrates.push_back(std::stoi(a.value.substr(8)));
    }
  }
  int before_kbps = 0;
  for (const auto& p : Split(mode.props, ' ')) {
    if (g_str_has_prefix(p.c_str(), "bitrate=")) before_kbps = std::atoi(p.c_str() + 8);
  }
  if (at < 0 || bitrates.empty() || before_kbps == 0 || int(packets.size()) < at + 20) {
    Fail("bitrate", "no bitrate change to check (%zu packets)", packets.size());
    return;
  }
  auto mean = [&](int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) sum += packets[i].size;
    return sum / (to - from);
  };
  // Decode order; a window of whole GOP-less stretches is fine for a mean.
  double before = mean(15, at), after = mean(at + 15, int(packets.size()));
  double want = double(bitrates.back()) / before_kbps;
  Info("mean packet before the change %.0f bytes, after %.0f (ratio %.2f, asked %.2f)", before,
       after, after / before, want);
  if (after > before * (want + 0.25)) {
    Fail("bitrate", "bitrate %d -> %d kbit/s at frame %d: packets went from %.0f to %.0f bytes",
         before_kbps, bitrates.back(), at, before, after);
  }
}

std::vector<std::string> FrameMd5s(const std::string& text) {
  std::vector<std::string> md5;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t comma = line.rfind(',');
    if (comma != std::string::npos) md5.push_back(line.substr(comma + 1));
  }
  return md5;
}

// (lossless) every decoded frame equals the source frame.
void CheckLossless(const Codec& codec, const Sink& sink, const Mode& mode, const std::string& file,
                   const std::string& dir) {
  const std::string raw = dir + "/source.yuv";
  std::remove(raw.c_str());
  GstElement* pipeline =
      Parse(mode.source + " ! filesink location=" + raw + " " + mode.branches, "lossless");
  if (!pipeline || !RunPipeline(pipeline, "lossless", false)) {
    if (pipeline) gst_object_unref(pipeline);
    return;
  }
  gst_object_unref(pipeline);
  std::string size = std::to_string(mode.width) + "x" + std::to_string(mode.height);
  Proc src = Spawn({Tool("VTC_FFMPEG", "ffmpeg"), "-nostdin", "-v", "error", "-f", "rawvideo",
                    "-pix_fmt", "yuv420p", "-s", size, "-i", raw, "-f", "framemd5", "-"});
  std::vector<std::string> args = {Tool("VTC_FFMPEG", "ffmpeg"), "-nostdin", "-v", "error"};
  for (const auto& a : Input(codec, sink, file)) args.push_back(a);
  args.insert(args.end(), {"-map", "0:v:0", "-pix_fmt", "yuv420p", "-f", "framemd5", "-"});
  Proc dec = Spawn(args);
  auto want = FrameMd5s(src.out), got = FrameMd5s(dec.out);
  if (!src.ok || !dec.ok) {
    Fail("lossless", "ffmpeg failed: %s %s", src.err.c_str(), dec.err.c_str());
    return;
  }
  int differ = 0, first = -1;
  for (size_t i = 0; i < std::min(want.size(), got.size()); i++) {
    if (want[i] != got[i] && differ++ == 0) first = int(i);
  }
  Info("lossless: %zu source frames, %zu decoded, %d differ", want.size(), got.size(), differ);
  if (want.size() != got.size() || differ) {
    Fail("lossless", "%d of %zu decoded frames differ from the source (first: %d), %zu decoded",
         differ, want.size(), first, got.size());
  }
}

// ---- cells --------------------------------------------------------------------------------------

// (psnr) the decoded frames against the source in the coded layout: the same videotestsrc
// frames converted to mode.ref_format, compared by ffmpeg's psnr filter.
void CheckPsnr(const Codec& codec, const Sink& sink, const Mode& mode, const std::string& file,
               const std::string& dir) {
  const std::string ref = dir + "/reference.raw";
  std::remove(ref.c_str());
  std::string desc = mode.source + " ! videoconvert ! video/x-raw,format=" + mode.ref_format +
                     " ! filesink location=" + ref;
  GstElement* pipeline = Parse(desc, "psnr");
  if (!pipeline) return;
  const bool eos = RunPipeline(pipeline, "psnr", false);
  gst_object_unref(pipeline);
  if (!eos) {
    Fail("psnr", "the reference pipeline did not reach EOS");
    return;
  }
  std::vector<std::string> args = {Tool("VTC_FFMPEG", "ffmpeg"),
                                   "-nostdin",
                                   "-v",
                                   "info",
                                   "-f",
                                   "rawvideo",
                                   "-pix_fmt",
                                   mode.pix_fmt,
                                   "-s",
                                   std::to_string(mode.width) + "x" + std::to_string(mode.height),
                                   "-r",
                                   mode.rate,
                                   "-i",
                                   ref};
  for (const auto& a : Input(codec, sink, file)) args.push_back(a);
  // Frame by frame, whatever timestamps the two inputs carry (a raw stream has none).
  args.insert(args.end(),
              {"-lavfi", "[1:v]settb=1/30,setpts=N[d];[0:v]settb=1/30,setpts=N[r];[d][r]psnr", "-f",
               "null", "-"});
  Proc p = Spawn(args);
  const size_t at = p.err.find("average:");
  if (!p.ok || at == std::string::npos) {
    Fail("psnr", "ffmpeg psnr failed: %s", p.err.c_str());
    return;
  }
  const std::string avg = p.err.substr(at + 8, p.err.find(' ', at) - at - 8);
  const double db = avg == "inf" ? 1000 : std::atof(avg.c_str());
  Info("PSNR against the source (%s): %.2f dB", mode.pix_fmt.c_str(), db);
  if (db < mode.min_psnr) Fail("psnr", "PSNR %.2f dB, want at least %.1f", db, mode.min_psnr);
}

bool Applies(const Codec& codec, const Mode& mode) {
  return mode.codec.empty() || mode.codec == codec.name;
}

std::vector<std::string> CellNames() {
  std::vector<std::string> names;
  for (const Codec& c : kCodecs) {
    for (const Mode& m : Modes()) {
      if (!Applies(c, m)) continue;
      for (const Sink& s : kSinks)
        names.push_back(std::string(c.name) + "_" + m.name + "_" + s.name);
    }
  }
  return names;
}

// For showing that the checks fail (the meson tests conformance_selftest_*).
struct Options {
  std::string rate;            // replaces the mode's expected frame rate
  int truncate = 0;            // percent of the file kept before the checks; 0: all
  std::vector<int> keyframes;  // more frames asked to be keyframes (nothing forces them)
  int late_dts = -1;           // this buffer reaches the muxer with DTS one frame after PTS
  std::string want_fail;       // exit 0 when exactly these checks fail (comma-separated)
};

int RunCell(const Codec& codec, const Mode& cell_mode, const Sink& sink, const std::string& dir,
            const Options& opt) {
  Mode mode = cell_mode;
  mode.keyframes.insert(mode.keyframes.end(), opt.keyframes.begin(), opt.keyframes.end());
  const auto& skip = mode.skip_sinks;
  if (std::find(skip.begin(), skip.end(), sink.name) != skip.end()) {
    std::printf("SKIP %s_%s_%s: %s\n", codec.name, mode.name.c_str(), sink.name,
                mode.skip_reason.c_str());
    return 77;
  }
  if (GstElementFactory* f = gst_element_factory_find(codec.element)) {
    gst_object_unref(f);
  } else {
    Fail("pipeline", "no element %s", codec.element);
    return 1;
  }
  g_mkdir_with_parents(dir.c_str(), 0755);
  const std::string file = dir + "/out." + (sink.ext ? sink.ext : codec.es_format);
  std::remove(file.c_str());
  const std::string rate = opt.rate.empty() ? mode.rate : opt.rate;

  EncodeResult enc = Encode(codec, mode, sink, file, opt.late_dts);
  if (opt.truncate > 0) {
    GStatBuf sb;
    if (g_stat(file.c_str(), &sb) == 0) {
      long keep = long(sb.st_size) * opt.truncate / 100;
      Info("truncating %s from %ld to %ld bytes", file.c_str(), long(sb.st_size), keep);
      if (truncate(file.c_str(), keep) != 0) Fail("pipeline", "cannot truncate %s", file.c_str());
    }
  }
  GStatBuf sb;
  if (g_stat(file.c_str(), &sb) != 0 || sb.st_size == 0) {
    Fail("pipeline", "no output file");
  } else {
    CheckDecode(codec, sink, mode, file, dir);
    CheckStream(codec, sink, mode, file, rate, enc.caps);
    std::vector<Packet> packets = Packets(codec, sink, file);
    CheckFileDts(sink, packets);
    CheckFrames(codec, sink, mode, file, packets);
    if (mode.checks & kFiller) CheckFiller(codec, sink, mode, file, dir, packets, rate);
    if (mode.checks & kBitrateStep) CheckBitrateStep(mode, packets);
    if (mode.checks & kLossless) CheckLossless(codec, sink, mode, file, dir);
    if (!mode.ref_format.empty()) CheckPsnr(codec, sink, mode, file, dir);
  }
  std::string failed;
  for (const auto& c : g_failed_checks) failed += (failed.empty() ? "" : " ") + c;
  std::fflush(stderr);
  std::printf("%s %s_%s_%s%s%s\n", failed.empty() ? "PASS" : "FAIL", codec.name, mode.name.c_str(),
              sink.name, failed.empty() ? "" : ": ", failed.c_str());
  if (!opt.want_fail.empty()) {
    auto want = Split(opt.want_fail, ',');
    const bool as_wanted = std::set<std::string>(want.begin(), want.end()) == g_failed_checks;
    std::printf("self-test: want exactly [%s] to fail: %s\n", opt.want_fail.c_str(),
                as_wanted ? "yes" : "no");
    return as_wanted ? 0 : 1;
  }
  return failed.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const auto& n : CellNames()) std::printf("%s\n", n.c_str());
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--check-list") == 0) {
    std::set<std::string> given(argv + 2, argv + argc), have;
    for (const auto& n : CellNames()) have.insert(n);
    int bad = 0;
    for (const auto& n : have) {
      if (!given.count(n)) std::fprintf(stderr, "cell %s is not a meson test\n", n.c_str()), bad++;
    }
    for (const auto& n : given) {
      if (!have.count(n)) std::fprintf(stderr, "meson test %s is not a cell\n", n.c_str()), bad++;
    }
    std::printf("%zu cells, %d differences\n", have.size(), bad);
    return bad ? 1 : 0;
  }
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s CELL OUTDIR [--rate N/D] [--truncate PERCENT] [--keyframe N]... "
                 "[--late-dts N] [--want-fail CHECK,...] | --list | --check-list CELL...\n",
                 argv[0]);
    return 2;
  }
  Options opt;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rate") == 0) {
      opt.rate = argv[i + 1];
    } else if (std::strcmp(argv[i], "--truncate") == 0) {
      opt.truncate = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--keyframe") == 0) {
      opt.keyframes.push_back(std::atoi(argv[i + 1]));
    } else if (std::strcmp(argv[i], "--late-dts") == 0) {
      opt.late_dts = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--want-fail") == 0) {
      opt.want_fail = argv[i + 1];
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  for (const Codec& c : kCodecs) {
    for (const Mode& m : Modes()) {
      if (!Applies(c, m)) continue;
      for (const Sink& s : kSinks) {
        if (std::string(c.name) + "_" + m.name + "_" + s.name == argv[1]) {
          return RunCell(c, m, s, argv[2], opt);
        }
      }
    }
  }
  std::fprintf(stderr, "unknown cell '%s' (--list lists them)\n", argv[1]);
  return 2;
}
