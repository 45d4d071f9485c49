#include "iocp_accept.h"

#include <string>

namespace iocpm {
namespace iocp {

SOCKET AcceptPool::newSocket() const {
  return WSASocketW(family_, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

NativeError AcceptPool::listen() {
  const EngineConfig& cfg = ctx_.cfg;
  sockaddr_storage ss{};
  int ssLen = 0;
  const std::string where = cfg.host + ":" + std::to_string(cfg.port);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, cfg.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<u_short>(cfg.port));
    ssLen = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, cfg.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<u_short>(cfg.port));
    ssLen = sizeof(sockaddr_in6);
  } else {
    return {WSAEINVAL, "inet_pton", "host " + cfg.host};
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
  if (::listen(listen_, cfg.backlog) == SOCKET_ERROR) return {WSAGetLastError(), "listen", where};
  // AcceptEx completions go to the acceptor port: worker 0's (per-worker) or the shared one.
  if (!CreateIoCompletionPort(reinterpret_cast<HANDLE>(listen_), ctx_.groups[0]->port, kListenerKey, 0)) {
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

NativeError AcceptPool::postAll() {
  std::lock_guard<std::mutex> g(mu_);
  for (int i = 0; i < ctx_.opts.acceptPool; ++i) {
    slots_.emplace_back(new AcceptOp());
    if (int err = post(*slots_.back())) return {err, "AcceptEx", "posting the accept pool"};
  }
  return {};
}

// Returns 0 when posted (or when stopping), else the error; a slot that failed is marked idle for
// the retry timer.
int AcceptPool::post(AcceptOp& a) {
  if (ctx_.stopping.load()) return 0;
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
    idle_.fetch_sub(1);
  }
  ctx_.opBegin();
  charge(inflight(), 1);
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
      charge(inflight(), -1);
      ctx_.opEnd();
      return err;
    }
  }
  return 0;
}

void AcceptPool::markIdle(AcceptOp& a) {
  if (!a.idle) {
    a.idle = true;
    idle_.fetch_add(1);
  }
}

void AcceptPool::retryIdle(WorkerMetrics& m, uint64_t now, uint64_t* lastTry) {
  if (now - *lastTry < uint64_t(kAcceptRetryMs) * 1000000) return;
  *lastTry = now;
  std::lock_guard<std::mutex> g(mu_);
  for (auto& a : slots_) {
    if (a->idle && !a->posted) {
      if (int err = post(*a)) m.countError(err);
    }
  }
}

SOCKET AcceptPool::complete(AcceptOp& a, WorkerMetrics& m) {
  int err = overlapped_error(listen_, &a.op.ov);
  SOCKET sock = a.sock;  // the slot is ours until re-posted
  a.sock = INVALID_SOCKET;
  charge(inflight(), -1);
  if (err) {
    // e.g. WSAECONNRESET: the client gave up before we took it. Cancels are expected on stop.
    closesocket(sock);
    if (!(is_cancel(err) && ctx_.stopping.load())) m.countError(err);
    return INVALID_SOCKET;
  }
  if (ctx_.stopping.load()) {
    closesocket(sock);
    return INVALID_SOCKET;
  }
  return sock;
}

void AcceptPool::repost(AcceptOp& a, WorkerMetrics& m) {
  std::lock_guard<std::mutex> g(mu_);
  a.posted = false;
  if (int e = post(a)) m.countError(e);
}

void AcceptPool::cancel() {
  std::lock_guard<std::mutex> g(mu_);
  if (listen_ != INVALID_SOCKET) CancelIoEx(reinterpret_cast<HANDLE>(listen_), nullptr);
}

void AcceptPool::close() {
  for (auto& a : slots_) {
    if (a->sock != INVALID_SOCKET) closesocket(a->sock);
    a->sock = INVALID_SOCKET;
  }
  if (listen_ != INVALID_SOCKET) closesocket(listen_);
  listen_ = INVALID_SOCKET;
}

}  // namespace iocp
}  // namespace iocpm
