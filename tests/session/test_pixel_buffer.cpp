// SPDX-License-Identifier: GPL-2.0-or-later
// Pixel buffers (wrapped memory) and pools: layout, validation, reuse, thresholds.
#include <gtest/gtest.h>

#include "test_util.h"

using vtc::Status;
using vtc::Value;

namespace {

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;
constexpr vtc::PixelFormatType kI420 = vtc::kPixelFormat_420YpCbCr8Planar;

TEST(PixelBuffer, WrapsMemoryAndReleasesOnce) {
  std::vector<uint8_t> mem(64 * 48 * 2);
  int released = 0;
  vtc::PlaneDescriptor planes[2] = {{mem.data(), 64, 64 * 48}, {mem.data() + 64 * 48, 64, 64 * 24}};
  vtc::PixelBufferRef buf;
  ASSERT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(
                63, 47, kNV12, planes, 2, [&] { ++released; }, &buf),
            Status::kNoErr);
  EXPECT_EQ(buf->width_of_plane(0), 63);
  EXPECT_EQ(buf->base_address(), nullptr);
  EXPECT_EQ(buf->width_of_plane(1), 32);
  EXPECT_EQ(buf->height_of_plane(1), 24);
  auto copy = buf;
  buf.reset();
  EXPECT_EQ(released, 0);
  copy.reset();
  EXPECT_EQ(released, 1);
}

TEST(PixelBuffer, RejectsImpossibleLayoutsWithoutCallingRelease) {
  std::vector<uint8_t> mem(64 * 64 * 2);
  int released = 0;
  auto release = [&] { ++released; };
  vtc::PixelBufferRef buf;
  vtc::PlaneDescriptor ok2[2] = {{mem.data(), 64, 64 * 48}, {mem.data() + 64 * 48, 64, 64 * 24}};
  // Unsupported format.
  EXPECT_EQ(
      vtc::PixelBuffer::CreateWithPlanarBytes(64, 48, vtc::FourCC("b64a"), ok2, 2, release, &buf),
      Status::kPixelTransferNotSupportedErr);
  // Sizes.
  for (auto [w, h] : {std::pair{0, 48}, {64, 0}, {-1, 8}, {16385, 8}}) {
    EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(w, h, kNV12, ok2, 2, release, &buf),
              Status::kParameterErr);
  }
  // Wrong plane count for the format.
  EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(64, 48, kI420, ok2, 2, release, &buf),
            Status::kParameterErr);
  // Stride shorter than a row.
  vtc::PlaneDescriptor narrow[2] = {{mem.data(), 32, 64 * 48}, {mem.data() + 64 * 48, 64, 64 * 24}};
  EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(64, 48, kNV12, narrow, 2, release, &buf),
            Status::kParameterErr);
  // Plane smaller than its rows.
  vtc::PlaneDescriptor small[2] = {{mem.data(), 64, 64 * 47}, {mem.data() + 64 * 48, 64, 64 * 24}};
  EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(64, 48, kNV12, small, 2, release, &buf),
            Status::kParameterErr);
  // Null base.
  vtc::PlaneDescriptor null_base[2] = {{nullptr, 64, 64 * 48}, {mem.data(), 64, 64 * 24}};
  EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(64, 48, kNV12, null_base, 2, release, &buf),
            Status::kParameterErr);
  // Extended pixels the memory does not hold.
  EXPECT_EQ(vtc::PixelBuffer::CreateWithPlanarBytes(64, 48, kNV12, ok2, 2, release, &buf,
                                                    vtc::ExtendedPixels{0, 0, 2, 0}),
            Status::kParameterErr);
  EXPECT_EQ(released, 0);
  EXPECT_FALSE(buf);
}

TEST(PixelBufferPool, LaysOutBuffersAsTheAttributesAsk) {
  vtc::PixelBufferPoolRef pool;
  ASSERT_EQ(
      vtc::PixelBufferPool::Create({{vtc::key::kPixelFormatType,
                                     Value(vtc::Array{Value(vtc::FourCC("b64a")), Value(kI420)})},
                                    {vtc::key::kWidth, Value(100)},
                                    {vtc::key::kHeight, Value(50)},
                                    {vtc::key::kBytesPerRowAlignment, Value(128)},
                                    {vtc::key::kExtendedPixelsLeft, Value(16)},
                                    {vtc::key::kExtendedPixelsTop, Value(8)},
                                    {vtc::key::kExtendedPixelsRight, Value(4)},
                                    {vtc::key::kExtendedPixelsBottom, Value(2)}},
                                   &pool),
      Status::kNoErr);
  EXPECT_EQ(pool->pixel_format(), kI420);  // first supported entry of the array
  vtc::PixelBufferRef b;
  ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
  ASSERT_EQ(b->plane_count(), 3u);
  ASSERT_NE(b->base_address(), nullptr);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GE(b->base_address_of_plane(i), b->base_address());
    EXPECT_LT(b->base_address_of_plane(i), b->base_address() + b->data_size());
  }
  EXPECT_EQ(b->width(), 100);
  EXPECT_EQ(b->height(), 50);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(b->bytes_per_row_of_plane(i) % 128, 0u) << i;
    // Writing every visible and extended sample stays inside the allocation (ASan would tell).
    const auto& e = b->extended_pixels();
    const int div = i == 0 ? 1 : 2;
    uint8_t* origin = b->base_address_of_plane(i);
    for (int y = -e.top / div; y < b->height_of_plane(i) + (e.bottom + div - 1) / div; ++y)
      for (int x = -e.left / div; x < b->width_of_plane(i) + (e.right + div - 1) / div; ++x)
        origin[std::ptrdiff_t(y) * std::ptrdiff_t(b->bytes_per_row_of_plane(i)) + x] = 1;
  }
  const auto& attrs = pool->pixel_buffer_attributes();
  EXPECT_EQ(attrs.at(vtc::key::kPixelFormatType), Value(kI420));
  EXPECT_EQ(attrs.at(vtc::key::kBytesPerRowAlignment), Value(128));
}

