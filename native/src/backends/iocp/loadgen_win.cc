// Load generator on Windows: each generator thread drives its share of the connections through
// its own I/O completion port. Every connect (ConnectEx), receive (WSARecv) and send (WSASend) is
// an overlapped operation whose context lives in the connection's socket record (a Link) until its
// completion packet has been dequeued; the thread waits with GetQueuedCompletionStatusEx and a
// timeout of at most 50 ms, so stop, ramp-up, rate and trickle timers are serviced.
//
// The behaviour is that of backends/posix/loadgen_posix.cc, and most of it is the same code
// (loadgen/gen_thread.h): the run loop with ramp-up, duration, message budget and a drain of the
// last echoes (up to 2 s), the token-bucket rate, pipeline depth, the fault kinds with the same
// per-connection assignment, and echo verification against the period-251 byte pattern
// (loadgen/loadgen_shared.h). Also the same preflight. Differences come from the model:
//   * One WSASend is outstanding per connection; it carries every message the pipeline, the rate
//     and the budget allow (up to 64 KiB) instead of one send() per message. A message counts as
//     sent when the completion of its last byte is dequeued.
//   * Closing a socket is CancelIoEx, then waiting for each of its packets, then closesocket and
//     free. A storm reconnect gets a new Link, so a cancelled packet never lands in reused memory.
//   * GetQueuedCompletionStatusEx sleeps in whole timer ticks (15.6 ms by default), so the rate
//     limiter's burst allowance covers two ticks instead of 10 ms.
//
// The rest lives elsewhere: the portable behaviour in loadgen/gen_thread.h, the completion
// bookkeeping (Links, pending counts, closing, message accounting) in loadgen/completion_gen.h,
// addressing and the start checks in loadgen_win_net.*, the Windows headers in winsock.h.
#include "winsock.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <vector>

#include "../../core/metrics.h"
#include "../../loadgen/completion_gen.h"
#include "../../loadgen/loadgen_shared.h"
#include "loadgen_win_net.h"

namespace iocpm {
namespace {

using namespace winload;

constexpr ULONG kBatch = 256;                 // OVERLAPPED_ENTRY slots per dequeue
constexpr double kBurstSeconds = 0.032;       // two default timer ticks of tokens
constexpr uint64_t kCloseWaitNs = 2000000000ull;  // per stage of the final drain (see drainAll)
// SO_REUSE_UNICASTPORT (ws2def.h, Windows 10; named here because the SDK hides it below
// _WIN32_WINNT 0x0A00) lets a ConnectEx socket bound to port 0 pick its ephemeral port at connect
// time, per destination, as connect() does, instead of at bind.
constexpr int kSoReuseUnicastPort = 0x3007;

enum class OpKind : uint8_t { Connect, Recv, Send };

struct Link;
using Conn = CompletionConn<Link>;

// The per-operation context: the kernel owns `ov` from the call that posts it until the packet is
// dequeued; the packet's OVERLAPPED pointer leads back here, its completion key to the Link.
struct IoOp {
  explicit IoOp(OpKind k) : kind(k) { reset(); }
  void reset() { std::memset(&ov, 0, sizeof(ov)); }
  OVERLAPPED ov;
  OpKind kind;
};

// One socket and its operations. Outlives its connection attempt while packets are pending: a
// closing Link is detached from its Conn and freed by the handler of its last packet.
struct Link : CompletionLink<Conn> {
  Link(SOCKET s, Conn* c) : CompletionLink(c), sock(s) {}
  SOCKET sock;
  IoOp connectOp{OpKind::Connect}, recvOp{OpKind::Recv}, sendOp{OpKind::Send};
  bool resetAfterSend = false;  // Reset fault: RST once this send completes
  std::unique_ptr<char[]> buf;  // receive buffer (allocated on the first receive)
};

// WSAStartup/WSACleanup for as long as one run's state exists (getaddrinfo needs it too).
struct WinsockUse {
  int rc;
  WinsockUse() {
    WSADATA d;
    rc = WSAStartup(MAKEWORD(2, 2), &d);
  }
  ~WinsockUse() {
    if (rc == 0) WSACleanup();
  }
};

struct WinRun : LoadRun {
  explicit WinRun(const LoadConfig& c) : LoadRun(c) {}
  ~WinRun() override {
    for (HANDLE p : ports) CloseHandle(p);
  }
  WinsockUse winsock;  // released after the ports are closed
  sockaddr_storage addr{};
  int addrLen = 0;
  bool loopback = false;
  LPFN_CONNECTEX connectEx = nullptr;
  std::vector<HANDLE> ports;  // one completion port per generator thread, closed after the join

  void runThread(int tid) override;
  // Wakes each thread now rather than at its next timeout.
  void wake() override {
    for (HANDLE p : ports) PostQueuedCompletionStatus(p, 0, 0, nullptr);
  }
};

class WinGenThread : public CompletionGenThread<WinGenThread, Conn, Link> {
 public:
  WinGenThread(WinRun& g, int tid) : CompletionGenThread(g, tid, kBurstSeconds), g_(g), port_(g.ports[tid]) {}

