// SPDX-License-Identifier: GPL-2.0-or-later
// CoreVideo over the session's pixel buffers: Apple's constants, CVPixelBufferCreate and the
// wrapping creators with their release callbacks, plane geometry, locks, attachments, pools,
// bad input. Every case fails if it leaves a CF object alive (CfTest).
#include <CoreVideo/CoreVideo.h>

#include <cstring>
#include <vector>

#include "cf_test_util.h"
#include "cv_types.h"
#include "vtcompress/color.h"
#include "vtcompress/keys.h"

namespace {

class CvTest : public CfTest {};

CFDictionaryRef Attributes(std::initializer_list<std::pair<CFStringRef, long long>> entries) {
  CFMutableDictionaryRef d = CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks,
                                                       &kCFTypeDictionaryValueCallBacks);
  for (auto& [k, v] : entries) {
    CFNumberRef n = MakeInt(v);
    CFDictionarySetValue(d, k, n);
    CFRelease(n);
  }
  return d;
}

TEST_F(CvTest, ConstantsAreApplesAndTheSessions) {
  EXPECT_EQ(vtc::FourCC("420v"), kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange);
  EXPECT_EQ(0x34323066u, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange);  // '420f'
  EXPECT_EQ(vtc::FourCC("y420"), kCVPixelFormatType_420YpCbCr8Planar);
  EXPECT_EQ(vtc::FourCC("f420"), kCVPixelFormatType_420YpCbCr8PlanarFullRange);
  EXPECT_EQ(vtc::FourCC("BGRA"), kCVPixelFormatType_32BGRA);
  EXPECT_EQ(0x20u, kCVPixelFormatType_32ARGB);
  EXPECT_EQ(vtc::FourCC("2vuy"), kCVPixelFormatType_422YpCbCr8);
  EXPECT_EQ(vtc::FourCC("v210"), kCVPixelFormatType_422YpCbCr10);
  EXPECT_EQ(vtc::FourCC("x420"), kCVPixelFormatType_420YpCbCr10BiPlanarVideoRange);
  EXPECT_EQ(vtc::FourCC("xf44"), kCVPixelFormatType_444YpCbCr10BiPlanarFullRange);
  // Every kCVPixelFormatType_ here is one the session takes.
  for (OSType f :
       {kCVPixelFormatType_32ARGB, kCVPixelFormatType_32BGRA, kCVPixelFormatType_422YpCbCr8,
        kCVPixelFormatType_422YpCbCr10, kCVPixelFormatType_420YpCbCr8Planar,
        kCVPixelFormatType_420YpCbCr8PlanarFullRange,
        kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange,
        kCVPixelFormatType_420YpCbCr8BiPlanarFullRange,
        kCVPixelFormatType_422YpCbCr8BiPlanarVideoRange,
        kCVPixelFormatType_422YpCbCr8BiPlanarFullRange,
        kCVPixelFormatType_444YpCbCr8BiPlanarVideoRange,
        kCVPixelFormatType_444YpCbCr8BiPlanarFullRange,
        kCVPixelFormatType_420YpCbCr10BiPlanarVideoRange,
        kCVPixelFormatType_420YpCbCr10BiPlanarFullRange,
        kCVPixelFormatType_422YpCbCr10BiPlanarVideoRange,
        kCVPixelFormatType_422YpCbCr10BiPlanarFullRange,
        kCVPixelFormatType_444YpCbCr10BiPlanarVideoRange,
        kCVPixelFormatType_444YpCbCr10BiPlanarFullRange})
    EXPECT_TRUE(vtc::IsSupportedPixelFormat(f)) << f;
  EXPECT_EQ(-6661, kCVReturnInvalidArgument);
  EXPECT_EQ(-6680, kCVReturnInvalidPixelFormat);
  EXPECT_EQ(-6682, kCVReturnInvalidPixelBufferAttributes);
  EXPECT_EQ(-6689, kCVReturnWouldExceedAllocationThreshold);
  // Key texts are the session's.
  EXPECT_EQ(vtc::key::kPixelFormatType, Text(kCVPixelBufferPixelFormatTypeKey));
  EXPECT_EQ(vtc::key::kWidth, Text(kCVPixelBufferWidthKey));
  EXPECT_EQ(vtc::key::kHeight, Text(kCVPixelBufferHeightKey));
  EXPECT_EQ(vtc::key::kBytesPerRowAlignment, Text(kCVPixelBufferBytesPerRowAlignmentKey));
  EXPECT_EQ(vtc::key::kExtendedPixelsLeft, Text(kCVPixelBufferExtendedPixelsLeftKey));
  EXPECT_EQ(vtc::key::kExtendedPixelsTop, Text(kCVPixelBufferExtendedPixelsTopKey));
  EXPECT_EQ(vtc::key::kExtendedPixelsRight, Text(kCVPixelBufferExtendedPixelsRightKey));
  EXPECT_EQ(vtc::key::kExtendedPixelsBottom, Text(kCVPixelBufferExtendedPixelsBottomKey));
  EXPECT_EQ(vtc::key::kPoolMinimumBufferCount, Text(kCVPixelBufferPoolMinimumBufferCountKey));
  EXPECT_EQ(vtc::key::kPoolAllocationThreshold, Text(kCVPixelBufferPoolAllocationThresholdKey));
  // Attachment keys are Apple's texts (code may spell them as literals, as printed on a Mac).
  EXPECT_EQ("CVImageBufferColorPrimaries", Text(kCVImageBufferColorPrimariesKey));
  EXPECT_EQ("CVImageBufferTransferFunction", Text(kCVImageBufferTransferFunctionKey));
  EXPECT_EQ("CVImageBufferYCbCrMatrix", Text(kCVImageBufferYCbCrMatrixKey));
  EXPECT_EQ("CVPixelAspectRatio", Text(kCVImageBufferPixelAspectRatioKey));
  EXPECT_EQ("CVImageBufferChromaLocationTopField", Text(kCVImageBufferChromaLocationTopFieldKey));
  EXPECT_EQ("CVFieldCount", Text(kCVImageBufferFieldCountKey));
  EXPECT_EQ("CVFieldDetail", Text(kCVImageBufferFieldDetailKey));
  EXPECT_EQ(vtc::key::kHorizontalSpacing, Text(kCVImageBufferPixelAspectRatioHorizontalSpacingKey));
  // Every colour value string is one the session's table knows, and back.
  for (const std::string& name : vtc::ColorPrimariesNames()) {
    CFStringRef s = MakeString(name.c_str());
    int code = CVColorPrimariesGetIntegerCodePointForString(s);
    EXPECT_NE(vtc::kColorCodeUnspecified, code) << name;
    EXPECT_EQ(name, Text(CVColorPrimariesGetStringForIntegerCodePoint(code))) << name;
    CFRelease(s);
  }
  for (const std::string& name : vtc::TransferFunctionNames()) {
    CFStringRef s = MakeString(name.c_str());
    int code = CVTransferFunctionGetIntegerCodePointForString(s);
    EXPECT_EQ(name, Text(CVTransferFunctionGetStringForIntegerCodePoint(code))) << name;
    CFRelease(s);
  }
  for (const std::string& name : vtc::YCbCrMatrixNames()) {
    CFStringRef s = MakeString(name.c_str());
    int code = CVYCbCrMatrixGetIntegerCodePointForString(s);
    EXPECT_EQ(name, Text(CVYCbCrMatrixGetStringForIntegerCodePoint(code))) << name;
    CFRelease(s);
  }
  EXPECT_EQ(1,
            CVColorPrimariesGetIntegerCodePointForString(kCVImageBufferColorPrimaries_ITU_R_709_2));
  EXPECT_EQ(2, CVColorPrimariesGetIntegerCodePointForString(CFSTR("nonsense")));
  EXPECT_EQ(nullptr, CVColorPrimariesGetStringForIntegerCodePoint(99));
}

