// SPDX-License-Identifier: GPL-2.0-or-later
// CoreMedia over the session's output: CMSampleBuffer, CMBlockBuffer and CMFormatDescription
// wrapped around samples that vtc::CompressionSession really produced (H.264 and HEVC), with
// Apple's Get rule (objects owned by the sample, the same on every call), the parameter set
// accessors with their out-parameters, the extension atoms, attachments, CreateContiguous with a
// custom block source, and bad input. Every case fails if it leaves a CF object alive (CfTest).
#include <CoreMedia/CoreMedia.h>
#include <CoreVideo/CoreVideo.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <vector>

#include "cf_test_util.h"
#include "cm_time.h"
#include "cm_types.h"
#include "vtcompress/compression_session.h"

#if defined(__SANITIZE_ADDRESS__)
// libx265 3.5 leaks a copy of its parameters at every x265_encoder_open
// (tests/session/test_hevc.cpp and tests/valgrind have the same suppression); only its own
// allocations are suppressed.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libx265.so\n";
}
#endif

namespace {

// Samples of a short stream: frame 0 a key frame, then P frames (no B-frames), 64x64. Not
// RealTime: its speed governor may drop frames on a slow machine (valgrind).
std::vector<vtc::SampleBufferRef> Encode(vtc::CodecType codec, int frames) {
  struct Sink {
    std::mutex mu;
    std::vector<vtc::SampleBufferRef> samples;
  } sink;
  vtc::Dictionary attrs{{vtc::key::kPixelFormatType, int(vtc::kPixelFormat_420YpCbCr8Planar)}};
  std::shared_ptr<vtc::CompressionSession> session;
  auto on_output = [](void* refcon, void*, vtc::Status status, vtc::EncodeInfoFlags,
                      const vtc::SampleBufferRef& sample) {
    auto* s = static_cast<Sink*>(refcon);
    std::lock_guard<std::mutex> lock(s->mu);
    if (vtc::Ok(status) && sample) s->samples.push_back(sample);
  };
  EXPECT_EQ(vtc::Status::kNoErr, vtc::CompressionSession::Create(64, 64, codec, nullptr, &attrs,
                                                                 on_output, &sink, &session));
  if (!session) return {};
  session->SetProperty(vtc::key::kAllowFrameReordering, false);
  // A colour extension on the description (its key is renamed to Apple's CV text).
  session->SetProperty(vtc::key::kColorPrimaries, std::string("ITU_R_709_2"));
  session->SetProperty(vtc::key::kPixelAspectRatio,
                       vtc::Dictionary{{vtc::key::kHorizontalSpacing, vtc::Value(4)},
                                       {vtc::key::kVerticalSpacing, vtc::Value(3)}});
  vtc::PixelBufferPoolRef pool = session->GetPixelBufferPool();
  for (int i = 0; i < frames; ++i) {
    vtc::PixelBufferRef buffer;
    EXPECT_EQ(vtc::Status::kNoErr, pool->CreatePixelBuffer(&buffer));
    for (std::size_t p = 0; p < buffer->plane_count(); ++p)
      for (int y = 0; y < buffer->height_of_plane(p); ++y)
        std::memset(buffer->base_address_of_plane(p) + y * buffer->bytes_per_row_of_plane(p),
                    (i * 7 + y * 3 + int(p) * 50) & 0xff, buffer->width_of_plane(p));
    EXPECT_EQ(vtc::Status::kNoErr,
              session->EncodeFrame(buffer, vtc::Time::Make(i, 30), vtc::Time::Make(1, 30), nullptr,
                                   nullptr, nullptr));
  }
  EXPECT_EQ(vtc::Status::kNoErr, session->CompleteFrames(vtc::Time::Invalid()));
  session->Invalidate();
  return sink.samples;
}

const std::vector<vtc::SampleBufferRef>& H264Samples() {
  static const std::vector<vtc::SampleBufferRef> samples = Encode(vtc::kCodecType_H264, 3);
  return samples;
}

const std::vector<vtc::SampleBufferRef>& HevcSamples() {
  static const std::vector<vtc::SampleBufferRef> samples = Encode(vtc::kCodecType_HEVC, 2);
  return samples;
}

class CmSampleTest : public CfTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(3u, H264Samples().size());
    CfTest::SetUp();
  }
};

using Sample = vtc::cf::Owned<CMSampleBufferRef>;

