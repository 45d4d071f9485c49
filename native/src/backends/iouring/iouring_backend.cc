// io_uring backend: the IOCP model on Linux. Each worker owns one ring (its completion queue),
// every accept/recv/send is an operation with a context that lives until its CQE is reaped
// (the OVERLAPPED idea), submissions are batched once per loop turn.
//
// Over 400 lines on purpose: one worker's ring, the operations it posts and the handlers of
// their completions form one state machine (what is armed, what is outstanding, what a cancel
// will complete) and are easiest to check side by side. What is not that machine lives
// elsewhere: sessions and their rules in posix_worker.h / core/session_core.h, the buffer ring in
// provided_buffers.*, the thread pool in worker_pool_backend.h.
#include "iouring_backend.h"

#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>
#include <thread>
#include <vector>

#include "../endpoint_text.h"
#include "../posix/posix_worker.h"
#include "../posix/worker_pool_backend.h"
#include "direct_sqes.h"
#include "provided_buffers.h"

namespace iocpm {
namespace {

// Control: an operation on a direct descriptor whose result nobody waits for (option, shutdown,
// close), like the system calls it replaces, whose results are not checked either.
enum class OpType : uint8_t { Accept, Recv, Send, Wake, Timer, Cancel, Control };

struct Session;

// Per-operation context: its address is the SQE's user_data.
struct Op {
  OpType type;
  Session* session;
};

struct Session : posix::FdSession {
  // bufSize 0: the worker's provided-buffer ring supplies receive buffers (no per-session buffer).
  Session(int fd_, size_t limit, size_t bufSize) : FdSession(fd_, limit), buf(bufSize ? new char[bufSize] : nullptr) {}
  Op recvOp{OpType::Recv, this};
  Op sendOp{OpType::Send, this};
  bool recvPending = false;    // a recv (single or multishot) is armed
  bool recvMultishot = false;  // ... and it is a multishot recv on the buffer ring
  bool sendPending = false;
  bool registered = false;  // fd is also in the ring's file table, at index fd (IOSQE_FIXED_FILE)
  bool direct = false;      // fd is not a descriptor but the socket's index in that table (only there)
  // Direct: option and shutdown operations not yet completed. The session (and so its table
  // entry) is not closed before they are: the kernel runs a shutdown later, on its own worker,
  // and would apply it to whatever socket holds the entry by then (a new session: seen as EPIPE).
  Op ctlOp{OpType::Control, this};
  int ctlPending = 0;
  // The pending send is an echo straight from provided buffer `inPlaceBid` (-1: from the queue):
  // the buffer returns to the ring when the send is done; a short send continues from inPlaceAt.
  int inPlaceBid = -1;
  const char* inPlaceAt = nullptr;
  size_t inPlaceLeft = 0;
  std::unique_ptr<char[]> buf;
};

constexpr unsigned kRingEntries = 4096;
constexpr unsigned kCqEntries = 32768;
constexpr unsigned kMaxFileTable = 65536;  // registered-file slots per worker (8 B each in the kernel)
constexpr long long kAcceptBackoffNs = 50 * 1000 * 1000;
// Direct descriptors: single-shot accepts kept posted, each with its own peer address (a multishot
// accept would overwrite one address buffer with every connection before its CQE is read).
constexpr int kDirectAccepts = 16;

// One posted direct accept: the Op comes first, so the CQE's Op* is the slot's address.
struct AcceptSlot {
  Op op{OpType::Accept, nullptr};
  sockaddr_storage peer{};
  socklen_t peerLen = 0;
  bool armed = false;
};

// A ring of the size every worker uses, with `flags` added (the probe uses the same call).
int init_worker_ring(io_uring* ring, unsigned flags) {
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | flags;
  p.cq_entries = kCqEntries;
  return io_uring_queue_init_params(kRingEntries, ring, &p);
}

class Worker : public posix::PosixWorker<Session> {
 public:
  using PosixWorker::PosixWorker;

