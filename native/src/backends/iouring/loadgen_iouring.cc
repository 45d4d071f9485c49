// Load generator on Linux with io_uring: each generator thread drives its share of the connections
// through its own ring, in the completion model of the Windows generator (backends/iocp/
// loadgen_win.cc; the bookkeeping both share is loadgen/completion_gen.h) rather than epoll's
// readiness model. Every connect, receive and send is an operation whose context lives in the
// connection's socket record (a Link) until its CQE has been reaped, and the thread submits what
// its handlers queued and waits for completions in one io_uring_enter per loop turn, with a
// timeout of at most 50 ms so stop, ramp-up, rate and trickle timers are serviced.
//
// Why a second Linux generator: per message, epoll's loop costs a send() and a recv() system
// call plus its share of epoll_wait; here the sends of a whole loop turn go to the kernel in that
// turn's one io_uring_enter, each connection's receive is one multishot receive armed once (its
// data lands in a ring of provided buffers, so idle connections hold no receive memory), and with
// DEFER_TASKRUN the completions are posted in one batch when the thread asks for them (README,
// Performance: the CPU per message measured against the epoll generator and a minimal C client).
//
// As on Windows, one send is outstanding per connection and carries every message the pipeline,
// the rate and the budget allow (up to 64 KiB). The Garbage, Reset and HalfClose faults act with
// plain non-blocking calls when no send is pending, exactly as the epoll generator does.
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "../../loadgen/completion_gen.h"
#include "../posix/loadgen_linux.h"
#include "provided_buffers.h"

namespace iocpm {
namespace {

constexpr unsigned kSqEntries = 1024;
constexpr unsigned kBatch = 256;                  // CQEs handled per peek
constexpr double kBurstSeconds = 0.01;            // waits are timed in milliseconds: 10 ms of tokens
constexpr uint64_t kCloseWaitNs = 2000000000ull;  // the final drain's wait for cancelled operations

enum class OpKind : uint8_t { Connect, Recv, Send };

struct Link;
using Conn = CompletionConn<Link>;

// The per-operation context: its address is the SQE's user_data (0: a cancel, whose CQE is ignored).
struct IoOp {
  IoOp(OpKind k, Link* l) : kind(k), link(l) {}
  OpKind kind;
  Link* link;
};

struct Link : CompletionLink<Conn> {
  Link(int f, Conn* c) : CompletionLink(c), fd(f) {}
  int fd;
  IoOp connectOp{OpKind::Connect, this}, recvOp{OpKind::Recv, this}, sendOp{OpKind::Send, this};
  bool connectPending = false;  // the connect is posted (receive and send: CompletionLink's flags)
};

// A ring as every generator thread makes it. SINGLE_ISSUER + DEFER_TASKRUN (6.1+): completion work
// runs only when the thread waits, in one batch, as the engine's io_uring workers do.
int init_ring(io_uring* ring, unsigned cqEntries) {
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
  p.cq_entries = cqEntries;
  return io_uring_queue_init_params(kSqEntries, ring, &p);
}

class UringGenThread : public CompletionGenThread<UringGenThread, Conn, Link> {
 public:
  UringGenThread(LinuxRun& g, int tid) : CompletionGenThread(g, tid, kBurstSeconds), g_(g) {}
  ~UringGenThread() {
    if (ready_) io_uring_queue_exit(&ring_);
    // A Link whose cancelled operation never completed (see finish) is freed only now, after the
    // ring's exit has ended every request that could still write it.
    for (Link* l : zombies_) {
      ::close(l->fd);
      delete l;
    }
  }

  // Each connection has at most three operations (connect, receive, send) and a cancel each.
  // Non-zero when the ring or its buffer ring cannot be made (the thread then runs epoll's loop).
  int init() {
    int conns = (g_.cfg.connections + g_.cfg.threads - 1) / g_.cfg.threads;
    unsigned cq = 4096;
    while (cq < unsigned(conns) * 6 && cq < 65536) cq <<= 1;
    int r = init_ring(&ring_, cq);
    ready_ = r == 0;
    if (r != 0) return r;
    return bufs_.setup(&ring_, recvBufSize(), bufferCount(unsigned(conns))) ? 0 : -ENOSYS;
  }

