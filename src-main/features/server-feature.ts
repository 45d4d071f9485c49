// The server feature: the engine's life (server:start/stop/status and server:status-changed), its
// samples (the sampler, the history ring and metrics:tick; metrics:history and export:csv read the
// ring) and the error catalog. Sampling follows the server's life: a fresh run starts a fresh
// history (totals restart at zero in the engine, so mixing runs would make cumulative columns jump
// backwards); after a stop, one last sample records the final totals, which is what a CSV export
// after the run must show. A replay (the recording feature) plays recorded ticks through the same
// path while the server is stopped. An attached process (the attach feature) is another source of
// snapshots through the same sampler and ring, so history, charts, CSV, alerts, recording and
// /metrics never ask which source they have; only one source is sampled at a time.
import type { ExportRequest, ExportResult, ServerState, ServerStatus } from '../../src-shared/api'
import type { ChannelHandlers } from '../../src-shared/contract'
import type { CsvColumn } from '../../src-shared/csv-schema'
import type { EngineConfig } from '../../src-shared/engine-config'
import type { CatalogEntry, EngineSnapshot } from '../../src-shared/engine-snapshot'
import type { MetricsTick } from '../../src-shared/metrics'
import type { Result } from '../../src-shared/result'
import type { NativeAddon, NativeEngine } from '../addon/native-addon'
import { readSnapshot } from '../addon/snapshot-decode'
import { apiError, toApiError } from '../service/api-error'
import { ServerController } from '../service/controller'
import { ticksToCsv, writeCsvFile } from '../service/csv-export'
import { downsampleTicks } from '../service/downsample'
import { DEFAULT_HISTORY_CAPACITY, History } from '../service/history'
import type { MonitorService } from '../service/monitor-service'
import { Sampler, SAMPLE_HZ, checkSampleHz } from '../service/sampler'
import type { SessionSource } from './sessions-feature'

type ServerChannel = 'server:start' | 'server:stop' | 'server:status' | 'metrics:history' | 'export:csv' | 'errors:catalog'

export interface ServerFeatureOptions {
  /** Samples per second while running, 1–100 (default 10). */
  sampleHz?: number
  /** Ticks kept in memory (default one hour at 10 Hz). */
  historyCapacity?: number
  /** Wall clock, epoch ms. */
  now: () => number
}

export class ServerFeature {
  readonly sampleHz: number
  private readonly engine: NativeEngine
  private readonly controller: ServerController
  private readonly ring: History
  private readonly now: () => number
  private sampler: Sampler | null = null
  private nextSeq = 0
  private catalogCache: CatalogEntry[] | null = null
  private disposing: Promise<void> | null = null
  /** True while recorded ticks are being played through the tick path (see beginReplay). */
  private replaying = false
  /** The attached process's snapshots while one is attached (see beginAttach). */
  private attached: { snapshot: () => EngineSnapshot; describe: string } | null = null

  constructor(
    private readonly service: MonitorService,
    private readonly addon: NativeAddon,
    opts: ServerFeatureOptions,
  ) {
    this.sampleHz = opts.sampleHz ?? SAMPLE_HZ.default
    checkSampleHz(this.sampleHz)
    this.now = opts.now
    this.ring = new History(opts.historyCapacity ?? DEFAULT_HISTORY_CAPACITY)
    this.engine = new addon.Engine()
    this.controller = new ServerController(this.engine, { now: this.now, onStatus: (status, previous) => this.onStatus(status, previous) })
  }

  /** The engine's session table and session close (the sessions feature's source). */
  sessionSource(): SessionSource {
    return this.engine
  }

  handlers(): Pick<ChannelHandlers, ServerChannel> {
    return {
      'server:start': (config) => this.start(config),
      'server:stop': () => this.stop(),
      'server:status': () => this.status(),
      'metrics:history': () => this.history(),
      'export:csv': (req) => this.exportCsv(req),
      'errors:catalog': () => this.catalog(),
    }
  }

  /** Starts the engine with `config` merged over the defaults. */
  async start(config: Partial<EngineConfig>): Promise<Result<ServerStatus>> {
    if (this.disposing) return { ok: false, error: apiError('disposed', 'the application is shutting down') }
    if (this.attached) return { ok: false, error: apiError('attached', `attached to ${this.attached.describe}: detach before starting the built-in server`) }
    return this.controller.start(config)
  }

  stop(): Promise<Result<ServerStatus>> {
    return this.controller.stop()
  }

  async status(): Promise<Result<ServerStatus>> {
    return { ok: true, value: this.controller.status() }
  }

  /** The server's status now (what status() answers, as a plain value). */
  currentStatus(): ServerStatus {
    return this.controller.status()
  }

  /** For the charts: at most HISTORY_MAX_POINTS merged samples (CSV export reads the full ring). */
  async history(): Promise<Result<MetricsTick[]>> {
    return { ok: true, value: downsampleTicks(this.ring.toArray()) }
  }

  /** Export for the browser transport: the CSV text itself (path is null). */
  async exportCsv(req: ExportRequest = {}): Promise<Result<ExportResult>> {
    try {
      const { csv, rows } = await ticksToCsv(this.ticksFor(req), req.columns as CsvColumn[] | undefined)
      return { ok: true, value: { path: null, rows, csv } }
    } catch (err) {
      return { ok: false, error: toApiError(err) }
    }
  }

