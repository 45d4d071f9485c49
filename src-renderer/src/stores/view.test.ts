// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { tick } from '../testing/fake-api'
import { useMetricsStore } from './metrics'
import { liveRange, MIN_LIVE_SPAN_MS, MIN_SPAN_MS, useViewStore } from './view'

/** n ticks 100 ms apart from seq `from`. */
function feed(m: ReturnType<typeof useMetricsStore>, from: number, n: number): void {
  for (let i = from; i < from + n; i++) m.ingest(tick(i))
}
const tOf = (seq: number) => tick(seq).t

describe('view store', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.useRealTimers())

  it('shows the run so far while it is younger than the span, then the newest span', () => {
    expect(liveRange(0, 2_000, 60_000)).toEqual({ min: 2_000 - MIN_LIVE_SPAN_MS, max: 2_000 })
    expect(liveRange(0, 25_000, 60_000)).toEqual({ min: 0, max: 25_000 })
    expect(liveRange(0, 90_000, 60_000)).toEqual({ min: 30_000, max: 90_000 })
    expect(liveRange(0, 90_000, Number.POSITIVE_INFINITY)).toEqual({ min: 0, max: 90_000 })
  })

  it('follows new samples live; pause freezes the axis and counts what keeps arriving', async () => {
    const m = useMetricsStore()
    const v = useViewStore()
    feed(m, 1, 1000)
    await nextTick()
    expect(v.range).toEqual({ min: tOf(1000) - 60_000, max: tOf(1000) })
    v.pause()
    const frozen = { ...v.range }
    feed(m, 1001, 25)
    await nextTick()
    expect(v.paused).toBe(true)
    expect(v.range).toEqual(frozen)
    expect(v.newSince).toBe(25)
    v.resume()
    expect(v.range.max).toBe(tOf(1025))
    expect(v.newSince).toBe(0)
  })

  it('zooms and pans within the data, never narrower than the minimum span', () => {
    const m = useMetricsStore()
    const v = useViewStore()
    feed(m, 1, 1000) // 100 s of data
    v.zoomBy(0.5)
    expect(v.paused).toBe(true)
    expect(v.span).toBe(30_000)
    expect(v.range.max).toBe(tOf(1000) - 15_000)
    v.panBy(-0.5)
    expect(v.range.max).toBe(tOf(1000) - 30_000)
    // Panning past the newest sample stops at it.
    v.panBy(10)
    expect(v.range.max).toBe(tOf(1000))
    v.zoomTo(tOf(500), tOf(500) + 10)
    expect(v.span).toBe(MIN_SPAN_MS)
    // Zooming out past the data shows all of it.
    v.zoomBy(1000)
    expect(v.range).toEqual({ min: tOf(1), max: tOf(1000) })
  })

  it('changes the span live, or keeps the end of a frozen view', () => {
    const m = useMetricsStore()
    const v = useViewStore()
    feed(m, 1, 12_000) // 20 min
    v.setPreset('5m')
    expect(v.paused).toBe(false)
    expect(v.span).toBe(300_000)
    v.panBy(-1)
    const end = v.range.max
    v.setPreset('1m')
    expect(v.range).toEqual({ min: end - 60_000, max: end })
    v.setPreset('all')
    expect(v.range).toEqual({ min: tOf(1), max: tOf(12_000) })
  })

  it('goes back to live when the history is replaced (a new run)', () => {
    const m = useMetricsStore()
    const v = useViewStore()
    feed(m, 1, 100)
    v.pause()
    m.startRun(tOf(50))
    return nextTick().then(() => expect(v.paused).toBe(false))
  })

  it('redraws live charts at most once per time bucket of the span', async () => {
    const m = useMetricsStore()
    const v = useViewStore()
    feed(m, 1, 36_000) // an hour of samples
    await nextTick()
    vi.advanceTimersByTime(2000)
    v.setPreset('1h')
    await nextTick()
    const f0 = v.frame
    // Ten samples arrive within a second: a 1-hour span redraws once a second.
    for (let i = 36_001; i <= 36_010; i++) {
      m.ingest(tick(i))
      await nextTick()
      vi.advanceTimersByTime(90)
    }
    expect(v.frame - f0).toBeLessThanOrEqual(2)
    vi.advanceTimersByTime(1000)
    expect(v.shown.max).toBe(tOf(36_010))
    // At 1 min a frame per sample.
    v.setPreset('1m')
    await nextTick()
    const f1 = v.frame
    for (let i = 36_011; i <= 36_015; i++) {
      vi.advanceTimersByTime(100)
      m.ingest(tick(i))
      await nextTick()
    }
    expect(v.frame - f1).toBeGreaterThanOrEqual(4)
  })
})
