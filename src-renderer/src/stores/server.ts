// Server lifecycle as the dashboard sees it: the service's status, the call in flight, the last
// ApiError, the transport's connection and the last export. Every transport call resolves with a
// Result; a rejected promise (a broken transport) is converted, so the page never crashes on it.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ExportRequest, ServerStatus } from '../../../src-shared/api'
import type { MonitorApi } from '../../../src-shared/contract'
import type { ApiError, Result } from '../../../src-shared/result'
import type { EngineConfig } from '../../../src-shared/engine-config'
import type { StartInfo } from '../../../src-shared/engine-snapshot'
import { getApi, isConnectionAware } from '../api'
import { call } from '../api/call'
import type { ConnectionState } from '../api/ws-api'
import { downloadText } from '../lib/download'
import { fileTimestamp } from '../lib/format'
import { useMetricsStore } from './metrics'

export type PendingAction = 'start' | 'stop'

export interface ExportOutcome {
  rows: number
  /** Electron: where the file was saved (null: the user cancelled the dialog). */
  path: string | null
  /** Browser: the name the download was offered under. */
  fileName: string | null
}

const INITIAL_STATUS: ServerStatus = { state: 'stopped', config: null, info: null, startedAt: null, lastError: null }

function isStatus(v: unknown): v is ServerStatus {
  const s = v as ServerStatus
  return typeof v === 'object' && v !== null && typeof s.state === 'string' && 'startedAt' in s
}

function sameError(a: ApiError | null, b: ApiError | null): boolean {
  return !!a && !!b && a.code === b.code && a.message === b.message && a.nativeCode === b.nativeCode
}

export const useServerStore = defineStore('server', () => {
  const status = shallowRef<ServerStatus>(INITIAL_STATUS)
  const lastError = shallowRef<ApiError | null>(null)
  const pending = ref<PendingAction | null>(null)
  const connection = ref<ConnectionState>('open')
  const lastExport = shallowRef<ExportOutcome | null>(null)
  const exporting = ref(false)
  /** Bumped after every reconnect of the transport: feature stores reload their state then. */
  const reconnects = ref(0)
  /**
   * The backend the running or last server actually used (what `auto` resolved to on this host),
   * kept after it stops, when the status no longer carries it; null before any start was seen.
   */
  const resolvedBackend = ref<StartInfo['backend'] | null>(null)

  const unsubscribe: (() => void)[] = []
  let started = false

  function api(): MonitorApi {
    return getApi()
  }

  /** `newRun` forces the window to be trimmed to this run even if startedAt looks unchanged. */
  function applyStatus(s: unknown, newRun = false): void {
    if (!isStatus(s)) return
    const prev = status.value
    status.value = s
    if (s.info) resolvedBackend.value = s.info.backend
    if (s.startedAt !== null && (newRun || s.startedAt !== prev.startedAt)) useMetricsStore().startRun(s.startedAt)
    // A run that died on its own (not through a call of ours) reports why in the status.
    if (s.state === 'failed' && s.lastError && !sameError(s.lastError, prev.lastError)) lastError.value = s.lastError
  }

  /** Status, catalog and history: on first load and again after every reconnect. */
  async function refresh(): Promise<void> {
    const metrics = useMetricsStore()
    // Live ticks that arrive before the history is in are queued behind it.
    metrics.hold()
    const [st, cat, hist] = await Promise.all([call(() => api().status()), call(() => api().catalog()), call(() => api().history())])
    if (cat.ok) metrics.setCatalog(cat.value)
    if (hist.ok) metrics.backfill(hist.value)
    else metrics.release()
    // History may hold earlier runs: trim the window to the current one.
    if (st.ok) applyStatus(st.value, true)
    else lastError.value = st.error
  }

  /** Subscribes to the transport and loads the initial state. Idempotent. */
  async function init(): Promise<void> {
    if (started) return
    started = true
    const a = api()
    const metrics = useMetricsStore()
    unsubscribe.push(a.onTick((t) => metrics.ingest(t)))
    unsubscribe.push(a.onStatus((s) => applyStatus(s)))
    if (isConnectionAware(a)) {
      connection.value = a.connectionState()
      // The first open just delivers the refresh below (its requests wait for the socket);
      // every later one is a reconnect after which state may have moved on: load it again.
      let opened = connection.value === 'open'
      unsubscribe.push(
        a.onConnection((c) => {
          connection.value = c
          if (c !== 'open') return
          if (opened) {
            reconnects.value++
            void refresh()
          }
          opened = true
        }),
      )
    }
    await refresh()
  }

  function dispose(): void {
    for (const u of unsubscribe.splice(0)) u()
    started = false
  }

  async function start(config: Partial<EngineConfig>): Promise<boolean> {
    if (pending.value) return false
    pending.value = 'start'
    lastError.value = null
    try {
      const r = await call(() => api().start(config))
      if (r.ok) {
        applyStatus(r.value)
        return true
      }
      lastError.value = r.error
      // The service may have moved to `failed`; pick that up without waiting for an event.
      const st = await call(() => api().status())
      if (st.ok) applyStatus(st.value)
      return false
    } finally {
      pending.value = null
    }
  }

  async function stop(): Promise<boolean> {
    if (pending.value) return false
    pending.value = 'stop'
    try {
      const r = await call(() => api().stop())
      if (r.ok) {
        applyStatus(r.value)
        return true
      }
      lastError.value = r.error
      return false
    } finally {
      pending.value = null
    }
  }

  /**
   * Electron saves through a dialog in main; the browser receives the text and downloads it.
   * Failures come back to the caller (the export dialog shows them in place).
   */
  async function exportCsv(req: ExportRequest = {}): Promise<Result<ExportOutcome>> {
    if (exporting.value) return { ok: false, error: { code: 'busy', message: 'An export is already running.' } }
    exporting.value = true
    try {
      const r = await call(() => api().exportCsv(req))
      if (!r.ok) return r
      let fileName: string | null = null
      if (typeof r.value.csv === 'string') {
        fileName = `iocp-monitor-${fileTimestamp(Date.now())}.csv`
        downloadText(fileName, r.value.csv)
      }
      const outcome = { rows: r.value.rows, path: r.value.path, fileName }
      lastExport.value = outcome
      return { ok: true, value: outcome }
    } finally {
      exporting.value = false
    }
  }

  function dismissError(): void {
    lastError.value = null
  }

  return { status, lastError, pending, connection, lastExport, exporting, reconnects, resolvedBackend, init, dispose, refresh, start, stop, exportCsv, dismissError }
})
