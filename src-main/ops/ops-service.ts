// The operations layer over MonitorService: alerts, recording & replay, the per-user config and
// the Prometheus endpoint. It listens to the service's ticks and status, answers its channels
// through service.handle() (so the WebSocket bridge serves them with no change of its own) and
// publishes its events through service.publish() (so every transport forwards them).
//
// Like MonitorService, every public method that takes a payload treats it as untrusted, validates
// it (src-shared/validate) and resolves with a Result; nothing throws into a caller. Paths are
// never taken from a renderer: Electron's glue passes the path its own file dialog returned
// (startRecordingTo / openRecordingFile); the bridge writes into `recordingsDir`.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { AlertEvent, AlertsState } from '../../src-shared/alerts'
import type { ServerStatus } from '../../src-shared/api'
import type { InvokeChannel } from '../../src-shared/contract'
import type { ApiError, Result } from '../../src-shared/result'
import { DEFAULT_APP_CONFIG, validateAppConfig, type AppConfig, type ConfigNotice, type ConfigState } from '../../src-shared/app-config'
import type { OpenedRecording, RecordingStatus, ReplayStatus } from '../../src-shared/features'
import type { MetricsTick } from '../../src-shared/metrics'
import { AlertEvaluator } from '../alerts/alert-evaluator'
import type { ConfigStore, LoadedConfig } from '../config/config-store'
import { PrometheusExporter, startMetricsServer, type MetricsHttpServer } from '../metrics-export/prometheus'
import { loadRecording, parseRecording, RecordingFormatError, type LoadedRecording } from '../recording/reader'
import { Replayer } from '../recording/replayer'
import { TickRecorder } from '../recording/recorder'
import { apiError } from '../service/api-error'
import { consoleLogger, type Logger } from '../service/log'
import type { MonitorService } from '../service/monitor-service'

export interface OpsServiceOptions {
  service: MonitorService
  /** Where the config is kept; null/absent = in memory only (CLI serve, tests). */
  store?: ConfigStore | null
  /** The store's load() result when the caller already needed it (to pick the sample rate). */
  loaded?: LoadedConfig
  /** Where recording:start writes when no path is given (the browser bridge). */
  recordingsDir?: string | null
  /** Start the /metrics endpoint as config.prometheus says (default true). */
  applyPrometheusConfig?: boolean
  /** Interface of the /metrics endpoint (loopback by default). */
  metricsHost?: string
  logger?: Logger
  now?: () => number
}

const IDLE_RECORDING: RecordingStatus = { state: 'idle', path: null, startedAt: null, ticks: 0, lastError: null }
const IDLE_REPLAY: ReplayStatus = { state: 'idle', position: 0, total: 0, speed: 1, source: null }

/** A file-name-safe local-free timestamp: 2026-11-26T01-53-00-123Z. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-')
}

/** Socket errors of the /metrics listener as portable names (as the engine reports its own). */
function listenError(err: unknown, port: number): ApiError {
  const e = err as NodeJS.ErrnoException
  const code = e.code === 'EADDRINUSE' ? 'address-in-use' : e.code === 'EACCES' ? 'permission-denied' : 'metrics-failed'
  return { code, message: `cannot serve /metrics on port ${port}: ${e.message}`, ...(e.code ? { nativeName: e.code } : {}) }
}

/** A file-system failure as an ApiError: our portable code, the OS's name and number kept. */
function fsFailure(err: unknown, code: string, message: string): ApiError {
  const e = err as NodeJS.ErrnoException
  const out: ApiError = { code, message }
  if (typeof e?.code === 'string') out.nativeName = e.code
  if (typeof e?.errno === 'number') out.nativeCode = Math.abs(e.errno)
  return out
}

