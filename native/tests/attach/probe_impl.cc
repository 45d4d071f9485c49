// The real probe, compiled into the test program exactly as a third-party server compiles it, so
// the reader's tests read segments the shipped writer made.
#define IOCPM_PROBE_IMPLEMENTATION
#include "../../probe/iocpm_probe.h"
