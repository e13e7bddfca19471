// SPDX-License-Identifier: GPL-2.0-or-later
#include "rate_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace vtctest {
namespace {

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;
constexpr std::int32_t kMicros = 1000000;

std::uint64_t Hash(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

// Value noise: random values on a lattice of `cell` pixels, smoothly interpolated.
void AddNoiseOctave(std::vector<float>* out, int w, int h, int cell, float amplitude,
                    std::uint64_t seed) {
  const int gw = w / cell + 2, gh = h / cell + 2;
  std::vector<float> grid(std::size_t(gw) * gh);
  for (std::size_t i = 0; i < grid.size(); ++i)
    grid[i] = float(Hash(seed * 0x9e3779b97f4a7c15ull + i) % 2001) / 1000.0f - 1.0f;
  auto smooth = [](float t) { return t * t * (3 - 2 * t); };
  for (int y = 0; y < h; ++y) {
    const int gy = y / cell;
    const float ty = smooth(float(y % cell) / cell);
    for (int x = 0; x < w; ++x) {
      const int gx = x / cell;
      const float tx = smooth(float(x % cell) / cell);
      const float* r0 = &grid[std::size_t(gy) * gw + gx];
      const float* r1 = r0 + gw;
      const float top = r0[0] + (r0[1] - r0[0]) * tx;
      const float bottom = r1[0] + (r1[1] - r1[0]) * tx;
      (*out)[std::size_t(y) * w + x] += amplitude * (top + (bottom - top) * ty);
    }
  }
}

float Sample(const std::vector<float>& tex, int tw, int th, double x, double y) {
  x = std::clamp(x, 0.0, tw - 1.001);
  y = std::clamp(y, 0.0, th - 1.001);
  const int ix = int(x), iy = int(y);
  const float fx = float(x - ix), fy = float(y - iy);
  const float* r0 = &tex[std::size_t(iy) * tw + ix];
  const float* r1 = r0 + tw;
  const float top = r0[0] + (r0[1] - r0[0]) * fx;
  const float bottom = r1[0] + (r1[1] - r1[0]) * fx;
  return top + (bottom - top) * fy;
}

std::uint8_t To8(double v) {
  return std::uint8_t(std::clamp(std::lround(v), 16L, 235L));
}

}  // namespace

NaturalSource::NaturalSource(int width, int height, int scene_frames)
    : width_(width),
      height_(height),
      scene_frames_(std::max(1, scene_frames)),
      tex_w_(width * 2),
      tex_h_(height * 2) {}

void NaturalSource::BuildScene(int scene) {
  scene_ = scene;
  const std::size_t n = std::size_t(tex_w_) * tex_h_;
  luma_.assign(n, 0.0f);
  cb_.assign(n, 0.0f);
  cr_.assign(n, 0.0f);
  const std::uint64_t seed = 1000 + std::uint64_t(scene) * 17;
  // Detail at every scale, the fine octaves weak: like a landscape in daylight.
  const struct {
    int cell;
    float amplitude;
  } octaves[] = {{96, 50}, {48, 30}, {24, 20}, {12, 14}, {6, 12}, {3, 10}, {2, 8}};
  int k = 0;
  for (const auto& o : octaves)
    AddNoiseOctave(&luma_, tex_w_, tex_h_, o.cell, o.amplitude, seed + k++);
  AddNoiseOctave(&cb_, tex_w_, tex_h_, 64, 30, seed + 50);
  AddNoiseOctave(&cb_, tex_w_, tex_h_, 16, 6, seed + 51);
  AddNoiseOctave(&cr_, tex_w_, tex_h_, 64, 30, seed + 60);
  AddNoiseOctave(&cr_, tex_w_, tex_h_, 16, 6, seed + 61);
}

Picture NaturalSource::Frame(int index) {
  const int scene = index / scene_frames_;
  if (scene != scene_) BuildScene(scene);
  const int t = index % scene_frames_;
  Picture p = MakeBlankPicture(width_, height_);
  // A slow pan with a drift and a gentle zoom, in sub-pixel steps (bilinear sampling).
  const double zoom = 1.0 - 0.2 * t / scene_frames_;
  const double ox = 0.8 * width_ * t / scene_frames_ + 3.0 * std::sin(t * 0.05);
  const double oy = 0.5 * height_ * t / scene_frames_ + 2.0 * std::cos(t * 0.04);
  struct Object {
    double cx, cy, r;
  } objects[3];
  for (int i = 0; i < 3; ++i) {
    const double phase = index * (0.021 + 0.007 * i) + i * 2.1;
    objects[i] = {width_ * (0.5 + 0.38 * std::sin(phase)),
                  height_ * (0.5 + 0.35 * std::cos(phase * 1.3)), height_ * (0.10 + 0.03 * i)};
  }
  const std::uint64_t grain_seed = Hash(std::uint64_t(index) + 77);
  for (int y = 0; y < height_; ++y) {
    for (int x = 0; x < width_; ++x) {
      double v = 120.0 + Sample(luma_, tex_w_, tex_h_, ox + x * zoom, oy + y * zoom);
      for (int i = 0; i < 3; ++i) {
        const double dx = x - objects[i].cx, dy = y - objects[i].cy;
        const double d = std::sqrt(dx * dx + dy * dy) / objects[i].r;
        if (d < 1.0) {
          // A lit ball with its own texture, soft at the rim.
          const double shade = 40.0 * (1.0 - d) - 20.0 + 15.0 * (dx - dy) / objects[i].r;
          const double tex = Sample(luma_, tex_w_, tex_h_, tex_w_ - 1 - (dx + objects[i].r) * 2,
                                    tex_h_ - 1 - (dy + objects[i].r) * 2);
          const double a = std::min(1.0, (1.0 - d) * 6.0);
          v = v * (1 - a) + a * (110.0 + shade + 0.8 * tex);
        }
      }
      const std::uint64_t g = Hash(grain_seed ^ (std::uint64_t(y) << 20 | std::uint64_t(x)));
      v += double(int(g % 7) - 3);  // film grain, -3..+3
      p.y[std::size_t(y) * width_ + x] = To8(v);
    }
  }
  for (int y = 0; y < p.chroma_height(); ++y) {
    for (int x = 0; x < p.chroma_width(); ++x) {
      const double sx = ox + 2 * x * zoom, sy = oy + 2 * y * zoom;
      const std::size_t i = std::size_t(y) * p.chroma_width() + x;
      p.u[i] = To8(128.0 + Sample(cb_, tex_w_, tex_h_, sx, sy));
      p.v[i] = To8(128.0 + Sample(cr_, tex_w_, tex_h_, sx, sy));
    }
  }
  return p;
}

double EncodedRun::kbps() const {
  return seconds > 0 ? double(bytes()) * 8 / 1000 / seconds : 0;
}

std::size_t EncodedRun::bytes() const {
  std::size_t n = 0;
  for (const Coded& c : frames) n += c.bytes;
  return n;
}

double EncodedRun::KbpsBetween(double from, double to) const {
  std::size_t n = 0;
  for (const Coded& c : frames)
    if (c.pts >= from && c.pts < to) n += c.bytes;
  return to > from ? double(n) * 8 / 1000 / (to - from) : 0;
}

Timing ConstantRate(double fps) {
  return [fps](int) { return 1.0 / fps; };
}

Timing VariableRate() {
  // 1/60 .. 1/15 s, averaging close to 1/30 s over any few dozen frames.
  return [](int i) {
    static const double pattern[] = {1 / 60.0, 1 / 24.0, 1 / 30.0, 1 / 15.0, 1 / 60.0,
                                     1 / 60.0, 1 / 25.0, 1 / 50.0, 1 / 30.0, 1 / 40.0};
    return pattern[Hash(std::uint64_t(i) / 3) % 10];
  };
}

EncodedRun EncodeRun(int w, int h, const vtc::Dictionary& props, int frames,
                     const std::function<Picture(int)>& picture, const Timing& timing,
                     const std::function<void(int, vtc::CompressionSession&)>& before_frame,
                     vtc::CodecType codec) {
  EncodedRun run;
  Collector collector;
  auto session = MakeSession(w, h, kNV12, &collector, props, codec);
  if (!session) return run;
  std::int64_t pts = 0;
  double first = 0, end = 0;
  for (int i = 0; i < frames; ++i) {
    if (before_frame) before_frame(i, *session);
    const std::int64_t dur = std::max<std::int64_t>(1, std::llround(timing(i) * kMicros));
    auto buffer = MakePoolBuffer(*session, picture(i));
    if (!buffer) break;
    const vtc::Status st =
        session->EncodeFrame(buffer, vtc::Time::Make(pts, kMicros), vtc::Time::Make(dur, kMicros),
                             nullptr, RefconFor(i), nullptr);
    EXPECT_EQ(st, vtc::Status::kNoErr) << "frame " << i;
    if (i == 0) first = double(pts) / kMicros;
    pts += dur;
    end = double(pts) / kMicros;
  }
  EXPECT_EQ(session->CompleteFrames(vtc::Time::Invalid()), vtc::Status::kNoErr);
  session->Invalidate();
  run.seconds = end - first;
  for (const Output& o : collector.outputs()) {
    ++run.answered;
    if (o.status != vtc::Status::kNoErr || !o.sample) {
      ++run.errors;
      continue;
    }
    Coded c;
    c.pts = o.sample->presentation_time_stamp().Seconds();
    c.dts = o.sample->decode_time_stamp().Seconds();
    c.duration = o.sample->duration().Seconds();
    c.bytes = o.sample->size();
    c.qp = o.sample->frame_qp();
    c.sync = o.sample->IsSync();
    c.sample = o.sample;
    run.frames.push_back(std::move(c));
  }
  std::stable_sort(run.frames.begin(), run.frames.end(),
                   [](const Coded& a, const Coded& b) { return a.dts < b.dts; });
  return run;
}

std::size_t MaxWindowBytes(const EncodedRun& run, double seconds) {
  std::size_t most = 0, sum = 0;
  std::size_t j = 0;
  const auto& f = run.frames;
  for (std::size_t i = 0; i < f.size(); ++i) {
    // Window [f[i].dts, f[i].dts + seconds): frames i..j-1.
    if (j < i) j = i, sum = 0;
    while (j < f.size() && f[j].dts < f[i].dts + seconds - 1e-9) sum += f[j++].bytes;
    most = std::max(most, sum);
    sum -= f[i].bytes;
  }
  return most;
}

std::size_t MinWindowBytes(const EncodedRun& run, double seconds) {
  const auto& f = run.frames;
  if (f.empty()) return 0;
  const double stream_end = f.back().dts;
  std::size_t least = SIZE_MAX, sum = 0, j = 0;
  for (std::size_t i = 0; i < f.size() && f[i].dts + seconds <= stream_end + 1e-9; ++i) {
    if (j < i) j = i, sum = 0;
    while (j < f.size() && f[j].dts < f[i].dts + seconds - 1e-9) sum += f[j++].bytes;
    least = std::min(least, sum);
    sum -= f[i].bytes;
  }
  return least == SIZE_MAX ? 0 : least;
}

KeyGaps KeyFrameGaps(const EncodedRun& run) {
  std::vector<const Coded*> by_pts;
  for (const Coded& c : run.frames) by_pts.push_back(&c);
  std::sort(by_pts.begin(), by_pts.end(), [](auto a, auto b) { return a->pts < b->pts; });
  KeyGaps g;
  double last_t = 0;
  int last_i = 0;
  for (std::size_t i = 0; i < by_pts.size(); ++i) {
    if (!by_pts[i]->sync) continue;
    ++g.syncs;
    if (i > 0) {
      g.max_seconds = std::max(g.max_seconds, by_pts[i]->pts - last_t);
      g.max_frames = std::max(g.max_frames, int(i) - last_i);
    }
    last_t = by_pts[i]->pts;
    last_i = int(i);
  }
  if (!by_pts.empty()) {
    const Coded* tail = by_pts.back();
    g.max_seconds = std::max(g.max_seconds, tail->pts + tail->duration - last_t);
    g.max_frames = std::max(g.max_frames, int(by_pts.size()) - last_i);
  }
  return g;
}

namespace {

// Exp-Golomb reader over an RBSP (emulation prevention removed).
class Bits {
 public:
  explicit Bits(const std::vector<std::uint8_t>& nal) {
    for (std::size_t i = 1; i < nal.size(); ++i) {  // skip the NAL header
      if (i >= 3 && nal[i] == 3 && nal[i - 1] == 0 && nal[i - 2] == 0 && rbsp_.size() >= 2 &&
          rbsp_[rbsp_.size() - 1] == 0 && rbsp_[rbsp_.size() - 2] == 0)
        continue;
      rbsp_.push_back(nal[i]);
    }
  }
  bool ok() const { return pos_ <= rbsp_.size() * 8; }
  std::uint32_t U(int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      const std::size_t byte = pos_ / 8;
      const int bit = byte < rbsp_.size() ? (rbsp_[byte] >> (7 - pos_ % 8)) & 1 : 0;
      v = v << 1 | std::uint32_t(bit);
      ++pos_;
    }
    return v;
  }
  std::uint32_t Ue() {
    int zeros = 0;
    while (U(1) == 0 && zeros < 32 && ok()) ++zeros;
    return zeros ? ((1u << zeros) - 1 + U(zeros)) : 0;
  }
  std::int32_t Se() {
    const std::uint32_t v = Ue();
    return v & 1 ? std::int32_t((v + 1) / 2) : -std::int32_t(v / 2);
  }

