// The Windows load generator's addressing and start checks, apart from its I/O loop
// (loadgen_win.cc): the target is resolved, tested for loopback and tried once before any
// generator thread starts, so a bad host or a closed port is one clear start error.
#pragma once
#include "winsock.h"

#include "../../loadgen/loadgen.h"

namespace iocpm {
namespace winload {

// An overlapped, non-inheritable TCP socket of `family`.
SOCKET new_socket(int family);
bool is_loopback(const sockaddr_storage& a);
// Windows answers a refused SYN by retrying it for ~2 s, even on loopback; with no SYN
// retransmissions a refused loopback connect fails at once, as it does on Linux (libuv does the
// same). Loopback only: a real network may lose a SYN. Best effort: older systems and Wine lack it.
void no_syn_retransmissions(SOCKET s);

// cfg.host and cfg.port as a socket address (name-not-resolved naming the host on failure).
LoadError resolve(const LoadConfig& cfg, sockaddr_storage* out, int* len);
// One connect (2 s timeout) before anything starts: a refused port or an unreachable host is
// reported as a start error naming the field, not as 20,000 connect errors.
LoadError preflight(const LoadConfig& cfg, const sockaddr_storage& a, int len, bool loopback);
LoadError load_connectex(int family, LPFN_CONNECTEX* out);
// "<what> failed: <portable> (<native>)" for a failed call during start.
LoadError socket_error(const char* what, int err);

}  // namespace winload
}  // namespace iocpm
