// SPDX-License-Identifier: GPL-2.0-or-later
// Picture formats: every pixel format of keys.h laid out by pools and wrapped memory, coded in its
// own chroma format and bit depth with the matching profile (or converted to the profile's), and
// pixel transfer (RGB, UYVY, MSB-aligned 10 bits, v210, other sizes) checked by decoding with
// ffmpeg.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "test_util.h"

extern char** environ;

namespace vtctest {
namespace {

using vtc::PixelFormatType;
using vtc::Status;
using vtc::Value;

// The layout each format must have, written out here rather than taken from the library: planes,
// each plane's subsampling (1 or 2) and bytes per sample (a CbCr pair counts as one sample), or
// for packed formats the pixels per block and bytes per block.
struct Layout {
  PixelFormatType format;
  int planes;
  int hdiv[3], vdiv[3], bytes[3];
  int block_pixels = 1;  // packed formats
};

const std::vector<Layout>& Layouts() {
  namespace v = vtc;
  static const std::vector<Layout> layouts = {
      {v::kPixelFormat_420YpCbCr8BiPlanarVideoRange, 2, {1, 2}, {1, 2}, {1, 2}},
      {v::kPixelFormat_420YpCbCr8BiPlanarFullRange, 2, {1, 2}, {1, 2}, {1, 2}},
      {v::kPixelFormat_420YpCbCr8Planar, 3, {1, 2, 2}, {1, 2, 2}, {1, 1, 1}},
      {v::kPixelFormat_420YpCbCr8PlanarFullRange, 3, {1, 2, 2}, {1, 2, 2}, {1, 1, 1}},
      {v::kPixelFormat_422YpCbCr8BiPlanarVideoRange, 2, {1, 2}, {1, 1}, {1, 2}},
      {v::kPixelFormat_422YpCbCr8BiPlanarFullRange, 2, {1, 2}, {1, 1}, {1, 2}},
      {v::kPixelFormat_444YpCbCr8BiPlanarVideoRange, 2, {1, 1}, {1, 1}, {1, 2}},
      {v::kPixelFormat_444YpCbCr8BiPlanarFullRange, 2, {1, 1}, {1, 1}, {1, 2}},
      {v::kPixelFormat_420YpCbCr10BiPlanarVideoRange, 2, {1, 2}, {1, 2}, {2, 4}},
      {v::kPixelFormat_420YpCbCr10BiPlanarFullRange, 2, {1, 2}, {1, 2}, {2, 4}},
      {v::kPixelFormat_422YpCbCr10BiPlanarVideoRange, 2, {1, 2}, {1, 1}, {2, 4}},
      {v::kPixelFormat_422YpCbCr10BiPlanarFullRange, 2, {1, 2}, {1, 1}, {2, 4}},
      {v::kPixelFormat_444YpCbCr10BiPlanarVideoRange, 2, {1, 1}, {1, 1}, {2, 4}},
      {v::kPixelFormat_444YpCbCr10BiPlanarFullRange, 2, {1, 1}, {1, 1}, {2, 4}},
      {v::kPixelFormat_422YpCbCr8Planar, 3, {1, 2, 2}, {1, 1, 1}, {1, 1, 1}},
      {v::kPixelFormat_422YpCbCr8PlanarFullRange, 3, {1, 2, 2}, {1, 1, 1}, {1, 1, 1}},
      {v::kPixelFormat_444YpCbCr8Planar, 3, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}},
      {v::kPixelFormat_444YpCbCr8PlanarFullRange, 3, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}},
      {v::kPixelFormat_420YpCbCr10Planar, 3, {1, 2, 2}, {1, 2, 2}, {2, 2, 2}},
      {v::kPixelFormat_420YpCbCr10PlanarFullRange, 3, {1, 2, 2}, {1, 2, 2}, {2, 2, 2}},
      {v::kPixelFormat_422YpCbCr10Planar, 3, {1, 2, 2}, {1, 1, 1}, {2, 2, 2}},
      {v::kPixelFormat_422YpCbCr10PlanarFullRange, 3, {1, 2, 2}, {1, 1, 1}, {2, 2, 2}},
      {v::kPixelFormat_444YpCbCr10Planar, 3, {1, 1, 1}, {1, 1, 1}, {2, 2, 2}},
      {v::kPixelFormat_444YpCbCr10PlanarFullRange, 3, {1, 1, 1}, {1, 1, 1}, {2, 2, 2}},
      {v::kPixelFormat_422YpCbCr8, 1, {1}, {1}, {4}, 2},
      {v::kPixelFormat_422YpCbCr10, 1, {1}, {1}, {16}, 6},
      {v::kPixelFormat_32BGRA, 1, {1}, {1}, {4}},
      {v::kPixelFormat_32ARGB, 1, {1}, {1}, {4}},
  };
  return layouts;
}

std::string FormatName(const testing::TestParamInfo<Layout>& info) {
  std::string s = vtc::PixelFormatName(info.param.format);
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

int PlaneWidth(const Layout& l, int i, int w) {
  return (w + l.hdiv[i] - 1) / l.hdiv[i];
}
int PlaneHeight(const Layout& l, int i, int h) {
  return (h + l.vdiv[i] - 1) / l.vdiv[i];
}
size_t RowBytes(const Layout& l, int i, int samples) {
  return size_t((samples + l.block_pixels - 1) / l.block_pixels) * size_t(l.bytes[i]);
}

class FormatLayout : public testing::TestWithParam<Layout> {};

TEST_P(FormatLayout, PoolsLayOutEveryPlaneWithItsSubsamplingAndSampleSize) {
  const Layout& l = GetParam();
  // Odd size, extended pixels on every side: each plane's rows and extents must still fit.
  const int w = 101, h = 51;
  const vtc::ExtendedPixels want_ext{12, 4, 3, 1};
  vtc::PixelBufferPoolRef pool;
  ASSERT_EQ(
      vtc::PixelBufferPool::Create({{vtc::key::kPixelFormatType, Value(l.format)},
                                    {vtc::key::kWidth, Value(w)},
                                    {vtc::key::kHeight, Value(h)},
                                    {vtc::key::kBytesPerRowAlignment, Value(32)},
                                    {vtc::key::kExtendedPixelsLeft, Value(want_ext.left)},
                                    {vtc::key::kExtendedPixelsTop, Value(want_ext.top)},
                                    {vtc::key::kExtendedPixelsRight, Value(want_ext.right)},
                                    {vtc::key::kExtendedPixelsBottom, Value(want_ext.bottom)}},
                                   &pool),
      Status::kNoErr);
  EXPECT_EQ(pool->pixel_format(), l.format);
  vtc::PixelBufferRef b;
  ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
  ASSERT_EQ(b->plane_count(), size_t(l.planes));
  EXPECT_EQ(vtc::PlaneCountForFormat(l.format), size_t(l.planes));
  for (int i = 0; i < l.planes; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(b->width_of_plane(i), PlaneWidth(l, i, w));
    EXPECT_EQ(b->height_of_plane(i), PlaneHeight(l, i, h));
    const size_t stride = b->bytes_per_row_of_plane(i);
    EXPECT_EQ(stride % 32, 0u);
    // Every visible and extended byte of the plane lies inside the one allocation.
    const int el = want_ext.left / l.hdiv[i], et = want_ext.top / l.vdiv[i];
    const int er = (want_ext.right + l.hdiv[i] - 1) / l.hdiv[i];
    const int eb = (want_ext.bottom + l.vdiv[i] - 1) / l.vdiv[i];
    const size_t left_bytes = RowBytes(l, i, el);
    const size_t row_bytes = RowBytes(l, i, PlaneWidth(l, i, w) + er);
    EXPECT_GE(stride, left_bytes + row_bytes);
    uint8_t* origin = b->base_address_of_plane(i);
    uint8_t* first = origin - ptrdiff_t(et) * ptrdiff_t(stride) - ptrdiff_t(left_bytes);
    uint8_t* last = origin + ptrdiff_t(PlaneHeight(l, i, h) - 1 + eb) * ptrdiff_t(stride) +
                    ptrdiff_t(row_bytes);
    EXPECT_GE(first, b->base_address());
    EXPECT_LE(last, b->base_address() + b->data_size());
    for (uint8_t* row = first; row < last; row += stride)
      std::memset(row, 0x5a, std::min<size_t>(left_bytes + row_bytes, size_t(last - row)));
  }
  // Planes do not overlap: each keeps what was written last.
  for (int i = 0; i < l.planes; ++i) b->base_address_of_plane(i)[0] = uint8_t(i + 1);
  for (int i = 0; i < l.planes; ++i) EXPECT_EQ(b->base_address_of_plane(i)[0], i + 1);
  // The v210 rows of a pool are whole 128-byte groups, as CoreVideo's.
  if (l.format == vtc::kPixelFormat_422YpCbCr10) EXPECT_EQ(b->bytes_per_row_of_plane(0) % 128, 0u);
}

TEST_P(FormatLayout, WrappedPlanesMustHoldEveryRowInBytes) {
  const Layout& l = GetParam();
  const int w = 37, h = 21;
  std::vector<std::vector<uint8_t>> mem(size_t(l.planes));
  vtc::PlaneDescriptor planes[3];
  for (int i = 0; i < l.planes; ++i) {
    const size_t stride = RowBytes(l, i, PlaneWidth(l, i, w));  // exact: no padding
    mem[size_t(i)].resize(stride * size_t(PlaneHeight(l, i, h)));
    planes[i] = {mem[size_t(i)].data(), stride, mem[size_t(i)].size()};
  }
  vtc::PixelBufferRef buf;
  int released = 0;
  ASSERT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(
                w, h, l.format, planes, size_t(l.planes), [&] { ++released; }, &buf),
            Status::kNoErr);
  EXPECT_EQ(buf->pixel_format(), l.format);
  buf.reset();
  EXPECT_EQ(released, 1);
  for (int i = 0; i < l.planes; ++i) {
    SCOPED_TRACE(i);
    vtc::PlaneDescriptor bad[3] = {planes[0], planes[1], planes[2]};
    bad[i].size -= 1;  // one byte short of the last row
    EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(w, h, l.format, bad, size_t(l.planes),
                                                      nullptr, &buf),
              Status::kParameterErr);
    bad[i] = planes[i];
    bad[i].bytes_per_row -= 1;  // a stride that does not hold a row
    bad[i].size = bad[i].bytes_per_row * size_t(PlaneHeight(l, i, h));
    EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(w, h, l.format, bad, size_t(l.planes),
                                                      nullptr, &buf),
              Status::kParameterErr);
  }
  // One plane too few.
  EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(w, h, l.format, planes, size_t(l.planes - 1),
                                                    nullptr, &buf),
            Status::kParameterErr);
  EXPECT_EQ(released, 1);
}

