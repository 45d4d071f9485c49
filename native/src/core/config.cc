#include "config.h"

#include <cctype>
#include <cstring>

namespace iocpm {
namespace {

bool is_ipv4(const std::string& h) {
  int parts = 0;
  size_t i = 0;
  while (i <= h.size()) {
    size_t j = h.find('.', i);
    if (j == std::string::npos) j = h.size();
    std::string p = h.substr(i, j - i);
    if (p.empty() || p.size() > 3) return false;
    for (char ch : p) if (ch < '0' || ch > '9') return false;
    if (p.size() > 1 && p[0] == '0') return false;
    if (std::stoi(p) > 255) return false;
    ++parts;
    i = j + 1;
    if (j == h.size()) break;
  }
  return parts == 4;
}

bool is_ipv6(const std::string& h) {
  if (h.find(':') == std::string::npos || h.size() > 45) return false;
  for (char ch : h) {
    if (!(std::isxdigit(static_cast<unsigned char>(ch)) || ch == ':' || ch == '.')) return false;
  }
  return true;
}

ConfigError range(const char* field, int64_t v, int64_t lo, int64_t hi) {
  if (v >= lo && v <= hi) return {};
  return {field, std::string(field) + " must be from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     " (got " + std::to_string(v) + ")"};
}

}  // namespace

ConfigError validate_config(const EngineConfig& c) {
  if (!is_ipv4(c.host) && !is_ipv6(c.host)) {
    return {"host", "host must be an IPv4 or IPv6 address (got '" + c.host + "')"};
  }
  if (auto e = range("port", c.port, 1, 65535)) return e;
  if (auto e = range("workers", c.workers, 1, 64)) return e;
  if (auto e = range("backlog", c.backlog, 1, 65535)) return e;
  if (auto e = range("recvBufferSize", c.recvBufferSize, 512, 4 * 1024 * 1024)) return e;
  if (auto e = range("maxSessions", c.maxSessions, 1, 100000)) return e;
  if (auto e = range("sendQueueLimit", c.sendQueueLimit, 4096, int64_t(256) * 1024 * 1024)) return e;
  return {};
}

bool parse_backend(const std::string& s, BackendKind* out) {
  if (s == "auto") *out = BackendKind::Auto;
  else if (s == "iouring") *out = BackendKind::IoUring;
  else if (s == "epoll") *out = BackendKind::Epoll;
  else if (s == "iocp") *out = BackendKind::Iocp;
  else return false;
  return true;
}

bool parse_workload(const std::string& s, WorkloadKind* out) {
  if (s == "echo") *out = WorkloadKind::Echo;
  else if (s == "discard") *out = WorkloadKind::Discard;
  else if (s == "chat") *out = WorkloadKind::Chat;
  else return false;
  return true;
}

bool parse_close_mode(const std::string& s, CloseMode* out) {
  if (s == "graceful") *out = CloseMode::Graceful;
  else if (s == "abortive") *out = CloseMode::Abortive;
  else return false;
  return true;
}

const char* backend_name(BackendKind k) {
  switch (k) {
    case BackendKind::Auto: return "auto";
    case BackendKind::IoUring: return "iouring";
    case BackendKind::Epoll: return "epoll";
    case BackendKind::Iocp: return "iocp";
  }
  return "?";
}

}  // namespace iocpm
