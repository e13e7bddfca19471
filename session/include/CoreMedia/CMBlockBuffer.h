/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CMBlockBuffer: a run of bytes (CoreMedia/CMBlockBuffer.h, the part VideoToolbox code reads).
 *
 * Here a block buffer is always one contiguous block: the compressed data of a sample
 * (CMSampleBufferGetDataBuffer) or a range of one made with CMBlockBufferCreateContiguous.
 * Ownership: Create returns +1 (CFRelease); CMSampleBufferGetDataBuffer's is the sample's.
 * Threading: immutable, so any thread may read it. */
#ifndef __VTC_COREMEDIA_CMBLOCKBUFFER_H
#define __VTC_COREMEDIA_CMBLOCKBUFFER_H

#include <CoreMedia/CMBase.h>

__VTC_CF_EXTERN_C_BEGIN

/* Apple's values. */
enum {
  kCMBlockBufferNoErr = 0,
  kCMBlockBufferStructureAllocationFailedErr = -12700,
  kCMBlockBufferBlockAllocationFailedErr = -12701,
  kCMBlockBufferBadCustomBlockSourceErr = -12702,
  kCMBlockBufferBadOffsetParameterErr = -12703,
  kCMBlockBufferBadLengthParameterErr = -12704,
  kCMBlockBufferBadPointerParameterErr = -12705,
  kCMBlockBufferEmptyBBufErr = -12706,
  kCMBlockBufferUnallocatedBlockErr = -12707,
  kCMBlockBufferInsufficientSpaceErr = -12708
};

typedef uint32_t CMBlockBufferFlags;
enum {
  kCMBlockBufferAssureMemoryNowFlag = (1L << 0),
  kCMBlockBufferAlwaysCopyDataFlag = (1L << 1),
  kCMBlockBufferDontOptimizeDepthFlag = (1L << 2),
  kCMBlockBufferPermitEmptyReferenceFlag = (1L << 3)
};

typedef struct OpaqueCMBlockBuffer* CMBlockBufferRef;

/* Memory for a copy (CMBlockBufferCreateContiguous): AllocateBlock gives it, FreeBlock takes it
 * back when the buffer is freed. Either may be NULL (malloc/free are used then). */
typedef struct {
  uint32_t version;
  void* (*AllocateBlock)(void* refcon, size_t sizeInBytes);
  void (*FreeBlock)(void* refcon, void* doomedMemoryBlock, size_t sizeInBytes);
  void* refCon;
} CMBlockBufferCustomBlockSource;
enum { kCMBlockBufferCustomBlockSourceVersion = 0 };

CM_EXPORT CFTypeID CMBlockBufferGetTypeID(void);

/* A contiguous block buffer (+1) holding [offsetToData, offsetToData + dataLength) of the source
 * (dataLength 0: to its end). Without kCMBlockBufferAlwaysCopyDataFlag it refers to the source's
 * memory (kept alive by it); with it, the bytes are copied into memory from customBlockSource
 * (or malloc). The allocators are ignored. kCMBlockBufferBadPointerParameterErr for a NULL or
 * non-block-buffer source or a NULL out, kCMBlockBufferBadOffsetParameterErr /
 * BadLengthParameterErr for a range outside the source, kCMBlockBufferEmptyBBufErr for an
 * empty source, kCMBlockBufferBadCustomBlockSourceErr for a version other than 0. */
CM_EXPORT OSStatus CMBlockBufferCreateContiguous(
    CFAllocatorRef structureAllocator, CMBlockBufferRef sourceBuffer, CFAllocatorRef blockAllocator,
    const CMBlockBufferCustomBlockSource* customBlockSource, size_t offsetToData, size_t dataLength,
    CMBlockBufferFlags flags, CMBlockBufferRef* blockBufferOut);

/* Bytes in the buffer (0 for NULL or what is not a block buffer). */
CM_EXPORT size_t CMBlockBufferGetDataLength(CMBlockBufferRef theBuffer);
CM_EXPORT Boolean CMBlockBufferIsEmpty(CMBlockBufferRef theBuffer);
/* True when [offset, offset + length) lies in the buffer (length 0: to its end); the memory is
 * always contiguous here. */
CM_EXPORT Boolean CMBlockBufferIsRangeContiguous(CMBlockBufferRef theBuffer, size_t offset,
                                                 size_t length);
/* A pointer to the byte at offset, the bytes from there to the end, and the total length; every
 * out pointer may be NULL. The memory is the sample's and must not be written (Apple's type is
 * char*; writing is undefined here). kCMBlockBufferBadOffsetParameterErr when offset >= length
 * (the outs are then 0/NULL). */
CM_EXPORT OSStatus CMBlockBufferGetDataPointer(CMBlockBufferRef theBuffer, size_t offset,
                                               size_t* lengthAtOffsetOut, size_t* totalLengthOut,
                                               char** dataPointerOut);
/* Copies dataLength bytes from offsetToData into destination. kCMBlockBufferBadPointerParameterErr
 * for a NULL destination or a non-block-buffer, kCMBlockBufferBadOffsetParameterErr /
 * BadLengthParameterErr for a range outside the buffer. */
CM_EXPORT OSStatus CMBlockBufferCopyDataBytes(CMBlockBufferRef theSourceBuffer, size_t offsetToData,
                                              size_t dataLength, void* destination);

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREMEDIA_CMBLOCKBUFFER_H */
