// SPDX-License-Identifier: GPL-2.0-or-later
#include "test_util.h"
#include "temp_dir.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

extern char** environ;

namespace vtctest {
namespace {

constexpr double kPi = 3.14159265358979323846;

uint8_t Clamp8(double v) {
  if (v < 0) return 0;
  if (v > 255) return 255;
  return static_cast<uint8_t>(std::lround(v));
}

// A small, fast, deterministic hash (splitmix64 finaliser).
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Triangle wave: 0, 1, ..., range, range - 1, ..., 0, ... (0 when range <= 0).
int Bounce(int t, int range) {
  if (range <= 0) return 0;
  const int period = 2 * range;
  int p = t % period;
  return p <= range ? p : period - p;
}

bool IsNv12(vtc::PixelFormatType f) {
  return f == vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange ||
         f == vtc::kPixelFormat_420YpCbCr8BiPlanarFullRange;
}

bool IsI420(vtc::PixelFormatType f) {
  return f == vtc::kPixelFormat_420YpCbCr8Planar;
}

// Row bytes of plane i of a w x h picture in format f.
size_t RowBytes(vtc::PixelFormatType f, int w, size_t plane) {
  const size_t cw = size_t(w + 1) / 2;
  if (plane == 0) return size_t(w);
  return IsNv12(f) ? 2 * cw : cw;
}
size_t Rows(int h, size_t plane) {
  return plane == 0 ? size_t(h) : size_t(h + 1) / 2;
}

std::string BaseDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

bool WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  if (!f) return false;
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return bool(f);
}

bool ReadFile(const std::string& path, std::vector<uint8_t>* bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  bytes->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

std::string ReadText(const std::string& path) {
  std::vector<uint8_t> b;
  if (!ReadFile(path, &b)) return std::string();
  return std::string(b.begin(), b.end());
}

// Runs argv[0] (looked up in PATH) with stdin from /dev/null and stdout/stderr to files. Returns
// the exit status, or -1 with *error set if it could not be started or did not exit normally.
int Run(const std::vector<std::string>& args, const std::string& stdout_path,
        const std::string& stderr_path, std::string* error) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    if (error) *error = "cannot run " + args[0] + ": " + std::strerror(rc);
    return -1;
  }
  int status = 0;
  pid_t w;
  do {
    w = waitpid(pid, &status, 0);
  } while (w < 0 && errno == EINTR);
  if (w < 0) {
    if (error) *error = "waitpid failed for " + args[0] + ": " + std::strerror(errno);
    return -1;
  }
  if (!WIFEXITED(status)) {
    if (error) *error = args[0] + " did not exit normally (status " + std::to_string(status) + ")";
    return -1;
  }
  // posix_spawnp reports a failed exec as exit status 127 from the child.
  return WEXITSTATUS(status);
}

std::string Join(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

double PsnrFromSse(double sse, double samples) {
  if (samples <= 0) return 100.0;
  const double mse = sse / samples;
  if (mse <= 0) return 100.0;
  return std::min(100.0, 10.0 * std::log10(255.0 * 255.0 / mse));
}

// Sum of squared differences of the top-left w x h region of two planes.
double PlaneSse(const std::vector<uint8_t>& a, int a_stride, const std::vector<uint8_t>& b,
                int b_stride, int w, int h) {
  double sse = 0;
  for (int y = 0; y < h; ++y) {
    const uint8_t* pa = a.data() + size_t(y) * size_t(a_stride);
    const uint8_t* pb = b.data() + size_t(y) * size_t(b_stride);
    int64_t row = 0;
    for (int x = 0; x < w; ++x) {
      const int d = int(pa[x]) - int(pb[x]);
      row += d * d;
    }
    sse += double(row);
  }
  return sse;
}

bool ComparableSizes(const Picture& source, const Picture& decoded) {
  if (decoded.width < source.width || decoded.height < source.height ||
      source.y.size() < size_t(source.width) * size_t(source.height) ||
      decoded.y.size() < size_t(decoded.width) * size_t(decoded.height) ||
      source.u.size() < size_t(source.chroma_width()) * size_t(source.chroma_height()) ||
      source.v.size() < source.u.size() ||
      decoded.u.size() < size_t(decoded.chroma_width()) * size_t(decoded.chroma_height()) ||
      decoded.v.size() < decoded.u.size()) {
    ADD_FAILURE() << "PSNR: decoded " << decoded.width << "x" << decoded.height
                  << " cannot be compared with source " << source.width << "x" << source.height;
    return false;
  }
  return true;
}

}  // namespace

