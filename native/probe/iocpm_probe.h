/*
 * iocpm_probe.h — the IOCP Monitor probe: publish a server's per-worker counters to IOCP Monitor.
 *
 * MIT License. Copyright (c) 2026 the IOCP Monitor authors.
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this file, to
 * deal in it without restriction, including without limitation the rights to use, copy, modify,
 * merge, publish, distribute, sublicense, and/or sell copies, subject to this notice being kept.
 * THE FILE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
 *
 * One header, C99, compiles as C and C++, on Linux (gcc, clang) and Windows (MSVC, mingw-w64).
 * In exactly one source file:
 *     #define IOCPM_PROBE_IMPLEMENTATION
 *     #include "iocpm_probe.h"
 * Link nothing extra on Linux (glibc >= 2.34 has shm_open in libc; older glibc: -lrt).
 *
 * Model. iocpm_probe_open() creates a shared-memory segment named after the process
 * (Linux: shm_open("/iocpm-<pid>"), i.e. /dev/shm/iocpm-<pid>, mode 0600; Windows: the named
 * file mapping "Local\iocpm-<pid>" in the session namespace). It holds one versioned header and
 * one cache-line-aligned block of counters per worker. The hot-path calls are a single relaxed
 * atomic on the caller's worker block: wait-free, no lock, no allocation, no system call. A
 * monitor maps the segment read-only and samples it; any number of monitors may read at once.
 * One probe per process: a second open in the same process fails (EBUSY / ERROR_BUSY).
 *
 * Consistency. Every value is one naturally aligned 32- or 64-bit atomic, so no value is ever
 * torn. The header's fixed fields are written before `magic` is stored with release order; a
 * reader that loads `magic` with acquire order sees all of them. The header's changing fields
 * (state, port) are written under a sequence lock (`header_seq`, odd while a write is under
 * way) so a reader never sees a half-done change. Counters of one worker are read one by one,
 * exactly as the monitor reads its own engine: each is exact and monotonic, and a completed
 * receive's count and bytes are each added once.
 */
#ifndef IOCPM_PROBE_H
#define IOCPM_PROBE_H

/* shm_open, flock, O_CLOEXEC and clock_gettime are POSIX, hidden by a strict -std=c99: in the
 * implementation file include this header first (or build with -D_DEFAULT_SOURCE). */
#if defined(IOCPM_PROBE_IMPLEMENTATION) && !defined(_WIN32) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif

#include <stddef.h>
#include <stdint.h>
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Shared-memory layout (version 1). A reader of another version refuses the segment. ---- */
#define IOCPM_PROBE_MAGIC 0x4252504d50434f49ull /* "IOCPMPRB" in little-endian bytes */
#define IOCPM_PROBE_LAYOUT_VERSION 1u
#define IOCPM_PROBE_MAX_WORKERS 256u
#define IOCPM_PROBE_NAME_BYTES 64u
#define IOCPM_PROBE_ERROR_SLOTS 16u
#define IOCPM_PROBE_STATE_RUNNING 1u
#define IOCPM_PROBE_STATE_CLOSED 2u
#define IOCPM_PROBE_PLATFORM_LINUX 1u
#define IOCPM_PROBE_PLATFORM_WINDOWS 2u

/* Header: 256 bytes at offset 0. */
typedef struct iocpm_probe_header {
  uint64_t magic;          /* IOCPM_PROBE_MAGIC, stored last (release) */
  uint32_t layout_version; /* IOCPM_PROBE_LAYOUT_VERSION */
  uint32_t header_bytes;   /* sizeof(iocpm_probe_header) = 256 */
  uint32_t worker_bytes;   /* sizeof(iocpm_probe_worker) = 512 */
  uint32_t workers;        /* 1..IOCPM_PROBE_MAX_WORKERS */
  uint64_t total_bytes;    /* header_bytes + workers * worker_bytes */
  uint32_t pid;
  uint32_t platform;       /* IOCPM_PROBE_PLATFORM_* */
  uint64_t start_unix_ms;  /* wall clock at open */
  char name[IOCPM_PROBE_NAME_BYTES]; /* NUL-terminated, [A-Za-z0-9._-]{1,63} */
  /* Changing fields, under header_seq. */
  uint32_t header_seq;     /* even: stable; odd: a writer is changing state/port */
  uint32_t state;          /* IOCPM_PROBE_STATE_* */
  uint32_t listen_port;    /* 0 = not told (iocpm_probe_set_port) */
  uint32_t reserved0;
  /* Calls with a worker index >= workers: ignored, and counted here. */
  uint64_t bad_worker_calls;
  uint8_t reserved[256 - 136];
} iocpm_probe_header;

