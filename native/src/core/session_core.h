// The session state machine every backend shares (io_uring, epoll and IOCP). A session is a send
// queue plus the flags of its life; the rules below decide when it pauses and resumes receiving,
// when it ends gracefully, how a close is chosen, how many sessions may exist and what opening and
// closing one counts. The backends keep only what is their own: how an operation is posted
// (readiness or completion), how a pending one is cancelled and how the socket is closed.
//
// Life of a session: open -> (peer FIN: readClosed) -> everything queued sent -> closing
// (graceful: our FIN first) -> freed once no operation of it is pending. An error, a full queue
// in chat or stop() jump straight to closing; closing happens once.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "config.h"
#include "error_catalog.h"
#include "metrics.h"
#include "send_queue.h"
#include "workload.h"

namespace iocpm {

enum class SessionState : uint8_t { Open = 0, HalfClosed = 1, Closing = 2 };

// One session's counters for the session table. Written only by the thread handling the session
// (IOCP: under the session's lock), read by the engine's session snapshot from another thread:
// relaxed atomics with single-writer updates, so the hot path takes no lock and no locked op.
struct SessionStats {
  std::atomic<uint64_t> bytesIn{0}, bytesOut{0}, completions{0}, errors{0};
  std::atomic<uint64_t> sendQueue{0}, peakSendQueue{0};  // bytes queued now, and the most ever
  std::atomic<int32_t> lastError{0};                    // native code of the last error (0: none)
  std::atomic<uint8_t> state{uint8_t(SessionState::Open)};
};

// The flags every backend's session has; a backend's own session type derives from it.
struct SessionCore {
  // handle: the socket (fd or SOCKET), for the addresses the session table shows.
  SessionCore(size_t sendQueueLimit, uint64_t handle_) : out(sendQueueLimit), handle(handle_) {}
  bool readClosed = false;  // the peer sent FIN
  bool recvPaused = false;  // echo back-pressure: queue above the high watermark
  bool closing = false;     // closing has begun (exactly once)
  bool abortive = false;    // ... and the close will send RST instead of FIN
  SendQueue out;

  // Identity, set when the session joins its worker's SessionDirectory and fixed after.
  const uint64_t handle;
  uint64_t id = 0;
  int worker = 0;
  uint64_t openedNs = 0;
  SessionStats stats;
  // Addresses, looked up on the first snapshot that shows the session (never on the accept path);
  // guarded by the directory's lock.
  bool named = false;
  std::string local, remote;
  // The byte counts at the previous session table (rates are per interval between tables);
  // guarded by the directory's lock like the names.
  uint64_t tableNs = 0, tableBytesIn = 0, tableBytesOut = 0;

  // Counting, by the thread handling the session (see SessionStats).
  void countReceived(uint64_t n) {
    WorkerMetrics::bump(stats.bytesIn, n);
    WorkerMetrics::bump(stats.completions);
  }
  // n bytes of the queue's front were sent.
  void countSent(uint64_t n) {
    out.consume(static_cast<size_t>(n));
    WorkerMetrics::bump(stats.bytesOut, n);
    WorkerMetrics::bump(stats.completions);
    publishQueue();
  }
  // n bytes went out without being queued (epoll's direct write).
  void countSentDirect(uint64_t n) { WorkerMetrics::bump(stats.bytesOut, n); }
  // A send completed that did not come from the queue (io_uring's echo straight from the receive
  // buffer): n bytes, one completion, the queue untouched.
  void countSentInPlace(uint64_t n) {
    WorkerMetrics::bump(stats.bytesOut, n);
    WorkerMetrics::bump(stats.completions);
  }
  void countError(int code) {
    WorkerMetrics::bump(stats.errors);
    stats.lastError.store(code, std::memory_order_relaxed);
  }
  void peerClosed() {
    readClosed = true;
    if (!closing) stats.state.store(uint8_t(SessionState::HalfClosed), std::memory_order_relaxed);
  }
  void publishQueue() {
    uint64_t q = out.bytes();
    stats.sendQueue.store(q, std::memory_order_relaxed);
    if (q > stats.peakSendQueue.load(std::memory_order_relaxed)) stats.peakSendQueue.store(q, std::memory_order_relaxed);
  }
};

// Decisions on one session. Pure: no I/O, no locks (the IOCP backend calls them under the
// session's lock; the Linux backends from the session's only thread).
class SessionRules {
 public:
  explicit SessionRules(CloseMode mode) : mode_(mode) {}

