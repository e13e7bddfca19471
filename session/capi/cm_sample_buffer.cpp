// SPDX-License-Identifier: GPL-2.0-or-later
// CMBlockBuffer, CMFormatDescription and CMSampleBuffer over the session's output
// (vtc::SampleBuffer, vtc::FormatDescription). The samples and descriptions are the session's;
// this file translates types, statuses and ownership (Get functions hand out objects the sample
// holds, made once).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "cf_types.h"
#include "cf_value.h"
#include "cm_time.h"
#include "cm_types.h"

namespace vtc::cf {
namespace {

std::string DescribeBlockBuffer(const Object* o) {
  const auto* b = static_cast<const OpaqueCMBlockBuffer*>(o);
  char text[96];
  std::snprintf(text, sizeof text, "<CMBlockBuffer %p %zu bytes>", static_cast<const void*>(b),
                b->size);
  return text;
}

std::string FourCCText(std::uint32_t c) {
  std::string s(4, ' ');
  for (int i = 0; i < 4; ++i) {
    char ch = static_cast<char>((c >> (24 - 8 * i)) & 0xff);
    s[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
  }
  return s;
}

std::string DescribeFormat(const Object* o) {
  const auto* f = static_cast<const opaqueCMFormatDescription*>(o);
  char text[128];
  std::snprintf(text, sizeof text, "<CMVideoFormatDescription %p '%s' %dx%d>",
                static_cast<const void*>(f), FourCCText(f->desc->codec_type()).c_str(),
                f->desc->width(), f->desc->height());
  return text;
}

bool EqualFormats(const Object* a, const Object* b) {
  return static_cast<const opaqueCMFormatDescription*>(a)->desc->Equals(
      *static_cast<const opaqueCMFormatDescription*>(b)->desc);
}

CFHashCode HashFormat(const Object* o) {
  const auto& d = *static_cast<const opaqueCMFormatDescription*>(o)->desc;
  return (CFHashCode(d.codec_type()) << 32) ^ (CFHashCode(d.width()) << 16) ^ d.height();
}

std::string DescribeSample(const Object* o) {
  const auto* s = static_cast<const opaqueCMSampleBuffer*>(o);
  char text[160];
  std::snprintf(text, sizeof text, "<CMSampleBuffer %p %zu bytes pts %" PRId64 "/%d%s>",
                static_cast<const void*>(s), s->sample->size(),
                s->sample->presentation_time_stamp().value,
                s->sample->presentation_time_stamp().timescale, s->sample->IsSync() ? " sync" : "");
  return text;
}

const OpaqueCMBlockBuffer* AsBlockBuffer(CMBlockBufferRef ref, const char* function) {
  const auto* b = Cast<OpaqueCMBlockBuffer>(ref, CMBlockBufferGetTypeID());
  if (!b) Warn(function, ref ? "not a CMBlockBuffer" : "NULL block buffer");
  return b;
}

// Memory from a CMBlockBufferCustomBlockSource (or malloc), handed back when the last holder
// lets go.
struct CustomBlock {
  CMBlockBufferCustomBlockSource source{};
  void* memory = nullptr;
  std::size_t size = 0;
  ~CustomBlock() {
    if (source.FreeBlock)
      source.FreeBlock(source.refCon, memory, size);
    else
      std::free(memory);
  }
};

}  // namespace

const opaqueCMFormatDescription* AsFormatDescription(CMFormatDescriptionRef ref,
                                                     const char* function) {
  const auto* f = Cast<opaqueCMFormatDescription>(ref, CMFormatDescriptionGetTypeID());
  if (!f) Warn(function, ref ? "not a CMFormatDescription" : "NULL format description");
  return f;
}

opaqueCMSampleBuffer* AsSampleBuffer(CMSampleBufferRef ref, const char* function) {
  auto* s = CastMutable<opaqueCMSampleBuffer>(ref, CMSampleBufferGetTypeID());
  if (!s) Warn(function, ref ? "not a CMSampleBuffer" : "NULL sample buffer");
  return s;
}

CMFormatDescriptionRef WrapFormatDescription(FormatDescriptionRef desc) {
  return New<opaqueCMFormatDescription>(std::move(desc));
}

CMSampleBufferRef WrapSampleBuffer(SampleBufferRef sample, CMFormatDescriptionRef format) {
  return New<opaqueCMSampleBuffer>(std::move(sample), format);
}

}  // namespace vtc::cf

using namespace vtc::cf;

OpaqueCMBlockBuffer::OpaqueCMBlockBuffer(std::shared_ptr<const void> o, const std::uint8_t* d,
                                         std::size_t n)
    : Object(CMBlockBufferGetTypeID(), kMagicCounted), owner(std::move(o)), data(d), size(n) {}

namespace {

// On Apple's platforms the format description extensions that describe the picture are CoreVideo's
// attachment keys (kCMFormatDescriptionExtension_ColorPrimaries is kCVImageBufferColorPrimariesKey,
// "CVImageBufferColorPrimaries"); the session names them as its compression properties. The
// texts are the constants' below.
vtc::Dictionary AppleExtensionKeys(vtc::Dictionary ext) {
  static const std::pair<const char*, const CFStringRef*> kRenames[] = {
      {vtc::key::kColorPrimaries, &kCMFormatDescriptionExtension_ColorPrimaries},
      {vtc::key::kTransferFunction, &kCMFormatDescriptionExtension_TransferFunction},
      {vtc::key::kYCbCrMatrix, &kCMFormatDescriptionExtension_YCbCrMatrix},
      {vtc::key::kPixelAspectRatio, &kCMFormatDescriptionExtension_PixelAspectRatio},
      {vtc::key::kFieldCount, &kCMFormatDescriptionExtension_FieldCount},
      {vtc::key::kFieldDetail, &kCMFormatDescriptionExtension_FieldDetail},
      {vtc::key::kCleanAperture, &kCMFormatDescriptionExtension_CleanAperture},
  };
  for (const auto& [from, to] : kRenames) {
    auto it = ext.find(from);
    std::string_view text;
    if (it == ext.end() || !StringText(*to, &text)) continue;
    vtc::Value v = std::move(it->second);
    ext.erase(it);
    ext[std::string(text)] = std::move(v);
  }
  return ext;
}

}  // namespace

opaqueCMFormatDescription::opaqueCMFormatDescription(vtc::FormatDescriptionRef d)
    : Object(CMFormatDescriptionGetTypeID(), kMagicCounted), desc(std::move(d)), extensions() {
  CFTypeRef cf = nullptr;
  // The session's extensions are plain data (strings, numbers, data, dictionaries); should one
  // ever not convert, the description has an empty dictionary rather than none.
  if (CreateCFValue(vtc::Value(AppleExtensionKeys(desc->extensions())), &cf)) {
    extensions = static_cast<CFDictionaryRef>(cf);
  } else {
    Warn("CMFormatDescription", "extensions that do not convert to CF values; left out");
    extensions = CFDictionaryCreate(nullptr, nullptr, nullptr, 0, &kCFTypeDictionaryKeyCallBacks,
                                    &kCFTypeDictionaryValueCallBacks);
  }
}

opaqueCMFormatDescription::~opaqueCMFormatDescription() {
  CFRelease(extensions);
}

opaqueCMSampleBuffer::opaqueCMSampleBuffer(vtc::SampleBufferRef s, CMFormatDescriptionRef fd)
    : Object(CMSampleBufferGetTypeID(), kMagicCounted), sample(std::move(s)), format(nullptr) {
  // The block buffer keeps the vtc sample (and so its bytes) alive by itself: a caller may keep
  // the data buffer after releasing the sample.
  data_buffer = New<OpaqueCMBlockBuffer>(std::shared_ptr<const void>(sample), sample->data().data(),
                                         sample->size());
  if (fd)
    format = static_cast<CMFormatDescriptionRef>(CFRetain(fd));
  else if (sample->format_description())
    format = WrapFormatDescription(sample->format_description());
}

opaqueCMSampleBuffer::~opaqueCMSampleBuffer() {
  CFRelease(data_buffer);
  if (format) CFRelease(format);
  if (attachments) CFRelease(attachments);
}

extern "C" {

// Texts: the session's (vtcompress/keys.h), except the extensions Apple shares with CoreVideo's
// attachments, which have Apple's CV texts (AppleExtensionKeys); test_cm_sample_buffer checks.
const CFStringRef kCMFormatDescriptionExtension_SampleDescriptionExtensionAtoms =
    CFSTR("SampleDescriptionExtensionAtoms");
const CFStringRef kCMFormatDescriptionExtension_FullRangeVideo = CFSTR("FullRangeVideo");
const CFStringRef kCMFormatDescriptionExtension_CleanAperture = CFSTR("CVCleanAperture");
const CFStringRef kCMFormatDescriptionKey_CleanApertureWidth = CFSTR("Width");
const CFStringRef kCMFormatDescriptionKey_CleanApertureHeight = CFSTR("Height");
const CFStringRef kCMFormatDescriptionKey_CleanApertureHorizontalOffset = CFSTR("HorizontalOffset");
const CFStringRef kCMFormatDescriptionKey_CleanApertureVerticalOffset = CFSTR("VerticalOffset");
const CFStringRef kCMFormatDescriptionExtension_PixelAspectRatio = CFSTR("CVPixelAspectRatio");
const CFStringRef kCMFormatDescriptionKey_PixelAspectRatioHorizontalSpacing =
    CFSTR("HorizontalSpacing");
const CFStringRef kCMFormatDescriptionKey_PixelAspectRatioVerticalSpacing =
    CFSTR("VerticalSpacing");
const CFStringRef kCMFormatDescriptionExtension_ColorPrimaries =
    CFSTR("CVImageBufferColorPrimaries");
const CFStringRef kCMFormatDescriptionExtension_TransferFunction =
    CFSTR("CVImageBufferTransferFunction");
const CFStringRef kCMFormatDescriptionExtension_YCbCrMatrix = CFSTR("CVImageBufferYCbCrMatrix");
const CFStringRef kCMFormatDescriptionExtension_FieldCount = CFSTR("CVFieldCount");
const CFStringRef kCMFormatDescriptionExtension_FieldDetail = CFSTR("CVFieldDetail");
const CFStringRef kCMFormatDescriptionExtension_MasteringDisplayColorVolume =
    CFSTR("MasteringDisplayColorVolume");
const CFStringRef kCMFormatDescriptionExtension_ContentLightLevelInfo =
    CFSTR("ContentLightLevelInfo");
const CFStringRef kCMFormatDescriptionExtension_VerbatimSampleDescription =
    CFSTR("VerbatimSampleDescription");

const CFStringRef kCMSampleAttachmentKey_NotSync = CFSTR("NotSync");
const CFStringRef kCMSampleAttachmentKey_PartialSync = CFSTR("PartialSync");
const CFStringRef kCMSampleAttachmentKey_HasRedundantCoding = CFSTR("HasRedundantCoding");
const CFStringRef kCMSampleAttachmentKey_IsDependedOnByOthers = CFSTR("IsDependedOnByOthers");
const CFStringRef kCMSampleAttachmentKey_DependsOnOthers = CFSTR("DependsOnOthers");
const CFStringRef kCMSampleAttachmentKey_EarlierDisplayTimesAllowed =
    CFSTR("EarlierDisplayTimesAllowed");
const CFStringRef kCMSampleAttachmentKey_DisplayImmediately = CFSTR("DisplayImmediately");
const CFStringRef kCMSampleAttachmentKey_DoNotDisplay = CFSTR("DoNotDisplay");

// --- CMBlockBuffer -----------------------------------------------------------------------------

CFTypeID CMBlockBufferGetTypeID(void) {
  static const CFTypeID id =
      RegisterType<OpaqueCMBlockBuffer>({"CMBlockBuffer", nullptr, nullptr, &DescribeBlockBuffer});
  return id;
}

size_t CMBlockBufferGetDataLength(CMBlockBufferRef theBuffer) {
  const auto* b = AsBlockBuffer(theBuffer, __func__);
  return b ? b->size : 0;
}

Boolean CMBlockBufferIsEmpty(CMBlockBufferRef theBuffer) {
  const auto* b = AsBlockBuffer(theBuffer, __func__);
  return !b || b->size == 0;
}

Boolean CMBlockBufferIsRangeContiguous(CMBlockBufferRef theBuffer, size_t offset, size_t length) {
  const auto* b = AsBlockBuffer(theBuffer, __func__);
  if (!b || offset >= b->size) return false;
  return length == 0 || length <= b->size - offset;
}

OSStatus CMBlockBufferGetDataPointer(CMBlockBufferRef theBuffer, size_t offset,
                                     size_t* lengthAtOffsetOut, size_t* totalLengthOut,
                                     char** dataPointerOut) {
  const auto* b = AsBlockBuffer(theBuffer, __func__);
  if (lengthAtOffsetOut) *lengthAtOffsetOut = 0;
  if (totalLengthOut) *totalLengthOut = b ? b->size : 0;
  if (dataPointerOut) *dataPointerOut = nullptr;
  if (!b) return kCMBlockBufferBadPointerParameterErr;
  if (offset >= b->size) {
    Warn(__func__, "offset %zu not below the length %zu", offset, b->size);
    return kCMBlockBufferBadOffsetParameterErr;
  }
  if (lengthAtOffsetOut) *lengthAtOffsetOut = b->size - offset;
  // Apple's type is char*; the bytes are the sample's and stay unwritten (CMBlockBuffer.h).
  if (dataPointerOut)
    *dataPointerOut = reinterpret_cast<char*>(const_cast<std::uint8_t*>(b->data + offset));
  return kCMBlockBufferNoErr;
}

OSStatus CMBlockBufferCopyDataBytes(CMBlockBufferRef theSourceBuffer, size_t offsetToData,
                                    size_t dataLength, void* destination) {
  const auto* b = AsBlockBuffer(theSourceBuffer, __func__);
  if (!b) return kCMBlockBufferBadPointerParameterErr;
  if (!destination) {
    Warn(__func__, "NULL destination");
    return kCMBlockBufferBadPointerParameterErr;
  }
  if (offsetToData > b->size) {
    Warn(__func__, "offset %zu beyond the length %zu", offsetToData, b->size);
    return kCMBlockBufferBadOffsetParameterErr;
  }
  if (dataLength > b->size - offsetToData) {
    Warn(__func__, "%zu bytes at %zu run past the length %zu", dataLength, offsetToData, b->size);
    return kCMBlockBufferBadLengthParameterErr;
  }
  if (dataLength) std::memcpy(destination, b->data + offsetToData, dataLength);
  return kCMBlockBufferNoErr;
}

OSStatus CMBlockBufferCreateContiguous(CFAllocatorRef, CMBlockBufferRef sourceBuffer,
                                       CFAllocatorRef,
                                       const CMBlockBufferCustomBlockSource* customBlockSource,
                                       size_t offsetToData, size_t dataLength,
                                       CMBlockBufferFlags flags, CMBlockBufferRef* blockBufferOut) {
  if (!blockBufferOut) {
    Warn(__func__, "NULL blockBufferOut");
    return kCMBlockBufferBadPointerParameterErr;
  }
  *blockBufferOut = nullptr;
  const auto* b = AsBlockBuffer(sourceBuffer, __func__);
  if (!b) return kCMBlockBufferBadPointerParameterErr;
  if (b->size == 0) {
    Warn(__func__, "empty source buffer");
    return kCMBlockBufferEmptyBBufErr;
  }
  if (customBlockSource && customBlockSource->version != kCMBlockBufferCustomBlockSourceVersion) {
    Warn(__func__, "custom block source version %u", customBlockSource->version);
    return kCMBlockBufferBadCustomBlockSourceErr;
  }
  if (offsetToData >= b->size) {
    Warn(__func__, "offset %zu not below the length %zu", offsetToData, b->size);
    return kCMBlockBufferBadOffsetParameterErr;
  }
  const std::size_t length = dataLength ? dataLength : b->size - offsetToData;
  if (length > b->size - offsetToData) {
    Warn(__func__, "%zu bytes at %zu run past the length %zu", length, offsetToData, b->size);
    return kCMBlockBufferBadLengthParameterErr;
  }
  if (!(flags & kCMBlockBufferAlwaysCopyDataFlag)) {
    *blockBufferOut = New<OpaqueCMBlockBuffer>(b->owner, b->data + offsetToData, length);
    return kCMBlockBufferNoErr;
  }
  auto block = std::make_shared<CustomBlock>();
  if (customBlockSource) block->source = *customBlockSource;
  block->memory = block->source.AllocateBlock
                      ? block->source.AllocateBlock(block->source.refCon, length)
                      : std::malloc(length);
  if (!block->memory) {
    block->source.FreeBlock = nullptr;  // nothing to hand back
    return kCMBlockBufferBlockAllocationFailedErr;
  }
  block->size = length;
  std::memcpy(block->memory, b->data + offsetToData, length);
  const auto* bytes = static_cast<const std::uint8_t*>(block->memory);
  *blockBufferOut = New<OpaqueCMBlockBuffer>(std::move(block), bytes, length);
  return kCMBlockBufferNoErr;
}

// --- CMFormatDescription -----------------------------------------------------------------------

CFTypeID CMFormatDescriptionGetTypeID(void) {
  static const CFTypeID id = RegisterType<opaqueCMFormatDescription>(
      {"CMFormatDescription", &EqualFormats, &HashFormat, &DescribeFormat});
  return id;
}

Boolean CMFormatDescriptionEqual(CMFormatDescriptionRef formatDescription,
                                 CMFormatDescriptionRef otherFormatDescription) {
  const auto* a =
      Cast<opaqueCMFormatDescription>(formatDescription, CMFormatDescriptionGetTypeID());
  const auto* b =
      Cast<opaqueCMFormatDescription>(otherFormatDescription, CMFormatDescriptionGetTypeID());
  if (!a || !b) return false;
  return a == b || a->desc->Equals(*b->desc);
}

CMMediaType CMFormatDescriptionGetMediaType(CMFormatDescriptionRef desc) {
  return AsFormatDescription(desc, __func__) ? kCMMediaType_Video : 0;
}

FourCharCode CMFormatDescriptionGetMediaSubType(CMFormatDescriptionRef desc) {
  const auto* f = AsFormatDescription(desc, __func__);
  return f ? f->desc->codec_type() : 0;
}

CFDictionaryRef CMFormatDescriptionGetExtensions(CMFormatDescriptionRef desc) {
  const auto* f = AsFormatDescription(desc, __func__);
  return f ? f->extensions : nullptr;
}

CFPropertyListRef CMFormatDescriptionGetExtension(CMFormatDescriptionRef desc,
                                                  CFStringRef extensionKey) {
  const auto* f = AsFormatDescription(desc, __func__);
  if (!f) return nullptr;
  if (TypeOf(extensionKey) != kStringTypeID) {
    Warn(__func__, extensionKey ? "the key is not a CFString" : "NULL key");
    return nullptr;
  }
  return CFDictionaryGetValue(f->extensions, extensionKey);
}

CMVideoDimensions CMVideoFormatDescriptionGetDimensions(CMVideoFormatDescriptionRef videoDesc) {
  CMVideoDimensions d = {0, 0};
  if (const auto* f = AsFormatDescription(videoDesc, __func__)) {
    d.width = f->desc->width();
    d.height = f->desc->height();
  }
  return d;
}

OSStatus CMVideoFormatDescriptionGetH264ParameterSetAtIndex(CMFormatDescriptionRef videoDesc,
                                                            size_t parameterSetIndex,
                                                            const uint8_t** parameterSetPointerOut,
                                                            size_t* parameterSetSizeOut,
                                                            size_t* parameterSetCountOut,
                                                            int* NALUnitHeaderLengthOut) {
  const auto* f = AsFormatDescription(videoDesc, __func__);
  if (!f) return kCMFormatDescriptionError_InvalidParameter;
  return vtc::Ok(f->desc->GetH264ParameterSetAtIndex(parameterSetIndex, parameterSetPointerOut,
                                                     parameterSetSizeOut, parameterSetCountOut,
                                                     NALUnitHeaderLengthOut))
             ? OSStatus(noErr)
             : OSStatus(kCMFormatDescriptionError_InvalidParameter);
}

OSStatus CMVideoFormatDescriptionGetHEVCParameterSetAtIndex(CMFormatDescriptionRef videoDesc,
                                                            size_t parameterSetIndex,
                                                            const uint8_t** parameterSetPointerOut,
                                                            size_t* parameterSetSizeOut,
                                                            size_t* parameterSetCountOut,
                                                            int* NALUnitHeaderLengthOut) {
  const auto* f = AsFormatDescription(videoDesc, __func__);
  if (!f) return kCMFormatDescriptionError_InvalidParameter;
  return vtc::Ok(f->desc->GetHEVCParameterSetAtIndex(parameterSetIndex, parameterSetPointerOut,
                                                     parameterSetSizeOut, parameterSetCountOut,
                                                     NALUnitHeaderLengthOut))
             ? OSStatus(noErr)
             : OSStatus(kCMFormatDescriptionError_InvalidParameter);
}

// --- CMSampleBuffer ----------------------------------------------------------------------------

CFTypeID CMSampleBufferGetTypeID(void) {
  static const CFTypeID id =
      RegisterType<opaqueCMSampleBuffer>({"CMSampleBuffer", nullptr, nullptr, &DescribeSample});
  return id;
}

CMBlockBufferRef CMSampleBufferGetDataBuffer(CMSampleBufferRef sbuf) {
  const auto* s = AsSampleBuffer(sbuf, __func__);
  return s ? s->data_buffer : nullptr;
}

CMFormatDescriptionRef CMSampleBufferGetFormatDescription(CMSampleBufferRef sbuf) {
  const auto* s = AsSampleBuffer(sbuf, __func__);
  return s ? s->format : nullptr;
}

CMTime CMSampleBufferGetPresentationTimeStamp(CMSampleBufferRef sbuf) {
  const auto* s = AsSampleBuffer(sbuf, __func__);
  return s ? FromVtcTime(s->sample->presentation_time_stamp()) : kCMTimeInvalid;
}

CMTime CMSampleBufferGetDecodeTimeStamp(CMSampleBufferRef sbuf) {
  const auto* s = AsSampleBuffer(sbuf, __func__);
  return s ? FromVtcTime(s->sample->decode_time_stamp()) : kCMTimeInvalid;
}

CMTime CMSampleBufferGetDuration(CMSampleBufferRef sbuf) {
  const auto* s = AsSampleBuffer(sbuf, __func__);
  return s ? FromVtcTime(s->sample->duration()) : kCMTimeInvalid;
}

CMTime CMSampleBufferGetOutputPresentationTimeStamp(CMSampleBufferRef sbuf) {
  return CMSampleBufferGetPresentationTimeStamp(sbuf);
}

CMTime CMSampleBufferGetOutputDecodeTimeStamp(CMSampleBufferRef sbuf) {
  return CMSampleBufferGetDecodeTimeStamp(sbuf);
}

CMTime CMSampleBufferGetOutputDuration(CMSampleBufferRef sbuf) {
  return CMSampleBufferGetDuration(sbuf);
}

CFArrayRef CMSampleBufferGetSampleAttachmentsArray(CMSampleBufferRef sbuf,
                                                   Boolean createIfNecessary) {
  auto* s = AsSampleBuffer(sbuf, __func__);
  if (!s) return nullptr;
  std::lock_guard<std::mutex> lock(s->mu);
  if (s->attachments) return s->attachments;
  const vtc::Dictionary& a = s->sample->attachments();
  if (a.empty() && !createIfNecessary) return nullptr;
  CFTypeRef converted = nullptr;
  if (!CreateCFValue(vtc::Value(a), &converted)) {
    Warn(__func__, "sample attachments that do not convert to CF values");
    return nullptr;
  }
  // Apple's dictionaries are mutable (callers may add DisplayImmediately and the like).
  CFMutableDictionaryRef dict =
      CFDictionaryCreateMutableCopy(nullptr, 0, static_cast<CFDictionaryRef>(converted));
  CFRelease(converted);
  const void* values[1] = {dict};
  s->attachments = CFArrayCreate(nullptr, values, 1, &kCFTypeArrayCallBacks);
  CFRelease(dict);
  return s->attachments;
}

Boolean CMSampleBufferDataIsReady(CMSampleBufferRef sbuf) {
  return AsSampleBuffer(sbuf, __func__) != nullptr;
}

Boolean CMSampleBufferIsValid(CMSampleBufferRef sbuf) {
  return AsSampleBuffer(sbuf, __func__) != nullptr;
}

CMItemCount CMSampleBufferGetNumSamples(CMSampleBufferRef sbuf) {
  return AsSampleBuffer(sbuf, __func__) ? 1 : 0;
}

size_t CMSampleBufferGetTotalSampleSize(CMSampleBufferRef sbuf) {
  const auto* s = AsSampleBuffer(sbuf, __func__);
  return s ? s->sample->size() : 0;
}

size_t CMSampleBufferGetSampleSize(CMSampleBufferRef sbuf, CMItemIndex sampleIndex) {
  const auto* s = AsSampleBuffer(sbuf, __func__);
  if (!s) return 0;
  if (sampleIndex != 0) {
    Warn(__func__, "sample index %ld of a buffer with one sample", static_cast<long>(sampleIndex));
    return 0;
  }
  return s->sample->size();
}

}  // extern "C"
