// SPDX-License-Identifier: GPL-2.0-or-later
// VideoToolbox's C API over the session: the constants against what the session supports (no
// key or profile missing), Create and its bad input, properties through CF values with
// VideoToolbox's statuses, the output callback's samples (not owned by the callback, one format
// description object while it stays the same), the pool (Get rule), Invalidate, release with
// frames pending, the encoder list, passes without storage. Every case fails if it leaves a CF
// object alive (CfTest).
#include <VideoToolbox/VideoToolbox.h>
#include <VideoToolbox/vtcompress_capi.h>

#include <unistd.h>

#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cf_test_util.h"
#include "vtcompress/compression_session.h"

namespace {

class VtTest : public CfTest {};

struct NamedKey {
  const char* name;
  CFStringRef key;
};
#define VT_KEY(k) \
  NamedKey {      \
#k, k         \
  }

// Every key and profile constant of VTCompressionProperties.h.
const NamedKey kPropertyKeys[] = {
    VT_KEY(kVTCompressionPropertyKey_NumberOfPendingFrames),
    VT_KEY(kVTCompressionPropertyKey_PixelBufferPoolIsShared),
    VT_KEY(kVTCompressionPropertyKey_VideoEncoderPixelBufferAttributes),
    VT_KEY(kVTCompressionPropertyKey_UsingHardwareAcceleratedVideoEncoder),
    VT_KEY(kVTCompressionPropertyKey_EncoderID),
    VT_KEY(kVTCompressionPropertyKey_MaxKeyFrameInterval),
    VT_KEY(kVTCompressionPropertyKey_MaxKeyFrameIntervalDuration),
    VT_KEY(kVTCompressionPropertyKey_AllowTemporalCompression),
    VT_KEY(kVTCompressionPropertyKey_AllowFrameReordering),
    VT_KEY(kVTCompressionPropertyKey_ReferenceBufferCount),
    VT_KEY(kVTCompressionPropertyKey_AverageBitRate),
    VT_KEY(kVTCompressionPropertyKey_DataRateLimits),
    VT_KEY(kVTCompressionPropertyKey_ConstantBitRate),
    VT_KEY(kVTCompressionPropertyKey_Quality),
    VT_KEY(kVTCompressionPropertyKey_MaxAllowedFrameQP),
    VT_KEY(kVTCompressionPropertyKey_MinAllowedFrameQP),
    VT_KEY(kVTCompressionPropertyKey_PrioritizeEncodingSpeedOverQuality),
    VT_KEY(kVTCompressionPropertyKey_RealTime),
    VT_KEY(kVTCompressionPropertyKey_MaxFrameDelayCount),
    VT_KEY(kVTCompressionPropertyKey_SuggestedLookAheadFrameCount),
    VT_KEY(kVTCompressionPropertyKey_SpatialAdaptiveQPLevel),
    VT_KEY(kVTCompressionPropertyKey_ExpectedFrameRate),
    VT_KEY(kVTCompressionPropertyKey_SourceFrameCount),
    VT_KEY(kVTCompressionPropertyKey_ExpectedDuration),
    VT_KEY(kVTCompressionPropertyKey_CalculateMeanSquaredError),
    VT_KEY(kVTCompressionPropertyKey_ProfileLevel),
    VT_KEY(kVTCompressionPropertyKey_H264EntropyMode),
    VT_KEY(kVTCompressionPropertyKey_MaxH264SliceBytes),
    VT_KEY(kVTCompressionPropertyKey_PixelAspectRatio),
    VT_KEY(kVTCompressionPropertyKey_FieldCount),
    VT_KEY(kVTCompressionPropertyKey_FieldDetail),
    VT_KEY(kVTCompressionPropertyKey_ColorPrimaries),
    VT_KEY(kVTCompressionPropertyKey_TransferFunction),
    VT_KEY(kVTCompressionPropertyKey_YCbCrMatrix),
    VT_KEY(kVTCompressionPropertyKey_MasteringDisplayColorVolume),
    VT_KEY(kVTCompressionPropertyKey_ContentLightLevelInfo),
    VT_KEY(kVTCompressionPropertyKey_MultiPassStorage),
    VT_KEY(kVTCompressionPropertyKey_EncoderFrameDelay),
    VT_KEY(kVTCompressionPropertyKey_EncoderReorderDepth),
    VT_KEY(kVTCompressionPropertyKey_RealTimeSpeedLevel),
    VT_KEY(kVTCompressionPropertyKey_RealTimeEncodeTime),
    VT_KEY(kVTCompressionPropertyKey_RealTimeCPUTime),
    VT_KEY(kVTCompressionPropertyKey_RealTimeFramesDropped),
    VT_KEY(kVTCompressionPropertyKey_X264SpeedPreset),
    VT_KEY(kVTCompressionPropertyKey_X264Tune),
    VT_KEY(kVTCompressionPropertyKey_X264Threads),
    VT_KEY(kVTCompressionPropertyKey_X264Options),
    VT_KEY(kVTCompressionPropertyKey_X265SpeedPreset),
    VT_KEY(kVTCompressionPropertyKey_X265Tune),
    VT_KEY(kVTCompressionPropertyKey_X265Threads),
    VT_KEY(kVTCompressionPropertyKey_X265Options),
    VT_KEY(kVTCompressionPropertyKey_ReleaseSourceBufferOnImport),
    VT_KEY(kVTCompressionPropertyKey_IntraRefresh),
};
const NamedKey kProfileLevels[] = {
    VT_KEY(kVTProfileLevel_H264_Baseline_1_3),
    VT_KEY(kVTProfileLevel_H264_Baseline_3_0),
    VT_KEY(kVTProfileLevel_H264_Baseline_3_1),
    VT_KEY(kVTProfileLevel_H264_Baseline_3_2),
    VT_KEY(kVTProfileLevel_H264_Baseline_4_0),
    VT_KEY(kVTProfileLevel_H264_Baseline_4_1),
    VT_KEY(kVTProfileLevel_H264_Baseline_4_2),
    VT_KEY(kVTProfileLevel_H264_Baseline_5_0),
    VT_KEY(kVTProfileLevel_H264_Baseline_5_1),
    VT_KEY(kVTProfileLevel_H264_Baseline_5_2),
    VT_KEY(kVTProfileLevel_H264_Baseline_AutoLevel),
    VT_KEY(kVTProfileLevel_H264_Main_3_0),
    VT_KEY(kVTProfileLevel_H264_Main_3_1),
    VT_KEY(kVTProfileLevel_H264_Main_3_2),
    VT_KEY(kVTProfileLevel_H264_Main_4_0),
    VT_KEY(kVTProfileLevel_H264_Main_4_1),
    VT_KEY(kVTProfileLevel_H264_Main_4_2),
    VT_KEY(kVTProfileLevel_H264_Main_5_0),
    VT_KEY(kVTProfileLevel_H264_Main_5_1),
    VT_KEY(kVTProfileLevel_H264_Main_5_2),
    VT_KEY(kVTProfileLevel_H264_Main_AutoLevel),
    VT_KEY(kVTProfileLevel_H264_High_3_0),
    VT_KEY(kVTProfileLevel_H264_High_3_1),
    VT_KEY(kVTProfileLevel_H264_High_3_2),
    VT_KEY(kVTProfileLevel_H264_High_4_0),
    VT_KEY(kVTProfileLevel_H264_High_4_1),
    VT_KEY(kVTProfileLevel_H264_High_4_2),
    VT_KEY(kVTProfileLevel_H264_High_5_0),
    VT_KEY(kVTProfileLevel_H264_High_5_1),
    VT_KEY(kVTProfileLevel_H264_High_5_2),
    VT_KEY(kVTProfileLevel_H264_High_AutoLevel),
    VT_KEY(kVTProfileLevel_H264_High10_3_0),
    VT_KEY(kVTProfileLevel_H264_High10_3_1),
    VT_KEY(kVTProfileLevel_H264_High10_3_2),
    VT_KEY(kVTProfileLevel_H264_High10_4_0),
    VT_KEY(kVTProfileLevel_H264_High10_4_1),
    VT_KEY(kVTProfileLevel_H264_High10_4_2),
    VT_KEY(kVTProfileLevel_H264_High10_5_0),
    VT_KEY(kVTProfileLevel_H264_High10_5_1),
    VT_KEY(kVTProfileLevel_H264_High10_5_2),
    VT_KEY(kVTProfileLevel_H264_High10_AutoLevel),
    VT_KEY(kVTProfileLevel_H264_High422_3_0),
    VT_KEY(kVTProfileLevel_H264_High422_3_1),
    VT_KEY(kVTProfileLevel_H264_High422_3_2),
    VT_KEY(kVTProfileLevel_H264_High422_4_0),
    VT_KEY(kVTProfileLevel_H264_High422_4_1),
    VT_KEY(kVTProfileLevel_H264_High422_4_2),
    VT_KEY(kVTProfileLevel_H264_High422_5_0),
    VT_KEY(kVTProfileLevel_H264_High422_5_1),
    VT_KEY(kVTProfileLevel_H264_High422_5_2),
    VT_KEY(kVTProfileLevel_H264_High422_AutoLevel),
    VT_KEY(kVTProfileLevel_H264_High444_3_0),
    VT_KEY(kVTProfileLevel_H264_High444_3_1),
    VT_KEY(kVTProfileLevel_H264_High444_3_2),
    VT_KEY(kVTProfileLevel_H264_High444_4_0),
    VT_KEY(kVTProfileLevel_H264_High444_4_1),
    VT_KEY(kVTProfileLevel_H264_High444_4_2),
    VT_KEY(kVTProfileLevel_H264_High444_5_0),
    VT_KEY(kVTProfileLevel_H264_High444_5_1),
    VT_KEY(kVTProfileLevel_H264_High444_5_2),
    VT_KEY(kVTProfileLevel_H264_High444_AutoLevel),
    VT_KEY(kVTProfileLevel_H264_ConstrainedBaseline_AutoLevel),
    VT_KEY(kVTProfileLevel_H264_ConstrainedHigh_AutoLevel),
    VT_KEY(kVTProfileLevel_HEVC_Main_AutoLevel),
    VT_KEY(kVTProfileLevel_HEVC_Main10_AutoLevel),
    VT_KEY(kVTProfileLevel_HEVC_Main42210_AutoLevel),
    VT_KEY(kVTProfileLevel_HEVC_Main12_AutoLevel),
    VT_KEY(kVTProfileLevel_HEVC_Main42212_AutoLevel),
    VT_KEY(kVTProfileLevel_HEVC_Main444_AutoLevel),
    VT_KEY(kVTProfileLevel_HEVC_Main44410_AutoLevel),
    VT_KEY(kVTProfileLevel_HEVC_Main44412_AutoLevel),
};

struct Output {
  std::mutex mu;
  std::vector<CMSampleBufferRef> samples;  // retained
  std::vector<void*> frame_refcons;
  std::vector<OSStatus> statuses;
  int dropped = 0;
  long retain_count_in_callback = -1;
  ~Output() {
    for (CMSampleBufferRef s : samples) CFRelease(s);
  }
};

void OnOutput(void* refcon, void* frame_refcon, OSStatus status, VTEncodeInfoFlags flags,
              CMSampleBufferRef sample) {
  auto* out = static_cast<Output*>(refcon);
  std::lock_guard<std::mutex> lock(out->mu);
  out->frame_refcons.push_back(frame_refcon);
  out->statuses.push_back(status);
  if (flags & kVTEncodeInfo_FrameDropped) ++out->dropped;
  if (sample) {
    out->retain_count_in_callback = CFGetRetainCount(sample);
    out->samples.push_back((CMSampleBufferRef)CFRetain(sample));
  }
}

using Session = vtc::cf::Owned<VTCompressionSessionRef>;

Session Create(CMVideoCodecType codec, Output* out, CFDictionaryRef spec = nullptr) {
  VTCompressionSessionRef s = nullptr;
  EXPECT_EQ(noErr, VTCompressionSessionCreate(nullptr, 64, 48, codec, spec, nullptr, nullptr,
                                              &OnOutput, out, &s));
  return Session(s);
}

CVPixelBufferRef Frame(VTCompressionSessionRef s, int i) {
  CVPixelBufferPoolRef pool = VTCompressionSessionGetPixelBufferPool(s);
  CVPixelBufferRef b = nullptr;
  EXPECT_EQ(kCVReturnSuccess, CVPixelBufferPoolCreatePixelBuffer(nullptr, pool, &b));
  for (size_t p = 0; p < CVPixelBufferGetPlaneCount(b); ++p)
    std::memset(CVPixelBufferGetBaseAddressOfPlane(b, p), 16 + i * 3,
                CVPixelBufferGetBytesPerRowOfPlane(b, p) * CVPixelBufferGetHeightOfPlane(b, p));
  return b;
}

std::set<std::string> SupportedKeys(VTCompressionSessionRef s) {
  CFDictionaryRef d = nullptr;
  EXPECT_EQ(noErr, VTSessionCopySupportedPropertyDictionary(s, &d));
  std::set<std::string> keys;
  if (!d) return keys;
  std::vector<const void*> k(CFDictionaryGetCount(d));
  CFDictionaryGetKeysAndValues(d, k.data(), nullptr);
  for (const void* key : k) keys.insert(Text(key));
  CFRelease(d);
  return keys;
}

TEST_F(VtTest, EverySupportedKeyAndProfileHasItsConstant) {
  std::set<std::string> constants, profiles, all_supported, all_profiles;
  for (const NamedKey& k : kPropertyKeys) {
    EXPECT_EQ(std::string("kVTCompressionPropertyKey_") + Text(k.key), k.name);
    constants.insert(Text(k.key));
  }
  for (const NamedKey& k : kProfileLevels) {
    EXPECT_EQ(std::string("kVTProfileLevel_") + Text(k.key), k.name);
    profiles.insert(Text(k.key));
  }
  for (CMVideoCodecType codec : {kCMVideoCodecType_H264, kCMVideoCodecType_HEVC}) {
    Output out;
    Session s = Create(codec, &out);
    for (const std::string& key : SupportedKeys(s.get())) {
      EXPECT_TRUE(constants.count(key)) << "no kVTCompressionPropertyKey_" << key;
      all_supported.insert(key);
    }
    CFDictionaryRef d = nullptr;
    ASSERT_EQ(noErr, VTSessionCopySupportedPropertyDictionary(s.get(), &d));
    auto entry = (CFDictionaryRef)CFDictionaryGetValue(d, kVTCompressionPropertyKey_ProfileLevel);
    ASSERT_NE(nullptr, entry);
    EXPECT_TRUE(
        CFEqual(kVTPropertyType_Enumeration, CFDictionaryGetValue(entry, kVTPropertyTypeKey)));
    EXPECT_TRUE(CFEqual(kVTPropertyReadWriteStatus_ReadWrite,
                        CFDictionaryGetValue(entry, kVTPropertyReadWriteStatusKey)));
    auto list = (CFArrayRef)CFDictionaryGetValue(entry, kVTPropertySupportedValueListKey);
    ASSERT_NE(nullptr, list);
    for (CFIndex i = 0; i < CFArrayGetCount(list); ++i) {
      std::string v = Text(CFArrayGetValueAtIndex(list, i));
      EXPECT_TRUE(profiles.count(v)) << "no kVTProfileLevel_" << v;
      all_profiles.insert(v);
    }
    auto rt = (CFDictionaryRef)CFDictionaryGetValue(d, kVTCompressionPropertyKey_RealTime);
    EXPECT_TRUE(CFEqual(kVTPropertyType_Boolean, CFDictionaryGetValue(rt, kVTPropertyTypeKey)));
    auto pending =
        (CFDictionaryRef)CFDictionaryGetValue(d, kVTCompressionPropertyKey_NumberOfPendingFrames);
    EXPECT_TRUE(CFEqual(kVTPropertyReadWriteStatus_ReadOnly,
                        CFDictionaryGetValue(pending, kVTPropertyReadWriteStatusKey)));
    auto qp = (CFDictionaryRef)CFDictionaryGetValue(d, kVTCompressionPropertyKey_MaxAllowedFrameQP);
    EXPECT_TRUE(CFDictionaryContainsKey(qp, kVTPropertySupportedValueMinimumKey));
    EXPECT_TRUE(CFDictionaryContainsKey(qp, kVTPropertySupportedValueMaximumKey));
    EXPECT_TRUE(CFDictionaryContainsKey(qp, kVTPropertyDocumentationKey));
    CFRelease(d);
  }
  // And no constant the session does not know.
  EXPECT_EQ(all_supported, constants);
  EXPECT_EQ(all_profiles, profiles);
}

TEST_F(VtTest, OtherConstantsAreApplesAndTheSessions) {
  EXPECT_EQ(-12900, kVTPropertyNotSupportedErr);
  EXPECT_EQ(-12902, kVTParameterErr);
  EXPECT_EQ(-12903, kVTInvalidSessionErr);
  EXPECT_EQ(-12908, kVTCouldNotFindVideoEncoderErr);
  EXPECT_EQ(-12912, kVTVideoEncoderMalfunctionErr);
  EXPECT_EQ(-12214, kVTMultiPassStorageInvalidErr);
  EXPECT_EQ(-12218, kVTPixelTransferNotPermittedErr);
  // The session's statuses are these very numbers.
  for (vtc::Status st :
       {vtc::Status::kPropertyNotSupportedErr, vtc::Status::kPropertyReadOnlyErr,
        vtc::Status::kParameterErr, vtc::Status::kInvalidSessionErr,
        vtc::Status::kAllocationFailedErr, vtc::Status::kPixelTransferNotSupportedErr,
        vtc::Status::kCouldNotCreateInstanceErr, vtc::Status::kCouldNotFindVideoEncoderErr,
        vtc::Status::kVideoEncoderMalfunctionErr, vtc::Status::kVideoEncoderNotAvailableNowErr,
        vtc::Status::kFormatDescriptionChangeNotSupportedErr,
        vtc::Status::kMultiPassStorageIdentifierMismatchErr,
        vtc::Status::kMultiPassStorageInvalidErr})
    EXPECT_STRNE("unknown", vtc::StatusName(st));
  EXPECT_EQ(kVTEncodeInfo_Asynchronous, vtc::kEncodeInfo_Asynchronous);
  EXPECT_EQ(kVTEncodeInfo_FrameDropped, vtc::kEncodeInfo_FrameDropped);
  EXPECT_EQ(kVTCompressionSessionBeginFinalPass, vtc::kCompressionSessionBeginFinalPass);
  EXPECT_EQ(kVTUnlimitedFrameDelayCount, vtc::kUnlimitedFrameDelayCount);
  EXPECT_EQ(vtc::key::kForceKeyFrame, Text(kVTEncodeFrameOptionKey_ForceKeyFrame));
  EXPECT_EQ(vtc::key::kForceIntraRefresh, Text(kVTEncodeFrameOptionKey_ForceIntraRefresh));
  EXPECT_EQ(vtc::key::kSEIPayloads, Text(kVTEncodeFrameOptionKey_SEIPayloads));
  EXPECT_EQ(vtc::key::kSEIPayloadType, Text(kVTSEIPayloadKey_PayloadType));
  EXPECT_EQ(vtc::key::kSEIPayload, Text(kVTSEIPayloadKey_Payload));
  EXPECT_EQ(vtc::key::kRegionsOfInterest, Text(kVTEncodeFrameOptionKey_RegionsOfInterest));
  EXPECT_EQ(vtc::key::kRegionX, Text(kVTRegionOfInterestKey_X));
  EXPECT_EQ(vtc::key::kRegionY, Text(kVTRegionOfInterestKey_Y));
  EXPECT_EQ(vtc::key::kRegionWidth, Text(kVTRegionOfInterestKey_Width));
  EXPECT_EQ(vtc::key::kRegionHeight, Text(kVTRegionOfInterestKey_Height));
  EXPECT_EQ(vtc::key::kRegionQPOffset, Text(kVTRegionOfInterestKey_QPOffset));
  EXPECT_EQ(vtc::key::kEncoderID, Text(kVTVideoEncoderSpecification_EncoderID));
  EXPECT_EQ(vtc::key::kEnableHardwareAcceleratedVideoEncoder,
            Text(kVTVideoEncoderSpecification_EnableHardwareAcceleratedVideoEncoder));
  EXPECT_EQ(vtc::key::kRequireHardwareAcceleratedVideoEncoder,
            Text(kVTVideoEncoderSpecification_RequireHardwareAcceleratedVideoEncoder));
  EXPECT_EQ(vtc::key::kEnableLowLatencyRateControl,
            Text(kVTVideoEncoderSpecification_EnableLowLatencyRateControl));
  EXPECT_EQ(vtc::key::kQualityMetrics, Text(kVTSampleAttachmentKey_QualityMetrics));
  EXPECT_EQ(vtc::key::kLumaMeanSquaredError,
            Text(kVTSampleAttachmentQualityMetricsKey_LumaMeanSquaredError));
  EXPECT_EQ(vtc::key::kCodecType, Text(kVTVideoEncoderList_CodecType));
  EXPECT_EQ(vtc::key::kSupportsFrameReordering, Text(kVTVideoEncoderList_SupportsFrameReordering));
  EXPECT_EQ(vtc::key::kDocumentation, Text(kVTPropertyDocumentationKey));
}

TEST_F(VtTest, EncodesAndHandsOutSamplesTheCallbackDoesNotOwn) {
  Output out;
  Session s = Create(kCMVideoCodecType_H264, &out);
  EXPECT_EQ(VTCompressionSessionGetTypeID(), CFGetTypeID(s.get()));
  EXPECT_EQ(1, CFGetRetainCount(s.get()));
  // Get rule: the same pool object, owned by the session.
  CVPixelBufferPoolRef pool = VTCompressionSessionGetPixelBufferPool(s.get());
  ASSERT_NE(nullptr, pool);
  EXPECT_EQ(pool, VTCompressionSessionGetPixelBufferPool(s.get()));
  EXPECT_EQ(1, CFGetRetainCount(pool));
  EXPECT_EQ(64u, CVPixelBufferGetWidth(vtc::cf::Owned<CVPixelBufferRef>(Frame(s.get(), 0)).get()));
  EXPECT_EQ(noErr, VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_AllowFrameReordering,
                                        kCFBooleanFalse));
  EXPECT_EQ(noErr, VTCompressionSessionPrepareToEncodeFrames(s.get()));
  const void* force_keys[] = {kVTEncodeFrameOptionKey_ForceKeyFrame};
  const void* force_values[] = {kCFBooleanTrue};
  // NULL callbacks, as FFmpeg's videotoolboxenc.c makes its ForceKeyFrame options.
  vtc::cf::Owned<CFDictionaryRef> force(
      CFDictionaryCreate(nullptr, force_keys, force_values, 1, nullptr, nullptr));
  int refcons[4];
  for (int i = 0; i < 4; ++i) {
    vtc::cf::Owned<CVPixelBufferRef> frame(Frame(s.get(), i));
    VTEncodeInfoFlags flags = 99;
    EXPECT_EQ(noErr, VTCompressionSessionEncodeFrame(
                         s.get(), frame.get(), CMTimeMake(i, 30), CMTimeMake(1, 30),
                         i == 2 ? force.get() : nullptr, &refcons[i], &flags));
    EXPECT_EQ(0u, flags & ~(VTEncodeInfoFlags)kVTEncodeInfo_Asynchronous);
  }
  EXPECT_EQ(noErr, VTCompressionSessionCompleteFrames(s.get(), kCMTimeInvalid));
  ASSERT_EQ(4u, out.samples.size());
  // In the callback only the session held the sample: the callback does not own it.
  EXPECT_EQ(1, out.retain_count_in_callback);
  CMFormatDescriptionRef fd = CMSampleBufferGetFormatDescription(out.samples[0]);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(&refcons[i], out.frame_refcons[i]);
    EXPECT_EQ(noErr, out.statuses[i]);
    EXPECT_EQ(1, CFGetRetainCount(out.samples[i]));
    EXPECT_EQ(0, CMTimeCompare(CMTimeMake(i, 30),
                               CMSampleBufferGetPresentationTimeStamp(out.samples[i])));
    EXPECT_EQ(fd, CMSampleBufferGetFormatDescription(out.samples[i]));  // one object
    CFArrayRef a = CMSampleBufferGetSampleAttachmentsArray(out.samples[i], false);
    auto d = (CFDictionaryRef)CFArrayGetValueAtIndex(a, 0);
    const bool sync = CFDictionaryGetValue(d, kCMSampleAttachmentKey_NotSync) != kCFBooleanTrue;
    EXPECT_EQ(i == 0 || i == 2, sync) << i;
  }
  CMVideoDimensions dim = CMVideoFormatDescriptionGetDimensions(fd);
  EXPECT_EQ(64, dim.width);
  EXPECT_EQ(48, dim.height);

  // Properties through CF values.
  vtc::cf::Owned<CFNumberRef> rate(MakeInt(300000));
  EXPECT_EQ(noErr,
            VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate, rate.get()));
  CFTypeRef back = nullptr;
  EXPECT_EQ(noErr, VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate, nullptr,
                                         &back));
  EXPECT_TRUE(back && CFEqual(rate.get(), back));
  if (back) CFRelease(back);
  EXPECT_EQ(noErr,
            VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_ProfileLevel, nullptr, &back));
  EXPECT_EQ(nullptr, back);  // never set: no value, and noErr
  EXPECT_EQ(noErr, VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_NumberOfPendingFrames,
                                         nullptr, &back));
  EXPECT_EQ(CFNumberGetTypeID(), CFGetTypeID(back));
  CFRelease(back);

  VTCompressionSessionInvalidate(s.get());
  VTCompressionSessionInvalidate(s.get());  // idempotent
  EXPECT_EQ(nullptr, VTCompressionSessionGetPixelBufferPool(s.get()));
  EXPECT_EQ(kVTInvalidSessionErr, VTCompressionSessionPrepareToEncodeFrames(s.get()));
  EXPECT_EQ(kVTInvalidSessionErr,
            VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_RealTime, kCFBooleanTrue));
  EXPECT_EQ(kVTInvalidSessionErr, VTCompressionSessionCompleteFrames(s.get(), kCMTimeInvalid));
  EXPECT_EQ(kVTInvalidSessionErr,
            VTCompressionSessionEncodeFrame(s.get(), nullptr, CMTimeMake(9, 30), kCMTimeInvalid,
                                            nullptr, nullptr, nullptr));
  TakeWarnings();  // the session's own messages about refused calls
}

