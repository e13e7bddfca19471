// SPDX-License-Identifier: GPL-2.0-or-later
// CVBuffer, CVPixelBuffer and CVPixelBufferPool over vtc::PixelBuffer and vtc::PixelBufferPool.
// Layouts, validation and allocation are the session's (pixel_buffer.h); this file translates
// arguments, statuses and ownership.
#include <cinttypes>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cf_types.h"
#include "cf_value.h"
#include "cv_types.h"
#include "vtcompress/color.h"

using vtc::Status;

namespace vtc::cf {
namespace {

// The largest width or height the session takes (PixelBuffer / PixelBufferPool say 1..16384).
constexpr std::size_t kMaxDimension = 16384;

std::string DescribePixelBuffer(const Object* o) {
  const auto* b = static_cast<const __CVBuffer*>(o);
  char text[128];
  std::snprintf(text, sizeof text, "<CVPixelBuffer %p %dx%d %s>", static_cast<const void*>(b),
                b->buffer->width(), b->buffer->height(),
                PixelFormatName(b->buffer->pixel_format()).c_str());
  return text;
}

std::string DescribePool(const Object* o) {
  const auto* p = static_cast<const __CVPixelBufferPool*>(o);
  char text[128];
  std::snprintf(text, sizeof text, "<CVPixelBufferPool %p %dx%d %s>", static_cast<const void*>(p),
                p->pool->width(), p->pool->height(),
                PixelFormatName(p->pool->pixel_format()).c_str());
  return text;
}

// Keys CoreVideo defines that mean nothing without IOSurface, OpenGL, Metal or CoreGraphics.
bool IsIgnoredAttribute(std::string_view key) {
  static const char* const kIgnored[] = {
      "IOSurfaceProperties",   "OpenGLCompatibility",
      "OpenGLESCompatibility", "MetalCompatibility",
      "CGImageCompatibility",  "CGBitmapContextCompatibility",
      "PlaneAlignment",        "MemoryAllocator",
      "MaximumBufferAge",      "OpenGLTextureCacheCompatibility"};
  for (const char* k : kIgnored)
    if (key == k) return true;
  return false;
}

CVReturn ToCVReturn(Status s) {
  switch (s) {
    case Status::kNoErr:
      return kCVReturnSuccess;
    case Status::kPixelTransferNotSupportedErr:
      return kCVReturnInvalidPixelFormat;
    case Status::kAllocationFailedErr:
      return kCVReturnAllocationFailed;
    default:
      return kCVReturnInvalidArgument;
  }
}

// Attributes to the session's dictionary, or kCVReturnInvalidPixelBufferAttributes.
CVReturn ReadAttributes(CFDictionaryRef attributes, Dictionary* out, const char* function) {
  if (!PixelBufferAttributesToDictionary(attributes, out)) {
    Warn(function, "pixel buffer attributes that do not convert (not CF property values)");
    return kCVReturnInvalidPixelBufferAttributes;
  }
  return kCVReturnSuccess;
}

CVReturn CheckSize(std::size_t width, std::size_t height, const char* function) {
  if (width < 1 || height < 1 || width > kMaxDimension || height > kMaxDimension) {
    Warn(function, "size %zux%zu outside 1..%zu", width, height, kMaxDimension);
    return kCVReturnInvalidSize;
  }
  return kCVReturnSuccess;
}

}  // namespace

__CVBuffer* AsPixelBuffer(CVPixelBufferRef ref, const char* function) {
  auto* b = CastMutable<__CVBuffer>(ref, CVPixelBufferGetTypeID());
  if (!b) Warn(function, ref ? "not a CVPixelBuffer" : "NULL pixel buffer");
  return b;
}

__CVPixelBufferPool* AsPixelBufferPool(CVPixelBufferPoolRef ref, const char* function) {
  auto* p = CastMutable<__CVPixelBufferPool>(ref, CVPixelBufferPoolGetTypeID());
  if (!p) Warn(function, ref ? "not a CVPixelBufferPool" : "NULL pool");
  return p;
}

CVPixelBufferRef WrapPixelBuffer(PixelBufferRef buffer) {
  void* base = buffer->base_address();
  std::size_t size = buffer->data_size();
  return New<__CVBuffer>(std::move(buffer), base, size);
}

CVPixelBufferPoolRef WrapPixelBufferPool(PixelBufferPoolRef pool) {
  return New<__CVPixelBufferPool>(std::move(pool), nullptr);
}

bool PixelBufferAttributesToDictionary(CFDictionaryRef attributes, Dictionary* out) {
  out->clear();
  if (!attributes) return true;
  if (CFGetTypeID(attributes) != CFDictionaryGetTypeID()) return false;
  const CFIndex n = CFDictionaryGetCount(attributes);
  std::vector<const void*> keys(n), values(n);
  CFDictionaryGetKeysAndValues(attributes, keys.data(), values.data());
  Dictionary result;
  for (CFIndex i = 0; i < n; ++i) {
    std::string_view key;
    if (!StringText(keys[i], &key)) return false;
    if (IsIgnoredAttribute(key)) continue;
    Value v;
    if (!ToValue(values[i], &v)) return false;
    result.emplace(std::string(key), std::move(v));
  }
  *out = std::move(result);
  return true;
}

}  // namespace vtc::cf