TEST_F(CmSampleTest, ConstantsAreApplesAndTheSessions) {
  EXPECT_EQ(-12700, kCMBlockBufferStructureAllocationFailedErr);
  EXPECT_EQ(-12703, kCMBlockBufferBadOffsetParameterErr);
  EXPECT_EQ(-12708, kCMBlockBufferInsufficientSpaceErr);
  EXPECT_EQ(-12710, kCMFormatDescriptionError_InvalidParameter);
  EXPECT_EQ(-12718, kCMFormatDescriptionError_ValueNotAvailable);
  EXPECT_EQ(-12731, kCMSampleBufferError_RequiredParameterMissing);
  EXPECT_EQ(-12744, kCMSampleBufferError_Invalidated);
  EXPECT_EQ(-16751, kCMSampleBufferError_DataCanceled);
  EXPECT_EQ(vtc::kCodecType_H264, kCMVideoCodecType_H264);
  EXPECT_EQ(vtc::kCodecType_HEVC, kCMVideoCodecType_HEVC);
  EXPECT_EQ(vtc::FourCC("vide"), kCMMediaType_Video);
  EXPECT_EQ(vtc::key::kNotSync, Text(kCMSampleAttachmentKey_NotSync));
  EXPECT_EQ(vtc::key::kDependsOnOthers, Text(kCMSampleAttachmentKey_DependsOnOthers));
  EXPECT_EQ(vtc::key::kIsDependedOnByOthers, Text(kCMSampleAttachmentKey_IsDependedOnByOthers));
  EXPECT_EQ(vtc::key::kSampleDescriptionExtensionAtoms,
            Text(kCMFormatDescriptionExtension_SampleDescriptionExtensionAtoms));
  EXPECT_EQ(vtc::key::kFullRangeVideo, Text(kCMFormatDescriptionExtension_FullRangeVideo));
  // The picture-describing extensions are CoreVideo's attachment keys, as on Apple's platforms.
  EXPECT_EQ("CVCleanAperture", Text(kCMFormatDescriptionExtension_CleanAperture));
  EXPECT_EQ(vtc::key::kCleanApertureHorizontalOffset,
            Text(kCMFormatDescriptionKey_CleanApertureHorizontalOffset));
  EXPECT_EQ("CVPixelAspectRatio", Text(kCMFormatDescriptionExtension_PixelAspectRatio));
  EXPECT_TRUE(
      CFEqual(kCVImageBufferPixelAspectRatioKey, kCMFormatDescriptionExtension_PixelAspectRatio));
  EXPECT_EQ(vtc::key::kHorizontalSpacing,
            Text(kCMFormatDescriptionKey_PixelAspectRatioHorizontalSpacing));
  EXPECT_TRUE(
      CFEqual(kCVImageBufferColorPrimariesKey, kCMFormatDescriptionExtension_ColorPrimaries));
  EXPECT_TRUE(
      CFEqual(kCVImageBufferTransferFunctionKey, kCMFormatDescriptionExtension_TransferFunction));
  EXPECT_TRUE(CFEqual(kCVImageBufferYCbCrMatrixKey, kCMFormatDescriptionExtension_YCbCrMatrix));
  EXPECT_TRUE(CFEqual(kCVImageBufferFieldCountKey, kCMFormatDescriptionExtension_FieldCount));
  EXPECT_TRUE(CFEqual(kCVImageBufferFieldDetailKey, kCMFormatDescriptionExtension_FieldDetail));
  EXPECT_EQ(vtc::key::kMasteringDisplayColorVolume,
            Text(kCMFormatDescriptionExtension_MasteringDisplayColorVolume));
  EXPECT_EQ(vtc::key::kContentLightLevelInfo,
            Text(kCMFormatDescriptionExtension_ContentLightLevelInfo));
}

