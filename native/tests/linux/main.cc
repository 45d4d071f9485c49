// The Linux engine test program: the conformance scenarios for iouring and epoll, and the Linux
// ones. Built without Node (make -C native/tests run), and again with ASan+UBSan and with TSan.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest.h>

#include <cstdlib>
#include <cstring>

#include "linux_main.h"

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], kHoldClients) == 0) return hold_clients(std::atoi(argv[2]), std::atoi(argv[3]));
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