  // Provided buffers: one per connection (a loop turn can bring data on every one before any
  // buffer returns; a receive that finds the ring empty ends with -ENOBUFS and is armed again),
  // a power of two from 64 to 32,768, and at most 64 MiB of them.
  unsigned bufferCount(unsigned conns) const {
    unsigned n = 64;
    while (n < conns && n < 32768 && size_t(n) * 2 * recvBufSize() <= (64u << 20)) n <<= 1;
    return n;
  }

 private:
  friend class GenThread<UringGenThread, Conn>;
  friend class CompletionGenThread<UringGenThread, Conn, Link>;

  // Submits what the last turn queued and waits for at least one completion (or the timeout).
  void waitAndHandle(int timeoutMs) {
    __kernel_timespec ts{};
    ts.tv_sec = timeoutMs / 1000;
    ts.tv_nsec = (timeoutMs % 1000) * 1000000ll;
    io_uring_cqe* cqe = nullptr;
    int r = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    afterWait();
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
      c_.error(-r);  // unexpected on a healthy ring: count it, do not spin at full speed
      ::usleep(1000);
    }
    reap();
  }

  // Handles every completion there is. The CQEs are copied out and the ring advanced before any
  // handler runs, so handlers may submit (and complete inline) freely.
  void reap() {
    for (;;) {
      io_uring_cqe* cqes[kBatch];
      unsigned n = io_uring_peek_batch_cqe(&ring_, cqes, kBatch);
      if (n == 0) return;
      uint64_t ud[kBatch];
      int res[kBatch];
      unsigned flags[kBatch];
      for (unsigned i = 0; i < n; ++i) {
        ud[i] = cqes[i]->user_data;
        res[i] = cqes[i]->res;
        flags[i] = cqes[i]->flags;
      }
      io_uring_cq_advance(&ring_, n);
      for (unsigned i = 0; i < n; ++i) {
        if (ud[i]) complete(*reinterpret_cast<IoOp*>(ud[i]), res[i], flags[i]);
      }
    }
  }

  // Every connection is closed by now; wait for the CQEs of the cancelled operations so no
  // context is freed while the kernel may still write it (what is left is freed after the ring's
  // exit, in the destructor).
  void finish() {
    for (auto& cn : conns_) closeConn(*cn, cn->fault == Fault::Slow);
    uint64_t deadline = mono_ns() + kCloseWaitNs;
    while (!zombies_.empty() && mono_ns() < deadline) waitAndHandle(kMaxWaitMs);
  }

  // A free SQE: when the submission queue is full, what it holds is submitted first.
  io_uring_sqe* sqe() {
    io_uring_sqe* s = io_uring_get_sqe(&ring_);
    while (!s) {
      io_uring_submit(&ring_);
      s = io_uring_get_sqe(&ring_);
    }
    return s;
  }

  void post(io_uring_sqe* s, IoOp& op) {
    io_uring_sqe_set_data(s, &op);
    ++op.link->pending;
  }

  // ---- socket life cycle ----

