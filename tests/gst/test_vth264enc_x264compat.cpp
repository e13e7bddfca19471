// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc takes every property of x264enc (GStreamer 1.22) and vtenc_h264's names (1.22 to
// 1.26) with their names, types, units and values, so a pipeline ports by renaming the element
// (gstvth264enc_compat.h, docs/porting.md). x264enc's properties are listed from its factory at
// run time when it is installed (else from the list below), so a property x264enc gains fails the
// names case until it has a row here. Every property then runs with a valid value through
// vth264enc, and its effect is checked where it shows: in the stream (slice types and QPs, IDR
// spacing, SPS/PPS fields, AUD and SEI NAL units, the caps' stream-format, the reported latency)
// or else in x264's record of its settings (the options text of its version SEI, which the session
// logs instead of writing it into the stream). Each check must also fail without the property
// (same other properties), so that it sees the property's effect and nothing else. Its own binary:
// the case list in tests/gst/meson.build must match main() below.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "test_util.h"

namespace {

// --- Just enough H.264 syntax --------------------------------------------------------------------
// SPS with the start of its VUI, PPS, slice headers up to the QP, SEI payload types.

class Bits {
 public:
  // The RBSP of a NAL unit: header byte and emulation prevention bytes removed.
  explicit Bits(const std::vector<uint8_t>& nal) {
    int zeros = 0;
    for (size_t i = 1; i < nal.size(); i++) {
      if (zeros >= 2 && nal[i] == 3) {
        zeros = 0;
        continue;
      }
      zeros = nal[i] == 0 ? zeros + 1 : 0;
      data_.push_back(nal[i]);
    }
    // The stop bit: the last 1 of the RBSP.
    end_ = data_.size() * 8;
    while (end_ > 0 && !Bit(end_ - 1)) end_--;
    if (end_ > 0) end_--;
  }
  bool ok() const { return ok_; }
  bool More() const { return pos_ < end_; }  // more_rbsp_data()
  uint32_t U(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
      if (pos_ >= data_.size() * 8) {
        ok_ = false;
        return 0;
      }
      v = (v << 1) | Bit(pos_++);
    }
    return v;
  }
  uint32_t Ue() {
    int zeros = 0;
    while (U(1) == 0) {
      if (!ok_ || ++zeros > 31) {
        ok_ = false;
        return 0;
      }
    }
    return zeros ? ((1u << zeros) - 1) + U(zeros) : 0;
  }
  int32_t Se() {
    const uint32_t k = Ue();
    return (k & 1) ? int32_t((k + 1) / 2) : -int32_t(k / 2);
  }

 private:
  uint32_t Bit(size_t i) const { return (data_[i / 8] >> (7 - i % 8)) & 1; }
  std::vector<uint8_t> data_;
  size_t pos_ = 0, end_ = 0;
  bool ok_ = true;
};

struct Sps {
  bool valid = false;
  int id = -1, profile_idc = 0, chroma_format_idc = 1, separate_colour_plane = 0;
  int log2_max_frame_num = 0, poc_type = 0, log2_max_poc_lsb = 0, delta_poc_always_zero = 0;
  int max_num_ref_frames = 0, frame_mbs_only = 1;
  bool vui = false, aspect_ratio_info = false, colour_description = false;
  int colour_primaries = -1;
};

struct Pps {
  bool valid = false;
  int id = -1, sps_id = -1, entropy_coding_mode = 0, bottom_field_pic_order = 0;
  int num_ref_idx_l0_default = 1, num_ref_idx_l1_default = 1;
  int weighted_pred = 0, weighted_bipred_idc = 0, pic_init_qp = 26;
  int redundant_pic_cnt_present = 0, transform_8x8_mode = 0;
};

void SkipScalingList(Bits* b, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size; j++) {
    if (next != 0) next = (last + b->Se() + 256) % 256;
    last = next == 0 ? last : next;
  }
}

Sps ParseSps(const std::vector<uint8_t>& nal) {
  Sps s;
  Bits b(nal);
  s.profile_idc = b.U(8);
  b.U(16);  // constraint flags, level_idc
  s.id = b.Ue();
  const int p = s.profile_idc;
  if (p == 100 || p == 110 || p == 122 || p == 244 || p == 44 || p == 83 || p == 86 || p == 118 ||
      p == 128 || p == 138 || p == 139 || p == 134 || p == 135) {
    s.chroma_format_idc = b.Ue();
    if (s.chroma_format_idc == 3) s.separate_colour_plane = b.U(1);
    b.Ue();
    b.Ue();
    b.U(1);
    if (b.U(1))
      for (int i = 0; i < (s.chroma_format_idc != 3 ? 8 : 12); i++)
        if (b.U(1)) SkipScalingList(&b, i < 6 ? 16 : 64);
  }
  s.log2_max_frame_num = b.Ue() + 4;
  s.poc_type = b.Ue();
  if (s.poc_type == 0) {
    s.log2_max_poc_lsb = b.Ue() + 4;
  } else if (s.poc_type == 1) {
    s.delta_poc_always_zero = b.U(1);
    b.Se();
    b.Se();
    const uint32_t n = b.Ue();
    for (uint32_t i = 0; i < n && b.ok(); i++) b.Se();
  }
  s.max_num_ref_frames = b.Ue();
  b.U(1);
  b.Ue();
  b.Ue();
  s.frame_mbs_only = b.U(1);
  if (!s.frame_mbs_only) b.U(1);  // mb_adaptive_frame_field_flag
  b.U(1);
  if (b.U(1))
    for (int i = 0; i < 4; i++) b.Ue();  // frame cropping
  s.vui = b.U(1);
  if (s.vui) {
    s.aspect_ratio_info = b.U(1);
    if (s.aspect_ratio_info && b.U(8) == 255) b.U(32);
    if (b.U(1)) b.U(1);  // overscan
    if (b.U(1)) {        // video_signal_type_present_flag
      b.U(4);            // video_format, video_full_range_flag
      s.colour_description = b.U(1);
      if (s.colour_description) {
        s.colour_primaries = b.U(8);
        b.U(16);
      }
    }
  }
  s.valid = b.ok();
  return s;
}

