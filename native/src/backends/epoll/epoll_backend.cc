// epoll backend: the fallback where io_uring is unavailable. Readiness, not completion: each
// worker owns one epoll instance (edge-triggered for sessions) and performs the I/O itself. Its
// "queue depth" is the number of ready events it has taken from the kernel and not yet handled.
#include "epoll_backend.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "../posix/nocancel_io.h"
#include "../posix/posix_worker.h"
#include "../posix/worker_pool_backend.h"

namespace iocpm {
namespace {

struct Session : posix::FdSession {
  using FdSession::FdSession;
  bool waitingWritable = false;  // output queued and the socket said EAGAIN
};

constexpr int kMaxEvents = 256;
constexpr int kAcceptBackoffMs = 50;

// Tags stored in epoll_event.data.ptr for the two non-session descriptors.
char kWakeTag;
char kListenTag;

class Worker : public posix::PosixWorker<Session> {
 public:
  using PosixWorker::PosixWorker;

  ~Worker() override {
    if (epfd_ >= 0) ::close(epfd_);
  }

  NativeError init(int sharedListenFd) {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return {errno, "epoll_create1"};
    if (NativeError e = openWakeAndListener(sharedListenFd, true)) return e;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &kWakeTag;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakeFd_, &ev) != 0) return {errno, "epoll_ctl(wake)"};
    if (!watchListener()) return {errno, "epoll_ctl(listen)"};
    return {};
  }

  void launch() {
    startThread([this] { run(); });
  }

  void sendTo(void* sp, const char* p, size_t n) override {
    Session* s = static_cast<Session*>(sp);
    if (s->closing) return;
    if (s->out.empty()) {
      // Fast path: nothing queued, write directly and queue only the remainder.
      ssize_t w = posix::send_nocancel(s->fd, p, n, MSG_NOSIGNAL);
      if (w > 0) {
        WorkerMetrics::bump(m_.bytesOut, static_cast<uint64_t>(w));
        s->countSentDirect(static_cast<uint64_t>(w));
        p += w;
        n -= static_cast<size_t>(w);
      } else if (w < 0 && errno != EAGAIN) {
        fail(s, errno);
        return;
      }
      if (n == 0) return;
    }
    if (!SessionRules::enqueue(*s, p, n, false, m_)) {
      closeSession(s, true);
      return;
    }
    setWaitingWritable(s, true);
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
        if (posix::out_of_resources(err)) {
          // Level-triggered listener would spin: stop watching it for a moment.
          unwatchListener();
          acceptResumeAt_ = mono_ns() + uint64_t(kAcceptBackoffMs) * 1000000ull;
        }
        return;
      }
      WorkerMetrics::bump(m_.completions);
      if (!admit(fd)) continue;
      Session* s = new Session(fd, static_cast<size_t>(cfg_.sendQueueLimit));
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = s;
      if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        m_.countError(errno);
        ::close(fd);
        delete s;
        accounting_.abandon();
        continue;
      }
      adopt(s);
      setReadArmed(s, true);
    }
  }

  // drainHint: the event carried RDHUP/HUP, so read to EOF even after a short read.
  void onReadable(Session* s, bool drainHint = true) {
    while (SessionRules::wantsRecv(*s)) {
      ssize_t r = posix::recv_nocancel(s->fd, buf_.get(), static_cast<size_t>(cfg_.recvBufferSize), 0);
      if (r > 0) {
        WorkerMetrics::bump(m_.bytesIn, static_cast<uint64_t>(r));
        s->countReceived(static_cast<uint64_t>(r));
        apply_workload(cfg_.workload, *this, s, buf_.get(), static_cast<size_t>(r));
        // Back-pressure: leave the rest in the kernel buffer.
        if (SessionRules::pauseIfBacklogged(*s)) setReadArmed(s, false);
        // A short read emptied the socket; data arriving later raises a new edge, so the
        // usual extra recv() that only returns EAGAIN is skipped (one syscall per message).
        if (!drainHint && r < cfg_.recvBufferSize) return;
      } else if (r == 0) {
        s->peerClosed();
        setReadArmed(s, false);
        finishIfDone(s, false);
      } else {
        if (errno == EAGAIN) return;
        if (errno == EINTR) continue;
        fail(s, errno);
      }
    }
  }

  void onWritable(Session* s) {
    while (!s->closing && !s->out.empty()) {
      size_t len = 0;
      const char* p = s->out.front(&len);
      ssize_t w = posix::send_nocancel(s->fd, p, len, MSG_NOSIGNAL);
      if (w > 0) {
        WorkerMetrics::bump(m_.bytesOut, static_cast<uint64_t>(w));
        s->countSent(static_cast<uint64_t>(w));
      } else if (w < 0 && errno == EAGAIN) {
        return;  // still waiting for EPOLLOUT
      } else if (w < 0 && errno == EINTR) {
        continue;
      } else {
        fail(s, errno);
        return;
      }
    }
    if (s->closing) return;
    setWaitingWritable(s, false);
    if (SessionRules::resumeIfDrained(*s)) {
      setReadArmed(s, true);
      onReadable(s);  // edge-triggered: data that arrived while paused raises no new event
    }
    finishIfDone(s, false);
  }

  // Readiness has no pending kernel operation to cancel: close once the current event batch has
  // been handled (the batch may still hold pointers to this session).
  void closeSession(Session* s, bool abortive) override { beginClose(s, abortive); }

  void reapClosed() {
    reap([](Session*) { return true; },
         [this](Session* s) {
           ::epoll_ctl(epfd_, EPOLL_CTL_DEL, s->fd, nullptr);
           if (!s->readClosed && !s->recvPaused) setReadArmed(s, false);
           setWaitingWritable(s, false);
         });
  }

  void handle(const epoll_event& ev) {
    if (ev.data.ptr == &kWakeTag) {
      uint64_t v;
      ssize_t r = ::read(wakeFd_, &v, sizeof(v));
      (void)r;
      if (stopRequested_.load(std::memory_order_acquire)) stopping_ = true;
      serveCloseRequests();
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
      if (err) {
        fail(s, err);
      } else {
        closeSession(s, true);
      }
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
      reapClosed();
    }
    unwatchListener();
    closeAll();
    reapClosed();
  }

 private:
  std::unique_ptr<char[]> buf_{new char[cfg_.recvBufferSize]};
  int epfd_ = -1;
  bool listening_ = false;
  bool stopping_ = false;
  uint64_t acceptResumeAt_ = 0;
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
