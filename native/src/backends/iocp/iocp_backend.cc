// IOCP backend: the model the whole project is named after. Every accept/recv/send is an
// overlapped operation whose context (an OVERLAPPED inside an Op) lives until its completion
// packet has been dequeued from a completion port; workers wait on ports with
// GetQueuedCompletionStatus(Ex); stop cancels with CancelIoEx, waits for every packet, then wakes
// each worker with PostQueuedCompletionStatus and joins it.
//
// Threading. With one port per worker (the default) a session's completions only ever reach its
// own worker. With the classic shared port, the recv and send completions of one session can be
// dequeued by two threads at once, so each session has a mutex; the same code serves both layouts
// (uncontended locks cost nanoseconds next to a system call). Lock order: Group::mu, then
// Session::mu; never two Session::mu at once (chat broadcasts with the sender's lock released).
//
// Metrics. Counters tied to the dequeuing thread (completions, bytes, busy time, errors) are
// written by that thread only, as the core expects. Counters tied to a session (in-flight ops,
// accepts, closes, sessions) are charged to the session's "home" worker and may be written from
// another thread in the shared layout, so they use atomic read-modify-write (one locked add per
// operation, nothing next to the WSARecv/WSASend it accompanies).
#ifndef NOMINMAX
#define NOMINMAX  // <windows.h> min/max macros would break std::min
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include "iocp_backend.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <vector>

#include "../../core/send_queue.h"
#include "../../core/workload.h"

namespace iocpm {
namespace {

// ntdll's NtQueryIoCompletion is not in the SDK import libraries; it is looked up at run time.
// Information class 0 (IoCompletionBasicInformation) returns the number of packets queued on the
// port and not yet dequeued: exactly the "completions ready and not yet taken" of the design.
typedef LONG(NTAPI* NtQueryIoCompletionFn)(HANDLE port, int infoClass, void* info, ULONG infoLength,
                                            ULONG* resultLength);
struct IoCompletionBasicInformation {
  LONG Depth;
};

constexpr ULONG_PTR kListenerKey = 0;               // AcceptEx completions (sessions use their address)
constexpr ULONG_PTR kQuitKey = ~static_cast<ULONG_PTR>(0);  // with a null OVERLAPPED: leave the loop
constexpr DWORD kAcceptRetryMs = 50;  // after WSAEMFILE/WSAENOBUFS: retry later instead of spinning
constexpr DWORD kAddrLen = sizeof(sockaddr_storage) + 16;  // AcceptEx wants 16 spare bytes per address

enum class OpType : uint8_t { Accept, Recv, Send, Handoff };

// The config fields this backend acts on, taken once at construction.
struct IocpOptions {
  explicit IocpOptions(const EngineConfig& cfg)
      : layout(cfg.iocpPortLayout), dequeue(cfg.iocpDequeue), acceptPool(cfg.iocpAcceptPool) {}
  IocpPortLayout layout;
  IocpDequeue dequeue;
  int acceptPool;         // AcceptEx calls kept posted
  int dequeueBatch = 64;  // OVERLAPPED_ENTRY slots per GetQueuedCompletionStatusEx call
};

// The per-operation context. The kernel owns `ov` from the call that posts it until its packet is
// dequeued; the LPOVERLAPPED in the packet leads back here (CONTAINING_RECORD).
struct Op {
  explicit Op(OpType t) : type(t) { reset(); }
  void reset() { std::memset(&ov, 0, sizeof(ov)); }
  OVERLAPPED ov;
  OpType type;
};

struct AcceptOp {
  Op op{OpType::Accept};
  SOCKET sock = INVALID_SOCKET;  // the socket AcceptEx will connect
  bool posted = false;           // owned by the kernel (guarded by IocpBackend::acceptMu_)
  bool idle = false;             // re-post failed; waiting for the retry timer
  char addr[2 * kAddrLen];       // local + remote address, written by AcceptEx
};

struct Session;

// One completion port and the sessions associated with it.
struct Group {
  HANDLE port = nullptr;
  std::mutex mu;  // guards sessions (taken before any Session::mu)
  std::unordered_set<Session*> sessions;
};

struct Session {
  Session(SOCKET s, size_t limit, size_t bufSize) : sock(s), out(limit), buf(new char[bufSize]) {}
  SOCKET sock;
  Group* group = nullptr;
  int home = 0;  // worker whose session/in-flight counters this session is charged to
  Op recvOp{OpType::Recv};
  Op sendOp{OpType::Send};
  Op handoffOp{OpType::Handoff};
  std::mutex mu;
  // "Pending" means posted to the kernel OR its completion is being handled right now: a handler
  // clears the flag only once it is done with the session, so no one frees it underneath.
  bool recvPending = false;
  bool sendPending = false;
  bool readClosed = false;  // peer sent FIN
  bool recvPaused = false;  // echo back-pressure: queue above the high watermark
  bool closing = false;
  bool abortive = false;
  bool finalized = false;
  SendQueue out;
  std::unique_ptr<char[]> buf;
};

bool is_cancel(int err) {
  return err == ERROR_OPERATION_ABORTED || err == WSAECANCELLED || err == static_cast<int>(0xC0000120);
}

// The error of a failed overlapped operation as a Winsock code. The packet carries an NTSTATUS in
// OVERLAPPED::Internal (GQCS would turn it into a Win32 code such as ERROR_NETNAME_DELETED);
// WSAGetOverlappedResult gives the WSA code users know (STATUS_CONNECTION_RESET -> WSAECONNRESET).
int overlapped_error(SOCKET s, OVERLAPPED* ov) {
  if (ov->Internal == 0) return 0;
  DWORD bytes = 0, flags = 0;
  if (WSAGetOverlappedResult(s, ov, &bytes, FALSE, &flags)) return 0;
  int e = WSAGetLastError();
  return e != 0 ? e : static_cast<int>(ov->Internal);
}

// Graceful: FIN both ways, then close. Abortive: SO_LINGER {1,0} makes closesocket send RST.
void close_socket(SOCKET s, bool abortive) {
  if (abortive) {
    linger l{1, 0};
    setsockopt(s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof(l));
  } else {
    shutdown(s, SD_BOTH);
  }
  closesocket(s);
}

class IocpBackend;

// One thread waiting on one port. Implements SessionSink so workloads can send through it.
struct Worker : public SessionSink {
  Worker(IocpBackend& b, int i, WorkerMetrics& metrics, Group& g) : backend(b), index(i), m(metrics), group(g) {}
  void sendTo(void* session, const char* p, size_t n) override;
  void broadcast(const char* p, size_t n) override;

