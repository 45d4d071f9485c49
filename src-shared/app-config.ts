// The per-user configuration file (config.json): what the app remembers between runs. One
// definition, validated the same way when main loads the file, when the renderer sends
// config:set, and in the renderer's forms. The store is src-main/config/config-store.ts.
import { validateAlertRules, type AlertRule } from './alerts'
import type { ApiError } from './result'
import { DEFAULT_ENGINE_CONFIG, validateEngineConfig, type EngineConfig } from './engine-config'
import type { FieldError, Validated } from './result'
import { isPlainObject, unknownKeys } from './guards'

export const CONFIG_VERSION = 1

export const UI_LANGUAGES = ['en', 'ko'] as const
export type UiLanguage = (typeof UI_LANGUAGES)[number]
export const UI_THEMES = ['system', 'light', 'dark'] as const
export type UiTheme = (typeof UI_THEMES)[number]

/** Same range as the sampler's (src-main/service/sampler.ts SAMPLE_HZ; a unit test keeps them equal). */
export const SAMPLER_HZ_LIMITS = { min: 1, max: 100 } as const

const MiB = 1024 * 1024

/**
 * A recording's size cap: on reaching it the recording stops (the file complete, the status saying
 * why), so a recording left running cannot fill the disk. 1 GiB is about 14 hours of 64 workers
 * at 10 Hz (~20 KB a tick), days of a few workers.
 */
export const RECORDING_MAX_BYTES = { min: MiB, max: 1024 * 1024 * MiB, default: 1024 * MiB } as const

export interface AppConfig {
  version: typeof CONFIG_VERSION
  /** The server form's last values (what "Start" uses). */
  server: EngineConfig
  /** Samples per second; applied when the app (and so the sampler) starts. */
  sampler: { hz: number }
  alerts: AlertRule[]
  ui: { language: UiLanguage; theme?: UiTheme }
  /** The /metrics endpoint on 127.0.0.1:port; off unless the user turns it on. */
  prometheus: { enabled: boolean; port: number }
  /** Recordings (recording:start, `serve --record`): maxBytes is applied when one starts. */
  recording: { maxBytes: number }
}

export const DEFAULT_PROMETHEUS_PORT = 9464

export const DEFAULT_APP_CONFIG: AppConfig = {
  version: CONFIG_VERSION,
  server: { ...DEFAULT_ENGINE_CONFIG },
  sampler: { hz: 10 },
  alerts: [],
  ui: { language: 'en' },
  prometheus: { enabled: false, port: DEFAULT_PROMETHEUS_PORT },
  recording: { maxBytes: RECORDING_MAX_BYTES.default },
}

/** What config:set accepts: any subset of the sections; a section given replaces that section's fields it names. */
export type AppConfigPatch = Partial<Omit<AppConfig, 'version' | 'server' | 'sampler' | 'ui' | 'prometheus' | 'recording'>> & {
  version?: typeof CONFIG_VERSION
  server?: Partial<EngineConfig>
  sampler?: Partial<AppConfig['sampler']>
  ui?: Partial<AppConfig['ui']>
  prometheus?: Partial<AppConfig['prometheus']>
  recording?: Partial<AppConfig['recording']>
}

/** Told to the UI when the config file could not be used (it was set aside and defaults apply). */
export interface ConfigNotice {
  code: 'config-corrupt' | 'config-invalid' | 'config-unreadable'
  message: string
  /** Where the bad file was moved (config.json.corrupt-<timestamp>), when it could be moved. */
  movedTo: string | null
  fieldErrors?: FieldError[]
}

export interface ConfigState {
  config: AppConfig
  /** The file's path, or null when the app runs without a config directory. */
  path: string | null
  /** Set when the last load had to fall back to defaults; cleared by a successful save. */
  notice: ConfigNotice | null
  /** The Prometheus endpoint as it is now: its URL while serving, or why it could not start. */
  metrics: { url: string | null; error: ApiError | null }
}

const SECTIONS: Record<keyof AppConfig, true> = { version: true, server: true, sampler: true, alerts: true, ui: true, prometheus: true, recording: true }

