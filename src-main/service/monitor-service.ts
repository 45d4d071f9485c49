// The application service: everything the dashboard can ask for, independent of transport. The
// Electron IPC handlers, the WebSocket bridge and the CLI all drive this one object, so the
// renderer sees the same behaviour in both modes. Every method takes an untrusted payload,
// validates it (src-shared/validate) and resolves with a Result — nothing throws into a caller.
import { readSnapshot } from '../addon/snapshot-decode'
import { downsampleTicks } from './downsample'
import type { CsvColumn } from '../../src-shared/csv-schema'
import type { ExportRequest } from '../../src-shared/api'
import { EventEmitter } from 'node:events'
import type { ExportResult, LoadStatus, ServerState, ServerStatus } from '../../src-shared/api'
import type { EventChannel, InvokeChannel, PayloadOf } from '../../src-shared/contract'
import type { Result } from '../../src-shared/result'
import type { CatalogEntry, EngineSnapshot } from '../../src-shared/engine-snapshot'
import type { MetricsTick } from '../../src-shared/metrics'
import { validatePayload, type ValidPayloads } from '../../src-shared/validate'
import { loadAddon } from '../addon/load-addon'
import type { NativeAddon, NativeEngine } from '../addon/native-addon'
import { apiError, toApiError } from './api-error'
import { ServerController } from './controller'
import { LoadController } from './load-controller'
import { ticksToCsv, writeCsvFile } from './csv-export'
import { DEFAULT_HISTORY_CAPACITY, History } from './history'
import { consoleLogger, OnceLogger, type Logger } from './log'
import { Sampler, SAMPLE_HZ, checkSampleHz } from './sampler'

export interface MonitorServiceOptions {
  /** The loaded addon; createMonitorService() loads the real one. */
  addon: NativeAddon
  /** Samples per second while running, 1–100 (default 10). */
  sampleHz?: number
  /** Ticks kept in memory (default one hour at 10 Hz). */
  historyCapacity?: number
  /** Wall clock, epoch ms. */
  now?: () => number
  logger?: Logger
}

/** The service's events are the contract's (src-shared/contract.ts EVENTS), one payload each. */
export type MonitorServiceEvents = { [E in EventChannel]: [PayloadOf<E>] }

/** Answers an invoke channel registered with handle(); gets the raw, untrusted payload. */
export type ChannelHandler = (payload: unknown) => Promise<Result<unknown>>

export class MonitorService extends EventEmitter<MonitorServiceEvents> {
  readonly sampleHz: number
  private readonly engine: NativeEngine
  private readonly controller: ServerController
  private readonly load: LoadController
  private readonly ring: History
  private readonly logger: Logger
  private readonly badMessages: OnceLogger
  private readonly now: () => number
  private sampler: Sampler | null = null
  private nextSeq = 0
  private catalogCache: CatalogEntry[] | null = null
  private disposing: Promise<void> | null = null
  private readonly extraHandlers = new Map<InvokeChannel, ChannelHandler>()
  /** True while recorded ticks are being played through the tick path (see beginReplay). */
  private replaying = false

  constructor(private readonly opts: MonitorServiceOptions) {
    super()
    this.sampleHz = opts.sampleHz ?? SAMPLE_HZ.default
    checkSampleHz(this.sampleHz)
    this.now = opts.now ?? Date.now
    this.logger = opts.logger ?? consoleLogger
    this.badMessages = new OnceLogger(this.logger)
    this.ring = new History(opts.historyCapacity ?? DEFAULT_HISTORY_CAPACITY)
    this.engine = new opts.addon.Engine()
    this.controller = new ServerController(this.engine, {
      now: this.now,
      onStatus: (status, previous) => this.onStatus(status, previous),
    })
    // The load generator's progress is sampled by a sibling timer at the same rate as the metrics.
    this.load = new LoadController(new opts.addon.LoadGenerator(), {
      hz: this.sampleHz,
      now: this.now,
      defaultTarget: () => {
        const s = this.controller.status()
        return s.state === 'running' && s.info ? { host: s.info.host, port: s.info.port } : null
      },
      onProgress: (p) => this.safeEmit('load:progress', p),
      onFinished: (summary) => this.safeEmit('load:finished', summary),
      onError: (err) => this.badMessages.warnOnce('load', `load generator: ${(err as Error)?.message ?? err}`),
    })
  }

  /**
   * Validates a payload for `channel`. Invalid ones are logged once per distinct problem (a
   * misbehaving client must not flood the log) and come back as an error Result.
   */
  validate<C extends InvokeChannel>(channel: C, payload: unknown): Result<ValidPayloads[C]> {
    const v = validatePayload(channel, payload)
    if (!v.ok && v.error.code === 'invalid-message') {
      this.badMessages.warnOnce(`${channel}\u0000${v.error.message}`, `rejected ${v.error.message}`)
    }
    return v
  }

