#include "iocp_worker.h"

#include <algorithm>
#include <vector>

namespace iocpm {
namespace iocp {

void Worker::dispatch(const OVERLAPPED_ENTRY& e) {
  Op* op = CONTAINING_RECORD(e.lpOverlapped, Op, ov);
  Session* s = reinterpret_cast<Session*>(e.lpCompletionKey);
  switch (op->type) {
    case OpType::Accept: {
      AcceptOp& a = *CONTAINING_RECORD(op, AcceptOp, op);
      SOCKET sock = accepts_.complete(a, m);
      if (sock != INVALID_SOCKET) sessions_.accepted(*this, sock, accepts_.listener());
      accepts_.repost(a, m);
      ctx_.opEnd();
      break;
    }
    case OpType::Recv: sessions_.onRecv(*this, s, e.dwNumberOfBytesTransferred); break;
    case OpType::Send: sessions_.onSend(*this, s, e.dwNumberOfBytesTransferred); break;
    case OpType::Handoff:
      sessions_.adopt(*this, s);
      ctx_.opEnd();
      break;
  }
}

void Worker::run() {
  const bool isAcceptor = !ctx_.opts.perWorker() || index == 0;
  const bool batch = ctx_.opts.dequeue == IocpDequeue::Gqcsex;
  std::vector<OVERLAPPED_ENTRY> entries(batch ? static_cast<size_t>(std::max(1, ctx_.opts.dequeueBatch)) : 1);
  for (;;) {
    // Wait forever unless accept slots need a retry.
    DWORD timeout = isAcceptor && accepts_.hasIdle() ? kAcceptRetryMs : INFINITE;
    ULONG n = 0;
    if (batch) {
      if (!GetQueuedCompletionStatusEx(group.port, entries.data(), static_cast<ULONG>(entries.size()), &n, timeout, FALSE)) {
        DWORD err = GetLastError();
        n = 0;
        if (err != WAIT_TIMEOUT && !dequeueFailed(err)) return;
      }
    } else {
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* ov = nullptr;
      BOOL ok = GetQueuedCompletionStatus(group.port, &bytes, &key, &ov, timeout);
      if (!ok && ov == nullptr) {  // nothing dequeued (a failed operation returns FALSE with ov set)
        DWORD err = GetLastError();
        if (err != WAIT_TIMEOUT && !dequeueFailed(err)) return;
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
      WorkerMetrics::bump(m.completions);
      dispatch(entries[i]);
    }
    if (isAcceptor && accepts_.hasIdle()) accepts_.retryIdle(m, t0, &lastAcceptRetryNs_);
    WorkerMetrics::bump(m.busyNs, mono_ns() - t0);
    if (quits > 0) {
      // Shared port: a batch may have taken the quit packets meant for other workers.
      for (int q = 1; q < quits; ++q) quit();
      return;
    }
  }
}

// A dequeue call itself failed. Returns false when the port is gone (leave the loop).
bool Worker::dequeueFailed(DWORD err) {
  if (err == ERROR_ABANDONED_WAIT_0 || err == ERROR_INVALID_HANDLE) return false;
  m.countError(static_cast<int>(err));
  Sleep(1);  // unexpected: do not spin at full speed on a persistent failure
  return true;
}

}  // namespace iocp
}  // namespace iocpm