  IocpBackend& backend;
  int index;
  WorkerMetrics& m;  // written only by this thread (except the session-charged atomics)
  Group& group;
  uint64_t lastAcceptRetryNs = 0;
  std::thread thread;
};

class IocpBackend : public Backend {
 public:
  explicit IocpBackend(const EngineConfig& cfg) : opts_(cfg) {}

  ~IocpBackend() override {
    stop();
    closeListener();
    for (auto& g : groups_) {
      if (g->port) CloseHandle(g->port);
    }
    if (wsaStarted_) WSACleanup();
  }

  NativeError start(const EngineConfig& cfg, WorkerMetrics* metrics, BackendInfo* info) override {
    cfg_ = cfg;
    metrics_ = metrics;
    WSADATA wsa;
    if (int r = WSAStartup(MAKEWORD(2, 2), &wsa)) return {r, "WSAStartup"};
    wsaStarted_ = true;
    if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll")) {
      ntQuery_ = reinterpret_cast<NtQueryIoCompletionFn>(
          reinterpret_cast<void*>(GetProcAddress(ntdll, "NtQueryIoCompletion")));
    }
    if (NativeError e = createPorts()) return e;
    if (NativeError e = createListener()) return e;

    try {
      for (int i = 0; i < cfg_.workers; ++i) {
        Group& g = opts_.layout == IocpPortLayout::PerWorker ? *groups_[i] : *groups_[0];
        workers_.emplace_back(new Worker(*this, i, metrics_[i], g));
      }
      for (auto& w : workers_) {
        Worker* wp = w.get();
        wp->thread = std::thread([this, wp] { run(*wp); });
      }
    } catch (const std::system_error&) {
      started_ = true;
      stop();  // joins the threads that did start
      return {ERROR_NOT_ENOUGH_MEMORY, "CreateThread", "could not start the worker threads"};
    }
    started_ = true;