TEST_F(CmSampleTest, TimesSizesAndTheDataBuffer) {
  const vtc::SampleBufferRef& v = H264Samples()[1];
  Sample s(vtc::cf::WrapSampleBuffer(v, nullptr));
  EXPECT_EQ(CMSampleBufferGetTypeID(), CFGetTypeID(s.get()));
  CMTime pts = CMSampleBufferGetPresentationTimeStamp(s.get());
  EXPECT_EQ(0, CMTimeCompare(CMTimeMake(1, 30), pts));
  EXPECT_EQ(0, CMTimeCompare(CMTimeMake(1, 30), CMSampleBufferGetDuration(s.get())));
  CMTime dts = CMSampleBufferGetDecodeTimeStamp(s.get());
  EXPECT_TRUE(CMTIME_IS_NUMERIC(dts));
  EXPECT_EQ(0, CMTimeCompare(vtc::cf::FromVtcTime(v->decode_time_stamp()), dts));
  EXPECT_EQ(0, CMTimeCompare(pts, CMSampleBufferGetOutputPresentationTimeStamp(s.get())));
  EXPECT_TRUE(CMSampleBufferDataIsReady(s.get()));
  EXPECT_TRUE(CMSampleBufferIsValid(s.get()));
  EXPECT_EQ(1, CMSampleBufferGetNumSamples(s.get()));
  EXPECT_EQ(v->size(), CMSampleBufferGetTotalSampleSize(s.get()));
  EXPECT_EQ(v->size(), CMSampleBufferGetSampleSize(s.get(), 0));

  // Get rule: the same block buffer every time, owned by the sample (count unchanged).
  CMBlockBufferRef block = CMSampleBufferGetDataBuffer(s.get());
  ASSERT_NE(nullptr, block);
  EXPECT_EQ(block, CMSampleBufferGetDataBuffer(s.get()));
  EXPECT_EQ(1, CFGetRetainCount(block));
  EXPECT_EQ(CMBlockBufferGetTypeID(), CFGetTypeID(block));
  EXPECT_EQ(v->size(), CMBlockBufferGetDataLength(block));
  EXPECT_FALSE(CMBlockBufferIsEmpty(block));
  EXPECT_TRUE(CMBlockBufferIsRangeContiguous(block, 0, 0));
  EXPECT_TRUE(CMBlockBufferIsRangeContiguous(block, 2, v->size() - 2));
  EXPECT_FALSE(CMBlockBufferIsRangeContiguous(block, 2, v->size() - 1));
  EXPECT_FALSE(CMBlockBufferIsRangeContiguous(block, v->size(), 0));

  size_t at_offset = 0, total = 0;
  char* p = nullptr;
  EXPECT_EQ(kCMBlockBufferNoErr, CMBlockBufferGetDataPointer(block, 4, &at_offset, &total, &p));
  EXPECT_EQ(v->size() - 4, at_offset);
  EXPECT_EQ(v->size(), total);
  EXPECT_EQ(0, std::memcmp(p, v->data().data() + 4, at_offset));
  EXPECT_EQ(kCMBlockBufferNoErr, CMBlockBufferGetDataPointer(block, 0, nullptr, nullptr, nullptr));

  // AVCC: the first NAL unit's 4-byte length fits inside the sample.
  std::vector<std::uint8_t> bytes(v->size());
  EXPECT_EQ(kCMBlockBufferNoErr, CMBlockBufferCopyDataBytes(block, 0, bytes.size(), bytes.data()));
  EXPECT_EQ(v->data(), bytes);
  std::uint32_t len = 0;
  EXPECT_EQ(kCMBlockBufferNoErr, CMBlockBufferCopyDataBytes(block, 0, 4, &len));
  EXPECT_LE(CFSwapInt32BigToHost(len) + 4, v->size());

  // The data buffer outlives the sample when retained.
  CFRetain(block);
  s.reset();
  EXPECT_EQ(v->size(), CMBlockBufferGetDataLength(block));
  EXPECT_EQ(kCMBlockBufferNoErr, CMBlockBufferCopyDataBytes(block, 0, bytes.size(), bytes.data()));
  EXPECT_EQ(v->data(), bytes);
  CFRelease(block);
}

