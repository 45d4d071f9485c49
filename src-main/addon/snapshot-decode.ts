// Decodes the addon's packed snapshot (see EngineWrap::SnapshotPacked in native/src/addon/
// binding.cc) into the EngineSnapshot shape. The sampler calls this up to 100 times a second for
// up to 64 workers, so the native side hands over one Float64Array instead of building objects.
import type { EngineSnapshot, ErrorCount, WorkerCounters } from '../../src-shared/engine-snapshot'

export interface PackedSnapshot {
  monoNs: number
  running: boolean
  /** 12 numbers per worker, in the order of PACKED_FIELDS. */
  counters: Float64Array
  errors: (ErrorCount & { worker: number })[]
}

export const PACKED_FIELDS = ['worker', 'queueDepth', 'inflightAccept', 'inflightRecv', 'inflightSend', 'completions', 'accepts', 'closes', 'sessions', 'bytesIn', 'bytesOut', 'busyNs'] as const
const N = PACKED_FIELDS.length

export function decodeSnapshot(p: PackedSnapshot): EngineSnapshot {
  const d = p.counters
  const workers: WorkerCounters[] = []
  for (let o = 0; o < d.length; o += N) {
    workers.push({
      worker: d[o],
      queueDepth: d[o + 1],
      inflight: { accept: d[o + 2], recv: d[o + 3], send: d[o + 4] },
      completions: d[o + 5],
      accepts: d[o + 6],
      closes: d[o + 7],
      sessions: d[o + 8],
      bytesIn: d[o + 9],
      bytesOut: d[o + 10],
      busyNs: d[o + 11],
      errors: [],
    })
  }
  for (const e of p.errors) workers[e.worker]?.errors.push({ code: e.code, nativeName: e.nativeName, name: e.name, count: e.count })
  return { monoNs: p.monoNs, running: p.running, workers }
}

/** The engine's snapshot through the packed fast path (falls back for engines without it). */
export function readSnapshot(engine: { snapshot(): EngineSnapshot; snapshotPacked?: () => PackedSnapshot }): EngineSnapshot {
  return engine.snapshotPacked ? decodeSnapshot(engine.snapshotPacked()) : engine.snapshot()
}
