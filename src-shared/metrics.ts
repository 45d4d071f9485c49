// Samples derived by the main-process sampler from consecutive engine snapshots.
import type { ErrorCount } from './engine-snapshot'

export interface WorkerSample {
  /** Worker index, or 'all' for the sum over workers. */
  worker: number | 'all'
  queueDepth: number
  inflight: number
  completionsTotal: number
  bytesInTotal: number
  bytesOutTotal: number
  errorsTotal: number
  sessions: number
  completionsPerS: number
  bytesInPerS: number
  bytesOutPerS: number
  errorsPerS: number
  /** Share of wall time the worker spent handling completions, 0..1. */
  busy: number
}

export interface MetricsTick {
  /** Wall-clock time of the sample, epoch milliseconds. */
  t: number
  seq: number
  workers: WorkerSample[]
  total: WorkerSample
  /** Cumulative error counts (all workers merged), with per-second rate. */
  errors: (ErrorCount & { perS: number })[]
}

/** A sample with every number 0: a worker (or the total) before anything has happened. */
export function zeroSample(worker: number | 'all'): WorkerSample {
  return {
    worker,
    queueDepth: 0,
    inflight: 0,
    completionsTotal: 0,
    bytesInTotal: 0,
    bytesOutTotal: 0,
    errorsTotal: 0,
    sessions: 0,
    completionsPerS: 0,
    bytesInPerS: 0,
    bytesOutPerS: 0,
    errorsPerS: 0,
    busy: 0,
  }
}
