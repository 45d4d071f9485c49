// The guided experiments as data, and the pure arithmetic behind them: each experiment is a list
// of phases (the server configuration laid over the user's, the load run aimed at it, the chart
// that shows the effect), a PhaseRecorder turns the ticks and the load run seen during a phase into
// a PhaseMeasure, and each experiment says which measured numbers it tabulates and what they
// showed. Nothing here touches the transport or Vue: experiments-store.ts runs them.
import type { EngineConfig } from '../../../../src-shared/engine-config'
import type { ErrorCount } from '../../../../src-shared/engine-snapshot'
import type { LoadCounters, LoadRequest } from '../../../../src-shared/load'
import type { MetricsTick } from '../../../../src-shared/metrics'

export const EXPERIMENT_IDS = ['workers', 'slowReader', 'closeMode', 'backlog', 'sizeSweep'] as const
export type ExperimentId = (typeof EXPERIMENT_IDS)[number]

/** Test ids of the Server tab's panels a step points at. */
export type WatchTarget = 'queue-depth-chart' | 'bytes-chart' | 'completions-chart' | 'inflight-chart' | 'busy-chart' | 'error-timeline' | 'worker-table'

/** A watched panel's name under experiments.charts. */
export const CHART_KEY: Record<WatchTarget, string> = {
  'queue-depth-chart': 'queueDepth',
  'bytes-chart': 'bytes',
  'completions-chart': 'completions',
  'inflight-chart': 'inflight',
  'busy-chart': 'busy',
  'error-timeline': 'errors',
  'worker-table': 'workers',
}

export interface PhaseSpec {
  /** i18n: experiments.items.<experiment>.phases.<id> (name) and .steps.<id> (what to watch). */
  id: string
  /** Laid over the user's configuration (host, port and backend stay the user's). */
  server: Partial<EngineConfig>
  /** The load run; its target is the experiment's server. */
  load: LoadRequest
  watch: WatchTarget
}

export type MetricUnit = 'count' | 'perS' | 'bytesPerS' | 'bytes' | 'percent' | 'fixed1'

export interface MetricSpec {
  /** i18n: experiments.metrics.<id> */
  id: string
  unit: MetricUnit
  get(m: PhaseMeasure): number
}

/** What a summary concluded: an i18n key under experiments.items.<id>.outcome and its numbers. */
export interface Outcome {
  key: string
  /** true: the effect the experiment is about was measured; false: it was not (the text says why). */
  shown: boolean
  params: Record<string, number>
}

export interface ExperimentSpec {
  id: ExperimentId
  phases: PhaseSpec[]
  metrics: MetricSpec[]
  outcome(measures: PhaseMeasure[]): Outcome
}

/** Load-generator side of a phase: the run's final counters (or the newest progress). */
export interface LoadMeasure {
  elapsedMs: number
  connectsOk: number
  connectsFailed: number
  msgsSent: number
  bytesSent: number
  bytesReceived: number
  /** Errors the generator saw, by portable name. */
  errors: Record<string, number>
  faults: Record<string, number>
}

/** What was measured during one phase, from the server's ticks and the load run. */
export interface PhaseMeasure {
  /** Ticks seen while the load ran. */
  ticks: number
  workers: number
  /** Deepest queue of any worker in any tick. */
  peakQueueDepth: number
  /** Mean over the ticks of the deepest worker queue. */
  meanQueueDepth: number
  /** Mean busy share (0..1) per worker over the ticks. */
  busyByWorker: number[]
  /** Completions each worker handled during the phase. */
  completionsByWorker: number[]
  /** Means of the server's per-second rates over the ticks. */
  completionsPerS: number
  bytesInPerS: number
  bytesOutPerS: number
  /** Bytes received and sent during the phase. */
  bytesIn: number
  bytesOut: number
  peakSessions: number
  /** Sessions open in the last tick while the load was still sending (before it closed its connections). */
  endSessions: number
  /** Errors the server counted during the phase, by portable name (ticks after the run included). */
  serverErrors: Record<string, number>
  load: LoadMeasure | null
}

// ---- derived numbers ---------------------------------------------------------------------------

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)

/** Share (0..1) of the phase's completions handled by its busiest worker. */
export function busiestCompletionShare(m: PhaseMeasure): number {
  const total = sum(m.completionsByWorker)
  return total > 0 ? Math.max(...m.completionsByWorker) / total : 0
}