  ~Worker() override {
    if (ringReady_) io_uring_queue_exit(&ring_);  // also unregisters the buffer ring
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
    if (NativeError e = openWakeAndListener(sharedListenFd, false)) return e;
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    // Multishot accept arrived in 5.19 together with IORING_OP_SOCKET; use that as the marker.
    multishot_ = probe && io_uring_opcode_supported(probe, IORING_OP_SOCKET);
    // Multishot recv and SEND_ZC both arrived in 6.0: use SEND_ZC as the marker.
    bool multishotRecv = probe && io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
    if (probe) io_uring_free_probe(probe);
    *multishotAccept = multishot_;
    // iouringRecv "single" skips the buffer ring; so does a kernel without multishot recv, or a
    // ring that refuses to register it (then every session gets its own buffer).
    if (multishotRecv && cfg_.iouringRecv == IouringRecv::Multishot) buffers_.setup(&ring_, static_cast<size_t>(cfg_.recvBufferSize));
    registerFileTable();
    direct_ = cfg_.iouringSockets == IouringSockets::Direct && fileTableSize_ > 0;
    if (direct_) {
      acceptSlots_.resize(kDirectAccepts);
      // A direct socket has no descriptor for getsockname: its local name is the listener's.
      sockaddr_storage a{};
      socklen_t len = sizeof(a);
      if (::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) listenerName_ = endpoint_text(a);
    }
    return {};
  }

  // Registered files: each session's socket is also put in the ring's file table, at its own fd
  // number as index, so its recvs and sends skip the kernel's per-operation file lookup and
  // reference count (fget/fput: ~4 % of the server's CPU at 500 connections in `perf`). The
  // socket keeps its ordinary fd for everything else (shutdown, SO_LINGER, names, close). A table
  // the kernel refuses, or an fd beyond it, just uses the ordinary path.
  void registerFileTable() {
    // Before 6.13 a replaced slot's file was released only when every request issued under the
    // same table generation had finished, and a multishot recv of another session can live for
    // the whole run: a closed session's socket could stay open. 6.13 gave each slot its own
    // reference count.
    if (!posix::kernel_at_least(6, 13)) return;
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    unsigned n = static_cast<unsigned>(std::min<rlim_t>(rl.rlim_cur, kMaxFileTable));
    if (io_uring_register_files_sparse(&ring_, n) == 0) fileTableSize_ = n;
  }

  void registerFile(Session* s) {
    if (direct_ || s->fd < 0 || static_cast<unsigned>(s->fd) >= fileTableSize_) return;
    int fd = s->fd;
    s->registered = io_uring_register_files_update(&ring_, static_cast<unsigned>(fd), &fd, 1) == 1;
  }

  // Before the fd is closed: the table holds its own reference to the socket, which would
  // otherwise keep the connection open.
  void unregisterFile(Session* s) {
    if (!s->registered) return;
    int none = -1;
    io_uring_register_files_update(&ring_, static_cast<unsigned>(s->fd), &none, 1);
    s->registered = false;
  }

  // The fd or table index an SQE for s uses.
  static void useFile(io_uring_sqe* e, const Session* s) {
    if (s->registered || s->direct) e->flags |= IOSQE_FIXED_FILE;
  }

  bool usesBufRing() const { return buffers_.active(); }
  bool usesDirect() const { return direct_; }
  const char* taskRunMode() const { return taskRunMode_; }

 public:

  // The ring is created on the worker thread itself: with IORING_SETUP_SINGLE_ISSUER only the
  // creating task may submit. The result of init() is handed back through `ready`.
  void launch(int sharedListenFd, std::promise<std::pair<NativeError, bool>>* ready) {
    startThread([this, sharedListenFd, ready] {
      bool multishot = false;
      NativeError e = init(sharedListenFd, &multishot);
      bool ok = !e;
      ready->set_value({e, multishot});
      if (ok) run();
    });
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
    // Echo of data that was already in flight when the pause was requested (a multishot recv
    // delivers until its cancel lands) is kept past the limit: the pause bounds how much can come.
    if (!SessionRules::enqueue(*s, p, n, s->recvPaused && s == current_, m_)) {
      closeSession(s, true);
      return;
    }
    kickSend(s);
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
    if (direct_) {
      armDirectAccepts();
      return;
    }
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

  // Every idle slot accepts into a free entry of the file table the kernel picks.
  void armDirectAccepts() {
    if (stopping_) return;
    for (AcceptSlot& a : acceptSlots_) {
      if (a.armed) continue;
      a.peerLen = sizeof(a.peer);
      io_uring_sqe* e = sqe();
      io_uring_prep_accept_direct(e, listenFd_, reinterpret_cast<sockaddr*>(&a.peer), &a.peerLen, 0, IORING_FILE_INDEX_ALLOC - 1);
      io_uring_sqe_set_data(e, &a.op);
      a.armed = true;
      m_.opStarted(OpKind::Accept);
      ++outstanding_;
    }
  }

  // An operation on a direct descriptor: of session s (counted until it completes), or, for the
  // close, of none.
  void control(io_uring_sqe* e, Session* s, uint8_t linkFlags = 0) {
    e->flags |= IOSQE_FIXED_FILE | linkFlags;
    if (s) ++s->ctlPending;
    io_uring_sqe_set_data(e, s ? &s->ctlOp : &ctlOp_);
    ++outstanding_;
  }
  void setOption(unsigned index, Session* s, int level, int name, const void* value, socklen_t len, uint8_t linkFlags = 0) {
    io_uring_sqe* e = sqe();
    prep_setsockopt_direct(e, index, level, name, value, len);
    control(e, s, linkFlags);
  }
  // RST instead of FIN when abortive: SO_LINGER {1, 0}, then the close. Hard-linked, so the close
  // runs even if the option fails, and both go in one submission (room for two is made first).
  void closeDirect(unsigned index, bool abortive) {
    static const linger kRst{1, 0};
    if (io_uring_sq_space_left(&ring_) < 2) io_uring_submit(&ring_);
    if (abortive) setOption(index, nullptr, SOL_SOCKET, SO_LINGER, &kRst, sizeof(kRst), IOSQE_IO_HARDLINK);
    io_uring_sqe* e = sqe();
    io_uring_prep_close_direct(e, index);  // names the table entry itself: no IOSQE_FIXED_FILE
    io_uring_sqe_set_data(e, &ctlOp_);
    ++outstanding_;
  }

  void shutdownWrite(Session* s) override {
    if (!s->direct) return PosixWorker::shutdownWrite(s);
    io_uring_sqe* e = sqe();
    io_uring_prep_shutdown(e, s->fd, SHUT_WR);
    control(e, s);
  }
  void closeSocket(Session* s) override {
    if (!s->direct) return PosixWorker::closeSocket(s);
    closeDirect(static_cast<unsigned>(s->fd), s->abortive);
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
    if (s->recvPending || !SessionRules::wantsRecv(*s)) return;
    io_uring_sqe* e = sqe();
    if (buffers_.active()) {
      // One SQE keeps receiving until cancelled, EOF or an empty buffer ring (-ENOBUFS).
      io_uring_prep_recv_multishot(e, s->fd, nullptr, 0, 0);
      useFile(e, s);
      e->flags |= IOSQE_BUFFER_SELECT;
      e->buf_group = ProvidedBuffers::kGroup;
      s->recvMultishot = true;
    } else {
      io_uring_prep_recv(e, s->fd, s->buf.get(), static_cast<size_t>(cfg_.recvBufferSize), 0);
      useFile(e, s);
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
    useFile(e, s);
    io_uring_sqe_set_data(e, &s->sendOp);
    s->sendPending = true;
    m_.opStarted(OpKind::Send);
    ++outstanding_;
  }

  // Echo with nothing queued or in flight: the received buffer itself can be sent (a buffer held
  // by a send is out of the ring for about one loop turn; the ring is sized for that).
  bool canEchoInPlace(const Session* s, size_t n) const {
    return cfg_.workload == WorkloadKind::Echo && !s->closing && !s->sendPending && s->out.empty() && n <= s->out.limit();
  }

  void sendInPlace(Session* s, const char* p, size_t n, int bid) {
    s->inPlaceBid = bid;
    s->inPlaceAt = p;
    s->inPlaceLeft = n;
    postInPlace(s);
  }

  void postInPlace(Session* s) {
    io_uring_sqe* e = sqe();
    io_uring_prep_send(e, s->fd, s->inPlaceAt, s->inPlaceLeft, MSG_NOSIGNAL);
    useFile(e, s);
    io_uring_sqe_set_data(e, &s->sendOp);
    s->sendPending = true;
    m_.opStarted(OpKind::Send);
    ++outstanding_;
  }

  // The in-place send's buffer goes back to the ring.
  void endInPlace(Session* s) {
    buffers_.recycle(static_cast<unsigned>(s->inPlaceBid));
    s->inPlaceBid = -1;
    s->inPlaceAt = nullptr;
    s->inPlaceLeft = 0;
  }

  void cancelOp(Op* op) {
    io_uring_sqe* e = sqe();
    io_uring_prep_cancel(e, op, 0);
    io_uring_sqe_set_data(e, &cancelOp_);
    ++outstanding_;
  }

  // Starts closing: pending operations are cancelled; the fd is closed and the context freed
  // only after every one of them has completed (reapClosed).
  void closeSession(Session* s, bool abortive) override {
    if (!beginClose(s, abortive)) return;
    if (s->recvPending) cancelOp(&s->recvOp);
    if (s->sendPending) cancelOp(&s->sendOp);
  }

  void reapClosed() {
    reap([](Session* s) { return !s->recvPending && !s->sendPending && s->ctlPending == 0; }, [this](Session* s) { unregisterFile(s); });
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
      } else if (admit(fd)) {
        Session* s = new Session(fd, static_cast<size_t>(cfg_.sendQueueLimit), buffers_.active() ? 0 : static_cast<size_t>(cfg_.recvBufferSize));
        adopt(s);
        registerFile(s);
        armRecv(s);
      }
    } else if (!stopping_ && c->res != -ECANCELED) {
      int err = -c->res;
      m_.countError(err);
      if (posix::out_of_resources(err)) {
        if (more) cancelOp(&acceptOp_);
        armAcceptBackoff();
      }
    }
    // A terminated (or single-shot) accept is re-armed unless a backoff timer will do it.
    if (!more && !stopping_ && !timerArmed_) armAccept();
  }

