// Provided buffers for multishot receives: the kernel picks a buffer from this ring when data
// arrives, so idle sessions hold no receive memory (10,000 sessions share kEntries buffers per
// worker). A buffer goes back to the ring as soon as the completion that carried it is handled.
#pragma once
#include <liburing.h>

#include <cstddef>
#include <memory>

namespace iocpm {

class ProvidedBuffers {
 public:
  static constexpr unsigned kGroup = 1;     // the buffer group id the receives select from
  static constexpr unsigned kEntries = 256;  // per engine worker (the default of setup)

  ProvidedBuffers() = default;
  ProvidedBuffers(const ProvidedBuffers&) = delete;
  ProvidedBuffers& operator=(const ProvidedBuffers&) = delete;
  // The ring must be unregistered first (io_uring_queue_exit does it).
  ~ProvidedBuffers();

  // Registers `entries` (a power of two) buffers of bufSize bytes with `ring`. False when the
  // kernel refuses (an engine worker then gives each session its own buffer and uses single-shot
  // receives).
  bool setup(io_uring* ring, size_t bufSize, unsigned entries = kEntries);
  bool active() const { return ring_ != nullptr; }
  const char* data(unsigned bid) const { return bufs_.get() + size_t(bid) * bufSize_; }
  void recycle(unsigned bid);

 private:
  io_uring_buf_ring* ring_ = nullptr;
  std::unique_ptr<char[]> bufs_;
  size_t bufSize_ = 0;
  unsigned entries_ = 0;
};

}  // namespace iocpm
