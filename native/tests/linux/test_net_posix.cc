// test_net_sys.h and the platform part of test_net.h on Linux: POSIX sockets, /proc.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "../../src/core/process_resources.h"
#include "../common/bound_port.h"
#include "../common/test_net_sys.h"

namespace tnet {
namespace sys {
namespace {

constexpr int kDefaultTimeoutMs = 5000;

int fd_of(Socket s) { return static_cast<int>(s); }

sockaddr_storage loopback(int port, bool ipv6, socklen_t* len) {
  sockaddr_storage ss{};
  if (ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    a->sin6_addr = in6addr_loopback;
    *len = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *len = sizeof(*a);
  }
  return ss;
}

// Waits for events on fd: true when they came within timeoutMs.
bool poll_for(int fd, short events, int timeoutMs) {
  pollfd p{fd, events, 0};
  int r;
  do r = ::poll(&p, 1, timeoutMs);
  while (r < 0 && errno == EINTR);
  return r > 0;
}

// After connect() failed: true when it was only interrupted and the connection then completed,
// false with *err set otherwise. In a process that uses io_uring a blocking connect() returns
// EINTR now and then with no signal sent (measured: a few in 10,000 connects, never in a
// process without io_uring); the connect goes on in the background.
bool finish_interrupted_connect(int fd, int timeoutMs, int* err) {
  *err = errno;
  if (*err != EINTR) return false;
  if (!poll_for(fd, POLLOUT, timeoutMs)) {
    *err = ETIMEDOUT;
    return false;
  }
  socklen_t len = sizeof(*err);
  return ::getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) == 0 && *err == 0;
}

}  // namespace

Socket connect(int port, const ConnectOptions& o, int* err) {
  socklen_t len = 0;
  sockaddr_storage a = loopback(port, o.ipv6, &len);
  int fd = ::socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = errno;
    return kNone;
  }
  int ms = o.timeoutMs > 0 ? o.timeoutMs : kDefaultTimeoutMs;
  timeval tv{ms / 1000, (ms % 1000) * 1000};  // SO_SNDTIMEO bounds connect() too on Linux
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (o.receiveBufferBytes > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o.receiveBufferBytes, sizeof(o.receiveBufferBytes));
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 && !finish_interrupted_connect(fd, ms, err)) {
    ::close(fd);
    return kNone;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

long send(Socket s, const char* p, size_t n, int* err) {
  ssize_t w;
  do w = ::send(fd_of(s), p, n, MSG_NOSIGNAL);
  while (w < 0 && errno == EINTR);
  if (w < 0) *err = errno;
  return static_cast<long>(w);
}

long recv(Socket s, char* p, size_t n, int* err) {
  ssize_t r;
  do r = ::recv(fd_of(s), p, n, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0) *err = errno;
  return static_cast<long>(r);
}

long send_when_writable(Socket s, const char* p, size_t n, int waitMs, int* err) {
  if (!poll_for(fd_of(s), POLLOUT, waitMs)) return 0;
  ssize_t w = ::send(fd_of(s), p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (w >= 0) return static_cast<long>(w);
  *err = errno;
  return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

bool shutdown_send(Socket s) { return ::shutdown(fd_of(s), SHUT_WR) == 0; }

int local_port(Socket s) { return bound_port<socklen_t>(fd_of(s)); }

void close(Socket s, bool abortive) {
  if (abortive) {
    linger l{1, 0};
    ::setsockopt(fd_of(s), SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  }
  ::close(fd_of(s));
}

Socket listen_loopback(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return kNone;
  socklen_t len = 0;
  sockaddr_storage a = loopback(0, false, &len);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return kNone;
  }
  *port = ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
  return fd;
}

Socket accept(Socket listener, int timeoutMs) {
  if (!poll_for(fd_of(listener), POLLIN, timeoutMs)) return kNone;
  int fd = ::accept4(fd_of(listener), nullptr, nullptr, SOCK_CLOEXEC);
  return fd >= 0 ? fd : kNone;
}

}  // namespace sys

const NativeCodes& native_codes() {
  static const NativeCodes codes{ECONNREFUSED, ECONNRESET, ECONNABORTED};
  return codes;
}

// Not iocpm::process_resources().threads: io_uring's kernel io-wq workers ("iou-wrk-*") are
// threads of this process too, created and reaped by the kernel on its own schedule.
int process_threads() {
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string comm = "/proc/self/task/" + std::string(e->d_name) + "/comm";
    char name[32] = {0};
    if (FILE* f = std::fopen(comm.c_str(), "r")) {
      size_t r = std::fread(name, 1, sizeof(name) - 1, f);
      name[r] = 0;
      std::fclose(f);
    }
    if (std::strncmp(name, "iou-", 4) != 0) ++n;
  }
  ::closedir(d);
  return n;
}

int process_handles() { return iocpm::process_resources().handles; }

bool under_wine() { return false; }

}  // namespace tnet
