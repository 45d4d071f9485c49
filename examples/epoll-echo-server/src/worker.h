/*
 * worker.h — one echo worker: a thread with its own epoll instance and its own listening socket.
 */
#ifndef EPOLL_ECHO_WORKER_H
#define EPOLL_ECHO_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include "probe_hooks.h"

#define ECHO_READ_BYTES 65536

struct session;

struct echo_worker {
  unsigned id;          /* also this worker's block in the probe */
  int listen_fd;        /* non-blocking, SO_REUSEPORT, owned by this worker */
  int stop_fd;          /* eventfd shared by all workers: readable = shut down */
  int epfd;
  iocpm_probe *probe;   /* NULL in the -DIOCPM_NO_PROBE build */
  uint32_t armed;       /* reads armed + sessions waiting for EPOLLOUT: the in-flight gauge */
  struct session *sessions; /* live sessions, closed at shutdown */
  pthread_t thread;
  char buf[ECHO_READ_BYTES]; /* one receive buffer per worker: data is echoed or copied out at once */
};

/* Creates the worker's epoll set watching listen_fd (taken over) and stop_fd (shared).
 * 0, or -1 with errno set. */
int echo_worker_init(struct echo_worker *w, unsigned id, int listen_fd, int stop_fd, iocpm_probe *probe);
/* Thread entry: serves until stop_fd becomes readable, then closes every session. */
void *echo_worker_run(void *arg);

#endif
