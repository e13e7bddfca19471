// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the libFuzzer targets: a failure macro that aborts (so libFuzzer records the
// input), quiet logging, and generators of vtc::Value / vtc::Time from the fuzzer's bytes.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "vtcompress/vtcompress.h"

namespace vtcfuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* what) {
  std::fprintf(stderr, "\n*** fuzz invariant violated at %s:%d: %s\n", file, line, what);
  std::fflush(stderr);
  std::abort();
}

#define FUZZ_CHECK(cond, ...)                                  \
  do {                                                         \
    if (!(cond)) {                                             \
      char fuzz_msg_[1024];                                    \
      std::snprintf(fuzz_msg_, sizeof fuzz_msg_, __VA_ARGS__); \
      ::vtcfuzz::Fail(__FILE__, __LINE__, fuzz_msg_);          \
    }                                                          \
  } while (0)

// The session's and x264's messages cost time and say nothing to a fuzzer; VTC_FUZZ_LOG=1 keeps
// them (to stderr) when a finding needs explaining.
inline void QuietLogs() {
  if (std::getenv("VTC_FUZZ_LOG")) {
    vtc::SetDefaultLogHandler([](vtc::LogLevel level, const char* message) {
      std::fprintf(stderr, "vtc[%d] %s\n", static_cast<int>(level), message);
    });
    return;
  }
  vtc::SetDefaultLogHandler([](vtc::LogLevel, const char*) {});
}

// VTC_FUZZ_KNOWN=name,name... skips the checks of findings that are reported but not fixed yet,
// so that a long run can look past them (docs/fuzzing.md lists the names). Never set in CI.
inline bool Known(const char* name) {
  const char* env = std::getenv("VTC_FUZZ_KNOWN");
  if (!env) return false;
  const std::string list = std::string(",") + env + ",";
  return list.find(std::string(",") + name + ",") != std::string::npos;
}

// VTC_FUZZ_TRACE=1 prints the calls an input makes (to explain a finding).
inline bool Tracing() {
  static const bool on = std::getenv("VTC_FUZZ_TRACE") != nullptr;
  return on;
}
#define FUZZ_TRACE(...)                  \
  do {                                   \
    if (::vtcfuzz::Tracing()) {          \
      std::fprintf(stderr, "trace: ");   \
      std::fprintf(stderr, __VA_ARGS__); \
      std::fprintf(stderr, "\n");        \
    }                                    \
  } while (0)

inline const char* StatusStr(vtc::Status s) {
  return vtc::StatusName(s);
}

inline std::int64_t InterestingInt(FuzzedDataProvider& in) {
  static const std::int64_t kValues[] = {
      0,
      1,
      -1,
      2,
      3,
      15,
      16,
      25,
      30,
      50,
      51,
      52,
      250,
      1000,
      1001,
      65535,
      65536,
      100000,
      4000000,
      2147483647,
      2147483648LL,
      -2147483648LL,
      std::numeric_limits<std::int64_t>::max(),
      std::numeric_limits<std::int64_t>::min(),
  };
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return in.ConsumeIntegralInRange<std::int64_t>(-2, 64);
    case 1:
      return in.ConsumeIntegral<std::int64_t>();
    default:
      return in.PickValueInArray(kValues);
  }
}

inline double InterestingDouble(FuzzedDataProvider& in) {
  static const double kValues[] = {0.0,
                                   -0.0,
                                   0.25,
                                   0.5,
                                   0.75,
                                   1.0,
                                   1.0000001,
                                   -0.5,
                                   29.97,
                                   30.0,
                                   1000.0,
                                   1000.5,
                                   1e9,
                                   1e12,
                                   1e13,
                                   9.2e18,
                                   9.3e18,
                                   1e300,
                                   -1e300,
                                   std::numeric_limits<double>::denorm_min(),
                                   std::numeric_limits<double>::quiet_NaN(),
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(),
                                   std::numeric_limits<double>::max(),
                                   std::numeric_limits<double>::lowest()};
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return static_cast<double>(in.ConsumeIntegralInRange<int>(-2, 100));
    case 1: {
      double d = 0;
      std::uint64_t bits = in.ConsumeIntegral<std::uint64_t>();
      static_assert(sizeof d == sizeof bits, "double is 64-bit");
      __builtin_memcpy(&d, &bits, sizeof d);
      return d;
    }
    default:
      return in.PickValueInArray(kValues);
  }
}

