// SPDX-License-Identifier: GPL-2.0-or-later
// Interop tests for the encoder elements: real pipelines with the system's parsers, muxers,
// payloaders and decoders, and the files checked with ffprobe. The cases are written once with
// the codec's names as placeholders and run for every codec of kCodecs (or for the one they name).
//
//   interop CASE OUTDIR     run one case (meson runs one test per case)
//   interop --list          print the case names
//   interop --check-list CASE...   exit 0 when the given names are exactly --list
//
// Each case encodes a videotestsrc clip through the encoder (named "enc"), records the caps it
// negotiated, then checks what applies: frames counted at a sink named "out", the file decoded
// back with the codec's decoder (frame count, no error or warning on the bus), and ffprobe's view
// of the file (frames, profile, level, size; for mp4 and ts also strictly increasing DTS <= PTS).

#include <gst/gst.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

// An encoder element and the system's elements and names for its codec. A second codec is one
// more row; the cases below are written with its placeholders.
struct Codec {
  const char* id;           // "h264"; the cases of every codec but the first are named <id>_<case>
  const char* element;      // {enc}
  const char* media;        // {media}: the src caps' name
  const char* packetized;   // {packetized}: the length-prefixed stream-format
  const char* parser;       // {parse}
  const char* decoder;      // {dec}
  const char* payloader;    // {pay}
  const char* depayloader;  // {depay}
  const char* rtp_name;     // {rtpname}: RTP encoding-name
  const char* es_ext;       // {ext}: the raw elementary stream's file extension
  // caps profile = ffprobe's names for it ('|' between names), ';' between profiles.
  const char* profiles;
  int ffprobe_level_scale;  // ffprobe's level = caps level x this (H.264: 10, HEVC: 30)
  const char* odd_size;     // {oddsize}: "width=W,height=H", an odd size the codec takes
};

const Codec kCodecs[] = {
    {"h264", "vth264enc", "video/x-h264", "avc", "h264parse", "avdec_h264", "rtph264pay",
     "rtph264depay", "H264", "h264",
     "constrained-baseline=Constrained Baseline;baseline=Baseline|Constrained Baseline;main=Main;"
     "high=High;high-10=High 10;high-4:2:2=High 4:2:2;high-4:4:4=High 4:4:4 Predictive",
     10, "width=17,height=9"},
    // HEVC: pictures of at least one 16x16 coding tree unit; ffprobe names the range extensions
    // (4:2:2, 4:4:4, 12-bit) "Rext".
    {"h265", "vth265enc", "video/x-h265", "hvc1", "h265parse", "avdec_h265", "rtph265pay",
     "rtph265depay", "H265", "h265",
     "main=Main;main-10=Main 10;main-422-10=Rext;main-444=Rext;main-444-10=Rext", 30,
     "width=33,height=17"},
};

struct Case {
  const char* name;
  const char* codec;  // nullptr: every codec; else only this one (its own profiles and levels)
  // gst-launch syntax; {out} is the output file, the rest the codec's names (Codec). The encoder
  // must be named "enc".
  const char* encode;
  int frames;
  const char* file;    // output file name ({ext}: the codec's), or nullptr when none is written
  const char* decode;  // pipeline that decodes {out} into a fakesink named "out", or nullptr
  bool ffprobe;        // check the file with ffprobe
  bool packets;        // also check packet DTS/PTS order with ffprobe (mp4, ts)
};

#define RAW_I420 "video/x-raw,format=I420,width=320,height=240,framerate=30/1"

