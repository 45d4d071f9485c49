// What every build must say about a configuration before any socket exists: invalid fields are
// named, the IOCP options mean the same on every platform, the other platform's backends are
// refused by name; and the send queue every backend shares keeps its bytes in order.
#include <doctest.h>

#include <functional>
#include <string>

#include "../../src/core/engine.h"
#include "../../src/core/send_queue.h"
#include "../common/backends.h"
#include "../common/engine_harness.h"

using namespace iocpm;
using namespace tnet;

TEST_CASE("invalid configuration is rejected naming the field, and nothing starts") {
  EngineConfig valid;  // the defaults on a fixed port: validation happens before any bind
  valid.port = 9000;
  struct Bad {
    const char* field;
    std::function<void(EngineConfig&)> apply;
  } bad[] = {
      {"port", [](EngineConfig& x) { x.port = 0; }},
      {"port", [](EngineConfig& x) { x.port = 70000; }},
      {"workers", [](EngineConfig& x) { x.workers = 0; }},
      {"workers", [](EngineConfig& x) { x.workers = 65; }},
      {"host", [](EngineConfig& x) { x.host = "not-an-ip"; }},
      {"host", [](EngineConfig& x) { x.host = "256.1.1.1"; }},
      {"host", [](EngineConfig& x) { x.host = "localhost"; }},
      {"recvBufferSize", [](EngineConfig& x) { x.recvBufferSize = 10; }},
      {"sendQueueLimit", [](EngineConfig& x) { x.sendQueueLimit = 1; }},
      {"maxSessions", [](EngineConfig& x) { x.maxSessions = 0; }},
      // The IOCP fields are checked on every platform: a config means the same everywhere.
      {"iocpAcceptPool", [](EngineConfig& x) { x.iocpAcceptPool = 0; }},
      {"iocpAcceptPool", [](EngineConfig& x) { x.iocpAcceptPool = 1025; }},
      {"sendQueueLimit", [](EngineConfig& x) {  // an echo of one receive would not fit once paused
         x.recvBufferSize = 64 * 1024;
         x.sendQueueLimit = 64 * 1024;
       }},
  };
  std::vector<Bad> cases(std::begin(bad), std::end(bad));
  for (const char* host : {":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "1.2.3.4::", "::ffff:999.0.0.1", "1:2:3:4:5:6:7"}) {
    cases.push_back({"host", [host](EngineConfig& x) { x.host = host; }});
  }
  for (const Bad& b : cases) {
    EngineConfig x = valid;
    b.apply(x);
    CAPTURE(b.field);
    CAPTURE(x.host);
    Engine e;
    StartResult r = e.start(x);
    CHECK(r.kind == StartResult::InvalidConfig);
    CHECK(r.configError.field == b.field);
    CHECK(r.text.find(b.field) != std::string::npos);
    CHECK_FALSE(e.running());
  }
  Engine e;
  for (const char* good : {"::1", "::", "fe80::1", "1:2:3:4:5:6:7:8", "::ffff:127.0.0.1", "2001:db8::8a2e:370:7334"}) {
    EngineConfig x = valid;
    x.host = good;
    CAPTURE(std::string(good));
    CHECK(e.start(x).configError.field != "host");  // valid text; binding may still fail
    e.stop();
  }
}

TEST_CASE("option names parse and print; unknown and old spellings are refused") {
  BackendKind k;
  CHECK_FALSE(parse_backend("kqueue", &k));
  IocpPortLayout layout;
  IocpDequeue dequeue;
  CHECK_FALSE(parse_iocp_port_layout("per-worker", &layout));  // the old environment spelling
  CHECK_FALSE(parse_iocp_dequeue("batch", &dequeue));
  IouringRecv recv;
  CHECK_FALSE(parse_iouring_recv("buffer-ring", &recv));
  REQUIRE(parse_iouring_recv("single", &recv));
  CHECK(std::string(iouring_recv_name(recv)) == "single");
  REQUIRE(parse_iocp_port_layout("shared", &layout));
  REQUIRE(parse_iocp_dequeue("gqcs", &dequeue));
  CHECK(std::string(iocp_port_layout_name(layout)) == "shared");
  CHECK(std::string(iocp_dequeue_name(dequeue)) == "gqcs");
}

TEST_CASE("every backend starts with any valid options of the others (and ignores them)") {
  FOR_EACH_BACKEND(backend);
  EngineConfig x = backend.config();
  x.iouringRecv = IouringRecv::Single;
  x.iocpPortLayout = IocpPortLayout::Shared;
  x.iocpDequeue = IocpDequeue::Gqcs;
  x.iocpAcceptPool = 1;
  Engine e;
  StartResult ok = e.start(x);
  CHECK_MESSAGE(ok.kind == StartResult::Ok, ok.text);
  e.stop();
}

TEST_CASE("the other platform's backends are refused by name, and nothing starts") {
  for (const RefusedBackend& refused : refused_backends()) {
    CAPTURE(std::string(backend_name(refused.kind)));
    EngineConfig x;
    x.port = free_port();
    x.backend = refused.kind;
    Engine e;
    StartResult r = e.start(x);
    CHECK(r.kind == StartResult::SystemError);
    CHECK(r.text.find(refused.refusal) != std::string::npos);
    CHECK(std::string(translate_native_error(r.nativeError.code).portable) == "not-supported");
    CHECK_FALSE(e.running());
  }
}

TEST_CASE("send queue keeps bytes in order across partial consumes and refuses overflow") {
  SendQueue q(200000);
  std::string a = pattern(70000, 1), b = pattern(90000, 2);
  REQUIRE(q.push(a.data(), a.size()));
  REQUIRE(q.push(b.data(), b.size()));
  CHECK_FALSE(q.push(a.data(), a.size()));  // would exceed the limit
  std::string out;
  while (!q.empty()) {
    size_t len = 0;
    const char* p = q.front(&len);
    size_t take = std::min<size_t>(len, 12345);
    out.append(p, take);
    q.consume(take);
  }
  CHECK(out == a + b);
}
