// What only a second process can show, on Linux: a probe writer killed with SIGKILL (no
// iocpm_probe_close, so its segment stays in /dev/shm with state RUNNING) is seen as exited
// through the flock it held, its final counters still readable, and the listing shows it, as it
// shows a corrupt segment with its problem.
#include <doctest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "../../probe/iocpm_probe.h"
#include "../../src/attach/probe_reader.h"
#include "../attach/raw_segment.h"

using namespace iocpm;

TEST_CASE("probe reader (Linux): a writer killed without closing reads as process-exited") {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    iocpm_probe* p = iocpm_probe_open("forked-writer", 2);
    if (!p) ::_exit(1);
    iocpm_count_recv(p, 1, 1234);
    iocpm_session_opened(p, 0);
    char ok = 'r';
    if (::write(ready[1], &ok, 1) != 1) ::_exit(2);
    for (;;) ::pause();  // until SIGKILL
  }
  ::close(ready[1]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);

  ProbeProblem problem;
  ProbeInfo partial;
  std::unique_ptr<ProbeReader> r = ProbeReader::open(uint32_t(child), &problem, &partial);
  REQUIRE_MESSAGE(r != nullptr, problem.message);
  CHECK(r->info().exit == ProbeExit::Running);
  CHECK(r->info().name == "forked-writer");

  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(r->info().exit == ProbeExit::ProcessExited);
  ProbeSnapshot s = r->snapshot();
  CHECK_FALSE(s.running);
  CHECK(s.workers[1].bytesIn == 1234);
  CHECK(s.workers[0].sessions == 1);

  // Left behind in /dev/shm: listed, as exited, until someone removes it.
  bool listed = false;
  for (const ProbeListing& l : list_probes()) {
    if (l.info.pid != uint32_t(child)) continue;
    listed = true;
    CHECK_FALSE(l.hasProblem);
    CHECK(l.info.exit == ProbeExit::ProcessExited);
  }
  CHECK(listed);
  char name[32];
  std::snprintf(name, sizeof name, "/iocpm-%d", int(child));
  ::shm_unlink(name);
}

TEST_CASE("probe reader (Linux): a corrupt segment is listed with its problem") {
  const uint32_t fake = 3999000200u;
  unsigned char junk[300] = {1, 2, 3};
  tprobe::RawSegment seg(fake, junk, sizeof junk);
  REQUIRE(seg.ok());
  bool listed = false;
  for (const ProbeListing& l : list_probes()) {
    if (l.info.pid != fake) continue;
    listed = true;
    CHECK(l.hasProblem);
    CHECK(l.problem.code == "probe-corrupt");
  }
  CHECK(listed);
}
