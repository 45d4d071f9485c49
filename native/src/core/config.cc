#include "config.h"

#include <cctype>
#include <cstring>
#include <vector>

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

bool is_hextet(const std::string& g) {
  if (g.empty() || g.size() > 4) return false;
  for (char ch : g) if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
  return true;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    out.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) return out;
    i = j + 1;
  }
}

// RFC 4291 text form: up to 8 hextets, one "::" for a run of zeros, optionally dotted IPv4 at the
// very end. The same rule as isIpLiteral in src-shared/engine-config.ts.
bool is_ipv6(const std::string& h) {
  if (h.find(':') == std::string::npos || h.size() > 45) return false;
  size_t gap = h.find("::");
  if (gap != std::string::npos && h.find("::", gap + 1) != std::string::npos) return false;
  std::vector<std::string> head = split(gap == std::string::npos ? h : h.substr(0, gap), ':');
  std::vector<std::string> tail = gap == std::string::npos ? std::vector<std::string>() : split(h.substr(gap + 2), ':');
  std::vector<std::string>& end = gap == std::string::npos ? head : tail;
  size_t count = head.size() + tail.size();
  if (!end.empty() && end.back().find('.') != std::string::npos) {
    if (!is_ipv4(end.back())) return false;
    end.pop_back();
    count += 1;  // an embedded IPv4 address fills two hextets
  }
  for (const auto& g : head) if (!is_hextet(g)) return false;
  for (const auto& g : tail) if (!is_hextet(g)) return false;
  return gap != std::string::npos ? count <= 7 : count == 8;
}

ConfigError range(const char* field, int64_t v, int64_t lo, int64_t hi) {
  if (v >= lo && v <= hi) return {};
  return {field, std::string(field) + " must be from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     " (got " + std::to_string(v) + ")"};
}

// Each enum's text form, indexed by the enumerator's value (config.h declares them in this order);
// the same strings as the const arrays of src-shared/engine-config.ts.
const char* const kBackendNames[] = {"auto", "iouring", "epoll", "iocp"};
const char* const kWorkloadNames[] = {"echo", "discard", "chat"};
const char* const kCloseModeNames[] = {"graceful", "abortive"};
const char* const kPortLayoutNames[] = {"perWorker", "shared"};
const char* const kDequeueNames[] = {"gqcsex", "gqcs"};
const char* const kIouringRecvNames[] = {"multishot", "single"};
const char* const kIouringSocketsNames[] = {"fd", "direct"};

template <typename E, size_t N>
bool parse_enum(const std::string& s, const char* const (&names)[N], E* out) {
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) {
      *out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

template <typename E, size_t N>
const char* enum_name(const char* const (&names)[N], E v) {
  size_t i = static_cast<size_t>(v);
  return i < N ? names[i] : "?";
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
  if (auto e = range("iocpAcceptPool", c.iocpAcceptPool, 1, 1024)) return e;
  // Echo pauses receiving once the queue is half full; one more receive must still fit, or a
  // session would be closed with send-queue-full by its own echo.
  if (c.sendQueueLimit < 2 * int64_t(c.recvBufferSize)) {
    return {"sendQueueLimit", "sendQueueLimit must be at least twice recvBufferSize (" + std::to_string(2 * int64_t(c.recvBufferSize)) +
                                  ", got " + std::to_string(c.sendQueueLimit) + ")"};
  }
  return {};
}

bool parse_backend(const std::string& s, BackendKind* out) { return parse_enum(s, kBackendNames, out); }
bool parse_workload(const std::string& s, WorkloadKind* out) { return parse_enum(s, kWorkloadNames, out); }
bool parse_close_mode(const std::string& s, CloseMode* out) { return parse_enum(s, kCloseModeNames, out); }
bool parse_iocp_port_layout(const std::string& s, IocpPortLayout* out) { return parse_enum(s, kPortLayoutNames, out); }
bool parse_iocp_dequeue(const std::string& s, IocpDequeue* out) { return parse_enum(s, kDequeueNames, out); }
bool parse_iouring_recv(const std::string& s, IouringRecv* out) { return parse_enum(s, kIouringRecvNames, out); }
bool parse_iouring_sockets(const std::string& s, IouringSockets* out) { return parse_enum(s, kIouringSocketsNames, out); }

const char* backend_name(BackendKind k) { return enum_name(kBackendNames, k); }
const char* iocp_port_layout_name(IocpPortLayout l) { return enum_name(kPortLayoutNames, l); }
const char* iocp_dequeue_name(IocpDequeue d) { return enum_name(kDequeueNames, d); }
const char* iouring_recv_name(IouringRecv r) { return enum_name(kIouringRecvNames, r); }
const char* iouring_sockets_name(IouringSockets s) { return enum_name(kIouringSocketsNames, s); }

}  // namespace iocpm
