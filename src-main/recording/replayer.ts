// Plays recorded ticks back at their recorded pace, or `speed` times faster. Each tick is due at
// start + (its offset in the recording) / speed, computed from the recording's own sample times,
// so timer lateness never accumulates into drift; ticks that fall due together (high speeds) are
// emitted in one turn. Gaps longer than maxGapMs (the pause between two server runs recorded in
// one file) are shortened to maxGapMs so a replay never sits silent for minutes.
import type { MetricsTick } from '../../src-shared/metrics'

export const DEFAULT_MAX_GAP_MS = 5000

export interface ReplayClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realClock: ReplayClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}

export type ReplayEnd = 'finished' | 'stopped'

export interface ReplayerOptions {
  ticks: readonly MetricsTick[]
  /** 1 = recorded pace. */
  speed: number
  /** Emits one tick; returning false ends the replay ('stopped'), e.g. when the server started. */
  emit: (tick: MetricsTick) => boolean
  onEnd: (how: ReplayEnd, position: number) => void
  maxGapMs?: number
  clock?: ReplayClock
}

/** Offsets (ms of recording time) of each tick from the first, with long gaps shortened. */
export function replayOffsets(ticks: readonly MetricsTick[], maxGapMs = DEFAULT_MAX_GAP_MS): number[] {
  const out: number[] = []
  let acc = 0
  ticks.forEach((tick, i) => {
    if (i > 0) acc += Math.min(maxGapMs, Math.max(0, tick.t - ticks[i - 1]!.t))
    out.push(acc)
  })
  return out
}

export class Replayer {
  private pos = 0
  private timer: unknown = null
  private startAt = 0
  private done = false
  private readonly offsets: number[]
  private readonly clock: ReplayClock

  constructor(private readonly opts: ReplayerOptions) {
    if (!(opts.speed > 0) || !Number.isFinite(opts.speed)) throw new RangeError(`replay speed must be a positive number (got ${opts.speed})`)
    this.clock = opts.clock ?? realClock
    this.offsets = replayOffsets(opts.ticks, opts.maxGapMs)
  }

  get position(): number {
    return this.pos
  }

  get total(): number {
    return this.opts.ticks.length
  }

  get active(): boolean {
    return !this.done
  }

  /** Emits the first tick now, the rest on schedule. */
  start(): void {
    this.startAt = this.clock.now()
    this.step()
  }

  /** Ends the replay early; onEnd('stopped') unless it had already ended. */
  stop(): void {
    this.finish('stopped')
  }

  private step(): void {
    this.timer = null
    if (this.done) return
    const elapsed = (this.clock.now() - this.startAt) * this.opts.speed
    const { ticks } = this.opts
    while (this.pos < ticks.length && this.offsets[this.pos]! <= elapsed) {
      let ok: boolean
      try {
        ok = this.opts.emit(ticks[this.pos]!)
      } catch {
        ok = false
      }
      if (!ok) return this.finish('stopped')
      this.pos++
    }
    if (this.pos >= ticks.length) return this.finish('finished')
    const waitMs = Math.max(0, (this.offsets[this.pos]! - elapsed) / this.opts.speed)
    this.timer = this.clock.setTimeout(() => this.step(), waitMs)
  }

  private finish(how: ReplayEnd): void {
    if (this.done) return
    this.done = true
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    this.opts.onEnd(how, this.pos)
  }
}