/* One error code seen by a worker: key = 0 (free) or (1 << 32) | (uint32_t)native_code. */
typedef struct iocpm_probe_error_slot {
  uint64_t key;
  uint64_t count;
} iocpm_probe_error_slot;

/* Per worker: 512 bytes, 64-byte aligned (the segment is page-aligned). Only this worker's
 * thread normally writes it, so workers never share a cache line. */
typedef struct iocpm_probe_worker {
  uint64_t completions;   /* dequeued completions */
  uint64_t recv_ops;      /* completed receives */
  uint64_t recv_bytes;
  uint64_t send_ops;      /* completed sends */
  uint64_t send_bytes;
  uint64_t sessions_opened;
  uint64_t sessions_closed;
  uint64_t errors;        /* every iocpm_count_error call */
  uint64_t busy_ns;       /* iocpm_count_busy */
  uint64_t error_overflow; /* errors whose code found no free slot (also in `errors`) */
  uint32_t inflight;      /* gauge: operations posted and not yet completed */
  uint32_t queue_depth;   /* gauge: completions ready and not yet taken */
  uint8_t reserved0[128 - 88];
  iocpm_probe_error_slot error_slots[IOCPM_PROBE_ERROR_SLOTS]; /* 256 bytes */
  uint8_t reserved1[512 - 384];
} iocpm_probe_worker;

/* ---- Public API ---- */
typedef struct iocpm_probe iocpm_probe;

/* Creates the segment. NULL on failure, with errno (Linux) / GetLastError() (Windows) set:
 * EINVAL/ERROR_INVALID_PARAMETER for a bad name or workers outside 1..256, EBUSY/ERROR_BUSY if
 * this process already has an open probe, or the shared-memory call's own error. */
iocpm_probe *iocpm_probe_open(const char *name, unsigned workers);
/* Marks the probe closed (a monitor shows "exited"), removes the name, frees everything. NULL ok. */
void iocpm_probe_close(iocpm_probe *p);

void iocpm_count_recv(iocpm_probe *p, unsigned worker, uint64_t bytes);   /* one completed receive */
void iocpm_count_send(iocpm_probe *p, unsigned worker, uint64_t bytes);   /* one completed send */
void iocpm_count_completion(iocpm_probe *p, unsigned worker);             /* one dequeued completion */
void iocpm_count_error(iocpm_probe *p, unsigned worker, int native_code); /* WSA/Win32 or errno */
void iocpm_set_inflight(iocpm_probe *p, unsigned worker, uint32_t ops);
void iocpm_set_queue_depth(iocpm_probe *p, unsigned worker, uint32_t depth);
void iocpm_session_opened(iocpm_probe *p, unsigned worker);
void iocpm_session_closed(iocpm_probe *p, unsigned worker);

/* Extras. */
/* Adds delta (may be negative) to the in-flight gauge: +1 when an operation is posted, -1 when
 * its completion is handled (by whichever thread), for servers that do not keep a count. */
void iocpm_add_inflight(iocpm_probe *p, unsigned worker, int32_t delta);
/* Time the worker spent handling completions (not waiting), for the busy chart. */
void iocpm_count_busy(iocpm_probe *p, unsigned worker, uint64_t ns);
/* The port the server listens on, so the monitor's load generator can aim at it. */
void iocpm_probe_set_port(iocpm_probe *p, unsigned port);

#ifdef _WIN32
/* Reads the real queued-packet count of `completion_port` (NtQueryIoCompletion) into `worker`'s
 * queue depth every 10 ms from one probe thread, so an existing IOCP server gets queue depth with
 * one call. A port shared by all workers is watched once (its depth is the port's, not a
 * thread's). Up to 64 ports. 0 on success, -1 with GetLastError() set. */
int iocpm_watch_port(iocpm_probe *p, unsigned worker, HANDLE completion_port);
#endif

#ifdef __cplusplus
}
#endif

/* ============================== implementation ============================== */
#ifdef IOCPM_PROBE_IMPLEMENTATION

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#endif

