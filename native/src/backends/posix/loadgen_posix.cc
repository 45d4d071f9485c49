// Load generator on Linux: each generator thread drives its share of the connections with one
// edge-triggered epoll instance. Echoes are checked against the shared byte pattern
// (loadgen_shared.h); a dropped, duplicated or reordered byte shows as a mismatch or a shortfall.
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
#include "../../loadgen/loadgen_shared.h"

namespace iocpm {
namespace {

enum class ConnState { Waiting, Connecting, Open, Closed };

struct Conn {
  int id = 0;
  int fd = -1;
  Fault fault = Fault::None;
  ConnState state = ConnState::Waiting;
  uint64_t openAtNs = 0;
  uint64_t sentBytes = 0, recvBytes = 0;
  uint64_t msgsStarted = 0, msgsDone = 0;
  uint64_t curRemaining = 0;       // bytes of the message being sent that are not yet sent
  std::deque<uint64_t> startTimes;  // first-byte send time of each outstanding message
  bool blocked = false;            // send hit EAGAIN: wait for EPOLLOUT
  bool starved = false;            // waiting for a rate token
  bool writeShut = false;
};

struct PosixRun : LoadRun {
  using LoadRun::LoadRun;
  sockaddr_storage addr{};
  socklen_t addrLen = 0;

  void runThread(int tid) override;
};

class GenThread {
 public:
  GenThread(PosixRun& g, int tid) : g_(g), c_(*g.counters[tid]), tid_(tid) {}

  void run() {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    const LoadConfig& cfg = g_.cfg;
    for (int i = tid_; i < cfg.connections; i += cfg.threads) {
      auto cn = std::make_unique<Conn>();
      cn->id = i;
      cn->fault = pick_fault(cfg, i);
      cn->openAtNs = g_.startNs + (cfg.rampUpMs > 0 ? uint64_t(cfg.rampUpMs) * 1000000ull * uint64_t(i) / uint64_t(cfg.connections) : 0);
      conns_.push_back(std::move(cn));
    }
    double perThreadRate = cfg.rate > 0 ? cfg.rate / cfg.threads : 0;
    tokens_ = perThreadRate > 0 ? std::min(perThreadRate / 100.0 + 1, 100.0) : 0;
    lastRefill_ = mono_ns();
    size_t nextOpen = 0;
    epoll_event evs[256];
    uint64_t drainStart = 0;
    for (;;) {
      uint64_t now = mono_ns();
      if (g_.stopFlag.load(std::memory_order_relaxed)) break;
      bool over = g_.sendingOver(now);
      if (over) {
        if (!drainStart) drainStart = now;
        if (!anyOutstanding() || now - drainStart > kDrainNs) break;
      }
      while (!over && nextOpen < conns_.size() && conns_[nextOpen]->openAtNs <= now) openConn(*conns_[nextOpen++]);
      if (perThreadRate > 0) refill(now, perThreadRate);
      if (!over) {
        serveStarved();
        tickTrickle(now);
      }
      int timeout = 50;
      if (!over && nextOpen < conns_.size()) {
        uint64_t dt = conns_[nextOpen]->openAtNs > now ? (conns_[nextOpen]->openAtNs - now) / 1000000ull : 0;
        timeout = static_cast<int>(std::min<uint64_t>(dt, 50));
      }
      if (!starved_.empty() || !trickle_.empty()) timeout = std::min(timeout, 1);
      int n = ::epoll_wait(epfd_, evs, 256, timeout);
      for (int i = 0; i < n; ++i) handle(*static_cast<Conn*>(evs[i].data.ptr), evs[i].events);
    }
    for (auto& cn : conns_) closeConn(*cn, cn->fault == Fault::Slow);
    ::close(epfd_);
  }

 private:
  bool anyOutstanding() const {
    if (!g_.cfg.expectEcho) return false;
    for (const auto& cn : conns_) {
      if (cn->state == ConnState::Open && cn->fault != Fault::Slow && cn->msgsDone < cn->msgsStarted) return true;
    }
    return false;
  }

  void refill(uint64_t now, double rate) {
    double add = double(now - lastRefill_) / 1e9 * rate;
    lastRefill_ = now;
    // A small burst allowance keeps the average on target without sending in big clumps.
    tokens_ = std::min(tokens_ + add, std::max(1.0, rate / 100.0));
  }

