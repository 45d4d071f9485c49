// A scriptable MonitorApi for component and store tests: records calls, answers with whatever the
// test queued, and lets the test push ticks, status and feature events as the service would.
import type { AlertEvent, AlertRule, AlertsState } from '../../../src-shared/alerts'
import type { ExportRequest, ExportResult, LoadStatus, ServerStatus } from '../../../src-shared/api'
import type { MonitorApi } from '../../../src-shared/contract'
import type { ApiError, Result } from '../../../src-shared/result'
import { DEFAULT_APP_CONFIG, type AppConfigPatch, type ConfigState } from '../../../src-shared/app-config'
import type { EngineConfig } from '../../../src-shared/engine-config'
import type { CatalogEntry } from '../../../src-shared/engine-snapshot'
import type {
  AlertsSetRequest,
  OpenedRecording,
  RecordingOpenRequest,
  RecordingStatus,
  ReplayRequest,
  ReplayStatus,
} from '../../../src-shared/features'
import { DEFAULT_LOAD_CONFIG, NO_FAULTS, type LoadProgress, type LoadRequest, type LoadSummary } from '../../../src-shared/load'
import type { MetricsTick, WorkerSample } from '../../../src-shared/metrics'

export const STOPPED: ServerStatus = { state: 'stopped', config: null, info: null, startedAt: null, lastError: null }
export const LOAD_IDLE: LoadStatus = { state: 'idle', config: null, startedAt: null, progress: null, lastSummary: null, lastError: null }
export const RECORDING_IDLE: RecordingStatus = { state: 'idle', path: null, startedAt: null, ticks: 0, lastError: null }
export const REPLAY_IDLE: ReplayStatus = { state: 'idle', position: 0, total: 0, speed: 1, source: null }

type Listener = (v: never) => void

export class FakeApi implements MonitorApi {
  calls: { method: string; arg?: unknown }[] = []
  statusValue: ServerStatus = STOPPED
  historyValue: MetricsTick[] = []
  catalogValue: CatalogEntry[] = [{ name: 'connection-reset', en: 'The peer reset the connection (RST).', ko: '상대가 연결을 재설정했습니다 (RST).' }]
  startResult: Result<ServerStatus> | null = null
  exportResult: Result<ExportResult> = { ok: true, value: { path: '/tmp/x.csv', rows: 3 } }
  loadValue: LoadStatus = LOAD_IDLE
  loadStartResult: Result<LoadStatus> | null = null
  alertsValue: AlertsState = { rules: [], active: [] }
  /** Set to an ApiError to make every feature call (alerts, recording, config) fail with it. */
  featuresError: ApiError | null = null
  configValue: ConfigState = {
    config: structuredClone(DEFAULT_APP_CONFIG),
    path: '/home/u/.config/iocp-monitor/config.json',
    notice: null,
    metrics: { url: null, error: null },
  }
  recordingValue: RecordingStatus = RECORDING_IDLE
  openResult: Result<OpenedRecording | null> = { ok: true, value: null }
  replayValue: ReplayStatus = REPLAY_IDLE
  private listeners = new Map<string, Set<Listener>>()

