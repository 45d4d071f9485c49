// send/recv without glibc's thread-cancellation wrapper, for the per-message hot paths of the
// epoll backend and the load generator.
//
// Why: send() and recv() are cancellation points. In a multi-threaded process (every Node process)
// glibc brackets each call with __pthread_enable_asynccancel/__pthread_disable_asynccancel, which
// `perf` showed at ≈ 2.2 % of an epoll worker's cycles and ≈ 1.6 % of the generator's — more than
// all of our own code in those loops. A single-threaded C server skips that work, which is part
// of why it was cheaper per message. Nothing here is ever cancelled (workers are stopped through
// their eventfd and joined), so the raw system call is the same operation without the bracket.
// syscall(2) itself is not a cancellation point.
#pragma once
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace iocpm {
namespace posix {

inline ssize_t send_nocancel(int fd, const void* p, size_t n, int flags) {
  return static_cast<ssize_t>(::syscall(SYS_sendto, fd, p, n, flags, nullptr, 0));
}

inline ssize_t recv_nocancel(int fd, void* p, size_t n, int flags) {
  return static_cast<ssize_t>(::syscall(SYS_recvfrom, fd, p, n, flags, nullptr, nullptr));
}

}  // namespace posix
}  // namespace iocpm
