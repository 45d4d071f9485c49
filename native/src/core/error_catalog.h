// One catalog of portable error names (like libuv's UV_E* names) with short en/ko descriptions.
// Each platform translates its native numbers into these names in exactly one file:
// backends/posix/errno_map.cc (errno) and backends/iocp/wsa_errors.cc (WSA codes, NTSTATUS).
#pragma once
#include <cstddef>
#include <string>

namespace iocpm {

struct CatalogEntry {
  const char* name;  // portable, kebab-case: "connection-reset"
  const char* en;
  const char* ko;
};

// All portable names, for the UI's error legend.
const CatalogEntry* catalog_entries(size_t* count);
// Entry for a portable name; the "unknown" entry when the name is not in the catalog.
const CatalogEntry& catalog_lookup(const char* name);

struct NativeErrorName {
  const char* portable;  // catalog name
  const char* native;    // e.g. "ECONNRESET", "WSAECONNRESET"
};

// Engine-defined conditions that have no OS error number. Kept far above any errno / WSA code.
enum SyntheticError : int {
  kErrCountOverflow = -1,  // read_metrics: errors of more distinct codes than a worker has slots
  kErrSendQueueFull = 0x20000001,
  kErrSessionLimit = 0x20000002,
};

// native number (or synthetic code) -> names.
NativeErrorName translate_native_error(int code);
// Platform-specific, one implementation per platform: OS number -> names.
NativeErrorName translate_platform_error(int code);

// A failure of a system call, carried to JS as a rejected promise.
struct NativeError {
  int code = 0;          // 0 = success
  std::string syscall;   // "bind", "io_uring_queue_init", …
  std::string detail;    // optional human context
  explicit operator bool() const { return code != 0; }
  std::string message() const;
};

}  // namespace iocpm
