// The portable half of one load-generator thread: its connections, the run loop (ramp-up,
// deadline, drain of the last echoes), the token-bucket rate limiter, how a message is started
// and how echoes are verified and timed. A platform's thread derives from GenThread<Self, Conn>
// (Conn derives from GenConn) and supplies the socket work:
//
//   void openConn(Conn&)                 start a connection attempt (ramp-up, storm reconnects)
//   void closeConn(Conn&, bool abortive)
//   bool startReading(Conn&)             arm receiving on a new connection; false if it closed
//   void pump(Conn&)                     send what the pipeline, the rate and the budget allow
//                                        (starting each message with beginMessage)
//   long sendNow(Conn&, const char*, size_t)  a non-blocking send: bytes taken, or <= 0
//   void shutdownWrite(Conn&)            send our FIN (the HalfClose fault)
//   void sendThenReset(Conn&, const char*, size_t)  send these bytes, then close abortively
//   bool canSendNow(const Conn&) const   no send of this connection is in flight
//   void sendTrickleByte(Conn&)          the next byte of a Trickle connection's stream
//   bool sendInFlight(const Conn&) const the drain must wait for this connection's send
//   void waitAndHandle(int timeoutMs)    wait for socket events (at most timeoutMs) and handle them
//   void finish()                        after the loop: close every connection and drain
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "../core/metrics.h"
#include "loadgen_shared.h"

namespace iocpm {

enum class ConnState { Waiting, Connecting, Open, Closed };

// What every platform's connection record holds.
struct GenConn {
  int id = 0;
  Fault fault = Fault::None;
  ConnState state = ConnState::Waiting;
  uint64_t openAtNs = 0;
  uint64_t sentBytes = 0;           // stream bytes handed to (posix) or completed by (iocp) a send
  uint64_t unsent = 0;              // bytes of started messages not yet handed to a send
  uint64_t recvBytes = 0;
  uint64_t msgsStarted = 0, msgsDone = 0;
  std::deque<uint64_t> startTimes;  // first-byte send time of each outstanding message
  bool starved = false;             // waiting for a rate token
  bool writeShut = false;           // HalfClose: our side has sent FIN

  // A new attempt starts a new byte stream.
  void resetStream() {
    sentBytes = unsent = recvBytes = msgsStarted = msgsDone = 0;
    startTimes.clear();
    starved = writeShut = false;
  }
};

template <class Self, class Conn>
class GenThread {
 public:
  // burstSeconds: how many seconds of tokens the rate limiter may hold. It must cover the
  // longest the thread can sleep between refills, or the average rate falls short.
  GenThread(LoadRun& run, int tid, double burstSeconds) : run_(run), c_(*run.counters[tid]), tid_(tid), burstSeconds_(burstSeconds) {}

  void run() {
    const LoadConfig& cfg = run_.cfg;
    for (int i = tid_; i < cfg.connections; i += cfg.threads) {
      auto cn = std::make_unique<Conn>();
      cn->id = i;
      cn->fault = pick_fault(cfg, i);
      cn->openAtNs = run_.startNs + (cfg.rampUpMs > 0 ? uint64_t(cfg.rampUpMs) * 1000000ull * uint64_t(i) / uint64_t(cfg.connections) : 0);
      conns_.push_back(std::move(cn));
    }
    rate_ = cfg.rate > 0 ? cfg.rate / cfg.threads : 0;
    tokens_ = rate_ > 0 ? std::min(rate_ / 100.0 + 1, 100.0) : 0;
    lastRefill_ = mono_ns();
    size_t nextOpen = 0;
    uint64_t drainStart = 0;
    for (;;) {
      uint64_t now = mono_ns();
      turnNs_ = now;
      if (run_.stopFlag.load(std::memory_order_relaxed)) break;
      bool over = run_.sendingOver(now);
      if (over) {
        if (!drainStart) drainStart = now;
        if (!anyOutstanding() || now - drainStart > kDrainNs) break;
      }
      while (!over && nextOpen < conns_.size() && conns_[nextOpen]->openAtNs <= now) self().openConn(*conns_[nextOpen++]);
      if (rate_ > 0) refill(now);
      if (!over) {
        serveStarved();
        tickTrickle(now);
      }
      int timeout = kMaxWaitMs;
      if (!over && nextOpen < conns_.size()) {
        uint64_t dt = conns_[nextOpen]->openAtNs > now ? (conns_[nextOpen]->openAtNs - now) / 1000000ull : 0;
        timeout = static_cast<int>(std::min<uint64_t>(dt, kMaxWaitMs));
      }
      if (!starved_.empty() || !trickle_.empty()) timeout = std::min(timeout, 1);
      self().waitAndHandle(timeout);
    }
    self().finish();
  }

