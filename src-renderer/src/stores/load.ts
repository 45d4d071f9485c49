// The built-in load generator as the Load tab sees it: the form (strings as typed, validated with
// src-shared's validateLoadConfig — the same function main applies), the run's status, its live
// progress and the final summary.
//
// Durations are edited in seconds (people think of a 10 s run, not 10000 ms) and converted to the
// contract's milliseconds; host and port may be left empty, which aims the run at the running
// server (the load controller fills them in).
import { defineStore } from 'pinia'
import { computed, markRaw, reactive, ref, shallowRef, watch } from 'vue'
import type { LoadStatus } from '../../../src-shared/api'
import type { ApiError } from '../../../src-shared/result'
import type { FieldError } from '../../../src-shared/result'
import {
  DEFAULT_LOAD_CONFIG,
  FAULT_KINDS,
  LOAD_PRESETS,
  NO_FAULTS,
  validateLoadConfig,
  type FaultKind,
  type FaultMix,
  type LoadConfig,
  type LoadIo,
  type LoadPresetName,
  type LoadProgress,
  type LoadRequest,
  type LoadSummary,
} from '../../../src-shared/load'
import { getApi } from '../api'
import { call } from '../api/call'
import { parseFormNumber } from '../lib/form-number'
import { useAttachStore } from './attach'
import { featureLifecycle } from './feature-lifecycle'
import { useServerStore } from './server'

export interface LoadFormState {
  host: string
  port: string
  connections: string
  messageSize: string
  rate: string
  pipeline: string
  durationS: string
  messages: string
  rampUpS: string
  threads: string
  expectEcho: boolean
  io: LoadIo
  faults: Record<FaultKind, string>
}

/** Form field → the contract field its errors are reported on. */
export const LOAD_FIELD_OF = {
  host: 'host',
  port: 'port',
  connections: 'connections',
  messageSize: 'messageSize',
  rate: 'rate',
  pipeline: 'pipeline',
  durationS: 'durationMs',
  messages: 'messages',
  rampUpS: 'rampUpMs',
  threads: 'threads',
  expectEcho: 'expectEcho',
  io: 'io',
} as const
export type LoadFormField = keyof typeof LOAD_FIELD_OF

/** Points of the live run chart kept (20 min at 10 Hz; older points drop off). */
export const PROGRESS_POINTS = 12_000

export interface ProgressPoint {
  t: number
  msgsPerS: number
  mbPerS: number
  p50Us: number
  p99Us: number
}

const IDLE: LoadStatus = { state: 'idle', config: null, startedAt: null, progress: null, lastSummary: null, lastError: null }

/** "12a" and "" stay NaN, so the validator reports them instead of a silent 0. */
function secondsToMs(s: string): number {
  const v = parseFormNumber(s)
  return Number.isFinite(v) ? Math.round(v * 1000) : Number.NaN
}

function fromConfig(c: LoadRequest, keepTarget: LoadFormState | null): LoadFormState {
  const d: LoadConfig = { ...DEFAULT_LOAD_CONFIG, ...c, faults: { ...NO_FAULTS, ...c.faults } }
  return {
    host: keepTarget?.host ?? '',
    port: keepTarget?.port ?? '',
    connections: String(d.connections),
    messageSize: String(d.messageSize),
    rate: String(d.rate),
    pipeline: String(d.pipeline),
    durationS: String(d.durationMs / 1000),
    messages: String(d.messages),
    rampUpS: String(d.rampUpMs / 1000),
    threads: String(d.threads),
    expectEcho: d.expectEcho,
    io: d.io,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, String(d.faults[k])])) as Record<FaultKind, string>,
  }
}

function isLoadStatus(v: unknown): v is LoadStatus {
  return typeof v === 'object' && v !== null && typeof (v as LoadStatus).state === 'string'
}

