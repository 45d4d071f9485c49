// Payload validation for the channels of ./features (alerts, recording & replay, config). Called
// from validatePayload in ./validate for these channels, so every message still passes through the
// one entry point; kept in its own file so the core contract stays short. Nothing here throws.
import { validateAlertRules, type AlertRule } from './alerts'
import type { Result } from './api'
import { validateAppConfig, type AppConfig, type AppConfigPatch } from './app-config'
import { BRIDGE_MAX_RECORDING_BYTES } from './bridge-protocol'
import type { FieldError } from './engine-config'
import { FEATURE_INVOKE_CHANNELS, REPLAY_SPEED, type AlertsSetRequest, type FeatureInvokeChannel, type RecordingOpenRequest, type ReplayRequest } from './features'
import { invalidMessage, isPlainObject, unknownKeys } from './guards'

export interface FeatureValidPayloads {
  'alerts:list': undefined
  'alerts:set': AlertsSetRequest
  'recording:start': undefined
  'recording:stop': undefined
  'recording:open': RecordingOpenRequest
  'replay:start': Required<ReplayRequest>
  'replay:stop': undefined
  'config:get': undefined
  /** Only the sections and fields the sender named, each validated. */
  'config:set': AppConfigPatch
}

function reject<T>(channel: string, why: string): Result<T> {
  return { ok: false, error: invalidMessage(`invalid message on ${channel}: ${why}`) }
}

function invalidConfig<T>(what: string, errors: FieldError[]): Result<T> {
  return { ok: false, error: { code: 'invalid-config', message: `invalid ${what}: ${errors.map((e) => e.message).join('; ')}`, fieldErrors: errors } }
}

function validateEmpty(channel: string, payload: unknown): Result<undefined> {
  if (payload === undefined) return { ok: true, value: undefined }
  if (isPlainObject(payload) && Object.keys(payload).length === 0) return { ok: true, value: undefined }
  return reject(channel, 'expected no payload or {}')
}

function validateAlertsSet(payload: unknown): Result<AlertsSetRequest> {
  if (!isPlainObject(payload)) return reject('alerts:set', 'expected {rules: AlertRule[]}')
  const extra = unknownKeys(payload, { rules: true })
  if (extra.length) return reject('alerts:set', `unknown field ${extra[0]}`)
  const v = validateAlertRules(payload.rules, 'rules')
  if (!v.ok) return invalidConfig('alert rules', v.errors)
  return { ok: true, value: { rules: v.value } }
}

function validateRecordingOpen(payload: unknown): Result<RecordingOpenRequest> {
  if (payload === undefined) return { ok: true, value: {} }
  if (!isPlainObject(payload)) return reject('recording:open', 'expected {text?: string}')
  const extra = unknownKeys(payload, { text: true })
  if (extra.length) return reject('recording:open', `unknown field ${extra[0]} (a path is never accepted from the page)`)
  if (payload.text === undefined) return { ok: true, value: {} }
  if (typeof payload.text !== 'string') return reject('recording:open', 'text must be the NDJSON text of a recording')
  // Characters, not bytes: a cheap upper bound check (a UTF-8 byte is at most one character).
  if (payload.text.length > BRIDGE_MAX_RECORDING_BYTES) return reject('recording:open', `text is larger than ${BRIDGE_MAX_RECORDING_BYTES} bytes`)
  return { ok: true, value: { text: payload.text } }
}

function validateReplayStart(payload: unknown): Result<Required<ReplayRequest>> {
  if (payload === undefined) return { ok: true, value: { speed: REPLAY_SPEED.default } }
  if (!isPlainObject(payload)) return reject('replay:start', 'expected {speed?: number}')
  const extra = unknownKeys(payload, { speed: true })
  if (extra.length) return reject('replay:start', `unknown field ${extra[0]}`)
  const { speed = REPLAY_SPEED.default } = payload
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < REPLAY_SPEED.min || speed > REPLAY_SPEED.max) {
    return invalidConfig('replay request', [{ field: 'speed', message: `speed must be a number from ${REPLAY_SPEED.min} to ${REPLAY_SPEED.max}` }])
  }
  return { ok: true, value: { speed } }
}

const PATCHABLE_SECTIONS = ['server', 'sampler', 'ui', 'prometheus'] as const

function validateConfigSet(payload: unknown): Result<AppConfigPatch> {
  if (!isPlainObject(payload)) return reject('config:set', 'expected a (partial) configuration object')
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

export function isFeatureChannel(channel: unknown): channel is FeatureInvokeChannel {
  return typeof channel === 'string' && (FEATURE_INVOKE_CHANNELS as readonly string[]).includes(channel)
}

export function validateFeaturePayload<C extends FeatureInvokeChannel>(channel: C, payload: unknown): Result<FeatureValidPayloads[C]>
export function validateFeaturePayload(channel: FeatureInvokeChannel, payload: unknown): Result<unknown> {
  switch (channel) {
    case 'alerts:set':
      return validateAlertsSet(payload)
    case 'recording:open':
      return validateRecordingOpen(payload)
    case 'replay:start':
      return validateReplayStart(payload)
    case 'config:set':
      return validateConfigSet(payload)
    case 'alerts:list':
    case 'recording:start':
    case 'recording:stop':
    case 'replay:stop':
    case 'config:get':
      return validateEmpty(channel, payload)
    default:
      return reject(String(channel), 'unknown channel')
  }
}
