// Engine configuration, validated in one place (validate_config) so the addon, the C++ tests and
// the Windows test program all reject bad input with the same field-named messages.
#pragma once
#include <cstdint>
#include <string>

namespace iocpm {

enum class BackendKind { Auto, IoUring, Epoll, Iocp };
enum class WorkloadKind { Echo, Discard, Chat };
enum class CloseMode { Graceful, Abortive };

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
const char* backend_name(BackendKind k);

}  // namespace iocpm
