// SPDX-License-Identifier: GPL-2.0-or-later
// Helper for tests/bench/live.py (not part of the build): runs one GStreamer pipeline, given as a
// gst-launch description with an element named "enc", and records when every buffer enters and
// leaves that element on the pipeline clock.
//
//   livelat OUT.csv 'filesrc ... ! clocksync ! vth264enc name=enc ... ! filesink ...' [SECONDS]
//
// Pad probes on enc's sink and src pads record, per buffer, its PTS (and DTS, size and key-frame
// flag on the src side), the PTS as running time in the pad's segment, and the clock's running
// time (clock time - base time) when the buffer passes the pad. The element's own latency is
// queried on the main thread (a LATENCY query on enc's src pad, which includes everything
// upstream, minus the same query on the peer of enc's sink pad) when the pipeline reaches
// PLAYING, on every latency message, every 250 ms while running and at EOS; a line is written
// whenever it changes. QoS messages from enc (frames it answered as dropped) are counted.
//
// OUT.csv has one record per line, first field the kind:
//   in,SEQ,PTS,PTS_RT,CLOCK_RT                      a buffer entering enc (ns; -1 = none)
//   out,SEQ,PTS,DTS,PTS_RT,CLOCK_RT,SIZE,KEY        a buffer leaving enc
//   latency,CLOCK_RT,LIVE,MIN,MAX,UP_MIN,UP_MAX     enc's reported latency (MIN/MAX minus UP_*)
//   qos,CLOCK_RT,DROPPED                            a QoS message from enc
//   pipeline_latency,NS                             the pipeline's LATENCY query answer at EOS
//   end,STATUS,CLOCK_RT,MESSAGE                     eos, timeout or error, when, the error
// Exit status 0 after EOS, 1 on an error, 3 when SECONDS (of the clock's running time) passed
// before EOS: the pipeline is stopped there and what was recorded so far is written (an encoder
// far slower than real time would otherwise hold the source back for many times the clip's
// length).
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  gint64 pts, dts, pts_rt, clock_rt;
  gsize size;
  gboolean key;
} Rec;

typedef struct {
  GstElement* pipeline;
  GstElement* enc;
  GMainLoop* loop;
  GMutex lock;
  GArray* in;   // Rec
  GArray* out;  // Rec
  GstSegment in_seg, out_seg;
  GString* log;  // latency, qos lines
  gint64 last_min, last_max, last_up_min, last_up_max;
  gboolean last_live, have_latency, playing;
  gint64 max_ns;  // stop at this running time; 0 = no limit
  int status;
  char* error;
} Ctx;

static gint64 ts(GstClockTime t) {
  return GST_CLOCK_TIME_IS_VALID(t) ? (gint64)t : -1;
}

static gint64 clock_running_time(GstElement* e) {
  GstClock* clock = gst_element_get_clock(e);
  if (!clock) return -1;
  GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  GstClockTime base = gst_element_get_base_time(e);
  if (!GST_CLOCK_TIME_IS_VALID(now) || !GST_CLOCK_TIME_IS_VALID(base) || now < base) return -1;
  return (gint64)(now - base);
}

static gint64 pts_running_time(const GstSegment* seg, GstClockTime pts) {
  if (seg->format != GST_FORMAT_TIME || !GST_CLOCK_TIME_IS_VALID(pts)) return -1;
  return ts(gst_segment_to_running_time(seg, GST_FORMAT_TIME, pts));
}

static void record(Ctx* c, gboolean is_out, GstBuffer* buf) {
  gint64 now = clock_running_time(c->enc);
  g_mutex_lock(&c->lock);
  Rec r = {ts(GST_BUFFER_PTS(buf)),
           ts(GST_BUFFER_DTS(buf)),
           -1,
           now,
           gst_buffer_get_size(buf),
           !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT)};
  r.pts_rt = pts_running_time(is_out ? &c->out_seg : &c->in_seg, GST_BUFFER_PTS(buf));
  g_array_append_val(is_out ? c->out : c->in, r);
  g_mutex_unlock(&c->lock);
}

static gboolean record_list_item(GstBuffer** buf, guint idx, gpointer data) {
  (void)idx;
  void** args = data;
  record(args[0], GPOINTER_TO_INT(args[1]), *buf);
  return TRUE;
}

