// Portable parts of the load generator: names and config validation.
#include <algorithm>
#include <cstring>
#include <string>
#include <thread>

#include "loadgen.h"

namespace iocpm {

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::None: return "none";
    case Fault::Reset: return "reset";
    case Fault::HalfClose: return "halfclose";
    case Fault::Slow: return "slow";
    case Fault::Trickle: return "trickle";
    case Fault::Garbage: return "garbage";
    case Fault::Vanish: return "vanish";
    case Fault::Storm: return "storm";
    case Fault::kCount: break;
  }
  return "?";
}

bool parse_fault(const std::string& s, Fault* out) {
  for (int i = 1; i < int(Fault::kCount); ++i) {
    if (s == fault_name(Fault(i))) {
      *out = Fault(i);
      return true;
    }
  }
  return false;
}

const char* gen_io_name(GenIo io) {
  switch (io) {
    case GenIo::Auto: return "auto";
    case GenIo::IoUring: return "iouring";
    case GenIo::Epoll: return "epoll";
    case GenIo::Iocp: return "iocp";
  }
  return "?";
}

bool parse_gen_io(const std::string& s, GenIo* out) {
  for (GenIo io : {GenIo::Auto, GenIo::IoUring, GenIo::Epoll, GenIo::Iocp}) {
    if (s == gen_io_name(io)) {
      *out = io;
      return true;
    }
  }
  return false;
}

static LoadError bad(const char* field, const std::string& msg) { return {field, "invalid-config", 0, msg}; }

LoadError validate_load_config(const LoadConfig& c) {
  if (c.host.empty() || c.host.size() > 253) return bad("host", "host must be a name or address");
  if (c.port < 1 || c.port > 65535) return bad("port", "port must be from 1 to 65535");
  if (c.connections < 1 || c.connections > 20000) return bad("connections", "connections must be from 1 to 20000");
  if (c.messageSize < 1 || c.messageSize > (1 << 20)) return bad("messageSize", "messageSize must be from 1 to 1048576 bytes");
  if (!(c.rate >= 0) || c.rate > 1e8) return bad("rate", "rate must be 0 (unlimited) or a positive number of messages/s");
  if (c.pipeline < 1 || c.pipeline > 128) return bad("pipeline", "pipeline must be from 1 to 128");
  if (c.durationMs < 0 || c.durationMs > 24LL * 3600 * 1000) return bad("durationMs", "duration must be from 0 to 24 h");
  if (c.messages < 0) return bad("messages", "messages must not be negative");
  if (c.durationMs == 0 && c.messages == 0) return bad("durationMs", "give a duration or a message count");
  if (c.rampUpMs < 0 || c.rampUpMs > 3600 * 1000) return bad("rampUpMs", "ramp-up must be from 0 to 1 h");
  if (c.threads < 0 || c.threads > 16) return bad("threads", "threads must be from 1 to 16, or 0 to choose");
  int sum = 0;
  for (int i = 1; i < int(Fault::kCount); ++i) {
    if (c.faultPercent[i] < 0 || c.faultPercent[i] > 100) {
      return bad("faults", std::string("fault ") + fault_name(Fault(i)) + " must be a percentage from 0 to 100");
    }
    sum += c.faultPercent[i];
  }
  if (sum > 100) return bad("faults", "fault percentages add up to more than 100");
  return {};
}

static bool is_local_host(const std::string& h) {
  return h == "localhost" || h == "::1" || h == "[::1]" || h.rfind("127.", 0) == 0 || h == "0.0.0.0" || h == "::";
}

int choose_threads(const LoadConfig& c, std::string* why) {
  if (c.threads > 0) {
    *why = "as configured";
    return std::min(c.threads, c.connections);
  }
  int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int n;
  if (is_local_host(c.host)) {
    n = std::max(1, cores / 2);
    *why = "auto: target on this machine, half of its " + std::to_string(cores) + " cores (the rest for the server)";
  } else {
    n = cores;
    *why = "auto: remote target, one per core (" + std::to_string(cores) + ")";
  }
  n = std::min({n, 16, c.connections});
  return n;
}

}  // namespace iocpm
