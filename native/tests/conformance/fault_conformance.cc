// Misbehaving peers and limits on every backend: resets, connect-and-vanish, slow readers held by
// back-pressure, a chat member whose queue overflows, the session limit. Healthy clients must
// keep being served throughout, and stop() must not wait for the misbehaving ones.
#include <doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../../src/core/engine.h"
#include "../../src/core/metrics.h"
#include "../common/backends.h"
#include "../common/engine_harness.h"

using namespace iocpm;
using namespace tnet;

namespace {

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// A closed connection as the client sees it: EOF or a reset, never a timeout or data.
bool eof_or_reset(int end) {
  return end == 0 || end == native_codes().connectionReset || end == native_codes().connectionAborted;
}

}  // namespace

TEST_CASE("a peer reset is counted as a connection error and the engine keeps serving") {
  FOR_EACH_BACKEND_LAYOUT(backend);
  Server srv(backend.config(2));
  REQUIRE_STARTED(srv);
  const int kResets = 10;
  for (int i = 0; i < kResets; ++i) {
    TestClient c = TestClient::connect(srv.port());
    REQUIRE(c.ok());
    std::string hello = pattern(4096, uint32_t(i));
    REQUIRE(c.send_all(hello));
    REQUIRE(c.recv_n(hello.size()) == hello);
    // Leave an echo unread, then RST: the server's pending receive (or send) fails.
    REQUIRE(c.send_all(pattern(32 * 1024, uint32_t(i))));
    sleep_ms(10);
    c.abort();
  }
  CHECK(srv.wait([&](const Totals& t) { return t.closes == kResets && t.sessions == 0; }));
  EngineSnapshot s = srv.snap();
  Totals t = totals(s);
  uint64_t resetish = t.errors_named("connection-reset") + t.errors_named("connection-aborted") + t.errors_named("broken-pipe");
  MESSAGE("errors after " << kResets << " resets: " << error_summary(s));
  CHECK(resetish == t.errors);  // nothing else (no unknown codes)
  CHECK(resetish > 0);
  // Still serving.
  std::atomic<uint64_t> moved{0};
  std::atomic<int> failures{0};
  echo_client(srv.port(), 99, 5, 4096, moved, failures);
  CHECK(failures == 0);
  srv.engine.stop();
  check_idle_after_stop(srv.engine);
}

TEST_CASE("faults: reset mid-message, connect-and-vanish, slow reader; others keep being served") {
  FOR_EACH_BACKEND(backend);
  Baseline before = baseline_after_warm_up(backend.config());
  Server srv(backend.config());
  REQUIRE_STARTED(srv);
  // A healthy client that must keep working throughout.
  TestClient good = TestClient::connect(srv.port());
  REQUIRE(good.ok());
  auto good_echo = [&](unsigned seed) {
    std::string m = pattern(1000, seed);
    return good.send_all(m) && good.recv_n(m.size()) == m;
  };
  // Reset while the server still has data to send us: unread echo + RST.
  for (int i = 0; i < 10; ++i) {
    TestClient c = TestClient::connect(srv.port());
    c.send_all(pattern(256 * 1024, 50 + i));
    c.abort();
  }
  for (int i = 0; i < 50; ++i) TestClient::connect(srv.port());  // connect and vanish
  CHECK(good_echo(1));
  // Slow reader: writes until its own send buffer is full and never reads.
  TestClient slow = TestClient::connect(srv.port());
  std::string chunk = pattern(65536, 99);
  size_t sent = 0;
  for (int i = 0; i < 2000; ++i) {
    long w = slow.send_when_writable(chunk.data(), chunk.size(), 2);
    if (w < 0) break;
    if (w == 0 && i > 200) break;
    sent += size_t(w);
  }
  CHECK(sent > 0);
  CHECK(good_echo(2));  // the slow reader must not stall anyone else
  REQUIRE(eventually([&] { return srv.errors("connection-reset") > 0; }));
  uint64_t t0 = mono_ns();
  srv.engine.stop();  // with the slow reader and the good client still connected
  CHECK(ms_since(t0) < 500);
  CHECK(srv.totals().sessions == 0);
  slow.close();
  good.close();
  CHECK(process_handles() == before.handles);
}