// How plane p of a pixel format is laid out (written out here, independently of the library's
// table): chroma subsampling shifts, and block_bytes bytes per block of block_pixels samples (a
// bi-planar CbCr pair is one sample). False for formats the fuzzers do not know.
struct PlaneShape {
  int hshift = 0, vshift = 0, block_pixels = 1, block_bytes = 1;
  std::size_t RowBytes(int samples) const {
    return static_cast<std::size_t>((std::max(samples, 0) + block_pixels - 1) / block_pixels) *
           static_cast<std::size_t>(block_bytes);
  }
};
inline bool PlaneShapeOf(vtc::PixelFormatType f, std::size_t p, PlaneShape* out) {
  if (f == vtc::kPixelFormat_422YpCbCr8 || f == vtc::kPixelFormat_422YpCbCr10 ||
      f == vtc::kPixelFormat_32BGRA || f == vtc::kPixelFormat_32ARGB) {
    if (p != 0) return false;
    *out = f == vtc::kPixelFormat_422YpCbCr8    ? PlaneShape{0, 0, 2, 4}
           : f == vtc::kPixelFormat_422YpCbCr10 ? PlaneShape{0, 0, 6, 16}
                                                : PlaneShape{0, 0, 1, 4};
    return true;
  }
  struct Yuv {
    vtc::PixelFormatType f;
    int planes, hshift, vshift, bytes;
  };
  static const Yuv kYuv[] = {
      {vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange, 2, 1, 1, 1},
      {vtc::kPixelFormat_420YpCbCr8BiPlanarFullRange, 2, 1, 1, 1},
      {vtc::kPixelFormat_420YpCbCr8Planar, 3, 1, 1, 1},
      {vtc::kPixelFormat_420YpCbCr8PlanarFullRange, 3, 1, 1, 1},
      {vtc::kPixelFormat_422YpCbCr8BiPlanarVideoRange, 2, 1, 0, 1},
      {vtc::kPixelFormat_444YpCbCr8BiPlanarFullRange, 2, 0, 0, 1},
      {vtc::kPixelFormat_420YpCbCr10BiPlanarVideoRange, 2, 1, 1, 2},
      {vtc::kPixelFormat_422YpCbCr10BiPlanarFullRange, 2, 1, 0, 2},
      {vtc::kPixelFormat_444YpCbCr10BiPlanarVideoRange, 2, 0, 0, 2},
      {vtc::kPixelFormat_422YpCbCr8Planar, 3, 1, 0, 1},
      {vtc::kPixelFormat_444YpCbCr8PlanarFullRange, 3, 0, 0, 1},
      {vtc::kPixelFormat_420YpCbCr10Planar, 3, 1, 1, 2},
      {vtc::kPixelFormat_422YpCbCr10PlanarFullRange, 3, 1, 0, 2},
      {vtc::kPixelFormat_444YpCbCr10Planar, 3, 0, 0, 2},
  };
  for (const Yuv& y : kYuv) {
    if (y.f != f) continue;
    if (p >= std::size_t(y.planes)) return false;
    if (p == 0) {
      *out = PlaneShape{0, 0, 1, y.bytes};
    } else {
      *out = PlaneShape{y.hshift, y.vshift, 1, y.planes == 2 ? 2 * y.bytes : y.bytes};
    }
    return true;
  }
  return false;
}

