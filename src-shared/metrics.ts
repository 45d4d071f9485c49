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
