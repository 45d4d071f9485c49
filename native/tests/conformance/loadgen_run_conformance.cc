// The load generator's life cycle on every platform: input refused before anything starts,
// injected faults, stop mid-run, what a run leaves behind, snapshots during starts and stops.
#include <doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "../../src/core/engine.h"
#include "../../src/core/metrics.h"
#include "../common/loadgen_harness.h"

using namespace iocpm;
using namespace tnet;

TEST_CASE("load generator: bad input is refused before anything starts") {
  LoadGenerator lg;
  LoadConfig c;
  c.connections = 0;
  LoadError e = lg.start(c);
  CHECK(e.code == "invalid-config");
  CHECK(e.field == "connections");
  c = LoadConfig();
  c.messageSize = 2 << 20;
  CHECK(lg.start(c).field == "messageSize");
  c = LoadConfig();
  c.host = "no-such-host.invalid";
  e = lg.start(c);
  CHECK(e.code == "name-not-resolved");
  CHECK(e.field == "host");
  MESSAGE(e.message);
  c = LoadConfig();
  c.port = free_port();  // nobody listens
  uint64_t t0 = mono_ns();
  e = lg.start(c);
  MESSAGE(e.message << " (" << ms_since(t0) << " ms)");
  CHECK(e.code == "connection-refused");
  CHECK(e.field == "port");
  CHECK(e.nativeCode == native_codes().connectionRefused);
  // The other platform's socket layers are refused by name, before any connect.
  for (GenIo other : refused_generator_ios()) {
    c = LoadConfig();
    c.io = other;
    e = lg.start(c);
    MESSAGE(e.message);
    CHECK(e.code == "invalid-config");
    CHECK(e.field == "io");
  }
  CHECK_FALSE(lg.running());
  CHECK_FALSE(lg.snapshot().running);
}

TEST_CASE_FIXTURE(WithPeer, "load generator: every fault kind is injected; the server sees the resets") {
  FOR_EACH_GENERATOR_IO(gen_io);
  LoadConfig c = load_for(srv.port(), gen_io);
  c.connections = 100;
  c.durationMs = 20000;  // ended below once every fault has fired
  c.faultPercent[int(Fault::Reset)] = 10;
  c.faultPercent[int(Fault::Garbage)] = 5;
  c.faultPercent[int(Fault::HalfClose)] = 10;
  c.faultPercent[int(Fault::Slow)] = 5;
  c.faultPercent[int(Fault::Trickle)] = 5;
  c.faultPercent[int(Fault::Vanish)] = 5;
  c.faultPercent[int(Fault::Storm)] = 2;
  // Each fault but storm is counted once per connection that got it (ids*37 % 100 gives exactly
  // the requested share of 100 connections); storm counts every reconnect, as long as the run lasts.
  const uint64_t perConnection[int(Fault::kCount)] = {0, 10, 10, 5, 5, 5, 5, 0};
  auto allFired = [&](const LoadSnapshot& s) {
    for (int f = 1; f < int(Fault::kCount); ++f) {
      if (Fault(f) != Fault::Storm && s.faultsInjected[f] != perConnection[f]) return false;
    }
    return s.faultsInjected[int(Fault::Storm)] > 2;
  };
  LoadGenerator lg;
  REQUIRE(!lg.start(c));
  // Then until the 30 connections that end by themselves have ended (reset and garbage by RST,
  // vanish by FIN, half-close once the server has echoed everything and closed its side): only
  // the 58 healthy, 5 slow and 5 trickle ones stay open (a storm socket is open only instants).
  bool played = eventually(
      [&] {
        LoadSnapshot s = lg.snapshot();
        return allFired(s) && s.activeConnections <= 68;
      },
      15000);
  // The 15 RSTs (10 reset, 5 garbage) show as connection-reset in the server's counters: all 15
  // on an idle machine; on a busy one an RST can beat the server's accept and leave no error.
  bool resetsSeen = eventually([&] { return srv.errors("connection-reset") >= 10; }, 10000);
  MESSAGE("server errors before stop: " << error_summary(srv.snap()));
  lg.stop();
  lg.wait();
  CHECK(played);
  CHECK(resetsSeen);
  LoadSnapshot r = lg.snapshot();
  std::string injected;
  for (int f = 1; f < int(Fault::kCount); ++f) {
    injected += std::string(fault_name(Fault(f))) + "=" + std::to_string(r.faultsInjected[f]) + " ";
  }
  MESSAGE("injected: " << injected << "; " << r.connectsOk << " connects, " << r.msgsEchoed << " echoes in "
                        << r.elapsedNs / 1000000 << " ms; generator errors: " << errors_of(r));
  for (int f = 1; f < int(Fault::kCount); ++f) {
    CAPTURE(std::string(fault_name(Fault(f))));
    CHECK(r.faultsInjected[f] > 0);
  }
  CHECK(allFired(r));
  CHECK(r.mismatchedBytes == 0);
  CHECK(r.msgsEchoed > 0);
  CHECK(r.activeConnections == 0);
}

