// Runs one guided experiment at a time: remembers the user's server (running or not, its
// configuration, the form), then for each phase restarts the server with the phase's configuration
// through the server store's own start/stop (what the Server tab's buttons call), runs the phase's
// load, measures it from the ticks and the load run (PhaseRecorder), and finally puts the user's
// server back as it was. A Pinia store, not component state, so a run goes on while the user looks
// at the Server tab's charts; `highlight` names the chart the current step talks about.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { LoadStatus } from '../../../../src-shared/api'
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../../../src-shared/engine-config'
import type { LoadSummary } from '../../../../src-shared/load'
import type { MetricsTick } from '../../../../src-shared/metrics'
import type { ApiError } from '../../../../src-shared/result'
import { getApi } from '../../api'
import { call } from '../../api/call'
import { useConfigDraftStore, type ConfigFormState } from '../../stores/config-draft'
import { useLoadStore } from '../../stores/load'
import { useServerStore } from '../../stores/server'
import { experimentById, needsRestart, overallProgress, phaseServerConfig, PhaseRecorder, type ExperimentId, type Outcome, type PhaseMeasure, type WatchTarget } from './experiments'

export type RunState = 'idle' | 'running' | 'cancelling' | 'restoring' | 'done' | 'failed' | 'cancelled'

export const RUN_ERROR_KINDS = ['disconnected', 'busy', 'loadRunning', 'serverStart', 'loadStart', 'interrupted', 'restore'] as const

/** Why a run could not start or ended early; `api` holds the service's error when there is one. */
export interface RunError {
  /** i18n: experiments.errors.<kind> */
  kind: (typeof RUN_ERROR_KINDS)[number]
  api: ApiError | null
}

export interface ExperimentResult {
  measures: PhaseMeasure[]
  outcome: Outcome
  finishedAt: number
}

/** How long after its planned end a load run may take before it is stopped. */
const LOAD_GRACE_MS = 8000
/** Ticks collected after a run ended: errors counted as its connections close. */
const TAIL_MS = 500