static GstPadProbeReturn probe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  Ctx* c = data;
  gboolean is_out = GST_PAD_DIRECTION(pad) == GST_PAD_SRC;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    record(c, is_out, GST_PAD_PROBE_INFO_BUFFER(info));
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    void* args[2] = {c, GINT_TO_POINTER(is_out)};
    gst_buffer_list_foreach(GST_PAD_PROBE_INFO_BUFFER_LIST(info), record_list_item, args);
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_SEGMENT) {
      const GstSegment* seg;
      gst_event_parse_segment(ev, &seg);
      g_mutex_lock(&c->lock);
      gst_segment_copy_into(seg, is_out ? &c->out_seg : &c->in_seg);
      g_mutex_unlock(&c->lock);
    }
  }
  return GST_PAD_PROBE_OK;
}

static gboolean query_latency(GstPad* pad, gboolean peer, gboolean* live, gint64* min,
                              gint64* max) {
  GstQuery* q = gst_query_new_latency();
  gboolean ok = peer ? gst_pad_peer_query(pad, q) : gst_pad_query(pad, q);
  if (ok) {
    GstClockTime mn, mx;
    gst_query_parse_latency(q, live, &mn, &mx);
    *min = ts(mn);
    *max = ts(mx);
  }
  gst_query_unref(q);
  return ok;
}

// The latency enc reports: its src pad's answer (upstream's plus its own) minus upstream's.
static void read_latency(Ctx* c) {
  GstPad* src = gst_element_get_static_pad(c->enc, "src");
  GstPad* sink = gst_element_get_static_pad(c->enc, "sink");
  gboolean live = FALSE, up_live = FALSE;
  gint64 mn = -1, mx = -1, up_mn = 0, up_mx = 0;
  if (query_latency(src, FALSE, &live, &mn, &mx)) {
    if (!query_latency(sink, TRUE, &up_live, &up_mn, &up_mx)) up_mn = up_mx = 0;
    gint64 own_min = mn >= 0 && up_mn >= 0 ? mn - up_mn : mn;
    gint64 own_max = mx >= 0 && up_mx >= 0 ? mx - up_mx : mx;
    g_mutex_lock(&c->lock);
    if (!c->have_latency || own_min != c->last_min || own_max != c->last_max ||
        up_mn != c->last_up_min || up_mx != c->last_up_max || live != c->last_live) {
      c->have_latency = TRUE;
      c->last_min = own_min, c->last_max = own_max;
      c->last_up_min = up_mn, c->last_up_max = up_mx, c->last_live = live;
      g_string_append_printf(c->log,
                             "latency,%" G_GINT64_FORMAT ",%d,%" G_GINT64_FORMAT
                             ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "\n",
                             clock_running_time(c->enc), live ? 1 : 0, own_min, own_max, up_mn,
                             up_mx);
    }
    g_mutex_unlock(&c->lock);
  }
  gst_object_unref(src);
  gst_object_unref(sink);
}

