// SPDX-License-Identifier: GPL-2.0-or-later
// vtc-encode: raw video in, H.264 Annex B out, through vtc::CompressionSession alone (no
// GStreamer). It shows the whole VideoToolbox-style cycle: Create with source attributes, set
// properties, fill buffers from the session's pool, EncodeFrame, receive samples in the output
// callback, CompleteFrames, Invalidate.
//
//   vtc-encode [OPTIONS] INPUT -o OUTPUT.h264
//
// INPUT is a YUV4MPEG2 file (8-bit 4:2:0) or raw I420 with --size WxH; "-" reads stdin, and
// "-o -" writes the stream to stdout (the summary then goes to stderr). Run with --help for the
// options.

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "vtcompress/vtcompress.h"

namespace {

constexpr char kProgram[] = "vtc-encode";

// Anything that ends the program with exit code 1; main() prints the message.
struct Error {
  std::string message;
};

std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  char small[512];
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(small, sizeof(small), format, copy);
  va_end(copy);
  std::string out;
  if (n < 0) {
    out = format;
  } else if (static_cast<std::size_t>(n) < sizeof(small)) {
    out.assign(small, static_cast<std::size_t>(n));
  } else {
    out.resize(static_cast<std::size_t>(n) + 1);
    std::vsnprintf(&out[0], out.size(), format, args);
    out.resize(static_cast<std::size_t>(n));
  }
  va_end(args);
  return out;
}

std::string StatusText(vtc::Status status) {
  return Format("%s (%" PRId32 ")", vtc::StatusName(status), vtc::ToOSStatus(status));
}

// Throws unless `status` is kNoErr, naming the call that failed.
void Check(vtc::Status status, const std::string& what) {
  if (!vtc::Ok(status)) throw Error{what + " failed: " + StatusText(status)};
}

void Warn(const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", kProgram, message.c_str());
}

// ---------------------------------------------------------------------------------------------
// Command line

struct Options {
  std::string input;
  std::string output;
  int width = 0, height = 0;              // --size, required for raw input
  std::int32_t fps_num = 0, fps_den = 0;  // --fps; 0 = from the Y4M header, else 30/1
  std::int64_t max_frames = -1;
  bool quiet = false;
  bool verbose = false;
  bool psnr = false;
  bool list_properties = false;
  // Session properties in command-line order (a later setting of a key wins).
  std::vector<std::pair<std::string, vtc::Value>> properties;
};

void PrintUsage(FILE* to) {
  std::fprintf(
      to,
      "usage: %s [OPTIONS] INPUT -o OUTPUT.h264\n"
      "\n"
      "Encodes 8-bit 4:2:0 video to an H.264 Annex B stream with vtc::CompressionSession.\n"
      "INPUT is a YUV4MPEG2 (.y4m) file, or raw I420 when --size is given; '-' is stdin.\n"
      "\n"
      "input:\n"
      "  --size WxH            raw I420 input of this size (a Y4M header gives its own)\n"
      "  --fps N[/D]           frame rate (default: the Y4M header's, else 30)\n"
      "  --frames N            stop after N frames\n"
      "output:\n"
      "  -o, --output FILE     the Annex B stream ('-' for stdout)\n"
      "encoder (each sets a session property; later ones win):\n"
      "  --bitrate KBPS        AverageBitRate = KBPS * 1000 bit/s\n"
      "  --quality Q           Quality, 0.0 (smallest) .. 1.0 (best)\n"
      "  --keyint N            MaxKeyFrameInterval = N frames\n"
      "  --realtime            RealTime = true\n"
      "  --no-bframes          AllowFrameReordering = false\n"
      "  --profile NAME        ProfileLevel, e.g. H264_High_AutoLevel, H264_Main_4_1\n"
      "  --prop KEY=VALUE      any property; VALUE is true/false, null, an integer, a\n"
      "                        number, [n,n,...] (an array, e.g. DataRateLimits=[250000,1])\n"
      "                        or else a string (\"quotes\" force a string)\n"
      "  --psnr                ask the session for per-frame MSE (CalculateMeanSquaredError)\n"
      "                        and report the PSNR it measured\n"
      "  --list-properties     print the session's properties with their values and exit\n"
      "other:\n"
      "  -q, --quiet           no progress line\n"
      "  -v, --verbose         print the session's informational log and the settings used\n"
      "  -h, --help            this text\n"
      "\n"
      "examples:\n"
      "  ffmpeg -f lavfi -i testsrc2=size=1280x720:rate=30 -t 10 -pix_fmt yuv420p in.y4m\n"
      "  %s --bitrate 3000 -o out.h264 in.y4m\n"
      "  %s --size 1920x1080 --fps 30000/1001 --keyint 60 --no-bframes -o out.h264 in.yuv\n",
      kProgram, kProgram, kProgram);
}

