// SPDX-License-Identifier: GPL-2.0-or-later
// VideoToolbox's key constants: each text is the session's key string (vtcompress/keys.h), which
// is Apple's constant without its prefix; test_vt_session checks them against the session's
// CopySupportedPropertyDictionary.
#include <VideoToolbox/VideoToolbox.h>

extern "C" {

const CFStringRef kVTCompressionPropertyKey_NumberOfPendingFrames = CFSTR("NumberOfPendingFrames");
const CFStringRef kVTCompressionPropertyKey_PixelBufferPoolIsShared =
    CFSTR("PixelBufferPoolIsShared");
const CFStringRef kVTCompressionPropertyKey_VideoEncoderPixelBufferAttributes =
    CFSTR("VideoEncoderPixelBufferAttributes");
const CFStringRef kVTCompressionPropertyKey_UsingHardwareAcceleratedVideoEncoder =
    CFSTR("UsingHardwareAcceleratedVideoEncoder");
const CFStringRef kVTCompressionPropertyKey_EncoderID = CFSTR("EncoderID");
const CFStringRef kVTCompressionPropertyKey_MaxKeyFrameInterval = CFSTR("MaxKeyFrameInterval");
const CFStringRef kVTCompressionPropertyKey_MaxKeyFrameIntervalDuration =
    CFSTR("MaxKeyFrameIntervalDuration");
const CFStringRef kVTCompressionPropertyKey_AllowTemporalCompression =
    CFSTR("AllowTemporalCompression");
const CFStringRef kVTCompressionPropertyKey_AllowFrameReordering = CFSTR("AllowFrameReordering");
const CFStringRef kVTCompressionPropertyKey_ReferenceBufferCount = CFSTR("ReferenceBufferCount");
const CFStringRef kVTCompressionPropertyKey_AverageBitRate = CFSTR("AverageBitRate");
const CFStringRef kVTCompressionPropertyKey_DataRateLimits = CFSTR("DataRateLimits");
const CFStringRef kVTCompressionPropertyKey_ConstantBitRate = CFSTR("ConstantBitRate");
const CFStringRef kVTCompressionPropertyKey_Quality = CFSTR("Quality");
const CFStringRef kVTCompressionPropertyKey_MaxAllowedFrameQP = CFSTR("MaxAllowedFrameQP");
const CFStringRef kVTCompressionPropertyKey_MinAllowedFrameQP = CFSTR("MinAllowedFrameQP");
const CFStringRef kVTCompressionPropertyKey_PrioritizeEncodingSpeedOverQuality =
    CFSTR("PrioritizeEncodingSpeedOverQuality");
const CFStringRef kVTCompressionPropertyKey_RealTime = CFSTR("RealTime");
const CFStringRef kVTCompressionPropertyKey_MaxFrameDelayCount = CFSTR("MaxFrameDelayCount");
const CFStringRef kVTCompressionPropertyKey_SuggestedLookAheadFrameCount =
    CFSTR("SuggestedLookAheadFrameCount");
const CFStringRef kVTCompressionPropertyKey_SpatialAdaptiveQPLevel =
    CFSTR("SpatialAdaptiveQPLevel");
const CFStringRef kVTCompressionPropertyKey_ExpectedFrameRate = CFSTR("ExpectedFrameRate");
const CFStringRef kVTCompressionPropertyKey_SourceFrameCount = CFSTR("SourceFrameCount");
const CFStringRef kVTCompressionPropertyKey_ExpectedDuration = CFSTR("ExpectedDuration");
const CFStringRef kVTCompressionPropertyKey_CalculateMeanSquaredError =
    CFSTR("CalculateMeanSquaredError");
const CFStringRef kVTCompressionPropertyKey_ProfileLevel = CFSTR("ProfileLevel");
const CFStringRef kVTCompressionPropertyKey_H264EntropyMode = CFSTR("H264EntropyMode");
const CFStringRef kVTCompressionPropertyKey_MaxH264SliceBytes = CFSTR("MaxH264SliceBytes");
const CFStringRef kVTCompressionPropertyKey_PixelAspectRatio = CFSTR("PixelAspectRatio");
const CFStringRef kVTCompressionPropertyKey_FieldCount = CFSTR("FieldCount");
const CFStringRef kVTCompressionPropertyKey_FieldDetail = CFSTR("FieldDetail");
const CFStringRef kVTCompressionPropertyKey_ColorPrimaries = CFSTR("ColorPrimaries");
const CFStringRef kVTCompressionPropertyKey_TransferFunction = CFSTR("TransferFunction");
const CFStringRef kVTCompressionPropertyKey_YCbCrMatrix = CFSTR("YCbCrMatrix");
const CFStringRef kVTCompressionPropertyKey_MasteringDisplayColorVolume =
    CFSTR("MasteringDisplayColorVolume");
const CFStringRef kVTCompressionPropertyKey_ContentLightLevelInfo = CFSTR("ContentLightLevelInfo");
const CFStringRef kVTCompressionPropertyKey_MultiPassStorage = CFSTR("MultiPassStorage");
const CFStringRef kVTCompressionPropertyKey_MoreFramesBeforeStart = CFSTR("MoreFramesBeforeStart");
const CFStringRef kVTCompressionPropertyKey_MoreFramesAfterEnd = CFSTR("MoreFramesAfterEnd");
const CFStringRef kVTCompressionPropertyKey_TargetQualityForAlpha = CFSTR("TargetQualityForAlpha");
const CFStringRef kVTCompressionPropertyKey_EncoderFrameDelay = CFSTR("EncoderFrameDelay");
const CFStringRef kVTCompressionPropertyKey_EncoderReorderDepth = CFSTR("EncoderReorderDepth");
const CFStringRef kVTCompressionPropertyKey_RealTimeSpeedLevel = CFSTR("RealTimeSpeedLevel");
const CFStringRef kVTCompressionPropertyKey_RealTimeEncodeTime = CFSTR("RealTimeEncodeTime");
const CFStringRef kVTCompressionPropertyKey_RealTimeCPUTime = CFSTR("RealTimeCPUTime");
const CFStringRef kVTCompressionPropertyKey_RealTimeFramesDropped = CFSTR("RealTimeFramesDropped");
const CFStringRef kVTCompressionPropertyKey_X264SpeedPreset = CFSTR("X264SpeedPreset");
const CFStringRef kVTCompressionPropertyKey_X264Tune = CFSTR("X264Tune");
const CFStringRef kVTCompressionPropertyKey_X264Threads = CFSTR("X264Threads");
const CFStringRef kVTCompressionPropertyKey_X264Options = CFSTR("X264Options");
const CFStringRef kVTCompressionPropertyKey_X265SpeedPreset = CFSTR("X265SpeedPreset");
const CFStringRef kVTCompressionPropertyKey_X265Tune = CFSTR("X265Tune");
const CFStringRef kVTCompressionPropertyKey_X265Threads = CFSTR("X265Threads");
const CFStringRef kVTCompressionPropertyKey_X265Options = CFSTR("X265Options");
const CFStringRef kVTCompressionPropertyKey_ReleaseSourceBufferOnImport =
    CFSTR("ReleaseSourceBufferOnImport");
const CFStringRef kVTCompressionPropertyKey_IntraRefresh = CFSTR("IntraRefresh");

const CFStringRef kVTProfileLevel_H264_Baseline_1_3 = CFSTR("H264_Baseline_1_3");
const CFStringRef kVTProfileLevel_H264_Baseline_3_0 = CFSTR("H264_Baseline_3_0");
const CFStringRef kVTProfileLevel_H264_Baseline_3_1 = CFSTR("H264_Baseline_3_1");
const CFStringRef kVTProfileLevel_H264_Baseline_3_2 = CFSTR("H264_Baseline_3_2");
const CFStringRef kVTProfileLevel_H264_Baseline_4_0 = CFSTR("H264_Baseline_4_0");
const CFStringRef kVTProfileLevel_H264_Baseline_4_1 = CFSTR("H264_Baseline_4_1");
const CFStringRef kVTProfileLevel_H264_Baseline_4_2 = CFSTR("H264_Baseline_4_2");
const CFStringRef kVTProfileLevel_H264_Baseline_5_0 = CFSTR("H264_Baseline_5_0");
const CFStringRef kVTProfileLevel_H264_Baseline_5_1 = CFSTR("H264_Baseline_5_1");
const CFStringRef kVTProfileLevel_H264_Baseline_5_2 = CFSTR("H264_Baseline_5_2");
const CFStringRef kVTProfileLevel_H264_Baseline_AutoLevel = CFSTR("H264_Baseline_AutoLevel");
const CFStringRef kVTProfileLevel_H264_Main_3_0 = CFSTR("H264_Main_3_0");
const CFStringRef kVTProfileLevel_H264_Main_3_1 = CFSTR("H264_Main_3_1");
const CFStringRef kVTProfileLevel_H264_Main_3_2 = CFSTR("H264_Main_3_2");
const CFStringRef kVTProfileLevel_H264_Main_4_0 = CFSTR("H264_Main_4_0");
const CFStringRef kVTProfileLevel_H264_Main_4_1 = CFSTR("H264_Main_4_1");
const CFStringRef kVTProfileLevel_H264_Main_4_2 = CFSTR("H264_Main_4_2");
const CFStringRef kVTProfileLevel_H264_Main_5_0 = CFSTR("H264_Main_5_0");
const CFStringRef kVTProfileLevel_H264_Main_5_1 = CFSTR("H264_Main_5_1");
const CFStringRef kVTProfileLevel_H264_Main_5_2 = CFSTR("H264_Main_5_2");
const CFStringRef kVTProfileLevel_H264_Main_AutoLevel = CFSTR("H264_Main_AutoLevel");
const CFStringRef kVTProfileLevel_H264_High_3_0 = CFSTR("H264_High_3_0");
const CFStringRef kVTProfileLevel_H264_High_3_1 = CFSTR("H264_High_3_1");
const CFStringRef kVTProfileLevel_H264_High_3_2 = CFSTR("H264_High_3_2");
const CFStringRef kVTProfileLevel_H264_High_4_0 = CFSTR("H264_High_4_0");
const CFStringRef kVTProfileLevel_H264_High_4_1 = CFSTR("H264_High_4_1");
const CFStringRef kVTProfileLevel_H264_High_4_2 = CFSTR("H264_High_4_2");
const CFStringRef kVTProfileLevel_H264_High_5_0 = CFSTR("H264_High_5_0");
const CFStringRef kVTProfileLevel_H264_High_5_1 = CFSTR("H264_High_5_1");
const CFStringRef kVTProfileLevel_H264_High_5_2 = CFSTR("H264_High_5_2");
const CFStringRef kVTProfileLevel_H264_High_AutoLevel = CFSTR("H264_High_AutoLevel");
const CFStringRef kVTProfileLevel_H264_High10_3_0 = CFSTR("H264_High10_3_0");
const CFStringRef kVTProfileLevel_H264_High10_3_1 = CFSTR("H264_High10_3_1");
const CFStringRef kVTProfileLevel_H264_High10_3_2 = CFSTR("H264_High10_3_2");
const CFStringRef kVTProfileLevel_H264_High10_4_0 = CFSTR("H264_High10_4_0");
const CFStringRef kVTProfileLevel_H264_High10_4_1 = CFSTR("H264_High10_4_1");
const CFStringRef kVTProfileLevel_H264_High10_4_2 = CFSTR("H264_High10_4_2");
const CFStringRef kVTProfileLevel_H264_High10_5_0 = CFSTR("H264_High10_5_0");
const CFStringRef kVTProfileLevel_H264_High10_5_1 = CFSTR("H264_High10_5_1");
const CFStringRef kVTProfileLevel_H264_High10_5_2 = CFSTR("H264_High10_5_2");
const CFStringRef kVTProfileLevel_H264_High10_AutoLevel = CFSTR("H264_High10_AutoLevel");
const CFStringRef kVTProfileLevel_H264_High422_3_0 = CFSTR("H264_High422_3_0");
const CFStringRef kVTProfileLevel_H264_High422_3_1 = CFSTR("H264_High422_3_1");
const CFStringRef kVTProfileLevel_H264_High422_3_2 = CFSTR("H264_High422_3_2");
const CFStringRef kVTProfileLevel_H264_High422_4_0 = CFSTR("H264_High422_4_0");
const CFStringRef kVTProfileLevel_H264_High422_4_1 = CFSTR("H264_High422_4_1");
const CFStringRef kVTProfileLevel_H264_High422_4_2 = CFSTR("H264_High422_4_2");
const CFStringRef kVTProfileLevel_H264_High422_5_0 = CFSTR("H264_High422_5_0");
const CFStringRef kVTProfileLevel_H264_High422_5_1 = CFSTR("H264_High422_5_1");
const CFStringRef kVTProfileLevel_H264_High422_5_2 = CFSTR("H264_High422_5_2");
const CFStringRef kVTProfileLevel_H264_High422_AutoLevel = CFSTR("H264_High422_AutoLevel");
const CFStringRef kVTProfileLevel_H264_High444_3_0 = CFSTR("H264_High444_3_0");
const CFStringRef kVTProfileLevel_H264_High444_3_1 = CFSTR("H264_High444_3_1");
const CFStringRef kVTProfileLevel_H264_High444_3_2 = CFSTR("H264_High444_3_2");
const CFStringRef kVTProfileLevel_H264_High444_4_0 = CFSTR("H264_High444_4_0");
const CFStringRef kVTProfileLevel_H264_High444_4_1 = CFSTR("H264_High444_4_1");
const CFStringRef kVTProfileLevel_H264_High444_4_2 = CFSTR("H264_High444_4_2");
const CFStringRef kVTProfileLevel_H264_High444_5_0 = CFSTR("H264_High444_5_0");
const CFStringRef kVTProfileLevel_H264_High444_5_1 = CFSTR("H264_High444_5_1");
const CFStringRef kVTProfileLevel_H264_High444_5_2 = CFSTR("H264_High444_5_2");
const CFStringRef kVTProfileLevel_H264_High444_AutoLevel = CFSTR("H264_High444_AutoLevel");
const CFStringRef kVTProfileLevel_H264_ConstrainedBaseline_AutoLevel =
    CFSTR("H264_ConstrainedBaseline_AutoLevel");
const CFStringRef kVTProfileLevel_H264_ConstrainedHigh_AutoLevel =
    CFSTR("H264_ConstrainedHigh_AutoLevel");
const CFStringRef kVTProfileLevel_HEVC_Main_AutoLevel = CFSTR("HEVC_Main_AutoLevel");
const CFStringRef kVTProfileLevel_HEVC_Main10_AutoLevel = CFSTR("HEVC_Main10_AutoLevel");
const CFStringRef kVTProfileLevel_HEVC_Main42210_AutoLevel = CFSTR("HEVC_Main42210_AutoLevel");
const CFStringRef kVTProfileLevel_HEVC_Main12_AutoLevel = CFSTR("HEVC_Main12_AutoLevel");
const CFStringRef kVTProfileLevel_HEVC_Main42212_AutoLevel = CFSTR("HEVC_Main42212_AutoLevel");
const CFStringRef kVTProfileLevel_HEVC_Main444_AutoLevel = CFSTR("HEVC_Main444_AutoLevel");
const CFStringRef kVTProfileLevel_HEVC_Main44410_AutoLevel = CFSTR("HEVC_Main44410_AutoLevel");
const CFStringRef kVTProfileLevel_HEVC_Main44412_AutoLevel = CFSTR("HEVC_Main44412_AutoLevel");

const CFStringRef kVTH264EntropyMode_CAVLC = CFSTR("CAVLC");
const CFStringRef kVTH264EntropyMode_CABAC = CFSTR("CABAC");

const CFStringRef kVTVideoEncoderSpecification_EncoderID = CFSTR("EncoderID");
const CFStringRef kVTVideoEncoderSpecification_EnableHardwareAcceleratedVideoEncoder =
    CFSTR("EnableHardwareAcceleratedVideoEncoder");
const CFStringRef kVTVideoEncoderSpecification_RequireHardwareAcceleratedVideoEncoder =
    CFSTR("RequireHardwareAcceleratedVideoEncoder");
const CFStringRef kVTVideoEncoderSpecification_EnableLowLatencyRateControl =
    CFSTR("EnableLowLatencyRateControl");

const CFStringRef kVTEncodeFrameOptionKey_ForceKeyFrame = CFSTR("ForceKeyFrame");
const CFStringRef kVTEncodeFrameOptionKey_ForceIntraRefresh = CFSTR("ForceIntraRefresh");
const CFStringRef kVTEncodeFrameOptionKey_SEIPayloads = CFSTR("SEIPayloads");
const CFStringRef kVTSEIPayloadKey_PayloadType = CFSTR("PayloadType");
const CFStringRef kVTSEIPayloadKey_Payload = CFSTR("Payload");
const CFStringRef kVTEncodeFrameOptionKey_RegionsOfInterest = CFSTR("RegionsOfInterest");
const CFStringRef kVTRegionOfInterestKey_X = CFSTR("X");
const CFStringRef kVTRegionOfInterestKey_Y = CFSTR("Y");
const CFStringRef kVTRegionOfInterestKey_Width = CFSTR("Width");
const CFStringRef kVTRegionOfInterestKey_Height = CFSTR("Height");
const CFStringRef kVTRegionOfInterestKey_QPOffset = CFSTR("QPOffset");

const CFStringRef kVTSampleAttachmentKey_QualityMetrics = CFSTR("QualityMetrics");
const CFStringRef kVTSampleAttachmentQualityMetricsKey_LumaMeanSquaredError =
    CFSTR("LumaMeanSquaredError");
const CFStringRef kVTSampleAttachmentQualityMetricsKey_ChromaBlueMeanSquaredError =
    CFSTR("ChromaBlueMeanSquaredError");
const CFStringRef kVTSampleAttachmentQualityMetricsKey_ChromaRedMeanSquaredError =
    CFSTR("ChromaRedMeanSquaredError");

const CFStringRef kVTPropertyTypeKey = CFSTR("PropertyType");
const CFStringRef kVTPropertyType_Enumeration = CFSTR("Enumeration");
const CFStringRef kVTPropertyType_Boolean = CFSTR("Boolean");
const CFStringRef kVTPropertyType_Number = CFSTR("Number");
const CFStringRef kVTPropertyReadWriteStatusKey = CFSTR("ReadWriteStatus");
const CFStringRef kVTPropertyReadWriteStatus_ReadOnly = CFSTR("ReadOnly");
const CFStringRef kVTPropertyReadWriteStatus_ReadWrite = CFSTR("ReadWrite");
const CFStringRef kVTPropertySupportedValueMinimumKey = CFSTR("SupportedValueMinimum");
const CFStringRef kVTPropertySupportedValueMaximumKey = CFSTR("SupportedValueMaximum");
const CFStringRef kVTPropertySupportedValueListKey = CFSTR("SupportedValueList");
const CFStringRef kVTPropertyDocumentationKey = CFSTR("Documentation");

const CFStringRef kVTVideoEncoderList_CodecType = CFSTR("CodecType");
const CFStringRef kVTVideoEncoderList_EncoderID = CFSTR("EncoderID");
const CFStringRef kVTVideoEncoderList_CodecName = CFSTR("CodecName");
const CFStringRef kVTVideoEncoderList_EncoderName = CFSTR("EncoderName");
const CFStringRef kVTVideoEncoderList_DisplayName = CFSTR("DisplayName");
const CFStringRef kVTVideoEncoderList_IsHardwareAccelerated = CFSTR("IsHardwareAccelerated");
const CFStringRef kVTVideoEncoderList_SupportsFrameReordering = CFSTR("SupportsFrameReordering");

}  // extern "C"
