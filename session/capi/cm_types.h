// SPDX-License-Identifier: GPL-2.0-or-later
// CoreMedia's sample objects on the CF runtime (internal, not installed): CMBlockBuffer over a
// sample's bytes, CMFormatDescription over vtc::FormatDescription, CMSampleBuffer over
// vtc::SampleBuffer, for the VideoToolbox layer to wrap the session's output.
#pragma once

#include <CoreMedia/CoreMedia.h>

#include <memory>
#include <mutex>

#include "cf_runtime.h"
#include "vtcompress/sample_buffer.h"

// A contiguous run of bytes kept alive by `owner` (a sample, a source block buffer's owner, or
// a copy made by CreateContiguous).
struct OpaqueCMBlockBuffer : vtc::cf::Object {
  OpaqueCMBlockBuffer(std::shared_ptr<const void> owner, const std::uint8_t* data,
                      std::size_t size);
  std::shared_ptr<const void> owner;
  const std::uint8_t* data;
  std::size_t size;
};

struct opaqueCMFormatDescription : vtc::cf::Object {
  explicit opaqueCMFormatDescription(vtc::FormatDescriptionRef d);
  ~opaqueCMFormatDescription();
  vtc::FormatDescriptionRef desc;
  CFDictionaryRef extensions;  // +1, made from desc->extensions() (never NULL)
};

struct opaqueCMSampleBuffer : vtc::cf::Object {
  opaqueCMSampleBuffer(vtc::SampleBufferRef s, CMFormatDescriptionRef fd);
  ~opaqueCMSampleBuffer();
  vtc::SampleBufferRef sample;
  CMBlockBufferRef data_buffer;      // +1, over the sample's bytes
  CMFormatDescriptionRef format;     // +1, or NULL when the sample has none
  std::mutex mu;                     // guards attachments
  CFArrayRef attachments = nullptr;  // +1 once made (GetSampleAttachmentsArray)
};

namespace vtc::cf {

// A new CMFormatDescription (+1) over a vtc description.
CMFormatDescriptionRef WrapFormatDescription(FormatDescriptionRef desc);
// A new CMSampleBuffer (+1) over a vtc sample. `format` is the wrapper of the sample's format
// description to share (retained), or NULL to make one.
CMSampleBufferRef WrapSampleBuffer(SampleBufferRef sample, CMFormatDescriptionRef format);
// The objects behind refs (nullptr, with a warning naming `function`, for what is not one).
const opaqueCMFormatDescription* AsFormatDescription(CMFormatDescriptionRef ref,
                                                     const char* function);
opaqueCMSampleBuffer* AsSampleBuffer(CMSampleBufferRef ref, const char* function);

}  // namespace vtc::cf