Pps ParsePps(const std::vector<uint8_t>& nal) {
  Pps p;
  Bits b(nal);
  p.id = b.Ue();
  p.sps_id = b.Ue();
  p.entropy_coding_mode = b.U(1);
  p.bottom_field_pic_order = b.U(1);
  if (b.Ue() != 0) return p;  // slice groups: x264 writes none
  p.num_ref_idx_l0_default = b.Ue() + 1;
  p.num_ref_idx_l1_default = b.Ue() + 1;
  p.weighted_pred = b.U(1);
  p.weighted_bipred_idc = b.U(2);
  p.pic_init_qp = 26 + b.Se();
  b.Se();
  b.Se();
  b.U(2);  // deblocking_filter_control_present_flag, constrained_intra_pred_flag
  p.redundant_pic_cnt_present = b.U(1);
  if (b.More()) p.transform_8x8_mode = b.U(1);
  p.valid = b.ok();
  return p;
}

enum SliceType { kP = 0, kB = 1, kI = 2 };

struct Slice {
  int nal_type = 0, nal_ref_idc = 0;
  int type = -1;  // slice_type % 5
  int qp = -1;
};

void SkipRefListModification(Bits* b) {
  if (!b->U(1)) return;
  for (uint32_t idc = b->Ue(); idc != 3 && b->ok(); idc = b->Ue()) b->Ue();
}

void SkipWeights(Bits* b, int refs, bool chroma) {
  for (int i = 0; i < refs && b->ok(); i++) {
    if (b->U(1)) b->Se(), b->Se();
    if (chroma && b->U(1))
      for (int j = 0; j < 2; j++) b->Se(), b->Se();
  }
}

// The slice header up to slice_qp_delta (7.3.3). False if it cannot be read.
bool ParseSlice(const std::vector<uint8_t>& nal, const Sps& sps, const Pps& pps, Slice* out) {
  Bits b(nal);
  out->nal_type = nal[0] & 0x1f;
  out->nal_ref_idc = (nal[0] >> 5) & 3;
  b.Ue();  // first_mb_in_slice
  out->type = int(b.Ue() % 5);
  if (int(b.Ue()) != pps.id) return false;
  if (sps.separate_colour_plane) b.U(2);
  b.U(sps.log2_max_frame_num);
  bool field = false;
  if (!sps.frame_mbs_only) {
    field = b.U(1);
    if (field) b.U(1);
  }
  if (out->nal_type == 5) b.Ue();  // idr_pic_id
  if (sps.poc_type == 0) {
    b.U(sps.log2_max_poc_lsb);
    if (pps.bottom_field_pic_order && !field) b.Se();
  } else if (sps.poc_type == 1 && !sps.delta_poc_always_zero) {
    b.Se();
    if (pps.bottom_field_pic_order && !field) b.Se();
  }
  if (pps.redundant_pic_cnt_present) b.Ue();
  const bool is_b = out->type == kB, is_p = out->type == kP;
  if (is_b) b.U(1);  // direct_spatial_mv_pred_flag
  int l0 = pps.num_ref_idx_l0_default, l1 = pps.num_ref_idx_l1_default;
  if (is_p || is_b) {
    if (b.U(1)) {
      l0 = b.Ue() + 1;
      if (is_b) l1 = b.Ue() + 1;
    }
    SkipRefListModification(&b);
    if (is_b) SkipRefListModification(&b);
  }
  if ((pps.weighted_pred && is_p) || (pps.weighted_bipred_idc == 1 && is_b)) {
    const bool chroma = !sps.separate_colour_plane && sps.chroma_format_idc != 0;
    b.Ue();
    if (chroma) b.Ue();
    SkipWeights(&b, l0, chroma);
    if (is_b) SkipWeights(&b, l1, chroma);
  }
  if (out->nal_ref_idc != 0) {
    if (out->nal_type == 5) {
      b.U(2);
    } else if (b.U(1)) {
      for (uint32_t op = b.Ue(); op != 0 && b.ok(); op = b.Ue()) {
        if (op == 1 || op == 3) b.Ue();
        if (op == 2) b.Ue();
        if (op == 3 || op == 6) b.Ue();
        if (op == 4) b.Ue();
      }
    }
  }
  if (pps.entropy_coding_mode && out->type != kI) b.Ue();  // cabac_init_idc
  out->qp = pps.pic_init_qp + b.Se();
  return b.ok();
}

// The payload types of the SEI messages in a SEI NAL unit.
std::vector<int> SeiTypes(const std::vector<uint8_t>& nal) {
  std::vector<int> types;
  Bits b(nal);
  while (b.More() && b.ok()) {
    int type = 0, size = 0;
    for (uint32_t x = 255; x == 255;) type += int(x = b.U(8));
    for (uint32_t x = 255; x == 255;) size += int(x = b.U(8));
    if (!b.ok()) break;
    types.push_back(type);
    for (int i = 0; i < size; i++) b.U(8);
  }
  return types;
}

// --- x264's record of its settings, from the element's log ---------------------------------------

std::mutex g_log_lock;
std::map<const void*, std::string> g_x264_settings;  // by element

