import { describe, expect, it } from 'vitest'
import { isProxy } from 'vue'
import { tick } from '../testing/fake-api'
import { bucketWidth, CHUNK, TickHistory } from './tick-history'

const T0 = 1_000_000
/** A tick every 100 ms whose worker 0 queue depth is `depth(i)`. */
function fill(h: TickHistory, n: number, depth: (i: number) => number = () => 1, from = 0): void {
  for (let i = from; i < from + n; i++) {
    const t = tick(i + 1, { workers: h.workers })
    t.t = T0 + i * 100
    t.workers[0].queueDepth = depth(i)
    h.push(t)
  }
}

describe('TickHistory', () => {
  it('stores per-worker and total columns and reads them back', () => {
    const h = new TickHistory(2)
    fill(h, 3, (i) => i * 10)
    expect(h.length).toBe(3)
    expect(h.firstT).toBe(T0)
    expect(h.lastT).toBe(T0 + 200)
    expect(h.value('queueDepth', 0, 2)).toBe(20)
    expect(h.value('inflight', 1, 0)).toBe(2)
    expect(h.value('busy', 1, 0)).toBeCloseTo(0.2)
    expect(h.value('sessions', 'all', 0)).toBe(2)
    expect(h.value('bytesInPerS', 'all', 1)).toBe(1000)
  })

  it('drops the oldest samples beyond its capacity and recycles chunks: memory stays flat', () => {
    const h = new TickHistory(4, 1000)
    fill(h, 1000)
    const full = h.bytes
    fill(h, 5000, undefined, 1000)
    expect(h.length).toBe(1000)
    expect(h.firstT).toBe(T0 + 5000 * 100)
    expect(h.lastT).toBe(T0 + 5999 * 100)
    // Capacity plus at most one partly used chunk and one spare.
    expect(h.bytes).toBeLessThanOrEqual(full + 2 * (CHUNK * 8 + CHUNK * (6 * 5 + 2) * 4))
  })

  it('finds samples by time and trims earlier ones', () => {
    const h = new TickHistory(1)
    fill(h, 2000)
    expect(h.lowerBound(T0 + 1234 * 100)).toBe(1234)
    expect(h.lowerBound(T0 + 1234 * 100 + 1)).toBe(1235)
    expect(h.lowerBound(0)).toBe(0)
    expect(h.lowerBound(Number.MAX_SAFE_INTEGER)).toBe(2000)
    h.trimBefore(T0 + 1500 * 100)
    expect(h.length).toBe(500)
    expect(h.firstT).toBe(T0 + 1500 * 100)
    h.clear()
    expect(h.length).toBe(0)
    expect(Number.isNaN(h.firstT)).toBe(true)
  })

  it('returns raw points when few, with one neighbour outside the range each side', () => {
    const h = new TickHistory(1)
    fill(h, 50, (i) => i)
    const pts = h.series('queueDepth', 0, T0 + 1000, T0 + 2000, 100)
    expect(pts[0]).toEqual({ x: T0 + 900, y: 9 })
    expect(pts[pts.length - 1]).toEqual({ x: T0 + 2100, y: 21 })
    expect(pts).toHaveLength(13)
    expect(isProxy(pts)).toBe(false)
  })

  it('decimates long ranges to about maxPoints, keeping spikes (min/max per bucket)', () => {
    const h = new TickHistory(1)
    // An hour at 10 Hz, flat at 1 with one single-sample spike of 500.
    fill(h, 36_000, (i) => (i === 20_000 ? 500 : 1))
    const pts = h.series('queueDepth', 0, h.firstT, h.lastT, 720)
    expect(pts.length).toBeLessThanOrEqual(720 + 2)
    expect(pts.length).toBeGreaterThan(300)
    expect(Math.max(...pts.map((p) => p.y))).toBe(500)
    expect(pts.find((p) => p.y === 500)?.x).toBe(T0 + 20_000 * 100)
    // Points stay in time order.
    for (let i = 1; i < pts.length; i++) expect(pts[i].x).toBeGreaterThanOrEqual(pts[i - 1].x)
  })

  it('averages at bucket centres for stacked series (same x in every worker)', () => {
    const h = new TickHistory(2)
    fill(h, 6000, (i) => (i % 2 ? 2 : 0))
    const a = h.series('queueDepth', 0, h.firstT, h.lastT, 100, 'mean')
    const b = h.series('queueDepth', 1, h.firstT, h.lastT, 100, 'mean')
    expect(a.map((p) => p.x)).toEqual(b.map((p) => p.x))
    const w = bucketWidth(h.lastT - h.firstT, 100)
    expect(a[1].x % w).toBe(w / 2)
    expect(a[1].y).toBeCloseTo(1)
  })

  it('aligns buckets to absolute time, so a sliding window does not change old points', () => {
    const h = new TickHistory(1)
    fill(h, 20_000, (i) => i % 37)
    const w = bucketWidth(600_000, 360)
    const a = h.series('queueDepth', 0, T0 + 700_000, T0 + 1_300_000, 720)
    const b = h.series('queueDepth', 0, T0 + 700_000 + w, T0 + 1_300_000 + w, 720)
    const common = a.filter((p) => p.x >= T0 + 700_000 + 2 * w && p.x <= T0 + 1_300_000 - w)
    for (const p of common) expect(b).toContainEqual(p)
  })

  it('sums error rates by portable name and shows each bucket’s peak', () => {
    const h = new TickHistory(1)
    for (let i = 0; i < 10; i++) {
      const t = tick(i + 1, { workers: 1 })
      t.t = T0 + i * 100
      t.errors =
        i < 3
          ? []
          : [
              { code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: i, perS: i === 5 ? 30 : 0 },
              { code: 10054, nativeName: 'WSAECONNRESET', name: 'connection-reset', count: 1, perS: i === 5 ? 5 : 0 },
              { code: 32, nativeName: 'EPIPE', name: 'broken-pipe', count: 1, perS: i === 7 ? 2 : 0 },
            ]
      h.push(t)
    }
    expect(h.errorNames).toEqual(['connection-reset', 'broken-pipe'])
    const s = h.errorSeries(T0, T0 + 900, 100)
    expect(s.map((x) => x.name)).toEqual(['connection-reset', 'broken-pipe'])
    expect(s[0].points.find((p) => p.x === T0 + 500)?.y).toBe(35)
    expect(s[0].points.find((p) => p.x === T0 + 600)?.y).toBe(0)
    expect(s[1].points.find((p) => p.x === T0 + 700)?.y).toBe(2)
  })

  it('grids a field per worker and time cell, holding values across cells without samples', () => {
    const h = new TickHistory(2)
    fill(h, 10, (i) => i)
    const { cells, max } = h.grid('queueDepth', T0, T0 + 1000, 20)
    expect(max).toBe(9)
    // 20 cells over 10 samples: every other cell has no sample of its own and holds the previous.
    expect(cells[0]).toBe(0)
    expect(cells[1]).toBe(0)
    expect(cells[2]).toBe(1)
    expect(cells[3]).toBe(1)
    expect(cells[18]).toBe(9)
    // After the last sample there is no data.
    expect(cells[19]).toBe(-1)
    // Row 1 is worker 1 (queue depth (seq + 1) % 5 from the fixture).
    expect(cells[20]).toBe(2)
  })
})
