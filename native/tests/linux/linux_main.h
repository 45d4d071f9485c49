// The Linux test binary's second role: the client half of the 10,000-connection test, run in a
// child process as `<self> --hold-clients PORT N`.
#pragma once

constexpr const char* kSelf = "/proc/self/exe";
constexpr const char* kHoldClients = "--hold-clients";

// Opens N connections, echoes 16 bytes on every one while all are open, prints "ok K", then keeps
// them open until stdin closes (linux_engine_tests.cc).
int hold_clients(int port, int n);
