// `iocp-tests.exe --serve …`: runs the engine as a standalone server for drivers outside Wine.
#pragma once

namespace wt {

// Returns the process exit code. Prints usage and returns 2 on bad arguments.
int run_serve(int argc, char** argv);

}  // namespace wt
