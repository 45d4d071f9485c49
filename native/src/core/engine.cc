#include "engine.h"

namespace iocpm {

Engine::~Engine() { stop(); }

StartResult Engine::start(const EngineConfig& cfg) {
  StartResult r;
  if (ConfigError ce = validate_config(cfg)) {
    r.kind = StartResult::InvalidConfig;
    r.configError = ce;
    r.text = ce.message;
    return r;
  }
  std::unique_lock<std::mutex> lk(lifecycle_, std::try_to_lock);
  if (!lk.owns_lock()) {
    r.kind = StartResult::Busy;
    r.text = "the server is starting or stopping; try again when it has finished";
    return r;
  }
  if (running()) {
    r.kind = StartResult::AlreadyRunning;
    r.text = "the server is already running; stop it first";
    return r;
  }
  BackendChoice choice = make_backend(cfg);
  if (!choice.backend) {
    r.kind = StartResult::SystemError;
    r.nativeError = choice.error;
    r.text = choice.errorText.empty() ? choice.error.message() : choice.errorText;
    return r;
  }
  auto metrics = std::unique_ptr<WorkerMetrics[]>(new WorkerMetrics[cfg.workers]);
  std::vector<std::unique_ptr<SessionDirectory>> directories;
  for (int i = 0; i < cfg.workers; ++i) {
    directories.emplace_back(new SessionDirectory(i));
    metrics[i].live = directories.back().get();
  }
  r.info.name = choice.name;
  r.info.fallbackReason = choice.fallbackReason;
  if (NativeError e = choice.backend->start(cfg, metrics.get(), &r.info)) {
    r.kind = StartResult::SystemError;
    r.nativeError = e;
    r.text = e.message();
    return r;
  }
  std::lock_guard<std::mutex> g(stateMu_);
  backend_ = std::move(choice.backend);
  metrics_ = std::move(metrics);
  directories_ = std::move(directories);
  sendQueueLimit_ = static_cast<uint64_t>(cfg.sendQueueLimit);
  workers_ = cfg.workers;
  running_ = true;
  return r;
}

void Engine::stop() {
  std::lock_guard<std::mutex> lk(lifecycle_);
  Backend* b = nullptr;
  {
    std::lock_guard<std::mutex> g(stateMu_);
    if (!running_) return;
    b = backend_.get();
  }
  // Joining may take a moment: do it without stateMu_ so snapshot() keeps answering.
  b->stop();
  std::unique_ptr<Backend> dead;
  {
    std::lock_guard<std::mutex> g(stateMu_);
    running_ = false;
    dead = std::move(backend_);
  }
  // The backend (rings, ports) is destroyed outside the lock; metrics_ stay for a final read.
}

bool Engine::running() const {
  std::lock_guard<std::mutex> g(stateMu_);
  return running_;
}

EngineSnapshot Engine::snapshot() const {
  EngineSnapshot s;
  std::lock_guard<std::mutex> g(stateMu_);
  s.monoNs = mono_ns();
  s.running = running_;
  if (!metrics_) return s;
  s.workers.reserve(workers_);
  for (int i = 0; i < workers_; ++i) {
    WorkerSnapshot w = read_metrics(i, metrics_[i]);
    if (backend_) {
      int64_t d = backend_->queueDepth(i);
      if (d >= 0) w.queueDepth = d;
      int64_t b = backend_->busyNs(i);
      if (b >= 0) w.busyNs = static_cast<uint64_t>(b);
    } else {
      w.queueDepth = 0;  // stopped: nothing can be queued
    }
    s.workers.push_back(std::move(w));
  }
  return s;
}

SessionTable Engine::sessions(const SessionQuery& q) {
  std::lock_guard<std::mutex> g(stateMu_);
  std::vector<SessionDirectory*> dirs;
  if (running_) {
    for (auto& d : directories_) dirs.push_back(d.get());
  }
  return build_session_table(dirs, q, sendQueueLimit_);
}

bool Engine::closeSession(uint64_t id, bool abortive) {
  std::lock_guard<std::mutex> g(stateMu_);
  if (!running_) return false;
  for (int w = 0; w < workers_; ++w) {
    if (directories_[w]->with(id, [](SessionCore&) {})) return backend_->closeSession(w, id, abortive);
  }
  return false;
}

}  // namespace iocpm
