// Serve mode: start the engine, print `listening HOST:PORT`, then one JSON snapshot per second;
// stop cleanly on stdin EOF (the parent closed our stdin) or Ctrl-C/Ctrl-Break/console close,
// print a final snapshot and exit 0.
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include "serve.h"

#include <winsock2.h>
#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "../src/core/engine.h"
#include "snapshot_json.h"

namespace wt {
namespace {

HANDLE g_stop = nullptr;  // manual-reset event: "stop requested"
HANDLE g_done = nullptr;  // set after the engine stopped and stdout was flushed

BOOL WINAPI on_console_event(DWORD type) {
  switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
      SetEvent(g_stop);
      return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      // The process is terminated as soon as this handler returns: hold it until main is done.
      SetEvent(g_stop);
      WaitForSingleObject(g_done, 5000);
      return TRUE;
  }
  return FALSE;
}

// Blocks in ReadFile on stdin and requests a stop at EOF or on a read error. Detached: a blocking
// pipe/console read cannot be interrupted portably, and this thread holds no engine state (every
// engine thread is joined by Engine::stop()).
void watch_stdin() {
  std::thread([] {
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    char buf[256];
    DWORD got = 0;
    while (in && in != INVALID_HANDLE_VALUE && ReadFile(in, buf, sizeof(buf), &got, nullptr) && got > 0) {
    }
    SetEvent(g_stop);
  }).detach();
}

void emit(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

int usage(const char* why) {
  std::fprintf(stderr,
               "%s\nusage: iocp-tests.exe --serve --port P [--workers N] [--host H] [--layout per-worker|shared]\n"
               "                      [--dequeue batch|single] [--workload echo|discard|chat]\n",
               why);
  return 2;
}

}  // namespace

int run_serve(int argc, char** argv) {
  // Binary stdout: text mode would turn each "\n" into "\r\n" for the Linux-side reader.
  _setmode(_fileno(stdout), _O_BINARY);
  iocpm::EngineConfig cfg;
  cfg.backend = iocpm::BackendKind::Iocp;
  std::string layout, dequeue;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--serve") continue;
    if (i + 1 >= argc) return usage(("missing value for " + a).c_str());
    const char* v = argv[++i];
    if (a == "--port") cfg.port = std::atoi(v);
    else if (a == "--workers") cfg.workers = std::atoi(v);
    else if (a == "--host") cfg.host = v;
    else if (a == "--layout") layout = v;
    else if (a == "--dequeue") dequeue = v;
    else if (a == "--workload") {
      if (!iocpm::parse_workload(v, &cfg.workload)) return usage(("unknown workload " + std::string(v)).c_str());
    } else {
      return usage(("unknown option " + a).c_str());
    }
  }
  // The IOCP factory reads its options from the environment (as the addon's would).
  if (!layout.empty()) _putenv(("IOCPM_IOCP_LAYOUT=" + layout).c_str());
  if (!dequeue.empty()) _putenv(("IOCPM_IOCP_DEQUEUE=" + dequeue).c_str());

  g_stop = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  g_done = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  iocpm::Engine engine;
  iocpm::StartResult r = engine.start(cfg);
  if (r.kind != iocpm::StartResult::Ok) {
    std::fprintf(stderr, "start failed: %s%s%s\n", r.text.c_str(), r.configError ? " field=" : "",
                 r.configError ? r.configError.field.c_str() : "");
    return 1;
  }
  std::string features;
  for (const auto& f : r.info.features) features += (features.empty() ? "" : ",") + f;
  std::fprintf(stderr, "backend %s features %s\n", r.info.name.c_str(), features.c_str());
  // Handlers first, then the listening line: a driver may send Ctrl-C the moment it reads it,
  // and before the handler is installed Ctrl-C would end the process without a final snapshot.
  SetConsoleCtrlHandler(on_console_event, TRUE);
  watch_stdin();
  emit("listening " + cfg.host + ":" + std::to_string(cfg.port));
  while (WaitForSingleObject(g_stop, 1000) == WAIT_TIMEOUT) emit(snapshot_json(engine.snapshot()));
  engine.stop();
  emit(snapshot_json(engine.snapshot()));
  SetEvent(g_done);
  return 0;
}

}  // namespace wt
