// Validation and sampling of a mapped probe segment. The layout is the probe header's own structs
// (included without IOCPM_PROBE_IMPLEMENTATION), so the writer and this reader cannot disagree on
// an offset; the checks below are about segments we did not write: another version, a truncated
// file, bytes that are not a probe at all.
#include "probe_reader.h"

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "../../probe/iocpm_probe.h"
#include "../core/error_catalog.h"

namespace iocpm {
namespace {

constexpr size_t kHeaderBytes = sizeof(iocpm_probe_header);
constexpr size_t kWorkerBytes = sizeof(iocpm_probe_worker);
static_assert(kHeaderBytes == 256 && kWorkerBytes == 512, "probe layout v1");

// The writer updates these words with atomic instructions while we read them. Reading through
// std::atomic<T> (same size, lock-free, so the same bits in memory) makes each read one untorn
// load, and tells the sanitizers and the compiler the word changes under us.
template <typename T>
T load(const T& word, std::memory_order order = std::memory_order_relaxed) {
  static_assert(sizeof(std::atomic<T>) == sizeof(T) && std::atomic<T>::is_always_lock_free, "plain word");
  return reinterpret_cast<const std::atomic<T>&>(word).load(order);
}

std::string str(uint64_t v) { return std::to_string(v); }

ProbeProblem problem(const char* code, std::string message) {
  ProbeProblem p;
  p.code = code;
  p.message = std::move(message);
  return p;
}

ProbeProblem corrupt(uint32_t pid, const std::string& what) {
  return problem("probe-corrupt", "probe of pid " + str(pid) + " is corrupt: " + what);
}

ProbeProblem open_problem(uint32_t pid, const SegmentFailure& f) {
  if (f.kind == SegmentFailure::NotFound) return problem("probe-not-found", "no probe for pid " + str(pid));
  ProbeProblem p = problem(f.kind == SegmentFailure::Permission ? "probe-permission" : "probe-corrupt", "");
  const char* native = translate_native_error(f.code).native;
  p.message = (f.kind == SegmentFailure::Permission ? "permission denied opening the probe of pid " : "cannot map the probe of pid ") +
              str(pid) + ": " + f.syscall + " failed with " + native + " (" + std::to_string(f.code) + ")";
  p.hasNative = true;
  p.nativeCode = f.code;
  return p;
}

// state and listen_port change under header_seq (odd while the writer is between its two
// increments). Retry until two equal, even sequence numbers bracket the reads; a writer changes
// them only at open, set_port and close, so one retry is already rare. If it never settles
// (a writer frozen mid-write: killed between its increments), keep the last values read.
void read_changing(const iocpm_probe_header& h, uint32_t* state, uint32_t* port) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    uint32_t before = load(h.header_seq, std::memory_order_acquire);
    // Acquire loads rather than relaxed ones plus a fence: the second read of the sequence cannot
    // move above them, and ThreadSanitizer (which does not model fences) follows the ordering.
    *state = load(h.state, std::memory_order_acquire);
    *port = load(h.listen_port, std::memory_order_acquire);
    if ((before & 1u) == 0 && load(h.header_seq) == before) return;
    if (attempt > 8) std::this_thread::yield();
  }
}

// What the header tells, read as far as the segment allows (the listing shows it even for a
// segment that fails validation).
void read_header(const unsigned char* d, size_t size, uint32_t pid, ProbeInfo* info) {
  info->pid = pid;
  if (size < kHeaderBytes) return;
  const auto& h = *reinterpret_cast<const iocpm_probe_header*>(d);
  info->layoutVersion = h.layout_version;
  info->workers = h.workers;
  info->startMs = h.start_unix_ms;
  info->platform = h.platform;
  info->badWorkerCalls = load(h.bad_worker_calls);
  const void* nul = std::memchr(h.name, '\0', sizeof h.name);
  if (nul) info->name.assign(h.name, static_cast<const char*>(nul));
  uint32_t state = 0;
  read_changing(h, &state, &info->port);
}

// Each check its own message with the numbers, so a user can tell a foreign file from a
// truncated one from a newer probe.
bool validate(const unsigned char* d, size_t size, uint32_t pid, ProbeProblem* out) {
  if (size < kHeaderBytes) {
    *out = corrupt(pid, "segment is " + str(size) + " bytes, smaller than the " + str(kHeaderBytes) + "-byte header");
    return false;
  }
  const auto& h = *reinterpret_cast<const iocpm_probe_header*>(d);
  // Acquire: the writer stores magic last, with release order, after every fixed field.
  uint64_t magic = load(h.magic, std::memory_order_acquire);
  if (magic != IOCPM_PROBE_MAGIC) {
    char hex[20];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(magic));
    *out = corrupt(pid, std::string("magic is 0x") + hex + ", not IOCPMPRB" + (magic == 0 ? " (not yet published?)" : ""));
    return false;
  }
  // Before the size checks: another version may well have other sizes.
  if (h.layout_version != IOCPM_PROBE_LAYOUT_VERSION) {
    *out = problem("probe-version", "probe layout version " + str(h.layout_version) + "; this monitor reads version " +
                                        str(IOCPM_PROBE_LAYOUT_VERSION));
    return false;
  }
  if (h.header_bytes != kHeaderBytes || h.worker_bytes != kWorkerBytes) {
    *out = corrupt(pid, "header_bytes " + str(h.header_bytes) + " and worker_bytes " + str(h.worker_bytes) + ", expected " +
                            str(kHeaderBytes) + " and " + str(kWorkerBytes));
    return false;
  }
  if (h.workers == 0 || h.workers > IOCPM_PROBE_MAX_WORKERS) {
    *out = corrupt(pid, "workers is " + str(h.workers) + ", outside 1.." + str(IOCPM_PROBE_MAX_WORKERS));
    return false;
  }
  uint64_t expected = kHeaderBytes + uint64_t(kWorkerBytes) * h.workers;
  if (h.total_bytes != expected) {
    *out = corrupt(pid, "total_bytes is " + str(h.total_bytes) + ", but " + str(h.workers) + " workers need " + str(expected));
    return false;
  }
  if (size < expected) {
    *out = corrupt(pid, "segment is " + str(size) + " bytes, smaller than the " + str(expected) + " its header declares");
    return false;
  }
  if (!std::memchr(h.name, '\0', sizeof h.name)) {
    *out = corrupt(pid, "name is not NUL-terminated within its " + str(sizeof h.name) + " bytes");
    return false;
  }
  if (h.pid != pid) {
    *out = corrupt(pid, "header names pid " + str(h.pid) + " in the segment of pid " + str(pid));
    return false;
  }
  if (h.platform != IOCPM_PROBE_PLATFORM_LINUX && h.platform != IOCPM_PROBE_PLATFORM_WINDOWS) {
    *out = corrupt(pid, "platform is " + str(h.platform) + ", neither 1 (linux) nor 2 (windows)");
    return false;
  }
  return true;
}

