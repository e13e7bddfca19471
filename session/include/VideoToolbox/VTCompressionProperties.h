/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compression property keys and values, encoder specification keys and frame options
 * (VideoToolbox/VTCompressionProperties.h), for the keys the session supports. Each key's text is
 * Apple's constant without its prefix ("AverageBitRate"), as the session's (vtcompress/keys.h);
 * docs/properties.md describes each key, its type, range and when it may change. Value types:
 * CFNumber, CFBoolean, CFString, CFArray, CFDictionary, CFData as Apple's documentation gives
 * them; a value of another CF type is kVTParameterErr. */
#ifndef __VTC_VIDEOTOOLBOX_VTCOMPRESSIONPROPERTIES_H
#define __VTC_VIDEOTOOLBOX_VTCOMPRESSIONPROPERTIES_H

#include <VideoToolbox/VTBase.h>

__VTC_CF_EXTERN_C_BEGIN

/* VideoToolbox's keys. MultiPassStorage takes a VTMultiPassStorageRef
 * (VideoToolbox/VTMultiPassStorage.h); CopyProperty gives a new reference CFEqual to it. */
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_NumberOfPendingFrames;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_PixelBufferPoolIsShared;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_VideoEncoderPixelBufferAttributes;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_UsingHardwareAcceleratedVideoEncoder;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_EncoderID;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MaxKeyFrameInterval;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MaxKeyFrameIntervalDuration;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_AllowTemporalCompression;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_AllowFrameReordering;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_ReferenceBufferCount;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_AverageBitRate;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_DataRateLimits;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_ConstantBitRate;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_Quality;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MaxAllowedFrameQP;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MinAllowedFrameQP;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_PrioritizeEncodingSpeedOverQuality;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_RealTime;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MaxFrameDelayCount;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_SuggestedLookAheadFrameCount;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_SpatialAdaptiveQPLevel;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_ExpectedFrameRate;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_SourceFrameCount;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_ExpectedDuration;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_CalculateMeanSquaredError;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_ProfileLevel;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_H264EntropyMode;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MaxH264SliceBytes;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_PixelAspectRatio;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_FieldCount;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_FieldDetail;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_ColorPrimaries;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_TransferFunction;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_YCbCrMatrix;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MasteringDisplayColorVolume;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_ContentLightLevelInfo;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MultiPassStorage;

/* Apple's keys the session does not have (not in CopySupportedPropertyDictionary): setting them
 * answers kVTPropertyNotSupportedErr, as VideoToolbox does on an encoder without them, so code
 * that treats that status as "ignore" (FFmpeg's frames_before/frames_after and the alpha quality
 * of HEVC with alpha) runs on. */
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MoreFramesBeforeStart;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_MoreFramesAfterEnd;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_TargetQualityForAlpha;

/* Keys of this implementation, not Apple's (vtcompress/keys.h): read-only state ... */
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_EncoderFrameDelay;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_EncoderReorderDepth;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_RealTimeSpeedLevel;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_RealTimeEncodeTime;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_RealTimeCPUTime;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_RealTimeFramesDropped;
/* ... and x264/x265 settings. */
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_X264SpeedPreset;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_X264Tune;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_X264Threads;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_X264Options;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_X265SpeedPreset;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_X265Tune;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_X265Threads;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_X265Options;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_ReleaseSourceBufferOnImport;
VT_EXPORT const CFStringRef kVTCompressionPropertyKey_IntraRefresh;

/* ProfileLevel values. High10/High422/High444 and the HEVC profiles past Main10 are this
 * implementation's names (Apple has none for them). */
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_1_3;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_3_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_3_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_3_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_4_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_4_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_4_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_5_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_5_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_5_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Baseline_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_3_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_3_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_3_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_4_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_4_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_4_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_5_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_5_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_5_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_Main_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_3_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_3_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_3_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_4_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_4_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_4_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_5_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_5_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_5_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_3_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_3_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_3_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_4_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_4_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_4_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_5_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_5_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_5_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High10_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_3_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_3_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_3_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_4_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_4_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_4_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_5_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_5_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_5_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High422_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_3_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_3_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_3_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_4_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_4_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_4_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_5_0;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_5_1;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_5_2;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_High444_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_ConstrainedBaseline_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_H264_ConstrainedHigh_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_HEVC_Main_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_HEVC_Main10_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_HEVC_Main42210_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_HEVC_Main12_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_HEVC_Main42212_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_HEVC_Main444_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_HEVC_Main44410_AutoLevel;
VT_EXPORT const CFStringRef kVTProfileLevel_HEVC_Main44412_AutoLevel;

