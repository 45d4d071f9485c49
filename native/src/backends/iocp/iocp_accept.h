// The listener and its pool of posted AcceptEx calls. AcceptEx completions go to the acceptor's
// port (worker 0's, or the shared one). A slot whose re-post fails (out of sockets or buffers) is
// idle until the acceptor retries it, at most every kAcceptRetryMs; connections wait in the
// backlog meanwhile and existing sessions keep running.
#pragma once
#include "iocp_context.h"

namespace iocpm {
namespace iocp {

struct AcceptOp {
  Op op{OpType::Accept};
  SOCKET sock = INVALID_SOCKET;  // the socket AcceptEx will connect
  bool posted = false;           // owned by the kernel (guarded by AcceptPool::mu_)
  bool idle = false;             // re-post failed; waiting for the retry timer
  char addr[2 * kAddrLen];       // local + remote address, written by AcceptEx
};

class AcceptPool {
 public:
  explicit AcceptPool(IocpContext& ctx) : ctx_(ctx) {}
  ~AcceptPool() { close(); }

  // WSASocket + SO_EXCLUSIVEADDRUSE + bind + listen, associated with the acceptor's port.
  NativeError listen();
  // Posts opts.acceptPool AcceptEx calls (once the workers wait).
  NativeError postAll();
  SOCKET listener() const { return listen_; }

  // A slot's packet: returns the connected socket, or INVALID_SOCKET (failed, or stopping), with
  // the error counted in m. The caller hands the socket on, then calls repost().
  SOCKET complete(AcceptOp& a, WorkerMetrics& m);
  void repost(AcceptOp& a, WorkerMetrics& m);

  bool hasIdle() const { return idle_.load(std::memory_order_relaxed) > 0; }
  // Re-posts idle slots if the last try was kAcceptRetryMs or longer ago.
  void retryIdle(WorkerMetrics& m, uint64_t now, uint64_t* lastTry);

  // stop(): cancels what is posted (ctx.stopping is set, so nothing new is posted after this).
  void cancel();
  // After every packet was handled: closes the slots' sockets and the listener.
  void close();

 private:
  int post(AcceptOp& a);  // caller holds mu_
  void markIdle(AcceptOp& a);
  SOCKET newSocket() const;
  // Accept operations are charged to worker 0, the acceptor of the per-worker layout (in the
  // shared layout any worker may reap them; one place keeps the gauge meaningful).
  std::atomic<int64_t>& inflight() { return ctx_.metrics[0].inflight[int(OpKind::Accept)]; }

  IocpContext& ctx_;
  SOCKET listen_ = INVALID_SOCKET;
  int family_ = AF_INET;
  LPFN_ACCEPTEX acceptEx_ = nullptr;
  std::mutex mu_;  // guards the slots' posted/idle/sock and CancelIoEx of the listener
  std::vector<std::unique_ptr<AcceptOp>> slots_;
  std::atomic<int> idle_{0};
};

}  // namespace iocp
}  // namespace iocpm
