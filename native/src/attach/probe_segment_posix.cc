// Linux probe segments: shm_open("/iocpm-<pid>") is the file /dev/shm/iocpm-<pid>. The writer
// holds flock(LOCK_EX) on it for its whole life and the kernel drops that lock when the process
// ends however it ends, so "can I take a shared lock?" answers "is the writer gone?" — robust to
// SIGKILL and to the pid being reused by an unrelated process.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "probe_segment.h"

namespace iocpm {
namespace {

class PosixSegment : public ProbeSegment {
 public:
  PosixSegment(int fd, void* mem, size_t size) : fd_(fd), mem_(mem), size_(size) {}
  ~PosixSegment() override {
    if (mem_) munmap(mem_, size_);
    close(fd_);
  }
  const unsigned char* data() const override { return static_cast<const unsigned char*>(mem_); }
  size_t size() const override { return size_; }

  bool writer_gone() override {
    if (gone_) return true;
    // A shared lock is refused while the writer's exclusive one is held. Taking it for a moment
    // does not disturb another reader (shared locks coexist); release it at once so a reader
    // never holds anything a writer could wait on.
    if (flock(fd_, LOCK_SH | LOCK_NB) == 0) {
      flock(fd_, LOCK_UN);
      gone_ = true;  // a dead writer stays dead: later calls cost nothing
    }
    return gone_;
  }

 private:
  int fd_;
  void* mem_;
  size_t size_;
  bool gone_ = false;
};

SegmentFailure failure_from_errno(const char* syscall) {
  SegmentFailure f;
  f.code = errno;
  f.syscall = syscall;
  f.kind = (errno == ENOENT) ? SegmentFailure::NotFound
           : (errno == EACCES || errno == EPERM) ? SegmentFailure::Permission
                                                 : SegmentFailure::Os;
  return f;
}

// "iocpm-<digits>" with a value that fits a pid field (u32); anything else is not ours.
bool parse_segment_name(const char* s, uint32_t* pid) {
  static const char kPrefix[] = "iocpm-";
  if (std::strncmp(s, kPrefix, sizeof kPrefix - 1) != 0) return false;
  s += sizeof kPrefix - 1;
  if (!*s || std::strlen(s) > 10) return false;
  uint64_t v = 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
    v = v * 10 + uint64_t(*s - '0');
  }
  if (v == 0 || v > 0xffffffffull) return false;
  *pid = uint32_t(v);
  return true;
}

}  // namespace

std::unique_ptr<ProbeSegment> open_probe_segment(uint32_t pid, SegmentFailure* failure) {
  char name[32];
  std::snprintf(name, sizeof name, "/iocpm-%u", unsigned(pid));
  int fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    *failure = failure_from_errno("shm_open");
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *failure = failure_from_errno("fstat");
    close(fd);
    return nullptr;
  }
  size_t size = size_t(st.st_size);
  void* mem = nullptr;
  // An empty file cannot be mapped; it is still a segment (the reader calls it truncated).
  if (size > 0) {
    mem = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) {
      *failure = failure_from_errno("mmap");
      close(fd);
      return nullptr;
    }
  }
  return std::make_unique<PosixSegment>(fd, mem, size);
}

std::vector<uint32_t> list_probe_pids() {
  std::vector<uint32_t> pids;
  DIR* d = opendir("/dev/shm");
  if (!d) return pids;
  while (dirent* e = readdir(d)) {
    uint32_t pid;
    if (parse_segment_name(e->d_name, &pid)) pids.push_back(pid);
  }
  closedir(d);
  std::sort(pids.begin(), pids.end());
  return pids;
}

}  // namespace iocpm
