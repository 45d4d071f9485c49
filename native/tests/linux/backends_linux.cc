// The conformance scenarios' backends on Linux (tests/common/backends.h). The IOCP port layout
// means nothing here, so every scenario runs once per backend, and io_uring once more with direct
// descriptors (sessions only in the ring's file table: options, FIN, RST and close through the ring).
#include "../common/backends.h"

#include "../../src/backends/iouring/provided_buffers.h"

namespace tnet {
namespace {

// The io_uring buffer ring's size per worker.
constexpr int kIoUringBufferRing = static_cast<int>(iocpm::ProvidedBuffers::kEntries);

BackendCase linux_backend(iocpm::BackendKind kind, int receivesAfterPause) {
  BackendCase b;
  b.name = iocpm::backend_name(kind);
  b.base.backend = kind;
  b.receivesAfterPause = receivesAfterPause;
  return b;
}

BackendCase iouring_direct() {
  BackendCase b = linux_backend(iocpm::BackendKind::IoUring, kIoUringBufferRing);
  b.name = "iouring-direct";
  b.base.iouringSockets = iocpm::IouringSockets::Direct;
  return b;
}

}  // namespace

const std::vector<BackendCase>& backends() {
  static const std::vector<BackendCase> list{linux_backend(iocpm::BackendKind::IoUring, kIoUringBufferRing), iouring_direct(),
                                             linux_backend(iocpm::BackendKind::Epoll, 1)};
  return list;
}

const std::vector<BackendCase>& backend_layouts() { return backends(); }

const std::vector<RefusedBackend>& refused_backends() {
  static const std::vector<RefusedBackend> list{{iocpm::BackendKind::Iocp, "only available on Windows"}};
  return list;
}

const std::vector<iocpm::GenIo>& generator_ios() {
  static const std::vector<iocpm::GenIo> list{iocpm::GenIo::IoUring, iocpm::GenIo::Epoll};
  return list;
}

const std::vector<iocpm::GenIo>& refused_generator_ios() {
  static const std::vector<iocpm::GenIo> list{iocpm::GenIo::Iocp};
  return list;
}

}  // namespace tnet