TEST_P(FormatLayout, FillExtendedPixelsRepeatsTheEdgeOfEveryPlaneThatNeedsIt) {
  const Layout& l = GetParam();
  const int w = 101, h = 51;  // odd: an even coded size needs one more column and row
  vtc::PixelBufferPoolRef pool;
  ASSERT_EQ(vtc::PixelBufferPool::Create({{vtc::key::kPixelFormatType, Value(l.format)},
                                          {vtc::key::kWidth, Value(w)},
                                          {vtc::key::kHeight, Value(h)},
                                          {vtc::key::kExtendedPixelsRight, Value(1)},
                                          {vtc::key::kExtendedPixelsBottom, Value(1)}},
                                         &pool),
            Status::kNoErr);
  vtc::PixelBufferRef b;
  ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
  for (int i = 0; i < l.planes; ++i) {
    const size_t stride = b->bytes_per_row_of_plane(i);
    for (int y = 0; y < PlaneHeight(l, i, h); ++y)
      for (size_t x = 0; x < RowBytes(l, i, PlaneWidth(l, i, w)); ++x)
        b->base_address_of_plane(i)[size_t(y) * stride + x] = uint8_t(x * 7 + y * 3 + i);
  }
  EXPECT_FALSE(b->FillExtendedPixels(2, 1));  // more than the buffer has
  ASSERT_TRUE(b->FillExtendedPixels(1, 1));
  for (int i = 0; i < l.planes; ++i) {
    SCOPED_TRACE(i);
    const uint8_t* p = b->base_address_of_plane(i);
    const size_t stride = b->bytes_per_row_of_plane(i);
    const size_t visible = RowBytes(l, i, PlaneWidth(l, i, w));
    const size_t padded = RowBytes(l, i, PlaneWidth(l, i, w + 1));
    const size_t block = size_t(l.bytes[i]);
    const int rows = PlaneHeight(l, i, h), padded_rows = PlaneHeight(l, i, h + 1);
    for (int y = 0; y < rows; ++y)
      for (size_t x = visible; x < padded; ++x)
        ASSERT_EQ(p[size_t(y) * stride + x], p[size_t(y) * stride + visible - block + x % block])
            << "row " << y << " byte " << x;
    for (int y = rows; y < padded_rows; ++y)
      ASSERT_EQ(std::memcmp(p + size_t(y) * stride, p + size_t(rows - 1) * stride, padded), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(All, FormatLayout, testing::ValuesIn(Layouts()), FormatName);

TEST(FormatLayout, UnknownFormatsAreRefusedAsPixelTransferNotSupported) {
  for (PixelFormatType f : {vtc::FourCC("b64a"), vtc::FourCC("yuvs"), PixelFormatType(0)}) {
    std::vector<uint8_t> mem(64 * 64);
    vtc::PlaneDescriptor plane{mem.data(), 64, mem.size()};
    vtc::PixelBufferRef buf;
    EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(16, 16, f, &plane, 1, nullptr, &buf),
              Status::kPixelTransferNotSupportedErr);
    vtc::PixelBufferPoolRef pool;
    EXPECT_EQ(vtc::PixelBufferPool::Create({{vtc::key::kPixelFormatType, Value(f)},
                                            {vtc::key::kWidth, Value(16)},
                                            {vtc::key::kHeight, Value(16)}},
                                           &pool),
              Status::kPixelTransferNotSupportedErr);
    EXPECT_FALSE(vtc::IsSupportedPixelFormat(f));
  }
}

// A session takes every format of keys.h for its pool; the first one it knows of a list.
TEST(FormatLayout, SessionsTakeEveryFormatForTheirPoolAndRefuseUnknownOnes) {
  for (const Layout& l : Layouts()) {
    Collector c;
    vtc::Dictionary attrs{{vtc::key::kPixelFormatType,
                           Value(vtc::Array{Value(vtc::FourCC("b64a")), Value(l.format)})}};
    std::shared_ptr<vtc::CompressionSession> s;
    ASSERT_EQ(vtc::CompressionSession::Create(64, 48, vtc::kCodecType_H264, nullptr, &attrs,
                                              &Collector::Callback, &c, &s),
              Status::kNoErr)
        << vtc::PixelFormatName(l.format);
    EXPECT_EQ(s->GetPixelBufferPool()->pixel_format(), l.format);
  }
  Collector c;
  vtc::Dictionary attrs{{vtc::key::kPixelFormatType, Value(vtc::FourCC("yuvs"))}};
  std::shared_ptr<vtc::CompressionSession> s;
  EXPECT_EQ(vtc::CompressionSession::Create(64, 48, vtc::kCodecType_H264, nullptr, &attrs,
                                            &Collector::Callback, &c, &s),
            Status::kPixelTransferNotSupportedErr);
  EXPECT_FALSE(s);
}

TEST(FormatLayout, PlanarAndRangeQueriesFollowTheTable) {
  EXPECT_TRUE(vtc::IsPlanarFormat(vtc::kPixelFormat_420YpCbCr8Planar));
  EXPECT_TRUE(vtc::IsPlanarFormat(vtc::kPixelFormat_444YpCbCr10PlanarFullRange));
  EXPECT_FALSE(vtc::IsPlanarFormat(vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange));
  EXPECT_FALSE(vtc::IsPlanarFormat(vtc::kPixelFormat_32BGRA));
  EXPECT_TRUE(vtc::IsFullRangeFormat(vtc::kPixelFormat_420YpCbCr10BiPlanarFullRange));
  EXPECT_TRUE(vtc::IsFullRangeFormat(vtc::kPixelFormat_422YpCbCr8PlanarFullRange));
  EXPECT_FALSE(vtc::IsFullRangeFormat(vtc::kPixelFormat_422YpCbCr8BiPlanarVideoRange));
  EXPECT_FALSE(vtc::IsFullRangeFormat(vtc::kPixelFormat_32ARGB));
  EXPECT_EQ(vtc::PixelFormatName(vtc::kPixelFormat_32ARGB), "0x00000020");
  EXPECT_EQ(vtc::PixelFormatName(vtc::kPixelFormat_420YpCbCr10Planar), "yx20");
}

// ---- Pictures in any chroma format and depth --------------------------------------------------

enum class Chroma { k420, k422, k444 };

// Three planes of samples (8 or 10 significant bits, in uint16), chroma subsampled as `chroma`.
struct Yuv {
  int width = 0, height = 0, depth = 8;
  Chroma chroma = Chroma::k420;
  std::vector<uint16_t> plane[3];

  int PlaneWidth(int i) const { return i == 0 || chroma == Chroma::k444 ? width : (width + 1) / 2; }
  int PlaneHeight(int i) const {
    return i == 0 || chroma != Chroma::k420 ? height : (height + 1) / 2;
  }
  uint16_t& At(int i, int x, int y) { return plane[i][size_t(y) * size_t(PlaneWidth(i)) + x]; }
  uint16_t At(int i, int x, int y) const { return plane[i][size_t(y) * size_t(PlaneWidth(i)) + x]; }
  void Allocate() {
    for (int i = 0; i < 3; ++i) plane[i].assign(size_t(PlaneWidth(i)) * PlaneHeight(i), 0);
  }
};

// Frame i of a moving picture in that chroma format and depth: MakeMovingPicture's luma, and
// chroma with detail of its own at the chroma resolution (so a chroma conversion shows), and for
// 10 bits detail in the two low bits.
Yuv MakeYuv(int w, int h, Chroma chroma, int depth, int frame) {
  const Picture pic = MakeMovingPicture(w, h, frame);
  Yuv out;
  out.width = w;
  out.height = h;
  out.depth = depth;
  out.chroma = chroma;
  out.Allocate();
  const int shift = depth - 8;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      out.At(0, x, y) = uint16_t((pic.Y(x, y) << shift) | (shift ? (x + 2 * y + frame) & 3 : 0));
  for (int i = 1; i < 3; ++i) {
    const std::vector<uint8_t>& src = i == 1 ? pic.u : pic.v;
    for (int y = 0; y < out.PlaneHeight(i); ++y)
      for (int x = 0; x < out.PlaneWidth(i); ++x) {
        // The 4:2:0 sample under this one, plus a smooth wave across the plane's own samples.
        const int lx = chroma == Chroma::k444 ? x : 2 * x, ly = chroma == Chroma::k420 ? 2 * y : y;
        const int base = src[size_t(ly / 2) * size_t(pic.chroma_width()) + lx / 2];
        const double wave = 10 * std::sin(0.35 * x + 0.23 * y + 0.2 * frame + i);
        const int v = std::clamp(int(std::lround(base + wave)), 16, 240);
        out.At(i, x, y) = uint16_t(v << shift);
      }
  }
  return out;
}

// ---- Writing a picture into a buffer of any format ------------------------------------------

enum class Kind { kPlanar, kBiPlanar, kBiPlanarMsb, kUyvy, kV210, kBgra, kArgb };

struct Format {
  PixelFormatType format;
  Kind kind;
  Chroma chroma;
  int depth;
  bool full_range;
};

void PrintTo(const Format& f, std::ostream* os) {
  *os << vtc::PixelFormatName(f.format);
}

void Put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v & 0xff);
  p[1] = uint8_t(v >> 8);
}

