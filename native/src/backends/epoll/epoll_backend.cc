// epoll backend: the fallback where io_uring is unavailable. Readiness, not completion: each
// worker owns one epoll instance (edge-triggered for sessions) and performs the I/O itself. Its
// "queue depth" is the number of ready events it has taken from the kernel and not yet handled.
#include "epoll_backend.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <unordered_set>
#include <vector>

#include "../../core/send_queue.h"
#include "../../core/workload.h"
#include "../posix/socket_util.h"
#include "../posix/thread_cpu_clock.h"
#include "../posix/worker_pool_backend.h"

namespace iocpm {
namespace {

struct Session {
  Session(int fd_, size_t limit) : fd(fd_), out(limit) {}
  int fd;
  bool readClosed = false;
  bool recvPaused = false;
  bool closing = false;
  bool abortive = false;
  bool waitingWritable = false;  // output queued and the socket said EAGAIN
  SendQueue out;
};

constexpr int kMaxEvents = 256;
constexpr int kAcceptBackoffMs = 50;

// Tags stored in epoll_event.data.ptr for the two non-session descriptors.
char kWakeTag;
char kListenTag;

class Worker : public SessionSink {
 public:
  Worker(const EngineConfig& cfg, WorkerMetrics& m, std::atomic<int>& sessionCount)
      : cfg_(cfg), m_(m), sessionCount_(sessionCount), buf_(new char[cfg.recvBufferSize]) {}

  ~Worker() override {
    if (epfd_ >= 0) ::close(epfd_);
    if (wakeFd_ >= 0) ::close(wakeFd_);
    if (ownListener_ && listenFd_ >= 0) ::close(listenFd_);
  }

  NativeError init(int sharedListenFd) {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return {errno, "epoll_create1"};
    if (NativeError e = posix::make_eventfd(&wakeFd_)) return e;
    if (sharedListenFd >= 0) {
      listenFd_ = sharedListenFd;
    } else {
      ownListener_ = true;
      if (NativeError e = posix::create_listener(cfg_, true, &listenFd_)) return e;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &kWakeTag;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakeFd_, &ev) != 0) return {errno, "epoll_ctl(wake)"};
    if (!watchListener()) return {errno, "epoll_ctl(listen)"};
    return {};
  }

  void launch() {
    thread_ = std::thread([this] {
      run();
      cpu_.finish(m_.busyNs);
    });
    cpu_.attach(thread_);
  }
  int64_t cpuNs() const { return cpu_.read(); }
  void wake() { posix::wake_eventfd(wakeFd_); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  void sendTo(void* sp, const char* p, size_t n) override {
    Session* s = static_cast<Session*>(sp);
    if (s->closing) return;
    if (s->out.empty()) {
      // Fast path: nothing queued, write directly and queue only the remainder.
      ssize_t w = ::send(s->fd, p, n, MSG_NOSIGNAL);
      if (w > 0) {
        WorkerMetrics::bump(m_.bytesOut, static_cast<uint64_t>(w));
        p += w;
        n -= static_cast<size_t>(w);
      } else if (w < 0 && errno != EAGAIN) {
        m_.countError(errno);
        closeSession(s, true);
        return;
      }
      if (n == 0) return;
    }
    if (!s->out.push(p, n)) {
      m_.countError(kErrSendQueueFull);
      closeSession(s, true);
      return;
    }
    setWaitingWritable(s, true);
  }

  void broadcast(const char* p, size_t n) override {
    for (Session* s : sessions_) sendTo(s, p, n);
  }

 private:
  bool watchListener() {
    epoll_event ev{};
    // Level-triggered + EPOLLEXCLUSIVE: one worker is woken per incoming connection burst.
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.ptr = &kListenTag;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, listenFd_, &ev) != 0) return false;
    m_.opStarted(OpKind::Accept);
    listening_ = true;
    return true;
  }

