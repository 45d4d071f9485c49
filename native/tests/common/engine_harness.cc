#include "engine_harness.h"

#include <algorithm>

#include "../../src/core/metrics.h"

namespace tnet {

Totals totals(const iocpm::EngineSnapshot& s) {
  Totals t;
  for (const auto& w : s.workers) {
    t.completions += w.completions;
    t.accepts += w.accepts;
    t.closes += w.closes;
    t.bytesIn += w.bytesIn;
    t.bytesOut += w.bytesOut;
    t.sessions += w.sessions;
    for (int k = 0; k < 3; ++k) t.inflight[k] += w.inflight[k];
    for (const auto& e : w.errors) {
      t.errors += e.count;
      t.errorsByName[iocpm::translate_native_error(e.code).portable] += e.count;
    }
  }
  return t;
}

std::string error_summary(const iocpm::EngineSnapshot& s) {
  std::string out;
  for (const auto& w : s.workers) {
    for (const auto& e : w.errors) {
      auto n = iocpm::translate_native_error(e.code);
      out += "w" + std::to_string(w.worker) + ":" + n.native + "(" + n.portable + ")x" + std::to_string(e.count) + " ";
    }
  }
  return out.empty() ? "none" : out;
}

bool has_feature(const iocpm::StartResult& r, const char* feature) {
  return std::find(r.info.features.begin(), r.info.features.end(), feature) != r.info.features.end();
}

void check_idle_after_stop(const iocpm::Engine& e) {
  iocpm::EngineSnapshot s = e.snapshot();
  Totals t = totals(s);
  CHECK_FALSE(s.running);
  CHECK(t.sessions == 0);
  CHECK(t.inflight_of(iocpm::OpKind::Accept) == 0);
  CHECK(t.inflight_of(iocpm::OpKind::Recv) == 0);
  CHECK(t.inflight_of(iocpm::OpKind::Send) == 0);
}

Baseline baseline_after_warm_up(iocpm::EngineConfig cfg) {
  cfg.port = free_port();
  {
    Server warm(cfg);
    REQUIRE_STARTED(warm);
    TestClient c = TestClient::connect(warm.port());
    CHECK(warm.wait([&](const Totals& t) { return t.sessions == 1; }));
    warm.engine.stop();
  }
  return {process_threads(), process_handles()};
}

uint64_t ms_since(uint64_t monoNs) { return (iocpm::mono_ns() - monoNs) / 1000000; }

void echo_client(int port, int seed, int messages, size_t maxSize, std::atomic<uint64_t>& moved,
                 std::atomic<int>& failures) {
  TestClient c = TestClient::connect(port);
  if (!c.ok()) {
    ++failures;
    return;
  }
  for (int m = 0; m < messages; ++m) {
    size_t size = 1 + (static_cast<size_t>(seed) * 7919u + static_cast<size_t>(m) * 104729u) % maxSize;
    std::string out = pattern(size, static_cast<uint32_t>(seed * 1000 + m));
    if (!c.send_all(out) || c.recv_n(size) != out) {
      ++failures;
      break;
    }
    moved += size;
  }
}

EchoLoad::EchoLoad(int port, int threads) {
  for (int i = 0; i < threads; ++i) {
    ts_.emplace_back([this, port, i] {
      std::vector<TestClient> clients;
      for (int k = 0; k < 25; ++k) clients.push_back(TestClient::connect(port));
      std::string m = pattern(128, unsigned(i));
      while (!stop_) {
        for (auto& c : clients) c.send_all(m);
        for (auto& c : clients) c.recv_n(m.size());
      }
    });
  }
}

void EchoLoad::stop() {
  stop_ = true;
  for (auto& t : ts_)
    if (t.joinable()) t.join();
}

}  // namespace tnet