/** Share (0..1) of all workers' busy time spent by the busiest worker. */
export function busiestBusyShare(m: PhaseMeasure): number {
  const total = sum(m.busyByWorker)
  return total > 0 ? Math.max(...m.busyByWorker) / total : 0
}

export function maxBusy(m: PhaseMeasure): number {
  return m.busyByWorker.length ? Math.max(...m.busyByWorker) : 0
}

export function serverError(m: PhaseMeasure, name: string): number {
  return m.serverErrors[name] ?? 0
}

export function loadError(m: PhaseMeasure, name: string): number {
  return m.load?.errors[name] ?? 0
}

/** Connections the generator completed per second of its run (storm reconnects included). */
export function connectsPerS(m: PhaseMeasure): number {
  const l = m.load
  return l && l.elapsedMs > 0 ? l.connectsOk / (l.elapsedMs / 1000) : 0
}

/** Bytes received per completion: how much work each completion carried. */
export function bytesPerCompletion(m: PhaseMeasure): number {
  return m.completionsPerS > 0 ? m.bytesInPerS / m.completionsPerS : 0
}

const round = (v: number, digits = 0) => {
  const f = 10 ** digits
  return Math.round(v * f) / f
}
const pct = (fraction: number) => round(fraction * 100)

// ---- the experiments ---------------------------------------------------------------------------

const SHORT = 3000
// Large enough that a reader who reads never falls this far behind on a busy machine (with 64 KiB
// every chat reader got dropped now and then), small enough that the one who never reads fills it
// (with the kernel's buffers in front of it) in about a second at 4 MB/s.
const SLOW_QUEUE = 512 * 1024

