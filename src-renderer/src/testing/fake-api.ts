// A scriptable MonitorApi for component and store tests: records calls, answers with whatever the
// test queued, and lets the test push ticks and status events as the service would.
import type { ApiError, ExportRequest, ExportResult, MonitorApi, Result, ServerStatus } from '../../../src-shared/api'
import type { EngineConfig } from '../../../src-shared/engine-config'
import type { CatalogEntry } from '../../../src-shared/engine-snapshot'
import type { MetricsTick, WorkerSample } from '../../../src-shared/metrics'

export const STOPPED: ServerStatus = { state: 'stopped', config: null, info: null, startedAt: null, lastError: null }

export class FakeApi implements MonitorApi {
  calls: { method: string; arg?: unknown }[] = []
  statusValue: ServerStatus = STOPPED
  historyValue: MetricsTick[] = []
  catalogValue: CatalogEntry[] = [{ name: 'connection-reset', en: 'The peer reset the connection (RST).', ko: '상대가 연결을 재설정했습니다 (RST).' }]
  startResult: Result<ServerStatus> | null = null
  exportResult: Result<ExportResult> = { ok: true, value: { path: '/tmp/x.csv', rows: 3 } }
  private ticks = new Set<(t: MetricsTick) => void>()
  private statuses = new Set<(s: ServerStatus) => void>()

  async start(config: Partial<EngineConfig>): Promise<Result<ServerStatus>> {
    this.calls.push({ method: 'start', arg: config })
    return this.startResult ?? { ok: true, value: { ...this.statusValue, state: 'running', startedAt: Date.now() } }
  }
  async stop(): Promise<Result<ServerStatus>> {
    this.calls.push({ method: 'stop' })
    return { ok: true, value: STOPPED }
  }
  async status(): Promise<Result<ServerStatus>> {
    this.calls.push({ method: 'status' })
    return { ok: true, value: this.statusValue }
  }
  async history(): Promise<Result<MetricsTick[]>> {
    this.calls.push({ method: 'history' })
    return { ok: true, value: this.historyValue }
  }
  async exportCsv(req: ExportRequest): Promise<Result<ExportResult>> {
    this.calls.push({ method: 'exportCsv', arg: req })
    return this.exportResult
  }
  async catalog(): Promise<Result<CatalogEntry[]>> {
    this.calls.push({ method: 'catalog' })
    return { ok: true, value: this.catalogValue }
  }
  onTick(cb: (tick: MetricsTick) => void): () => void {
    this.ticks.add(cb)
    return () => this.ticks.delete(cb)
  }
  onStatus(cb: (status: ServerStatus) => void): () => void {
    this.statuses.add(cb)
    return () => this.statuses.delete(cb)
  }

  emitTick(t: MetricsTick): void {
    for (const cb of this.ticks) cb(t)
  }
  emitStatus(s: ServerStatus): void {
    for (const cb of this.statuses) cb(s)
  }
}

export function sample(worker: number | 'all', over: Partial<WorkerSample> = {}): WorkerSample {
  return {
    worker,
    queueDepth: 0,
    inflight: 0,
    completionsTotal: 0,
    bytesInTotal: 0,
    bytesOutTotal: 0,
    errorsTotal: 0,
    sessions: 0,
    completionsPerS: 0,
    bytesInPerS: 0,
    bytesOutPerS: 0,
    errorsPerS: 0,
    busy: 0,
    ...over,
  }
}

/** A tick at time t with `workers` workers; counters grow with seq so ticks look cumulative. */
export function tick(seq: number, opts: { t?: number; workers?: number; errors?: MetricsTick['errors']; completions?: number } = {}): MetricsTick {
  const n = opts.workers ?? 2
  const completions = opts.completions ?? seq * 10
  return {
    t: opts.t ?? 1_000_000 + seq * 100,
    seq,
    workers: Array.from({ length: n }, (_, i) => sample(i, { queueDepth: (seq + i) % 5, completionsTotal: completions / n })),
    total: sample('all', { completionsTotal: completions, bytesInTotal: seq * 100 }),
    errors: opts.errors ?? [],
  }
}

export const ADDRESS_IN_USE: ApiError = {
  code: 'address-in-use',
  message: 'bind failed: address-in-use (EADDRINUSE, 98) — The address and port are already in use.',
  nativeCode: 98,
  nativeName: 'EADDRINUSE',
}
