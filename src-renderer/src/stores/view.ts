// The time axis every chart shares: which span is shown, whether it follows the newest sample,
// zoom and pan, and how often a live chart redraws.
//
// Two modes:
// - live: the newest `preset` span (while a run is younger than that, the run so far), moving
//   with every sample;
// - frozen: a fixed [min, max] — set by Pause (the live span at that moment), by zooming or by
//   panning. Data keeps arriving underneath; `newSince` counts it. Live returns to following.
//
// Redraw cadence: a live chart moves one sample per tick, but over an hour one pixel is ~5 s of
// data, so redrawing at 10 Hz would only repeat the same picture. `frame` advances at most once
// per time bucket of the current span (at least every 100 ms, at most every second).
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { useMetricsStore } from './metrics'

export const RANGE_PRESETS = [
  { id: '1m', ms: 60_000 },
  { id: '5m', ms: 5 * 60_000 },
  { id: '15m', ms: 15 * 60_000 },
  { id: '1h', ms: 60 * 60_000 },
  { id: 'all', ms: Number.POSITIVE_INFINITY },
] as const
export type RangePreset = (typeof RANGE_PRESETS)[number]['id']

/** Narrowest zoom: 2 s (20 samples at 10 Hz). */
export const MIN_SPAN_MS = 2_000
/** While a run is young the axis still spans at least this much, so one sample is not a full-width smear. */
export const MIN_LIVE_SPAN_MS = 10_000
/** Points per line a chart is given (about its width in pixels). */
export const MAX_POINTS = 720

export interface TimeRange {
  min: number
  max: number
}

export function presetMs(id: RangePreset): number {
  return RANGE_PRESETS.find((p) => p.id === id)?.ms ?? 60_000
}

/** The live axis for data spanning [first, last]. */
export function liveRange(first: number, last: number, spanMs: number, now = Date.now()): TimeRange {
  if (!Number.isFinite(last)) return { min: now - Math.min(spanMs, 60_000), max: now }
  const dataSpan = last - first
  const span = Math.min(spanMs, Math.max(MIN_LIVE_SPAN_MS, dataSpan))
  return { min: last - span, max: last }
}

export const useViewStore = defineStore('view', () => {
  const metrics = useMetricsStore()

  const preset = ref<RangePreset>('1m')
  const frozen = shallowRef<TimeRange | null>(null)
  /** tickCount when the view froze. */
  const frozenAt = ref(0)
  /** Samples that arrived while frozen. */
  const newSince = computed(() => (frozen.value ? metrics.tickCount - frozenAt.value : 0))
  /** Advances when charts should redraw (see the cadence note above). */
  const frame = ref(0)

  const paused = computed(() => frozen.value !== null)

  /** [first, last] sample time of the history (NaN when empty). */
  const bounds = computed(() => {
    void metrics.version
    void metrics.epoch
    const h = metrics.data()
    return { first: h.firstT, last: h.lastT }
  })

  const liveNow = computed<TimeRange>(() => {
    const b = bounds.value
    return liveRange(b.first, b.last, presetMs(preset.value))
  })

  /** The axis right now (moves with every sample while live). */
  const range = computed<TimeRange>(() => frozen.value ?? liveNow.value)
  const span = computed(() => range.value.max - range.value.min)
  /** The axis as of the last frame: what charts draw (it moves at the redraw cadence). */
  const shown = shallowRef<TimeRange>(range.value)

  let lastFrameAt = 0
  let trailing: ReturnType<typeof setTimeout> | null = null
  function bump(): void {
    if (trailing) clearTimeout(trailing)
    trailing = null
    lastFrameAt = Date.now()
    shown.value = range.value
    frame.value++
  }
  /** Redraw interval for the current span: one bucket of MAX_POINTS, within [100 ms, 1 s]. */
  function cadenceMs(): number {
    return Math.min(1000, Math.max(100, span.value / MAX_POINTS))
  }

  watch(
    () => metrics.version,
    () => {
      if (frozen.value) return
      const wait = cadenceMs() - (Date.now() - lastFrameAt)
      if (wait <= 0) bump()
      else trailing ??= setTimeout(bump, wait)
    },
  )
  // A new run or a replaced history: show it at once, live.
  watch(
    () => metrics.epoch,
    () => {
      frozen.value = null
      bump()
    },
  )
  watch([frozen, preset], bump)

  function clamp(r: TimeRange): TimeRange {
    let { min, max } = r
    const { first, last } = bounds.value
    if (max - min < MIN_SPAN_MS) {
      const mid = (min + max) / 2
      min = mid - MIN_SPAN_MS / 2
      max = mid + MIN_SPAN_MS / 2
    }
    if (Number.isFinite(first) && Number.isFinite(last)) {
      const s = max - min
      const lo = Math.min(first, last - MIN_LIVE_SPAN_MS)
      if (s >= last - lo) return { min: lo, max: last }
      if (min < lo) return { min: lo, max: lo + s }
      if (max > last) return { min: last - s, max: last }
    }
    return { min, max }
  }

  function freeze(r: TimeRange): void {
    if (!frozen.value) frozenAt.value = metrics.tickCount
    frozen.value = clamp(r)
  }

  function pause(): void {
    if (!frozen.value) freeze(liveNow.value)
  }

  function resume(): void {
    frozen.value = null
  }

  function togglePause(): void {
    if (frozen.value) resume()
    else pause()
  }

  /** Live with a span; while frozen, the same end with the new span. */
  function setPreset(id: RangePreset): void {
    preset.value = id
    const f = frozen.value
    if (f) {
      const ms = presetMs(id)
      freeze(Number.isFinite(ms) ? { min: f.max - ms, max: f.max } : { min: bounds.value.first, max: bounds.value.last })
    }
  }

  function zoomTo(min: number, max: number): void {
    if (!(max > min)) return
    freeze({ min, max })
  }

  /** factor < 1 zooms in, > 1 out, around `centre` (default: the middle of the view). */
  function zoomBy(factor: number, centre?: number): void {
    const r = range.value
    const c = centre ?? (r.min + r.max) / 2
    freeze({ min: c - (c - r.min) * factor, max: c + (r.max - c) * factor })
  }

  /** Moves the view by a share of its span (negative: back in time). */
  function panBy(fraction: number): void {
    const r = range.value
    const d = (r.max - r.min) * fraction
    freeze({ min: r.min + d, max: r.max + d })
  }

  /** Shifts a frozen view by `ms` from `origin` (drag-to-pan keeps its own origin). */
  function panFrom(origin: TimeRange, ms: number): void {
    freeze({ min: origin.min + ms, max: origin.max + ms })
  }

  return { preset, frozen, paused, newSince, frame, shown, range, span, bounds, pause, resume, togglePause, setPreset, zoomTo, zoomBy, panBy, panFrom }
})
