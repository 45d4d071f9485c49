// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { isProxy } from 'vue'
import { tick } from '../testing/fake-api'
import { MAX_ERROR_ROWS, useMetricsStore, WINDOW_SAMPLES } from './metrics'

describe('metrics store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps a bounded window of the newest ticks', () => {
    const m = useMetricsStore()
    for (let i = 1; i <= WINDOW_SAMPLES + 150; i++) m.ingest(tick(i))
    const w = m.windowSamples()
    expect(w).toHaveLength(WINDOW_SAMPLES)
    expect(w[0].seq).toBe(151)
    expect(w[w.length - 1].seq).toBe(WINDOW_SAMPLES + 150)
    expect(m.tickCount).toBe(WINDOW_SAMPLES + 150)
    expect(m.latest?.seq).toBe(WINDOW_SAMPLES + 150)
  })

  it('hands out plain data, never reactive proxies (Chart.js must not see them)', () => {
    const m = useMetricsStore()
    m.ingest(tick(1))
    expect(isProxy(m.windowSamples())).toBe(false)
    expect(isProxy(m.windowSamples()[0])).toBe(false)
  })

  it('ignores malformed, duplicate and out-of-order ticks', () => {
    const m = useMetricsStore()
    expect(m.ingest({ nope: true })).toBe(false)
    expect(m.ingest(null)).toBe(false)
    expect(m.ingest(tick(5))).toBe(true)
    expect(m.ingest(tick(5))).toBe(false)
    expect(m.ingest(tick(4))).toBe(false)
    expect(m.windowSamples()).toHaveLength(1)
    expect(m.tickCount).toBe(1)
  })

  it('starts a fresh window when counters fall (the engine restarted)', () => {
    const m = useMetricsStore()
    for (let i = 1; i <= 10; i++) m.ingest(tick(i))
    m.ingest(tick(11, { completions: 3 }))
    expect(m.windowSamples().map((s) => s.seq)).toEqual([11])
  })

  it('trims earlier runs when a run starts', () => {
    const m = useMetricsStore()
    for (let i = 1; i <= 10; i++) m.ingest(tick(i))
    const v = m.version
    m.startRun(tick(6).t)
    expect(m.windowSamples().map((s) => s.seq)).toEqual([6, 7, 8, 9, 10])
    expect(m.version).toBeGreaterThan(v)
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
  })

  it('bounds the number of distinct error rows', () => {
    const m = useMetricsStore()
    const errors = Array.from({ length: MAX_ERROR_ROWS + 40 }, (_, i) => ({ code: i + 1, nativeName: `E${i}`, name: 'unknown', count: 1, perS: 0 }))
    m.ingest(tick(1, { errors }))
    expect(m.errorRows).toHaveLength(MAX_ERROR_ROWS)
  })

  it('backfills history oldest first and then accepts live ticks', () => {
    const m = useMetricsStore()
    m.backfill([tick(3), tick(1), { junk: 1 }, tick(2)])
    expect(m.windowSamples().map((s) => s.seq)).toEqual([1, 2, 3])
    m.ingest(tick(4))
    expect(m.latest?.seq).toBe(4)
  })
})
