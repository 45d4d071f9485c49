// The data path on every backend, over real loopback sockets: echo, half-close, trickle, flood,
// the discard and chat workloads, the close modes and an IPv6 listener. Clients are blocking
// sockets in std::threads; the assertions run on the test thread.
#include <doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "../../src/core/engine.h"
#include "../common/backends.h"
#include "../common/engine_harness.h"
#include "scenarios.h"

using namespace iocpm;
using namespace tnet;

namespace tnet {

void echo_is_byte_exact(const EngineConfig& cfg) {
  Server srv(cfg);
  REQUIRE_STARTED(srv);
  const int kClients = 20;
  std::atomic<uint64_t> moved{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] { echo_client(srv.port(), i + 1, 16, 48 * 1024, moved, failures); });
  }
  for (auto& t : clients) t.join();
  CHECK(failures == 0);
  REQUIRE(srv.wait([&](const Totals& t) { return t.closes == kClients && t.sessions == 0; }));
  EngineSnapshot s = srv.snap();
  Totals t = totals(s);
  CHECK(t.bytesIn == moved.load());
  CHECK(t.bytesOut == moved.load());
  CHECK(t.accepts == uint64_t(kClients));
  CHECK_MESSAGE(t.errors == 0, error_summary(s));
  CHECK(t.completions > 0);
  for (const auto& w : s.workers) CHECK(w.completions > 0);  // every thread did work
  srv.engine.stop();
  check_idle_after_stop(srv.engine);
  CHECK(srv.totals().bytesIn == moved.load());  // final counters stay readable
}

}  // namespace tnet

TEST_CASE("echo is byte-exact and bytes in/out equal exactly what the clients moved") {
  FOR_EACH_BACKEND_LAYOUT(backend);
  echo_is_byte_exact(backend.config());
}

TEST_CASE("half-close: after shutting down its sending side the client receives the full echo, then EOF") {
  FOR_EACH_BACKEND_LAYOUT(backend);
  Server srv(backend.config());
  REQUIRE_STARTED(srv);
  TestClient c = TestClient::connect(srv.port());
  REQUIRE(c.ok());
  std::string msg = pattern(1 << 20, 7), got;
  bool eof = false;
  std::thread reader([&] { eof = c.recv_to_eof(&got); });  // true only on a clean EOF
  bool sent = c.send_all(msg) && c.shutdown_send();
  reader.join();
  REQUIRE(sent);
  CHECK(eof);
  CHECK(got.size() == msg.size());
  CHECK(got == msg);
  c.close();
  CHECK(srv.wait([&](const Totals& t) { return t.closes == 1 && t.sessions == 0; }));
  EngineSnapshot snap = srv.snap();
  Totals t = totals(snap);
  CHECK_MESSAGE(t.errors == 0, error_summary(snap));
  CHECK(t.bytesIn == msg.size());
  CHECK(t.bytesOut == msg.size());
  CHECK(t.accepts == 1);
}

TEST_CASE("trickle and flood: one byte at a time, then 16 MiB in one send while a reader drains") {
  FOR_EACH_BACKEND(backend);
  Server srv(backend.config());
  REQUIRE_STARTED(srv);
  uint64_t moved = 0;
  {
    TestClient c = TestClient::connect(srv.port());
    std::string msg = pattern(300, 9), got;
    for (char ch : msg) {
      REQUIRE(c.send_all(&ch, 1));
      got += c.recv_n(1);
    }
    CHECK(got == msg);
    moved += msg.size();
  }
  {
    TestClient c = TestClient::connect(srv.port(), {20000});
    std::string msg = pattern(16 << 20, 11), got;
    std::thread reader([&] { got = c.recv_n(msg.size()); });
    bool sent = c.send_all(msg);
    reader.join();
    INFO("client error " << c.error() << ", server: " << error_summary(srv.snap()) << ", got " << got.size());
    REQUIRE(sent);
    CHECK(got.size() == msg.size());
    CHECK(got == msg);
    moved += msg.size();
  }
  REQUIRE(srv.wait([&](const Totals& t) { return t.sessions == 0; }));
  Totals t = srv.totals();
  CHECK(t.bytesIn == moved);
  CHECK(t.bytesOut == moved);
  CHECK(t.accepts == 2);
  CHECK(t.closes == 2);
}

