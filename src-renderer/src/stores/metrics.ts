// Live metrics: a bounded window of ticks, the error table derived from them and the error
// catalog. The window is deliberately outside Vue's reactivity (markRaw): charts need plain data,
// and proxying 600 ticks × N workers would cost more than drawing them. `version` is the signal
// that the window changed; readers copy what they need inside a computed that depends on it.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { CatalogEntry, ErrorCount } from '../../../src-shared/engine-snapshot'
import type { MetricsTick } from '../../../src-shared/metrics'
import { timeRange } from '../lib/series'

/** 60 s at the sampler's default 10 Hz. */
export const WINDOW_SAMPLES = 600
/** The time span the charts show (the newest minute). */
export const WINDOW_MS = 60_000
/** Distinct (code, name) pairs kept; a storm of novel codes cannot grow the table without bound. */
export const MAX_ERROR_ROWS = 256

export interface ErrorRow extends ErrorCount {
  key: string
  perS: number
  /** Epoch ms of the first / latest sample in which this error's count grew. */
  firstSeen: number
  lastSeen: number
}

interface Seen {
  firstSeen: number
  lastSeen: number
  count: number
}

function isTick(v: unknown): v is MetricsTick {
  const t = v as MetricsTick
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof t.t === 'number' &&
    typeof t.seq === 'number' &&
    Array.isArray(t.workers) &&
    typeof t.total === 'object' &&
    t.total !== null &&
    Array.isArray(t.errors)
  )
}

const errorKey = (e: ErrorCount) => `${e.code}|${e.name}`

export const useMetricsStore = defineStore('metrics', () => {
  const samples: MetricsTick[] = markRaw([])
  const seen = new Map<string, Seen>()

  const version = ref(0)
  /** Ticks received since the page loaded (monotonic; not reset with the window). */
  const tickCount = ref(0)
  const latest = shallowRef<MetricsTick | null>(null)
  const errorRows = shallowRef<ErrorRow[]>([])
  const catalog = shallowRef<ReadonlyMap<string, CatalogEntry>>(new Map())

  const workerCount = computed(() => latest.value?.workers.length ?? 0)
  /** The x-axis range every chart shares: the newest minute. */
  const range = computed(() => {
    void version.value
    return timeRange(samples, WINDOW_MS)
  })

  function trackErrors(tick: MetricsTick): void {
    for (const e of tick.errors) {
      if (!(e.count > 0)) continue
      const key = errorKey(e)
      const s = seen.get(key)
      if (!s) {
        if (seen.size < MAX_ERROR_ROWS) seen.set(key, { firstSeen: tick.t, lastSeen: tick.t, count: e.count })
      } else if (e.count > s.count) {
        s.lastSeen = tick.t
        s.count = e.count
      }
    }
    const rows: ErrorRow[] = []
    for (const e of tick.errors) {
      const s = seen.get(errorKey(e))
      if (s) rows.push({ ...e, key: errorKey(e), perS: e.perS ?? 0, firstSeen: s.firstSeen, lastSeen: s.lastSeen })
    }
    rows.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    errorRows.value = rows
  }

  function resetWindow(): void {
    samples.length = 0
    seen.clear()
    errorRows.value = []
    latest.value = null
  }

  /** Adds one live tick. Malformed, duplicate and out-of-order ticks are ignored. */
  function ingest(tick: unknown): boolean {
    if (!isTick(tick)) return false
    const prev = latest.value
    if (prev) {
      if (tick.t < prev.t || (tick.t === prev.t && tick.seq === prev.seq)) return false
      // Cumulative counters only fall when the engine restarted: a new run, a fresh window.
      if (tick.total.completionsTotal < prev.total.completionsTotal) resetWindow()
    }
    samples.push(Object.freeze(tick))
    if (samples.length > WINDOW_SAMPLES) samples.splice(0, samples.length - WINDOW_SAMPLES)
    trackErrors(tick)
    latest.value = tick
    tickCount.value++
    version.value++
    return true
  }

  /** Seeds the window from the service's history (older than anything live, oldest first). */
  function backfill(ticks: readonly unknown[]): void {
    const valid = ticks.filter(isTick).sort((a, b) => a.t - b.t)
    for (const t of valid.slice(-WINDOW_SAMPLES)) ingest(t)
  }

  /** A run began at `startedAt`: samples from earlier runs leave the window, errors start over. */
  function startRun(startedAt: number): void {
    const keep = samples.filter((s) => s.t >= startedAt)
    resetWindow()
    for (const s of keep) {
      samples.push(s)
      trackErrors(s)
      latest.value = s
    }
    version.value++
  }

  function setCatalog(entries: readonly CatalogEntry[]): void {
    catalog.value = new Map(entries.map((e) => [e.name, e]))
  }

  /** The raw window, oldest first. Read it inside a computed that depends on `version`. */
  function windowSamples(): readonly MetricsTick[] {
    return samples
  }

  function clear(): void {
    resetWindow()
    version.value++
  }

  return { version, tickCount, latest, errorRows, catalog, workerCount, range, ingest, backfill, startRun, setCatalog, windowSamples, clear }
})