// Writes pic (whose chroma format and depth are the format's) into b; YUV layouts only.
void WriteYuv(const Yuv& pic, const Format& f, const vtc::PixelBufferRef& b) {
  ASSERT_EQ(b->width(), pic.width);
  ASSERT_EQ(b->height(), pic.height);
  const int bps = f.depth > 8 ? 2 : 1;
  auto put = [&](uint8_t* p, uint16_t v) {
    if (bps == 1)
      *p = uint8_t(v);
    else
      Put16(p, f.kind == Kind::kBiPlanarMsb ? uint16_t(v << 6) : v);
  };
  for (int y = 0; y < pic.height; ++y) {
    uint8_t* row = b->base_address_of_plane(0) + size_t(y) * b->bytes_per_row_of_plane(0);
    for (int x = 0; x < pic.width; ++x) put(row + x * bps, pic.At(0, x, y));
  }
  for (int y = 0; y < pic.PlaneHeight(1); ++y) {
    for (int x = 0; x < pic.PlaneWidth(1); ++x) {
      if (f.kind == Kind::kPlanar) {
        for (int i = 1; i < 3; ++i)
          put(b->base_address_of_plane(i) + size_t(y) * b->bytes_per_row_of_plane(i) + x * bps,
              pic.At(i, x, y));
      } else {
        uint8_t* p = b->base_address_of_plane(1) + size_t(y) * b->bytes_per_row_of_plane(1);
        put(p + 2 * x * bps, pic.At(1, x, y));
        put(p + (2 * x + 1) * bps, pic.At(2, x, y));
      }
    }
  }
}

// ---- Running ffmpeg ----------------------------------------------------------------------------

