// The session table on every backend, over real loopback sockets: each client's addresses and
// bytes exactly, a slow reader first by send queue, a flooder first by bytes/s, and closing one
// session from the engine (graceful: the client reads EOF; abortive: the client sees RST).
#include <doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "../../src/core/engine.h"
#include "../common/backends.h"
#include "../common/engine_harness.h"
#include "scenarios.h"

using namespace iocpm;
using namespace tnet;

namespace {

const SessionRow* row_for(const SessionTable& t, int clientPort) {
  std::string suffix = ":" + std::to_string(clientPort);
  for (const SessionRow& r : t.rows) {
    if (r.remote.size() > suffix.size() && r.remote.compare(r.remote.size() - suffix.size(), suffix.size(), suffix) == 0) return &r;
  }
  return nullptr;
}

SessionQuery by(SessionSortKey key, int limit = 100) {
  SessionQuery q;
  q.key = key;
  q.limit = limit;
  return q;
}

}  // namespace

TEST_CASE("session table: addresses and bytes exactly; the slow reader first by send queue, the flooder by bytes/s") {
  FOR_EACH_BACKEND_LAYOUT(backend);
  EngineConfig cfg = backend.config(2);
  cfg.sendQueueLimit = 256 * 1024;
  Server srv(cfg);
  REQUIRE_STARTED(srv);

  // An echo client that moved a known number of bytes and stays open.
  TestClient steady = TestClient::connect(srv.port());
  REQUIRE(steady.ok());
  std::string msg = pattern(100000, 11);
  REQUIRE(steady.send_all(msg));
  REQUIRE(steady.recv_n(msg.size()) == msg);
  TestClient idle = TestClient::connect(srv.port());
  REQUIRE(idle.ok());

  // A slow reader: sends, never reads; its echoes pile up in the server's send queue.
  TestClient slow = TestClient::connect(srv.port(), {15000, 8192});
  REQUIRE(slow.ok());
  std::atomic<bool> quit{false};
  std::thread writer([&] {
    std::string chunk = pattern(16 * 1024, 3);
    while (!quit.load()) {
      if (slow.send_when_writable(chunk.data(), chunk.size(), 100) < 0) break;
    }
  });
  // The checks below read the table that saw the queue: a table taken a moment later may catch
  // the queue just drained into a socket buffer the kernel grew (seen under Wine on a busy box).
  SessionTable t;
  bool queued = eventually([&] {
    t = srv.engine.sessions(by(SessionSortKey::SendQueue));
    const SessionRow* r = row_for(t, slow.local_port());
    return r && r->sendQueue >= 16 * 1024;
  }, 20000);
  CHECK(queued);

  CHECK(t.live == 3);
  CHECK(t.matched == 3);
  CHECK(t.sendQueueLimit == uint64_t(cfg.sendQueueLimit));
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0].remote == "127.0.0.1:" + std::to_string(slow.local_port()));
  CHECK(t.rows[0].peakSendQueue >= t.rows[0].sendQueue);
  const SessionRow* s = row_for(t, steady.local_port());
  REQUIRE(s != nullptr);
  CHECK(s->local == "127.0.0.1:" + std::to_string(srv.port()));
  CHECK(s->bytesIn == msg.size());
  CHECK(s->bytesOut == msg.size());
  CHECK(s->sendQueue == 0);
  CHECK(s->state == SessionState::Open);
  CHECK(s->errors == 0);
  const SessionRow* i = row_for(t, idle.local_port());
  REQUIRE(i != nullptr);
  CHECK(i->bytesIn == 0);

  // Filters: by the remote address prefix and by worker.
  SessionQuery q = by(SessionSortKey::Age);
  q.addressPrefix = "127.0.0.1:" + std::to_string(steady.local_port());
  SessionTable one = srv.engine.sessions(q);
  CHECK(one.matched == 1);
  CHECK(one.live == 3);
  q.addressPrefix = "10.";
  CHECK(srv.engine.sessions(q).matched == 0);
  uint64_t perWorker = 0;
  for (int w = 0; w < cfg.workers; ++w) {
    SessionQuery qw = by(SessionSortKey::Age);
    qw.worker = w;
    perWorker += srv.engine.sessions(qw).matched;
  }
  CHECK(perWorker == 3);

  // A flooder: the most bytes per second between two tables. First the slow reader must be held
  // back (its bytes in stop growing), or its writes still filling the socket buffers compete.
  uint64_t lastIn = ~0ull;
  bool held = eventually([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    SessionTable x = srv.engine.sessions(by(SessionSortKey::Age));
    const SessionRow* r = row_for(x, slow.local_port());
    bool same = r && r->bytesIn == lastIn;
    lastIn = r ? r->bytesIn : ~0ull;
    return same;
  }, 20000);
  CHECK(held);
  srv.engine.sessions(by(SessionSortKey::BytesPerS));
  std::string big = pattern(2 * 1024 * 1024, 5);
  REQUIRE(steady.send_all(big));
  REQUIRE(steady.recv_n(big.size()) == big);
  SessionTable f = srv.engine.sessions(by(SessionSortKey::BytesPerS, 1));
  REQUIRE(f.rows.size() == 1);
  CHECK(f.rows[0].remote == "127.0.0.1:" + std::to_string(steady.local_port()));
  CHECK(f.rows[0].bytesInPerS > 0);

  // Closing from the engine: graceful gives the client a clean EOF, abortive an RST.
  SessionTable all = srv.engine.sessions(by(SessionSortKey::Age));
  const SessionRow* sr = row_for(all, steady.local_port());
  const SessionRow* ir = row_for(all, idle.local_port());
  REQUIRE(sr != nullptr);
  REQUIRE(ir != nullptr);
  uint64_t steadyId = sr->id, idleId = ir->id;
  CHECK(srv.engine.closeSession(steadyId, false));
  CHECK(steady.wait_closed() == 0);
  CHECK(srv.engine.closeSession(idleId, true));
  CHECK(idle.wait_closed() == native_codes().connectionReset);
  CHECK(srv.wait([](const Totals& x) { return x.sessions == 1; }));
  CHECK_FALSE(srv.engine.closeSession(steadyId, false));  // gone
  CHECK(srv.engine.sessions(by(SessionSortKey::Age)).live == 1);

  quit = true;
  srv.engine.stop();
  writer.join();
  slow.close();
  CHECK(srv.engine.sessions(by(SessionSortKey::Age)).live == 0);
  check_idle_after_stop(srv.engine);
}
