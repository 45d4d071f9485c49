// Load generator tests against the real engine (and a deliberately corrupting server).
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <thread>

#include "../src/core/engine.h"
#include "../src/loadgen/loadgen.h"
#include "test_client.h"

using namespace iocpm;
using namespace testclient;

namespace {

std::map<std::string, uint64_t> server_errors(const Engine& e) {
  std::map<std::string, uint64_t> m;
  for (const auto& w : e.snapshot().workers)
    for (const auto& er : w.errors) m[translate_native_error(er.code).portable] += er.count;
  return m;
}

uint64_t server_bytes_in(const Engine& e) {
  uint64_t n = 0;
  for (const auto& w : e.snapshot().workers) n += w.bytesIn;
  return n;
}

struct Server {
  Engine engine;
  EngineConfig cfg;
  explicit Server(BackendKind b = BackendKind::IoUring) {
    cfg.backend = b;
    cfg.port = free_port();
    StartResult r = engine.start(cfg);
    REQUIRE(r.kind == StartResult::Ok);
  }
};

LoadConfig load_for(int port) {
  LoadConfig c;
  c.port = port;
  c.connections = 50;
  c.messageSize = 128;
  c.durationMs = 700;
  return c;
}

// Runs c on a fresh generator until it ends by itself; the start must succeed.
LoadSnapshot run_to_end(const LoadConfig& c) {
  LoadGenerator lg;
  LoadError e = lg.start(c);
  REQUIRE_MESSAGE(!e, e.message);
  lg.wait();
  return lg.snapshot();
}

// Echo server that flips one bit in every chunk it returns.
struct CorruptingServer {
  int listenFd = -1;
  int port = 0;
  std::thread t;
  std::atomic<bool> stop{false};
  CorruptingServer() {
    port = free_port();
    listenFd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listenFd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
    ::listen(listenFd, 64);
    t = std::thread([this] {
      std::vector<std::thread> conns;
      for (;;) {
        int fd = ::accept(listenFd, nullptr, nullptr);
        if (fd < 0) break;
        conns.emplace_back([fd] {
          char buf[4096];
          for (;;) {
            ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
            if (r <= 0) break;
            buf[0] ^= 0x10;
            if (!send_all(fd, buf, size_t(r))) break;
          }
          ::close(fd);
        });
      }
      for (auto& c : conns) c.join();
    });
  }
  ~CorruptingServer() {
    ::shutdown(listenFd, SHUT_RDWR);
    ::close(listenFd);
    t.join();
  }
};

}  // namespace

TEST_CASE("load generator: verified echoes, exact byte totals, latency percentiles") {
  for (BackendKind b : {BackendKind::IoUring, BackendKind::Epoll}) {
    CAPTURE(std::string(backend_name(b)));
    Server s(b);
    LoadConfig c = load_for(s.cfg.port);
    c.pipeline = 4;
    LoadSnapshot r = run_to_end(c);
    CHECK_FALSE(r.running);
    CHECK(r.connectsOk == 50);
    CHECK(r.msgsEchoed > 1000);
    CHECK(r.mismatchedBytes == 0);
    CHECK(r.bytesReceived == r.bytesSent);
    CHECK(r.msgsEchoed == r.msgsSent);
    CHECK(r.p50 > 0);
    CHECK(r.p50 <= r.p99);
    CHECK(r.p99 <= r.max);
    // The generator's totals match the server's byte counters exactly.
    CHECK(eventually([&] { return server_bytes_in(s.engine) == r.bytesSent; }));
    s.engine.stop();
  }
}

TEST_CASE("load generator counts mismatches against a corrupting server") {
  CorruptingServer bad;
  LoadConfig c = load_for(bad.port);
  c.connections = 4;
  c.durationMs = 300;
  CHECK(run_to_end(c).mismatchedBytes > 0);
}

TEST_CASE("message count and rate limit") {
  Server s;
  {
    LoadConfig c = load_for(s.cfg.port);
    c.durationMs = 0;
    c.messages = 5000;
    LoadSnapshot r = run_to_end(c);
    CHECK(r.msgsSent == 5000);
    CHECK(r.msgsEchoed == 5000);
  }
  {
    LoadConfig c = load_for(s.cfg.port);
    c.rate = 2000;
    c.durationMs = 2000;
    LoadSnapshot r = run_to_end(c);
    double perS = double(r.msgsSent) / 2.0;
    MESSAGE("rate-limited to 2000/s: measured " << perS << " msgs/s");
    CHECK(perS > 2000 * 0.95);
    CHECK(perS < 2000 * 1.05);
  }
  s.engine.stop();
}

TEST_CASE("faults show up in the server's counters; healthy connections stay verified") {
  Server s;
  LoadConfig c = load_for(s.cfg.port);
  c.connections = 100;
  c.durationMs = 1000;
  c.faultPercent[int(Fault::Reset)] = 10;
  c.faultPercent[int(Fault::Garbage)] = 5;
  c.faultPercent[int(Fault::HalfClose)] = 10;
  c.faultPercent[int(Fault::Slow)] = 5;
  c.faultPercent[int(Fault::Trickle)] = 5;
  c.faultPercent[int(Fault::Vanish)] = 5;
  c.faultPercent[int(Fault::Storm)] = 2;
  LoadSnapshot r = run_to_end(c);
  for (int f = 1; f < int(Fault::kCount); ++f) {
    CAPTURE(std::string(fault_name(Fault(f))));
    CHECK(r.faultsInjected[f] > 0);
  }
  CHECK(r.mismatchedBytes == 0);
  CHECK(r.msgsEchoed > 0);
  CHECK(eventually([&] { return server_errors(s.engine)["connection-reset"] > 0; }));
  s.engine.stop();
}

TEST_CASE("bad input is refused before anything starts") {
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
  c = LoadConfig();
  c.port = free_port();  // nobody listens
  e = lg.start(c);
  CHECK(e.code == "connection-refused");
  CHECK(e.field == "port");
  CHECK_FALSE(lg.running());
}

TEST_CASE("stop mid-run returns within 500 ms and reports what was done") {
  Server s;
  LoadGenerator lg;
  LoadConfig c = load_for(s.cfg.port);
  c.durationMs = 60000;
  REQUIRE(!lg.start(c));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  uint64_t t0 = mono_ns();
  lg.stop();
  lg.wait();
  uint64_t ms = (mono_ns() - t0) / 1000000;
  MESSAGE("stop took " << ms << " ms");
  CHECK(ms < 500);
  CHECK(lg.snapshot().msgsEchoed > 0);
  s.engine.stop();
}
