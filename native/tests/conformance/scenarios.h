// Conformance scenarios that a platform's own tests run again in options only that platform has
// (the IOCP dequeue call): the same scenario, not a copy of it.
#pragma once
#include "../../src/core/config.h"

namespace tnet {

// Twenty clients echo messages of varying sizes: byte-exact, counters exactly what they moved,
// every worker did work, idle after stop. cfg is started on its own port.
void echo_is_byte_exact(const iocpm::EngineConfig& cfg);

}  // namespace tnet
