#include "snapshot_json.h"

#include <cstdio>

namespace wt {
namespace {

void append_string(std::string& out, const char* s) {
  out += '"';
  for (; *s; ++s) {
    unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void field(std::string& out, const char* name, long long v, bool comma = true) {
  if (comma) out += ',';
  append_string(out, name);
  out += ':';
  out += std::to_string(v);
}

void field_u(std::string& out, const char* name, unsigned long long v) {
  out += ',';
  append_string(out, name);
  out += ':';
  out += std::to_string(v);
}

}  // namespace

std::string snapshot_json(const iocpm::EngineSnapshot& s) {
  std::string out = "{";
  append_string(out, "monoNs");
  out += ':' + std::to_string(s.monoNs);
  out += ",\"running\":";
  out += s.running ? "true" : "false";
  out += ",\"workers\":[";
  for (size_t i = 0; i < s.workers.size(); ++i) {
    const auto& w = s.workers[i];
    if (i) out += ',';
    out += '{';
    field(out, "worker", w.worker, false);
    field(out, "queueDepth", w.queueDepth);
    out += ",\"inflight\":{";
    field(out, "accept", w.inflight[int(iocpm::OpKind::Accept)], false);
    field(out, "recv", w.inflight[int(iocpm::OpKind::Recv)]);
    field(out, "send", w.inflight[int(iocpm::OpKind::Send)]);
    out += '}';
    field_u(out, "completions", w.completions);
    field_u(out, "accepts", w.accepts);
    field_u(out, "closes", w.closes);
    field(out, "sessions", w.sessions);
    field_u(out, "bytesIn", w.bytesIn);
    field_u(out, "bytesOut", w.bytesOut);
    field_u(out, "busyNs", w.busyNs);
    out += ",\"errors\":[";
    for (size_t j = 0; j < w.errors.size(); ++j) {
      const auto& e = w.errors[j];
      // translate_native_error also names read_metrics' overflow bucket (kErrCountOverflow).
      iocpm::NativeErrorName n = iocpm::translate_native_error(e.code);
      if (j) out += ',';
      out += '{';
      field(out, "code", e.code, false);
      out += ",\"nativeName\":";
      append_string(out, n.native);
      out += ",\"name\":";
      append_string(out, n.portable);
      field_u(out, "count", e.count);
      out += '}';
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

}  // namespace wt
