// Turns cumulative engine snapshots into per-second samples. computeTick() is the pure part:
// rates come from the difference of two consecutive snapshots divided by the difference of the
// engine's own monotonic clock (monoNs), so a late timer never inflates a rate. Sampler adds the
// timer; both take their inputs as functions so tests can feed synthetic snapshots and clocks.
import type { EngineSnapshot, ErrorCount, WorkerCounters } from '../../src-shared/engine-snapshot'
import type { MetricsTick, WorkerSample } from '../../src-shared/metrics'

export const SAMPLE_HZ = { min: 1, max: 100, default: 10 } as const

type MergedError = MetricsTick['errors'][number]

/** Increase per second of a cumulative counter; a counter that went down (engine restart) is 0. */
function ratePerS(cur: number, prev: number | undefined, dtS: number): number {
  if (prev === undefined || dtS <= 0) return 0
  return Math.max(0, cur - prev) / dtS
}

function errorsTotal(errors: readonly ErrorCount[]): number {
  let n = 0
  for (const e of errors) n += e.count
  return n
}

function inflightTotal(w: WorkerCounters): number {
  return w.inflight.accept + w.inflight.recv + w.inflight.send
}

function workerSample(cur: WorkerCounters, prev: WorkerCounters | undefined, dtNs: number): WorkerSample {
  const dtS = dtNs / 1e9
  const errs = errorsTotal(cur.errors)
  // Busy share of the interval; clamped because busy time and monoNs are read a moment apart.
  const busy = prev && dtNs > 0 ? Math.min(1, Math.max(0, (cur.busyNs - prev.busyNs) / dtNs)) : 0
  return {
    worker: cur.worker,
    queueDepth: cur.queueDepth,
    inflight: inflightTotal(cur),
    completionsTotal: cur.completions,
    bytesInTotal: cur.bytesIn,
    bytesOutTotal: cur.bytesOut,
    errorsTotal: errs,
    sessions: cur.sessions,
    completionsPerS: ratePerS(cur.completions, prev?.completions, dtS),
    bytesInPerS: ratePerS(cur.bytesIn, prev?.bytesIn, dtS),
    bytesOutPerS: ratePerS(cur.bytesOut, prev?.bytesOut, dtS),
    errorsPerS: ratePerS(errs, prev ? errorsTotal(prev.errors) : undefined, dtS),
    busy,
  }
}

/** Every numeric field of a WorkerSample: summed over workers for the 'all' row (busy then averaged). */
const NUMERIC_FIELDS = [
  'queueDepth',
  'inflight',
  'completionsTotal',
  'bytesInTotal',
  'bytesOutTotal',
  'errorsTotal',
  'sessions',
  'completionsPerS',
  'bytesInPerS',
  'bytesOutPerS',
  'errorsPerS',
  'busy',
] as const satisfies readonly Exclude<keyof WorkerSample, 'worker'>[]

/** The 'all' row: sums of counters, gauges and rates; busy is the mean over workers. */
export function totalSample(workers: readonly WorkerSample[]): WorkerSample {
  const t = { worker: 'all' } as WorkerSample
  for (const key of NUMERIC_FIELDS) {
    let sum = 0
    for (const w of workers) sum += w[key]
    t[key] = sum
  }
  if (workers.length) t.busy /= workers.length
  return t
}

function errorKey(e: ErrorCount): string {
  return `${e.code}\u0000${e.nativeName}\u0000${e.name}`
}

/** Error counts of every worker merged by native code and name. */
function mergeErrors(snapshot: EngineSnapshot | null): Map<string, ErrorCount> {
  const merged = new Map<string, ErrorCount>()
  for (const w of snapshot?.workers ?? []) {
    for (const e of w.errors) {
      const key = errorKey(e)
      const m = merged.get(key)
      if (m) m.count += e.count
      else merged.set(key, { code: e.code, nativeName: e.nativeName, name: e.name, count: e.count })
    }
  }
  return merged
}

function mergedErrorsWithRates(prev: EngineSnapshot | null, cur: EngineSnapshot, dtS: number): MergedError[] {
  const before = prev ? mergeErrors(prev) : null
  const out: MergedError[] = []
  for (const [key, e] of mergeErrors(cur)) {
    out.push({ ...e, perS: before ? ratePerS(e.count, before.get(key)?.count ?? 0, dtS) : 0 })
  }
  // Most frequent first: that is the order anyone reading the list wants.
  return out.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
}

/**
 * One tick from two consecutive snapshots. `prev` null (the first sample of a run) gives zero
 * rates. Workers are matched by index, so a worker missing from `prev` also starts at zero rates.
 */
export function computeTick(prev: EngineSnapshot | null, cur: EngineSnapshot, t: number, seq: number): MetricsTick {
  const dtNs = prev ? cur.monoNs - prev.monoNs : 0
  const prevByWorker = new Map(prev?.workers.map((w) => [w.worker, w]) ?? [])
  const workers = cur.workers.map((w) => workerSample(w, prev ? prevByWorker.get(w.worker) : undefined, dtNs))
  return { t, seq, workers, total: totalSample(workers), errors: mergedErrorsWithRates(prev, cur, dtNs / 1e9) }
}

export interface SamplerOptions {
  snapshot: () => EngineSnapshot
  onTick: (tick: MetricsTick) => void
  /** Called instead of throwing when snapshot() fails; the tick is skipped. */
  onError?: (err: unknown) => void
  /** Wall clock for MetricsTick.t, epoch ms. */
  now?: () => number
  /** Samples per second, 1–100 (default 10). */
  hz?: number
  /** seq of the first tick (so seq keeps increasing across runs of one server). */
  firstSeq?: number
}

export function checkSampleHz(hz: number): void {
  if (!Number.isFinite(hz) || hz < SAMPLE_HZ.min || hz > SAMPLE_HZ.max) {
    throw new RangeError(`sample rate must be from ${SAMPLE_HZ.min} to ${SAMPLE_HZ.max} Hz (got ${hz})`)
  }
}

export class Sampler {
  private prev: EngineSnapshot | null = null
  private timer: ReturnType<typeof setInterval> | null = null
  private seq: number
  readonly hz: number
  private readonly now: () => number

  constructor(private readonly opts: SamplerOptions) {
    this.hz = opts.hz ?? SAMPLE_HZ.default
    checkSampleHz(this.hz)
    this.now = opts.now ?? Date.now
    this.seq = opts.firstSeq ?? 0
  }

  get running(): boolean {
    return this.timer !== null
  }

  /** seq the next tick will carry. */
  get nextSeq(): number {
    return this.seq
  }

  /** Samples once right away (the zero-rate baseline of the run), then every 1/hz seconds. */
  start(): void {
    if (this.timer) return
    this.prev = null
    this.sampleNow()
    this.timer = setInterval(() => this.sampleNow(), 1000 / this.hz)
    // The sampler never keeps a process alive on its own; its owner decides that.
    this.timer.unref?.()
  }

  /** Stops the timer; call sampleNow() afterwards for a final tick with the final totals. */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** Takes one sample and emits it; null when the snapshot failed. */
  sampleNow(): MetricsTick | null {
    let cur: EngineSnapshot
    try {
      cur = this.opts.snapshot()
    } catch (err) {
      this.opts.onError?.(err)
      return null
    }
    const tick = computeTick(this.prev, cur, this.now(), this.seq++)
    this.prev = cur
    this.opts.onTick(tick)
    return tick
  }
}
