// The renderer's copy of the sample history, kept column-wise in typed arrays.
//
// Why not an array of MetricsTick objects: the service keeps an hour (36,000 ticks at 10 Hz), and
// at 64 workers that is 2.3 million small objects — hundreds of MB of heap and long GC pauses. As
// Float32 columns the same hour is ~60 MB of flat buffers that the garbage collector never walks,
// and reading one worker's series is a tight loop over one array. Float32 keeps 7 significant
// digits: more than a chart or a tooltip shows.
//
// Storage is a list of fixed-size chunks. A new chunk is allocated only when the last one is full,
// and once the capacity is reached the oldest samples are dropped one by one and emptied chunks
// are recycled, so memory grows with the history and then stays flat.
//
// Series come out already reduced to at most `maxPoints` per line (decimation by time buckets
// aligned to absolute time, so the shape does not shimmer while a live window slides).
import type { MetricsTick, WorkerSample } from '../../../src-shared/metrics'

/** Per-worker fields kept for charts (the 'all' row keeps them too). */
export const WORKER_FIELDS = ['queueDepth', 'inflight', 'busy', 'completionsPerS', 'bytesInPerS', 'bytesOutPerS'] as const
export type WorkerField = (typeof WORKER_FIELDS)[number]
/** Fields kept for the 'all' row only. */
export const TOTAL_FIELDS = ['sessions', 'errorsPerS'] as const
export type TotalField = (typeof TOTAL_FIELDS)[number]
export type HistoryField = WorkerField | TotalField

/** Samples per chunk: ~51 s at 10 Hz. */
export const CHUNK = 512
/** One hour at 10 Hz, as the service keeps. */
export const DEFAULT_CAPACITY = 36_000

export interface Point {
  x: number
  y: number
}

/**
 * How a bucket of samples becomes points: `minmax` keeps each bucket's lowest and highest sample
 * (spikes survive, lines stay honest); `mean` one averaged point at the bucket's centre (stacked
 * charts need the same x in every series); `max` one point with the bucket's peak (error rates).
 */
export type Reduction = 'minmax' | 'mean' | 'max'

/** Errors per second by portable name in one sample (only names with a non-zero rate). */
export type ErrorRates = Record<string, number>

interface Chunk {
  t: Float64Array
  data: Float32Array
  errors: (ErrorRates | null)[]
}

/** Collects samples into buckets of `bucketMs` (0: no reduction, every sample is a point). */
class Bucketer {
  private bucket = Number.NaN
  private n = 0
  private sum = 0
  private min = 0
  private minT = 0
  private max = 0
  private maxT = 0

  constructor(
    private readonly mode: Reduction,
    private readonly bucketMs: number,
    readonly out: Point[],
  ) {}

  add(t: number, v: number): void {
    if (this.bucketMs <= 0) {
      this.out.push({ x: t, y: v })
      return
    }
    const b = Math.floor(t / this.bucketMs)
    if (b !== this.bucket) {
      this.flush()
      this.bucket = b
      this.n = 0
      this.sum = 0
      this.min = this.max = v
      this.minT = this.maxT = t
    }
    this.n++
    this.sum += v
    if (v < this.min) {
      this.min = v
      this.minT = t
    }
    if (v > this.max) {
      this.max = v
      this.maxT = t
    }
  }

  flush(): void {
    if (!this.n) return
    const centre = (this.bucket + 0.5) * this.bucketMs
    if (this.mode === 'mean') this.out.push({ x: centre, y: this.sum / this.n })
    else if (this.mode === 'max') this.out.push({ x: centre, y: this.max })
    else if (this.minT === this.maxT) this.out.push({ x: this.minT, y: this.min })
    else if (this.minT < this.maxT) this.out.push({ x: this.minT, y: this.min }, { x: this.maxT, y: this.max })
    else this.out.push({ x: this.maxT, y: this.max }, { x: this.minT, y: this.min })
    this.n = 0
  }
}

/** The bucket width that brings `spanMs` down to about `buckets` buckets, rounded to whole 100 ms. */
export function bucketWidth(spanMs: number, buckets: number): number {
  return Math.max(100, Math.ceil(spanMs / Math.max(1, buckets) / 100) * 100)
}

export class TickHistory {
  readonly workers: number
  readonly capacity: number
  /** Portable error names in the order they first appeared. */
  readonly errorNames: string[] = []

  private readonly rows: number
  private readonly cols: number
  private chunks: Chunk[] = []
  private spare: Chunk | null = null
  private head = 0
  private count = 0

