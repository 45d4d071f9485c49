// The session table's socket addresses as text, for both platforms: the socket calls involved
// (getsockname, getpeername, inet_ntop, ntohs) have the same names and meaning in BSD sockets and
// Winsock, and only the length type differs (socklen_t, int). Include after the platform's socket
// headers (posix/socket_util.cc, iocp/socket_names_win.cc).
#pragma once
#include <string>

namespace iocpm {

// "ip:port" or "[ip6]:port".
inline std::string endpoint_text(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
    inet_ntop(AF_INET, &v4.sin_addr, host, sizeof(host));
    return std::string(host) + ":" + std::to_string(ntohs(v4.sin_port));
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
  inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof(host));
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(v6.sin6_port));
}

// A socket's own and peer addresses; false when it has none (already reset). Len: the platform's
// address-length type.
template <class Len, class Socket>
bool endpoint_names(Socket s, std::string* local, std::string* remote) {
  sockaddr_storage l{}, r{};
  Len ll = sizeof(l), rl = sizeof(r);
  if (getsockname(s, reinterpret_cast<sockaddr*>(&l), &ll) != 0) return false;
  if (getpeername(s, reinterpret_cast<sockaddr*>(&r), &rl) != 0) return false;
  *local = endpoint_text(l);
  *remote = endpoint_text(r);
  return true;
}

}  // namespace iocpm
