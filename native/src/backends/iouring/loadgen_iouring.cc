// Load generator on Linux with io_uring: each generator thread drives its share of the connections
// through its own ring, in the completion model of the Windows generator (backends/iocp/
// loadgen_win.cc) rather than epoll's readiness model. Every connect, receive and send is an
// operation whose context lives in the connection's socket record (a Link) until its CQE has been
// reaped, and the thread submits what its handlers queued and waits for completions in one
// io_uring_enter per loop turn, with a timeout of at most 50 ms so stop, ramp-up, rate and
// trickle timers are serviced.
//
// Why a second Linux generator: per message, epoll's loop costs a send() and a recv() system
// call plus its share of epoll_wait; here the sends and receives of a whole loop turn go to the
// kernel in that turn's one io_uring_enter (README, Performance: the measured difference).
//
// What differs from epoll's generator, as on Windows:
//   * One send is outstanding per connection; it carries every message the pipeline, the rate
//     and the budget allow (up to 64 KiB). A message counts as sent when the CQE of its last
//     byte's send is reaped.
//   * Closing a socket with operations pending cancels them and closes the descriptor when the
//     last CQE is reaped; a storm reconnect gets a new Link, so a late CQE never lands in
//     reused memory.
// The Garbage, Reset and HalfClose faults act with plain non-blocking calls when no send is
// pending, exactly as the epoll generator does.
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "../../loadgen/gen_thread.h"
#include "../posix/loadgen_linux.h"

namespace iocpm {
namespace {

constexpr unsigned kSqEntries = 1024;
constexpr unsigned kBatch = 256;               // CQEs handled per peek
constexpr size_t kRecvBudget = 256u << 20;     // all connections' receive buffers together
constexpr size_t kMinRecvBuf = 2048;
constexpr double kBurstSeconds = 0.01;         // waits are timed in milliseconds: 10 ms of tokens
constexpr uint64_t kCloseWaitNs = 2000000000ull;  // the final drain's wait for cancelled operations

enum class OpKind : uint8_t { Connect, Recv, Send };

struct Link;

// The per-operation context: its address is the SQE's user_data (0: a cancel, whose CQE is ignored).
struct IoOp {
  IoOp(OpKind k, Link* l) : kind(k), link(l) {}
  OpKind kind;
  Link* link;
};

struct Conn : GenConn {
  Link* link = nullptr;   // the socket of the current attempt (set while Connecting/Open)
  uint64_t msgsSent = 0;  // messages whose last byte's send has completed
};

// One socket and its operations. Outlives its connection attempt while operations are pending: a
// closing Link is detached from its Conn and freed by the handler of its last CQE.
struct Link {
  Link(int f, Conn* c) : fd(f), conn(c) {}
  int fd;
  Conn* conn;  // null once closing
  IoOp connectOp{OpKind::Connect, this}, recvOp{OpKind::Recv, this}, sendOp{OpKind::Send, this};
  int pending = 0;  // posted operations whose CQE has not been handled yet
  bool connectPending = false, recvPending = false, sendPending = false;
  bool closing = false, abortive = false;
  unsigned sendLen = 0;         // bytes in the pending send
  std::unique_ptr<char[]> buf;  // receive buffer (allocated on the first receive)
};

// A ring as every generator thread makes it. SINGLE_ISSUER + DEFER_TASKRUN (6.1+): completion work
// runs only when the thread waits, in one batch, as the engine's io_uring workers do.
int init_ring(io_uring* ring, unsigned cqEntries) {
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
  p.cq_entries = cqEntries;
  return io_uring_queue_init_params(kSqEntries, ring, &p);
}

class UringGenThread : public GenThread<UringGenThread, Conn> {
 public:
  UringGenThread(LinuxRun& g, int tid) : GenThread(g, tid, kBurstSeconds), g_(g) {
    const LoadConfig& cfg = g.cfg;
    size_t want = std::min(kMaxChunk, std::max<size_t>(4096, size_t(cfg.messageSize) * size_t(cfg.pipeline)));
    recvBufSize_ = std::max(kMinRecvBuf, std::min(want, kRecvBudget / size_t(cfg.connections)));
  }
  ~UringGenThread() {
    if (ready_) io_uring_queue_exit(&ring_);
    // A Link whose cancelled operation never completed (see drainAll) is freed only now, after
    // the ring's exit has ended every request that could still write it.
    for (Link* l : zombies_) {
      ::close(l->fd);
      delete l;
    }
  }

