// Rates from synthetic snapshots: the engine's monotonic clock, not the timer, sets the interval.
import { describe, expect, it } from 'vitest'
import type { EngineSnapshot, WorkerCounters } from '../../src-shared/engine-snapshot'
import type { MetricsTick } from '../../src-shared/metrics'
import { computeTick, Sampler, SAMPLE_HZ } from '../../src-main/service/sampler'

function worker(i: number, c: Partial<WorkerCounters> = {}): WorkerCounters {
  return {
    worker: i,
    queueDepth: 0,
    inflight: { accept: 1, recv: 0, send: 0 },
    completions: 0,
    accepts: 0,
    closes: 0,
    sessions: 0,
    bytesIn: 0,
    bytesOut: 0,
    busyNs: 0,
    errors: [],
    ...c,
  }
}

const snap = (monoNs: number, workers: WorkerCounters[]): EngineSnapshot => ({ monoNs, running: true, workers })
const SEC = 1e9

describe('computeTick', () => {
  it('the first sample of a run has totals and zero rates', () => {
    const t = computeTick(null, snap(5 * SEC, [worker(0, { bytesIn: 100, completions: 3, busyNs: 50 })]), 1000, 0)
    expect(t.workers[0]).toMatchObject({ worker: 0, bytesInTotal: 100, completionsTotal: 3, bytesInPerS: 0, completionsPerS: 0, busy: 0 })
    expect(t.total.worker).toBe('all')
    expect(t).toMatchObject({ t: 1000, seq: 0 })
  })

  it('rates are deltas over the engine clock, per worker and summed for all', () => {
    const a = snap(10 * SEC, [worker(0, { bytesIn: 1000, bytesOut: 500, completions: 10, busyNs: 0.1 * SEC }), worker(1, { bytesIn: 0, completions: 0 })])
    const b = snap(10.5 * SEC, [
      worker(0, { bytesIn: 3000, bytesOut: 1500, completions: 60, busyNs: 0.35 * SEC, queueDepth: 4, sessions: 2, inflight: { accept: 1, recv: 2, send: 1 } }),
      worker(1, { bytesIn: 500, completions: 5, busyNs: 0.05 * SEC, queueDepth: 1, sessions: 1 }),
    ])
    const t = computeTick(a, b, 2000, 7)
    expect(t.workers[0]).toMatchObject({ bytesInPerS: 4000, bytesOutPerS: 2000, completionsPerS: 100, busy: 0.5, inflight: 4, queueDepth: 4 })
    expect(t.workers[1]).toMatchObject({ bytesInPerS: 1000, completionsPerS: 10, busy: 0.1 })
    expect(t.total).toMatchObject({
      worker: 'all',
      bytesInTotal: 3500,
      bytesOutTotal: 1500,
      completionsTotal: 65,
      bytesInPerS: 5000,
      completionsPerS: 110,
      queueDepth: 5,
      sessions: 3,
      inflight: 5,
    })
    expect(t.total.busy).toBeCloseTo(0.3) // mean of 0.5 and 0.1
  })

  it('busy is clamped to 0..1 and a counter that went backwards gives rate 0', () => {
    const a = snap(1 * SEC, [worker(0, { bytesIn: 5000, busyNs: 0 })])
    const b = snap(2 * SEC, [worker(0, { bytesIn: 10, busyNs: 3 * SEC })])
    const t = computeTick(a, b, 0, 1)
    expect(t.workers[0]!.busy).toBe(1)
    expect(t.workers[0]!.bytesInPerS).toBe(0)
  })

  it('a zero or negative interval gives zero rates instead of Infinity', () => {
    const a = snap(SEC, [worker(0, { bytesIn: 1 })])
    const t = computeTick(a, snap(SEC, [worker(0, { bytesIn: 2 })]), 0, 1)
    expect(t.workers[0]!.bytesInPerS).toBe(0)
    expect(Number.isFinite(t.total.busy)).toBe(true)
  })

  it('merges errors across workers by native code and rates them', () => {
    const reset = { code: 104, nativeName: 'ECONNRESET', name: 'connection-reset' }
    const pipe = { code: 32, nativeName: 'EPIPE', name: 'broken-pipe' }
    const a = snap(0, [worker(0, { errors: [{ ...reset, count: 1 }] }), worker(1, { errors: [{ ...reset, count: 1 }] })])
    const b = snap(2 * SEC, [worker(0, { errors: [{ ...reset, count: 5 }, { ...pipe, count: 2 }] }), worker(1, { errors: [{ ...reset, count: 3 }] })])
    const t = computeTick(a, b, 0, 1)
    expect(t.errors).toEqual([
      { ...reset, count: 8, perS: 3 },
      { ...pipe, count: 2, perS: 1 },
    ])
    expect(t.workers[0]).toMatchObject({ errorsTotal: 7, errorsPerS: 3 })
    expect(t.total).toMatchObject({ errorsTotal: 10, errorsPerS: 4 })
  })

  it('a snapshot with no workers (never started) gives an empty, all-zero tick', () => {
    const t = computeTick(null, { monoNs: 1, running: false, workers: [] }, 0, 0)
    expect(t.workers).toEqual([])
    expect(t.total).toMatchObject({ worker: 'all', bytesInTotal: 0, busy: 0 })
    expect(t.errors).toEqual([])
  })
})

describe('Sampler', () => {
  it('rejects rates outside 1–100 Hz', () => {
    const opts = { snapshot: () => snap(0, []), onTick: () => undefined }
    expect(() => new Sampler({ ...opts, hz: 0 })).toThrow(RangeError)
    expect(() => new Sampler({ ...opts, hz: 101 })).toThrow(RangeError)
    expect(new Sampler(opts).hz).toBe(SAMPLE_HZ.default)
  })

  it('samples at once on start, then at the configured rate, with increasing seq', async () => {
    let mono = 0
    let bytes = 0
    const ticks: MetricsTick[] = []
    const s = new Sampler({
      hz: 50,
      firstSeq: 100,
      now: () => 42,
      snapshot: () => {
        mono += 0.02 * SEC
        bytes += 200
        return snap(mono, [worker(0, { bytesIn: bytes })])
      },
      onTick: (t) => ticks.push(t),
    })
    s.start()
    expect(ticks).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 230))
    s.stop()
    const n = ticks.length
    expect(n).toBeGreaterThanOrEqual(3) // loose: a loaded CI machine delays timers
    expect(n).toBeLessThanOrEqual(14)
    expect(ticks.map((t) => t.seq)).toEqual(Array.from({ length: n }, (_, i) => 100 + i))
    expect(ticks[0]!.total.bytesInPerS).toBe(0)
    for (const t of ticks.slice(1)) expect(t.total.bytesInPerS).toBeCloseTo(10_000)
    await new Promise((r) => setTimeout(r, 60))
    expect(ticks).toHaveLength(n) // stopped means stopped
    expect(s.sampleNow()?.seq).toBe(100 + n)
  })

  it('a failing snapshot is reported and skipped, not thrown', () => {
    const errors: unknown[] = []
    const s = new Sampler({
      snapshot: () => {
        throw new Error('boom')
      },
      onTick: () => expect.unreachable(),
      onError: (e) => errors.push(e),
    })
    expect(s.sampleNow()).toBeNull()
    expect(errors).toHaveLength(1)
  })
})
