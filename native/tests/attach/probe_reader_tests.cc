// The monitor's probe reader (src/attach/) against the real probe writer (probe/iocpm_probe.h,
// compiled in by probe_impl.cc), in one process: exact counters under concurrent writers, the
// error slots and their overflow, calls for a worker that does not exist, two readers at once, a
// clean close, and one distinct refusal per kind of bad segment. Runs on Linux and, cross-built,
// on Windows under Wine; the crash of a writer process is in linux/probe_linux_tests.cc.
#include <doctest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../../probe/iocpm_probe.h"
#include "../../src/attach/probe_reader.h"
#include "../../src/core/error_catalog.h"
#include "raw_segment.h"

using namespace iocpm;

namespace {

// A probe of this process, closed at the end of the test (one probe per process at a time).
struct OpenProbe {
  iocpm_probe* p;
  OpenProbe(const char* name, unsigned workers) : p(iocpm_probe_open(name, workers)) { REQUIRE(p != nullptr); }
  ~OpenProbe() { iocpm_probe_close(p); }
};

std::unique_ptr<ProbeReader> open_reader(uint32_t pid) {
  ProbeProblem problem;
  ProbeInfo partial;
  std::unique_ptr<ProbeReader> r = ProbeReader::open(pid, &problem, &partial);
  INFO(problem.code << ": " << problem.message);
  REQUIRE(r != nullptr);
  return r;
}

const ErrorCountSnapshot* find_error(const WorkerSnapshot& w, int code) {
  for (const ErrorCountSnapshot& e : w.errors)
    if (e.code == code) return &e;
  return nullptr;
}

// A header the reader accepts, for `workers` workers, before a test breaks one field of it.
std::vector<unsigned char> valid_segment(uint32_t pid, uint32_t workers) {
  std::vector<unsigned char> bytes(sizeof(iocpm_probe_header) + size_t(workers) * sizeof(iocpm_probe_worker));
  iocpm_probe_header h{};
  h.magic = IOCPM_PROBE_MAGIC;
  h.layout_version = IOCPM_PROBE_LAYOUT_VERSION;
  h.header_bytes = sizeof(iocpm_probe_header);
  h.worker_bytes = sizeof(iocpm_probe_worker);
  h.workers = workers;
  h.total_bytes = bytes.size();
  h.pid = pid;
  h.platform = IOCPM_PROBE_PLATFORM_LINUX;
  std::strcpy(h.name, "handmade");
  h.state = IOCPM_PROBE_STATE_RUNNING;
  std::memcpy(bytes.data(), &h, sizeof h);
  return bytes;
}

iocpm_probe_header& header_of(std::vector<unsigned char>& b) { return *reinterpret_cast<iocpm_probe_header*>(b.data()); }

// Pids no process here has (above any real pid), so a hand-written segment meets no writer.
constexpr uint32_t kFakePid = 3999000100u;

}  // namespace

TEST_CASE("probe reader: header, port and the listing describe this process's probe") {
  OpenProbe probe("reader-header", 3);
  iocpm_probe_set_port(probe.p, 8080);
  const uint32_t pid = tprobe::current_pid();
  auto r = open_reader(pid);
  ProbeInfo i = r->info();
  CHECK(i.pid == pid);
  CHECK(i.name == "reader-header");
  CHECK(i.workers == 3);
  CHECK(i.layoutVersion == 1);
  CHECK(i.port == 8080);
  CHECK(i.startMs > 1700000000000ull);
  CHECK((i.platform == IOCPM_PROBE_PLATFORM_LINUX || i.platform == IOCPM_PROBE_PLATFORM_WINDOWS));
  CHECK(i.exit == ProbeExit::Running);
  bool listed = false;
  for (const ProbeListing& l : list_probes()) {
    if (l.info.pid != pid) continue;
    listed = true;
    CHECK_FALSE(l.hasProblem);
    CHECK(l.info.name == "reader-header");
  }
  CHECK(listed);
}