  bool takeToken() {
    if (g_.cfg.rate <= 0) return true;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  void openConn(Conn& cn) {
    int fd = ::socket(g_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      c_.bump(c_.connectsFailed);
      c_.error(errno);
      cn.state = ConnState::Closed;
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    cn.fd = fd;
    cn.state = ConnState::Connecting;
    cn.sentBytes = cn.recvBytes = cn.msgsStarted = cn.msgsDone = cn.curRemaining = 0;
    cn.startTimes.clear();
    cn.blocked = cn.starved = cn.writeShut = false;
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

  void onConnected(Conn& cn) {
    cn.state = ConnState::Open;
    c_.bump(c_.connectsOk);
    c_.bump(c_.active);
    switch (cn.fault) {
      case Fault::Vanish:
        c_.bump(c_.faults[int(Fault::Vanish)]);
        closeConn(cn, false);
        return;
      case Fault::Storm:
        // Connect storm: close and reconnect at once, for as long as the run lasts.
        c_.bump(c_.faults[int(Fault::Storm)]);
        closeConn(cn, false);
        if (!g_.sendingOver(mono_ns())) openConn(cn);
        return;
      case Fault::Garbage: {
        // An oversized burst of bytes the server never asked for, then an abortive close.
        c_.bump(c_.faults[int(Fault::Garbage)]);
        std::vector<char> junk(kGarbageBytes, '\xff');
        size_t off = 0;
        for (int tries = 0; off < junk.size() && tries < 1000; ++tries) {
          ssize_t w = ::send(cn.fd, junk.data() + off, junk.size() - off, MSG_NOSIGNAL);
          if (w > 0) {
            off += size_t(w);
            c_.bump(c_.bytesSent, uint64_t(w));
          } else if (w < 0 && errno == EAGAIN) {
            break;  // its buffer is full: good enough, reset now
          } else {
            break;
          }
        }
        closeConn(cn, true);
        return;
      }
      case Fault::Trickle:
        c_.bump(c_.faults[int(Fault::Trickle)]);
        trickle_.push_back(&cn);
        return;
      case Fault::HalfClose:
        c_.bump(c_.faults[int(Fault::HalfClose)]);
        pump(cn);
        return;
      case Fault::Slow:
        c_.bump(c_.faults[int(Fault::Slow)]);
        pump(cn);
        return;
      default: pump(cn); return;
    }
  }

  // Sends as much as the pipeline, the rate and the socket allow.
  void pump(Conn& cn) {
    const LoadConfig& cfg = g_.cfg;
    if (cn.state != ConnState::Open || cn.blocked || cn.writeShut || cn.fault == Fault::Trickle) return;
    for (;;) {
      if (cn.curRemaining == 0) {
        bool slow = cn.fault == Fault::Slow;  // a slow reader keeps writing, never reads
        if (!slow && cfg.expectEcho && cn.msgsStarted - cn.msgsDone >= uint64_t(cfg.pipeline)) return;
        if (cn.fault == Fault::HalfClose && cn.msgsStarted >= 4) {
          ::shutdown(cn.fd, SHUT_WR);  // then read every echo until the server's FIN
          cn.writeShut = true;
          return;
        }
        if (g_.sendingOver(mono_ns())) return;
        if (!takeToken()) {
          if (!cn.starved) {
            cn.starved = true;
            starved_.push_back(&cn);
          }
          return;
        }
        if (!g_.takeMessage()) return;
        cn.curRemaining = uint64_t(cfg.messageSize);
        cn.msgsStarted++;
        cn.startTimes.push_back(mono_ns());
        if (cn.fault == Fault::Reset) {
          // Reset mid-message: half of a message, then RST.
          c_.bump(c_.faults[int(Fault::Reset)]);
          size_t half = std::max<size_t>(1, size_t(cfg.messageSize) / 2);
          ssize_t w = ::send(cn.fd, pattern_table().at(cn.id, 0), std::min(half, kMaxChunk), MSG_NOSIGNAL);
          if (w > 0) c_.bump(c_.bytesSent, uint64_t(w));
          closeConn(cn, true);
          return;
        }
      }
      size_t len = size_t(std::min<uint64_t>(cn.curRemaining, kMaxChunk));
      ssize_t w = ::send(cn.fd, pattern_table().at(cn.id, cn.sentBytes), len, MSG_NOSIGNAL);
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
      cn.curRemaining -= uint64_t(w);
      c_.bump(c_.bytesSent, uint64_t(w));
      if (cn.curRemaining == 0) {
        c_.bump(c_.msgsSent);
        if (!cfg.expectEcho || cn.fault == Fault::Slow) {
          cn.msgsDone++;
          cn.startTimes.pop_front();
        }
      }
    }
  }

  void serveStarved() {
    size_t n = starved_.size();
    for (size_t i = 0; i < n && tokens_ >= 1; ++i) {
      Conn* cn = starved_.front();
      starved_.pop_front();
      cn->starved = false;
      pump(*cn);
    }
  }

  void tickTrickle(uint64_t now) {
    if (trickle_.empty() || now - lastTrickle_ < 1000000ull) return;
    lastTrickle_ = now;
    const LoadConfig& cfg = g_.cfg;
    for (Conn* cn : trickle_) {
      if (cn->state != ConnState::Open) continue;
      if (cn->curRemaining == 0) {
        if (cn->msgsStarted > cn->msgsDone || !takeToken() || !g_.takeMessage()) continue;
        cn->curRemaining = uint64_t(cfg.messageSize);
        cn->msgsStarted++;
        cn->startTimes.push_back(now);
      }
      ssize_t w = ::send(cn->fd, pattern_table().at(cn->id, cn->sentBytes), 1, MSG_NOSIGNAL);
      if (w == 1) {
        cn->sentBytes++;
        cn->curRemaining--;
        c_.bump(c_.bytesSent);
        if (cn->curRemaining == 0) c_.bump(c_.msgsSent);
      }
    }
  }

  // drainHint: the event carried RDHUP/HUP, so read to EOF even after a short read.
  void onReadable(Conn& cn, bool drainHint) {
    const LoadConfig& cfg = g_.cfg;
    char buf[kMaxChunk];
    while (cn.state == ConnState::Open) {
      ssize_t r = ::recv(cn.fd, buf, sizeof(buf), 0);
      if (r > 0) {
        c_.bump(c_.bytesReceived, uint64_t(r));
        if (cfg.expectEcho) {
          const char* want = pattern_table().at(cn.id, cn.recvBytes);
          if (cn.recvBytes + uint64_t(r) > cn.sentBytes || std::memcmp(buf, want, size_t(r)) != 0) {
            uint64_t bad = 0;
            for (ssize_t i = 0; i < r; ++i) bad += buf[i] != want[i] || cn.recvBytes + uint64_t(i) >= cn.sentBytes;
            c_.bump(c_.mismatched, bad);
          }
        }
        cn.recvBytes += uint64_t(r);
        if (cfg.expectEcho) {
          uint64_t now = mono_ns();
          while (cn.msgsDone < cn.msgsStarted && cn.recvBytes >= (cn.msgsDone + 1) * uint64_t(cfg.messageSize)) {
            c_.hist.record(now - cn.startTimes.front());
            cn.startTimes.pop_front();
            cn.msgsDone++;
            c_.bump(c_.msgsEchoed);
          }
        }
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

  PosixRun& g_;
  ThreadCounters& c_;
  int tid_;
  int epfd_ = -1;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::deque<Conn*> starved_;
  std::vector<Conn*> trickle_;
  double tokens_ = 0;
  uint64_t lastRefill_ = 0;
  uint64_t lastTrickle_ = 0;
};

void PosixRun::runThread(int tid) { GenThread(*this, tid).run(); }

}  // namespace

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
  if (!err) return {};
  NativeErrorName n = translate_native_error(err);
  std::string field = (err == ECONNREFUSED) ? "port" : "host";
  return {field, n.portable, err,
          "cannot connect to " + cfg.host + ":" + std::to_string(cfg.port) + ": " + n.portable + " (" + n.native + ")"};
}

LoadError LoadGenerator::start(const LoadConfig& cfg) {
  if (LoadError e = validate_load_config(cfg)) return e;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!joined_) return already_running_error();
  }
  LoadConfig c = cfg;
  c.threads = std::min(cfg.threads, cfg.connections);
  auto run = std::make_unique<PosixRun>(c);
  if (LoadError e = resolve(cfg, &run->addr, &run->addrLen)) return e;
  if (LoadError e = preflight(cfg, run->addr, run->addrLen)) return e;
  std::lock_guard<std::mutex> g(mu_);
  if (!joined_) return already_running_error();
  run->startThreads();
  run_ = std::move(run);  // the previous run (if any) was joined: safe to free
  joined_ = false;
  return {};
}

}  // namespace iocpm
