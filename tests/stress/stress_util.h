// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the stress tests: a deadlock watchdog that names the stuck threads and aborts, the
// process's resident set size, and a reproducible seed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace stress {

// Fails the run when a thread is stuck, or nothing makes progress, for `limit`.
//
// Every thread of a test registers a slot (Watchdog::Thread) and says what it is doing with
// Doing("EncodeFrame"), or Waiting("join") when it waits for other threads by design. The
// watchdog fires when a thread has been in one Doing() activity for `limit` (a deadlocked call,
// even while other threads carry on), or when nothing at all (Doing, Waiting, Progress) happened
// for `limit`. It then prints every registered thread with its activity and how long it has been
// in it, attaches gdb for `thread apply all bt` (unless VTC_STRESS_NO_GDB is set), and calls
// std::abort() so the run ends (meson reports the crash). No single call in these tests takes
// more than a fraction of a second, so `limit` = 60 s is not a timing assertion.
class Watchdog {
 public:
  static constexpr int kMaxThreads = 64;

  explicit Watchdog(std::chrono::seconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // The one watchdog alive (for callbacks that have no other way to reach it), or null.
  static Watchdog* Current();

  void Progress() { progress_.fetch_add(1, std::memory_order_relaxed); }

  // A registered thread; keep one per thread for as long as the thread runs.
  class Thread {
   public:
    Thread(Watchdog& dog, const std::string& name);
    ~Thread();
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;
    // `what` must be a string literal (or otherwise outlive the slot).
    void Doing(const char* what);
    void Waiting(const char* what);

   private:
    Watchdog& dog_;
    int slot_;
  };

 private:
  struct Slot {
    std::atomic<bool> used{false};
    char name[48] = {};
    std::atomic<const char*> what{"idle"};
    std::atomic<std::int64_t> since_ms{0};
    std::atomic<bool> waiting{false};
  };

  static std::int64_t NowMs();
  void Run();
  [[noreturn]] void Fire(const char* why);

  std::chrono::seconds limit_;
  std::atomic<std::uint64_t> progress_{0};
  Slot slots_[kMaxThreads];
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Resident set size in bytes, from /proc/self/statm (0 if unreadable).
std::uint64_t ResidentBytes();

// Bytes the C heap has handed out and not got back (glibc mallinfo2: arena + mmapped chunks in
// use), 0 where unknown. Unlike RSS it ignores the allocator's caches and fragmentation.
std::uint64_t HeapInUseBytes();

// Returns freed heap memory to the system where the allocator allows (glibc malloc_trim), so two
// RSS readings compare live memory rather than the allocator's caches.
void TrimHeap();

// True when built with AddressSanitizer, ThreadSanitizer or MemorySanitizer: their shadow memory
// and quarantine make RSS meaningless as a leak measure (LeakSanitizer does that job there).
bool UnderSanitizer();

// The seed: VTC_STRESS_SEED if set, else derived from the clock. Printed by the tests, so a failing
// run can be repeated.
std::uint64_t Seed();

// An environment variable as an integer, or `def`.
long EnvInt(const char* name, long def);

}  // namespace stress
