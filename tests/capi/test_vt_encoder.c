/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The proof of the C API: a plain C11 encoder in the style of Apple's sample encoders, written
 * against <VideoToolbox/VideoToolbox.h> only. It creates a session with source attributes, sets
 * properties with CFNumber, CFBoolean and CFString values, fills frames from the session's pool,
 * encodes them with ForceKeyFrame on frames 0 and 30, writes an Annex B stream from the format
 * description's parameter sets and the AVCC samples, completes, invalidates and releases
 * everything. ffmpeg (VTC_FFMPEG, else ffmpeg in PATH) then decodes the stream: the test checks
 * the frame count, the key frames (0 and 30 only), each frame's brightness in order, and that no
 * CF object is left alive. Then a table of bad calls, each with VideoToolbox's status. Exit 0 when
 * every check passes; each failure prints its line. Exit 77 (skip) without ffmpeg. */
#define _POSIX_C_SOURCE 200809L

#include <TargetConditionals.h> /* as Apple's samples do; the installed copy in the install test */
#include <VideoToolbox/VideoToolbox.h>
#include <VideoToolbox/vtcompress_capi.h>

#if TARGET_OS_OSX || TARGET_OS_IPHONE
#error "built for Linux"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { kWidth = 160, kHeight = 120, kFrames = 45, kSecondKeyFrame = 30 };

static int failures;

#define EXPECT(cond)                                                       \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: expected: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                          \
    }                                                                      \
  } while (0)

/* The luma level of frame i (flat pictures: the decoded mean says which frame it is). */
static int Level(int i) {
  return 30 + 4 * i;
}

typedef struct {
  FILE* out;
  int samples;
  int key_frames;
  int64_t key_pts[8];
  int errors;
  CMFormatDescriptionRef last_format;
} EncoderContext;

static const uint8_t kStartCode[4] = {0, 0, 0, 1};

static void WriteParameterSets(EncoderContext* ctx, CMFormatDescriptionRef format) {
  size_t count = 0;
  int nal_length = 0;
  OSStatus status = CMVideoFormatDescriptionGetH264ParameterSetAtIndex(format, 0, NULL, NULL,
                                                                       &count, &nal_length);
  EXPECT(status == noErr && count == 2 && nal_length == 4);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* ps = NULL;
    size_t size = 0;
    status = CMVideoFormatDescriptionGetH264ParameterSetAtIndex(format, i, &ps, &size, NULL, NULL);
    EXPECT(status == noErr && ps && size > 0);
    fwrite(kStartCode, 1, 4, ctx->out);
    fwrite(ps, 1, size, ctx->out);
  }
}

