// Session tables for tests: `sessionRow(id)` with plausible values, `sessionTable(n)` with n rows.
import type { SessionRow, SessionTable } from '../../../src-shared/sessions'

export function sessionRow(id: number, over: Partial<SessionRow> = {}): SessionRow {
  return {
    id,
    worker: id % 2,
    local: '127.0.0.1:9000',
    remote: `127.0.0.1:${40000 + id}`,
    ageMs: 1000 * id,
    bytesIn: 100 * id,
    bytesOut: 100 * id,
    completions: 2 * id,
    errors: 0,
    sendQueue: 0,
    peakSendQueue: 0,
    bytesInPerS: 10 * id,
    bytesOutPerS: 10 * id,
    state: 'open',
    lastError: null,
    ...over,
  }
}

export function sessionTable(n: number, over: Partial<SessionTable> = {}, rowOver: (id: number) => Partial<SessionRow> = () => ({})): SessionTable {
  const rows = Array.from({ length: n }, (_, i) => sessionRow(n - i, rowOver(n - i)))
  return {
    monoNs: 1,
    sendQueueLimit: 4 * 1024 * 1024,
    live: n,
    matched: n,
    bytesIn: rows.reduce((a, r) => a + r.bytesIn, 0),
    bytesOut: rows.reduce((a, r) => a + r.bytesOut, 0),
    sendQueue: 0,
    rows,
    ...over,
  }
}
