// The recording file format (NDJSON, UTF-8, one JSON value per line, each line ending in "\n"):
//
//   line 1     {"format":"iocp-monitor-recording","version":1,"startedAt":<epoch ms>,
//               "config":<EngineConfig|null>,"info":<StartInfo|null>}
//   line 2…    one MetricsTick per line, exactly as the sampler produced it
//
// Every line is validated strictly (unknown fields are errors) so a replay reproduces the
// recorded series exactly, and a corrupt file is refused with the number of the bad line.
import { BACKENDS, validateEngineConfig, type EngineConfig } from './engine-config'
import type { StartInfo } from './engine-snapshot'
import { isNonNegativeInt, isNonNegativeNumber, isPlainObject, unknownKeys } from './guards'
import type { MetricsTick, WorkerSample } from './metrics'

export const RECORDING_FORMAT = 'iocp-monitor-recording'
export const RECORDING_VERSION = 1

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT
  version: typeof RECORDING_VERSION
  /** When the recording started, epoch ms. */
  startedAt: number
  /**
   * The server's configuration and start info when the first tick was recorded (a recording with
   * no tick: the last configuration used, or null if the server never ran; info null).
   */
  config: EngineConfig | null
  info: StartInfo | null
}

/** A problem with one value; `path` names the field, e.g. "workers[1].queueDepth". */
export type Checked<T> = { ok: true; value: T } | { ok: false; path: string; message: string }

function bad<T>(path: string, message: string): Checked<T> {
  return { ok: false, path, message }
}

const SAMPLE_FIELDS: Record<keyof WorkerSample, 'worker' | 'int' | 'number' | 'ratio'> = {
  worker: 'worker',
  queueDepth: 'int',
  inflight: 'int',
  completionsTotal: 'int',
  bytesInTotal: 'int',
  bytesOutTotal: 'int',
  errorsTotal: 'int',
  sessions: 'int',
  completionsPerS: 'number',
  bytesInPerS: 'number',
  bytesOutPerS: 'number',
  errorsPerS: 'number',
  busy: 'ratio',
}

function checkSample(x: unknown, path: string, total: boolean): Checked<WorkerSample> {
  if (!isPlainObject(x)) return bad(path, 'must be an object')
  const extra = unknownKeys(x, SAMPLE_FIELDS)
  if (extra.length) return bad(`${path}.${extra[0]}`, 'is not a field of a worker sample')
  for (const [key, kind] of Object.entries(SAMPLE_FIELDS)) {
    const v = x[key]
    const at = `${path}.${key}`
    if (kind === 'worker') {
      if (total ? v !== 'all' : !isNonNegativeInt(v)) return bad(at, total ? "must be 'all'" : 'must be a worker index (integer >= 0)')
    } else if (kind === 'int') {
      if (!isNonNegativeInt(v)) return bad(at, 'must be an integer >= 0')
    } else if (!isNonNegativeNumber(v) || (kind === 'ratio' && v > 1)) {
      return bad(at, kind === 'ratio' ? 'must be a number from 0 to 1' : 'must be a finite number >= 0')
    }
  }
  return { ok: true, value: x as unknown as WorkerSample }
}

const TICK_FIELDS = { t: true, seq: true, workers: true, total: true, errors: true }
const ERROR_FIELDS = { code: true, nativeName: true, name: true, count: true, perS: true }

