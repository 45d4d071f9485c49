// Per-worker counters. On Linux each worker is the only writer of its own block (relaxed atomics,
// no read-modify-write contention); snapshot() reads them from another thread without pausing
// anyone. Blocks are cache-line aligned so two workers never share a line (no false sharing).
// Two exceptions use fetch_add instead of bump()/add(): the open/close counters of a session
// (core/session_core.h, SessionAccounting), and the IOCP backend's in-flight gauges, charged to a
// session's home worker while another thread may complete its operations (charge() in
// backends/iocp/iocp_context.h).
#pragma once
#include <atomic>
#include <cstdint>
#include <vector>

namespace iocpm {

enum class OpKind : uint8_t { Accept = 0, Recv = 1, Send = 2 };

class SessionDirectory;

struct ErrorSlot {
  std::atomic<int32_t> code{0};
  std::atomic<uint64_t> count{0};
};

struct alignas(64) WorkerMetrics {
  static constexpr int kErrorSlots = 32;

  std::atomic<int64_t> inflight[3] = {};  // by OpKind
  std::atomic<uint64_t> completions{0};
  std::atomic<uint64_t> accepts{0};
  std::atomic<uint64_t> closes{0};
  std::atomic<int64_t> sessions{0};
  std::atomic<uint64_t> bytesIn{0};
  std::atomic<uint64_t> bytesOut{0};
  std::atomic<uint64_t> busyNs{0};
  // epoll has no kernel completion queue to inspect: the worker publishes how many ready events
  // it holds and has not yet handled. Other backends read the depth from the kernel.
  std::atomic<int64_t> pendingEvents{0};
  ErrorSlot errors[kErrorSlots];
  std::atomic<uint64_t> errorsOverflow{0};  // codes beyond kErrorSlots distinct values
  // The worker's live sessions (the session table); set by the engine before start.
  SessionDirectory* live = nullptr;

  // Single-writer helpers: load+store instead of fetch_add keeps the hot path free of locked ops.
  static void bump(std::atomic<uint64_t>& a, uint64_t n = 1) {
    a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static void add(std::atomic<int64_t>& a, int64_t n) {
    a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void opStarted(OpKind k) { add(inflight[int(k)], 1); }
  void opFinished(OpKind k) {
    add(inflight[int(k)], -1);
    bump(completions);
  }
  void countError(int code);
};

struct ErrorCountSnapshot {
  int code;
  uint64_t count;
};

struct WorkerSnapshot {
  int worker = 0;
  int64_t queueDepth = 0;
  int64_t inflight[3] = {0, 0, 0};
  uint64_t completions = 0, accepts = 0, closes = 0, bytesIn = 0, bytesOut = 0, busyNs = 0;
  int64_t sessions = 0;
  std::vector<ErrorCountSnapshot> errors;
};

WorkerSnapshot read_metrics(int worker, const WorkerMetrics& m);

// Monotonic nanoseconds (steady clock; vDSO on Linux so cheap enough for per-loop busy time).
uint64_t mono_ns();

}  // namespace iocpm
