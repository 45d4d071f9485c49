#pragma once
#include <memory>
#include <string>

#include "../../core/backend.h"

namespace iocpm {

std::unique_ptr<Backend> make_iouring_backend();
// Creates and destroys a small ring: returns an empty string when io_uring is usable here,
// otherwise the reason (kernel.io_uring_disabled, seccomp, old kernel, …).
std::string probe_iouring();

}  // namespace iocpm