/* Relaxed atomics: GCC/Clang builtins work in C99 and C++; MSVC uses its interlocked intrinsics
 * (a locked add on x86, as the builtins compile to; plain aligned volatile stores are atomic). */
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define IOCPM__ADD64(ptr, v) ((void)_InterlockedExchangeAdd64((volatile __int64 *)(ptr), (__int64)(v)))
#define IOCPM__ADD32(ptr, v) ((void)_InterlockedExchangeAdd((volatile long *)(ptr), (long)(v)))
#define IOCPM__STORE32(ptr, v) (*(volatile uint32_t *)(ptr) = (v))
#define IOCPM__STORE64_RELEASE(ptr, v) ((void)_InterlockedExchange64((volatile __int64 *)(ptr), (__int64)(v)))
#define IOCPM__LOAD64(ptr) (*(volatile uint64_t *)(ptr))
#define IOCPM__CAS64(ptr, expected, desired) \
  ((uint64_t)_InterlockedCompareExchange64((volatile __int64 *)(ptr), (__int64)(desired), (__int64)(expected)) == (expected))
#define IOCPM__FENCE() MemoryBarrier()
#else
#define IOCPM__ADD64(ptr, v) ((void)__atomic_fetch_add((ptr), (uint64_t)(v), __ATOMIC_RELAXED))
#define IOCPM__ADD32(ptr, v) ((void)__atomic_fetch_add((ptr), (uint32_t)(v), __ATOMIC_RELAXED))
#define IOCPM__STORE32(ptr, v) __atomic_store_n((ptr), (uint32_t)(v), __ATOMIC_RELAXED)
#define IOCPM__STORE64_RELEASE(ptr, v) __atomic_store_n((ptr), (uint64_t)(v), __ATOMIC_RELEASE)
#define IOCPM__LOAD64(ptr) __atomic_load_n((ptr), __ATOMIC_RELAXED)
#define IOCPM__CAS64(ptr, expected, desired) \
  iocpm__cas64((ptr), (expected), (desired))
#define IOCPM__FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
static int iocpm__cas64(uint64_t *ptr, uint64_t expected, uint64_t desired) {
  return __atomic_compare_exchange_n(ptr, &expected, desired, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
#endif

/* The layout is a wire format: fail the build, not the reader, if a compiler pads it. */
typedef char iocpm__header_is_256[(sizeof(iocpm_probe_header) == 256) ? 1 : -1];
typedef char iocpm__worker_is_512[(sizeof(iocpm_probe_worker) == 512) ? 1 : -1];

#ifdef _WIN32
#define IOCPM__MAX_PORTS 64
typedef LONG(NTAPI *iocpm__nt_query_io_completion)(HANDLE, int, void *, ULONG, ULONG *);
#endif

struct iocpm_probe {
  iocpm_probe_header *header;
  iocpm_probe_worker *workers;
  unsigned worker_count;
  size_t bytes;
#ifdef _WIN32
  HANDLE mapping;
  HANDLE watch_thread;
  HANDLE watch_stop;
  CRITICAL_SECTION watch_lock; /* guards the port table; taken by watch_port and the probe thread only */
  unsigned watch_count;
  HANDLE watch_ports[IOCPM__MAX_PORTS];
  unsigned watch_workers[IOCPM__MAX_PORTS];
  iocpm__nt_query_io_completion nt_query;
#else
  int fd;
  char shm_name[32];
#endif
};

/* One open probe per process: the segment is named after the process. */
static volatile long iocpm__open_in_process = 0;

static iocpm_probe_worker *iocpm__worker(iocpm_probe *p, unsigned worker) {
  if (worker >= p->worker_count) {
    IOCPM__ADD64(&p->header->bad_worker_calls, 1);
    return NULL;
  }
  return &p->workers[worker];
}

static int iocpm__valid_name(const char *name) {
  size_t i, n;
  if (!name) return 0;
  n = strlen(name);
  if (n == 0 || n >= IOCPM_PROBE_NAME_BYTES) return 0;
  for (i = 0; i < n; i++) {
    char c = name[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return 0;
  }
  return 1;
}

/* Writes the header's fixed fields, then publishes the segment by storing magic (release). */
static void iocpm__publish(iocpm_probe *p, const char *name, unsigned workers, uint32_t pid, uint32_t platform,
                           uint64_t start_ms) {
  iocpm_probe_header *h = p->header;
  memset(h, 0, p->bytes); /* fresh pages are zero already; this covers a reused mapping */
  h->layout_version = IOCPM_PROBE_LAYOUT_VERSION;
  h->header_bytes = (uint32_t)sizeof(iocpm_probe_header);
  h->worker_bytes = (uint32_t)sizeof(iocpm_probe_worker);
  h->workers = workers;
  h->total_bytes = (uint64_t)p->bytes;
  h->pid = pid;
  h->platform = platform;
  h->start_unix_ms = start_ms;
  memcpy(h->name, name, strlen(name) + 1);
  h->state = IOCPM_PROBE_STATE_RUNNING;
  p->workers = (iocpm_probe_worker *)((char *)h + sizeof(iocpm_probe_header));
  p->worker_count = workers;
  IOCPM__STORE64_RELEASE(&h->magic, IOCPM_PROBE_MAGIC);
}

/* Changes a header field under header_seq. Only open/close/set_port write it: rare calls. */
static void iocpm__header_write(iocpm_probe *p, uint32_t *field, uint32_t value) {
  iocpm_probe_header *h = p->header;
  IOCPM__ADD32(&h->header_seq, 1);
  IOCPM__FENCE();
  IOCPM__STORE32(field, value);
  IOCPM__FENCE();
  IOCPM__ADD32(&h->header_seq, 1);
}

/* ---- hot path ---- */
void iocpm_count_recv(iocpm_probe *p, unsigned worker, uint64_t bytes) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (!w) return;
  IOCPM__ADD64(&w->recv_ops, 1);
  IOCPM__ADD64(&w->recv_bytes, bytes);
}

void iocpm_count_send(iocpm_probe *p, unsigned worker, uint64_t bytes) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (!w) return;
  IOCPM__ADD64(&w->send_ops, 1);
  IOCPM__ADD64(&w->send_bytes, bytes);
}

void iocpm_count_completion(iocpm_probe *p, unsigned worker) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (w) IOCPM__ADD64(&w->completions, 1);
}

