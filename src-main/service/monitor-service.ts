// The application service: everything the dashboard can ask for, independent of transport. The
// Electron IPC handlers, the WebSocket bridge and the CLI all drive this one object, so the
// renderer sees the same behaviour in both modes. Every method takes an untrusted payload,
// validates it (src-shared/validate) and resolves with a Result — nothing throws into a caller.
import { EventEmitter } from 'node:events'
import type { ExportResult, InvokeChannel, Result, ServerState, ServerStatus } from '../../src-shared/api'
import type { CatalogEntry } from '../../src-shared/engine-snapshot'
import type { MetricsTick } from '../../src-shared/metrics'
import { validatePayload, type ValidPayloads } from '../../src-shared/validate'
import { loadAddon } from '../addon/load-addon'
import type { NativeAddon, NativeEngine } from '../addon/native-addon'
import { apiError, toApiError } from './api-error'
import { ServerController } from './controller'
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

export interface MonitorServiceEvents {
  'metrics:tick': [MetricsTick]
  'server:status-changed': [ServerStatus]
}

export class MonitorService extends EventEmitter<MonitorServiceEvents> {
  readonly sampleHz: number
  private readonly engine: NativeEngine
  private readonly controller: ServerController
  private readonly ring: History
  private readonly logger: Logger
  private readonly badMessages: OnceLogger
  private readonly now: () => number
  private sampler: Sampler | null = null
  private nextSeq = 0
  private catalogCache: CatalogEntry[] | null = null
  private disposing: Promise<void> | null = null

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
    return { ok: true, value: this.ring.toArray() }
  }

  /** Export for the browser transport: the CSV text itself (path is null). */
  async exportCsv(payload?: unknown): Promise<Result<ExportResult>> {
    const v = this.validate('export:csv', payload)
    if (!v.ok) return v
    try {
      const { csv, rows } = await ticksToCsv(this.ticksFor(v.value.sinceMs))
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
      const { rows } = await writeCsvFile(path, this.ticksFor(v.value.sinceMs))
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

  /** Dispatches by channel name, for transports that receive the channel as data (the bridge). */
  invoke(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>> {
    switch (channel) {
      case 'server:start': return this.start(payload)
      case 'server:stop': return this.stop(payload)
      case 'server:status': return this.status(payload)
      case 'metrics:history': return this.history(payload)
      case 'export:csv': return this.exportCsv(payload)
      case 'errors:catalog': return this.catalog(payload)
      default: return Promise.resolve({ ok: false, error: apiError('invalid-message', `unknown channel ${String(channel)}`) })
    }
  }

  /** The newest tick (after a stop: the final one, with the run's final totals). */
  lastTick(): MetricsTick | undefined {
    return this.ring.last()
  }

  /** Stops the server (joining its threads) and the sampler. Idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      // stop() queues behind any start/stop in flight, so this is the last engine call.
      await this.controller.stop()
      this.sampler?.stop()
      this.sampler = null
    })()
    return this.disposing
  }

  private ticksFor(sinceMs: number | undefined): MetricsTick[] {
    return sinceMs === undefined ? this.ring.toArray() : this.ring.since(sinceMs)
  }

  // Sampling follows the server's life: a fresh run starts a fresh history (totals restart at zero
  // in the engine, so mixing runs would make cumulative columns jump backwards); after a stop, one
  // last sample records the final totals, which is what a CSV export after the run must show.
  private onStatus(status: ServerStatus, previous: ServerState): void {
    if (status.state === 'running' && previous === 'starting') {
      this.ring.clear()
      this.sampler = new Sampler({
        snapshot: () => this.engine.snapshot(),
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
