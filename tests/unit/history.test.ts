import { describe, expect, it } from 'vitest'
import type { MetricsTick } from '../../src-shared/metrics'
import { DEFAULT_HISTORY_CAPACITY, History } from '../../src-main/service/history'
import { totalSample } from '../../src-main/service/sampler'

const tick = (seq: number, t = seq * 100): MetricsTick => ({ t, seq, workers: [], total: totalSample([]), errors: [] })

describe('History', () => {
  it('defaults to one hour at 10 Hz', () => {
    expect(DEFAULT_HISTORY_CAPACITY).toBe(36_000)
    expect(new History().capacity).toBe(36_000)
  })

  it('keeps ticks oldest first until full, then drops the oldest', () => {
    const h = new History(3)
    expect(h.size).toBe(0)
    expect(h.last()).toBeUndefined()
    for (let i = 0; i < 5; i++) h.push(tick(i))
    expect(h.size).toBe(3)
    expect(h.toArray().map((t) => t.seq)).toEqual([2, 3, 4])
    expect(h.last()?.seq).toBe(4)
  })

  it('since(ms) returns ticks at or after ms, across the wrap point', () => {
    const h = new History(4)
    for (let i = 0; i < 7; i++) h.push(tick(i)) // holds 3,4,5,6 (t = 300…600)
    expect(h.since(450).map((t) => t.seq)).toEqual([5, 6])
    expect(h.since(300).map((t) => t.seq)).toEqual([3, 4, 5, 6])
    expect(h.since(0)).toHaveLength(4)
    expect(h.since(10_000)).toEqual([])
  })

  it('since() stays correct when the wall clock stepped backwards', () => {
    const h = new History(5)
    ;[tick(0, 1000), tick(1, 2000), tick(2, 1500), tick(3, 2500)].forEach((t) => h.push(t))
    expect(h.since(1800).map((t) => t.seq)).toEqual([1, 3])
  })

  it('clear() empties it', () => {
    const h = new History(2)
    h.push(tick(1))
    h.clear()
    expect(h.toArray()).toEqual([])
    h.push(tick(2))
    expect(h.toArray().map((t) => t.seq)).toEqual([2])
  })

  it('holds a full hour in bounded memory', () => {
    const h = new History()
    for (let i = 0; i < 40_000; i++) h.push(tick(i))
    expect(h.size).toBe(36_000)
    expect(h.toArray()[0]!.seq).toBe(4000)
  })

  it('rejects a nonsensical capacity', () => {
    expect(() => new History(0)).toThrow(RangeError)
    expect(() => new History(1.5)).toThrow(RangeError)
  })
})