// Keeps "x264 settings: ..." (INFO: the session's log, in the element's category). GStreamer's
// default handler still prints what it gets (removing it would leak its list on purpose).
void LogFunction(GstDebugCategory* category, GstDebugLevel level, const gchar*, const gchar*, gint,
                 GObject* object, GstDebugMessage* message, gpointer) {
  if (level != GST_LEVEL_INFO || std::strcmp(gst_debug_category_get_name(category), "vth264enc"))
    return;
  const gchar* text = gst_debug_message_get(message);
  if (const char* at = text ? std::strstr(text, "x264 settings: ") : nullptr) {
    std::lock_guard<std::mutex> lock(g_log_lock);
    g_x264_settings[object] = at + std::strlen("x264 settings: ");
  }
}

void CaptureX264Settings() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  gst_debug_add_log_function(LogFunction, nullptr, nullptr);
  GstDebugCategory* cat = _gst_debug_get_category("vth264enc");
  const GstDebugLevel now =
      cat ? gst_debug_category_get_threshold(cat) : gst_debug_get_default_threshold();
  if (now < GST_LEVEL_INFO) gst_debug_set_threshold_for_name("vth264enc", GST_LEVEL_INFO);
  // The default handler prints those lines too: without colour codes, which are not valid in
  // meson's JUnit log (./dev test reads it).
  gst_debug_set_color_mode(GST_DEBUG_COLOR_MODE_OFF);
}

// --- One encode ----------------------------------------------------------------------------------

constexpr const char* kAvcCaps = "video/x-h264,stream-format=avc,alignment=au";
constexpr int kFrames = 12;

struct Picture {
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  int index = -1;  // of the input frame
  bool keyframe = false;
  std::vector<int> nal_types;
  std::vector<Slice> slices;
  std::vector<int> sei_types;
};

struct Run {
  std::string props;
  std::string stream_format;
  Sps sps;  // the last in effect
  Pps pps;
  std::vector<Picture> pictures;  // decode order
  int latency_frames = -1;
  std::string x264;  // x264's settings record
  std::vector<std::string> warnings;

  // x264's record has "item" ("subme=2").
  bool Has(const std::string& item) const {
    return (" " + x264 + " ").find(" " + item + " ") != std::string::npos;
  }
  std::vector<int> Qps(int slice_type, int nal_ref_idc = -1) const {
    std::vector<int> out;
    for (const Picture& p : pictures)
      for (const Slice& s : p.slices)
        if (s.type == slice_type && (nal_ref_idc < 0 || s.nal_ref_idc == nal_ref_idc))
          out.push_back(s.qp);
    return out;
  }
  bool AnyType(int slice_type) const { return !Qps(slice_type).empty(); }
  // Frame indices (by PTS) of the key frames.
  std::vector<int> Keyframes() const {
    std::vector<int> out;
    for (const Picture& p : pictures)
      if (p.keyframe) out.push_back(p.index);
    std::sort(out.begin(), out.end());
    return out;
  }
  // The longest run of B-frames between two other frames, in display order.
  int LongestBRun() const {
    std::vector<std::pair<GstClockTime, bool>> order;
    for (const Picture& p : pictures)
      order.push_back({p.pts, !p.slices.empty() && p.slices[0].type == kB});
    std::sort(order.begin(), order.end());
    int run = 0, longest = 0;
    for (const auto& [pts, b] : order) longest = std::max(longest, run = b ? run + 1 : 0);
    return longest;
  }
};

// What a case needs besides the properties.
struct Setup {
  const char* sink_caps = kAvcCaps;
  const char* caps_extra = "";  // input caps fields
  int height = 96;              // of the 160-pixel-wide input
};

Run Encode(const std::string& props, const Setup& setup = Setup()) {
  CaptureX264Settings();
  Run r;
  r.props = props;
  vtt::Input in = vtt::Small();
  in.caps_extra = setup.caps_extra;
  in.height = setup.height;
  GstHarness* h = gst_harness_new_parse(("vth264enc " + props).c_str());
  fail_unless(h != nullptr, "cannot create vth264enc %s", props.c_str());
  GstElement* enc = gst_harness_find_element(h, "vth264enc");
  {
    std::lock_guard<std::mutex> lock(g_log_lock);
    g_x264_settings.erase(enc);
  }
  std::vector<vtt::OutBuf> bufs;
  {
    vtt::BusWatch bus(enc);  // before the caps: the session starts with them
    vtt::Recorder rec(h->sinkpad);
    if (setup.sink_caps) gst_harness_set_sink_caps_str(h, setup.sink_caps);
    gst_harness_set_src_caps_str(h, in.Caps().c_str());
    for (int i = 0; i < kFrames; i++) {
      const GstFlowReturn ret = gst_harness_push(h, vtt::MakeFrame(in, i));
      fail_unless(ret == GST_FLOW_OK, "%s: frame %d: %s", props.c_str(), i, gst_flow_get_name(ret));
    }
    r.latency_frames = int(vtt::QueryLatency(h) / in.Duration());
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    const std::vector<std::string> errors = bus.ErrorMessages();
    fail_unless(errors.empty(), "%s: %s", props.c_str(), errors.empty() ? "" : errors[0].c_str());
    r.warnings = bus.warnings;
    bufs = rec.Buffers();
    fail_unless(!rec.Caps().empty(), "%s: no caps", props.c_str());
    r.stream_format = vtt::CapsString(rec.Caps().back(), "stream-format");
    std::vector<uint8_t> codec_data;
    h264::AvcC avcc;
    if (vtt::CapsCodecData(rec.Caps().back(), &codec_data) &&
        h264::ParseAvcC(codec_data.data(), codec_data.size(), &avcc) && !avcc.sps.empty() &&
        !avcc.pps.empty()) {
      r.sps = ParseSps(avcc.sps[0].bytes);
      r.pps = ParsePps(avcc.pps[0].bytes);
    }
  }
  {
    std::lock_guard<std::mutex> lock(g_log_lock);
    r.x264 = g_x264_settings[enc];
  }
  gst_object_unref(enc);
  gst_harness_teardown(h);
  fail_unless_equals_int(int(bufs.size()), kFrames);
  vtt::CheckTimestamps(bufs);
  for (const vtt::OutBuf& b : bufs) {
    Picture p;
    p.pts = b.pts;
    p.index = in.IndexOf(b.pts);
    p.keyframe = b.keyframe();
    for (const nal::Nal& n : vtt::SplitOrFail(b, r.stream_format == "avc")) {
      p.nal_types.push_back(n.type);
      if (n.type == h264::kSps) r.sps = ParseSps(n.bytes);
      if (n.type == h264::kPps) r.pps = ParsePps(n.bytes);
      if (n.type == h264::kSei)
        for (int t : SeiTypes(n.bytes)) p.sei_types.push_back(t);
      if (n.type == h264::kSlice || n.type == h264::kIdr) {
        fail_unless(r.sps.valid && r.pps.valid, "%s: a slice before SPS and PPS", props.c_str());
        Slice s;
        fail_unless(ParseSlice(n.bytes, r.sps, r.pps, &s), "%s: bad slice header", props.c_str());
        p.slices.push_back(s);
      }
    }
    r.pictures.push_back(std::move(p));
  }
  fail_unless(!r.x264.empty(), "%s: x264 logged no settings", props.c_str());
  return r;
}