TEST_CASE("discard and chat workloads") {
  FOR_EACH_BACKEND(backend);
  {
    EngineConfig cfg = backend.config(1);
    cfg.workload = WorkloadKind::Discard;
    Server srv(cfg);
    REQUIRE_STARTED(srv);
    TestClient c = TestClient::connect(srv.port());
    std::string msg = pattern(10000, 3);
    c.send_all(msg);
    CHECK(eventually([&] { return srv.totals().bytesIn == msg.size(); }));
    CHECK(srv.totals().bytesOut == 0);
  }
  {
    EngineConfig cfg = backend.config(1);  // chat broadcasts within a worker
    cfg.workload = WorkloadKind::Chat;
    Server srv(cfg);
    REQUIRE_STARTED(srv);
    TestClient members[3];
    for (auto& m : members) m = TestClient::connect(srv.port());
    REQUIRE(eventually([&] { return srv.totals().sessions == 3; }));
    members[0].send_all("hello", 5);
    for (auto& m : members) CHECK(m.recv_n(5) == "hello");
  }
}

// One half-closed session under `mode`: the echo, then how the client saw the end (0 = FIN, else
// the error its read ended with).
static int close_mode_end(const BackendCase& backend, CloseMode mode) {
  EngineConfig cfg = backend.config(1);
  cfg.closeMode = mode;
  Server srv(cfg);
  REQUIRE_STARTED(srv);
  TestClient c = TestClient::connect(srv.port());
  REQUIRE(c.ok());
  std::string msg = pattern(3000, 9);
  REQUIRE(c.send_all(msg));
  REQUIRE(c.shutdown_send());  // the server echoes everything, then closes its side
  CHECK(c.recv_n(msg.size()) == msg);
  int end = c.wait_closed();
  c.close();
  CHECK(srv.wait([&](const Totals& t) { return t.closes == 1 && t.sessions == 0; }));
  return end;
}

TEST_CASE("close mode: graceful ends a half-closed session with FIN, abortive with RST only") {
  FOR_EACH_BACKEND(backend);
  CHECK(close_mode_end(backend, CloseMode::Graceful) == 0);  // FIN after the last echoed byte
  // SO_LINGER {1,0}: no FIN first, the session ends with RST. Under Wine the client's read
  // sometimes ends as if by FIN (about 1 run in 15 here): wineserver's own poll of the socket can
  // take the pending ECONNRESET (SO_ERROR) before the client's recv sees it. So under Wine the
  // RST must be seen in one of three sessions; a wrong error code still fails at once, and on
  // Linux (and real Windows) the first session decides.
  int end = 0;
  for (int attempt = 1; attempt <= (under_wine() ? 3 : 1) && end == 0; ++attempt) {
    end = close_mode_end(backend, CloseMode::Abortive);
    if (end == 0 && under_wine()) MESSAGE("abortive close read as FIN under Wine (attempt " << attempt << ")");
  }
  CHECK(end == native_codes().connectionReset);
}

TEST_CASE("an IPv6 host listens with IPv6 sockets") {
  FOR_EACH_BACKEND(backend);
  EngineConfig cfg = backend.config(1);
  cfg.host = "::1";
  Server srv(cfg);
  if (!srv.ok() && std::string(translate_native_error(srv.result.nativeError.code).portable) == "address-not-available") {
    MESSAGE("no IPv6 loopback on this host; skipped: " << srv.result.text);
    return;
  }
  REQUIRE_STARTED(srv);
  ConnectOptions v6;
  v6.ipv6 = true;
  TestClient c = TestClient::connect(srv.port(), v6);
  REQUIRE(c.ok());
  std::string m = pattern(3000, 6);
  CHECK((c.send_all(m) && c.recv_n(m.size()) == m));
  c.close();
  CHECK(srv.wait([&](const Totals& t) { return t.closes == 1 && t.sessions == 0; }));
  srv.engine.stop();
  check_idle_after_stop(srv.engine);
}