TEST_CASE("probe reader: exact counters from concurrent writers, monotonic while they write") {
  constexpr unsigned kThreads = 4;
  constexpr int kIters = 100000;
  OpenProbe probe("reader-threads", kThreads);
  auto r = open_reader(tprobe::current_pid());
  std::atomic<bool> done{false};
  std::atomic<int> regressions{0};
  // Samples while the writers run: every counter only grows.
  std::thread sampler([&] {
    uint64_t last = 0;
    while (!done.load()) {
      ProbeSnapshot s = r->snapshot();
      if (s.workers[0].completions < last) ++regressions;
      last = s.workers[0].completions;
    }
  });
  std::vector<std::thread> writers;
  for (unsigned t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int k = 0; k < kIters; ++k) {
        iocpm_count_recv(probe.p, t, 10);
        iocpm_count_send(probe.p, t, 3);
        iocpm_count_completion(probe.p, 0);  // one worker's counter shared by every thread
        iocpm_count_busy(probe.p, t, 2);
        if (k % 1000 == 0) iocpm_count_error(probe.p, 0, 104);
      }
      iocpm_session_opened(probe.p, t);
      iocpm_session_opened(probe.p, t);
      iocpm_session_closed(probe.p, t);
      iocpm_add_inflight(probe.p, t, 5);
      iocpm_add_inflight(probe.p, t, -2);
      iocpm_set_queue_depth(probe.p, t, 7 + t);
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  sampler.join();
  CHECK(regressions.load() == 0);
  ProbeSnapshot s = r->snapshot();
  CHECK(s.running);
  CHECK(s.monoNs > 0);
  REQUIRE(s.workers.size() == kThreads);
  for (unsigned t = 0; t < kThreads; ++t) {
    const WorkerSnapshot& w = s.workers[t];
    CHECK(w.worker == int(t));
    CHECK(w.bytesIn == 10ull * kIters);
    CHECK(w.bytesOut == 3ull * kIters);
    CHECK(w.busyNs == 2ull * kIters);
    CHECK(w.completions == (t == 0 ? uint64_t(kThreads) * kIters : 0));
    CHECK(w.accepts == 2);
    CHECK(w.closes == 1);
    CHECK(w.sessions == 1);
    // The probe's one in-flight gauge is reported as receives.
    CHECK(w.inflight[int(OpKind::Recv)] == 3);
    CHECK(w.inflight[int(OpKind::Accept)] == 0);
    CHECK(w.inflight[int(OpKind::Send)] == 0);
    CHECK(w.queueDepth == 7 + t);
  }
  const ErrorCountSnapshot* e = find_error(s.workers[0], 104);
  REQUIRE(e != nullptr);
  CHECK(e->count == uint64_t(kThreads) * (kIters / 1000));
}

TEST_CASE("probe reader: 16 error slots, then the overflow code; calls for a missing worker are counted") {
  OpenProbe probe("reader-errors", 2);
  for (int code = 1; code <= 16; ++code)
    for (int k = 0; k < code; ++k) iocpm_count_error(probe.p, 1, 1000 + code);
  iocpm_count_error(probe.p, 1, 2001);  // no slot left: overflow
  iocpm_count_error(probe.p, 1, 2002);
  iocpm_count_error(probe.p, 1, 1005);  // a code with a slot still finds it
  iocpm_count_recv(probe.p, 2, 100);    // worker 2 of 2 does not exist
  iocpm_count_error(probe.p, 99, 1);
  auto r = open_reader(tprobe::current_pid());
  ProbeSnapshot s = r->snapshot();
  CHECK(s.workers[0].errors.empty());
  const WorkerSnapshot& w = s.workers[1];
  REQUIRE(w.errors.size() == 17);
  for (int code = 1; code <= 16; ++code) {
    const ErrorCountSnapshot* e = find_error(w, 1000 + code);
    REQUIRE(e != nullptr);
    CHECK(e->count == uint64_t(code + (code == 5 ? 1 : 0)));
  }
  const ErrorCountSnapshot* over = find_error(w, kErrCountOverflow);
  REQUIRE(over != nullptr);
  CHECK(over->count == 2);
  CHECK(w.bytesIn == 0);
  CHECK(r->info().badWorkerCalls == 2);
}

TEST_CASE("probe reader: two readers of one probe both read, and one closing leaves the other") {
  OpenProbe probe("reader-two", 1);
  iocpm_count_recv(probe.p, 0, 42);
  auto a = open_reader(tprobe::current_pid());
  auto b = open_reader(tprobe::current_pid());
  CHECK(a->snapshot().workers[0].bytesIn == 42);
  CHECK(b->snapshot().workers[0].bytesIn == 42);
  a.reset();
  iocpm_count_recv(probe.p, 0, 8);
  CHECK(b->snapshot().workers[0].bytesIn == 50);
  CHECK(b->info().exit == ProbeExit::Running);
}