export class OpsService {
  readonly exporter: PrometheusExporter
  private config: AppConfig
  private notice: ConfigNotice | null
  private readonly alerts = new AlertEvaluator()
  private readonly logger: Logger
  private readonly now: () => number
  private recorder: TickRecorder | null = null
  private recorderOpening = false
  private recording: RecordingStatus = { ...IDLE_RECORDING }
  private opened: LoadedRecording | null = null
  private replayer: Replayer | null = null
  private replay: ReplayStatus = { ...IDLE_REPLAY }
  private lastLive: MetricsTick | undefined
  private metrics: MetricsHttpServer | null = null
  private metricsError: ApiError | null = null
  private metricsQueue: Promise<unknown> = Promise.resolve()
  private disposed = false
  private readonly unhandle: (() => void)[] = []

  private readonly onTick = (tick: MetricsTick) => this.tick(tick)
  private readonly onStatus = (status: ServerStatus) => this.status(status)

  /** Loads the config (when there is a store) and applies it: alert rules, /metrics endpoint. */
  static async create(opts: OpsServiceOptions): Promise<OpsService> {
    const loaded = opts.loaded ?? (opts.store ? await opts.store.load() : { config: structuredClone(DEFAULT_APP_CONFIG), notice: null })
    const ops = new OpsService(opts, loaded.config, loaded.notice)
    if (loaded.notice) ops.logger.warn(`config: ${loaded.notice.message}`)
    if (opts.applyPrometheusConfig !== false) await ops.applyPrometheus()
    return ops
  }

  private constructor(
    private readonly opts: OpsServiceOptions,
    config: AppConfig,
    notice: ConfigNotice | null,
  ) {
    this.config = config
    this.notice = notice
    this.logger = opts.logger ?? consoleLogger
    this.now = opts.now ?? Date.now
    this.alerts.setRules(config.alerts, this.now())
    const { service } = opts
    this.exporter = new PrometheusExporter({
      snapshot: () => service.engineSnapshot(),
      lastTick: () => this.lastLive,
      serverUp: () => service.currentStatus().state === 'running',
    })
    service.on('metrics:tick', this.onTick)
    service.on('server:status-changed', this.onStatus)
    const handlers: [InvokeChannel, (p: unknown) => Promise<Result<unknown>>][] = [
      ['alerts:list', (p) => this.listAlerts(p)],
      ['alerts:set', (p) => this.setAlerts(p)],
      ['recording:start', (p) => this.startRecording(p)],
      ['recording:stop', (p) => this.stopRecording(p)],
      ['recording:open', (p) => this.openRecording(p)],
      ['replay:start', (p) => this.startReplay(p)],
      ['replay:stop', (p) => this.stopReplay(p)],
      ['config:get', (p) => this.getConfig(p)],
      ['config:set', (p) => this.setConfig(p)],
    ]
    for (const [channel, handler] of handlers) this.unhandle.push(service.handle(channel, handler))
  }

  private get service(): MonitorService {
    return this.opts.service
  }

  /** The current settings (Electron reads the UI language for notifications). */
  currentConfig(): AppConfig {
    return structuredClone(this.config)
  }

  // ---- alerts -----------------------------------------------------------------------------

  async listAlerts(payload?: unknown): Promise<Result<AlertsState>> {
    const v = this.service.validate('alerts:list', payload)
    if (!v.ok) return v
    return { ok: true, value: this.alertsState() }
  }

  /** Replaces the rules; saved to the config file first, so a failed save changes nothing. */
  async setAlerts(payload: unknown): Promise<Result<AlertsState>> {
    const v = this.service.validate('alerts:set', payload)
    if (!v.ok) return v
    const saved = await this.save({ ...this.config, alerts: v.value.rules })
    if (!saved.ok) return saved
    this.applyRules()
    return { ok: true, value: this.alertsState() }
  }

  private alertsState(): AlertsState {
    return { rules: this.alerts.rules, active: this.alerts.active() }
  }

  private applyRules(): void {
    this.publishAlerts(this.alerts.setRules(this.config.alerts, this.lastTickTime()))
  }

  private publishAlerts(events: AlertEvent[]): void {
    for (const e of events) {
      this.logger.info(`alert ${e.kind}: ${e.message}`)
      this.service.publish('alerts:event', e)
    }
  }

