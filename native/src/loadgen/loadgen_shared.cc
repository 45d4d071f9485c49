// Portable parts of a load run and the LoadGenerator life cycle; the platform files add sockets.
#include "loadgen_shared.h"

#include <algorithm>
#include <system_error>

#include "../core/error_catalog.h"
#include "../core/metrics.h"

namespace iocpm {

PatternTable::PatternTable() : bytes_(kPatternPeriod + kMaxChunk) {
  uint32_t x = 0x9E3779B9u;
  char t[kPatternPeriod];
  for (int i = 0; i < kPatternPeriod; ++i) {
    x = x * 1664525u + 1013904223u;
    t[i] = static_cast<char>(x >> 24);
  }
  for (size_t i = 0; i < bytes_.size(); ++i) bytes_[i] = t[i % kPatternPeriod];
}

const PatternTable& pattern_table() {
  static PatternTable t;
  return t;
}

Fault pick_fault(const LoadConfig& c, int id) {
  // id*37 mod 100 is a permutation of 0..99 for every 100 consecutive ids: each block of 100
  // connections gets exactly the requested percentages, spread out rather than clustered.
  int slot = static_cast<int>((static_cast<int64_t>(id) * 37) % 100);
  int acc = 0;
  for (int f = 1; f < int(Fault::kCount); ++f) {
    acc += c.faultPercent[f];
    if (slot < acc) return Fault(f);
  }
  return Fault::None;
}

LoadError already_running_error() {
  return {"", "already-running", 0, "a load run is already in progress; stop it first"};
}

LoadError connect_error(const LoadConfig& cfg, int err, bool refused) {
  NativeErrorName n = translate_native_error(err);
  return {refused ? "port" : "host", n.portable, err,
          "cannot connect to " + cfg.host + ":" + std::to_string(cfg.port) + ": " + n.portable + " (" + n.native + ")"};
}

// ---- LoadRun ----

LoadRun::LoadRun(const LoadConfig& c) : cfg(c) {}

void LoadRun::startThreads() {
  budget.store(cfg.messages);
  startNs = mono_ns();
  for (int t = 0; t < cfg.threads; ++t) counters.emplace_back(new ThreadCounters());
  liveThreads.store(cfg.threads);
  for (int t = 0; t < cfg.threads; ++t) {
    threads.emplace_back([this, t] {
      runThread(t);
      if (liveThreads.fetch_sub(1) == 1) endNs.store(mono_ns());
    });
  }
}

void LoadRun::join() {
  for (auto& t : threads) t.join();
}

bool LoadRun::takeMessage() {
  if (cfg.messages <= 0) return true;
  return budget.fetch_sub(1, std::memory_order_relaxed) > 0;
}

bool LoadRun::sendingOver(uint64_t now) const {
  if (stopFlag.load(std::memory_order_relaxed)) return true;
  if (cfg.durationMs > 0 && now >= startNs + uint64_t(cfg.durationMs) * 1000000ull) return true;
  if (cfg.messages > 0 && budget.load(std::memory_order_relaxed) <= 0) return true;
  return false;
}

LoadSnapshot LoadRun::snapshot() const {
  LoadSnapshot s;
  s.running = running();
  uint64_t end = s.running ? mono_ns() : endNs.load();
  s.elapsedNs = end - startNs;
  s.threads = cfg.threads;
  s.threadsNote = threadsNote;
  s.io = gen_io_name(io);
  s.ioNote = ioNote;
  std::vector<uint64_t> counts(LatencyHistogram::kBuckets, 0);
  for (const auto& c : counters) {
    auto ld = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    s.connectsOk += ld(c->connectsOk);
    s.connectsFailed += ld(c->connectsFailed);
    s.activeConnections += ld(c->active);
    s.msgsSent += ld(c->msgsSent);
    s.msgsEchoed += ld(c->msgsEchoed);
    s.bytesSent += ld(c->bytesSent);
    s.bytesReceived += ld(c->bytesReceived);
    s.mismatchedBytes += ld(c->mismatched);
    for (int f = 0; f < int(Fault::kCount); ++f) s.faultsInjected[f] += ld(c->faults[f]);
    c->hist.addTo(counts.data(), &s.max);
    std::lock_guard<std::mutex> g(c->errMu);
    for (auto& kv : c->errors) s.errors[kv.first] += kv.second;
  }
  for (uint64_t v : counts) s.latencyCount += v;
  s.p50 = LatencyHistogram::percentile(counts.data(), s.latencyCount, 50);
  s.p90 = LatencyHistogram::percentile(counts.data(), s.latencyCount, 90);
  s.p99 = LatencyHistogram::percentile(counts.data(), s.latencyCount, 99);
  s.p999 = LatencyHistogram::percentile(counts.data(), s.latencyCount, 99.9);
  s.max = std::max(s.max, s.p999);
  return s;
}

// ---- LoadGenerator (start is the platform's) ----

LoadGenerator::LoadGenerator() = default;

LoadError LoadGenerator::start(const LoadConfig& cfg) {
  if (LoadError e = validate_load_config(cfg)) return e;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!joined_) return already_running_error();
  }
  LoadConfig c = cfg;
  std::string threadsNote;
  c.threads = choose_threads(cfg, &threadsNote);
  std::unique_ptr<LoadRun> run;
  if (LoadError e = prepare_run(c, &run)) return e;
  run->threadsNote = threadsNote;
  std::lock_guard<std::mutex> g(mu_);
  if (!joined_) return already_running_error();
  try {
    run->startThreads();
  } catch (const std::system_error&) {
    run->stopFlag.store(true);  // the threads that did start end at once; the rest never ran
    run->join();
    return {"threads", "out-of-memory", kNoMemoryCode, "could not start the generator threads"};
  }
  run_ = std::move(run);  // the previous run (if any) was joined: safe to free
  joined_ = false;
  return {};
}
LoadGenerator::~LoadGenerator() {
  stop();
  wait();
}

void LoadGenerator::wait() {
  LoadRun* run;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!run_ || joined_) return;
    run = run_.get();
  }
  run->join();
  std::lock_guard<std::mutex> g(mu_);
  joined_ = true;
}

void LoadGenerator::stop() {
  std::lock_guard<std::mutex> g(mu_);
  if (!run_) return;
  run_->stopFlag.store(true);
  run_->wake();  // the run lives as long as run_: its wake-up handles are valid
}

bool LoadGenerator::running() const {
  std::lock_guard<std::mutex> g(mu_);
  return run_ && run_->running();
}

LoadSnapshot LoadGenerator::snapshot() const {
  std::lock_guard<std::mutex> g(mu_);
  if (!run_) return LoadSnapshot();
  return run_->snapshot();
}

}  // namespace iocpm
