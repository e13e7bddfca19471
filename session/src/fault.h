// SPDX-License-Identifier: GPL-2.0-or-later
// Fault injection for tests: failures that real input cannot provoke on demand (x264 failing
// mid-stream, memory running out in a pool) are switched on through the environment, so the
// session's tests and the element's tests (a plugin loaded by GStreamer) reach the same paths.
//
//   VTC_FAULT_INJECT="encode:N"   the Nth frame handed to each x264 instance fails as a negative
//                                 x264_encoder_encode would (kVTVideoEncoderMalfunctionErr)
//   VTC_FAULT_INJECT="alloc:N"    the Nth buffer each pixel-buffer pool allocates fails as an
//                                 exhausted malloc would (kVTAllocationFailedErr)
//
// Both may be given, separated by a comma. Unset or malformed: no fault, ever.
#pragma once

namespace vtc {
namespace fault {

// The N configured for `what` ("encode" or "alloc"), or 0. Reads the environment on each call:
// call it when an encoder or pool is created, not per frame.
int After(const char* what);

}  // namespace fault
}  // namespace vtc
