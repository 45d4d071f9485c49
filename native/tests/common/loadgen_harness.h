// Portable helpers for the load generator's conformance scenarios: configs, runs, and what the
// engine on the other end must have seen.
#pragma once
#include <doctest.h>

#include <cstdint>
#include <string>

#include "../../src/loadgen/loadgen.h"
#include "backends.h"
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

// 20 connections of 128-byte messages for 600 ms, driven by the socket layer `io`.
iocpm::LoadConfig load_for(int port, iocpm::GenIo io = iocpm::GenIo::Auto);
// A run that ends when `messages` have been sent (and echoed), however long that takes: Wine is
// slow, and much slower on a busy machine, so runs end on a count wherever timing is not tested.
iocpm::LoadConfig counted(int port, int64_t messages, iocpm::GenIo io = iocpm::GenIo::Auto);

// Runs c on a fresh generator until it ends by itself; the start must succeed, and a socket layer
// asked for by name must be the one that ran (no silent fallback).
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

// Runs the rest of the test case once per generator socket layer of this platform (one SUBCASE
// each: nothing else in the test case may be a SUBCASE), with var the layer; failures name it.
#define FOR_EACH_GENERATOR_IO(var)                                           \
  iocpm::GenIo var = iocpm::GenIo::Auto;                                     \
  for (iocpm::GenIo each_io_ : tnet::generator_ios()) {                      \
    SUBCASE(iocpm::gen_io_name(each_io_)) { var = each_io_; }                \
  }                                                                          \
  INFO("generator io: " << iocpm::gen_io_name(var))
