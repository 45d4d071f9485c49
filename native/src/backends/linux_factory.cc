// Linux backend selection: io_uring by default, epoll when io_uring is unavailable (the reason is
// reported so the UI can show why). The iocp* fields of the config are ignored here, and epoll
// ignores iouringRecv: they were validated, so the same config is accepted on both platforms.
#include <cerrno>

#include "../core/backend.h"
#include "epoll/epoll_backend.h"
#include "iouring/iouring_backend.h"

namespace iocpm {

BackendChoice make_backend(const EngineConfig& cfg) {
  BackendChoice c;
  switch (cfg.backend) {
    case BackendKind::Epoll:
      c.backend = make_epoll_backend();
      c.name = "epoll";
      return c;
    case BackendKind::IoUring: {
      std::string why = probe_iouring();
      if (!why.empty()) {
        c.error = {ENOSYS, "io_uring_setup", why};
        c.errorText = "backend iouring is not available here: " + why + " (use backend auto or epoll)";
        return c;
      }
      c.backend = make_iouring_backend();
      c.name = "iouring";
      return c;
    }
    case BackendKind::Auto: {
      std::string why = probe_iouring();
      if (why.empty()) {
        c.backend = make_iouring_backend();
        c.name = "iouring";
      } else {
        c.backend = make_epoll_backend();
        c.name = "epoll";
        c.fallbackReason = why;
      }
      return c;
    }
    case BackendKind::Iocp:
      c.error = {ENOSYS, "CreateIoCompletionPort", "iocp is only available on Windows"};
      c.errorText = "backend iocp is only available on Windows (use auto, iouring or epoll here)";
      return c;
  }
  return c;
}

}  // namespace iocpm
