// The configuration being edited. Inputs are kept as the strings the user typed, so "12a" or an
// empty field is reported inline instead of silently becoming 0; validation is src-shared's
// validateEngineConfig, the same function main applies to everything that crosses IPC.
import { defineStore } from 'pinia'
import { computed, reactive } from 'vue'
import { DEFAULT_ENGINE_CONFIG, validateEngineConfig, type EngineConfig, type LIMITS } from '../../../src-shared/engine-config'
import type { FieldError } from '../../../src-shared/result'
import { parseFormNumber } from '../lib/form-number'

/**
 * What the form holds: every field of EngineConfig, the integer ones (those LIMITS bounds) as the
 * text the user typed.
 */
export type ConfigFormState = { [K in keyof EngineConfig]: K extends keyof typeof LIMITS ? string : EngineConfig[K] }
export type DraftField = keyof EngineConfig

function fromConfig(c: EngineConfig): ConfigFormState {
  return {
    host: c.host,
    port: String(c.port),
    workers: String(c.workers),
    backend: c.backend,
    workload: c.workload,
    recvBufferSize: String(c.recvBufferSize),
    backlog: String(c.backlog),
    maxSessions: String(c.maxSessions),
    sendQueueLimit: String(c.sendQueueLimit),
    noDelay: c.noDelay,
    reusePort: c.reusePort,
    closeMode: c.closeMode,
    iouringRecv: c.iouringRecv,
    iouringSockets: c.iouringSockets,
    iocpPortLayout: c.iocpPortLayout,
    iocpDequeue: c.iocpDequeue,
    iocpAcceptPool: String(c.iocpAcceptPool),
  }
}

export const useConfigDraftStore = defineStore('configDraft', () => {
  const form = reactive<ConfigFormState>(fromConfig(DEFAULT_ENGINE_CONFIG))

  /** What Start sends: only the edited fields, typed. */
  const candidate = computed<Partial<EngineConfig>>(() => ({
    host: form.host.trim(),
    port: parseFormNumber(form.port),
    workers: parseFormNumber(form.workers),
    backend: form.backend,
    workload: form.workload,
    recvBufferSize: parseFormNumber(form.recvBufferSize),
    backlog: parseFormNumber(form.backlog),
    maxSessions: parseFormNumber(form.maxSessions),
    sendQueueLimit: parseFormNumber(form.sendQueueLimit),
    noDelay: form.noDelay,
    reusePort: form.reusePort,
    closeMode: form.closeMode,
    iouringRecv: form.iouringRecv,
    iouringSockets: form.iouringSockets,
    iocpPortLayout: form.iocpPortLayout,
    iocpDequeue: form.iocpDequeue,
    iocpAcceptPool: parseFormNumber(form.iocpAcceptPool),
  }))

  const validation = computed(() => validateEngineConfig(candidate.value))
  const valid = computed(() => validation.value.ok)

  /** First error per field. */
  const errors = computed<Partial<Record<DraftField, FieldError>>>(() => {
    const out: Partial<Record<DraftField, FieldError>> = {}
    const v = validation.value
    // A field of EngineConfig (not 'config', nor an unknown field's name), found as validateEngineConfig finds them.
    if (!v.ok) for (const e of v.errors) if (Object.hasOwn(DEFAULT_ENGINE_CONFIG, e.field)) out[e.field as DraftField] ??= e
    return out
  })

  /** Fields that differ from the defaults (the Advanced section opens when any does). */
  const advancedChanged = computed(() => {
    const d = DEFAULT_ENGINE_CONFIG
    const c = candidate.value
    return c.backlog !== d.backlog || c.maxSessions !== d.maxSessions || c.sendQueueLimit !== d.sendQueueLimit || c.noDelay !== d.noDelay || c.reusePort !== d.reusePort || c.closeMode !== d.closeMode
  })

  /** Shows the configuration a running server actually uses. */
  function load(config: EngineConfig): void {
    Object.assign(form, fromConfig(config))
  }

  function reset(): void {
    load(DEFAULT_ENGINE_CONFIG)
  }

  return { form, candidate, validation, valid, errors, advancedChanged, load, reset }
})
