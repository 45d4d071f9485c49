// Runtime validation of everything that crosses a process boundary into main: invoke payloads
// (Electron IPC and the WebSocket bridge carry the same ones) and bridge request frames. Nothing
// here throws: a bad message becomes a Result the caller sends back as data.
import { CSV_COLUMNS, isCsvColumn } from './csv-schema'
import type { ApiError, ExportRequest, InvokeChannel, Result } from './api'
import type { BridgeRequest } from './bridge-protocol'
import { validateEngineConfig, type EngineConfig } from './engine-config'
import { validateLoadConfig, type LoadRequest } from './load'
import { FEATURE_INVOKE_CHANNELS } from './features'
import { invalidMessage, isPlainObject } from './guards'
import { isFeatureChannel, validateFeaturePayload, type FeatureValidPayloads } from './validate-features'

// Defined in ./guards (shared with the feature validators without an import cycle).
export { invalidMessage, isPlainObject }

/** The invoke channels, in one runtime list (the InvokeChannel type is the compile-time one). */
export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'server:start',
  'server:stop',
  'server:status',
  'metrics:history',
  'export:csv',
  'errors:catalog',
  'load:start',
  'load:stop',
  'load:status',
  ...FEATURE_INVOKE_CHANNELS,
]

/** What each channel's payload is once validated (alerts, recording, replay, config: ./validate-features). */
export interface ValidPayloads extends FeatureValidPayloads {
  'server:start': EngineConfig
  'server:stop': undefined
  'server:status': undefined
  'metrics:history': undefined
  'export:csv': ExportRequest
  'errors:catalog': undefined
  /** Checked field by field; host/port may be absent (the controller aims at the running server). */
  'load:start': LoadRequest
  'load:stop': undefined
  'load:status': undefined
}

/** Reply id used when a bridge frame is so malformed that its own id cannot be read. */
export const BRIDGE_NO_ID = -1

export function isInvokeChannel(x: unknown): x is InvokeChannel {
  return typeof x === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(x)
}

function reject<T>(channel: string, why: string): Result<T> {
  return { ok: false, error: invalidMessage(`invalid message on ${channel}: ${why}`) }
}

/** Channels that take nothing: `undefined` or `{}` (what an argument-less call may produce). */
function validateEmpty(channel: InvokeChannel, payload: unknown): Result<undefined> {
  if (payload === undefined) return { ok: true, value: undefined }
  if (isPlainObject(payload) && Object.keys(payload).length === 0) return { ok: true, value: undefined }
  return reject(channel, 'expected no payload or {}')
}

function validateStart(payload: unknown): Result<EngineConfig> {
  if (!isPlainObject(payload)) return reject('server:start', 'expected a config object')
  const v = validateEngineConfig(payload)
  if (v.ok) return { ok: true, value: v.value }
  // A well-formed message with out-of-range fields: report every field so a form can show them.
  return {
    ok: false,
    error: {
      code: 'invalid-config',
      message: `invalid configuration: ${v.errors.map((e) => e.message).join('; ')}`,
      fieldErrors: v.errors,
    },
  }
}

function validateExport(payload: unknown): Result<ExportRequest> {
  if (payload === undefined) return { ok: true, value: {} }
  if (!isPlainObject(payload)) return reject('export:csv', 'expected {sinceMs?, untilMs?, columns?}')
  for (const key of Object.keys(payload)) {
    if (key !== 'sinceMs' && key !== 'untilMs' && key !== 'columns') return reject('export:csv', `unknown field ${key}`)
  }
  const value: ExportRequest = {}
  for (const key of ['sinceMs', 'untilMs'] as const) {
    const v = payload[key]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isFinite(v)) return reject('export:csv', `${key} must be a finite number (epoch milliseconds)`)
    value[key] = v
  }
  if (value.sinceMs !== undefined && value.untilMs !== undefined && value.untilMs < value.sinceMs) {
    return reject('export:csv', 'untilMs must not be before sinceMs')
  }
  const { columns } = payload
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.length === 0 || columns.length > CSV_COLUMNS.length) {
      return reject('export:csv', `columns must be a non-empty list of ${CSV_COLUMNS.join(', ')}`)
    }
    const bad = columns.find((c) => !isCsvColumn(c))
    if (bad !== undefined) return reject('export:csv', `unknown column ${String(bad).slice(0, 40)}`)
    if (new Set(columns).size !== columns.length) return reject('export:csv', 'columns must not repeat')
    value.columns = columns as string[]
  }
  return { ok: true, value }
}

