// The IPC contract: channel names and the one `api` interface the renderer talks to. Electron's
// preload implements it over ipcRenderer; the browser build implements it over the token-protected
// WebSocket bridge. Both transports carry the same messages, validated by ./validate.
import type { EngineConfig, FieldError } from './engine-config'
import type { StartInfo, CatalogEntry } from './engine-snapshot'
import type { MetricsTick } from './metrics'

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
} as const

export type InvokeChannel = 'server:start' | 'server:stop' | 'server:status' | 'metrics:history' | 'export:csv' | 'errors:catalog'

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
}

export interface ExportResult {
  /** In Electron: the saved file path (or null when cancelled). */
  path: string | null
  rows: number
  /** In the browser transport the CSV text itself, for a download. */
  csv?: string
}

/** Every call resolves with {ok,value} or {ok:false,error}: errors cross IPC as data, not throws. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

export interface MonitorApi {
  start(config: Partial<EngineConfig>): Promise<Result<ServerStatus>>
  stop(): Promise<Result<ServerStatus>>
  status(): Promise<Result<ServerStatus>>
  history(): Promise<Result<MetricsTick[]>>
  exportCsv(req: ExportRequest): Promise<Result<ExportResult>>
  catalog(): Promise<Result<CatalogEntry[]>>
  onTick(cb: (tick: MetricsTick) => void): () => void
  onStatus(cb: (status: ServerStatus) => void): () => void
}
