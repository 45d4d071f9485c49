// The session table: the top N live sessions by a chosen key, with totals, built on demand from
// every worker's SessionDirectory (the dashboard asks at most twice a second; nothing is pushed
// with the metric ticks). Cost: one pass over the sessions under each worker's directory lock.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "session_directory.h"

namespace iocpm {

enum class SessionSortKey : uint8_t { BytesPerS, SendQueue, Age, Errors };
const char* session_sort_key_name(SessionSortKey k);
bool parse_session_sort_key(const std::string& s, SessionSortKey* out);
const char* session_state_name(SessionState s);

constexpr int kMaxSessionRows = 10000;

struct SessionQuery {
  SessionSortKey key = SessionSortKey::BytesPerS;
  int limit = 100;            // 1..kMaxSessionRows
  int worker = -1;            // -1: every worker
  std::string addressPrefix;  // matched against the remote address ("127.0.0.1:5" …); empty: all
};

struct SessionRow {
  uint64_t id = 0;
  int worker = 0;
  std::string local, remote;
  uint64_t ageNs = 0;
  uint64_t bytesIn = 0, bytesOut = 0, completions = 0, errors = 0;
  uint64_t sendQueue = 0, peakSendQueue = 0;
  double bytesInPerS = 0, bytesOutPerS = 0;  // since the previous table (or since open)
  SessionState state = SessionState::Open;
  int lastError = 0;
};

struct SessionTable {
  uint64_t monoNs = 0;
  uint64_t sendQueueLimit = 0;  // the configured limit, for a bar against it
  uint64_t live = 0;            // sessions open now, on every worker
  uint64_t matched = 0;         // ... of which the query's filter kept
  uint64_t bytesIn = 0, bytesOut = 0, sendQueue = 0;  // totals over the matched sessions
  std::vector<SessionRow> rows;  // the top `limit` of the matched, by the key, largest first
};

// Builds the table from every worker's directory; each session remembers its byte counts at the
// previous table, so rates are per interval between tables.
SessionTable build_session_table(const std::vector<SessionDirectory*>& directories, const SessionQuery& q, uint64_t sendQueueLimit);

}  // namespace iocpm