  // A direct accept: res is the socket's index in the file table. Over the session limit it is
  // refused with RST, like an ordinary one (admit()).
  void onAcceptDirect(AcceptSlot* a, int res) {
    a->armed = false;
    m_.opFinished(OpKind::Accept);
    --outstanding_;
    if (res >= 0) {
      unsigned index = static_cast<unsigned>(res);
      if (stopping_) {
        closeDirect(index, false);
      } else if (!accounting_.admit(m_)) {
        closeDirect(index, true);
      } else {
        Session* s = new Session(res, static_cast<size_t>(cfg_.sendQueueLimit), buffers_.active() ? 0 : static_cast<size_t>(cfg_.recvBufferSize));
        s->direct = true;
        static const int kOne = 1;
        if (cfg_.noDelay) setOption(index, s, IPPROTO_TCP, TCP_NODELAY, &kOne, sizeof(kOne));
        // Named now, from what the accept returned (there is no descriptor to ask later); before
        // adopt(), so no snapshot can see it half-named.
        s->local = listenerName_;
        s->remote = endpoint_text(a->peer);
        s->named = true;
        adopt(s);
        armRecv(s);
      }
    } else if (!stopping_ && res != -ECANCELED) {
      m_.countError(-res);
      // Out of table entries (-ENFILE) or memory: the other slots keep accepting; this one waits
      // for the backoff timer, which re-arms every idle slot.
      if (posix::out_of_resources(-res)) {
        armAcceptBackoff();
        return;
      }
    }
    if (!stopping_ && !timerArmed_) armDirectAccepts();
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
      data = buffers_.data(static_cast<unsigned>(bid));
    }
    if (res > 0) {
      WorkerMetrics::bump(m_.bytesIn, static_cast<uint64_t>(res));
      s->countReceived(static_cast<uint64_t>(res));
      if (bid >= 0 && canEchoInPlace(s, static_cast<size_t>(res))) {
        // Echo without a copy: the send reads the provided buffer, which is recycled when it
        // completes (onSend). Nothing is queued, so back-pressure has nothing to add up.
        sendInPlace(s, data, static_cast<size_t>(res), bid);
        if (!more) armRecv(s);
        return;
      }
      // The workload copies what it keeps (into send queues), so the buffer is free right after.
      if (!s->closing) {
        current_ = s;
        apply_workload(cfg_.workload, *this, s, data, static_cast<size_t>(res));
        current_ = nullptr;
      }
      if (bid >= 0) buffers_.recycle(static_cast<unsigned>(bid));
      if (s->closing) return;
      // Back-pressure: stop receiving until the peer reads its echoes.
      if (SessionRules::pauseIfBacklogged(*s) && more) cancelOp(&s->recvOp);
      if (!more) armRecv(s);
      return;
    }
    if (bid >= 0) buffers_.recycle(static_cast<unsigned>(bid));
    if (res == 0) {
      s->peerClosed();
      finishIfDone(s, s->sendPending);
    } else if (res == -ENOBUFS) {
      // The buffer ring ran dry for a moment; buffers are recycled as CQEs are handled, so
      // re-arm after this batch (not an error the user needs to see).
      if (!s->closing) rearm_.push_back(s);
    } else if (res != -ECANCELED) {
      fail(s, -res);
    } else if (!s->closing && !s->recvPaused) {
      armRecv(s);  // cancelled by a pause that has already been lifted
    }
  }