  /** Export to a file chosen by main (Electron's save dialog), written atomically. */
  async exportCsvToFile(req: ExportRequest, path: string): Promise<Result<ExportResult>> {
    try {
      const { rows } = await writeCsvFile(path, this.ticksFor(req), req.columns as CsvColumn[] | undefined)
      return { ok: true, value: { path, rows } }
    } catch (err) {
      const e = toApiError(err)
      return { ok: false, error: { ...e, code: e.code === 'internal' ? 'export-failed' : e.code, message: `could not write ${path}: ${e.message}` } }
    }
  }

  async catalog(): Promise<Result<CatalogEntry[]>> {
    try {
      this.catalogCache ??= this.addon.errorCatalog()
      return { ok: true, value: this.catalogCache.map((e) => ({ ...e })) }
    } catch (err) {
      return { ok: false, error: toApiError(err) }
    }
  }

  /** A fresh snapshot of the sampled source's cumulative counters (Prometheus); null if it fails. */
  engineSnapshot(): EngineSnapshot | null {
    try {
      return this.attached ? this.attached.snapshot() : readSnapshot(this.engine)
    } catch (err) {
      this.snapshotFailed(err)
      return null
    }
  }

  /** True while a source is sampled: the built-in server running, or a process attached. */
  sampling(): boolean {
    return this.sampler !== null
  }

  /**
   * Samples another process instead of the engine: a fresh history, the same sampler, ring and
   * metrics:tick. Only while the built-in server is stopped (its start is refused until
   * endAttach). The attach feature wraps `snapshot` to watch for the process exiting.
   */
  beginAttach(snapshot: () => EngineSnapshot, describe: string): Result<undefined> {
    if (this.disposing) return { ok: false, error: apiError('disposed', 'the application is shutting down') }
    const { state } = this.controller.status()
    if (state !== 'stopped' && state !== 'failed') {
      return { ok: false, error: apiError('server-running', 'stop the built-in server before attaching to another process') }
    }
    this.endAttach()
    this.replaying = false
    this.attached = { snapshot, describe }
    this.ring.clear()
    this.startSampler(snapshot)
    return { ok: true, value: undefined }
  }

  /** Stops sampling the attached process; `finalSample` takes one last tick first. History stays. */
  endAttach(finalSample = false): void {
    if (!this.attached) return
    this.stopSampler(finalSample)
    this.attached = null
  }

  /** The newest tick (after a stop: the final one, with the run's final totals). */
  lastTick(): MetricsTick | undefined {
    return this.ring.last()
  }

  /**
   * Replay plays recorded ticks through the live path (history ring + 'metrics:tick'), so every
   * transport shows them like a run. Only while the server is stopped: the history is cleared
   * now, and a server start ends the replay before its first live tick.
   */
  beginReplay(): Result<undefined> {
    if (this.attached) return { ok: false, error: apiError('attached', 'detach before replaying a recording') }
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

  /** Stops the server (joining its threads; the final sample is emitted) and refuses new starts. Idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      // stop() queues behind any start/stop in flight, so this is the last engine call.
      await this.controller.stop()
      this.endAttach(true)
      this.sampler?.stop()
      this.sampler = null
    })()
    return this.disposing
  }

  private ticksFor({ sinceMs, untilMs }: ExportRequest): MetricsTick[] {
    const ticks = sinceMs === undefined ? this.ring.toArray() : this.ring.since(sinceMs)
    return untilMs === undefined ? ticks : ticks.filter((t) => t.t <= untilMs)
  }

  private onStatus(status: ServerStatus, previous: ServerState): void {
    if (status.state === 'starting') this.replaying = false
    if (status.state === 'running' && previous === 'starting') {
      this.ring.clear()
      this.startSampler(() => readSnapshot(this.engine))
    } else if (status.state === 'stopped' && previous === 'stopping' && this.sampler) {
      this.stopSampler(true)
    }
    this.service.publish('server:status-changed', status)
  }

  private startSampler(snapshot: () => EngineSnapshot): void {
    this.sampler = new Sampler({
      snapshot,
      now: this.now,
      hz: this.sampleHz,
      firstSeq: this.nextSeq,
      onTick: (tick) => this.onTick(tick),
      onError: (err) => this.snapshotFailed(err),
    })
    this.sampler.start()
  }

  /** Ends sampling; a final sample records the run's final totals (what an export must show). */
  private stopSampler(finalSample: boolean): void {
    if (!this.sampler) return
    this.sampler.stop()
    if (finalSample) this.sampler.sampleNow()
    this.nextSeq = this.sampler.nextSeq
    this.sampler = null
  }

  private onTick(tick: MetricsTick): void {
    this.ring.push(tick)
    this.service.publish('metrics:tick', tick)
  }

  private snapshotFailed(err: unknown): void {
    const what = this.attached ? `snapshot of ${this.attached.describe}` : 'engine snapshot'
    this.service.warnings.warnOnce('snapshot', `${what} failed: ${(err as Error)?.message ?? err}`)
  }
}
