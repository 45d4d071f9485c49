#include "metrics.h"

#include "error_catalog.h"

#include <chrono>

namespace iocpm {

void WorkerMetrics::countError(int code) {
  for (auto& slot : errors) {
    int32_t c = slot.code.load(std::memory_order_relaxed);
    if (c == code) {
      bump(slot.count);
      return;
    }
    if (c == 0) {
      // Count first, then publish the code with release so a reader that sees the code also
      // sees a count >= 1.
      slot.count.store(1, std::memory_order_relaxed);
      slot.code.store(code, std::memory_order_release);
      return;
    }
  }
  bump(errorsOverflow);
}

WorkerSnapshot read_metrics(int worker, const WorkerMetrics& m) {
  WorkerSnapshot s;
  s.worker = worker;
  for (int k = 0; k < 3; ++k) s.inflight[k] = m.inflight[k].load(std::memory_order_relaxed);
  s.completions = m.completions.load(std::memory_order_relaxed);
  s.accepts = m.accepts.load(std::memory_order_relaxed);
  s.closes = m.closes.load(std::memory_order_relaxed);
  s.sessions = m.sessions.load(std::memory_order_relaxed);
  s.bytesIn = m.bytesIn.load(std::memory_order_relaxed);
  s.bytesOut = m.bytesOut.load(std::memory_order_relaxed);
  s.busyNs = m.busyNs.load(std::memory_order_relaxed);
  s.queueDepth = m.pendingEvents.load(std::memory_order_relaxed);
  for (const auto& slot : m.errors) {
    int32_t c = slot.code.load(std::memory_order_acquire);
    if (c == 0) break;
    s.errors.push_back({c, slot.count.load(std::memory_order_relaxed)});
  }
  uint64_t over = m.errorsOverflow.load(std::memory_order_relaxed);
  if (over) s.errors.push_back({kErrCountOverflow, over});
  return s;
}

uint64_t mono_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

}  // namespace iocpm