/* The output callback: AVCC (4-byte lengths) to Annex B, parameter sets before key frames. */
static void DidCompress(void* outputCallbackRefCon, void* sourceFrameRefCon, OSStatus status,
                        VTEncodeInfoFlags infoFlags, CMSampleBufferRef sampleBuffer) {
  EncoderContext* ctx = (EncoderContext*)outputCallbackRefCon;
  (void)sourceFrameRefCon;
  if (status != noErr || (infoFlags & kVTEncodeInfo_FrameDropped) || !sampleBuffer) {
    fprintf(stderr, "frame not encoded: status %d flags %u\n", (int)status, (unsigned)infoFlags);
    ++ctx->errors;
    return;
  }
  EXPECT(CMSampleBufferDataIsReady(sampleBuffer));
  EXPECT(CMSampleBufferGetNumSamples(sampleBuffer) == 1);
  EXPECT(CFGetTypeID(sampleBuffer) == CMSampleBufferGetTypeID());

  CFArrayRef attachments = CMSampleBufferGetSampleAttachmentsArray(sampleBuffer, false);
  bool key_frame = true;
  if (attachments && CFArrayGetCount(attachments) > 0) {
    CFDictionaryRef a = (CFDictionaryRef)CFArrayGetValueAtIndex(attachments, 0);
    CFBooleanRef not_sync = (CFBooleanRef)CFDictionaryGetValue(a, kCMSampleAttachmentKey_NotSync);
    key_frame = !not_sync || !CFBooleanGetValue(not_sync);
    CFBooleanRef depends =
        (CFBooleanRef)CFDictionaryGetValue(a, kCMSampleAttachmentKey_DependsOnOthers);
    EXPECT(depends && CFBooleanGetValue(depends) == !key_frame);
  }

  CMTime pts = CMSampleBufferGetPresentationTimeStamp(sampleBuffer);
  CMTime dts = CMSampleBufferGetDecodeTimeStamp(sampleBuffer);
  CMTime duration = CMSampleBufferGetDuration(sampleBuffer);
  EXPECT(CMTIME_IS_NUMERIC(pts) && CMTIME_IS_NUMERIC(dts));
  EXPECT(CMTIME_COMPARE_INLINE(dts, <=, pts));
  EXPECT(CMTimeCompare(duration, CMTimeMake(1, 30)) == 0);
  if (key_frame) {
    if (ctx->key_frames < 8)
      ctx->key_pts[ctx->key_frames] =
          CMTimeConvertScale(pts, 30, kCMTimeRoundingMethod_Default).value;
    ++ctx->key_frames;
  }

  CMFormatDescriptionRef format = CMSampleBufferGetFormatDescription(sampleBuffer);
  EXPECT(CMFormatDescriptionGetMediaSubType(format) == kCMVideoCodecType_H264);
  CMVideoDimensions dim = CMVideoFormatDescriptionGetDimensions(format);
  EXPECT(dim.width == kWidth && dim.height == kHeight);
  CFDictionaryRef atoms = (CFDictionaryRef)CMFormatDescriptionGetExtension(
      format, kCMFormatDescriptionExtension_SampleDescriptionExtensionAtoms);
  EXPECT(atoms && CFDictionaryGetValue(atoms, CFSTR("avcC")) != NULL);
  if (ctx->last_format) EXPECT(CMFormatDescriptionEqual(ctx->last_format, format));
  ctx->last_format = format; /* owned by the sample; compared on the callback thread only */
  if (key_frame) WriteParameterSets(ctx, format);

  CMBlockBufferRef block = CMSampleBufferGetDataBuffer(sampleBuffer);
  size_t total = CMBlockBufferGetDataLength(block);
  EXPECT(total == CMSampleBufferGetTotalSampleSize(sampleBuffer));
  char* data = NULL;
  size_t length_at_offset = 0;
  if (!CMBlockBufferIsRangeContiguous(block, 0, total)) {
    ++ctx->errors; /* never here; a real encoder would copy with CMBlockBufferCopyDataBytes */
    return;
  }
  EXPECT(CMBlockBufferGetDataPointer(block, 0, &length_at_offset, &total, &data) ==
         kCMBlockBufferNoErr);
  size_t offset = 0;
  while (offset + 4 <= total) {
    uint32_t nal_length = 0;
    EXPECT(CMBlockBufferCopyDataBytes(block, offset, 4, &nal_length) == kCMBlockBufferNoErr);
    nal_length = CFSwapInt32BigToHost(nal_length);
    if (nal_length == 0 || offset + 4 + nal_length > total) {
      fprintf(stderr, "bad NAL length %u at %zu of %zu\n", nal_length, offset, total);
      ++ctx->errors;
      return;
    }
    fwrite(kStartCode, 1, 4, ctx->out);
    fwrite(data + offset + 4, 1, nal_length, ctx->out);
    offset += 4 + nal_length;
  }
  EXPECT(offset == total);
  ++ctx->samples;
}

static CFNumberRef Int32(int32_t v) {
  return CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt32Type, &v);
}

static void SetNumber(VTCompressionSessionRef session, CFStringRef key, int32_t value) {
  CFNumberRef n = Int32(value);
  EXPECT(VTSessionSetProperty(session, key, n) == noErr);
  CFRelease(n);
}

static void FillFrame(CVPixelBufferRef buffer, int i) {
  EXPECT(CVPixelBufferLockBaseAddress(buffer, 0) == kCVReturnSuccess);
  EXPECT(CVPixelBufferGetPlaneCount(buffer) == 2);
  uint8_t* y = (uint8_t*)CVPixelBufferGetBaseAddressOfPlane(buffer, 0);
  size_t y_stride = CVPixelBufferGetBytesPerRowOfPlane(buffer, 0);
  for (size_t row = 0; row < CVPixelBufferGetHeightOfPlane(buffer, 0); ++row)
    memset(y + row * y_stride, Level(i), CVPixelBufferGetWidthOfPlane(buffer, 0));
  uint8_t* uv = (uint8_t*)CVPixelBufferGetBaseAddressOfPlane(buffer, 1);
  size_t uv_stride = CVPixelBufferGetBytesPerRowOfPlane(buffer, 1);
  for (size_t row = 0; row < CVPixelBufferGetHeightOfPlane(buffer, 1); ++row)
    memset(uv + row * uv_stride, 128, 2 * CVPixelBufferGetWidthOfPlane(buffer, 1));
  EXPECT(CVPixelBufferUnlockBaseAddress(buffer, 0) == kCVReturnSuccess);
}

