#include "session_table.h"

#include <algorithm>

namespace iocpm {

const char* session_sort_key_name(SessionSortKey k) {
  switch (k) {
    case SessionSortKey::BytesPerS: return "bytesPerS";
    case SessionSortKey::SendQueue: return "sendQueue";
    case SessionSortKey::Age: return "age";
    case SessionSortKey::Errors: return "errors";
  }
  return "?";
}

bool parse_session_sort_key(const std::string& s, SessionSortKey* out) {
  for (SessionSortKey k : {SessionSortKey::BytesPerS, SessionSortKey::SendQueue, SessionSortKey::Age, SessionSortKey::Errors}) {
    if (s == session_sort_key_name(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

const char* session_state_name(SessionState s) {
  switch (s) {
    case SessionState::Open: return "open";
    case SessionState::HalfClosed: return "half-closed";
    case SessionState::Closing: return "closing";
  }
  return "?";
}

namespace {

double per_second(uint64_t bytes, uint64_t ns) { return ns > 0 ? double(bytes) * 1e9 / double(ns) : 0; }

// What is needed to rank a session; the full row is built for the top N only. The counters are
// read once, here, and the row shows these same reads: a row read again later could show a send
// queue (or bytes, or errors) other than the one it was ranked by, and the table would look out
// of order (a slow reader's queue can drain and refill between two reads).
struct Ranked {
  SessionCore* s;
  double value;
  double inPerS, outPerS;
  uint64_t bytesIn, bytesOut, sendQueue, errors;
};

}  // namespace

SessionTable build_session_table(const std::vector<SessionDirectory*>& directories, const SessionQuery& q, uint64_t sendQueueLimit) {
  SessionTable t;
  t.monoNs = mono_ns();
  t.sendQueueLimit = sendQueueLimit;
  // Every directory stays locked until the rows are copied (sessions cannot be freed meanwhile;
  // opening and closing sessions waits that long, the data path does not).
  std::vector<std::unique_lock<std::mutex>> locks;
  for (SessionDirectory* d : directories) locks.push_back(d->lock());
  std::vector<Ranked> ranked;
  for (SessionDirectory* d : directories) {
    d->forEachLocked([&](SessionCore& s) {
      ++t.live;
      const SessionStats& st = s.stats;
      uint64_t in = st.bytesIn.load(std::memory_order_relaxed), out = st.bytesOut.load(std::memory_order_relaxed);
      uint64_t since = s.tableNs ? s.tableNs : s.openedNs;
      uint64_t dt = t.monoNs > since ? t.monoNs - since : 0;
      uint64_t queued = st.sendQueue.load(std::memory_order_relaxed);
      uint64_t errors = st.errors.load(std::memory_order_relaxed);
      Ranked r{&s, 0, per_second(in - s.tableBytesIn, dt), per_second(out - s.tableBytesOut, dt), in, out, queued, errors};
      s.tableNs = t.monoNs;
      s.tableBytesIn = in;
      s.tableBytesOut = out;
      if (q.worker >= 0 && s.worker != q.worker) return;
      // Names are looked up once per session, here rather than on the accept path.
      if (!s.named) s.named = socket_names(s.handle, &s.local, &s.remote);
      if (!q.addressPrefix.empty() && s.remote.compare(0, q.addressPrefix.size(), q.addressPrefix) != 0) return;
      switch (q.key) {
        case SessionSortKey::BytesPerS: r.value = r.inPerS + r.outPerS; break;
        case SessionSortKey::SendQueue: r.value = double(queued); break;
        case SessionSortKey::Age: r.value = double(t.monoNs - s.openedNs); break;
        case SessionSortKey::Errors: r.value = double(errors); break;
      }
      t.bytesIn += in;
      t.bytesOut += out;
      t.sendQueue += queued;
      ranked.push_back(r);
    });
  }
  t.matched = ranked.size();
  size_t n = std::min(ranked.size(), size_t(std::max(1, std::min(q.limit, kMaxSessionRows))));
  std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end(), [](const Ranked& a, const Ranked& b) {
    return a.value != b.value ? a.value > b.value : a.s->id < b.s->id;
  });
  t.rows.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const SessionCore& s = *ranked[i].s;
    const SessionStats& st = s.stats;
    SessionRow r;
    r.id = s.id;
    r.worker = s.worker;
    r.local = s.local;
    r.remote = s.remote;
    r.ageNs = t.monoNs > s.openedNs ? t.monoNs - s.openedNs : 0;
    r.bytesIn = ranked[i].bytesIn;
    r.bytesOut = ranked[i].bytesOut;
    r.completions = st.completions.load(std::memory_order_relaxed);
    r.errors = ranked[i].errors;
    r.sendQueue = ranked[i].sendQueue;
    // Read after sendQueue: the peak only grows, so it is never below the queue shown.
    r.peakSendQueue = st.peakSendQueue.load(std::memory_order_relaxed);
    r.lastError = st.lastError.load(std::memory_order_relaxed);
    r.state = SessionState(st.state.load(std::memory_order_relaxed));
    r.bytesInPerS = ranked[i].inPerS;
    r.bytesOutPerS = ranked[i].outPerS;
    t.rows.push_back(std::move(r));
  }
  return t;
}

}  // namespace iocpm
