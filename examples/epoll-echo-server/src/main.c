/*
 * epoll-echo-server — a multi-threaded epoll TCP echo server, instrumented with the IOCP Monitor
 * probe so `iocp-monitor attach --name epoll-echo` can watch its workers.
 *
 *   epoll-echo-server [--port P] [--workers N] [--name NAME]
 *
 * Listens on 127.0.0.1:P (default 7000; 0 = any free port) and prints `listening 127.0.0.1:PORT`
 * once every worker is accepting. SIGINT or SIGTERM: every worker closes its sessions, the probe
 * is closed (the monitor shows the process as exited), exit code 0.
 *
 * One listener per worker, with SO_REUSEPORT, rather than one shared listener with
 * EPOLLEXCLUSIVE: each worker then owns an accept queue, so a connection is accepted by the very
 * thread (and epoll set) that will serve it, with no shared accept queue to contend on and no
 * thundering herd. The kernel spreads new connections by a hash of the 4-tuple; the cost is that
 * an idle worker never takes connections queued for a busy one, which is fine for an echo server.
 *
 * main() only sets things up and waits for a signal; the work is in worker.c.
 */
#define _GNU_SOURCE
#ifndef IOCPM_NO_PROBE
#define IOCPM_PROBE_IMPLEMENTATION /* the probe's code lives in this file */
#endif
#include "probe_hooks.h"
#include "worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_WORKERS 256 /* the probe's limit */

struct options {
  unsigned port;
  unsigned workers;
  const char *name;
};

static void usage(FILE *to) {
  fprintf(to, "usage: epoll-echo-server [--port P (7000; 0 = any)] [--workers N (2)] [--name NAME (epoll-echo)]\n");
}

static int parse_uint(const char *text, unsigned long max, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (errno || end == text || *end || v > max || text[0] == '-') return -1;
  *out = (unsigned)v;
  return 0;
}

static int parse_options(int argc, char **argv, struct options *o) {
  *o = (struct options){.port = 7000, .workers = 2, .name = "epoll-echo"};
  for (int i = 1; i < argc; i++) {
    const char *flag = argv[i];
    if (!strcmp(flag, "--help") || !strcmp(flag, "-h")) {
      usage(stdout);
      exit(0);
    }
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    int bad = !value;
    if (!bad && !strcmp(flag, "--port")) bad = parse_uint(value, 65535, &o->port);
    else if (!bad && !strcmp(flag, "--workers")) bad = parse_uint(value, MAX_WORKERS, &o->workers) || o->workers == 0;
    else if (!bad && !strcmp(flag, "--name")) o->name = value;
    else bad = 1;
    if (bad) {
      fprintf(stderr, "epoll-echo-server: bad or missing value for %s\n", flag);
      usage(stderr);
      return -1;
    }
    i++;
  }
  return 0;
}

/* A non-blocking listener on 127.0.0.1:port that shares the port with the other workers'. */
static int open_listener(unsigned port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, SOMAXCONN) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

static unsigned bound_port(int fd) {
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  return getsockname(fd, (struct sockaddr *)&addr, &len) == 0 ? ntohs(addr.sin_port) : 0;
}

int main(int argc, char **argv) {
  struct options opt;
  if (parse_options(argc, argv, &opt) != 0) return 2;

  /* Signals are taken by sigwait() in main only: block them before any thread starts, so the
   * workers inherit the mask and never see them. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  /* A non-interactive shell starts background jobs with SIGINT ignored, and an ignored signal is
   * discarded before sigwait() could take it: restore the default (harmless while blocked). */
  signal(SIGINT, SIG_DFL);

  iocpm_probe *probe = NULL;
#ifndef IOCPM_NO_PROBE
  probe = iocpm_probe_open(opt.name, opt.workers); /* PROBE: publish /dev/shm/iocpm-<pid> */
  if (!probe) fprintf(stderr, "epoll-echo-server: probe not opened (%s); serving without it\n", strerror(errno));
#endif

  int stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  struct echo_worker *workers = calloc(opt.workers, sizeof *workers);
  if (stop_fd < 0 || !workers) {
    perror("epoll-echo-server: setup");
    goto fail;
  }
  /* The first listener picks the port (maybe an ephemeral one); the others join it. */
  unsigned port = opt.port;
  for (unsigned i = 0; i < opt.workers; i++) {
    int listen_fd = open_listener(port);
    if (listen_fd < 0) {
      fprintf(stderr, "epoll-echo-server: cannot listen on 127.0.0.1:%u: %s\n", port, strerror(errno));
      goto fail;
    }
    if (i == 0) port = bound_port(listen_fd);
    if (echo_worker_init(&workers[i], i, listen_fd, stop_fd, probe) != 0) {
      perror("epoll-echo-server: epoll");
      goto fail;
    }
  }
  for (unsigned i = 0; i < opt.workers; i++) {
    if (pthread_create(&workers[i].thread, NULL, echo_worker_run, &workers[i]) != 0) {
      fprintf(stderr, "epoll-echo-server: cannot start worker %u\n", i);
      goto fail; /* workers already started are blocked in epoll_wait; exit() ends them */
    }
  }
  PROBE(iocpm_probe_set_port(probe, port));
  printf("listening 127.0.0.1:%u\n", port);
  fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  fprintf(stderr, "epoll-echo-server: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");

  uint64_t one = 1;
  if (write(stop_fd, &one, sizeof one) != sizeof one) perror("epoll-echo-server: eventfd");
  for (unsigned i = 0; i < opt.workers; i++) {
    pthread_join(workers[i].thread, NULL);
    close(workers[i].listen_fd);
    close(workers[i].epfd);
  }
  close(stop_fd);
  free(workers);
  PROBE(iocpm_probe_close(probe)); /* the monitor sees the process exit */
  return 0;

fail: /* setup failed: still remove the probe's segment, so no monitor shows a stale server */
  PROBE(iocpm_probe_close(probe));
  return 1;
}
