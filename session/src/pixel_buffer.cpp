// SPDX-License-Identifier: GPL-2.0-or-later
#include "vtcompress/pixel_buffer.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "fault.h"
#include "pixel_format.h"

namespace vtc {
namespace {

constexpr int kMaxDimension = 16384;
constexpr int kMaxExtendedPixels = 64;

// Plane `i` of a format at a picture size: its samples per row and rows (PlaneFormat), and how
// many bytes a number of samples takes.
struct PlaneGeometry {
  int width, height;
  PlaneFormat plane;
  std::size_t RowBytes(int samples) const { return plane.RowBytes(samples); }
};

PlaneGeometry GeometryOf(const PixelFormatInfo& f, std::size_t i, int w, int h) {
  const PlaneFormat& p = f.planes[i];
  return {p.Width(w), p.Height(h), p};
}

// Extended pixels as they apply to plane i (in its samples: chroma planes are subsampled).
ExtendedPixels ExtendedOfPlane(const PixelFormatInfo& f, const ExtendedPixels& e, std::size_t i) {
  const PlaneFormat& p = f.planes[i];
  const int hs = p.h_shift, vs = p.v_shift;
  return {e.left >> hs, e.top >> vs, (e.right + (1 << hs) - 1) >> hs,
          (e.bottom + (1 << vs) - 1) >> vs};
}

bool ValidExtended(const PixelFormatInfo& f, const ExtendedPixels& e) {
  auto ok = [](int v) { return v >= 0 && v <= kMaxExtendedPixels; };
  // Left/top must be even so chroma origins stay on whole samples, and left must start a whole
  // block of a packed format (a pixel pair of UYVY, 6 pixels of v210).
  return ok(e.left) && ok(e.top) && ok(e.right) && ok(e.bottom) && e.left % 2 == 0 &&
         e.top % 2 == 0 && e.left % f.planes[0].block_samples == 0;
}

bool ReadInt(const Dictionary& d, const char* key, std::int64_t* out, Status* status) {
  auto it = d.find(key);
  if (it == d.end()) return false;
  if (!it->second.GetInt(out)) {
    *status = Status::kParameterErr;
    return false;
  }
  return true;
}

}  // namespace

// PlaneCountForFormat and IsSupportedPixelFormat are defined with the table (pixel_format.cpp).

std::string PixelFormatName(PixelFormatType format) {
  char s[5] = {char(format >> 24), char(format >> 16), char(format >> 8), char(format), 0};
  for (int i = 0; i < 4; ++i) {
    if (s[i] < 32 || s[i] > 126) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", format);
      return hex;
    }
  }
  return s;
}

Status PixelBuffer::CreateWithPlanarBytes(int width, int height, PixelFormatType format,
                                          const PlaneDescriptor* planes, std::size_t plane_count,
                                          ReleaseCallback release, PixelBufferRef* out,
                                          const ExtendedPixels& extended) {
  if (!out) return Status::kParameterErr;
  out->reset();
  const PixelFormatInfo* info = FindPixelFormat(format);
  if (!info) return Status::kPixelTransferNotSupportedErr;
  if (width < 1 || height < 1 || width > kMaxDimension || height > kMaxDimension)
    return Status::kParameterErr;
  if (!planes || plane_count != std::size_t(info->plane_count) || !ValidExtended(*info, extended))
    return Status::kParameterErr;
  for (std::size_t i = 0; i < plane_count; ++i) {
    const PlaneGeometry g = GeometryOf(*info, i, width, height);
    const ExtendedPixels e = ExtendedOfPlane(*info, extended, i);
    const std::size_t visible = g.RowBytes(g.width + e.right);
    const std::size_t row = g.RowBytes(e.left) + visible;
    // x264 takes strides as int.
    if (!planes[i].base || planes[i].bytes_per_row < row || planes[i].bytes_per_row > INT_MAX)
      return Status::kParameterErr;
    // From the visible origin: every following row, and the last row's visible + right part.
    std::size_t need = 0;
    if (__builtin_mul_overflow(planes[i].bytes_per_row, std::size_t(g.height - 1 + e.bottom),
                               &need) ||
        __builtin_add_overflow(need, visible, &need) || planes[i].size < need)
      return Status::kParameterErr;
  }
  std::shared_ptr<PixelBuffer> buffer(new (std::nothrow) PixelBuffer());
  if (!buffer) return Status::kAllocationFailedErr;
  buffer->width_ = width;
  buffer->height_ = height;
  buffer->format_ = format;
  buffer->plane_count_ = plane_count;
  buffer->extended_ = extended;
  for (std::size_t i = 0; i < plane_count; ++i) {
    buffer->planes_[i].base = static_cast<std::uint8_t*>(planes[i].base);
    buffer->planes_[i].bytes_per_row = planes[i].bytes_per_row;
  }
  buffer->release_ = std::move(release);
  *out = std::move(buffer);
  return Status::kNoErr;
}

PixelBuffer::~PixelBuffer() {
  if (release_) release_();
}

