// The portable half of the load generator's run: what every platform's generator threads share
// (byte pattern, fault assignment, per-thread counters, message budget and deadline) and the
// LoadGenerator life cycle around them. A platform file derives its run from LoadRun, adds the
// socket work (runThread) and prepare_run; loadgen_shared.cc does the rest.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "histogram.h"
#include "loadgen.h"

namespace iocpm {

constexpr int kPatternPeriod = 251;            // prime: shifts by powers of two never line up
constexpr size_t kMaxChunk = 64 * 1024;        // largest single send/recv
constexpr uint64_t kDrainNs = 2000000000ull;   // wait this long for last echoes after sending ends
constexpr size_t kGarbageBytes = 1 << 20;      // the Garbage fault's burst

// Every connection's byte stream is the same period-251 pattern, offset by the connection id, so
// echoes are verified with memcmp and no copy of the sent data is kept.
class PatternTable {
 public:
  PatternTable();
  // Pointer to the expected bytes of connection `id` at stream offset `off` (up to kMaxChunk).
  const char* at(int id, uint64_t off) const { return bytes_.data() + (off + uint64_t(id) * 17) % kPatternPeriod; }

 private:
  std::vector<char> bytes_;
};
const PatternTable& pattern_table();

// The fault connection `id` is given (Fault::None for most).
Fault pick_fault(const LoadConfig& c, int id);

// One generator thread's counters: single writer (relaxed stores), read by snapshots.
struct alignas(64) ThreadCounters {
  std::atomic<uint64_t> connectsOk{0}, connectsFailed{0}, active{0};
  std::atomic<uint64_t> msgsSent{0}, msgsEchoed{0}, bytesSent{0}, bytesReceived{0}, mismatched{0};
  std::atomic<uint64_t> faults[int(Fault::kCount)] = {};
  LatencyHistogram hist;
  std::mutex errMu;
  std::map<int, uint64_t> errors;
  void bump(std::atomic<uint64_t>& a, uint64_t n = 1) { a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void drop(std::atomic<uint64_t>& a) { a.store(a.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed); }
  void error(int code) {
    std::lock_guard<std::mutex> g(errMu);
    ++errors[code];
  }
};

// One run's state. Lives from a successful start until the next start or the LoadGenerator's end.
struct LoadRun {
  explicit LoadRun(const LoadConfig& c);  // c valid, c.threads <= c.connections
  virtual ~LoadRun() = default;
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // Drives the connections of generator thread `tid` until the run ends.
  virtual void runThread(int tid) = 0;
  // Called after stopFlag is set: ends the threads' waits early (optional).
  virtual void wake() {}

  // Resets the budget, the clock and the counters, then starts cfg.threads threads. A failure to
  // create a thread throws std::system_error (the threads already started stay in `threads`).
  void startThreads();
  void join();
  bool takeMessage();                   // false once the message budget is spent
  bool sendingOver(uint64_t now) const;  // stop, duration or budget reached
  bool running() const { return liveThreads.load() > 0; }
  LoadSnapshot snapshot() const;        // the threads' counters merged

  LoadConfig cfg;
  std::string threadsNote;  // how cfg.threads was chosen (choose_threads)
  GenIo io = GenIo::Auto;   // the socket layer prepare_run chose (never Auto once chosen)
  std::string ioNote;       // and why
  std::atomic<bool> stopFlag{false};
  std::atomic<int> liveThreads{0};
  std::atomic<int64_t> budget{0};
  uint64_t startNs = 0;
  std::atomic<uint64_t> endNs{0};
  std::vector<std::unique_ptr<ThreadCounters>> counters;
  std::vector<std::thread> threads;
};

LoadError already_running_error();
// The pre-flight connect failed with native error `err`: names the port when the connection was
// refused, else the host.
LoadError connect_error(const LoadConfig& cfg, int err, bool refused);

// Platform-specific (loadgen_posix.cc, loadgen_win.cc): the platform's LoadRun for c (already
// validated, c.threads <= c.connections), its target resolved and tried once with a connect.
LoadError prepare_run(const LoadConfig& c, std::unique_ptr<LoadRun>* out);
// The native code of "out of memory" (ENOMEM, ERROR_NOT_ENOUGH_MEMORY): what a failure to create
// a generator thread is reported as.
extern const int kNoMemoryCode;

}  // namespace iocpm
