// The client of `npm run bench -- --scale`: opens N connections as fast as the server accepts them
// (the accept storm), spread over several loopback source addresses (127.0.0.2, 127.0.0.3, …) so
// the ephemeral ports of one address do not run out, echoes one message on each (proof that the
// server serves every one; the echo is compared byte for byte), then holds them all open and idle
// until its stdin closes. Several of them run side by side when one process may not hold N
// descriptors (RLIMIT_NOFILE): WINDOW is then each one's share of the connects in flight.
//   scale_client HOST PORT N SOURCES SIZE [WINDOW]
// Prints one JSON line once every connection has echoed (or failed), then one when it ends.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum { CONNECTING, ECHOING, IDLE, FAILED };
struct conn {
  int fd;
  int state;
  unsigned got;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s HOST PORT N SOURCES SIZE [WINDOW]\n", argv[0]);
    return 2;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  inet_pton(AF_INET, argv[1], &to.sin_addr);
  int n = atoi(argv[3]), sources = atoi(argv[4]);
  unsigned size = (unsigned)atoi(argv[5]);
  char msg[4096], buf[4096];
  if (size > sizeof msg) size = sizeof msg;
  for (unsigned i = 0; i < size; i++) msg[i] = (char)('a' + i % 26);
  struct conn* cs = calloc((size_t)n, sizeof *cs);
  int ep = epoll_create1(0);
  // At most this many connects in flight: more only overflow the listen backlog into SYN retries
  // (1 s each), which would measure the retry timer, not the server.
  const int window = argc > 6 ? atoi(argv[6]) : 2048;
  int next = 0, inflight = 0, done = 0, connected = 0, echoed = 0, failed = 0, firstErr = 0;
  long corrupt = 0;
  double t0 = now_s(), tConnected = 0, tEchoed = 0;
  struct epoll_event evs[512];
  while (done < n) {
    while (next < n && inflight < window) {
      struct conn* c = &cs[next];
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (fd < 0) {
        if (!firstErr) firstErr = errno;
        c->state = FAILED;
        failed++, done++, next++;
        continue;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      struct sockaddr_in from = {.sin_family = AF_INET};
      from.sin_addr.s_addr = htonl(0x7f000002u + (unsigned)(next % sources));
      bind(fd, (struct sockaddr*)&from, sizeof from);
      c->fd = fd;
      c->state = CONNECTING;
      struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      if (connect(fd, (struct sockaddr*)&to, sizeof to) != 0 && errno != EINPROGRESS) {
        if (!firstErr) firstErr = errno;
        close(fd);
        c->state = FAILED;
        failed++, done++;
      } else {
        inflight++;
      }
      next++;
    }
    int k = epoll_wait(ep, evs, 512, 1000);
    for (int i = 0; i < k; i++) {
      struct conn* c = evs[i].data.ptr;
      if (c->state == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err || !(evs[i].events & EPOLLOUT)) {
          if (!firstErr) firstErr = err ? err : ECONNRESET;
          close(c->fd);
          c->state = FAILED;
          failed++, done++, inflight--;
          continue;
        }
        connected++;
        if (connected + failed == n) tConnected = now_s();
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->state = ECHOING;
        if (send(c->fd, msg, size, MSG_NOSIGNAL) != (ssize_t)size) {
          c->state = FAILED;
          failed++, done++, inflight--;
        }
      } else if (c->state == ECHOING) {
        ssize_t r = recv(c->fd, buf, size - c->got, 0);
        if (r <= 0) {
          if (r < 0 && errno == EAGAIN) continue;
          if (!firstErr) firstErr = r == 0 ? ECONNRESET : errno;
          c->state = FAILED;
          failed++, done++, inflight--;
          continue;
        }
        if (memcmp(buf, msg + c->got, (size_t)r) != 0) corrupt++;
        c->got += (unsigned)r;
        if (c->got < size) continue;
        c->state = IDLE;
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);  // held open, idle, not watched
        echoed++, done++, inflight--;
      }
    }
  }
  tEchoed = now_s();
  if (!tConnected) tConnected = tEchoed;
  printf("{\"connected\":%d,\"echoed\":%d,\"failed\":%d,\"corruptReads\":%ld,\"firstError\":\"%s\",\"connectS\":%.6f,\"echoS\":%.6f}\n", connected, echoed, failed, corrupt,
         firstErr ? strerror(firstErr) : "", tConnected - t0, tEchoed - t0);
  fflush(stdout);
  while (read(0, buf, sizeof buf) > 0) {
  }
  double tc = now_s();
  for (int i = 0; i < n; i++)
    if (cs[i].state == IDLE) close(cs[i].fd);
  printf("{\"closeS\":%.6f}\n", now_s() - tc);
  return 0;
}
