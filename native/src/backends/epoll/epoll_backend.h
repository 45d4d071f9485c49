#pragma once
#include <memory>

#include "../../core/backend.h"

namespace iocpm {

std::unique_ptr<Backend> make_epoll_backend();

}  // namespace iocpm
