// test_net_sys.h and the platform part of test_net.h on Windows: Winsock, and
// iocpm::process_resources() (Toolhelp32 threads, the system handle table) for the counts.
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "../src/core/process_resources.h"
#include "../tests/common/bound_port.h"
#include "../tests/common/test_net_sys.h"

namespace tnet {
namespace sys {
namespace {

// Wine is slow, and much slower on a busy machine: a timeout only bounds a broken test.
constexpr int kDefaultTimeoutMs = 15000;

// Client-side Winsock for the lifetime of the test program (the backend calls WSAStartup itself).
struct WinsockSession {
  WinsockSession() {
    WSADATA d;
    WSAStartup(MAKEWORD(2, 2), &d);
  }
  ~WinsockSession() { WSACleanup(); }
} const g_winsock;

SOCKET sock_of(Socket s) { return static_cast<SOCKET>(s); }
Socket socket_of(SOCKET s) { return s == INVALID_SOCKET ? kNone : static_cast<Socket>(s); }
int chunk(size_t n) { return static_cast<int>(std::min<size_t>(n, 65536)); }

// The loopback address of the family on port (numeric: nothing is looked up); false on failure.
bool loopback(int port, bool ipv6, sockaddr_storage* out, int* len) {
  addrinfo hints{};
  hints.ai_family = ipv6 ? AF_INET6 : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(ipv6 ? "::1" : "127.0.0.1", std::to_string(port).c_str(), &hints, &found) != 0) return false;
  std::memcpy(out, found->ai_addr, found->ai_addrlen);
  *len = static_cast<int>(found->ai_addrlen);
  freeaddrinfo(found);
  return true;
}

void set_int(SOCKET s, int level, int name, int value) {
  setsockopt(s, level, name, reinterpret_cast<const char*>(&value), sizeof(value));
}

// Waits until s is readable (accept) or writable: true when it became so within timeoutMs.
bool select_for(SOCKET s, bool write, int timeoutMs) {
  fd_set set;
  FD_ZERO(&set);
  FD_SET(s, &set);
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  return select(0, write ? nullptr : &set, write ? &set : nullptr, nullptr, &tv) > 0;
}

}  // namespace

Socket connect(int port, const ConnectOptions& o, int* err) {
  sockaddr_storage a{};
  int len = 0;
  SOCKET s = loopback(port, o.ipv6, &a, &len) ? socket(a.ss_family, SOCK_STREAM, IPPROTO_TCP) : INVALID_SOCKET;
  if (s == INVALID_SOCKET) {
    *err = WSAGetLastError();
    return kNone;
  }
  DWORD t = static_cast<DWORD>(o.timeoutMs > 0 ? o.timeoutMs : kDefaultTimeoutMs);
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&t), sizeof(t));
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, reinterpret_cast<const char*>(&t), sizeof(t));
  if (o.receiveBufferBytes > 0) set_int(s, SOL_SOCKET, SO_RCVBUF, o.receiveBufferBytes);
  set_int(s, IPPROTO_TCP, TCP_NODELAY, 1);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), len) == SOCKET_ERROR) {
    *err = WSAGetLastError();  // before closesocket, which may overwrite it
    closesocket(s);
    return kNone;
  }
  return socket_of(s);
}

long send(Socket s, const char* p, size_t n, int* err) {
  int w = ::send(sock_of(s), p, chunk(n), 0);
  if (w < 0) *err = WSAGetLastError();
  return w;
}

long recv(Socket s, char* p, size_t n, int* err) {
  int r = ::recv(sock_of(s), p, chunk(n), 0);
  if (r < 0) *err = WSAGetLastError();
  return r;
}

long send_when_writable(Socket s, const char* p, size_t n, int waitMs, int* err) {
  u_long nonblocking = 1;  // for good: Winsock has no per-call MSG_DONTWAIT
  ioctlsocket(sock_of(s), FIONBIO, &nonblocking);
  if (!select_for(sock_of(s), true, waitMs)) return 0;
  int w = ::send(sock_of(s), p, chunk(n), 0);
  if (w >= 0) return w;
  *err = WSAGetLastError();
  return *err == WSAEWOULDBLOCK ? 0 : -1;
}

bool shutdown_send(Socket s) { return ::shutdown(sock_of(s), SD_SEND) == 0; }

int local_port(Socket s) { return bound_port<int>(sock_of(s)); }

void close(Socket s, bool abortive) {
  if (abortive) {
    linger l{1, 0};
    setsockopt(sock_of(s), SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof(l));
  }
  closesocket(sock_of(s));
}

Socket listen_loopback(int* port) {
  sockaddr_storage a{};
  int len = 0;
  SOCKET s = loopback(0, false, &a, &len) ? socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) : INVALID_SOCKET;
  if (s == INVALID_SOCKET) return kNone;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), len) != 0 || listen(s, 64) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    closesocket(s);
    return kNone;
  }
  *port = ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
  return socket_of(s);
}

Socket accept(Socket listener, int timeoutMs) {
  if (!select_for(sock_of(listener), false, timeoutMs)) return kNone;
  return socket_of(::accept(sock_of(listener), nullptr, nullptr));
}

}  // namespace sys

const NativeCodes& native_codes() {
  static const NativeCodes codes{WSAECONNREFUSED, WSAECONNRESET, WSAECONNABORTED};
  return codes;
}

int process_threads() { return iocpm::process_resources().threads; }
int process_handles() { return iocpm::process_resources().handles; }

bool under_wine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace tnet