 protected:
  static constexpr int kMaxWaitMs = 50;  // longest wait for events: stop is seen within this

  // The clock of this loop turn, as libuv keeps its loop time: read when the turn starts and when
  // the backend's wait returns (afterWait()), and used for every message sent and echo verified
  // in it. Two clock reads per turn instead of two per message: 1-2 % less generator CPU per
  // message (README, Performance); a latency is off by at most the time to handle one batch.
  uint64_t turnNs_ = 0;
  void afterWait() { turnNs_ = mono_ns(); }

  Self& self() { return static_cast<Self&>(*this); }
  const Self& self() const { return static_cast<const Self&>(*this); }

  // A connection attempt failed before it had a socket (descriptor or buffer limits): counted, and
  // the connection stays closed.
  void noSocket(Conn& cn, int err) {
    c_.bump(c_.connectsFailed);
    c_.error(err);
    cn.state = ConnState::Closed;
  }

  // The fault (or the normal echo loop) a freshly connected connection starts.
  void onConnected(Conn& cn) {
    cn.state = ConnState::Open;
    c_.bump(c_.connectsOk);
    c_.bump(c_.active);
    switch (cn.fault) {
      case Fault::Vanish:
        c_.bump(c_.faults[int(Fault::Vanish)]);
        self().closeConn(cn, false);
        return;
      case Fault::Storm:
        // Connect storm: close and reconnect at once, for as long as the run lasts.
        c_.bump(c_.faults[int(Fault::Storm)]);
        self().closeConn(cn, false);
        if (!run_.sendingOver(mono_ns())) self().openConn(cn);
        return;
      case Fault::Garbage:
        c_.bump(c_.faults[int(Fault::Garbage)]);
        self().sendGarbage(cn);
        return;
      case Fault::Trickle:
        c_.bump(c_.faults[int(Fault::Trickle)]);
        trickle_.push_back(&cn);
        self().startReading(cn);
        return;
      case Fault::Slow:
        c_.bump(c_.faults[int(Fault::Slow)]);
        self().pump(cn);  // a slow reader keeps writing, never reads
        return;
      case Fault::HalfClose:
        c_.bump(c_.faults[int(Fault::HalfClose)]);
        if (self().startReading(cn)) self().pump(cn);
        return;
      default:
        if (self().startReading(cn)) self().pump(cn);
        return;
    }
  }

  // The pipeline holds as many unanswered messages as allowed (a slow reader is never held).
  bool pipelineFull(const Conn& cn) const {
    const LoadConfig& cfg = run_.cfg;
    return cn.fault != Fault::Slow && cfg.expectEcho && cn.msgsStarted - cn.msgsDone >= uint64_t(cfg.pipeline);
  }

  // Starts one message (its bytes join `unsent`) if the deadline, a rate token and the budget
  // allow; a connection refused a token waits in the starved queue for the next refill.
  bool startMessage(Conn& cn, uint64_t now) {
    if (run_.sendingOver(now)) return false;
    if (!takeToken()) {
      if (!cn.starved) {
        cn.starved = true;
        starved_.push_back(&cn);
      }
      return false;
    }
    if (!run_.takeMessage()) return false;
    cn.unsent += uint64_t(run_.cfg.messageSize);
    cn.msgsStarted++;
    cn.startTimes.push_back(now);
    return true;
  }

  // Starts the next message, applying the faults that act at a message boundary. False when
  // nothing more may be started now: the pipeline is full, no token or budget is left, the
  // HalfClose fault shut our side (once the started messages went out), or the Reset fault took
  // the connection.
  bool beginMessage(Conn& cn) {
    if (pipelineFull(cn)) return false;
    if (cn.fault == Fault::HalfClose && cn.msgsStarted >= 4) {
      if (cn.unsent > 0) return false;  // finish the started messages first
      self().shutdownWrite(cn);         // then read every echo until the server's FIN
      cn.writeShut = true;
      return false;
    }
    if (!startMessage(cn, turnNs_)) return false;
    if (cn.fault != Fault::Reset) return true;
    // Reset mid-message: half of a message, then RST.
    c_.bump(c_.faults[int(Fault::Reset)]);
    cn.unsent = 0;
    size_t half = std::max<size_t>(1, size_t(run_.cfg.messageSize) / 2);
    self().sendThenReset(cn, pattern_table().at(cn.id, 0), std::min(half, kMaxChunk));
    return false;
  }