using namespace vtc::cf;

__CVBuffer::__CVBuffer(vtc::PixelBufferRef b, void* data, std::size_t size)
    : Object(CVPixelBufferGetTypeID(), kMagicCounted),
      buffer(std::move(b)),
      data_ptr(data),
      data_size(size) {}

__CVBuffer::~__CVBuffer() {
  for (CFMutableDictionaryRef d : attachments)
    if (d) CFRelease(d);
}

__CVPixelBufferPool::__CVPixelBufferPool(vtc::PixelBufferPoolRef p, CFDictionaryRef attrs)
    : Object(CVPixelBufferPoolGetTypeID(), kMagicCounted),
      pool(std::move(p)),
      pool_attributes(attrs ? CFDictionaryCreateCopy(nullptr, attrs) : nullptr),
      buffer_attributes(nullptr) {
  CFTypeRef cf = nullptr;
  // The vtc pool's attributes are plain numbers; they always convert.
  if (CreateCFValue(vtc::Value(pool->pixel_buffer_attributes()), &cf))
    buffer_attributes = static_cast<CFDictionaryRef>(cf);
}

__CVPixelBufferPool::~__CVPixelBufferPool() {
  if (pool_attributes) CFRelease(pool_attributes);
  if (buffer_attributes) CFRelease(buffer_attributes);
}