// --- The cases: one or more for every property ---------------------------------------------------

enum Group { kRateControl, kMultiPass, kFrameTypes, kAnalysis, kSyntax, kThreads };

struct Case {
  Group group;
  std::string property;  // x264enc's or vtenc's name
  std::string value;     // as in a launch line
  std::string context;   // other properties the effect needs
  // The effect, seen in the run with `property`=`value` and `context`. It must not be seen in
  // the run with `context` alone (which runs first), unless `control` is false: the check then
  // looks for something only this value can produce.
  bool (*effect)(const Run& r);
  Setup setup = Setup();
  bool control = true;
};

bool All(const std::vector<int>& v, int x) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [x](int y) { return y == x; });
}

int Min(const std::vector<int>& v) {
  return v.empty() ? -1 : *std::min_element(v.begin(), v.end());
}

int Max(const std::vector<int>& v) {
  return v.empty() ? 99 : *std::max_element(v.begin(), v.end());
}

bool Warned(const Run& r, const char* about) {
  for (const std::string& w : r.warnings)
    if (w.find(about) != std::string::npos) return true;
  return false;
}

// The multipass cases' statistics files, in the test's own directory.
std::string StatsFile(const char* name) {
  static vtctest::TempDir dir("x264compat");
  return dir.File(name);
}

bool FileHasData(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && st.st_size > 0;
}

