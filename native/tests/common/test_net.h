// What the conformance scenarios need from the machine: a blocking loopback TCP client and
// listener, a free port, this platform's native error codes, and what the process holds. The
// classes are portable (test_net.cc) over a few socket calls that, with the rest of this header,
// have one implementation file per platform, picked by the build (test_net_sys.h:
// linux/test_net_posix.cc, ../win/test_net_win.cc); the scenarios never see a socket API.
// Deliberately plain blocking sockets in std::threads: never the code under test.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

namespace tnet {

struct ConnectOptions {
  int timeoutMs = 0;           // bounds the connect and every send and recv; 0: the platform's default
  int receiveBufferBytes = 0;  // > 0: SO_RCVBUF, so a client that never reads pushes back sooner
  bool ipv6 = false;           // ::1 instead of 127.0.0.1
  int attempts = 1;            // connects tried in all (a SYN can time out on a loaded 2-core box)
};

// A connected TCP socket; closes it when destroyed, so a failed REQUIRE leaks nothing into the
// next test. Every call on a client that is not ok() fails.
class TestClient {
 public:
  TestClient() = default;
  ~TestClient();
  TestClient(TestClient&& o) noexcept;
  TestClient& operator=(TestClient&& o) noexcept;
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Connects to the loopback address on port; not ok() (with error() set) when every attempt failed.
  static TestClient connect(int port, const ConnectOptions& o = {});

  bool ok() const { return sock_ != kNone; }
  int error() const { return error_; }        // native code of the last failure (errno / WSA code)
  int attempts() const { return attempts_; }  // connects it took
  int local_port() const;                     // the client's own (ephemeral) port

  bool send_all(const char* p, size_t n);
  bool send_all(const std::string& s) { return send_all(s.data(), s.size()); }
  // Exactly n bytes, or fewer when EOF, an error or the timeout comes first.
  std::string recv_n(size_t n);
  // One receive: > 0 bytes, 0 on EOF, < 0 on error or timeout.
  long recv_some(char* p, size_t n);
  // Reads until EOF; true only on a clean EOF (what arrived before an error stays in *out).
  bool recv_to_eof(std::string* out);
  // Once the server has closed: 0 for a clean EOF, -1 when data arrived instead, else the native
  // error the receive failed with (compare with native_codes()).
  int wait_closed();
  // Half-close: shutdown of the sending side (FIN); receiving goes on.
  bool shutdown_send();
  // Waits up to waitMs for room in the send buffer, then sends what fits without blocking:
  // > 0 bytes, 0 when no room came in time, < 0 on error. Only close the client after using it.
  long send_when_writable(const char* p, size_t n, int waitMs);
  // SO_LINGER {1, 0} and close: the peer sees RST.
  void abort();
  void close();

 private:
  friend class TestListener;
  static constexpr std::intptr_t kNone = -1;  // an int descriptor or a SOCKET, as this integer
  explicit TestClient(std::intptr_t s) : sock_(s) {}
  std::intptr_t sock_ = kNone;
  int error_ = 0;
  int attempts_ = 0;
};

// A listening socket on 127.0.0.1 and a free port, for servers the tests write themselves.
class TestListener {
 public:
  TestListener();  // listening, or port() == 0
  ~TestListener();
  TestListener(const TestListener&) = delete;
  TestListener& operator=(const TestListener&) = delete;
  int port() const { return port_; }
  // The next connection, or a client that is not ok() when none came within timeoutMs.
  TestClient accept(int timeoutMs);

 private:
  std::intptr_t sock_ = -1;
  int port_ = 0;
};

// A port that was free a moment ago (bind to port 0, read it back, close).
int free_port();

// This platform's codes for the errors the scenarios expect by name.
struct NativeCodes {
  int connectionRefused, connectionReset, connectionAborted;
};
const NativeCodes& native_codes();

// Threads and open handles (descriptors on Linux, kernel handles on Windows) of this process,
// to prove that stop() joined every thread and closed every socket, port and event.
int process_threads();
int process_handles();

// Wine's timers say little about Windows': timing-precise checks skip under it.
bool under_wine();

// Deterministic bytes to send and compare (xorshift from the seed).
inline std::string pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x & 0xff);
  }
  return s;
}

// Polls f every 5 ms until it holds or timeoutMs passes; the last answer counts.
template <typename F>
bool eventually(F f, int timeoutMs = 5000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return f();
}

}  // namespace tnet