  // Marks the session closing; false when it already was (the caller then does nothing). A server
  // configured for abortive close makes every close abortive.
  bool beginClose(SessionCore& s, bool abortive) const {
    if (s.closing) return false;
    s.closing = true;
    s.abortive = abortive || mode_ == CloseMode::Abortive;
    s.stats.state.store(uint8_t(SessionState::Closing), std::memory_order_relaxed);
    return true;
  }
  // Graceful end: the peer sent FIN and every queued byte has been sent.
  static bool finished(const SessionCore& s, bool sendInFlight) {
    return s.readClosed && !sendInFlight && s.out.empty() && !s.closing;
  }
  // Whether a finished session sends its FIN (shutdown for writing) before it is closed;
  // abortive mode sends RST alone.
  bool finSent() const { return mode_ != CloseMode::Abortive; }

  // A receive may be posted (or readiness acted on).
  static bool wantsRecv(const SessionCore& s) { return !s.closing && !s.readClosed && !s.recvPaused; }
  // After received data was handled: pause when the echo queue passed the high watermark.
  // True when it paused just now.
  static bool pauseIfBacklogged(SessionCore& s) {
    if (s.closing || s.recvPaused || s.out.bytes() <= high_watermark(s.out.limit())) return false;
    s.recvPaused = true;
    return true;
  }
  // After a send completed: resume below the low watermark. True when it resumed just now.
  static bool resumeIfDrained(SessionCore& s) {
    if (s.closing || !s.recvPaused || s.out.bytes() > low_watermark(s.out.limit())) return false;
    s.recvPaused = false;
    return true;
  }

  // Queues bytes for sending. False when the queue is full: the error is counted and the caller
  // closes the session abortively (a slow reader must not grow memory without bound).
  // `pastLimitOk`: data the kernel delivered before a pause took effect, which must not be lost.
  static bool enqueue(SessionCore& s, const char* p, size_t n, bool pastLimitOk, WorkerMetrics& m) {
    if (!s.out.push(p, n)) {
      if (!pastLimitOk) {
        m.countError(kErrSendQueueFull);
        s.countError(kErrSendQueueFull);
        return false;
      }
      s.out.pushPastLimit(p, n);
    }
    s.publishQueue();
    return true;
  }

 private:
  CloseMode mode_;
};

// The session limit across all workers, and the counters of opening and closing a session. The
// counters use fetch_add: in the IOCP shared-port layout a session's open and close may be counted
// by different threads (once per session, so never on the per-message path).
class SessionAccounting {
 public:
  SessionAccounting(std::atomic<int>& live, int maxSessions) : live_(live), max_(maxSessions) {}

  // Reserves a place for a new connection; over the limit it counts session-limit and refuses
  // (the caller closes the socket abortively).
  bool admit(WorkerMetrics& m) const {
    if (live_.fetch_add(1, std::memory_order_relaxed) < max_) return true;
    live_.fetch_sub(1, std::memory_order_relaxed);
    m.countError(kErrSessionLimit);
    return false;
  }
  // Gives back a place taken by admit() for a connection that never became a session.
  void abandon() const { live_.fetch_sub(1, std::memory_order_relaxed); }
  void opened(WorkerMetrics& m) const {
    m.accepts.fetch_add(1, std::memory_order_relaxed);
    m.sessions.fetch_add(1, std::memory_order_relaxed);
  }
  void closed(WorkerMetrics& m) const {
    live_.fetch_sub(1, std::memory_order_relaxed);
    m.sessions.fetch_sub(1, std::memory_order_relaxed);
    m.closes.fetch_add(1, std::memory_order_relaxed);
  }

 private:
  std::atomic<int>& live_;
  int max_;
};

}  // namespace iocpm
