#include "iocp_sessions.h"

#include <algorithm>

#include "iocp_worker.h"

namespace iocpm {
namespace iocp {

void Sessions::accepted(Worker& w, SOCKET sock, SOCKET listener) {
  // Gives the accepted socket the listener's properties; without it shutdown() and getpeername()
  // fail on an AcceptEx socket.
  if (setsockopt(sock, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char*>(&listener),
                 sizeof(listener)) == SOCKET_ERROR) {
    w.m.countError(WSAGetLastError());
    close_socket(sock, true);
    return;
  }
  if (!accounting_.admit(w.m)) {
    close_socket(sock, true);
    return;
  }
  const EngineConfig& cfg = ctx_.cfg;
  if (cfg.noDelay) {
    BOOL on = TRUE;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof(on));
  }
  Session* s = new Session(sock, static_cast<size_t>(cfg.sendQueueLimit), static_cast<size_t>(cfg.recvBufferSize));
  s->home = ctx_.opts.perWorker() ? static_cast<int>(rr_.fetch_add(1) % static_cast<unsigned>(cfg.workers)) : w.index;
  s->group = &ctx_.groupOf(s->home);
  // Completion key = the session: every packet of this socket leads straight to its state.
  if (!CreateIoCompletionPort(reinterpret_cast<HANDLE>(sock), s->group->port, reinterpret_cast<ULONG_PTR>(s), 0)) {
    w.m.countError(static_cast<int>(GetLastError()));
    destroy(s, true);
    return;
  }
  if (s->group != &w.group) {
    // Per-worker layout: hand the session to its worker through that worker's own port, so only
    // that thread ever touches it.
    ctx_.opBegin();
    if (!PostQueuedCompletionStatus(s->group->port, 0, reinterpret_cast<ULONG_PTR>(s), &s->handoffOp.ov)) {
      w.m.countError(static_cast<int>(GetLastError()));
      destroy(s, true);
      ctx_.opEnd();
    }
    return;
  }
  adopt(w, s);
}

void Sessions::adopt(Worker& w, Session* s) {
  {
    std::lock_guard<std::mutex> g(s->group->mu);
    if (ctx_.stopping.load()) {
      // stop() has already swept this group (it sets stopping first): close it ourselves.
      destroy(s, false);
      return;
    }
    s->group->sessions.insert(s);
  }
  // Listed before any operation is posted, with no session lock held (lock order: the
  // directory's lock, then Session::mu, see closeById).
  ctx_.home(*s).live->add(s);
  accounting_.opened(ctx_.home(*s));
  step(s, [&] { armRecv(w, *s); });
}

void Sessions::armRecv(Worker& w, Session& s) {
  if (s.recvPending || !SessionRules::wantsRecv(s)) return;
  s.recvOp.reset();
  WSABUF b;
  b.buf = s.buf.get();
  b.len = static_cast<ULONG>(ctx_.cfg.recvBufferSize);
  DWORD flags = 0;
  posting(s, &s.recvPending, OpKind::Recv);
  // A receive that completes at once still queues its packet (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
  // is deliberately not set), so every completion is handled in one place and counted in the
  // port's depth.
  if (WSARecv(s.sock, &b, 1, nullptr, &flags, &s.recvOp.ov, nullptr) == SOCKET_ERROR) {
    notPosted(w, s, &s.recvPending, OpKind::Recv);
  }
}

// One send outstanding per session: the kernel holds a pointer into the queue's front chunk.
void Sessions::kickSend(Worker& w, Session& s) {
  if (s.sendPending || s.closing || s.out.empty()) return;
  size_t len = 0;
  const char* p = s.out.front(&len);
  s.sendOp.reset();
  WSABUF b;
  b.buf = const_cast<char*>(p);
  b.len = static_cast<ULONG>(std::min<size_t>(len, 0x7fffffff));
  posting(s, &s.sendPending, OpKind::Send);
  if (WSASend(s.sock, &b, 1, nullptr, 0, &s.sendOp.ov, nullptr) == SOCKET_ERROR) {
    notPosted(w, s, &s.sendPending, OpKind::Send);
  }
}

// Before WSARecv/WSASend: the operation counts as pending (and in flight) from here on.
void Sessions::posting(Session& s, bool* pending, OpKind kind) {
  *pending = true;
  charge(ctx_.home(s).inflight[int(kind)], 1);
  ctx_.opBegin();
}

// The call returned SOCKET_ERROR. WSA_IO_PENDING means it was posted and its packet will come; any
// other error means no packet, so the operation is undone here and the session closes with RST.
void Sessions::notPosted(Worker& w, Session& s, bool* pending, OpKind kind) {
  int err = WSAGetLastError();
  if (err == WSA_IO_PENDING) return;
  *pending = false;
  charge(ctx_.home(s).inflight[int(kind)], -1);
  ctx_.opEnd();
  w.m.countError(err);
  s.countError(err);
  beginClose(s, true);
}

// Starts closing: pending operations are cancelled; the socket is closed and the session freed
// only by the handler of its last packet (takeFinal/finalize).
void Sessions::beginClose(Session& s, bool abortive) {
  if (!rules_.beginClose(s, abortive)) return;
  if (s.recvPending || s.sendPending) CancelIoEx(reinterpret_cast<HANDLE>(s.sock), nullptr);
}

// Graceful end after the peer's FIN: everything queued has been sent, now close (close_socket
// sends FIN both ways unless the close is abortive).
void Sessions::finishIfDone(Session& s) {
  if (SessionRules::finished(s, s.sendPending)) beginClose(s, false);
}

// True exactly once, for the handler that saw the last operation of a closing session end.
bool Sessions::takeFinal(Session& s) {
  if (!s.closing || s.recvPending || s.sendPending || s.finalized) return false;
  s.finalized = true;
  return true;
}

// An operation failed: counted unless it is the cancel of a close, then the session closes with RST.
void Sessions::failed(Worker& w, Session& s, int err) {
  if (!(is_cancel(err) && s.closing)) {
    w.m.countError(err);
    s.countError(err);
  }
  beginClose(s, true);
}

void Sessions::finalize(Session* s) {
  {
    std::lock_guard<std::mutex> g(s->group->mu);
    s->group->sessions.erase(s);
  }
  ctx_.home(*s).live->remove(s);  // before the socket is closed: the session table reads its names
  accounting_.closed(ctx_.home(*s));
  close_socket(s->sock, s->abortive);
  delete s;
}

// Closes and frees a session that was never registered: the kernel holds nothing of it.
void Sessions::destroy(Session* s, bool abortive) {
  close_socket(s->sock, abortive);
  accounting_.abandon();
  delete s;
}

void Sessions::onRecv(Worker& w, Session* s, DWORD bytes) {
  int err = overlapped_error(s->sock, &s->recvOp.ov);
  if (err == 0 && bytes > 0) {
    WorkerMetrics::bump(w.m.bytesIn, bytes);
    bool closing;
    {
      std::lock_guard<std::mutex> l(s->mu);
      closing = s->closing;
    }
    // The workload runs without this session's lock (echo re-locks it in sendTo; chat locks every
    // session in turn). recvPending stays true meanwhile, so nobody frees the session and the
    // receive buffer is not reused.
    if (!closing) apply_workload(ctx_.cfg.workload, w, s, s->buf.get(), bytes);
  }
  step(s, [&] {
    s->recvPending = false;
    charge(ctx_.home(*s).inflight[int(OpKind::Recv)], -1);
    if (err == 0 && bytes > 0) {
      s->countReceived(bytes);  // under the lock: a send completion may count on another thread
      SessionRules::pauseIfBacklogged(*s);
      armRecv(w, *s);
    } else if (err == 0) {
      s->peerClosed();
      finishIfDone(*s);
    } else {
      failed(w, *s, err);
    }
  });
  ctx_.opEnd();
}

void Sessions::onSend(Worker& w, Session* s, DWORD bytes) {
  int err = overlapped_error(s->sock, &s->sendOp.ov);
  step(s, [&] {
    s->sendPending = false;
    charge(ctx_.home(*s).inflight[int(OpKind::Send)], -1);
    if (err != 0) {
      failed(w, *s, err);
      return;
    }
    WorkerMetrics::bump(w.m.bytesOut, bytes);
    s->countSent(bytes);
    if (s->closing) return;
    if (SessionRules::resumeIfDrained(*s)) armRecv(w, *s);
    kickSend(w, *s);
    finishIfDone(*s);
  });
  ctx_.opEnd();
}

void Sessions::sendTo(Worker& w, Session* s, const char* p, size_t n) {
  std::lock_guard<std::mutex> l(s->mu);
  if (s->closing) return;
  if (!SessionRules::enqueue(*s, p, n, false, w.m)) {
    beginClose(*s, true);
    return;
  }
  kickSend(w, *s);
}

void Sessions::broadcast(Worker& w, const char* p, size_t n) {
  std::lock_guard<std::mutex> g(w.group.mu);
  for (Session* s : w.group.sessions) sendTo(w, s, p, n);
}

// Every posting path checks under a lock taken here (Group::mu for new sessions, Session::mu and
// `closing` for WSARecv/WSASend), so each operation is either posted before its cancel or never.
void Sessions::closeAll() {
  for (auto& grp : ctx_.groups) {
    std::lock_guard<std::mutex> g(grp->mu);
    for (Session* s : grp->sessions) {
      std::lock_guard<std::mutex> l(s->mu);
      beginClose(*s, false);
    }
  }
}

bool Sessions::closeById(int worker, uint64_t id, bool abortive) {
  if (worker < 0 || worker >= ctx_.cfg.workers) return false;
  // The directory's lock keeps the session from being finalized meanwhile; its own lock orders
  // the close with its completion handlers, as stop() does.
  return ctx_.metrics[worker].live->with(id, [&](SessionCore& c) {
    Session& s = static_cast<Session&>(c);
    std::lock_guard<std::mutex> l(s.mu);
    if (s.closing) return;
    if (!abortive) shutdown(s.sock, SD_SEND);
    beginClose(s, abortive);
  });
}

void Sessions::freeLeft() {
  for (auto& grp : ctx_.groups) {
    std::vector<Session*> left(grp->sessions.begin(), grp->sessions.end());
    for (Session* s : left) finalize(s);
  }
}

}  // namespace iocp
}  // namespace iocpm