  private on<T>(event: string, cb: (v: T) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(cb as Listener)
    return () => set.delete(cb as Listener)
  }
  emit(event: string, value: unknown): void {
    for (const cb of this.listeners.get(event) ?? []) (cb as (v: unknown) => void)(value)
  }
  private feature<T>(method: string, arg: unknown, value: () => T): Promise<Result<T>> {
    this.calls.push({ method, arg })
    if (this.featuresError) return Promise.resolve({ ok: false, error: this.featuresError })
    return Promise.resolve({ ok: true, value: value() })
  }

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
    return this.on('tick', cb)
  }
  onStatus(cb: (status: ServerStatus) => void): () => void {
    return this.on('status', cb)
  }

  async loadStart(config: LoadRequest): Promise<Result<LoadStatus>> {
    this.calls.push({ method: 'loadStart', arg: config })
    if (this.loadStartResult) return this.loadStartResult
    this.loadValue = { ...LOAD_IDLE, state: 'running', startedAt: Date.now(), config: { ...DEFAULT_LOAD_CONFIG, ...config, faults: { ...NO_FAULTS, ...config.faults } } }
    return { ok: true, value: this.loadValue }
  }
  async loadStop(): Promise<Result<LoadStatus>> {
    this.calls.push({ method: 'loadStop' })
    this.loadValue = { ...this.loadValue, state: 'idle' }
    return { ok: true, value: this.loadValue }
  }
  async loadStatus(): Promise<Result<LoadStatus>> {
    this.calls.push({ method: 'loadStatus' })
    return { ok: true, value: this.loadValue }
  }
  onLoadProgress(cb: (progress: LoadProgress) => void): () => void {
    return this.on('loadProgress', cb)
  }
  onLoadFinished(cb: (summary: LoadSummary) => void): () => void {
    return this.on('loadFinished', cb)
  }

  listAlerts(): Promise<Result<AlertsState>> {
    return this.feature('listAlerts', undefined, () => this.alertsValue)
  }
  setAlerts(req: AlertsSetRequest): Promise<Result<AlertsState>> {
    return this.feature('setAlerts', req, () => (this.alertsValue = { rules: req.rules.map((r) => ({ ...r })), active: [] }))
  }
  onAlert(cb: (event: AlertEvent) => void): () => void {
    return this.on('alert', cb)
  }
  startRecording(): Promise<Result<RecordingStatus>> {
    return this.feature('startRecording', undefined, () => (this.recordingValue = { ...RECORDING_IDLE, state: 'recording', path: '/tmp/rec.ndjson', startedAt: Date.now() }))
  }
  stopRecording(): Promise<Result<RecordingStatus>> {
    return this.feature('stopRecording', undefined, () => (this.recordingValue = { ...this.recordingValue, state: 'idle' }))
  }
  onRecordingStatus(cb: (status: RecordingStatus) => void): () => void {
    return this.on('recording', cb)
  }
  async openRecording(req?: RecordingOpenRequest): Promise<Result<OpenedRecording | null>> {
    this.calls.push({ method: 'openRecording', arg: req })
    if (this.featuresError) return { ok: false, error: this.featuresError }
    return this.openResult
  }
  startReplay(req?: ReplayRequest): Promise<Result<ReplayStatus>> {
    return this.feature('startReplay', req, () => (this.replayValue = { ...this.replayValue, state: 'playing', speed: req?.speed ?? 1 }))
  }
  stopReplay(): Promise<Result<ReplayStatus>> {
    return this.feature('stopReplay', undefined, () => (this.replayValue = { ...this.replayValue, state: 'stopped' }))
  }
  onReplayStatus(cb: (status: ReplayStatus) => void): () => void {
    return this.on('replay', cb)
  }
  getConfig(): Promise<Result<ConfigState>> {
    return this.feature('getConfig', undefined, () => this.configValue)
  }
  setConfig(patch: AppConfigPatch): Promise<Result<ConfigState>> {
    return this.feature('setConfig', patch, () => {
      const c = this.configValue.config
      this.configValue = {
        ...this.configValue,
        config: {
          ...c,
          ...(patch.alerts ? { alerts: patch.alerts } : {}),
          server: { ...c.server, ...patch.server },
          sampler: { ...c.sampler, ...patch.sampler },
          ui: { ...c.ui, ...patch.ui },
          prometheus: { ...c.prometheus, ...patch.prometheus },
        },
      }
      return this.configValue
    })
  }

  emitTick(t: MetricsTick): void {
    this.emit('tick', t)
  }
  emitStatus(s: ServerStatus): void {
    this.emit('status', s)
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
    workers: Array.from({ length: n }, (_, i) =>
      sample(i, { queueDepth: (seq + i) % 5, inflight: i + 1, busy: 0.1 * (i + 1), completionsTotal: completions / n, completionsPerS: 100 * (i + 1) }),
    ),
    total: sample('all', { completionsTotal: completions, bytesInTotal: seq * 100, sessions: n, bytesInPerS: 1000, completionsPerS: 100 * n }),
    errors: opts.errors ?? [],
  }
}

export function alertEvent(kind: AlertEvent['kind'], at: number, rule: Partial<AlertRule> = {}, id = 'a1'): AlertEvent {
  const r: AlertRule = { metric: 'queueDepth', worker: 'all', op: '>', threshold: 10, forSeconds: 0, ...rule }
  return { id, kind, rule: r, ruleIndex: 0, startedAt: at, at, value: kind === 'raised' ? 12 : 3, message: `${kind}` }
}

export const ADDRESS_IN_USE: ApiError = {
  code: 'address-in-use',
  message: 'bind failed: address-in-use (EADDRINUSE, 98) — The address and port are already in use.',
  nativeCode: 98,
  nativeName: 'EADDRINUSE',
}
