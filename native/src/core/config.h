// Engine configuration, validated in one place (validate_config) so the addon, the C++ tests and
// the Windows test program all reject bad input with the same field-named messages.
#pragma once
#include <cstdint>
#include <string>

namespace iocpm {

// Each enum's enumerators are in the order of its text names in config.cc (parse_*, *_name).
enum class BackendKind { Auto, IoUring, Epoll, Iocp };
enum class WorkloadKind { Echo, Discard, Chat };
enum class CloseMode { Graceful, Abortive };

// The IOCP backend's model. Validated on every platform, so a config means the same thing
// wherever it is checked; the Linux backends ignore these fields.
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
  Gqcsex,  // GetQueuedCompletionStatusEx: a batch of packets per call
  Gqcs,    // GetQueuedCompletionStatus: one packet per call (to compare the cost of the syscall)
};

// The io_uring backend's receive model. Validated on every platform like the IOCP fields; epoll
// and IOCP ignore it.
enum class IouringRecv {
  // Multishot recv on a provided-buffer ring where the kernel has both (6.0+) and the ring
  // registers: idle sessions hold no receive buffer. Otherwise the single-shot form below.
  Multishot,
  // Always single-shot recv into a buffer each session owns: one SQE per receive, to compare the
  // two models on the same kernel, or to avoid buffer rings where they misbehave.
  Single,
};

// How the io_uring backend holds each session's socket. Validated everywhere; only io_uring reads it.
enum class IouringSockets {
  // An ordinary descriptor (also put in the ring's file table where the kernel allows): shutdown,
  // SO_LINGER, the session table's names and close are the usual system calls.
  Fd,
  // A direct descriptor only: accepted straight into the worker ring's file table, never in the
  // process's descriptor table, so RLIMIT_NOFILE does not cap the sessions (each ring's table can
  // hold that many). Options, shutdown and close go through the ring (Linux 6.13+).
  Direct,
};

struct EngineConfig {
  std::string host = "127.0.0.1";
  int port = 9000;
  int workers = 2;
  BackendKind backend = BackendKind::Auto;
  WorkloadKind workload = WorkloadKind::Echo;
  int backlog = 1024;
  int recvBufferSize = 16 * 1024;
  int maxSessions = 20000;
  int64_t sendQueueLimit = 4 * 1024 * 1024;
  bool noDelay = true;
  bool reusePort = true;  // one listener per worker: the kernel spreads connections
  CloseMode closeMode = CloseMode::Graceful;
  IouringRecv iouringRecv = IouringRecv::Multishot;
  IouringSockets iouringSockets = IouringSockets::Fd;
  IocpPortLayout iocpPortLayout = IocpPortLayout::PerWorker;
  IocpDequeue iocpDequeue = IocpDequeue::Gqcsex;
  int iocpAcceptPool = 32;  // AcceptEx calls kept posted, so bursts of connects never wait on us
};

struct ConfigError {
  std::string field;    // empty when the config is valid
  std::string message;
  explicit operator bool() const { return !field.empty(); }
};

ConfigError validate_config(const EngineConfig& c);

bool parse_backend(const std::string& s, BackendKind* out);
bool parse_workload(const std::string& s, WorkloadKind* out);
bool parse_close_mode(const std::string& s, CloseMode* out);
bool parse_iocp_port_layout(const std::string& s, IocpPortLayout* out);
bool parse_iocp_dequeue(const std::string& s, IocpDequeue* out);
bool parse_iouring_recv(const std::string& s, IouringRecv* out);
bool parse_iouring_sockets(const std::string& s, IouringSockets* out);
const char* backend_name(BackendKind k);
const char* iocp_port_layout_name(IocpPortLayout l);
const char* iocp_dequeue_name(IocpDequeue d);
const char* iouring_recv_name(IouringRecv r);
const char* iouring_sockets_name(IouringSockets s);

}  // namespace iocpm
