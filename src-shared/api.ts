// The server, export and load messages of the contract (./contract pairs them with channels):
// what the renderer sends and what the service answers.
import type { EngineConfig } from './engine-config'
import type { ApiError } from './result'
import type { StartInfo } from './engine-snapshot'
import type { LoadConfig, LoadProgress, LoadState, LoadSummary } from './load'

export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed'

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