  constructor(workers: number, capacity = DEFAULT_CAPACITY) {
    this.workers = workers
    this.capacity = Math.max(1, capacity)
    this.rows = workers + 1
    this.cols = WORKER_FIELDS.length * this.rows + TOTAL_FIELDS.length
  }

  get length(): number {
    return this.count
  }

  get firstT(): number {
    return this.count ? this.time(0) : Number.NaN
  }

  get lastT(): number {
    return this.count ? this.time(this.count - 1) : Number.NaN
  }

  /** Bytes held by the typed arrays (for the memory report and the tests). */
  get bytes(): number {
    const per = CHUNK * 8 + CHUNK * this.cols * 4
    return (this.chunks.length + (this.spare ? 1 : 0)) * per
  }

  /** Column index of a field for a worker row (`'all'` = the total row). */
  private column(field: HistoryField, worker: number | 'all'): number {
    const te = (TOTAL_FIELDS as readonly string[]).indexOf(field)
    if (te >= 0) return WORKER_FIELDS.length * this.rows + te
    const f = (WORKER_FIELDS as readonly string[]).indexOf(field)
    const row = worker === 'all' ? this.workers : worker
    return f * this.rows + row
  }

  private newChunk(): Chunk {
    const c = this.spare
    if (c) {
      this.spare = null
      c.errors.fill(null)
      return c
    }
    return { t: new Float64Array(CHUNK), data: new Float32Array(CHUNK * this.cols), errors: new Array<ErrorRates | null>(CHUNK).fill(null) }
  }

  /** Appends a tick; the caller guarantees time order and this history's worker count. */
  push(tick: MetricsTick): void {
    const p = this.head + this.count
    const ci = Math.floor(p / CHUNK)
    if (ci >= this.chunks.length) this.chunks.push(this.newChunk())
    const chunk = this.chunks[ci]
    const s = p % CHUNK
    chunk.t[s] = tick.t
    const d = chunk.data
    const write = (sample: WorkerSample, row: number) => {
      for (let f = 0; f < WORKER_FIELDS.length; f++) d[(f * this.rows + row) * CHUNK + s] = Number(sample[WORKER_FIELDS[f]]) || 0
    }
    for (const w of tick.workers) if (typeof w.worker === 'number' && w.worker >= 0 && w.worker < this.workers) write(w, w.worker)
    write(tick.total, this.workers)
    for (let e = 0; e < TOTAL_FIELDS.length; e++) d[(WORKER_FIELDS.length * this.rows + e) * CHUNK + s] = Number(tick.total[TOTAL_FIELDS[e]]) || 0

    let rates: ErrorRates | null = null
    for (const e of tick.errors) {
      if (!this.errorNames.includes(e.name) && e.count > 0) this.errorNames.push(e.name)
      if (e.perS > 0) {
        rates ??= {}
        rates[e.name] = (rates[e.name] ?? 0) + e.perS
      }
    }
    chunk.errors[s] = rates
    this.count++
    if (this.count > this.capacity) this.dropFront(this.count - this.capacity)
  }

  /** Forgets the oldest `n` samples. */
  dropFront(n: number): void {
    const k = Math.min(n, this.count)
    this.head += k
    this.count -= k
    while (this.head >= CHUNK && this.chunks.length) {
      const c = this.chunks.shift()!
      this.spare ??= c
      this.head -= CHUNK
    }
    if (!this.count) {
      this.head = 0
      if (this.chunks.length) this.spare ??= this.chunks[0]
      this.chunks = []
    }
  }

  /** Forgets samples older than `t`. */
  trimBefore(t: number): void {
    this.dropFront(this.lowerBound(t))
  }

  clear(): void {
    this.dropFront(this.count)
    this.errorNames.length = 0
  }

  time(i: number): number {
    const p = this.head + i
    return this.chunks[Math.floor(p / CHUNK)].t[p % CHUNK]
  }

  value(field: HistoryField, worker: number | 'all', i: number): number {
    const p = this.head + i
    return this.chunks[Math.floor(p / CHUNK)].data[this.column(field, worker) * CHUNK + (p % CHUNK)]
  }

  errorsAt(i: number): ErrorRates | null {
    const p = this.head + i
    return this.chunks[Math.floor(p / CHUNK)].errors[p % CHUNK]
  }

