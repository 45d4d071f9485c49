// The monitor's side of the probe (native/probe/iocpm_probe.h): attach to another process's
// counters by pid, check the segment is one we can read, and sample it in the engine's own
// snapshot shape so the rest of the monitor shows a probed server like its own engine.
// Portable: the platform work (finding, mapping, liveness) is behind probe_segment.h.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../core/metrics.h"
#include "probe_segment.h"

namespace iocpm {

// Why a probe cannot be read. `code` is one of the names the JS API throws:
// probe-not-found, probe-permission, probe-corrupt, probe-version (see probe_reader.cc).
struct ProbeProblem {
  std::string code;
  std::string message;
  bool hasNative = false;  // an OS call failed: nativeCode is its errno / Win32 code
  int nativeCode = 0;
};

enum class ProbeExit { Running, Closed, ProcessExited };

// What the header says (and, for a segment that fails validation, what could be read of it).
struct ProbeInfo {
  uint32_t pid = 0;
  std::string name;
  uint32_t workers = 0;
  uint32_t layoutVersion = 0;
  uint64_t startMs = 0;
  uint32_t port = 0;
  uint32_t platform = 0;  // IOCPM_PROBE_PLATFORM_*; 0 when unreadable
  uint64_t badWorkerCalls = 0;
  ProbeExit exit = ProbeExit::Running;
};

// One sample: the monitor's monotonic clock at the read, and per-worker counters in the engine's
// WorkerSnapshot shape (read_metrics'), so the addon packs both with one function.
struct ProbeSnapshot {
  uint64_t monoNs = 0;
  bool running = false;
  std::vector<WorkerSnapshot> workers;
};

class ProbeReader {
 public:
  // Maps and validates the probe of `pid`. On failure returns nullptr, sets *problem, and fills
  // *partial with whatever the segment let us read (at least the pid).
  static std::unique_ptr<ProbeReader> open(uint32_t pid, ProbeProblem* problem, ProbeInfo* partial);

  ProbeInfo info();
  ProbeSnapshot snapshot();

 private:
  explicit ProbeReader(std::unique_ptr<ProbeSegment> seg) : seg_(std::move(seg)) {}
  ProbeExit exit_state();

  std::unique_ptr<ProbeSegment> seg_;
  ProbeExit exit_ = ProbeExit::Running;  // latched: an ended writer never comes back
};

// Every probe segment present, each validated; a failing one is listed with its problem.
struct ProbeListing {
  ProbeInfo info;
  bool hasProblem = false;
  ProbeProblem problem;
};
std::vector<ProbeListing> list_probes();

}  // namespace iocpm