TEST_F(CmSampleTest, AttachmentsFollowTheSampleAndTheGetRule) {
  Sample key(vtc::cf::WrapSampleBuffer(H264Samples()[0], nullptr));
  Sample p(vtc::cf::WrapSampleBuffer(H264Samples()[1], nullptr));
  CFArrayRef a = CMSampleBufferGetSampleAttachmentsArray(key.get(), false);
  ASSERT_NE(nullptr, a);
  EXPECT_EQ(a, CMSampleBufferGetSampleAttachmentsArray(key.get(), true));
  EXPECT_EQ(1, CFGetRetainCount(a));
  ASSERT_EQ(1, CFArrayGetCount(a));
  auto d = (CFMutableDictionaryRef)CFArrayGetValueAtIndex(a, 0);
  CFBooleanRef not_sync = (CFBooleanRef)CFDictionaryGetValue(d, kCMSampleAttachmentKey_NotSync);
  EXPECT_TRUE(not_sync == nullptr || not_sync == kCFBooleanFalse);
  EXPECT_EQ(kCFBooleanFalse, CFDictionaryGetValue(d, kCMSampleAttachmentKey_DependsOnOthers));
  // The dictionary is mutable, and changes stay with the sample.
  CFDictionarySetValue(d, kCMSampleAttachmentKey_DisplayImmediately, kCFBooleanTrue);
  d = (CFMutableDictionaryRef)CFArrayGetValueAtIndex(
      CMSampleBufferGetSampleAttachmentsArray(key.get(), false), 0);
  EXPECT_EQ(kCFBooleanTrue, CFDictionaryGetValue(d, kCMSampleAttachmentKey_DisplayImmediately));

  CFDictionaryRef pd = (CFDictionaryRef)CFArrayGetValueAtIndex(
      CMSampleBufferGetSampleAttachmentsArray(p.get(), false), 0);
  EXPECT_EQ(kCFBooleanTrue, CFDictionaryGetValue(pd, kCMSampleAttachmentKey_NotSync));
  EXPECT_EQ(kCFBooleanTrue, CFDictionaryGetValue(pd, kCMSampleAttachmentKey_DependsOnOthers));

  // A sample without attachments: NULL unless asked to create, then one empty dictionary.
  vtc::SampleBuffer::Init init;
  init.data = {0, 0, 0, 1, 0x65};
  init.pts = init.dts = vtc::Time::Make(0, 1);
  init.format_description = H264Samples()[0]->format_description();
  Sample bare(vtc::cf::WrapSampleBuffer(vtc::SampleBuffer::Create(std::move(init)), nullptr));
  EXPECT_EQ(nullptr, CMSampleBufferGetSampleAttachmentsArray(bare.get(), false));
  CFArrayRef made = CMSampleBufferGetSampleAttachmentsArray(bare.get(), true);
  ASSERT_NE(nullptr, made);
  EXPECT_EQ(1, CFArrayGetCount(made));
  EXPECT_EQ(0, CFDictionaryGetCount((CFDictionaryRef)CFArrayGetValueAtIndex(made, 0)));
  EXPECT_EQ(made, CMSampleBufferGetSampleAttachmentsArray(bare.get(), false));
}

