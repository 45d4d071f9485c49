// The Linux load generator's run: one resolved target, and the socket layer its threads drive —
// io_uring (loadgen_iouring.cc, the default where the kernel has it) or edge-triggered epoll
// (loadgen_posix.cc). Both are GenThread platforms (loadgen/gen_thread.h), so the run loop, rate,
// faults and echo checks are the same code; prepare_run (loadgen_posix.cc) picks the layer.
#pragma once
#include <sys/socket.h>

#include <string>

#include "../../loadgen/loadgen_shared.h"

namespace iocpm {

struct LinuxRun : LoadRun {
  using LoadRun::LoadRun;
  sockaddr_storage addr{};
  socklen_t addrLen = 0;

  void runThread(int tid) override;
};

// Drives thread `tid`'s connections with epoll until the run ends.
void run_epoll_thread(LinuxRun& run, int tid);
// The same with one io_uring per thread. False, with nothing done, when this thread's ring cannot
// be created (the caller then runs the epoll thread instead).
bool run_iouring_thread(LinuxRun& run, int tid);
// "" when a generator thread can create its ring here, else why not (shown in the run's ioNote).
std::string iouring_generator_unavailable();

}  // namespace iocpm