const Case kCases[] = {
    {"mp4_main_level4", "h264",
     "videotestsrc num-buffers=60 pattern=ball ! " RAW_I420
     " ! {enc} name=enc ! {media},profile=main,level=(string)4 ! {parse} ! mp4mux ! "
     "filesink location={out}",
     60, "out.mp4", "filesrc location={out} ! qtdemux ! {parse} ! {dec} ! fakesink name=out", true,
     true},
    {"mkv_high_nv12", "h264",
     "videotestsrc num-buffers=60 pattern=ball ! "
     "video/x-raw,format=NV12,width=640,height=360,framerate=25/1 ! {enc} name=enc ! "
     "{media},profile=high ! {parse} ! matroskamux ! filesink location={out}",
     60, "out.mkv", "filesrc location={out} ! matroskademux ! {parse} ! {dec} ! fakesink name=out",
     true, false},
    {"ts_baseline", "h264",
     "videotestsrc num-buffers=60 pattern=ball ! " RAW_I420
     " ! {enc} name=enc ! {media},profile=baseline ! {parse} ! mpegtsmux ! "
     "filesink location={out}",
     60, "out.ts", "filesrc location={out} ! tsdemux ! {parse} ! {dec} ! fakesink name=out", true,
     true},
    {"ts_high_level31", "h264",
     "videotestsrc num-buffers=60 pattern=ball ! " RAW_I420
     " ! {enc} name=enc ! {media},profile=high,level=(string)3.1 ! {parse} ! "
     "mpegtsmux ! filesink location={out}",
     60, "out.ts", "filesrc location={out} ! tsdemux ! {parse} ! {dec} ! fakesink name=out", true,
     true},
    {"mkv_10bit", "h264",
     "videotestsrc num-buffers=30 pattern=ball ! "
     "video/x-raw,format=I420_10LE,width=320,height=240,framerate=30/1 ! {enc} name=enc ! "
     "{parse} ! matroskamux ! filesink location={out}",
     30, "out.mkv", "filesrc location={out} ! matroskademux ! {parse} ! {dec} ! fakesink name=out",
     true, false},
    {"mp4_main", "h265",
     "videotestsrc num-buffers=60 pattern=ball ! " RAW_I420
     " ! {enc} name=enc ! {media},profile=main ! {parse} ! mp4mux ! filesink location={out}",
     60, "out.mp4", "filesrc location={out} ! qtdemux ! {parse} ! {dec} ! fakesink name=out", true,
     true},
    {"mkv_main10", "h265",
     "videotestsrc num-buffers=30 pattern=ball ! "
     "video/x-raw,format=I420_10LE,width=320,height=240,framerate=30/1 ! {enc} name=enc ! "
     "{media},profile=main-10 ! {parse} ! matroskamux ! filesink location={out}",
     30, "out.mkv", "filesrc location={out} ! matroskademux ! {parse} ! {dec} ! fakesink name=out",
     true, false},
    {"ts_main422_10", "h265",
     "videotestsrc num-buffers=30 pattern=ball ! "
     "video/x-raw,format=I422_10LE,width=320,height=240,framerate=30/1 ! {enc} name=enc ! "
     "{media},profile=main-422-10 ! {parse} ! mpegtsmux ! filesink location={out}",
     30, "out.ts", "filesrc location={out} ! tsdemux ! {parse} ! {dec} ! fakesink name=out", true,
     true},
    {"bytestream_file", nullptr,
     "videotestsrc num-buffers=60 pattern=ball ! " RAW_I420
     " ! {enc} name=enc ! {media},stream-format=byte-stream ! filesink location={out}",
     60, "out.{ext}", "filesrc location={out} ! {parse} ! {dec} ! fakesink name=out", true, false},
    {"rtp_packetized", nullptr,
     "videotestsrc num-buffers=60 pattern=ball ! " RAW_I420
     " ! {enc} name=enc ! {media},stream-format={packetized} ! {pay} ! "
     "application/x-rtp,media=video,encoding-name={rtpname},clock-rate=90000 ! {depay} ! "
     "{parse} ! {dec} ! fakesink name=out",
     60, nullptr, nullptr, false, false},
    {"rtp_bytestream", nullptr,
     "videotestsrc num-buffers=60 pattern=ball ! " RAW_I420
     " ! {enc} name=enc ! {media},stream-format=byte-stream ! {pay} mtu=600 ! "
     "{depay} ! {parse} ! {dec} ! fakesink name=out",
     60, nullptr, nullptr, false, false},
    {"odd_size_mkv", nullptr,
     "videotestsrc num-buffers=30 ! video/x-raw,format=I420,{oddsize},framerate=30/1 ! "
     "{enc} name=enc ! {parse} ! matroskamux ! filesink location={out}",
     30, "out.mkv", "filesrc location={out} ! matroskademux ! {parse} ! {dec} ! fakesink name=out",
     true, false},
    {"mp4_no_reordering", nullptr,
     "videotestsrc num-buffers=60 pattern=ball ! " RAW_I420
     " ! {enc} name=enc allow-frame-reordering=false max-keyframe-interval=15 ! {parse} ! "
     "mp4mux ! filesink location={out}",
     60, "out.mp4", "filesrc location={out} ! qtdemux ! {parse} ! {dec} ! fakesink name=out", true,
     true},
    {"live_latency", nullptr,
     // Live source and a synchronised sink: the pipeline takes the encoder's reported latency
     // and every frame arrives. (Whether frames are *on time* depends on the machine's load, so
     // it is not asserted here; the latency value itself is checked exactly in tests/gst.)
     "videotestsrc is-live=true num-buffers=90 pattern=ball ! " RAW_I420
     " ! {enc} name=enc ! {parse} ! {dec} ! "
     "fakesink name=out sync=true qos=false max-lateness=-1",
     90, nullptr, nullptr, false, false},
};