/** Checks a MetricsTick deeply: every field present, of the right type, and nothing else. */
export function checkMetricsTick(x: unknown): Checked<MetricsTick> {
  if (!isPlainObject(x)) return bad('tick', 'must be a JSON object')
  const extra = unknownKeys(x, TICK_FIELDS)
  if (extra.length) return bad(extra[0]!, 'is not a field of a tick')
  if (typeof x.t !== 'number' || !Number.isFinite(x.t)) return bad('t', 'must be a finite number (epoch ms)')
  if (!isNonNegativeInt(x.seq)) return bad('seq', 'must be an integer >= 0')
  if (!Array.isArray(x.workers)) return bad('workers', 'must be an array')
  for (let i = 0; i < x.workers.length; i++) {
    const c = checkSample(x.workers[i], `workers[${i}]`, false)
    if (!c.ok) return c
  }
  const total = checkSample(x.total, 'total', true)
  if (!total.ok) return total
  if (!Array.isArray(x.errors)) return bad('errors', 'must be an array')
  for (let i = 0; i < x.errors.length; i++) {
    const e: unknown = x.errors[i]
    const at = `errors[${i}]`
    if (!isPlainObject(e)) return bad(at, 'must be an object')
    const extraE = unknownKeys(e, ERROR_FIELDS)
    if (extraE.length) return bad(`${at}.${extraE[0]}`, 'is not a field of an error count')
    if (typeof e.code !== 'number' || !Number.isSafeInteger(e.code)) return bad(`${at}.code`, 'must be an integer')
    if (typeof e.nativeName !== 'string') return bad(`${at}.nativeName`, 'must be a string')
    if (typeof e.name !== 'string') return bad(`${at}.name`, 'must be a string')
    if (!isNonNegativeInt(e.count)) return bad(`${at}.count`, 'must be an integer >= 0')
    if (!isNonNegativeNumber(e.perS)) return bad(`${at}.perS`, 'must be a finite number >= 0')
  }
  return { ok: true, value: x as unknown as MetricsTick }
}

const INFO_FIELDS = { backend: true, fallbackReason: true, host: true, port: true, workers: true, features: true }

function checkStartInfo(x: unknown): Checked<StartInfo | null> {
  if (x === null) return { ok: true, value: null }
  if (!isPlainObject(x)) return bad('info', 'must be an object or null')
  const extra = unknownKeys(x, INFO_FIELDS)
  if (extra.length) return bad(`info.${extra[0]}`, 'is not a field of the start info')
  if (typeof x.backend !== 'string' || x.backend === 'auto' || !(BACKENDS as readonly string[]).includes(x.backend)) return bad('info.backend', 'must be iouring, epoll or iocp')
  if (x.fallbackReason !== undefined && typeof x.fallbackReason !== 'string') return bad('info.fallbackReason', 'must be a string')
  if (typeof x.host !== 'string') return bad('info.host', 'must be a string')
  if (!isNonNegativeInt(x.port) || x.port > 65535) return bad('info.port', 'must be a port number')
  if (!isNonNegativeInt(x.workers)) return bad('info.workers', 'must be an integer >= 0')
  if (!Array.isArray(x.features) || !x.features.every((f) => typeof f === 'string')) return bad('info.features', 'must be an array of strings')
  return { ok: true, value: x as unknown as StartInfo }
}

const HEADER_FIELDS = { format: true, version: true, startedAt: true, config: true, info: true }

export function checkRecordingHeader(x: unknown): Checked<RecordingHeader> {
  if (!isPlainObject(x) || x.format !== RECORDING_FORMAT) return bad('format', `the first line must be a header with "format":"${RECORDING_FORMAT}" (is this an iocp-monitor recording?)`)
  if (x.version !== RECORDING_VERSION) return bad('version', `unsupported recording version ${JSON.stringify(x.version)} (this build reads version ${RECORDING_VERSION})`)
  const extra = unknownKeys(x, HEADER_FIELDS)
  if (extra.length) return bad(extra[0]!, 'is not a field of the header')
  if (typeof x.startedAt !== 'number' || !Number.isFinite(x.startedAt)) return bad('startedAt', 'must be a finite number (epoch ms)')
  let config: EngineConfig | null = null
  if (x.config !== null) {
    const c = validateEngineConfig(x.config)
    if (!c.ok) return bad(`config.${c.errors[0]!.field}`, c.errors[0]!.message)
    // Filled in with the defaults: a recording made before a field existed (the iocp* ones,
    // iouringRecv) still reads as a whole EngineConfig. What the backend actually ran with is in
    // info.features.
    config = c.value
  }
  const info = checkStartInfo(x.info)
  if (!info.ok) return info
  return { ok: true, value: { ...(x as unknown as RecordingHeader), config } }
}