// The session's extension frame options, spelled with their constants and CF values.
TEST_F(VtTest, ExtensionFrameOptionsThroughCF) {
  Output out;
  Session s = Create(kCMVideoCodecType_H264, &out);
  ASSERT_EQ(noErr, VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_AllowFrameReordering,
                                        kCFBooleanFalse));
  // One unregistered user data SEI: a 16-byte UUID, then the text.
  const char payload[] = "0123456789abcdefhello from C";
  vtc::cf::Owned<CFDataRef> data(
      CFDataCreate(nullptr, reinterpret_cast<const UInt8*>(payload), sizeof payload - 1));
  vtc::cf::Owned<CFNumberRef> five(MakeInt(5));
  const void* sei_keys[] = {kVTSEIPayloadKey_PayloadType, kVTSEIPayloadKey_Payload};
  const void* sei_values[] = {five.get(), data.get()};
  vtc::cf::Owned<CFDictionaryRef> sei(CFDictionaryCreate(nullptr, sei_keys, sei_values, 2,
                                                         &kCFTypeDictionaryKeyCallBacks,
                                                         &kCFTypeDictionaryValueCallBacks));
  const void* sei_list[] = {sei.get()};
  vtc::cf::Owned<CFArrayRef> seis(CFArrayCreate(nullptr, sei_list, 1, &kCFTypeArrayCallBacks));
  auto region = [](int qp_offset) {
    vtc::cf::Owned<CFNumberRef> zero(MakeInt(0)), size(MakeInt(32)), qp(MakeInt(qp_offset));
    const void* k[] = {kVTRegionOfInterestKey_X, kVTRegionOfInterestKey_Y,
                       kVTRegionOfInterestKey_Width, kVTRegionOfInterestKey_Height,
                       kVTRegionOfInterestKey_QPOffset};
    const void* v[] = {zero.get(), zero.get(), size.get(), size.get(), qp.get()};
    vtc::cf::Owned<CFDictionaryRef> r(CFDictionaryCreate(
        nullptr, k, v, 5, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    const void* list[] = {r.get()};
    return vtc::cf::Owned<CFArrayRef>(CFArrayCreate(nullptr, list, 1, &kCFTypeArrayCallBacks));
  };
  vtc::cf::Owned<CFArrayRef> good_region = region(-6), bad_region = region(99);
  const void* opt_keys[] = {kVTEncodeFrameOptionKey_SEIPayloads,
                            kVTEncodeFrameOptionKey_RegionsOfInterest,
                            kVTEncodeFrameOptionKey_ForceIntraRefresh};
  const void* opt_values[] = {seis.get(), good_region.get(), kCFBooleanTrue};
  vtc::cf::Owned<CFDictionaryRef> options(CFDictionaryCreate(nullptr, opt_keys, opt_values, 3,
                                                             &kCFTypeDictionaryKeyCallBacks,
                                                             &kCFTypeDictionaryValueCallBacks));
  const void* bad_values[] = {seis.get(), bad_region.get(), kCFBooleanTrue};
  vtc::cf::Owned<CFDictionaryRef> bad(CFDictionaryCreate(nullptr, opt_keys, bad_values, 3,
                                                         &kCFTypeDictionaryKeyCallBacks,
                                                         &kCFTypeDictionaryValueCallBacks));
  for (int i = 0; i < 3; ++i) {
    vtc::cf::Owned<CVPixelBufferRef> frame(Frame(s.get(), i));
    EXPECT_EQ(noErr, VTCompressionSessionEncodeFrame(
                         s.get(), frame.get(), CMTimeMake(i, 30), CMTimeMake(1, 30),
                         i == 1 ? options.get() : nullptr, nullptr, nullptr));
  }
  // A QP offset outside -51..51: the session's kVTParameterErr, nothing encoded.
  vtc::cf::Owned<CVPixelBufferRef> frame(Frame(s.get(), 3));
  EXPECT_EQ(kVTParameterErr,
            VTCompressionSessionEncodeFrame(s.get(), frame.get(), CMTimeMake(3, 30),
                                            CMTimeMake(1, 30), bad.get(), nullptr, nullptr));
  TakeWarnings();
  EXPECT_EQ(noErr, VTCompressionSessionCompleteFrames(s.get(), kCMTimeInvalid));
  ASSERT_EQ(3u, out.samples.size());
  // The text is in frame 1's access unit and no other; frame 1 is a key frame (ForceIntraRefresh
  // without IntraRefresh).
  for (int i = 0; i < 3; ++i) {
    CMBlockBufferRef block = CMSampleBufferGetDataBuffer(out.samples[i]);
    std::string bytes(CMBlockBufferGetDataLength(block), '\0');
    ASSERT_EQ(kCMBlockBufferNoErr,
              CMBlockBufferCopyDataBytes(block, 0, bytes.size(), bytes.data()));
    EXPECT_EQ(i == 1, bytes.find("hello from C") != std::string::npos) << i;
    CFArrayRef a = CMSampleBufferGetSampleAttachmentsArray(out.samples[i], false);
    auto d = (CFDictionaryRef)CFArrayGetValueAtIndex(a, 0);
    EXPECT_EQ(i != 2, CFDictionaryGetValue(d, kCMSampleAttachmentKey_NotSync) != kCFBooleanTrue)
        << i;
  }
}

// Two passes through VTMultiPassStorage, as Apple's multi-pass samples do.
TEST_F(VtTest, TwoPassesThroughAMultiPassStorage) {
  // A named file kept with DoNotDelete, in a directory of this test's own.
  char dir_template[] = "/tmp/vtc-capi-multipass-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string file = std::string(dir_template) + "/stats";
  vtc::cf::Owned<CFURLRef> url(CFURLCreateFromFileSystemRepresentation(
      nullptr, reinterpret_cast<const UInt8*>(file.c_str()), CFIndex(file.size()), false));
  const void* opt_keys[] = {kVTMultiPassStorageCreationOption_DoNotDelete};
  const void* opt_values[] = {kCFBooleanTrue};
  vtc::cf::Owned<CFDictionaryRef> options(CFDictionaryCreate(nullptr, opt_keys, opt_values, 1,
                                                             &kCFTypeDictionaryKeyCallBacks,
                                                             &kCFTypeDictionaryValueCallBacks));
  VTMultiPassStorageRef raw = nullptr;
  ASSERT_EQ(noErr,
            VTMultiPassStorageCreate(nullptr, url.get(), kCMTimeRangeInvalid, options.get(), &raw));
  vtc::cf::Owned<VTMultiPassStorageRef> storage(raw);
  EXPECT_EQ(VTMultiPassStorageGetTypeID(), CFGetTypeID(storage.get()));

  Output out;
  Session s = Create(kCMVideoCodecType_H264, &out);
  vtc::cf::Owned<CFNumberRef> rate(MakeInt(200000));
  ASSERT_EQ(noErr,
            VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate, rate.get()));
  ASSERT_EQ(noErr, VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_MultiPassStorage,
                                        storage.get()));
  CFTypeRef back = nullptr;
  ASSERT_EQ(noErr, VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_MultiPassStorage,
                                         nullptr, &back));
  EXPECT_TRUE(back && CFEqual(back, storage.get()));
  if (back) CFRelease(back);

  constexpr int kN = 12;
  Boolean further = false;
  for (int pass = 0; pass < 2; ++pass) {
    const size_t before = out.samples.size();
    ASSERT_EQ(noErr, VTCompressionSessionBeginPass(s.get(), 0, nullptr));
    for (int i = 0; i < kN; ++i) {
      vtc::cf::Owned<CVPixelBufferRef> frame(Frame(s.get(), i));
      ASSERT_EQ(noErr,
                VTCompressionSessionEncodeFrame(s.get(), frame.get(), CMTimeMake(i, 30),
                                                CMTimeMake(1, 30), nullptr, nullptr, nullptr));
    }
    ASSERT_EQ(noErr, VTCompressionSessionEndPass(s.get(), &further, nullptr));
    EXPECT_EQ(size_t(kN), out.samples.size() - before) << "pass " << pass;
    CMItemCount count = -1;
    const CMTimeRange* ranges = nullptr;
    ASSERT_EQ(noErr, VTCompressionSessionGetTimeRangesForNextPass(s.get(), &count, &ranges));
    if (pass == 0) {
      EXPECT_TRUE(further);
      ASSERT_EQ(1, count);
      EXPECT_EQ(0, CMTimeCompare(ranges[0].start, CMTimeMake(0, 30)));
      EXPECT_EQ(0, CMTimeCompare(CMTimeRangeGetEnd(ranges[0]), CMTimeMake(kN, 30)));
    } else {
      EXPECT_FALSE(further);
      EXPECT_EQ(0, count);
    }
  }
  EXPECT_EQ(noErr, VTMultiPassStorageClose(storage.get()));
  EXPECT_EQ(noErr, VTMultiPassStorageClose(storage.get()));  // idempotent
  VTCompressionSessionInvalidate(s.get());
  EXPECT_EQ(0, ::access(file.c_str(), F_OK));  // DoNotDelete kept the statistics
  const std::string files[] = {file, file + ".mbtree", file + ".vtcpass", file + ".temp",
                               file + ".mbtree.temp"};
  for (const std::string& f : files) ::unlink(f.c_str());
  EXPECT_EQ(0, ::rmdir(dir_template));

  // Bad input.
  EXPECT_EQ(kVTParameterErr,
            VTMultiPassStorageCreate(nullptr, nullptr, kCMTimeRangeInvalid, nullptr, nullptr));
  EXPECT_EQ(kVTParameterErr, VTMultiPassStorageCreate(nullptr, (CFURLRef)kCFBooleanTrue,
                                                      kCMTimeRangeInvalid, nullptr, &raw));
  EXPECT_EQ(nullptr, raw);
  const void* bad_keys[] = {CFSTR("NoSuchOption")};
  vtc::cf::Owned<CFDictionaryRef> bad(CFDictionaryCreate(nullptr, bad_keys, opt_values, 1,
                                                         &kCFTypeDictionaryKeyCallBacks,
                                                         &kCFTypeDictionaryValueCallBacks));
  EXPECT_EQ(kVTParameterErr,
            VTMultiPassStorageCreate(nullptr, nullptr, kCMTimeRangeInvalid, bad.get(), &raw));
  vtc::cf::Owned<CFURLRef> nowhere(CFURLCreateWithFileSystemPath(
      nullptr, CFSTR("/nonexistent-vtc-dir/stats"), kCFURLPOSIXPathStyle, false));
  EXPECT_EQ(kVTMultiPassStorageInvalidErr,
            VTMultiPassStorageCreate(nullptr, nowhere.get(), kCMTimeRangeInvalid, nullptr, &raw));
  EXPECT_EQ(kVTParameterErr, VTMultiPassStorageClose(nullptr));
  // A temporary storage (NULL URL) works too and is gone after Close.
  ASSERT_EQ(noErr, VTMultiPassStorageCreate(nullptr, nullptr, kCMTimeRangeInvalid, nullptr, &raw));
  EXPECT_EQ(noErr, VTMultiPassStorageClose(raw));
  CFRelease(raw);
  TakeWarnings();
}

