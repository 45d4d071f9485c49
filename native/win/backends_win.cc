// The conformance scenarios' backends on Windows (tests/common/backends.h): IOCP, and for the
// scenarios whose path the port layout changes, IOCP once per layout.
#include "../tests/common/backends.h"

namespace tnet {
namespace {

BackendCase iocp(iocpm::IocpPortLayout layout, const char* name) {
  BackendCase b;
  b.name = name;
  b.base.backend = iocpm::BackendKind::Iocp;
  b.base.iocpPortLayout = layout;
  return b;
}

}  // namespace

const std::vector<BackendCase>& backends() {
  static const std::vector<BackendCase> list{iocp(iocpm::IocpPortLayout::PerWorker, "iocp")};
  return list;
}

const std::vector<BackendCase>& backend_layouts() {
  static const std::vector<BackendCase> list{iocp(iocpm::IocpPortLayout::PerWorker, "iocp per-worker ports"),
                                             iocp(iocpm::IocpPortLayout::Shared, "iocp shared port")};
  return list;
}

const std::vector<RefusedBackend>& refused_backends() {
  static const std::vector<RefusedBackend> list{{iocpm::BackendKind::IoUring, "only available on Linux"},
                                                {iocpm::BackendKind::Epoll, "only available on Linux"}};
  return list;
}

const std::vector<iocpm::GenIo>& generator_ios() {
  static const std::vector<iocpm::GenIo> list{iocpm::GenIo::Iocp};
  return list;
}

const std::vector<iocpm::GenIo>& refused_generator_ios() {
  static const std::vector<iocpm::GenIo> list{iocpm::GenIo::IoUring, iocpm::GenIo::Epoll};
  return list;
}

}  // namespace tnet
