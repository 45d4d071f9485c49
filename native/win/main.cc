// iocp-tests.exe: the engine's Windows test program (doctest) and, with --serve, a standalone
// server for drivers running outside Wine. Built from the same core sources as the addon.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest.h>

#include <cstring>

#include "serve.h"
#include "test_support.h"

int main(int argc, char** argv) {
  wt::WinsockSession winsock;  // for the test clients; the backend calls WSAStartup itself
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--serve") == 0) return wt::run_serve(argc, argv);
  }
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