std::vector<Case> Cases() {
  const std::string stats = StatsFile("stats.log"), stats1 = StatsFile("pass1.log");
  Setup bytestream;
  bytestream.sink_caps = "video/x-h264,stream-format=byte-stream,alignment=au";
  Setup either;  // downstream takes both framings
  either.sink_caps = "video/x-h264,alignment=au";
  Setup baseline;
  baseline.sink_caps = "video/x-h264,stream-format=avc,alignment=au,profile=constrained-baseline";
  Setup stereo;
  stereo.caps_extra = "multiview-mode=side-by-side";
  Setup rows8;  // 8 macroblock rows: x264 slices a picture for 2 threads from 8 rows
  rows8.height = 128;
  return {
      // pass=quant codes every frame at quantizer; I- and B-frames are offset by ip-factor and
      // pb-factor (6 log2(factor) QP), visible as the slices' QP.
      {kRateControl, "pass", "quant", "quantizer=30",
       [](const Run& r) { return r.Has("rc=cqp") && All(r.Qps(kP), 30); }},
      {kRateControl, "pass", "qual", "quantizer=30",
       [](const Run& r) { return r.Has("crf=30.0"); }},
      // x264enc's cbr is vth264enc's single: one pass at bitrate.
      {kRateControl, "pass", "cbr", "bitrate=300",
       [](const Run& r) { return r.Has("rc=cbr") && r.Has("bitrate=300"); }, Setup(), false},
      {kRateControl, "quantizer", "35", "pass=quant",
       [](const Run& r) { return All(r.Qps(kP), 35); }},
      {kRateControl, "ip-factor", "2.0", "pass=quant quantizer=30",
       [](const Run& r) { return r.Has("ip_ratio=2.00") && All(r.Qps(kI), 24); }},
      {kRateControl, "pb-factor", "2.0", "pass=quant quantizer=30",
       [](const Run& r) { return r.Has("pb_ratio=2.00") && All(r.Qps(kB, 0), 36); }},
      // vtenc's meaning: an average in kbit/s (x264's ABR, its VBV capped at the rate).
      {kRateControl, "bitrate", "300", "",
       [](const Run& r) { return r.Has("rc=cbr") && r.Has("bitrate=300"); }},
      {kRateControl, "vbv-buf-capacity", "200", "bitrate=300",
       [](const Run& r) { return r.Has("vbv_maxrate=300") && r.Has("vbv_bufsize=60"); }},
      {kRateControl, "vbv-buf-capacity", "200", "",  // no bitrate: said so
       [](const Run& r) { return Warned(r, "vbv-buf-capacity") && !r.Has("vbv_bufsize=60"); }},
      {kRateControl, "qp-min", "40", "",
       [](const Run& r) { return r.Has("qpmin=40") && Min(r.Qps(kP)) >= 40; }},
      {kRateControl, "qp-max", "15", "",
       [](const Run& r) { return r.Has("qpmax=15") && Max(r.Qps(kP)) <= 15; }},
      {kRateControl, "qp-step", "2", "", [](const Run& r) { return r.Has("qpstep=2"); }},
      {kRateControl, "mb-tree", "false", "", [](const Run& r) { return r.Has("mbtree=0"); }},
      {kRateControl, "rc-lookahead", "5", "", [](const Run& r) { return r.Has("rc_lookahead=5"); }},
      // Two-pass: pass1 writes the statistics pass2 and pass3 read (x264's "2pass" rate control).
      {kMultiPass, "multipass-cache-file", stats, "pass=pass1 bitrate=300",
       [](const Run&) { return FileHasData(StatsFile("stats.log")); }, Setup(), false},
      {kMultiPass, "pass", "pass2", "bitrate=300 multipass-cache-file=" + stats,
       [](const Run& r) { return r.Has("rc=2pass"); }},
      {kMultiPass, "pass", "pass3", "bitrate=300 multipass-cache-file=" + stats,
       [](const Run& r) { return r.Has("rc=2pass") && Warned(r, "pass3"); }},
      {kMultiPass, "pass", "pass1", "bitrate=300 multipass-cache-file=" + stats1,
       [](const Run&) { return FileHasData(StatsFile("pass1.log")); }},
      // Frame types and references.
      {kFrameTypes, "bframes", "1", "",
       [](const Run& r) { return r.Has("bframes=1") && r.AnyType(kB) && r.LongestBRun() <= 1; }},
      {kFrameTypes, "bframes", "0", "",
       [](const Run& r) { return !r.AnyType(kB) && r.Has("bframes=0"); }},
      {kFrameTypes, "b-adapt", "false", "", [](const Run& r) { return r.Has("b_adapt=0"); }},
      {kFrameTypes, "b-pyramid", "true", "",  // x264enc's true is x264's strict pyramid
       [](const Run& r) { return r.Has("b_pyramid=1"); }},
      {kFrameTypes, "weightb", "true", "speed-preset=ultrafast bframes=2",
       [](const Run& r) { return r.pps.weighted_bipred_idc == 2 && r.Has("weightb=1"); }},
      {kFrameTypes, "ref", "6", "",
       [](const Run& r) { return r.sps.max_num_ref_frames == 6 && r.Has("ref=6"); }},
      {kFrameTypes, "key-int-max", "4", "",
       [](const Run& r) {
         const std::vector<int> k = r.Keyframes();
         for (size_t i = 1; i < k.size(); i++)
           if (k[i] - k[i - 1] > 4) return false;
         return !k.empty() && k[0] == 0 && k.back() >= kFrames - 4;
       }},
      {kFrameTypes, "intra-refresh", "true", "",
       [](const Run& r) { return r.Has("intra_refresh=1"); }},
      {kFrameTypes, "speed-preset", "ultrafast", "",
       [](const Run& r) { return r.Has("subme=0") && r.pps.entropy_coding_mode == 0; }},
      // x264enc's None: its property defaults (no B-frames, subme 1, no 8x8 transform).
      {kFrameTypes, "speed-preset", "None", "",
       [](const Run& r) {
         // x264's own partitions stay (x264enc leaves an empty analyse out; 8x8dct=0 takes the
         // 8x8 ones); weightp off.
         return r.Has("subme=1") && r.Has("8x8dct=0") && !r.AnyType(kB) && r.Has("qpmin=10") &&
                r.Has("analyse=0x1:0x111") && r.Has("weightp=0");
       }},
      // None's lookahead (40) and QP floor (10) yield to a delay budget and a QP ceiling set.
      {kFrameTypes, "speed-preset", "None", "max-frame-delay=0 qp-max=8",
       [](const Run& r) { return r.latency_frames == 0 && r.Has("qpmax=8"); }, Setup(), false},
      // x264enc's cabac (and None's) gives way to a Baseline downstream.
      {kAnalysis, "cabac", "true", "",
       [](const Run& r) { return r.pps.entropy_coding_mode == 0 && r.sps.profile_idc == 66; },
       baseline, false},
      {kFrameTypes, "speed-preset", "None", "",
       [](const Run& r) { return r.pps.entropy_coding_mode == 0 && r.sps.profile_idc == 66; },
       baseline, false},
      // A property set wins over option-string, as in x264enc.
      {kAnalysis, "option-string", "\"subme=3\"", "subme=2",
       [](const Run& r) { return r.Has("subme=2"); }, Setup(), false},
      // psy-tune wins over tune=stillimage, which is left out with a warning.
      {kFrameTypes, "psy-tune", "psnr", "tune=stillimage",
       [](const Run& r) { return r.Has("psy=0") && Warned(r, "stillimage"); }, Setup(), false},
      {kFrameTypes, "tune", "zerolatency", "",
       [](const Run& r) { return r.latency_frames == 0 && !r.AnyType(kB); }},
      {kFrameTypes, "psy-tune", "psnr", "",
       [](const Run& r) { return r.Has("psy=0") && (r.Has("aq=0") || r.Has("aq=1:0.00")); }},
      // vtenc_h264's name (1.26).
      {kFrameTypes, "max-frame-delay", "0", "",
       [](const Run& r) { return r.latency_frames == 0 && !r.AnyType(kB); }},
      // Analysis.
      {kAnalysis, "analyse", "i4x4", "", [](const Run& r) { return r.Has("analyse=0x3:0x1"); }},
      {kAnalysis, "dct8x8", "true", "speed-preset=ultrafast",
       [](const Run& r) { return r.pps.transform_8x8_mode == 1 && r.Has("8x8dct=1"); }},
      {kAnalysis, "me", "dia", "", [](const Run& r) { return r.Has("me=dia"); }},
      {kAnalysis, "subme", "2", "", [](const Run& r) { return r.Has("subme=2"); }},
      {kAnalysis, "trellis", "false", "", [](const Run& r) { return r.Has("trellis=0"); }},
      {kAnalysis, "noise-reduction", "500", "", [](const Run& r) { return r.Has("nr=500"); }},
      {kAnalysis, "cabac", "false", "",
       [](const Run& r) { return r.pps.entropy_coding_mode == 0 && r.Has("cabac=0"); }},
      {kAnalysis, "option-string", "\"subme=3:trellis=0\"", "",
       [](const Run& r) { return r.Has("subme=3") && r.Has("trellis=0"); }},
      // The stream's syntax.
      {kSyntax, "aud", "true", "",
       [](const Run& r) {
         for (const Picture& p : r.pictures)
           if (p.nal_types.empty() || p.nal_types[0] != h264::kAud) return false;
         return true;
       }},
      {kSyntax, "aud", "true", "",  // byte-stream: the AUD opens the access unit, SPS and PPS next
       [](const Run& r) {
         for (const Picture& p : r.pictures) {
           if (p.nal_types.empty() || p.nal_types[0] != h264::kAud) return false;
           if (p.keyframe && (p.nal_types.size() < 3 || p.nal_types[1] != h264::kSps ||
                              p.nal_types[2] != h264::kPps))
             return false;
         }
         return r.stream_format == "byte-stream";
       },
       bytestream},
      {kSyntax, "byte-stream", "true", "",
       [](const Run& r) { return r.stream_format == "byte-stream"; }, either},
      {kSyntax, "sps-id", "5", "", [](const Run& r) { return r.sps.id == 5 && r.pps.sps_id == 5; }},
      {kSyntax, "insert-vui", "false", "",
       [](const Run& r) { return r.sps.valid && !r.sps.colour_description; }},
      {kSyntax, "interlaced", "true", "",
       [](const Run& r) { return r.sps.valid && !r.sps.frame_mbs_only; }},
      {kSyntax, "frame-packing", "side-by-side", "",
       [](const Run& r) {
         return r.Has("frame-packing=3") && !r.pictures.empty() &&
                std::count(r.pictures[0].sei_types.begin(), r.pictures[0].sei_types.end(), 45);
       }},
      // auto: from the caps' multiview-mode.
      {kSyntax, "frame-packing", "auto", "", [](const Run& r) { return r.Has("frame-packing=3"); },
       stereo, false},
      // Threads. Automatic threads are 3/2 of the cores, never 5.
      {kThreads, "threads", "5", "", [](const Run& r) { return r.Has("threads=5"); }},
      {kThreads, "sliced-threads", "true", "threads=2",
       [](const Run& r) {
         for (const Picture& p : r.pictures)
           if (p.slices.size() != 2) return false;
         return r.Has("sliced_threads=1");
       },
       rows8},
      // Frames held for the threaded lookahead show in the latency (no B-frames, no rc lookahead
      // and one more frame per extra thread otherwise).
      {kThreads, "sync-lookahead", "5", "threads=2 bframes=0 rc-lookahead=0",
       [](const Run& r) { return r.latency_frames >= 5 + 1; }},
  };
}

