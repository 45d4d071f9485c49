// seed-echo-server — the IOCP echo server of an IOCP study note, instrumented with the IOCP
// Monitor probe so `iocp-monitor attach --name seed-echo` can watch it.
//
//   seed-echo-server.exe [--port P] [--workers N] [--name NAME] [--seconds N]
//
// Listens on 127.0.0.1:P (default 7000; 0 = any free port) and prints `listening 127.0.0.1:PORT`.
// Stops cleanly (sessions closed, workers joined, probe closed, exit code 0) on any of:
//   - Ctrl+C / Ctrl+Break / console close (SetConsoleCtrlHandler);
//   - a line "quit" on stdin (end of input alone does not stop it: stdin may be /dev/null);
//   - --seconds N elapsed.
// Under Wine, a test can rely on the last two; see README.md for what Ctrl+C does there.
#define IOCPM_PROBE_IMPLEMENTATION  // the probe's code lives in this file
#include "iocp_echo_server.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {

HANDLE g_stopEvent = nullptr;  // set by any stop request; main() waits on it

BOOL WINAPI OnConsoleCtrl(DWORD type) {
  if (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT || type == CTRL_CLOSE_EVENT) {
    SetEvent(g_stopEvent);
    return TRUE;
  }
  return FALSE;
}

struct Options {
  unsigned port = 7000;
  unsigned workers = 2;
  std::string name = "seed-echo";
  unsigned seconds = 0;  // 0 = until told to stop
};

void Usage(FILE *to) {
  std::fprintf(to, "usage: seed-echo-server [--port P (7000; 0 = any)] [--workers N (2)] [--name NAME (seed-echo)] [--seconds N]\n");
}

bool ParseUint(const char *text, unsigned long max, unsigned *out) {
  char *end = nullptr;
  unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end || v > max || text[0] == '-') return false;
  *out = static_cast<unsigned>(v);
  return true;
}

bool ParseOptions(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; i++) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      Usage(stdout);
      std::exit(0);
    }
    const char *value = i + 1 < argc ? argv[++i] : nullptr;
    bool ok = value != nullptr;
    if (ok && flag == "--port") ok = ParseUint(value, 65535, &o.port);
    else if (ok && flag == "--workers") ok = ParseUint(value, IOCPM_PROBE_MAX_WORKERS, &o.workers) && o.workers > 0;
    else if (ok && flag == "--seconds") ok = ParseUint(value, 86400, &o.seconds);
    else if (ok && flag == "--name") o.name = value;
    else ok = false;
    if (!ok) {
      std::fprintf(stderr, "seed-echo-server: bad or missing value for %s\n", flag.c_str());
      Usage(stderr);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  Options opt;
  if (!ParseOptions(argc, argv, opt)) return 2;

  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
    std::fprintf(stderr, "seed-echo-server: WSAStartup failed\n");
    return 1;
  }
  g_stopEvent = CreateEventA(nullptr, TRUE, FALSE, nullptr);
  SetConsoleCtrlHandler(OnConsoleCtrl, TRUE);

  iocpm_probe *probe = iocpm_probe_open(opt.name.c_str(), opt.workers);  // PROBE: Local\iocpm-<pid>
  if (!probe) std::fprintf(stderr, "seed-echo-server: probe not opened (%lu); serving without it\n", GetLastError());

  int status = 0;
  {
    IocpEchoServer server(opt.workers, probe);
    unsigned port = server.Start(opt.port);
    if (port == 0) {
      status = 1;
    } else {
      iocpm_probe_set_port(probe, port);  // PROBE
      std::printf("listening 127.0.0.1:%u\n", port);
      std::fflush(stdout);  // under Wine stdout is a file: without this the line may never show

      // "quit" on stdin. The thread is detached, not joined: it may stay blocked in a read that
      // nothing can interrupt portably, and process exit ends it.
      std::thread([] {
        std::string line;
        while (std::getline(std::cin, line)) {
          if (line == "quit" || line == "quit\r") {
            SetEvent(g_stopEvent);
            return;
          }
        }
      }).detach();

      WaitForSingleObject(g_stopEvent, opt.seconds ? opt.seconds * 1000 : INFINITE);
      std::fprintf(stderr, "seed-echo-server: stopping\n");
      server.Stop();
    }
  }
  iocpm_probe_close(probe);  // PROBE: the monitor sees the process exit
  WSACleanup();
  std::fprintf(stderr, "seed-echo-server: stopped\n");
  return status;
}
