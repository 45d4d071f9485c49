// The portable engine: validates config, chooses a backend, owns the per-worker metrics and
// serialises start/stop. Thread-safe: start/stop may run on worker threads of the caller (the
// addon uses AsyncWorkers), snapshot() on any thread, concurrently with both.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend.h"
#include "config.h"
#include "error_catalog.h"
#include "metrics.h"
#include "session_table.h"

namespace iocpm {

struct StartResult {
  enum Kind { Ok, InvalidConfig, AlreadyRunning, Busy, SystemError } kind = Ok;
  ConfigError configError;
  NativeError nativeError;
  std::string text;  // human message for non-Ok results
  BackendInfo info;
};

struct EngineSnapshot {
  uint64_t monoNs = 0;
  bool running = false;
  std::vector<WorkerSnapshot> workers;
};

class Engine {
 public:
  Engine() = default;
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  StartResult start(const EngineConfig& cfg);
  // Safe when already stopped. Returns after every worker is joined.
  void stop();
  // Final counters stay readable after stop() until the next start().
  EngineSnapshot snapshot() const;
  bool running() const;
  // The session table (see session_table.h); empty when stopped. Any thread.
  SessionTable sessions(const SessionQuery& q);
  // Closes one live session; false when no running worker has it.
  bool closeSession(uint64_t id, bool abortive);

 private:
  std::mutex lifecycle_;         // serialises start/stop
  mutable std::mutex stateMu_;   // guards backend_/metrics_ against snapshot()
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<WorkerMetrics[]> metrics_;
  std::vector<std::unique_ptr<SessionDirectory>> directories_;  // one per worker, with metrics_
  uint64_t sendQueueLimit_ = 0;
  int workers_ = 0;
  bool running_ = false;
};

}  // namespace iocpm
