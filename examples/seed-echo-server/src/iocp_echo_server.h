// iocp_echo_server.h — the textbook IOCP echo server, as written from an IOCP study note
// (IOCP 정리 노트): one completion port shared by a pool of worker threads, an accept thread,
// and per-session OVERLAPPED contexts. Instrumented with the IOCP Monitor probe.
//
// Echo model, per session: exactly one operation is outstanding at any time —
//   WSARecv -> (n bytes) -> WSASend of those n bytes (resent until all are out) -> WSARecv ...
// so a session is only ever touched by the worker that dequeued its one completion, and it can be
// deleted by that worker without reference counting or locks.
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "iocpm_probe.h"

constexpr int kBufferSize = 8192;

enum class IoType { Recv, Send };

// One overlapped operation. OVERLAPPED must be the first member: GetQueuedCompletionStatus hands
// back the OVERLAPPED*, and we cast it back to the IoContext that contains it.
struct IoContext {
  OVERLAPPED overlapped;
  WSABUF wsaBuf;
  char buffer[kBufferSize];
  IoType type;
};

struct Session {
  SOCKET socket = INVALID_SOCKET;
  uint64_t id = 0;
  unsigned home = 0;   // probe worker block of this session's in-flight count: id % workers
  IoContext recvCtx{};
  IoContext sendCtx{};
  DWORD sendTotal = 0; // bytes to echo from sendCtx.buffer
  DWORD sendDone = 0;  // of which already sent (partial sends: resend the rest)
};

class IocpEchoServer {
 public:
  IocpEchoServer(unsigned workers, iocpm_probe *probe) : workers_(workers), probe_(probe) {}
  // Binds 127.0.0.1:port (0 = any free port), starts the workers and the accept thread.
  // Returns the bound port, or 0 (the reason is printed on stderr).
  unsigned Start(unsigned port);
  // Stops accepting, cancels every session's pending operation, waits for the workers to close
  // the sessions, then wakes the workers with PostQueuedCompletionStatus and joins them.
  void Stop();

 private:
  void AcceptLoop();
  void WorkerLoop(unsigned worker);
  void OnCompletion(unsigned worker, Session *session, IoContext *ctx, DWORD bytes);
  bool PostRecv(unsigned worker, Session *session);
  bool PostSend(unsigned worker, Session *session);
  void CloseSession(unsigned worker, Session *session, bool abortive);

  const unsigned workers_;
  iocpm_probe *const probe_;
  HANDLE iocp_ = nullptr;
  SOCKET listenSocket_ = INVALID_SOCKET;
  std::vector<std::thread> workerThreads_;
  std::thread acceptThread_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> nextSessionId_{1};
  std::mutex sessionsLock_;  // guards sessions_: the accept thread adds, workers remove, Stop reads
  std::unordered_map<uint64_t, Session *> sessions_;
};