  // The Garbage fault: an oversized burst of bytes the server never asked for, as much as the
  // socket takes right now, then an abortive close.
  void sendGarbage(Conn& cn) {
    static const std::vector<char> junk(kGarbageBytes, '\xff');
    size_t off = 0;
    for (int tries = 0; off < junk.size() && tries < 1000; ++tries) {
      long w = self().sendNow(cn, junk.data() + off, std::min(junk.size() - off, kMaxChunk));
      if (w <= 0) break;  // its buffer is full or the send failed: reset now
      off += size_t(w);
      c_.bump(c_.bytesSent, uint64_t(w));
    }
    self().closeConn(cn, true);
  }

  // The last byte of a message went out. Without echo (or for a slow reader) it is done now.
  void messageSent(Conn& cn) {
    c_.bump(c_.msgsSent);
    if (!run_.cfg.expectEcho || cn.fault == Fault::Slow) {
      cn.msgsDone++;
      cn.startTimes.pop_front();
    }
  }

  // Received stream bytes: compared with the pattern (bytes beyond `sentLimit` were never sent,
  // so they count as mismatched too), then every message they complete is timed.
  void onEchoBytes(Conn& cn, const char* buf, size_t r, uint64_t sentLimit) {
    const LoadConfig& cfg = run_.cfg;
    c_.bump(c_.bytesReceived, uint64_t(r));
    if (cfg.expectEcho) {
      const char* want = pattern_table().at(cn.id, cn.recvBytes);
      if (cn.recvBytes + uint64_t(r) > sentLimit || std::memcmp(buf, want, r) != 0) {
        uint64_t bad = 0;
        for (size_t i = 0; i < r; ++i) bad += buf[i] != want[i] || cn.recvBytes + i >= sentLimit;
        c_.bump(c_.mismatched, bad);
      }
    }
    cn.recvBytes += uint64_t(r);
    if (!cfg.expectEcho) return;
    uint64_t now = turnNs_;
    while (cn.msgsDone < cn.msgsStarted && cn.recvBytes >= (cn.msgsDone + 1) * uint64_t(cfg.messageSize)) {
      c_.hist.record(now - cn.startTimes.front());
      cn.startTimes.pop_front();
      cn.msgsDone++;
      c_.bump(c_.msgsEchoed);
    }
  }

  LoadRun& run_;
  ThreadCounters& c_;
  int tid_;
  std::vector<std::unique_ptr<Conn>> conns_;

 private:
  bool anyOutstanding() const {
    for (const auto& cn : conns_) {
      if (cn->state != ConnState::Open || cn->fault == Fault::Slow) continue;
      // A send in flight finishes (so what was counted as sent is what the server gets), and with
      // echo every started message waits for its echo.
      if (self().sendInFlight(*cn)) return true;
      if (run_.cfg.expectEcho && cn->msgsDone < cn->msgsStarted) return true;
    }
    return false;
  }

  void refill(uint64_t now) {
    double add = double(now - lastRefill_) / 1e9 * rate_;
    lastRefill_ = now;
    // A small burst allowance keeps the average on target without sending in big clumps.
    tokens_ = std::min(tokens_ + add, std::max(1.0, rate_ * burstSeconds_));
  }

  bool takeToken() {
    if (run_.cfg.rate <= 0) return true;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  void serveStarved() {
    size_t n = starved_.size();
    for (size_t i = 0; i < n && tokens_ >= 1; ++i) {
      Conn* cn = starved_.front();
      starved_.pop_front();
      cn->starved = false;
      self().pump(*cn);
    }
  }

  // One byte per millisecond per Trickle connection; its next message starts after the echo.
  void tickTrickle(uint64_t now) {
    if (trickle_.empty() || now - lastTrickle_ < 1000000ull) return;
    lastTrickle_ = now;
    for (Conn* cn : trickle_) {
      if (cn->state != ConnState::Open || !self().canSendNow(*cn)) continue;
      if (cn->unsent == 0) {
        if (cn->msgsStarted > cn->msgsDone || !takeToken() || !run_.takeMessage()) continue;
        cn->unsent = uint64_t(run_.cfg.messageSize);
        cn->msgsStarted++;
        cn->startTimes.push_back(now);
      }
      self().sendTrickleByte(*cn);
    }
  }

  double burstSeconds_;
  double rate_ = 0;  // messages per second for this thread; 0 = unlimited
  double tokens_ = 0;
  uint64_t lastRefill_ = 0;
  uint64_t lastTrickle_ = 0;
  std::deque<Conn*> starved_;
  std::vector<Conn*> trickle_;
};

}  // namespace iocpm