// A source buffer's colour attachments describe the stream unless the session was told.
TEST_F(VtTest, FirstFramesColourAttachmentsFillUnsetColourProperties) {
  Output out;
  Session s = Create(kCMVideoCodecType_H264, &out);
  ASSERT_EQ(noErr, VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_YCbCrMatrix,
                                        kCVImageBufferYCbCrMatrix_ITU_R_709_2));
  for (int i = 0; i < 2; ++i) {
    vtc::cf::Owned<CVPixelBufferRef> frame(Frame(s.get(), i));
    CVBufferSetAttachment(
        frame.get(), kCVImageBufferColorPrimariesKey,
        i == 0 ? kCVImageBufferColorPrimaries_ITU_R_2020 : kCVImageBufferColorPrimaries_EBU_3213,
        kCVAttachmentMode_ShouldPropagate);
    CVBufferSetAttachment(frame.get(), kCVImageBufferTransferFunctionKey,
                          kCVImageBufferTransferFunction_ITU_R_2020,
                          kCVAttachmentMode_ShouldPropagate);
    CVBufferSetAttachment(frame.get(), kCVImageBufferYCbCrMatrixKey,
                          kCVImageBufferYCbCrMatrix_ITU_R_2020, kCVAttachmentMode_ShouldPropagate);
    EXPECT_EQ(noErr, VTCompressionSessionEncodeFrame(s.get(), frame.get(), CMTimeMake(i, 30),
                                                     CMTimeMake(1, 30), nullptr, nullptr, nullptr));
  }
  EXPECT_EQ(noErr, VTCompressionSessionCompleteFrames(s.get(), kCMTimeInvalid));
  ASSERT_EQ(2u, out.samples.size());
  CMFormatDescriptionRef fd = CMSampleBufferGetFormatDescription(out.samples[1]);
  // Primaries and transfer from frame 0's attachments (frame 1's differ: not read), the matrix
  // the session was given.
  EXPECT_EQ("ITU_R_2020", Text(CMFormatDescriptionGetExtension(
                              fd, kCMFormatDescriptionExtension_ColorPrimaries)));
  EXPECT_EQ("ITU_R_2020", Text(CMFormatDescriptionGetExtension(
                              fd, kCMFormatDescriptionExtension_TransferFunction)));
  EXPECT_EQ("ITU_R_709_2",
            Text(CMFormatDescriptionGetExtension(fd, kCMFormatDescriptionExtension_YCbCrMatrix)));
  CFTypeRef primaries = nullptr;
  EXPECT_EQ(noErr, VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_ColorPrimaries, nullptr,
                                         &primaries));
  EXPECT_EQ("ITU_R_2020", Text(primaries));
  if (primaries) CFRelease(primaries);
}

