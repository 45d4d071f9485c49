import { describe, expect, it } from 'vitest'
import { downsampleTicks } from '../../src-main/service/downsample'
import type { MetricsTick, WorkerSample } from '../../src-shared/metrics'

function sample(worker: number | 'all', i: number): WorkerSample {
  return { worker, queueDepth: i % 10 === 3 ? 50 : 1, inflight: i % 7, completionsTotal: i * 10, bytesInTotal: i * 100, bytesOutTotal: i * 100, errorsTotal: i, sessions: 5, completionsPerS: i, bytesInPerS: 2 * i, bytesOutPerS: 2 * i, errorsPerS: 1, busy: 0.5 }
}
const ticks: MetricsTick[] = Array.from({ length: 36000 }, (_, i) => ({
  t: 1e12 + i * 100,
  seq: i,
  workers: [sample(0, i), sample(1, i)],
  total: sample('all', i),
  errors: [{ code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: i, perS: 1 }],
}))

describe('downsampleTicks', () => {
  it('returns short histories unchanged', () => {
    expect(downsampleTicks(ticks.slice(0, 50), 100)).toEqual(ticks.slice(0, 50))
  })
  it('bounds an hour at 10 Hz to maxPoints with exact totals, peak depths and mean rates', () => {
    const d = downsampleTicks(ticks, 2000)
    expect(d.length).toBeLessThanOrEqual(2000)
    const last = d[d.length - 1]
    expect(last.t).toBe(ticks[35999].t)
    expect(last.seq).toBe(35999)
    expect(last.total.bytesInTotal).toBe(ticks[35999].total.bytesInTotal) // cumulative: exact
    expect(last.workers[0].queueDepth).toBe(50) // a spike inside the bucket survives
    // 18 ticks per bucket (36000/2000); the newest bucket holds ticks 35982..35999: mean rate.
    expect(last.total.completionsPerS).toBeCloseTo((35982 + 35999) / 2)
    for (let i = 1; i < d.length; i++) expect(d[i].t).toBeGreaterThan(d[i - 1].t)
    expect(last.errors[0].perS).toBeCloseTo(1)
  })
})
