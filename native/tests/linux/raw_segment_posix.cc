// raw_segment.h on Linux: the segment is the file /dev/shm/iocpm-<pid>, written like any file.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>

#include "../attach/raw_segment.h"

namespace tprobe {

uint32_t current_pid() { return static_cast<uint32_t>(::getpid()); }
bool segment_sizes_are_exact() { return true; }  // fstat gives the file's exact size

RawSegment::RawSegment(uint32_t pid, const void* bytes, size_t size) : pid_(pid) {
  char name[32];
  std::snprintf(name, sizeof name, "/iocpm-%u", unsigned(pid));
  ::shm_unlink(name);
  int fd = ::shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ok_ = ::write(fd, bytes, size) == static_cast<ssize_t>(size);
  ::close(fd);
}

RawSegment::~RawSegment() {
  char name[32];
  std::snprintf(name, sizeof name, "/iocpm-%u", unsigned(pid_));
  ::shm_unlink(name);
}

}  // namespace tprobe