 private:
  friend class GenThread<WinGenThread, Conn>;
  friend class CompletionGenThread<WinGenThread, Conn, Link>;

  void waitAndHandle(int timeoutMs) { dequeue(entries_, static_cast<DWORD>(timeoutMs)); }

  void finish() {
    for (auto& cn : conns_) closeConn(*cn, cn->fault == Fault::Slow);
    drainAll(entries_);
  }

  // Waits up to timeoutMs for packets and handles them. False when nothing was dequeued.
  bool dequeue(OVERLAPPED_ENTRY* entries, DWORD timeoutMs) {
    ULONG n = 0;
    BOOL got = GetQueuedCompletionStatusEx(port_, entries, kBatch, &n, timeoutMs, FALSE);
    afterWait();
    if (!got) {
      DWORD err = GetLastError();
      if (err != WAIT_TIMEOUT) {
        c_.error(static_cast<int>(err));
        Sleep(1);  // unexpected: do not spin at full speed on a persistent failure
      }
      return false;
    }
    for (ULONG i = 0; i < n; ++i) {
      if (!entries[i].lpOverlapped) continue;  // stop()'s wake-up packet
      complete(reinterpret_cast<Link*>(entries[i].lpCompletionKey), *CONTAINING_RECORD(entries[i].lpOverlapped, IoOp, ov),
               entries[i].dwNumberOfBytesTransferred);
    }
    return true;
  }

  // Every connection is closed (cancelled) by now; wait for the packets of its operations so no
  // context is freed while the kernel may still write it. Cancelled operations complete promptly;
  // should one not, closesocket aborts it, and a Link whose packet never comes is left allocated
  // (a small leak) rather than freed under the kernel.
  void drainAll(OVERLAPPED_ENTRY* entries) {
    for (int stage = 0; stage < 2 && !zombies_.empty(); ++stage) {
      if (stage == 1) {
        for (Link* l : zombies_) {
          closesocket(l->sock);
          l->sock = INVALID_SOCKET;
        }
      }
      uint64_t deadline = mono_ns() + kCloseWaitNs;
      while (!zombies_.empty() && mono_ns() < deadline) dequeue(entries, kMaxWaitMs);
    }
  }

  // ---- socket life cycle ----

  void openConn(Conn& cn) {
    beginAttempt(cn);
    SOCKET s = new_socket(g_.addr.ss_family);
    if (s == INVALID_SOCKET) return noSocket(cn, WSAGetLastError());
    Link* l = new Link(s, &cn);
    cn.link = l;
    cn.state = ConnState::Connecting;
    BOOL on = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof(on));
    setsockopt(s, SOL_SOCKET, kSoReuseUnicastPort, reinterpret_cast<const char*>(&on), sizeof(on));
    if (g_.loopback) no_syn_retransmissions(s);
    // ConnectEx wants a bound socket: any address, port 0.
    sockaddr_storage any{};
    any.ss_family = g_.addr.ss_family;
    int anyLen = any.ss_family == AF_INET ? int(sizeof(sockaddr_in)) : int(sizeof(sockaddr_in6));
    if (bind(s, reinterpret_cast<sockaddr*>(&any), anyLen) == SOCKET_ERROR) return failConnect(cn, WSAGetLastError());
    if (!CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port_, reinterpret_cast<ULONG_PTR>(l), 0)) {
      return failConnect(cn, static_cast<int>(GetLastError()));
    }
    ++l->pending;
    // Even an immediate success queues its packet (completion-port skipping is not enabled), so
    // every outcome is handled in complete().
    if (!g_.connectEx(s, reinterpret_cast<const sockaddr*>(&g_.addr), g_.addrLen, nullptr, 0, nullptr, &l->connectOp.ov)) {
      int err = WSAGetLastError();
      if (err != ERROR_IO_PENDING) {
        --l->pending;
        failConnect(cn, err);
      }
    }
  }

  void cancelPending(Link& l) { CancelIoEx(reinterpret_cast<HANDLE>(l.sock), nullptr); }

