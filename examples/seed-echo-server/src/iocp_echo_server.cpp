// iocp_echo_server.cpp — see iocp_echo_server.h for the model. Probe lines are marked "// PROBE".
#include "iocp_echo_server.h"

#include <chrono>
#include <cstdio>

namespace {

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

void ResetOverlapped(IoContext &ctx) { ZeroMemory(&ctx.overlapped, sizeof ctx.overlapped); }

}  // namespace

unsigned IocpEchoServer::Start(unsigned port) {
  listenSocket_ = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
  if (listenSocket_ == INVALID_SOCKET) {
    std::fprintf(stderr, "seed-echo-server: WSASocket failed: %d\n", WSAGetLastError());
    return 0;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<u_short>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listenSocket_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == SOCKET_ERROR ||
      listen(listenSocket_, SOMAXCONN) == SOCKET_ERROR) {
    std::fprintf(stderr, "seed-echo-server: cannot listen on 127.0.0.1:%u: %d\n", port, WSAGetLastError());
    return 0;
  }
  int len = sizeof addr;
  getsockname(listenSocket_, reinterpret_cast<sockaddr *>(&addr), &len);

  // One completion port for all workers; concurrency = the number of workers.
  iocp_ = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, workers_);
  if (!iocp_) {
    std::fprintf(stderr, "seed-echo-server: CreateIoCompletionPort failed: %lu\n", GetLastError());
    return 0;
  }
  if (probe_ && iocpm_watch_port(probe_, 0, iocp_) != 0)  // PROBE: queue depth of the shared port
    std::fprintf(stderr, "seed-echo-server: probe cannot watch the port: %lu\n", GetLastError());

  for (unsigned i = 0; i < workers_; i++) workerThreads_.emplace_back([this, i] { WorkerLoop(i); });
  acceptThread_ = std::thread([this] { AcceptLoop(); });
  return ntohs(addr.sin_port);
}

void IocpEchoServer::AcceptLoop() {
  for (;;) {
    // Plain blocking accept(): Stop() closes the listening socket, which makes it fail.
    SOCKET client = accept(listenSocket_, nullptr, nullptr);
    if (client == INVALID_SOCKET) {
      if (stopping_) return;
      iocpm_count_error(probe_, 0, WSAGetLastError());  // PROBE
      continue;
    }
    auto *session = new Session();
    session->socket = client;
    session->id = nextSessionId_++;
    session->home = static_cast<unsigned>(session->id % workers_);
    BOOL noDelay = TRUE;  // echo small messages at once
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&noDelay), sizeof noDelay);

    // The session pointer is the completion key: every completion says whose it is.
    if (!CreateIoCompletionPort(reinterpret_cast<HANDLE>(client), iocp_, reinterpret_cast<ULONG_PTR>(session), 0)) {
      iocpm_count_error(probe_, session->home, static_cast<int>(GetLastError()));  // PROBE
      closesocket(client);
      delete session;
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(sessionsLock_);
      sessions_[session->id] = session;
    }
    iocpm_session_opened(probe_, session->home);  // PROBE (the accept thread is no worker: home's block)
    if (!PostRecv(session->home, session)) CloseSession(session->home, session, true);
  }
}

bool IocpEchoServer::PostRecv(unsigned worker, Session *session) {
  IoContext &ctx = session->recvCtx;
  ResetOverlapped(ctx);
  ctx.type = IoType::Recv;
  ctx.wsaBuf.buf = ctx.buffer;
  ctx.wsaBuf.len = kBufferSize;
  DWORD flags = 0;
  // Counted before the call: the completion may be dequeued (and subtracted) on another worker
  // before WSARecv even returns.
  iocpm_add_inflight(probe_, session->home, +1);  // PROBE
  if (WSARecv(session->socket, &ctx.wsaBuf, 1, nullptr, &flags, &ctx.overlapped, nullptr) == SOCKET_ERROR) {
    int err = WSAGetLastError();
    if (err != WSA_IO_PENDING) {  // failed at once: no completion will come
      iocpm_add_inflight(probe_, session->home, -1);  // PROBE
      iocpm_count_error(probe_, worker, err);         // PROBE
      return false;
    }
  }
  return true;  // pending, or done already: either way a completion packet is queued
}

bool IocpEchoServer::PostSend(unsigned worker, Session *session) {
  IoContext &ctx = session->sendCtx;
  ResetOverlapped(ctx);
  ctx.type = IoType::Send;
  ctx.wsaBuf.buf = ctx.buffer + session->sendDone;
  ctx.wsaBuf.len = session->sendTotal - session->sendDone;
  iocpm_add_inflight(probe_, session->home, +1);  // PROBE
  if (WSASend(session->socket, &ctx.wsaBuf, 1, nullptr, 0, &ctx.overlapped, nullptr) == SOCKET_ERROR) {
    int err = WSAGetLastError();
    if (err != WSA_IO_PENDING) {
      iocpm_add_inflight(probe_, session->home, -1);  // PROBE
      iocpm_count_error(probe_, worker, err);         // PROBE
      return false;
    }
  }
  return true;
}

