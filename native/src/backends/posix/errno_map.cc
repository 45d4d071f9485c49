// errno -> portable catalog names: the only place POSIX error numbers are translated.
#include <cerrno>

#include "../../core/error_catalog.h"

namespace iocpm {

NativeErrorName translate_platform_error(int code) {
  switch (code) {
#define MAP(E, NAME) \
  case E: return {NAME, #E};
    MAP(ECONNRESET, "connection-reset")
    MAP(ECONNABORTED, "connection-aborted")
    MAP(ECONNREFUSED, "connection-refused")
    MAP(EPIPE, "broken-pipe")
    MAP(ETIMEDOUT, "timed-out")
    MAP(EMFILE, "too-many-open-files")
    MAP(ENFILE, "too-many-open-files")
    MAP(ENOBUFS, "no-buffer-space")
    MAP(ENOMEM, "out-of-memory")
    MAP(EADDRINUSE, "address-in-use")
    MAP(EADDRNOTAVAIL, "address-not-available")
    MAP(EACCES, "permission-denied")
    MAP(EPERM, "permission-denied")
    MAP(ENETUNREACH, "network-unreachable")
    MAP(EHOSTUNREACH, "host-unreachable")
    MAP(ECANCELED, "operation-canceled")
    MAP(EINVAL, "invalid-argument")
    MAP(EOPNOTSUPP, "not-supported")
    MAP(ENOSYS, "not-supported")
    MAP(ENOTCONN, "not-connected")
    MAP(EAGAIN, "would-block")
    MAP(EINTR, "interrupted")
    MAP(EBADF, "bad-descriptor")
    MAP(EIO, "io-error")
#undef MAP
    default: return {"unknown", "EUNKNOWN"};
  }
}

}  // namespace iocpm
