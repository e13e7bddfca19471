// SPDX-License-Identifier: GPL-2.0-or-later
// Pixel buffers and pools, after CoreVideo's CVPixelBuffer and CVPixelBufferPool.
//
// Ownership: buffers and pools are reference counted through std::shared_ptr (CFRetain/CFRelease).
// The session retains each buffer passed to EncodeFrame until that frame's output callback has
// returned, so a wrapped buffer's release callback and a pool buffer's return to its pool both
// happen only after the frame has been answered (and after the caller dropped its own reference).
//
// Threading: a PixelBuffer is immutable apart from its pixels; the caller must not write the
// pixels of a buffer it has passed to EncodeFrame until it gets the buffer back (release callback
// or pool reuse). A PixelBufferPool may be used from any thread.
#pragma once

#include "vtcompress/export.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "vtcompress/keys.h"
#include "vtcompress/status.h"
#include "vtcompress/value.h"

namespace vtc {

// Pixels around the picture that belong to the buffer (kCVPixelBufferExtendedPixels*), in luma
// samples. A session fills the right/bottom ones in place when it needs an even coded size.
struct ExtendedPixels {
  int left = 0, top = 0, right = 0, bottom = 0;
};

// One plane of caller memory: base points at the first visible sample, bytes_per_row is the
// stride, size is how many bytes are readable from base (used to validate the layout).
struct PlaneDescriptor {
  void* base = nullptr;
  std::size_t bytes_per_row = 0;
  std::size_t size = 0;
};

class PixelBuffer;
using PixelBufferRef = std::shared_ptr<PixelBuffer>;

// Planes per format (keys.h lists the formats): 3 for planar YUV ('y420', 'y422', 'yx20', ...), 2
// for bi-planar ('420v', '422v', 'x420', ...), 1 for packed ('2vuy', 'v210', 'BGRA', 32ARGB); 0
// if the format is not supported.
VTC_EXPORT std::size_t PlaneCountForFormat(PixelFormatType format);
VTC_EXPORT bool IsSupportedPixelFormat(PixelFormatType format);
// "420v", "420f", "y420", or the number in hex (32ARGB is "0x00000020").
VTC_EXPORT std::string PixelFormatName(PixelFormatType format);

class VTC_EXPORT PixelBuffer {
 public:
  // Runs once, when the last reference to the buffer is dropped.
  using ReleaseCallback = std::function<void()>;

  // Wraps caller memory without copying (CVPixelBufferCreateWithPlanarBytes). Checks that the
  // format is supported, the size is 1..16384, each stride holds a row (plus extended pixels)
  // and each plane's size covers every row; kParameterErr or kPixelTransferNotSupportedErr
  // otherwise, and then `release` is not called (the memory stays the caller's). Strides and
  // sizes are in bytes, also for 16-bit samples (a 10-bit plane's row takes 2 bytes a sample).
  // Chroma planes are ceil(width / 2) samples wide for 4:2:0 and 4:2:2 (interleaved CbCr: that
  // many pairs), ceil(height / 2) rows for 4:2:0; v210 rows hold whole groups of 6 pixels.
  static Status CreateWithPlanarBytes(int width, int height, PixelFormatType format,
                                      const PlaneDescriptor* planes, std::size_t plane_count,
                                      ReleaseCallback release, PixelBufferRef* out,
                                      const ExtendedPixels& extended = {});

  ~PixelBuffer();
  PixelBuffer(const PixelBuffer&) = delete;
  PixelBuffer& operator=(const PixelBuffer&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  PixelFormatType pixel_format() const { return format_; }
  std::size_t plane_count() const { return plane_count_; }
  std::uint8_t* base_address_of_plane(std::size_t i) const { return planes_[i].base; }
  std::size_t bytes_per_row_of_plane(std::size_t i) const { return planes_[i].bytes_per_row; }
  // Visible samples per row in plane i (chroma pairs count once for a bi-planar CbCr plane;
  // pixels for packed formats).
  int width_of_plane(std::size_t i) const;
  int height_of_plane(std::size_t i) const;
  const ExtendedPixels& extended_pixels() const { return extended_; }
  // The one allocation that holds every plane, for buffers from a pool
  // (CVPixelBufferGetBaseAddress / GetDataSize); null and 0 for wrapped planar memory.
  std::uint8_t* base_address() const { return block_; }
  std::size_t data_size() const { return block_size_; }

  // Copies the edge column/row into the right/bottom extended pixels, up to `right`/`bottom` of
  // them in luma samples, in every plane that has samples there (CVPixelBufferFillExtendedPixels,
  // limited to what the session needs). False if the buffer does not have that many.
  bool FillExtendedPixels(int right, int bottom);

 private:
  struct Plane {
    std::uint8_t* base = nullptr;
    std::size_t bytes_per_row = 0;
  };
  PixelBuffer() = default;
  friend class PixelBufferPool;

  int width_ = 0, height_ = 0;
  PixelFormatType format_ = 0;
  std::size_t plane_count_ = 0;
  Plane planes_[3];
  ExtendedPixels extended_;
  std::uint8_t* block_ = nullptr;
  std::size_t block_size_ = 0;
  ReleaseCallback release_;
};

class PixelBufferPool;
using PixelBufferPoolRef = std::shared_ptr<PixelBufferPool>;

// Hands out buffers laid out as its attributes ask and takes them back when their last reference
// drops (CVPixelBufferPool). Memory of returned buffers is reused; the pool and its buffers may
// be released in any order.
class VTC_EXPORT PixelBufferPool {
 public:
  // Attributes: PixelFormatType (number, or array whose first supported entry is used), Width,
  // Height (required, 1..16384), BytesPerRowAlignment (default 16, a power of two up to 4096),
  // ExtendedPixels{Left,Top,Right,Bottom} (0..64; left/top even), MinimumBufferCount
  // (preallocated), AllocationThreshold (0 = unlimited). Wrong types or values: kParameterErr;
  // an unsupported format: kPixelTransferNotSupportedErr. Every format in keys.h is supported;
  // v210 rows are aligned to at least 128 bytes, as CoreVideo's.
  static Status Create(const Dictionary& attributes, PixelBufferPoolRef* out);

  ~PixelBufferPool();

  // kAllocationFailedErr when the threshold is reached or memory runs out.
  Status CreatePixelBuffer(PixelBufferRef* out);

  // The attributes the buffers really have (the resolved format, alignment and extents).
  const Dictionary& pixel_buffer_attributes() const { return attributes_; }
  // Buffers alive now (handed out, not yet returned), and idle buffers kept for reuse.
  std::size_t outstanding_count() const;
  std::size_t free_count() const;
  // Frees the idle buffers (CVPixelBufferPoolFlush).
  void Flush();

  int width() const { return width_; }
  int height() const { return height_; }
  PixelFormatType pixel_format() const { return format_; }

 private:
  struct Shared;
  PixelBufferPool() = default;

  Dictionary attributes_;
  int width_ = 0, height_ = 0;
  PixelFormatType format_ = 0;
  ExtendedPixels extended_;
  std::size_t alignment_ = 16;
  std::size_t bytes_per_row_[3] = {};
  std::size_t plane_offset_[3] = {};  // offset of each plane's first visible sample
  std::size_t allocation_size_ = 0;
  std::shared_ptr<Shared> shared_;
};

}  // namespace vtc
