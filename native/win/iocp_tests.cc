// What only the IOCP backend has: Windows error codes in the catalog, the AcceptEx pool, the
// backend auto picks and the features it reports, the dequeue call, and per-worker ports dealing
// accepted sockets round-robin. Everything else runs from tests/conformance/ like on Linux.
#include <winsock2.h>

#include <doctest.h>

#include <string>
#include <vector>

#include "../src/core/engine.h"
#include "../src/core/error_catalog.h"
#include "../tests/common/backends.h"
#include "../tests/common/engine_harness.h"
#include "../tests/conformance/scenarios.h"

using namespace iocpm;
using namespace tnet;

TEST_CASE("WSA codes, Win32 errors and NTSTATUS translate to catalog names") {
  struct Case {
    int code;
    const char* portable;
    const char* native;
  } cases[] = {
      {WSAECONNRESET, "connection-reset", "WSAECONNRESET"},
      {WSAECONNABORTED, "connection-aborted", "WSAECONNABORTED"},
      {WSAECONNREFUSED, "connection-refused", "WSAECONNREFUSED"},
      {WSAETIMEDOUT, "timed-out", "WSAETIMEDOUT"},
      {WSAEMFILE, "too-many-open-files", "WSAEMFILE"},
      {WSAENOBUFS, "no-buffer-space", "WSAENOBUFS"},
      {WSAEADDRINUSE, "address-in-use", "WSAEADDRINUSE"},
      {WSAEADDRNOTAVAIL, "address-not-available", "WSAEADDRNOTAVAIL"},
      {WSAEACCES, "permission-denied", "WSAEACCES"},
      {WSAENETUNREACH, "network-unreachable", "WSAENETUNREACH"},
      {WSAEHOSTUNREACH, "host-unreachable", "WSAEHOSTUNREACH"},
      {WSAEINVAL, "invalid-argument", "WSAEINVAL"},
      {WSAENOTCONN, "not-connected", "WSAENOTCONN"},
      {WSAEWOULDBLOCK, "would-block", "WSAEWOULDBLOCK"},
      {WSAEINTR, "interrupted", "WSAEINTR"},
      {WSAENOTSOCK, "bad-descriptor", "WSAENOTSOCK"},
      {WSAESHUTDOWN, "broken-pipe", "WSAESHUTDOWN"},
      {995, "operation-canceled", "ERROR_OPERATION_ABORTED"},  // == WSA_OPERATION_ABORTED
      {64, "connection-reset", "ERROR_NETNAME_DELETED"},
      {1236, "connection-aborted", "ERROR_CONNECTION_ABORTED"},
      {8, "out-of-memory", "ERROR_NOT_ENOUGH_MEMORY"},
      {static_cast<int>(0xC000020D), "connection-reset", "STATUS_CONNECTION_RESET"},
      {static_cast<int>(0xC0000120), "operation-canceled", "STATUS_CANCELLED"},
      {static_cast<int>(0xC000013B), "connection-aborted", "STATUS_LOCAL_DISCONNECT"},
      {static_cast<int>(0xC000013C), "connection-reset", "STATUS_REMOTE_DISCONNECT"},
      {kErrSendQueueFull, "send-queue-full", "SEND_QUEUE_FULL"},
      {kErrSessionLimit, "session-limit", "SESSION_LIMIT"},
      {123456, "unknown", "WSAUNKNOWN"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.code);
    NativeErrorName n = translate_native_error(c.code);
    CHECK(std::string(n.portable) == c.portable);
    CHECK(std::string(n.native) == c.native);
    // Every name the Windows table produces exists in the one catalog.
    CHECK(std::string(catalog_lookup(n.portable).name) == c.portable);
  }
  NativeError bindFailed{WSAEADDRINUSE, "bind", "127.0.0.1:1"};
  CHECK(bindFailed.message().find("address-in-use (WSAEADDRINUSE, 10048)") != std::string::npos);
}

TEST_CASE("iocpAcceptPool is the number of AcceptEx calls kept posted; a pool of one still takes a burst") {
  for (int pool : {1, 7}) {
    CAPTURE(pool);
    EngineConfig cfg = backends().front().config(2);
    cfg.iocpAcceptPool = pool;
    Server srv(cfg);
    REQUIRE_STARTED(srv);
    CHECK(srv.totals().inflight_of(OpKind::Accept) == pool);  // posted before start returns
    const int kConns = 20;
    std::vector<TestClient> clients;
    for (int i = 0; i < kConns; ++i) clients.push_back(TestClient::connect(srv.port()));
    CHECK(srv.wait([&](const Totals& t) { return t.sessions == kConns; }));
    CHECK(srv.totals().accepts == uint64_t(kConns));
    CHECK(srv.wait([&](const Totals& t) { return t.inflight_of(OpKind::Accept) == pool; }));  // re-posted
    clients.clear();
    srv.engine.stop();
    check_idle_after_stop(srv.engine);
  }
}

TEST_CASE("auto picks iocp, which reports its AcceptEx pool and NtQueryIoCompletion queue depth") {
  EngineConfig cfg = backends().front().config(1);
  cfg.backend = BackendKind::Auto;
  Server srv(cfg);
  REQUIRE_STARTED(srv);
  CHECK(srv.result.info.name == "iocp");
  CHECK(has_feature(srv.result, "acceptex-pool"));
  CHECK(has_feature(srv.result, "queue-depth-ntquery"));
}

TEST_CASE("the port layout and the dequeue call show in the features; each pair echoes byte-exact") {
  for (const BackendCase& layout : backend_layouts()) {
    for (IocpDequeue dequeue : {IocpDequeue::Gqcsex, IocpDequeue::Gqcs}) {
      CAPTURE(layout.name);
      CAPTURE(iocp_dequeue_name(dequeue));
      EngineConfig cfg = layout.config(2);
      cfg.iocpDequeue = dequeue;
      {
        Server srv(cfg);
        REQUIRE_STARTED(srv);
        CHECK(has_feature(srv.result, cfg.iocpPortLayout == IocpPortLayout::Shared ? "shared-port" : "port-per-worker"));
        CHECK(has_feature(srv.result, dequeue == IocpDequeue::Gqcsex ? "dequeue-batch" : "dequeue-single"));
      }
      // The conformance echo runs every layout with the default (batch) dequeue; here the other.
      if (dequeue == IocpDequeue::Gqcs) echo_is_byte_exact(cfg);
    }
  }
}

TEST_CASE("per-worker ports: accepted sockets are dealt round-robin to the workers' ports") {
  const int kWorkers = 4, kConns = 200;
  EngineConfig cfg = backends().front().config(kWorkers);
  REQUIRE(cfg.iocpPortLayout == IocpPortLayout::PerWorker);
  Server srv(cfg);
  REQUIRE_STARTED(srv);
  std::vector<TestClient> clients(kConns);
  for (TestClient& c : clients) c = TestClient::connect(srv.port());
  CHECK(srv.wait([&](const Totals& t) { return t.sessions == kConns; }));
  for (const auto& w : srv.snap().workers) CHECK(w.sessions == kConns / kWorkers);
}
