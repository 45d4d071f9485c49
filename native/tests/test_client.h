// Blocking POSIX test client used by the engine tests: real sockets on 127.0.0.1.
#pragma once
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace testclient {

inline int connect_to(int port, int timeoutMs = 5000) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    int err = errno;  // the caller reports it; close() must not overwrite it
    ::close(fd);
    errno = err;
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

inline bool send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads exactly n bytes (or until EOF/error/timeout); returns what was read.
inline std::string recv_n(int fd, size_t n) {
  std::string out;
  out.reserve(n);
  char buf[65536];
  while (out.size() < n) {
    ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), n - out.size()), 0);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      break;
    }
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

// Reads until EOF; returns bytes and sets *eof when the peer closed cleanly.
inline std::string recv_until_eof(int fd, bool* eof) {
  std::string out;
  char buf[65536];
  *eof = false;
  for (;;) {
    ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
    if (r == 0) {
      *eof = true;
      break;
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

inline void abortive_close(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::close(fd);
}

inline std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x);
  }
  return s;
}

// A port that is free right now (bind to 0, read it, close).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline int count_fds() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d)) ++n;
    ::closedir(d);
  }
  return n;
}

// Threads of this process, not counting io_uring's kernel io-wq workers ("iou-wrk-*"), which
// the kernel creates and reaps on its own schedule.
// Closes the sockets it holds when it goes out of scope, so a failed REQUIRE in one test does
// not leak hundreds of descriptors into the next.
struct FdList {
  std::vector<int> fds;
  ~FdList() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  void closeAll() {
    for (int& fd : fds) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  }
};

// The soft RLIMIT_NOFILE that leaves exactly `free` unused descriptor numbers below it (new
// descriptors take the lowest free number, so holes left by earlier tests count too).
inline int nofile_limit_with_free_slots(int free) {
  int fd = 0;
  for (int found = 0; found < free; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1) ++found;
  }
  return fd;
}

inline int count_threads() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
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
  }
  return n;
}

template <typename F>
bool eventually(F f, int timeoutMs = 5000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return f();
}

}  // namespace testclient
