// The built-in load generator's life cycle, around one native LoadGenerator:
//
//   idle ─start→ starting ─started→ running ─run ends (duration / messages)─────→ idle
//                   │                  └─stop→ stopping ─run ends (≤ ~100 ms)─→ idle
//                   └─error (invalid-config, name-not-resolved, connection-refused, …)→ idle
//
// The native start() promise settles only when the run ENDS; "started" is when the generator
// reports running (after it resolved the host and test-connected once), or the run already ended.
// Start and stop are serialised through one queue, like the server controller, so a stop that
// arrives during the start's test connect applies to the run that start creates. While a run lasts
// a timer samples the generator at the server's sample rate (a sibling of the metrics sampler) and emits
// one LoadProgress per tick; the end emits the final sample and a LoadSummary. Nothing here throws
// into a caller: every outcome is a Result.
import type { LoadStatus } from '../../src-shared/api'
import type { ApiError, Result } from '../../src-shared/result'
import {
  DEFAULT_LOAD_CONFIG,
  loadRates,
  validateLoadConfig,
  zeroLoadCounters,
  type LoadConfig,
  type LoadCounters,
  type LoadProgress,
  type LoadRequest,
  type LoadSummary,
} from '../../src-shared/load'
import type { NativeLoadGenerator, NativeStartError } from '../addon/native-addon'
import { apiError, toApiError } from './api-error'
import { SerialQueue } from './serial-queue'
import { SAMPLE_HZ, checkSampleHz } from './sampler'

export interface LoadTarget {
  host: string
  port: number
}

export interface LoadControllerOptions {
  /** Progress samples per second while a run lasts, 1–100 (default 10, the metrics sampler's). */
  hz?: number
  /** Wall clock, epoch ms. */
  now?: () => number
  /** Where a request without host/port goes: the running server's address, or null (defaults). */
  defaultTarget?: () => LoadTarget | null
  onProgress?: (progress: LoadProgress) => void
  onFinished?: (summary: LoadSummary) => void
  /** A snapshot failed (the tick is skipped), or a listener threw. */
  onError?: (err: unknown) => void
}

/** How often start() looks whether the generator is running yet (it test-connects first). */
const START_POLL_MS = 5

/** A server listening on the unspecified address is reached over loopback. */
export function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::' || host === '::0') return '::1'
  return host
}

/** An addon rejection as an ApiError; the field the generator blames becomes a field error. */
export function loadApiError(err: unknown): ApiError {
  const e = toApiError(err)
  const field = (err as NativeStartError | null)?.field
  if (typeof field === 'string' && field && !e.fieldErrors) e.fieldErrors = [{ field, message: e.message }]
  return e
}

function invalidConfig(errors: { field: string; message: string }[]): ApiError {
  return { code: 'invalid-config', message: `invalid load configuration: ${errors.map((e) => e.message).join('; ')}`, fieldErrors: errors }
}

type StartOutcome = { ok: true } | { ok: false; err: unknown }

export class LoadController {
  private current: LoadStatus = { state: 'idle', config: null, startedAt: null, progress: null, lastSummary: null, lastError: null }
  private prev: LoadCounters | null = null
  private stopRequested = false
  private runEnded: Promise<LoadSummary | null> = Promise.resolve(null)
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly queue = new SerialQueue()
  private disposing: Promise<void> | null = null
  readonly hz: number
  private readonly now: () => number

  constructor(
    private readonly lg: NativeLoadGenerator,
    private readonly opts: LoadControllerOptions = {},
  ) {
    this.hz = opts.hz ?? SAMPLE_HZ.default
    checkSampleHz(this.hz)
    this.now = opts.now ?? Date.now
  }

  /** A copy: the caller may keep or change it. */
  status(): LoadStatus {
    return structuredClone(this.current)
  }

  /**
   * Validates `input` (a partial config; host and port default to the running server's address)
   * and starts a run. Resolves once the run is under way, or with the reason it could not start.
   */
  start(input: unknown = {}): Promise<Result<LoadStatus>> {
    if (this.disposing) return Promise.resolve({ ok: false, error: apiError('disposed', 'the application is shutting down') })
    const v = validateLoadConfig(input, this.baseConfig(input))
    if (!v.ok) return Promise.resolve({ ok: false, error: invalidConfig(v.errors) })
    return this.queue.run(() => this.doStart(v.value))
  }

  /** Ends the run (if any) and resolves after it ended, with its summary in lastSummary. */
  stop(): Promise<Result<LoadStatus>> {
    return this.queue.run(() => this.doStop())
  }

  /**
   * Resolves after queued starts/stops, once no run is in progress: with the summary of the run
   * that was under way, or of the last run when idle (null before the first run).
   */
  whenIdle(): Promise<LoadSummary | null> {
    return this.queue.drained().then(() => this.runEnded)
  }

