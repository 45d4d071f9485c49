#include <winsock2.h>
#include <windows.h>
#include <tlhelp32.h>

#include <vector>

#include "../../core/process_resources.h"

namespace iocpm {
namespace {

int thread_count() {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snap == INVALID_HANDLE_VALUE) return -1;
  THREADENTRY32 te;
  te.dwSize = sizeof(te);
  int n = 0;
  DWORD me = GetCurrentProcessId();
  if (Thread32First(snap, &te)) {
    do {
      if (te.th32OwnerProcessID == me) ++n;
      te.dwSize = sizeof(te);
    } while (Thread32Next(snap, &te));
  }
  CloseHandle(snap);
  return n;
}

// GetProcessHandleCount is a stub under Wine (always 0); the system handle table
// (NtQuerySystemInformation, SystemExtendedHandleInformation = 64) is real on Windows and Wine.
int handle_count() {
  typedef LONG(NTAPI * QueryFn)(ULONG infoClass, void* info, ULONG length, ULONG* returned);
  struct Entry {
    void* object;
    ULONG_PTR pid;
    ULONG_PTR handle;
    ULONG access;
    USHORT creatorBackTraceIndex, objectTypeIndex;
    ULONG attributes, reserved;
  };
  struct Table {
    ULONG_PTR count;
    ULONG_PTR reserved;
    Entry entries[1];
  };
  auto query = reinterpret_cast<QueryFn>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation")));
  if (!query) return -1;
  std::vector<char> buf(1 << 20);
  ULONG len = 0;
  LONG status;
  const LONG kInfoLengthMismatch = static_cast<LONG>(0xC0000004);
  while ((status = query(64, buf.data(), static_cast<ULONG>(buf.size()), &len)) == kInfoLengthMismatch) {
    buf.resize(buf.size() * 2);
  }
  if (status != 0) return -1;
  const Table* t = reinterpret_cast<const Table*>(buf.data());
  ULONG_PTR me = GetCurrentProcessId();
  int n = 0;
  for (ULONG_PTR i = 0; i < t->count; ++i) {
    if (t->entries[i].pid == me) ++n;
  }
  return n;
}

}  // namespace

ProcessResources process_resources() {
  ProcessResources r;
  r.threads = thread_count();
  r.handles = handle_count();
  return r;
}

}  // namespace iocpm
