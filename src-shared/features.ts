// The messages of the operations features: alerts, recording & replay, the per-user config
// (./contract pairs them with channels). Prometheus has no channel: it is configured through
// config:set and scraped over its own HTTP endpoint.
import type { AlertRule } from './alerts'
import type { ApiError } from './result'
import type { MetricsTick } from './metrics'
import type { RecordingHeader } from './recording-format'

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
  /**
   * Why the last recording ended on its own: a write error (code 'recording-failed': disk full,
   * file removed, …) or its size limit (code 'recording-size-limit', config recording.maxBytes;
   * the file is complete). Null when it was stopped by the user or is still running.
   */
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
