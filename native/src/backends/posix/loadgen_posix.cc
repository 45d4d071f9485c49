// Load generator on Linux, epoll flavour: each generator thread drives its share of the
// connections with one edge-triggered epoll instance (the io_uring flavour is
// backends/iouring/loadgen_iouring.cc; prepare_run below picks one, loadgen_linux.h). The run loop, rate limiter, faults and echo checks are shared with
// Windows (loadgen/gen_thread.h); this file is the socket work: non-blocking connect, one send()
// per message, recv() until a short read.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "../../core/metrics.h"
#include "nocancel_io.h"
#include "../../loadgen/gen_thread.h"
#include "../../loadgen/loadgen_shared.h"
#include "loadgen_linux.h"

namespace iocpm {
namespace {

struct Conn : GenConn {
  int fd = -1;
  bool blocked = false;  // send hit EAGAIN: wait for EPOLLOUT
};

constexpr double kBurstSeconds = 0.01;  // epoll_wait sleeps in milliseconds: 10 ms of tokens

class PosixGenThread : public GenThread<PosixGenThread, Conn> {
 public:
  PosixGenThread(LinuxRun& g, int tid) : GenThread(g, tid, kBurstSeconds), g_(g), epfd_(::epoll_create1(EPOLL_CLOEXEC)) {}

 private:
  friend class GenThread<PosixGenThread, Conn>;

  void waitAndHandle(int timeoutMs) {
    int n = ::epoll_wait(epfd_, evs_, kEvents, timeoutMs);
    afterWait();
    for (int i = 0; i < n; ++i) handle(*static_cast<Conn*>(evs_[i].data.ptr), evs_[i].events);
  }

  void finish() {
    for (auto& cn : conns_) closeConn(*cn, cn->fault == Fault::Slow);
    ::close(epfd_);
  }

  void openConn(Conn& cn) {
    cn.resetStream();
    cn.blocked = false;
    int fd = ::socket(g_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return noSocket(cn, errno);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    cn.fd = fd;
    cn.state = ConnState::Connecting;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &cn;
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
    int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&g_.addr), g_.addrLen);
    if (r == 0) onConnected(cn);
    else if (errno != EINPROGRESS) failConnect(cn, errno);
  }

  void failConnect(Conn& cn, int err) {
    c_.bump(c_.connectsFailed);
    c_.error(err);
    ::close(cn.fd);
    cn.fd = -1;
    cn.state = ConnState::Closed;
  }

  void closeConn(Conn& cn, bool abortive) {
    if (cn.fd < 0) return;
    if (abortive) {
      linger l{1, 0};
      ::setsockopt(cn.fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    }
    ::close(cn.fd);  // also removes it from the epoll set
    cn.fd = -1;
    if (cn.state == ConnState::Open) c_.drop(c_.active);
    cn.state = ConnState::Closed;
  }

  bool startReading(Conn&) { return true; }  // registered for EPOLLIN since openConn
  bool canSendNow(const Conn& cn) const { return !cn.blocked; }
  bool sendInFlight(const Conn&) const { return false; }  // send() is done when it returns

  long sendNow(Conn& cn, const char* p, size_t n) { return long(posix::send_nocancel(cn.fd, p, n, MSG_NOSIGNAL)); }
  void shutdownWrite(Conn& cn) { ::shutdown(cn.fd, SHUT_WR); }
  void sendThenReset(Conn& cn, const char* p, size_t n) {
    ssize_t w = posix::send_nocancel(cn.fd, p, n, MSG_NOSIGNAL);
    if (w > 0) c_.bump(c_.bytesSent, uint64_t(w));
    closeConn(cn, true);
  }

  // Sends as much as the pipeline, the rate and the socket allow, one send() per message.
  void pump(Conn& cn) {
    if (cn.state != ConnState::Open || cn.blocked || cn.writeShut || cn.fault == Fault::Trickle) return;
    for (;;) {
      if (cn.unsent == 0 && !beginMessage(cn)) return;
      size_t len = size_t(std::min<uint64_t>(cn.unsent, kMaxChunk));
      ssize_t w = posix::send_nocancel(cn.fd, pattern_table().at(cn.id, cn.sentBytes), len, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN) {
          cn.blocked = true;
          return;
        }
        if (errno == EINTR) continue;
        c_.error(errno);
        closeConn(cn, false);
        return;
      }
      cn.sentBytes += uint64_t(w);
      cn.unsent -= uint64_t(w);
      c_.bump(c_.bytesSent, uint64_t(w));
      if (cn.unsent == 0) messageSent(cn);
    }
  }

  void sendTrickleByte(Conn& cn) {
    ssize_t w = posix::send_nocancel(cn.fd, pattern_table().at(cn.id, cn.sentBytes), 1, MSG_NOSIGNAL);
    if (w != 1) return;
    cn.sentBytes++;
    cn.unsent--;
    c_.bump(c_.bytesSent);
    if (cn.unsent == 0) messageSent(cn);
  }