void RunGroup(Group group) {
  int ran = 0;
  for (const Case& c : Cases()) {
    if (c.group != group) continue;
    ++ran;
    const std::string props = c.context + " " + c.property + "=" + c.value;
    if (c.control) {
      const Run without = Encode(c.context, c.setup);
      fail_if(c.effect(without), "%s=%s: the check also passes without it (%s); x264: %s",
              c.property.c_str(), c.value.c_str(), c.context.c_str(), without.x264.c_str());
    }
    const Run with = Encode(props, c.setup);
    fail_unless(c.effect(with), "%s: no effect; latency %d frames; x264: %s", props.c_str(),
                with.latency_frames, with.x264.c_str());
  }
  fail_unless(ran > 0);
}

}  // namespace

// --- The names -----------------------------------------------------------------------------------

namespace {

// x264enc 1.22's own properties, for when its factory is not installed.
const char* const kX264encProperties[] = {"pass",
                                          "quantizer",
                                          "bitrate",
                                          "vbv-buf-capacity",
                                          "speed-preset",
                                          "psy-tune",
                                          "tune",
                                          "option-string",
                                          "frame-packing",
                                          "insert-vui",
                                          "threads",
                                          "sliced-threads",
                                          "sync-lookahead",
                                          "multipass-cache-file",
                                          "byte-stream",
                                          "intra-refresh",
                                          "me",
                                          "subme",
                                          "analyse",
                                          "dct8x8",
                                          "ref",
                                          "bframes",
                                          "b-adapt",
                                          "b-pyramid",
                                          "weightb",
                                          "sps-id",
                                          "aud",
                                          "trellis",
                                          "key-int-max",
                                          "cabac",
                                          "qp-min",
                                          "qp-max",
                                          "qp-step",
                                          "ip-factor",
                                          "pb-factor",
                                          "mb-tree",
                                          "rc-lookahead",
                                          "noise-reduction",
                                          "interlaced"};

// Where vth264enc's default is not x264enc's, and why (docs/porting.md).
const std::map<std::string, const char*> kOtherDefaults = {
    {"bitrate", "vtenc's meaning wins: 0, the encoder decides (quality)"},
    {"speed-preset", "auto (medium unless realtime, prioritize-speed or quality say otherwise)"},
    {"aud", "false: VideoToolbox's samples have no access unit delimiter"},
    {"multipass-cache-file", "vth264enc.log, as x264enc's x264.log"},
};

bool InRange(GParamSpec* ours, GParamSpec* theirs, std::string* why) {
  auto covers = [why](auto omin, auto omax, auto tmin, auto tmax) {
    if (omin <= tmin && omax >= tmax) return true;
    *why = "range " + std::to_string(omin) + ".." + std::to_string(omax) + " does not cover " +
           std::to_string(tmin) + ".." + std::to_string(tmax);
    return false;
  };
  if (G_IS_PARAM_SPEC_UINT(theirs))
    return covers(G_PARAM_SPEC_UINT(ours)->minimum, G_PARAM_SPEC_UINT(ours)->maximum,
                  G_PARAM_SPEC_UINT(theirs)->minimum, G_PARAM_SPEC_UINT(theirs)->maximum);
  if (G_IS_PARAM_SPEC_INT(theirs))
    return covers(G_PARAM_SPEC_INT(ours)->minimum, G_PARAM_SPEC_INT(ours)->maximum,
                  G_PARAM_SPEC_INT(theirs)->minimum, G_PARAM_SPEC_INT(theirs)->maximum);
  if (G_IS_PARAM_SPEC_FLOAT(theirs))
    return covers(G_PARAM_SPEC_FLOAT(ours)->minimum, G_PARAM_SPEC_FLOAT(ours)->maximum,
                  G_PARAM_SPEC_FLOAT(theirs)->minimum, G_PARAM_SPEC_FLOAT(theirs)->maximum);
  if (G_IS_PARAM_SPEC_ENUM(theirs)) {
    GEnumClass* t = G_PARAM_SPEC_ENUM(theirs)->enum_class;
    GEnumClass* o = G_PARAM_SPEC_ENUM(ours)->enum_class;
    for (guint i = 0; i < t->n_values; i++) {
      const GEnumValue* v = g_enum_get_value_by_nick(o, t->values[i].value_nick);
      // x264enc's speed-preset None (0) is -1 here: vth264enc's 0 is auto.
      const bool none = std::strcmp(t->values[i].value_nick, "None") == 0;
      if (!v || v->value != (none ? -1 : t->values[i].value)) {
        *why = std::string("value ") + t->values[i].value_nick + " missing or numbered otherwise";
        return false;
      }
    }
  }
  if (G_IS_PARAM_SPEC_FLAGS(theirs)) {
    GFlagsClass* t = G_PARAM_SPEC_FLAGS(theirs)->flags_class;
    GFlagsClass* o = G_PARAM_SPEC_FLAGS(ours)->flags_class;
    for (guint i = 0; i < t->n_values; i++) {
      const GFlagsValue* v = g_flags_get_value_by_nick(o, t->values[i].value_nick);
      if (!v || v->value != t->values[i].value) {
        *why = std::string("flag ") + t->values[i].value_nick + " missing or numbered otherwise";
        return false;
      }
    }
  }
  return true;
}

}  // namespace

