// The IOCP backend's sessions: an accepted socket becomes a session on its worker's port, with one
// WSARecv and at most one WSASend posted at a time; the shared session core decides pausing,
// graceful finish and close mode. A closing session has its operations cancelled (CancelIoEx) and
// is freed (socket closed) by the handler of its last packet, never earlier: the kernel may write
// into an OVERLAPPED or a receive buffer until that packet has been dequeued.
#pragma once
#include "iocp_context.h"

namespace iocpm {
namespace iocp {

class Worker;

class Sessions {
 public:
  Sessions(IocpContext& ctx, std::atomic<int>& liveSessions)
      : ctx_(ctx), rules_(ctx.cfg.closeMode), accounting_(liveSessions, ctx.cfg.maxSessions) {}

  // A socket AcceptEx connected: becomes a session of some worker (handed over through that
  // worker's port in the per-worker layout) or is refused.
  void accepted(Worker& w, SOCKET sock, SOCKET listener);
  // The session's worker registers it and posts its first receive (also for a handoff packet).
  void adopt(Worker& w, Session* s);

  void onRecv(Worker& w, Session* s, DWORD bytes);
  void onSend(Worker& w, Session* s, DWORD bytes);

  // SessionSink, via Worker. Never finalizes: the target always has a pending operation (or a
  // handler running) whose completion will, and the caller may hold Group::mu (broadcast).
  void sendTo(Worker& w, Session* s, const char* p, size_t n);
  void broadcast(Worker& w, const char* p, size_t n);

  // Backend::closeSession, from any thread: graceful sends our FIN at once, abortive RST.
  bool closeById(int worker, uint64_t id, bool abortive);

  // stop(): every session starts closing; each is freed by the handler of its last packet.
  void closeAll();
  // After every packet was handled, guards the invariant that nothing is left.
  void freeLeft();

 private:
  // Callers hold s.mu.
  void armRecv(Worker& w, Session& s);
  void kickSend(Worker& w, Session& s);
  void posting(Session& s, bool* pending, OpKind kind);
  void notPosted(Worker& w, Session& s, bool* pending, OpKind kind);
  void beginClose(Session& s, bool abortive);
  void finishIfDone(Session& s);
  void failed(Worker& w, Session& s, int err);
  static bool takeFinal(Session& s);
  // Runs `body` under s.mu, then frees s when that made it a closing session with nothing
  // pending (the handler of its last packet).
  template <class Body>
  void step(Session* s, Body body) {
    bool last;
    {
      std::lock_guard<std::mutex> l(s->mu);
      body();
      last = takeFinal(*s);
    }
    if (last) finalize(s);
  }
  // No locks held.
  void finalize(Session* s);
  void destroy(Session* s, bool abortive);

  IocpContext& ctx_;
  SessionRules rules_;
  SessionAccounting accounting_;
  std::atomic<unsigned> rr_{0};  // round-robin home worker for the per-worker layout
};

}  // namespace iocp
}  // namespace iocpm
