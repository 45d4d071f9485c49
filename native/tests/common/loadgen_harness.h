// Portable helpers for the load generator's conformance scenarios: configs, runs, and what the
// engine on the other end must have seen.
#pragma once
#include <doctest.h>

#include <cstdint>
#include <string>

#include "../../src/loadgen/loadgen.h"
#include "engine_harness.h"

namespace tnet {

// The platform's default backend with 2 workers: the generator's peer, not what is under test.
iocpm::EngineConfig peer_config();

// A load generator scenario's peer engine on peer_config() (TEST_CASE_FIXTURE): started, and
// stopped when the test case ends.
struct WithPeer {
  Server srv{peer_config()};
  WithPeer() { REQUIRE_STARTED(srv); }
};

// 20 connections of 128-byte messages for 600 ms.
iocpm::LoadConfig load_for(int port);
// A run that ends when `messages` have been sent (and echoed), however long that takes: Wine is
// slow, and much slower on a busy machine, so runs end on a count wherever timing is not tested.
iocpm::LoadConfig counted(int port, int64_t messages);

// Runs c on a fresh generator until it ends by itself; the start must succeed.
iocpm::LoadSnapshot run(const iocpm::LoadConfig& c);
// Starts an open-ended run and returns once every connection is up and echoes flow (mid-run).
void start_until_flowing(iocpm::LoadGenerator& lg, const iocpm::LoadConfig& c);

// Every echo came back intact: nothing lost, added or changed.
void check_verified(const iocpm::LoadSnapshot& r, int messageSize);
// "ECONNRESETx3 …" or "none": the generator's errors by native name.
std::string errors_of(const iocpm::LoadSnapshot& s);

// What the generator counted as sent is exactly what the server read. The server may still be
// taking connections from its backlog when the generator is done (sessions == 0 proves nothing
// then), so this waits for the bytes themselves, then for every session to end.
void check_received(const Server& srv, uint64_t bytesSent);
// The server has accepted at least `accepts` connections in all and closed every one.
bool settled(const Server& srv, uint64_t accepts);

}  // namespace tnet
