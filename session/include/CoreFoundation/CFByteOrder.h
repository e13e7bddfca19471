/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Byte swapping, as Apple's CFByteOrder.h (header inlines). */
#ifndef __VTC_COREFOUNDATION_CFBYTEORDER_H
#define __VTC_COREFOUNDATION_CFBYTEORDER_H

#include <CoreFoundation/CFBase.h>

__VTC_CF_EXTERN_C_BEGIN

typedef CFIndex CFByteOrder;
enum { CFByteOrderUnknown = 0, CFByteOrderLittleEndian = 1, CFByteOrderBigEndian = 2 };

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define __VTC_CF_BIG_ENDIAN 1
#else
#define __VTC_CF_BIG_ENDIAN 0
#endif

CF_INLINE CFByteOrder CFByteOrderGetCurrent(void) {
  return __VTC_CF_BIG_ENDIAN ? CFByteOrderBigEndian : CFByteOrderLittleEndian;
}

CF_INLINE uint16_t CFSwapInt16(uint16_t arg) {
  return (uint16_t)((arg << 8) | (arg >> 8));
}
CF_INLINE uint32_t CFSwapInt32(uint32_t arg) {
  return ((arg & 0x000000ffU) << 24) | ((arg & 0x0000ff00U) << 8) | ((arg & 0x00ff0000U) >> 8) |
         ((arg & 0xff000000U) >> 24);
}
CF_INLINE uint64_t CFSwapInt64(uint64_t arg) {
  return ((uint64_t)CFSwapInt32((uint32_t)(arg & 0xffffffffU)) << 32) |
         (uint64_t)CFSwapInt32((uint32_t)(arg >> 32));
}

#if __VTC_CF_BIG_ENDIAN
#define __VTC_CF_BIG(n, arg) (arg)
#define __VTC_CF_LITTLE(n, arg) CFSwapInt##n(arg)
#else
#define __VTC_CF_BIG(n, arg) CFSwapInt##n(arg)
#define __VTC_CF_LITTLE(n, arg) (arg)
#endif

CF_INLINE uint16_t CFSwapInt16BigToHost(uint16_t arg) {
  return __VTC_CF_BIG(16, arg);
}
CF_INLINE uint32_t CFSwapInt32BigToHost(uint32_t arg) {
  return __VTC_CF_BIG(32, arg);
}
CF_INLINE uint64_t CFSwapInt64BigToHost(uint64_t arg) {
  return __VTC_CF_BIG(64, arg);
}
CF_INLINE uint16_t CFSwapInt16HostToBig(uint16_t arg) {
  return __VTC_CF_BIG(16, arg);
}
CF_INLINE uint32_t CFSwapInt32HostToBig(uint32_t arg) {
  return __VTC_CF_BIG(32, arg);
}
CF_INLINE uint64_t CFSwapInt64HostToBig(uint64_t arg) {
  return __VTC_CF_BIG(64, arg);
}
CF_INLINE uint16_t CFSwapInt16LittleToHost(uint16_t arg) {
  return __VTC_CF_LITTLE(16, arg);
}
CF_INLINE uint32_t CFSwapInt32LittleToHost(uint32_t arg) {
  return __VTC_CF_LITTLE(32, arg);
}
CF_INLINE uint64_t CFSwapInt64LittleToHost(uint64_t arg) {
  return __VTC_CF_LITTLE(64, arg);
}
CF_INLINE uint16_t CFSwapInt16HostToLittle(uint16_t arg) {
  return __VTC_CF_LITTLE(16, arg);
}
CF_INLINE uint32_t CFSwapInt32HostToLittle(uint32_t arg) {
  return __VTC_CF_LITTLE(32, arg);
}
CF_INLINE uint64_t CFSwapInt64HostToLittle(uint64_t arg) {
  return __VTC_CF_LITTLE(64, arg);
}

__VTC_CF_EXTERN_C_END

#endif /* __VTC_COREFOUNDATION_CFBYTEORDER_H */
