// Windows backend selection: IOCP is the only backend here. The Linux backends are named with a
// clear error rather than silently replaced, so a config written on Linux fails visibly. Its
// iouringRecv field was validated and means nothing here.
#include <winsock2.h>

#include "../../core/backend.h"
#include "iocp_backend.h"

namespace iocpm {

BackendChoice make_backend(const EngineConfig& cfg) {
  BackendChoice c;
  switch (cfg.backend) {
    case BackendKind::Auto:
    case BackendKind::Iocp:
      c.backend = make_iocp_backend(cfg);
      c.name = "iocp";
      return c;
    case BackendKind::IoUring:
    case BackendKind::Epoll: {
      std::string name = backend_name(cfg.backend);
      c.error = {WSAEOPNOTSUPP, "make_backend", name + " is only available on Linux"};
      c.errorText = "backend " + name + " is only available on Linux (use auto or iocp here)";
      return c;
    }
  }
  return c;
}

}  // namespace iocpm
