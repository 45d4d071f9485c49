#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include "test_support.h"

#include "../src/core/process_resources.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <thread>

namespace wt {

WinsockSession::WinsockSession() {
  WSADATA d;
  WSAStartup(MAKEWORD(2, 2), &d);
}
WinsockSession::~WinsockSession() { WSACleanup(); }

namespace {
sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<u_short>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}
}  // namespace

int free_port() {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in a = loopback(0);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  int len = sizeof(a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  closesocket(s);
  return ntohs(a.sin_port);
}

SOCKET connect_to(int port, int timeoutMs, int bufferBytes) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (s == INVALID_SOCKET) return s;
  DWORD t = static_cast<DWORD>(timeoutMs);
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&t), sizeof(t));
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, reinterpret_cast<const char*>(&t), sizeof(t));
  if (bufferBytes > 0) {  // small buffers make a non-reading client push back sooner
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, reinterpret_cast<const char*>(&bufferBytes), sizeof(bufferBytes));
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, reinterpret_cast<const char*>(&bufferBytes), sizeof(bufferBytes));
  }
  BOOL on = TRUE;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof(on));
  sockaddr_in a = loopback(port);
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == SOCKET_ERROR) {
    closesocket(s);
    return INVALID_SOCKET;
  }
  return s;
}

bool send_all(SOCKET s, const char* p, size_t n) {
  while (n > 0) {
    int chunk = static_cast<int>(n > 65536 ? 65536 : n);
    int r = send(s, p, chunk, 0);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool send_all(SOCKET s, const std::string& data) { return send_all(s, data.data(), data.size()); }

bool recv_exact(SOCKET s, char* p, size_t n) {
  while (n > 0) {
    int chunk = static_cast<int>(n > 65536 ? 65536 : n);
    int r = recv(s, p, chunk, 0);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool recv_to_eof(SOCKET s, std::string* out) {
  char buf[16384];
  for (;;) {
    int r = recv(s, buf, sizeof(buf), 0);
    if (r == 0) return true;
    if (r < 0) return false;
    out->append(buf, static_cast<size_t>(r));
  }
}

int wait_closed(SOCKET s) {
  char buf[4096];
  int r = recv(s, buf, sizeof(buf), 0);
  if (r == 0) return 0;
  if (r > 0) return -1;
  return WSAGetLastError();
}

void abort_close(SOCKET s) {
  linger l{1, 0};
  setsockopt(s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof(l));
  closesocket(s);
}

std::string pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x & 0xff);
  }
  return s;
}

bool wait_until(const std::function<bool()>& pred, int timeoutMs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Totals totals(const iocpm::EngineSnapshot& s) {
  Totals t;
  for (const auto& w : s.workers) {
    t.completions += w.completions;
    t.accepts += w.accepts;
    t.closes += w.closes;
    t.bytesIn += w.bytesIn;
    t.bytesOut += w.bytesOut;
    t.sessions += w.sessions;
    for (int k = 0; k < 3; ++k) t.inflight[k] += w.inflight[k];
    for (const auto& e : w.errors) t.errors += e.count;
  }
  return t;
}

uint64_t error_count(const iocpm::EngineSnapshot& s, const char* portableName) {
  uint64_t n = 0;
  for (const auto& w : s.workers) {
    for (const auto& e : w.errors) {
      if (e.code != -1 && std::string(iocpm::translate_native_error(e.code).portable) == portableName) n += e.count;
    }
  }
  return n;
}

std::string error_summary(const iocpm::EngineSnapshot& s) {
  std::string out;
  for (const auto& w : s.workers) {
    for (const auto& e : w.errors) {
      auto n = iocpm::translate_native_error(e.code);
      out += "w" + std::to_string(w.worker) + ":" + n.native + "(" + n.portable + ")x" + std::to_string(e.count) + " ";
    }
  }
  return out.empty() ? "none" : out;
}

iocpm::EngineConfig config(int port, int workers, iocpm::IocpPortLayout layout) {
  iocpm::EngineConfig c;
  c.port = port;
  c.workers = workers;
  c.backend = iocpm::BackendKind::Iocp;
  c.iocpPortLayout = layout;
  return c;
}

int process_thread_count() { return iocpm::process_resources().threads; }
int process_handle_count() { return iocpm::process_resources().handles; }

}  // namespace wt
