// What this process holds right now, so tests can prove that stop() joined every thread and
// closed every socket, port and event. One implementation file per platform (the build picks it):
// Linux counts /proc/self/task and /proc/self/fd; Windows counts Toolhelp32 threads and the
// system handle table's entries for this process.
#pragma once

namespace iocpm {

struct ProcessResources {
  int threads = -1;  // -1: could not be read
  int handles = -1;  // Linux: open descriptors; Windows: kernel handles
};

ProcessResources process_resources();

}  // namespace iocpm