  async start(payload: unknown): Promise<Result<ServerStatus>> {
    if (this.disposing) return { ok: false, error: apiError('disposed', 'the application is shutting down') }
    const v = this.validate('server:start', payload)
    if (!v.ok) return v
    return this.controller.start(v.value)
  }

  async stop(payload?: unknown): Promise<Result<ServerStatus>> {
    const v = this.validate('server:stop', payload)
    if (!v.ok) return v
    return this.controller.stop()
  }

  async status(payload?: unknown): Promise<Result<ServerStatus>> {
    const v = this.validate('server:status', payload)
    if (!v.ok) return v
    return { ok: true, value: this.controller.status() }
  }

  async history(payload?: unknown): Promise<Result<MetricsTick[]>> {
    const v = this.validate('metrics:history', payload)
    if (!v.ok) return v
    // Charts get at most HISTORY_MAX_POINTS merged samples; CSV export reads the full ring.
    return { ok: true, value: downsampleTicks(this.ring.toArray()) }
  }

  /** Export for the browser transport: the CSV text itself (path is null). */
  async exportCsv(payload?: unknown): Promise<Result<ExportResult>> {
    const v = this.validate('export:csv', payload)
    if (!v.ok) return v
    try {
      const { csv, rows } = await ticksToCsv(this.ticksFor(v.value), v.value.columns as CsvColumn[] | undefined)
      return { ok: true, value: { path: null, rows, csv } }
    } catch (err) {
      return { ok: false, error: toApiError(err) }
    }
  }

  /** Export to a file chosen by the caller (Electron's save dialog), written atomically. */
  async exportCsvToFile(payload: unknown, path: string): Promise<Result<ExportResult>> {
    const v = this.validate('export:csv', payload)
    if (!v.ok) return v
    try {
      const { rows } = await writeCsvFile(path, this.ticksFor(v.value), v.value.columns as CsvColumn[] | undefined)
      return { ok: true, value: { path, rows } }
    } catch (err) {
      const e = toApiError(err)
      return { ok: false, error: { ...e, code: e.code === 'internal' ? 'export-failed' : e.code, message: `could not write ${path}: ${e.message}` } }
    }
  }

  async catalog(payload?: unknown): Promise<Result<CatalogEntry[]>> {
    const v = this.validate('errors:catalog', payload)
    if (!v.ok) return v
    try {
      this.catalogCache ??= this.opts.addon.errorCatalog()
      return { ok: true, value: this.catalogCache.map((e) => ({ ...e })) }
    } catch (err) {
      return { ok: false, error: toApiError(err) }
    }
  }

  /** Starts a load run; host and port default to the running server's address. */
  async loadStart(payload?: unknown): Promise<Result<LoadStatus>> {
    if (this.disposing) return { ok: false, error: apiError('disposed', 'the application is shutting down') }
    const v = this.validate('load:start', payload)
    if (!v.ok) return v
    return this.load.start(v.value)
  }

  async loadStop(payload?: unknown): Promise<Result<LoadStatus>> {
    const v = this.validate('load:stop', payload)
    if (!v.ok) return v
    return this.load.stop()
  }

  async loadStatus(payload?: unknown): Promise<Result<LoadStatus>> {
    const v = this.validate('load:status', payload)
    if (!v.ok) return v
    return { ok: true, value: this.load.status() }
  }