/* Finds or claims this code's slot: at most IOCPM_PROBE_ERROR_SLOTS steps (wait-free). Errors
 * are rare next to completions, so the scan costs nothing where it matters. */
void iocpm_count_error(iocpm_probe *p, unsigned worker, int native_code) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  uint64_t key;
  unsigned i;
  if (!w) return;
  IOCPM__ADD64(&w->errors, 1);
  key = (1ull << 32) | (uint64_t)(uint32_t)native_code;
  for (i = 0; i < IOCPM_PROBE_ERROR_SLOTS; i++) {
    iocpm_probe_error_slot *s = &w->error_slots[i];
    uint64_t cur = IOCPM__LOAD64(&s->key);
    if (cur == 0 && IOCPM__CAS64(&s->key, 0, key)) cur = key;
    else if (cur == 0) cur = IOCPM__LOAD64(&s->key); /* another thread claimed it just now */
    if (cur == key) {
      IOCPM__ADD64(&s->count, 1);
      return;
    }
  }
  IOCPM__ADD64(&w->error_overflow, 1);
}

void iocpm_set_inflight(iocpm_probe *p, unsigned worker, uint32_t ops) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (w) IOCPM__STORE32(&w->inflight, ops);
}

void iocpm_add_inflight(iocpm_probe *p, unsigned worker, int32_t delta) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (w) IOCPM__ADD32(&w->inflight, (uint32_t)delta);
}

void iocpm_set_queue_depth(iocpm_probe *p, unsigned worker, uint32_t depth) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (w) IOCPM__STORE32(&w->queue_depth, depth);
}

void iocpm_session_opened(iocpm_probe *p, unsigned worker) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (w) IOCPM__ADD64(&w->sessions_opened, 1);
}

void iocpm_session_closed(iocpm_probe *p, unsigned worker) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (w) IOCPM__ADD64(&w->sessions_closed, 1);
}

void iocpm_count_busy(iocpm_probe *p, unsigned worker, uint64_t ns) {
  iocpm_probe_worker *w = p ? iocpm__worker(p, worker) : NULL;
  if (w) IOCPM__ADD64(&w->busy_ns, ns);
}

void iocpm_probe_set_port(iocpm_probe *p, unsigned port) {
  if (p && port <= 65535u) iocpm__header_write(p, &p->header->listen_port, (uint32_t)port);
}

