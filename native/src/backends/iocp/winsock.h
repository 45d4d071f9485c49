// The Windows headers every IOCP source needs, in the one order that works (winsock2 before
// windows.h), and the helpers for overlapped results that the server and the load generator share.
#pragma once
#ifndef NOMINMAX
#define NOMINMAX  // <windows.h> min/max macros would break std::min
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

namespace iocpm {

// The error of a completed overlapped operation as a Winsock code (0 = success). The packet
// carries an NTSTATUS in OVERLAPPED::Internal (GQCS would turn it into a Win32 code such as
// ERROR_NETNAME_DELETED); WSAGetOverlappedResult gives the WSA code users know
// (STATUS_CONNECTION_RESET -> WSAECONNRESET).
inline int overlapped_error(SOCKET s, OVERLAPPED* ov) {
  if (ov->Internal == 0) return 0;
  DWORD bytes = 0, flags = 0;
  if (WSAGetOverlappedResult(s, ov, &bytes, FALSE, &flags)) return 0;
  int e = WSAGetLastError();
  return e != 0 ? e : static_cast<int>(ov->Internal);
}

// An operation that ended because CancelIoEx (or closesocket) cancelled it.
inline bool is_cancel(int err) {
  return err == ERROR_OPERATION_ABORTED || err == WSAECANCELLED || err == static_cast<int>(0xC0000120);
}

// Graceful: FIN both ways, then close. Abortive: SO_LINGER {1,0} makes closesocket send RST.
inline void close_socket(SOCKET s, bool abortive) {
  if (abortive) {
    linger l{1, 0};
    setsockopt(s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof(l));
  } else {
    shutdown(s, SD_BOTH);
  }
  closesocket(s);
}

}  // namespace iocpm
