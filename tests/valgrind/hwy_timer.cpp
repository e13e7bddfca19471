// SPDX-License-Identifier: GPL-2.0-or-later
// Preloaded into the valgrind test setup only (meson.build, LD_PRELOAD). libhwy 1.0.3 (libjxl's,
// loaded with gst-libav's libavcodec, whose avdec_h264/avdec_h265 the gst tests decode with)
// times its clock when it is loaded, with RDTSCP and without asking CPUID. Where the CPU or the
// hypervisor does not advertise RDTSCP, valgrind (which follows CPUID) stops the test with
// SIGILL inside dlopen, although the instruction runs natively. libhwy's initializer calls this
// exported function through its PLT, so this definition takes its place; the value only feeds
// libhwy's own benchmarking helpers, which nothing in a decoder calls.
#include <cstdint>

namespace hwy {
namespace platform {

__attribute__((visibility("default"))) std::uint64_t TimerResolution() {
  return 1;
}

}  // namespace platform
}  // namespace hwy