bool g_failed = false;

#define CHECK(cond, ...)                                        \
  do {                                                          \
    if (!(cond)) {                                              \
      std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);                        \
      std::fprintf(stderr, "\n");                               \
      g_failed = true;                                          \
    }                                                           \
  } while (0)

std::string Replace(std::string s, const std::string& key, const std::string& value) {
  for (size_t pos; (pos = s.find(key)) != std::string::npos;) s.replace(pos, key.size(), value);
  return s;
}

struct RunResult {
  bool ok = false;
  int buffers = 0;              // buffers that reached the sink named "out"
  GstCaps* enc_caps = nullptr;  // caps on the encoder's src pad
};

GstPadProbeReturn CountProbe(GstPad*, GstPadProbeInfo*, gpointer data) {
  g_atomic_int_inc(static_cast<gint*>(data));
  return GST_PAD_PROBE_OK;
}

// Runs a pipeline to EOS. Any ERROR, any WARNING, or a 60 s timeout fails it.
RunResult Run(const std::string& desc) {
  RunResult r;
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!pipeline || err) {
    CHECK(false, "cannot build '%s': %s", desc.c_str(), err ? err->message : "?");
    if (err) g_error_free(err);
    if (pipeline) gst_object_unref(pipeline);
    return r;
  }
  gint buffers = 0;
  if (GstElement* out = gst_bin_get_by_name(GST_BIN(pipeline), "out")) {
    GstPad* pad = gst_element_get_static_pad(out, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, CountProbe, &buffers, nullptr);
    gst_object_unref(pad);
    gst_object_unref(out);
  }
  GstElement* enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
  GstPad* enc_src = enc ? gst_element_get_static_pad(enc, "src") : nullptr;

  GstBus* bus = gst_element_get_bus(pipeline);
  CHECK(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE,
        "'%s' does not start", desc.c_str());
  bool done = false;
  gint64 deadline = g_get_monotonic_time() + 60 * G_TIME_SPAN_SECOND;
  while (!done) {
    gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0) {
      CHECK(false, "timeout running '%s'", desc.c_str());
      break;
    }
    GstMessage* msg = gst_bus_timed_pop(bus, left * GST_USECOND);
    if (!msg) continue;
    switch (GST_MESSAGE_TYPE(msg)) {
      case GST_MESSAGE_EOS:
        done = true;
        r.ok = true;
        break;
      case GST_MESSAGE_ERROR:
      case GST_MESSAGE_WARNING: {
        GError* e = nullptr;
        gchar* dbg = nullptr;
        bool is_error = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
        if (is_error) {
          gst_message_parse_error(msg, &e, &dbg);
        } else {
          gst_message_parse_warning(msg, &e, &dbg);
        }
        CHECK(false, "%s from %s: %s (%s)", is_error ? "ERROR" : "WARNING",
              GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), e->message, dbg ? dbg : "");
        g_error_free(e);
        g_free(dbg);
        if (is_error) done = true;
        break;
      }
      case GST_MESSAGE_LATENCY:
        gst_bin_recalculate_latency(GST_BIN(pipeline));
        break;
      default:
        break;
    }
    gst_message_unref(msg);
  }
  if (enc_src) r.enc_caps = gst_pad_get_current_caps(enc_src);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  r.buffers = g_atomic_int_get(&buffers);
  if (enc_src) gst_object_unref(enc_src);
  if (enc) gst_object_unref(enc);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
  return r;
}

