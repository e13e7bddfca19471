// SPDX-License-Identifier: GPL-2.0-or-later
// CoreVideo's objects on the CF runtime (internal, not installed): CVPixelBuffer over
// vtc::PixelBuffer and CVPixelBufferPool over vtc::PixelBufferPool, for the VideoToolbox layer
// to wrap and unwrap.
#pragma once

#include <CoreVideo/CoreVideo.h>

#include <mutex>

#include "cf_runtime.h"
#include "vtcompress/pixel_buffer.h"

struct __CVBuffer : vtc::cf::Object {
  __CVBuffer(vtc::PixelBufferRef b, void* data, std::size_t size);
  ~__CVBuffer();
  vtc::PixelBufferRef buffer;
  void* data_ptr;  // CreateWithPlanarBytes' dataPtr (else the buffer's own block)
  std::size_t data_size;
  std::mutex mu;                                               // guards what follows
  CFMutableDictionaryRef attachments[2] = {nullptr, nullptr};  // by CVAttachmentMode
  long locks[2] = {0, 0};                                      // read-write, read-only
};

struct __CVPixelBufferPool : vtc::cf::Object {
  __CVPixelBufferPool(vtc::PixelBufferPoolRef p, CFDictionaryRef pool_attributes);
  ~__CVPixelBufferPool();
  vtc::PixelBufferPoolRef pool;
  CFDictionaryRef pool_attributes;    // +1 copy, or NULL
  CFDictionaryRef buffer_attributes;  // +1, built from the vtc pool's
};

namespace vtc::cf {

// The buffer behind a CVPixelBufferRef (nullptr, with a warning naming `function`, for what is
// not one).
__CVBuffer* AsPixelBuffer(CVPixelBufferRef ref, const char* function);
__CVPixelBufferPool* AsPixelBufferPool(CVPixelBufferPoolRef ref, const char* function);

// A new CVPixelBuffer (+1) over a vtc buffer.
CVPixelBufferRef WrapPixelBuffer(PixelBufferRef buffer);
// A new CVPixelBufferPool (+1) over a vtc pool.
CVPixelBufferPoolRef WrapPixelBufferPool(PixelBufferPoolRef pool);

// Pixel buffer attributes as the session reads them: every entry converted with ToValue, except
// the keys CoreVideo has and the session ignores (IOSurfaceProperties, OpenGL/Metal/CGImage
// compatibility, MemoryAllocator, ...), which are dropped. NULL gives an empty dictionary. False
// for a key that is not a CFString or a value that does not convert.
bool PixelBufferAttributesToDictionary(CFDictionaryRef attributes, Dictionary* out);

}  // namespace vtc::cf
