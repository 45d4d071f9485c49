#include "socket_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "../../core/session_directory.h"
#include "../endpoint_text.h"

namespace iocpm {
namespace posix {

NativeError create_listener(const EngineConfig& cfg, bool nonblocking, int* out_fd) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, cfg.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(cfg.port));
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, cfg.host.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(cfg.port));
    len = sizeof(*v6);
  } else {
    return {EINVAL, "inet_pton", "host '" + cfg.host + "' is not an IP address"};
  }
  int type = SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  int fd = ::socket(family, type, 0);
  if (fd < 0) return {errno, "socket"};
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (cfg.reusePort && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    int e = errno;
    ::close(fd);
    return {e, "setsockopt(SO_REUSEPORT)"};
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    int e = errno;
    ::close(fd);
    return {e, "bind", cfg.host + ":" + std::to_string(cfg.port)};
  }
  if (::listen(fd, cfg.backlog) != 0) {
    int e = errno;
    ::close(fd);
    return {e, "listen"};
  }
  *out_fd = fd;
  return {};
}

NativeError check_port_free(const EngineConfig& cfg) {
  EngineConfig probe = cfg;
  probe.reusePort = false;
  probe.backlog = 1;
  int fd = -1;
  if (NativeError e = create_listener(probe, true, &fd)) return e;
  ::close(fd);
  return {};
}

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void set_abortive(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

int socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

NativeError make_eventfd(int* out_fd) {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return {errno, "eventfd"};
  *out_fd = fd;
  return {};
}

void wake_eventfd(int fd) {
  uint64_t one = 1;
  ssize_t r = ::write(fd, &one, sizeof(one));
  (void)r;  // EAGAIN means the counter is already non-zero: the worker is being woken anyway
}

bool kernel_at_least(int major, int minor) {
  utsname u{};
  int ma = 0, mi = 0;
  if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

}  // namespace posix
}  // namespace iocpm

namespace iocpm {

bool socket_names(uint64_t handle, std::string* local, std::string* remote) {
  return endpoint_names<socklen_t>(static_cast<int>(handle), local, remote);
}

}  // namespace iocpm
