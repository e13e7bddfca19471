// SPDX-License-Identifier: GPL-2.0-or-later
// vtc-transcode: any file GStreamer can decode into an MP4 through vth264enc (or vth265enc).
//
//   vtc-transcode [--codec h264|h265] [--psnr] [--no-audio] [-q] INPUT OUTPUT.mp4 [property=value
//   ...]
//
//   uridecodebin (INPUT) ─ video ─ queue ! videoconvert ! vth264enc PROPERTIES ─┐
//                        └ audio ─ queue ! [audioconvert ! audioresample ! avenc_aac] ─ mp4mux !
//                        filesink
//
// Properties are the encoder's, parsed as gst-launch parses them (bitrate=3000, preset=archive,
// realtime=true). Audio that mp4mux takes as it is (AAC, MP3, AC-3, ALAC, Opus) is not decoded
// at all; other audio is re-encoded to AAC when avenc_aac (gstreamer1.0-libav) is installed, and
// dropped with a message otherwise. Progress goes to stderr, the summary to stdout; --psnr then
// decodes INPUT and OUTPUT again and compares them frame by frame (both converted to I420).
// Exit status: 0 done, 1 error (the message says which), 2 bad command line.

#include <gst/app/app.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace {

constexpr char kMuxer[] = "mp4mux";
constexpr char kAacEncoder[] = "avenc_aac";

struct Transcode {
  // Set up by main().
  GstElement* pipeline = nullptr;
  GstElement* encoder = nullptr;
  GstElement* mux = nullptr;
  GMainLoop* loop = nullptr;
  bool keep_audio = true;
  bool tty = false;
  bool quiet = false;
  bool interrupted = false;  // main loop only

  // Written from streaming threads, read on the main loop.
  std::atomic<bool> video_linked{false};
  std::atomic<int> frames{0};
  std::atomic<gint64> bytes{0};
  std::atomic<gint64> position{-1};  // stream time of the end of the last encoded frame
  std::mutex lock;                   // guards the two strings
  std::string audio_note;            // what happened to the audio
  std::string error;                 // the first failure

  gint64 start_us = 0;
  gint64 duration = -1;  // the input's, once known (main loop)
  int ticks = 0;
};

std::string Clock(double seconds) {
  const long s = std::lround(seconds);
  char text[32];
  std::snprintf(text, sizeof(text), "%ld:%02ld", s / 60, s % 60);
  return text;
}

// --- the encoder's properties from the command line ----------------------------------------------

// " (MIN .. MAX)" of a numeric property, else "".
std::string Range(GParamSpec* pspec) {
  auto text = [](auto lo, auto hi) {
    return " (" + std::to_string(lo) + " .. " + std::to_string(hi) + ")";
  };
  if (G_IS_PARAM_SPEC_INT(pspec))
    return text(G_PARAM_SPEC_INT(pspec)->minimum, G_PARAM_SPEC_INT(pspec)->maximum);
  if (G_IS_PARAM_SPEC_UINT(pspec))
    return text(G_PARAM_SPEC_UINT(pspec)->minimum, G_PARAM_SPEC_UINT(pspec)->maximum);
  if (G_IS_PARAM_SPEC_INT64(pspec))
    return text(G_PARAM_SPEC_INT64(pspec)->minimum, G_PARAM_SPEC_INT64(pspec)->maximum);
  if (G_IS_PARAM_SPEC_UINT64(pspec))
    return text(G_PARAM_SPEC_UINT64(pspec)->minimum, G_PARAM_SPEC_UINT64(pspec)->maximum);
  if (G_IS_PARAM_SPEC_FLOAT(pspec))
    return text(G_PARAM_SPEC_FLOAT(pspec)->minimum, G_PARAM_SPEC_FLOAT(pspec)->maximum);
  if (G_IS_PARAM_SPEC_DOUBLE(pspec))
    return text(G_PARAM_SPEC_DOUBLE(pspec)->minimum, G_PARAM_SPEC_DOUBLE(pspec)->maximum);
  return "";
}