  /** Stops any run and refuses new ones. Idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= this.stop().then(() => undefined)
    return this.disposing
  }

  /** Samples the generator once and emits the progress; null when the snapshot failed. */
  sampleNow(): LoadProgress | null {
    let cur: LoadCounters
    try {
      cur = this.lg.snapshot()
    } catch (err) {
      this.report(err)
      return null
    }
    return this.emitProgress(cur)
  }

  private baseConfig(input: unknown): LoadConfig {
    const req = (typeof input === 'object' && input !== null ? input : {}) as LoadRequest
    if (req.host !== undefined && req.port !== undefined) return DEFAULT_LOAD_CONFIG
    let target: LoadTarget | null = null
    try {
      target = this.opts.defaultTarget?.() ?? null
    } catch (err) {
      this.report(err)
    }
    return target ? { ...DEFAULT_LOAD_CONFIG, host: connectableHost(target.host), port: target.port } : DEFAULT_LOAD_CONFIG
  }

  private async doStart(config: LoadConfig): Promise<Result<LoadStatus>> {
    if (this.current.state !== 'idle') return { ok: false, error: apiError('already-running', 'a load run is already in progress; stop it first') }
    this.current = { ...this.current, state: 'starting', config, lastError: null }
    this.stopRequested = false
    // Promise.resolve().then: a synchronous throw from the addon becomes a rejection too.
    const run = Promise.resolve().then(() => this.lg.start(config))
    const outcome = await this.waitForStart(run)
    if (!outcome.ok) {
      const error = loadApiError(outcome.err)
      this.current = { ...this.current, state: 'idle', config: null, lastError: error }
      return { ok: false, error: { ...error } }
    }
    this.current = { ...this.current, state: 'running', startedAt: this.now(), progress: null }
    this.prev = null
    this.sampleNow() // the zero-rate baseline of the run
    this.timer = setInterval(() => this.sampleNow(), 1000 / this.hz)
    this.timer.unref?.()
    this.runEnded = run.then(
      (final) => this.finishRun(final, null),
      (err: unknown) => this.finishRun(this.safeSnapshot(), err),
    )
    return { ok: true, value: this.status() }
  }

  private async doStop(): Promise<Result<LoadStatus>> {
    if (this.current.state === 'running') {
      this.current.state = 'stopping'
      this.stopRequested = true
      try {
        this.lg.stop()
      } catch (err) {
        this.report(err)
      }
    }
    await this.runEnded
    return { ok: true, value: this.status() }
  }

  /** Settles when the generator is running, or when start()'s promise settles first. */
  private waitForStart(run: Promise<LoadCounters>): Promise<StartOutcome> {
    return new Promise((resolve) => {
      let done = false
      const finish = (o: StartOutcome) => {
        if (done) return
        done = true
        clearInterval(poll)
        resolve(o)
      }
      // A run short enough to end before the first poll has still started: that is a success.
      run.then(() => finish({ ok: true }), (err: unknown) => finish({ ok: false, err }))
      const poll = setInterval(() => {
        try {
          if (this.lg.running) finish({ ok: true })
        } catch (err) {
          finish({ ok: false, err })
        }
      }, START_POLL_MS)
    })
  }

  private finishRun(final: LoadCounters | null, err: unknown): LoadSummary {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    const counters = final ?? zeroLoadCounters()
    this.emitProgress(counters)
    const elapsedS = counters.elapsedMs / 1000
    const summary: LoadSummary = {
      ...structuredClone(counters),
      config: this.current.config ?? DEFAULT_LOAD_CONFIG,
      startedAt: this.current.startedAt ?? this.now(),
      endedAt: this.now(),
      stoppedEarly: this.stopRequested,
      msgsPerS: elapsedS > 0 ? counters.msgsSent / elapsedS : 0,
      mbPerS: elapsedS > 0 ? counters.bytesSent / 1e6 / elapsedS : 0,
    }
    this.current = { ...this.current, state: 'idle', config: null, startedAt: null, lastSummary: summary }
    if (err !== null) this.current.lastError = loadApiError(err)
    try {
      this.opts.onFinished?.(structuredClone(summary))
    } catch (e) {
      this.report(e)
    }
    return summary
  }

  private emitProgress(cur: LoadCounters): LoadProgress {
    const progress: LoadProgress = { ...cur, t: this.now(), ...loadRates(cur, this.prev) }
    this.prev = cur
    this.current.progress = progress
    try {
      this.opts.onProgress?.(structuredClone(progress))
    } catch (err) {
      this.report(err)
    }
    return progress
  }

  private safeSnapshot(): LoadCounters | null {
    try {
      return this.lg.snapshot()
    } catch {
      return null
    }
  }

  private report(err: unknown): void {
    try {
      this.opts.onError?.(err)
    } catch {
      // Reporting must never become the failure.
    }
  }
}