export const EXPERIMENTS: readonly ExperimentSpec[] = [
  {
    id: 'workers',
    // Same load, one worker then four: who takes the completions, how busy each worker is, how
    // deep its queue gets.
    phases: [
      { id: 'one', server: { workers: 1, workload: 'echo' }, load: { connections: 50, messageSize: 128, pipeline: 4, durationMs: SHORT, expectEcho: true }, watch: 'busy-chart' },
      { id: 'four', server: { workers: 4, workload: 'echo' }, load: { connections: 50, messageSize: 128, pipeline: 4, durationMs: SHORT, expectEcho: true }, watch: 'completions-chart' },
    ],
    metrics: [
      { id: 'workers', unit: 'count', get: (m) => m.workers },
      { id: 'completionsPerS', unit: 'perS', get: (m) => m.completionsPerS },
      { id: 'busiestCompletionShare', unit: 'percent', get: busiestCompletionShare },
      { id: 'busiestBusyShare', unit: 'percent', get: busiestBusyShare },
      { id: 'maxBusy', unit: 'percent', get: maxBusy },
      { id: 'peakQueueDepth', unit: 'count', get: (m) => m.peakQueueDepth },
      { id: 'meanQueueDepth', unit: 'fixed1', get: (m) => m.meanQueueDepth },
    ],
    outcome: ([one, four]) => {
      const params = {
        oneShare: pct(busiestCompletionShare(one)),
        fourShare: pct(busiestCompletionShare(four)),
        oneBusy: pct(maxBusy(one)),
        fourBusy: pct(maxBusy(four)),
        onePeak: one.peakQueueDepth,
        fourPeak: four.peakQueueDepth,
      }
      const concentrated = busiestCompletionShare(one) > busiestCompletionShare(four)
      if (!concentrated) return { key: 'notShown', shown: false, params }
      return { key: one.peakQueueDepth > four.peakQueueDepth ? 'shownWithQueue' : 'shownQueueFlat', shown: true, params }
    },
  },
  {
    id: 'slowReader',
    // Chat on one worker: every message goes to every session. Everyone reads, then one client
    // in ten stops reading: its send queue fills and the server drops it.
    phases: [
      {
        id: 'allRead',
        server: { workers: 1, workload: 'chat', recvBufferSize: 16384, sendQueueLimit: SLOW_QUEUE },
        load: { connections: 10, messageSize: 4096, rate: 1000, durationMs: SHORT, expectEcho: false },
        watch: 'bytes-chart',
      },
      {
        id: 'oneSlow',
        server: { workers: 1, workload: 'chat', recvBufferSize: 16384, sendQueueLimit: SLOW_QUEUE },
        load: { connections: 10, messageSize: 4096, rate: 1000, durationMs: SHORT, expectEcho: false, faults: { slow: 10 } },
        watch: 'error-timeline',
      },
    ],
    metrics: [
      { id: 'sendQueueFull', unit: 'count', get: (m) => serverError(m, 'send-queue-full') },
      { id: 'peakSessions', unit: 'count', get: (m) => m.peakSessions },
      { id: 'endSessions', unit: 'count', get: (m) => m.endSessions },
      { id: 'bytesOut', unit: 'bytes', get: (m) => m.bytesOut },
      { id: 'bytesOutPerS', unit: 'bytesPerS', get: (m) => m.bytesOutPerS },
      { id: 'loadResets', unit: 'count', get: (m) => loadError(m, 'connection-reset') },
    ],
    outcome: ([allRead, oneSlow]) => {
      const params = { full: serverError(oneSlow, 'send-queue-full'), before: serverError(allRead, 'send-queue-full'), endSessions: oneSlow.endSessions, peakSessions: oneSlow.peakSessions }
      const shown = params.full > params.before
      return { key: shown ? 'shown' : 'notShown', shown, params }
    },
  },
  {
    id: 'closeMode',
    // Half the clients send four messages, shut their side (FIN) and read until the server
    // closes: graceful answers with FIN, abortive with RST, which the client sees as a reset.
    phases: [
      { id: 'graceful', server: { closeMode: 'graceful', workload: 'echo' }, load: { connections: 20, messageSize: 128, durationMs: 2000, expectEcho: true, faults: { halfclose: 50 } }, watch: 'error-timeline' },
      { id: 'abortive', server: { closeMode: 'abortive', workload: 'echo' }, load: { connections: 20, messageSize: 128, durationMs: 2000, expectEcho: true, faults: { halfclose: 50 } }, watch: 'error-timeline' },
    ],
    metrics: [
      { id: 'halfCloses', unit: 'count', get: (m) => m.load?.faults.halfclose ?? 0 },
      { id: 'loadResets', unit: 'count', get: (m) => loadError(m, 'connection-reset') },
      { id: 'serverResets', unit: 'count', get: (m) => serverError(m, 'connection-reset') },
    ],
    outcome: ([graceful, abortive]) => {
      const params = { graceful: loadError(graceful, 'connection-reset'), abortive: loadError(abortive, 'connection-reset'), halfCloses: abortive.load?.faults.halfclose ?? 0 }
      const shown = params.abortive > 0 && params.graceful === 0
      return { key: shown ? 'shown' : 'notShown', shown, params }
    },
  },
  {
    id: 'backlog',
    // A connect storm (every client connects, closes and reconnects at once), against the
    // default backlog and against a backlog of 1.
    phases: [
      { id: 'large', server: { backlog: 1024, workload: 'echo' }, load: { connections: 200, messageSize: 64, durationMs: SHORT, rampUpMs: 0, expectEcho: true, faults: { storm: 100 } }, watch: 'completions-chart' },
      { id: 'small', server: { backlog: 1, workload: 'echo' }, load: { connections: 200, messageSize: 64, durationMs: SHORT, rampUpMs: 0, expectEcho: true, faults: { storm: 100 } }, watch: 'completions-chart' },
    ],
    metrics: [
      { id: 'backlog', unit: 'count', get: () => Number.NaN },
      { id: 'connectsPerS', unit: 'perS', get: connectsPerS },
      { id: 'connectsOk', unit: 'count', get: (m) => m.load?.connectsOk ?? 0 },
      { id: 'connectsFailed', unit: 'count', get: (m) => m.load?.connectsFailed ?? 0 },
      { id: 'completionsPerS', unit: 'perS', get: (m) => m.completionsPerS },
      { id: 'peakSessions', unit: 'count', get: (m) => m.peakSessions },
    ],
    outcome: ([large, small]) => {
      const params = { large: round(connectsPerS(large)), small: round(connectsPerS(small)), failed: small.load?.connectsFailed ?? 0, ratio: connectsPerS(small) > 0 ? round(connectsPerS(large) / connectsPerS(small), 1) : 0 }
      const shown = connectsPerS(small) < connectsPerS(large) / 2
      return { key: shown ? 'shown' : 'notShown', shown, params }
    },
  },
  {
    id: 'sizeSweep',
    // The same 20 connections with 64 B, 1 KiB and 16 KiB messages.
    phases: [
      { id: 's64', server: { workload: 'echo' }, load: { connections: 20, messageSize: 64, durationMs: 2500, expectEcho: true }, watch: 'bytes-chart' },
      { id: 's1k', server: { workload: 'echo' }, load: { connections: 20, messageSize: 1024, durationMs: 2500, expectEcho: true }, watch: 'bytes-chart' },
      { id: 's16k', server: { workload: 'echo' }, load: { connections: 20, messageSize: 16384, durationMs: 2500, expectEcho: true }, watch: 'completions-chart' },
    ],
    metrics: [
      { id: 'messageSize', unit: 'bytes', get: () => Number.NaN },
      { id: 'bytesInPerS', unit: 'bytesPerS', get: (m) => m.bytesInPerS },
      { id: 'completionsPerS', unit: 'perS', get: (m) => m.completionsPerS },
      { id: 'bytesPerCompletion', unit: 'bytes', get: bytesPerCompletion },
    ],
    outcome: (ms) => {
      const first = ms[0]
      const last = ms[ms.length - 1]
      const params = {
        bytesRatio: first.bytesInPerS > 0 ? round(last.bytesInPerS / first.bytesInPerS) : 0,
        completionsRatio: first.completionsPerS > 0 ? round(last.completionsPerS / first.completionsPerS, 2) : 0,
      }
      const bytesRise = ms.every((m, i) => i === 0 || m.bytesInPerS > ms[i - 1].bytesInPerS)
      if (!bytesRise) return { key: 'notShown', shown: false, params }
      return { key: params.completionsRatio <= 1 ? 'shownFalls' : 'shownFlat', shown: true, params }
    },
  },
]

