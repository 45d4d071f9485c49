// The Sessions tab's data: the session table, asked for on demand (sessions:table) — never pushed
// with the metric ticks. While the tab is shown, the page is visible, the server runs and the user
// has not paused, it asks at most every SESSIONS_MIN_INTERVAL_MS (the service would answer a
// sooner repeat of the same query with the previous table anyway). One request at a time: the next
// is scheduled when the previous answered, so a slow service is never asked faster than it answers.
// The selected session's rates are collected from these tables into a small series for its chart.
// While another process is attached there is no table (the service answers `not-available`): the
// store asks once, keeps that answer for the tab to show, and asks again only when the source changes.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { ApiError, Result } from '../../../src-shared/result'
import { MAX_SESSION_ROWS, SESSIONS_MIN_INTERVAL_MS, sessionsToCsv, type SessionQuery, type SessionRow, type SessionSortKey, type SessionTable } from '../../../src-shared/sessions'
import { getApi } from '../api'
import { downloadText } from '../lib/download'
import { fileTimestamp } from '../lib/format'
import { defaultDir, orderRows, SERVER_KEY_OF, type SessionColumn, type SessionSort } from '../lib/session-sort'
import { call } from '../api/call'
import { useAttachStore } from './attach'
import { useServerStore } from './server'

/** Rows asked for until the user asks for all (a table of 10,000 rows is built and sent every 500 ms otherwise). */
export const DEFAULT_SESSION_LIMIT = 500
/** Rate points kept for the selected session's chart (5 minutes at 2 Hz). */
export const MAX_RATE_POINTS = 600

export interface RatePoint {
  t: number
  bytesInPerS: number
  bytesOutPerS: number
}

export type CloseOutcome = { kind: 'closed'; abortive: boolean } | { kind: 'gone' } | { kind: 'failed'; error: ApiError }

