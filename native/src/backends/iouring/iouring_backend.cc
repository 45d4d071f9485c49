// io_uring backend: the IOCP model on Linux. Each worker owns one ring (its completion queue),
// every accept/recv/send is an operation with a context that lives until its CQE is reaped
// (the OVERLAPPED idea), submissions are batched once per loop turn.
#include "iouring_backend.h"

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>
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

enum class OpType : uint8_t { Accept, Recv, Send, Wake, Timer, Cancel };

struct Session;

// Per-operation context: its address is the SQE's user_data.
struct Op {
  OpType type;
  Session* session;
};

struct Session {
  // bufSize 0: the worker's provided-buffer ring supplies receive buffers (no per-session buffer).
  explicit Session(int fd_, size_t limit, size_t bufSize)
      : fd(fd_), out(limit), buf(bufSize ? new char[bufSize] : nullptr) {}
  int fd;
  Op recvOp{OpType::Recv, this};
  Op sendOp{OpType::Send, this};
  bool recvPending = false;   // a recv (single or multishot) is armed
  bool recvMultishot = false;  // ... and it is a multishot recv on the buffer ring
  bool sendPending = false;
  bool readClosed = false;   // peer sent FIN
  bool recvPaused = false;   // back-pressure: queue above high watermark
  bool closing = false;
  bool abortive = false;
  size_t sendLen = 0;        // bytes handed to the in-flight send
  SendQueue out;
  std::unique_ptr<char[]> buf;
};

constexpr unsigned kRingEntries = 4096;
constexpr unsigned kCqEntries = 32768;
constexpr long long kAcceptBackoffNs = 50 * 1000 * 1000;
constexpr unsigned kBufGroup = 1;
constexpr unsigned kBufEntries = 256;  // per worker; recycled as soon as a CQE is handled

// A ring of the size every worker uses, with `flags` added (the probe uses the same call).
int init_worker_ring(io_uring* ring, unsigned flags) {
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | flags;
  p.cq_entries = kCqEntries;
  return io_uring_queue_init_params(kRingEntries, ring, &p);
}

class Worker : public SessionSink {
 public:
  Worker(int index, const EngineConfig& cfg, WorkerMetrics& m, std::atomic<int>& sessionCount)
      : index_(index), cfg_(cfg), m_(m), sessionCount_(sessionCount) {}

  ~Worker() override {
    if (ringReady_) io_uring_queue_exit(&ring_);  // also unregisters the buffer ring
    if (bufRing_) std::free(bufRing_);
    if (wakeFd_ >= 0) ::close(wakeFd_);
    if (ownListener_ && listenFd_ >= 0) ::close(listenFd_);
  }

  NativeError init(int sharedListenFd, bool* multishotAccept) {
    // Completion work (posting a recv's CQE) is run by the kernel on this thread. DEFER_TASKRUN
    // (6.1+) runs it only when the worker asks for completions, in one batch, instead of
    // interrupting the worker's handling: ~5 % less server CPU per message at 50 connections.
    // Older kernels get COOP_TASKRUN (5.19+), then the plain ring.
    const std::pair<unsigned, const char*> modes[] = {
        {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, "defer-taskrun"},
        {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN, "coop-taskrun"},
        {0, nullptr},
    };
    int r = -EINVAL;
    for (const auto& mode : modes) {
      r = init_worker_ring(&ring_, mode.first);
      taskRunMode_ = mode.second;
      if (r != -EINVAL) break;
    }
    if (r < 0) return {-r, "io_uring_queue_init"};
    ringReady_ = true;
    if (NativeError e = posix::make_eventfd(&wakeFd_)) return e;
    if (sharedListenFd >= 0) {
      listenFd_ = sharedListenFd;
    } else {
      ownListener_ = true;
      if (NativeError e = posix::create_listener(cfg_, false, &listenFd_)) return e;
    }
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    // Multishot accept arrived in 5.19 together with IORING_OP_SOCKET; use that as the marker.
    multishot_ = probe && io_uring_opcode_supported(probe, IORING_OP_SOCKET);
    // Multishot recv and SEND_ZC both arrived in 6.0: use SEND_ZC as the marker.
    bool multishotRecv = probe && io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
    if (probe) io_uring_free_probe(probe);
    *multishotAccept = multishot_;
    // iouringRecv "single" skips the buffer ring; so does a kernel without multishot recv, or a
    // ring that refuses to register it (setupBufRing falls back by itself).
    if (multishotRecv && cfg_.iouringRecv == IouringRecv::Multishot) setupBufRing();
    return {};
  }