  void unwatchListener() {
    if (!listening_) return;
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, listenFd_, nullptr);
    WorkerMetrics::add(m_.inflight[int(OpKind::Accept)], -1);
    listening_ = false;
  }

  void setWaitingWritable(Session* s, bool on) {
    if (s->waitingWritable == on) return;
    s->waitingWritable = on;
    WorkerMetrics::add(m_.inflight[int(OpKind::Send)], on ? 1 : -1);
  }

  void setReadArmed(Session* s, bool on) {
    WorkerMetrics::add(m_.inflight[int(OpKind::Recv)], on ? 1 : -1);
    (void)s;
  }

  void onAcceptable() {
    for (int i = 0; i < 64; ++i) {
      int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        int err = errno;
        if (err == EAGAIN || err == EINTR) return;
        m_.countError(err);
        if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
          // Level-triggered listener would spin: stop watching it for a moment.
          unwatchListener();
          acceptResumeAt_ = mono_ns() + uint64_t(kAcceptBackoffMs) * 1000000ull;
        }
        return;
      }
      WorkerMetrics::bump(m_.completions);
      if (sessionCount_.fetch_add(1, std::memory_order_relaxed) >= cfg_.maxSessions) {
        sessionCount_.fetch_sub(1, std::memory_order_relaxed);
        m_.countError(kErrSessionLimit);
        posix::set_abortive(fd);
        ::close(fd);
        continue;
      }
      if (cfg_.noDelay) posix::set_nodelay(fd);
      Session* s = new Session(fd, static_cast<size_t>(cfg_.sendQueueLimit));
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = s;
      if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        m_.countError(errno);
        ::close(fd);
        delete s;
        sessionCount_.fetch_sub(1, std::memory_order_relaxed);
        continue;
      }
      sessions_.insert(s);
      WorkerMetrics::bump(m_.accepts);
      WorkerMetrics::add(m_.sessions, 1);
      setReadArmed(s, true);
    }
  }

  // drainHint: the event carried RDHUP/HUP, so read to EOF even after a short read.
  void onReadable(Session* s, bool drainHint = true) {
    while (!s->closing && !s->recvPaused && !s->readClosed) {
      ssize_t r = ::recv(s->fd, buf_.get(), static_cast<size_t>(cfg_.recvBufferSize), 0);
      if (r > 0) {
        WorkerMetrics::bump(m_.bytesIn, static_cast<uint64_t>(r));
        apply_workload(cfg_.workload, *this, s, buf_.get(), static_cast<size_t>(r));
        if (!s->closing && s->out.bytes() > high_watermark(s->out.limit())) {
          s->recvPaused = true;  // back-pressure: leave the rest in the kernel buffer
          setReadArmed(s, false);
        }
        // A short read emptied the socket; data arriving later raises a new edge, so the
        // usual extra recv() that only returns EAGAIN is skipped (one syscall per message).
        if (!drainHint && r < cfg_.recvBufferSize) return;
      } else if (r == 0) {
        s->readClosed = true;
        setReadArmed(s, false);
        maybeFinish(s);
      } else {
        if (errno == EAGAIN) return;
        if (errno == EINTR) continue;
        m_.countError(errno);
        closeSession(s, true);
      }
    }
  }

  void onWritable(Session* s) {
    while (!s->closing && !s->out.empty()) {
      size_t len = 0;
      const char* p = s->out.front(&len);
      ssize_t w = ::send(s->fd, p, len, MSG_NOSIGNAL);
      if (w > 0) {
        WorkerMetrics::bump(m_.bytesOut, static_cast<uint64_t>(w));
        s->out.consume(static_cast<size_t>(w));
      } else if (w < 0 && errno == EAGAIN) {
        return;  // still waiting for EPOLLOUT
      } else if (w < 0 && errno == EINTR) {
        continue;
      } else {
        m_.countError(errno);
        closeSession(s, true);
        return;
      }
    }
    if (s->closing) return;
    setWaitingWritable(s, false);
    if (s->recvPaused && s->out.bytes() <= low_watermark(s->out.limit())) {
      s->recvPaused = false;
      setReadArmed(s, true);
      onReadable(s);  // edge-triggered: data that arrived while paused raises no new event
    }
    maybeFinish(s);
  }

  void maybeFinish(Session* s) {
    if (s->readClosed && s->out.empty() && !s->closing) {
      // Graceful: FIN after the last echoed byte. Abortive: no FIN, the close sends RST alone.
      if (cfg_.closeMode != CloseMode::Abortive) ::shutdown(s->fd, SHUT_WR);
      closeSession(s, false);
    }
  }

  // Readiness has no pending kernel operation to cancel: close once the current event batch has
  // been handled (the batch may still hold pointers to this session).
  void closeSession(Session* s, bool abortive) {
    if (s->closing) return;
    s->closing = true;
    s->abortive = abortive || cfg_.closeMode == CloseMode::Abortive;
    toReap_.push_back(s);
  }

  void reap() {
    for (Session* s : toReap_) {
      ::epoll_ctl(epfd_, EPOLL_CTL_DEL, s->fd, nullptr);
      if (s->abortive) posix::set_abortive(s->fd);
      ::close(s->fd);
      if (!s->readClosed && !s->recvPaused) setReadArmed(s, false);
      setWaitingWritable(s, false);
      sessions_.erase(s);
      delete s;
      sessionCount_.fetch_sub(1, std::memory_order_relaxed);
      WorkerMetrics::add(m_.sessions, -1);
      WorkerMetrics::bump(m_.closes);
    }
    toReap_.clear();
  }

  void handle(const epoll_event& ev) {
    if (ev.data.ptr == &kWakeTag) {
      uint64_t v;
      ssize_t r = ::read(wakeFd_, &v, sizeof(v));
      (void)r;
      if (stopRequested_.load(std::memory_order_acquire)) stopping_ = true;
      return;
    }
    if (ev.data.ptr == &kListenTag) {
      onAcceptable();
      return;
    }
    Session* s = static_cast<Session*>(ev.data.ptr);
    if (s->closing) return;
    if (ev.events & EPOLLERR) {
      int err = posix::socket_error(s->fd);
      if (err) m_.countError(err);
      closeSession(s, true);
      return;
    }
    if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) onReadable(s, (ev.events & (EPOLLRDHUP | EPOLLHUP)) != 0);
    if (ev.events & EPOLLOUT) onWritable(s);
  }

  void run() {
    epoll_event events[kMaxEvents];
    while (!stopping_) {
      int timeout = -1;
      if (!listening_) {
        uint64_t now = mono_ns();
        if (now >= acceptResumeAt_) {
          watchListener();
        } else {
          timeout = static_cast<int>((acceptResumeAt_ - now) / 1000000ull) + 1;
        }
      }
      int n = ::epoll_wait(epfd_, events, kMaxEvents, timeout);
      if (n < 0) {
        if (errno != EINTR) m_.countError(errno);
        continue;
      }
      m_.pendingEvents.store(n, std::memory_order_relaxed);
      for (int i = 0; i < n; ++i) {
        handle(events[i]);
        m_.pendingEvents.store(n - i - 1, std::memory_order_relaxed);
        if (events[i].data.ptr != &kWakeTag && events[i].data.ptr != &kListenTag) WorkerMetrics::bump(m_.completions);
      }
      reap();
    }
    unwatchListener();
    for (Session* s : sessions_) closeSession(s, false);
    reap();
  }

 public:
  std::atomic<bool> stopRequested_{false};

 private:
  const EngineConfig& cfg_;
  WorkerMetrics& m_;
  std::atomic<int>& sessionCount_;
  std::unique_ptr<char[]> buf_;
  int epfd_ = -1;
  int wakeFd_ = -1;
  int listenFd_ = -1;
  bool ownListener_ = false;
  bool listening_ = false;
  bool stopping_ = false;
  uint64_t acceptResumeAt_ = 0;
  std::unordered_set<Session*> sessions_;
  std::vector<Session*> toReap_;
  std::thread thread_;
  posix::ThreadCpuClock cpu_;  // busyNs: this worker's CPU time
};

class EpollBackend : public posix::WorkerPoolBackend<Worker> {
 public:
  NativeError start(const EngineConfig& cfg, WorkerMetrics* metrics, BackendInfo* info) override {
    if (NativeError e = openListener(cfg, true)) return e;
    for (int i = 0; i < cfg_.workers; ++i) {
      workers_.emplace_back(new Worker(cfg_, metrics[i], sessionCount_));
      if (NativeError e = workers_.back()->init(sharedListenFd_)) {
        workers_.clear();
        closeShared();
        return e;
      }
    }
    info->features.push_back("epoll-per-worker");
    info->features.push_back("edge-triggered");
    info->features.push_back(cfg_.reusePort ? "reuseport-listener-per-worker" : "epollexclusive-accept");
    for (auto& w : workers_) w->launch();
    started_ = true;
    return {};
  }

  int64_t queueDepth(int) const override { return -1; }
};

}  // namespace

std::unique_ptr<Backend> make_epoll_backend() { return std::unique_ptr<Backend>(new EpollBackend()); }

}  // namespace iocpm
