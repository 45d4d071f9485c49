// IOCP backend: the model the whole project is named after. Every accept/recv/send is an
// overlapped operation whose context (an OVERLAPPED inside an Op) lives until its completion
// packet has been dequeued from a completion port; workers wait on ports with
// GetQueuedCompletionStatus(Ex); stop cancels with CancelIoEx, waits for every packet, then wakes
// each worker with PostQueuedCompletionStatus and joins it.
//
// The parts: iocp_context.h (what they share, threading and metrics rules), iocp_accept.* (the
// listener and the AcceptEx pool), iocp_sessions.* (sessions on the shared session core),
// iocp_worker.* (the dequeue loop). This file composes them and owns start and stop.
#include "iocp_backend.h"

#include <system_error>

#include "iocp_accept.h"
#include "iocp_sessions.h"
#include "iocp_worker.h"

namespace iocpm {
namespace iocp {
namespace {

// ntdll's NtQueryIoCompletion is not in the SDK import libraries; it is looked up at run time.
// Information class 0 (IoCompletionBasicInformation) returns the number of packets queued on the
// port and not yet dequeued: exactly the "completions ready and not yet taken" of the design.
typedef LONG(NTAPI* NtQueryIoCompletionFn)(HANDLE port, int infoClass, void* info, ULONG infoLength,
                                            ULONG* resultLength);
struct IoCompletionBasicInformation {
  LONG Depth;
};

class IocpBackend : public Backend {
 public:
  explicit IocpBackend(const EngineConfig& cfg) : ctx_(cfg) {}

  ~IocpBackend() override {
    stop();
    accepts_.close();
    for (auto& g : ctx_.groups) {
      if (g->port) CloseHandle(g->port);
    }
    if (wsaStarted_) WSACleanup();
  }

  NativeError start(const EngineConfig& cfg, WorkerMetrics* metrics, BackendInfo* info) override {
    ctx_.cfg = cfg;
    ctx_.metrics = metrics;
    WSADATA wsa;
    if (int r = WSAStartup(MAKEWORD(2, 2), &wsa)) return {r, "WSAStartup"};
    wsaStarted_ = true;
    if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll")) {
      ntQuery_ = reinterpret_cast<NtQueryIoCompletionFn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "NtQueryIoCompletion")));
    }
    if (NativeError e = createPorts()) return e;
    if (NativeError e = accepts_.listen()) return e;

    try {
      for (int i = 0; i < cfg.workers; ++i) workers_.emplace_back(new Worker(ctx_, sessions_, accepts_, i));
      for (auto& w : workers_) w->launch();
    } catch (const std::system_error&) {
      started_ = true;
      stop();  // joins the threads that did start
      return {ERROR_NOT_ENOUGH_MEMORY, "CreateThread", "could not start the worker threads"};
    }
    started_ = true;

    // The pool is posted once the workers wait, so a failure here can be undone by stop() (which
    // cancels what was posted and waits for every packet) rather than by hand.
    if (NativeError e = accepts_.postAll()) {
      stop();
      return e;
    }

    const IocpOptions& o = ctx_.opts;
    info->features.push_back(o.perWorker() ? "port-per-worker" : "shared-port");
    info->features.push_back(o.dequeue == IocpDequeue::Gqcsex ? "dequeue-batch" : "dequeue-single");
    info->features.push_back("acceptex-pool");
    info->features.push_back(ntQuery_ ? "queue-depth-ntquery" : "queue-depth-unavailable");
    return {};
  }

  void stop() override {
    if (!started_ || stopped_) return;
    stopped_ = true;
    ctx_.stopping.store(true);
    // 1. Cancel. Every posting path checks `stopping` under a lock taken here, so each operation
    //    is either posted before its cancel or never posted at all.
    accepts_.cancel();
    sessions_.closeAll();
    // 2. Drain: the workers keep dequeuing until every posted operation's packet has been
    //    handled; each session is freed (and its socket closed) by the handler of its last packet.
    ctx_.waitForAllPackets();
    // 3. Wake and join. Nothing else is queued now, so each quit packet reaches a waiting worker.
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->quit();
    }
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();
    }
    // 4. Every packet was reaped, so the kernel holds no context: release what is left.
    sessions_.freeLeft();
    accepts_.close();
  }

  bool closeSession(int worker, uint64_t id, bool abortive) override { return sessions_.closeById(worker, id, abortive); }

  int64_t queueDepth(int worker) const override {
    if (!ntQuery_ || ctx_.groups.empty() || worker < 0 || worker >= ctx_.cfg.workers) return -1;
    HANDLE port = ctx_.opts.perWorker() ? ctx_.groups[worker]->port : ctx_.groups[0]->port;
    IoCompletionBasicInformation info{0};
    ULONG len = 0;
    if (ntQuery_(port, 0, &info, sizeof(info), &len) != 0) return -1;
    return info.Depth;
  }

 private:
  NativeError createPorts() {
    const bool perWorker = ctx_.opts.perWorker();
    int ports = perWorker ? ctx_.cfg.workers : 1;
    // Concurrency value: a private port is serviced by exactly one thread; the shared port lets
    // every worker run at once (0 would mean "one per CPU", which may be fewer than the workers).
    DWORD concurrency = perWorker ? 1 : static_cast<DWORD>(ctx_.cfg.workers);
    for (int i = 0; i < ports; ++i) {
      ctx_.groups.emplace_back(new Group());
      ctx_.groups.back()->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, concurrency);
      if (!ctx_.groups.back()->port) return {static_cast<int>(GetLastError()), "CreateIoCompletionPort"};
    }
    return {};
  }

  IocpContext ctx_;
  std::atomic<int> liveSessions_{0};
  Sessions sessions_{ctx_, liveSessions_};
  AcceptPool accepts_{ctx_};
  std::vector<std::unique_ptr<Worker>> workers_;
  bool wsaStarted_ = false;
  NtQueryIoCompletionFn ntQuery_ = nullptr;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace
}  // namespace iocp

std::unique_ptr<Backend> make_iocp_backend(const EngineConfig& cfg) {
  return std::unique_ptr<Backend>(new iocp::IocpBackend(cfg));
}

}  // namespace iocpm