/**
 * A load request is validated whole (merged over the defaults, so cross-field rules apply) but
 * passed on as sent, without undefined fields: whatever it leaves out is filled in by the load
 * controller, which knows the running server's address.
 */
function validateLoadStart(payload: unknown): Result<LoadRequest> {
  if (payload === undefined) return { ok: true, value: {} }
  if (!isPlainObject(payload)) return reject('load:start', 'expected a load config object')
  const v = validateLoadConfig(payload)
  if (!v.ok) {
    return {
      ok: false,
      error: { code: 'invalid-config', message: `invalid load configuration: ${v.errors.map((e) => e.message).join('; ')}`, fieldErrors: v.errors },
    }
  }
  const request = Object.fromEntries(Object.entries(payload).filter(([, x]) => x !== undefined)) as LoadRequest
  if (request.faults) request.faults = { ...request.faults }
  return { ok: true, value: request }
}

/** Validates one invoke payload; the value is the normalised payload the service acts on. */
export function validatePayload<C extends InvokeChannel>(channel: C, payload: unknown): Result<ValidPayloads[C]>
export function validatePayload(channel: InvokeChannel, payload: unknown): Result<unknown> {
  switch (channel) {
    case 'server:start':
      return validateStart(payload)
    case 'export:csv':
      return validateExport(payload)
    case 'load:start':
      return validateLoadStart(payload)
    case 'load:stop':
    case 'load:status':
      return validateEmpty(channel, payload)
    case 'server:stop':
    case 'server:status':
    case 'metrics:history':
    case 'errors:catalog':
      return validateEmpty(channel, payload)
    default:
      if (isFeatureChannel(channel)) return validateFeaturePayload(channel, payload)
      return reject(String(channel), 'unknown channel')
  }
}

export type ParsedBridgeRequest = { ok: true; value: BridgeRequest } | { ok: false; id: number; error: ApiError }

/**
 * Parses one text frame of the bridge into a request (shape only; the payload is validated per
 * channel by validatePayload). The id of a bad frame is echoed when it is readable so the client
 * can fail the matching call; otherwise the reply carries BRIDGE_NO_ID.
 */
export function parseBridgeRequest(text: string): ParsedBridgeRequest {
  let msg: unknown
  try {
    msg = JSON.parse(text)
  } catch {
    return { ok: false, id: BRIDGE_NO_ID, error: invalidMessage('bridge message is not valid JSON') }
  }
  if (!isPlainObject(msg)) {
    return { ok: false, id: BRIDGE_NO_ID, error: invalidMessage('bridge message must be a JSON object') }
  }
  const { id, channel, payload } = msg
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return { ok: false, id: BRIDGE_NO_ID, error: invalidMessage('bridge message needs an integer id >= 0') }
  }
  for (const key of Object.keys(msg)) {
    if (key !== 'id' && key !== 'channel' && key !== 'payload') {
      return { ok: false, id, error: invalidMessage(`bridge message has unknown field ${key}`) }
    }
  }
  if (!isInvokeChannel(channel)) {
    return { ok: false, id, error: invalidMessage(`unknown channel ${JSON.stringify(channel)?.slice(0, 64)}`) }
  }
  return { ok: true, value: { id, channel, payload } }
}
