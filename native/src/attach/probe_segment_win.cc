// Windows probe segments: the named file mapping "Local\iocpm-<pid>" in this session. A mapping
// has no lock a reader could test, so liveness comes from the process itself: a handle opened
// with SYNCHRONIZE while the writer runs becomes signalled when it ends, however it ends, and
// holding it keeps the pid from being reused under us for as long as we are attached.
#include <windows.h>
#include <tlhelp32.h>

#include <algorithm>
#include <cstdio>

#include "probe_segment.h"

namespace iocpm {
namespace {

class WinSegment : public ProbeSegment {
 public:
  WinSegment(HANDLE mapping, const void* view, size_t size, HANDLE process)
      : mapping_(mapping), view_(view), size_(size), process_(process) {}
  ~WinSegment() override {
    UnmapViewOfFile(view_);
    CloseHandle(mapping_);
    if (process_) CloseHandle(process_);
  }
  const unsigned char* data() const override { return static_cast<const unsigned char*>(view_); }
  size_t size() const override { return size_; }

  bool writer_gone() override {
    // No handle: the process had already ended (or never existed) when we attached.
    if (!process_) return true;
    return WaitForSingleObject(process_, 0) == WAIT_OBJECT_0;
  }

 private:
  HANDLE mapping_;
  const void* view_;
  size_t size_;
  HANDLE process_;
};

void mapping_name(uint32_t pid, char (&out)[48]) { std::snprintf(out, sizeof out, "Local\\iocpm-%lu", static_cast<unsigned long>(pid)); }

SegmentFailure failure_from_last_error(const char* syscall) {
  SegmentFailure f;
  DWORD e = GetLastError();
  f.code = static_cast<int>(e);
  f.syscall = syscall;
  f.kind = (e == ERROR_FILE_NOT_FOUND) ? SegmentFailure::NotFound
           : (e == ERROR_ACCESS_DENIED) ? SegmentFailure::Permission
                                        : SegmentFailure::Os;
  return f;
}

}  // namespace

std::unique_ptr<ProbeSegment> open_probe_segment(uint32_t pid, SegmentFailure* failure) {
  char name[48];
  mapping_name(pid, name);
  // The process handle first: taken after the mapping, a writer that exits in between would be
  // indistinguishable from a new process that was given its pid.
  HANDLE process = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  HANDLE mapping = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
  if (!mapping) {
    *failure = failure_from_last_error("OpenFileMappingA");
    if (process) CloseHandle(process);
    return nullptr;
  }
  const void* view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
  if (!view) {
    *failure = failure_from_last_error("MapViewOfFile");
    CloseHandle(mapping);
    if (process) CloseHandle(process);
    return nullptr;
  }
  // A mapping has no file size; its view's region is the size rounded up to whole pages, which
  // is enough to know every byte the header promises is there.
  MEMORY_BASIC_INFORMATION mbi;
  size_t size = VirtualQuery(view, &mbi, sizeof mbi) == sizeof mbi ? mbi.RegionSize : 0;
  return std::make_unique<WinSegment>(mapping, view, size, process);
}

std::vector<uint32_t> list_probe_pids() {
  std::vector<uint32_t> pids;
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap == INVALID_HANDLE_VALUE) return pids;
  PROCESSENTRY32 pe;
  pe.dwSize = sizeof pe;
  for (BOOL ok = Process32First(snap, &pe); ok; ok = Process32Next(snap, &pe)) {
    char name[48];
    mapping_name(pe.th32ProcessID, name);
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    // Access denied still means a probe is there: list it, and the reader says why it cannot read.
    if (m || GetLastError() == ERROR_ACCESS_DENIED) pids.push_back(pe.th32ProcessID);
    if (m) CloseHandle(m);
  }
  CloseHandle(snap);
  std::sort(pids.begin(), pids.end());
  return pids;
}

}  // namespace iocpm