  private lastTickTime(): number {
    return this.service.lastTick()?.t ?? this.now()
  }

  // ---- recording --------------------------------------------------------------------------

  recordingStatus(): RecordingStatus {
    return { ...this.recording, ticks: this.recorder?.tickCount ?? this.recording.ticks, lastError: this.recording.lastError && { ...this.recording.lastError } }
  }

  /** The bridge's recording:start: a new file in recordingsDir. */
  async startRecording(payload?: unknown): Promise<Result<RecordingStatus>> {
    const v = this.service.validate('recording:start', payload)
    if (!v.ok) return v
    const dir = this.opts.recordingsDir
    if (!dir) return { ok: false, error: apiError('unavailable', 'recording needs a file chosen in the app (no recordings directory here)') }
    try {
      await mkdir(dir, { recursive: true })
    } catch (err) {
      return { ok: false, error: fsFailure(err, 'recording-failed', `cannot create ${dir}: ${(err as Error).message}`) }
    }
    // A name we made up must never replace an earlier recording.
    return this.startRecordingTo(join(dir, `iocp-monitor-${stamp(this.now())}.ndjson`), { exclusive: true })
  }

  /**
   * Starts recording every live tick to `path` (a path main chose: a dialog, a CLI flag). The file
   * is replaced if it exists (the dialog has asked), unless `exclusive`.
   */
  async startRecordingTo(path: string, opts: { exclusive?: boolean } = {}): Promise<Result<RecordingStatus>> {
    if (this.disposed) return { ok: false, error: apiError('disposed', 'the application is shutting down') }
    if (this.recorder || this.recorderOpening) return { ok: false, error: apiError('already-recording', 'a recording is already running; stop it first') }
    if (this.replayer?.active) return { ok: false, error: apiError('busy', 'a replay is playing; stop it before recording') }
    this.recorderOpening = true
    try {
      const rec = await TickRecorder.create(path, {
        exclusive: opts.exclusive,
        now: this.now,
        describe: () => {
          const s = this.service.currentStatus()
          return { config: s.config, info: s.info }
        },
        onError: (err) => void this.recorderFailed(rec, err),
      })
      this.recorder = rec
      this.recording = { state: 'recording', path, startedAt: rec.startedAt, ticks: 0, lastError: null }
    } catch (err) {
      return { ok: false, error: fsFailure(err, 'recording-failed', `cannot create ${path}: ${(err as Error).message}`) }
    } finally {
      this.recorderOpening = false
    }
    this.service.publish('recording:status', this.recordingStatus())
    return { ok: true, value: this.recordingStatus() }
  }

  /** Flushes and closes the recording; stopping when idle succeeds and changes nothing. */
  async stopRecording(payload?: unknown): Promise<Result<RecordingStatus>> {
    const v = this.service.validate('recording:stop', payload)
    if (!v.ok) return v
    const rec = this.recorder
    if (!rec) return { ok: true, value: this.recordingStatus() }
    this.recorder = null
    try {
      const r = await rec.stop()
      this.recording = { ...this.recording, state: 'idle', ticks: r.ticks, lastError: null }
    } catch (err) {
      const error = fsFailure(err, 'recording-failed', `recording to ${rec.path} failed: ${(err as Error).message}`)
      this.recording = { ...this.recording, state: 'idle', ticks: rec.tickCount, lastError: error }
      this.service.publish('recording:status', this.recordingStatus())
      return { ok: false, error }
    }
    this.service.publish('recording:status', this.recordingStatus())
    return { ok: true, value: this.recordingStatus() }
  }

  private async recorderFailed(rec: TickRecorder, err: Error): Promise<void> {
    if (this.recorder !== rec) return
    this.recorder = null
    await rec.stop().catch(() => undefined)
    const error = fsFailure(err, 'recording-failed', `recording to ${rec.path} stopped: ${err.message}`)
    this.recording = { ...this.recording, state: 'idle', ticks: rec.tickCount, lastError: error }
    this.logger.error(error.message)
    this.service.publish('recording:status', this.recordingStatus())
  }

