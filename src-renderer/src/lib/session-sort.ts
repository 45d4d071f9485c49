// How the Sessions table orders its rows. Four columns are ordered by the service (it returns the
// top N by that key, so the order covers every session, not just the rows received); the others
// are ordered here, over the rows received. Pure functions: the store and the table share them.
import type { SessionRow, SessionSortKey } from '../../../src-shared/sessions'

export const SESSION_COLUMNS = ['remote', 'worker', 'age', 'bytesIn', 'bytesOut', 'rateIn', 'rateOut', 'sendQueue', 'state', 'lastError'] as const
export type SessionColumn = (typeof SESSION_COLUMNS)[number]

/** The service's sort key behind a column; columns without one are sorted client-side. */
export const SERVER_KEY_OF: Partial<Record<SessionColumn, SessionSortKey>> = {
  age: 'age',
  rateIn: 'bytesPerS',
  rateOut: 'bytesPerS',
  sendQueue: 'sendQueue',
  lastError: 'errors',
}

export type SortDir = 'asc' | 'desc'

export interface SessionSort {
  column: SessionColumn
  dir: SortDir
}

const STATE_ORDER = { open: 0, 'half-closed': 1, closing: 2 } as const

/** Compares a remote address as text, then its port as a number ("…:9" before "…:10"). */
function compareAddress(a: string, b: string): number {
  const ia = a.lastIndexOf(':')
  const ib = b.lastIndexOf(':')
  const host = a.slice(0, ia).localeCompare(b.slice(0, ib))
  return host !== 0 ? host : Number(a.slice(ia + 1)) - Number(b.slice(ib + 1))
}

const CLIENT_COMPARE: Partial<Record<SessionColumn, (a: SessionRow, b: SessionRow) => number>> = {
  remote: (a, b) => compareAddress(a.remote, b.remote),
  worker: (a, b) => a.worker - b.worker,
  bytesIn: (a, b) => a.bytesIn - b.bytesIn,
  bytesOut: (a, b) => a.bytesOut - b.bytesOut,
  state: (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state],
}

/** The default direction of a newly chosen column: the service's columns are largest first. */
export function defaultDir(column: SessionColumn): SortDir {
  return column === 'remote' || column === 'worker' || column === 'state' ? 'asc' : 'desc'
}

/**
 * Rows in display order. Service-sorted columns keep the service's order (largest first; age:
 * oldest first) and only reverse it for 'asc'; the others sort the received rows (stable, by id
 * last so equal rows do not swap places between tables).
 */
export function orderRows(rows: readonly SessionRow[], sort: SessionSort): readonly SessionRow[] {
  const cmp = CLIENT_COMPARE[sort.column]
  if (!cmp) return sort.dir === 'desc' ? rows : rows.slice().reverse()
  const sign = sort.dir === 'asc' ? 1 : -1
  return rows.slice().sort((a, b) => sign * cmp(a, b) || a.id - b.id)
}
