// The operations features of the IPC contract: alerts, recording & replay, the per-user config.
// Channel names and message types live here and are merged into CHANNELS / InvokeChannel /
// MonitorApi by api.ts, so both transports (Electron IPC and the WebSocket bridge) carry them.
// (Prometheus has no channel: it is configured through config:set and scraped over its own HTTP
// endpoint.)
import type { AlertEvent, AlertRule, AlertsState } from './alerts'
import type { ApiError, Result } from './api'
import type { AppConfigPatch, ConfigState } from './app-config'
import type { MetricsTick } from './metrics'
import type { RecordingHeader } from './recording-format'

export const FEATURE_CHANNELS = {
  alertsList: 'alerts:list',
  alertsSet: 'alerts:set',
  recordingStart: 'recording:start',
  recordingStop: 'recording:stop',
  recordingOpen: 'recording:open',
  replayStart: 'replay:start',
  replayStop: 'replay:stop',
  configGet: 'config:get',
  configSet: 'config:set',
  /** main → renderer events */
  alertEvent: 'alerts:event',
  recordingStatus: 'recording:status',
  replayStatus: 'replay:status',
} as const

export type FeatureInvokeChannel =
  | 'alerts:list'
  | 'alerts:set'
  | 'recording:start'
  | 'recording:stop'
  | 'recording:open'
  | 'replay:start'
  | 'replay:stop'
  | 'config:get'
  | 'config:set'

/** The same list at run time. */
export const FEATURE_INVOKE_CHANNELS: readonly FeatureInvokeChannel[] = [
  'alerts:list',
  'alerts:set',
  'recording:start',
  'recording:stop',
  'recording:open',
  'replay:start',
  'replay:stop',
  'config:get',
  'config:set',
]

/** main → renderer events of these features, with their payloads. */
export interface FeatureEvents {
  'alerts:event': AlertEvent
  'recording:status': RecordingStatus
  'replay:status': ReplayStatus
}
export type FeatureEventChannel = keyof FeatureEvents
export const FEATURE_EVENT_CHANNELS: readonly FeatureEventChannel[] = ['alerts:event', 'recording:status', 'replay:status']

export interface AlertsSetRequest {
  rules: AlertRule[]
}

export interface RecordingStatus {
  state: 'idle' | 'recording'
  /** The file being (or last) written. */
  path: string | null
  startedAt: number | null
  /** Ticks written so far (or in the last recording). */
  ticks: number
  /** Set when a recording ended on a write error (disk full, file removed, …). */
  lastError: ApiError | null
}

/**
 * recording:open. In Electron the file is chosen in main's open dialog (send nothing); in the
 * browser the page sends the file's NDJSON text (at most BRIDGE_MAX_RECORDING_BYTES). A path is
 * never accepted from a renderer.
 */
export interface RecordingOpenRequest {
  text?: string
}

export interface RecordingSummary {
  /** File name (Electron) or 'upload' (browser). */
  source: string
  header: RecordingHeader
  ticks: number
  firstT: number | null
  lastT: number | null
  /**
   * The last line had no newline and did not parse: the recorder was killed mid-write. That
   * partial line is dropped; every complete line was validated.
   */
  truncatedLastLine: boolean
}

/** Everything the history view needs at once; replay:start then plays the same ticks. */
export interface OpenedRecording {
  summary: RecordingSummary
  ticks: MetricsTick[]
}

export const REPLAY_SPEED = { min: 1, max: 1000, default: 1 } as const

export interface ReplayRequest {
  /** 1 = the original pace, 10 = ten times faster. */
  speed?: number
}

export interface ReplayStatus {
  state: 'idle' | 'playing' | 'finished' | 'stopped'
  /** Ticks emitted so far. */
  position: number
  total: number
  speed: number
  source: string | null
}

export interface FeatureApi {
  listAlerts(): Promise<Result<AlertsState>>
  /** Replaces the rule list (validated, saved to the config file); active alerts are cleared. */
  setAlerts(req: AlertsSetRequest): Promise<Result<AlertsState>>
  onAlert(cb: (event: AlertEvent) => void): () => void
  /** Electron asks where to save; the browser bridge writes into the recordings directory. */
  startRecording(): Promise<Result<RecordingStatus>>
  stopRecording(): Promise<Result<RecordingStatus>>
  onRecordingStatus(cb: (status: RecordingStatus) => void): () => void
  /** Resolves with ok:true and value null when the user cancelled the open dialog. */
  openRecording(req?: RecordingOpenRequest): Promise<Result<OpenedRecording | null>>
  /** Plays the opened recording through onTick (the server must be stopped). */
  startReplay(req?: ReplayRequest): Promise<Result<ReplayStatus>>
  stopReplay(): Promise<Result<ReplayStatus>>
  onReplayStatus(cb: (status: ReplayStatus) => void): () => void
  getConfig(): Promise<Result<ConfigState>>
  setConfig(patch: AppConfigPatch): Promise<Result<ConfigState>>
}
