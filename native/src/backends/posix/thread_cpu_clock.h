// A worker thread's CPU time (user + kernel), read from another thread without disturbing the
// worker: the Linux backends report it as busyNs. Timing the worker's own handling would miss the
// kernel work io_uring does inside the wait (receive copies, completion posting), and a clock read
// per batch on the worker would cost a system call each time.
#pragma once
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace iocpm {
namespace posix {

class ThreadCpuClock {
 public:
  // Call on the launching thread right after the worker thread was created.
  void attach(std::thread& t) { valid_ = pthread_getcpuclockid(t.native_handle(), &clock_) == 0; }

  // Call as the worker thread's last act: stores its final CPU time in `out` (read after stop)
  // and marks the clock as gone, since the kernel may give the thread's id to a new thread.
  void finish(std::atomic<uint64_t>& out) {
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) out.store(to_ns(ts), std::memory_order_relaxed);
    exited_.store(true, std::memory_order_release);
  }

  // The worker's CPU time in ns, or -1 once it has finished (or when the clock is unavailable).
  int64_t read() const {
    if (!valid_ || exited_.load(std::memory_order_acquire)) return -1;
    timespec ts{};
    if (clock_gettime(clock_, &ts) != 0) return -1;
    // Checked again: had the thread ended before the read, its id may already name another thread.
    if (exited_.load(std::memory_order_acquire)) return -1;
    return static_cast<int64_t>(to_ns(ts));
  }

 private:
  static uint64_t to_ns(const timespec& ts) { return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec); }

  clockid_t clock_{};
  bool valid_ = false;
  std::atomic<bool> exited_{false};
};

}  // namespace posix
}  // namespace iocpm
