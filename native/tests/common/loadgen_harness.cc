#include "loadgen_harness.h"

#include "backends.h"

namespace tnet {

iocpm::EngineConfig peer_config() { return backends().front().config(2); }

iocpm::LoadConfig load_for(int port, iocpm::GenIo io) {
  iocpm::LoadConfig c;
  c.port = port;
  c.io = io;
  c.connections = 20;
  c.messageSize = 128;
  c.durationMs = 600;
  return c;
}

iocpm::LoadConfig counted(int port, int64_t messages, iocpm::GenIo io) {
  iocpm::LoadConfig c = load_for(port, io);
  c.durationMs = 0;
  c.messages = messages;
  return c;
}

iocpm::LoadSnapshot run(const iocpm::LoadConfig& c) {
  iocpm::LoadGenerator lg;
  iocpm::LoadError e = lg.start(c);
  REQUIRE_MESSAGE(!e, e.code << " " << e.field << ": " << e.message);
  lg.wait();
  iocpm::LoadSnapshot s = lg.snapshot();
  if (c.io != iocpm::GenIo::Auto) CHECK(s.io == iocpm::gen_io_name(c.io));
  return s;
}

void start_until_flowing(iocpm::LoadGenerator& lg, const iocpm::LoadConfig& c) {
  iocpm::LoadError e = lg.start(c);
  REQUIRE_MESSAGE(!e, e.code << " " << e.field << ": " << e.message);
  REQUIRE(eventually(
      [&] {
        iocpm::LoadSnapshot s = lg.snapshot();
        return s.connectsOk >= uint64_t(c.connections) && s.msgsEchoed > 0;
      },
      15000));
}

void check_verified(const iocpm::LoadSnapshot& r, int messageSize) {
  CHECK(r.mismatchedBytes == 0);
  CHECK(r.msgsEchoed == r.msgsSent);
  CHECK(r.bytesReceived == r.bytesSent);
  CHECK(r.bytesSent == r.msgsSent * uint64_t(messageSize));
}

std::string errors_of(const iocpm::LoadSnapshot& s) {
  std::string out;
  for (const auto& kv : s.errors) {
    out += std::string(iocpm::translate_native_error(kv.first).native) + "x" + std::to_string(kv.second) + " ";
  }
  return out.empty() ? "none" : out;
}

void check_received(const Server& srv, uint64_t bytesSent) {
  REQUIRE(srv.wait([&](const Totals& t) { return t.bytesIn >= bytesSent && t.sessions == 0; }));
  CHECK(srv.totals().bytesIn == bytesSent);
}

bool settled(const Server& srv, uint64_t accepts) {
  return srv.wait([&](const Totals& t) { return t.accepts >= accepts && t.sessions == 0 && t.closes == t.accepts; });
}

}  // namespace tnet