extern "C" {

// Attribute keys: the session's key strings (vtcompress/keys.h; test_cv_pixel_buffer checks).
const CFStringRef kCVPixelBufferPixelFormatTypeKey = CFSTR("PixelFormatType");
const CFStringRef kCVPixelBufferWidthKey = CFSTR("Width");
const CFStringRef kCVPixelBufferHeightKey = CFSTR("Height");
const CFStringRef kCVPixelBufferBytesPerRowAlignmentKey = CFSTR("BytesPerRowAlignment");
const CFStringRef kCVPixelBufferExtendedPixelsLeftKey = CFSTR("ExtendedPixelsLeft");
const CFStringRef kCVPixelBufferExtendedPixelsTopKey = CFSTR("ExtendedPixelsTop");
const CFStringRef kCVPixelBufferExtendedPixelsRightKey = CFSTR("ExtendedPixelsRight");
const CFStringRef kCVPixelBufferExtendedPixelsBottomKey = CFSTR("ExtendedPixelsBottom");
const CFStringRef kCVPixelBufferIOSurfacePropertiesKey = CFSTR("IOSurfaceProperties");
const CFStringRef kCVPixelBufferOpenGLCompatibilityKey = CFSTR("OpenGLCompatibility");
const CFStringRef kCVPixelBufferOpenGLESCompatibilityKey = CFSTR("OpenGLESCompatibility");
const CFStringRef kCVPixelBufferMetalCompatibilityKey = CFSTR("MetalCompatibility");
const CFStringRef kCVPixelBufferCGImageCompatibilityKey = CFSTR("CGImageCompatibility");
const CFStringRef kCVPixelBufferCGBitmapContextCompatibilityKey =
    CFSTR("CGBitmapContextCompatibility");
const CFStringRef kCVPixelBufferPlaneAlignmentKey = CFSTR("PlaneAlignment");
const CFStringRef kCVPixelBufferMemoryAllocatorKey = CFSTR("MemoryAllocator");
const CFStringRef kCVPixelBufferPoolMinimumBufferCountKey = CFSTR("MinimumBufferCount");
const CFStringRef kCVPixelBufferPoolMaximumBufferAgeKey = CFSTR("MaximumBufferAge");
const CFStringRef kCVPixelBufferPoolAllocationThresholdKey = CFSTR("AllocationThreshold");
const CFStringRef kCVBufferPropagatedAttachmentsKey = CFSTR("PropagatedAttachments");
const CFStringRef kCVBufferNonPropagatedAttachmentsKey = CFSTR("NonPropagatedAttachments");

// Colour keys and values: Apple's texts (see CVImageBuffer.h).
const CFStringRef kCVImageBufferColorPrimariesKey = CFSTR("CVImageBufferColorPrimaries");
const CFStringRef kCVImageBufferColorPrimaries_ITU_R_709_2 = CFSTR("ITU_R_709_2");
const CFStringRef kCVImageBufferColorPrimaries_EBU_3213 = CFSTR("EBU_3213");
const CFStringRef kCVImageBufferColorPrimaries_SMPTE_C = CFSTR("SMPTE_C");
const CFStringRef kCVImageBufferColorPrimaries_ITU_R_2020 = CFSTR("ITU_R_2020");
const CFStringRef kCVImageBufferColorPrimaries_P3_D65 = CFSTR("P3_D65");
const CFStringRef kCVImageBufferColorPrimaries_DCI_P3 = CFSTR("DCI_P3");
const CFStringRef kCVImageBufferTransferFunctionKey = CFSTR("CVImageBufferTransferFunction");
const CFStringRef kCVImageBufferTransferFunction_ITU_R_709_2 = CFSTR("ITU_R_709_2");
const CFStringRef kCVImageBufferTransferFunction_SMPTE_240M_1995 = CFSTR("SMPTE_240M_1995");
const CFStringRef kCVImageBufferTransferFunction_Linear = CFSTR("Linear");
const CFStringRef kCVImageBufferTransferFunction_sRGB = CFSTR("IEC_sRGB");
const CFStringRef kCVImageBufferTransferFunction_ITU_R_2020 = CFSTR("ITU_R_2020");
const CFStringRef kCVImageBufferTransferFunction_SMPTE_ST_2084_PQ = CFSTR("SMPTE_ST_2084_PQ");
const CFStringRef kCVImageBufferTransferFunction_SMPTE_ST_428_1 = CFSTR("SMPTE_ST_428_1");
const CFStringRef kCVImageBufferTransferFunction_ITU_R_2100_HLG = CFSTR("ITU_R_2100_HLG");
const CFStringRef kCVImageBufferTransferFunction_UseGamma = CFSTR("UseGamma");
const CFStringRef kCVImageBufferGammaLevelKey = CFSTR("CVImageBufferGammaLevel");
const CFStringRef kCVImageBufferYCbCrMatrixKey = CFSTR("CVImageBufferYCbCrMatrix");
const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_709_2 = CFSTR("ITU_R_709_2");
const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_601_4 = CFSTR("ITU_R_601_4");
const CFStringRef kCVImageBufferYCbCrMatrix_SMPTE_240M_1995 = CFSTR("SMPTE_240M_1995");
const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_2020 = CFSTR("ITU_R_2020");
const CFStringRef kCVImageBufferPixelAspectRatioKey = CFSTR("CVPixelAspectRatio");
const CFStringRef kCVImageBufferPixelAspectRatioHorizontalSpacingKey = CFSTR("HorizontalSpacing");
const CFStringRef kCVImageBufferPixelAspectRatioVerticalSpacingKey = CFSTR("VerticalSpacing");
const CFStringRef kCVImageBufferFieldCountKey = CFSTR("CVFieldCount");
const CFStringRef kCVImageBufferFieldDetailKey = CFSTR("CVFieldDetail");
const CFStringRef kCVImageBufferChromaLocationTopFieldKey =
    CFSTR("CVImageBufferChromaLocationTopField");
const CFStringRef kCVImageBufferChromaLocationBottomFieldKey =
    CFSTR("CVImageBufferChromaLocationBottomField");
const CFStringRef kCVImageBufferChromaLocation_Left = CFSTR("Left");
const CFStringRef kCVImageBufferChromaLocation_Center = CFSTR("Center");
const CFStringRef kCVImageBufferChromaLocation_TopLeft = CFSTR("TopLeft");
const CFStringRef kCVImageBufferChromaLocation_Top = CFSTR("Top");
const CFStringRef kCVImageBufferChromaLocation_BottomLeft = CFSTR("BottomLeft");
const CFStringRef kCVImageBufferChromaLocation_Bottom = CFSTR("Bottom");
const CFStringRef kCVImageBufferChromaLocation_DV420 = CFSTR("DV 4:2:0");

}  // extern "C"

namespace {

// H.273 code <-> a constant string of one colour table.
int CodeForString(CFStringRef s, int (*lookup)(const std::string&)) {
  std::string_view text;
  if (!StringText(s, &text)) return vtc::kColorCodeUnspecified;
  return lookup(std::string(text));
}

CFStringRef StringForCode(int code, std::string (*lookup)(int),
                          std::initializer_list<CFStringRef> constants) {
  const std::string name = lookup(code);
  if (name.empty()) return nullptr;
  for (CFStringRef c : constants) {
    std::string_view text;
    if (StringText(c, &text) && text == name) return c;
  }
  return nullptr;
}

}  // namespace