int PixelBuffer::width_of_plane(std::size_t i) const {
  const PixelFormatInfo* info = FindPixelFormat(format_);
  return info && i < plane_count_ ? GeometryOf(*info, i, width_, height_).width : 0;
}

int PixelBuffer::height_of_plane(std::size_t i) const {
  const PixelFormatInfo* info = FindPixelFormat(format_);
  return info && i < plane_count_ ? GeometryOf(*info, i, width_, height_).height : 0;
}

bool PixelBuffer::FillExtendedPixels(int right, int bottom) {
  if (right > extended_.right || bottom > extended_.bottom || right < 0 || bottom < 0) return false;
  const PixelFormatInfo* info = FindPixelFormat(format_);
  if (!info) return false;
  for (std::size_t i = 0; i < plane_count_; ++i) {
    const PlaneGeometry g = GeometryOf(*info, i, width_, height_);
    // Only what lies past the plane's own samples: the chroma of a 4:2:0 picture already covers
    // an odd luma column and row, and a UYVY pair an odd pixel.
    const std::size_t visible = g.RowBytes(g.width);
    const std::size_t padded = g.RowBytes(g.plane.Width(width_ + right));
    const int pb = g.plane.Height(height_ + bottom) - g.height;
    // Whole blocks: the last sample (a CbCr pair, a pixel, a UYVY pair) is repeated.
    const std::size_t block = std::size_t(g.plane.block_bytes);
    std::uint8_t* base = planes_[i].base;
    const std::size_t stride = planes_[i].bytes_per_row;
    for (int y = 0; y < g.height && padded > visible; ++y) {
      std::uint8_t* row = base + stride * y;
      for (std::size_t x = visible; x < padded; x += block)
        std::memcpy(row + x, row + visible - block, block);
    }
    for (int y = 0; y < pb; ++y)
      std::memcpy(base + stride * (g.height + y), base + stride * (g.height - 1), padded);
  }
  return true;
}

// --- Pool -------------------------------------------------------------------------------------

struct PixelBufferPool::Shared {
  std::mutex mu;  // leaf lock
  std::vector<void*> free_blocks;
  std::size_t outstanding = 0;
  std::size_t threshold = 0;  // 0 = unlimited
  int fail_at = 0;            // VTC_FAULT_INJECT alloc:N (fault.h); 0 = never
  int requests = 0;

  ~Shared() {
    for (void* p : free_blocks) std::free(p);
  }
  void Return(void* block) {
    std::lock_guard<std::mutex> lock(mu);
    --outstanding;
    free_blocks.push_back(block);
  }
};