 private:
  std::vector<std::uint8_t> rbsp_;
  std::size_t pos_ = 0;
};

struct SpsFields {
  int chroma_format = 1, log2_max_frame_num = 4, poc_type = 0, log2_max_poc_lsb = 4;
  bool frame_mbs_only = true, delta_pic_order_always_zero = false;
};

struct PpsFields {
  bool bottom_field_pic_order = false, redundant_pic_cnt = false, cabac = false;
  int ref_l0 = 1, ref_l1 = 1, weighted_pred = 0, weighted_bipred = 0, pic_init_qp = 26;
};

void SkipScalingList(Bits* b, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size && next != 0; ++j) {
    next = (last + b->Se() + 256) % 256;
    if (next) last = next;
  }
}

bool ParseSps(const std::vector<std::uint8_t>& nal, SpsFields* s) {
  Bits b(nal);
  const int profile = int(b.U(8));
  b.U(16);  // constraint flags, level
  b.Ue();   // id
  if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 ||
      profile == 83 || profile == 86 || profile == 118 || profile == 128) {
    s->chroma_format = int(b.Ue());
    if (s->chroma_format == 3) b.U(1);
    b.Ue();
    b.Ue();
    b.U(1);
    if (b.U(1))
      for (int i = 0; i < (s->chroma_format == 3 ? 12 : 8); ++i)
        if (b.U(1)) SkipScalingList(&b, i < 6 ? 16 : 64);
  }
  s->log2_max_frame_num = int(b.Ue()) + 4;
  s->poc_type = int(b.Ue());
  if (s->poc_type == 0) {
    s->log2_max_poc_lsb = int(b.Ue()) + 4;
  } else if (s->poc_type == 1) {
    s->delta_pic_order_always_zero = b.U(1);
    b.Se();
    b.Se();
    const std::uint32_t n = b.Ue();
    for (std::uint32_t i = 0; i < n && b.ok(); ++i) b.Se();
  }
  b.Ue();  // max_num_ref_frames
  b.U(1);  // gaps
  b.Ue();  // width in MBs
  b.Ue();  // height in map units
  s->frame_mbs_only = b.U(1);
  return b.ok();
}