// Sets NAME=VALUE on `element` as gst-launch would, or says what is wrong with it.
bool SetProperty(GstElement* element, const char* arg, std::string* why) {
  const char* eq = std::strchr(arg, '=');
  if (!eq || eq == arg) {
    *why = std::string("'") + arg + "' is not property=value";
    return false;
  }
  const std::string name(arg, std::size_t(eq - arg));
  const char* value = eq + 1;
  const char* factory = GST_OBJECT_NAME(gst_element_get_factory(element));
  GParamSpec* pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), name.c_str());
  if (!pspec || !(pspec->flags & G_PARAM_WRITABLE)) {
    *why = std::string(factory) + " has no " + (pspec ? "writable " : "") + "property '" + name +
           "' (gst-inspect-1.0 " + factory + " lists them)";
    return false;
  }
  // gst_util_set_object_arg() parses the same way but only logs a failure: parse here to say so.
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(pspec));
  bool ok = gst_value_deserialize_with_pspec(&v, value, pspec);
  if (!ok) {
    *why = std::string("bad value '") + value + "' for " + name + " (a " +
           g_type_name(G_PARAM_SPEC_VALUE_TYPE(pspec)) + ")";
  } else if (g_param_value_validate(pspec, &v)) {  // true: it had to be changed to fit
    *why = std::string("value '") + value + "' for " + name + " is out of range" + Range(pspec);
    ok = false;
  } else {
    g_object_set_property(G_OBJECT(element), name.c_str(), &v);
  }
  g_value_unset(&v);
  return ok;
}

// --- building the pipeline as streams appear -----------------------------------------------------

void Fail(Transcode* t, const std::string& message) {
  std::lock_guard<std::mutex> l(t->lock);
  if (t->error.empty()) t->error = message;  // the first error is the one to report
  g_main_loop_quit(t->loop);
}

// Elements made from a launch-line fragment, added to the pipeline and started.
GstElement* AddChain(Transcode* t, const char* description) {
  GError* err = nullptr;
  GstElement* bin = gst_parse_bin_from_description(description, TRUE, &err);
  if (!bin) {
    g_printerr("vtc-transcode: %s\n", err ? err->message : description);
    g_clear_error(&err);
    return nullptr;
  }
  gst_bin_add(GST_BIN(t->pipeline), bin);
  gst_element_sync_state_with_parent(bin);
  return bin;
}

bool LinkToMuxer(Transcode* t, GstPad* from, const char* mux_pad) {
  GstPad* sink = gst_element_request_pad_simple(t->mux, mux_pad);
  const bool ok = sink && gst_pad_link(from, sink) == GST_PAD_LINK_OK;
  if (sink) gst_object_unref(sink);
  return ok;
}

// uridecodebin asks before decoding each stream further: audio that mp4mux takes as it is stays
// as it is.
gboolean OnAutoplugContinue(GstElement*, GstPad*, GstCaps* caps, gpointer data) {
  auto* t = static_cast<Transcode*>(data);
  const gchar* media = gst_structure_get_name(gst_caps_get_structure(caps, 0));
  if (!t->keep_audio || !g_str_has_prefix(media, "audio/") || g_str_equal(media, "audio/x-raw"))
    return TRUE;
  GstPadTemplate* tmpl =
      gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(t->mux), "audio_%u");
  GstCaps* accepted = gst_pad_template_get_caps(tmpl);
  const bool as_is = gst_caps_can_intersect(caps, accepted);
  gst_caps_unref(accepted);
  return !as_is;
}

void OnPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* t = static_cast<Transcode*>(data);
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const std::string media = gst_structure_get_name(gst_caps_get_structure(caps, 0));
  gchar* caps_text = gst_caps_to_string(caps);
  gst_caps_unref(caps);

  GstElement* chain = nullptr;
  const char* mux_pad = nullptr;
  std::string note;
  if (media == "video/x-raw" && !t->video_linked.exchange(true)) {
    // The encoder joins the pipeline only now: it negotiates with the decoded stream.
    chain = AddChain(t, "queue ! videoconvert");
    if (chain) {
      gst_bin_add(GST_BIN(t->pipeline), t->encoder);
      if (!gst_element_link(chain, t->encoder) || !gst_element_sync_state_with_parent(t->encoder))
        Fail(t, "cannot link the video decoder to the encoder");
      GstPad* enc_src = gst_element_get_static_pad(t->encoder, "src");
      if (!LinkToMuxer(t, enc_src, "video_%u")) Fail(t, "mp4mux refuses the encoder's output");
      gst_object_unref(enc_src);
    }
  } else if (t->keep_audio && media == "audio/x-raw" && gst_element_factory_find(kAacEncoder)) {
    chain = AddChain(t, "queue ! audioconvert ! audioresample ! avenc_aac ! queue");
    mux_pad = "audio_%u";
    note = std::string("re-encoded to AAC with ") + kAacEncoder;
  } else if (t->keep_audio && g_str_has_prefix(media.c_str(), "audio/") && media != "audio/x-raw") {
    chain = AddChain(t, "queue");  // OnAutoplugContinue stopped here: mp4mux takes it
    mux_pad = "audio_%u";
    note = "passed through (" + media + ", not decoded)";
  } else {
    // Streams left out still have to flow somewhere, or the demuxer stops for them.
    chain = AddChain(t, "fakesink sync=false async=false");
    if (g_str_has_prefix(media.c_str(), "audio/") && t->keep_audio)
      note = "dropped: mp4mux does not take " + media + " and there is no AAC encoder (" +
             kAacEncoder + ", in gstreamer1.0-libav)";
    else if (g_str_has_prefix(media.c_str(), "audio/"))
      note = "dropped (--no-audio)";
    else if (!t->quiet)
      g_printerr("vtc-transcode: ignoring a stream of %s\n", media.c_str());
  }
  if (!chain) {
    Fail(t, "cannot build the branch for " + media);
  } else {
    GstPad* chain_sink = gst_element_get_static_pad(chain, "sink");
    if (gst_pad_link(pad, chain_sink) != GST_PAD_LINK_OK) Fail(t, "cannot link " + media);
    gst_object_unref(chain_sink);
    if (mux_pad) {
      GstPad* chain_src = gst_element_get_static_pad(chain, "src");
      if (!LinkToMuxer(t, chain_src, mux_pad)) Fail(t, std::string("mp4mux refuses ") + caps_text);
      gst_object_unref(chain_src);
    }
  }
  if (!note.empty()) {
    if (!t->quiet) g_printerr("vtc-transcode: audio %s\n", note.c_str());
    std::lock_guard<std::mutex> l(t->lock);
    if (t->audio_note.empty()) t->audio_note = note;
  }
  g_free(caps_text);
}

void OnNoMorePads(GstElement*, gpointer data) {
  auto* t = static_cast<Transcode*>(data);
  if (!t->video_linked) Fail(t, "the input has no video stream");
}

// Counts what the encoder sends out (its own thread) and where in the stream it is.
GstPadProbeReturn OnEncoded(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* t = static_cast<Transcode*>(data);
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  t->frames++;
  t->bytes += gint64(gst_buffer_get_size(buf));
  if (GST_BUFFER_PTS_IS_VALID(buf)) {
    GstEvent* ev = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
    if (ev) {
      const GstSegment* seg = nullptr;
      gst_event_parse_segment(ev, &seg);
      GstClockTime end = GST_BUFFER_PTS(buf);
      if (GST_BUFFER_DURATION_IS_VALID(buf)) end += GST_BUFFER_DURATION(buf);
      const guint64 st = gst_segment_to_stream_time(seg, GST_FORMAT_TIME, end);
      if (st != GST_CLOCK_TIME_NONE && gint64(st) > t->position) t->position = gint64(st);
      gst_event_unref(ev);
    }
  }
  return GST_PAD_PROBE_OK;
}

