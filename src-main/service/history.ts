// A fixed-capacity ring of ticks: memory stays bounded however long the server runs (the default,
// one hour at 10 Hz, is 36,000 ticks). The oldest tick is overwritten once the ring is full.
import type { MetricsTick } from '../../src-shared/metrics'

export const DEFAULT_HISTORY_CAPACITY = 60 * 60 * 10

export class History {
  private readonly buf: (MetricsTick | undefined)[]
  private head = 0 // index of the oldest tick
  private count = 0

  constructor(readonly capacity: number = DEFAULT_HISTORY_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer (got ${capacity})`)
    this.buf = new Array(capacity)
  }

  get size(): number {
    return this.count
  }

  push(tick: MetricsTick): void {
    if (this.count < this.capacity) {
      this.buf[(this.head + this.count) % this.capacity] = tick
      this.count++
    } else {
      this.buf[this.head] = tick
      this.head = (this.head + 1) % this.capacity
    }
  }

  clear(): void {
    this.buf.fill(undefined)
    this.head = 0
    this.count = 0
  }

  /** The newest tick, or undefined when empty. */
  last(): MetricsTick | undefined {
    return this.count ? this.at(this.count - 1) : undefined
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<MetricsTick> {
    for (let i = 0; i < this.count; i++) yield this.at(i)
  }

  toArray(): MetricsTick[] {
    return [...this]
  }

  /**
   * Ticks with t >= ms, oldest first. A plain scan rather than a binary search: t is wall-clock
   * time, which can step backwards (NTP), and an hour of ticks scans in well under a millisecond.
   */
  since(ms: number): MetricsTick[] {
    const out: MetricsTick[] = []
    for (const tick of this) if (tick.t >= ms) out.push(tick)
    return out
  }

  private at(i: number): MetricsTick {
    return this.buf[(this.head + i) % this.capacity]!
  }
}
