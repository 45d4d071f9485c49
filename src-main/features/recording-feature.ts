// The recording feature: recording:start/stop/open, replay:start/stop and their status events.
// Recording and replay live in one owner because they exclude each other (a replay's ticks must
// never be written into a recording, and a recording must not be running while a replay plays).
// Paths are never taken from a renderer: Electron's glue passes the path its own file dialog
// returned (startRecordingTo / openRecordingFile); the bridge writes into `recordingsDir`, which is
// created owner-only. A recording that reaches the config's recording.maxBytes is stopped here, its
// status saying why (lastError 'recording-size-limit'), as a failed write is.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { ServerStatus } from '../../src-shared/api'
import type { ChannelHandlers } from '../../src-shared/contract'
import { REPLAY_SPEED, type OpenedRecording, type RecordingOpenRequest, type RecordingStatus, type ReplayRequest, type ReplayStatus } from '../../src-shared/features'
import type { MetricsTick } from '../../src-shared/metrics'
import type { Result } from '../../src-shared/result'
import { loadRecording, parseRecording, RecordingFormatError, type LoadedRecording } from '../recording/reader'
import { Replayer } from '../recording/replayer'
import { TickRecorder } from '../recording/recorder'
import { apiError } from '../service/api-error'
import type { Logger } from '../service/log'
import type { MonitorService } from '../service/monitor-service'
import { OWNER_ONLY_DIR_MODE } from '../service/owner-only'
import type { AlertsFeature } from './alerts-feature'
import type { ConfigFeature } from './config-feature'
import { fsFailure } from './fs-failure'
import type { ServerFeature } from './server-feature'

type RecordingChannel = 'recording:start' | 'recording:stop' | 'recording:open' | 'replay:start' | 'replay:stop'

const IDLE_RECORDING: RecordingStatus = { state: 'idle', path: null, startedAt: null, ticks: 0, lastError: null }
const IDLE_REPLAY: ReplayStatus = { state: 'idle', position: 0, total: 0, speed: 1, source: null }