TEST_F(CvTest, CreateNV12GivesPlanesOfTheSessionsLayout) {
  CFDictionaryRef attrs = Attributes({{kCVPixelBufferBytesPerRowAlignmentKey, 64}});
  CVPixelBufferRef pb = nullptr;
  ASSERT_EQ(kCVReturnSuccess,
            CVPixelBufferCreate(kCFAllocatorDefault, 321, 241,
                                kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange, attrs, &pb));
  CFRelease(attrs);
  EXPECT_EQ(CVPixelBufferGetTypeID(), CFGetTypeID(pb));
  EXPECT_EQ(321u, CVPixelBufferGetWidth(pb));
  EXPECT_EQ(241u, CVPixelBufferGetHeight(pb));
  EXPECT_EQ(kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange, CVPixelBufferGetPixelFormatType(pb));
  EXPECT_TRUE(CVPixelBufferIsPlanar(pb));
  ASSERT_EQ(2u, CVPixelBufferGetPlaneCount(pb));
  EXPECT_EQ(321u, CVPixelBufferGetWidthOfPlane(pb, 0));
  EXPECT_EQ(241u, CVPixelBufferGetHeightOfPlane(pb, 0));
  EXPECT_EQ(161u, CVPixelBufferGetWidthOfPlane(pb, 1));
  EXPECT_EQ(121u, CVPixelBufferGetHeightOfPlane(pb, 1));
  EXPECT_EQ(0u, CVPixelBufferGetBytesPerRowOfPlane(pb, 0) % 64);
  EXPECT_GE(CVPixelBufferGetBytesPerRowOfPlane(pb, 1), 322u);
  ASSERT_EQ(kCVReturnSuccess, CVPixelBufferLockBaseAddress(pb, 0));
  auto* y = static_cast<uint8_t*>(CVPixelBufferGetBaseAddressOfPlane(pb, 0));
  auto* uv = static_cast<uint8_t*>(CVPixelBufferGetBaseAddressOfPlane(pb, 1));
  ASSERT_TRUE(y && uv);
  // Every row of both planes is writable (ASan/valgrind would catch an overrun).
  for (size_t r = 0; r < 241; ++r)
    std::memset(y + r * CVPixelBufferGetBytesPerRowOfPlane(pb, 0), 16, 321);
  for (size_t r = 0; r < 121; ++r)
    std::memset(uv + r * CVPixelBufferGetBytesPerRowOfPlane(pb, 1), 128, 322);
  EXPECT_NE(nullptr, CVPixelBufferGetBaseAddress(pb));
  EXPECT_GT(CVPixelBufferGetDataSize(pb), 0u);
  EXPECT_EQ(kCVReturnSuccess, CVPixelBufferUnlockBaseAddress(pb, 0));
  // The session's own buffer is behind it.
  __CVBuffer* b = vtc::cf::AsPixelBuffer(pb, "test");
  ASSERT_NE(nullptr, b);
  EXPECT_EQ(y, b->buffer->base_address_of_plane(0));
  // Not a packed buffer's plane, and no plane 2.
  EXPECT_EQ(nullptr, CVPixelBufferGetBaseAddressOfPlane(pb, 2));
  EXPECT_TRUE(WarnedOnce("plane 2"));
  CVPixelBufferRelease(pb);
}

