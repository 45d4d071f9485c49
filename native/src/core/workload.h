// What the server does with received bytes. Shared by every backend: the backend provides the
// transport (a SessionSink), the workload decides what to send where.
#pragma once
#include <cstddef>

#include "config.h"

namespace iocpm {

class SessionSink {
 public:
  virtual ~SessionSink() = default;
  // Queue bytes on one session (the backend starts the send when none is outstanding).
  virtual void sendTo(void* session, const char* p, size_t n) = 0;
  // Queue bytes on every open session of this worker (chat).
  virtual void broadcast(const char* p, size_t n) = 0;
};

inline void apply_workload(WorkloadKind kind, SessionSink& sink, void* session, const char* p, size_t n) {
  switch (kind) {
    case WorkloadKind::Echo: sink.sendTo(session, p, n); break;
    case WorkloadKind::Discard: break;
    case WorkloadKind::Chat: sink.broadcast(p, n); break;
  }
}

// Echo applies back-pressure by pausing reads while a session's queue is above the high
// watermark and resuming below the low one; chat cannot (one slow reader must not stall every
// writer), so there a full queue closes the slow session with send-queue-full.
inline size_t high_watermark(size_t limit) { return limit / 2; }
inline size_t low_watermark(size_t limit) { return limit / 4; }

}  // namespace iocpm
