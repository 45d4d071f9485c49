// POSIX socket helpers shared by the io_uring and epoll backends.
#pragma once
#include <cerrno>

#include "../../core/config.h"
#include "../../core/error_catalog.h"

namespace iocpm {
namespace posix {

// socket + SO_REUSEADDR (+ SO_REUSEPORT when asked) + bind + listen.
NativeError create_listener(const EngineConfig& cfg, bool nonblocking, int* out_fd);
// With SO_REUSEPORT the kernel would let a second server (same user) share the port and steal
// half its connections. Binding once without it first turns that into a clear address-in-use.
NativeError check_port_free(const EngineConfig& cfg);
void set_nodelay(int fd);
// SO_LINGER {1,0}: close() then sends RST instead of FIN (abortive close).
void set_abortive(int fd);
int socket_error(int fd);  // SO_ERROR
// accept() failed for want of descriptors or memory: retrying at once would spin, so the backends
// leave connections in the backlog and retry shortly (existing sessions keep being served).
inline bool out_of_resources(int err) { return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM; }
NativeError make_eventfd(int* out_fd);
void wake_eventfd(int fd);
// The running kernel's version is at least major.minor (uname).
bool kernel_at_least(int major, int minor);

}  // namespace posix
}  // namespace iocpm
