// A minimal logger seam: the service logs through it so tests can capture and the CLI can route to
// stderr. `once` keeps a flood of identical bad messages (a fuzzing client) from flooding the log.
export interface Logger {
  info(msg: string): void
  warn(msg: string): void
  error(msg: string): void
}

export const consoleLogger: Logger = {
  info: (m) => console.error(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} }

/** Warns the first time each key is seen; later repeats are counted, not printed. */
export class OnceLogger {
  private readonly seen = new Map<string, number>()
  constructor(private readonly logger: Logger, private readonly maxKeys = 1000) {}

  warnOnce(key: string, msg: string): void {
    const n = this.seen.get(key)
    if (n !== undefined) {
      this.seen.set(key, n + 1)
      return
    }
    // Bounded so a client inventing endless distinct keys cannot grow memory without limit.
    if (this.seen.size >= this.maxKeys) return
    this.seen.set(key, 1)
    this.logger.warn(msg)
  }

  /** How many times a key was reported (0 when never). */
  count(key: string): number {
    return this.seen.get(key) ?? 0
  }
}
