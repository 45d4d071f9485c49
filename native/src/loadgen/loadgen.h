// The built-in load generator: N client connections to host:port on its own threads (never the
// engine's workers), verifying every echoed byte, recording latency, injecting faults.
// Portable interface; the run's shared state and life cycle are in loadgen_shared.h/.cc, the socket
// work in one file per platform (backends/posix/loadgen_posix.cc, backends/iocp/loadgen_win.cc).
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../core/error_catalog.h"
#include "histogram.h"

namespace iocpm {

enum class Fault : uint8_t { None, Reset, HalfClose, Slow, Trickle, Garbage, Vanish, Storm, kCount };
const char* fault_name(Fault f);
bool parse_fault(const std::string& s, Fault* out);

// The socket layer the generator's threads drive. Auto: io_uring on Linux when the kernel has it
// (else epoll), IOCP on Windows; the others are refused on the platform that lacks them.
enum class GenIo : uint8_t { Auto, IoUring, Epoll, Iocp };
const char* gen_io_name(GenIo io);  // "auto", "iouring", "epoll", "iocp"
bool parse_gen_io(const std::string& s, GenIo* out);

struct LoadConfig {
  std::string host = "127.0.0.1";
  int port = 9000;
  int connections = 50;        // 1..20000
  int messageSize = 128;       // 1..1 MiB
  double rate = 0;             // messages/s over all connections; 0 = unlimited
  int pipeline = 1;            // messages in flight per connection, 1..128
  int64_t durationMs = 5000;   // 0 = until `messages` are done (or stopped)
  int64_t messages = 0;        // total messages; 0 = until the duration ends
  int64_t rampUpMs = 0;        // connections are opened evenly over this time
  int threads = 0;             // 1..16 generator threads; 0 = chosen at start (choose_threads)
  bool expectEcho = true;      // false against discard servers: send only, verify nothing
  GenIo io = GenIo::Auto;
  int faultPercent[int(Fault::kCount)] = {};  // share of connections given each fault
};

struct LoadError {
  std::string field;    // config field at fault ("" = none)
  std::string code;     // portable name (invalid-config, name-not-resolved, connection-refused…)
  int nativeCode = 0;
  std::string message;
  explicit operator bool() const { return !code.empty(); }
};

LoadError validate_load_config(const LoadConfig& c);
// The thread count for c.threads == 0, and why. A target on this machine (a loopback name or
// address) shares its cores with the generator: a closed-loop generator thread and a server
// worker each fill a core, so the generator takes half of them (1 on a 2-core box, where 2
// threads took CPU from the server under test and measured less). A remote target gets one
// thread per core. Never more threads than connections.
int choose_threads(const LoadConfig& c, std::string* why);

struct LoadRun;  // one run's state (loadgen_shared.h)

struct LoadSnapshot {
  bool running = false;
  uint64_t elapsedNs = 0;
  uint64_t connectsOk = 0, connectsFailed = 0, activeConnections = 0;
  uint64_t msgsSent = 0, msgsEchoed = 0, bytesSent = 0, bytesReceived = 0, mismatchedBytes = 0;
  // Connections that were given each fault once connected (storm: every reconnect counts).
  uint64_t faultsInjected[int(Fault::kCount)] = {};
  std::map<int, uint64_t> errors;  // native code -> count (connect/send/recv errors)
  int threads = 0;                 // generator threads of this run
  std::string threadsNote;         // why that many ("auto: …" or "as configured")
  std::string io;                  // the socket layer the threads drove (gen_io_name, never "auto")
  std::string ioNote;              // why that one
  uint64_t latencyCount = 0;
  uint64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // ns
};

class LoadGenerator {
 public:
  LoadGenerator();
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Resolves the host and checks the target accepts a connection, then starts the threads.
  // Returns an error (and starts nothing) on bad config, unresolvable names, refused ports.
  LoadError start(const LoadConfig& cfg);
  // Blocks until the run ends by itself (duration/messages) or stop() is called, then joins its
  // threads. Call from one thread only (the one that called start).
  void wait();
  // Ends the run within ~100 ms; safe to call at any time, repeatedly.
  void stop();
  LoadSnapshot snapshot() const;
  bool running() const;

 private:
  mutable std::mutex mu_;  // guards run_ (replaced by start, read by snapshot)
  std::unique_ptr<LoadRun> run_;  // a platform's subclass
  bool joined_ = true;     // the current run's threads have been joined
};

}  // namespace iocpm