/* Encodes kFrames frames into path. */
static void Encode(const char* path) {
  EncoderContext ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.out = fopen(path, "wb");
  EXPECT(ctx.out != NULL);
  if (!ctx.out) return;

  /* Source attributes, as Apple's samples build them. */
  int32_t format = kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange;
  CFNumberRef n_format = CFNumberCreate(NULL, kCFNumberSInt32Type, &format);
  CFNumberRef n_width = Int32(kWidth);
  CFNumberRef n_height = Int32(kHeight);
  const void* keys[] = {kCVPixelBufferPixelFormatTypeKey, kCVPixelBufferWidthKey,
                        kCVPixelBufferHeightKey};
  const void* values[] = {n_format, n_width, n_height};
  CFDictionaryRef source_attributes =
      CFDictionaryCreate(kCFAllocatorDefault, keys, values, 3, &kCFTypeDictionaryKeyCallBacks,
                         &kCFTypeDictionaryValueCallBacks);
  CFRelease(n_format);
  CFRelease(n_width);
  CFRelease(n_height);

  VTCompressionSessionRef session = NULL;
  OSStatus status =
      VTCompressionSessionCreate(kCFAllocatorDefault, kWidth, kHeight, kCMVideoCodecType_H264, NULL,
                                 source_attributes, NULL, DidCompress, &ctx, &session);
  CFRelease(source_attributes);
  EXPECT(status == noErr && session != NULL);
  if (status != noErr) {
    fclose(ctx.out);
    return;
  }

  /* Not RealTime: its speed governor may drop frames on a slow machine (valgrind). */
  EXPECT(VTSessionSetProperty(session, kVTCompressionPropertyKey_RealTime, kCFBooleanFalse) ==
         noErr);
  EXPECT(VTSessionSetProperty(session, kVTCompressionPropertyKey_ProfileLevel,
                              kVTProfileLevel_H264_Main_AutoLevel) == noErr);
  EXPECT(VTSessionSetProperty(session, kVTCompressionPropertyKey_AllowFrameReordering,
                              kCFBooleanTrue) == noErr);
  EXPECT(VTSessionSetProperty(session, kVTCompressionPropertyKey_H264EntropyMode,
                              kVTH264EntropyMode_CABAC) == noErr);
  SetNumber(session, kVTCompressionPropertyKey_AverageBitRate, 400000);
  SetNumber(session, kVTCompressionPropertyKey_MaxKeyFrameInterval, 240);
  double fps = 30.0;
  CFNumberRef n_fps = CFNumberCreate(NULL, kCFNumberDoubleType, &fps);
  EXPECT(VTSessionSetProperty(session, kVTCompressionPropertyKey_ExpectedFrameRate, n_fps) ==
         noErr);
  CFRelease(n_fps);
  CFTypeRef profile = NULL;
  EXPECT(VTSessionCopyProperty(session, kVTCompressionPropertyKey_ProfileLevel, kCFAllocatorDefault,
                               &profile) == noErr);
  EXPECT(profile && CFEqual(profile, kVTProfileLevel_H264_Main_AutoLevel));
  if (profile) CFRelease(profile);
  EXPECT(VTCompressionSessionPrepareToEncodeFrames(session) == noErr);

  const void* force_keys[] = {kVTEncodeFrameOptionKey_ForceKeyFrame};
  const void* force_values[] = {kCFBooleanTrue};
  CFDictionaryRef force_key_frame =
      CFDictionaryCreate(NULL, force_keys, force_values, 1, &kCFTypeDictionaryKeyCallBacks,
                         &kCFTypeDictionaryValueCallBacks);
  for (int i = 0; i < kFrames; ++i) {
    CVPixelBufferPoolRef pool = VTCompressionSessionGetPixelBufferPool(session);
    EXPECT(pool != NULL);
    CVPixelBufferRef buffer = NULL;
    EXPECT(CVPixelBufferPoolCreatePixelBuffer(NULL, pool, &buffer) == kCVReturnSuccess);
    if (!buffer) break;
    FillFrame(buffer, i);
    VTEncodeInfoFlags flags = 0;
    status = VTCompressionSessionEncodeFrame(
        session, buffer, CMTimeMake(i, 30), CMTimeMake(1, 30),
        (i == 0 || i == kSecondKeyFrame) ? force_key_frame : NULL, NULL, &flags);
    EXPECT(status == noErr);
    CVPixelBufferRelease(buffer); /* the session keeps it until the frame is answered */
  }
  CFRelease(force_key_frame);
  EXPECT(VTCompressionSessionCompleteFrames(session, kCMTimeInvalid) == noErr);
  VTCompressionSessionInvalidate(session);
  CFRelease(session);
  fclose(ctx.out);

  EXPECT(ctx.errors == 0);
  EXPECT(ctx.samples == kFrames);
  EXPECT(ctx.key_frames == 2);
  EXPECT(ctx.key_pts[0] == 0 && ctx.key_pts[1] == kSecondKeyFrame);
}