// One worker block as the engine's WorkerSnapshot. The probe has a single in-flight gauge (posted
// and not yet completed operations of every kind); the engine splits it by kind, so it is
// reported as in-flight receives, the kind a probed server almost always has most of.
WorkerSnapshot read_worker(int index, const iocpm_probe_worker& w) {
  WorkerSnapshot s;
  s.worker = index;
  s.queueDepth = load(w.queue_depth);
  s.inflight[int(OpKind::Accept)] = 0;
  s.inflight[int(OpKind::Recv)] = load(w.inflight);
  s.inflight[int(OpKind::Send)] = 0;
  s.completions = load(w.completions);
  // closed before opened: a session opened between the two reads cannot make sessions negative.
  s.closes = load(w.sessions_closed);
  s.accepts = load(w.sessions_opened);
  s.sessions = s.accepts >= s.closes ? int64_t(s.accepts - s.closes) : 0;
  s.bytesIn = load(w.recv_bytes);
  s.bytesOut = load(w.send_bytes);
  s.busyNs = load(w.busy_ns);
  for (const iocpm_probe_error_slot& slot : w.error_slots) {
    uint64_t key = load(slot.key);
    if (key == 0) break;  // slots are claimed in order: the first free one ends the list
    uint64_t count = load(slot.count);
    // Claimed a moment ago, not counted yet: shown at the next sample.
    if (count) s.errors.push_back({static_cast<int>(static_cast<uint32_t>(key)), count});
  }
  uint64_t over = load(w.error_overflow);
  if (over) s.errors.push_back({kErrCountOverflow, over});
  return s;
}

}  // namespace

std::unique_ptr<ProbeReader> ProbeReader::open(uint32_t pid, ProbeProblem* out, ProbeInfo* partial) {
  *partial = ProbeInfo{};
  partial->pid = pid;
  SegmentFailure failure;
  std::unique_ptr<ProbeSegment> seg = open_probe_segment(pid, &failure);
  if (!seg) {
    *out = open_problem(pid, failure);
    return nullptr;
  }
  read_header(seg->data(), seg->size(), pid, partial);
  if (!validate(seg->data(), seg->size(), pid, out)) {
    partial->exit = seg->writer_gone() ? ProbeExit::ProcessExited : ProbeExit::Running;
    return nullptr;
  }
  std::unique_ptr<ProbeReader> r(new ProbeReader(std::move(seg)));
  partial->exit = r->exit_state();
  return r;
}

// Liveness first, state second: the writer marks CLOSED before it lets go of its lock / exits,
// so once we see it gone, a clean close is already visible and is not mistaken for a crash.
ProbeExit ProbeReader::exit_state() {
  if (exit_ != ProbeExit::Running) return exit_;
  bool gone = seg_->writer_gone();
  uint32_t state = 0, port = 0;
  read_changing(*reinterpret_cast<const iocpm_probe_header*>(seg_->data()), &state, &port);
  if (state == IOCPM_PROBE_STATE_CLOSED) exit_ = ProbeExit::Closed;
  else if (gone) exit_ = ProbeExit::ProcessExited;
  return exit_;
}

ProbeInfo ProbeReader::info() {
  ProbeInfo i;
  read_header(seg_->data(), seg_->size(), 0, &i);
  i.pid = reinterpret_cast<const iocpm_probe_header*>(seg_->data())->pid;
  i.exit = exit_state();
  return i;
}

ProbeSnapshot ProbeReader::snapshot() {
  ProbeSnapshot s;
  s.monoNs = mono_ns();
  s.running = exit_state() == ProbeExit::Running;
  const auto& h = *reinterpret_cast<const iocpm_probe_header*>(seg_->data());
  const auto* w = reinterpret_cast<const iocpm_probe_worker*>(seg_->data() + kHeaderBytes);
  s.workers.reserve(h.workers);
  for (uint32_t i = 0; i < h.workers; ++i) s.workers.push_back(read_worker(int(i), w[i]));
  return s;
}

std::vector<ProbeListing> list_probes() {
  std::vector<ProbeListing> out;
  for (uint32_t pid : list_probe_pids()) {
    ProbeListing l;
    std::unique_ptr<ProbeReader> r = ProbeReader::open(pid, &l.problem, &l.info);
    // Gone between the listing and the open (a probe closed just now): nothing to show.
    if (!r && l.problem.code == "probe-not-found") continue;
    l.hasProblem = !r;
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace iocpm