TEST_F(CmSampleTest, H264FormatDescription) {
  const vtc::FormatDescriptionRef& vd = H264Samples()[0]->format_description();
  vtc::cf::Owned<CMFormatDescriptionRef> fd(vtc::cf::WrapFormatDescription(vd));
  Sample s(vtc::cf::WrapSampleBuffer(H264Samples()[0], fd.get()));
  // The sample shares the description it was given (Get rule: no new reference).
  EXPECT_EQ(fd.get(), CMSampleBufferGetFormatDescription(s.get()));
  EXPECT_EQ(2, CFGetRetainCount(fd.get()));
  EXPECT_EQ(CMFormatDescriptionGetTypeID(), CFGetTypeID(fd.get()));
  EXPECT_EQ(kCMMediaType_Video, CMFormatDescriptionGetMediaType(fd.get()));
  EXPECT_EQ(kCMVideoCodecType_H264, CMFormatDescriptionGetMediaSubType(fd.get()));
  EXPECT_EQ(kCMVideoCodecType_H264, CMVideoFormatDescriptionGetCodecType(fd.get()));
  CMVideoDimensions dim = CMVideoFormatDescriptionGetDimensions(fd.get());
  EXPECT_EQ(64, dim.width);
  EXPECT_EQ(64, dim.height);

  // Apple's idiom: count and NAL length with index 0 and NULL pointers.
  size_t count = 0;
  int nal_length = 0;
  EXPECT_EQ(noErr, CMVideoFormatDescriptionGetH264ParameterSetAtIndex(fd.get(), 0, nullptr, nullptr,
                                                                      &count, &nal_length));
  EXPECT_EQ(2u, count);
  EXPECT_EQ(4, nal_length);
  const uint8_t* sps = nullptr;
  const uint8_t* pps = nullptr;
  size_t sps_size = 0, pps_size = 0;
  ASSERT_EQ(noErr, CMVideoFormatDescriptionGetH264ParameterSetAtIndex(fd.get(), 0, &sps, &sps_size,
                                                                      nullptr, nullptr));
  ASSERT_EQ(noErr, CMVideoFormatDescriptionGetH264ParameterSetAtIndex(fd.get(), 1, &pps, &pps_size,
                                                                      nullptr, nullptr));
  EXPECT_EQ(7, sps[0] & 0x1f);
  EXPECT_EQ(8, pps[0] & 0x1f);
  // Out of range: the count and header length still set, InvalidParameter returned.
  count = 0;
  nal_length = 0;
  EXPECT_EQ(kCMFormatDescriptionError_InvalidParameter,
            CMVideoFormatDescriptionGetH264ParameterSetAtIndex(fd.get(), 2, nullptr, nullptr,
                                                               &count, &nal_length));
  EXPECT_EQ(2u, count);
  EXPECT_EQ(4, nal_length);
  // The other codec's accessor refuses an H.264 description.
  EXPECT_EQ(kCMFormatDescriptionError_InvalidParameter,
            CMVideoFormatDescriptionGetHEVCParameterSetAtIndex(fd.get(), 0, nullptr, nullptr,
                                                               &count, nullptr));

  // Extensions: avcC under SampleDescriptionExtensionAtoms, the session's record; Get rule.
  CFDictionaryRef ext = CMFormatDescriptionGetExtensions(fd.get());
  ASSERT_NE(nullptr, ext);
  EXPECT_EQ(ext, CMFormatDescriptionGetExtensions(fd.get()));
  CFDictionaryRef atoms = (CFDictionaryRef)CMFormatDescriptionGetExtension(
      fd.get(), kCMFormatDescriptionExtension_SampleDescriptionExtensionAtoms);
  ASSERT_NE(nullptr, atoms);
  EXPECT_EQ(
      CFDictionaryGetValue(ext, kCMFormatDescriptionExtension_SampleDescriptionExtensionAtoms),
      atoms);
  CFDataRef avcc = (CFDataRef)CFDictionaryGetValue(atoms, CFSTR("avcC"));
  ASSERT_NE(nullptr, avcc);
  ASSERT_EQ(CFDataGetTypeID(), CFGetTypeID(avcc));
  EXPECT_EQ(vd->avcc(),
            vtc::Data(CFDataGetBytePtr(avcc), CFDataGetBytePtr(avcc) + CFDataGetLength(avcc)));
  EXPECT_EQ(nullptr, CMFormatDescriptionGetExtension(fd.get(), CFSTR("NoSuchExtension")));
  // The colour extension under Apple's key, not the session's property name.
  EXPECT_EQ("ITU_R_709_2", Text(CMFormatDescriptionGetExtension(
                               fd.get(), kCMFormatDescriptionExtension_ColorPrimaries)));
  EXPECT_EQ(nullptr, CFDictionaryGetValue(ext, CFSTR("ColorPrimaries")));
  auto par = (CFDictionaryRef)CMFormatDescriptionGetExtension(
      fd.get(), kCMFormatDescriptionExtension_PixelAspectRatio);
  ASSERT_NE(nullptr, par);
  EXPECT_TRUE(CFDictionaryGetValue(ext, CFSTR("CVPixelAspectRatio")) == par);
  int spacing = 0;
  EXPECT_TRUE(CFNumberGetValue((CFNumberRef)CFDictionaryGetValue(
                                   par, kCMFormatDescriptionKey_PixelAspectRatioHorizontalSpacing),
                               kCFNumberIntType, &spacing));
  EXPECT_EQ(4, spacing);
  EXPECT_EQ(nullptr, CMFormatDescriptionGetExtension(
                         fd.get(), kCMFormatDescriptionExtension_VerbatimSampleDescription));

  // Equality by content: another wrapper of the same description is equal, not identical.
  vtc::cf::Owned<CMFormatDescriptionRef> again(vtc::cf::WrapFormatDescription(vd));
  EXPECT_TRUE(CMFormatDescriptionEqual(fd.get(), again.get()));
  EXPECT_TRUE(CFEqual(fd.get(), again.get()));
  EXPECT_EQ(CFHash(fd.get()), CFHash(again.get()));
  EXPECT_NE(std::string::npos, Description(fd.get()).find("avc1"));
}

