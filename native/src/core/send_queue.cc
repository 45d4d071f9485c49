#include "send_queue.h"

#include <algorithm>
#include <cstring>

namespace iocpm {

bool SendQueue::append(const char* p, size_t n) {
  if (n == 0) return true;
  bytes_ += n;
  if (!chunks_.empty()) {
    Chunk& back = chunks_.back();
    size_t room = back.cap - back.end;
    size_t take = std::min(room, n);
    std::memcpy(back.data.get() + back.end, p, take);
    back.end += take;
    p += take;
    n -= take;
  }
  if (n > 0) {
    Chunk c;
    c.cap = std::max(kChunk, n);
    c.data.reset(new char[c.cap]);
    std::memcpy(c.data.get(), p, n);
    c.end = n;
    chunks_.push_back(std::move(c));
  }
  return true;
}

const char* SendQueue::front(size_t* len) const {
  if (chunks_.empty()) {
    *len = 0;
    return nullptr;
  }
  const Chunk& f = chunks_.front();
  *len = f.end - f.begin;
  return f.data.get() + f.begin;
}

void SendQueue::consume(size_t n) {
  bytes_ -= n;
  while (n > 0 && !chunks_.empty()) {
    Chunk& f = chunks_.front();
    size_t take = std::min(n, f.end - f.begin);
    f.begin += take;
    n -= take;
    if (f.begin == f.end) {
      // Keep the last chunk allocated (reset) to avoid reallocating on every message.
      if (chunks_.size() == 1) {
        f.begin = f.end = 0;
        break;
      }
      chunks_.erase(chunks_.begin());
    }
  }
}

}  // namespace iocpm
