// What an io_uring or an epoll worker is besides its event loop: one thread with a wake-up
// eventfd, its listener (shared, or its own with reusePort), the sessions it owns and the way they
// are admitted, finished and freed (the shared session core). The subclass provides the loop and
// closeSession(), because cancelling what is pending is what differs between completion
// (io_uring: cancel the operations, free on their last CQE) and readiness (epoll: nothing pending).
#pragma once
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "../../core/session_core.h"
#include "../../core/session_directory.h"
#include "socket_util.h"
#include "thread_cpu_clock.h"

namespace iocpm {
namespace posix {

// A POSIX backend's session: the shared core plus its descriptor.
struct FdSession : SessionCore {
  FdSession(int fd_, size_t sendQueueLimit) : SessionCore(sendQueueLimit, static_cast<uint64_t>(fd_)), fd(fd_) {}
  int fd;
};

// Session: a type derived from FdSession.
template <class Session>
class PosixWorker : public SessionSink {
 public:
  PosixWorker(const EngineConfig& cfg, WorkerMetrics& m, std::atomic<int>& liveSessions)
      : cfg_(cfg), m_(m), rules_(cfg.closeMode), accounting_(liveSessions, cfg.maxSessions) {}

  ~PosixWorker() override {
    if (wakeFd_ >= 0) ::close(wakeFd_);
    if (ownListener_ && listenFd_ >= 0) ::close(listenFd_);
  }

  // The pool's stop(): flag, wake, join (see WorkerPoolBackend).
  std::atomic<bool> stopRequested_{false};
  void wake() { wake_eventfd(wakeFd_); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  int64_t cpuNs() const { return cpu_.read(); }

  void broadcast(const char* p, size_t n) override {
    for (Session* s : sessions_) this->sendTo(s, p, n);
  }

  // Any thread (the engine's closeSession): queued for the worker, which owns the session.
  void requestClose(uint64_t id, bool abortive) {
    {
      std::lock_guard<std::mutex> g(requestsMu_);
      closeRequests_.push_back({id, abortive});
    }
    wake();
  }

 protected:
  // Starts the worker thread running `body`; busyNs gets the thread's CPU time when it ends.
  template <class Body>
  void startThread(Body body) {
    thread_ = std::thread([this, body] {
      body();
      cpu_.finish(m_.busyNs);
    });
    cpu_.attach(thread_);
  }

  // The wake-up eventfd, and the shared listener or (sharedListenFd < 0) one of the worker's own.
  NativeError openWakeAndListener(int sharedListenFd, bool nonblocking) {
    if (NativeError e = make_eventfd(&wakeFd_)) return e;
    if (sharedListenFd >= 0) {
      listenFd_ = sharedListenFd;
      return {};
    }
    ownListener_ = true;
    return create_listener(cfg_, nonblocking, &listenFd_);
  }

  // A connection the kernel accepted: over the session limit it is refused with RST; otherwise it
  // is tuned and may become a session (adopt() it, or abandon() the place if that fails).
  bool admit(int fd) {
    if (!accounting_.admit(m_)) {
      set_abortive(fd);
      ::close(fd);
      return false;
    }
    if (cfg_.noDelay) set_nodelay(fd);
    return true;
  }
  void adopt(Session* s) {
    sessions_.insert(s);
    m_.live->add(s);
    accounting_.opened(m_);
  }

  // An I/O error on s: counted for the worker and the session, which closes with RST.
  void fail(Session* s, int err) {
    m_.countError(err);
    s->countError(err);
    closeSession(s, true);
  }

  // On the worker, after a wake-up: the close requests of requestClose(). Graceful sends our FIN
  // at once (what is still queued is dropped); abortive sends RST.
  void serveCloseRequests() {
    std::vector<CloseRequest> requests;
    {
      std::lock_guard<std::mutex> g(requestsMu_);
      requests.swap(closeRequests_);
    }
    for (const CloseRequest& r : requests) {
      Session* s = nullptr;
      m_.live->with(r.id, [&](SessionCore& c) { s = static_cast<Session*>(&c); });
      if (!s || s->closing) continue;  // gone meanwhile
      if (!r.abortive) shutdownWrite(s);
      closeSession(s, r.abortive);
    }
  }

  virtual void closeSession(Session* s, bool abortive) = 0;

  // Our FIN, and the socket's close (RST first when abortive): system calls on the descriptor,
  // unless the backend holds the socket another way (io_uring's direct descriptors).
  virtual void shutdownWrite(Session* s) { ::shutdown(s->fd, SHUT_WR); }
  virtual void closeSocket(Session* s) {
    if (s->abortive) set_abortive(s->fd);
    ::close(s->fd);
  }

  // Starts closing: false when the session was already closing. Queued for reap().
  bool beginClose(Session* s, bool abortive) {
    if (!rules_.beginClose(*s, abortive)) return false;
    toReap_.push_back(s);
    return true;
  }

  // Graceful end after the peer's FIN once everything queued has been sent: our FIN, then close.
  void finishIfDone(Session* s, bool sendInFlight) {
    if (!SessionRules::finished(*s, sendInFlight)) return;
    if (rules_.finSent()) shutdownWrite(s);
    closeSession(s, false);
  }

  // Frees every closing session for which done(s) holds (nothing of it pending any more), after
  // release(s) has done the backend's own unregistering; the others wait for the next turn.
  template <class Done, class Release>
  void reap(Done done, Release release) {
    size_t keep = 0;
    for (size_t i = 0; i < toReap_.size(); ++i) {
      Session* s = toReap_[i];
      if (!done(s)) {
        toReap_[keep++] = s;
        continue;
      }
      release(s);
      m_.live->remove(s);  // before the fd can be reused: the session table reads its names
      closeSocket(s);
      sessions_.erase(s);
      delete s;
      accounting_.closed(m_);
    }
    toReap_.resize(keep);
  }

  // Every session starts closing gracefully (stop).
  void closeAll() {
    std::vector<Session*> all(sessions_.begin(), sessions_.end());
    for (Session* s : all) closeSession(s, false);
  }

  const EngineConfig& cfg_;
  WorkerMetrics& m_;
  SessionRules rules_;
  SessionAccounting accounting_;
  int wakeFd_ = -1;
  int listenFd_ = -1;
  std::unordered_set<Session*> sessions_;
  std::vector<Session*> toReap_;

 private:
  struct CloseRequest {
    uint64_t id;
    bool abortive;
  };
  std::mutex requestsMu_;
  std::vector<CloseRequest> closeRequests_;
  bool ownListener_ = false;
  std::thread thread_;
  ThreadCpuClock cpu_;  // busyNs: this worker's CPU time (kernel work done on its behalf included)
};

}  // namespace posix
}  // namespace iocpm