// --- progress, bus, signals ----------------------------------------------------------------------

void PrintProgress(Transcode* t, bool final) {
  const double elapsed = double(g_get_monotonic_time() - t->start_us) / 1e6;
  const int frames = t->frames;
  const double fps = elapsed > 0 ? frames / elapsed : 0;
  gint64 duration = t->duration;
  if (!final && gst_element_query_duration(t->pipeline, GST_FORMAT_TIME, &duration))
    t->duration = duration;
  const gint64 pos = t->position;
  std::string line = std::to_string(frames) + " frames";
  gchar* rest;
  if (duration > 0 && pos >= 0) {
    const double done = final && !t->interrupted ? 1.0 : MIN(1.0, double(pos) / double(duration));
    const double eta = done > 0 ? elapsed * (1 - done) / done : 0;
    rest = g_strdup_printf("%5.1f%%  %s  %.0f fps  ETA %s", 100 * done, line.c_str(), fps,
                           done > 0 ? Clock(eta).c_str() : "?");
  } else {
    rest = g_strdup_printf("%s  %.0f fps", line.c_str(), fps);
  }
  if (t->tty)
    g_printerr("\r\033[K%s%s", rest, final ? "\n" : "");
  else
    g_printerr("progress: %s\n", rest);
  g_free(rest);
}

gboolean OnTick(gpointer data) {
  auto* t = static_cast<Transcode*>(data);
  // A terminal gets a line redrawn 4 times a second; a log one line a second.
  if (!t->quiet && (t->tty || ++t->ticks % 4 == 0)) PrintProgress(t, false);
  return G_SOURCE_CONTINUE;
}

gboolean OnBusMessage(GstBus*, GstMessage* m, gpointer data) {
  auto* t = static_cast<Transcode*>(data);
  if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS) {
    g_main_loop_quit(t->loop);
  } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError* err = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(m, &err, &debug);
    Fail(t, std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(m))) + ": " + err->message);
    if (debug && g_getenv("VTC_DEBUG")) g_printerr("  %s\n", debug);
    g_error_free(err);
    g_free(debug);
  }
  return G_SOURCE_CONTINUE;
}

// Ctrl-C: finish the file properly (mp4mux writes its index at EOS) instead of leaving it broken.
gboolean OnInterrupt(gpointer data) {
  auto* t = static_cast<Transcode*>(data);
  g_printerr("\nvtc-transcode: interrupted, finishing the file\n");
  t->interrupted = true;
  gst_element_send_event(t->pipeline, gst_event_new_eos());
  return G_SOURCE_REMOVE;
}

// --- PSNR: INPUT and OUTPUT decoded again, frame by frame ----------------------------------------

struct PlaneError {
  double sse = 0;
  double samples = 0;
};

double Psnr(const PlaneError& e) {
  if (e.samples == 0) return 0;
  if (e.sse == 0) return INFINITY;
  return 10 * std::log10(255.0 * 255.0 * e.samples / e.sse);
}

// The comparison's decoders: the first video stream goes to `data` (a bin ending in an appsink),
// anything else to a fakesink.
void OnComparePad(GstElement* decode, GstPad* pad, gpointer data) {
  auto* chain = static_cast<GstElement*>(data);
  GstCaps* caps = gst_pad_get_current_caps(pad);
  const bool video = caps && gst_structure_has_name(gst_caps_get_structure(caps, 0), "video/x-raw");
  if (caps) gst_caps_unref(caps);
  GstPad* sink = gst_element_get_static_pad(chain, "sink");
  if (!video || gst_pad_is_linked(sink)) {
    gst_object_unref(sink);
    GstElement* drop = gst_element_factory_make("fakesink", nullptr);
    g_object_set(drop, "sync", FALSE, "async", FALSE, nullptr);
    GstObject* pipeline = gst_element_get_parent(decode);
    gst_bin_add(GST_BIN(pipeline), drop);
    gst_object_unref(pipeline);
    gst_element_sync_state_with_parent(drop);
    sink = gst_element_get_static_pad(drop, "sink");
  }
  gst_pad_link(pad, sink);
  gst_object_unref(sink);
}

