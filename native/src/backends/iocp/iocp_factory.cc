// Windows backend selection: IOCP is the only backend here. The Linux backends are named with a
// clear error rather than silently replaced, so a config written on Linux fails visibly.
#include <winsock2.h>

#include "../../core/backend.h"
#include "iocp_backend.h"

namespace iocpm {

BackendChoice make_backend(BackendKind requested) {
  BackendChoice c;
  switch (requested) {
    case BackendKind::Auto:
    case BackendKind::Iocp: {
      IocpOptions opts;
      std::string bad = iocp_options_from_env(&opts);
      if (!bad.empty()) {
        c.error = {WSAEINVAL, "make_backend", bad};
        c.errorText = "invalid IOCP backend option: " + bad;
        return c;
      }
      c.backend = make_iocp_backend(opts);
      c.name = "iocp";
      return c;
    }
    case BackendKind::IoUring:
    case BackendKind::Epoll: {
      std::string name = backend_name(requested);
      c.error = {WSAEOPNOTSUPP, "make_backend", name + " is only available on Linux"};
      c.errorText = "backend " + name + " is only available on Linux (use auto or iocp here)";
      return c;
    }
  }
  return c;
}

}  // namespace iocpm
