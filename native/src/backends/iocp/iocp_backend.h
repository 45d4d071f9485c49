// Windows I/O completion port backend. Its options are EngineConfig fields (iocpPortLayout,
// iocpDequeue, iocpAcceptPool; the model is described in core/config.h), read once here.
#pragma once
#include <memory>

#include "../../core/backend.h"

namespace iocpm {

std::unique_ptr<Backend> make_iocp_backend(const EngineConfig& cfg);

}  // namespace iocpm