Picture MakeBlankPicture(int width, int height) {
  Picture p;
  p.width = width;
  p.height = height;
  p.y.assign(size_t(width) * size_t(height), 0);
  p.u.assign(size_t(p.chroma_width()) * size_t(p.chroma_height()), 0);
  p.v = p.u;
  return p;
}

Picture MakeMovingPicture(int width, int height, int frame_index) {
  Picture p = MakeBlankPicture(width, height);
  const int f = frame_index;
  const double fw = std::max(1, width - 1), fh = std::max(1, height - 1);

  // The moving square: a quarter of the smaller side (at least 4), bouncing around.
  const int side = std::max(4, std::min(width, height) / 4);
  // Slower in small pictures, where 3 pixels a frame would be a jump across the picture.
  const int sx = Bounce(f * std::clamp(width / 64, 1, 3), width - side);
  const int sy = Bounce(f * std::clamp(height / 64, 1, 2), height - side);
  const int cell = std::max(4, side / 6);  // texture cell size
  const double scale = std::min(1.0, std::max(0.25, side / 24.0));
  const double contrast = 40.0 * scale;
  const double shade = std::min(30.0, 1.0 * side);
  auto in_square = [&](int x, int y) {
    return x >= sx && x < sx + side && y >= sy && y < sy + side;
  };

  // Luma: diagonal gradient, a slowly drifting soft wave, the textured square, +-1 noise. The
  // gradients and the wave are gentle in absolute terms (a few levels per pixel at most), so tiny
  // pictures are as easy to code as large ones.
  const double gx = std::min(110.0, 3.0 * fw), gy = std::min(50.0, 2.0 * fh);
  const uint64_t seed = Mix(uint64_t(f) * 0x1000193ull + 7);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      double v = 50.0 + gx * (x / fw) + gy * (y / fh) +
                 14.0 * std::sin(2 * kPi * (x / 160.0 + y / 320.0) + f * 0.08);
      if (in_square(x, y)) {
        const int lx = x - sx, ly = y - sy;
        const bool check = ((lx / cell) + (ly / cell)) & 1;
        // A checkerboard with a soft shading across it, so it is textured but not harsh; its
        // contrast shrinks in tiny pictures, where one sharp feature would dominate.
        v += (check ? contrast : -contrast) + shade * (double(lx) / side - 0.5);
      }
      const uint64_t r = Mix(seed ^ (uint64_t(y) << 32 | uint64_t(x)));
      v += double(int(r % 3) - 1);  // -1, 0, +1
      p.y[size_t(y) * size_t(width) + size_t(x)] = Clamp8(v);
    }
  }

  // Chroma: smooth gradients, the square tinted.
  const int cw = p.chroma_width(), ch = p.chroma_height();
  const double fcw = std::max(1, cw - 1), fch = std::max(1, ch - 1);
  for (int y = 0; y < ch; ++y) {
    for (int x = 0; x < cw; ++x) {
      double u = 100.0 + std::min(50.0, 2.0 * fcw) * (x / fcw) +
                 6.0 * std::sin(2 * kPi * (y / 90.0) + f * 0.05);
      double v = 150.0 - std::min(40.0, 2.0 * fch) * (y / fch) + std::min(10.0, fcw) * (x / fcw);
      if (in_square(2 * x, 2 * y)) {
        u = 128.0 - 48.0 * scale;
        v = 128.0 + 47.0 * scale;
      }
      p.u[size_t(y) * size_t(cw) + size_t(x)] = Clamp8(u);
      p.v[size_t(y) * size_t(cw) + size_t(x)] = Clamp8(v);
    }
  }
  return p;
}