TEST_F(CvTest, PackedBuffersHaveNoPlanes) {
  CVPixelBufferRef pb = nullptr;
  ASSERT_EQ(kCVReturnSuccess,
            CVPixelBufferCreate(nullptr, 64, 16, kCVPixelFormatType_32BGRA, nullptr, &pb));
  EXPECT_FALSE(CVPixelBufferIsPlanar(pb));
  EXPECT_EQ(0u, CVPixelBufferGetPlaneCount(pb));
  EXPECT_GE(CVPixelBufferGetBytesPerRow(pb), 256u);
  EXPECT_NE(nullptr, CVPixelBufferGetBaseAddress(pb));
  EXPECT_EQ(nullptr, CVPixelBufferGetBaseAddressOfPlane(pb, 0));
  TakeWarnings();
  CFRelease(pb);
}

TEST_F(CvTest, ExtendedPixelsAndIgnoredAttributes) {
  CFMutableDictionaryRef attrs = CFDictionaryCreateMutable(
      nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
  CFDictionaryRef empty =
      CFDictionaryCreate(nullptr, nullptr, nullptr, 0, &kCFTypeDictionaryKeyCallBacks,
                         &kCFTypeDictionaryValueCallBacks);
  CFDictionarySetValue(attrs, kCVPixelBufferIOSurfacePropertiesKey, empty);
  CFDictionarySetValue(attrs, kCVPixelBufferOpenGLCompatibilityKey, kCFBooleanTrue);
  CFDictionarySetValue(attrs, kCVPixelBufferMemoryAllocatorKey, kCFAllocatorSystemDefault);
  CFNumberRef two = MakeInt(2);
  CFDictionarySetValue(attrs, kCVPixelBufferExtendedPixelsRightKey, two);
  CFDictionarySetValue(attrs, kCVPixelBufferExtendedPixelsBottomKey, two);
  CVPixelBufferRef pb = nullptr;
  EXPECT_EQ(kCVReturnSuccess,
            CVPixelBufferCreate(nullptr, 31, 17, kCVPixelFormatType_420YpCbCr8Planar, attrs, &pb));
  size_t l = 9, r = 9, t = 9, b = 9;
  CVPixelBufferGetExtendedPixels(pb, &l, &r, &t, &b);
  EXPECT_EQ(0u, l);
  EXPECT_EQ(2u, r);
  EXPECT_EQ(0u, t);
  EXPECT_EQ(2u, b);
  EXPECT_EQ(3u, CVPixelBufferGetPlaneCount(pb));
  CVPixelBufferRelease(pb);
  // A value of a type the session does not read is refused, not ignored.
  CFDictionarySetValue(attrs, kCVPixelBufferWidthKey, kCFAllocatorSystemDefault);
  pb = nullptr;
  EXPECT_EQ(kCVReturnInvalidPixelBufferAttributes,
            CVPixelBufferCreate(nullptr, 31, 17, kCVPixelFormatType_420YpCbCr8Planar, attrs, &pb));
  EXPECT_EQ(nullptr, pb);
  CFRelease(two);
  CFRelease(empty);
  CFRelease(attrs);
  TakeWarnings();
}

struct ReleaseLog {
  int calls = 0;
  const void* base = nullptr;
  const void* data = nullptr;
  size_t size = 0, planes = 0;
  const void* plane0 = nullptr;
};

TEST_F(CvTest, CreateWithBytesCallsBackOnceWhenTheLastHolderLetsGo) {
  std::vector<uint8_t> bgra(64 * 4 * 8);
  ReleaseLog log;
  CVPixelBufferRef pb = nullptr;
  auto cb = [](void* refcon, const void* base) {
    auto* l = static_cast<ReleaseLog*>(refcon);
    ++l->calls;
    l->base = base;
  };
  ASSERT_EQ(kCVReturnSuccess,
            CVPixelBufferCreateWithBytes(nullptr, 64, 8, kCVPixelFormatType_32BGRA, bgra.data(),
                                         256, cb, &log, nullptr, &pb));
  EXPECT_EQ(bgra.data(), CVPixelBufferGetBaseAddress(pb));
  EXPECT_EQ(256u, CVPixelBufferGetBytesPerRow(pb));
  // A second holder (as the session would be) keeps the memory.
  __CVBuffer* b = vtc::cf::AsPixelBuffer(pb, "test");
  vtc::PixelBufferRef held = b->buffer;
  CVPixelBufferRelease(pb);
  EXPECT_EQ(0, log.calls);
  held.reset();
  EXPECT_EQ(1, log.calls);
  EXPECT_EQ(bgra.data(), log.base);

  // Refused: no callback, the memory stays the caller's.
  log = ReleaseLog{};
  EXPECT_EQ(kCVReturnInvalidArgument,
            CVPixelBufferCreateWithBytes(nullptr, 64, 8, kCVPixelFormatType_32BGRA, bgra.data(),
                                         100 /* shorter than a row */, cb, &log, nullptr, &pb));
  EXPECT_EQ(kCVReturnInvalidPixelFormat,
            CVPixelBufferCreateWithBytes(nullptr, 64, 8, kCVPixelFormatType_420YpCbCr8Planar,
                                         bgra.data(), 64, cb, &log, nullptr, &pb));
  EXPECT_EQ(kCVReturnInvalidArgument,
            CVPixelBufferCreateWithBytes(nullptr, 64, 8, kCVPixelFormatType_32BGRA, nullptr, 256,
                                         cb, &log, nullptr, &pb));
  EXPECT_EQ(nullptr, pb);
  EXPECT_EQ(0, log.calls);
  TakeWarnings();
}

TEST_F(CvTest, CreateWithPlanarBytesWrapsEachPlane) {
  const size_t w = 32, h = 16;
  std::vector<uint8_t> memory(w * h * 3 / 2);
  void* planes[2] = {memory.data(), memory.data() + w * h};
  size_t widths[2] = {w, w / 2}, heights[2] = {h, h / 2}, strides[2] = {w, w};
  ReleaseLog log;
  auto cb = [](void* refcon, const void* data, size_t size, size_t n, const void* addresses[]) {
    auto* l = static_cast<ReleaseLog*>(refcon);
    ++l->calls;
    l->data = data;
    l->size = size;
    l->planes = n;
    l->plane0 = addresses[0];
  };
  CVPixelBufferRef pb = nullptr;
  ASSERT_EQ(kCVReturnSuccess,
            CVPixelBufferCreateWithPlanarBytes(
                nullptr, w, h, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, memory.data(),
                memory.size(), 2, planes, widths, heights, strides, cb, &log, nullptr, &pb));
  EXPECT_EQ(planes[1], CVPixelBufferGetBaseAddressOfPlane(pb, 1));
  EXPECT_EQ(w, CVPixelBufferGetBytesPerRowOfPlane(pb, 1));
  EXPECT_EQ(memory.data(), CVPixelBufferGetBaseAddress(pb));
  EXPECT_EQ(memory.size(), CVPixelBufferGetDataSize(pb));
  CFRetain(pb);
  CVPixelBufferRelease(pb);
  EXPECT_EQ(0, log.calls);
  CFRelease(pb);
  EXPECT_EQ(1, log.calls);
  EXPECT_EQ(memory.data(), log.data);
  EXPECT_EQ(memory.size(), log.size);
  EXPECT_EQ(2u, log.planes);
  EXPECT_EQ(planes[0], log.plane0);

  log = ReleaseLog{};
  // Wrong plane count, a NULL plane, a plane too small: refused, no callback.
  EXPECT_EQ(kCVReturnInvalidArgument,
            CVPixelBufferCreateWithPlanarBytes(
                nullptr, w, h, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, nullptr, 0, 3,
                planes, widths, heights, strides, cb, &log, nullptr, &pb));
  void* null_planes[2] = {memory.data(), nullptr};
  EXPECT_EQ(kCVReturnInvalidArgument,
            CVPixelBufferCreateWithPlanarBytes(
                nullptr, w, h, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, nullptr, 0, 2,
                null_planes, widths, heights, strides, cb, &log, nullptr, &pb));
  size_t short_heights[2] = {h, 2};
  EXPECT_EQ(kCVReturnInvalidArgument,
            CVPixelBufferCreateWithPlanarBytes(
                nullptr, w, h, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, nullptr, 0, 2,
                planes, widths, short_heights, strides, cb, &log, nullptr, &pb));
  EXPECT_EQ(
      kCVReturnInvalidPixelFormat,
      CVPixelBufferCreateWithPlanarBytes(nullptr, w, h, kCVPixelFormatType_32BGRA, nullptr, 0, 2,
                                         planes, widths, heights, strides, cb, &log, nullptr, &pb));
  EXPECT_EQ(0, log.calls);
  EXPECT_EQ(nullptr, pb);
  TakeWarnings();
}

TEST_F(CvTest, LocksCountPerFlags) {
  CVPixelBufferRef pb = nullptr;
  ASSERT_EQ(
      kCVReturnSuccess,
      CVPixelBufferCreate(nullptr, 16, 16, kCVPixelFormatType_420YpCbCr8Planar, nullptr, &pb));
  EXPECT_EQ(kCVReturnError, CVPixelBufferUnlockBaseAddress(pb, 0));
  EXPECT_EQ(kCVReturnSuccess, CVPixelBufferLockBaseAddress(pb, kCVPixelBufferLock_ReadOnly));
  EXPECT_EQ(kCVReturnError, CVPixelBufferUnlockBaseAddress(pb, 0));
  EXPECT_EQ(kCVReturnSuccess, CVPixelBufferUnlockBaseAddress(pb, kCVPixelBufferLock_ReadOnly));
  EXPECT_EQ(kCVReturnInvalidArgument, CVPixelBufferLockBaseAddress(pb, 0x10));
  EXPECT_EQ(kCVReturnInvalidArgument, CVPixelBufferLockBaseAddress(nullptr, 0));
  CFRelease(pb);
  TakeWarnings();
}

TEST_F(CvTest, AttachmentsHoldTheirValuesAndModes) {
  CVPixelBufferRef pb = nullptr;
  ASSERT_EQ(
      kCVReturnSuccess,
      CVPixelBufferCreate(nullptr, 16, 16, kCVPixelFormatType_420YpCbCr8Planar, nullptr, &pb));
  CVBufferSetAttachment(pb, kCVImageBufferColorPrimariesKey,
                        kCVImageBufferColorPrimaries_ITU_R_2020, kCVAttachmentMode_ShouldPropagate);
  CFStringRef heap = MakeString("ITU_R_601_4");
  CVBufferSetAttachment(pb, kCVImageBufferYCbCrMatrixKey, heap,
                        kCVAttachmentMode_ShouldNotPropagate);
  CFRelease(heap);  // the buffer keeps it
  CVAttachmentMode mode = 9;
  EXPECT_EQ("ITU_R_2020", Text(CVBufferGetAttachment(pb, kCVImageBufferColorPrimariesKey, &mode)));
  EXPECT_EQ(kCVAttachmentMode_ShouldPropagate, mode);
  // A key made at run time finds it too.
  CFStringRef key = MakeString("CVImageBufferYCbCrMatrix");
  EXPECT_EQ("ITU_R_601_4", Text(CVBufferGetAttachment(pb, key, &mode)));
  EXPECT_EQ(kCVAttachmentMode_ShouldNotPropagate, mode);
  CFRelease(key);
  EXPECT_EQ(nullptr, CVBufferGetAttachment(pb, kCVImageBufferTransferFunctionKey, nullptr));
  CFDictionaryRef propagated = CVBufferCopyAttachments(pb, kCVAttachmentMode_ShouldPropagate);
  ASSERT_NE(nullptr, propagated);
  EXPECT_EQ(1, CFDictionaryGetCount(propagated));
  CFRelease(propagated);
  // Changing the mode moves it.
  CVBufferSetAttachment(pb, kCVImageBufferColorPrimariesKey, kCVImageBufferColorPrimaries_P3_D65,
                        kCVAttachmentMode_ShouldNotPropagate);
  EXPECT_EQ(nullptr, CVBufferCopyAttachments(pb, kCVAttachmentMode_ShouldPropagate));
  CFTypeRef copied = CVBufferCopyAttachment(pb, kCVImageBufferColorPrimariesKey, nullptr);
  EXPECT_EQ("P3_D65", Text(copied));
  CFRelease(copied);
  CVBufferRemoveAttachment(pb, kCVImageBufferColorPrimariesKey);
  EXPECT_EQ(nullptr, CVBufferGetAttachment(pb, kCVImageBufferColorPrimariesKey, nullptr));
  // Bad input: ignored with a warning.
  CVBufferSetAttachment(pb, nullptr, kCFBooleanTrue, kCVAttachmentMode_ShouldPropagate);
  EXPECT_TRUE(WarnedOnce("CFString"));
  CVBufferSetAttachment(
      reinterpret_cast<CVBufferRef>(const_cast<void*>(static_cast<const void*>(kCFBooleanTrue))),
      kCVImageBufferYCbCrMatrixKey, kCFBooleanTrue, 0);
  EXPECT_TRUE(WarnedOnce("not a CVPixelBuffer"));
  CVPixelBufferRelease(pb);  // releases the attachments (CfTest checks)
}

TEST_F(CvTest, PoolsHandOutBuffersOfTheirAttributes) {
  CFDictionaryRef attrs = Attributes(
      {{kCVPixelBufferPixelFormatTypeKey, kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange},
       {kCVPixelBufferWidthKey, 64},
       {kCVPixelBufferHeightKey, 32},
       {kCVPixelBufferBytesPerRowAlignmentKey, 128}});
  CFDictionaryRef pool_attrs = Attributes({{kCVPixelBufferPoolMinimumBufferCountKey, 2}});
  CVPixelBufferPoolRef pool = nullptr;
  ASSERT_EQ(kCVReturnSuccess, CVPixelBufferPoolCreate(nullptr, pool_attrs, attrs, &pool));
  CFRelease(attrs);
  CFRelease(pool_attrs);
  EXPECT_EQ(CVPixelBufferPoolGetTypeID(), CFGetTypeID(pool));
  CFDictionaryRef got = CVPixelBufferPoolGetPixelBufferAttributes(pool);
  ASSERT_NE(nullptr, got);
  int width = 0, alignment = 0;
  CFNumberGetValue(static_cast<CFNumberRef>(CFDictionaryGetValue(got, kCVPixelBufferWidthKey)),
                   kCFNumberIntType, &width);
  CFNumberGetValue(
      static_cast<CFNumberRef>(CFDictionaryGetValue(got, kCVPixelBufferBytesPerRowAlignmentKey)),
      kCFNumberIntType, &alignment);
  EXPECT_EQ(64, width);
  EXPECT_EQ(128, alignment);
  ASSERT_NE(nullptr, CVPixelBufferPoolGetAttributes(pool));

  CVPixelBufferRef a = nullptr, b = nullptr;
  ASSERT_EQ(kCVReturnSuccess, CVPixelBufferPoolCreatePixelBuffer(nullptr, pool, &a));
  ASSERT_EQ(kCVReturnSuccess, CVPixelBufferPoolCreatePixelBuffer(nullptr, pool, &b));
  EXPECT_NE(CVPixelBufferGetBaseAddressOfPlane(a, 0), CVPixelBufferGetBaseAddressOfPlane(b, 0));
  EXPECT_EQ(0u, CVPixelBufferGetBytesPerRowOfPlane(a, 0) % 128);
  void* reused = CVPixelBufferGetBaseAddressOfPlane(a, 0);
  CVPixelBufferRelease(a);
  CFDictionaryRef aux = Attributes({{kCVPixelBufferPoolAllocationThresholdKey, 1}});
  CVPixelBufferRef c = nullptr;
  EXPECT_EQ(kCVReturnWouldExceedAllocationThreshold,
            CVPixelBufferPoolCreatePixelBufferWithAuxAttributes(nullptr, pool, aux, &c));
  EXPECT_EQ(nullptr, c);
  CFRelease(aux);
  ASSERT_EQ(kCVReturnSuccess, CVPixelBufferPoolCreatePixelBuffer(nullptr, pool, &c));
  EXPECT_EQ(reused, CVPixelBufferGetBaseAddressOfPlane(c, 0));  // memory comes back
  // The pool may go first.
  CVPixelBufferPoolRelease(pool);
  std::memset(CVPixelBufferGetBaseAddressOfPlane(b, 0), 0, 64);
  CVPixelBufferRelease(b);
  CVPixelBufferRelease(c);
}

TEST_F(CvTest, BadInputGivesCVReturnCodes) {
  CVPixelBufferRef pb = reinterpret_cast<CVPixelBufferRef>(1);
  EXPECT_EQ(kCVReturnInvalidArgument,
            CVPixelBufferCreate(nullptr, 16, 16, kCVPixelFormatType_32BGRA, nullptr, nullptr));
  EXPECT_EQ(kCVReturnInvalidSize,
            CVPixelBufferCreate(nullptr, 0, 16, kCVPixelFormatType_32BGRA, nullptr, &pb));
  EXPECT_EQ(nullptr, pb);
  EXPECT_EQ(kCVReturnInvalidSize,
            CVPixelBufferCreate(nullptr, 16385, 16, kCVPixelFormatType_32BGRA, nullptr, &pb));
  EXPECT_EQ(kCVReturnInvalidPixelFormat,
            CVPixelBufferCreate(nullptr, 16, 16, 0x12345678, nullptr, &pb));
  // One of Apple's the session does not take.
  EXPECT_EQ(kCVReturnInvalidPixelFormat,
            CVPixelBufferCreate(nullptr, 16, 16, kCVPixelFormatType_4444AYpCbCr16, nullptr, &pb));
  EXPECT_EQ(vtc::FourCC("y416"), kCVPixelFormatType_4444AYpCbCr16);
  // Attributes that are not a dictionary.
  EXPECT_EQ(kCVReturnInvalidPixelBufferAttributes,
            CVPixelBufferCreate(nullptr, 16, 16, kCVPixelFormatType_32BGRA,
                                reinterpret_cast<CFDictionaryRef>(kCFBooleanTrue), &pb));
  CFDictionaryRef bad_alignment = Attributes({{kCVPixelBufferBytesPerRowAlignmentKey, 3}});
  EXPECT_EQ(kCVReturnInvalidPixelBufferAttributes,
            CVPixelBufferCreate(nullptr, 16, 16, kCVPixelFormatType_32BGRA, bad_alignment, &pb));
  CFRelease(bad_alignment);
  // Pools: missing size, wrong object.
  CVPixelBufferPoolRef pool = nullptr;
  CFDictionaryRef no_size =
      Attributes({{kCVPixelBufferPixelFormatTypeKey, kCVPixelFormatType_32BGRA}});
  EXPECT_EQ(kCVReturnInvalidPixelBufferAttributes,
            CVPixelBufferPoolCreate(nullptr, nullptr, no_size, &pool));
  CFRelease(no_size);
  EXPECT_EQ(nullptr, pool);
  EXPECT_EQ(kCVReturnInvalidArgument, CVPixelBufferPoolCreatePixelBuffer(nullptr, nullptr, &pb));
  EXPECT_EQ(nullptr, CVPixelBufferPoolGetPixelBufferAttributes(nullptr));
  // Getters on NULL or another CF type: 0 / NULL, a warning, no crash.
  EXPECT_EQ(0u, CVPixelBufferGetWidth(nullptr));
  CFStringRef s = MakeString("x");
  EXPECT_EQ(0u, CVPixelBufferGetHeight(reinterpret_cast<CVPixelBufferRef>(
                    const_cast<void*>(static_cast<const void*>(s)))));
  CFRelease(s);
  // Retain/Release of NULL are allowed, as Apple's.
  EXPECT_EQ(nullptr, CVPixelBufferRetain(nullptr));
  CVPixelBufferRelease(nullptr);
  CVPixelBufferPoolRelease(nullptr);
  TakeWarnings();
}

}  // namespace
