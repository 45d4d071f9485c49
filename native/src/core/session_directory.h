// One worker's live sessions, readable from another thread: what the session table (the
// dashboard's Sessions tab, `serve --sessions-csv`) is built from. The worker adds a session when
// it opens and removes it before its socket is closed and it is freed, both under this lock: the
// only lock involved, taken once per session open and close and by a snapshot, never per message.
#pragma once
#include <mutex>
#include <unordered_map>

#include "session_core.h"

namespace iocpm {

class SessionDirectory {
 public:
  explicit SessionDirectory(int worker) : worker_(worker) {}

  // Gives s its id, worker and open time, and lists it.
  void add(SessionCore* s);
  void remove(SessionCore* s);

  // Runs f(session) under the lock if the session is listed here; false if it is not.
  template <class F>
  bool with(uint64_t id, F f) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = byId_.find(id);
    if (it == byId_.end()) return false;
    f(*it->second);
    return true;
  }
  // Holds the lock for the caller (the session table holds every worker's at once, so the rows it
  // copies after sorting still exist), then forEachLocked may be used.
  std::unique_lock<std::mutex> lock() { return std::unique_lock<std::mutex>(mu_); }
  template <class F>
  void forEachLocked(F f) {
    for (auto& kv : byId_) f(*kv.second);
  }

 private:
  std::mutex mu_;
  std::unordered_map<uint64_t, SessionCore*> byId_;
  int worker_;
};

// Platform-specific (posix/socket_util.cc, iocp/socket_names_win.cc): a socket's local and remote
// address as "ip:port" ("[ip6]:port"); false when the socket has none (already reset).
bool socket_names(uint64_t handle, std::string* local, std::string* remote);

}  // namespace iocpm
