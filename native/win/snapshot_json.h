// EngineSnapshot as one JSON line, with the field names of the addon's snapshot()
// (src-shared/engine-snapshot.ts), so tools read the Windows serve mode like the addon.
#pragma once
#include <string>

#include "../src/core/engine.h"

namespace wt {

std::string snapshot_json(const iocpm::EngineSnapshot& s);

}  // namespace wt