  void closeSocket(Link& l) {
    if (l.sock == INVALID_SOCKET) return;  // drainAll closed it already
    if (l.abortive) {
      linger lg{1, 0};  // closesocket sends RST
      setsockopt(l.sock, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&lg), sizeof(lg));
    }
    closesocket(l.sock);
  }

  // ---- posting ----

  bool postRecv(Conn& cn) {
    Link& l = *cn.link;
    if (!l.buf) l.buf.reset(new char[recvBufSize()]);
    WSABUF b;
    b.buf = l.buf.get();
    b.len = static_cast<ULONG>(recvBufSize());
    DWORD flags = 0;
    l.recvOp.reset();
    l.recvPending = true;
    ++l.pending;
    return posted(cn, l.recvPending, WSARecv(l.sock, &b, 1, nullptr, &flags, &l.recvOp.ov, nullptr));
  }

  // One send in flight per connection; `p` stays valid until its packet (pattern or junk tables).
  bool postSend(Conn& cn, const char* p, size_t len) {
    Link& l = *cn.link;
    WSABUF b;
    b.buf = const_cast<char*>(p);
    b.len = static_cast<ULONG>(len);
    l.sendOp.reset();
    l.sendPending = true;
    l.sendLen = static_cast<uint32_t>(len);
    ++l.pending;
    return posted(cn, l.sendPending, WSASend(l.sock, &b, 1, nullptr, 0, &l.sendOp.ov, nullptr));
  }

  // The result of WSARecv/WSASend: success or WSA_IO_PENDING means a packet will come; any other
  // error means none will, so the operation is undone and the connection closed.
  bool posted(Conn& cn, bool& pendingFlag, int rc) {
    if (rc != SOCKET_ERROR) return true;
    int err = WSAGetLastError();
    if (err == WSA_IO_PENDING) return true;
    pendingFlag = false;
    --cn.link->pending;
    c_.error(err);
    closeConn(cn, false);
    return false;
  }

  // ---- behaviour ----

  // Plain non-blocking send() calls (allowed on an overlapped socket) take what the socket
  // buffers accept right now, as on Linux; no operation is pending, so the socket closes at once.
  long sendNow(Conn& cn, const char* p, size_t n) {
    u_long nonblocking = 1;
    ioctlsocket(cn.link->sock, FIONBIO, &nonblocking);
    return send(cn.link->sock, p, static_cast<int>(n), 0);
  }
  void shutdownWrite(Conn& cn) { shutdown(cn.link->sock, SD_SEND); }
  // The RST goes out once this send has completed (resetAfterSend).
  void sendThenReset(Conn& cn, const char* p, size_t n) {
    cn.link->resetAfterSend = true;
    postSend(cn, p, n);
  }

  // ---- completions ----

  void complete(Link* l, IoOp& op, DWORD bytes) {
    int err = overlapped_error(l->sock, &op.ov);
    if (!linkDone(l, op.kind == OpKind::Send, op.kind == OpKind::Recv, err == 0, bytes)) return;
    Conn& cn = *l->conn;
    if (op.kind == OpKind::Connect) return onConnect(cn, err);
    if (err) {  // a failed receive or send ends the connection (e.g. WSAECONNRESET)
      c_.error(err);
      closeConn(cn, false);
      return;
    }
    if (op.kind == OpKind::Recv) recvCompleted(cn, l->buf.get(), bytes);
    else onSend(cn, bytes);
  }

  void onConnect(Conn& cn, int err) {
    if (err) return failConnect(cn, err);
    // Gives the socket its connected state for shutdown() and getpeername().
    setsockopt(cn.link->sock, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0);
    onConnected(cn);
  }

  bool rearmRecv(Conn& cn) { return postRecv(cn); }

  void onSend(Conn& cn, DWORD bytes) {
    if (cn.link->resetAfterSend) {
      closeConn(cn, true);
      return;
    }
    sendCompleted(cn, bytes);
  }

  WinRun& g_;
  HANDLE port_;
  OVERLAPPED_ENTRY entries_[kBatch];
};

void WinRun::runThread(int tid) { WinGenThread(*this, tid).run(); }

}  // namespace

const int kNoMemoryCode = ERROR_NOT_ENOUGH_MEMORY;

LoadError prepare_run(const LoadConfig& c, std::unique_ptr<LoadRun>* out) {
  if (c.io == GenIo::IoUring || c.io == GenIo::Epoll) {
    return {"io", "invalid-config", 0, std::string("io '") + gen_io_name(c.io) + "' is only available on Linux (here: iocp)"};
  }
  auto run = std::make_unique<WinRun>(c);
  run->io = GenIo::Iocp;
  run->ioNote = c.io == GenIo::Auto ? "auto: IOCP, one completion port per thread" : "as configured";
  if (run->winsock.rc != 0) return socket_error("WSAStartup", run->winsock.rc);
  if (LoadError e = resolve(c, &run->addr, &run->addrLen)) return e;
  run->loopback = is_loopback(run->addr);
  if (LoadError e = preflight(c, run->addr, run->addrLen, run->loopback)) return e;
  if (LoadError e = load_connectex(run->addr.ss_family, &run->connectEx)) return e;
  for (int t = 0; t < c.threads; ++t) {
    // Concurrency 1: each port is serviced by exactly one generator thread.
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
    if (!port) return socket_error("CreateIoCompletionPort", static_cast<int>(GetLastError()));
    run->ports.push_back(port);
  }
  *out = std::move(run);
  return {};
}

}  // namespace iocpm
