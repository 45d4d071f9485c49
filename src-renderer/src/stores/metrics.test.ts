// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { isProxy } from 'vue'
import { DEFAULT_CAPACITY } from '../lib/tick-history'
import { tick } from '../testing/fake-api'
import { MAX_ERROR_ROWS, useMetricsStore } from './metrics'

const seqs = (m: ReturnType<typeof useMetricsStore>) => {
  const h = m.data()
  return Array.from({ length: h.length }, (_, i) => (h.time(i) - 1_000_000) / 100)
}

describe('metrics store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps a bounded history of the newest ticks (an hour at 10 Hz)', () => {
    const m = useMetricsStore()
    for (let i = 1; i <= DEFAULT_CAPACITY + 150; i++) m.ingest(tick(i))
    const h = m.data()
    expect(h.length).toBe(DEFAULT_CAPACITY)
    expect(h.time(0)).toBe(tick(151).t)
    expect(h.lastT).toBe(tick(DEFAULT_CAPACITY + 150).t)
    expect(m.tickCount).toBe(DEFAULT_CAPACITY + 150)
    expect(m.latest?.seq).toBe(DEFAULT_CAPACITY + 150)
  })

  it('keeps the history out of Vue reactivity and hands out plain points', () => {
    const m = useMetricsStore()
    m.ingest(tick(1))
    m.ingest(tick(2))
    expect(isProxy(m.data())).toBe(false)
    const pts = m.data().series('queueDepth', 0, 0, 2e6, 100)
    expect(isProxy(pts)).toBe(false)
    expect(pts).toEqual([
      { x: tick(1).t, y: 1 },
      { x: tick(2).t, y: 2 },
    ])
  })

  it('ignores malformed, duplicate and out-of-order ticks', () => {
    const m = useMetricsStore()
    expect(m.ingest({ nope: true })).toBe(false)
    expect(m.ingest(null)).toBe(false)
    expect(m.ingest(tick(5))).toBe(true)
    expect(m.ingest(tick(5))).toBe(false)
    expect(m.ingest(tick(4))).toBe(false)
    expect(m.data().length).toBe(1)
    expect(m.tickCount).toBe(1)
  })

  it('starts a fresh history when counters fall (the engine restarted) or the worker count changes', () => {
    const m = useMetricsStore()
    for (let i = 1; i <= 10; i++) m.ingest(tick(i))
    const epoch = m.epoch
    m.ingest(tick(11, { completions: 3 }))
    expect(seqs(m)).toEqual([11])
    expect(m.epoch).toBeGreaterThan(epoch)
    m.ingest(tick(12, { workers: 4 }))
    expect(seqs(m)).toEqual([12])
    expect(m.data().workers).toBe(4)
  })

  it('trims earlier runs when a run starts', () => {
    const m = useMetricsStore()
    for (let i = 1; i <= 10; i++) m.ingest(tick(i))
    const e = m.epoch
    m.startRun(tick(6).t)
    expect(seqs(m)).toEqual([6, 7, 8, 9, 10])
    expect(m.epoch).toBeGreaterThan(e)
    m.startRun(tick(50).t)
    expect(m.data().length).toBe(0)
    expect(m.latest).toBeNull()
  })

  it('tracks when each error was first and last seen', () => {
    const m = useMetricsStore()
    const reset = (count: number, perS = 0) => [{ code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count, perS }]
    m.ingest(tick(1, { errors: [] }))
    m.ingest(tick(2, { errors: reset(1, 10) }))
    m.ingest(tick(3, { errors: reset(1) }))
    m.ingest(tick(4, { errors: reset(4, 30) }))
    m.ingest(tick(5, { errors: reset(4) }))
    expect(m.errorRows).toHaveLength(1)
    const row = m.errorRows[0]
    expect(row).toMatchObject({ code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: 4, perS: 0 })
    expect(row.firstSeen).toBe(tick(2).t)
    expect(row.lastSeen).toBe(tick(4).t)
    expect(m.data().errorNames).toEqual(['connection-reset'])
  })

  it('bounds the number of distinct error rows', () => {
    const m = useMetricsStore()
    const errors = Array.from({ length: MAX_ERROR_ROWS + 40 }, (_, i) => ({ code: i + 1, nativeName: `E${i}`, name: 'unknown', count: 1, perS: 0 }))
    m.ingest(tick(1, { errors }))
    expect(m.errorRows).toHaveLength(MAX_ERROR_ROWS)
  })

  it('queues live ticks that arrive while the history is on its way behind it', () => {
    const m = useMetricsStore()
    m.hold()
    expect(m.ingest(tick(5))).toBe(true)
    expect(m.ingest(tick(6))).toBe(true)
    expect(m.data().length).toBe(0)
    m.backfill([tick(2), tick(3), tick(4), tick(5)])
    expect(seqs(m)).toEqual([2, 3, 4, 5, 6])
    // Without a history (the request failed) the queue is simply released.
    m.hold()
    m.ingest(tick(7))
    m.release()
    expect(m.latest?.seq).toBe(7)
  })

  it('backfills history oldest first and then accepts live ticks', () => {
    const m = useMetricsStore()
    const e = m.epoch
    m.backfill([tick(3), tick(1), { junk: 1 }, tick(2)])
    expect(seqs(m)).toEqual([1, 2, 3])
    expect(m.epoch).toBeGreaterThan(e)
    m.ingest(tick(4))
    expect(m.latest?.seq).toBe(4)
  })
})