extern "C" {

int CVColorPrimariesGetIntegerCodePointForString(CFStringRef s) {
  return CodeForString(s, &vtc::ColorPrimariesGetIntegerCodePointForString);
}
int CVTransferFunctionGetIntegerCodePointForString(CFStringRef s) {
  return CodeForString(s, &vtc::TransferFunctionGetIntegerCodePointForString);
}
int CVYCbCrMatrixGetIntegerCodePointForString(CFStringRef s) {
  return CodeForString(s, &vtc::YCbCrMatrixGetIntegerCodePointForString);
}
CFStringRef CVColorPrimariesGetStringForIntegerCodePoint(int code) {
  return StringForCode(
      code, &vtc::ColorPrimariesGetStringForIntegerCodePoint,
      {kCVImageBufferColorPrimaries_ITU_R_709_2, kCVImageBufferColorPrimaries_EBU_3213,
       kCVImageBufferColorPrimaries_SMPTE_C, kCVImageBufferColorPrimaries_ITU_R_2020,
       kCVImageBufferColorPrimaries_P3_D65, kCVImageBufferColorPrimaries_DCI_P3});
}
CFStringRef CVTransferFunctionGetStringForIntegerCodePoint(int code) {
  return StringForCode(
      code, &vtc::TransferFunctionGetStringForIntegerCodePoint,
      {kCVImageBufferTransferFunction_ITU_R_709_2, kCVImageBufferTransferFunction_SMPTE_240M_1995,
       kCVImageBufferTransferFunction_Linear, kCVImageBufferTransferFunction_sRGB,
       kCVImageBufferTransferFunction_ITU_R_2020, kCVImageBufferTransferFunction_SMPTE_ST_2084_PQ,
       kCVImageBufferTransferFunction_SMPTE_ST_428_1,
       kCVImageBufferTransferFunction_ITU_R_2100_HLG});
}
CFStringRef CVYCbCrMatrixGetStringForIntegerCodePoint(int code) {
  return StringForCode(
      code, &vtc::YCbCrMatrixGetStringForIntegerCodePoint,
      {kCVImageBufferYCbCrMatrix_ITU_R_709_2, kCVImageBufferYCbCrMatrix_ITU_R_601_4,
       kCVImageBufferYCbCrMatrix_SMPTE_240M_1995, kCVImageBufferYCbCrMatrix_ITU_R_2020});
}

CFTypeID CVPixelBufferGetTypeID(void) {
  static const CFTypeID id =
      RegisterType<__CVBuffer>({"CVPixelBuffer", nullptr, nullptr, &DescribePixelBuffer, nullptr});
  return id;
}

CFTypeID CVPixelBufferPoolGetTypeID(void) {
  static const CFTypeID id = RegisterType<__CVPixelBufferPool>(
      {"CVPixelBufferPool", nullptr, nullptr, &DescribePool, nullptr});
  return id;
}

// ---- CVBuffer ----

CVBufferRef CVBufferRetain(CVBufferRef buffer) {
  if (buffer) CFRetain(buffer);
  return buffer;
}

void CVBufferRelease(CVBufferRef buffer) {
  if (buffer) CFRelease(buffer);
}

CVPixelBufferRef CVPixelBufferRetain(CVPixelBufferRef texture) {
  return CVBufferRetain(texture);
}

void CVPixelBufferRelease(CVPixelBufferRef texture) {
  CVBufferRelease(texture);
}

void CVBufferSetAttachment(CVBufferRef buffer, CFStringRef key, CFTypeRef value,
                           CVAttachmentMode attachmentMode) {
  __CVBuffer* b = AsPixelBuffer(buffer, "CVBufferSetAttachment");
  if (!b) return;
  std::string_view text;
  if (!StringText(key, &text) || !value || attachmentMode > 1) {
    Warn("CVBufferSetAttachment", "the key must be a CFString, the value not NULL, the mode 0/1");
    return;
  }
  std::lock_guard<std::mutex> lock(b->mu);
  if (b->attachments[1 - attachmentMode])
    CFDictionaryRemoveValue(b->attachments[1 - attachmentMode], key);
  CFMutableDictionaryRef& d = b->attachments[attachmentMode];
  if (!d)
    d = CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks,
                                  &kCFTypeDictionaryValueCallBacks);
  CFDictionarySetValue(d, key, value);
}

CFTypeRef CVBufferGetAttachment(CVBufferRef buffer, CFStringRef key,
                                CVAttachmentMode* attachmentMode) {
  __CVBuffer* b = AsPixelBuffer(buffer, "CVBufferGetAttachment");
  if (!b || !key) return nullptr;
  std::lock_guard<std::mutex> lock(b->mu);
  for (CVAttachmentMode mode = 0; mode < 2; ++mode) {
    if (!b->attachments[mode]) continue;
    if (CFTypeRef v = CFDictionaryGetValue(b->attachments[mode], key)) {
      if (attachmentMode) *attachmentMode = mode;
      return v;
    }
  }
  return nullptr;
}

CFTypeRef CVBufferCopyAttachment(CVBufferRef buffer, CFStringRef key,
                                 CVAttachmentMode* attachmentMode) {
  CFTypeRef v = CVBufferGetAttachment(buffer, key, attachmentMode);
  return v ? CFRetain(v) : nullptr;
}

