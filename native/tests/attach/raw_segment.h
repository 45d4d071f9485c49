// What the probe reader's tests need from the platform: this process's pid, and a segment with
// bytes of our choosing under a probe's name, to show how the reader refuses bad ones. One
// implementation per platform: ../linux/raw_segment_posix.cc (a file in /dev/shm) and
// ../../win/raw_segment_win.cc (a named file mapping, which lives while this object holds it).
#pragma once
#include <cstddef>
#include <cstdint>

namespace tprobe {

uint32_t current_pid();
// False on Windows: a mapping's size is seen in whole pages, so a short segment reads as longer.
bool segment_sizes_are_exact();

class RawSegment {
 public:
  // Writes `size` bytes as the probe segment of `pid` (replacing any left by an earlier run).
  RawSegment(uint32_t pid, const void* bytes, size_t size);
  ~RawSegment();  // removes it
  RawSegment(const RawSegment&) = delete;
  RawSegment& operator=(const RawSegment&) = delete;
  bool ok() const { return ok_; }

 private:
  uint32_t pid_;
  std::intptr_t handle_ = 0;  // the mapping's HANDLE on Windows; unused on Linux
  bool ok_ = false;
};

}  // namespace tprobe