void CopyPictureInto(const Picture& pic, const vtc::PixelBufferRef& buffer) {
  if (!buffer) {
    ADD_FAILURE() << "CopyPictureInto: null buffer";
    return;
  }
  if (buffer->width() != pic.width || buffer->height() != pic.height) {
    ADD_FAILURE() << "CopyPictureInto: buffer is " << buffer->width() << "x" << buffer->height()
                  << ", picture " << pic.width << "x" << pic.height;
    return;
  }
  const vtc::PixelFormatType f = buffer->pixel_format();
  const int w = pic.width, h = pic.height, cw = pic.chroma_width(), ch = pic.chroma_height();
  auto copy_plane = [&](size_t plane, const std::vector<uint8_t>& src, int sw, int sh) {
    uint8_t* dst = buffer->base_address_of_plane(plane);
    const size_t stride = buffer->bytes_per_row_of_plane(plane);
    for (int y = 0; y < sh; ++y)
      std::memcpy(dst + size_t(y) * stride, src.data() + size_t(y) * size_t(sw), size_t(sw));
  };
  if (IsI420(f) && buffer->plane_count() == 3) {
    copy_plane(0, pic.y, w, h);
    copy_plane(1, pic.u, cw, ch);
    copy_plane(2, pic.v, cw, ch);
  } else if (IsNv12(f) && buffer->plane_count() == 2) {
    copy_plane(0, pic.y, w, h);
    uint8_t* uv = buffer->base_address_of_plane(1);
    const size_t stride = buffer->bytes_per_row_of_plane(1);
    for (int y = 0; y < ch; ++y) {
      uint8_t* row = uv + size_t(y) * stride;
      for (int x = 0; x < cw; ++x) {
        row[2 * x] = pic.u[size_t(y) * size_t(cw) + size_t(x)];
        row[2 * x + 1] = pic.v[size_t(y) * size_t(cw) + size_t(x)];
      }
    }
  } else {
    ADD_FAILURE() << "CopyPictureInto: unsupported format " << vtc::PixelFormatName(f) << " with "
                  << buffer->plane_count() << " planes";
  }
}

Picture ReadPicture(const vtc::PixelBufferRef& buffer) {
  if (!buffer) {
    ADD_FAILURE() << "ReadPicture: null buffer";
    return Picture();
  }
  Picture p = MakeBlankPicture(buffer->width(), buffer->height());
  const vtc::PixelFormatType f = buffer->pixel_format();
  const int w = p.width, h = p.height, cw = p.chroma_width(), ch = p.chroma_height();
  auto read_plane = [&](size_t plane, std::vector<uint8_t>* dst, int sw, int sh) {
    const uint8_t* src = buffer->base_address_of_plane(plane);
    const size_t stride = buffer->bytes_per_row_of_plane(plane);
    for (int y = 0; y < sh; ++y)
      std::memcpy(dst->data() + size_t(y) * size_t(sw), src + size_t(y) * stride, size_t(sw));
  };
  if (IsI420(f) && buffer->plane_count() == 3) {
    read_plane(0, &p.y, w, h);
    read_plane(1, &p.u, cw, ch);
    read_plane(2, &p.v, cw, ch);
  } else if (IsNv12(f) && buffer->plane_count() == 2) {
    read_plane(0, &p.y, w, h);
    const uint8_t* uv = buffer->base_address_of_plane(1);
    const size_t stride = buffer->bytes_per_row_of_plane(1);
    for (int y = 0; y < ch; ++y) {
      const uint8_t* row = uv + size_t(y) * stride;
      for (int x = 0; x < cw; ++x) {
        p.u[size_t(y) * size_t(cw) + size_t(x)] = row[2 * x];
        p.v[size_t(y) * size_t(cw) + size_t(x)] = row[2 * x + 1];
      }
    }
  } else {
    ADD_FAILURE() << "ReadPicture: unsupported format " << vtc::PixelFormatName(f) << " with "
                  << buffer->plane_count() << " planes";
  }
  return p;
}