/* ---- platform part: open / close (and the Windows port watcher) ---- */
#ifdef _WIN32

static DWORD WINAPI iocpm__watch_main(LPVOID arg) {
  iocpm_probe *p = (iocpm_probe *)arg;
  /* NtQueryIoCompletion, information class 0 (basic): { LONG Depth }. */
  while (WaitForSingleObject(p->watch_stop, 10) == WAIT_TIMEOUT) {
    unsigned i;
    EnterCriticalSection(&p->watch_lock);
    for (i = 0; i < p->watch_count; i++) {
      LONG depth = 0;
      if (p->nt_query(p->watch_ports[i], 0, &depth, sizeof depth, NULL) == 0 && depth >= 0) {
        IOCPM__STORE32(&p->workers[p->watch_workers[i]].queue_depth, (uint32_t)depth);
      }
    }
    LeaveCriticalSection(&p->watch_lock);
  }
  return 0;
}

int iocpm_watch_port(iocpm_probe *p, unsigned worker, HANDLE completion_port) {
  if (!p || worker >= p->worker_count || !completion_port || completion_port == INVALID_HANDLE_VALUE) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return -1;
  }
  if (!p->nt_query) {
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    p->nt_query = ntdll ? (iocpm__nt_query_io_completion)(void *)GetProcAddress(ntdll, "NtQueryIoCompletion") : NULL;
    if (!p->nt_query) {
      SetLastError(ERROR_PROC_NOT_FOUND);
      return -1;
    }
  }
  EnterCriticalSection(&p->watch_lock);
  if (p->watch_count == IOCPM__MAX_PORTS) {
    LeaveCriticalSection(&p->watch_lock);
    SetLastError(ERROR_TOO_MANY_OPEN_FILES);
    return -1;
  }
  p->watch_ports[p->watch_count] = completion_port;
  p->watch_workers[p->watch_count] = worker;
  p->watch_count++;
  LeaveCriticalSection(&p->watch_lock);
  if (!p->watch_thread) {
    p->watch_stop = CreateEventA(NULL, TRUE, FALSE, NULL);
    p->watch_thread = p->watch_stop ? CreateThread(NULL, 0, iocpm__watch_main, p, 0, NULL) : NULL;
    if (!p->watch_thread) {
      DWORD err = GetLastError();
      EnterCriticalSection(&p->watch_lock);
      p->watch_count--;
      LeaveCriticalSection(&p->watch_lock);
      SetLastError(err);
      return -1;
    }
  }
  return 0;
}

iocpm_probe *iocpm_probe_open(const char *name, unsigned workers) {
  char map_name[48];
  iocpm_probe *p;
  size_t bytes;
  DWORD pid = GetCurrentProcessId();
  FILETIME ft;
  uint64_t t100ns;
  if (!iocpm__valid_name(name) || workers == 0 || workers > IOCPM_PROBE_MAX_WORKERS) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  if (InterlockedCompareExchange(&iocpm__open_in_process, 1, 0) != 0) {
    SetLastError(ERROR_BUSY);
    return NULL;
  }
  p = (iocpm_probe *)calloc(1, sizeof *p);
  if (!p) {
    InterlockedExchange(&iocpm__open_in_process, 0);
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  bytes = sizeof(iocpm_probe_header) + (size_t)workers * sizeof(iocpm_probe_worker);
  snprintf(map_name, sizeof map_name, "Local\\iocpm-%lu", (unsigned long)pid);
  /* The default security descriptor: the creating user (and administrators) may open it. */
  p->mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, (DWORD)bytes, map_name);
  if (p->mapping && GetLastError() == ERROR_ALREADY_EXISTS) {
    /* Still held by a monitor of an earlier process with this pid: a fresh name is not possible,
     * so refuse rather than share a stale segment. */
    CloseHandle(p->mapping);
    p->mapping = NULL;
    SetLastError(ERROR_ALREADY_EXISTS);
  }
  p->header = p->mapping ? (iocpm_probe_header *)MapViewOfFile(p->mapping, FILE_MAP_ALL_ACCESS, 0, 0, bytes) : NULL;
  if (!p->header) {
    DWORD err = GetLastError();
    if (p->mapping) CloseHandle(p->mapping);
    free(p);
    InterlockedExchange(&iocpm__open_in_process, 0);
    SetLastError(err);
    return NULL;
  }
  InitializeCriticalSection(&p->watch_lock);
  p->bytes = bytes;
  GetSystemTimeAsFileTime(&ft);
  t100ns = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
  iocpm__publish(p, name, workers, (uint32_t)pid, IOCPM_PROBE_PLATFORM_WINDOWS, t100ns / 10000ull - 11644473600000ull);
  return p;
}