// The two metrics that are configuration, not measurement, read from the phase itself.
export function metricValue(exp: ExperimentSpec, metric: MetricSpec, phase: number, m: PhaseMeasure): number {
  if (metric.id === 'backlog') return exp.phases[phase].server.backlog ?? Number.NaN
  if (metric.id === 'messageSize') return exp.phases[phase].load.messageSize ?? Number.NaN
  return metric.get(m)
}

export function experimentById(id: string): ExperimentSpec | undefined {
  return EXPERIMENTS.find((e) => e.id === id)
}

/** The server configuration a phase runs: the user's, the phase's fields laid over it. */
export function phaseServerConfig(base: Partial<EngineConfig>, phase: PhaseSpec): Partial<EngineConfig> {
  const merged: Partial<EngineConfig> = { ...base, ...phase.server }
  // The send queue must hold two receives (validateEngineConfig's rule): a user's large receive
  // buffer would make the slow-reader phase's small queue invalid.
  if (merged.sendQueueLimit !== undefined && merged.recvBufferSize !== undefined && merged.sendQueueLimit < 2 * merged.recvBufferSize) {
    merged.recvBufferSize = Math.floor(merged.sendQueueLimit / 2)
  }
  return merged
}

/** Whether moving from the running configuration to the phase's needs a restart. */
export function needsRestart(running: Partial<EngineConfig> | null, next: Partial<EngineConfig>): boolean {
  if (!running) return true
  return (Object.keys(next) as (keyof EngineConfig)[]).some((k) => next[k] !== running[k])
}

/** Planned length of an experiment's load runs, ms (restarts come on top). */
export function plannedMs(exp: ExperimentSpec): number {
  return sum(exp.phases.map((p) => p.load.durationMs ?? 0))
}

/** Overall progress 0..1: phases done plus the share of the current phase's run. */
export function overallProgress(exp: ExperimentSpec, phase: number, phaseFraction: number): number {
  const total = plannedMs(exp)
  if (total <= 0) return 0
  const done = sum(exp.phases.slice(0, phase).map((p) => p.load.durationMs ?? 0))
  const cur = (exp.phases[phase]?.load.durationMs ?? 0) * Math.min(1, Math.max(0, phaseFraction))
  return Math.min(1, (done + cur) / total)
}

// ---- measuring a phase -------------------------------------------------------------------------

const SENDING_MARGIN_MS = 150

function errorsByName(errors: readonly ErrorCount[] | undefined): Record<string, number> {
  const out: Record<string, number> = {}
  for (const e of errors ?? []) out[e.name] = (out[e.name] ?? 0) + e.count
  return out
}