  // Each connection has at most three operations (connect, receive, send) and a cancel each.
  int init() {
    int conns = (g_.cfg.connections + g_.cfg.threads - 1) / g_.cfg.threads;
    unsigned cq = 4096;
    while (cq < unsigned(conns) * 6 && cq < 65536) cq <<= 1;
    int r = init_ring(&ring_, cq);
    ready_ = r == 0;
    return r;
  }

 private:
  friend class GenThread<UringGenThread, Conn>;

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
      for (unsigned i = 0; i < n; ++i) {
        ud[i] = cqes[i]->user_data;
        res[i] = cqes[i]->res;
      }
      io_uring_cq_advance(&ring_, n);
      for (unsigned i = 0; i < n; ++i) {
        if (ud[i]) complete(*reinterpret_cast<IoOp*>(ud[i]), res[i]);
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

  // ---- socket life cycle ----

  void openConn(Conn& cn) {
    cn.resetStream();
    cn.msgsSent = 0;
    // A blocking socket: io_uring tries each operation without waiting and, when it would
    // block, waits for readiness itself (on a non-blocking one it would end it with EAGAIN).
    int fd = ::socket(g_.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      c_.bump(c_.connectsFailed);
      c_.error(errno);
      cn.state = ConnState::Closed;
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    Link* l = new Link(fd, &cn);
    cn.link = l;
    cn.state = ConnState::Connecting;
    io_uring_sqe* s = sqe();
    io_uring_prep_connect(s, fd, reinterpret_cast<const sockaddr*>(&g_.addr), g_.addrLen);
    post(s, l->connectOp, l->connectPending);
  }

  void post(io_uring_sqe* s, IoOp& op, bool& pendingFlag) {
    io_uring_sqe_set_data(s, &op);
    pendingFlag = true;
    ++op.link->pending;
  }

  void failConnect(Conn& cn, int err) {
    c_.bump(c_.connectsFailed);
    c_.error(err);
    closeConn(cn, false);
  }

  // Ends the connection's current socket: nothing pending -> closed and freed now; otherwise its
  // operations are cancelled, and it is closed and freed by the handler of its last CQE.
  void closeConn(Conn& cn, bool abortive) {
    Link* l = cn.link;
    if (!l) return;
    if (cn.state == ConnState::Open) c_.drop(c_.active);
    cn.state = ConnState::Closed;
    cn.link = nullptr;
    l->conn = nullptr;
    l->closing = true;
    l->abortive = abortive;
    if (l->pending == 0) {
      destroy(l);
      return;
    }
    zombies_.insert(l);
    for (IoOp* op : {&l->connectOp, &l->recvOp, &l->sendOp}) {
      bool pending = op == &l->connectOp ? l->connectPending : op == &l->recvOp ? l->recvPending : l->sendPending;
      if (!pending) continue;
      io_uring_sqe* s = sqe();
      io_uring_prep_cancel64(s, reinterpret_cast<uint64_t>(op), 0);
      io_uring_sqe_set_data64(s, 0);
    }
  }

  // The kernel holds nothing of `l` any more.
  void destroy(Link* l) {
    if (l->abortive) {
      linger lg{1, 0};  // close() sends RST
      ::setsockopt(l->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    }
    ::close(l->fd);
    zombies_.erase(l);
    delete l;
  }

  // ---- posting ----

  void postRecv(Conn& cn) {
    Link& l = *cn.link;
    if (!l.buf) l.buf.reset(new char[recvBufSize_]);
    io_uring_sqe* s = sqe();
    io_uring_prep_recv(s, l.fd, l.buf.get(), recvBufSize_, 0);
    post(s, l.recvOp, l.recvPending);
  }

  // One send in flight per connection; `p` stays valid until its CQE (the pattern table).
  void postSend(Conn& cn, const char* p, size_t len) {
    Link& l = *cn.link;
    io_uring_sqe* s = sqe();
    io_uring_prep_send(s, l.fd, p, len, MSG_NOSIGNAL);
    l.sendLen = unsigned(len);
    post(s, l.sendOp, l.sendPending);
  }

  // Hands the next stream bytes of the started messages to a send.
  void sendStream(Conn& cn, size_t maxLen) {
    size_t len = size_t(std::min<uint64_t>(cn.unsent, maxLen));
    cn.unsent -= len;
    postSend(cn, pattern_table().at(cn.id, cn.sentBytes), len);
  }

  // ---- behaviour ----

  long sendNow(Conn& cn, const char* p, size_t n) { return long(::send(cn.link->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT)); }
  void shutdownWrite(Conn& cn) { ::shutdown(cn.link->fd, SHUT_WR); }  // no send is pending (pump)
  void sendThenReset(Conn& cn, const char* p, size_t n) {
    long w = sendNow(cn, p, n);
    if (w > 0) c_.bump(c_.bytesSent, uint64_t(w));
    closeConn(cn, true);
  }

  // Starts as many messages as the pipeline, the rate and the budget allow (up to one chunk) and
  // sends them with one operation.
  void pump(Conn& cn) {
    if (cn.state != ConnState::Open || cn.writeShut || cn.fault == Fault::Trickle || cn.link->sendPending) return;
    while (cn.unsent < kMaxChunk && beginMessage(cn)) {
    }
    if (cn.state == ConnState::Open && cn.unsent > 0) sendStream(cn, kMaxChunk);
  }

  // ---- completions ----

  void complete(IoOp& op, int res) {
    Link* l = op.link;
    --l->pending;
    int err = res < 0 ? -res : 0;
    switch (op.kind) {
      case OpKind::Connect: l->connectPending = false; break;
      case OpKind::Recv: l->recvPending = false; break;
      case OpKind::Send:
        l->sendPending = false;
        // Bytes a completed send handed to the kernel reach the server even if we close now.
        if (res > 0) c_.bump(c_.bytesSent, uint64_t(res));
        break;
    }
    if (l->closing) {
      if (l->pending == 0) destroy(l);
      return;
    }
    Conn& cn = *l->conn;
    if (op.kind == OpKind::Connect) {
      if (err) return failConnect(cn, err);
      return onConnected(cn);
    }
    if (err) {  // a failed receive or send ends the connection (e.g. ECONNRESET)
      c_.error(err);
      closeConn(cn, false);
      return;
    }
    if (op.kind == OpKind::Recv) onRecv(cn, unsigned(res));
    else onSend(cn, unsigned(res));
  }

  void onSend(Conn& cn, unsigned bytes) {
    const LoadConfig& cfg = g_.cfg;
    cn.sentBytes += bytes;
    cn.unsent += cn.link->sendLen - bytes;  // a short send leaves the rest for the next one
    while (cn.msgsSent < cn.msgsStarted && cn.sentBytes >= (cn.msgsSent + 1) * uint64_t(cfg.messageSize)) {
      cn.msgsSent++;
      messageSent(cn);
    }
    if (cn.fault == Fault::Trickle) return;  // its timer sends the next byte
    pump(cn);
  }

  void onRecv(Conn& cn, unsigned r) {
    if (r == 0) {
      closeConn(cn, false);  // server closed (or finished our half-close)
      return;
    }
    // An echo may be reaped before its send's own CQE: compare with what has been posted.
    uint64_t posted = cn.sentBytes + (cn.link->sendPending ? cn.link->sendLen : 0);
    onEchoBytes(cn, cn.link->buf.get(), r, posted);
    postRecv(cn);
    pump(cn);
  }

  // ---- what the shared thread asks of this platform ----

  bool startReading(Conn& cn) {
    postRecv(cn);
    return true;
  }
  bool canSendNow(const Conn& cn) const { return !cn.link->sendPending; }
  bool sendInFlight(const Conn& cn) const { return cn.link->sendPending; }
  void sendTrickleByte(Conn& cn) { sendStream(cn, 1); }

  LinuxRun& g_;
  io_uring ring_{};
  bool ready_ = false;
  size_t recvBufSize_ = kMinRecvBuf;
  std::unordered_set<Link*> zombies_;  // closing, operations still pending
};

}  // namespace

bool run_iouring_thread(LinuxRun& run, int tid) {
  UringGenThread t(run, tid);
  if (t.init() != 0) return false;
  t.run();
  return true;
}

std::string iouring_generator_unavailable() {
  io_uring ring;
  int r = init_ring(&ring, 4096);
  if (r < 0) return std::string("io_uring_queue_init: ") + std::strerror(-r);
  io_uring_queue_exit(&ring);
  return "";
}

}  // namespace iocpm
