// Records ticks to an NDJSON file (format: src-shared/recording-format.ts) as they arrive,
// through one append stream: a long recording is never held in memory, and whatever was written
// before a crash is readable (the reader drops a torn last line). stop() flushes, fsyncs and
// closes. Unlike the CSV export this is deliberately not an atomic rename: a recording is
// valuable precisely when the app dies in the middle of it. A recording has a size cap
// (`maxBytes`): the tick that would cross it is not written, the recorder stops taking ticks and
// tells its owner (`onFull`), which stops it — so the file ends on a whole line, readable. The file
// is created owner-only (../service/owner-only).
import { createWriteStream, fsync, close, type WriteStream } from 'node:fs'
import { promisify } from 'node:util'
import type { EngineConfig } from '../../src-shared/engine-config'
import type { StartInfo } from '../../src-shared/engine-snapshot'
import type { MetricsTick } from '../../src-shared/metrics'
import { RECORDING_FORMAT, RECORDING_VERSION, type RecordingHeader } from '../../src-shared/recording-format'
import { OWNER_ONLY_FILE_MODE } from '../service/owner-only'

const fsyncAsync = promisify(fsync)
const closeAsync = promisify(close)

/**
 * Bytes the stream may hold unwritten. Far above what a healthy disk lets pile up (a 64-worker
 * tick is ~20 KB, 10 per second); beyond it the disk is stalled and the recording gives up rather
 * than let memory grow without bound.
 */
export const MAX_UNWRITTEN_BYTES = 64 * 1024 * 1024

export interface TickRecorderOptions {
  /** The server's config and start info, asked when the first tick arrives (for the header). */
  describe: () => { config: EngineConfig | null; info: StartInfo | null }
  /** Called once when a write fails; the recording is over (stop() still closes the file). */
  onError?: (err: Error) => void
  now?: () => number
  maxUnwrittenBytes?: number
  /** Fail (EEXIST) rather than replace an existing file: for names main made up itself. */
  exclusive?: boolean
  /** The file's size cap in bytes (the header is always written); none when omitted. */
  maxBytes?: number
  /** Called once when a tick did not fit under maxBytes; later ticks are dropped until stop(). */
  onFull?: (maxBytes: number) => void
}

export interface RecordingResult {
  path: string
  ticks: number
  bytes: number
}

export class TickRecorder {
  readonly startedAt: number
  private ticks = 0
  private bytes = 0
  private headerWritten = false
  private failed: Error | null = null
  private full = false
  private stopping: Promise<RecordingResult> | null = null

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
    private readonly fd: number,
    private readonly opts: TickRecorderOptions,
  ) {
    this.startedAt = (opts.now ?? Date.now)()
    stream.on('error', (err) => this.fail(err))
  }

  /** Creates (or, unless `exclusive`, truncates) `path`; rejects when the file cannot be opened. */
  static create(path: string, opts: TickRecorderOptions): Promise<TickRecorder> {
    return new Promise((resolve, reject) => {
      // autoClose off: stop() fsyncs the descriptor after the last write, then closes it.
      const stream = createWriteStream(path, { flags: opts.exclusive ? 'wx' : 'w', mode: OWNER_ONLY_FILE_MODE, autoClose: false })
      stream.once('error', reject)
      stream.once('open', (fd) => {
        stream.off('error', reject)
        resolve(new TickRecorder(path, stream, fd, opts))
      })
    })
  }

  get tickCount(): number {
    return this.ticks
  }

  get error(): Error | null {
    return this.failed
  }

  /** True once a tick did not fit under maxBytes. */
  get reachedLimit(): boolean {
    return this.full
  }

  get byteCount(): number {
    return this.bytes
  }

  /** Appends one tick (the header first, on the first call). Never throws. */
  write(tick: MetricsTick): void {
    if (this.failed || this.stopping || this.full) return
    if (!this.headerWritten) this.writeHeader()
    const line = JSON.stringify(tick) + '\n'
    const cap = this.opts.maxBytes
    if (cap !== undefined && this.bytes + Buffer.byteLength(line) > cap) {
      this.full = true
      try {
        this.opts.onFull?.(cap)
      } catch {
        // As with onError: the owner's handler must not break the tick path.
      }
      return
    }
    this.append(line)
    this.ticks++
    const max = this.opts.maxUnwrittenBytes ?? MAX_UNWRITTEN_BYTES
    if (this.stream.writableLength > max) this.fail(new Error(`the disk is not keeping up: more than ${max} bytes of the recording are waiting to be written`))
  }

  /** Ends the file (header only if no tick came), flushes it to disk and closes it. Idempotent. */
  stop(): Promise<RecordingResult> {
    this.stopping ??= (async () => {
      if (!this.failed && !this.headerWritten) this.writeHeader()
      try {
        await new Promise<void>((resolve, reject) => {
          if (this.stream.destroyed) return resolve()
          this.stream.once('error', reject)
          this.stream.end(() => resolve())
        })
        if (!this.failed) await fsyncAsync(this.fd)
      } finally {
        await closeAsync(this.fd).catch(() => undefined)
      }
      if (this.failed) throw this.failed
      return { path: this.path, ticks: this.ticks, bytes: this.bytes }
    })()
    return this.stopping
  }

  private writeHeader(): void {
    const { config, info } = this.opts.describe()
    const header: RecordingHeader = { format: RECORDING_FORMAT, version: RECORDING_VERSION, startedAt: this.startedAt, config, info }
    this.headerWritten = true
    this.append(JSON.stringify(header) + '\n')
  }

  private append(line: string): void {
    this.bytes += Buffer.byteLength(line)
    this.stream.write(line)
  }

  private fail(err: Error): void {
    if (this.failed) return
    this.failed = err
    this.stream.destroy()
    try {
      this.opts.onError?.(err)
    } catch {
      // The owner's handler must not turn a disk error into a crash.
    }
  }
}
