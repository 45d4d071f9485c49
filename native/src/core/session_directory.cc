#include "session_directory.h"

#include <atomic>

namespace iocpm {

namespace {
// Ids are unique for the life of the process, so a close request can never hit a newer session
// that reused an old one's socket.
std::atomic<uint64_t> g_nextId{1};
}  // namespace

void SessionDirectory::add(SessionCore* s) {
  s->id = g_nextId.fetch_add(1, std::memory_order_relaxed);
  s->worker = worker_;
  s->openedNs = mono_ns();
  std::lock_guard<std::mutex> g(mu_);
  byId_.emplace(s->id, s);
}

void SessionDirectory::remove(SessionCore* s) {
  std::lock_guard<std::mutex> g(mu_);
  byId_.erase(s->id);
}

}  // namespace iocpm