TEST(PixelBufferPool, RejectsBadAttributes) {
  vtc::PixelBufferPoolRef pool;
  const vtc::Dictionary base{{vtc::key::kWidth, Value(64)}, {vtc::key::kHeight, Value(64)}};
  auto with = [&](const char* k, Value v) {
    vtc::Dictionary d = base;
    d[k] = std::move(v);
    return vtc::PixelBufferPool::Create(d, &pool);
  };
  EXPECT_EQ(with(vtc::key::kPixelFormatType, Value(vtc::FourCC("b64a"))),
            Status::kPixelTransferNotSupportedErr);
  EXPECT_EQ(with(vtc::key::kPixelFormatType, Value("nv12")), Status::kParameterErr);
  EXPECT_EQ(with(vtc::key::kBytesPerRowAlignment, Value(48)), Status::kParameterErr);
  EXPECT_EQ(with(vtc::key::kExtendedPixelsLeft, Value(3)), Status::kParameterErr);
  EXPECT_EQ(with(vtc::key::kExtendedPixelsRight, Value(-1)), Status::kParameterErr);
  EXPECT_EQ(with(vtc::key::kWidth, Value(0)), Status::kParameterErr);
  EXPECT_EQ(with(vtc::key::kHeight, Value(20000)), Status::kParameterErr);
  EXPECT_EQ(vtc::PixelBufferPool::Create({}, &pool), Status::kParameterErr);
  EXPECT_FALSE(pool);
}

TEST(PixelBufferPool, ReusesReturnedBuffersAndHonoursItsThreshold) {
  vtc::PixelBufferPoolRef pool;
  ASSERT_EQ(vtc::PixelBufferPool::Create({{vtc::key::kWidth, Value(32)},
                                          {vtc::key::kHeight, Value(32)},
                                          {vtc::key::kPoolMinimumBufferCount, Value(2)},
                                          {vtc::key::kPoolAllocationThreshold, Value(3)}},
                                         &pool),
            Status::kNoErr);
  EXPECT_EQ(pool->free_count(), 2u);
  vtc::PixelBufferRef a, b, c, d;
  ASSERT_EQ(pool->CreatePixelBuffer(&a), Status::kNoErr);
  ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
  ASSERT_EQ(pool->CreatePixelBuffer(&c), Status::kNoErr);
  EXPECT_EQ(pool->CreatePixelBuffer(&d), Status::kAllocationFailedErr);
  EXPECT_FALSE(d);
  EXPECT_EQ(pool->outstanding_count(), 3u);
  uint8_t* mem = b->base_address_of_plane(0);
  b.reset();
  ASSERT_EQ(pool->CreatePixelBuffer(&d), Status::kNoErr);
  EXPECT_EQ(d->base_address_of_plane(0), mem);
  // Buffers may outlive their pool.
  pool.reset();
  a.reset();
  c.reset();
  d.reset();
}

TEST(PixelBuffer, FillExtendedPixelsRepeatsTheEdge) {
  vtc::PixelBufferPoolRef pool;
  ASSERT_EQ(vtc::PixelBufferPool::Create({{vtc::key::kWidth, Value(5)},
                                          {vtc::key::kHeight, Value(3)},
                                          {vtc::key::kExtendedPixelsRight, Value(1)},
                                          {vtc::key::kExtendedPixelsBottom, Value(1)}},
                                         &pool),
            Status::kNoErr);
  vtc::PixelBufferRef b;
  ASSERT_EQ(pool->CreatePixelBuffer(&b), Status::kNoErr);
  uint8_t* y = b->base_address_of_plane(0);
  const size_t s = b->bytes_per_row_of_plane(0);
  for (int r = 0; r < 3; ++r)
    for (int x = 0; x < 5; ++x) y[r * s + x] = uint8_t(10 * r + x);
  EXPECT_FALSE(b->FillExtendedPixels(2, 1));
  ASSERT_TRUE(b->FillExtendedPixels(1, 1));
  for (int r = 0; r < 3; ++r) EXPECT_EQ(y[r * s + 5], y[r * s + 4]);
  for (int x = 0; x < 6; ++x) EXPECT_EQ(y[3 * s + x], y[2 * s + x]);
}

}  // namespace