vtc::PixelBufferRef MakeWrappedBuffer(const Picture& pic, vtc::PixelFormatType format,
                                      int stride_pad, std::atomic<int>* release_count) {
  if (!IsNv12(format) && !IsI420(format)) {
    ADD_FAILURE() << "MakeWrappedBuffer: unsupported format " << vtc::PixelFormatName(format);
    return nullptr;
  }
  if (stride_pad < 0) {
    ADD_FAILURE() << "MakeWrappedBuffer: negative stride_pad";
    return nullptr;
  }
  const size_t planes = IsNv12(format) ? 2 : 3;
  size_t offsets[3] = {}, sizes[3] = {}, strides[3] = {};
  size_t total = 0;
  for (size_t i = 0; i < planes; ++i) {
    strides[i] = RowBytes(format, pic.width, i) + size_t(stride_pad);
    sizes[i] = strides[i] * Rows(pic.height, i);
    offsets[i] = total;
    total += sizes[i];
  }
  uint8_t* memory = new uint8_t[total];
  // Padding bytes get a recognisable value, so a reader that strays into them shows up.
  std::memset(memory, 0xA5, total);

  vtc::PlaneDescriptor desc[3];
  for (size_t i = 0; i < planes; ++i) {
    desc[i].base = memory + offsets[i];
    desc[i].bytes_per_row = strides[i];
    desc[i].size = sizes[i];
  }
  vtc::PixelBufferRef buffer;
  const vtc::Status st = vtc::PixelBuffer::CreateWithPlanarBytes(
      pic.width, pic.height, format, desc, planes,
      [memory, release_count]() {
        delete[] memory;
        if (release_count) release_count->fetch_add(1);
      },
      &buffer);
  if (st != vtc::Status::kNoErr || !buffer) {
    ADD_FAILURE() << "CreateWithPlanarBytes(" << pic.width << "x" << pic.height << ", "
                  << vtc::PixelFormatName(format) << ", pad " << stride_pad
                  << ") failed: " << vtc::StatusName(st);
    if (st != vtc::Status::kNoErr) delete[] memory;  // not handed over on failure
    return nullptr;
  }
  CopyPictureInto(pic, buffer);
  return buffer;
}

vtc::PixelBufferRef MakePoolBuffer(vtc::CompressionSession& session, const Picture& pic) {
  vtc::PixelBufferPoolRef pool = session.GetPixelBufferPool();
  if (!pool) {
    ADD_FAILURE() << "GetPixelBufferPool returned null";
    return nullptr;
  }
  vtc::PixelBufferRef buffer;
  const vtc::Status st = pool->CreatePixelBuffer(&buffer);
  if (st != vtc::Status::kNoErr || !buffer) {
    ADD_FAILURE() << "CreatePixelBuffer failed: " << vtc::StatusName(st);
    return nullptr;
  }
  CopyPictureInto(pic, buffer);
  return buffer;
}

// ---- Collector ----

void Collector::Callback(void* output_refcon, void* frame_refcon, vtc::Status status,
                         vtc::EncodeInfoFlags flags, const vtc::SampleBufferRef& sample) {
  auto* self = static_cast<Collector*>(output_refcon);
  if (!self) {
    ADD_FAILURE() << "Collector::Callback called with a null output refcon";
    return;
  }
  self->Add(Output{frame_refcon, status, flags, sample, std::this_thread::get_id()});
}

vtc::OutputHandler Collector::Handler(void* refcon) {
  return [this, refcon](vtc::Status status, vtc::EncodeInfoFlags flags,
                        const vtc::SampleBufferRef& sample) {
    Add(Output{refcon, status, flags, sample, std::this_thread::get_id()});
  };
}

