// The reference client of `npm run bench`: the least a closed-loop echo client can do. One thread,
// one level-triggered epoll set, one connection per outstanding message; each connection sends a
// message, reads until as many bytes came back, and sends the next. It checks only the length
// (no content check, no latency histogram): the bar the project's load generator, which verifies
// every byte, is measured against.
//   pingpong_client HOST PORT CONNECTIONS SIZE SECONDS
// Prints one JSON line: {"msgs":…,"bytes":…,"elapsedS":…,"cpuUs":…,"connectsFailed":…,"errors":…}
// (cpuUs: this process's user+system CPU time, so its cost per message can be compared).
// Built by bench/run.mjs with gcc -O2.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  size_t got;  // bytes of the current echo received so far
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s HOST PORT CONNECTIONS SIZE SECONDS\n", argv[0]);
    return 2;
  }
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  inet_pton(AF_INET, argv[1], &a.sin_addr);
  int n = atoi(argv[3]);
  size_t size = (size_t)atol(argv[4]);
  double secs = atof(argv[5]);
  char* msg = malloc(size);
  char* buf = malloc(size > 65536 ? size : 65536);
  memset(msg, 'x', size);
  struct conn* cs = calloc((size_t)n, sizeof *cs);
  int ep = epoll_create1(0);
  long failed = 0, errors = 0;
  for (int i = 0; i < n; i++) {
    // Blocking connects: set-up is not measured.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
      failed++;
      close(fd);
      cs[i].fd = -1;
      continue;
    }
    cs[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  double t0 = now_s(), end = t0 + secs;
  for (int i = 0; i < n; i++)
    if (cs[i].fd >= 0 && send(cs[i].fd, msg, size, MSG_NOSIGNAL) != (ssize_t)size) errors++;
  unsigned long long msgs = 0, bytes = 0;
  struct epoll_event evs[256];
  int stopping = 0, open = n - (int)failed;
  while (open > 0) {
    int k = epoll_wait(ep, evs, 256, 100);
    double t = now_s();
    if (t >= end) stopping = 1;
    for (int i = 0; i < k; i++) {
      struct conn* c = evs[i].data.ptr;
      ssize_t r = recv(c->fd, buf, size - c->got, 0);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        errors++;
        close(c->fd);
        c->fd = -1;
        open--;
        continue;
      }
      c->got += (size_t)r;
      bytes += (unsigned long long)r;
      if (c->got < size) continue;
      c->got = 0;
      msgs++;
      if (stopping) {  // the last echo of this connection is in: done with it
        close(c->fd);
        c->fd = -1;
        open--;
      } else if (send(c->fd, msg, size, MSG_NOSIGNAL) != (ssize_t)size) {
        errors++;
      }
    }
    if (stopping && now_s() > end + 2) break;  // echoes that never came are not counted
  }
  double elapsed = now_s() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpuUs = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  printf("{\"msgs\":%llu,\"bytes\":%llu,\"elapsedS\":%.6f,\"cpuUs\":%.0f,\"connectsFailed\":%ld,\"errors\":%ld}\n", msgs, bytes, elapsed, cpuUs, failed, errors);
  return 0;
}
