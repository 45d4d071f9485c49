// The port a socket is bound to, written once for both platforms' socket files (getsockname and
// ntohs mean the same in BSD sockets and Winsock; only the length type differs). Include after the
// platform's socket headers (linux/test_net_posix.cc, ../win/test_net_win.cc).
#pragma once

namespace tnet {

template <class Len, class Socket>
int bound_port(Socket s) {
  sockaddr_storage a{};
  Len len = sizeof(a);
  if (::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  return ntohs(a.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(a).sin6_port : reinterpret_cast<sockaddr_in&>(a).sin_port);
}

}  // namespace tnet
