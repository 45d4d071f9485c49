/*
 * worker.c — the epoll event loop of one worker and the life cycle of its sessions.
 *
 * Level-triggered epoll, one receive per EPOLLIN event. A received chunk is sent back at once;
 * what the socket does not take is queued on the session and EPOLLOUT is armed until the queue
 * drains. A session whose queue passes ECHO_HIGH_WATER stops reading (EPOLLIN disarmed) until
 * it drains, so a client that sends without reading cannot make us buffer without bound.
 *
 * Close rules: the peer's FIN (recv() == 0) => stop reading, flush what is queued, then close.
 * A socket error (ECONNRESET, EPIPE, ...) => count it with the probe and close at once.
 *
 * The probe lines are the PROBE(...) ones (see probe_hooks.h).
 */
#define _GNU_SOURCE
#include "worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ECHO_MAX_EVENTS 256
#define ECHO_HIGH_WATER (1u << 20) /* bytes queued before a session stops reading */

struct session {
  int fd;
  uint32_t armed;   /* what epoll watches for this fd: EPOLLIN and/or EPOLLOUT */
  bool peer_closed; /* FIN seen: nothing more to read, close once `out` is flushed */
  char *out;        /* bytes received but not yet sent back: out[off..len) */
  size_t off, len, cap;
  struct session *prev, *next; /* the worker's live list */
};

/* epoll_event.data.ptr of the two non-session fds. */
static char listener_tag, stop_tag;

#ifndef IOCPM_NO_PROBE
static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
#endif

static unsigned bits(uint32_t events) {
  return ((events & EPOLLIN) ? 1u : 0u) + ((events & EPOLLOUT) ? 1u : 0u);
}

/* Sets the session's epoll interest from its state, keeping the worker's armed count. */
static void rearm(struct echo_worker *w, struct session *s) {
  size_t pending = s->len - s->off;
  uint32_t want = 0;
  if (!s->peer_closed && pending < ECHO_HIGH_WATER) want |= EPOLLIN;
  if (pending > 0) want |= EPOLLOUT;
  if (want == s->armed) return;
  struct epoll_event ev = {.events = want, .data.ptr = s};
  epoll_ctl(w->epfd, EPOLL_CTL_MOD, s->fd, &ev);
  w->armed = w->armed - bits(s->armed) + bits(want);
  s->armed = want;
  PROBE(iocpm_set_inflight(w->probe, w->id, w->armed));
}

static void close_session(struct echo_worker *w, struct session *s) {
  w->armed -= bits(s->armed);
  PROBE(iocpm_set_inflight(w->probe, w->id, w->armed));
  close(s->fd); /* also removes it from the epoll set: nobody else holds this fd */
  if (s->prev) s->prev->next = s->next;
  else w->sessions = s->next;
  if (s->next) s->next->prev = s->prev;
  free(s->out);
  free(s);
  PROBE(iocpm_session_closed(w->probe, w->id));
}

static void fail_session(struct echo_worker *w, struct session *s, int err) {
  (void)err; /* only the probe reads it */
  PROBE(iocpm_count_error(w->probe, w->id, err));
  close_session(w, s);
}

/* Appends data to the session's send queue; false if memory ran out. */
static bool enqueue(struct session *s, const char *data, size_t n) {
  if (s->off > 0 && s->off == s->len) s->off = s->len = 0;
  if (s->len + n > s->cap) {
    /* Slide the unsent part to the front before growing. */
    if (s->off > 0) {
      memmove(s->out, s->out + s->off, s->len - s->off);
      s->len -= s->off;
      s->off = 0;
    }
    if (s->len + n > s->cap) {
      size_t cap = s->cap ? s->cap : 4096;
      while (cap < s->len + n) cap *= 2;
      char *grown = realloc(s->out, cap);
      if (!grown) return false;
      s->out = grown;
      s->cap = cap;
    }
  }
  memcpy(s->out + s->len, data, n);
  s->len += n;
  return true;
}

/* Sends what the socket takes now (MSG_NOSIGNAL: a closed peer is EPIPE, not SIGPIPE).
 * Returns bytes sent (0 if the socket is full), or -1 with errno set. */
static ssize_t send_some(struct echo_worker *w, struct session *s, const char *data, size_t n) {
  (void)w; /* only the probe reads it */
  ssize_t sent = send(s->fd, data, n, MSG_NOSIGNAL);
  if (sent > 0) {
    PROBE(iocpm_count_send(w->probe, w->id, (uint64_t)sent));
    return sent;
  }
  if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
  return -1;
}

