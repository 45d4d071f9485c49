// One IOCP worker: a thread waiting on its completion port with GetQueuedCompletionStatus(Ex) and
// dispatching each packet to the accept pool or the session it belongs to. The workload sends
// through it (SessionSink).
#pragma once
#include <thread>

#include "iocp_accept.h"
#include "iocp_sessions.h"

namespace iocpm {
namespace iocp {

class Worker : public SessionSink {
 public:
  Worker(IocpContext& ctx, Sessions& sessions, AcceptPool& accepts, int index)
      : ctx_(ctx), sessions_(sessions), accepts_(accepts), index(index), m(ctx.metrics[index]), group(ctx.groupOf(index)) {}

  void launch() {
    thread = std::thread([this] { run(); });
  }
  // Posts a quit packet (stop, once every other packet has been handled).
  void quit() { PostQueuedCompletionStatus(group.port, 0, kQuitKey, nullptr); }

  void sendTo(void* session, const char* p, size_t n) override { sessions_.sendTo(*this, static_cast<Session*>(session), p, n); }
  void broadcast(const char* p, size_t n) override { sessions_.broadcast(*this, p, n); }

 private:
  void run();
  void dispatch(const OVERLAPPED_ENTRY& e);
  bool dequeueFailed(DWORD err);

  IocpContext& ctx_;
  Sessions& sessions_;
  AcceptPool& accepts_;
  uint64_t lastAcceptRetryNs_ = 0;

 public:
  const int index;
  WorkerMetrics& m;  // written only by this thread (except the session-charged atomics)
  Group& group;
  std::thread thread;
};

}  // namespace iocp
}  // namespace iocpm
