#include "provided_buffers.h"

#include <cstdlib>
#include <cstring>

namespace iocpm {

ProvidedBuffers::~ProvidedBuffers() {
  if (ring_) std::free(ring_);
}

bool ProvidedBuffers::setup(io_uring* ring, size_t bufSize, unsigned entries) {
  size_t ringBytes = entries * sizeof(io_uring_buf);
  void* mem = nullptr;
  if (posix_memalign(&mem, 4096, ringBytes) != 0) return false;
  std::memset(mem, 0, ringBytes);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(mem);
  reg.ring_entries = entries;
  reg.bgid = kGroup;
  if (io_uring_register_buf_ring(ring, &reg, 0) != 0) {
    std::free(mem);
    return false;
  }
  ring_ = static_cast<io_uring_buf_ring*>(mem);
  io_uring_buf_ring_init(ring_);
  bufSize_ = bufSize;
  entries_ = entries;
  bufs_.reset(new char[bufSize_ * entries_]);
  for (unsigned i = 0; i < entries_; ++i) {
    io_uring_buf_ring_add(ring_, bufs_.get() + i * bufSize_, static_cast<unsigned>(bufSize_), static_cast<unsigned short>(i),
                          io_uring_buf_ring_mask(entries_), static_cast<int>(i));
  }
  io_uring_buf_ring_advance(ring_, static_cast<int>(entries_));
  return true;
}

void ProvidedBuffers::recycle(unsigned bid) {
  io_uring_buf_ring_add(ring_, bufs_.get() + size_t(bid) * bufSize_, static_cast<unsigned>(bufSize_), static_cast<unsigned short>(bid),
                        io_uring_buf_ring_mask(entries_), 0);
  io_uring_buf_ring_advance(ring_, 1);
}

}  // namespace iocpm