Status PixelBufferPool::Create(const Dictionary& attributes, PixelBufferPoolRef* out) {
  if (!out) return Status::kParameterErr;
  out->reset();
  Status status = Status::kNoErr;

  // PixelFormatType: one number, or an array of numbers of which the first supported is used.
  PixelFormatType format = kPixelFormat_420YpCbCr8BiPlanarVideoRange;
  if (auto it = attributes.find(key::kPixelFormatType); it != attributes.end()) {
    std::vector<Value> candidates =
        it->second.IsArray() ? it->second.AsArray() : std::vector<Value>{it->second};
    bool found = false;
    for (const Value& v : candidates) {
      std::int64_t f;
      if (!v.GetInt(&f)) return Status::kParameterErr;
      if (!found && FindPixelFormat(static_cast<PixelFormatType>(f))) {
        format = static_cast<PixelFormatType>(f);
        found = true;
      }
    }
    if (!found) return Status::kPixelTransferNotSupportedErr;
  }
  std::int64_t w = 0, h = 0, align = 16, min_count = 0, threshold = 0;
  std::int64_t ext[4] = {0, 0, 0, 0};
  const char* ext_keys[4] = {key::kExtendedPixelsLeft, key::kExtendedPixelsTop,
                             key::kExtendedPixelsRight, key::kExtendedPixelsBottom};
  if (!ReadInt(attributes, key::kWidth, &w, &status) ||
      !ReadInt(attributes, key::kHeight, &h, &status))
    return Status::kParameterErr;
  ReadInt(attributes, key::kBytesPerRowAlignment, &align, &status);
  ReadInt(attributes, key::kPoolMinimumBufferCount, &min_count, &status);
  ReadInt(attributes, key::kPoolAllocationThreshold, &threshold, &status);
  for (int i = 0; i < 4; ++i) ReadInt(attributes, ext_keys[i], &ext[i], &status);
  if (status != Status::kNoErr) return status;
  if (w < 1 || h < 1 || w > kMaxDimension || h > kMaxDimension) return Status::kParameterErr;
  // 0 and 1 mean "no particular alignment", as in CoreVideo.
  if (align <= 1) align = 1;
  if (align > 4096 || (align & (align - 1)) != 0) return Status::kParameterErr;
  if (min_count < 0 || min_count > 256 || threshold < 0 || threshold > 4096)
    return Status::kParameterErr;
  ExtendedPixels extended{int(ext[0]), int(ext[1]), int(ext[2]), int(ext[3])};
  for (std::int64_t e : ext)
    if (e < 0 || e > kMaxExtendedPixels) return Status::kParameterErr;
  const PixelFormatInfo& info = *FindPixelFormat(format);
  if (!ValidExtended(info, extended)) return Status::kParameterErr;

  std::shared_ptr<PixelBufferPool> pool(new (std::nothrow) PixelBufferPool());
  if (!pool) return Status::kAllocationFailedErr;
  pool->width_ = int(w);
  pool->height_ = int(h);
  pool->format_ = format;
  pool->extended_ = extended;
  pool->alignment_ = std::size_t(align);
  // Plane starts are aligned to at least 64 bytes (cache line / SIMD), rows to `align`.
  const std::size_t plane_align = std::max<std::size_t>(64, pool->alignment_);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < std::size_t(info.plane_count); ++i) {
    const PlaneGeometry g = GeometryOf(info, i, pool->width_, pool->height_);
    const ExtendedPixels e = ExtendedOfPlane(info, extended, i);
    const std::size_t left = g.RowBytes(e.left);
    const std::size_t row = left + g.RowBytes(g.width + e.right);
    // v210 rows are padded to 128 bytes (48 pixels), as CoreVideo lays them out.
    const std::size_t align = info.layout == PixelLayout::kV210
                                  ? std::max<std::size_t>(128, pool->alignment_)
                                  : pool->alignment_;
    const std::size_t stride = (row + align - 1) / align * align;
    offset = (offset + plane_align - 1) / plane_align * plane_align;
    pool->bytes_per_row_[i] = stride;
    pool->plane_offset_[i] = offset + stride * std::size_t(e.top) + left;
    offset += stride * std::size_t(e.top + g.height + e.bottom);
  }
  pool->allocation_size_ = (offset + plane_align - 1) / plane_align * plane_align;
  pool->shared_ = std::make_shared<Shared>();
  pool->shared_->threshold = std::size_t(threshold);
  pool->shared_->fail_at = fault::After("alloc");

  Dictionary& a = pool->attributes_;
  a[key::kPixelFormatType] = Value(static_cast<std::int64_t>(format));
  a[key::kWidth] = Value(w);
  a[key::kHeight] = Value(h);
  a[key::kBytesPerRowAlignment] = Value(align);
  for (int i = 0; i < 4; ++i) a[ext_keys[i]] = Value(ext[i]);
  a[key::kPoolMinimumBufferCount] = Value(min_count);
  a[key::kPoolAllocationThreshold] = Value(threshold);

  for (std::int64_t i = 0; i < min_count; ++i) {
    void* block = std::aligned_alloc(plane_align, pool->allocation_size_);
    if (!block) return Status::kAllocationFailedErr;
    pool->shared_->free_blocks.push_back(block);
  }
  *out = std::move(pool);
  return Status::kNoErr;
}

PixelBufferPool::~PixelBufferPool() = default;

Status PixelBufferPool::CreatePixelBuffer(PixelBufferRef* out) {
  if (!out) return Status::kParameterErr;
  out->reset();
  void* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->threshold && shared_->outstanding >= shared_->threshold)
      return Status::kAllocationFailedErr;
    if (shared_->fail_at && ++shared_->requests == shared_->fail_at)
      return Status::kAllocationFailedErr;  // injected: as if memory ran out here
    if (!shared_->free_blocks.empty()) {
      block = shared_->free_blocks.back();
      shared_->free_blocks.pop_back();
    }
    ++shared_->outstanding;
  }
  if (!block) {
    block = std::aligned_alloc(std::max<std::size_t>(64, alignment_), allocation_size_);
    if (!block) {
      std::lock_guard<std::mutex> lock(shared_->mu);
      --shared_->outstanding;
      return Status::kAllocationFailedErr;
    }
  }
  std::shared_ptr<PixelBuffer> buffer(new (std::nothrow) PixelBuffer());
  if (!buffer) {
    shared_->Return(block);
    return Status::kAllocationFailedErr;
  }
  buffer->width_ = width_;
  buffer->height_ = height_;
  buffer->format_ = format_;
  buffer->plane_count_ = PlaneCountForFormat(format_);
  buffer->extended_ = extended_;
  buffer->block_ = static_cast<std::uint8_t*>(block);
  buffer->block_size_ = allocation_size_;
  for (std::size_t i = 0; i < buffer->plane_count_; ++i) {
    buffer->planes_[i].base = static_cast<std::uint8_t*>(block) + plane_offset_[i];
    buffer->planes_[i].bytes_per_row = bytes_per_row_[i];
  }
  // The memory goes back to the pool's shared state, which outlives the pool if need be.
  std::shared_ptr<Shared> shared = shared_;
  buffer->release_ = [shared, block] { shared->Return(block); };
  *out = std::move(buffer);
  return Status::kNoErr;
}

std::size_t PixelBufferPool::outstanding_count() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->outstanding;
}

std::size_t PixelBufferPool::free_count() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->free_blocks.size();
}

void PixelBufferPool::Flush() {
  std::vector<void*> blocks;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    blocks.swap(shared_->free_blocks);
  }
  for (void* p : blocks) std::free(p);
}

}  // namespace vtc