void CVBufferRemoveAttachment(CVBufferRef buffer, CFStringRef key) {
  __CVBuffer* b = AsPixelBuffer(buffer, "CVBufferRemoveAttachment");
  if (!b || !key) return;
  std::lock_guard<std::mutex> lock(b->mu);
  for (CFMutableDictionaryRef d : b->attachments)
    if (d) CFDictionaryRemoveValue(d, key);
}

void CVBufferRemoveAllAttachments(CVBufferRef buffer) {
  __CVBuffer* b = AsPixelBuffer(buffer, "CVBufferRemoveAllAttachments");
  if (!b) return;
  std::lock_guard<std::mutex> lock(b->mu);
  for (CFMutableDictionaryRef d : b->attachments)
    if (d) CFDictionaryRemoveAllValues(d);
}

CFDictionaryRef CVBufferCopyAttachments(CVBufferRef buffer, CVAttachmentMode attachmentMode) {
  __CVBuffer* b = AsPixelBuffer(buffer, "CVBufferCopyAttachments");
  if (!b || attachmentMode > 1) return nullptr;
  std::lock_guard<std::mutex> lock(b->mu);
  CFDictionaryRef d = b->attachments[attachmentMode];
  if (!d || CFDictionaryGetCount(d) == 0) return nullptr;
  return CFDictionaryCreateCopy(nullptr, d);
}

void CVBufferSetAttachments(CVBufferRef buffer, CFDictionaryRef theAttachments,
                            CVAttachmentMode attachmentMode) {
  if (!AsPixelBuffer(buffer, "CVBufferSetAttachments") || !theAttachments) return;
  const CFIndex n = CFDictionaryGetCount(theAttachments);
  std::vector<const void*> keys(n), values(n);
  CFDictionaryGetKeysAndValues(theAttachments, keys.data(), values.data());
  for (CFIndex i = 0; i < n; ++i)
    CVBufferSetAttachment(buffer, static_cast<CFStringRef>(keys[i]), values[i], attachmentMode);
}

void CVBufferPropagateAttachments(CVBufferRef sourceBuffer, CVBufferRef destinationBuffer) {
  if (!AsPixelBuffer(destinationBuffer, "CVBufferPropagateAttachments")) return;
  CFDictionaryRef d = CVBufferCopyAttachments(sourceBuffer, kCVAttachmentMode_ShouldPropagate);
  if (!d) return;
  CVBufferSetAttachments(destinationBuffer, d, kCVAttachmentMode_ShouldPropagate);
  CFRelease(d);
}

// ---- CVPixelBuffer ----

CVReturn CVPixelBufferCreate(CFAllocatorRef, size_t width, size_t height, OSType pixelFormatType,
                             CFDictionaryRef pixelBufferAttributes,
                             CVPixelBufferRef* pixelBufferOut) {
  const char* fn = "CVPixelBufferCreate";
  if (!pixelBufferOut) return kCVReturnInvalidArgument;
  *pixelBufferOut = nullptr;
  if (CVReturn r = CheckSize(width, height, fn)) return r;
  vtc::Dictionary attributes;
  if (CVReturn r = ReadAttributes(pixelBufferAttributes, &attributes, fn)) return r;
  if (!vtc::IsSupportedPixelFormat(pixelFormatType)) {
    Warn(fn, "pixel format 0x%08" PRIx32 " is not one the session takes", pixelFormatType);
    return kCVReturnInvalidPixelFormat;
  }
  // The layout is the session pool's (one pool per buffer; the buffer outlives it).
  attributes[vtc::key::kPixelFormatType] = static_cast<long long>(pixelFormatType);
  attributes[vtc::key::kWidth] = static_cast<long long>(width);
  attributes[vtc::key::kHeight] = static_cast<long long>(height);
  vtc::PixelBufferPoolRef pool;
  Status s = vtc::PixelBufferPool::Create(attributes, &pool);
  if (s != Status::kNoErr) {
    Warn(fn, "attributes refused (%s)", vtc::StatusName(s));
    return s == Status::kParameterErr ? kCVReturnInvalidPixelBufferAttributes : ToCVReturn(s);
  }
  vtc::PixelBufferRef buffer;
  s = pool->CreatePixelBuffer(&buffer);
  if (s != Status::kNoErr) return kCVReturnAllocationFailed;
  *pixelBufferOut = WrapPixelBuffer(std::move(buffer));
  return kCVReturnSuccess;
}