/* Decodes the stream with ffmpeg: frame count, key frames, each frame's mean luma in order. */
static void Decode(const char* dir, const char* stream) {
  const char* ffmpeg = getenv("VTC_FFMPEG");
  if (!ffmpeg || !*ffmpeg) ffmpeg = "ffmpeg";
  char yuv[512], log[512], command[2048];
  snprintf(yuv, sizeof yuv, "%s/decoded.yuv", dir);
  snprintf(log, sizeof log, "%s/ffmpeg.log", dir);
  snprintf(command, sizeof command,
           "'%s' -nostdin -hide_banner -v info -err_detect explode -xerror -i '%s' -vf showinfo "
           "-f rawvideo -pix_fmt yuv420p -y '%s' 2>'%s'",
           ffmpeg, stream, yuv, log);
  int rc = system(command);
  EXPECT(rc == 0);
  if (rc != 0) {
    snprintf(command, sizeof command, "cat '%s' >&2", log);
    if (system(command) != 0) fprintf(stderr, "(no ffmpeg log)\n");
    return;
  }
  /* showinfo: one line a frame, "n:   N ... iskey:K ...", in output (presentation) order. */
  FILE* f = fopen(log, "r");
  EXPECT(f != NULL);
  if (!f) return;
  char line[4096];
  int frames = 0, keys = 0, key_at[8] = {0};
  while (fgets(line, sizeof line, f)) {
    const char* n = strstr(line, " n:");
    const char* k = strstr(line, "iskey:");
    if (!strstr(line, "showinfo") || !n || !k) continue;
    int index = atoi(n + 3);
    EXPECT(index == frames);
    if (atoi(k + 6) == 1) {
      if (keys < 8) key_at[keys] = index;
      ++keys;
    }
    ++frames;
  }
  fclose(f);
  EXPECT(frames == kFrames);
  EXPECT(keys == 2);
  EXPECT(key_at[0] == 0 && key_at[1] == kSecondKeyFrame);

  f = fopen(yuv, "rb");
  EXPECT(f != NULL);
  if (!f) return;
  /* I420 as decoded (no range conversion): the Y plane, then the chroma planes. */
  static uint8_t picture[kWidth * kHeight * 3 / 2];
  int decoded = 0;
  while (fread(picture, 1, sizeof picture, f) == sizeof picture) {
    long sum = 0;
    for (size_t i = 0; i < kWidth * kHeight; ++i) sum += picture[i];
    long mean = sum / (kWidth * kHeight);
    if (labs(mean - Level(decoded)) > 2) {
      fprintf(stderr, "frame %d: mean luma %ld, expected %d\n", decoded, mean, Level(decoded));
      ++failures;
    }
    ++decoded;
  }
  fclose(f);
  EXPECT(decoded == kFrames);
}

static void NoteOutput(void* refcon, void* frame_refcon, OSStatus status, VTEncodeInfoFlags flags,
                       CMSampleBufferRef sample) {
  (void)frame_refcon;
  (void)status;
  (void)flags;
  (void)sample;
  ++*(int*)refcon;
}

/* The bad-input table of the C layer: NULL where Apple allows it (noErr), NULL where it does not,
 * wrong CF types, each with VideoToolbox's status; none of these may crash or leak. */
