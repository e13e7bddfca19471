// SPDX-License-Identifier: GPL-2.0-or-later
#include "stress_util.h"

#include <malloc.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace stress {

namespace {
std::atomic<Watchdog*> g_current{nullptr};
}  // namespace

Watchdog::Watchdog(std::chrono::seconds limit) : limit_(limit) {
  g_current.store(this);
  thread_ = std::thread([this] { Run(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  g_current.store(nullptr);
}

Watchdog* Watchdog::Current() {
  return g_current.load();
}

std::int64_t Watchdog::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Watchdog::Thread::Thread(Watchdog& dog, const std::string& name) : dog_(dog), slot_(-1) {
  for (int i = 0; i < kMaxThreads; ++i) {
    bool expected = false;
    if (dog_.slots_[i].used.compare_exchange_strong(expected, true)) {
      slot_ = i;
      std::snprintf(dog_.slots_[i].name, sizeof dog_.slots_[i].name, "%s", name.c_str());
      break;
    }
  }
  Doing("starting");
}

Watchdog::Thread::~Thread() {
  if (slot_ < 0) return;
  dog_.slots_[slot_].what.store("finished");
  dog_.slots_[slot_].used.store(false);
  dog_.Progress();
}

void Watchdog::Thread::Doing(const char* what) {
  dog_.Progress();
  if (slot_ < 0) return;
  dog_.slots_[slot_].since_ms.store(NowMs());
  dog_.slots_[slot_].what.store(what);
  dog_.slots_[slot_].waiting.store(false);
}

void Watchdog::Thread::Waiting(const char* what) {
  Doing(what);
  if (slot_ >= 0) dog_.slots_[slot_].waiting.store(true);
}

void Watchdog::Run() {
  std::uint64_t last = progress_.load();
  std::int64_t last_change = NowMs();
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
    const std::uint64_t now_progress = progress_.load();
    const std::int64_t now = NowMs();
    const std::int64_t limit_ms = std::int64_t(limit_.count()) * 1000;
    if (now_progress != last) {
      last = now_progress;
      last_change = now;
    } else if (now - last_change >= limit_ms) {
      Fire("no progress in any thread");
    }
    for (int i = 0; i < kMaxThreads; ++i) {
      if (slots_[i].used.load() && !slots_[i].waiting.load() &&
          now - slots_[i].since_ms.load() >= limit_ms)
        Fire("a thread is stuck in one call");
    }
  }
}

void Watchdog::Fire(const char* why) {
  const std::int64_t now = NowMs();
  std::fprintf(stderr, "\n*** WATCHDOG: %s for %d s; threads and what they are doing:\n", why,
               int(limit_.count()));
  for (int i = 0; i < kMaxThreads; ++i) {
    if (!slots_[i].used.load()) continue;
    const double secs = double(now - slots_[i].since_ms.load()) / 1000.0;
    std::fprintf(stderr, "***   %-24s %-44s for %6.1f s%s\n", slots_[i].name, slots_[i].what.load(),
                 secs,
                 slots_[i].waiting.load()         ? " (waiting)"
                 : secs >= double(limit_.count()) ? "  <-- STUCK"
                                                  : "");
  }
  std::fflush(stderr);
  if (!std::getenv("VTC_STRESS_NO_GDB") && access("/usr/bin/gdb", X_OK) == 0) {
#ifdef PR_SET_PTRACER
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
#endif
    char cmd[256];
    std::snprintf(cmd, sizeof cmd,
                  "timeout 120 /usr/bin/gdb -p %d -batch -nx -ex 'set pagination off' "
                  "-ex 'thread apply all bt' 1>&2 </dev/null",
                  int(getpid()));
    std::fprintf(stderr, "*** WATCHDOG: %s\n", cmd);
    std::fflush(stderr);
    if (std::system(cmd) != 0) std::fprintf(stderr, "*** WATCHDOG: gdb failed\n");
  }
  std::fprintf(stderr, "*** WATCHDOG: aborting\n");
  std::fflush(stderr);
  std::abort();
}

std::uint64_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return std::uint64_t(resident) * std::uint64_t(sysconf(_SC_PAGESIZE));
}

std::uint64_t HeapInUseBytes() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 mi = mallinfo2();
  return std::uint64_t(mi.uordblks) + std::uint64_t(mi.hblkhd);
#else
  return 0;
#endif
}

void TrimHeap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

bool UnderSanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

std::uint64_t Seed() {
  if (const char* s = std::getenv("VTC_STRESS_SEED")) return std::strtoull(s, nullptr, 0);
  return std::uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) ^
         (std::uint64_t(getpid()) << 32);
}

long EnvInt(const char* name, long def) {
  const char* s = std::getenv(name);
  if (!s || !*s) return def;
  return std::strtol(s, nullptr, 0);
}

}  // namespace stress
