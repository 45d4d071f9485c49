// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { isProxy } from 'vue'
import { tick } from '../testing/fake-api'
import { timeRange, totalSeries, workerSeries } from './series'

describe('series', () => {
  const samples = [tick(1), tick(2), tick(3)]

  it('makes one plain series per worker and one for the total', () => {
    const perWorker = workerSeries(samples, (s) => s.queueDepth)
    expect(perWorker).toHaveLength(2)
    expect(perWorker[1]).toEqual([
      { x: tick(1).t, y: 2 },
      { x: tick(2).t, y: 3 },
      { x: tick(3).t, y: 4 },
    ])
    expect(isProxy(perWorker[0])).toBe(false)
    expect(totalSeries(samples, (s) => s.bytesInTotal).map((p) => p.y)).toEqual([100, 200, 300])
  })

  it('shows the whole run while it is younger than the window, then the newest window', () => {
    const t0 = 1_000_000
    const young = [tick(1, { t: t0 }), tick(2, { t: t0 + 25_000 })]
    expect(timeRange(young, 60_000)).toEqual({ min: t0, max: t0 + 25_000 })
    const fresh = [tick(1, { t: t0 }), tick(2, { t: t0 + 2_000 })]
    expect(timeRange(fresh, 60_000)).toEqual({ min: t0 + 2_000 - 10_000, max: t0 + 2_000 })
    const old = [tick(1, { t: t0 }), tick(2, { t: t0 + 90_000 })]
    expect(timeRange(old, 60_000)).toEqual({ min: t0 + 30_000, max: t0 + 90_000 })
  })
})
