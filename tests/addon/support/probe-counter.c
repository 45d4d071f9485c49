/*
 * probe-counter: a stand-in for a third-party server that uses native/probe/iocpm_probe.h. It
 * opens a probe, counts a fixed set of numbers (PROBE_COUNTER_EXPECTED in probe-counter.ts says
 * what a reader must see), says it is ready, waits for the test, then closes the probe cleanly —
 * unless the test kills it first.
 *   probe-counter NAME                          ready: "ready" on stdout; stop: a line on stdin
 *   probe-counter NAME READY_FILE STOP_FILE     ready: READY_FILE written; stop: STOP_FILE appears
 * The file form is for Windows Node under Wine, whose child processes cannot use Linux pipes.
 * Built by tests/addon/probe.test.ts (gcc) and tests/windows/run-windows-node-tests.mjs (mingw).
 */
#define IOCPM_PROBE_IMPLEMENTATION
#include "../../../native/probe/iocpm_probe.h"

#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#define CONNECTION_RESET 10054 /* WSAECONNRESET */
#define nap_10ms() Sleep(10)
#else
#include <time.h>
#define CONNECTION_RESET 104 /* ECONNRESET */
static void nap_10ms(void) {
  struct timespec ts = {0, 10 * 1000 * 1000};
  nanosleep(&ts, NULL);
}
#endif

static int exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

int main(int argc, char **argv) {
  iocpm_probe *p;
  unsigned w;
  int k;
  if (argc != 2 && argc != 4) {
    fprintf(stderr, "usage: probe-counter NAME [READY_FILE STOP_FILE]\n");
    return 2;
  }
  p = iocpm_probe_open(argv[1], 3);
  if (!p) {
    perror("iocpm_probe_open");
    return 1;
  }
  for (w = 0; w < 3; w++) {
    for (k = 0; k < (int)(w + 1) * 10; k++) iocpm_count_recv(p, w, 100);
    for (k = 0; k < (int)(w + 1) * 5; k++) iocpm_count_send(p, w, 200);
    for (k = 0; k < (int)(w + 1) * 15; k++) iocpm_count_completion(p, w);
    for (k = 0; k < 4; k++) iocpm_session_opened(p, w);
    iocpm_session_closed(p, w);
    iocpm_count_busy(p, w, 1000000ull * (w + 1));
    iocpm_set_inflight(p, w, 2);
    iocpm_set_queue_depth(p, w, w);
  }
  for (k = 0; k < 3; k++) iocpm_count_error(p, 0, CONNECTION_RESET);
  iocpm_count_recv(p, 7, 1); /* no worker 7: counted in bad_worker_calls */
  iocpm_probe_set_port(p, 4321);

  if (argc == 2) {
    char line[64];
    printf("ready\n");
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin)) { /* stdin closed: stop too */ }
  } else {
    FILE *f = fopen(argv[2], "wb");
    if (!f) return 1;
    fputs("ready\n", f);
    fclose(f);
    while (!exists(argv[3])) nap_10ms();
  }
  iocpm_probe_close(p);
  return 0;
}