static void BadInput(void) {
  int answered = 0;
  VTCompressionSessionRef session = NULL;
  OSStatus st = VTCompressionSessionCreate(NULL, 64, 64, kCMVideoCodecType_H264, NULL, NULL, NULL,
                                           NoteOutput, &answered, &session);
  EXPECT(st == noErr);
  if (st != noErr) return;
  CVPixelBufferRef frame = NULL;
  EXPECT(CVPixelBufferPoolCreatePixelBuffer(NULL, VTCompressionSessionGetPixelBufferPool(session),
                                            &frame) == kCVReturnSuccess);
  if (frame) FillFrame(frame, 0); /* x264 reads every pixel: no uninitialised memory */
  CFNumberRef number = Int32(1);
  CFTypeRef out = NULL;
  VTCompressionSessionRef none = NULL;
  CFArrayRef list = NULL;
  CFDictionaryRef supported = NULL;
  const void* k[] = {kVTEncodeFrameOptionKey_ForceKeyFrame};
  const void* v[] = {CFSTR("yes")};
  CFDictionaryRef string_option = CFDictionaryCreate(NULL, k, v, 1, &kCFTypeDictionaryKeyCallBacks,
                                                     &kCFTypeDictionaryValueCallBacks);
  struct {
    const char* call;
    OSStatus got, want;
  } rows[] = {
      {"EncodeFrame NULL frameProperties, NULL infoFlagsOut",
       VTCompressionSessionEncodeFrame(session, frame, CMTimeMake(0, 30), kCMTimeInvalid, NULL,
                                       NULL, NULL),
       noErr},
      {"VTCopyVideoEncoderList NULL options", VTCopyVideoEncoderList(NULL, &list), noErr},
      {"SetProperty NULL value (restores the default)",
       VTSessionSetProperty(session, kVTCompressionPropertyKey_AverageBitRate, NULL), noErr},
      {"Create NULL out",
       VTCompressionSessionCreate(NULL, 64, 64, kCMVideoCodecType_H264, NULL, NULL, NULL,
                                  NoteOutput, &answered, NULL),
       kVTParameterErr},
      {"Create NULL callback",
       VTCompressionSessionCreate(NULL, 64, 64, kCMVideoCodecType_H264, NULL, NULL, NULL, NULL,
                                  NULL, &none),
       kVTParameterErr},
      {"Create width 0",
       VTCompressionSessionCreate(NULL, 0, 64, kCMVideoCodecType_H264, NULL, NULL, NULL, NoteOutput,
                                  &answered, &none),
       kVTParameterErr},
      {"Create an unknown codec",
       VTCompressionSessionCreate(NULL, 64, 64, 0x6a706567 /* 'jpeg' */, NULL, NULL, NULL,
                                  NoteOutput, &answered, &none),
       kVTCouldNotFindVideoEncoderErr},
      {"Create a CFNumber as encoderSpecification",
       VTCompressionSessionCreate(NULL, 64, 64, kCMVideoCodecType_H264, (CFDictionaryRef)number,
                                  NULL, NULL, NoteOutput, &answered, &none),
       kVTParameterErr},
      {"EncodeFrame NULL session",
       VTCompressionSessionEncodeFrame(NULL, frame, CMTimeMake(1, 30), kCMTimeInvalid, NULL, NULL,
                                       NULL),
       kVTParameterErr},
      {"EncodeFrame NULL imageBuffer",
       VTCompressionSessionEncodeFrame(session, NULL, CMTimeMake(1, 30), kCMTimeInvalid, NULL, NULL,
                                       NULL),
       kVTParameterErr},
      {"EncodeFrame a CFNumber as imageBuffer",
       VTCompressionSessionEncodeFrame(session, (CVImageBufferRef)number, CMTimeMake(1, 30),
                                       kCMTimeInvalid, NULL, NULL, NULL),
       kVTParameterErr},
      {"EncodeFrame the same PTS again",
       VTCompressionSessionEncodeFrame(session, frame, CMTimeMake(0, 30), kCMTimeInvalid, NULL,
                                       NULL, NULL),
       kVTParameterErr},
      {"EncodeFrame kCMTimeInvalid PTS",
       VTCompressionSessionEncodeFrame(session, frame, kCMTimeInvalid, kCMTimeInvalid, NULL, NULL,
                                       NULL),
       kVTParameterErr},
      {"EncodeFrame a CFString as ForceKeyFrame",
       VTCompressionSessionEncodeFrame(session, frame, CMTimeMake(2, 30), kCMTimeInvalid,
                                       string_option, NULL, NULL),
       kVTParameterErr},
      {"SetProperty a CFString where a CFNumber is wanted",
       VTSessionSetProperty(session, kVTCompressionPropertyKey_AverageBitRate, CFSTR("fast")),
       kVTParameterErr},
      {"SetProperty a CFNumber where a CFBoolean is wanted",
       VTSessionSetProperty(session, kVTCompressionPropertyKey_RealTime, number), kVTParameterErr},
      {"SetProperty a CFBoolean as the key",
       VTSessionSetProperty(session, (CFStringRef)kCFBooleanTrue, number), kVTParameterErr},
      {"SetProperty a pixel buffer as the value",
       VTSessionSetProperty(session, kVTCompressionPropertyKey_AverageBitRate, frame),
       kVTParameterErr},
      {"SetProperty an unknown key", VTSessionSetProperty(session, CFSTR("NoSuchProperty"), number),
       kVTPropertyNotSupportedErr},
      {"SetProperty a read-only key",
       VTSessionSetProperty(session, kVTCompressionPropertyKey_NumberOfPendingFrames, number),
       kVTPropertyReadOnlyErr},
      {"SetProperty a key fixed after the first frame",
       VTSessionSetProperty(session, kVTCompressionPropertyKey_ProfileLevel,
                            kVTProfileLevel_H264_Baseline_AutoLevel),
       kVTPropertyReadOnlyErr},
      {"SetProperties a CFNumber", VTSessionSetProperties(session, (CFDictionaryRef)number),
       kVTParameterErr},
      {"CopyProperty NULL out",
       VTSessionCopyProperty(session, kVTCompressionPropertyKey_RealTime, NULL, NULL),
       kVTParameterErr},
      {"CopyProperty on a CFNumber",
       VTSessionCopyProperty(number, kVTCompressionPropertyKey_RealTime, NULL, &out),
       kVTParameterErr},
      {"CopySupportedPropertyDictionary NULL out",
       VTSessionCopySupportedPropertyDictionary(session, NULL), kVTParameterErr},
      {"CopySupportedPropertyDictionary on a pixel buffer",
       VTSessionCopySupportedPropertyDictionary(frame, &supported), kVTParameterErr},
      {"VTCopyVideoEncoderList NULL out", VTCopyVideoEncoderList(NULL, NULL), kVTParameterErr},
      {"BeginPass without MultiPassStorage", VTCompressionSessionBeginPass(session, 0, NULL),
       kVTMultiPassStorageInvalidErr},
      {"CompleteFrames on a CFNumber",
       VTCompressionSessionCompleteFrames((VTCompressionSessionRef)number, kCMTimeInvalid),
       kVTParameterErr},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    if (rows[i].got != rows[i].want) {
      fprintf(stderr, "bad input \"%s\": %d, expected %d\n", rows[i].call, (int)rows[i].got,
              (int)rows[i].want);
      ++failures;
    }
  }
  EXPECT(none == NULL && out == NULL && supported == NULL);
  EXPECT(list != NULL && CFArrayGetCount(list) >= 2);
  if (list) CFRelease(list);
  EXPECT(VTCompressionSessionCompleteFrames(session, kCMTimeInvalid) == noErr);
  EXPECT(answered == 1); /* only the one frame accepted */
  VTCompressionSessionInvalidate(session);
  EXPECT(VTCompressionSessionEncodeFrame(session, frame, CMTimeMake(5, 30), kCMTimeInvalid, NULL,
                                         NULL, NULL) == kVTInvalidSessionErr);
  EXPECT(VTCompressionSessionGetPixelBufferPool(session) == NULL);
  CFRelease(string_option);
  CFRelease(number);
  CVPixelBufferRelease(frame);
  CFRelease(session);
}

int main(void) {
  const char* ffmpeg = getenv("VTC_FFMPEG");
  if (!ffmpeg || !*ffmpeg) {
    if (system("ffmpeg -version >/dev/null 2>&1") != 0) {
      fprintf(stderr, "no ffmpeg: skipped\n");
      return 77;
    }
  }
  char dir[] = "/tmp/vtc-capi-encoder.XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char stream[512];
  snprintf(stream, sizeof stream, "%s/out.h264", dir);
  Encode(stream);
  Decode(dir, stream);
  BadInput();
  EXPECT(vtcompress_capi_live_object_count() == 0);

  char command[600];
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
  if (failures) fprintf(stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