CVReturn CVPixelBufferCreateWithBytes(CFAllocatorRef, size_t width, size_t height,
                                      OSType pixelFormatType, void* baseAddress, size_t bytesPerRow,
                                      CVPixelBufferReleaseBytesCallback releaseCallback,
                                      void* releaseRefCon, CFDictionaryRef pixelBufferAttributes,
                                      CVPixelBufferRef* pixelBufferOut) {
  const char* fn = "CVPixelBufferCreateWithBytes";
  if (!pixelBufferOut) return kCVReturnInvalidArgument;
  *pixelBufferOut = nullptr;
  if (!baseAddress) {
    Warn(fn, "NULL baseAddress");
    return kCVReturnInvalidArgument;
  }
  if (CVReturn r = CheckSize(width, height, fn)) return r;
  vtc::Dictionary attributes;
  if (CVReturn r = ReadAttributes(pixelBufferAttributes, &attributes, fn)) return r;
  if (vtc::PlaneCountForFormat(pixelFormatType) != 1) {
    Warn(fn,
         "format 0x%08" PRIx32
         " is not a packed one the session takes (planar formats: "
         "CVPixelBufferCreateWithPlanarBytes)",
         pixelFormatType);
    return kCVReturnInvalidPixelFormat;
  }
  vtc::PlaneDescriptor plane;
  plane.base = baseAddress;
  plane.bytes_per_row = bytesPerRow;
  plane.size = bytesPerRow * height;
  vtc::PixelBuffer::ReleaseCallback release;
  if (releaseCallback)
    release = [releaseCallback, releaseRefCon, baseAddress] {
      releaseCallback(releaseRefCon, baseAddress);
    };
  vtc::PixelBufferRef buffer;
  Status s = vtc::PixelBuffer::CreateWithPlanarBytes(static_cast<int>(width),
                                                     static_cast<int>(height), pixelFormatType,
                                                     &plane, 1, std::move(release), &buffer);
  if (s != Status::kNoErr) {
    Warn(fn, "the layout was refused (%s)", vtc::StatusName(s));
    return ToCVReturn(s);
  }
  *pixelBufferOut = New<__CVBuffer>(std::move(buffer), baseAddress, bytesPerRow * height);
  return kCVReturnSuccess;
}

CVReturn CVPixelBufferCreateWithPlanarBytes(
    CFAllocatorRef, size_t width, size_t height, OSType pixelFormatType, void* dataPtr,
    size_t dataSize, size_t numberOfPlanes, void* planeBaseAddress[], size_t planeWidth[],
    size_t planeHeight[], size_t planeBytesPerRow[],
    CVPixelBufferReleasePlanarBytesCallback releaseCallback, void* releaseRefCon,
    CFDictionaryRef pixelBufferAttributes, CVPixelBufferRef* pixelBufferOut) {
  const char* fn = "CVPixelBufferCreateWithPlanarBytes";
  if (!pixelBufferOut) return kCVReturnInvalidArgument;
  *pixelBufferOut = nullptr;
  if (CVReturn r = CheckSize(width, height, fn)) return r;
  vtc::Dictionary attributes;
  if (CVReturn r = ReadAttributes(pixelBufferAttributes, &attributes, fn)) return r;
  const std::size_t planes = vtc::PlaneCountForFormat(pixelFormatType);
  if (planes < 2) {
    Warn(fn, "format 0x%08" PRIx32 " is not a planar one the session takes", pixelFormatType);
    return kCVReturnInvalidPixelFormat;
  }
  if (numberOfPlanes != planes || !planeBaseAddress || !planeWidth || !planeHeight ||
      !planeBytesPerRow) {
    Warn(fn, "%zu planes given, the format has %zu (or a NULL plane array)", numberOfPlanes,
         planes);
    return kCVReturnInvalidArgument;
  }
  vtc::PlaneDescriptor descriptors[3];
  for (std::size_t i = 0; i < planes; ++i) {
    if (!planeBaseAddress[i]) return kCVReturnInvalidArgument;
    descriptors[i].base = planeBaseAddress[i];
    descriptors[i].bytes_per_row = planeBytesPerRow[i];
    descriptors[i].size = planeBytesPerRow[i] * planeHeight[i];
  }
  vtc::PixelBuffer::ReleaseCallback release;
  if (releaseCallback) {
    std::vector<const void*> addresses(planeBaseAddress, planeBaseAddress + planes);
    release = [releaseCallback, releaseRefCon, dataPtr, dataSize, addresses]() mutable {
      releaseCallback(releaseRefCon, dataPtr, dataSize, addresses.size(), addresses.data());
    };
  }
  vtc::PixelBufferRef buffer;
  Status s = vtc::PixelBuffer::CreateWithPlanarBytes(
      static_cast<int>(width), static_cast<int>(height), pixelFormatType, descriptors, planes,
      std::move(release), &buffer);
  if (s != Status::kNoErr) {
    Warn(fn, "the layout was refused (%s)", vtc::StatusName(s));
    return ToCVReturn(s);
  }
  *pixelBufferOut = New<__CVBuffer>(std::move(buffer), dataPtr, dataSize);
  return kCVReturnSuccess;
}