// Every x264enc property exists on vth264enc with x264enc's type, values and range (and its
// default, but where docs/porting.md says otherwise), and has a case below; vtenc_h264's names
// too, with vtenc's types and defaults.
GST_START_TEST(test_x264compat_names) {
  GstElement* vt = gst_element_factory_make("vth264enc", nullptr);
  fail_unless(vt != nullptr);
  GObjectClass* ours = G_OBJECT_GET_CLASS(vt);
  std::vector<std::string> names(std::begin(kX264encProperties), std::end(kX264encProperties));
  GstElement* x264enc = gst_element_factory_make("x264enc", nullptr);
  if (x264enc) {
    // x264enc's own properties, as its factory lists them: one it gains fails below until it has
    // a row here. Those it inherits (GstObject's, GstVideoEncoder's) vth264enc inherits too.
    std::vector<std::string> listed;
    guint n = 0;
    GParamSpec** specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(x264enc), &n);
    for (guint i = 0; i < n; i++) {
      if (g_type_is_a(G_OBJECT_TYPE(vt), specs[i]->owner_type)) {
        fail_unless(g_object_class_find_property(ours, specs[i]->name) != nullptr,
                    "vth264enc has no %s", specs[i]->name);
        continue;
      }
      listed.push_back(specs[i]->name);
    }
    g_free(specs);
    std::set<std::string> a(listed.begin(), listed.end()), b(names.begin(), names.end());
    for (const std::string& x : listed)
      fail_unless(b.count(x), "x264enc has %s, which this test does not know", x.c_str());
    for (const std::string& x : names)
      fail_unless(a.count(x), "x264enc has no %s (another version?)", x.c_str());
  } else {
    g_print("x264enc not installed: checking its 1.22 property names without their specs\n");
  }
  const std::vector<Case> cases = Cases();
  for (const std::string& name : names) {
    GParamSpec* o = g_object_class_find_property(ours, name.c_str());
    fail_unless(o != nullptr, "vth264enc has no %s", name.c_str());
    fail_unless((o->flags & G_PARAM_READWRITE) == G_PARAM_READWRITE, "%s not read-write",
                name.c_str());
    fail_unless(std::any_of(cases.begin(), cases.end(),
                            [&name](const Case& c) { return c.property == name; }),
                "%s has no case", name.c_str());
    if (!x264enc) continue;
    GParamSpec* t = g_object_class_find_property(G_OBJECT_GET_CLASS(x264enc), name.c_str());
    fail_unless(G_TYPE_FUNDAMENTAL(o->value_type) == G_TYPE_FUNDAMENTAL(t->value_type),
                "%s: %s, x264enc's is %s", name.c_str(), g_type_name(o->value_type),
                g_type_name(t->value_type));
    std::string why;
    fail_unless(InRange(o, t, &why), "%s: %s", name.c_str(), why.c_str());
    GValue ov = G_VALUE_INIT, tv = G_VALUE_INIT;
    g_value_init(&ov, o->value_type);
    g_value_init(&tv, t->value_type);
    g_object_get_property(G_OBJECT(vt), name.c_str(), &ov);
    g_object_get_property(G_OBJECT(x264enc), name.c_str(), &tv);
    gchar* os = gst_value_serialize(&ov);
    gchar* ts = gst_value_serialize(&tv);
    // Enums by number: x264enc's cbr is vth264enc's single.
    const bool same = G_VALUE_HOLDS_ENUM(&ov) ? g_value_get_enum(&ov) == g_value_get_enum(&tv)
                                              : g_strcmp0(os, ts) == 0;
    if (kOtherDefaults.count(name))
      fail_if(same, "%s: the default is x264enc's; drop it from kOtherDefaults", name.c_str());
    else
      fail_unless(same, "%s: default %s, x264enc's %s", name.c_str(), os, ts);
    g_free(os);
    g_free(ts);
    g_value_unset(&ov);
    g_value_unset(&tv);
  }
  // vtenc_h264's names, 1.22 to 1.26, with vtenc's types and defaults.
  const struct {
    const char* name;
    GType type;
    const char* def;
  } vtenc[] = {{"bitrate", G_TYPE_UINT, "0"},
               {"allow-frame-reordering", G_TYPE_BOOLEAN, "true"},
               {"realtime", G_TYPE_BOOLEAN, "false"},
               {"quality", G_TYPE_DOUBLE, "0.5"},
               {"max-keyframe-interval", G_TYPE_INT, "0"},
               {"max-keyframe-interval-duration", G_TYPE_UINT64, "0"},
               {"rate-control", G_TYPE_ENUM, "abr"},
               {"data-rate-limits", G_TYPE_STRING, "0,0"},
               {"max-frame-delay", G_TYPE_INT, "-1"}};
  for (const auto& v : vtenc) {
    GParamSpec* o = g_object_class_find_property(ours, v.name);
    fail_unless(o != nullptr, "vth264enc has no %s", v.name);
    fail_unless(G_TYPE_FUNDAMENTAL(o->value_type) == v.type, "%s: %s", v.name,
                g_type_name(o->value_type));
    GValue ov = G_VALUE_INIT;
    g_value_init(&ov, o->value_type);
    g_object_get_property(G_OBJECT(vt), v.name, &ov);
    gchar* os = G_VALUE_HOLDS_STRING(&ov) ? g_value_dup_string(&ov) : gst_value_serialize(&ov);
    if (G_VALUE_HOLDS_DOUBLE(&ov))
      fail_unless(g_value_get_double(&ov) == g_ascii_strtod(v.def, nullptr), "%s = %s", v.name, os);
    else
      fail_unless(g_strcmp0(os, v.def) == 0, "%s default %s, vtenc's %s", v.name, os, v.def);
    g_free(os);
    g_value_unset(&ov);
  }
  GEnumClass* rc =
      G_PARAM_SPEC_ENUM(g_object_class_find_property(ours, "rate-control"))->enum_class;
  fail_unless(g_enum_get_value_by_nick(rc, "abr") && g_enum_get_value_by_nick(rc, "cbr"));
  // One value under two names: x264enc's key-int-max is max-keyframe-interval, vtenc's
  // max-frame-delay is max-frame-delay-count.
  g_object_set(vt, "key-int-max", 7u, "max-frame-delay", 3, nullptr);
  gint interval = 0, delay = 0;
  g_object_get(vt, "max-keyframe-interval", &interval, "max-frame-delay-count", &delay, nullptr);
  fail_unless_equals_int(interval, 7);
  fail_unless_equals_int(delay, 3);
  g_object_set(vt, "max-keyframe-interval", 9, nullptr);
  guint key_int = 0;
  g_object_get(vt, "key-int-max", &key_int, nullptr);
  fail_unless_equals_int(key_int, 9);
  if (x264enc) gst_object_unref(x264enc);
  gst_object_unref(vt);
}
GST_END_TEST;

GST_START_TEST(test_x264compat_rate_control) {
  RunGroup(kRateControl);
}
GST_END_TEST;

GST_START_TEST(test_x264compat_multipass) {
  RunGroup(kMultiPass);
}
GST_END_TEST;

GST_START_TEST(test_x264compat_frame_types) {
  RunGroup(kFrameTypes);
}
GST_END_TEST;

GST_START_TEST(test_x264compat_analysis) {
  RunGroup(kAnalysis);
}
GST_END_TEST;

GST_START_TEST(test_x264compat_syntax) {
  RunGroup(kSyntax);
}
GST_END_TEST;

GST_START_TEST(test_x264compat_threads) {
  RunGroup(kThreads);
}
GST_END_TEST;

int main(int argc, char** argv) {
  return vtt::RunCases("vth264enc-x264compat",
                       {
                           VTT_CASE(test_x264compat_names),
                           VTT_CASE(test_x264compat_rate_control),
                           VTT_CASE(test_x264compat_multipass),
                           VTT_CASE(test_x264compat_frame_types),
                           VTT_CASE(test_x264compat_analysis),
                           VTT_CASE(test_x264compat_syntax),
                           VTT_CASE(test_x264compat_threads),
                       },
                       argc, argv);
}