/** `{...base, ...patch}` for one section, collecting the unknown fields of the patch. */
function section<T extends object>(errors: FieldError[], name: string, base: T, patch: unknown): T {
  if (patch === undefined) return { ...base }
  if (!isPlainObject(patch)) {
    errors.push({ field: name, message: `${name} must be an object` })
    return { ...base }
  }
  for (const k of unknownKeys(patch, base)) {
    // Optional fields absent from the defaults are declared by the caller below.
    if (!(name === 'ui' && k === 'theme')) errors.push({ field: `${name}.${k}`, message: `unknown field ${name}.${k}` })
  }
  return { ...base, ...patch } as T
}

/**
 * Merges `input` (a whole file or a config:set patch) over `base` section by section and
 * validates the result. Unknown fields anywhere are errors: a typo must not be silently dropped.
 */
export function validateAppConfig(input: unknown, base: AppConfig = DEFAULT_APP_CONFIG): Validated<AppConfig> {
  if (!isPlainObject(input)) return { ok: false, errors: [{ field: 'config', message: 'the configuration must be a JSON object' }] }
  const errors: FieldError[] = unknownKeys(input, SECTIONS).map((k) => ({ field: k, message: `unknown field ${k}` }))
  if (input.version !== undefined && input.version !== CONFIG_VERSION) {
    errors.push({ field: 'version', message: `version must be ${CONFIG_VERSION}` })
  }

  let server = base.server
  if (input.server !== undefined) {
    if (!isPlainObject(input.server)) errors.push({ field: 'server', message: 'server must be an object' })
    else {
      const v = validateEngineConfig({ ...base.server, ...input.server })
      if (v.ok) server = v.value
      else errors.push(...v.errors.map((e) => ({ field: `server.${e.field}`, message: `server: ${e.message}` })))
    }
  }

  const sampler = section(errors, 'sampler', base.sampler, input.sampler)
  const { min, max } = SAMPLER_HZ_LIMITS
  if (typeof sampler.hz !== 'number' || !Number.isFinite(sampler.hz) || sampler.hz < min || sampler.hz > max) {
    errors.push({ field: 'sampler.hz', message: `sampler.hz must be a number from ${min} to ${max}` })
  }

  let alerts = base.alerts
  if (input.alerts !== undefined) {
    const v = validateAlertRules(input.alerts)
    if (v.ok) alerts = v.value
    else errors.push(...v.errors)
  }

  const ui = section(errors, 'ui', base.ui, input.ui)
  if (typeof ui.language !== 'string' || !(UI_LANGUAGES as readonly string[]).includes(ui.language)) {
    errors.push({ field: 'ui.language', message: `ui.language must be one of ${UI_LANGUAGES.join(', ')}` })
  }
  if (ui.theme !== undefined && !(UI_THEMES as readonly string[]).includes(ui.theme)) {
    errors.push({ field: 'ui.theme', message: `ui.theme must be one of ${UI_THEMES.join(', ')}` })
  }

  const prometheus = section(errors, 'prometheus', base.prometheus, input.prometheus)
  if (typeof prometheus.enabled !== 'boolean') errors.push({ field: 'prometheus.enabled', message: 'prometheus.enabled must be true or false' })
  if (typeof prometheus.port !== 'number' || !Number.isInteger(prometheus.port) || prometheus.port < 1 || prometheus.port > 65535) {
    errors.push({ field: 'prometheus.port', message: 'prometheus.port must be an integer from 1 to 65535' })
  }

  const recording = section(errors, 'recording', base.recording, input.recording)
  const cap = RECORDING_MAX_BYTES
  if (typeof recording.maxBytes !== 'number' || !Number.isSafeInteger(recording.maxBytes) || recording.maxBytes < cap.min || recording.maxBytes > cap.max) {
    errors.push({ field: 'recording.maxBytes', message: `recording.maxBytes must be a whole number of bytes from ${cap.min} (1 MiB) to ${cap.max} (1 TiB)` })
  }

  if (errors.length) return { ok: false, errors }
  return {
    ok: true,
    value: {
      version: CONFIG_VERSION,
      server: { ...server },
      sampler: { hz: sampler.hz },
      alerts: alerts.map((r) => ({ ...r })),
      ui: ui.theme === undefined ? { language: ui.language } : { language: ui.language, theme: ui.theme },
      prometheus: { enabled: prometheus.enabled, port: prometheus.port },
      recording: { maxBytes: recording.maxBytes },
    },
  }
}