void IocpEchoServer::CloseSession(unsigned worker, Session *session, bool abortive) {
  if (abortive) {
    // Hard close (RST) after an error: SO_LINGER on with a zero timeout.
    linger lingerOpt{1, 0};
    setsockopt(session->socket, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char *>(&lingerOpt), sizeof lingerOpt);
  } else {
    shutdown(session->socket, SD_BOTH);  // graceful: our FIN after the peer's
  }
  {
    // Out of the table before the socket closes, so Stop() never cancels on a stale handle.
    std::lock_guard<std::mutex> lock(sessionsLock_);
    sessions_.erase(session->id);
  }
  closesocket(session->socket);
  iocpm_session_closed(probe_, worker);  // PROBE
  delete session;
}

void IocpEchoServer::OnCompletion(unsigned worker, Session *session, IoContext *ctx, DWORD bytes) {
  if (ctx->type == IoType::Recv) {
    if (bytes == 0) {  // zero-byte receive: the peer closed its side (FIN); nothing is pending
      CloseSession(worker, session, false);
      return;
    }
    iocpm_count_recv(probe_, worker, bytes);  // PROBE
    CopyMemory(session->sendCtx.buffer, ctx->buffer, bytes);
    session->sendTotal = bytes;
    session->sendDone = 0;
    if (stopping_ || !PostSend(worker, session)) CloseSession(worker, session, true);
    return;
  }
  iocpm_count_send(probe_, worker, bytes);  // PROBE
  session->sendDone += bytes;
  bool more = session->sendDone < session->sendTotal;  // partial send: resend the rest
  bool posted = !stopping_ && (more ? PostSend(worker, session) : PostRecv(worker, session));
  if (!posted) CloseSession(worker, session, true);
}

void IocpEchoServer::WorkerLoop(unsigned worker) {
  for (;;) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    OVERLAPPED *overlapped = nullptr;
    BOOL ok = GetQueuedCompletionStatus(iocp_, &bytes, &key, &overlapped, INFINITE);
    uint64_t busyFrom = NowNs();                   // PROBE
    if (overlapped == nullptr) {
      if (ok && key == 0) return;  // Stop()'s PostQueuedCompletionStatus wake-up
      iocpm_count_error(probe_, worker, static_cast<int>(GetLastError()));  // PROBE: the port itself failed
      return;
    }
    auto *session = reinterpret_cast<Session *>(key);
    auto *ctx = reinterpret_cast<IoContext *>(overlapped);  // OVERLAPPED is IoContext's first member
    iocpm_count_completion(probe_, worker);                 // PROBE
    iocpm_add_inflight(probe_, session->home, -1);          // PROBE
    if (!ok) {
      // The operation failed: ERROR_NETNAME_DELETED for a reset peer, ERROR_OPERATION_ABORTED for
      // Stop()'s CancelIoEx (not an error of the server, so not counted).
      DWORD err = GetLastError();
      if (err != ERROR_OPERATION_ABORTED) iocpm_count_error(probe_, worker, static_cast<int>(err));  // PROBE
      CloseSession(worker, session, true);
    } else {
      OnCompletion(worker, session, ctx, bytes);
    }
    iocpm_count_busy(probe_, worker, NowNs() - busyFrom);  // PROBE
  }
}

void IocpEchoServer::Stop() {
  stopping_ = true;
  // 1. No new sessions: closing the listening socket makes the blocking accept() return.
  closesocket(listenSocket_);
  if (acceptThread_.joinable()) acceptThread_.join();

  // 2. Cancel every session's one pending operation; its worker then closes the session. A worker
  // may be between dequeuing a completion and posting the next operation right now (it will see
  // stopping_ and close, or it posted just before our cancel): cancel again until none are left.
  for (int tries = 0; tries < 100; tries++) {
    {
      std::lock_guard<std::mutex> lock(sessionsLock_);
      if (sessions_.empty()) break;
      for (auto &entry : sessions_) CancelIoEx(reinterpret_cast<HANDLE>(entry.second->socket), nullptr);
    }
    Sleep(20);
  }

  // 3. Wake every worker once and join them.
  for (unsigned i = 0; i < workers_; i++) PostQueuedCompletionStatus(iocp_, 0, 0, nullptr);
  for (auto &t : workerThreads_) t.join();
  workerThreads_.clear();
  CloseHandle(iocp_);
  iocp_ = nullptr;
}
