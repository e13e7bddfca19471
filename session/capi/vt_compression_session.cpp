// SPDX-License-Identifier: GPL-2.0-or-later
// VTCompressionSession, VTSession* and VTCopyVideoEncoderList over vtc::CompressionSession. All
// session logic is the C++ session's; this file converts CF arguments to vtc values (a CF value
// that does not convert, or an object of the wrong CF type, is kVTParameterErr), statuses to
// OSStatus, and wraps the output (CMSampleBuffer) and the pool (CVPixelBufferPool) with Apple's
// ownership rules.
#include <VideoToolbox/VideoToolbox.h>
#include <VideoToolbox/vtcompress_capi.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cf_types.h"
#include "cf_value.h"
#include "cm_time.h"
#include "cm_types.h"
#include "cv_types.h"
#include "vt_types.h"
#include "vtcompress/compression_session.h"

using vtc::Status;

struct OpaqueVTCompressionSession : vtc::cf::Object {
  OpaqueVTCompressionSession(VTCompressionOutputCallback cb, void* refcon);
  ~OpaqueVTCompressionSession();
  // The output's format description wrapper: the same object while the session's description
  // stays the same (clients compare them by pointer to notice a change).
  CMFormatDescriptionRef FormatFor(const vtc::SampleBufferRef& sample);

  vtc::CompressionSessionRef session;
  const VTCompressionOutputCallback callback;
  void* const refcon;
  std::mutex mu;  // guards what follows
  vtc::PixelBufferPoolRef pool_source;
  CVPixelBufferPoolRef pool = nullptr;  // wraps pool_source
  // Pools handed out before the session's pool changed: a caller may still hold them (Get
  // rule), so they live as long as the session.
  std::vector<CVPixelBufferPoolRef> old_pools;
  vtc::FormatDescriptionRef format_source;
  CMFormatDescriptionRef format = nullptr;  // wraps format_source
  std::vector<CMTimeRange> ranges;          // GetTimeRangesForNextPass's array
  // Not under mu: a frame was accepted, so its colour attachments were read. Read on every
  // EncodeFrame; a lock for it would be taken twice a frame for the stream's life.
  std::atomic<bool> colour_read{false};
};

namespace vtc::cf {
namespace {

OSStatus ToOS(Status s) {
  return ToOSStatus(s);
}

OpaqueVTCompressionSession* AsSession(CFTypeRef ref, const char* function) {
  auto* s = CastMutable<OpaqueVTCompressionSession>(ref, VTCompressionSessionGetTypeID());
  if (!s) Warn(function, ref ? "not a VTCompressionSession" : "NULL session");
  return s;
}

// A CF dictionary argument (NULL allowed) as a vtc dictionary; false for another CF type or
// contents that do not convert.
bool ToDictionary(CFDictionaryRef cf, Dictionary* out, const char* function, const char* what) {
  out->clear();
  if (!cf) return true;
  Value v;
  if (TypeOf(cf) != kDictionaryTypeID || !ToValue(cf, &v) || !v.IsDictionary()) {
    Warn(function, "%s is not a CFDictionary of CF property values with CFString keys", what);
    return false;
  }
  *out = v.AsDictionary();
  return true;
}

// A CF value out parameter: +1 from a vtc value.
OSStatus CopyOut(const Value& v, CFTypeRef* out, const char* function) {
  if (!CreateCFValue(v, out)) {
    Warn(function, "the value has no CF form here");
    return kVTPropertyNotSupportedErr;
  }
  return noErr;
}

void OnOutput(void* output_refcon, void* frame_refcon, Status status, EncodeInfoFlags flags,
              const SampleBufferRef& sample) {
  auto* s = static_cast<OpaqueVTCompressionSession*>(output_refcon);
  CMSampleBufferRef buffer = sample ? WrapSampleBuffer(sample, s->FormatFor(sample)) : nullptr;
  s->callback(s->refcon, frame_refcon, ToOS(status), flags, buffer);
  // The callback does not own the sample (Apple's rule): it retained it if it keeps it.
  if (buffer) CFRelease(buffer);
}

std::string DescribeSession(const Object* o) {
  char text[64];
  std::snprintf(text, sizeof text, "<VTCompressionSession %p>", static_cast<const void*>(o));
  return text;
}

}  // namespace
}  // namespace vtc::cf

using namespace vtc::cf;

OpaqueVTCompressionSession::OpaqueVTCompressionSession(VTCompressionOutputCallback cb, void* r)
    : Object(VTCompressionSessionGetTypeID(), kMagicCounted), callback(cb), refcon(r) {}