void iocpm_probe_close(iocpm_probe *p) {
  if (!p) return;
  if (p->watch_thread) {
    SetEvent(p->watch_stop);
    WaitForSingleObject(p->watch_thread, INFINITE);
    CloseHandle(p->watch_thread);
  }
  if (p->watch_stop) CloseHandle(p->watch_stop);
  DeleteCriticalSection(&p->watch_lock);
  iocpm__header_write(p, &p->header->state, IOCPM_PROBE_STATE_CLOSED);
  /* A monitor that has the mapping open keeps it (and sees "closed"); the name goes with the
   * last handle. */
  UnmapViewOfFile(p->header);
  CloseHandle(p->mapping);
  free(p);
  InterlockedExchange(&iocpm__open_in_process, 0);
}

#else /* POSIX */

iocpm_probe *iocpm_probe_open(const char *name, unsigned workers) {
  iocpm_probe *p;
  size_t bytes;
  void *mem;
  struct timespec ts;
  int err;
  long none_open = 0;
  if (!iocpm__valid_name(name) || workers == 0 || workers > IOCPM_PROBE_MAX_WORKERS) {
    errno = EINVAL;
    return NULL;
  }
  if (!__atomic_compare_exchange_n(&iocpm__open_in_process, &none_open, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
    errno = EBUSY;
    return NULL;
  }
  p = (iocpm_probe *)calloc(1, sizeof *p);
  if (!p) {
    __atomic_store_n(&iocpm__open_in_process, 0, __ATOMIC_RELEASE);
    errno = ENOMEM;
    return NULL;
  }
  bytes = sizeof(iocpm_probe_header) + (size_t)workers * sizeof(iocpm_probe_worker);
  snprintf(p->shm_name, sizeof p->shm_name, "/iocpm-%ld", (long)getpid());
  /* A segment with our name is left by a dead process that had our pid (it did not close its
   * probe): ours replaces it. O_EXCL after the unlink keeps a racing creator from sharing it. */
  shm_unlink(p->shm_name);
  p->fd = shm_open(p->shm_name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (p->fd < 0) goto fail;
  /* Held for the process's life: a monitor that can take this lock knows the process is gone,
   * even if it died without iocpm_probe_close and its pid was reused. */
  if (flock(p->fd, LOCK_EX | LOCK_NB) != 0 || ftruncate(p->fd, (off_t)bytes) != 0) goto fail_unlink;
  mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
  if (mem == MAP_FAILED) goto fail_unlink;
  p->header = (iocpm_probe_header *)mem;
  p->bytes = bytes;
  clock_gettime(CLOCK_REALTIME, &ts);
  iocpm__publish(p, name, workers, (uint32_t)getpid(), IOCPM_PROBE_PLATFORM_LINUX,
                 (uint64_t)ts.tv_sec * 1000ull + (uint64_t)ts.tv_nsec / 1000000ull);
  return p;
fail_unlink:
  err = errno;
  shm_unlink(p->shm_name);
  close(p->fd);
  errno = err;
fail:
  err = errno;
  free(p);
  __atomic_store_n(&iocpm__open_in_process, 0, __ATOMIC_RELEASE);
  errno = err;
  return NULL;
}

void iocpm_probe_close(iocpm_probe *p) {
  if (!p) return;
  iocpm__header_write(p, &p->header->state, IOCPM_PROBE_STATE_CLOSED);
  /* Unlinking removes the name from discovery; a monitor that has it mapped keeps reading the
   * final counters and the "closed" state. */
  shm_unlink(p->shm_name);
  munmap(p->header, p->bytes);
  close(p->fd);
  free(p);
  __atomic_store_n(&iocpm__open_in_process, 0, __ATOMIC_RELEASE);
}

#endif /* _WIN32 */
#endif /* IOCPM_PROBE_IMPLEMENTATION */
#endif /* IOCPM_PROBE_H */
