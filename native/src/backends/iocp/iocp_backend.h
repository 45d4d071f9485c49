// Windows I/O completion port backend. Options that only make sense for IOCP live here, not in
// the portable EngineConfig: they are read from the environment by the Windows factory (so the
// addon can be switched without a new JS option) and can be passed directly by the test program.
#pragma once
#include <memory>
#include <string>

#include "../../core/backend.h"

namespace iocpm {

enum class IocpPortLayout {
  // One completion port per worker thread. The listener's AcceptEx completions arrive on worker
  // 0's port; each accepted socket is then associated round-robin with one worker's port and only
  // that worker touches it. Queue depth is truly per thread.
  PerWorker,
  // The classic layout: every worker waits on one shared port and the kernel hands each packet to
  // whichever thread waits (LIFO). Depth is the port's; per-thread work shows in completions/busy.
  Shared,
};

enum class IocpDequeue {
  Batch,   // GetQueuedCompletionStatusEx: up to IocpOptions::dequeueBatch packets per call
  Single,  // GetQueuedCompletionStatus: one packet per call (to compare the cost of the syscall)
};

struct IocpOptions {
  IocpPortLayout layout = IocpPortLayout::PerWorker;
  IocpDequeue dequeue = IocpDequeue::Batch;
  int acceptPool = 32;    // AcceptEx calls kept posted, so bursts of connects never wait on us
  int dequeueBatch = 64;  // OVERLAPPED_ENTRY slots per GetQueuedCompletionStatusEx call
};

// Environment knobs: IOCPM_IOCP_LAYOUT=per-worker|shared, IOCPM_IOCP_DEQUEUE=batch|single,
// IOCPM_IOCP_ACCEPT_POOL=1..1024. Unset means the default. Returns an empty string on success,
// otherwise a message naming the variable and the accepted values.
std::string iocp_options_from_env(IocpOptions* out);

const char* iocp_layout_name(IocpPortLayout l);
const char* iocp_dequeue_name(IocpDequeue d);

std::unique_ptr<Backend> make_iocp_backend(const IocpOptions& opts);

}  // namespace iocpm
