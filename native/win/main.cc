// iocp-tests.exe: the engine's Windows test program (doctest), built from the same core sources as
// the addon. What a Windows user runs — the addon in Windows Node, the CLI, the dashboard — is
// tested through the product itself (tests/windows/, vitest.wine.config.ts,
// playwright.wine.config.ts); this program keeps the scenarios that need the engine's C++ API.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest.h>

#include "test_support.h"

int main(int argc, char** argv) {
  wt::WinsockSession winsock;  // for the test clients; the backend calls WSAStartup itself
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