// Adds "uridecodebin uri=URI ! [first video stream] videoconvert ! I420 ! appsink" to `p` and
// returns the appsink (a reference).
GstElement* AddDecoder(GstElement* p, const std::string& uri) {
  GstElement* decode = gst_element_factory_make("uridecodebin", nullptr);
  GstElement* chain = gst_parse_bin_from_description(
      "videoconvert ! video/x-raw,format=I420 ! appsink name=frames sync=false max-buffers=2", TRUE,
      nullptr);
  if (!decode || !chain) return nullptr;
  g_object_set(decode, "uri", uri.c_str(), nullptr);
  g_signal_connect(decode, "pad-added", G_CALLBACK(OnComparePad), chain);
  gst_bin_add_many(GST_BIN(p), decode, chain, nullptr);
  return gst_bin_get_by_name(GST_BIN(chain), "frames");
}

// Decodes INPUT and OUTPUT again and compares them frame by frame, in the order they come; false
// with `why` set when they cannot be compared.
bool ComparePsnr(const std::string& in_uri, const std::string& out_uri, std::string* why) {
  GstElement* p = gst_pipeline_new("compare");
  GstElement* a = AddDecoder(p, in_uri);
  GstElement* b = AddDecoder(p, out_uri);
  if (!a || !b) {
    *why = "cannot build the comparison";
    gst_object_unref(p);
    return false;
  }
  gst_element_set_state(p, GST_STATE_PLAYING);
  PlaneError planes[3];
  int compared = 0, only_one = 0;
  for (;;) {
    GstSample* sa = gst_app_sink_pull_sample(GST_APP_SINK(a));
    GstSample* sb = gst_app_sink_pull_sample(GST_APP_SINK(b));
    if (!sa || !sb) {
      only_one += (sa != nullptr) + (sb != nullptr);
      if (sa) gst_sample_unref(sa);
      if (sb) gst_sample_unref(sb);
      break;
    }
    GstVideoInfo ia, ib;
    GstVideoFrame fa, fb;
    if (gst_video_info_from_caps(&ia, gst_sample_get_caps(sa)) &&
        gst_video_info_from_caps(&ib, gst_sample_get_caps(sb)) && ia.width == ib.width &&
        ia.height == ib.height &&
        gst_video_frame_map(&fa, &ia, gst_sample_get_buffer(sa), GST_MAP_READ)) {
      if (gst_video_frame_map(&fb, &ib, gst_sample_get_buffer(sb), GST_MAP_READ)) {
        for (int c = 0; c < 3; c++) {
          const auto* pa = static_cast<const guint8*>(GST_VIDEO_FRAME_COMP_DATA(&fa, c));
          const auto* pb = static_cast<const guint8*>(GST_VIDEO_FRAME_COMP_DATA(&fb, c));
          const int w = GST_VIDEO_FRAME_COMP_WIDTH(&fa, c), h = GST_VIDEO_FRAME_COMP_HEIGHT(&fa, c);
          for (int y = 0; y < h; y++) {
            const guint8* ra = pa + y * GST_VIDEO_FRAME_COMP_STRIDE(&fa, c);
            const guint8* rb = pb + y * GST_VIDEO_FRAME_COMP_STRIDE(&fb, c);
            gint64 sse = 0;
            for (int x = 0; x < w; x++) sse += (ra[x] - rb[x]) * (ra[x] - rb[x]);
            planes[c].sse += double(sse);
          }
          planes[c].samples += double(w) * h;
        }
        compared++;
        gst_video_frame_unmap(&fb);
      }
      gst_video_frame_unmap(&fa);
    } else if (compared == 0) {
      *why = "the decoded input and output differ in size";
    }
    gst_sample_unref(sa);
    gst_sample_unref(sb);
  }
  GstMessage* m = gst_bus_pop_filtered(GST_ELEMENT_BUS(p), GST_MESSAGE_ERROR);
  if (m) {
    GError* e = nullptr;
    gst_message_parse_error(m, &e, nullptr);
    *why = e->message;
    g_error_free(e);
    gst_message_unref(m);
  }
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(a);
  gst_object_unref(b);
  gst_object_unref(p);
  if (compared == 0) {
    if (why->empty()) *why = "no frame to compare";
    return false;
  }
  const PlaneError all = {planes[0].sse + planes[1].sse + planes[2].sse,
                          planes[0].samples + planes[1].samples + planes[2].samples};
  g_print("PSNR: Y %.2f dB, U %.2f dB, V %.2f dB, all %.2f dB (%d frames compared", Psnr(planes[0]),
          Psnr(planes[1]), Psnr(planes[2]), Psnr(all), compared);
  if (only_one) g_print("; one file has more frames than the other");
  g_print(")\n");
  return true;
}

