// SPDX-License-Identifier: GPL-2.0-or-later
// Key strings. Each is VideoToolbox's / CoreVideo's / CoreMedia's constant without its prefix,
// so `kVTCompressionPropertyKey_AverageBitRate` is "AverageBitRate".
#pragma once

#include "vtcompress/export.h"

#include <cstdint>

namespace vtc {

// Four-character codes, as CoreMedia writes them ('avc1' == 0x61766331).
constexpr std::uint32_t FourCC(const char (&s)[5]) {
  return (std::uint32_t(std::uint8_t(s[0])) << 24) | (std::uint32_t(std::uint8_t(s[1])) << 16) |
         (std::uint32_t(std::uint8_t(s[2])) << 8) | std::uint32_t(std::uint8_t(s[3]));
}

using CodecType = std::uint32_t;
constexpr CodecType kCodecType_H264 = FourCC("avc1");
constexpr CodecType kCodecType_HEVC = FourCC("hvc1");  // x265 (kX265EncoderID)

using PixelFormatType = std::uint32_t;
// Pixel formats a session takes (kCVPixelFormatType_*, CoreVideo's values). docs/session.md has
// the table: layout, how each is coded (chroma format, bit depth, profile), and which go to the
// encoder without a copy. "Video range" samples are 16..235 (64..940 in 10 bits), "full range"
// 0..255 (0..1023). 10-bit samples sit in 16-bit little-endian words.
//
// 4:2:0 8-bit: NV12 (Y, interleaved CbCr) and I420 (Y, Cb, Cr planes).
constexpr PixelFormatType kPixelFormat_420YpCbCr8BiPlanarVideoRange = FourCC("420v");
constexpr PixelFormatType kPixelFormat_420YpCbCr8BiPlanarFullRange = FourCC("420f");
constexpr PixelFormatType kPixelFormat_420YpCbCr8Planar = FourCC("y420");
constexpr PixelFormatType kPixelFormat_420YpCbCr8PlanarFullRange = FourCC("f420");
// 4:2:2 and 4:4:4 8-bit bi-planar (NV16, NV24).
constexpr PixelFormatType kPixelFormat_422YpCbCr8BiPlanarVideoRange = FourCC("422v");
constexpr PixelFormatType kPixelFormat_422YpCbCr8BiPlanarFullRange = FourCC("422f");
constexpr PixelFormatType kPixelFormat_444YpCbCr8BiPlanarVideoRange = FourCC("444v");
constexpr PixelFormatType kPixelFormat_444YpCbCr8BiPlanarFullRange = FourCC("444f");
// 10-bit bi-planar, each sample in the high 10 bits of its word (P010, P210, P410).
constexpr PixelFormatType kPixelFormat_420YpCbCr10BiPlanarVideoRange = FourCC("x420");
constexpr PixelFormatType kPixelFormat_420YpCbCr10BiPlanarFullRange = FourCC("xf20");
constexpr PixelFormatType kPixelFormat_422YpCbCr10BiPlanarVideoRange = FourCC("x422");
constexpr PixelFormatType kPixelFormat_422YpCbCr10BiPlanarFullRange = FourCC("xf22");
constexpr PixelFormatType kPixelFormat_444YpCbCr10BiPlanarVideoRange = FourCC("x444");
constexpr PixelFormatType kPixelFormat_444YpCbCr10BiPlanarFullRange = FourCC("xf44");
// Packed: 4:2:2 8-bit video range, Cb Y0 Cr Y1 (UYVY); 4:2:2 10-bit video range, 6 pixels in 16
// bytes (v210); 8-bit RGB, bytes B G R A and A R G B (alpha ignored). The session converts them.
constexpr PixelFormatType kPixelFormat_422YpCbCr8 = FourCC("2vuy");
constexpr PixelFormatType kPixelFormat_422YpCbCr10 = FourCC("v210");
constexpr PixelFormatType kPixelFormat_32BGRA = FourCC("BGRA");
constexpr PixelFormatType kPixelFormat_32ARGB = 0x00000020;
// Extensions of this project, NOT CoreVideo codes: planar layouts GStreamer hands out (Y42B, Y444,
// I420_10LE, I422_10LE, Y444_10LE) for which CoreVideo has no code. Chosen not to collide with
// any kCVPixelFormatType_* value: 'y'/'f' + chroma format as Apple's 'y420'/'f420', and 'yx'/'fx'
// (video/full range) + chroma format for 10 bits, after Apple's 'x420'/'xf20'. The 10-bit ones
// hold each sample in the low 10 bits of its little-endian word.
constexpr PixelFormatType kPixelFormat_422YpCbCr8Planar = FourCC("y422");
constexpr PixelFormatType kPixelFormat_422YpCbCr8PlanarFullRange = FourCC("f422");
constexpr PixelFormatType kPixelFormat_444YpCbCr8Planar = FourCC("y444");
constexpr PixelFormatType kPixelFormat_444YpCbCr8PlanarFullRange = FourCC("f444");
constexpr PixelFormatType kPixelFormat_420YpCbCr10Planar = FourCC("yx20");
constexpr PixelFormatType kPixelFormat_420YpCbCr10PlanarFullRange = FourCC("fx20");
constexpr PixelFormatType kPixelFormat_422YpCbCr10Planar = FourCC("yx22");
constexpr PixelFormatType kPixelFormat_422YpCbCr10PlanarFullRange = FourCC("fx22");
constexpr PixelFormatType kPixelFormat_444YpCbCr10Planar = FourCC("yx44");
constexpr PixelFormatType kPixelFormat_444YpCbCr10PlanarFullRange = FourCC("fx44");
// 12-bit planar (GStreamer's I420_12LE, I422_12LE, Y444_12LE), each sample in the low 12 bits of
// its little-endian word: 'yc'/'fc' (video/full range) + chroma format. HEVC codes them (Main 12,
// Main 4:2:2 12, Main 4:4:4 12); H.264 sessions code them in 10 bits.
constexpr PixelFormatType kPixelFormat_420YpCbCr12Planar = FourCC("yc20");
constexpr PixelFormatType kPixelFormat_420YpCbCr12PlanarFullRange = FourCC("fc20");
constexpr PixelFormatType kPixelFormat_422YpCbCr12Planar = FourCC("yc22");
constexpr PixelFormatType kPixelFormat_422YpCbCr12PlanarFullRange = FourCC("fc22");
constexpr PixelFormatType kPixelFormat_444YpCbCr12Planar = FourCC("yc44");
constexpr PixelFormatType kPixelFormat_444YpCbCr12PlanarFullRange = FourCC("fc44");

// Three planes (Y, Cb, Cr) rather than bi-planar (Y, CbCr) or packed? False for unknown formats.
VTC_EXPORT bool IsPlanarFormat(PixelFormatType f);
// Full-range (0..255) rather than video-range YUV samples? False for RGB (coded as video range)
// and unknown formats.
VTC_EXPORT bool IsFullRangeFormat(PixelFormatType f);

namespace key {

// kVTVideoEncoderSpecification_*
inline constexpr const char kEncoderID[] = "EncoderID";
inline constexpr const char kEnableHardwareAcceleratedVideoEncoder[] =
    "EnableHardwareAcceleratedVideoEncoder";
inline constexpr const char kRequireHardwareAcceleratedVideoEncoder[] =
    "RequireHardwareAcceleratedVideoEncoder";
inline constexpr const char kEnableLowLatencyRateControl[] = "EnableLowLatencyRateControl";

// kCVPixelBuffer*Key (source image buffer attributes) and kCVPixelBufferPool*Key.
inline constexpr const char kPixelFormatType[] = "PixelFormatType";
inline constexpr const char kWidth[] = "Width";
inline constexpr const char kHeight[] = "Height";
inline constexpr const char kBytesPerRowAlignment[] = "BytesPerRowAlignment";
inline constexpr const char kExtendedPixelsLeft[] = "ExtendedPixelsLeft";
inline constexpr const char kExtendedPixelsTop[] = "ExtendedPixelsTop";
inline constexpr const char kExtendedPixelsRight[] = "ExtendedPixelsRight";
inline constexpr const char kExtendedPixelsBottom[] = "ExtendedPixelsBottom";
inline constexpr const char kPoolMinimumBufferCount[] = "MinimumBufferCount";
// Pool-wide cap on live buffers; CreatePixelBuffer beyond it gives kAllocationFailedErr.
inline constexpr const char kPoolAllocationThreshold[] = "AllocationThreshold";

// kVTCompressionPropertyKey_*
inline constexpr const char kAverageBitRate[] = "AverageBitRate";
inline constexpr const char kDataRateLimits[] = "DataRateLimits";
inline constexpr const char kConstantBitRate[] = "ConstantBitRate";
inline constexpr const char kQuality[] = "Quality";
inline constexpr const char kRealTime[] = "RealTime";
inline constexpr const char kProfileLevel[] = "ProfileLevel";
inline constexpr const char kAllowFrameReordering[] = "AllowFrameReordering";
inline constexpr const char kAllowTemporalCompression[] = "AllowTemporalCompression";
inline constexpr const char kMaxKeyFrameInterval[] = "MaxKeyFrameInterval";
inline constexpr const char kMaxKeyFrameIntervalDuration[] = "MaxKeyFrameIntervalDuration";
inline constexpr const char kExpectedFrameRate[] = "ExpectedFrameRate";
inline constexpr const char kMaxFrameDelayCount[] = "MaxFrameDelayCount";
inline constexpr const char kH264EntropyMode[] = "H264EntropyMode";
inline constexpr const char kMinAllowedFrameQP[] = "MinAllowedFrameQP";
inline constexpr const char kMaxAllowedFrameQP[] = "MaxAllowedFrameQP";
inline constexpr const char kPrioritizeEncodingSpeedOverQuality[] =
    "PrioritizeEncodingSpeedOverQuality";
inline constexpr const char kReferenceBufferCount[] = "ReferenceBufferCount";
inline constexpr const char kSuggestedLookAheadFrameCount[] = "SuggestedLookAheadFrameCount";
inline constexpr const char kSpatialAdaptiveQPLevel[] = "SpatialAdaptiveQPLevel";
inline constexpr const char kMaxH264SliceBytes[] = "MaxH264SliceBytes";
inline constexpr const char kColorPrimaries[] = "ColorPrimaries";
inline constexpr const char kTransferFunction[] = "TransferFunction";
inline constexpr const char kYCbCrMatrix[] = "YCbCrMatrix";
inline constexpr const char kPixelAspectRatio[] = "PixelAspectRatio";
// HDR static metadata (CFData, as VideoToolbox's), until the first frame, and also format
// description extensions of the same names. MasteringDisplayColorVolume: 24 bytes, the SEI's
// layout (ITU-T H.265 D.2.28), big-endian: display_primaries x,y for G, B, R (uint16 each, units
// of 0.00002), white point x,y (uint16), max and min display luminance (uint32, units of 0.0001
// cd/m2). ContentLightLevelInfo: 4 bytes, MaxCLL then MaxFALL (uint16, cd/m2). Written as SEI
// (mastering display colour volume, content light level) by both codecs.
inline constexpr const char kMasteringDisplayColorVolume[] = "MasteringDisplayColorVolume";
inline constexpr const char kContentLightLevelInfo[] = "ContentLightLevelInfo";
// FieldCount 1 (progressive, the default) or 2 (interlaced: x264 codes MBAFF field pairs), and
// FieldDetail, the field order (kCMFormatDescriptionFieldDetail_*). Also format description
// extension keys, with the same names.
inline constexpr const char kFieldCount[] = "FieldCount";
inline constexpr const char kFieldDetail[] = "FieldDetail";
inline constexpr const char kFieldDetailTemporalTopFirst[] = "TemporalTopFirst";
inline constexpr const char kFieldDetailTemporalBottomFirst[] = "TemporalBottomFirst";
inline constexpr const char kFieldDetailSpatialFirstLineEarly[] = "SpatialFirstLineEarly";
inline constexpr const char kFieldDetailSpatialFirstLineLate[] = "SpatialFirstLineLate";
inline constexpr const char kSourceFrameCount[] = "SourceFrameCount";
inline constexpr const char kExpectedDuration[] = "ExpectedDuration";
inline constexpr const char kCalculateMeanSquaredError[] = "CalculateMeanSquaredError";
// A vtc::MultiPassStorage (multipass_storage.h) held as an object Value; enables BeginPass,
// EndPass and GetTimeRangesForNextPass. Until the first frame.
inline constexpr const char kMultiPassStorage[] = "MultiPassStorage";
// Extensions of this implementation (read/write), for people who know x264 or come from
// GStreamer's x264enc; VideoToolbox has no equivalent. See docs/properties.md.
// - X264SpeedPreset (string): "auto" (default: chosen from PrioritizeEncodingSpeedOverQuality,
//   RealTime and Quality, see the table in docs/properties.md) or an x264 preset name, "ultrafast"
//   .. "placebo". Changes between frames like RealTime (x264's analysis settings only; B-frames,
//   lookahead and references stay as opened).
// - X264Tune (string): x264 tune(s), "" (default) for none: "film", "animation", "grain",
//   "stillimage", "psnr", "ssim", "fastdecode", "zerolatency", or several joined with ',' as x264
//   allows (at most one of the first six), e.g. "film,fastdecode". "zerolatency" makes
//   EncoderFrameDelay 0. Until the first frame.
// - X264Threads (int, 0..128): x264 threads, 0 (default) = x264 decides. Until the first frame.
// - X264Options (string): "key=value:key=value" applied with x264_param_parse after every other
//   key (then MaxFrameDelayCount and the profile are enforced). An unknown option, a bad value or
//   an option that would change what the session relies on (annexb, repeat-headers) is
//   kVTParameterErr from SetProperty, naming the option, and the old value is kept. Until the
//   first frame.
// - ReleaseSourceBufferOnImport (bool), not an x264 knob: false (default, like VideoToolbox)
//   keeps each source pixel buffer until its frame has been answered; true releases it on the
//   worker as soon as the x264 call that copied its planes has returned, before the output
//   callback. Frames in x264's delay then hold no caller memory: a GStreamer element saves one
//   raw frame per frame of delay. A caller that reads the source buffer in the callback (through
//   the refcon) must keep its own reference. Changes between frames.
// - IntraRefresh (bool), codec-neutral in spirit: false (default) refreshes the picture with
//   key frames (IDR); true spreads intra-coded columns over a wave of frames instead (x264's
//   periodic intra refresh), one wave every MaxKeyFrameInterval frames (else
//   MaxKeyFrameIntervalDuration, else 1 s of frames at the expected rate, else 30), and the
//   session forces no periodic key frames. Only the first frame (and the first after a drain or a
//   restart) is an IDR, plus those asked for with ForceKeyFrame; ForceIntraRefresh starts a wave.
//   Until the first frame (x264 cannot turn it on or off in a running encoder).
// Keys that apply until the first frame give kVTPropertyReadOnlyErr afterwards, like the
// VideoToolbox keys that only apply at open.
// x265's counterparts (HEVC sessions), with the same meanings and x265's own values:
// - X265SpeedPreset (string): "auto" or an x265 preset name, "ultrafast" .. "placebo". Changes
//   between frames (x265's analysis settings only).
// - X265Tune (string): one of "", "psnr", "ssim", "grain", "zerolatency", "fastdecode",
//   "animation". Until the first frame.
// - X265Threads (int, 0..128): x265's thread-pool size, 0 (default) = x265 decides.
// - X265Options (string): "key=value:key=value" applied with x265_param_parse; options the session
//   relies on (annexb, repeat-headers, open-gop, keyint, interlace) are refused.
inline constexpr const char kX264SpeedPreset[] = "X264SpeedPreset";
inline constexpr const char kX264Tune[] = "X264Tune";
inline constexpr const char kX264Threads[] = "X264Threads";
inline constexpr const char kX264Options[] = "X264Options";
inline constexpr const char kX265SpeedPreset[] = "X265SpeedPreset";
inline constexpr const char kX265Tune[] = "X265Tune";
inline constexpr const char kX265Threads[] = "X265Threads";
inline constexpr const char kX265Options[] = "X265Options";
inline constexpr const char kReleaseSourceBufferOnImport[] = "ReleaseSourceBufferOnImport";
inline constexpr const char kIntraRefresh[] = "IntraRefresh";
// Read-only.
inline constexpr const char kNumberOfPendingFrames[] = "NumberOfPendingFrames";
inline constexpr const char kPixelBufferPoolIsShared[] = "PixelBufferPoolIsShared";
inline constexpr const char kVideoEncoderPixelBufferAttributes[] =
    "VideoEncoderPixelBufferAttributes";
inline constexpr const char kUsingHardwareAcceleratedVideoEncoder[] =
    "UsingHardwareAcceleratedVideoEncoder";
// EncoderID (above) is also a read-only compression property.
// Extensions of this implementation (read-only, -1 until the encoder is open, e.g. after
// PrepareToEncodeFrames): the most frames between a frame going in and coming out, and how many
// frame durations the first DTS may precede the first PTS (the B-frame reorder depth). A
// GStreamer element reports latency and shifts timestamps with them.
inline constexpr const char kEncoderFrameDelay[] = "EncoderFrameDelay";
inline constexpr const char kEncoderReorderDepth[] = "EncoderReorderDepth";
// Extensions, read-only: RealTime's speed governor (docs/realtime.md), updated after every frame
// by the session's thread. The speed level in use (0 = fastest; -1 when the governor is not
// running: RealTime off, or an explicit X264SpeedPreset or PrioritizeEncodingSpeedOverQuality),
// the encode time per frame in seconds (smoothed; wall clock of the encoder's call, and the
// process's CPU time over it, x264's threads included; 0 before the first measurement), and the
// frames the session dropped because even the fastest level could not keep up with the
// timestamps' pace (each answered with kVTEncodeInfo_FrameDropped; counted over the session's
// life).
inline constexpr const char kRealTimeSpeedLevel[] = "RealTimeSpeedLevel";
inline constexpr const char kRealTimeEncodeTime[] = "RealTimeEncodeTime";
inline constexpr const char kRealTimeCPUTime[] = "RealTimeCPUTime";
inline constexpr const char kRealTimeFramesDropped[] = "RealTimeFramesDropped";

// PixelAspectRatio dictionary (kCMFormatDescriptionKey_PixelAspectRatio*).
inline constexpr const char kHorizontalSpacing[] = "HorizontalSpacing";
inline constexpr const char kVerticalSpacing[] = "VerticalSpacing";

// kVTEncodeFrameOptionKey_*
inline constexpr const char kForceKeyFrame[] = "ForceKeyFrame";
// Extension frame option (bool): refresh the picture without a key frame. With IntraRefresh, this
// frame starts a refresh wave (x264_encoder_intra_refresh; if a wave is under way, the next one
// starts when it ends), a P frame that is not a sync sample, and decoders recover over the wave.
// Without IntraRefresh it is a key frame, as ForceKeyFrame. ForceKeyFrame wins over it.
inline constexpr const char kForceIntraRefresh[] = "ForceIntraRefresh";
// Extension frame option: SEI messages for this frame (an Array of Dictionaries, each with
// kSEIPayloadType, an int, and kSEIPayload, Data: the payload without its type and size). They
// go into this frame's own access unit, before its first slice, whatever order the encoder
// outputs frames in, so a decoder gets them with the picture they were given with (closed
// captions in presentation order). H.264: x264 writes them (extra_sei), inside its rate control,
// so VBV, DataRateLimits and ConstantBitRate's HRD count them. HEVC: the session inserts one
// prefix SEI NAL unit after x265 has coded the frame (x265 3.5's userSEI reuses a recycled
// frame's buffers at their first size), outside x265's accounting: leave room for them in a tight
// DataRateLimits. Types: 4, registered user data (ITU-T T.35: ATSC A/53 captions, HDR10+), and 5,
// unregistered user data (a 16-byte UUID, then the data); at most kMaxSEIPayloadBytes in all.
// Anything else is kVTParameterErr from EncodeFrame. A/53 caption messages of one frame are
// merged into one (decoders and GStreamer's parsers take one a picture), at most 31 cc_data
// triplets, the rest left out with a warning (A53CaptionPayload, a53.h, builds such a message).
// A frame the session drops (RealTime) hands its messages to the next frame it encodes, its
// captions merged into that frame's.
inline constexpr const char kSEIPayloads[] = "SEIPayloads";
inline constexpr const char kSEIPayloadType[] = "PayloadType";
inline constexpr const char kSEIPayload[] = "Payload";
constexpr int kSEIPayloadType_UserDataRegistered = 4;
constexpr int kSEIPayloadType_UserDataUnregistered = 5;
constexpr int kMaxSEIPayloadBytes = 64 * 1024;
// Extension frame option: regions of interest for this frame, an Array of Dictionaries with
// kRegionX, kRegionY, kRegionWidth, kRegionHeight (integers, pixels of the session's picture)
// and kRegionQPOffset (a number in -51..51: negative spends more bits there, positive fewer).
// The encoder adds the offset to the QP it picks for every 16x16 block a region touches (x264's
// quant_offsets, x265's quantOffsets), on top of its adaptive quantization; the rate control
// still aims at the same bit rate, so the rest of the picture pays for it. Where regions
// overlap the lowest offset wins; regions are clipped to the picture. The libraries apply them
// through adaptive quantization or MB-tree (on by default; MB-tree alone is enough): under a
// constant QP, or with both off, the regions do nothing and the session logs so once. In a
// second pass, give the same regions as in the first (the libraries take referenced frames'
// offsets from the first pass's statistics). Anything else is kVTParameterErr.
inline constexpr const char kRegionsOfInterest[] = "RegionsOfInterest";
inline constexpr const char kRegionX[] = "X";
inline constexpr const char kRegionY[] = "Y";
inline constexpr const char kRegionWidth[] = "Width";
inline constexpr const char kRegionHeight[] = "Height";
inline constexpr const char kRegionQPOffset[] = "QPOffset";

// kCMSampleAttachmentKey_* and kVTSampleAttachmentKey_*
inline constexpr const char kNotSync[] = "NotSync";
inline constexpr const char kDependsOnOthers[] = "DependsOnOthers";
inline constexpr const char kIsDependedOnByOthers[] = "IsDependedOnByOthers";
inline constexpr const char kQualityMetrics[] = "QualityMetrics";
inline constexpr const char kLumaMeanSquaredError[] = "LumaMeanSquaredError";
inline constexpr const char kChromaBlueMeanSquaredError[] = "ChromaBlueMeanSquaredError";
inline constexpr const char kChromaRedMeanSquaredError[] = "ChromaRedMeanSquaredError";

// kCMFormatDescriptionExtension_* on the output format description.
inline constexpr const char kSampleDescriptionExtensionAtoms[] = "SampleDescriptionExtensionAtoms";
inline constexpr const char kAvcC[] = "avcC";
inline constexpr const char kHvcC[] = "hvcC";
inline constexpr const char kCleanAperture[] = "CleanAperture";
inline constexpr const char kCleanApertureWidth[] = "Width";
inline constexpr const char kCleanApertureHeight[] = "Height";
inline constexpr const char kCleanApertureHorizontalOffset[] = "HorizontalOffset";
inline constexpr const char kCleanApertureVerticalOffset[] = "VerticalOffset";
inline constexpr const char kFullRangeVideo[] = "FullRangeVideo";

// kVTVideoEncoderList_*
inline constexpr const char kCodecType[] = "CodecType";
inline constexpr const char kCodecName[] = "CodecName";
inline constexpr const char kEncoderName[] = "EncoderName";
inline constexpr const char kDisplayName[] = "DisplayName";
inline constexpr const char kIsHardwareAccelerated[] = "IsHardwareAccelerated";
inline constexpr const char kSupportsFrameReordering[] = "SupportsFrameReordering";

// kVTProperty*Key in each entry of CopySupportedPropertyDictionary.
inline constexpr const char kPropertyType[] = "PropertyType";        // "Boolean", "Number", ...
inline constexpr const char kReadWriteStatus[] = "ReadWriteStatus";  // "ReadOnly" / "ReadWrite"
inline constexpr const char kSupportedValueMinimum[] = "SupportedValueMinimum";
inline constexpr const char kSupportedValueMaximum[] = "SupportedValueMaximum";
inline constexpr const char kSupportedValueList[] = "SupportedValueList";
inline constexpr const char kDocumentation[] = "Documentation";
// Extensions of this implementation: the default, and whether the key may change between frames.
inline constexpr const char kDefaultValue[] = "DefaultValue";
inline constexpr const char kChangeableBetweenFrames[] = "ChangeableBetweenFrames";

}  // namespace key

// Encoder IDs (kVTVideoEncoderSpecification_EncoderID): reverse DNS of the library's developer.
inline constexpr const char kX264EncoderID[] = "org.videolan.x264";
inline constexpr const char kX265EncoderID[] = "com.multicorewareinc.x265";

}  // namespace vtc
