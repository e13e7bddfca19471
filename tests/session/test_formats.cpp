// SPDX-License-Identifier: GPL-2.0-or-later
// Picture formats: every pixel format of keys.h laid out by pools and wrapped memory, coded in its
// own chroma format and bit depth with the matching profile (or converted to the profile's), and
// pixel transfer (RGB, UYVY, MSB-aligned 10 bits, v210, other sizes) checked by decoding with
// ffmpeg.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"

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

}  // namespace
}  // namespace vtctest