    // The pool is posted once the workers wait, so a failure here can be undone by stop() (which
    // cancels what was posted and waits for every packet) rather than by hand.
    NativeError poolError;
    {
      std::lock_guard<std::mutex> g(acceptMu_);
      for (int i = 0; i < opts_.acceptPool && !poolError; ++i) {
        accepts_.emplace_back(new AcceptOp());
        if (int err = postAccept(*accepts_.back())) poolError = {err, "AcceptEx", "posting the accept pool"};
      }
    }
    if (poolError) {
      stop();
      return poolError;
    }

    info->features.push_back(opts_.layout == IocpPortLayout::PerWorker ? "port-per-worker" : "shared-port");
    info->features.push_back(opts_.dequeue == IocpDequeue::Gqcsex ? "dequeue-batch" : "dequeue-single");
    info->features.push_back("acceptex-pool");
    info->features.push_back(ntQuery_ ? "queue-depth-ntquery" : "queue-depth-unavailable");
    return {};
  }

  void stop() override {
    if (!started_ || stopped_) return;
    stopped_ = true;
    stopping_.store(true);
    // 1. Cancel. Every posting path checks under the lock taken here (acceptMu_ for AcceptEx,
    //    Group::mu for new sessions, Session::mu and `closing` for WSARecv/WSASend), so each
    //    operation is either posted before its cancel or never posted at all.
    {
      std::lock_guard<std::mutex> g(acceptMu_);
      if (listen_ != INVALID_SOCKET) CancelIoEx(reinterpret_cast<HANDLE>(listen_), nullptr);
    }
    for (auto& grp : groups_) {
      std::lock_guard<std::mutex> g(grp->mu);
      for (Session* s : grp->sessions) {
        std::lock_guard<std::mutex> l(s->mu);
        beginClose(*s, false);
      }
    }
    // 2. Drain: the workers keep dequeuing until every posted operation's packet has been
    //    handled; each session is freed (and its socket closed) by the handler of its last packet.
    //    No timeout on purpose: freeing a context the kernel may still write would corrupt memory.
    {
      std::unique_lock<std::mutex> lk(drainMu_);
      drainCv_.wait(lk, [this] { return outstanding_.load() == 0; });
    }
    // 3. Wake and join. Nothing else is queued now, so each quit packet reaches a waiting worker.
    if (opts_.layout == IocpPortLayout::PerWorker) {
      for (auto& w : workers_) {
        if (w->thread.joinable()) PostQueuedCompletionStatus(w->group.port, 0, kQuitKey, nullptr);
      }
    } else {
      for (auto& w : workers_) {
        if (w->thread.joinable()) PostQueuedCompletionStatus(groups_[0]->port, 0, kQuitKey, nullptr);
      }
    }
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();
    }
    // 4. Every packet was reaped, so the kernel holds no context: release what is left. The
    //    session sets are empty here (each closing session was finalized by its last handler);
    //    the loop only guards that invariant.
    for (auto& grp : groups_) {
      std::vector<Session*> left(grp->sessions.begin(), grp->sessions.end());
      for (Session* s : left) finalize(s);
    }
    for (auto& a : accepts_) {
      if (a->sock != INVALID_SOCKET) closesocket(a->sock);
      a->sock = INVALID_SOCKET;
    }
    closeListener();
  }

  int64_t queueDepth(int worker) const override {
    if (!ntQuery_ || groups_.empty() || worker < 0 || worker >= cfg_.workers) return -1;
    HANDLE port = opts_.layout == IocpPortLayout::PerWorker ? groups_[worker]->port : groups_[0]->port;
    IoCompletionBasicInformation info{0};
    ULONG len = 0;
    if (ntQuery_(port, 0, &info, sizeof(info), &len) != 0) return -1;
    return info.Depth;
  }

  // SessionSink, via Worker. Never finalizes: the target always has a pending operation (or a
  // handler running) whose completion will, and the caller may hold Group::mu (broadcast).
  void sendTo(Worker& w, Session* s, const char* p, size_t n) {
    std::lock_guard<std::mutex> l(s->mu);
    if (s->closing) return;
    if (!s->out.push(p, n)) {
      w.m.countError(kErrSendQueueFull);
      beginClose(*s, true);
      return;
    }
    kickSend(w, *s);
  }