OpaqueVTCompressionSession::~OpaqueVTCompressionSession() {
  // Answer the pending frames while this object (the callback's refcon) is still whole.
  if (session) session->Invalidate();
  session.reset();
  if (pool) CFRelease(pool);
  for (CVPixelBufferPoolRef p : old_pools) CFRelease(p);
  if (format) CFRelease(format);
}

CMFormatDescriptionRef OpaqueVTCompressionSession::FormatFor(const vtc::SampleBufferRef& sample) {
  std::lock_guard<std::mutex> lock(mu);
  if (sample->format_description() != format_source) {
    if (format) CFRelease(format);
    format_source = sample->format_description();
    format = format_source ? WrapFormatDescription(format_source) : nullptr;
  }
  return format;
}

extern "C" {

CFTypeID VTCompressionSessionGetTypeID(void) {
  static const CFTypeID id = RegisterType<OpaqueVTCompressionSession>(
      {"VTCompressionSession", nullptr, nullptr, &DescribeSession});
  return id;
}

CFIndex vtcompress_capi_live_object_count(void) {
  return LiveObjectCount();
}

OSStatus VTCompressionSessionCreate(CFAllocatorRef, int32_t width, int32_t height,
                                    CMVideoCodecType codecType,
                                    CFDictionaryRef encoderSpecification,
                                    CFDictionaryRef sourceImageBufferAttributes, CFAllocatorRef,
                                    VTCompressionOutputCallback outputCallback,
                                    void* outputCallbackRefCon,
                                    VTCompressionSessionRef* compressionSessionOut) {
  if (!compressionSessionOut) {
    Warn(__func__, "NULL compressionSessionOut");
    return kVTParameterErr;
  }
  *compressionSessionOut = nullptr;
  if (!outputCallback) {
    // Apple allows NULL for sessions fed only through the output-handler (block) form, which
    // this C API does not have.
    Warn(__func__, "NULL outputCallback (the output handler form is not available)");
    return kVTParameterErr;
  }
  vtc::Dictionary spec, attrs;
  if (!ToDictionary(encoderSpecification, &spec, __func__, "encoderSpecification"))
    return kVTParameterErr;
  if (sourceImageBufferAttributes &&
      (TypeOf(sourceImageBufferAttributes) != kDictionaryTypeID ||
       !PixelBufferAttributesToDictionary(sourceImageBufferAttributes, &attrs))) {
    Warn(__func__, "sourceImageBufferAttributes is not a CFDictionary of CF property values");
    return kVTParameterErr;
  }
  Owned<VTCompressionSessionRef> s(
      New<OpaqueVTCompressionSession>(outputCallback, outputCallbackRefCon));
  Status st = vtc::CompressionSession::Create(
      width, height, codecType, encoderSpecification ? &spec : nullptr,
      sourceImageBufferAttributes ? &attrs : nullptr, &OnOutput, s.get(), &s.get()->session);
  if (!vtc::Ok(st)) return ToOS(st);
  *compressionSessionOut = s.release();
  return noErr;
}

void VTCompressionSessionInvalidate(VTCompressionSessionRef session) {
  if (auto* s = AsSession(session, __func__)) s->session->Invalidate();
}

CVPixelBufferPoolRef VTCompressionSessionGetPixelBufferPool(VTCompressionSessionRef session) {
  auto* s = AsSession(session, __func__);
  if (!s) return nullptr;
  vtc::PixelBufferPoolRef pool = s->session->GetPixelBufferPool();
  if (!pool) return nullptr;
  std::lock_guard<std::mutex> lock(s->mu);
  if (pool != s->pool_source) {
    if (s->pool) s->old_pools.push_back(s->pool);
    s->pool_source = pool;
    s->pool = WrapPixelBufferPool(std::move(pool));
  }
  return s->pool;
}

OSStatus VTCompressionSessionPrepareToEncodeFrames(VTCompressionSessionRef session) {
  auto* s = AsSession(session, __func__);
  return s ? ToOS(s->session->PrepareToEncodeFrames()) : OSStatus(kVTParameterErr);
}

namespace {

// As VideoToolbox does, a source buffer's colour attachments describe the stream when the session
// was not told (code that tags its CVPixelBuffers, as capture code does, gets the VUI it asked
// for). Read from the first frame the session accepts: it fixes its colour description there.
// (A colour property set on another thread while that first frame is being submitted may lose
// to the attachment; the property is fixed at that frame either way.)
void ReadColourAttachments(OpaqueVTCompressionSession* s, CVImageBufferRef buffer) {
  if (s->colour_read.load(std::memory_order_acquire)) return;
  const std::pair<CFStringRef, const char*> kKeys[] = {
      {kCVImageBufferColorPrimariesKey, vtc::key::kColorPrimaries},
      {kCVImageBufferTransferFunctionKey, vtc::key::kTransferFunction},
      {kCVImageBufferYCbCrMatrixKey, vtc::key::kYCbCrMatrix},
  };
  for (const auto& [attachment, key] : kKeys) {
    // Copy, not Get: another thread may replace the attachment meanwhile.
    Owned<CFTypeRef> value(CVBufferCopyAttachment(buffer, attachment, nullptr));
    std::string_view text;
    if (!value.get() || !StringText(value.get(), &text)) continue;
    vtc::Value current;
    if (s->session->CopyProperty(key, &current) == Status::kNoErr && !current.IsNull()) continue;
    const Status st = s->session->SetProperty(key, vtc::Value(std::string(text)));
    if (st != Status::kNoErr)
      Warn("VTCompressionSessionEncodeFrame", "colour attachment %s=%.*s not taken: %s", key,
           int(text.size()), text.data(), vtc::StatusName(st));
  }
}

}  // namespace

OSStatus VTCompressionSessionEncodeFrame(VTCompressionSessionRef session,
                                         CVImageBufferRef imageBuffer, CMTime presentationTimeStamp,
                                         CMTime duration, CFDictionaryRef frameProperties,
                                         void* sourceFrameRefcon, VTEncodeInfoFlags* infoFlagsOut) {
  if (infoFlagsOut) *infoFlagsOut = 0;
  auto* s = AsSession(session, __func__);
  if (!s) return kVTParameterErr;
  vtc::PixelBufferRef buffer;  // NULL goes on to the session, which answers it
  if (imageBuffer) {
    const auto* b = Cast<__CVBuffer>(imageBuffer, CVPixelBufferGetTypeID());
    if (!b) {
      Warn(__func__, "imageBuffer is not a CVPixelBuffer");
      return kVTParameterErr;
    }
    buffer = b->buffer;
  }
  vtc::Dictionary options;
  if (!ToDictionary(frameProperties, &options, __func__, "frameProperties")) return kVTParameterErr;
  if (imageBuffer) ReadColourAttachments(s, imageBuffer);
  vtc::EncodeInfoFlags flags = 0;
  Status st =
      s->session->EncodeFrame(buffer, ToVtcTime(presentationTimeStamp), ToVtcTime(duration),
                              frameProperties ? &options : nullptr, sourceFrameRefcon, &flags);
  if (infoFlagsOut) *infoFlagsOut = flags;
  if (imageBuffer && vtc::Ok(st)) s->colour_read.store(true, std::memory_order_release);
  return ToOS(st);
}

OSStatus VTCompressionSessionCompleteFrames(VTCompressionSessionRef session,
                                            CMTime completeUntilPresentationTimeStamp) {
  auto* s = AsSession(session, __func__);
  return s ? ToOS(s->session->CompleteFrames(ToVtcTime(completeUntilPresentationTimeStamp)))
           : OSStatus(kVTParameterErr);
}

OSStatus VTCompressionSessionBeginPass(VTCompressionSessionRef session,
                                       VTCompressionSessionOptionFlags beginPassFlags, uint32_t*) {
  auto* s = AsSession(session, __func__);
  return s ? ToOS(s->session->BeginPass(beginPassFlags)) : OSStatus(kVTParameterErr);
}

OSStatus VTCompressionSessionEndPass(VTCompressionSessionRef session,
                                     Boolean* furtherPassesRequestedOut, uint32_t*) {
  auto* s = AsSession(session, __func__);
  if (!s) return kVTParameterErr;
  bool further = false;
  Status st = s->session->EndPass(&further);
  if (furtherPassesRequestedOut) *furtherPassesRequestedOut = further;
  return ToOS(st);
}

OSStatus VTCompressionSessionGetTimeRangesForNextPass(VTCompressionSessionRef session,
                                                      CMItemCount* timeRangeCountOut,
                                                      const CMTimeRange** timeRangeArrayOut) {
  auto* s = AsSession(session, __func__);
  if (!s) return kVTParameterErr;
  if (!timeRangeCountOut || !timeRangeArrayOut) {
    Warn(__func__, "NULL out pointer");
    return kVTParameterErr;
  }
  std::vector<vtc::TimeRange> ranges;
  Status st = s->session->GetTimeRangesForNextPass(&ranges);
  if (!vtc::Ok(st)) return ToOS(st);
  std::lock_guard<std::mutex> lock(s->mu);
  s->ranges.clear();
  for (const vtc::TimeRange& r : ranges) s->ranges.push_back(FromVtcTimeRange(r));
  *timeRangeCountOut = static_cast<CMItemCount>(s->ranges.size());
  *timeRangeArrayOut = s->ranges.empty() ? nullptr : s->ranges.data();
  return noErr;
}

OSStatus VTSessionCopySupportedPropertyDictionary(VTSessionRef session,
                                                  CFDictionaryRef* supportedPropertyDictionaryOut) {
  auto* s = AsSession(session, __func__);
  if (!s) return kVTParameterErr;
  if (!supportedPropertyDictionaryOut) {
    Warn(__func__, "NULL out pointer");
    return kVTParameterErr;
  }
  *supportedPropertyDictionaryOut = nullptr;
  vtc::Dictionary d;
  Status st = s->session->CopySupportedPropertyDictionary(&d);
  if (!vtc::Ok(st)) return ToOS(st);
  CFTypeRef cf = nullptr;
  OSStatus os = CopyOut(vtc::Value(std::move(d)), &cf, __func__);
  *supportedPropertyDictionaryOut = static_cast<CFDictionaryRef>(cf);
  return os;
}

OSStatus VTSessionSetProperty(VTSessionRef session, CFStringRef propertyKey,
                              CFTypeRef propertyValue) {
  auto* s = AsSession(session, __func__);
  if (!s) return kVTParameterErr;
  std::string_view key;
  if (!StringText(propertyKey, &key)) {
    Warn(__func__, propertyKey ? "the key is not a CFString" : "NULL key");
    return kVTParameterErr;
  }
  vtc::Value value;
  if (!ToValue(propertyValue, &value)) {
    Warn(__func__, "the value of %.*s is not a CF property value", int(key.size()), key.data());
    return kVTParameterErr;
  }
  return ToOS(s->session->SetProperty(std::string(key), value));
}

OSStatus VTSessionSetProperties(VTSessionRef session, CFDictionaryRef propertyDictionary) {
  auto* s = AsSession(session, __func__);
  if (!s) return kVTParameterErr;
  if (!propertyDictionary) {
    Warn(__func__, "NULL propertyDictionary");
    return kVTParameterErr;
  }
  vtc::Dictionary d;
  if (!ToDictionary(propertyDictionary, &d, __func__, "propertyDictionary")) return kVTParameterErr;
  return ToOS(s->session->SetProperties(d));
}

OSStatus VTSessionCopyProperty(VTSessionRef session, CFStringRef propertyKey, CFAllocatorRef,
                               void* propertyValueOut) {
  auto* s = AsSession(session, __func__);
  if (!s) return kVTParameterErr;
  if (!propertyValueOut) {
    Warn(__func__, "NULL propertyValueOut");
    return kVTParameterErr;
  }
  auto* out = static_cast<CFTypeRef*>(propertyValueOut);
  *out = nullptr;
  std::string_view key;
  if (!StringText(propertyKey, &key)) {
    Warn(__func__, propertyKey ? "the key is not a CFString" : "NULL key");
    return kVTParameterErr;
  }
  vtc::Value value;
  Status st = s->session->CopyProperty(std::string(key), &value);
  if (!vtc::Ok(st)) return ToOS(st);
  if (value.IsNull()) return noErr;  // a property without a value: NULL, as Apple's
  if (value.IsObject()) {            // MultiPassStorage: a new wrapper, CFEqual to the one set
    *out = WrapMultiPassStorage(value.AsObject());
    return *out ? noErr : OSStatus(kVTPropertyNotSupportedErr);
  }
  return CopyOut(value, out, __func__);
}

OSStatus VTCopyVideoEncoderList(CFDictionaryRef options, CFArrayRef* listOfVideoEncodersOut) {
  if (!listOfVideoEncodersOut) {
    Warn(__func__, "NULL listOfVideoEncodersOut");
    return kVTParameterErr;
  }
  *listOfVideoEncodersOut = nullptr;
  vtc::Dictionary opts;
  if (!ToDictionary(options, &opts, __func__, "options")) return kVTParameterErr;
  vtc::Array list;
  Status st = vtc::CopyVideoEncoderList(options ? &opts : nullptr, &list);
  if (!vtc::Ok(st)) return ToOS(st);
  CFTypeRef cf = nullptr;
  OSStatus os = CopyOut(vtc::Value(std::move(list)), &cf, __func__);
  *listOfVideoEncodersOut = static_cast<CFArrayRef>(cf);
  return os;
}

}  // extern "C"
