// The payload validators of the contract: one function per kind of request, each turning an
// untrusted payload into the normalised value the service acts on, or an error as data. The
// table in ./contract names which validator guards which channel. Nothing here throws.
import { validateAlertRules, type AlertRule } from './alerts'
import { validateAppConfig, type AppConfig, type AppConfigPatch } from './app-config'
import type { ExportRequest } from './api'
import { BRIDGE_MAX_RECORDING_BYTES } from './bridge-protocol'
import { CSV_COLUMNS, isCsvColumn } from './csv-schema'
import { validateEngineConfig, type EngineConfig } from './engine-config'
import { REPLAY_SPEED, type AlertsSetRequest, type RecordingOpenRequest, type ReplayRequest } from './features'
import { invalidMessage, isPlainObject, unknownKeys } from './guards'
import { validateLoadConfig, type LoadRequest } from './load'
import type { FieldError, Result } from './result'

/** Validates one channel's payload; `channel` names it in the error. */
export type PayloadValidator<T> = (payload: unknown, channel: string) => Result<T>

function reject<T>(channel: string, why: string): Result<T> {
  return { ok: false, error: invalidMessage(`invalid message on ${channel}: ${why}`) }
}

/** A well-formed message with out-of-range fields: every field is reported, so a form can show them. */
function invalidConfig<T>(what: string, errors: FieldError[]): Result<T> {
  return { ok: false, error: { code: 'invalid-config', message: `invalid ${what}: ${errors.map((e) => e.message).join('; ')}`, fieldErrors: errors } }
}

/** Channels that take nothing: `undefined` or `{}` (what an argument-less call may produce). */
export function validateEmpty(payload: unknown, channel: string): Result<undefined> {
  if (payload === undefined) return { ok: true, value: undefined }
  if (isPlainObject(payload) && Object.keys(payload).length === 0) return { ok: true, value: undefined }
  return reject(channel, 'expected no payload or {}')
}

export function validateStart(payload: unknown, channel: string): Result<EngineConfig> {
  if (!isPlainObject(payload)) return reject(channel, 'expected a config object')
  const v = validateEngineConfig(payload)
  return v.ok ? { ok: true, value: v.value } : invalidConfig('configuration', v.errors)
}

export function validateExport(payload: unknown, channel: string): Result<ExportRequest> {
  if (payload === undefined) return { ok: true, value: {} }
  if (!isPlainObject(payload)) return reject(channel, 'expected {sinceMs?, untilMs?, columns?}')
  for (const key of Object.keys(payload)) {
    if (key !== 'sinceMs' && key !== 'untilMs' && key !== 'columns') return reject(channel, `unknown field ${key}`)
  }
  const value: ExportRequest = {}
  for (const key of ['sinceMs', 'untilMs'] as const) {
    const v = payload[key]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isFinite(v)) return reject(channel, `${key} must be a finite number (epoch milliseconds)`)
    value[key] = v
  }
  if (value.sinceMs !== undefined && value.untilMs !== undefined && value.untilMs < value.sinceMs) {
    return reject(channel, 'untilMs must not be before sinceMs')
  }
  const { columns } = payload
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.length === 0 || columns.length > CSV_COLUMNS.length) {
      return reject(channel, `columns must be a non-empty list of ${CSV_COLUMNS.join(', ')}`)
    }
    const bad = columns.find((c) => !isCsvColumn(c))
    if (bad !== undefined) return reject(channel, `unknown column ${String(bad).slice(0, 40)}`)
    if (new Set(columns).size !== columns.length) return reject(channel, 'columns must not repeat')
    value.columns = columns as string[]
  }
  return { ok: true, value }
}

/**
 * A load request is validated whole (merged over the defaults, so cross-field rules apply) but
 * passed on as sent, without undefined fields: whatever it leaves out is filled in by the load
 * controller, which knows the running server's address.
 */