// Apple's keys the session lacks: kVTPropertyNotSupportedErr, not listed as supported.
TEST_F(VtTest, ApplesKeysTheSessionLacksAreNotSupported) {
  Output out;
  Session s = Create(kCMVideoCodecType_H264, &out);
  const std::set<std::string> supported = SupportedKeys(s.get());
  for (CFStringRef key : {kVTCompressionPropertyKey_MoreFramesBeforeStart,
                          kVTCompressionPropertyKey_MoreFramesAfterEnd,
                          kVTCompressionPropertyKey_TargetQualityForAlpha}) {
    EXPECT_EQ(0u, supported.count(Text(key))) << Text(key);
    EXPECT_EQ(kVTPropertyNotSupportedErr, VTSessionSetProperty(s.get(), key, kCFBooleanTrue))
        << Text(key);
  }
  EXPECT_EQ("MoreFramesBeforeStart", Text(kVTCompressionPropertyKey_MoreFramesBeforeStart));
  EXPECT_EQ("MoreFramesAfterEnd", Text(kVTCompressionPropertyKey_MoreFramesAfterEnd));
  EXPECT_EQ("TargetQualityForAlpha", Text(kVTCompressionPropertyKey_TargetQualityForAlpha));
  EXPECT_GE(kCFCoreFoundationVersionNumber, kCFCoreFoundationVersionNumber10_7);
  TakeWarnings();
}