TEST_CASE("probe reader: a closed probe reads as exited (closed) and keeps its final counters") {
  const uint32_t pid = tprobe::current_pid();
  std::unique_ptr<ProbeReader> r;
  {
    OpenProbe probe("reader-close", 2);
    iocpm_count_send(probe.p, 1, 77);
    iocpm_session_opened(probe.p, 1);
    r = open_reader(pid);
    CHECK(r->snapshot().running);
  }
  CHECK(r->info().exit == ProbeExit::Closed);
  ProbeSnapshot s = r->snapshot();
  CHECK_FALSE(s.running);
  CHECK(s.workers[1].bytesOut == 77);
  CHECK(s.workers[1].sessions == 1);
  r.reset();
  // With the writer closed and no reader holding it, the name is gone.
  ProbeProblem problem;
  ProbeInfo partial;
  CHECK(ProbeReader::open(pid, &problem, &partial) == nullptr);
  CHECK(problem.code == "probe-not-found");
  CHECK(problem.message == "no probe for pid " + std::to_string(pid));
}

TEST_CASE("probe reader: each kind of bad segment is refused with its own code and the numbers") {
  struct Case {
    std::string what;
    const char* code;
    const char* message_part;
    std::vector<unsigned char> bytes;
  };
  std::vector<Case> cases;
  auto add = [&](const char* what, const char* code, const char* part, auto edit) {
    std::vector<unsigned char> b = valid_segment(kFakePid, 2);
    edit(b);
    cases.push_back({what, code, part, b});
  };
  add("bad magic", "probe-corrupt", "magic is 0x", [](auto& b) { header_of(b).magic = 0x1122334455667788ull; });
  add("version 2", "probe-version", "probe layout version 2; this monitor reads version 1", [](auto& b) { header_of(b).layout_version = 2; });
  // A Windows mapping's size is known only in whole pages (the rest reads as zeros), so a segment
  // shorter than its header is a case only where sizes are exact.
  if (tprobe::segment_sizes_are_exact())
    add("shorter than the header", "probe-corrupt", "segment is 100 bytes, smaller than the 256-byte header", [](auto& b) { b.resize(100); });
  // 256 workers declared (131328 bytes), 1024 present: short even in whole pages of 64 KiB.
  add("truncated", "probe-corrupt", "smaller than the 131328 its header declares", [](auto& b) {
    header_of(b).workers = 256;
    header_of(b).total_bytes = 256 + 256 * 512;
    b.resize(1024);
  });
  add("no workers", "probe-corrupt", "workers is 0, outside 1..256", [](auto& b) { header_of(b).workers = 0; });
  add("too many workers", "probe-corrupt", "workers is 300, outside 1..256", [](auto& b) { header_of(b).workers = 300; });
  add("total_bytes wrong", "probe-corrupt", "total_bytes is 999, but 2 workers need 1280", [](auto& b) { header_of(b).total_bytes = 999; });
  add("block sizes", "probe-corrupt", "header_bytes 128 and worker_bytes 512", [](auto& b) { header_of(b).header_bytes = 128; });
  add("name", "probe-corrupt", "name is not NUL-terminated", [](auto& b) { std::memset(header_of(b).name, 'x', sizeof header_of(b).name); });
  add("pid", "probe-corrupt", "header names pid 7", [](auto& b) { header_of(b).pid = 7; });
  for (const Case& c : cases) {
    CAPTURE(c.what);
    tprobe::RawSegment seg(kFakePid, c.bytes.data(), c.bytes.size());
    REQUIRE(seg.ok());
    ProbeProblem problem;
    ProbeInfo partial;
    CHECK(ProbeReader::open(kFakePid, &problem, &partial) == nullptr);
    CHECK(problem.code == c.code);
    INFO(problem.message);
    CHECK(problem.message.find(c.message_part) != std::string::npos);
    CHECK(partial.pid == kFakePid);
    // Nothing writes a hand-made segment: it reads as a dead writer's.
    CHECK(partial.exit == ProbeExit::ProcessExited);
  }
  // And the untouched segment is accepted.
  std::vector<unsigned char> good = valid_segment(kFakePid, 2);
  tprobe::RawSegment seg(kFakePid, good.data(), good.size());
  auto r = open_reader(kFakePid);
  CHECK(r->info().name == "handmade");
  CHECK(r->info().exit == ProbeExit::ProcessExited);
  CHECK_FALSE(r->snapshot().running);
}