export function validateLoadStart(payload: unknown, channel: string): Result<LoadRequest> {
  if (payload === undefined) return { ok: true, value: {} }
  if (!isPlainObject(payload)) return reject(channel, 'expected a load config object')
  const v = validateLoadConfig(payload)
  if (!v.ok) return invalidConfig('load configuration', v.errors)
  const request = Object.fromEntries(Object.entries(payload).filter(([, x]) => x !== undefined)) as LoadRequest
  if (request.faults) request.faults = { ...request.faults }
  return { ok: true, value: request }
}

export function validateAlertsSet(payload: unknown, channel: string): Result<AlertsSetRequest> {
  if (!isPlainObject(payload)) return reject(channel, 'expected {rules: AlertRule[]}')
  const extra = unknownKeys(payload, { rules: true })
  if (extra.length) return reject(channel, `unknown field ${extra[0]}`)
  const v = validateAlertRules(payload.rules, 'rules')
  if (!v.ok) return invalidConfig('alert rules', v.errors)
  return { ok: true, value: { rules: v.value } }
}

export function validateRecordingOpen(payload: unknown, channel: string): Result<RecordingOpenRequest> {
  if (payload === undefined) return { ok: true, value: {} }
  if (!isPlainObject(payload)) return reject(channel, 'expected {text?: string}')
  const extra = unknownKeys(payload, { text: true })
  if (extra.length) return reject(channel, `unknown field ${extra[0]} (a path is never accepted from the page)`)
  if (payload.text === undefined) return { ok: true, value: {} }
  if (typeof payload.text !== 'string') return reject(channel, 'text must be the NDJSON text of a recording')
  // Characters, not bytes: a cheap upper bound check (a UTF-8 byte is at most one character).
  if (payload.text.length > BRIDGE_MAX_RECORDING_BYTES) return reject(channel, `text is larger than ${BRIDGE_MAX_RECORDING_BYTES} bytes`)
  return { ok: true, value: { text: payload.text } }
}

export function validateReplayStart(payload: unknown, channel: string): Result<Required<ReplayRequest>> {
  if (payload === undefined) return { ok: true, value: { speed: REPLAY_SPEED.default } }
  if (!isPlainObject(payload)) return reject(channel, 'expected {speed?: number}')
  const extra = unknownKeys(payload, { speed: true })
  if (extra.length) return reject(channel, `unknown field ${extra[0]}`)
  const { speed = REPLAY_SPEED.default } = payload
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < REPLAY_SPEED.min || speed > REPLAY_SPEED.max) {
    return invalidConfig('replay request', [{ field: 'speed', message: `speed must be a number from ${REPLAY_SPEED.min} to ${REPLAY_SPEED.max}` }])
  }
  return { ok: true, value: { speed } }
}

/** The object sections a patch merges field by field; a Record so a new section cannot be missed. */
const PATCHABLE: Record<Exclude<keyof AppConfig, 'version' | 'alerts'>, true> = { server: true, sampler: true, ui: true, prometheus: true, recording: true }
const PATCHABLE_SECTIONS = Object.keys(PATCHABLE) as (keyof typeof PATCHABLE)[]

export function validateConfigSet(payload: unknown, channel: string): Result<AppConfigPatch> {
  if (!isPlainObject(payload)) return reject(channel, 'expected a (partial) configuration object')
  const v = validateAppConfig(payload)
  if (!v.ok) return invalidConfig('configuration', v.errors)
  // Keep only what was sent (validated and normalised), so the store merges it over the current
  // file rather than over the defaults.
  const patch: AppConfigPatch = {}
  const full = v.value as AppConfig
  for (const name of PATCHABLE_SECTIONS) {
    const sent = payload[name]
    if (!isPlainObject(sent)) continue
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(sent)) out[k] = (full[name] as unknown as Record<string, unknown>)[k]
    ;(patch as Record<string, unknown>)[name] = out
  }
  if (payload.alerts !== undefined) patch.alerts = full.alerts.map((r: AlertRule) => ({ ...r }))
  return { ok: true, value: patch }
}