TEST_F(VtTest, PropertiesAnswerWithVideoToolboxStatuses) {
  Output out;
  Session s = Create(kCMVideoCodecType_H264, &out);
  // Wrong CF type where a key wants a CFNumber: kVTParameterErr, the old value kept.
  vtc::cf::Owned<CFNumberRef> rate(MakeInt(500000));
  ASSERT_EQ(noErr,
            VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate, rate.get()));
  EXPECT_EQ(kVTParameterErr,
            VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate, CFSTR("fast")));
  EXPECT_EQ(kVTParameterErr,
            VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_RealTime, rate.get()));
  CFTypeRef back = nullptr;
  EXPECT_EQ(noErr, VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate, nullptr,
                                         &back));
  EXPECT_TRUE(CFEqual(rate.get(), back));
  CFRelease(back);
  // NULL restores the default.
  EXPECT_EQ(noErr,
            VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate, nullptr));
  EXPECT_EQ(noErr, VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate, nullptr,
                                         &back));
  vtc::cf::Owned<CFNumberRef> zero(MakeInt(0));
  EXPECT_TRUE(back == nullptr || CFEqual(zero.get(), back)) << Description(back);
  if (back) CFRelease(back);
  EXPECT_EQ(kVTPropertyNotSupportedErr,
            VTSessionSetProperty(s.get(), CFSTR("NoSuchKey"), kCFBooleanTrue));
  EXPECT_EQ(kVTPropertyNotSupportedErr,
            VTSessionCopyProperty(s.get(), CFSTR("NoSuchKey"), nullptr, &back));
  EXPECT_EQ(nullptr, back);
  vtc::cf::Owned<CFNumberRef> one(MakeInt(1));
  EXPECT_EQ(
      kVTPropertyReadOnlyErr,
      VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_NumberOfPendingFrames, one.get()));
  EXPECT_EQ(kVTParameterErr, VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_ProfileLevel,
                                                  CFSTR("H264_Nonsense")));
  TakeWarnings();

  // The C layer's own refusals, each with a warning: a key that is not a CFString, a value that
  // is not a property value, a session that is not one, NULL outs.
  EXPECT_EQ(kVTParameterErr,
            VTSessionSetProperty(s.get(), (CFStringRef)rate.get(), kCFBooleanTrue));
  EXPECT_TRUE(WarnedOnce("not a CFString"));
  EXPECT_EQ(kVTParameterErr, VTSessionSetProperty(s.get(), nullptr, kCFBooleanTrue));
  EXPECT_TRUE(WarnedOnce("NULL key"));
  EXPECT_EQ(kVTParameterErr, VTSessionSetProperty(s.get(), kVTCompressionPropertyKey_AverageBitRate,
                                                  VTCompressionSessionGetPixelBufferPool(s.get())));
  EXPECT_TRUE(WarnedOnce("not a CF property value"));
  EXPECT_EQ(kVTParameterErr,
            VTSessionSetProperty(rate.get(), kVTCompressionPropertyKey_RealTime, kCFBooleanTrue));
  EXPECT_TRUE(WarnedOnce("not a VTCompressionSession"));
  EXPECT_EQ(kVTParameterErr,
            VTSessionSetProperty(nullptr, kVTCompressionPropertyKey_RealTime, kCFBooleanTrue));
  EXPECT_TRUE(WarnedOnce("NULL session"));
  EXPECT_EQ(kVTParameterErr,
            VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_RealTime, nullptr, nullptr));
  EXPECT_TRUE(WarnedOnce("NULL propertyValueOut"));
  EXPECT_EQ(kVTParameterErr, VTSessionCopySupportedPropertyDictionary(s.get(), nullptr));
  EXPECT_TRUE(WarnedOnce("NULL out"));
  EXPECT_EQ(kVTParameterErr, VTSessionSetProperties(s.get(), (CFDictionaryRef)rate.get()));
  EXPECT_TRUE(WarnedOnce("not a CFDictionary"));

  // SetProperties: CFNumber, CFBoolean and CFString values together.
  const void* keys[] = {kVTCompressionPropertyKey_ExpectedFrameRate,
                        kVTCompressionPropertyKey_RealTime, kVTCompressionPropertyKey_ProfileLevel};
  vtc::cf::Owned<CFNumberRef> fps(MakeDouble(25.0));
  const void* values[] = {fps.get(), kCFBooleanTrue, kVTProfileLevel_H264_Main_AutoLevel};
  vtc::cf::Owned<CFDictionaryRef> props(CFDictionaryCreate(
      nullptr, keys, values, 3, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  EXPECT_EQ(noErr, VTSessionSetProperties(s.get(), props.get()));
  EXPECT_EQ(noErr,
            VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_ProfileLevel, nullptr, &back));
  EXPECT_TRUE(CFEqual(kVTProfileLevel_H264_Main_AutoLevel, back));
  CFRelease(back);
  EXPECT_EQ(noErr,
            VTSessionCopyProperty(s.get(), kVTCompressionPropertyKey_RealTime, nullptr, &back));
  EXPECT_EQ(kCFBooleanTrue, back);
  CFRelease(back);
  TakeWarnings();  // the session's own messages about refused calls
}