  void broadcast(Worker& w, const char* p, size_t n) {
    std::lock_guard<std::mutex> g(w.group.mu);
    for (Session* s : w.group.sessions) sendTo(w, s, p, n);
  }

 private:
  // ---- setup ----

  NativeError createPorts() {
    int ports = opts_.layout == IocpPortLayout::PerWorker ? cfg_.workers : 1;
    // Concurrency value: a private port is serviced by exactly one thread; the shared port lets
    // every worker run at once (0 would mean "one per CPU", which may be fewer than the workers).
    DWORD concurrency = opts_.layout == IocpPortLayout::PerWorker ? 1 : static_cast<DWORD>(cfg_.workers);
    for (int i = 0; i < ports; ++i) {
      groups_.emplace_back(new Group());
      groups_.back()->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, concurrency);
      if (!groups_.back()->port) return {static_cast<int>(GetLastError()), "CreateIoCompletionPort"};
    }
    return {};
  }

  NativeError createListener() {
    sockaddr_storage ss{};
    int ssLen = 0;
    const std::string where = cfg_.host + ":" + std::to_string(cfg_.port);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, cfg_.host.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<u_short>(cfg_.port));
      ssLen = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, cfg_.host.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(static_cast<u_short>(cfg_.port));
      ssLen = sizeof(sockaddr_in6);
    } else {
      return {WSAEINVAL, "inet_pton", "host " + cfg_.host};
    }
    family_ = ss.ss_family;
    listen_ = newSocket();
    if (listen_ == INVALID_SOCKET) return {WSAGetLastError(), "WSASocket"};
    // Windows' SO_REUSEADDR would let another process bind the same port and steal connections;
    // SO_EXCLUSIVEADDRUSE makes a second server fail with address-in-use instead. (Windows has no
    // SO_REUSEPORT load balancing, so cfg.reusePort has no meaning here: one listener, one pool.)
    BOOL on = TRUE;
    setsockopt(listen_, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&on), sizeof(on));
    if (bind(listen_, reinterpret_cast<sockaddr*>(&ss), ssLen) == SOCKET_ERROR) return {WSAGetLastError(), "bind", where};
    if (listen(listen_, cfg_.backlog) == SOCKET_ERROR) return {WSAGetLastError(), "listen", where};
    // AcceptEx completions go to the acceptor port: worker 0's (per-worker) or the shared one.
    if (!CreateIoCompletionPort(reinterpret_cast<HANDLE>(listen_), groups_[0]->port, kListenerKey, 0)) {
      return {static_cast<int>(GetLastError()), "CreateIoCompletionPort", "associating the listener"};
    }
    GUID guid = WSAID_ACCEPTEX;
    DWORD got = 0;
    if (WSAIoctl(listen_, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof(guid), &acceptEx_, sizeof(acceptEx_), &got,
                 nullptr, nullptr) == SOCKET_ERROR) {
      return {WSAGetLastError(), "WSAIoctl", "SIO_GET_EXTENSION_FUNCTION_POINTER(AcceptEx)"};
    }
    return {};
  }

  SOCKET newSocket() const {
    return WSASocketW(family_, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  }

  void closeListener() {
    if (listen_ != INVALID_SOCKET) closesocket(listen_);
    listen_ = INVALID_SOCKET;
  }

  // ---- bookkeeping ----

  static void charge(std::atomic<int64_t>& a, int64_t n) { a.fetch_add(n, std::memory_order_relaxed); }
  static void charge(std::atomic<uint64_t>& a, uint64_t n) { a.fetch_add(n, std::memory_order_relaxed); }
  WorkerMetrics& home(const Session& s) { return metrics_[s.home]; }
  // Accept operations are charged to worker 0, the acceptor of the per-worker layout (in the
  // shared layout any worker may reap them; one place keeps the gauge meaningful).
  WorkerMetrics& acceptor() { return metrics_[0]; }

  // Every posted operation (and handoff packet) is counted until its packet has been handled;
  // stop() waits for zero.
  void opBegin() { outstanding_.fetch_add(1); }
  void opEnd() {
    if (outstanding_.fetch_sub(1) == 1 && stopping_.load()) {
      std::lock_guard<std::mutex> g(drainMu_);
      drainCv_.notify_all();
    }
  }

  // ---- accept ----

  // Caller holds acceptMu_. Returns 0 when posted (or when stopping), else the error; a slot that
  // failed is marked idle for the retry timer.
  int postAccept(AcceptOp& a) {
    if (stopping_.load()) return 0;
    SOCKET s = newSocket();
    if (s == INVALID_SOCKET) {
      int err = WSAGetLastError();
      markIdle(a);
      return err;
    }
    a.sock = s;
    a.op.reset();
    a.posted = true;
    if (a.idle) {
      a.idle = false;
      acceptIdle_.fetch_sub(1);
    }
    opBegin();
    charge(acceptor().inflight[int(OpKind::Accept)], 1);
    DWORD got = 0;
    // No receive buffer (dwReceiveDataLength 0): completing on connect, not on first data, so a
    // client that connects and waits is still accepted (and cannot pin the pool).
    if (!acceptEx_(listen_, s, a.addr, 0, kAddrLen, kAddrLen, &got, &a.op.ov)) {
      int err = WSAGetLastError();
      if (err != ERROR_IO_PENDING) {  // no packet will come for this one
        closesocket(s);
        a.sock = INVALID_SOCKET;
        a.posted = false;
        markIdle(a);
        charge(acceptor().inflight[int(OpKind::Accept)], -1);
        opEnd();
        return err;
      }
    }
    return 0;
  }

  void markIdle(AcceptOp& a) {
    if (!a.idle) {
      a.idle = true;
      acceptIdle_.fetch_add(1);
    }
  }

  // Out of sockets or buffers: slots whose re-post failed are retried at most every
  // kAcceptRetryMs; connections wait in the backlog meanwhile and existing sessions keep running.
  void retryIdleAccepts(Worker& w, uint64_t now) {
    if (now - w.lastAcceptRetryNs < uint64_t(kAcceptRetryMs) * 1000000) return;
    w.lastAcceptRetryNs = now;
    std::lock_guard<std::mutex> g(acceptMu_);
    for (auto& a : accepts_) {
      if (a->idle && !a->posted) {
        if (int err = postAccept(*a)) w.m.countError(err);
      }
    }
  }

  void onAccept(Worker& w, AcceptOp& a) {
    int err = overlapped_error(listen_, &a.op.ov);
    SOCKET sock = a.sock;  // the slot is ours until re-posted below
    a.sock = INVALID_SOCKET;
    charge(acceptor().inflight[int(OpKind::Accept)], -1);
    if (err) {
      // e.g. WSAECONNRESET: the client gave up before we took it. Cancels are expected on stop.
      closesocket(sock);
      if (!(is_cancel(err) && stopping_.load())) w.m.countError(err);
    } else if (stopping_.load()) {
      closesocket(sock);
    } else {
      accepted(w, sock);
    }
    {
      std::lock_guard<std::mutex> g(acceptMu_);
      a.posted = false;
      if (int e = postAccept(a)) w.m.countError(e);
    }
    opEnd();
  }

  void accepted(Worker& w, SOCKET sock) {
    // Gives the accepted socket the listener's properties; without it shutdown() and
    // getpeername() fail on an AcceptEx socket.
    if (setsockopt(sock, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char*>(&listen_),
                   sizeof(listen_)) == SOCKET_ERROR) {
      w.m.countError(WSAGetLastError());
      close_socket(sock, true);
      return;
    }
    if (sessionCount_.fetch_add(1) >= cfg_.maxSessions) {
      sessionCount_.fetch_sub(1);
      w.m.countError(kErrSessionLimit);
      close_socket(sock, true);
      return;
    }
    if (cfg_.noDelay) {
      BOOL on = TRUE;
      setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof(on));
    }
    const bool perWorker = opts_.layout == IocpPortLayout::PerWorker;
    Session* s = new Session(sock, static_cast<size_t>(cfg_.sendQueueLimit), static_cast<size_t>(cfg_.recvBufferSize));
    s->home = perWorker ? static_cast<int>(rr_.fetch_add(1) % static_cast<unsigned>(cfg_.workers)) : w.index;
    s->group = perWorker ? groups_[s->home].get() : groups_[0].get();
    // Completion key = the session: every packet of this socket leads straight to its state.
    if (!CreateIoCompletionPort(reinterpret_cast<HANDLE>(sock), s->group->port, reinterpret_cast<ULONG_PTR>(s), 0)) {
      w.m.countError(static_cast<int>(GetLastError()));
      destroy(s, true);
      return;
    }
    if (s->group != &w.group) {
      // Per-worker layout: hand the session to its worker through that worker's own port, so
      // only that thread ever touches it.
      opBegin();
      if (!PostQueuedCompletionStatus(s->group->port, 0, reinterpret_cast<ULONG_PTR>(s), &s->handoffOp.ov)) {
        w.m.countError(static_cast<int>(GetLastError()));
        destroy(s, true);
        opEnd();
      }
      return;
    }
    adopt(w, s);
  }

  // The session's worker registers it and posts its first receive.
  void adopt(Worker& w, Session* s) {
    {
      std::lock_guard<std::mutex> g(s->group->mu);
      if (stopping_.load()) {
        // stop() has already swept this group (it sets stopping_ first): close it ourselves.
        destroy(s, false);
        return;
      }
      s->group->sessions.insert(s);
    }
    charge(home(*s).accepts, 1);
    charge(home(*s).sessions, 1);
    bool fin;
    {
      std::lock_guard<std::mutex> l(s->mu);
      armRecv(w, *s);
      fin = takeFinal(*s);
    }
    if (fin) finalize(s);
  }

  // ---- sessions (callers hold s.mu unless noted) ----

  void armRecv(Worker& w, Session& s) {
    if (s.recvPending || s.closing || s.readClosed || s.recvPaused) return;
    s.recvOp.reset();
    WSABUF b;
    b.buf = s.buf.get();
    b.len = static_cast<ULONG>(cfg_.recvBufferSize);
    DWORD flags = 0;
    s.recvPending = true;
    charge(home(s).inflight[int(OpKind::Recv)], 1);
    opBegin();
    // A receive that completes at once still queues its packet (FILE_SKIP_COMPLETION_PORT_ON_
    // SUCCESS is deliberately not set), so every completion is handled in one place and counted
    // in the port's depth. Only a failure other than WSA_IO_PENDING means "no packet".
    if (WSARecv(s.sock, &b, 1, nullptr, &flags, &s.recvOp.ov, nullptr) == SOCKET_ERROR) {
      int err = WSAGetLastError();
      if (err != WSA_IO_PENDING) {
        s.recvPending = false;
        charge(home(s).inflight[int(OpKind::Recv)], -1);
        opEnd();
        w.m.countError(err);
        beginClose(s, true);
      }
    }
  }

  // One send outstanding per session: the kernel holds a pointer into the queue's front chunk.
  void kickSend(Worker& w, Session& s) {
    if (s.sendPending || s.closing || s.out.empty()) return;
    size_t len = 0;
    const char* p = s.out.front(&len);
    s.sendOp.reset();
    WSABUF b;
    b.buf = const_cast<char*>(p);
    b.len = static_cast<ULONG>(std::min<size_t>(len, 0x7fffffff));
    s.sendPending = true;
    charge(home(s).inflight[int(OpKind::Send)], 1);
    opBegin();
    if (WSASend(s.sock, &b, 1, nullptr, 0, &s.sendOp.ov, nullptr) == SOCKET_ERROR) {
      int err = WSAGetLastError();
      if (err != WSA_IO_PENDING) {
        s.sendPending = false;
        charge(home(s).inflight[int(OpKind::Send)], -1);
        opEnd();
        w.m.countError(err);
        beginClose(s, true);
      }
    }
  }

  // Starts closing: pending operations are cancelled; the socket is closed and the session freed
  // only by the handler of its last packet (takeFinal/finalize). Also called by stop().
  void beginClose(Session& s, bool abortive) {
    if (s.closing) return;
    s.closing = true;
    s.abortive = abortive || cfg_.closeMode == CloseMode::Abortive;
    if (s.recvPending || s.sendPending) CancelIoEx(reinterpret_cast<HANDLE>(s.sock), nullptr);
  }

  // Graceful end after the peer's FIN: everything queued has been sent, now close.
  void maybeFinish(Session& s) {
    if (s.readClosed && !s.sendPending && s.out.empty() && !s.closing) beginClose(s, false);
  }

  // True exactly once, for the handler that saw the last operation of a closing session end.
  static bool takeFinal(Session& s) {
    if (!s.closing || s.recvPending || s.sendPending || s.finalized) return false;
    s.finalized = true;
    return true;
  }

  // No locks held. Unregisters, closes and frees a session that has no operation left.
  void finalize(Session* s) {
    {
      std::lock_guard<std::mutex> g(s->group->mu);
      s->group->sessions.erase(s);
    }
    charge(home(*s).sessions, -1);
    charge(home(*s).closes, 1);
    destroy(s, s->abortive);
  }

  // Closes and frees a session the kernel holds nothing of (never registered, or unregistered).
  void destroy(Session* s, bool abortive) {
    close_socket(s->sock, abortive);
    sessionCount_.fetch_sub(1);
    delete s;
  }

  void onRecv(Worker& w, Session* s, DWORD bytes) {
    int err = overlapped_error(s->sock, &s->recvOp.ov);
    if (err == 0 && bytes > 0) {
      WorkerMetrics::bump(w.m.bytesIn, bytes);
      bool closing;
      {
        std::lock_guard<std::mutex> l(s->mu);
        closing = s->closing;
      }
      // The workload runs without this session's lock (echo re-locks it in sendTo; chat locks
      // every session in turn). recvPending stays true meanwhile, so nobody frees the session
      // and the receive buffer is not reused.
      if (!closing) apply_workload(cfg_.workload, w, s, s->buf.get(), bytes);
    }
    bool fin;
    {
      std::lock_guard<std::mutex> l(s->mu);
      s->recvPending = false;
      charge(home(*s).inflight[int(OpKind::Recv)], -1);
      if (err == 0 && bytes > 0) {
        if (!s->closing) {
          if (s->out.bytes() > high_watermark(s->out.limit())) s->recvPaused = true;
          armRecv(w, *s);
        }
      } else if (err == 0) {
        s->readClosed = true;
        maybeFinish(*s);
      } else {
        if (!(is_cancel(err) && s->closing)) w.m.countError(err);
        beginClose(*s, true);
      }
      fin = takeFinal(*s);
    }
    if (fin) finalize(s);
    opEnd();
  }

  void onSend(Worker& w, Session* s, DWORD bytes) {
    int err = overlapped_error(s->sock, &s->sendOp.ov);
    bool fin;
    {
      std::lock_guard<std::mutex> l(s->mu);
      s->sendPending = false;
      charge(home(*s).inflight[int(OpKind::Send)], -1);
      if (err == 0) {
        WorkerMetrics::bump(w.m.bytesOut, bytes);
        s->out.consume(bytes);
        if (!s->closing) {
          if (s->recvPaused && s->out.bytes() <= low_watermark(s->out.limit())) {
            s->recvPaused = false;
            armRecv(w, *s);
          }
          kickSend(w, *s);
          maybeFinish(*s);
        }
      } else {
        if (!(is_cancel(err) && s->closing)) w.m.countError(err);
        beginClose(*s, true);
      }
      fin = takeFinal(*s);
    }
    if (fin) finalize(s);
    opEnd();
  }

  void dispatch(Worker& w, const OVERLAPPED_ENTRY& e) {
    Op* op = CONTAINING_RECORD(e.lpOverlapped, Op, ov);
    switch (op->type) {
      case OpType::Accept: onAccept(w, *CONTAINING_RECORD(op, AcceptOp, op)); break;
      case OpType::Recv: onRecv(w, reinterpret_cast<Session*>(e.lpCompletionKey), e.dwNumberOfBytesTransferred); break;
      case OpType::Send: onSend(w, reinterpret_cast<Session*>(e.lpCompletionKey), e.dwNumberOfBytesTransferred); break;
      case OpType::Handoff:
        adopt(w, reinterpret_cast<Session*>(e.lpCompletionKey));
        opEnd();
        break;
    }
  }

  // ---- worker loop ----

  void run(Worker& w) {
    const bool isAcceptor = opts_.layout == IocpPortLayout::Shared || w.index == 0;
    const bool batch = opts_.dequeue == IocpDequeue::Gqcsex;
    std::vector<OVERLAPPED_ENTRY> entries(batch ? static_cast<size_t>(std::max(1, opts_.dequeueBatch)) : 1);
    for (;;) {
      // Wait forever unless accept slots need a retry.
      DWORD timeout = isAcceptor && acceptIdle_.load(std::memory_order_relaxed) > 0 ? kAcceptRetryMs : INFINITE;
      ULONG n = 0;
      if (batch) {
        if (!GetQueuedCompletionStatusEx(w.group.port, entries.data(), static_cast<ULONG>(entries.size()), &n, timeout,
                                         FALSE)) {
          DWORD err = GetLastError();
          n = 0;
          if (err != WAIT_TIMEOUT && !dequeueFailed(w, err)) return;
        }
      } else {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        OVERLAPPED* ov = nullptr;
        BOOL ok = GetQueuedCompletionStatus(w.group.port, &bytes, &key, &ov, timeout);
        if (!ok && ov == nullptr) {  // nothing dequeued (a failed operation returns FALSE with ov set)
          DWORD err = GetLastError();
          if (err != WAIT_TIMEOUT && !dequeueFailed(w, err)) return;
        } else {
          entries[0].lpCompletionKey = key;
          entries[0].lpOverlapped = ov;
          entries[0].dwNumberOfBytesTransferred = bytes;
          n = 1;
        }
      }
      uint64_t t0 = mono_ns();
      int quits = 0;
      for (ULONG i = 0; i < n; ++i) {
        if (entries[i].lpOverlapped == nullptr) {  // only quit packets carry no OVERLAPPED
          ++quits;
          continue;
        }
        WorkerMetrics::bump(w.m.completions);
        dispatch(w, entries[i]);
      }
      if (isAcceptor && acceptIdle_.load(std::memory_order_relaxed) > 0) retryIdleAccepts(w, t0);
      WorkerMetrics::bump(w.m.busyNs, mono_ns() - t0);
      if (quits > 0) {
        // Shared port: a batch may have taken the quit packets meant for other workers.
        for (int q = 1; q < quits; ++q) PostQueuedCompletionStatus(w.group.port, 0, kQuitKey, nullptr);
        return;
      }
    }
  }

  // A dequeue call itself failed. Returns false when the port is gone (leave the loop).
  bool dequeueFailed(Worker& w, DWORD err) {
    if (err == ERROR_ABANDONED_WAIT_0 || err == ERROR_INVALID_HANDLE) return false;
    w.m.countError(static_cast<int>(err));
    Sleep(1);  // unexpected: do not spin at full speed on a persistent failure
    return true;
  }

  IocpOptions opts_;
  EngineConfig cfg_;
  WorkerMetrics* metrics_ = nullptr;
  bool wsaStarted_ = false;
  NtQueryIoCompletionFn ntQuery_ = nullptr;
  std::vector<std::unique_ptr<Group>> groups_;  // fixed after start(); ports closed in the destructor
  SOCKET listen_ = INVALID_SOCKET;
  int family_ = AF_INET;
  LPFN_ACCEPTEX acceptEx_ = nullptr;
  std::mutex acceptMu_;  // guards accepts_ slots' posted/idle/sock and CancelIoEx of the listener
  std::vector<std::unique_ptr<AcceptOp>> accepts_;
  std::atomic<int> acceptIdle_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> outstanding_{0};
  std::mutex drainMu_;
  std::condition_variable drainCv_;
  std::atomic<int> sessionCount_{0};
  std::atomic<unsigned> rr_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  bool started_ = false;
  bool stopped_ = false;
};

void Worker::sendTo(void* session, const char* p, size_t n) {
  backend.sendTo(*this, static_cast<Session*>(session), p, n);
}
void Worker::broadcast(const char* p, size_t n) { backend.broadcast(*this, p, n); }

}  // namespace

std::unique_ptr<Backend> make_iocp_backend(const EngineConfig& cfg) {
  return std::unique_ptr<Backend>(new IocpBackend(cfg));
}

}  // namespace iocpm