bool ParsePps(const std::vector<std::uint8_t>& nal, PpsFields* p) {
  Bits b(nal);
  b.Ue();
  b.Ue();
  p->cabac = b.U(1);
  p->bottom_field_pic_order = b.U(1);
  if (b.Ue() != 0) return false;  // slice groups: x264 never writes them
  p->ref_l0 = int(b.Ue()) + 1;
  p->ref_l1 = int(b.Ue()) + 1;
  p->weighted_pred = int(b.U(1));
  p->weighted_bipred = int(b.U(2));
  p->pic_init_qp = 26 + b.Se();
  b.Se();  // pic_init_qs
  b.Se();  // chroma_qp_index_offset
  b.U(1);  // deblocking_filter_control_present
  b.U(1);  // constrained_intra_pred
  p->redundant_pic_cnt = b.U(1);
  return b.ok();
}

void SkipRefListModification(Bits* b) {
  if (!b->U(1)) return;
  for (int guard = 0; guard < 64 && b->ok(); ++guard) {
    const std::uint32_t idc = b->Ue();
    if (idc == 3) return;
    b->Ue();
  }
}

void SkipWeights(Bits* b, int refs, bool chroma) {
  for (int i = 0; i < refs; ++i) {
    if (b->U(1)) b->Se(), b->Se();
    if (chroma && b->U(1))
      for (int j = 0; j < 2; ++j) b->Se(), b->Se();
  }
}

}  // namespace