// Runs ffprobe; returns stdout, fails on a non-zero exit or anything on stderr.
bool Ffprobe(const std::vector<std::string>& args, std::string* out) {
  const char* ffprobe = g_getenv("VTC_FFPROBE");
  if (!ffprobe || !*ffprobe) ffprobe = "ffprobe";
  std::vector<gchar*> argv = {const_cast<gchar*>(ffprobe)};
  for (const auto& a : args) argv.push_back(const_cast<gchar*>(a.c_str()));
  argv.push_back(nullptr);
  gchar *sout = nullptr, *serr = nullptr;
  gint status = 0;
  GError* err = nullptr;
  bool ok = g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr,
                         &sout, &serr, &status, &err);
  CHECK(ok, "cannot run %s: %s", ffprobe, err ? err->message : "?");
  if (err) g_error_free(err);
  if (ok) {
    CHECK(g_spawn_check_wait_status(status, nullptr), "ffprobe failed: %s", serr ? serr : "");
    CHECK(!serr || !*serr, "ffprobe reported: %s", serr);
    *out = sout ? sout : "";
  }
  g_free(sout);
  g_free(serr);
  return ok && !g_failed;
}

std::map<std::string, std::string> KeyValues(const std::string& text) {
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

// ffprobe's names for the caps profiles it may report for each (Codec::profiles).
bool ProfileMatches(const Codec& codec, const std::string& caps_profile,
                    const std::string& ffprobe_profile) {
  for (const auto& entry : Split(codec.profiles, ';')) {
    const size_t eq = entry.find('=');
    if (entry.substr(0, eq) != caps_profile) continue;
    for (const auto& name : Split(entry.substr(eq + 1), '|'))
      if (name == ffprobe_profile) return true;
  }
  return false;
}

// "3.1" -> 31, "4" -> 40 (x scale / 10); -1 for anything else (1b).
int LevelIdc(const std::string& level, int scale) {
  int major = 0, minor = 0;
  if (std::sscanf(level.c_str(), "%d.%d", &major, &minor) < 1 || level == "1b") return -1;
  return (major * 10 + minor) * scale / 10;
}

void CheckStream(const Codec& codec, const Case& c, const std::string& file, GstCaps* caps) {
  std::string out;
  if (!Ffprobe({"-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_frames,profile,level,width,height", "-of",
                "default=noprint_wrappers=1", file},
               &out)) {
    return;
  }
  auto kv = KeyValues(out);
  std::fprintf(stderr, "ffprobe %s:\n%s", file.c_str(), out.c_str());
  CHECK(kv["nb_read_frames"] == std::to_string(c.frames), "ffprobe read %s frames, want %d",
        kv["nb_read_frames"].c_str(), c.frames);
  if (!caps) {
    CHECK(false, "no encoder caps to compare with");
    return;
  }
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  int w = 0, h = 0;
  gst_structure_get_int(s, "width", &w);
  gst_structure_get_int(s, "height", &h);
  CHECK(kv["width"] == std::to_string(w) && kv["height"] == std::to_string(h),
        "ffprobe size %sx%s, caps %dx%d", kv["width"].c_str(), kv["height"].c_str(), w, h);
  const char* profile = gst_structure_get_string(s, "profile");
  CHECK(profile && ProfileMatches(codec, profile, kv["profile"]), "ffprobe profile '%s', caps '%s'",
        kv["profile"].c_str(), profile ? profile : "(none)");
  const char* level = gst_structure_get_string(s, "level");
  CHECK(level != nullptr, "caps without level");
  if (level && LevelIdc(level, codec.ffprobe_level_scale) > 0) {
    CHECK(kv["level"] == std::to_string(LevelIdc(level, codec.ffprobe_level_scale)),
          "ffprobe level %s, caps level %s", kv["level"].c_str(), level);
  }
}

void CheckPackets(const std::string& file) {
  std::string out;
  if (!Ffprobe({"-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts,dts", "-of",
                "csv=p=0", file},
               &out)) {
    return;
  }
  std::istringstream in(out);
  long long last_dts = 0;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    long long pts = 0, dts = 0;
    if (std::sscanf(line.c_str(), "%lld,%lld", &pts, &dts) != 2) {
      CHECK(false, "packet %d without PTS and DTS: '%s'", n, line.c_str());
      return;
    }
    CHECK(n == 0 || dts > last_dts, "packet %d: DTS %lld not above %lld", n, dts, last_dts);
    CHECK(dts <= pts, "packet %d: DTS %lld > PTS %lld", n, dts, pts);
    last_dts = dts;
    n++;
  }
  CHECK(n > 0, "no packets");
}