  // drainHint: the event carried RDHUP/HUP, so read to EOF even after a short read.
  void onReadable(Conn& cn, bool drainHint) {
    char buf[kMaxChunk];
    while (cn.state == ConnState::Open) {
      ssize_t r = posix::recv_nocancel(cn.fd, buf, sizeof(buf), 0);
      if (r > 0) {
        onEchoBytes(cn, buf, size_t(r), cn.sentBytes);
        // A short read emptied the socket and later data raises a new edge: skip the recv()
        // that would only return EAGAIN (the generator's cost caps what a benchmark can show).
        if (!drainHint && size_t(r) < sizeof(buf)) break;
        continue;
      }
      if (r == 0) {
        closeConn(cn, false);  // server closed (or finished our half-close)
        return;
      }
      if (errno == EAGAIN) break;
      if (errno == EINTR) continue;
      c_.error(errno);
      closeConn(cn, false);
      return;
    }
    pump(cn);
  }

  void handle(Conn& cn, uint32_t events) {
    if (cn.state == ConnState::Connecting) {
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        int err = 0;
        socklen_t len = sizeof(err);
        ::getsockopt(cn.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) failConnect(cn, err);
        else onConnected(cn);
      }
      return;
    }
    if (cn.state != ConnState::Open) return;
    if ((events & EPOLLERR) && cn.fault != Fault::Slow) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(cn.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) c_.error(err);
      closeConn(cn, false);
      return;
    }
    if (events & EPOLLOUT) {
      cn.blocked = false;
      pump(cn);
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) && cn.fault != Fault::Slow) onReadable(cn, (events & (EPOLLRDHUP | EPOLLHUP)) != 0);
  }

  static constexpr int kEvents = 256;
  LinuxRun& g_;
  int epfd_;
  epoll_event evs_[kEvents];
};

}  // namespace

void run_epoll_thread(LinuxRun& run, int tid) { PosixGenThread(run, tid).run(); }

void LinuxRun::runThread(int tid) {
  if (io == GenIo::IoUring && run_iouring_thread(*this, tid)) return;
  run_epoll_thread(*this, tid);  // also when this thread's ring could not be created
}

static LoadError resolve(const LoadConfig& cfg, sockaddr_storage* out, socklen_t* len) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int r = ::getaddrinfo(cfg.host.c_str(), nullptr, &hints, &res);
  if (r != 0 || !res) {
    return {"host", "name-not-resolved", r, "host '" + cfg.host + "' does not resolve: " + ::gai_strerror(r)};
  }
  std::memcpy(out, res->ai_addr, res->ai_addrlen);
  *len = static_cast<socklen_t>(res->ai_addrlen);
  ::freeaddrinfo(res);
  uint16_t port = htons(static_cast<uint16_t>(cfg.port));
  if (out->ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(out)->sin_port = port;
  else reinterpret_cast<sockaddr_in6*>(out)->sin6_port = port;
  return {};
}

// One blocking connect (2 s timeout) before anything starts: a refused port or an unreachable
// host is reported as a start error naming the field, not as 20,000 connect errors.
static LoadError preflight(const LoadConfig& cfg, const sockaddr_storage& a, socklen_t len) {
  int fd = ::socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return {"", "too-many-open-files", errno, std::string("socket failed: ") + std::strerror(errno)};
  int err = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), len) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      int ep = ::epoll_create1(EPOLL_CLOEXEC);
      epoll_event ev{};
      ev.events = EPOLLOUT;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      int n = ::epoll_wait(ep, &ev, 1, 2000);
      ::close(ep);
      if (n <= 0) err = ETIMEDOUT;
      else {
        socklen_t l = sizeof(err);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
      }
    }
  }
  ::close(fd);
  return err ? connect_error(cfg, err, err == ECONNREFUSED) : LoadError{};
}

const int kNoMemoryCode = ENOMEM;

// io_uring unless the config asks for epoll or the kernel refuses the generator's ring.
static LoadError choose_io(const LoadConfig& c, LinuxRun* run) {
  if (c.io == GenIo::Iocp) return {"io", "invalid-config", 0, "io 'iocp' is only available on Windows (here: iouring or epoll)"};
  if (c.io == GenIo::Epoll) {
    run->io = GenIo::Epoll;
    run->ioNote = "as configured";
    return {};
  }
  std::string why = iouring_generator_unavailable();
  if (why.empty()) {
    run->io = GenIo::IoUring;
    run->ioNote = c.io == GenIo::Auto ? "auto: io_uring, one ring per thread" : "as configured";
  } else if (c.io == GenIo::IoUring) {
    // As the engine refuses backend iouring: ENOSYS, "not-supported" in the error catalog.
    return {"io", "not-supported", ENOSYS, "io 'iouring' is not available here: " + why + " (use io auto or epoll)"};
  } else {
    run->io = GenIo::Epoll;
    run->ioNote = "auto: epoll, io_uring unavailable (" + why + ")";
  }
  return {};
}

LoadError prepare_run(const LoadConfig& c, std::unique_ptr<LoadRun>* out) {
  auto run = std::make_unique<LinuxRun>(c);
  if (LoadError e = choose_io(c, run.get())) return e;
  if (LoadError e = resolve(c, &run->addr, &run->addrLen)) return e;
  if (LoadError e = preflight(c, run->addr, run->addrLen)) return e;
  *out = std::move(run);
  return {};
}

}  // namespace iocpm
