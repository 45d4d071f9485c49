// The one interface every platform backend implements (io_uring, epoll, IOCP). The build file
// picks which backend sources are compiled; shared code never uses #ifdef for platforms.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "error_catalog.h"
#include "metrics.h"

namespace iocpm {

struct BackendInfo {
  std::string name;                   // "iouring" | "epoll" | "iocp"
  std::string fallbackReason;         // non-empty when auto/requested backend fell back
  std::vector<std::string> features;  // e.g. "multishot-accept"
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Binds, listens and launches cfg.workers threads, each counting into metrics[i]. On failure
  // nothing is left running or open. Called at most once per Backend object.
  virtual NativeError start(const EngineConfig& cfg, WorkerMetrics* metrics, BackendInfo* info) = 0;
  // Cancels every pending operation, waits for each completion, closes every socket and joins
  // every worker. Idempotent. Kernel objects needed by queueDepth() stay valid until destruction.
  virtual void stop() = 0;
  // Completions posted to worker i's queue and not yet taken (io_uring: CQEs in the ring; IOCP:
  // packets on the port); callable from any thread while the object is alive, without pausing
  // the worker. -1 means "use WorkerMetrics::pendingEvents" (epoll: ready events in hand).
  virtual int64_t queueDepth(int worker) const = 0;
  // Worker i's busy time in ns, read live without pausing it (Linux: the thread's CPU time), or
  // -1 for "use WorkerMetrics::busyNs" (IOCP times its handling itself; every backend stores the
  // final value there when a worker ends).
  virtual int64_t busyNs(int) const { return -1; }
  // Asks worker `worker` to close session `id` (listed in its SessionDirectory): graceful sends
  // FIN after what is queued is dropped, abortive sends RST. Any thread; returns at once (the
  // close happens on the session's own thread). False when the session is already gone.
  virtual bool closeSession(int worker, uint64_t id, bool abortive) = 0;
};

struct BackendChoice {
  std::unique_ptr<Backend> backend;
  std::string name;
  std::string fallbackReason;
  NativeError error;      // set when no backend could be created
  std::string errorText;  // human text for error (e.g. "iocp is only available on Windows")
};

// Platform-specific (one factory file per platform): picks the backend cfg.backend asks for and
// creates it with the options of cfg that are its own (the IOCP port layout, dequeue call and
// accept pool). Called after validate_config.
BackendChoice make_backend(const EngineConfig& cfg);

}  // namespace iocpm