int Run(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A stream decoded by ffmpeg in its own pixel format, with what ffprobe says about it.
struct Stream {
  int width = 0, height = 0;
  std::string profile, pix_fmt, color_range, color_space;
  std::vector<Yuv> frames;
};

// Decodes Annex B H.264 with ffmpeg (errors are fatal: -xerror, and -err_detect explode) into
// frames of the decoder's pixel format: yuv4{20,22,44}p, their yuvj forms and 10-bit forms.
bool Decode(const std::vector<uint8_t>& annexb, Stream* out, std::string* error) {
  TempDir dir("vtcformats");
  if (!dir.ok()) {
    *error = "mkdtemp failed";
    return false;
  }
  const std::string in = dir.File("in.h264"), raw = dir.File("out.yuv");
  const std::string txt = dir.File("out.txt"), err = dir.File("err.txt");
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char*>(annexb.data()), std::streamsize(annexb.size()));
  const std::vector<std::string> probe = {
      FfprobePath(),
      "-v",
      "error",
      "-f",
      "h264",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=width,height,pix_fmt,profile,color_range,color_space",
      "-of",
      "default=noprint_wrappers=1",
      in};
  if (Run(probe, txt, err) != 0 || !ReadAll(err).empty()) {
    *error = "ffprobe failed: " + ReadAll(err);
    return false;
  }
  std::map<std::string, std::string> fields;
  std::istringstream lines(ReadAll(txt));
  for (std::string line; std::getline(lines, line);)
    if (line.find('=') != std::string::npos)
      fields[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
  out->width = std::atoi(fields["width"].c_str());
  out->height = std::atoi(fields["height"].c_str());
  out->profile = fields["profile"];
  out->pix_fmt = fields["pix_fmt"];
  out->color_range = fields["color_range"];
  out->color_space = fields["color_space"];
  const std::vector<std::string> decode = {
      FfmpegPath(),  "-nostdin",    "-hide_banner", "-v",       "error", "-xerror",
      "-err_detect", "explode",     "-f",           "h264",     "-i",    in,
      "-fps_mode",   "passthrough", "-f",           "rawvideo", "-y",    raw};
  if (Run(decode, txt, err) != 0 || !ReadAll(err).empty()) {
    *error = "ffmpeg failed: " + ReadAll(err);
    return false;
  }
  Yuv shape;
  shape.width = out->width;
  shape.height = out->height;
  const std::string& pf = out->pix_fmt;
  shape.chroma = pf.find("444") != std::string::npos   ? Chroma::k444
                 : pf.find("422") != std::string::npos ? Chroma::k422
                                                       : Chroma::k420;
  shape.depth = pf.find("p10") != std::string::npos ? 10 : 8;
  if (pf.rfind("yuv", 0) != 0 || (shape.depth == 8 && pf.back() != 'p')) {
    *error = "unexpected pixel format " + pf;
    return false;
  }
  const std::string bytes = ReadAll(raw);
  const size_t bps = shape.depth > 8 ? 2 : 1;
  size_t frame_bytes = 0;
  for (int i = 0; i < 3; ++i)
    frame_bytes += size_t(shape.PlaneWidth(i)) * shape.PlaneHeight(i) * bps;
  if (frame_bytes == 0 || bytes.size() % frame_bytes != 0) {
    *error = "decoded " + std::to_string(bytes.size()) + " bytes, not whole " + pf + " frames";
    return false;
  }
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  for (size_t off = 0; off < bytes.size(); off += frame_bytes) {
    Yuv f = shape;
    f.Allocate();
    const uint8_t* q = p + off;
    for (int i = 0; i < 3; ++i)
      for (uint16_t& v : f.plane[i]) {
        v = bps == 2 ? uint16_t(q[0] | (q[1] << 8)) : q[0];
        q += bps;
      }
    out->frames.push_back(std::move(f));
  }
  return true;
}

// PSNR over all three planes of `decoded` against `source` (same chroma format and depth; the
// decoded picture may be larger, as odd sizes are coded at the even size), peak 2^depth - 1.
double Psnr(const Yuv& source, const Yuv& decoded) {
  if (source.chroma != decoded.chroma || source.depth != decoded.depth ||
      decoded.width < source.width || decoded.height < source.height)
    return 0;
  double sse = 0, n = 0;
  for (int i = 0; i < 3; ++i)
    for (int y = 0; y < source.PlaneHeight(i); ++y)
      for (int x = 0; x < source.PlaneWidth(i); ++x) {
        const double d = double(source.At(i, x, y)) - decoded.At(i, x, y);
        sse += d * d;
        n += 1;
      }
  if (sse == 0) return 100;
  const double peak = double((1 << source.depth) - 1);
  return 10 * std::log10(peak * peak * n / sse);
}

// ---- Encoding ------------------------------------------------------------------------------

constexpr double kMinPsnr = 35.0;  // at Quality 0.75 (x264 crf 18) the pictures give 40-50 dB

// A session of w x h for pool buffers of `pool_format`, with `props` set, and a log handler
// that counts the worker's pixel-transfer lines (one per converted frame).
struct Encoder {
  Collector collector;
  std::shared_ptr<vtc::CompressionSession> session;
  std::shared_ptr<std::atomic<int>> conversions = std::make_shared<std::atomic<int>>(0);

  Encoder(int w, int h, PixelFormatType pool_format, const vtc::Dictionary& props) {
    session = MakeSession(w, h, pool_format, &collector, props);
    if (!session) return;
    auto count = conversions;
    session->SetLogHandler([count](vtc::LogLevel, const char* line) {
      if (std::strncmp(line, "pixel transfer: frame", 21) == 0) count->fetch_add(1);
    });
  }

  Status Encode(const vtc::PixelBufferRef& b, int i) {
    return session->EncodeFrame(b, FramePts(i), FrameDuration(), nullptr, RefconFor(i), nullptr);
  }

  // Completes the frames; every one must have been answered with a sample.
  std::vector<vtc::SampleBufferRef> Finish(size_t frames) {
    EXPECT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
    const auto outs = collector.outputs();
    EXPECT_EQ(outs.size(), frames);
    for (const Output& o : outs) EXPECT_EQ(o.status, Status::kNoErr);
    return collector.samples();
  }
};

vtc::PixelBufferRef PoolBuffer(vtc::CompressionSession& s) {
  vtc::PixelBufferRef b;
  auto pool = s.GetPixelBufferPool();
  if (!pool || pool->CreatePixelBuffer(&b) != Status::kNoErr) ADD_FAILURE() << "no pool buffer";
  return b;
}

const char* ProfileName(Chroma c, int depth) {
  if (c == Chroma::k444) return "High 4:4:4 Predictive";
  if (c == Chroma::k422) return "High 4:2:2";
  return depth > 8 ? "High 10" : "High";
}

std::string PixFmt(Chroma c, int depth) {
  std::string s = c == Chroma::k420 ? "yuv420p" : c == Chroma::k422 ? "yuv422p" : "yuv444p";
  return depth > 8 ? s + "10le" : s;
}

// The layouts x264 takes as they are: each is coded in its own chroma format and depth.
const std::vector<Format>& DirectFormats() {
  namespace v = vtc;
  static const std::vector<Format> formats = {
      {v::kPixelFormat_420YpCbCr8BiPlanarVideoRange, Kind::kBiPlanar, Chroma::k420, 8, false},
      {v::kPixelFormat_420YpCbCr8BiPlanarFullRange, Kind::kBiPlanar, Chroma::k420, 8, true},
      {v::kPixelFormat_420YpCbCr8Planar, Kind::kPlanar, Chroma::k420, 8, false},
      {v::kPixelFormat_420YpCbCr8PlanarFullRange, Kind::kPlanar, Chroma::k420, 8, true},
      {v::kPixelFormat_422YpCbCr8BiPlanarVideoRange, Kind::kBiPlanar, Chroma::k422, 8, false},
      {v::kPixelFormat_422YpCbCr8BiPlanarFullRange, Kind::kBiPlanar, Chroma::k422, 8, true},
      {v::kPixelFormat_422YpCbCr8Planar, Kind::kPlanar, Chroma::k422, 8, false},
      {v::kPixelFormat_422YpCbCr8PlanarFullRange, Kind::kPlanar, Chroma::k422, 8, true},
      {v::kPixelFormat_444YpCbCr8Planar, Kind::kPlanar, Chroma::k444, 8, false},
      {v::kPixelFormat_444YpCbCr8PlanarFullRange, Kind::kPlanar, Chroma::k444, 8, true},
      {v::kPixelFormat_420YpCbCr10Planar, Kind::kPlanar, Chroma::k420, 10, false},
      {v::kPixelFormat_420YpCbCr10PlanarFullRange, Kind::kPlanar, Chroma::k420, 10, true},
      {v::kPixelFormat_422YpCbCr10Planar, Kind::kPlanar, Chroma::k422, 10, false},
      {v::kPixelFormat_422YpCbCr10PlanarFullRange, Kind::kPlanar, Chroma::k422, 10, true},
      {v::kPixelFormat_444YpCbCr10Planar, Kind::kPlanar, Chroma::k444, 10, false},
      {v::kPixelFormat_444YpCbCr10PlanarFullRange, Kind::kPlanar, Chroma::k444, 10, true},
  };
  return formats;
}

std::string FormatCaseName(const testing::TestParamInfo<Format>& info) {
  std::string s = vtc::PixelFormatName(info.param.format);
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

class DirectFormat : public testing::TestWithParam<Format> {
 protected:
  void SetUp() override {
    if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  }
};

// Without ProfileLevel each layout is coded in its own chroma format and depth with the profile
// that carries it, straight from the caller's planes (no conversion), and decodes to the source.
TEST_P(DirectFormat, IsCodedInItsOwnChromaFormatAndDepthWithoutAConversion) {
  const Format& f = GetParam();
  const int w = 160, h = 96, frames = 10;
  Encoder e(w, h, f.format, {{vtc::key::kQuality, Value(0.75)}});
  ASSERT_TRUE(e.session);
  // Unset, the profile follows the source: the key stays unset (null), as other such keys.
  Value profile_level;
  ASSERT_EQ(e.session->CopyProperty(vtc::key::kProfileLevel, &profile_level), Status::kNoErr);
  EXPECT_TRUE(profile_level.IsNull()) << profile_level.ToString();
  std::vector<Yuv> sources;
  for (int i = 0; i < frames; ++i) {
    sources.push_back(MakeYuv(w, h, f.chroma, f.depth, i));
    vtc::PixelBufferRef b = PoolBuffer(*e.session);
    ASSERT_TRUE(b);
    WriteYuv(sources.back(), f, b);
    ASSERT_EQ(e.Encode(b, i), Status::kNoErr);
  }
  const auto samples = e.Finish(frames);
  EXPECT_EQ(e.conversions->load(), 0) << "the encoder took the planes as they are";
  Stream st;
  std::string error;
  ASSERT_TRUE(Decode(ToAnnexB(samples), &st, &error)) << error;
  EXPECT_EQ(st.profile, ProfileName(f.chroma, f.depth));
  const std::string want = PixFmt(f.chroma, f.depth);
  if (f.full_range && f.depth == 8)
    EXPECT_TRUE(st.pix_fmt == want || st.pix_fmt == "yuvj" + want.substr(3)) << st.pix_fmt;
  else
    EXPECT_EQ(st.pix_fmt, want);
  // Video range is H.264's default: x264 may leave it unsaid.
  if (f.full_range)
    EXPECT_EQ(st.color_range, "pc");
  else
    EXPECT_TRUE(st.color_range == "tv" || st.color_range == "unknown") << st.color_range;
  ASSERT_EQ(st.frames.size(), size_t(frames));
  for (int i = 0; i < frames; ++i) {
    Yuv d = st.frames[size_t(i)];
    d.chroma = f.chroma;  // "yuvj" names the same layout
    EXPECT_GT(Psnr(sources[size_t(i)], d), kMinPsnr) << "frame " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(All, DirectFormat, testing::ValuesIn(DirectFormats()), FormatCaseName);

// Odd sizes of 4:2:2 and 4:4:4 (chroma with an odd number of rows / columns) in wrapped memory
// without extended pixels: the encoder pads copies of the planes, and the picture decodes.
TEST(DirectFormat, OddSizesOfEveryChromaFormatArePaddedAndDecode) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  for (const Format& f : DirectFormats()) {
    if (f.kind != Kind::kPlanar || f.full_range) continue;
    SCOPED_TRACE(vtc::PixelFormatName(f.format));
    const int w = 65, h = 37, frames = 3;
    Encoder e(w, h, f.format, {{vtc::key::kQuality, Value(0.75)}});
    ASSERT_TRUE(e.session);
    std::vector<Yuv> sources;
    std::vector<std::vector<uint8_t>> keep;
    for (int i = 0; i < frames; ++i) {
      sources.push_back(MakeYuv(w, h, f.chroma, f.depth, i));
      const Yuv& pic = sources.back();
      const size_t bps = f.depth > 8 ? 2 : 1;
      vtc::PlaneDescriptor planes[3];
      std::vector<uint8_t> mem;
      size_t offsets[3], total = 0;
      for (int p = 0; p < 3; ++p) {
        offsets[p] = total;
        total += size_t(pic.PlaneWidth(p)) * pic.PlaneHeight(p) * bps;  // exact, no padding
      }
      mem.resize(total);
      for (int p = 0; p < 3; ++p)
        planes[p] = {mem.data() + offsets[p], size_t(pic.PlaneWidth(p)) * bps,
                     size_t(pic.PlaneWidth(p)) * pic.PlaneHeight(p) * bps};
      keep.push_back(std::move(mem));
      vtc::PixelBufferRef b;
      ASSERT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(w, h, f.format, planes, 3, nullptr, &b),
                Status::kNoErr);
      WriteYuv(pic, f, b);
      ASSERT_EQ(e.Encode(b, i), Status::kNoErr);
    }
    const auto samples = e.Finish(frames);
    Stream st;
    std::string error;
    ASSERT_TRUE(Decode(ToAnnexB(samples), &st, &error)) << error;
    EXPECT_EQ(st.pix_fmt, PixFmt(f.chroma, f.depth));
    ASSERT_EQ(st.frames.size(), size_t(frames));
    for (int i = 0; i < frames; ++i)
      EXPECT_GT(Psnr(sources[size_t(i)], st.frames[size_t(i)]), kMinPsnr) << "frame " << i;
  }
}

// ProfileLevel's format wins over the source's; the profile names what is coded.
TEST(DirectFormat, AnExplicitProfileOfTheSourcesFormatCodesThatProfile) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  struct Case {
    Format f;
    const char* profile_level;
    const char* want_profile;
  };
  for (const Case& c : {
           Case{{vtc::kPixelFormat_420YpCbCr10Planar, Kind::kPlanar, Chroma::k420, 10, false},
                "H264_High10_AutoLevel",
                "High 10"},
           Case{{vtc::kPixelFormat_422YpCbCr8Planar, Kind::kPlanar, Chroma::k422, 8, false},
                "H264_High422_4_1",
                "High 4:2:2"},
           Case{{vtc::kPixelFormat_444YpCbCr10Planar, Kind::kPlanar, Chroma::k444, 10, false},
                "H264_High444_AutoLevel",
                "High 4:4:4 Predictive"},
       }) {
    SCOPED_TRACE(c.profile_level);
    const int w = 128, h = 64, frames = 4;
    Encoder e(
        w, h, c.f.format,
        {{vtc::key::kProfileLevel, Value(c.profile_level)}, {vtc::key::kQuality, Value(0.75)}});
    ASSERT_TRUE(e.session);
    Value got;
    ASSERT_EQ(e.session->CopyProperty(vtc::key::kProfileLevel, &got), Status::kNoErr);
    EXPECT_EQ(got, Value(c.profile_level));
    for (int i = 0; i < frames; ++i) {
      vtc::PixelBufferRef b = PoolBuffer(*e.session);
      ASSERT_TRUE(b);
      WriteYuv(MakeYuv(w, h, c.f.chroma, c.f.depth, i), c.f, b);
      ASSERT_EQ(e.Encode(b, i), Status::kNoErr);
    }
    const auto samples = e.Finish(frames);
    EXPECT_EQ(e.conversions->load(), 0);
    Stream st;
    std::string error;
    ASSERT_TRUE(Decode(ToAnnexB(samples), &st, &error)) << error;
    EXPECT_EQ(st.profile, c.want_profile);
    EXPECT_EQ(st.pix_fmt, PixFmt(c.f.chroma, c.f.depth));
  }
}

// ---- Pixel transfer: formats the encoder cannot take ------------------------------------------

// Writes pic into a packed buffer: UYVY (8-bit 4:2:2) or v210 (10-bit 4:2:2).
void WritePacked(const Yuv& pic, const Format& f, const vtc::PixelBufferRef& b) {
  ASSERT_EQ(pic.chroma, Chroma::k422);
  const int w = pic.width;
  for (int y = 0; y < pic.height; ++y) {
    uint8_t* row = b->base_address_of_plane(0) + size_t(y) * b->bytes_per_row_of_plane(0);
    if (f.kind == Kind::kUyvy) {
      for (int x = 0; x < w; x += 2) {
        uint8_t* p = row + 2 * x;
        p[0] = uint8_t(pic.At(1, x / 2, y));
        p[1] = uint8_t(pic.At(0, x, y));
        p[2] = uint8_t(pic.At(2, x / 2, y));
        p[3] = uint8_t(pic.At(0, std::min(x + 1, w - 1), y));
      }
    } else {
      // v210: Cb0 Y0 Cr0 | Y1 Cb1 Y2 | Cr1 Y3 Cb2 | Y4 Cr2 Y5, three 10-bit samples a word.
      for (int g = 0; g * 6 < w; ++g) {
        auto luma = [&](int j) { return pic.At(0, std::min(6 * g + j, w - 1), y); };
        auto cb = [&](int j) { return pic.At(1, std::min(3 * g + j, pic.PlaneWidth(1) - 1), y); };
        auto cr = [&](int j) { return pic.At(2, std::min(3 * g + j, pic.PlaneWidth(2) - 1), y); };
        const uint32_t words[4] = {
            uint32_t(cb(0)) | uint32_t(luma(0)) << 10 | uint32_t(cr(0)) << 20,
            uint32_t(luma(1)) | uint32_t(cb(1)) << 10 | uint32_t(luma(2)) << 20,
            uint32_t(cr(1)) | uint32_t(luma(3)) << 10 | uint32_t(cb(2)) << 20,
            uint32_t(luma(4)) | uint32_t(cr(2)) << 10 | uint32_t(luma(5)) << 20};
        for (int k = 0; k < 4; ++k)
          for (int j = 0; j < 4; ++j) row[16 * g + 4 * k + j] = uint8_t(words[k] >> (8 * j));
      }
    }
  }
}

void WriteAny(const Yuv& pic, const Format& f, const vtc::PixelBufferRef& b) {
  if (f.kind == Kind::kUyvy || f.kind == Kind::kV210)
    WritePacked(pic, f, b);
  else
    WriteYuv(pic, f, b);
}

// The source as the encoder should code it: chroma averaged down (pairs of samples, as a box
// filter) or repeated up, and depth shifted (video range: 16 << 2 is 64).
Yuv Reference(const Yuv& in, Chroma chroma, int depth) {
  Yuv out;
  out.width = in.width;
  out.height = in.height;
  out.chroma = chroma;
  out.depth = depth;
  out.Allocate();
  const int shift = depth - in.depth;
  auto convert = [&](double v) {
    const double scaled = shift >= 0 ? v * (1 << shift) : v / (1 << -shift);
    return uint16_t(std::clamp(std::lround(scaled), 0L, long((1 << depth) - 1)));
  };
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) out.At(0, x, y) = convert(in.At(0, x, y));
  const int hx = in.PlaneWidth(1) < out.PlaneWidth(1) ? 0 : out.PlaneWidth(1) < in.PlaneWidth(1);
  const int vx =
      in.PlaneHeight(1) < out.PlaneHeight(1) ? 0 : out.PlaneHeight(1) < in.PlaneHeight(1);
  for (int i = 1; i < 3; ++i)
    for (int y = 0; y < out.PlaneHeight(i); ++y)
      for (int x = 0; x < out.PlaneWidth(i); ++x) {
        // Down: the mean of the 1, 2 or 4 source samples this one covers. Up: the one under it.
        const bool up_x = in.PlaneWidth(i) < out.PlaneWidth(i);
        const bool up_y = in.PlaneHeight(i) < out.PlaneHeight(i);
        const int x0 = up_x ? x / 2 : x << hx, y0 = up_y ? y / 2 : y << vx;
        double sum = 0;
        int n = 0;
        for (int dy = 0; dy <= (up_y ? 0 : vx); ++dy)
          for (int dx = 0; dx <= (up_x ? 0 : hx); ++dx) {
            sum += in.At(i, std::min(x0 + dx, in.PlaneWidth(i) - 1),
                         std::min(y0 + dy, in.PlaneHeight(i) - 1));
            ++n;
          }
        out.At(i, x, y) = convert(sum / n);
      }
  return out;
}

