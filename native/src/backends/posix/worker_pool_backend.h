// The life cycle the io_uring and epoll backends share: one listener for every worker (or, with
// reusePort, a check that the port is free before each worker binds its own), one thread per
// worker, and a stop that flags, wakes and joins every worker before closing the shared listener.
// The subclass's start() creates and launches the workers in its own way.
#pragma once
#include <unistd.h>

#include <atomic>
#include <memory>
#include <vector>

#include "../../core/backend.h"
#include "socket_util.h"

namespace iocpm {
namespace posix {

// Worker provides: std::atomic<bool> stopRequested_; void wake(); void join();
// void requestClose(uint64_t id, bool abortive);
// int64_t cpuNs() const (its thread's CPU time, -1 once it has ended).
template <class Worker>
class WorkerPoolBackend : public Backend {
 public:
  ~WorkerPoolBackend() override { stop(); }

  int64_t busyNs(int worker) const final {
    if (worker < 0 || worker >= static_cast<int>(workers_.size())) return -1;
    return workers_[worker]->cpuNs();
  }

  bool closeSession(int worker, uint64_t id, bool abortive) final {
    if (worker < 0 || worker >= static_cast<int>(workers_.size())) return false;
    workers_[worker]->requestClose(id, abortive);
    return true;
  }

  void stop() final {
    if (!started_ || stopped_) return;
    stopped_ = true;
    for (auto& w : workers_) {
      w->stopRequested_.store(true, std::memory_order_release);
      w->wake();
    }
    for (auto& w : workers_) w->join();
    closeShared();
  }

 protected:
  // Keeps cfg in cfg_, then either checks the port is free (reusePort: each worker listens on its
  // own socket) or opens the listener all workers share as sharedListenFd_.
  NativeError openListener(const EngineConfig& cfg, bool nonblocking) {
    cfg_ = cfg;
    if (cfg_.reusePort) return check_port_free(cfg_);
    return create_listener(cfg_, nonblocking, &sharedListenFd_);
  }

  void closeShared() {
    if (sharedListenFd_ >= 0) ::close(sharedListenFd_);
    sharedListenFd_ = -1;
  }

  EngineConfig cfg_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<int> sessionCount_{0};  // sessions of all workers together (maxSessions)
  int sharedListenFd_ = -1;           // -1 with reusePort
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace posix
}  // namespace iocpm