static gboolean on_timer(gpointer data) {
  Ctx* c = data;
  if (!c->playing) return G_SOURCE_CONTINUE;
  read_latency(c);
  if (c->max_ns > 0 && clock_running_time(c->enc) > c->max_ns) {
    c->status = 3;
    g_main_loop_quit(c->loop);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean on_bus(GstBus* bus, GstMessage* msg, gpointer data) {
  (void)bus;
  Ctx* c = data;
  switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_EOS:
      read_latency(c);
      g_main_loop_quit(c->loop);
      break;
    case GST_MESSAGE_ERROR: {
      GError* err = NULL;
      gchar* dbg = NULL;
      gst_message_parse_error(msg, &err, &dbg);
      fprintf(stderr, "livelat: error from %s: %s\n%s\n", GST_OBJECT_NAME(msg->src), err->message,
              dbg ? dbg : "");
      if (!c->error) c->error = g_strdup(err->message);
      c->status = 1;
      g_error_free(err);
      g_free(dbg);
      g_main_loop_quit(c->loop);
      break;
    }
    case GST_MESSAGE_WARNING: {
      GError* err = NULL;
      gst_message_parse_warning(msg, &err, NULL);
      fprintf(stderr, "livelat: warning from %s: %s\n", GST_OBJECT_NAME(msg->src), err->message);
      g_error_free(err);
      break;
    }
    case GST_MESSAGE_LATENCY:
      gst_bin_recalculate_latency(GST_BIN(c->pipeline));
      read_latency(c);
      break;
    case GST_MESSAGE_QOS:
      if (msg->src == GST_OBJECT(c->enc)) {
        GstFormat fmt;
        guint64 processed, dropped;
        gst_message_parse_qos_stats(msg, &fmt, &processed, &dropped);
        g_mutex_lock(&c->lock);
        g_string_append_printf(c->log, "qos,%" G_GINT64_FORMAT ",%" G_GUINT64_FORMAT "\n",
                               clock_running_time(c->enc), dropped);
        g_mutex_unlock(&c->lock);
      }
      break;
    case GST_MESSAGE_STATE_CHANGED:
      if (msg->src == GST_OBJECT(c->pipeline)) {
        GstState old_state, new_state;
        gst_message_parse_state_changed(msg, &old_state, &new_state, NULL);
        if (new_state == GST_STATE_PLAYING) {
          c->playing = TRUE;
          read_latency(c);
        }
      }
      break;
    default:
      break;
  }
  return TRUE;
}

static void add_probes(Ctx* c, const char* pad_name) {
  GstPad* pad = gst_element_get_static_pad(c->enc, pad_name);
  if (!pad) {
    fprintf(stderr, "livelat: enc has no %s pad\n", pad_name);
    exit(2);
  }
  gst_pad_add_probe(pad,
                    GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                        GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    probe, c, NULL);
  gst_object_unref(pad);
}

static void write_recs(FILE* f, const char* kind, GArray* a) {
  for (guint i = 0; i < a->len; ++i) {
    const Rec* r = &g_array_index(a, Rec, i);
    if (kind[0] == 'i') {
      fprintf(f, "in,%u,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "\n", i,
              r->pts, r->pts_rt, r->clock_rt);
    } else {
      fprintf(f,
              "out,%u,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
              ",%" G_GINT64_FORMAT ",%" G_GSIZE_FORMAT ",%d\n",
              i, r->pts, r->dts, r->pts_rt, r->clock_rt, r->size, r->key ? 1 : 0);
    }
  }
}

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: livelat OUT.csv 'PIPELINE with an element named enc' [SECONDS]\n");
    return 2;
  }
  Ctx c = {0};
  if (argc == 4) c.max_ns = (gint64)(g_ascii_strtod(argv[3], NULL) * GST_SECOND);
  g_mutex_init(&c.lock);
  c.in = g_array_sized_new(FALSE, FALSE, sizeof(Rec), 1024);
  c.out = g_array_sized_new(FALSE, FALSE, sizeof(Rec), 1024);
  c.log = g_string_new(NULL);
  gst_segment_init(&c.in_seg, GST_FORMAT_UNDEFINED);
  gst_segment_init(&c.out_seg, GST_FORMAT_UNDEFINED);

  GError* err = NULL;
  c.pipeline = gst_parse_launch(argv[2], &err);
  if (!c.pipeline || err) {
    fprintf(stderr, "livelat: %s\n", err ? err->message : "could not make the pipeline");
    return 2;
  }
  c.enc = gst_bin_get_by_name(GST_BIN(c.pipeline), "enc");
  if (!c.enc) {
    fprintf(stderr, "livelat: the pipeline has no element named enc\n");
    return 2;
  }
  add_probes(&c, "sink");
  add_probes(&c, "src");

  c.loop = g_main_loop_new(NULL, FALSE);
  GstBus* bus = gst_element_get_bus(c.pipeline);
  gst_bus_add_watch(bus, on_bus, &c);
  g_timeout_add(250, on_timer, &c);
  if (gst_element_set_state(c.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    fprintf(stderr, "livelat: the pipeline does not start\n");
    c.status = 1;
    c.error = g_strdup("does not start");
  } else {
    g_main_loop_run(c.loop);
  }
  gint64 end_rt = clock_running_time(c.enc);
  gint64 pipeline_latency = -1;
  GstQuery* q = gst_query_new_latency();
  if (gst_element_query(c.pipeline, q)) {
    GstClockTime mn;
    gst_query_parse_latency(q, NULL, &mn, NULL);
    pipeline_latency = ts(mn);
  }
  gst_query_unref(q);
  gst_element_set_state(c.pipeline, GST_STATE_NULL);

  FILE* f = fopen(argv[1], "w");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  write_recs(f, "in", c.in);
  write_recs(f, "out", c.out);
  fputs(c.log->str, f);
  fprintf(f, "pipeline_latency,%" G_GINT64_FORMAT "\n", pipeline_latency);
  if (c.error) g_strdelimit(c.error, ",\n", ' ');
  const char* end = c.status == 0 ? "eos" : c.status == 3 ? "timeout" : "error";
  fprintf(f, "end,%s,%" G_GINT64_FORMAT ",%s\n", end, end_rt, c.error ? c.error : "");
  fclose(f);

  gst_bus_remove_watch(bus);
  gst_object_unref(bus);
  gst_object_unref(c.enc);
  gst_object_unref(c.pipeline);
  g_array_free(c.in, TRUE);
  g_array_free(c.out, TRUE);
  g_string_free(c.log, TRUE);
  g_free(c.error);
  g_main_loop_unref(c.loop);
  return c.status;
}
