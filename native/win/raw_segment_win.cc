// raw_segment.h on Windows: a named file mapping "Local\iocpm-<pid>", which exists while this
// object holds its handle.
#include <windows.h>

#include <cstdio>
#include <cstring>

#include "../tests/attach/raw_segment.h"

namespace tprobe {

uint32_t current_pid() { return static_cast<uint32_t>(GetCurrentProcessId()); }
bool segment_sizes_are_exact() { return false; }  // VirtualQuery sees whole pages

RawSegment::RawSegment(uint32_t pid, const void* bytes, size_t size) : pid_(pid) {
  char name[48];
  std::snprintf(name, sizeof name, "Local\\iocpm-%lu", static_cast<unsigned long>(pid));
  HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, static_cast<DWORD>(size), name);
  if (!m) return;
  void* view = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, size);
  if (!view) {
    CloseHandle(m);
    return;
  }
  std::memcpy(view, bytes, size);
  UnmapViewOfFile(view);
  handle_ = reinterpret_cast<std::intptr_t>(m);
  ok_ = true;
}

RawSegment::~RawSegment() {
  if (handle_) CloseHandle(reinterpret_cast<HANDLE>(handle_));
}

}  // namespace tprobe