  void openConn(Conn& cn) {
    beginAttempt(cn);
    // A blocking socket: io_uring tries each operation without waiting and, when it would
    // block, waits for readiness itself (on a non-blocking one it would end it with EAGAIN).
    int fd = ::socket(g_.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return noSocket(cn, errno);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    Link* l = new Link(fd, &cn);
    cn.link = l;
    cn.state = ConnState::Connecting;
    io_uring_sqe* s = sqe();
    io_uring_prep_connect(s, fd, reinterpret_cast<const sockaddr*>(&g_.addr), g_.addrLen);
    post(s, l->connectOp);
    l->connectPending = true;
  }

  void cancelPending(Link& l) {
    const std::pair<IoOp*, bool> ops[] = {{&l.connectOp, l.connectPending}, {&l.recvOp, l.recvPending}, {&l.sendOp, l.sendPending}};
    for (const auto& [op, pending] : ops) {
      if (!pending) continue;
      io_uring_sqe* s = sqe();
      io_uring_prep_cancel64(s, reinterpret_cast<uint64_t>(op), 0);
      io_uring_sqe_set_data64(s, 0);
    }
  }

  void closeSocket(Link& l) {
    if (l.abortive) {
      linger lg{1, 0};  // close() sends RST
      ::setsockopt(l.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    }
    ::close(l.fd);
  }

  // ---- posting ----

  // One multishot receive per connection: it stays armed, and each CQE names the provided buffer
  // its data landed in (returned to the ring once handled).
  bool postRecv(Conn& cn) {
    Link& l = *cn.link;
    io_uring_sqe* s = sqe();
    io_uring_prep_recv_multishot(s, l.fd, nullptr, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = ProvidedBuffers::kGroup;
    post(s, l.recvOp);
    l.recvPending = true;
    return true;
  }
  bool rearmRecv(Conn& cn) { return cn.link->recvPending || postRecv(cn); }

  // One send in flight per connection; `p` stays valid until its CQE (the pattern table).
  void postSend(Conn& cn, const char* p, size_t len) {
    Link& l = *cn.link;
    io_uring_sqe* s = sqe();
    io_uring_prep_send(s, l.fd, p, len, MSG_NOSIGNAL);
    l.sendLen = uint32_t(len);
    l.sendPending = true;
    post(s, l.sendOp);
  }

  // ---- behaviour ----

  long sendNow(Conn& cn, const char* p, size_t n) { return long(::send(cn.link->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT)); }
  void shutdownWrite(Conn& cn) { ::shutdown(cn.link->fd, SHUT_WR); }  // no send is pending (pump)
  void sendThenReset(Conn& cn, const char* p, size_t n) {
    long w = sendNow(cn, p, n);
    if (w > 0) c_.bump(c_.bytesSent, uint64_t(w));
    closeConn(cn, true);
  }

  // ---- completions ----

  void complete(IoOp& op, int res, unsigned flags) {
    if (op.kind == OpKind::Recv) return recvDone(op, res, flags);
    Link* l = op.link;
    if (op.kind == OpKind::Connect) l->connectPending = false;
    if (!linkDone(l, op.kind == OpKind::Send, false, res >= 0, res > 0 ? uint64_t(res) : 0)) return;
    Conn& cn = *l->conn;
    if (res < 0 && op.kind == OpKind::Connect) return failConnect(cn, -res);
    if (op.kind == OpKind::Connect) return onConnected(cn);
    if (res < 0) {  // a failed receive or send ends the connection (e.g. ECONNRESET)
      c_.error(-res);
      closeConn(cn, false);
      return;
    }
    sendCompleted(cn, uint64_t(res));
  }

  // A CQE of a connection's multishot receive. With F_MORE it stays armed (and still pending);
  // without, it has ended: EOF, an error, a cancel, or -ENOBUFS when every provided buffer was in
  // use (the data waits in the socket; it is armed again at once, the buffers of this batch
  // being back in the ring by then).
  void recvDone(IoOp& op, int res, unsigned flags) {
    Link* l = op.link;
    const bool more = flags & IORING_CQE_F_MORE;
    const bool hasBuf = flags & IORING_CQE_F_BUFFER;
    const unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
    const char* data = hasBuf ? bufs_.data(bid) : nullptr;
    if (!more) {
      if (!linkDone(l, false, true, res >= 0, 0)) return recycle(hasBuf, bid);
    } else if (l->closing) {
      return recycle(hasBuf, bid);
    }
    Conn& cn = *l->conn;
    if (res == -ENOBUFS) {
      postRecv(cn);
    } else if (res < 0) {  // e.g. ECONNRESET
      c_.error(-res);
      closeConn(cn, false);
    } else {
      recvCompleted(cn, data, uint64_t(res));  // may close (and free) the Link, never the buffer
    }
    recycle(hasBuf, bid);
  }

  void recycle(bool hasBuf, unsigned bid) {
    if (hasBuf) bufs_.recycle(bid);
  }

  LinuxRun& g_;
  io_uring ring_{};
  bool ready_ = false;
  ProvidedBuffers bufs_;  // after ring_: unregistered by the ring's exit, freed after it
};

}  // namespace

bool run_iouring_thread(LinuxRun& run, int tid) {
  UringGenThread t(run, tid);
  if (t.init() != 0) return false;
  t.run();
  return true;
}

// What a generator thread's init() needs: the ring and a buffer ring on it.
std::string iouring_generator_unavailable() {
  io_uring ring;
  int r = init_ring(&ring, 4096);
  if (r < 0) return std::string("io_uring_queue_init: ") + std::strerror(-r);
  std::string why;
  {
    ProvidedBuffers probe;
    if (!probe.setup(&ring, 2048, 64)) why = "io_uring_register_buf_ring refused";
    io_uring_queue_exit(&ring);  // before the buffers are freed
  }
  return why;
}

}  // namespace iocpm