int SliceQp(const vtc::SampleBufferRef& sample) {
  const auto& fd = sample->format_description();
  const std::uint8_t *sps_data = nullptr, *pps_data = nullptr;
  std::size_t sps_size = 0, pps_size = 0;
  if (!fd ||
      fd->GetH264ParameterSetAtIndex(0, &sps_data, &sps_size, nullptr, nullptr) !=
          vtc::Status::kNoErr ||
      fd->GetH264ParameterSetAtIndex(1, &pps_data, &pps_size, nullptr, nullptr) !=
          vtc::Status::kNoErr) {
    ADD_FAILURE() << "no parameter sets";
    return -1;
  }
  SpsFields sps;
  PpsFields pps;
  if (!ParseSps({sps_data, sps_data + sps_size}, &sps) ||
      !ParsePps({pps_data, pps_data + pps_size}, &pps)) {
    ADD_FAILURE() << "parameter sets do not parse";
    return -1;
  }
  for (const auto& nal : SplitAvcc(sample)) {
    const int type = nal[0] & 0x1f, ref_idc = (nal[0] >> 5) & 3;
    if (type != 1 && type != 5) continue;
    Bits b(nal);
    b.Ue();                                  // first_mb_in_slice
    const int slice_type = int(b.Ue()) % 5;  // 0 P, 1 B, 2 I
    b.Ue();                                  // pps id
    b.U(sps.log2_max_frame_num);
    if (!sps.frame_mbs_only && b.U(1)) b.U(1);  // field_pic, bottom_field
    if (type == 5) b.Ue();                      // idr_pic_id
    if (sps.poc_type == 0) {
      b.U(sps.log2_max_poc_lsb);
      if (pps.bottom_field_pic_order) b.Se();
    } else if (sps.poc_type == 1 && !sps.delta_pic_order_always_zero) {
      b.Se();
      if (pps.bottom_field_pic_order) b.Se();
    }
    if (pps.redundant_pic_cnt) b.Ue();
    int l0 = pps.ref_l0, l1 = pps.ref_l1;
    if (slice_type == 1) b.U(1);  // direct_spatial_mv_pred
    if (slice_type != 2 && b.U(1)) {
      l0 = int(b.Ue()) + 1;
      if (slice_type == 1) l1 = int(b.Ue()) + 1;
    }
    if (slice_type != 2) SkipRefListModification(&b);
    if (slice_type == 1) SkipRefListModification(&b);
    if ((pps.weighted_pred && slice_type == 0) || (pps.weighted_bipred == 1 && slice_type == 1)) {
      b.Ue();
      if (sps.chroma_format != 0) b.Ue();
      SkipWeights(&b, l0, sps.chroma_format != 0);
      if (slice_type == 1) SkipWeights(&b, l1, sps.chroma_format != 0);
    }
    if (ref_idc != 0) {
      if (type == 5) {
        b.U(2);
      } else if (b.U(1)) {
        for (int guard = 0; guard < 64 && b.ok(); ++guard) {
          const std::uint32_t op = b.Ue();
          if (op == 0) break;
          if (op == 1 || op == 3) b.Ue();
          if (op == 2) b.Ue();
          if (op == 3 || op == 6) b.Ue();
          if (op == 4) b.Ue();
        }
      }
    }
    if (pps.cabac && slice_type != 2) b.Ue();  // cabac_init_idc
    const int qp = pps.pic_init_qp + b.Se();
    if (!b.ok() || qp < 0 || qp > 51) {
      ADD_FAILURE() << "slice header does not parse";
      return -1;
    }
    return qp;
  }
  ADD_FAILURE() << "no slice";
  return -1;
}

}  // namespace vtctest