export const useExperimentsStore = defineStore('experiments', () => {
  const active = ref<ExperimentId | null>(null)
  const state = ref<RunState>('idle')
  const phase = ref(0)
  const phaseFraction = ref(0)
  /** The Server-tab panel (test id) the current step points at. */
  const highlight = ref<WatchTarget | null>(null)
  const error = shallowRef<RunError | null>(null)
  /** The measure of the phase in progress, updated with every tick. */
  const live = shallowRef<PhaseMeasure | null>(null)
  const results = shallowRef<Partial<Record<ExperimentId, ExperimentResult>>>({})
  /** Measures of the phases finished so far in the current run. */
  const done = shallowRef<PhaseMeasure[]>([])

  const running = computed(() => state.value === 'running' || state.value === 'cancelling' || state.value === 'restoring')
  const progress = computed(() => {
    const exp = active.value ? experimentById(active.value) : undefined
    if (!exp) return 0
    if (state.value === 'done') return 1
    return overallProgress(exp, phase.value, phaseFraction.value)
  })

  let cancelRequested = false
  let wake: (() => void) | null = null

  function cancelled(): boolean {
    return cancelRequested
  }

  /** Resolves after `ms`, or at once when the run is cancelled. */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = null
        resolve()
      }
      wake = done
    })
  }

  async function stopLoadIfRunning(): Promise<void> {
    const st = await call(() => getApi().loadStatus())
    if (st.ok && st.value.state !== 'idle') await call(() => getApi().loadStop())
  }

  /** Asks to end the run: the load stops, then the user's server is put back. */
  async function cancel(): Promise<void> {
    if (state.value !== 'running') return
    cancelRequested = true
    state.value = 'cancelling'
    wake?.()
    await stopLoadIfRunning()
  }

  function dismiss(): void {
    error.value = null
    if (state.value !== 'running' && state.value !== 'cancelling' && state.value !== 'restoring') state.value = 'idle'
  }

  async function run(id: ExperimentId): Promise<boolean> {
    const exp = experimentById(id)
    if (!exp || running.value) return false
    const server = useServerStore()
    const draft = useConfigDraftStore()
    const load = useLoadStore()
    error.value = null
    if (server.connection !== 'open') return fail('disconnected')
    if (server.pending || server.status.state === 'starting' || server.status.state === 'stopping') return fail('busy')
    if (load.running) return fail('loadRunning')

    // What to give back afterwards.
    const prevRunning = server.status.state === 'running' && server.status.config ? { ...server.status.config } : null
    const prevForm: ConfigFormState = { ...draft.form }
    const base: EngineConfig = prevRunning ?? (draft.validation.ok ? draft.validation.value : { ...DEFAULT_ENGINE_CONFIG })

    active.value = id
    state.value = 'running'
    phase.value = 0
    phaseFraction.value = 0
    live.value = null
    done.value = []
    cancelRequested = false

    const api = getApi()
    let recorder: PhaseRecorder | null = null
    let latestTick: MetricsTick | null = null
    let finished: ((s: LoadSummary | null) => void) | null = null
    let phaseLoadMs = 0
    const unsubscribe = [
      api.onTick((t) => {
        latestTick = t
        if (!recorder) return
        recorder.tick(t)
        live.value = recorder.measure()
      }),
      api.onLoadProgress((p) => {
        if (!recorder) return
        recorder.load(p)
        if (phaseLoadMs > 0) phaseFraction.value = Math.min(1, p.elapsedMs / phaseLoadMs)
      }),
      api.onLoadFinished((s) => finished?.(s)),
    ]

    let outcome: RunError | null = null
    let current: Partial<EngineConfig> | null = prevRunning
    const measures: PhaseMeasure[] = []
    try {
      for (let i = 0; i < exp.phases.length && !cancelled(); i++) {
        const spec = exp.phases[i]
        phase.value = i
        phaseFraction.value = 0
        highlight.value = spec.watch
        const config = phaseServerConfig(base, spec)
        let baseline: MetricsTick | null = null
        if (needsRestart(current, config) || server.status.state !== 'running') {
          if (server.status.state === 'running' && !(await server.stop())) {
            outcome = { kind: 'serverStart', api: server.lastError }
            break
          }
          if (cancelled()) break
          if (!(await server.start(config))) {
            outcome = { kind: 'serverStart', api: server.lastError }
            break
          }
          current = config
        } else {
          baseline = latestTick
        }
        if (cancelled()) break
        const info = server.status.info
        recorder = new PhaseRecorder(baseline, { durationMs: spec.load.durationMs })
        phaseLoadMs = spec.load.durationMs ?? 0
        const summary = new Promise<LoadSummary | null>((resolve) => (finished = resolve))
        const started = await call(() => api.loadStart({ ...spec.load, ...(info ? { host: info.host, port: info.port } : {}) }))
        const st: LoadStatus | null = started.ok ? started.value : null
        if (!st || (st.state === 'idle' && st.lastError)) {
          outcome = { kind: 'loadStart', api: started.ok ? st!.lastError : started.error }
          break
        }
        // The run's end (load:finished), a cancel, or a run that overstays its time.
        const guard = pause(phaseLoadMs + LOAD_GRACE_MS).then(() => null)
        const result = await Promise.race([summary, guard])
        finished = null
        wake?.()
        if (!result) await stopLoadIfRunning()
        const last = result ?? (await lastSummary())
        if (last) recorder.load(last)
        recorder.loadEnded()
        phaseFraction.value = 1
        if (cancelled()) break
        await pause(TAIL_MS)
        measures.push(recorder.measure())
        done.value = [...measures]
        recorder = null
        if (server.status.state !== 'running') {
          outcome = { kind: 'interrupted', api: server.lastError }
          break
        }
      }
    } finally {
      recorder = null
      for (const u of unsubscribe) u()
    }

    const wasCancelled = cancelled()
    state.value = 'restoring'
    highlight.value = null
    await stopLoadIfRunning()
    // Never leave the server in the experiment's configuration.
    const restoreError = await restore(prevRunning)
    Object.assign(draft.form, prevForm)

    if (!outcome && !wasCancelled && measures.length === exp.phases.length) {
      results.value = { ...results.value, [id]: { measures, outcome: exp.outcome(measures), finishedAt: Date.now() } }
      state.value = 'done'
    } else {
      state.value = outcome ? 'failed' : 'cancelled'
    }
    error.value = outcome ?? (restoreError ? { kind: 'restore', api: restoreError } : null)
    if (restoreError && state.value === 'done') state.value = 'failed'
    return state.value === 'done'

    function fail(kind: RunError['kind']): false {
      error.value = { kind, api: null }
      state.value = 'failed'
      active.value = id
      return false
    }
  }

  async function lastSummary(): Promise<LoadSummary | null> {
    const st = await call(() => getApi().loadStatus())
    return st.ok ? st.value.lastSummary : null
  }

  /** Stops the experiment's server; starts the user's again if one was running. */
  async function restore(prev: EngineConfig | null): Promise<ApiError | null> {
    const server = useServerStore()
    // A start or stop of ours may still be settling.
    for (let i = 0; i < 50 && server.pending; i++) await new Promise((r) => setTimeout(r, 100))
    if (server.status.state === 'running' || server.status.state === 'starting') {
      if (!(await server.stop())) return server.lastError
    }
    if (prev && !(await server.start(prev))) return server.lastError
    return null
  }

  return { active, state, phase, phaseFraction, highlight, error, live, results, done, running, progress, run, cancel, dismiss }
})