  void onSend(Session* s, int res) {
    s->sendPending = false;
    m_.opFinished(OpKind::Send);
    --outstanding_;
    if (s->inPlaceBid >= 0) {
      if (res > 0) {
        WorkerMetrics::bump(m_.bytesOut, static_cast<uint64_t>(res));
        s->countSentInPlace(static_cast<uint64_t>(res));
        s->inPlaceAt += res;
        s->inPlaceLeft -= static_cast<size_t>(res);
        if (s->inPlaceLeft > 0 && !s->closing) {
          postInPlace(s);  // a short send continues from the same buffer
          return;
        }
      }
      endInPlace(s);
      if (res < 0 && res != -ECANCELED) {
        fail(s, -res);
        return;
      }
      if (s->closing || res <= 0) return;
      kickSend(s);  // echoes that were queued behind it
      finishIfDone(s, s->sendPending);
      return;
    }
    if (res > 0) {
      WorkerMetrics::bump(m_.bytesOut, static_cast<uint64_t>(res));
      s->countSent(static_cast<uint64_t>(res));  // a partial send continues from here
      if (s->closing) return;
      if (SessionRules::resumeIfDrained(*s)) armRecv(s);
      kickSend(s);
      finishIfDone(s, s->sendPending);
    } else if (res < 0 && res != -ECANCELED) {
      fail(s, -res);
    }
  }

  void beginStop() {
    stopping_ = true;
    if (acceptArmed_) cancelOp(&acceptOp_);
    for (AcceptSlot& a : acceptSlots_) {
      if (a.armed) cancelOp(&a.op);
    }
    if (timerArmed_) cancelOp(&timerOp_);
    closeAll();
  }

  void handle(io_uring_cqe* c) {
    Op* op = static_cast<Op*>(io_uring_cqe_get_data(c));
    switch (op->type) {
      case OpType::Accept:
        if (direct_) {
          onAcceptDirect(reinterpret_cast<AcceptSlot*>(op), c->res);
        } else {
          onAccept(c);
        }
        break;
      case OpType::Recv: onRecv(op->session, c->res, c->flags); break;
      case OpType::Send: onSend(op->session, c->res); break;
      case OpType::Wake:
        --outstanding_;
        serveCloseRequests();
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
      case OpType::Control:
        --outstanding_;
        if (op->session) --op->session->ctlPending;
        break;
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
      reapClosed();
      if (stopping_ && outstanding_ == 0 && sessions_.empty()) break;
    }
    io_uring_submit(&ring_);
  }

 private:
  io_uring ring_{};
  bool ringReady_ = false;
  const char* taskRunMode_ = nullptr;  // the IORING_SETUP_*_TASKRUN mode in use, if any
  bool multishot_ = false;
  unsigned fileTableSize_ = 0;  // registered-file table slots (0: none)
  uint64_t wakeBuf_ = 0;
  Op wakeOp_{OpType::Wake, nullptr};
  Op acceptOp_{OpType::Accept, nullptr};
  Op timerOp_{OpType::Timer, nullptr};
  Op cancelOp_{OpType::Cancel, nullptr};
  Op ctlOp_{OpType::Control, nullptr};
  bool direct_ = false;  // sessions are direct descriptors (iouringSockets "direct")
  std::vector<AcceptSlot> acceptSlots_;  // direct: the posted accepts
  std::string listenerName_;             // direct: every session's local name
  __kernel_timespec backoff_{};
  bool acceptArmed_ = false;
  bool timerArmed_ = false;
  bool stopping_ = false;
  long outstanding_ = 0;  // SQEs whose final CQE has not been reaped yet
  std::vector<Session*> rearm_;  // multishot recvs that ended with -ENOBUFS
  Session* current_ = nullptr;   // the session whose received data is being handled
  ProvidedBuffers buffers_;  // destroyed after the ring (the destructor body) has unregistered it
};

class IoUringBackend : public posix::WorkerPoolBackend<Worker> {
 public:
  NativeError start(const EngineConfig& cfg, WorkerMetrics* metrics, BackendInfo* info) override {
    if (NativeError e = openListener(cfg, false)) return e;
    std::vector<std::promise<std::pair<NativeError, bool>>> ready(cfg_.workers);
    for (int i = 0; i < cfg_.workers; ++i) {
      workers_.emplace_back(new Worker(cfg_, metrics[i], sessionCount_));
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
    info->features.push_back(multishot && !workers_[0]->usesDirect() ? "multishot-accept" : "single-accept");
    // Read after every ready future: the workers set up their buffers before signalling.
    info->features.push_back(workers_[0]->usesBufRing() ? "multishot-recv+provided-buffers" : "single-recv");
    // Direct descriptors need the ring's file table (6.13+, see registerFileTable).
    if (workers_[0]->usesDirect()) {
      info->features.push_back("direct-descriptors");
    } else if (cfg_.iouringSockets == IouringSockets::Direct) {
      info->features.push_back("direct-descriptors-unavailable:fd-sockets");
    }
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
