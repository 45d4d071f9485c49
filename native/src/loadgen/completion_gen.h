// The half of a completion-model generator thread that does not depend on the platform's calls:
// IOCP on Windows (backends/iocp/loadgen_win.cc) and io_uring on Linux
// (backends/iouring/loadgen_iouring.cc) post operations and handle their completions, where
// epoll's generator calls send()/recv() when a socket is ready. Both keep one socket record (a
// Link) per connection attempt with its operation contexts, at most one receive and one send
// posted, and close a Link with operations pending by cancelling them and freeing it when the
// last completion has been handled (a storm reconnect gets a new Link, so a late completion never
// lands in reused memory). This layer holds that bookkeeping and the message accounting; the
// platform derives from CompletionGenThread<Self, Conn, Link> and supplies:
//
//   bool postRecv(Conn&)                      post a receive; false if the connection closed
//   bool rearmRecv(Conn&)                     after a receive's data: keep receiving (post again,
//                                             or nothing while a multishot receive stays armed)
//   void postSend(Conn&, const char*, size_t) post a send (sets link->sendLen, sendPending)
//   void cancelPending(Link&)                 ask the kernel to end the Link's posted operations
//   void closeSocket(Link&)                   close its socket (with RST when link.abortive)
//
// and hands each completion to linkDone() and then to sendCompleted()/recvCompleted().
#pragma once
#include <algorithm>
#include <cstdint>
#include <unordered_set>

#include "gen_thread.h"

namespace iocpm {

// What every platform's Link holds besides its socket and operation contexts.
template <class Conn>
struct CompletionLink {
  explicit CompletionLink(Conn* c) : conn(c) {}
  Conn* conn;       // null once closing
  int pending = 0;  // posted operations whose completion has not been handled yet
  bool recvPending = false, sendPending = false;
  bool closing = false, abortive = false;
  uint32_t sendLen = 0;  // bytes in the pending send
};

template <class Link>
struct CompletionConn : GenConn {
  Link* link = nullptr;   // the socket of the current attempt (set while Connecting/Open)
  uint64_t msgsSent = 0;  // messages whose last byte's send has completed
};

template <class Self, class Conn, class Link>
class CompletionGenThread : public GenThread<Self, Conn> {
  using Base = GenThread<Self, Conn>;

 protected:
  static constexpr size_t kRecvBudget = 256u << 20;  // all connections' receive buffers together
  static constexpr size_t kMinRecvBuf = 2048;

  CompletionGenThread(LoadRun& run, int tid, double burstSeconds) : Base(run, tid, burstSeconds) {
    const LoadConfig& cfg = run.cfg;
    size_t want = std::min(kMaxChunk, std::max<size_t>(4096, size_t(cfg.messageSize) * size_t(cfg.pipeline)));
    recvBufSize_ = std::max(kMinRecvBuf, std::min(want, kRecvBudget / size_t(cfg.connections)));
  }
  Self& self() { return static_cast<Self&>(*this); }

  // A new attempt: the platform makes the Link, this resets the connection's stream.
  void beginAttempt(Conn& cn) {
    cn.resetStream();
    cn.msgsSent = 0;
  }

  // Ends the connection's current socket: nothing pending -> closed and freed now; otherwise its
  // operations are cancelled, and it is closed and freed by the handler of its last completion.
  void closeConn(Conn& cn, bool abortive) {
    Link* l = cn.link;
    if (!l) return;
    if (cn.state == ConnState::Open) this->c_.drop(this->c_.active);
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
    self().cancelPending(*l);
  }

  void failConnect(Conn& cn, int err) {
    this->c_.bump(this->c_.connectsFailed);
    this->c_.error(err);
    closeConn(cn, false);
  }

  // The kernel holds nothing of `l` any more.
  void destroy(Link* l) {
    self().closeSocket(*l);
    zombies_.erase(l);
    delete l;
  }

  // The first step of every completion's handler: the operation is no longer pending, and a send
  // that moved bytes counts them (bytes a completed send handed to the kernel reach the server
  // even if we close now). False when the Link is closing: the handler stops there (and the Link
  // has been freed if that was its last operation).
  bool linkDone(Link* l, bool isSend, bool isRecv, bool ok, uint64_t bytes) {
    --l->pending;
    if (isRecv) l->recvPending = false;
    if (isSend) {
      l->sendPending = false;
      if (ok) this->c_.bump(this->c_.bytesSent, bytes);
    }
    if (!l->closing) return true;
    if (l->pending == 0) destroy(l);
    return false;
  }

  // Hands the next stream bytes of the started messages to a send.
  void sendStream(Conn& cn, size_t maxLen) {
    size_t len = size_t(std::min<uint64_t>(cn.unsent, maxLen));
    cn.unsent -= len;
    self().postSend(cn, pattern_table().at(cn.id, cn.sentBytes), len);
  }

  // Starts as many messages as the pipeline, the rate and the budget allow (up to one chunk) and
  // sends them with one operation.
  void pump(Conn& cn) {
    if (cn.state != ConnState::Open || cn.writeShut || cn.fault == Fault::Trickle || cn.link->sendPending) return;
    while (cn.unsent < kMaxChunk && this->beginMessage(cn)) {
    }
    if (cn.state == ConnState::Open && cn.unsent > 0) sendStream(cn, kMaxChunk);
  }

  // A send completed with `bytes` of its sendLen: every message whose last byte went is sent.
  void sendCompleted(Conn& cn, uint64_t bytes) {
    cn.sentBytes += bytes;
    cn.unsent += cn.link->sendLen - bytes;  // a short send leaves the rest for the next one
    const uint64_t size = uint64_t(this->run_.cfg.messageSize);
    while (cn.msgsSent < cn.msgsStarted && cn.sentBytes >= (cn.msgsSent + 1) * size) {
      cn.msgsSent++;
      this->messageSent(cn);
    }
    if (cn.fault == Fault::Trickle) return;  // its timer sends the next byte
    pump(cn);
  }

  // A receive completed with r bytes at `data` (0: the server closed, or finished our
  // half-close). `data` is not used after this returns.
  void recvCompleted(Conn& cn, const char* data, uint64_t r) {
    if (r == 0) {
      closeConn(cn, false);
      return;
    }
    // An echo may be handled before its send's own completion: compare with what has been posted.
    uint64_t posted = cn.sentBytes + (cn.link->sendPending ? cn.link->sendLen : 0);
    this->onEchoBytes(cn, data, size_t(r), posted);
    if (self().rearmRecv(cn)) pump(cn);
  }

  // The size of one receive buffer: a connection's own (IOCP) or one of the ring's (io_uring).
  size_t recvBufSize() const { return recvBufSize_; }

  // ---- what GenThread asks of a platform, the same for both ----
  bool startReading(Conn& cn) { return self().postRecv(cn); }
  bool canSendNow(const Conn& cn) const { return !cn.link->sendPending; }
  bool sendInFlight(const Conn& cn) const { return cn.link->sendPending; }
  void sendTrickleByte(Conn& cn) { sendStream(cn, 1); }

  std::unordered_set<Link*> zombies_;  // closing, operations still pending

 private:
  size_t recvBufSize_ = kMinRecvBuf;
};

}  // namespace iocpm