CVReturn CVPixelBufferLockBaseAddress(CVPixelBufferRef pixelBuffer, CVPixelBufferLockFlags flags) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferLockBaseAddress");
  if (!b) return kCVReturnInvalidArgument;
  if (flags & ~CVPixelBufferLockFlags(kCVPixelBufferLock_ReadOnly)) return kCVReturnInvalidArgument;
  std::lock_guard<std::mutex> lock(b->mu);
  ++b->locks[flags & kCVPixelBufferLock_ReadOnly];
  return kCVReturnSuccess;
}

CVReturn CVPixelBufferUnlockBaseAddress(CVPixelBufferRef pixelBuffer,
                                        CVPixelBufferLockFlags flags) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferUnlockBaseAddress");
  if (!b) return kCVReturnInvalidArgument;
  if (flags & ~CVPixelBufferLockFlags(kCVPixelBufferLock_ReadOnly)) return kCVReturnInvalidArgument;
  std::lock_guard<std::mutex> lock(b->mu);
  long& count = b->locks[flags & kCVPixelBufferLock_ReadOnly];
  if (count == 0) {
    Warn("CVPixelBufferUnlockBaseAddress", "not locked with these flags");
    return kCVReturnError;
  }
  --count;
  return kCVReturnSuccess;
}

size_t CVPixelBufferGetWidth(CVPixelBufferRef pixelBuffer) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferGetWidth");
  return b ? static_cast<size_t>(b->buffer->width()) : 0;
}

size_t CVPixelBufferGetHeight(CVPixelBufferRef pixelBuffer) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferGetHeight");
  return b ? static_cast<size_t>(b->buffer->height()) : 0;
}

OSType CVPixelBufferGetPixelFormatType(CVPixelBufferRef pixelBuffer) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferGetPixelFormatType");
  return b ? b->buffer->pixel_format() : 0;
}

Boolean CVPixelBufferIsPlanar(CVPixelBufferRef pixelBuffer) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferIsPlanar");
  return b && b->buffer->plane_count() > 1;
}

size_t CVPixelBufferGetPlaneCount(CVPixelBufferRef pixelBuffer) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferGetPlaneCount");
  return b && b->buffer->plane_count() > 1 ? b->buffer->plane_count() : 0;
}

void* CVPixelBufferGetBaseAddress(CVPixelBufferRef pixelBuffer) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferGetBaseAddress");
  if (!b) return nullptr;
  if (b->buffer->plane_count() == 1) return b->buffer->base_address_of_plane(0);
  return b->data_ptr;
}

size_t CVPixelBufferGetBytesPerRow(CVPixelBufferRef pixelBuffer) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferGetBytesPerRow");
  return b ? b->buffer->bytes_per_row_of_plane(0) : 0;
}

size_t CVPixelBufferGetDataSize(CVPixelBufferRef pixelBuffer) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferGetDataSize");
  return b ? b->data_size : 0;
}

}  // extern "C"

namespace {

// The buffer when planeIndex names one of its planes (planar formats only, as Apple's).
__CVBuffer* PlaneOf(CVPixelBufferRef pixelBuffer, size_t planeIndex, const char* function) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, function);
  if (!b) return nullptr;
  const std::size_t n = b->buffer->plane_count();
  if (n < 2 || planeIndex >= n) {
    Warn(function, "plane %zu of a buffer with %zu planes", planeIndex, n < 2 ? 0 : n);
    return nullptr;
  }
  return b;
}

}  // namespace

extern "C" {

size_t CVPixelBufferGetWidthOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex) {
  __CVBuffer* b = PlaneOf(pixelBuffer, planeIndex, "CVPixelBufferGetWidthOfPlane");
  return b ? static_cast<size_t>(b->buffer->width_of_plane(planeIndex)) : 0;
}

size_t CVPixelBufferGetHeightOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex) {
  __CVBuffer* b = PlaneOf(pixelBuffer, planeIndex, "CVPixelBufferGetHeightOfPlane");
  return b ? static_cast<size_t>(b->buffer->height_of_plane(planeIndex)) : 0;
}

void* CVPixelBufferGetBaseAddressOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex) {
  __CVBuffer* b = PlaneOf(pixelBuffer, planeIndex, "CVPixelBufferGetBaseAddressOfPlane");
  return b ? b->buffer->base_address_of_plane(planeIndex) : nullptr;
}

size_t CVPixelBufferGetBytesPerRowOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex) {
  __CVBuffer* b = PlaneOf(pixelBuffer, planeIndex, "CVPixelBufferGetBytesPerRowOfPlane");
  return b ? b->buffer->bytes_per_row_of_plane(planeIndex) : 0;
}

void CVPixelBufferGetExtendedPixels(CVPixelBufferRef pixelBuffer, size_t* left, size_t* right,
                                    size_t* top, size_t* bottom) {
  __CVBuffer* b = AsPixelBuffer(pixelBuffer, "CVPixelBufferGetExtendedPixels");
  vtc::ExtendedPixels e;
  if (b) e = b->buffer->extended_pixels();
  if (left) *left = static_cast<size_t>(e.left);
  if (right) *right = static_cast<size_t>(e.right);
  if (top) *top = static_cast<size_t>(e.top);
  if (bottom) *bottom = static_cast<size_t>(e.bottom);
}

