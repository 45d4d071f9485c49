// Windows error numbers -> portable catalog names: the only place WSA codes, Win32 errors and
// NTSTATUS values are translated (the Windows twin of backends/posix/errno_map.cc, shaped like
// libuv's src/win/error.c).
//
// Three numbering spaces meet here, and they do not overlap:
//   * Winsock codes (10004..11031): what WSAGetLastError()/WSAGetOverlappedResult report. The
//     IOCP backend normalises every failed completion to one of these, so they are what users see.
//   * Win32 errors (< 10000): what GetQueuedCompletionStatus leaves in GetLastError() for a failed
//     packet (ERROR_NETNAME_DELETED for a reset, ERROR_OPERATION_ABORTED for a cancel, …). A few
//     WSA_* names are aliases of these (WSA_OPERATION_ABORTED == 995), so each value appears once.
//   * NTSTATUS (0xC0000000..): the raw status GetQueuedCompletionStatusEx leaves in
//     OVERLAPPED_ENTRY::Internal. Stored as a negative int because the catalog carries an int.
#include <winsock2.h>
#include <windows.h>

#include <cstdint>

#include "../../core/error_catalog.h"

namespace iocpm {
namespace {

// NTSTATUS values named locally: <ntstatus.h> clashes with <windows.h> unless WIN32_NO_STATUS is
// juggled around every include, and only these few are needed.
constexpr int32_t nt(uint32_t v) { return static_cast<int32_t>(v); }
constexpr int32_t kStatusConnectionReset = nt(0xC000020D);
constexpr int32_t kStatusConnectionAborted = nt(0xC0000241);
constexpr int32_t kStatusConnectionRefused = nt(0xC0000236);
constexpr int32_t kStatusConnectionDisconnected = nt(0xC000020C);
constexpr int32_t kStatusLocalDisconnect = nt(0xC000013B);
constexpr int32_t kStatusRemoteDisconnect = nt(0xC000013C);
constexpr int32_t kStatusPipeBroken = nt(0xC000014B);
constexpr int32_t kStatusCancelled = nt(0xC0000120);
constexpr int32_t kStatusIoTimeout = nt(0xC00000B5);
constexpr int32_t kStatusInsufficientResources = nt(0xC000009A);
constexpr int32_t kStatusNoMemory = nt(0xC0000017);
constexpr int32_t kStatusTooManyAddresses = nt(0xC0000209);
constexpr int32_t kStatusAddressAlreadyExists = nt(0xC000020A);
constexpr int32_t kStatusInvalidAddress = nt(0xC0000141);
constexpr int32_t kStatusInvalidAddressComponent = nt(0xC0000207);
constexpr int32_t kStatusNetworkUnreachable = nt(0xC000023C);
constexpr int32_t kStatusHostUnreachable = nt(0xC000023D);
constexpr int32_t kStatusAccessDenied = nt(0xC0000022);
constexpr int32_t kStatusInvalidParameter = nt(0xC000000D);
constexpr int32_t kStatusInvalidHandle = nt(0xC0000008);
constexpr int32_t kStatusNotSupported = nt(0xC00000BB);
constexpr int32_t kStatusInvalidConnection = nt(0xC0000140);
constexpr int32_t kStatusGracefulDisconnect = nt(0xC0000237);
constexpr int32_t kStatusDeviceNotReady = nt(0xC00000A3);

}  // namespace

NativeErrorName translate_platform_error(int code) {
  switch (code) {
#define MAP(E, NAME) \
  case E: return {NAME, #E};
#define MAPN(VALUE, NATIVE, NAME) \
  case VALUE: return {NAME, NATIVE};
    // --- Winsock ---
    MAP(WSAECONNRESET, "connection-reset")
    MAP(WSAENETRESET, "connection-reset")
    MAP(WSAECONNABORTED, "connection-aborted")
    MAP(WSAECONNREFUSED, "connection-refused")
    MAP(WSAESHUTDOWN, "broken-pipe")
    MAP(WSAETIMEDOUT, "timed-out")
    MAP(WSAEMFILE, "too-many-open-files")
    MAP(WSAENOBUFS, "no-buffer-space")
    MAP(WSAEADDRINUSE, "address-in-use")
    MAP(WSAEADDRNOTAVAIL, "address-not-available")
    MAP(WSAEACCES, "permission-denied")
    MAP(WSAENETUNREACH, "network-unreachable")
    MAP(WSAENETDOWN, "network-unreachable")
    MAP(WSAEHOSTUNREACH, "host-unreachable")
    MAP(WSAEHOSTDOWN, "host-unreachable")
    MAP(WSAEINVAL, "invalid-argument")
    MAP(WSAEFAULT, "invalid-argument")
    MAP(WSAEAFNOSUPPORT, "not-supported")
    MAP(WSAEOPNOTSUPP, "not-supported")
    MAP(WSAEPROTONOSUPPORT, "not-supported")
    MAP(WSAESOCKTNOSUPPORT, "not-supported")
    MAP(WSAVERNOTSUPPORTED, "not-supported")
    MAP(WSANOTINITIALISED, "invalid-argument")
    MAP(WSAENOTCONN, "not-connected")
    MAP(WSAEWOULDBLOCK, "would-block")
    MAP(WSAEINPROGRESS, "would-block")
    MAP(WSAEALREADY, "would-block")
    MAP(WSAEINTR, "interrupted")
    MAP(WSAECANCELLED, "operation-canceled")
    MAP(WSAENOTSOCK, "bad-descriptor")
    MAP(WSAEBADF, "bad-descriptor")
    MAP(WSAEMSGSIZE, "no-buffer-space")
    MAP(WSASYSCALLFAILURE, "io-error")
    // --- Win32 errors (GetLastError after a failed GetQueuedCompletionStatus packet) ---
    // WSA_OPERATION_ABORTED, WSA_NOT_ENOUGH_MEMORY, WSA_INVALID_HANDLE and WSA_INVALID_PARAMETER
    // are the same numbers as the ERROR_* names below, so they are covered by these cases.
    MAP(ERROR_OPERATION_ABORTED, "operation-canceled")
    MAP(ERROR_CANCELLED, "operation-canceled")
    MAP(ERROR_NETNAME_DELETED, "connection-reset")  // a reset surfaces as this through GQCS
    MAP(ERROR_CONNECTION_ABORTED, "connection-aborted")
    MAP(ERROR_CONNECTION_REFUSED, "connection-refused")
    MAP(ERROR_GRACEFUL_DISCONNECT, "broken-pipe")  // as libuv: the peer shut down
    MAP(ERROR_BROKEN_PIPE, "broken-pipe")
    MAP(ERROR_NO_DATA, "broken-pipe")
    MAP(ERROR_SEM_TIMEOUT, "timed-out")
    MAP(ERROR_TIMEOUT, "timed-out")
    MAP(ERROR_TOO_MANY_OPEN_FILES, "too-many-open-files")
    MAP(ERROR_NOT_ENOUGH_MEMORY, "out-of-memory")
    MAP(ERROR_OUTOFMEMORY, "out-of-memory")
    MAP(ERROR_NO_SYSTEM_RESOURCES, "no-buffer-space")
    MAP(ERROR_NONPAGED_SYSTEM_RESOURCES, "no-buffer-space")
    MAP(ERROR_ACCESS_DENIED, "permission-denied")
    MAP(ERROR_NETWORK_UNREACHABLE, "network-unreachable")
    MAP(ERROR_HOST_UNREACHABLE, "host-unreachable")
    MAP(ERROR_PORT_UNREACHABLE, "connection-refused")
    MAP(ERROR_INVALID_PARAMETER, "invalid-argument")
    MAP(ERROR_INVALID_HANDLE, "bad-descriptor")
    MAP(ERROR_NOT_SUPPORTED, "not-supported")
    MAP(ERROR_CONNECTION_INVALID, "not-connected")
    MAP(ERROR_IO_DEVICE, "io-error")
    // --- NTSTATUS (OVERLAPPED_ENTRY::Internal from GetQueuedCompletionStatusEx) ---
    MAPN(kStatusConnectionReset, "STATUS_CONNECTION_RESET", "connection-reset")
    MAPN(kStatusConnectionDisconnected, "STATUS_CONNECTION_DISCONNECTED", "connection-reset")
    MAPN(kStatusRemoteDisconnect, "STATUS_REMOTE_DISCONNECT", "connection-reset")
    MAPN(kStatusGracefulDisconnect, "STATUS_GRACEFUL_DISCONNECT", "broken-pipe")
    MAPN(kStatusLocalDisconnect, "STATUS_LOCAL_DISCONNECT", "connection-aborted")
    MAPN(kStatusConnectionAborted, "STATUS_CONNECTION_ABORTED", "connection-aborted")
    MAPN(kStatusConnectionRefused, "STATUS_CONNECTION_REFUSED", "connection-refused")
    MAPN(kStatusPipeBroken, "STATUS_PIPE_BROKEN", "broken-pipe")
    MAPN(kStatusCancelled, "STATUS_CANCELLED", "operation-canceled")
    MAPN(kStatusIoTimeout, "STATUS_IO_TIMEOUT", "timed-out")
    MAPN(kStatusInsufficientResources, "STATUS_INSUFFICIENT_RESOURCES", "no-buffer-space")
    MAPN(kStatusNoMemory, "STATUS_NO_MEMORY", "out-of-memory")
    MAPN(kStatusTooManyAddresses, "STATUS_TOO_MANY_ADDRESSES", "address-in-use")
    MAPN(kStatusAddressAlreadyExists, "STATUS_ADDRESS_ALREADY_EXISTS", "address-in-use")
    MAPN(kStatusInvalidAddress, "STATUS_INVALID_ADDRESS", "address-not-available")
    MAPN(kStatusInvalidAddressComponent, "STATUS_INVALID_ADDRESS_COMPONENT", "address-not-available")
    MAPN(kStatusNetworkUnreachable, "STATUS_NETWORK_UNREACHABLE", "network-unreachable")
    MAPN(kStatusHostUnreachable, "STATUS_HOST_UNREACHABLE", "host-unreachable")
    MAPN(kStatusAccessDenied, "STATUS_ACCESS_DENIED", "permission-denied")
    MAPN(kStatusInvalidParameter, "STATUS_INVALID_PARAMETER", "invalid-argument")
    MAPN(kStatusInvalidHandle, "STATUS_INVALID_HANDLE", "bad-descriptor")
    MAPN(kStatusNotSupported, "STATUS_NOT_SUPPORTED", "not-supported")
    MAPN(kStatusInvalidConnection, "STATUS_INVALID_CONNECTION", "not-connected")
    MAPN(kStatusDeviceNotReady, "STATUS_DEVICE_NOT_READY", "would-block")
#undef MAPN
#undef MAP
    default: return {"unknown", "WSAUNKNOWN"};
  }
}

}  // namespace iocpm