TEST_F(CmSampleTest, HevcFormatDescription) {
  ASSERT_FALSE(HevcSamples().empty());
  Sample s(vtc::cf::WrapSampleBuffer(HevcSamples()[0], nullptr));
  CMFormatDescriptionRef fd = CMSampleBufferGetFormatDescription(s.get());
  ASSERT_NE(nullptr, fd);
  EXPECT_EQ(1, CFGetRetainCount(fd));
  EXPECT_EQ(kCMVideoCodecType_HEVC, CMVideoFormatDescriptionGetCodecType(fd));
  size_t count = 0;
  int nal_length = 0;
  EXPECT_EQ(noErr, CMVideoFormatDescriptionGetHEVCParameterSetAtIndex(fd, 0, nullptr, nullptr,
                                                                      &count, &nal_length));
  ASSERT_GE(count, 3u);
  EXPECT_EQ(4, nal_length);
  int types[3] = {};
  for (size_t i = 0; i < 3; ++i) {
    const uint8_t* ps = nullptr;
    size_t size = 0;
    ASSERT_EQ(noErr, CMVideoFormatDescriptionGetHEVCParameterSetAtIndex(fd, i, &ps, &size, nullptr,
                                                                        nullptr));
    ASSERT_GE(size, 2u);
    types[i] = (ps[0] >> 1) & 0x3f;
  }
  EXPECT_EQ(32, types[0]);  // VPS
  EXPECT_EQ(33, types[1]);  // SPS
  EXPECT_EQ(34, types[2]);  // PPS
  EXPECT_EQ(kCMFormatDescriptionError_InvalidParameter,
            CMVideoFormatDescriptionGetHEVCParameterSetAtIndex(fd, count, nullptr, nullptr, nullptr,
                                                               nullptr));
  EXPECT_EQ(kCMFormatDescriptionError_InvalidParameter,
            CMVideoFormatDescriptionGetH264ParameterSetAtIndex(fd, 0, nullptr, nullptr, nullptr,
                                                               nullptr));
  CFDictionaryRef atoms = (CFDictionaryRef)CMFormatDescriptionGetExtension(
      fd, kCMFormatDescriptionExtension_SampleDescriptionExtensionAtoms);
  ASSERT_NE(nullptr, atoms);
  CFDataRef hvcc = (CFDataRef)CFDictionaryGetValue(atoms, CFSTR("hvcC"));
  ASSERT_NE(nullptr, hvcc);
  EXPECT_EQ(HevcSamples()[0]->format_description()->configuration_record(),
            vtc::Data(CFDataGetBytePtr(hvcc), CFDataGetBytePtr(hvcc) + CFDataGetLength(hvcc)));
  // An H.264 and an HEVC description differ.
  vtc::cf::Owned<CMFormatDescriptionRef> h264(
      vtc::cf::WrapFormatDescription(H264Samples()[0]->format_description()));
  EXPECT_FALSE(CMFormatDescriptionEqual(fd, h264.get()));
}

struct BlockSourceLog {
  int allocations = 0;
  int frees = 0;
  size_t freed_size = 0;
};

void* AllocateBlock(void* refcon, size_t size) {
  ++static_cast<BlockSourceLog*>(refcon)->allocations;
  return std::malloc(size);
}

void FreeBlock(void* refcon, void* block, size_t size) {
  auto* log = static_cast<BlockSourceLog*>(refcon);
  ++log->frees;
  log->freed_size = size;
  std::free(block);
}