// ---- CVPixelBufferPool ----

CVPixelBufferPoolRef CVPixelBufferPoolRetain(CVPixelBufferPoolRef pool) {
  if (pool) CFRetain(pool);
  return pool;
}

void CVPixelBufferPoolRelease(CVPixelBufferPoolRef pool) {
  if (pool) CFRelease(pool);
}

CVReturn CVPixelBufferPoolCreate(CFAllocatorRef, CFDictionaryRef poolAttributes,
                                 CFDictionaryRef pixelBufferAttributes,
                                 CVPixelBufferPoolRef* poolOut) {
  const char* fn = "CVPixelBufferPoolCreate";
  if (!poolOut) return kCVReturnInvalidArgument;
  *poolOut = nullptr;
  vtc::Dictionary attributes, pool_attributes;
  if (ReadAttributes(pixelBufferAttributes, &attributes, fn) != kCVReturnSuccess ||
      !PixelBufferAttributesToDictionary(poolAttributes, &pool_attributes))
    return kCVReturnInvalidPoolAttributes;
  // The session's pool takes the pool keys (MinimumBufferCount) among the buffer attributes.
  for (auto& [k, v] : pool_attributes) attributes[k] = v;
  vtc::PixelBufferPoolRef pool;
  Status s = vtc::PixelBufferPool::Create(attributes, &pool);
  if (s != Status::kNoErr) {
    Warn(fn, "attributes refused (%s)", vtc::StatusName(s));
    return s == Status::kPixelTransferNotSupportedErr ? kCVReturnInvalidPixelFormat
                                                      : kCVReturnInvalidPixelBufferAttributes;
  }
  *poolOut = New<__CVPixelBufferPool>(std::move(pool), poolAttributes);
  return kCVReturnSuccess;
}

CFDictionaryRef CVPixelBufferPoolGetAttributes(CVPixelBufferPoolRef pool) {
  __CVPixelBufferPool* p = AsPixelBufferPool(pool, "CVPixelBufferPoolGetAttributes");
  return p ? p->pool_attributes : nullptr;
}

CFDictionaryRef CVPixelBufferPoolGetPixelBufferAttributes(CVPixelBufferPoolRef pool) {
  __CVPixelBufferPool* p = AsPixelBufferPool(pool, "CVPixelBufferPoolGetPixelBufferAttributes");
  return p ? p->buffer_attributes : nullptr;
}

CVReturn CVPixelBufferPoolCreatePixelBufferWithAuxAttributes(CFAllocatorRef,
                                                             CVPixelBufferPoolRef pixelBufferPool,
                                                             CFDictionaryRef auxAttributes,
                                                             CVPixelBufferRef* pixelBufferOut) {
  const char* fn = "CVPixelBufferPoolCreatePixelBuffer";
  if (!pixelBufferOut) return kCVReturnInvalidArgument;
  *pixelBufferOut = nullptr;
  __CVPixelBufferPool* p = AsPixelBufferPool(pixelBufferPool, fn);
  if (!p) return kCVReturnInvalidArgument;
  vtc::Dictionary aux;
  if (!PixelBufferAttributesToDictionary(auxAttributes, &aux)) return kCVReturnInvalidArgument;
  if (auto it = aux.find(vtc::key::kPoolAllocationThreshold); it != aux.end()) {
    std::int64_t threshold = 0;
    if (!it->second.GetInt(&threshold)) return kCVReturnInvalidArgument;
    if (threshold > 0 && p->pool->outstanding_count() >= static_cast<std::size_t>(threshold))
      return kCVReturnWouldExceedAllocationThreshold;
  }
  vtc::PixelBufferRef buffer;
  Status s = p->pool->CreatePixelBuffer(&buffer);
  if (s != Status::kNoErr) return kCVReturnPoolAllocationFailed;
  *pixelBufferOut = WrapPixelBuffer(std::move(buffer));
  return kCVReturnSuccess;
}

CVReturn CVPixelBufferPoolCreatePixelBuffer(CFAllocatorRef allocator,
                                            CVPixelBufferPoolRef pixelBufferPool,
                                            CVPixelBufferRef* pixelBufferOut) {
  return CVPixelBufferPoolCreatePixelBufferWithAuxAttributes(allocator, pixelBufferPool, nullptr,
                                                             pixelBufferOut);
}

void CVPixelBufferPoolFlush(CVPixelBufferPoolRef pool, CVPixelBufferPoolFlushFlags) {
  __CVPixelBufferPool* p = AsPixelBufferPool(pool, "CVPixelBufferPoolFlush");
  if (p) p->pool->Flush();
}

}  // extern "C"