struct TransferCase {
  const char* name;
  Format source;
  const char* profile_level;  // nullptr: unset
  Chroma coded_chroma;
  int coded_depth;
  const char* want_profile;
};

void PrintTo(const TransferCase& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<TransferCase>& TransferCases() {
  namespace v = vtc;
  using K = Kind;
  using C = Chroma;
  static const std::vector<TransferCase> cases = {
      // Layouts x264 does not take, coded in their own chroma format and depth.
      {"NV24",
       {v::kPixelFormat_444YpCbCr8BiPlanarVideoRange, K::kBiPlanar, C::k444, 8, false},
       nullptr,
       C::k444,
       8,
       "High 4:4:4 Predictive"},
      {"P010",
       {v::kPixelFormat_420YpCbCr10BiPlanarVideoRange, K::kBiPlanarMsb, C::k420, 10, false},
       nullptr,
       C::k420,
       10,
       "High 10"},
      {"P010_full",
       {v::kPixelFormat_420YpCbCr10BiPlanarFullRange, K::kBiPlanarMsb, C::k420, 10, true},
       nullptr,
       C::k420,
       10,
       "High 10"},
      {"P210",
       {v::kPixelFormat_422YpCbCr10BiPlanarVideoRange, K::kBiPlanarMsb, C::k422, 10, false},
       nullptr,
       C::k422,
       10,
       "High 4:2:2"},
      {"P410",
       {v::kPixelFormat_444YpCbCr10BiPlanarVideoRange, K::kBiPlanarMsb, C::k444, 10, false},
       nullptr,
       C::k444,
       10,
       "High 4:4:4 Predictive"},
      {"v210",
       {v::kPixelFormat_422YpCbCr10, K::kV210, C::k422, 10, false},
       nullptr,
       C::k422,
       10,
       "High 4:2:2"},
      // UYVY is coded as 8-bit 4:2:0 unless a profile asks for 4:2:2.
      {"UYVY",
       {v::kPixelFormat_422YpCbCr8, K::kUyvy, C::k422, 8, false},
       nullptr,
       C::k420,
       8,
       "High"},
      {"UYVY_High422",
       {v::kPixelFormat_422YpCbCr8, K::kUyvy, C::k422, 8, false},
       "H264_High422_AutoLevel",
       C::k422,
       8,
       "High 4:2:2"},
      // ProfileLevel converts to its own chroma format and depth.
      {"I210_as_High",
       {v::kPixelFormat_422YpCbCr10Planar, K::kPlanar, C::k422, 10, false},
       "H264_High_AutoLevel",
       C::k420,
       8,
       "High"},
      {"P010_as_Main",
       {v::kPixelFormat_420YpCbCr10BiPlanarVideoRange, K::kBiPlanarMsb, C::k420, 10, false},
       "H264_Main_AutoLevel",
       C::k420,
       8,
       "Main"},
      {"I444_as_ConstrainedHigh",
       {v::kPixelFormat_444YpCbCr8Planar, K::kPlanar, C::k444, 8, false},
       "H264_ConstrainedHigh_AutoLevel",
       C::k420,
       8,
       "High"},
      {"I420_as_High10",
       {v::kPixelFormat_420YpCbCr8Planar, K::kPlanar, C::k420, 8, false},
       "H264_High10_AutoLevel",
       C::k420,
       10,
       "High 10"},
      {"NV12_as_High444",
       {v::kPixelFormat_420YpCbCr8BiPlanarVideoRange, K::kBiPlanar, C::k420, 8, false},
       "H264_High444_AutoLevel",
       C::k444,
       8,
       "High 4:4:4 Predictive"},
      {"v210_as_High422",
       {v::kPixelFormat_422YpCbCr10, K::kV210, C::k422, 10, false},
       "H264_High422_AutoLevel",
       C::k422,
       10,
       "High 4:2:2"},
      {"I410_as_High10",
       {v::kPixelFormat_444YpCbCr10Planar, K::kPlanar, C::k444, 10, false},
       "H264_High10_AutoLevel",
       C::k420,
       10,
       "High 10"},
  };
  return cases;
}

class Transfer : public testing::TestWithParam<TransferCase> {
 protected:
  void SetUp() override {
    if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  }
};

// The session converts on its worker, every frame (counted by its log), into the coded chroma
// format and depth, and the stream decodes to the source as converted.
TEST_P(Transfer, ConvertsToTheCodedChromaFormatAndDepth) {
  const TransferCase& c = GetParam();
  const Format& f = c.source;
  const int w = 160, h = 96, frames = 10;
  vtc::Dictionary props{{vtc::key::kQuality, Value(0.75)}};
  if (c.profile_level) props[vtc::key::kProfileLevel] = Value(c.profile_level);
  Encoder e(w, h, f.format, props);
  ASSERT_TRUE(e.session);
  std::vector<Yuv> want;
  for (int i = 0; i < frames; ++i) {
    const Yuv src = MakeYuv(w, h, f.chroma, f.depth, i);
    want.push_back(Reference(src, c.coded_chroma, c.coded_depth));
    vtc::PixelBufferRef b = PoolBuffer(*e.session);
    ASSERT_TRUE(b);
    WriteAny(src, f, b);
    ASSERT_EQ(e.Encode(b, i), Status::kNoErr);
  }
  const auto samples = e.Finish(frames);
  EXPECT_EQ(e.conversions->load(), frames);
  Stream st;
  std::string error;
  ASSERT_TRUE(Decode(ToAnnexB(samples), &st, &error)) << error;
  EXPECT_EQ(st.profile, c.want_profile);
  const std::string pix_fmt = PixFmt(c.coded_chroma, c.coded_depth);
  EXPECT_TRUE(st.pix_fmt == pix_fmt || st.pix_fmt == "yuvj" + pix_fmt.substr(3)) << st.pix_fmt;
  EXPECT_EQ(st.color_range == "pc", f.full_range) << st.color_range;
  ASSERT_EQ(st.frames.size(), size_t(frames));
  for (int i = 0; i < frames; ++i) {
    Yuv d = st.frames[size_t(i)];
    d.chroma = c.coded_chroma;
    EXPECT_GT(Psnr(want[size_t(i)], d), kMinPsnr) << "frame " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(All, Transfer, testing::ValuesIn(TransferCases()),
                         [](const testing::TestParamInfo<TransferCase>& info) {
                           return std::string(info.param.name);
                         });

// ---- RGB ----------------------------------------------------------------------------------------

struct Rgb {
  int r, g, b;
};
// Colour bars, each kBarWidth wide.
constexpr int kBarWidth = 16;
const Rgb kBars[] = {{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},    {255, 0, 255},
                     {255, 0, 0},     {0, 0, 255},   {0, 0, 0},     {180, 100, 40}, {30, 60, 200}};
constexpr int kBarCount = int(sizeof kBars / sizeof kBars[0]);

// Fills a 32BGRA (bytes B G R A) or 32ARGB (A R G B) buffer with the bars; alpha varies, and
// must not matter.
void WriteBars(const vtc::PixelBufferRef& b, bool argb) {
  for (int y = 0; y < b->height(); ++y) {
    uint8_t* row = b->base_address_of_plane(0) + size_t(y) * b->bytes_per_row_of_plane(0);
    for (int x = 0; x < b->width(); ++x) {
      const Rgb& c = kBars[std::min(x / kBarWidth, kBarCount - 1)];
      uint8_t* p = row + 4 * x;
      const uint8_t a = uint8_t(x * 5 + y);
      if (argb) {
        p[0] = a, p[1] = uint8_t(c.r), p[2] = uint8_t(c.g), p[3] = uint8_t(c.b);
      } else {
        p[0] = uint8_t(c.b), p[1] = uint8_t(c.g), p[2] = uint8_t(c.r), p[3] = a;
      }
    }
  }
}

// Y'CbCr of an R'G'B' colour by the matrix's Kr, Kb, in video range of `depth` bits.
void ExpectedYuv(const Rgb& c, double kr, double kb, int depth, double out[3]) {
  const double unit = double(1 << (depth - 8));
  const double r = c.r / 255.0, g = c.g / 255.0, b = c.b / 255.0;
  const double y = kr * r + (1 - kr - kb) * g + kb * b;
  out[0] = (16 + 219 * y) * unit;
  out[1] = (128 + 224 * (b - y) / (2 * (1 - kb))) * unit;
  out[2] = (128 + 224 * (r - y) / (2 * (1 - kr))) * unit;
}

struct RgbCase {
  const char* name;
  PixelFormatType format;
  const char* matrix;  // YCbCrMatrix, nullptr: unset (BT.601)
  double kr, kb;
  const char* profile_level;  // nullptr: unset
  int depth;
};

void PrintTo(const RgbCase& c, std::ostream* os) {
  *os << c.name;
}

class RgbSource : public testing::TestWithParam<RgbCase> {
 protected:
  void SetUp() override {
    if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  }
};

// BGRA and ARGB become the Y'CbCr of the session's YCbCrMatrix in video range: each bar decodes to
// the colour the formula gives, within what coding costs a flat area.
TEST_P(RgbSource, DecodesToTheColoursItCarriesInTheSessionsMatrix) {
  const RgbCase& c = GetParam();
  const int w = kBarWidth * kBarCount, h = 48, frames = 3;
  vtc::Dictionary props{{vtc::key::kQuality, Value(0.9)}};
  if (c.matrix) props[vtc::key::kYCbCrMatrix] = Value(c.matrix);
  if (c.profile_level) props[vtc::key::kProfileLevel] = Value(c.profile_level);
  Encoder e(w, h, c.format, props);
  ASSERT_TRUE(e.session);
  for (int i = 0; i < frames; ++i) {
    vtc::PixelBufferRef b = PoolBuffer(*e.session);
    ASSERT_TRUE(b);
    WriteBars(b, c.format == vtc::kPixelFormat_32ARGB);
    ASSERT_EQ(e.Encode(b, i), Status::kNoErr);
  }
  const auto samples = e.Finish(frames);
  EXPECT_EQ(e.conversions->load(), frames);
  Stream st;
  std::string error;
  ASSERT_TRUE(Decode(ToAnnexB(samples), &st, &error)) << error;
  EXPECT_EQ(st.profile, c.depth > 8 ? "High 10" : "High");
  EXPECT_EQ(st.pix_fmt, PixFmt(Chroma::k420, c.depth));
  // The VUI names the matrix the conversion used, BT.601 when the key is unset (players would
  // otherwise guess, BT.709 for HD).
  EXPECT_EQ(st.color_space, c.kr == 0.299 ? "smpte170m" : c.kr == 0.2126 ? "bt709" : "bt2020nc");
  ASSERT_EQ(st.frames.size(), size_t(frames));
  const Yuv& d = st.frames.back();
  // 2 steps of 8 bits (coding, and rounding of the conversion), 4x that in 10 bits.
  const double tolerance = 2.0 * (1 << (c.depth - 8));
  for (int bar = 0; bar < kBarCount; ++bar) {
    double want[3];
    ExpectedYuv(kBars[bar], c.kr, c.kb, c.depth, want);
    for (int i = 0; i < 3; ++i) {
      // The mean over the bar's inside, away from the edges the chroma and the coding blur.
      const int div = i == 0 ? 1 : 2;
      const int x0 = (bar * kBarWidth + 4) / div, x1 = ((bar + 1) * kBarWidth - 4) / div;
      double sum = 0;
      int n = 0;
      for (int y = 4 / div; y < d.PlaneHeight(i) - 4 / div; ++y)
        for (int x = x0; x < x1; ++x, ++n) sum += d.At(i, x, y);
      EXPECT_NEAR(sum / n, want[i], tolerance)
          << "bar " << bar << " (" << kBars[bar].r << "," << kBars[bar].g << "," << kBars[bar].b
          << ") plane " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, RgbSource,
    testing::Values(
        RgbCase{"BGRA_601_unset", vtc::kPixelFormat_32BGRA, nullptr, 0.299, 0.114, nullptr, 8},
        RgbCase{"BGRA_601", vtc::kPixelFormat_32BGRA, "ITU_R_601_4", 0.299, 0.114, nullptr, 8},
        RgbCase{"BGRA_709", vtc::kPixelFormat_32BGRA, "ITU_R_709_2", 0.2126, 0.0722, nullptr, 8},
        RgbCase{"BGRA_2020", vtc::kPixelFormat_32BGRA, "ITU_R_2020", 0.2627, 0.0593, nullptr, 8},
        RgbCase{"ARGB_601", vtc::kPixelFormat_32ARGB, nullptr, 0.299, 0.114, nullptr, 8},
        RgbCase{"ARGB_709", vtc::kPixelFormat_32ARGB, "ITU_R_709_2", 0.2126, 0.0722, nullptr, 8},
        RgbCase{"BGRA_709_High10", vtc::kPixelFormat_32BGRA, "ITU_R_709_2", 0.2126, 0.0722,
                "H264_High10_AutoLevel", 10},
        RgbCase{"ARGB_601_High10", vtc::kPixelFormat_32ARGB, nullptr, 0.299, 0.114,
                "H264_High10_AutoLevel", 10}),
    [](const testing::TestParamInfo<RgbCase>& info) { return std::string(info.param.name); });

// PixelBufferPoolIsShared: true only when the pool's buffers reach the encoder as they are.
TEST(RgbSource, PoolIsSharedOnlyWhenItsBuffersNeedNoConversion) {
  struct Case {
    PixelFormatType format;
    const char* profile_level;  // nullptr: unset
    bool shared;
  };
  for (const Case& c : {Case{vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange, nullptr, true},
                        Case{vtc::kPixelFormat_422YpCbCr8Planar, nullptr, true},
                        Case{vtc::kPixelFormat_32BGRA, nullptr, false},
                        Case{vtc::kPixelFormat_422YpCbCr8, nullptr, false},
                        Case{vtc::kPixelFormat_420YpCbCr10BiPlanarVideoRange, nullptr, false},
                        Case{vtc::kPixelFormat_420YpCbCr8Planar, "H264_High10_AutoLevel", false},
                        Case{vtc::kPixelFormat_420YpCbCr8Planar, "H264_Main_AutoLevel", true}}) {
    vtc::Dictionary attrs{{vtc::key::kPixelFormatType, Value(std::int64_t(c.format))}};
    std::shared_ptr<vtc::CompressionSession> s;
    ASSERT_EQ(vtc::CompressionSession::Create(64, 48, vtc::kCodecType_H264, nullptr, &attrs,
                                              nullptr, nullptr, &s),
              Status::kNoErr);
    if (c.profile_level)
      ASSERT_EQ(s->SetProperty(vtc::key::kProfileLevel, Value(c.profile_level)), Status::kNoErr);
    Value shared;
    ASSERT_EQ(s->CopyProperty(vtc::key::kPixelBufferPoolIsShared, &shared), Status::kNoErr);
    EXPECT_EQ(shared, Value(c.shared))
        << vtc::PixelFormatName(c.format) << " " << (c.profile_level ? c.profile_level : "");
    s->Invalidate();
  }
}

// ---- Scaling ------------------------------------------------------------------------------------

// The mean of each 2x2 block: what a box filter makes of a picture halved in both directions.
Yuv Halve(const Yuv& in) {
  Yuv out;
  out.width = in.width / 2;
  out.height = in.height / 2;
  out.chroma = in.chroma;
  out.depth = in.depth;
  out.Allocate();
  for (int i = 0; i < 3; ++i)
    for (int y = 0; y < out.PlaneHeight(i); ++y)
      for (int x = 0; x < out.PlaneWidth(i); ++x)
        out.At(i, x, y) =
            uint16_t((in.At(i, 2 * x, 2 * y) + in.At(i, 2 * x + 1, 2 * y) +
                      in.At(i, 2 * x, 2 * y + 1) + in.At(i, 2 * x + 1, 2 * y + 1) + 2) /
                     4);
  return out;
}

// A buffer of another size than the session's is scaled to the session's, as VideoToolbox does
// (instead of kVTParameterErr), in 8 and 10 bits and with a conversion on the way.
TEST(Scaling, BuffersOfAnotherSizeAreScaledToTheSessions) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  for (const Format& f :
       {Format{vtc::kPixelFormat_420YpCbCr8Planar, Kind::kPlanar, Chroma::k420, 8, false},
        Format{vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange, Kind::kBiPlanar, Chroma::k420, 8,
               false},
        Format{vtc::kPixelFormat_420YpCbCr10Planar, Kind::kPlanar, Chroma::k420, 10, false},
        Format{vtc::kPixelFormat_420YpCbCr10BiPlanarVideoRange, Kind::kBiPlanarMsb, Chroma::k420,
               10, false},
        Format{vtc::kPixelFormat_444YpCbCr8Planar, Kind::kPlanar, Chroma::k444, 8, false}}) {
    SCOPED_TRACE(vtc::PixelFormatName(f.format));
    const int w = 160, h = 96, frames = 5;
    Encoder e(w, h, f.format, {{vtc::key::kQuality, Value(0.75)}});
    ASSERT_TRUE(e.session);
    std::vector<Yuv> want;
    for (int i = 0; i < frames; ++i) {
      // Twice the session's size, in a pool of that size.
      const Yuv src = MakeYuv(2 * w, 2 * h, f.chroma, f.depth, i);
      want.push_back(Halve(src));
      vtc::PixelBufferPoolRef pool;
      ASSERT_EQ(vtc::PixelBufferPool::Create({{vtc::key::kPixelFormatType, Value(f.format)},
                                              {vtc::key::kWidth, Value(2 * w)},
                                              {vtc::key::kHeight, Value(2 * h)}},
                                             &pool),
                Status::kNoErr);
      vtc::PixelBufferRef b;
      ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
      WriteYuv(src, f, b);
      ASSERT_EQ(e.Encode(b, i), Status::kNoErr);
    }
    const auto samples = e.Finish(frames);
    EXPECT_EQ(e.conversions->load(), frames);
    Stream st;
    std::string error;
    ASSERT_TRUE(Decode(ToAnnexB(samples), &st, &error)) << error;
    EXPECT_EQ(st.width, w);
    EXPECT_EQ(st.height, h);
    EXPECT_EQ(st.pix_fmt, PixFmt(f.chroma, f.depth));
    ASSERT_EQ(st.frames.size(), size_t(frames));
    for (int i = 0; i < frames; ++i)
      EXPECT_GT(Psnr(want[size_t(i)], st.frames[size_t(i)]), kMinPsnr) << "frame " << i;
  }
}

// Enlarging, to an odd session size (coded at the even size, one extended pixel filled), from
// RGB and from a planar buffer of a different odd size; and sizes changing from frame to frame.
TEST(Scaling, AnySizeToAnOddSessionSizeDecodesAtTheSessionsSize) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  const int w = 161, h = 97;
  Encoder e(w, h, vtc::kPixelFormat_420YpCbCr8Planar, {});
  ASSERT_TRUE(e.session);
  const std::pair<int, int> sizes[] = {{80, 48}, {161, 97}, {333, 201}, {17, 9}, {161, 96}};
  int i = 0;
  for (auto [sw, sh] : sizes) {
    const Format f{vtc::kPixelFormat_420YpCbCr8Planar, Kind::kPlanar, Chroma::k420, 8, false};
    vtc::PixelBufferPoolRef pool;
    ASSERT_EQ(vtc::PixelBufferPool::Create({{vtc::key::kPixelFormatType, Value(f.format)},
                                            {vtc::key::kWidth, Value(sw)},
                                            {vtc::key::kHeight, Value(sh)}},
                                           &pool),
              Status::kNoErr);
    vtc::PixelBufferRef b;
    ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
    WriteYuv(MakeYuv(sw, sh, Chroma::k420, 8, i), f, b);
    ASSERT_EQ(e.Encode(b, i++), Status::kNoErr);
    // And an RGB frame of that size.
    ASSERT_EQ(
        vtc::PixelBufferPool::Create({{vtc::key::kPixelFormatType, Value(vtc::kPixelFormat_32BGRA)},
                                      {vtc::key::kWidth, Value(sw)},
                                      {vtc::key::kHeight, Value(sh)}},
                                     &pool),
        Status::kNoErr);
    ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
    WriteBars(b, false);
    ASSERT_EQ(e.Encode(b, i++), Status::kNoErr);
  }
  const auto samples = e.Finish(size_t(i));
  // Only the frame of the session's own size and format went in without a conversion.
  EXPECT_EQ(e.conversions->load(), i - 1);
  // Coded at the even size, the session's size in the format description (docs/session.md).
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples[0]->format_description()->display_width(), w);
  EXPECT_EQ(samples[0]->format_description()->display_height(), h);
  Stream st;
  std::string error;
  ASSERT_TRUE(Decode(ToAnnexB(samples), &st, &error)) << error;
  EXPECT_EQ(st.width, w + 1);
  EXPECT_EQ(st.height, h + 1);
  EXPECT_EQ(st.frames.size(), size_t(i));
}

// Formats change mid-stream: each frame is converted to what the stream was opened with (its
// first frame's format), and the stream stays one stream.
TEST(Transfer, FramesOfOtherFormatsJoinTheStreamInItsFormat) {
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not available";
  const int w = 128, h = 64;
  const Format nv12{vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange, Kind::kBiPlanar, Chroma::k420,
                    8, false};
  const Format others[] = {
      {vtc::kPixelFormat_422YpCbCr8Planar, Kind::kPlanar, Chroma::k422, 8, false},
      {vtc::kPixelFormat_420YpCbCr10BiPlanarVideoRange, Kind::kBiPlanarMsb, Chroma::k420, 10,
       false},
      {vtc::kPixelFormat_444YpCbCr10Planar, Kind::kPlanar, Chroma::k444, 10, false},
      {vtc::kPixelFormat_422YpCbCr10, Kind::kV210, Chroma::k422, 10, false},
      {vtc::kPixelFormat_420YpCbCr8Planar, Kind::kPlanar, Chroma::k420, 8, false},
  };
  Encoder e(w, h, nv12.format, {{vtc::key::kQuality, Value(0.75)}});
  ASSERT_TRUE(e.session);
  std::vector<Yuv> want;
  int i = 0;
  auto encode = [&](const Format& f) {
    vtc::PixelBufferPoolRef pool;
    ASSERT_EQ(vtc::PixelBufferPool::Create({{vtc::key::kPixelFormatType, Value(f.format)},
                                            {vtc::key::kWidth, Value(w)},
                                            {vtc::key::kHeight, Value(h)}},
                                           &pool),
              Status::kNoErr);
    vtc::PixelBufferRef b;
    ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
    const Yuv src = MakeYuv(w, h, f.chroma, f.depth, i);
    want.push_back(Reference(src, Chroma::k420, 8));
    WriteAny(src, f, b);
    ASSERT_EQ(e.Encode(b, i++), Status::kNoErr);
  };
  encode(nv12);
  for (const Format& f : others) encode(f);
  const auto samples = e.Finish(size_t(i));
  // I420 goes in as it is, like NV12; the 4:2:2, 10-bit and v210 frames are converted.
  EXPECT_EQ(e.conversions->load(), 4);
  Stream st;
  std::string error;
  ASSERT_TRUE(Decode(ToAnnexB(samples), &st, &error)) << error;
  EXPECT_EQ(st.profile, "High");
  EXPECT_EQ(st.pix_fmt, "yuv420p");
  ASSERT_EQ(st.frames.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k)
    EXPECT_GT(Psnr(want[k], st.frames[k]), kMinPsnr) << "frame " << k;
}

}  // namespace
}  // namespace vtctest
