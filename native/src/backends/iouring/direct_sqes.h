// The one operation on an io_uring direct descriptor (iouringSockets "direct") that liburing 2.3
// cannot prepare: setting a socket option. A direct descriptor has no fd for setsockopt(), so the
// option goes through the ring as IORING_OP_URING_CMD with SOCKET_URING_OP_SETSOCKOPT (Linux 6.7).
// Debian 12's uapi headers are 6.1, which name neither the command nor the SQE fields it reads;
// the layout below is the 6.7 one, kept here so that no other file depends on it.
#pragma once
#include <liburing.h>
#include <sys/socket.h>

#include <cstdint>

namespace iocpm {

constexpr uint32_t kSocketUringOpSetsockopt = 3;  // SOCKET_URING_OP_SETSOCKOPT

// setsockopt(index, level, name, value, len) on the direct descriptor at `index` of the ring's
// file table. In the 6.7 SQE, level and optname share `addr`, optlen is `file_index` and optval
// `addr3`. `value` must stay valid until the SQE is submitted (the kernel copies it when issued).
inline void prep_setsockopt_direct(io_uring_sqe* e, unsigned index, int level, int name, const void* value, socklen_t len) {
  io_uring_prep_rw(IORING_OP_URING_CMD, e, static_cast<int>(index), nullptr, 0, 0);
  e->cmd_op = kSocketUringOpSetsockopt;
  e->addr = static_cast<uint64_t>(static_cast<uint32_t>(level)) | (static_cast<uint64_t>(static_cast<uint32_t>(name)) << 32);
  e->file_index = len;
  e->addr3 = reinterpret_cast<uint64_t>(value);
  e->flags |= IOSQE_FIXED_FILE;
}

}  // namespace iocpm
