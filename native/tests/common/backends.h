// The backends a build runs the conformance scenarios on. The list is the platform's: one file
// per platform defines these functions (linux/backends_linux.cc: iouring, epoll;
// ../win/backends_win.cc: iocp), and a scenario runs once per entry as a doctest SUBCASE, so a
// failure names the backend and `-sc=epoll` runs one.
#pragma once
#include <doctest.h>

#include <string>
#include <vector>

#include "../../src/core/config.h"
#include "../../src/loadgen/loadgen.h"
#include "test_net.h"

namespace tnet {

struct BackendCase {
  std::string name;         // as reported: "iouring", "iocp shared port"…
  iocpm::EngineConfig base;  // the fields that select the backend (and its layout); the rest default
  // Receive buffers (of recvBufferSize) a session can still fill once back-pressure has paused
  // it: one posted receive on IOCP, one read of epoll's loop; a multishot receive on io_uring
  // delivers into its worker's buffer ring until the cancel lands.
  int receivesAfterPause = 1;

  // base with this many workers on a port that was free a moment ago.
  iocpm::EngineConfig config(int workers = 2) const {
    iocpm::EngineConfig c = base;
    c.workers = workers;
    c.port = free_port();
    return c;
  }
};

// Every backend of this platform, in its default options.
const std::vector<BackendCase>& backends();
// Every backend once per port layout it has (iocpPortLayout: IOCP's per-worker ports and shared
// port; the Linux backends have one), for the scenarios whose path the layout changes.
const std::vector<BackendCase>& backend_layouts();

// The other platform's backends: refused by name, with this text, and nothing started.
struct RefusedBackend {
  iocpm::BackendKind kind;
  std::string refusal;  // "only available on Windows"
};
const std::vector<RefusedBackend>& refused_backends();

// The load generator's socket layers on this platform (Linux: iouring, epoll; Windows: iocp),
// each of which the generator scenarios run on, and the other platform's, refused by name.
const std::vector<iocpm::GenIo>& generator_ios();
const std::vector<iocpm::GenIo>& refused_generator_ios();

}  // namespace tnet

// Runs the rest of the test case once per entry of list (one SUBCASE each, so nothing else in the
// test case may be a SUBCASE), with var the entry; failures name it.
#define TNET_BACKEND_SUBCASES(var, list)                                                \
  tnet::BackendCase var;                                                                \
  for (const tnet::BackendCase& each_backend_ : list) {                                 \
    SUBCASE(each_backend_.name.c_str()) { var = each_backend_; }                        \
  }                                                                                     \
  INFO("backend: " << var.name)

#define FOR_EACH_BACKEND(var) TNET_BACKEND_SUBCASES(var, tnet::backends())
#define FOR_EACH_BACKEND_LAYOUT(var) TNET_BACKEND_SUBCASES(var, tnet::backend_layouts())
