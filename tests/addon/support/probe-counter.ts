// What tests/addon/support/probe-counter.c publishes, as a probe reader must report it (shared by
// the Linux addon test and the Windows Node test). Each suite compiles the helper itself: gcc in
// tests/addon/probe.test.ts, mingw-w64 in tests/windows/run-windows-node-tests.mjs.

/** Per worker w (0..2), in the packed snapshot's field names. */
export function probeCounterWorker(w: number) {
  return {
    worker: w,
    queueDepth: w,
    inflightAccept: 0,
    inflightRecv: 2, // the probe's one in-flight gauge, reported as receives
    inflightSend: 0,
    completions: (w + 1) * 15,
    accepts: 4,
    closes: 1,
    sessions: 3,
    bytesIn: (w + 1) * 1000,
    bytesOut: (w + 1) * 1000,
    busyNs: (w + 1) * 1_000_000,
  }
}

export const PROBE_COUNTER = { workers: 3, port: 4321, badWorkerCalls: 1, resetCount: 3 }