  bool usesBufRing() const { return bufRing_ != nullptr; }
  const char* taskRunMode() const { return taskRunMode_; }

 private:
  // Provided buffers: the kernel picks a buffer from this ring when data arrives, so idle
  // sessions hold no receive memory (10,000 sessions share kBufEntries buffers per worker).
  void setupBufRing() {
    size_t ringBytes = kBufEntries * sizeof(io_uring_buf);
    void* mem = nullptr;
    if (posix_memalign(&mem, 4096, ringBytes) != 0) return;
    bufRing_ = static_cast<io_uring_buf_ring*>(mem);
    std::memset(bufRing_, 0, ringBytes);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uint64_t>(bufRing_);
    reg.ring_entries = kBufEntries;
    reg.bgid = kBufGroup;
    if (io_uring_register_buf_ring(&ring_, &reg, 0) != 0) {
      std::free(bufRing_);
      bufRing_ = nullptr;
      return;  // fall back to one buffer per session and single-shot recv
    }
    io_uring_buf_ring_init(bufRing_);
    bufSize_ = static_cast<size_t>(cfg_.recvBufferSize);
    bufs_.reset(new char[bufSize_ * kBufEntries]);
    for (unsigned i = 0; i < kBufEntries; ++i) {
      io_uring_buf_ring_add(bufRing_, bufs_.get() + i * bufSize_, static_cast<unsigned>(bufSize_), static_cast<unsigned short>(i),
                            io_uring_buf_ring_mask(kBufEntries), static_cast<int>(i));
    }
    io_uring_buf_ring_advance(bufRing_, kBufEntries);
  }

  void recycleBuffer(unsigned bid) {
    io_uring_buf_ring_add(bufRing_, bufs_.get() + size_t(bid) * bufSize_, static_cast<unsigned>(bufSize_), static_cast<unsigned short>(bid),
                          io_uring_buf_ring_mask(kBufEntries), 0);
    io_uring_buf_ring_advance(bufRing_, 1);
  }

 public:

  // The ring is created on the worker thread itself: with IORING_SETUP_SINGLE_ISSUER only the
  // creating task may submit. The result of init() is handed back through `ready`.
  void launch(int sharedListenFd, std::promise<std::pair<NativeError, bool>>* ready) {
    thread_ = std::thread([this, sharedListenFd, ready] {
      bool multishot = false;
      NativeError e = init(sharedListenFd, &multishot);
      bool ok = !e;
      ready->set_value({e, multishot});
      if (ok) run();
      cpu_.finish(m_.busyNs);
    });
    cpu_.attach(thread_);
  }
  int64_t cpuNs() const { return cpu_.read(); }
  void wake() { posix::wake_eventfd(wakeFd_); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  int64_t queueDepth() const {
    if (!ringReady_) return 0;
    // Ready CQEs = tail - head. The kernel publishes tail with release; the worker publishes head
    // with release in io_uring_cq_advance. Read both atomically, never pausing the worker.
    // Head first: it only moves towards tail, so a head read before tail never overtakes it.
    unsigned head = __atomic_load_n(ring_.cq.khead, __ATOMIC_ACQUIRE);
    unsigned tail = __atomic_load_n(ring_.cq.ktail, __ATOMIC_ACQUIRE);
    int32_t depth = static_cast<int32_t>(tail - head);
    return depth > 0 ? depth : 0;
  }

  // SessionSink
  void sendTo(void* sp, const char* p, size_t n) override {
    Session* s = static_cast<Session*>(sp);
    if (s->closing) return;
    if (!s->out.push(p, n)) {
      if (s->recvPaused && s == current_) {
        // Echo of data that was already in flight when the pause was requested (a multishot
        // recv delivers until its cancel lands): keep it, the pause bounds how much can come.
        s->out.pushPastLimit(p, n);
      } else {
        m_.countError(kErrSendQueueFull);
        closeSession(s, true);
        return;
      }
    }
    kickSend(s);
  }
  void broadcast(const char* p, size_t n) override {
    for (Session* s : sessions_) sendTo(s, p, n);
  }

 private:
  io_uring_sqe* sqe() {
    io_uring_sqe* e = io_uring_get_sqe(&ring_);
    while (!e) {  // SQ full: flush what we have and retry
      io_uring_submit(&ring_);
      e = io_uring_get_sqe(&ring_);
    }
    return e;
  }

  void armWake() {
    io_uring_sqe* e = sqe();
    io_uring_prep_read(e, wakeFd_, &wakeBuf_, sizeof(wakeBuf_), 0);
    io_uring_sqe_set_data(e, &wakeOp_);
    ++outstanding_;
  }

  void armAccept() {
    if (stopping_ || acceptArmed_) return;
    io_uring_sqe* e = sqe();
    if (multishot_) {
      io_uring_prep_multishot_accept(e, listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    } else {
      io_uring_prep_accept(e, listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    }
    io_uring_sqe_set_data(e, &acceptOp_);
    acceptArmed_ = true;
    m_.opStarted(OpKind::Accept);
    ++outstanding_;
  }

  void armAcceptBackoff() {
    if (stopping_ || timerArmed_) return;
    backoff_.tv_sec = 0;
    backoff_.tv_nsec = kAcceptBackoffNs;
    io_uring_sqe* e = sqe();
    io_uring_prep_timeout(e, &backoff_, 0, 0);
    io_uring_sqe_set_data(e, &timerOp_);
    timerArmed_ = true;
    ++outstanding_;
  }

  void armRecv(Session* s) {
    if (s->recvPending || s->closing || s->readClosed || s->recvPaused) return;
    io_uring_sqe* e = sqe();
    if (bufRing_) {
      // One SQE keeps receiving until cancelled, EOF or an empty buffer ring (-ENOBUFS).
      io_uring_prep_recv_multishot(e, s->fd, nullptr, 0, 0);
      e->flags |= IOSQE_BUFFER_SELECT;
      e->buf_group = kBufGroup;
      s->recvMultishot = true;
    } else {
      io_uring_prep_recv(e, s->fd, s->buf.get(), static_cast<size_t>(cfg_.recvBufferSize), 0);
      s->recvMultishot = false;
    }
    io_uring_sqe_set_data(e, &s->recvOp);
    s->recvPending = true;
    m_.opStarted(OpKind::Recv);
    ++outstanding_;
  }

  void kickSend(Session* s) {
    if (s->sendPending || s->closing || s->out.empty()) return;
    size_t len = 0;
    const char* p = s->out.front(&len);
    io_uring_sqe* e = sqe();
    io_uring_prep_send(e, s->fd, p, len, MSG_NOSIGNAL);
    io_uring_sqe_set_data(e, &s->sendOp);
    s->sendPending = true;
    s->sendLen = len;
    m_.opStarted(OpKind::Send);
    ++outstanding_;
  }

  void cancelOp(Op* op) {
    io_uring_sqe* e = sqe();
    io_uring_prep_cancel(e, op, 0);
    io_uring_sqe_set_data(e, &cancelOp_);
    ++outstanding_;
  }

  // Starts closing: pending operations are cancelled; the fd is closed and the context freed
  // only after every one of them has completed (finishClose from reap()).
  void closeSession(Session* s, bool abortive) {
    if (s->closing) return;
    s->closing = true;
    s->abortive = abortive || cfg_.closeMode == CloseMode::Abortive;
    if (s->recvPending) cancelOp(&s->recvOp);
    if (s->sendPending) cancelOp(&s->sendOp);
    toReap_.push_back(s);
  }

  // Graceful end after the peer's FIN: everything queued has been sent, now send our FIN.
  void maybeFinish(Session* s) {
    if (s->readClosed && !s->sendPending && s->out.empty() && !s->closing) {
      // Graceful: FIN after the last echoed byte. Abortive: no FIN, the close sends RST alone.
      if (cfg_.closeMode != CloseMode::Abortive) ::shutdown(s->fd, SHUT_WR);
      closeSession(s, false);
    }
  }

  void reap() {
    size_t keep = 0;
    for (size_t i = 0; i < toReap_.size(); ++i) {
      Session* s = toReap_[i];
      if (s->recvPending || s->sendPending) {
        toReap_[keep++] = s;
        continue;
      }
      if (s->abortive) posix::set_abortive(s->fd);
      ::close(s->fd);
      sessions_.erase(s);
      delete s;
      sessionCount_.fetch_sub(1, std::memory_order_relaxed);
      WorkerMetrics::add(m_.sessions, -1);
      WorkerMetrics::bump(m_.closes);
    }
    toReap_.resize(keep);
  }

  void onAccept(io_uring_cqe* c) {
    bool more = multishot_ && (c->flags & IORING_CQE_F_MORE);
    if (!more) {
      acceptArmed_ = false;
      m_.opFinished(OpKind::Accept);
      --outstanding_;
    } else {
      WorkerMetrics::bump(m_.completions);
    }
    if (c->res >= 0) {
      int fd = c->res;
      if (stopping_) {
        ::close(fd);
      } else if (sessionCount_.fetch_add(1, std::memory_order_relaxed) >= cfg_.maxSessions) {
        sessionCount_.fetch_sub(1, std::memory_order_relaxed);
        m_.countError(kErrSessionLimit);
        posix::set_abortive(fd);
        ::close(fd);
      } else {
        if (cfg_.noDelay) posix::set_nodelay(fd);
        Session* s = new Session(fd, static_cast<size_t>(cfg_.sendQueueLimit), bufRing_ ? 0 : static_cast<size_t>(cfg_.recvBufferSize));
        sessions_.insert(s);
        WorkerMetrics::bump(m_.accepts);
        WorkerMetrics::add(m_.sessions, 1);
        armRecv(s);
      }
    } else if (!stopping_ && c->res != -ECANCELED) {
      int err = -c->res;
      m_.countError(err);
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // Out of descriptors/memory: retrying at once would spin. Leave connections in the
        // backlog and try again shortly; existing sessions keep being served meanwhile.
        if (more) cancelOp(&acceptOp_);
        armAcceptBackoff();
      }
    }
    // A terminated (or single-shot) accept is re-armed unless a backoff timer will do it.
    if (!more && !stopping_ && !timerArmed_) armAccept();
  }

  void onRecv(Session* s, int res, unsigned flags) {
    bool more = s->recvMultishot && (flags & IORING_CQE_F_MORE);
    if (more) {
      WorkerMetrics::bump(m_.completions);
    } else {
      s->recvPending = false;
      m_.opFinished(OpKind::Recv);
      --outstanding_;
    }
    const char* data = s->buf.get();
    int bid = -1;
    if (flags & IORING_CQE_F_BUFFER) {
      bid = static_cast<int>(flags >> IORING_CQE_BUFFER_SHIFT);
      data = bufs_.get() + size_t(bid) * bufSize_;
    }
    if (res > 0) {
      WorkerMetrics::bump(m_.bytesIn, static_cast<uint64_t>(res));
      // The workload copies what it keeps (into send queues), so the buffer is free right after.
      if (!s->closing) {
        current_ = s;
        apply_workload(cfg_.workload, *this, s, data, static_cast<size_t>(res));
        current_ = nullptr;
      }
      if (bid >= 0) recycleBuffer(static_cast<unsigned>(bid));
      if (s->closing) return;
      if (s->out.bytes() > high_watermark(s->out.limit()) && !s->recvPaused) {
        s->recvPaused = true;  // back-pressure: stop receiving until the peer reads its echoes
        if (more) cancelOp(&s->recvOp);
      }
      if (!more) armRecv(s);
      return;
    }
    if (bid >= 0) recycleBuffer(static_cast<unsigned>(bid));
    if (res == 0) {
      s->readClosed = true;
      maybeFinish(s);
    } else if (res == -ENOBUFS) {
      // The buffer ring ran dry for a moment; buffers are recycled as CQEs are handled, so
      // re-arm after this batch (not an error the user needs to see).
      if (!s->closing) rearm_.push_back(s);
    } else if (res != -ECANCELED) {
      m_.countError(-res);
      closeSession(s, true);
    } else if (!s->closing && !s->recvPaused) {
      armRecv(s);  // cancelled by a pause that has already been lifted
    }
  }

  void onSend(Session* s, int res) {
    s->sendPending = false;
    m_.opFinished(OpKind::Send);
    --outstanding_;
    if (res > 0) {
      WorkerMetrics::bump(m_.bytesOut, static_cast<uint64_t>(res));
      s->out.consume(static_cast<size_t>(res));  // a partial send continues from here
      if (s->closing) return;
      if (s->recvPaused && s->out.bytes() <= low_watermark(s->out.limit())) {
        s->recvPaused = false;
        armRecv(s);
      }
      kickSend(s);
      maybeFinish(s);
    } else if (res < 0 && res != -ECANCELED) {
      m_.countError(-res);
      closeSession(s, true);
    }
  }

  void beginStop() {
    stopping_ = true;
    if (acceptArmed_) cancelOp(&acceptOp_);
    if (timerArmed_) cancelOp(&timerOp_);
    std::vector<Session*> all(sessions_.begin(), sessions_.end());
    for (Session* s : all) closeSession(s, false);
  }

  void handle(io_uring_cqe* c) {
    Op* op = static_cast<Op*>(io_uring_cqe_get_data(c));
    switch (op->type) {
      case OpType::Accept: onAccept(c); break;
      case OpType::Recv: onRecv(op->session, c->res, c->flags); break;
      case OpType::Send: onSend(op->session, c->res); break;
      case OpType::Wake:
        --outstanding_;
        if (stopRequested_.load(std::memory_order_acquire)) {
          if (!stopping_) beginStop();
        } else {
          armWake();
        }
        break;
      case OpType::Timer:
        --outstanding_;
        timerArmed_ = false;
        armAccept();
        break;
      case OpType::Cancel: --outstanding_; break;
    }
  }

  void run() {
    armWake();
    armAccept();
    for (;;) {
      int r = io_uring_submit_and_wait(&ring_, 1);
      if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY && r != -ETIME) {
        // Not expected on a healthy ring; count it and yield rather than spin at full speed.
        m_.countError(-r);
        std::this_thread::yield();
      }
      unsigned head;
      unsigned n = 0;
      io_uring_cqe* c;
      io_uring_for_each_cqe(&ring_, head, c) {
        handle(c);
        ++n;
      }
      io_uring_cq_advance(&ring_, n);
      for (Session* s : rearm_) armRecv(s);
      rearm_.clear();
      reap();
      if (stopping_ && outstanding_ == 0 && sessions_.empty()) break;
    }
    io_uring_submit(&ring_);
  }

 public:
  std::atomic<bool> stopRequested_{false};

 private:
  int index_;
  const EngineConfig& cfg_;
  WorkerMetrics& m_;
  std::atomic<int>& sessionCount_;
  io_uring ring_{};
  bool ringReady_ = false;
  const char* taskRunMode_ = nullptr;  // the IORING_SETUP_*_TASKRUN mode in use, if any
  bool multishot_ = false;
  int wakeFd_ = -1;
  int listenFd_ = -1;
  bool ownListener_ = false;
  uint64_t wakeBuf_ = 0;
  Op wakeOp_{OpType::Wake, nullptr};
  Op acceptOp_{OpType::Accept, nullptr};
  Op timerOp_{OpType::Timer, nullptr};
  Op cancelOp_{OpType::Cancel, nullptr};
  __kernel_timespec backoff_{};
  bool acceptArmed_ = false;
  bool timerArmed_ = false;
  bool stopping_ = false;
  long outstanding_ = 0;  // SQEs whose final CQE has not been reaped yet
  std::unordered_set<Session*> sessions_;
  std::vector<Session*> toReap_;
  std::vector<Session*> rearm_;  // multishot recvs that ended with -ENOBUFS
  Session* current_ = nullptr;   // the session whose received data is being handled
  io_uring_buf_ring* bufRing_ = nullptr;
  std::unique_ptr<char[]> bufs_;
  size_t bufSize_ = 0;
  std::thread thread_;
  posix::ThreadCpuClock cpu_;  // busyNs: this worker's CPU time, kernel work inside the wait included
};

class IoUringBackend : public posix::WorkerPoolBackend<Worker> {
 public:
  NativeError start(const EngineConfig& cfg, WorkerMetrics* metrics, BackendInfo* info) override {
    if (NativeError e = openListener(cfg, false)) return e;
    std::vector<std::promise<std::pair<NativeError, bool>>> ready(cfg_.workers);
    for (int i = 0; i < cfg_.workers; ++i) {
      workers_.emplace_back(new Worker(i, cfg_, metrics[i], sessionCount_));
      workers_.back()->launch(sharedListenFd_, &ready[i]);
    }
    NativeError firstError;
    bool multishot = false;
    for (auto& r : ready) {
      auto res = r.get_future().get();
      if (res.first && !firstError) firstError = res.first;
      multishot = res.second;
    }
    if (firstError) {
      started_ = true;
      stop();  // workers whose init succeeded are running: stop and join them
      workers_.clear();
      return firstError;
    }
    info->features.push_back("ring-per-worker");
    info->features.push_back("batched-submit");
    info->features.push_back(multishot ? "multishot-accept" : "single-accept");
    // Read after every ready future: the workers wrote bufRing_ before signalling.
    info->features.push_back(workers_[0]->usesBufRing() ? "multishot-recv+provided-buffers" : "single-recv");
    if (workers_[0]->taskRunMode()) info->features.push_back(workers_[0]->taskRunMode());
    if (cfg_.reusePort) info->features.push_back("reuseport-listener-per-worker");
    started_ = true;
    return {};
  }

  int64_t queueDepth(int worker) const override {
    if (worker < 0 || worker >= static_cast<int>(workers_.size())) return 0;
    return workers_[worker]->queueDepth();
  }
};

}  // namespace

std::unique_ptr<Backend> make_iouring_backend() { return std::unique_ptr<Backend>(new IoUringBackend()); }

std::string probe_iouring() {
  // The probe ring has the workers' size: where io_uring memory is charged to RLIMIT_MEMLOCK
  // (kernels before 5.12), a tiny probe could succeed while the real rings then fail.
  io_uring ring;
  int r = init_worker_ring(&ring, 0);
  if (r < 0) {
    std::string why = std::strerror(-r);
    if (r == -EPERM) why += " (io_uring is disabled on this host: kernel.io_uring_disabled or a seccomp policy)";
    if (r == -ENOSYS) why += " (this kernel has no io_uring)";
    return "io_uring_queue_init failed: " + why;
  }
  io_uring_queue_exit(&ring);
  return "";
}

}  // namespace iocpm