  /** Dispatches by channel name, for transports that receive the channel as data (the bridge). */
  invoke(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>> {
    switch (channel) {
      case 'server:start': return this.start(payload)
      case 'server:stop': return this.stop(payload)
      case 'server:status': return this.status(payload)
      case 'metrics:history': return this.history(payload)
      case 'export:csv': return this.exportCsv(payload)
      case 'errors:catalog': return this.catalog(payload)
      case 'load:start': return this.loadStart(payload)
      case 'load:stop': return this.loadStop(payload)
      case 'load:status': return this.loadStatus(payload)
      default: return this.invokeExtra(channel, payload)
    }
  }

  /**
   * Lets the feature modules (alerts, recording & replay, config: src-main/features) answer more invoke
   * channels through invoke(), which is the bridge's path. The handler validates its payload.
   */
  handle(channel: InvokeChannel, handler: ChannelHandler): () => void {
    this.extraHandlers.set(channel, handler)
    return () => {
      if (this.extraHandlers.get(channel) === handler) this.extraHandlers.delete(channel)
    }
  }

  /** Sends a feature event (alerts, recording, replay) to every transport (bridge, window). */
  publish<K extends EventChannel>(event: K, payload: PayloadOf<K>): void {
    ;(this.safeEmit as (e: K, p: PayloadOf<K>) => void)(event, payload)
  }

  /** The server's status now (what status() answers, without a payload to validate). */
  currentStatus(): ServerStatus {
    return this.controller.status()
  }

  /** A fresh snapshot of the engine's cumulative counters (Prometheus); null if it fails. */
  engineSnapshot(): EngineSnapshot | null {
    try {
      return readSnapshot(this.engine)
    } catch (err) {
      this.badMessages.warnOnce('snapshot', `engine snapshot failed: ${(err as Error)?.message ?? err}`)
      return null
    }
  }

  /**
   * Replay plays recorded ticks through the live path (history ring + 'metrics:tick'), so every
   * transport shows them like a run. Only while the server is stopped: the history is cleared
   * now, and a server start ends the replay before its first live tick.
   */
  beginReplay(): Result<undefined> {
    const { state } = this.controller.status()
    if (state !== 'stopped' && state !== 'failed') {
      return { ok: false, error: apiError('server-running', 'stop the server before replaying a recording') }
    }
    this.ring.clear()
    this.replaying = true
    return { ok: true, value: undefined }
  }

  /** One recorded tick; false (and nothing emitted) once the replay has ended. */
  replayTick(tick: MetricsTick): boolean {
    if (!this.replaying) return false
    this.onTick(tick)
    return true
  }

  endReplay(): void {
    this.replaying = false
  }

  private invokeExtra(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>> {
    const handler = this.extraHandlers.get(channel)
    if (handler) return handler(payload).catch((err: unknown) => ({ ok: false as const, error: toApiError(err) }))
    // Not served in this mode (no ops layer): still validated, so a malformed message is logged
    // and answered like on every other channel.
    const v = this.validate(channel, payload)
    if (!v.ok) return Promise.resolve(v)
    return Promise.resolve({ ok: false, error: apiError('unavailable', `${channel} is not available here`) })
  }

  /** The newest tick (after a stop: the final one, with the run's final totals). */
  lastTick(): MetricsTick | undefined {
    return this.ring.last()
  }

  /** Stops the server (joining its threads) and the sampler. Idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      // The load first: it may be aimed at our own server, which is about to go away.
      await this.load.dispose()
      // stop() queues behind any start/stop in flight, so this is the last engine call.
      await this.controller.stop()
      this.sampler?.stop()
      this.sampler = null
    })()
    return this.disposing
  }

  private ticksFor({ sinceMs, untilMs }: ExportRequest): MetricsTick[] {
    const ticks = sinceMs === undefined ? this.ring.toArray() : this.ring.since(sinceMs)
    return untilMs === undefined ? ticks : ticks.filter((t) => t.t <= untilMs)
  }

  // Sampling follows the server's life: a fresh run starts a fresh history (totals restart at zero
  // in the engine, so mixing runs would make cumulative columns jump backwards); after a stop, one
  // last sample records the final totals, which is what a CSV export after the run must show.
  private onStatus(status: ServerStatus, previous: ServerState): void {
    if (status.state === 'starting') this.replaying = false
    if (status.state === 'running' && previous === 'starting') {
      this.ring.clear()
      this.sampler = new Sampler({
        snapshot: () => readSnapshot(this.engine),
        now: this.now,
        hz: this.sampleHz,
        firstSeq: this.nextSeq,
        onTick: (tick) => this.onTick(tick),
        onError: (err) => this.badMessages.warnOnce('snapshot', `engine snapshot failed: ${(err as Error)?.message ?? err}`),
      })
      this.sampler.start()
    } else if (status.state === 'stopped' && previous === 'stopping' && this.sampler) {
      this.sampler.stop()
      this.sampler.sampleNow()
      this.nextSeq = this.sampler.nextSeq
      this.sampler = null
    }
    this.safeEmit('server:status-changed', status)
  }

  private onTick(tick: MetricsTick): void {
    this.ring.push(tick)
    this.safeEmit('metrics:tick', tick)
  }

  // Ticks are emitted from a timer: a throwing listener (say, a window that just closed) would
  // otherwise be an uncaught exception that ends the process.
  private safeEmit<K extends keyof MonitorServiceEvents>(event: K, ...args: MonitorServiceEvents[K]): void {
    try {
      ;(this.emit as (e: K, ...a: MonitorServiceEvents[K]) => boolean)(event, ...args)
    } catch (err) {
      this.badMessages.warnOnce(`listener:${event}`, `a ${event} listener failed: ${(err as Error)?.message ?? err}`)
    }
  }
}

/** The service over the real native addon. */
export function createMonitorService(opts: Partial<MonitorServiceOptions> = {}): MonitorService {
  return new MonitorService({ ...opts, addon: opts.addon ?? loadAddon() })
}