export const useLoadStore = defineStore('load', () => {
  const server = useServerStore()
  const attach = useAttachStore()
  const form = reactive<LoadFormState>(fromConfig(LOAD_PRESETS.smoke.config, null))
  /** The preset the form was last filled from, until a field is edited. */
  const preset = ref<LoadPresetName | null>('smoke')
  /** The user ticked or unticked "verify echoes" themselves: stop following the server's workload. */
  let echoChosen = false

  const status = shallowRef<LoadStatus>(IDLE)
  const progress = shallowRef<LoadProgress | null>(null)
  const summary = shallowRef<LoadSummary | null>(null)
  const lastError = shallowRef<ApiError | null>(null)
  const pending = ref<'start' | 'stop' | null>(null)
  const points: ProgressPoint[] = markRaw([])
  const pointsVersion = ref(0)

  /** What Start sends: typed fields; an empty host/port is left out (the running server). */
  const candidate = computed<LoadRequest>(() => {
    const req: LoadRequest = {
      connections: parseFormNumber(form.connections),
      messageSize: parseFormNumber(form.messageSize),
      rate: parseFormNumber(form.rate),
      pipeline: parseFormNumber(form.pipeline),
      durationMs: secondsToMs(form.durationS),
      messages: parseFormNumber(form.messages),
      rampUpMs: secondsToMs(form.rampUpS),
      threads: parseFormNumber(form.threads),
      expectEcho: form.expectEcho,
      io: form.io,
      faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, parseFormNumber(form.faults[k])])) as Partial<FaultMix>,
    }
    if (form.host.trim()) req.host = form.host.trim()
    if (form.port.trim()) req.port = parseFormNumber(form.port)
    return req
  })

  /**
   * What an empty host/port means, as the service resolves it: the running built-in server, else
   * the attached process's port when its probe published one (on this machine: 127.0.0.1).
   */
  const target = computed<{ host: string; port: number; source: 'server' | 'attached' } | null>(() => {
    const info = server.status.state === 'running' ? server.status.info : null
    if (info) return { host: info.host, port: info.port, source: 'server' }
    const p = attach.attachedProbe
    return p && p.port > 0 ? { host: '127.0.0.1', port: p.port, source: 'attached' } : null
  })

  const validation = computed(() => {
    const tg = target.value
    const base = tg ? { ...DEFAULT_LOAD_CONFIG, host: tg.host, port: tg.port } : DEFAULT_LOAD_CONFIG
    return validateLoadConfig(candidate.value, base)
  })
  const valid = computed(() => validation.value.ok)

  /** First error per contract field ('faults.reset', 'faults', 'durationMs', …). */
  const errors = computed<Record<string, FieldError>>(() => {
    const out: Record<string, FieldError> = {}
    const v = validation.value
    if (!v.ok) for (const e of v.errors) out[e.field] ??= e
    return out
  })

  const faultTotal = computed(() => FAULT_KINDS.reduce((a, k) => a + (Number(form.faults[k]) || 0), 0))

  const running = computed(() => status.value.state !== 'idle')
  /** Nothing to aim at: no server running and no target typed. */
  const needsTarget = computed(() => !target.value && !form.host.trim())
  const canStart = computed(() => !running.value && valid.value && !needsTarget.value && pending.value === null && server.connection === 'open')
  const canStop = computed(() => (status.value.state === 'running' || status.value.state === 'starting') && pending.value !== 'stop')

  function applyPreset(name: LoadPresetName): void {
    Object.assign(form, fromConfig(LOAD_PRESETS[name].config, form))
    if (!echoChosen) form.expectEcho = defaultExpectEcho()
    preset.value = name
  }

  function markEdited(): void {
    preset.value = null
  }

  function setExpectEcho(v: boolean): void {
    echoChosen = true
    form.expectEcho = v
    markEdited()
  }

  /** Echo verification only makes sense against an echo server. */
  function defaultExpectEcho(): boolean {
    const w = server.status.config?.workload
    return w === undefined || w === 'echo'
  }

  watch(
    () => server.status.config?.workload,
    () => {
      if (!echoChosen) form.expectEcho = defaultExpectEcho()
    },
  )

  function applyStatus(s: unknown): void {
    if (!isLoadStatus(s)) return
    status.value = s
    if (s.progress) progress.value = s.progress
    if (s.lastSummary) summary.value = s.lastSummary
  }

  function onProgress(p: LoadProgress): void {
    if (typeof p !== 'object' || p === null || typeof p.t !== 'number') return
    progress.value = p
    if (status.value.state === 'idle') status.value = { ...status.value, state: 'running' }
    points.push({ t: p.t, msgsPerS: p.msgsPerS, mbPerS: p.mbPerS, p50Us: p.latency?.p50Us ?? 0, p99Us: p.latency?.p99Us ?? 0 })
    if (points.length > PROGRESS_POINTS) points.splice(0, points.length - PROGRESS_POINTS)
    pointsVersion.value++
  }

  function onFinished(s: LoadSummary): void {
    if (typeof s !== 'object' || s === null) return
    summary.value = s
    status.value = { ...status.value, state: 'idle', lastSummary: s }
  }

  async function refresh(): Promise<void> {
    const r = await call(() => getApi().loadStatus())
    if (r.ok) applyStatus(r.value)
  }

  const { init, dispose } = featureLifecycle(refresh, (api) => [api.onLoadProgress(onProgress), api.onLoadFinished(onFinished)])

  async function start(): Promise<boolean> {
    if (!canStart.value) return false
    pending.value = 'start'
    lastError.value = null
    try {
      const r = await call(() => getApi().loadStart({ ...candidate.value }))
      if (!r.ok) {
        lastError.value = r.error
        return false
      }
      points.length = 0
      pointsVersion.value++
      progress.value = null
      summary.value = null
      applyStatus(r.value)
      if (r.value.lastError) lastError.value = r.value.lastError
      return r.value.state !== 'idle'
    } finally {
      pending.value = null
    }
  }

  async function stop(): Promise<boolean> {
    if (!canStop.value) return false
    pending.value = 'stop'
    try {
      const r = await call(() => getApi().loadStop())
      if (!r.ok) {
        lastError.value = r.error
        return false
      }
      applyStatus(r.value)
      return true
    } finally {
      pending.value = null
    }
  }

  function progressPoints(): readonly ProgressPoint[] {
    return points
  }

  function dismissError(): void {
    lastError.value = null
  }

  return {
    form,
    preset,
    status,
    progress,
    summary,
    lastError,
    pending,
    pointsVersion,
    candidate,
    target,
    validation,
    valid,
    errors,
    faultTotal,
    running,
    needsTarget,
    canStart,
    canStop,
    applyPreset,
    markEdited,
    setExpectEcho,
    init,
    dispose,
    refresh,
    start,
    stop,
    progressPoints,
    dismissError,
  }
})
