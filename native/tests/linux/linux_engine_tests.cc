// What only Linux can show: io_uring's single-shot receive, descriptor exhaustion under
// RLIMIT_NOFILE, and 10,000 connections at once, which needs the clients in a child process
// (fork + exec of this binary) so server and clients each stay under the per-process descriptor
// limit. The last two run for every Linux backend.
#include <doctest.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "../../src/core/engine.h"
#include "../common/backends.h"
#include "../common/engine_harness.h"
#include "../conformance/scenarios.h"
#include "linux_main.h"

using namespace iocpm;
using namespace tnet;

namespace {

// The soft RLIMIT_NOFILE that leaves exactly `free` unused descriptor numbers below it (new
// descriptors take the lowest free number, so holes left by earlier tests count too).
int nofile_limit_with_free_slots(int free) {
  int fd = 0;
  for (int found = 0; found < free; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1) ++found;
  }
  return fd;
}

void raise_nofile_limit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}

}  // namespace

TEST_CASE("io_uring with iouringRecv single: one receive per session, reported, echoes byte-exact") {
  EngineConfig cfg = backends().front().config(2);
  REQUIRE(cfg.backend == BackendKind::IoUring);
  cfg.iouringRecv = IouringRecv::Single;
  {
    Server srv(cfg);
    REQUIRE_STARTED(srv);
    CHECK(has_feature(srv.result, "single-recv"));
  }
  // The conformance echo runs the default (multishot where the kernel has it); here the other.
  echo_is_byte_exact(cfg);
}

TEST_CASE("fd exhaustion: accept fails with too-many-open-files, the engine recovers (direct descriptors: not capped)") {
  FOR_EACH_BACKEND(backend);
  // Client sockets are created first, so only the server's accepts need new descriptors.
  std::vector<int> fds;
  for (int i = 0; i < 40; ++i) fds.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  rlimit old{};
  ::getrlimit(RLIMIT_NOFILE, &old);
  rlimit low = old;
  // The engine is started under the low limit: io_uring snapshots RLIMIT_NOFILE when an accept
  // is prepared, exactly as a process started with a low limit would see it.
  // Room for the engine's own descriptors (listeners, eventfd, ring) and a few accepts.
  low.rlim_cur = static_cast<rlim_t>(nofile_limit_with_free_slots(12));
  ::setrlimit(RLIMIT_NOFILE, &low);
  EngineConfig cfg = backend.config(1);
  cfg.reusePort = false;
  Server srv(cfg);
  REQUIRE_STARTED(srv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(srv.port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int fd : fds) ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  if (cfg.iouringSockets == IouringSockets::Direct && has_feature(srv.result, "direct-descriptors")) {
    // Direct descriptors are not the process's: its limit does not cap the sessions (the ring's
    // table, sized at start, holds the limit's worth of them).
    CHECK(eventually([&] { return srv.totals().sessions == 40; }, 5000));
    CHECK(srv.errors("too-many-open-files") == 0);
    ::setrlimit(RLIMIT_NOFILE, &old);
  } else {
    bool sawEmfile = eventually([&] { return srv.errors("too-many-open-files") > 0; });
    int64_t servedWhileLow = srv.totals().sessions;
    ::setrlimit(RLIMIT_NOFILE, &old);
    CHECK(sawEmfile);
    CHECK(servedWhileLow < 40);
  }
  // Every connection is eventually served once descriptors are available again.
  CHECK(eventually([&] { return srv.totals().sessions == 40; }, 5000));
  int ok = 0;
  for (int fd : fds) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char back[4];
    if (::send(fd, "ping", 4, MSG_NOSIGNAL) == 4 && ::recv(fd, back, 4, MSG_WAITALL) == 4 && std::string(back, 4) == "ping") ++ok;
  }
  CHECK(ok == 40);
  for (int fd : fds) ::close(fd);
  srv.engine.stop();
}

int hold_clients(int port, int n) {
  raise_nofile_limit();
  std::vector<TestClient> clients;
  for (int i = 0; i < n; ++i) {
    TestClient c = TestClient::connect(port);
    if (!c.ok()) break;
    clients.push_back(std::move(c));
  }
  for (auto& c : clients) c.send_all("0123456789abcdef", 16);
  int ok = 0;
  for (auto& c : clients) ok += c.recv_n(16) == "0123456789abcdef";
  std::printf("ok %d\n", ok);
  std::fflush(stdout);
  char ch;
  while (::read(0, &ch, 1) > 0) {
  }
  return 0;
}

TEST_CASE("10,000 concurrent connections are served") {
  raise_nofile_limit();
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  REQUIRE(r.rlim_cur >= 10100);
  FOR_EACH_BACKEND(backend);
  Server srv(backend.config());
  REQUIRE_STARTED(srv);
  const int N = 10000;
  int toChild[2], fromChild[2];
  REQUIRE(::pipe2(toChild, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(fromChild, O_CLOEXEC) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(toChild[0], 0);
    ::dup2(fromChild[1], 1);
    std::string port = std::to_string(srv.port()), n = std::to_string(N);
    ::execl(kSelf, kSelf, kHoldClients, port.c_str(), n.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(toChild[0]);
  ::close(fromChild[1]);
  std::string line;
  char ch;
  while (::read(fromChild[0], &ch, 1) == 1 && ch != '\n') line += ch;
  CHECK(line == "ok " + std::to_string(N));
  CHECK(srv.totals().sessions == N);  // all open at once
  CHECK(srv.totals().bytesIn == uint64_t(N) * 16);
  ::close(toChild[1]);  // the child closes its connections and exits
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fromChild[0]);
  CHECK(eventually([&] { return srv.totals().sessions == 0; }, 10000));
  srv.engine.stop();
}
