#include "error_catalog.h"

#include <cstring>

namespace iocpm {
namespace {

const CatalogEntry kEntries[] = {
    {"connection-reset", "The peer reset the connection (RST).", "상대가 연결을 재설정했습니다 (RST)."},
    {"connection-aborted", "The connection was aborted locally before completing.", "연결이 완료되기 전에 로컬에서 중단되었습니다."},
    {"connection-refused", "No one is listening at the target address.", "대상 주소에서 수신 대기 중인 서버가 없습니다."},
    {"broken-pipe", "Wrote to a connection the peer already closed.", "상대가 이미 닫은 연결에 썼습니다."},
    {"timed-out", "The operation timed out.", "작업 시간이 초과되었습니다."},
    {"too-many-open-files", "The process ran out of file descriptors / handles.", "프로세스의 파일 디스크립터(핸들)가 고갈되었습니다."},
    {"no-buffer-space", "The kernel ran out of buffer space.", "커널 버퍼 공간이 부족합니다."},
    {"out-of-memory", "Not enough memory for the operation.", "작업에 필요한 메모리가 부족합니다."},
    {"address-in-use", "The address and port are already in use.", "주소와 포트가 이미 사용 중입니다."},
    {"address-not-available", "The address is not available on this machine.", "이 컴퓨터에서 사용할 수 없는 주소입니다."},
    {"permission-denied", "Permission denied (e.g. privileged port).", "권한이 없습니다 (예: 특권 포트)."},
    {"network-unreachable", "The network is unreachable.", "네트워크에 도달할 수 없습니다."},
    {"host-unreachable", "The host is unreachable.", "호스트에 도달할 수 없습니다."},
    {"operation-canceled", "The operation was canceled (normal during stop).", "작업이 취소되었습니다 (중지 중에는 정상)."},
    {"invalid-argument", "An argument was invalid.", "잘못된 인수입니다."},
    {"not-supported", "The operation is not supported here.", "여기서는 지원되지 않는 작업입니다."},
    {"not-connected", "The socket is not connected.", "소켓이 연결되어 있지 않습니다."},
    {"would-block", "The operation would block.", "작업이 블록될 수 있습니다."},
    {"interrupted", "The call was interrupted.", "호출이 중단되었습니다."},
    {"bad-descriptor", "The socket or handle is invalid.", "소켓 또는 핸들이 유효하지 않습니다."},
    {"send-queue-full", "A slow reader exceeded the per-session send queue limit; the session was closed.",
     "느린 수신자가 세션별 송신 큐 한도를 넘어 세션을 닫았습니다."},
    {"session-limit", "The maximum number of sessions was reached; the connection was refused.",
     "최대 세션 수에 도달하여 연결을 거부했습니다."},
    {"io-error", "A low-level I/O error occurred.", "저수준 I/O 오류가 발생했습니다."},
    {"name-not-resolved", "The host name does not resolve to an address.", "호스트 이름을 주소로 확인할 수 없습니다."},
    {"unknown", "An error without a portable name; see the native code.", "이식 가능한 이름이 없는 오류입니다. 네이티브 코드를 확인하세요."},
};

}  // namespace

const CatalogEntry* catalog_entries(size_t* count) {
  *count = sizeof(kEntries) / sizeof(kEntries[0]);
  return kEntries;
}

const CatalogEntry& catalog_lookup(const char* name) {
  size_t n = 0;
  const CatalogEntry* e = catalog_entries(&n);
  for (size_t i = 0; i < n; ++i) {
    if (std::strcmp(e[i].name, name) == 0) return e[i];
  }
  return e[n - 1];
}

NativeErrorName translate_native_error(int code) {
  switch (code) {
    case kErrCountOverflow: return {"unknown", "OVERFLOW"};
    case kErrSendQueueFull: return {"send-queue-full", "SEND_QUEUE_FULL"};
    case kErrSessionLimit: return {"session-limit", "SESSION_LIMIT"};
    default: return translate_platform_error(code);
  }
}

std::string NativeError::message() const {
  NativeErrorName n = translate_native_error(code);
  std::string m = syscall + " failed: " + n.portable + " (" + n.native + ", " + std::to_string(code) + ") — " +
                  catalog_lookup(n.portable).en;
  if (!detail.empty()) m += " [" + detail + "]";
  return m;
}

}  // namespace iocpm
