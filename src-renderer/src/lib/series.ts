// Turns the sample window into the plain {x, y} arrays Chart.js consumes. Always fresh arrays of
// fresh objects: Chart.js annotates what it is given, and must never be handed a reactive proxy.
import type { MetricsTick, WorkerSample } from '../../../src-shared/metrics'

export interface Point {
  x: number
  y: number
}

/** One line as TimeSeriesChart draws it. */
export interface ChartSeries {
  label: string
  color: string
  points: Point[]
  dashed?: boolean
  /** Fill under the line (or, in a stacked chart, down to the previous series). */
  fill?: boolean
}

export type SampleField = (s: WorkerSample) => number

/** One series per worker index present in the newest sample (workers are fixed for a run). */
export function workerSeries(samples: readonly MetricsTick[], pick: SampleField): Point[][] {
  const n = samples.length ? samples[samples.length - 1].workers.length : 0
  const out: Point[][] = Array.from({ length: n }, () => [])
  for (const tick of samples) {
    for (const w of tick.workers) {
      if (typeof w.worker === 'number' && w.worker >= 0 && w.worker < n) out[w.worker].push({ x: tick.t, y: pick(w) })
    }
  }
  return out
}

export function totalSeries(samples: readonly MetricsTick[], pick: SampleField): Point[] {
  return samples.map((tick) => ({ x: tick.t, y: pick(tick.total) }))
}

/**
 * Time range of the x axis: the newest `windowMs`, or — while a run is younger than that — just
 * the run so far (at least `minMs`), so a fresh run fills the chart instead of a sliver of it.
 */
export function timeRange(samples: readonly MetricsTick[], windowMs: number, minMs = 10_000): { min: number; max: number } {
  if (!samples.length) {
    const now = Date.now()
    return { min: now - windowMs, max: now }
  }
  const max = samples[samples.length - 1].t
  const span = Math.min(windowMs, Math.max(minMs, max - samples[0].t))
  return { min: max - span, max }
}