/* H264EntropyMode values. */
VT_EXPORT const CFStringRef kVTH264EntropyMode_CAVLC;
VT_EXPORT const CFStringRef kVTH264EntropyMode_CABAC;

/* MaxFrameDelayCount's "no limit" and SpatialAdaptiveQPLevel's values. */
enum { kVTUnlimitedFrameDelayCount = -1 };
enum { kVTQPModulationLevel_Default = -1, kVTQPModulationLevel_Disable = 0 };

/* Encoder specification keys (VTCompressionSessionCreate's encoderSpecification). */
VT_EXPORT const CFStringRef kVTVideoEncoderSpecification_EncoderID;
VT_EXPORT const CFStringRef kVTVideoEncoderSpecification_EnableHardwareAcceleratedVideoEncoder;
VT_EXPORT const CFStringRef kVTVideoEncoderSpecification_RequireHardwareAcceleratedVideoEncoder;
VT_EXPORT const CFStringRef kVTVideoEncoderSpecification_EnableLowLatencyRateControl;

/* Frame options (VTCompressionSessionEncodeFrame's frameProperties). */
VT_EXPORT const CFStringRef kVTEncodeFrameOptionKey_ForceKeyFrame;
/* Frame options of this implementation, not Apple's (vtcompress/keys.h documents each):
 * ForceIntraRefresh (CFBoolean: start an intra refresh wave, or a key frame without IntraRefresh);
 * SEIPayloads (a CFArray of CFDictionaries, each a PayloadType CFNumber, 4 or 5, and a Payload
 * CFData without the type and size bytes: captions, user data, in this frame's access unit);
 * RegionsOfInterest (a CFArray of CFDictionaries of CFNumbers X, Y, Width, Height, in pixels,
 * and QPOffset, -51..51: negative spends more bits there). */
VT_EXPORT const CFStringRef kVTEncodeFrameOptionKey_ForceIntraRefresh;
VT_EXPORT const CFStringRef kVTEncodeFrameOptionKey_SEIPayloads;
VT_EXPORT const CFStringRef kVTSEIPayloadKey_PayloadType;
VT_EXPORT const CFStringRef kVTSEIPayloadKey_Payload;
VT_EXPORT const CFStringRef kVTEncodeFrameOptionKey_RegionsOfInterest;
VT_EXPORT const CFStringRef kVTRegionOfInterestKey_X;
VT_EXPORT const CFStringRef kVTRegionOfInterestKey_Y;
VT_EXPORT const CFStringRef kVTRegionOfInterestKey_Width;
VT_EXPORT const CFStringRef kVTRegionOfInterestKey_Height;
VT_EXPORT const CFStringRef kVTRegionOfInterestKey_QPOffset;

/* The QualityMetrics sample attachment (with CalculateMeanSquaredError) and its keys. */
VT_EXPORT const CFStringRef kVTSampleAttachmentKey_QualityMetrics;
VT_EXPORT const CFStringRef kVTSampleAttachmentQualityMetricsKey_LumaMeanSquaredError;
VT_EXPORT const CFStringRef kVTSampleAttachmentQualityMetricsKey_ChromaBlueMeanSquaredError;
VT_EXPORT const CFStringRef kVTSampleAttachmentQualityMetricsKey_ChromaRedMeanSquaredError;

__VTC_CF_EXTERN_C_END

#endif /* __VTC_VIDEOTOOLBOX_VTCOMPRESSIONPROPERTIES_H */
