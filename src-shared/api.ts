// The IPC contract: channel names and the one `api` interface the renderer talks to. Electron's
// preload implements it over ipcRenderer; the browser build implements it over the token-protected
// WebSocket bridge. Both transports carry the same messages, validated by ./validate.
import type { EngineConfig, FieldError } from './engine-config'
import type { StartInfo, CatalogEntry } from './engine-snapshot'
import type { MetricsTick } from './metrics'
import type { LoadConfig, LoadProgress, LoadRequest, LoadState, LoadSummary } from './load'
import { FEATURE_CHANNELS, type FeatureApi, type FeatureInvokeChannel } from './features'

export const CHANNELS = {
  start: 'server:start',
  stop: 'server:stop',
  status: 'server:status',
  history: 'metrics:history',
  exportCsv: 'export:csv',
  catalog: 'errors:catalog',
  /** main → renderer events */
  tick: 'metrics:tick',
  statusChanged: 'server:status-changed',
  /** The built-in load generator (src-shared/load.ts). */
  loadStart: 'load:start',
  loadStop: 'load:stop',
  loadStatus: 'load:status',
  /** main → renderer: one LoadProgress per sampler tick while a run lasts, then LoadSummary. */
  loadProgress: 'load:progress',
  loadFinished: 'load:finished',
  /** Alerts, recording & replay, config (src-shared/features.ts). */
  ...FEATURE_CHANNELS,
} as const

export type InvokeChannel = 'server:start' | 'server:stop' | 'server:status' | 'metrics:history' | 'export:csv' | 'errors:catalog'
  | 'load:start' | 'load:stop' | 'load:status'
  | FeatureInvokeChannel

export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed'

export interface ApiError {
  message: string
  /** Portable error name (address-in-use, invalid-config, …). */
  code: string
  /** Native number when the error came from the OS. */
  nativeCode?: number
  nativeName?: string
  fieldErrors?: FieldError[]
}

export interface ServerStatus {
  state: ServerState
  config: EngineConfig | null
  info: StartInfo | null
  startedAt: number | null
  lastError: ApiError | null
}

export interface ExportRequest {
  /** Only samples at or after this epoch-ms time; omitted = everything in history. */
  sinceMs?: number
  /** Only samples at or before this epoch-ms time; omitted = up to the newest sample. */
  untilMs?: number
  /**
   * CSV columns to write (names from the fixed schema, e.g. "timestamp", "queue_depth"); they are
   * written in the schema's order whatever order they are given in. Omitted = every column.
   */
  columns?: string[]
}

export interface ExportResult {
  /** In Electron: the saved file path (or null when cancelled). */
  path: string | null
  rows: number
  /** In the browser transport the CSV text itself, for a download. */
  csv?: string
}

export interface LoadStatus {
  state: LoadState
  /** The run in progress (resolved target included), null when idle. */
  config: LoadConfig | null
  /** Epoch ms when the current run started, null when idle. */
  startedAt: number | null
  /** The newest sample of the current run (after a run: its final sample). */
  progress: LoadProgress | null
  lastSummary: LoadSummary | null
  /** Why the last start failed (connection-refused, name-not-resolved, …); cleared by a start. */
  lastError: ApiError | null
}

/** Every call resolves with {ok,value} or {ok:false,error}: errors cross IPC as data, not throws. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

export interface MonitorApi extends FeatureApi {
  start(config: Partial<EngineConfig>): Promise<Result<ServerStatus>>
  stop(): Promise<Result<ServerStatus>>
  status(): Promise<Result<ServerStatus>>
  history(): Promise<Result<MetricsTick[]>>
  exportCsv(req: ExportRequest): Promise<Result<ExportResult>>
  catalog(): Promise<Result<CatalogEntry[]>>
  onTick(cb: (tick: MetricsTick) => void): () => void
  onStatus(cb: (status: ServerStatus) => void): () => void
  /** Resolves once the run has started (or failed to); its end arrives as onLoadFinished. */
  loadStart(config: LoadRequest): Promise<Result<LoadStatus>>
  /** Ends the run within ~100 ms and resolves with the status holding its summary. */
  loadStop(): Promise<Result<LoadStatus>>
  loadStatus(): Promise<Result<LoadStatus>>
  onLoadProgress(cb: (progress: LoadProgress) => void): () => void
  onLoadFinished(cb: (summary: LoadSummary) => void): () => void
}
