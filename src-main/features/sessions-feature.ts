// The sessions feature: the session table (sessions:table) and closing one session
// (sessions:close). The table is built by the engine on request, never pushed with the ticks; the
// same query asked again within SESSIONS_MIN_INTERVAL_MS gets the previous table, so any number of
// dashboard tabs cost the engine at most two passes over the sessions per second and query.
import type { ChannelHandlers } from '../../src-shared/contract'
import type { Result } from '../../src-shared/result'
import { SESSIONS_MIN_INTERVAL_MS, type SessionCloseRequest, type SessionCloseResult, type SessionQuery, type SessionTable } from '../../src-shared/sessions'
import type { NativeEngine } from '../addon/native-addon'
import { apiError, toApiError } from '../service/api-error'

export type SessionSource = Pick<NativeEngine, 'sessions' | 'closeSession' | 'running'>

export class SessionsFeature {
  private cache: { query: string; at: number; table: SessionTable } | null = null

  constructor(
    private readonly engine: SessionSource,
    private readonly now: () => number,
    /** Why there is no table to show now (another source is sampled), or null. */
    private readonly unavailable: () => string | null = () => null,
  ) {}

  handlers(): Pick<ChannelHandlers, 'sessions:table' | 'sessions:close'> {
    return {
      'sessions:table': async (q) => this.table(q),
      'sessions:close': async (req) => this.close(req),
    }
  }

  table(q: Required<SessionQuery>): Result<SessionTable> {
    const why = this.unavailable()
    if (why) return { ok: false, error: apiError('not-available', why) }
    const key = JSON.stringify(q)
    const now = this.now()
    if (this.cache && this.cache.query === key && now - this.cache.at < SESSIONS_MIN_INTERVAL_MS) return { ok: true, value: this.cache.table }
    try {
      const table = this.engine.sessions(q)
      this.cache = { query: key, at: now, table }
      return { ok: true, value: table }
    } catch (err) {
      return { ok: false, error: toApiError(err) }
    }
  }

  close(req: SessionCloseRequest): Result<SessionCloseResult> {
    if (!this.engine.running) return { ok: false, error: apiError('not-running', 'the server is not running') }
    this.cache = null  // the next table shows the close
    if (!this.engine.closeSession(req.id, req.abortive)) {
      return { ok: false, error: apiError('not-found', `session ${req.id} is not open (it may have closed meanwhile)`) }
    }
    return { ok: true, value: { id: req.id, abortive: req.abortive } }
  }
}