std::vector<Output> Collector::outputs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outputs_;
}

size_t Collector::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outputs_.size();
}

bool Collector::WaitForCount(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return outputs_.size() >= n; });
}

std::vector<vtc::SampleBufferRef> Collector::samples() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<vtc::SampleBufferRef> out;
  for (const auto& o : outputs_)
    if (o.sample) out.push_back(o.sample);
  return out;
}

void Collector::Add(Output o) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    outputs_.push_back(std::move(o));
  }
  cv_.notify_all();
}

void Collector::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  outputs_.clear();
}

// ---- Bitstreams ----

std::vector<std::vector<uint8_t>> SplitAvcc(const vtc::SampleBufferRef& sample) {
  std::vector<std::vector<uint8_t>> nals;
  if (!sample) {
    ADD_FAILURE() << "SplitAvcc: null sample";
    return nals;
  }
  const vtc::Data& d = sample->data();
  size_t pos = 0;
  while (pos < d.size()) {
    if (d.size() - pos < 4) {
      ADD_FAILURE() << "AVCC sample: " << (d.size() - pos) << " trailing bytes at offset " << pos
                    << " of " << d.size() << " (not a whole 4-byte length)";
      return nals;
    }
    const size_t len = (size_t(d[pos]) << 24) | (size_t(d[pos + 1]) << 16) |
                       (size_t(d[pos + 2]) << 8) | size_t(d[pos + 3]);
    pos += 4;
    if (len == 0) {
      ADD_FAILURE() << "AVCC sample: empty NAL unit at offset " << pos - 4;
      return nals;
    }
    if (len > d.size() - pos) {
      ADD_FAILURE() << "AVCC sample: NAL length " << len << " at offset " << pos - 4
                    << " runs past the end of the " << d.size() << "-byte sample";
      return nals;
    }
    nals.emplace_back(d.begin() + std::ptrdiff_t(pos), d.begin() + std::ptrdiff_t(pos + len));
    pos += len;
  }
  if (nals.empty()) ADD_FAILURE() << "AVCC sample has no NAL units";
  return nals;
}

std::vector<int> NalTypes(const vtc::SampleBufferRef& sample) {
  std::vector<int> types;
  for (const auto& nal : SplitAvcc(sample)) types.push_back(nal[0] & 0x1f);
  return types;
}

std::vector<uint8_t> ToAnnexB(const std::vector<vtc::SampleBufferRef>& samples) {
  static const uint8_t kStart[4] = {0, 0, 0, 1};
  std::vector<uint8_t> out;
  for (const auto& s : samples) {
    if (!s) {
      ADD_FAILURE() << "ToAnnexB: null sample";
      continue;
    }
    if (s->IsSync()) {
      const vtc::FormatDescriptionRef& fd = s->format_description();
      if (!fd) {
        ADD_FAILURE() << "ToAnnexB: sync sample without a format description";
      } else {
        // H.264: SPS, PPS. HEVC: every parameter set of the hvcC (VPS, SPS, PPS, SEI).
        const bool hevc = fd->codec_type() == vtc::kCodecType_HEVC;
        size_t count = 2;
        for (size_t i = 0; i < count; ++i) {
          const uint8_t* ps = nullptr;
          size_t size = 0;
          const vtc::Status st =
              hevc ? fd->GetHEVCParameterSetAtIndex(i, &ps, &size, &count, nullptr)
                   : fd->GetH264ParameterSetAtIndex(i, &ps, &size, nullptr, nullptr);
          if (st != vtc::Status::kNoErr || !ps || size == 0) {
            ADD_FAILURE() << "Get" << (hevc ? "HEVC" : "H264") << "ParameterSetAtIndex(" << i
                          << ") failed: " << vtc::StatusName(st);
            break;
          }
          out.insert(out.end(), kStart, kStart + 4);
          out.insert(out.end(), ps, ps + size);
        }
      }
    }
    for (const auto& nal : SplitAvcc(s)) {
      out.insert(out.end(), kStart, kStart + 4);
      out.insert(out.end(), nal.begin(), nal.end());
    }
  }
  return out;
}