TEST_CASE_FIXTURE(WithPeer, "load generator: stop mid-run returns within 500 ms and reports what was done") {
  FOR_EACH_GENERATOR_IO(gen_io);
  LoadConfig c = load_for(srv.port(), gen_io);
  c.durationMs = 60000;
  c.faultPercent[int(Fault::Slow)] = 10;  // sends parked in the kernel must be cancelled too
  LoadGenerator lg;
  start_until_flowing(lg, c);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // well into the run
  CHECK(lg.running());
  uint64_t t0 = mono_ns();
  lg.stop();
  lg.wait();
  uint64_t ms = ms_since(t0);
  MESSAGE("stop took " << ms << " ms");
  CHECK(ms < 500);
  CHECK_FALSE(lg.running());
  LoadSnapshot r = lg.snapshot();
  CHECK(r.msgsEchoed > 0);
  CHECK(r.activeConnections == 0);
  CHECK(r.mismatchedBytes == 0);
}

TEST_CASE_FIXTURE(WithPeer, "load generator: a run releases every socket, port and thread") {
  FOR_EACH_GENERATOR_IO(gen_io);
  LoadConfig c = load_for(srv.port(), gen_io);
  c.durationMs = 20000;                   // stopped once echoes flow
  c.faultPercent[int(Fault::Slow)] = 20;  // sends parked in the kernel at the end: cancel + drain
  uint64_t accepts = 0;
  // One cycle: run, wait until the server holds all 21 connections (the preflight's too, so the
  // slow readers' RSTs meet accepted sessions), stop, wait until the server has closed them all.
  auto cycle = [&](int threadsBefore) {
    {
      LoadGenerator lg;
      start_until_flowing(lg, c);
      accepts += uint64_t(c.connections) + 1;
      REQUIRE(srv.wait([&](const Totals& t) { return t.accepts >= accepts; }));
      if (threadsBefore >= 0) CHECK(process_threads() >= threadsBefore + c.threads);
      lg.stop();
      lg.wait();
    }
    REQUIRE(settled(srv, accepts));
  };
  // The runtime keeps a few handles after the first threads of a kind exit (see warm_up()): one
  // identical cycle first, so the baseline measures the generator alone.
  cycle(-1);
  int threadsBefore = process_threads();
  int handlesBefore = process_handles();
  cycle(threadsBefore);
  CHECK(process_threads() == threadsBefore);
  CHECK(process_handles() == handlesBefore);
}

TEST_CASE_FIXTURE(WithPeer, "load generator: snapshots are safe while runs start and stop; one run at a time") {
  FOR_EACH_GENERATOR_IO(gen_io);
  LoadGenerator lg;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      LoadSnapshot s = lg.snapshot();
      (void)lg.running();
      if (s.elapsedNs > 0) ++reads;
    }
  });
  for (int i = 0; i < 4; ++i) {
    LoadConfig c = load_for(srv.port(), gen_io);
    c.connections = 6;
    c.durationMs = 5000;
    REQUIRE(!lg.start(c));
    LoadError again = lg.start(c);
    CHECK(again.code == "already-running");
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    lg.stop();
    lg.stop();  // repeatedly: harmless
    lg.wait();
    CHECK_FALSE(lg.running());
    CHECK(lg.snapshot().mismatchedBytes == 0);
  }
  done = true;
  reader.join();
  CHECK(reads.load() > 0);
}