/** A file-name-safe UTC timestamp: 2026-11-26T01-53-00-123Z. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-')
}

export class RecordingFeature {
  private recorder: TickRecorder | null = null
  private recorderOpening = false
  private recording: RecordingStatus = { ...IDLE_RECORDING }
  private opened: LoadedRecording | null = null
  private replayer: Replayer | null = null
  private replay: ReplayStatus = { ...IDLE_REPLAY }
  private disposed = false

  constructor(
    private readonly service: MonitorService,
    private readonly server: Pick<ServerFeature, 'currentStatus' | 'beginReplay' | 'replayTick' | 'endReplay'>,
    private readonly alerts: Pick<AlertsFeature, 'reset'>,
    private readonly config: Pick<ConfigFeature, 'current'>,
    private readonly recordingsDir: string | null,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  handlers(): Pick<ChannelHandlers, RecordingChannel> {
    return {
      'recording:start': () => this.startRecording(),
      'recording:stop': () => this.stopRecording(),
      'recording:open': (req) => this.openRecording(req),
      'replay:start': (req) => this.startReplay(req),
      'replay:stop': () => this.stopReplay(),
    }
  }

  /** True while a replay feeds the tick path: its ticks are not live data. */
  get replaying(): boolean {
    return !!this.replayer?.active
  }

  tick(tick: MetricsTick): void {
    if (!this.replaying) this.recorder?.write(tick)
  }

  status(status: ServerStatus): void {
    // A live run replaces a replay (the server feature has already stopped feeding it).
    if (status.state === 'starting') this.replayer?.stop()
  }

  recordingStatus(): RecordingStatus {
    return { ...this.recording, ticks: this.recorder?.tickCount ?? this.recording.ticks, lastError: this.recording.lastError && { ...this.recording.lastError } }
  }

  /** The bridge's recording:start: a new file in recordingsDir. */
  async startRecording(): Promise<Result<RecordingStatus>> {
    const dir = this.recordingsDir
    if (!dir) return { ok: false, error: apiError('unavailable', 'recording needs a file chosen in the app (no recordings directory here)') }
    try {
      await mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR_MODE })
    } catch (err) {
      return { ok: false, error: fsFailure(err, 'recording-failed', `cannot create ${dir}: ${(err as Error).message}`) }
    }
    // A name we made up must never replace an earlier recording.
    return this.startRecordingTo(join(dir, `iocp-monitor-${stamp(this.now())}.ndjson`), { exclusive: true })
  }

  /**
   * Starts recording every live tick to `path` (a path main chose: a dialog, a CLI flag). The file
   * is replaced if it exists (the dialog has asked), unless `exclusive`.
   */
  async startRecordingTo(path: string, opts: { exclusive?: boolean } = {}): Promise<Result<RecordingStatus>> {
    if (this.disposed) return { ok: false, error: apiError('disposed', 'the application is shutting down') }
    if (this.recorder || this.recorderOpening) return { ok: false, error: apiError('already-recording', 'a recording is already running; stop it first') }
    if (this.replayer?.active) return { ok: false, error: apiError('busy', 'a replay is playing; stop it before recording') }
    this.recorderOpening = true
    try {
      const rec = await TickRecorder.create(path, {
        exclusive: opts.exclusive,
        now: this.now,
        // Read at each start: a changed limit applies to the next recording.
        maxBytes: this.config.current().recording.maxBytes,
        onFull: (maxBytes) => void this.recorderFull(rec, maxBytes),
        describe: () => {
          const s = this.server.currentStatus()
          return { config: s.config, info: s.info }
        },
        onError: (err) => void this.recorderFailed(rec, err),
      })
      this.recorder = rec
      this.recording = { state: 'recording', path, startedAt: rec.startedAt, ticks: 0, lastError: null }
    } catch (err) {
      return { ok: false, error: fsFailure(err, 'recording-failed', `cannot create ${path}: ${(err as Error).message}`) }
    } finally {
      this.recorderOpening = false
    }
    this.service.publish('recording:status', this.recordingStatus())
    return { ok: true, value: this.recordingStatus() }
  }

  /** Flushes and closes the recording; stopping when idle succeeds and changes nothing. */
  async stopRecording(): Promise<Result<RecordingStatus>> {
    const rec = this.recorder
    if (!rec) return { ok: true, value: this.recordingStatus() }
    this.recorder = null
    try {
      const r = await rec.stop()
      this.recording = { ...this.recording, state: 'idle', ticks: r.ticks, lastError: null }
    } catch (err) {
      const error = fsFailure(err, 'recording-failed', `recording to ${rec.path} failed: ${(err as Error).message}`)
      this.recording = { ...this.recording, state: 'idle', ticks: rec.tickCount, lastError: error }
      this.service.publish('recording:status', this.recordingStatus())
      return { ok: false, error }
    }
    this.service.publish('recording:status', this.recordingStatus())
    return { ok: true, value: this.recordingStatus() }
  }

  private async recorderFailed(rec: TickRecorder, err: Error): Promise<void> {
    if (this.recorder !== rec) return
    this.recorder = null
    await rec.stop().catch(() => undefined)
    const error = fsFailure(err, 'recording-failed', `recording to ${rec.path} stopped: ${err.message}`)
    this.recording = { ...this.recording, state: 'idle', ticks: rec.tickCount, lastError: error }
    this.logger.error(error.message)
    this.service.publish('recording:status', this.recordingStatus())
  }

  /**
   * The recording reached its size cap: it is stopped like a user's stop (the file flushed and
   * complete), and the status event carries why, for the page to show.
   */
  private async recorderFull(rec: TickRecorder, maxBytes: number): Promise<void> {
    if (this.recorder !== rec) return
    this.recorder = null
    let error = apiError('recording-size-limit', `the recording ${rec.path} reached its size limit of ${formatBytes(maxBytes)} (recording.maxBytes) and was stopped; the file is complete. Start a new recording to go on.`)
    try {
      await rec.stop()
    } catch (err) {
      error = fsFailure(err, 'recording-failed', `recording to ${rec.path} stopped at its size limit but could not be closed: ${(err as Error).message}`)
    }
    this.recording = { ...this.recording, state: 'idle', ticks: rec.tickCount, lastError: error }
    this.logger.warn(error.message)
    this.service.publish('recording:status', this.recordingStatus())
  }

  /** The bridge's recording:open: the recording's NDJSON text, sent by the page. */
  async openRecording({ text }: RecordingOpenRequest): Promise<Result<OpenedRecording | null>> {
    if (text === undefined) return { ok: false, error: apiError('unavailable', "send the recording's text ({text}); files are chosen in the desktop app") }
    return this.open(async () => parseRecording(text, 'upload'))
  }

  /** Opens a recording file chosen by main (Electron's dialog, the CLI). */
  openRecordingFile(path: string): Promise<Result<OpenedRecording | null>> {
    return this.open(() => loadRecording(path))
  }

  private async open(load: () => Promise<LoadedRecording>): Promise<Result<OpenedRecording | null>> {
    let rec: LoadedRecording
    try {
      rec = await load()
    } catch (err) {
      if (err instanceof RecordingFormatError) return { ok: false, error: apiError('invalid-recording', err.message) }
      return { ok: false, error: fsFailure(err, 'open-failed', `cannot read the recording: ${(err as Error)?.message ?? err}`) }
    }
    this.replayer?.stop()
    this.opened = rec
    return { ok: true, value: { summary: summarize(rec), ticks: rec.ticks } }
  }

  async startReplay({ speed }: Required<ReplayRequest> = { speed: REPLAY_SPEED.default }): Promise<Result<ReplayStatus>> {
    const rec = this.opened
    if (!rec) return { ok: false, error: apiError('no-recording', 'open a recording first') }
    if (this.recorder || this.recorderOpening) return { ok: false, error: apiError('busy', 'a recording is running; stop it before replaying') }
    this.replayer?.stop()
    const begun = this.server.beginReplay()
    if (!begun.ok) return begun
    this.alerts.reset()
    const replayer: Replayer = new Replayer({
      ticks: rec.ticks,
      speed,
      emit: (tick) => this.server.replayTick(tick),
      onEnd: (how, position) => {
        if (this.replayer !== replayer) return
        this.server.endReplay()
        this.replay = { ...this.replay, state: how, position }
        this.alerts.reset()
        this.service.publish('replay:status', { ...this.replay })
      },
    })
    this.replayer = replayer
    this.replay = { state: 'playing', position: 0, total: rec.ticks.length, speed, source: rec.source }
    this.service.publish('replay:status', { ...this.replay })
    replayer.start()
    return { ok: true, value: this.replayStatus() }
  }

  async stopReplay(): Promise<Result<ReplayStatus>> {
    this.replayer?.stop()
    return { ok: true, value: this.replayStatus() }
  }

  replayStatus(): ReplayStatus {
    return this.replayer?.active ? { ...this.replay, position: this.replayer.position } : { ...this.replay }
  }

  /** Ends a replay and flushes a recording. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    this.replayer?.stop()
    await this.stopRecording().catch(() => undefined)
  }
}

/** 1073741824 → "1 GiB", 1572864 → "1.5 MiB": a limit as the user set it. */
function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${Number(n.toFixed(2))} ${units[i]}`
}

function summarize(rec: LoadedRecording): OpenedRecording['summary'] {
  return {
    source: rec.source,
    header: rec.header,
    ticks: rec.ticks.length,
    firstT: rec.ticks[0]?.t ?? null,
    lastT: rec.ticks.at(-1)?.t ?? null,
    truncatedLastLine: rec.truncatedLastLine,
  }
}