/**
 * Collects one phase. `baseline` is the newest tick before the phase began when the server kept
 * running into it (its totals are subtracted); null after a restart, when totals start at zero.
 * Ticks are taken in arrival order; one whose totals went backwards belongs to a new server run
 * and restarts the baseline at zero.
 */
export class PhaseRecorder {
  private base: MetricsTick | null
  private last: MetricsTick | null = null
  private lastDuringLoad: MetricsTick | null = null
  private loadRunning = true
  private n = 0
  private peakQd = 0
  private qdSum = 0
  private busySum: number[] = []
  private compPerS = 0
  private inPerS = 0
  private outPerS = 0
  private peakSess = 0
  private loadCounters: LoadCounters | null = null
  private sending = true
  private endSess = 0
  private readonly durationMs: number

  /** `durationMs`: the load run's planned sending time (sessions are read while it lasts). */
  constructor(baseline: MetricsTick | null, opts: { durationMs?: number } = {}) {
    this.base = baseline
    this.durationMs = opts.durationMs ?? 0
  }

  /** A server tick. Ticks after loadEnded() only update the cumulative counts (errors). */
  tick(t: MetricsTick): void {
    const ref = this.last ?? this.base
    if (ref && t.total.completionsTotal < ref.total.completionsTotal) {
      this.base = null
    }
    this.last = t
    if (!this.loadRunning) return
    this.lastDuringLoad = t
    this.n++
    let deepest = 0
    t.workers.forEach((w, i) => {
      deepest = Math.max(deepest, w.queueDepth)
      this.busySum[i] = (this.busySum[i] ?? 0) + w.busy
    })
    this.peakQd = Math.max(this.peakQd, deepest)
    this.qdSum += deepest
    this.compPerS += t.total.completionsPerS
    this.inPerS += t.total.bytesInPerS
    this.outPerS += t.total.bytesOutPerS
    this.peakSess = Math.max(this.peakSess, t.total.sessions)
    if (this.sending) this.endSess = t.total.sessions
  }

  /** The load run's newest counters (progress) or its final ones (finished). */
  load(c: LoadCounters): void {
    this.loadCounters = c
    // Near the end of its time the generator closes its connections: sessions read after that
    // say nothing about the run.
    if (!c.running || (this.durationMs > 0 && c.elapsedMs >= this.durationMs - SENDING_MARGIN_MS)) this.sending = false
  }

  loadEnded(): void {
    this.loadRunning = false
    this.sending = false
  }

  measure(): PhaseMeasure {
    const last = this.last
    const during = this.lastDuringLoad ?? last
    const base = this.base
    const workers = during?.workers.length ?? 0
    const n = Math.max(1, this.n)
    const baseErr = errorsByName(base?.errors)
    const serverErrors: Record<string, number> = {}
    for (const [name, count] of Object.entries(errorsByName(last?.errors))) {
      const d = count - (baseErr[name] ?? 0)
      if (d > 0) serverErrors[name] = d
    }
    const completionsByWorker = Array.from({ length: workers }, (_, i) => Math.max(0, (during?.workers[i]?.completionsTotal ?? 0) - (base?.workers[i]?.completionsTotal ?? 0)))
    const c = this.loadCounters
    return {
      ticks: this.n,
      workers,
      peakQueueDepth: this.peakQd,
      meanQueueDepth: this.qdSum / n,
      busyByWorker: Array.from({ length: workers }, (_, i) => (this.busySum[i] ?? 0) / n),
      completionsByWorker,
      completionsPerS: this.compPerS / n,
      bytesInPerS: this.inPerS / n,
      bytesOutPerS: this.outPerS / n,
      bytesIn: Math.max(0, (during?.total.bytesInTotal ?? 0) - (base?.total.bytesInTotal ?? 0)),
      bytesOut: Math.max(0, (during?.total.bytesOutTotal ?? 0) - (base?.total.bytesOutTotal ?? 0)),
      peakSessions: this.peakSess,
      endSessions: this.endSess,
      serverErrors,
      load: c
        ? {
            elapsedMs: c.elapsedMs,
            connectsOk: c.connectsOk,
            connectsFailed: c.connectsFailed,
            msgsSent: c.msgsSent,
            bytesSent: c.bytesSent,
            bytesReceived: c.bytesReceived,
            errors: errorsByName(c.errors),
            faults: { ...c.faultsInjected },
          }
        : null,
    }
  }
}