static void on_readable(struct echo_worker *w, struct session *s) {
  ssize_t n = recv(s->fd, w->buf, sizeof w->buf, 0);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) fail_session(w, s, errno);
    return;
  }
  if (n == 0) { /* FIN: flush, then close */
    s->peer_closed = true;
    if (s->len == s->off) close_session(w, s);
    else rearm(w, s);
    return;
  }
  PROBE(iocpm_count_recv(w->probe, w->id, (uint64_t)n));

  size_t done = 0;
  if (s->len == s->off) { /* nothing queued: try to echo straight from the buffer */
    ssize_t sent = send_some(w, s, w->buf, (size_t)n);
    if (sent < 0) {
      fail_session(w, s, errno);
      return;
    }
    done = (size_t)sent;
  }
  if (done < (size_t)n && !enqueue(s, w->buf + done, (size_t)n - done)) {
    fail_session(w, s, ENOMEM);
    return;
  }
  rearm(w, s);
}

/* Returns false if the session was closed (an error, or the queue flushed after the FIN). */
static bool on_writable(struct echo_worker *w, struct session *s) {
  ssize_t sent = send_some(w, s, s->out + s->off, s->len - s->off);
  if (sent < 0) {
    fail_session(w, s, errno);
    return false;
  }
  s->off += (size_t)sent;
  if (s->off == s->len) s->off = s->len = 0;
  if (s->peer_closed && s->len == 0) {
    close_session(w, s);
    return false;
  }
  rearm(w, s);
  return true;
}

static void accept_all(struct echo_worker *w) {
  for (;;) {
    int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      /* EAGAIN: the backlog is empty. EMFILE and the like: counted, retried on the next event. */
      if (errno != EAGAIN && errno != EWOULDBLOCK) PROBE(iocpm_count_error(w->probe, w->id, errno));
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* echo small messages at once */
    struct session *s = calloc(1, sizeof *s);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
    if (!s || epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      PROBE(iocpm_count_error(w->probe, w->id, s ? errno : ENOMEM));
      free(s);
      close(fd);
      continue;
    }
    s->fd = fd;
    s->armed = EPOLLIN;
    s->next = w->sessions;
    if (s->next) s->next->prev = s;
    w->sessions = s;
    w->armed += 1;
    PROBE(iocpm_session_opened(w->probe, w->id));
    PROBE(iocpm_set_inflight(w->probe, w->id, w->armed));
  }
}

static void handle_event(struct echo_worker *w, const struct epoll_event *ev) {
  if (ev->data.ptr == &listener_tag) {
    accept_all(w);
    return;
  }
  struct session *s = ev->data.ptr;
  if (ev->events & EPOLLERR) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    fail_session(w, s, err ? err : EIO);
    return;
  }
  /* Write first: it may free queue space. A handler that closed the session returns false. */
  if ((ev->events & EPOLLOUT) && !on_writable(w, s)) return;
  if (ev->events & (EPOLLIN | EPOLLHUP)) on_readable(w, s);
}

int echo_worker_init(struct echo_worker *w, unsigned id, int listen_fd, int stop_fd, iocpm_probe *probe) {
  w->id = id;
  w->listen_fd = listen_fd;
  w->stop_fd = stop_fd;
  w->probe = probe;
  w->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (w->epfd < 0) return -1;
  struct epoll_event on_accept = {.events = EPOLLIN, .data.ptr = &listener_tag};
  struct epoll_event on_stop = {.events = EPOLLIN, .data.ptr = &stop_tag};
  if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, listen_fd, &on_accept) != 0) return -1;
  return epoll_ctl(w->epfd, EPOLL_CTL_ADD, stop_fd, &on_stop);
}

void *echo_worker_run(void *arg) {
  struct echo_worker *w = arg;
  struct epoll_event events[ECHO_MAX_EVENTS];
  bool stopping = false;
  while (!stopping) {
    int n = epoll_wait(w->epfd, events, ECHO_MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      PROBE(iocpm_count_error(w->probe, w->id, errno));
      break;
    }
#ifndef IOCPM_NO_PROBE
    uint64_t busy_from = now_ns();
#endif
    for (int i = 0; i < n; i++) {
      PROBE(iocpm_set_queue_depth(w->probe, w->id, (uint32_t)(n - i))); /* ready, not yet handled */
      if (events[i].data.ptr == &stop_tag) {
        stopping = true;
        continue;
      }
      handle_event(w, &events[i]);
      PROBE(iocpm_count_completion(w->probe, w->id));
    }
    PROBE(iocpm_set_queue_depth(w->probe, w->id, 0));
    PROBE(iocpm_count_busy(w->probe, w->id, now_ns() - busy_from));
  }
  while (w->sessions) close_session(w, w->sessions);
  return NULL;
}