TEST_F(VtTest, CreateAndEncodeRefuseBadInput) {
  Output out;
  VTCompressionSessionRef s = (VTCompressionSessionRef)1;
  EXPECT_EQ(kVTCouldNotFindVideoEncoderErr,
            VTCompressionSessionCreate(nullptr, 64, 48, 'mp4v', nullptr, nullptr, nullptr,
                                       &OnOutput, &out, &s));
  EXPECT_EQ(nullptr, s);
  EXPECT_EQ(kVTParameterErr,
            VTCompressionSessionCreate(nullptr, 0, 48, kCMVideoCodecType_H264, nullptr, nullptr,
                                       nullptr, &OnOutput, &out, &s));
  EXPECT_EQ(nullptr, s);
  TakeWarnings();
  EXPECT_EQ(kVTParameterErr,
            VTCompressionSessionCreate(nullptr, 64, 48, kCMVideoCodecType_H264, nullptr, nullptr,
                                       nullptr, nullptr, &out, &s));
  EXPECT_TRUE(WarnedOnce("NULL outputCallback"));
  EXPECT_EQ(kVTParameterErr,
            VTCompressionSessionCreate(nullptr, 64, 48, kCMVideoCodecType_H264, nullptr, nullptr,
                                       nullptr, &OnOutput, &out, nullptr));
  EXPECT_TRUE(WarnedOnce("NULL compressionSessionOut"));
  EXPECT_EQ(kVTParameterErr, VTCompressionSessionCreate(nullptr, 64, 48, kCMVideoCodecType_H264,
                                                        (CFDictionaryRef)kCFBooleanTrue, nullptr,
                                                        nullptr, &OnOutput, &out, &s));
  EXPECT_TRUE(WarnedOnce("encoderSpecification"));
  EXPECT_EQ(kVTParameterErr, VTCompressionSessionCreate(nullptr, 64, 48, kCMVideoCodecType_H264,
                                                        nullptr, (CFDictionaryRef)CFSTR("attrs"),
                                                        nullptr, &OnOutput, &out, &s));
  EXPECT_TRUE(WarnedOnce("sourceImageBufferAttributes"));
  const void* k[] = {kVTVideoEncoderSpecification_RequireHardwareAcceleratedVideoEncoder};
  const void* v[] = {kCFBooleanTrue};
  vtc::cf::Owned<CFDictionaryRef> spec(CFDictionaryCreate(
      nullptr, k, v, 1, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  EXPECT_EQ(kVTCouldNotFindVideoEncoderErr,
            VTCompressionSessionCreate(nullptr, 64, 48, kCMVideoCodecType_H264, spec.get(), nullptr,
                                       nullptr, &OnOutput, &out, &s));
  EXPECT_EQ(nullptr, s);
  TakeWarnings();

  Session session = Create(kCMVideoCodecType_H264, &out);
  vtc::cf::Owned<CVPixelBufferRef> frame(Frame(session.get(), 0));
  // An image buffer that is not a CVPixelBuffer, frame properties that are not a dictionary:
  // kVTParameterErr and no callback for that frame.
  EXPECT_EQ(kVTParameterErr, VTCompressionSessionEncodeFrame(
                                 session.get(), (CVImageBufferRef)CFSTR("pixels"),
                                 CMTimeMake(0, 30), kCMTimeInvalid, nullptr, nullptr, nullptr));
  EXPECT_TRUE(WarnedOnce("not a CVPixelBuffer"));
  EXPECT_EQ(kVTParameterErr, VTCompressionSessionEncodeFrame(
                                 session.get(), frame.get(), CMTimeMake(0, 30), kCMTimeInvalid,
                                 (CFDictionaryRef)kCFBooleanTrue, nullptr, nullptr));
  EXPECT_TRUE(WarnedOnce("frameProperties"));
  EXPECT_EQ(kVTParameterErr,
            VTCompressionSessionEncodeFrame(session.get(), nullptr, CMTimeMake(0, 30),
                                            kCMTimeInvalid, nullptr, nullptr, nullptr));
  EXPECT_EQ(kVTParameterErr,
            VTCompressionSessionEncodeFrame(session.get(), frame.get(), kCMTimeInvalid,
                                            kCMTimeInvalid, nullptr, nullptr, nullptr));
  EXPECT_EQ(kVTParameterErr, VTCompressionSessionEncodeFrame(
                                 (VTCompressionSessionRef)frame.get(), frame.get(),
                                 CMTimeMake(0, 30), kCMTimeInvalid, nullptr, nullptr, nullptr));
  EXPECT_EQ(nullptr, VTCompressionSessionGetPixelBufferPool(nullptr));
  VTCompressionSessionInvalidate((VTCompressionSessionRef)frame.get());
  EXPECT_EQ(kVTParameterErr, VTCompressionSessionCompleteFrames(nullptr, kCMTimeInvalid));
  EXPECT_EQ(noErr, VTCompressionSessionCompleteFrames(session.get(), kCMTimeInvalid));
  EXPECT_TRUE(out.frame_refcons.empty());
  // No storage: the pass verbs say so.
  EXPECT_EQ(
      kVTMultiPassStorageInvalidErr,
      VTCompressionSessionBeginPass(session.get(), kVTCompressionSessionBeginFinalPass, nullptr));
  Boolean further = true;
  EXPECT_EQ(kVTMultiPassStorageInvalidErr,
            VTCompressionSessionEndPass(session.get(), &further, nullptr));
  CMItemCount count = 0;
  const CMTimeRange* ranges = nullptr;
  EXPECT_EQ(kVTMultiPassStorageInvalidErr,
            VTCompressionSessionGetTimeRangesForNextPass(session.get(), &count, &ranges));
  TakeWarnings();
}

TEST_F(VtTest, ReleasingTheSessionAnswersPendingFramesAsDropped) {
  Output out;
  {
    Session s = Create(kCMVideoCodecType_H264, &out);
    for (int i = 0; i < 3; ++i) {
      vtc::cf::Owned<CVPixelBufferRef> frame(Frame(s.get(), i));
      ASSERT_EQ(noErr,
                VTCompressionSessionEncodeFrame(s.get(), frame.get(), CMTimeMake(i, 30),
                                                CMTimeMake(1, 30), nullptr, nullptr, nullptr));
    }
  }  // the last CFRelease: the session invalidates, every frame is answered
  std::lock_guard<std::mutex> lock(out.mu);
  EXPECT_EQ(3u, out.frame_refcons.size());
  EXPECT_EQ(3u, out.samples.size() + out.dropped);
}

TEST_F(VtTest, EncoderList) {
  CFArrayRef list = nullptr;
  ASSERT_EQ(noErr, VTCopyVideoEncoderList(nullptr, &list));
  std::set<std::string> ids;
  std::set<long long> codecs;
  for (CFIndex i = 0; i < CFArrayGetCount(list); ++i) {
    auto e = (CFDictionaryRef)CFArrayGetValueAtIndex(list, i);
    ids.insert(Text(CFDictionaryGetValue(e, kVTVideoEncoderList_EncoderID)));
    SInt64 c = 0;
    CFNumberGetValue((CFNumberRef)CFDictionaryGetValue(e, kVTVideoEncoderList_CodecType),
                     kCFNumberSInt64Type, &c);
    codecs.insert(c);
    EXPECT_EQ(kCFBooleanFalse, CFDictionaryGetValue(e, kVTVideoEncoderList_IsHardwareAccelerated));
    EXPECT_NE(nullptr, CFDictionaryGetValue(e, kVTVideoEncoderList_DisplayName));
  }
  CFRelease(list);
  EXPECT_TRUE(ids.count(vtc::kX264EncoderID));
  EXPECT_TRUE(ids.count(vtc::kX265EncoderID));
  EXPECT_TRUE(codecs.count(kCMVideoCodecType_H264));
  EXPECT_TRUE(codecs.count(kCMVideoCodecType_HEVC));
  EXPECT_EQ(kVTParameterErr, VTCopyVideoEncoderList(nullptr, nullptr));
  EXPECT_TRUE(WarnedOnce("NULL listOfVideoEncodersOut"));
  EXPECT_EQ(kVTParameterErr, VTCopyVideoEncoderList((CFDictionaryRef)kCFNull, &list));
  EXPECT_TRUE(WarnedOnce("options"));
  EXPECT_EQ(nullptr, list);
}

TEST_F(VtTest, LiveObjectCountIsTheRuntimes) {
  const CFIndex before = vtcompress_capi_live_object_count();
  EXPECT_EQ(vtc::cf::LiveObjectCount(), before);
  CFNumberRef n = MakeInt(7);
  EXPECT_EQ(before + 1, vtcompress_capi_live_object_count());
  CFRelease(n);
  EXPECT_EQ(before, vtcompress_capi_live_object_count());
}

}  // namespace
