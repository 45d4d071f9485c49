// Helpers for the Windows test program: a blocking Winsock client (plain sockets in std::threads,
// deliberately not the code under test), polling, and process introspection.
#pragma once
#include <winsock2.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "../src/core/engine.h"

namespace wt {

// Client-side Winsock initialisation for the lifetime of the test program.
struct WinsockSession {
  WinsockSession();
  ~WinsockSession();
};

// A port that was free a moment ago (bind to port 0, read it back, close).
int free_port();

// Blocking client socket connected to 127.0.0.1:port, with receive/send timeouts so a broken
// server fails a test instead of hanging it. INVALID_SOCKET on failure.
SOCKET connect_to(int port, int timeoutMs = 15000, int bufferBytes = 0);
bool send_all(SOCKET s, const char* p, size_t n);
bool send_all(SOCKET s, const std::string& data);
// Reads exactly n bytes; false on EOF, error or timeout.
bool recv_exact(SOCKET s, char* p, size_t n);
// Reads until EOF; returns false on error or timeout (data read so far stays in *out).
bool recv_to_eof(SOCKET s, std::string* out);
// After the server closes: 0 for a clean EOF, the WSA error (e.g. WSAECONNRESET) otherwise,
// -1 when data arrived instead.
int wait_closed(SOCKET s);
// SO_LINGER {1,0} + closesocket: the peer sees RST.
void abort_close(SOCKET s);

std::string pattern(size_t n, uint32_t seed);

// Polls pred every few milliseconds until it holds or timeoutMs passes.
bool wait_until(const std::function<bool()>& pred, int timeoutMs);

// Sums of one counter over all workers.
struct Totals {
  uint64_t completions = 0, accepts = 0, closes = 0, bytesIn = 0, bytesOut = 0;
  int64_t sessions = 0, inflight[3] = {0, 0, 0};
  uint64_t errors = 0;
};
Totals totals(const iocpm::EngineSnapshot& s);
uint64_t error_count(const iocpm::EngineSnapshot& s, const char* portableName);
std::string error_summary(const iocpm::EngineSnapshot& s);

// The IOCP backend on 127.0.0.1 with the given port layout; everything else at its default.
iocpm::EngineConfig config(int port, int workers, iocpm::IocpPortLayout layout = iocpm::IocpPortLayout::PerWorker);

// Threads of this process right now (Toolhelp32), to prove stop() joined every worker, and kernel
// handles it holds (sockets, ports, threads, events…), to prove stop() and the backend's
// destruction leave nothing open: iocpm::process_resources(), the addon's processResources().
int process_thread_count();
int process_handle_count();

}  // namespace wt