TEST_CASE("a slow reader is held back by back-pressure, others are served, and stop completes") {
  FOR_EACH_BACKEND_LAYOUT(backend);
  EngineConfig cfg = backend.config(2);
  cfg.sendQueueLimit = 64 * 1024;
  Server srv(cfg);
  REQUIRE_STARTED(srv);

  // A small receive buffer: the echoes it never reads push back on the server sooner.
  TestClient slow = TestClient::connect(srv.port(), {15000, 8192});
  REQUIRE(slow.ok());
  std::atomic<bool> stalled{false}, quit{false};
  std::atomic<uint64_t> slowSent{0};
  std::thread writer([&] {
    std::string chunk = pattern(16 * 1024, 3);
    while (!quit.load() && slowSent.load() < uint64_t(512) * 1024 * 1024) {
      long w = slow.send_when_writable(chunk.data(), chunk.size(), 1000);
      if (w == 0) stalled = true;  // no room for a whole second: the server stopped reading us
      if (w < 0) break;            // closed by stop()
      slowSent += uint64_t(w > 0 ? w : 0);
    }
  });
  bool didStall = eventually([&] { return stalled.load(); }, 60000);
  CHECK(didStall);
  MESSAGE("slow client wrote " << slowSent.load() << " bytes before stalling");

  // Back-pressure: what the server holds for it (received, not yet sent) stays bounded by the
  // high watermark plus what the backend can still receive once paused (IOCP: one receive),
  // although the client pushed far more.
  Totals h = srv.totals();
  CHECK(h.bytesIn - h.bytesOut <= uint64_t(cfg.sendQueueLimit / 2 + backend.receivesAfterPause * cfg.recvBufferSize));
  CHECK(h.inflight_of(OpKind::Send) >= 1);  // its send is parked, waiting for the peer

  std::atomic<uint64_t> moved{0};
  std::atomic<int> failures{0};
  echo_client(srv.port(), 5, 30, 2048, moved, failures);
  CHECK(failures == 0);

  uint64_t t0 = mono_ns();
  srv.engine.stop();  // must cancel the parked send and still return
  uint64_t ms = ms_since(t0);
  MESSAGE("stop() with a parked send took " << ms << " ms");
  CHECK(ms < 10000);
  quit = true;
  writer.join();
  slow.close();
  check_idle_after_stop(srv.engine);
}

TEST_CASE("chat: a member whose send queue overflows is closed with send-queue-full") {
  FOR_EACH_BACKEND_LAYOUT(backend);
  EngineConfig cfg = backend.config(1);  // one worker: one broadcast group in every layout
  cfg.workload = WorkloadKind::Chat;
  cfg.sendQueueLimit = 64 * 1024;
  Server srv(cfg);
  REQUIRE_STARTED(srv);
  TestClient mute = TestClient::connect(srv.port(), {15000, 8192});  // never reads
  TestClient talker = TestClient::connect(srv.port());
  REQUIRE(mute.ok());
  REQUIRE(talker.ok());
  REQUIRE(srv.wait([&](const Totals& t) { return t.sessions == 2; }));
  const size_t kMsg = 8 * 1024;
  std::string msg = pattern(kMsg, 11);
  bool ok = true;
  uint64_t sent = 0;
  while (ok && srv.errors("send-queue-full") == 0 && sent < uint64_t(64) * 1024 * 1024) {
    for (int i = 0; i < 16 && ok; ++i) {  // the talker hears its own broadcast
      ok = talker.send_all(msg) && talker.recv_n(kMsg) == msg;
      sent += kMsg;
    }
  }
  CHECK(ok);
  EngineSnapshot s = srv.snap();
  MESSAGE("talker sent " << sent << " bytes; errors: " << error_summary(s));
  CHECK(totals(s).errors_named("send-queue-full") == 1);
  CHECK(srv.wait([&](const Totals& t) { return t.sessions == 1 && t.closes == 1; }));
  for (int i = 0; i < 5 && ok; ++i) ok = talker.send_all(msg) && talker.recv_n(kMsg) == msg;
  CHECK(ok);  // the rest of the room carries on
  talker.close();
  mute.close();
  srv.engine.stop();
  check_idle_after_stop(srv.engine);
}

TEST_CASE("maxSessions: connections beyond the limit are closed and counted as session-limit") {
  FOR_EACH_BACKEND(backend);
  EngineConfig cfg = backend.config(2);
  cfg.maxSessions = 2;
  Server srv(cfg);
  REQUIRE_STARTED(srv);
  TestClient a = TestClient::connect(srv.port()), b = TestClient::connect(srv.port());
  REQUIRE(srv.wait([&](const Totals& t) { return t.sessions == 2; }));
  std::vector<TestClient> extra;
  extra.push_back(TestClient::connect(srv.port(), {10000}));
  REQUIRE(extra[0].ok());  // the kernel completes the handshake; the server then closes it
  CHECK(eof_or_reset(extra[0].wait_closed()));
  CHECK(srv.errors("session-limit") == 1);
  for (int i = 1; i <= 2; ++i) {
    extra.push_back(TestClient::connect(srv.port(), {10000}));
    CHECK(eof_or_reset(extra[i].wait_closed()));
  }
  CHECK(eventually([&] { return srv.errors("session-limit") == 3; }));
  CHECK(srv.totals().sessions == 2);
  std::string m = pattern(100, 1);
  CHECK((a.send_all(m) && a.recv_n(100) == m));
  a.close();
  b.close();
  extra.clear();
  srv.engine.stop();
  check_idle_after_stop(srv.engine);
}
