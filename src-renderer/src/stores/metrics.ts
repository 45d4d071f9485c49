// Live metrics: the sample history (an hour, as the service keeps), the newest tick, the error
// table derived from the ticks and the error catalog.
//
// The history is a TickHistory of typed-array columns, deliberately outside Vue's reactivity
// (markRaw): charts need plain data, and proxying an hour of ticks × 64 workers would cost more
// than drawing them. `version` says "a sample arrived", `epoch` says "the history was replaced or
// trimmed" (a new run, a backfill, a replay); readers copy what they need inside a computed that
// depends on them.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { CatalogEntry, ErrorCount } from '../../../src-shared/engine-snapshot'
import type { MetricsTick } from '../../../src-shared/metrics'
import { DEFAULT_CAPACITY, TickHistory } from '../lib/tick-history'

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

export function isTick(v: unknown): v is MetricsTick {
  const t = v as MetricsTick
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof t.t === 'number' &&
    Number.isFinite(t.t) &&
    typeof t.seq === 'number' &&
    Array.isArray(t.workers) &&
    typeof t.total === 'object' &&
    t.total !== null &&
    Array.isArray(t.errors)
  )
}

const errorKey = (e: ErrorCount) => `${e.code}|${e.name}`

export const useMetricsStore = defineStore('metrics', () => {
  let history = markRaw(new TickHistory(0, DEFAULT_CAPACITY))
  const seen = new Map<string, Seen>()
  /** Live ticks held back while the service's history is on its way (see hold()). */
  let held: unknown[] | null = null

  /** Bumped for every sample added. */
  const version = ref(0)
  /** Bumped when the history is replaced or trimmed (not for plain appends). */
  const epoch = ref(0)
  /** Ticks received since the page loaded (monotonic; not reset with the history). */
  const tickCount = ref(0)
  const latest = shallowRef<MetricsTick | null>(null)
  const errorRows = shallowRef<ErrorRow[]>([])
  const catalog = shallowRef<ReadonlyMap<string, CatalogEntry>>(new Map())

  const workerCount = computed(() => latest.value?.workers.length ?? 0)

  function rebuildErrorRows(tick: MetricsTick | null): void {
    if (!tick) {
      errorRows.value = []
      return
    }
    const rows: ErrorRow[] = []
    for (const e of tick.errors) {
      const s = seen.get(errorKey(e))
      if (s) rows.push({ ...e, key: errorKey(e), perS: e.perS ?? 0, firstSeen: s.firstSeen, lastSeen: s.lastSeen })
    }
    rows.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    errorRows.value = rows
  }

  function trackErrors(tick: MetricsTick): void {
    let changed = false
    for (const e of tick.errors) {
      if (!(e.count > 0)) continue
      const key = errorKey(e)
      const s = seen.get(key)
      if (!s) {
        if (seen.size < MAX_ERROR_ROWS) {
          seen.set(key, { firstSeen: tick.t, lastSeen: tick.t, count: e.count })
          changed = true
        }
      } else if (e.count > s.count) {
        s.lastSeen = tick.t
        s.count = e.count
        changed = true
      }
    }
    // The table re-renders only when something in it changed (rates included).
    if (changed || tick.errors.length !== errorRows.value.length || tick.errors.some((e) => e.perS > 0) || errorRows.value.some((r) => r.perS > 0)) {
      rebuildErrorRows(tick)
    }
  }

  function resetHistory(workers: number): void {
    history = markRaw(new TickHistory(workers, DEFAULT_CAPACITY))
    seen.clear()
    errorRows.value = []
    latest.value = null
    epoch.value++
  }

  /**
   * Live ticks that arrive between asking for the history and receiving it are newer than all of
   * it; added first, they would make the whole history look out of order. hold() queues them
   * until backfill() (or release()) puts them after the history.
   */
  function hold(): void {
    held ??= []
  }

  function release(): void {
    const q = held
    held = null
    if (q) for (const t of q) ingest(t)
  }

  /** Adds one live tick. Malformed, duplicate and out-of-order ticks are ignored. */
  function ingest(tick: unknown): boolean {
    if (held) {
      // Bounded: a history that never arrives must not grow this without limit.
      if (held.length < DEFAULT_CAPACITY) held.push(tick)
      return true
    }
    if (!isTick(tick)) return false
    const prev = latest.value
    if (prev) {
      if (tick.t < prev.t || (tick.t === prev.t && tick.seq === prev.seq)) return false
      // Cumulative counters only fall when the engine restarted: a new run, a fresh history.
      if (tick.total.completionsTotal < prev.total.completionsTotal) resetHistory(tick.workers.length)
    }
    if (tick.workers.length !== history.workers) resetHistory(tick.workers.length)
    history.push(tick)
    trackErrors(tick)
    latest.value = tick
    tickCount.value++
    version.value++
    return true
  }

  /** Seeds the history from the service's (older than anything live, oldest first). */
  function backfill(ticks: readonly unknown[]): void {
    const q = held
    held = null
    const valid = ticks.filter(isTick).sort((a, b) => a.t - b.t)
    for (const t of valid.slice(-DEFAULT_CAPACITY)) ingest(t)
    if (q) for (const t of q) ingest(t)
    epoch.value++
  }

  /** A run began at `startedAt`: samples from earlier runs leave the history, errors start over. */
  function startRun(startedAt: number): void {
    const last = latest.value
    if (!last || last.t < startedAt) {
      resetHistory(history.workers)
      return
    }
    history.trimBefore(startedAt)
    for (const [k, s] of seen) if (s.firstSeen < startedAt) seen.delete(k)
    rebuildErrorRows(last)
    epoch.value++
  }

  function setCatalog(entries: readonly CatalogEntry[]): void {
    catalog.value = new Map(entries.map((e) => [e.name, e]))
  }

  /** The raw history. Read it inside a computed that depends on `version` or `epoch`. */
  function data(): TickHistory {
    return history
  }

  function clear(): void {
    resetHistory(0)
    version.value++
  }

  return { version, epoch, tickCount, latest, errorRows, catalog, workerCount, hold, release, ingest, backfill, startRun, setCatalog, data, clear }
})