// ---- ffmpeg ----

std::string FfmpegPath() {
  const char* env = std::getenv("VTC_FFMPEG");
  return env && *env ? std::string(env) : std::string("ffmpeg");
}

std::string FfprobePath() {
  return BaseDir(FfmpegPath()) + "ffprobe";
}

bool FfmpegAvailable() {
  static const bool available = [] {
    TempDir dir;
    if (!dir.ok()) return false;
    const std::string out = dir.File("version.out"), err = dir.File("version.err");
    std::string error;
    return Run({FfmpegPath(), "-version"}, out, err, &error) == 0 &&
           Run({FfprobePath(), "-version"}, out, err, &error) == 0;
  }();
  return available;
}

bool DecodeAnnexB(const std::vector<uint8_t>& annexb, Decoded* out, std::string* error,
                  const char* demuxer) {
  std::string local_error;
  if (!error) error = &local_error;
  *out = Decoded();
  TempDir dir;
  if (!dir.ok()) {
    *error = std::string("mkdtemp failed: ") + std::strerror(errno);
    return false;
  }
  const std::string in = dir.File("in.h264"), yuv = dir.File("out.yuv");
  const std::string probe_out = dir.File("probe.out"), probe_err = dir.File("probe.err");
  const std::string ff_out = dir.File("ffmpeg.out"), ff_err = dir.File("ffmpeg.err");
  if (!WriteFile(in, annexb)) {
    *error = "cannot write " + in;
    return false;
  }

  // Stream parameters. width/height are after the SPS cropping, as a player shows them.
  const std::vector<std::string> probe = {
      FfprobePath(),
      "-v",
      "error",
      "-f",
      demuxer,
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=width,height,pix_fmt,profile,level,color_range,color_primaries,color_transfer,"
      "color_space,sample_aspect_ratio",
      "-of",
      "default=noprint_wrappers=1",
      in};
  int rc = Run(probe, probe_out, probe_err, error);
  if (rc < 0) return false;
  std::string perr = ReadText(probe_err);
  if (rc != 0 || !perr.empty()) {
    *error = Join(probe) + " exited " + std::to_string(rc) + ": " + perr;
    return false;
  }
  std::map<std::string, std::string> fields;
  {
    std::istringstream lines(ReadText(probe_out));
    std::string line;
    while (std::getline(lines, line)) {
      const size_t eq = line.find('=');
      if (eq != std::string::npos) fields[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  out->width = std::atoi(fields["width"].c_str());
  out->height = std::atoi(fields["height"].c_str());
  out->profile = fields["profile"];
  out->level = std::atoi(fields["level"].c_str());
  out->pix_fmt = fields["pix_fmt"];
  out->color_range = fields["color_range"];
  out->color_primaries = fields["color_primaries"];
  out->color_transfer = fields["color_transfer"];
  out->color_space = fields["color_space"];
  out->sample_aspect_ratio = fields["sample_aspect_ratio"];
  if (out->width <= 0 || out->height <= 0) {
    *error = "ffprobe reported no picture size: " + ReadText(probe_out);
    return false;
  }
  if (out->pix_fmt != "yuv420p" && out->pix_fmt != "yuvj420p") {
    *error = "unexpected decoded pixel format '" + out->pix_fmt + "'";
    return false;
  }

  // Decode every frame, in presentation order, without frame-rate conversion and without any
  // pixel-format or range conversion (rawvideo takes the decoder's format as it is).
  const std::vector<std::string> decode = {
      FfmpegPath(), "-nostdin",    "-hide_banner", "-v",       "error", "-xerror",
      "-f",         demuxer,       "-i",           in,         "-map",  "0:v:0",
      "-fps_mode",  "passthrough", "-f",           "rawvideo", "-y",    yuv};
  rc = Run(decode, ff_out, ff_err, error);
  if (rc < 0) return false;
  const std::string ferr = ReadText(ff_err);
  if (rc != 0 || !ferr.empty()) {
    *error = Join(decode) + " exited " + std::to_string(rc) + ": " + ferr;
    return false;
  }
  std::vector<uint8_t> raw;
  if (!ReadFile(yuv, &raw)) {
    *error = "cannot read " + yuv;
    return false;
  }
  const size_t ysize = size_t(out->width) * size_t(out->height);
  const size_t csize = size_t((out->width + 1) / 2) * size_t((out->height + 1) / 2);
  const size_t frame = ysize + 2 * csize;
  if (raw.size() % frame != 0) {
    *error = "decoded " + std::to_string(raw.size()) + " bytes, not a whole number of " +
             std::to_string(out->width) + "x" + std::to_string(out->height) + " frames";
    return false;
  }
  for (size_t off = 0; off < raw.size(); off += frame) {
    Picture p;
    p.width = out->width;
    p.height = out->height;
    auto at = raw.begin() + std::ptrdiff_t(off);
    p.y.assign(at, at + std::ptrdiff_t(ysize));
    p.u.assign(at + std::ptrdiff_t(ysize), at + std::ptrdiff_t(ysize + csize));
    p.v.assign(at + std::ptrdiff_t(ysize + csize), at + std::ptrdiff_t(frame));
    out->frames.push_back(std::move(p));
  }
  return true;
}

// ---- PSNR ----

double PsnrY(const Picture& source, const Picture& decoded) {
  if (!ComparableSizes(source, decoded)) return 0.0;
  const double sse =
      PlaneSse(source.y, source.width, decoded.y, decoded.width, source.width, source.height);
  return PsnrFromSse(sse, double(source.width) * source.height);
}

double Psnr(const Picture& source, const Picture& decoded) {
  if (!ComparableSizes(source, decoded)) return 0.0;
  const int cw = source.chroma_width(), ch = source.chroma_height();
  double sse =
      PlaneSse(source.y, source.width, decoded.y, decoded.width, source.width, source.height);
  sse += PlaneSse(source.u, cw, decoded.u, decoded.chroma_width(), cw, ch);
  sse += PlaneSse(source.v, cw, decoded.v, decoded.chroma_width(), cw, ch);
  return PsnrFromSse(sse, double(source.width) * source.height + 2.0 * cw * ch);
}

// ---- Sessions ----

std::shared_ptr<vtc::CompressionSession> MakeSession(int w, int h, vtc::PixelFormatType fmt,
                                                     Collector* collector,
                                                     const vtc::Dictionary& properties,
                                                     vtc::CodecType codec) {
  vtc::Dictionary attrs;
  attrs[vtc::key::kPixelFormatType] = vtc::Value(static_cast<long long>(fmt));
  std::shared_ptr<vtc::CompressionSession> session;
  const vtc::Status st = vtc::CompressionSession::Create(w, h, codec, nullptr, &attrs,
                                                         &Collector::Callback, collector, &session);
  if (st != vtc::Status::kNoErr || !session) {
    ADD_FAILURE() << "CompressionSession::Create(" << w << "x" << h << ", "
                  << vtc::PixelFormatName(fmt) << ") failed: " << vtc::StatusName(st);
    return nullptr;
  }
  if (!properties.empty()) {
    const vtc::Status pst = session->SetProperties(properties);
    if (pst != vtc::Status::kNoErr) {
      std::string keys;
      for (const auto& kv : properties) keys += " " + kv.first + "=" + kv.second.ToString();
      ADD_FAILURE() << "SetProperties(" << keys << " ) failed: " << vtc::StatusName(pst);
      session->Invalidate();
      return nullptr;
    }
  }
  return session;
}

}  // namespace vtctest