std::string ToUri(const char* arg) {
  if (gst_uri_is_valid(arg)) return arg;
  gchar* uri = gst_filename_to_uri(arg, nullptr);
  std::string s = uri ? uri : "";
  g_free(uri);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  gchar* codec = nullptr;
  gboolean psnr = FALSE, no_audio = FALSE, quiet = FALSE;
  const GOptionEntry entries[] = {
      {"codec", 'c', 0, G_OPTION_ARG_STRING, &codec, "h264 (vth264enc, default) or h265", "CODEC"},
      {"psnr", 0, 0, G_OPTION_ARG_NONE, &psnr, "Decode both files again and report the PSNR",
       nullptr},
      {"no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, "Leave audio out", nullptr},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress line", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  GOptionContext* ctx = g_option_context_new("INPUT OUTPUT.mp4 [property=value ...]");
  g_option_context_set_summary(ctx,
                               "Transcodes any file GStreamer can decode into an MP4 through "
                               "vth264enc;\nproperty=value pairs set the encoder's properties.");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  GError* err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc < 3) {
    g_printerr(
        "vtc-transcode: %s\nusage: vtc-transcode [OPTIONS] INPUT OUTPUT.mp4 "
        "[property=value ...] (--help for more)\n",
        err ? err->message : "INPUT and OUTPUT are needed");
    return 2;
  }
  g_option_context_free(ctx);
  const char* encoder_name = "vth264enc";
  if (codec && std::strcmp(codec, "h265") == 0) {
    encoder_name = "vth265enc";
  } else if (codec && std::strcmp(codec, "h264") != 0) {
    g_printerr("vtc-transcode: --codec must be h264 or h265, not '%s'\n", codec);
    return 2;
  }
  const char* input = argv[1];
  const char* output = argv[2];

  Transcode t;
  t.keep_audio = !no_audio;
  t.quiet = quiet;
  t.tty = isatty(STDERR_FILENO);
  if (!gst_uri_is_valid(input) && !g_file_test(input, G_FILE_TEST_IS_REGULAR)) {
    g_printerr("vtc-transcode: %s: no such file\n", input);
    return 1;
  }
  t.encoder = gst_element_factory_make(encoder_name, "encoder");
  t.mux = gst_element_factory_make(kMuxer, "mux");
  GstElement* decode = gst_element_factory_make("uridecodebin", "decode");
  GstElement* sink = gst_element_factory_make("filesink", "sink");
  if (!t.encoder || !t.mux || !decode || !sink) {
    g_printerr("vtc-transcode: missing element %s (GST_PLUGIN_PATH_1_0 must name the plugin)\n",
               !t.encoder ? encoder_name
               : !t.mux   ? kMuxer
               : !decode  ? "uridecodebin"
                          : "filesink");
    return 1;
  }
  gst_object_ref_sink(t.encoder);  // added to the pipeline once a video stream shows up
  for (int i = 3; i < argc; i++) {
    std::string why;
    if (!SetProperty(t.encoder, argv[i], &why)) {
      g_printerr("vtc-transcode: %s\n", why.c_str());
      return 2;
    }
  }

  const std::string in_uri = ToUri(input), out_uri = ToUri(output);
  t.pipeline = gst_pipeline_new("transcode");
  t.loop = g_main_loop_new(nullptr, FALSE);
  g_object_set(decode, "uri", in_uri.c_str(), nullptr);
  g_object_set(sink, "location", output, nullptr);
  gst_bin_add_many(GST_BIN(t.pipeline), decode, t.mux, sink, nullptr);
  gst_element_link(t.mux, sink);
  g_signal_connect(decode, "autoplug-continue", G_CALLBACK(OnAutoplugContinue), &t);
  g_signal_connect(decode, "pad-added", G_CALLBACK(OnPadAdded), &t);
  g_signal_connect(decode, "no-more-pads", G_CALLBACK(OnNoMorePads), &t);
  GstPad* enc_src = gst_element_get_static_pad(t.encoder, "src");
  gst_pad_add_probe(enc_src, GST_PAD_PROBE_TYPE_BUFFER, OnEncoded, &t, nullptr);
  gst_object_unref(enc_src);

  GstBus* bus = gst_element_get_bus(t.pipeline);
  gst_bus_add_watch(bus, OnBusMessage, &t);
  gst_object_unref(bus);
  g_timeout_add(250, OnTick, &t);
  g_unix_signal_add(SIGINT, OnInterrupt, &t);

  t.start_us = g_get_monotonic_time();
  if (gst_element_set_state(t.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The element that refused posted why (an output that cannot be written, for one).
    GstMessage* m = gst_bus_pop_filtered(GST_ELEMENT_BUS(t.pipeline), GST_MESSAGE_ERROR);
    if (m) OnBusMessage(nullptr, m, &t);
    if (m) gst_message_unref(m);
    Fail(&t, "the pipeline does not start");
  } else {
    g_main_loop_run(t.loop);
  }
  const double wall = double(g_get_monotonic_time() - t.start_us) / 1e6;
  if (t.error.empty() && !quiet) {
    gst_element_query_duration(t.pipeline, GST_FORMAT_TIME, &t.duration);  // for short runs
    PrintProgress(&t, true);
  }
  gst_element_set_state(t.pipeline, GST_STATE_NULL);

  int status = 0;
  if (!t.error.empty()) {
    if (t.tty && !quiet) g_printerr("\n");
    g_printerr("vtc-transcode: %s: %s\n", input, t.error.c_str());
    // What was written is not a playable MP4 (mp4mux writes its index at the end).
    if (g_unlink(output) == 0) g_printerr("vtc-transcode: %s removed\n", output);
    status = 1;
  } else {
    const double seconds = double(t.position) / GST_SECOND;
    g_print("%s -> %s (%s)\n", input, output, encoder_name);
    g_print("video: %d frames, %.2f s, %.0f kbit/s\n", int(t.frames), seconds,
            seconds > 0 ? double(t.bytes) * 8 / seconds / 1000 : 0.0);
    g_print("audio: %s\n", t.audio_note.empty() ? "none in the input" : t.audio_note.c_str());
    g_print("time: %.2f s (%.0f fps)\n", wall, wall > 0 ? t.frames / wall : 0.0);
    std::string why;
    if (t.interrupted) {
      g_print("interrupted: the output has the part before Ctrl-C\n");
      status = 130;
    } else if (psnr && !ComparePsnr(in_uri, out_uri, &why)) {
      g_printerr("vtc-transcode: PSNR: %s\n", why.c_str());
      status = 1;
    }
  }
  gst_object_unref(t.encoder);
  gst_object_unref(t.pipeline);
  g_main_loop_unref(t.loop);
  g_free(codec);
  return status;
}
