// Portable helpers over the engine's own API for the conformance scenarios: a started engine,
// its counters summed over the workers, and the test clients the scenarios share.
#pragma once
#include <doctest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../../src/core/engine.h"
#include "test_net.h"

namespace tnet {

// Sums of one counter over all workers.
struct Totals {
  uint64_t completions = 0, accepts = 0, closes = 0, bytesIn = 0, bytesOut = 0;
  int64_t sessions = 0, inflight[3] = {0, 0, 0};
  uint64_t errors = 0;                              // every counted error
  std::map<std::string, uint64_t> errorsByName;     // by portable name

  uint64_t errors_named(const std::string& portable) const {
    auto it = errorsByName.find(portable);
    return it == errorsByName.end() ? 0 : it->second;
  }
  int64_t inflight_of(iocpm::OpKind k) const { return inflight[int(k)]; }
};
Totals totals(const iocpm::EngineSnapshot& s);
// "w0:WSAECONNRESET(connection-reset)x5 …", or "none".
std::string error_summary(const iocpm::EngineSnapshot& s);

// An engine started for one scenario; stopped when it goes out of scope.
struct Server {
  iocpm::Engine engine;
  iocpm::EngineConfig cfg;
  iocpm::StartResult result;

  explicit Server(const iocpm::EngineConfig& c) : cfg(c), result(engine.start(c)) {}
  bool ok() const { return result.kind == iocpm::StartResult::Ok; }
  int port() const { return cfg.port; }
  iocpm::EngineSnapshot snap() const { return engine.snapshot(); }
  Totals totals() const { return tnet::totals(engine.snapshot()); }
  uint64_t errors(const std::string& portable) const { return totals().errors_named(portable); }
  bool wait(const std::function<bool(const Totals&)>& pred, int timeoutMs = 15000) const {
    return eventually([&] { return pred(totals()); }, timeoutMs);
  }
};

// A scenario cannot go on with an engine that did not start; the engine's text says why.
#define REQUIRE_STARTED(server) REQUIRE_MESSAGE((server).ok(), (server).result.text)

bool has_feature(const iocpm::StartResult& r, const char* feature);

// Stopped: nothing running, no session, no operation in flight.
void check_idle_after_stop(const iocpm::Engine& e);

// The threads and handles of this process before a scenario that counts them, measured after one
// start/stop cycle of cfg with a connection: runtimes keep a few after their first threads exit
// (winpthreads recycles thread records with their events: +2 on the first std::thread, +1-2 on
// the first engine, then flat; TSan starts a helper thread on the first pthread_create), which
// must not count as the engine's.
struct Baseline {
  int threads, handles;
};
Baseline baseline_after_warm_up(iocpm::EngineConfig cfg);

// Milliseconds since a mono_ns() reading.
uint64_t ms_since(uint64_t monoNs);

// One client: `messages` request/response round trips of varying sizes up to maxSize, compared
// byte for byte; what it moved is added to `moved`, any failure counted in `failures`.
void echo_client(int port, int seed, int messages, size_t maxSize, std::atomic<uint64_t>& moved,
                 std::atomic<int>& failures);

// Client threads, 25 connections each, echoing 128-byte messages as fast as the server answers,
// until stop() (or the end of scope).
class EchoLoad {
 public:
  EchoLoad(int port, int threads);
  ~EchoLoad() { stop(); }
  void stop();

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> ts_;
};

}  // namespace tnet