TEST_F(CmSampleTest, CreateContiguous) {
  const vtc::SampleBufferRef& v = H264Samples()[2];
  Sample s(vtc::cf::WrapSampleBuffer(v, nullptr));
  CMBlockBufferRef src = CMSampleBufferGetDataBuffer(s.get());
  // Without AlwaysCopy: the same bytes, shared (and kept alive after the sample goes).
  CMBlockBufferRef ref = nullptr;
  ASSERT_EQ(kCMBlockBufferNoErr,
            CMBlockBufferCreateContiguous(nullptr, src, nullptr, nullptr, 2, 3, 0, &ref));
  EXPECT_EQ(3u, CMBlockBufferGetDataLength(ref));
  char* p = nullptr;
  char* q = nullptr;
  CMBlockBufferGetDataPointer(src, 2, nullptr, nullptr, &p);
  CMBlockBufferGetDataPointer(ref, 0, nullptr, nullptr, &q);
  EXPECT_EQ(p, q);
  // With AlwaysCopy and a custom block source: the source's memory, handed back once.
  BlockSourceLog log;
  CMBlockBufferCustomBlockSource source = {kCMBlockBufferCustomBlockSourceVersion, &AllocateBlock,
                                           &FreeBlock, &log};
  CMBlockBufferRef copy = nullptr;
  ASSERT_EQ(kCMBlockBufferNoErr,
            CMBlockBufferCreateContiguous(nullptr, src, nullptr, &source, 0, 0,
                                          kCMBlockBufferAlwaysCopyDataFlag, &copy));
  EXPECT_EQ(1, log.allocations);
  EXPECT_EQ(v->size(), CMBlockBufferGetDataLength(copy));
  CMBlockBufferGetDataPointer(copy, 0, nullptr, nullptr, &q);
  EXPECT_NE(p - 2, q);
  s.reset();
  std::vector<std::uint8_t> bytes(v->size());
  EXPECT_EQ(kCMBlockBufferNoErr, CMBlockBufferCopyDataBytes(copy, 0, bytes.size(), bytes.data()));
  EXPECT_EQ(v->data(), bytes);
  EXPECT_EQ(kCMBlockBufferNoErr, CMBlockBufferCopyDataBytes(ref, 0, 3, bytes.data()));
  EXPECT_EQ(0, std::memcmp(bytes.data(), v->data().data() + 2, 3));
  CFRelease(copy);
  EXPECT_EQ(1, log.frees);
  EXPECT_EQ(v->size(), log.freed_size);
  CFRelease(ref);
}

