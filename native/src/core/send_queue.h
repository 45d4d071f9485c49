// Bytes waiting to be sent on one session. One send is outstanding at a time and the kernel holds
// a pointer into the front chunk until it completes, so chunks never move or reallocate once
// written (appending into the unused tail of a chunk is safe). Bounded: push() refuses data that
// would exceed the limit, which is how a slow reader is kept from growing memory without bound.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

namespace iocpm {

class SendQueue {
 public:
  explicit SendQueue(size_t limit) : limit_(limit) {}
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  // Appends n bytes; returns false (and appends nothing) when the limit would be exceeded.
  bool push(const char* p, size_t n) { return bytes_ + n <= limit_ ? append(p, n) : false; }
  // Appends past the limit. Only for data the kernel had already received before a back-pressure
  // pause took effect (bounded by the receive buffers in flight), which must not be dropped.
  void pushPastLimit(const char* p, size_t n) { append(p, n); }
  // The contiguous bytes at the front (nullptr/0 when empty).
  const char* front(size_t* len) const;
  // Drops n bytes from the front after they were sent.
  void consume(size_t n);
  size_t bytes() const { return bytes_; }
  bool empty() const { return bytes_ == 0; }
  size_t limit() const { return limit_; }

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t cap = 0;
    size_t begin = 0;  // first unsent byte
    size_t end = 0;    // one past the last written byte
  };
  bool append(const char* p, size_t n);
  static constexpr size_t kChunk = 64 * 1024;
  // A vector, not a deque: an empty std::deque allocates ~600 B up front, which every idle
  // session paid; an empty vector allocates nothing. Chunks are few (limit / kChunk at most), so
  // erasing the front is cheap, and moving a Chunk never moves the bytes the kernel points at.
  std::vector<Chunk> chunks_;
  size_t bytes_ = 0;
  size_t limit_;
};

}  // namespace iocpm