// Writes every visible sample of a buffer (x264 reads them; the pattern does not matter).
inline void FillPixels(const vtc::PixelBuffer& b, std::uint8_t seed) {
  for (std::size_t p = 0; p < b.plane_count(); ++p) {
    PlaneShape shape;
    if (!PlaneShapeOf(b.pixel_format(), p, &shape)) continue;
    const std::size_t row = shape.RowBytes(b.width_of_plane(p));
    for (int y = 0; y < b.height_of_plane(p); ++y)
      std::memset(b.base_address_of_plane(p) + y * b.bytes_per_row_of_plane(p),
                  static_cast<std::uint8_t>(seed + 7 * y + 31 * p), row);
  }
}

// Any vtc::Value, nested up to `depth` levels. `strings` supplies plausible string values
// (enumeration entries, key names); the generator mutates them or makes up new ones.
inline vtc::Value MakeValue(FuzzedDataProvider& in, const std::vector<std::string>& strings,
                            int depth) {
  const int kind = in.ConsumeIntegralInRange<int>(0, depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return vtc::Value();
    case 1:
      return vtc::Value(in.ConsumeBool());
    case 2:
      return vtc::Value(static_cast<long long>(InterestingInt(in)));
    case 3:
      return vtc::Value(InterestingDouble(in));
    case 4:
    case 5: {
      if (!strings.empty() && in.ConsumeBool()) {
        std::string s = strings[in.ConsumeIntegralInRange<std::size_t>(0, strings.size() - 1)];
        switch (in.ConsumeIntegralInRange<int>(0, 4)) {
          case 0:
            if (!s.empty()) s.pop_back();
            break;
          case 1:
            s += in.ConsumeBytesAsString(2);
            break;
          case 2:
            for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            break;
          default:
            break;
        }
        return vtc::Value(s);
      }
      return vtc::Value(in.ConsumeRandomLengthString(24));
    }
    case 6: {
      return vtc::Value(in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<int>(0, 16)));
    }
    case 7:
    case 8: {
      vtc::Array a;
      const int n = in.ConsumeIntegralInRange<int>(0, 5);
      for (int i = 0; i < n; ++i) a.push_back(MakeValue(in, strings, depth - 1));
      return vtc::Value(a);
    }
    default: {
      static const char* kKeys[] = {vtc::key::kHorizontalSpacing, vtc::key::kVerticalSpacing,
                                    vtc::key::kForceKeyFrame, ""};
      vtc::Dictionary d;
      const int n = in.ConsumeIntegralInRange<int>(0, 4);
      for (int i = 0; i < n; ++i) {
        std::string k = in.ConsumeBool() ? std::string(in.PickValueInArray(kKeys))
                                         : in.ConsumeRandomLengthString(12);
        d[k] = MakeValue(in, strings, depth - 1);
      }
      return vtc::Value(d);
    }
  }
}

// Times of every shape: numeric in several timescales, invalid, infinite, indefinite, raw flags.
inline vtc::Time MakeTime(FuzzedDataProvider& in) {
  static const std::int32_t kScales[] = {1,     25,    30,         600,       1000,
                                         30000, 90000, 1000000000, 2147483647};
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
      return vtc::Time::Invalid();
    case 1:
      return vtc::Time::PositiveInfinity();
    case 2:
      return vtc::Time::Indefinite();
    case 3:
      return vtc::Time::NegativeInfinity();
    case 4: {
      vtc::Time t;
      t.value = in.ConsumeIntegral<std::int64_t>();
      t.timescale = in.ConsumeIntegral<std::int32_t>();
      t.flags = in.ConsumeIntegral<std::uint32_t>() & 0x1f;
      return t;
    }
    case 5:
      return vtc::Time::Make(in.ConsumeIntegral<std::int64_t>(), in.PickValueInArray(kScales));
    default:
      return vtc::Time::Make(in.ConsumeIntegralInRange<std::int64_t>(-100, 100000),
                             in.PickValueInArray(kScales));
  }
}

}  // namespace vtcfuzz