  /** Index of the first sample with time >= t (length when none). */
  lowerBound(t: number): number {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.time(mid) < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Sample indices covering [min, max] plus one neighbour each side, so lines reach the edges. */
  private span(min: number, max: number): [number, number] {
    const i0 = Math.max(0, this.lowerBound(min) - 1)
    const i1 = Math.min(this.count, this.lowerBound(max + 1e-6) + 1)
    return [i0, Math.max(i0, i1)]
  }

  /** Calls fn(t, value) for samples i0 ≤ i < i1 of one column, chunk by chunk (no per-sample division). */
  private visit(i0: number, i1: number, col: number, fn: (t: number, v: number) => void): void {
    if (i1 <= i0) return
    const p0 = this.head + i0
    const p1 = this.head + i1
    const base = col * CHUNK
    for (let c = Math.floor(p0 / CHUNK); c * CHUNK < p1; c++) {
      const { t, data } = this.chunks[c]
      const s0 = Math.max(0, p0 - c * CHUNK)
      const s1 = Math.min(CHUNK, p1 - c * CHUNK)
      for (let s = s0; s < s1; s++) fn(t[s], data[base + s])
    }
  }

  /** Samples within [min, max] (plus neighbours). */
  countIn(min: number, max: number): number {
    const [i0, i1] = this.span(min, max)
    return i1 - i0
  }

  /**
   * One series of plain points for a time range, at most about `maxPoints` long. Fresh objects
   * every call: Chart.js annotates what it is given, and must never be handed shared data.
   */
  series(field: HistoryField, worker: number | 'all', min: number, max: number, maxPoints: number, mode: Reduction = 'minmax'): Point[] {
    const [i0, i1] = this.span(min, max)
    const out: Point[] = []
    const buckets = mode === 'minmax' ? maxPoints / 2 : maxPoints
    const bucketMs = i1 - i0 <= maxPoints ? 0 : bucketWidth(max - min, buckets)
    const b = new Bucketer(mode, bucketMs, out)
    this.visit(i0, i1, this.column(field, worker), (t, v) => b.add(t, v))
    b.flush()
    return out
  }

  /** series() for every worker, in worker order. */
  workerSeries(field: WorkerField, min: number, max: number, maxPoints: number, mode: Reduction = 'minmax'): Point[][] {
    return Array.from({ length: this.workers }, (_, w) => this.series(field, w, min, max, maxPoints, mode))
  }

  /** Errors per second by portable name over [min, max]; each bucket shows its peak. */
  errorSeries(min: number, max: number, maxPoints: number): { name: string; points: Point[] }[] {
    const [i0, i1] = this.span(min, max)
    const bucketMs = i1 - i0 <= maxPoints ? 0 : bucketWidth(max - min, maxPoints)
    const out = this.errorNames.map((name) => ({ name, b: new Bucketer('max', bucketMs, []) }))
    if (!out.length) return []
    for (let i = i0; i < i1; i++) {
      const t = this.time(i)
      const rates = this.errorsAt(i)
      for (const o of out) o.b.add(t, rates?.[o.name] ?? 0)
    }
    return out.map((o) => {
      o.b.flush()
      return { name: o.name, points: o.b.out }
    })
  }

  /**
   * A workers × cols grid of the highest value of `field` per time cell over [min, max], for the
   * heatmaps (row-major: cell (w, c) at w * cols + c; -1 where there is no data: before the first
   * or after the last sample). A cell between two samples that received none (more cells than
   * samples) holds the previous cell's value, as a line would connect them.
   */
  grid(field: WorkerField, min: number, max: number, cols: number): { cells: Float32Array; max: number } {
    const cells = new Float32Array(this.workers * cols).fill(-1)
    let peak = 0
    const span = max - min
    if (span <= 0 || cols <= 0) return { cells, max: 0 }
    const i0 = this.lowerBound(min)
    const i1 = Math.min(this.count, this.lowerBound(max + 1e-6))
    let firstCol = cols
    let lastCol = -1
    for (let w = 0; w < this.workers; w++) {
      const row = w * cols
      this.visit(i0, i1, this.column(field, w), (t, v) => {
        const c = Math.min(cols - 1, Math.floor(((t - min) / span) * cols))
        if (c < 0) return
        if (c < firstCol) firstCol = c
        if (c > lastCol) lastCol = c
        if (v > cells[row + c]) cells[row + c] = v
        if (v > peak) peak = v
      })
    }
    for (let w = 0; w < this.workers; w++) {
      const row = w * cols
      for (let c = firstCol + 1; c <= lastCol; c++) if (cells[row + c] < 0) cells[row + c] = cells[row + c - 1]
    }
    return { cells, max: peak }
  }
}
