// Made-up but valid MetricsTicks (every field in range, the total computed as the sampler does),
// for tests that need ticks without running the engine: recordings, replays, size limits.
import type { MetricsTick, WorkerSample } from '../../../src-shared/metrics'
import { totalSample } from '../../../src-main/service/sampler'

export function sample(worker: number, k: number): WorkerSample {
  return {
    worker,
    queueDepth: k % 3,
    inflight: 2,
    completionsTotal: 10 * k,
    bytesInTotal: 1000 * k + worker,
    bytesOutTotal: 1000 * k,
    errorsTotal: 0,
    sessions: 1,
    completionsPerS: 100 / 3,
    bytesInPerS: 1e4 / 7,
    bytesOutPerS: 1e4 / 7,
    errorsPerS: 0,
    busy: 0.125,
  }
}

export function synthTick(seq: number, t: number, workers = 2): MetricsTick {
  const ws = Array.from({ length: workers }, (_, i) => sample(i, seq))
  return { t, seq, workers: ws, total: totalSample(ws), errors: [{ code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: seq, perS: 0.5 }] }
}
