// The socket calls under test_net.cc's classes: one implementation file per platform
// (linux/test_net_posix.cc, ../win/test_net_win.cc). Each call is one system call's worth of work
// (retried only when a signal interrupts it) and returns the native error code through *err; the
// classes decide what to do next.
#pragma once
#include <cstddef>
#include <cstdint>

#include "test_net.h"

namespace tnet {
namespace sys {

using Socket = std::intptr_t;  // an int descriptor or a SOCKET, as this integer
constexpr Socket kNone = -1;

// One connect to the loopback address, with o's timeouts and buffers and TCP_NODELAY.
Socket connect(int port, const ConnectOptions& o, int* err);
// One send or receive: the byte count, or -1 (0 from recv is EOF).
long send(Socket s, const char* p, size_t n, int* err);
long recv(Socket s, char* p, size_t n, int* err);
// Waits up to waitMs for room, then sends without blocking: bytes, 0 for no room, -1 on error.
long send_when_writable(Socket s, const char* p, size_t n, int waitMs, int* err);
bool shutdown_send(Socket s);
// The socket's own port (getsockname), or 0.
int local_port(Socket s);
// abortive: SO_LINGER {1, 0} first, so the peer sees RST.
void close(Socket s, bool abortive);
// A socket listening on 127.0.0.1 and a free port (*port), or kNone.
Socket listen_loopback(int* port);
// The next connection, or kNone when none came within timeoutMs.
Socket accept(Socket listener, int timeoutMs);

}  // namespace sys
}  // namespace tnet
