#include <dirent.h>

#include "../../core/process_resources.h"

namespace iocpm {
namespace {

// Entries of a /proc directory, without "." and ".."; -1 if it cannot be opened.
int count_entries(const char* path, bool minus_own_fd) {
  DIR* d = opendir(path);
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  // Listing /proc/self/fd opens one descriptor for the listing itself.
  return minus_own_fd ? n - 1 : n;
}

}  // namespace

ProcessResources process_resources() {
  ProcessResources r;
  r.threads = count_entries("/proc/self/task", false);
  r.handles = count_entries("/proc/self/fd", true);
  return r;
}

}  // namespace iocpm