TEST_F(CmSampleTest, BadInput) {
  Sample s(vtc::cf::WrapSampleBuffer(H264Samples()[0], nullptr));
  CMBlockBufferRef block = CMSampleBufferGetDataBuffer(s.get());
  const size_t n = CMBlockBufferGetDataLength(block);
  CFTypeRef not_cm = kCFBooleanTrue;
  std::vector<std::uint8_t> bytes(n + 8);

  // Block buffers: ranges, NULLs, wrong types.
  EXPECT_EQ(kCMBlockBufferBadOffsetParameterErr,
            CMBlockBufferCopyDataBytes(block, n + 1, 0, bytes.data()));
  EXPECT_TRUE(WarnedOnce("beyond"));
  EXPECT_EQ(kCMBlockBufferBadLengthParameterErr,
            CMBlockBufferCopyDataBytes(block, 1, n, bytes.data()));
  EXPECT_TRUE(WarnedOnce("run past"));
  EXPECT_EQ(kCMBlockBufferBadPointerParameterErr, CMBlockBufferCopyDataBytes(block, 0, 1, nullptr));
  EXPECT_TRUE(WarnedOnce("NULL destination"));
  EXPECT_EQ(kCMBlockBufferBadPointerParameterErr,
            CMBlockBufferCopyDataBytes((CMBlockBufferRef)not_cm, 0, 1, bytes.data()));
  EXPECT_TRUE(WarnedOnce("not a CMBlockBuffer"));
  size_t total = 99, at = 99;
  char* p = (char*)1;
  EXPECT_EQ(kCMBlockBufferBadOffsetParameterErr,
            CMBlockBufferGetDataPointer(block, n, &at, &total, &p));
  EXPECT_TRUE(WarnedOnce("offset"));
  EXPECT_EQ(0u, at);
  EXPECT_EQ(n, total);
  EXPECT_EQ(nullptr, p);
  EXPECT_EQ(kCMBlockBufferBadPointerParameterErr,
            CMBlockBufferGetDataPointer(nullptr, 0, &at, &total, &p));
  EXPECT_TRUE(WarnedOnce("NULL block buffer"));
  EXPECT_EQ(0u, CMBlockBufferGetDataLength((CMBlockBufferRef)not_cm));
  EXPECT_TRUE(WarnedOnce("not a CMBlockBuffer"));
  CMBlockBufferRef out = (CMBlockBufferRef)1;
  EXPECT_EQ(kCMBlockBufferBadPointerParameterErr,
            CMBlockBufferCreateContiguous(nullptr, nullptr, nullptr, nullptr, 0, 0, 0, &out));
  EXPECT_TRUE(WarnedOnce("NULL block buffer"));
  EXPECT_EQ(nullptr, out);
  EXPECT_EQ(kCMBlockBufferBadLengthParameterErr,
            CMBlockBufferCreateContiguous(nullptr, block, nullptr, nullptr, 1, n, 0, &out));
  EXPECT_TRUE(WarnedOnce("run past"));
  EXPECT_EQ(kCMBlockBufferBadOffsetParameterErr,
            CMBlockBufferCreateContiguous(nullptr, block, nullptr, nullptr, n, 0, 0, &out));
  EXPECT_TRUE(WarnedOnce("offset"));
  CMBlockBufferCustomBlockSource bad = {1, nullptr, nullptr, nullptr};
  EXPECT_EQ(kCMBlockBufferBadCustomBlockSourceErr,
            CMBlockBufferCreateContiguous(nullptr, block, nullptr, &bad, 0, 0,
                                          kCMBlockBufferAlwaysCopyDataFlag, &out));
  EXPECT_TRUE(WarnedOnce("version"));
  EXPECT_EQ(kCMBlockBufferBadPointerParameterErr,
            CMBlockBufferCreateContiguous(nullptr, block, nullptr, nullptr, 0, 0, 0, nullptr));
  EXPECT_TRUE(WarnedOnce("NULL blockBufferOut"));

  // Samples: wrong types and NULL give NULL/invalid/0 with a warning, never a crash.
  CMSampleBufferRef wrong = (CMSampleBufferRef)not_cm;
  EXPECT_EQ(nullptr, CMSampleBufferGetDataBuffer(wrong));
  EXPECT_TRUE(WarnedOnce("not a CMSampleBuffer"));
  EXPECT_EQ(nullptr, CMSampleBufferGetFormatDescription(nullptr));
  EXPECT_TRUE(WarnedOnce("NULL sample buffer"));
  EXPECT_FALSE(CMTIME_IS_VALID(CMSampleBufferGetPresentationTimeStamp(wrong)));
  EXPECT_TRUE(WarnedOnce("not a CMSampleBuffer"));
  EXPECT_EQ(nullptr, CMSampleBufferGetSampleAttachmentsArray(wrong, true));
  EXPECT_TRUE(WarnedOnce("not a CMSampleBuffer"));
  EXPECT_FALSE(CMSampleBufferDataIsReady(nullptr));
  EXPECT_TRUE(WarnedOnce("NULL sample buffer"));
  EXPECT_EQ(0, CMSampleBufferGetNumSamples(wrong));
  EXPECT_TRUE(WarnedOnce("not a CMSampleBuffer"));
  EXPECT_EQ(0u, CMSampleBufferGetSampleSize(s.get(), 1));
  EXPECT_TRUE(WarnedOnce("sample index 1"));

  // Format descriptions.
  CMFormatDescriptionRef fd = CMSampleBufferGetFormatDescription(s.get());
  size_t count = 7;
  EXPECT_EQ(kCMFormatDescriptionError_InvalidParameter,
            CMVideoFormatDescriptionGetH264ParameterSetAtIndex(nullptr, 0, nullptr, nullptr, &count,
                                                               nullptr));
  EXPECT_TRUE(WarnedOnce("NULL format description"));
  EXPECT_EQ(7u, count);
  EXPECT_EQ(kCMFormatDescriptionError_InvalidParameter,
            CMVideoFormatDescriptionGetH264ParameterSetAtIndex((CMFormatDescriptionRef)s.get(), 0,
                                                               nullptr, nullptr, &count, nullptr));
  EXPECT_TRUE(WarnedOnce("not a CMFormatDescription"));
  EXPECT_EQ(nullptr, CMFormatDescriptionGetExtension(fd, nullptr));
  EXPECT_TRUE(WarnedOnce("NULL key"));
  EXPECT_EQ(nullptr, CMFormatDescriptionGetExtension(fd, (CFStringRef)kCFBooleanTrue));
  EXPECT_TRUE(WarnedOnce("not a CFString"));
  CMVideoDimensions d = CMVideoFormatDescriptionGetDimensions((CMFormatDescriptionRef)not_cm);
  EXPECT_TRUE(WarnedOnce("not a CMFormatDescription"));
  EXPECT_EQ(0, d.width);
  EXPECT_EQ(0u, CMFormatDescriptionGetMediaSubType(nullptr));
  EXPECT_TRUE(WarnedOnce("NULL format description"));
  EXPECT_FALSE(CMFormatDescriptionEqual(fd, nullptr));
  EXPECT_TRUE(TakeWarnings().empty());
}

}  // namespace