  // ---- opening and replaying --------------------------------------------------------------

  /** The bridge's recording:open: the recording's NDJSON text, sent by the page. */
  async openRecording(payload?: unknown): Promise<Result<OpenedRecording | null>> {
    const v = this.service.validate('recording:open', payload)
    if (!v.ok) return v
    if (v.value.text === undefined) return { ok: false, error: apiError('unavailable', "send the recording's text ({text}); files are chosen in the desktop app") }
    const text = v.value.text
    return this.open(async () => parseRecording(text, 'upload'))
  }

  /** Opens a recording file chosen by main (Electron's dialog, the CLI). */
  openRecordingFile(path: string): Promise<Result<OpenedRecording | null>> {
    return this.open(() => loadRecording(path))
  }

  private async open(load: () => Promise<LoadedRecording>): Promise<Result<OpenedRecording | null>> {
    let rec: LoadedRecording
    try {
      rec = await load()
    } catch (err) {
      if (err instanceof RecordingFormatError) return { ok: false, error: apiError('invalid-recording', err.message) }
      return { ok: false, error: fsFailure(err, 'open-failed', `cannot read the recording: ${(err as Error)?.message ?? err}`) }
    }
    this.replayer?.stop()
    this.opened = rec
    return { ok: true, value: { summary: summarize(rec), ticks: rec.ticks } }
  }

  async startReplay(payload?: unknown): Promise<Result<ReplayStatus>> {
    const v = this.service.validate('replay:start', payload)
    if (!v.ok) return v
    const rec = this.opened
    if (!rec) return { ok: false, error: apiError('no-recording', 'open a recording first') }
    if (this.recorder || this.recorderOpening) return { ok: false, error: apiError('busy', 'a recording is running; stop it before replaying') }
    this.replayer?.stop()
    const begun = this.service.beginReplay()
    if (!begun.ok) return begun
    this.publishAlerts(this.alerts.reset(this.lastTickTime()))
    const { speed } = v.value
    const replayer: Replayer = new Replayer({
      ticks: rec.ticks,
      speed,
      emit: (tick) => this.service.replayTick(tick),
      onEnd: (how, position) => {
        if (this.replayer !== replayer) return
        this.service.endReplay()
        this.replay = { ...this.replay, state: how, position }
        this.publishAlerts(this.alerts.reset(this.lastTickTime()))
        this.service.publish('replay:status', { ...this.replay })
      },
    })
    this.replayer = replayer
    this.replay = { state: 'playing', position: 0, total: rec.ticks.length, speed, source: rec.source }
    this.service.publish('replay:status', { ...this.replay })
    replayer.start()
    return { ok: true, value: this.replayStatus() }
  }

  async stopReplay(payload?: unknown): Promise<Result<ReplayStatus>> {
    const v = this.service.validate('replay:stop', payload)
    if (!v.ok) return v
    this.replayer?.stop()
    return { ok: true, value: this.replayStatus() }
  }

  replayStatus(): ReplayStatus {
    return this.replayer?.active ? { ...this.replay, position: this.replayer.position } : { ...this.replay }
  }

  // ---- config -----------------------------------------------------------------------------

  async getConfig(payload?: unknown): Promise<Result<ConfigState>> {
    const v = this.service.validate('config:get', payload)
    if (!v.ok) return v
    return { ok: true, value: this.configState() }
  }

  /** Merges the patch over the current settings, saves them atomically, then applies them. */
  async setConfig(payload: unknown): Promise<Result<ConfigState>> {
    const v = this.service.validate('config:set', payload)
    if (!v.ok) return v
    const merged = validateAppConfig(v.value, this.config)
    if (!merged.ok) return { ok: false, error: { code: 'invalid-config', message: merged.errors.map((e) => e.message).join('; '), fieldErrors: merged.errors } }
    const saved = await this.save(merged.value)
    if (!saved.ok) return saved
    if (v.value.alerts) this.applyRules()
    if (v.value.prometheus) await this.applyPrometheus()
    return { ok: true, value: this.configState() }
  }

