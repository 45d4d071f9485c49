// The per-user configuration the service keeps in config.json (config:get / config:set): the
// sampler rate, the Prometheus endpoint, the UI language and theme, and the server form's last
// values. The form here holds strings as typed and is validated with src-shared's validateAppConfig
// before anything is sent.
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type { ApiError } from '../../../src-shared/result'
import {
  DEFAULT_APP_CONFIG,
  SAMPLER_HZ_LIMITS,
  validateAppConfig,
  type AppConfigPatch,
  type ConfigState,
  type UiLanguage,
  type UiTheme,
} from '../../../src-shared/app-config'
import type { FieldError } from '../../../src-shared/result'
import { getApi } from '../api'
import { call } from '../api/call'
import { parseFormNumber } from '../lib/form-number'
import { featureLifecycle } from './feature-lifecycle'

export interface SettingsForm {
  samplerHz: string
  prometheusEnabled: boolean
  prometheusPort: string
}

export const useSettingsStore = defineStore('settings', () => {
  const available = ref<boolean | null>(null)
  const unavailable = shallowRef<ApiError | null>(null)
  const state = shallowRef<ConfigState | null>(null)
  const form = reactive<SettingsForm>({
    samplerHz: String(DEFAULT_APP_CONFIG.sampler.hz),
    prometheusEnabled: DEFAULT_APP_CONFIG.prometheus.enabled,
    prometheusPort: String(DEFAULT_APP_CONFIG.prometheus.port),
  })
  const saving = ref(false)
  const saveError = shallowRef<ApiError | null>(null)
  const savedAt = ref<number | null>(null)

  const patch = computed<AppConfigPatch>(() => ({
    sampler: { hz: parseFormNumber(form.samplerHz) },
    prometheus: { enabled: form.prometheusEnabled, port: parseFormNumber(form.prometheusPort) },
  }))
  const validation = computed(() => validateAppConfig(patch.value, state.value?.config ?? DEFAULT_APP_CONFIG))
  const errors = computed<Record<string, FieldError>>(() => {
    const out: Record<string, FieldError> = {}
    const v = validation.value
    if (!v.ok) for (const e of v.errors) out[e.field] ??= e
    return out
  })
  const valid = computed(() => validation.value.ok)
  const dirty = computed(() => {
    const c = state.value?.config ?? DEFAULT_APP_CONFIG
    const p = patch.value
    return p.sampler?.hz !== c.sampler.hz || p.prometheus?.enabled !== c.prometheus.enabled || p.prometheus?.port !== c.prometheus.port
  })
  /** The running app's sampler rate can differ from the saved one until the next start. */
  const hzLimits = SAMPLER_HZ_LIMITS

  function applyState(s: ConfigState): void {
    state.value = s
    form.samplerHz = String(s.config.sampler.hz)
    form.prometheusEnabled = s.config.prometheus.enabled
    form.prometheusPort = String(s.config.prometheus.port)
  }

  async function refresh(): Promise<void> {
    const r = await call(() => getApi().getConfig())
    if (r.ok) {
      available.value = true
      unavailable.value = null
      applyState(r.value)
    } else {
      available.value = false
      unavailable.value = r.error
    }
  }

  const { init, dispose } = featureLifecycle(refresh)

  async function send(p: AppConfigPatch): Promise<boolean> {
    if (!available.value) return false
    const r = await call(() => getApi().setConfig(p))
    if (!r.ok) {
      saveError.value = r.error
      return false
    }
    state.value = r.value
    return true
  }

  /** Saves the sampler and Prometheus settings. */
  async function save(): Promise<boolean> {
    if (!valid.value || saving.value) return false
    saving.value = true
    saveError.value = null
    try {
      const ok = await send(patch.value)
      if (ok && state.value) {
        applyState(state.value)
        savedAt.value = Date.now()
      }
      return ok
    } finally {
      saving.value = false
    }
  }

  /** UI choices are saved as they are made (no Save button for a language switch). */
  function rememberUi(ui: { language?: UiLanguage; theme?: UiTheme }): Promise<boolean> {
    return send({ ui })
  }

  function revert(): void {
    if (state.value) applyState(state.value)
    saveError.value = null
  }

  return { available, unavailable, state, form, errors, valid, dirty, saving, saveError, savedAt, hzLimits, init, dispose, refresh, save, rememberUi, revert }
})
