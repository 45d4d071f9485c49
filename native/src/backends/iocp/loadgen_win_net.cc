// The Windows load generator's addressing and start checks: name resolution, the loopback test,
// the pre-flight connect and the ConnectEx lookup (see loadgen_win_net.h).
#include "loadgen_win_net.h"

#include <cstring>
#include <string>

#include "../../core/error_catalog.h"
#include "../../loadgen/loadgen_shared.h"

namespace iocpm {
namespace winload {
namespace {

// SIO_TCP_INITIAL_RTO (mstcpip.h, Windows 8) sets the SYN retransmission policy of one socket.
// Named here because the SDK hides it below _WIN32_WINNT 0x0602 and mingw lacks it.
constexpr DWORD kSioTcpInitialRto = _WSAIOW(IOC_VENDOR, 17);
struct TcpInitialRtoParameters {
  USHORT Rtt;                    // ms; 0 = the system default
  UCHAR MaxSynRetransmissions;   // 0xFE = none
};
constexpr USHORT kRtoDefaultRtt = 0;
constexpr UCHAR kRtoNoSynRetransmissions = 0xFE;

std::string wsa_text(int code) {
  char buf[256];
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, static_cast<DWORD>(code),
                           0, buf, sizeof(buf), nullptr);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '.')) --n;
  return n > 0 ? std::string(buf, n) : "error " + std::to_string(code);
}

}  // namespace

bool is_loopback(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) {
    return (ntohl(reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr) >> 24) == 127;
  }
  const in6_addr& v6 = reinterpret_cast<const sockaddr_in6&>(a).sin6_addr;
  static const unsigned char kLoop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const unsigned char* b = reinterpret_cast<const unsigned char*>(&v6);
  return std::memcmp(b, kLoop6, 16) == 0 || (std::memcmp(b, kMapped, 12) == 0 && b[12] == 127);
}

void no_syn_retransmissions(SOCKET s) {
  TcpInitialRtoParameters p{kRtoDefaultRtt, kRtoNoSynRetransmissions};
  DWORD got = 0;
  WSAIoctl(s, kSioTcpInitialRto, &p, sizeof(p), nullptr, 0, &got, nullptr, nullptr);
}

SOCKET new_socket(int family) {
  return WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

LoadError resolve(const LoadConfig& cfg, sockaddr_storage* out, int* len) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int r = getaddrinfo(cfg.host.c_str(), nullptr, &hints, &res);
  if (r != 0 || !res) {
    if (res) freeaddrinfo(res);
    return {"host", "name-not-resolved", r, "host '" + cfg.host + "' does not resolve: " + wsa_text(r)};
  }
  std::memcpy(out, res->ai_addr, res->ai_addrlen);
  *len = static_cast<int>(res->ai_addrlen);
  freeaddrinfo(res);
  u_short port = htons(static_cast<u_short>(cfg.port));
  if (out->ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(out)->sin_port = port;
  else reinterpret_cast<sockaddr_in6*>(out)->sin6_port = port;
  return {};
}

LoadError socket_error(const char* what, int err) {
  NativeErrorName n = translate_native_error(err);
  return {"", n.portable, err, std::string(what) + " failed: " + n.portable + " (" + n.native + ")"};
}

LoadError preflight(const LoadConfig& cfg, const sockaddr_storage& a, int len, bool loopback) {
  SOCKET s = new_socket(a.ss_family);
  if (s == INVALID_SOCKET) return socket_error("socket", WSAGetLastError());
  u_long nonblocking = 1;
  ioctlsocket(s, FIONBIO, &nonblocking);
  if (loopback) no_syn_retransmissions(s);
  int err = 0;
  if (connect(s, reinterpret_cast<const sockaddr*>(&a), len) == SOCKET_ERROR) {
    err = WSAGetLastError();
    if (err == WSAEWOULDBLOCK) {
      // A failed non-blocking connect shows in the except set, a finished one in the write set.
      fd_set w, x;
      FD_ZERO(&w);
      FD_ZERO(&x);
      FD_SET(s, &w);
      FD_SET(s, &x);
      timeval tv{2, 0};
      int n = select(0, nullptr, &w, &x, &tv);
      if (n == 0) {
        err = WSAETIMEDOUT;
      } else if (n == SOCKET_ERROR) {
        err = WSAGetLastError();
      } else if (FD_ISSET(s, &x)) {
        int soErr = 0;
        int l = sizeof(soErr);
        getsockopt(s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&soErr), &l);
        err = soErr ? soErr : WSAECONNREFUSED;
      } else {
        err = 0;
      }
    }
  }
  closesocket(s);
  return err ? connect_error(cfg, err, err == WSAECONNREFUSED) : LoadError{};
}

LoadError load_connectex(int family, LPFN_CONNECTEX* out) {
  SOCKET s = new_socket(family);
  if (s == INVALID_SOCKET) return socket_error("socket", WSAGetLastError());
  GUID guid = WSAID_CONNECTEX;
  DWORD got = 0;
  int r = WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof(guid), out, sizeof(*out), &got, nullptr, nullptr);
  int err = r == SOCKET_ERROR ? WSAGetLastError() : 0;
  closesocket(s);
  return err ? socket_error("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, ConnectEx)", err) : LoadError{};
}

}  // namespace winload
}  // namespace iocpm
