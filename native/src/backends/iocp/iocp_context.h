// What every part of the IOCP backend shares: the per-operation contexts (an OVERLAPPED inside an
// Op), the session and its port group, and the context object set up by start() (config, ports,
// metrics, the stop flag and the count of operations the kernel still owns).
//
// Threading. With one port per worker (the default) a session's completions only ever reach its
// own worker. With the classic shared port, the recv and send completions of one session can be
// dequeued by two threads at once, so each session has a mutex; the same code serves both layouts
// (uncontended locks cost nanoseconds next to a system call). Lock order: Group::mu, then
// Session::mu; never two Session::mu at once (chat broadcasts with the sender's lock released).
//
// Metrics. Counters tied to the dequeuing thread (completions, bytes, busy time, errors) are
// written by that thread only, as the core expects. Counters tied to a session (in-flight ops,
// accepts, closes, sessions) are charged to the session's "home" worker and may be written from
// another thread in the shared layout, so they use atomic read-modify-write (one locked add per
// operation, nothing next to the WSARecv/WSASend it accompanies).
#pragma once
#include "winsock.h"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "../../core/session_core.h"
#include "../../core/session_directory.h"

namespace iocpm {
namespace iocp {

constexpr ULONG_PTR kListenerKey = 0;                         // AcceptEx completions (sessions use their address)
constexpr ULONG_PTR kQuitKey = ~static_cast<ULONG_PTR>(0);  // with a null OVERLAPPED: leave the loop
constexpr DWORD kAcceptRetryMs = 50;  // after WSAEMFILE/WSAENOBUFS: retry later instead of spinning
constexpr DWORD kAddrLen = sizeof(sockaddr_storage) + 16;  // AcceptEx wants 16 spare bytes per address

enum class OpType : uint8_t { Accept, Recv, Send, Handoff };

// The config fields this backend acts on, taken once at construction.
struct IocpOptions {
  explicit IocpOptions(const EngineConfig& cfg)
      : layout(cfg.iocpPortLayout), dequeue(cfg.iocpDequeue), acceptPool(cfg.iocpAcceptPool) {}
  IocpPortLayout layout;
  IocpDequeue dequeue;
  int acceptPool;         // AcceptEx calls kept posted
  int dequeueBatch = 64;  // OVERLAPPED_ENTRY slots per GetQueuedCompletionStatusEx call
  bool perWorker() const { return layout == IocpPortLayout::PerWorker; }
};

// The per-operation context. The kernel owns `ov` from the call that posts it until its packet is
// dequeued; the LPOVERLAPPED in the packet leads back here (CONTAINING_RECORD).
struct Op {
  explicit Op(OpType t) : type(t) { reset(); }
  void reset() { std::memset(&ov, 0, sizeof(ov)); }
  OVERLAPPED ov;
  OpType type;
};

struct Session;

// One completion port and the sessions associated with it.
struct Group {
  HANDLE port = nullptr;
  std::mutex mu;  // guards sessions (taken before any Session::mu)
  std::unordered_set<Session*> sessions;
};

struct Session : SessionCore {
  Session(SOCKET s, size_t limit, size_t bufSize) : SessionCore(limit, static_cast<uint64_t>(s)), sock(s), buf(new char[bufSize]) {}
  SOCKET sock;
  Group* group = nullptr;
  int home = 0;  // worker whose session/in-flight counters this session is charged to
  Op recvOp{OpType::Recv};
  Op sendOp{OpType::Send};
  Op handoffOp{OpType::Handoff};
  std::mutex mu;
  // "Pending" means posted to the kernel OR its completion is being handled right now: a handler
  // clears the flag only once it is done with the session, so no one frees it underneath.
  bool recvPending = false;
  bool sendPending = false;
  bool finalized = false;
  std::unique_ptr<char[]> buf;
};

// Session-charged counters (see Metrics above).
inline void charge(std::atomic<int64_t>& a, int64_t n) { a.fetch_add(n, std::memory_order_relaxed); }

// What start() sets up and every part reads. Fixed once the workers run, except the atomics.
struct IocpContext {
  explicit IocpContext(const EngineConfig& c) : cfg(c), opts(c) {}
  EngineConfig cfg;
  IocpOptions opts;
  WorkerMetrics* metrics = nullptr;
  std::vector<std::unique_ptr<Group>> groups;  // one per worker, or one shared
  std::atomic<bool> stopping{false};

  Group& groupOf(int worker) { return opts.perWorker() ? *groups[worker] : *groups[0]; }
  WorkerMetrics& home(const Session& s) { return metrics[s.home]; }

  // Every posted operation (and handoff packet) is counted until its packet has been handled;
  // stop() waits for zero.
  void opBegin() { outstanding_.fetch_add(1); }
  void opEnd() {
    if (outstanding_.fetch_sub(1) == 1 && stopping.load()) {
      std::lock_guard<std::mutex> g(drainMu_);
      drainCv_.notify_all();
    }
  }
  // No timeout on purpose: freeing a context the kernel may still write would corrupt memory.
  void waitForAllPackets() {
    std::unique_lock<std::mutex> lk(drainMu_);
    drainCv_.wait(lk, [this] { return outstanding_.load() == 0; });
  }

 private:
  std::atomic<int64_t> outstanding_{0};
  std::mutex drainMu_;
  std::condition_variable drainCv_;
};

}  // namespace iocp
}  // namespace iocpm