bool ParseInt(const std::string& text, std::int64_t* out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return false;
  *out = v;
  return true;
}

bool ParseDouble(const std::string& text, double* out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

std::string Trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return std::string();
  const auto end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

// "true"/"false" -> bool, "null" -> null, integers -> int, other numbers -> double,
// "[a,b,...]" -> array of such values, "\"text\"" -> string, anything else -> string.
vtc::Value ParseValue(const std::string& raw) {
  const std::string text = Trim(raw);
  if (text == "true") return vtc::Value(true);
  if (text == "false") return vtc::Value(false);
  if (text == "null") return vtc::Value(nullptr);
  std::int64_t i = 0;
  if (ParseInt(text, &i)) return vtc::Value(static_cast<long long>(i));
  double d = 0;
  if (ParseDouble(text, &d)) return vtc::Value(d);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return vtc::Value(text.substr(1, text.size() - 2));
  }
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    vtc::Array array;
    const std::string inner = Trim(text.substr(1, text.size() - 2));
    std::size_t start = 0;
    while (!inner.empty()) {
      const std::size_t comma = inner.find(',', start);
      array.push_back(ParseValue(inner.substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return vtc::Value(std::move(array));
  }
  return vtc::Value(text);
}

// "WxH"
bool ParseSize(const std::string& text, int* width, int* height) {
  const auto x = text.find_first_of("xX");
  std::int64_t w = 0, h = 0;
  if (x == std::string::npos || !ParseInt(text.substr(0, x), &w) ||
      !ParseInt(text.substr(x + 1), &h)) {
    return false;
  }
  if (w < 1 || h < 1 || w > 16384 || h > 16384) return false;
  *width = static_cast<int>(w);
  *height = static_cast<int>(h);
  return true;
}

// "N", "N/D", "N:D" or a decimal such as "29.97".
bool ParseRate(const std::string& text, std::int32_t* num, std::int32_t* den) {
  const auto sep = text.find_first_of("/:");
  std::int64_t n = 0, d = 1;
  if (sep != std::string::npos) {
    if (!ParseInt(text.substr(0, sep), &n) || !ParseInt(text.substr(sep + 1), &d)) return false;
  } else if (!ParseInt(text, &n)) {
    double v = 0;
    if (!ParseDouble(text, &v) || v <= 0 || v > 1e6) return false;
    n = std::llround(v * 1000);
    d = 1000;
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
  if (n < 1 || d < 1 || n > kMax || d > kMax) return false;
  *num = static_cast<std::int32_t>(n);
  *den = static_cast<std::int32_t>(d);
  return true;
}

Options ParseArguments(int argc, char** argv) {
  Options o;
  bool positional_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (positional_only || arg == "-" || arg.empty() || arg[0] != '-') {
      if (!o.input.empty())
        throw Error{"more than one input given ('" + o.input + "', '" + arg + "')"};
      o.input = arg;
      continue;
    }
    if (arg == "--") {
      positional_only = true;
      continue;
    }
    // --name=value or --name value
    std::string inline_value;
    bool has_inline = false;
    if (arg.compare(0, 2, "--") == 0) {
      const auto eq = arg.find('=');
      if (eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg.resize(eq);
        has_inline = true;
      }
    }
    auto value = [&]() -> std::string {
      if (has_inline) return inline_value;
      if (i + 1 >= argc) throw Error{arg + " needs a value"};
      return argv[++i];
    };
    auto property = [&](const char* key, vtc::Value v) {
      o.properties.emplace_back(key, std::move(v));
    };

    if (arg == "-h" || arg == "--help") {
      PrintUsage(stdout);
      std::exit(0);
    } else if (arg == "-o" || arg == "--output") {
      o.output = value();
    } else if (arg == "--size") {
      const std::string v = value();
      if (!ParseSize(v, &o.width, &o.height))
        throw Error{"--size wants WxH (1..16384), not '" + v + "'"};
    } else if (arg == "--fps") {
      const std::string v = value();
      if (!ParseRate(v, &o.fps_num, &o.fps_den))
        throw Error{"--fps wants N or N/D, not '" + v + "'"};
    } else if (arg == "--frames") {
      const std::string v = value();
      if (!ParseInt(v, &o.max_frames) || o.max_frames < 0) {
        throw Error{"--frames wants a count, not '" + v + "'"};
      }
    } else if (arg == "--bitrate") {
      const std::string v = value();
      double kbps = 0;
      if (!ParseDouble(v, &kbps) || kbps <= 0 || kbps > 1e7) {
        throw Error{"--bitrate wants kbit/s, not '" + v + "'"};
      }
      property(vtc::key::kAverageBitRate, static_cast<long long>(std::llround(kbps * 1000)));
    } else if (arg == "--quality") {
      const std::string v = value();
      double q = 0;
      if (!ParseDouble(v, &q)) throw Error{"--quality wants a number in 0..1, not '" + v + "'"};
      property(vtc::key::kQuality, q);
    } else if (arg == "--keyint") {
      const std::string v = value();
      std::int64_t n = 0;
      if (!ParseInt(v, &n)) throw Error{"--keyint wants a frame count, not '" + v + "'"};
      property(vtc::key::kMaxKeyFrameInterval, static_cast<long long>(n));
    } else if (arg == "--realtime") {
      property(vtc::key::kRealTime, true);
    } else if (arg == "--no-bframes") {
      property(vtc::key::kAllowFrameReordering, false);
    } else if (arg == "--profile") {
      property(vtc::key::kProfileLevel, value());
    } else if (arg == "--prop") {
      const std::string v = value();
      const auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0)
        throw Error{"--prop wants KEY=VALUE, not '" + v + "'"};
      o.properties.emplace_back(v.substr(0, eq), ParseValue(v.substr(eq + 1)));
    } else if (arg == "--psnr") {
      o.psnr = true;
    } else if (arg == "--list-properties") {
      o.list_properties = true;
    } else if (arg == "-q" || arg == "--quiet") {
      o.quiet = true;
    } else if (arg == "-v" || arg == "--verbose") {
      o.verbose = true;
    } else {
      throw Error{"unknown option '" + arg + "' (see --help)"};
    }
  }
  if (o.list_properties) return o;
  if (o.input.empty()) throw Error{"no input given (see --help)"};
  if (o.output.empty()) throw Error{"no output given: use -o FILE.h264 (see --help)"};
  return o;
}

// ---------------------------------------------------------------------------------------------
// Input: Y4M or raw I420

// A FILE with a few bytes of look-ahead, so the format can be sniffed on a pipe too.
class Input {
 public:
  Input(FILE* file, std::string name) : file_(file), name_(std::move(name)) {}
  ~Input() {
    if (file_ && file_ != stdin) std::fclose(file_);
  }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  const std::string& name() const { return name_; }

  // Looks at up to n bytes without consuming them.
  std::string Peek(std::size_t n) {
    while (pending_.size() - pending_pos_ < n) {
      const int c = std::getc(file_);
      if (c == EOF) break;
      pending_.push_back(static_cast<char>(c));
    }
    CheckError();
    return pending_.substr(pending_pos_, n);
  }

  // Reads up to n bytes; fewer only at the end of the input.
  std::size_t Read(std::uint8_t* dst, std::size_t n) {
    std::size_t got = 0;
    while (got < n && pending_pos_ < pending_.size()) dst[got++] = pending_[pending_pos_++];
    if (got < n) got += std::fread(dst + got, 1, n - got, file_);
    CheckError();
    return got;
  }

  // Reads a line without its '\n'. False at the end of the input; throws past max_length.
  bool ReadLine(std::string* line, std::size_t max_length) {
    line->clear();
    for (;;) {
      int c;
      if (pending_pos_ < pending_.size()) {
        c = static_cast<unsigned char>(pending_[pending_pos_++]);
      } else {
        c = std::getc(file_);
      }
      if (c == EOF) {
        CheckError();
        return !line->empty();
      }
      if (c == '\n') return true;
      if (line->size() >= max_length) throw Error{name_ + ": header line too long"};
      line->push_back(static_cast<char>(c));
    }
  }

 private:
  void CheckError() {
    if (std::ferror(file_)) throw Error{name_ + ": read error: " + std::strerror(errno)};
  }

  FILE* file_;
  std::string name_;
  std::string pending_;
  std::size_t pending_pos_ = 0;
};

struct VideoFormat {
  bool y4m = false;
  int width = 0, height = 0;
  std::int32_t fps_num = 0, fps_den = 0;

  int chroma_width() const { return (width + 1) / 2; }
  int chroma_height() const { return (height + 1) / 2; }
  std::size_t frame_size() const {
    return static_cast<std::size_t>(width) * height +
           2 * static_cast<std::size_t>(chroma_width()) * chroma_height();
  }
};

// Parses "YUV4MPEG2 W.. H.. F..:.. I. A..:.. C... X..." (the stream header line).
VideoFormat ParseY4mHeader(const std::string& header, const std::string& name) {
  VideoFormat f;
  f.y4m = true;
  std::string colorspace;
  std::size_t pos = 0;
  bool first = true;
  while (pos <= header.size()) {
    const std::size_t space = header.find(' ', pos);
    const std::string token =
        header.substr(pos, space == std::string::npos ? std::string::npos : space - pos);
    pos = space == std::string::npos ? header.size() + 1 : space + 1;
    if (first) {
      if (token != "YUV4MPEG2") throw Error{name + ": not a YUV4MPEG2 file"};
      first = false;
      continue;
    }
    if (token.empty()) continue;
    const std::string value = token.substr(1);
    std::int64_t n = 0;
    switch (token[0]) {
      case 'W':
        if (!ParseInt(value, &n) || n < 1 || n > 16384)
          throw Error{name + ": bad Y4M width " + token};
        f.width = static_cast<int>(n);
        break;
      case 'H':
        if (!ParseInt(value, &n) || n < 1 || n > 16384)
          throw Error{name + ": bad Y4M height " + token};
        f.height = static_cast<int>(n);
        break;
      case 'F':
        // F0:0 means unknown; leave it to --fps or the default.
        if (value != "0:0" && !ParseRate(value, &f.fps_num, &f.fps_den)) {
          throw Error{name + ": bad Y4M frame rate " + token};
        }
        break;
      case 'C':
        colorspace = value;
        break;
      case 'I':
        if (value != "p" && value != "?") {
          Warn(name + ": interlaced input (" + token + ") is encoded as progressive frames");
        }
        break;
      default:  // A (aspect), X (comments and extensions)
        break;
    }
  }
  if (f.width == 0 || f.height == 0) throw Error{name + ": the Y4M header lacks W or H"};
  if (!colorspace.empty() && colorspace != "420" && colorspace != "420jpeg" &&
      colorspace != "420mpeg2" && colorspace != "420paldv") {
    throw Error{name + ": Y4M colour space C" + colorspace +
                " is not supported; vtc-encode takes 8-bit 4:2:0 (C420, C420jpeg, C420mpeg2, "
                "C420paldv). Convert with e.g. ffmpeg -i IN -pix_fmt yuv420p OUT.y4m"};
  }
  return f;
}

VideoFormat OpenFormat(Input& in, const Options& o) {
  VideoFormat f;
  if (in.Peek(9) == "YUV4MPEG2") {
    std::string header;
    in.ReadLine(&header, 4096);
    f = ParseY4mHeader(header, in.name());
    if (o.width && (o.width != f.width || o.height != f.height)) {
      throw Error{Format("--size %dx%d contradicts the Y4M header's %dx%d", o.width, o.height,
                         f.width, f.height)};
    }
  } else {
    if (!o.width) {
      throw Error{in.name() + " has no YUV4MPEG2 header: give --size WxH (and --fps) for raw I420"};
    }
    f.width = o.width;
    f.height = o.height;
  }
  if (o.fps_num) {
    f.fps_num = o.fps_num;
    f.fps_den = o.fps_den;
  } else if (!f.fps_num) {
    f.fps_num = 30;
    f.fps_den = 1;
  }
  return f;
}

// Reads the next frame (without any Y4M frame header) into `frame`. False at the end of input.
bool ReadFrame(Input& in, const VideoFormat& f, std::int64_t index,
               std::vector<std::uint8_t>* frame) {
  if (f.y4m) {
    std::string line;
    if (!in.ReadLine(&line, 4096)) return false;
    if (line.compare(0, 5, "FRAME") != 0) {
      throw Error{
          Format("%s: frame %" PRId64 " does not start with FRAME", in.name().c_str(), index)};
    }
  }
  frame->resize(f.frame_size());
  const std::size_t got = in.Read(frame->data(), frame->size());
  if (got == frame->size()) return true;
  if (got > 0 || f.y4m) {
    Warn(Format("%s: input ends inside frame %" PRId64 " (%zu of %zu bytes); ignoring that frame",
                in.name().c_str(), index, got, frame->size()));
  }
  return false;
}

// Copies a packed I420 frame into a (pool) buffer, row by row, honouring its strides.
void CopyFrame(const std::vector<std::uint8_t>& frame, const VideoFormat& f,
               vtc::PixelBuffer& buffer) {
  const int widths[3] = {f.width, f.chroma_width(), f.chroma_width()};
  const int heights[3] = {f.height, f.chroma_height(), f.chroma_height()};
  const std::uint8_t* src = frame.data();
  for (std::size_t p = 0; p < 3; ++p) {
    std::uint8_t* dst = buffer.base_address_of_plane(p);
    const std::size_t stride = buffer.bytes_per_row_of_plane(p);
    const auto row = static_cast<std::size_t>(widths[p]);
    for (int y = 0; y < heights[p]; ++y) {
      std::memcpy(dst + static_cast<std::size_t>(y) * stride, src, row);
      src += row;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Output: the session's callback writes Annex B

class AnnexBWriter {
 public:
  // Counters are read by the main thread for the progress line while the worker updates them.
  std::atomic<std::int64_t> frames_out{0};
  std::atomic<std::int64_t> dropped{0};
  std::atomic<std::int64_t> keyframes{0};
  std::atomic<std::int64_t> sample_bytes{0};
  std::atomic<bool> failed{false};

  AnnexBWriter(FILE* file, std::string name) : file_(file), name_(std::move(name)) {}
  ~AnnexBWriter() {
    if (file_ && file_ != stdout) std::fclose(file_);
  }
  AnnexBWriter(const AnnexBWriter&) = delete;
  AnnexBWriter& operator=(const AnnexBWriter&) = delete;

  // vtc::OutputCallback. Runs on the session's worker thread, one call at a time, in decode order.
  static void OnOutput(void* refcon, void* source_frame_refcon, vtc::Status status,
                       vtc::EncodeInfoFlags info_flags, const vtc::SampleBufferRef& sample) {
    auto* self = static_cast<AnnexBWriter*>(refcon);
    const auto frame = reinterpret_cast<std::uintptr_t>(source_frame_refcon);
    if (!vtc::Ok(status)) {
      self->Fail(Format("frame %ju: the encoder answered %s", static_cast<std::uintmax_t>(frame),
                        StatusText(status).c_str()));
      return;
    }
    if (!sample || (info_flags & vtc::kEncodeInfo_FrameDropped)) {
      ++self->dropped;
      return;
    }
    self->Write(*sample, frame);
  }

  // Closes the file (stdout is only flushed); throws on a write error seen now or before.
  void Finish() {
    if (file_) {
      const bool ok = file_ == stdout ? std::fflush(file_) == 0 : std::fclose(file_) == 0;
      file_ = nullptr;
      if (!ok) Fail(name_ + ": write error: " + std::strerror(errno));
    }
    if (failed) throw Error{error()};
  }

  std::string error() {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
  }

  const std::string& name() const { return name_; }
  // Valid once the session has been invalidated (its worker joined).
  std::int64_t file_bytes() const { return file_bytes_; }
  double stream_seconds() const { return frames_out ? end_seconds_ - start_seconds_ : 0; }
  const vtc::FormatDescriptionRef& format() const { return format_; }
  // Mean squared error per plane over every frame that carried QualityMetrics.
  std::int64_t mse_frames() const { return mse_frames_; }
  double mean_mse(int plane) const { return mse_frames_ ? mse_sum_[plane] / mse_frames_ : 0; }

 private:
  void Fail(const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_.empty()) error_ = message;
    failed = true;
  }

  void AppendNal(const std::uint8_t* nal, std::size_t size) {
    static constexpr std::uint8_t kStartCode[4] = {0, 0, 0, 1};
    au_.insert(au_.end(), kStartCode, kStartCode + 4);
    au_.insert(au_.end(), nal, nal + size);
  }

  void Write(const vtc::SampleBuffer& sample, std::uintptr_t frame) {
    if (failed) return;  // keep the first error; the main thread stops feeding frames
    const vtc::FormatDescriptionRef& fd = sample.format_description();
    if (!fd) {
      return Fail(Format("frame %ju: sample without a format description",
                         static_cast<std::uintmax_t>(frame)));
    }
    au_.clear();

    std::size_t parameter_sets = 0;
    int length_size = 0;
    vtc::Status status =
        fd->GetH264ParameterSetAtIndex(0, nullptr, nullptr, &parameter_sets, &length_size);
    if (!vtc::Ok(status)) {
      return Fail("GetH264ParameterSetAtIndex failed: " + StatusText(status));
    }
    if (length_size < 1 || length_size > 4) {
      return Fail(Format("unsupported NAL unit length size %d", length_size));
    }
    // A decoder can start at any sync sample: repeat the parameter sets before each (SPS, PPS).
    if (sample.IsSync()) {
      for (std::size_t i = 0; i < parameter_sets; ++i) {
        const std::uint8_t* ps = nullptr;
        std::size_t size = 0;
        status = fd->GetH264ParameterSetAtIndex(i, &ps, &size, nullptr, nullptr);
        if (!vtc::Ok(status)) {
          return Fail(
              Format("GetH264ParameterSetAtIndex(%zu) failed: %s", i, StatusText(status).c_str()));
        }
        AppendNal(ps, size);
      }
      ++keyframes;
    }

    // AVCC: each NAL unit is preceded by its big-endian length.
    const vtc::Data& data = sample.data();
    std::size_t pos = 0;
    while (pos < data.size()) {
      if (data.size() - pos < static_cast<std::size_t>(length_size)) {
        return Fail(Format("frame %ju: truncated NAL length in the sample",
                           static_cast<std::uintmax_t>(frame)));
      }
      std::size_t length = 0;
      for (int b = 0; b < length_size; ++b) length = (length << 8) | data[pos++];
      if (length > data.size() - pos) {
        return Fail(Format("frame %ju: NAL unit of %zu bytes overruns the %zu-byte sample",
                           static_cast<std::uintmax_t>(frame), length, data.size()));
      }
      AppendNal(data.data() + pos, length);
      pos += length;
    }

    if (std::fwrite(au_.data(), 1, au_.size(), file_) != au_.size()) {
      return Fail(name_ + ": write error: " + std::strerror(errno));
    }
    file_bytes_ += static_cast<std::int64_t>(au_.size());
    sample_bytes += static_cast<std::int64_t>(data.size());

    const double pts = sample.presentation_time_stamp().Seconds();
    double duration = sample.duration().Seconds();
    if (!std::isfinite(duration)) duration = 0;
    if (frames_out == 0 || pts < start_seconds_) start_seconds_ = pts;
    if (frames_out == 0 || pts + duration > end_seconds_) end_seconds_ = pts + duration;
    format_ = fd;
    CollectQualityMetrics(sample);
    ++frames_out;
  }

  void CollectQualityMetrics(const vtc::SampleBuffer& sample) {
    const auto metrics = sample.attachments().find(vtc::key::kQualityMetrics);
    if (metrics == sample.attachments().end() || !metrics->second.IsDictionary()) return;
    const vtc::Dictionary& m = metrics->second.AsDictionary();
    static const char* const kKeys[3] = {vtc::key::kLumaMeanSquaredError,
                                         vtc::key::kChromaBlueMeanSquaredError,
                                         vtc::key::kChromaRedMeanSquaredError};
    double mse[3];
    for (int p = 0; p < 3; ++p) {
      const auto it = m.find(kKeys[p]);
      if (it == m.end() || !it->second.GetDouble(&mse[p])) return;
    }
    for (int p = 0; p < 3; ++p) mse_sum_[p] += mse[p];
    ++mse_frames_;
  }

  FILE* file_;
  std::string name_;
  std::vector<std::uint8_t> au_;  // the Annex B access unit being assembled (reused)
  std::mutex mutex_;
  std::string error_;
  // Worker-thread state, read by the main thread only after Invalidate.
  std::int64_t file_bytes_ = 0;
  double start_seconds_ = 0, end_seconds_ = 0;
  vtc::FormatDescriptionRef format_;
  double mse_sum_[3] = {0, 0, 0};
  std::int64_t mse_frames_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Progress and summary

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class Progress {
 public:
  Progress(bool enabled, double frame_seconds)
      : enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1), frame_seconds_(frame_seconds) {}

  void Update(std::int64_t frames_in, const AnnexBWriter& out, bool last = false) {
    if (!enabled_) return;
    const double elapsed = SecondsSince(start_);
    // On a terminal, redraw a few times a second; in a log, a line every few seconds.
    const double interval = tty_ ? 0.25 : 5.0;
    if (!last && elapsed - last_print_ < interval) return;
    if (last && !tty_ && printed_nothing_ && elapsed < interval) return;
    last_print_ = elapsed;
    const std::int64_t frames_out = out.frames_out;
    const double video_seconds = static_cast<double>(frames_out) * frame_seconds_;
    const double kbps =
        video_seconds > 0 ? static_cast<double>(out.sample_bytes) * 8 / video_seconds / 1000 : 0;
    std::fprintf(stderr, "%s%" PRId64 " frames in, %" PRId64 " out, %.1f fps, %.0f kbps%s",
                 tty_ ? "\r" : "", frames_in, frames_out, elapsed > 0 ? frames_in / elapsed : 0.0,
                 kbps, tty_ ? (last ? "   \n" : "   ") : "\n");
    printed_nothing_ = false;
  }

 private:
  bool enabled_;
  bool tty_;
  double frame_seconds_;
  Clock::time_point start_ = Clock::now();
  double last_print_ = 0;
  bool printed_nothing_ = true;
};

double Psnr(double mse) {
  return mse > 0 ? 10 * std::log10(255.0 * 255.0 / mse) : INFINITY;
}

// ---------------------------------------------------------------------------------------------
// Session

volatile std::sig_atomic_t g_interrupted = 0;

void OnSignal(int signal) {
  g_interrupted = 1;
  std::signal(signal, SIG_DFL);  // a second ^C ends the program at once
}

vtc::CompressionSessionRef CreateSession(int width, int height, AnnexBWriter* writer) {
  // The pool hands out three-plane I420 buffers, the layout of the input files.
  const vtc::Dictionary source_attributes = {
      {vtc::key::kPixelFormatType, vtc::Value(vtc::kPixelFormat_420YpCbCr8Planar)},
  };
  vtc::CompressionSessionRef session;
  Check(vtc::CompressionSession::Create(width, height, vtc::kCodecType_H264, nullptr,
                                        &source_attributes, &AnnexBWriter::OnOutput, writer,
                                        &session),
        Format("CompressionSession::Create(%dx%d)", width, height));
  return session;
}

void ApplyProperties(vtc::CompressionSession& session, const Options& o) {
  for (const auto& [key, value] : o.properties) {
    const vtc::Status status = session.SetProperty(key, value);
    if (vtc::Ok(status)) continue;
    std::string hint;
    if (status == vtc::Status::kPropertyNotSupportedErr) {
      hint = " (unknown key; see --list-properties)";
    } else if (status == vtc::Status::kParameterErr) {
      hint = " (wrong type or out of range; see --list-properties)";
    }
    throw Error{"cannot set " + key + " = " + value.ToString() + ": " + StatusText(status) + hint};
  }
}

// Every supported key with its current value, type, access and documentation.
void PrintProperties(vtc::CompressionSession& session, FILE* to) {
  vtc::Dictionary supported;
  Check(session.CopySupportedPropertyDictionary(&supported), "CopySupportedPropertyDictionary");
  for (const auto& [key, info] : supported) {
    vtc::Value current;
    const vtc::Status status = session.CopyProperty(key, &current);
    std::string type, access, doc;
    bool live = false;
    if (info.IsDictionary()) {
      const vtc::Dictionary& d = info.AsDictionary();
      auto string_of = [&d](const char* k) {
        std::string s;
        const auto it = d.find(k);
        if (it != d.end()) it->second.GetString(&s);
        return s;
      };
      type = string_of(vtc::key::kPropertyType);
      access = string_of(vtc::key::kReadWriteStatus);
      doc = string_of(vtc::key::kDocumentation);
      const auto it = d.find(vtc::key::kChangeableBetweenFrames);
      if (it != d.end()) it->second.GetBool(&live);
    }
    std::fprintf(to, "%-36s %-11s %-9s %-4s = %s\n", key.c_str(), type.c_str(), access.c_str(),
                 live ? "live" : "",
                 vtc::Ok(status) ? current.ToString().c_str() : StatusText(status).c_str());
    if (!doc.empty()) std::fprintf(to, "    %s\n", doc.c_str());
  }
}

int ListProperties(const Options& o) {
  AnnexBWriter unused(nullptr, "");
  vtc::CompressionSessionRef session =
      CreateSession(o.width ? o.width : 1280, o.height ? o.height : 720, &unused);
  ApplyProperties(*session, o);
  std::printf("%-36s %-11s %-9s %-4s   %s\n", "key", "type", "access", "", "value");
  PrintProperties(*session, stdout);
  session->Invalidate();
  return 0;
}

int Run(const Options& o) {
  if (o.list_properties) return ListProperties(o);
  if (o.verbose) {
    vtc::SetDefaultLogHandler([](vtc::LogLevel level, const char* message) {
      static const char* const kLevels[] = {"error", "warning", "info", "debug"};
      std::fprintf(stderr, "[%s] %s\n", kLevels[static_cast<int>(level)], message);
    });
  }

  // Open the input and output.
  FILE* in_file = o.input == "-" ? stdin : std::fopen(o.input.c_str(), "rb");
  if (!in_file) throw Error{"cannot open " + o.input + ": " + std::strerror(errno)};
  Input in(in_file, o.input == "-" ? "stdin" : o.input);
  const VideoFormat format = OpenFormat(in, o);

  const bool to_stdout = o.output == "-";
  FILE* out_file = to_stdout ? stdout : std::fopen(o.output.c_str(), "wb");
  if (!out_file) throw Error{"cannot create " + o.output + ": " + std::strerror(errno)};
  // Declared before the session so it outlives it: the callback writes here until Invalidate.
  AnnexBWriter writer(out_file, to_stdout ? "stdout" : o.output);
  FILE* report = to_stdout ? stderr : stdout;

  // Create and configure the session.
  vtc::CompressionSessionRef session = CreateSession(format.width, format.height, &writer);
  Check(session->SetProperty(vtc::key::kExpectedFrameRate,
                             static_cast<double>(format.fps_num) / format.fps_den),
        "SetProperty(ExpectedFrameRate)");
  if (o.psnr) {
    Check(session->SetProperty(vtc::key::kCalculateMeanSquaredError, true),
          "SetProperty(CalculateMeanSquaredError)");
  }
  ApplyProperties(*session, o);
  Check(session->PrepareToEncodeFrames(), "PrepareToEncodeFrames");
  if (o.verbose) PrintProperties(*session, stderr);

  vtc::PixelBufferPoolRef pool = session->GetPixelBufferPool();
  if (!pool) throw Error{"GetPixelBufferPool returned no pool"};
  if (pool->pixel_format() != vtc::kPixelFormat_420YpCbCr8Planar) {
    throw Error{"the session's pool hands out " + vtc::PixelFormatName(pool->pixel_format()) +
                " buffers, not the y420 (I420) that was asked for"};
  }

  // ^C stops reading and finishes the stream cleanly (unless the shell ignores it for us).
  for (const int signal : {SIGINT, SIGTERM}) {
    if (std::signal(signal, OnSignal) == SIG_IGN) std::signal(signal, SIG_IGN);
  }

  // Encode. Frame i is shown at i * den / num seconds: value i * den in timescale num.
  const vtc::Time duration = vtc::Time::Make(format.fps_den, format.fps_num);
  Progress progress(!o.quiet, static_cast<double>(format.fps_den) / format.fps_num);
  const Clock::time_point start = Clock::now();
  std::vector<std::uint8_t> frame;
  std::int64_t frames_in = 0;
  while ((o.max_frames < 0 || frames_in < o.max_frames) && !g_interrupted && !writer.failed &&
         ReadFrame(in, format, frames_in, &frame)) {
    vtc::PixelBufferRef buffer;
    Check(pool->CreatePixelBuffer(&buffer), "PixelBufferPool::CreatePixelBuffer");
    CopyFrame(frame, format, *buffer);
    const vtc::Time pts = vtc::Time::Make(frames_in * format.fps_den, format.fps_num);
    vtc::EncodeInfoFlags flags = 0;
    Check(session->EncodeFrame(buffer, pts, duration, nullptr,
                               reinterpret_cast<void*>(static_cast<std::uintptr_t>(frames_in)),
                               &flags),
          Format("EncodeFrame(frame %" PRId64 ")", frames_in));
    ++frames_in;
    progress.Update(frames_in, writer);
  }

  // Drain, then end the session: after Invalidate no callback runs any more.
  Check(session->CompleteFrames(vtc::Time::Invalid()), "CompleteFrames");
  session->Invalidate();
  const double elapsed = SecondsSince(start);
  progress.Update(frames_in, writer, true);
  writer.Finish();

  // Summary.
  const std::int64_t frames_out = writer.frames_out, dropped = writer.dropped;
  double seconds = writer.stream_seconds();
  if (seconds <= 0) seconds = static_cast<double>(frames_in) * format.fps_den / format.fps_num;
  const double kbps =
      seconds > 0 ? static_cast<double>(writer.sample_bytes) * 8 / seconds / 1000 : 0;
  std::fprintf(report, "input:       %s (%s %dx%d, %" PRId32 "/%" PRId32 " fps)\n",
               in.name().c_str(), format.y4m ? "y4m" : "raw I420", format.width, format.height,
               format.fps_num, format.fps_den);
  std::fprintf(report, "output:      %s (%" PRId64 " bytes, H.264 Annex B", writer.name().c_str(),
               writer.file_bytes());
  if (const auto& fd = writer.format()) {
    std::fprintf(report, ", profile_idc %d, level_idc %d, %dx%d", fd->profile_idc(),
                 fd->level_idc(), fd->display_width(), fd->display_height());
  }
  std::fprintf(report, ")\n");
  std::fprintf(report, "frames in:   %" PRId64 "\n", frames_in);
  std::fprintf(report, "frames out:  %" PRId64 "\n", frames_out);
  std::fprintf(report, "dropped:     %" PRId64 "\n", dropped);
  std::fprintf(report, "keyframes:   %" PRId64 "\n", static_cast<std::int64_t>(writer.keyframes));
  std::fprintf(report, "speed:       %.1f fps (%.2f s)\n", elapsed > 0 ? frames_in / elapsed : 0.0,
               elapsed);
  std::fprintf(report, "bitrate:     %.1f kbps (%" PRId64 " bytes of samples over %.3f s)\n", kbps,
               static_cast<std::int64_t>(writer.sample_bytes), seconds);
  if (o.psnr) {
    if (writer.mse_frames()) {
      std::fprintf(report,
                   "PSNR:        y %.2f  u %.2f  v %.2f dB (session's MSE, %" PRId64 " frames)\n",
                   Psnr(writer.mean_mse(0)), Psnr(writer.mean_mse(1)), Psnr(writer.mean_mse(2)),
                   writer.mse_frames());
    } else {
      std::fprintf(report, "PSNR:        n/a (no QualityMetrics attachments)\n");
    }
  }

  if (frames_out + dropped != frames_in) {
    throw Error{Format("%" PRId64 " frames went in but %" PRId64 " were answered", frames_in,
                       frames_out + dropped)};
  }
  if (g_interrupted) {
    Warn(Format("interrupted after %" PRId64 " frames", frames_in));
    return 130;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(ParseArguments(argc, argv));
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", kProgram, e.message.c_str());
    return 1;
  }
}
