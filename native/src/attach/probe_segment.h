// The platform half of attaching to a probe (native/probe/iocpm_probe.h): find the segments that
// exist, map one read-only, and tell whether the process that wrote it is still alive. One
// implementation per platform — probe_segment_posix.cc (/dev/shm + flock) and probe_segment_win.cc
// (named file mappings + a process handle) — picked by native/sources.json; probe_reader.cc, the
// portable half, validates and reads what is mapped.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace iocpm {

// Why a segment could not be opened. `code` is errno / GetLastError(), named later by the error
// catalog (translate_native_error), so the platform files never build messages themselves.
struct SegmentFailure {
  enum Kind { None, NotFound, Permission, Os } kind = None;
  int code = 0;
  const char* syscall = "";
};

// One probe's shared memory, mapped read-only for as long as this object lives: a reader keeps
// it after the writer exits, so the final counters stay readable.
class ProbeSegment {
 public:
  virtual ~ProbeSegment() = default;
  // The mapped bytes; size() may be below a header's size (a truncated segment): the reader
  // checks before it reads. data() is null when size() is 0.
  virtual const unsigned char* data() const = 0;
  virtual size_t size() const = 0;
  // True once the writing process has ended, even if it died without iocpm_probe_close.
  virtual bool writer_gone() = 0;
};

// nullptr with *failure set when no segment of that pid can be mapped.
std::unique_ptr<ProbeSegment> open_probe_segment(uint32_t pid, SegmentFailure* failure);

// The pids that have a segment now (living or left behind by a process that died), ascending.
std::vector<uint32_t> list_probe_pids();

}  // namespace iocpm
