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
                     const std::function<void(int, vtc::CompressionSession&)>& before_frame) {
  EncodedRun run;
  Collector collector;
  auto session = MakeSession(w, h, kNV12, &collector, props);
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

}  // namespace vtctest
