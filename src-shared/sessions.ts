// The session table: one row per live connection of the server (the Sessions tab, the session
// CSV of `serve --sessions-csv` and of the Export dialog). The engine builds it on request (at
// most every SESSIONS_MIN_INTERVAL_MS per query; nothing is pushed with the metric ticks).
import { invalidMessage, isPlainObject, unknownKeys } from './guards'
import type { Result } from './result'

export const SESSION_SORT_KEYS = ['bytesPerS', 'sendQueue', 'age', 'errors'] as const
export type SessionSortKey = (typeof SESSION_SORT_KEYS)[number]
export const MAX_SESSION_ROWS = 10000
/** The same query asked again sooner gets the previous table: the table is asked for at ≤ 2 Hz. */
export const SESSIONS_MIN_INTERVAL_MS = 500

export interface SessionQuery {
  /** Largest first (age: oldest first). Default bytesPerS. */
  key?: SessionSortKey
  /** Rows returned, 1–10000 (default 100). */
  limit?: number
  /** Only this worker's sessions (default every worker). */
  worker?: number
  /** Only sessions whose remote address ("127.0.0.1:50312", "[::1]:50312") starts with this. */
  addressPrefix?: string
}

export type SessionState = 'open' | 'half-closed' | 'closing'

export interface SessionRow {
  /** Unique for the life of the server process; what sessions:close takes. */
  id: number
  worker: number
  local: string
  remote: string
  ageMs: number
  bytesIn: number
  bytesOut: number
  completions: number
  errors: number
  /** Bytes queued for sending now, and the most ever queued. */
  sendQueue: number
  peakSendQueue: number
  /** Since the previous table (or since the session opened). */
  bytesInPerS: number
  bytesOutPerS: number
  state: SessionState
  lastError: { code: number; nativeName: string; name: string } | null
}

export interface SessionTable {
  monoNs: number
  /** The configured send-queue limit, for a bar against it. */
  sendQueueLimit: number
  /** Sessions open now, and of them the ones the query's filter kept. */
  live: number
  matched: number
  /** Totals over the matched sessions. */
  bytesIn: number
  bytesOut: number
  sendQueue: number
  rows: SessionRow[]
}

export interface SessionCloseRequest {
  id: number
  /** RST (SO_LINGER {1, 0}) instead of FIN. */
  abortive: boolean
}

export interface SessionCloseResult {
  id: number
  abortive: boolean
}

const QUERY_KEYS: Record<keyof SessionQuery, true> = { key: true, limit: true, worker: true, addressPrefix: true }

export function validateSessionQuery(payload: unknown, channel: string): Result<Required<SessionQuery>> {
  const bad = (why: string): Result<Required<SessionQuery>> => ({ ok: false, error: invalidMessage(`invalid message on ${channel}: ${why}`) })
  const p = payload === undefined ? {} : payload
  if (!isPlainObject(p)) return bad('expected a query object')
  const extra = unknownKeys(p, QUERY_KEYS)
  if (extra.length) return bad(`unknown field ${extra[0]}`)
  const key = p.key ?? 'bytesPerS'
  if (!SESSION_SORT_KEYS.includes(key as SessionSortKey)) return bad(`key must be one of ${SESSION_SORT_KEYS.join(', ')}`)
  const limit = p.limit ?? 100
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_SESSION_ROWS) return bad(`limit must be an integer from 1 to ${MAX_SESSION_ROWS}`)
  const worker = p.worker ?? -1
  if (!Number.isInteger(worker) || (worker as number) < -1 || (worker as number) > 1024) return bad('worker must be a worker index (or -1 for all)')
  const addressPrefix = p.addressPrefix ?? ''
  if (typeof addressPrefix !== 'string' || addressPrefix.length > 64) return bad('addressPrefix must be a string of at most 64 characters')
  return { ok: true, value: { key: key as SessionSortKey, limit: limit as number, worker: worker as number, addressPrefix } }
}

export function validateSessionClose(payload: unknown, channel: string): Result<SessionCloseRequest> {
  const bad = (why: string): Result<SessionCloseRequest> => ({ ok: false, error: invalidMessage(`invalid message on ${channel}: ${why}`) })
  if (!isPlainObject(payload)) return bad('expected {id, abortive}')
  const extra = unknownKeys(payload, { id: true, abortive: true })
  if (extra.length) return bad(`unknown field ${extra[0]}`)
  if (!Number.isSafeInteger(payload.id) || (payload.id as number) < 1) return bad('id must be a session id')
  if (typeof payload.abortive !== 'boolean') return bad('abortive must be true or false')
  return { ok: true, value: { id: payload.id as number, abortive: payload.abortive } }
}

/** The CSV columns of a session table, in order. */
export const SESSION_CSV_COLUMNS = [
  'id', 'worker', 'local', 'remote', 'age_ms', 'state', 'bytes_in', 'bytes_out', 'bytes_in_per_s', 'bytes_out_per_s',
  'completions', 'send_queue', 'peak_send_queue', 'errors', 'last_error', 'last_error_code',
] as const

/** One table as CSV text (header + one line per row); addresses are quoted (IPv6 brackets, colons). */
export function sessionsToCsv(t: SessionTable): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`
  const lines = [SESSION_CSV_COLUMNS.join(',')]
  for (const r of t.rows) {
    lines.push([
      r.id, r.worker, quote(r.local), quote(r.remote), Math.round(r.ageMs), r.state, r.bytesIn, r.bytesOut,
      r.bytesInPerS.toFixed(1), r.bytesOutPerS.toFixed(1), r.completions, r.sendQueue, r.peakSendQueue, r.errors,
      r.lastError?.name ?? '', r.lastError?.code ?? '',
    ].join(','))
  }
  return lines.join('\n') + '\n'
}