// The pipeline text with the codec's names in place of the placeholders.
std::string ForCodec(const Codec& codec, std::string text) {
  for (const auto& [key, value] :
       std::vector<std::pair<const char*, const char*>>{{"{enc}", codec.element},
                                                        {"{media}", codec.media},
                                                        {"{packetized}", codec.packetized},
                                                        {"{parse}", codec.parser},
                                                        {"{dec}", codec.decoder},
                                                        {"{pay}", codec.payloader},
                                                        {"{depay}", codec.depayloader},
                                                        {"{rtpname}", codec.rtp_name},
                                                        {"{ext}", codec.es_ext},
                                                        {"{oddsize}", codec.odd_size}})
    text = Replace(text, key, value);
  return text;
}

std::string CaseName(const Codec& codec, const Case& c) {
  return &codec == &kCodecs[0] ? c.name : std::string(codec.id) + "_" + c.name;
}

int RunCase(const Codec& codec, const Case& c, const std::string& dir) {
  g_mkdir_with_parents(dir.c_str(), 0755);
  std::string file = c.file ? dir + "/" + ForCodec(codec, c.file) : "";
  if (!file.empty()) std::remove(file.c_str());

  RunResult enc = Run(Replace(ForCodec(codec, c.encode), "{out}", file));
  CHECK(enc.ok, "encode pipeline did not reach EOS");
  CHECK(enc.enc_caps != nullptr, "%s negotiated no caps", codec.element);
  if (enc.enc_caps) {
    gchar* s = gst_caps_to_string(enc.enc_caps);
    std::fprintf(stderr, "%s caps: %s\n", codec.element, s);
    g_free(s);
  }
  if (!c.file) {
    CHECK(enc.buffers == c.frames, "%d of %d frames decoded", enc.buffers, c.frames);
  }
  if (c.decode && enc.ok) {
    RunResult dec = Run(Replace(ForCodec(codec, c.decode), "{out}", file));
    CHECK(dec.ok, "decode pipeline did not reach EOS");
    CHECK(dec.buffers == c.frames, "%s decoded %d of %d frames", codec.decoder, dec.buffers,
          c.frames);
  }
  if (c.ffprobe && enc.ok) CheckStream(codec, c, file, enc.enc_caps);
  if (c.packets && enc.ok) CheckPackets(file);
  if (enc.enc_caps) gst_caps_unref(enc.enc_caps);
  std::fprintf(stderr, "%s: %s\n", CaseName(codec, c).c_str(), g_failed ? "FAILED" : "ok");
  return g_failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const Codec& codec : kCodecs)
      for (const Case& c : kCases)
        if (!c.codec || std::strcmp(c.codec, codec.id) == 0)
          std::printf("%s\n", CaseName(codec, c).c_str());
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--check-list") == 0) {
    // Exit 0 when the given names are exactly --list's (meson's list is kept in step).
    std::set<std::string> given(argv + 2, argv + argc), have;
    for (const Codec& codec : kCodecs)
      for (const Case& c : kCases)
        if (!c.codec || std::strcmp(c.codec, codec.id) == 0) have.insert(CaseName(codec, c));
    for (const auto& n : have)
      if (!given.count(n)) std::fprintf(stderr, "case %s is not a meson test\n", n.c_str());
    for (const auto& n : given)
      if (!have.count(n)) std::fprintf(stderr, "meson test %s is not a case\n", n.c_str());
    return given == have ? 0 : 1;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CASE OUTDIR | --list | --check-list CASE...\n", argv[0]);
    return 2;
  }
  for (const Codec& codec : kCodecs)
    for (const Case& c : kCases)
      if ((!c.codec || std::strcmp(c.codec, codec.id) == 0) && CaseName(codec, c) == argv[1])
        return RunCase(codec, c, argv[2]);
  std::fprintf(stderr, "unknown case '%s'\n", argv[1]);
  return 2;
}