export const useSessionsStore = defineStore('sessions', () => {
  const server = useServerStore()
  const attachStore = useAttachStore()

  /** The service's sort key (which top N it returns); kept while a client-side column is chosen. */
  const key = ref<SessionSortKey>('bytesPerS')
  const sort = ref<SessionSort>({ column: 'rateIn', dir: 'desc' })
  const addressPrefix = ref('')
  /** null: every worker. */
  const worker = ref<number | null>(null)
  const showAll = ref(false)
  const paused = ref(false)

  const table = shallowRef<SessionTable | null>(null)
  const error = shallowRef<ApiError | null>(null)
  /** A request for the current query is in flight and no table for it has arrived yet. */
  const loading = ref(false)

  const selectedId = ref<number | null>(null)
  /** The selected session as last seen (kept when it drops out of the table). */
  const selected = shallowRef<SessionRow | null>(null)
  /** False once a table arrived without the selected session (closed, or outside filter / limit). */
  const selectedInTable = ref(false)
  const rates = shallowRef<RatePoint[]>([])
  const closing = ref<'graceful' | 'abortive' | null>(null)

  const limit = computed(() => (showAll.value ? MAX_SESSION_ROWS : DEFAULT_SESSION_LIMIT))
  const query = computed<SessionQuery>(() => {
    const q: SessionQuery = { key: key.value, limit: limit.value }
    if (worker.value !== null) q.worker = worker.value
    const prefix = addressPrefix.value.trim()
    if (prefix) q.addressPrefix = prefix
    return q
  })
  const running = computed(() => server.status.state === 'running')
  /** Another process is the sampled source: the service has no session table for it. */
  const attached = computed(() => attachStore.attached && !running.value)
  /** The service said there is no table for the current source; it will not change until the source does. */
  const notAvailable = computed(() => error.value?.code === 'not-available')
  const rows = computed(() => (table.value ? orderRows(table.value.rows, sort.value) : []))

  /** A header was activated: the same column flips direction, another takes its default one. */
  function sortBy(column: SessionColumn): void {
    const cur = sort.value
    sort.value = cur.column === column ? { column, dir: cur.dir === 'asc' ? 'desc' : 'asc' } : { column, dir: defaultDir(column) }
    const k = SERVER_KEY_OF[column]
    if (k) key.value = k
  }

  // ---- polling ---------------------------------------------------------------------------------
  /** Tabs showing the table (the component counts itself in and out). */
  const viewers = ref(0)
  const pageVisible = ref(typeof document === 'undefined' || document.visibilityState !== 'hidden')
  /** Someone is looking at a running server's table (or at the attached source's answer). */
  const canAsk = computed(() => viewers.value > 0 && pageVisible.value && (running.value || attached.value))
  const polling = computed(() => canAsk.value && !paused.value && !notAvailable.value)
  let timer: ReturnType<typeof setTimeout> | null = null
  let inFlight = false
  /** Bumped when the query changes: an answer to an older query is dropped. */
  let generation = 0
  let lastAskedAt = -Infinity

  function onVisibility(): void {
    pageVisible.value = document.visibilityState !== 'hidden'
  }

  function schedule(delay: number, once = false): void {
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      void poll(once)
    }, Math.max(0, delay))
  }

  /** `once`: one table even while paused (the user changed the sort or the filter). */
  async function poll(once = false): Promise<void> {
    if (!(once ? canAsk.value : polling.value) || inFlight) return
    inFlight = true
    const gen = generation
    lastAskedAt = Date.now()
    const r = await call(() => getApi().sessions(query.value))
    inFlight = false
    if (gen === generation) {
      loading.value = false
      if (r.ok) accept(r.value)
      else error.value = r.error
    }
    // The query changed while this one was out: ask for the new one now.
    if (gen !== generation) schedule(0, true)
    else if (polling.value) schedule(SESSIONS_MIN_INTERVAL_MS - (Date.now() - lastAskedAt))
  }

  function accept(t: SessionTable): void {
    table.value = t
    error.value = null
    if (selectedId.value === null) return
    const row = t.rows.find((r) => r.id === selectedId.value)
    selectedInTable.value = !!row
    if (!row) return
    selected.value = row
    const next = rates.value.length >= MAX_RATE_POINTS ? rates.value.slice(1) : rates.value.slice()
    next.push({ t: Date.now(), bytesInPerS: row.bytesInPerS, bytesOutPerS: row.bytesOutPerS })
    rates.value = next
  }

  watch(polling, (on) => {
    if (on) {
      if (!table.value) loading.value = true
      schedule(SESSIONS_MIN_INTERVAL_MS - (Date.now() - lastAskedAt))
    } else if (timer !== null) {
      clearTimeout(timer)
      timer = null
    }
  })

  watch(query, () => {
    generation++
    error.value = null
    if (!canAsk.value) return
    loading.value = true
    // A new query is a different cache entry on the service: it may be asked at once (also while
    // paused: the user asked for this order or filter). An answer in flight reschedules itself.
    if (!inFlight) {
      if (timer !== null) clearTimeout(timer)
      timer = null
      void poll(true)
    }
  })

  // A stopped server has no sessions: the old table would only mislead.
  watch(running, (on) => {
    if (!on) {
      table.value = null
      loading.value = false
      selectedInTable.value = false
    }
  })

  /** The Sessions tab shows the table: counts a viewer in; the returned function counts it out. */
  function attach(): () => void {
    if (viewers.value++ === 0 && typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility)
    return () => {
      if (--viewers.value === 0 && typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility)
    }
  }

  function setPaused(v: boolean): void {
    paused.value = v
  }

  // A new source: the previous answer (a table, or `not-available`) was about the old one.
  watch(attached, () => {
    table.value = null
    error.value = null
    selectedInTable.value = false
  })

  /** Asks again now (Resume, after a close), within the service's 2 Hz limit. */
  function refreshSoon(): void {
    if (polling.value && !inFlight) schedule(0)
  }

  // ---- selection and closing -------------------------------------------------------------------
  function select(row: SessionRow | null): void {
    closing.value = null
    if (!row) {
      selectedId.value = null
      selected.value = null
      rates.value = []
      return
    }
    if (row.id !== selectedId.value) rates.value = [{ t: Date.now(), bytesInPerS: row.bytesInPerS, bytesOutPerS: row.bytesOutPerS }]
    selectedId.value = row.id
    selected.value = row
    selectedInTable.value = true
  }

  /** FIN (graceful) or RST (abortive); the next table shows the result. */
  async function closeSelected(abortive: boolean): Promise<CloseOutcome | null> {
    const id = selectedId.value
    if (id === null || closing.value) return null
    closing.value = abortive ? 'abortive' : 'graceful'
    let r: Result<unknown>
    try {
      r = await call(() => getApi().closeSession({ id, abortive }))
    } finally {
      closing.value = null
    }
    refreshSoon()
    if (r.ok) return { kind: 'closed', abortive }
    if (r.error.code === 'not-found') {
      selectedInTable.value = false
      return { kind: 'gone' }
    }
    return { kind: 'failed', error: r.error }
  }

  /**
   * The Export dialog's session CSV: every matched session (up to 10,000, not just the rows shown)
   * by the current key and filter, downloaded as a file (a Blob behind an <a download>; Electron
   * offers its own save dialog for it).
   */
  async function exportCsv(): Promise<Result<{ rows: number; fileName: string }>> {
    const r = await call(() => getApi().sessions({ ...query.value, limit: MAX_SESSION_ROWS }))
    if (!r.ok) return r
    const fileName = `iocp-monitor-sessions-${fileTimestamp(Date.now())}.csv`
    downloadText(fileName, sessionsToCsv(r.value))
    return { ok: true, value: { rows: r.value.rows.length, fileName } }
  }

  return {
    key,
    sort,
    rows,
    sortBy,
    addressPrefix,
    worker,
    showAll,
    paused,
    table,
    error,
    loading,
    limit,
    query,
    running,
    attached,
    notAvailable,
    polling,
    selectedId,
    selected,
    selectedInTable,
    rates,
    closing,
    attach,
    setPaused,
    refreshSoon,
    select,
    closeSelected,
    exportCsv,
  }
})