  private configState(): ConfigState {
    return {
      config: structuredClone(this.config),
      path: this.opts.store?.path ?? null,
      notice: this.notice && structuredClone(this.notice),
      metrics: { url: this.metrics?.url ?? null, error: this.metricsError && { ...this.metricsError } },
    }
  }

  private async save(config: AppConfig): Promise<Result<undefined>> {
    if (this.opts.store) {
      try {
        await this.opts.store.save(config)
      } catch (err) {
        return { ok: false, error: fsFailure(err, 'config-save-failed', `cannot save ${this.opts.store.path}: ${(err as Error).message}`) }
      }
    }
    this.config = config
    this.notice = null
    return { ok: true, value: undefined }
  }

  // ---- Prometheus -------------------------------------------------------------------------

  /** Serves /metrics on `port` (0 = a free port), replacing any endpoint already open. */
  startMetrics(port: number): Promise<Result<string>> {
    return this.serialiseMetrics(async () => {
      await this.closeMetrics()
      try {
        this.metrics = await startMetricsServer({ exporter: this.exporter, port, host: this.opts.metricsHost, logger: this.logger })
        this.metricsError = null
        return { ok: true as const, value: this.metrics.url }
      } catch (err) {
        this.metricsError = listenError(err, port)
        this.logger.error(this.metricsError.message)
        return { ok: false as const, error: { ...this.metricsError } }
      }
    })
  }

  stopMetrics(): Promise<void> {
    return this.serialiseMetrics(() => this.closeMetrics())
  }

  private async applyPrometheus(): Promise<void> {
    const { enabled, port } = this.config.prometheus
    if (!enabled) return this.stopMetrics()
    if (this.metrics?.port === port) return
    await this.startMetrics(port)
  }

  private async closeMetrics(): Promise<void> {
    const m = this.metrics
    this.metrics = null
    this.metricsError = null
    await m?.close()
  }

  /** Endpoint changes one at a time (two quick config:set calls must not race for the port). */
  private serialiseMetrics<T>(job: () => Promise<T>): Promise<T> {
    const run = this.metricsQueue.then(job, job)
    this.metricsQueue = run.catch(() => undefined)
    return run
  }

  // ---- life cycle -------------------------------------------------------------------------

  private tick(tick: MetricsTick): void {
    if (!this.replayer?.active) {
      this.lastLive = tick
      this.recorder?.write(tick)
    }
    this.publishAlerts(this.alerts.evaluate(tick))
  }

  private status(status: ServerStatus): void {
    // A live run replaces a replay (the service has already stopped feeding it).
    if (status.state === 'starting') this.replayer?.stop()
    // No more data: nothing can be said to still be alerting.
    if (status.state === 'stopped' || status.state === 'failed') this.publishAlerts(this.alerts.reset(this.lastTickTime()))
  }

  /**
   * Ends a replay, flushes a recording, closes /metrics and detaches from the service (whose
   * channels then answer "unavailable"). Idempotent. Call it after the service's dispose(), so a
   * recording still gets the final sample of a server that was running.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    this.replayer?.stop()
    await this.stopRecording().catch(() => undefined)
    await this.stopMetrics()
    this.service.off('metrics:tick', this.onTick)
    this.service.off('server:status-changed', this.onStatus)
    for (const off of this.unhandle.splice(0)) off()
  }
}

function summarize(rec: LoadedRecording): OpenedRecording['summary'] {
  return {
    source: rec.source,
    header: rec.header,
    ticks: rec.ticks.length,
    firstT: rec.ticks[0]?.t ?? null,
    lastT: rec.ticks.at(-1)?.t ?? null,
    truncatedLastLine: rec.truncatedLastLine,
  }
}
