// A scriptable MonitorApi for component and store tests. Its methods and event subscriptions are
// not listed here: they are createApiClient's, built from the contract table (src-shared/contract.ts)
// over an in-memory transport, so a channel added to the table is on the fake with no edit here.
// Every call is recorded in `calls` and answered by, first that applies: what the test set with
// respond(channel, …); the default below (a small stateful stand-in for the service); an error
// result naming the channel. emit(channel, payload) pushes an event as main would.
import type { AlertEvent, AlertRule, AlertsState } from '../../../src-shared/alerts'
import { DETACHED_STATUS, type AttachStatus, type ProbeListing } from '../../../src-shared/attach'
import type { ExportResult, LoadStatus, ServerStatus } from '../../../src-shared/api'
import { DEFAULT_APP_CONFIG, type ConfigState } from '../../../src-shared/app-config'
import {
  createApiClient,
  INVOKES,
  type EventChannel,
  type InvokeChannel,
  type MonitorApi,
  type PayloadOf,
  type RequestOf,
  type ResponseOf,
} from '../../../src-shared/contract'
import type { CatalogEntry } from '../../../src-shared/engine-snapshot'
import type { OpenedRecording, RecordingStatus, ReplayStatus } from '../../../src-shared/features'
import { DEFAULT_LOAD_CONFIG, NO_FAULTS, zeroLoadCounters, type LoadCounters } from '../../../src-shared/load'
import { zeroSample, type MetricsTick, type WorkerSample } from '../../../src-shared/metrics'
import type { ApiError, Result } from '../../../src-shared/result'

export const STOPPED: ServerStatus = { state: 'stopped', config: null, info: null, startedAt: null, lastError: null }
export const LOAD_IDLE: LoadStatus = { state: 'idle', config: null, startedAt: null, progress: null, lastSummary: null, lastError: null }
export const RECORDING_IDLE: RecordingStatus = { state: 'idle', path: null, startedAt: null, ticks: 0, lastError: null }
export const REPLAY_IDLE: ReplayStatus = { state: 'idle', position: 0, total: 0, speed: 1, source: null }

/** One recorded call: the channel, the MonitorApi method the test called, and its argument. */
export interface FakeCall {
  channel: InvokeChannel
  method: string
  arg?: unknown
}

/** How a channel answers: given the request, the Result (or a promise of it, which may reject). */
export type Responder<C extends InvokeChannel> = (req: RequestOf<C>) => Result<ResponseOf<C>> | Promise<Result<ResponseOf<C>>>
type Responders = { [C in InvokeChannel]?: Responder<C> }

const ok = <T>(value: T): Result<T> => ({ ok: true, value })

/** The controls a test has besides the MonitorApi methods: state, overrides, events, the call log. */
export class FakeService {
  calls: FakeCall[] = []
  // The service's state, which the default answers read and update.
  statusValue: ServerStatus = STOPPED
  historyValue: MetricsTick[] = []
  catalogValue: CatalogEntry[] = [{ name: 'connection-reset', en: 'The peer reset the connection (RST).', ko: '상대가 연결을 재설정했습니다 (RST).' }]
  loadValue: LoadStatus = LOAD_IDLE
  alertsValue: AlertsState = { rules: [], active: [] }
  configValue: ConfigState = {
    config: structuredClone(DEFAULT_APP_CONFIG),
    path: '/home/u/.config/iocp-monitor/config.json',
    notice: null,
    metrics: { url: null, error: null },
  }
  recordingValue: RecordingStatus = RECORDING_IDLE
  replayValue: ReplayStatus = REPLAY_IDLE
  probesValue: ProbeListing[] = []
  attachValue: AttachStatus = DETACHED_STATUS
  private readonly overrides: Responders = {}
  private readonly listeners = new Map<EventChannel, Set<(payload: unknown) => void>>()

  /**
   * The default answers. Optional per channel: one without an entry answers with an error (see
   * invoke), so only channels whose tests need a working service are here.
   */
  private readonly defaults: Responders = {
    'server:start': () => ok({ ...this.statusValue, state: 'running', startedAt: Date.now() }),
    'server:stop': () => ok(STOPPED),
    'server:status': () => ok(this.statusValue),
    'metrics:history': () => ok(this.historyValue),
    'export:csv': () => ok<ExportResult>({ path: '/tmp/x.csv', rows: 3 }),
    'errors:catalog': () => ok(this.catalogValue),
    'load:start': (req) =>
      ok((this.loadValue = { ...LOAD_IDLE, state: 'running', startedAt: Date.now(), config: { ...DEFAULT_LOAD_CONFIG, ...req, faults: { ...NO_FAULTS, ...req.faults } } })),
    'load:stop': () => ok((this.loadValue = { ...this.loadValue, state: 'idle' })),
    'load:status': () => ok(this.loadValue),
    'alerts:list': () => ok(this.alertsValue),
    'alerts:set': (req) => ok((this.alertsValue = { rules: req.rules.map((r) => ({ ...r })), active: [] })),
    'recording:start': () => ok((this.recordingValue = { ...RECORDING_IDLE, state: 'recording', path: '/tmp/rec.ndjson', startedAt: Date.now() })),
    'recording:stop': () => ok((this.recordingValue = { ...this.recordingValue, state: 'idle' })),
    'recording:open': () => ok<OpenedRecording | null>(null),
    'replay:start': (req) => ok((this.replayValue = { ...this.replayValue, state: 'playing', speed: req?.speed ?? 1 })),
    'replay:stop': () => ok((this.replayValue = { ...this.replayValue, state: 'stopped' })),
    'probes:list': () => ok(this.probesValue),
    'attach:status': () => ok(this.attachValue),
    // As the service: only a listed, attachable probe, and only while the built-in server is stopped.
    'attach:start': (req) => {
      const p = this.probesValue.find((x) => ('pid' in req ? x.pid === req.pid : x.name === req.name))
      if (!p || p.state !== 'running' || p.problem) return { ok: false, error: { code: 'probe-not-found', message: `no running probe ${JSON.stringify(req)}` } }
      if (this.statusValue.state !== 'stopped' && this.statusValue.state !== 'failed') {
        return { ok: false, error: { code: 'server-running', message: 'stop the built-in server before attaching to another process' } }
      }
      return ok((this.attachValue = { state: 'attached', probe: p, attachedAt: Date.now(), exitedAt: null, exitReason: null, lastError: null }))
    },
    'attach:stop': () => ok((this.attachValue = this.attachValue.state === 'attached' ? { ...this.attachValue, state: 'detached' } : this.attachValue)),
    'config:get': () => ok(this.configValue),
    'config:set': (patch) => {
      const c = this.configValue.config
      this.configValue = {
        ...this.configValue,
        config: {
          ...c,
          ...(patch.alerts ? { alerts: patch.alerts } : {}),
          server: { ...c.server, ...patch.server },
          sampler: { ...c.sampler, ...patch.sampler },
          ui: { ...c.ui, ...patch.ui },
          prometheus: { ...c.prometheus, ...patch.prometheus },
          recording: { ...c.recording, ...patch.recording },
        },
      }
      return ok(this.configValue)
    },
  }

  /**
   * Makes the channel answer with `answer` (or what the function returns for the request) until
   * the test says otherwise; null brings back the default.
   */
  respond<C extends InvokeChannel>(channel: C, answer: Result<ResponseOf<C>> | Responder<C> | null): void {
    if (answer === null) {
      delete this.overrides[channel]
      return
    }
    const responder: Responder<C> = typeof answer === 'function' ? answer : () => answer
    // TypeScript reads Responders[C] as Responder<C> but will not write through a generic key.
    this.overrides[channel] = responder as Responders[C]
  }

  /** Delivers an event to the component's or store's subscriptions, as main would. */
  emit<E extends EventChannel>(event: E, payload: PayloadOf<E>): void {
    this.emitUnchecked(event, payload)
  }

  /** emit without the payload's type: for the malformed events a store has to survive. */
  emitUnchecked(event: EventChannel, payload: unknown): void {
    for (const cb of this.listeners.get(event) ?? []) cb(payload)
  }

  /** The transport createApiClient calls: each MonitorApi method lands here with its channel. */
  private async invoke<C extends InvokeChannel>(channel: C, arg: unknown): Promise<Result<ResponseOf<C>>> {
    this.calls.push({ channel, method: INVOKES[channel].method, arg })
    const responder = this.overrides[channel] ?? this.defaults[channel]
    if (!responder) return { ok: false, error: noAnswer(channel) }
    // The argument comes from the MonitorApi method bound to this channel, so it has its request type.
    return responder(arg as RequestOf<C>)
  }

  private listen(event: EventChannel, cb: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(cb)
    return () => set.delete(cb)
  }

  /** The fake: every MonitorApi method (from the contract table) plus these controls. */
  static create(): FakeApi {
    const service = new FakeService()
    const client = createApiClient({ invoke: (channel, payload) => service.invoke(channel, payload), listen: (event, cb) => service.listen(event, cb) })
    return Object.assign(service, client)
  }
}

export type FakeApi = FakeService & MonitorApi

export const createFakeApi = (): FakeApi => FakeService.create()

function noAnswer(channel: InvokeChannel): ApiError {
  return { code: 'not-implemented', message: `FakeApi has no default answer for ${channel}: set one with api.respond('${channel}', …)` }
}

export function sample(worker: number | 'all', over: Partial<WorkerSample> = {}): WorkerSample {
  return { ...zeroSample(worker), ...over }
}

/** A tick at time t with `workers` workers; counters grow with seq so ticks look cumulative. */
export function tick(seq: number, opts: { t?: number; workers?: number; errors?: MetricsTick['errors']; completions?: number } = {}): MetricsTick {
  const n = opts.workers ?? 2
  const completions = opts.completions ?? seq * 10
  return {
    t: opts.t ?? 1_000_000 + seq * 100,
    seq,
    workers: Array.from({ length: n }, (_, i) =>
      sample(i, { queueDepth: (seq + i) % 5, inflight: i + 1, busy: 0.1 * (i + 1), completionsTotal: completions / n, completionsPerS: 100 * (i + 1) }),
    ),
    total: sample('all', { completionsTotal: completions, bytesInTotal: seq * 100, sessions: n, bytesInPerS: 1000, completionsPerS: 100 * n }),
    errors: opts.errors ?? [],
  }
}

/** Load counters of an echo run that got every one of `msgs` messages of `size` bytes back. */
export function echoRun(msgs: number, size: number, over: Partial<LoadCounters> = {}): LoadCounters {
  return { ...zeroLoadCounters(), msgsSent: msgs, msgsEchoed: msgs, bytesSent: msgs * size, bytesReceived: msgs * size, ...over }
}

export function alertEvent(kind: AlertEvent['kind'], at: number, rule: Partial<AlertRule> = {}, id = 'a1'): AlertEvent {
  const r: AlertRule = { metric: 'queueDepth', worker: 'all', op: '>', threshold: 10, forSeconds: 0, ...rule }
  return { id, kind, rule: r, ruleIndex: 0, startedAt: at, at, value: kind === 'raised' ? 12 : 3, message: `${kind}` }
}

/** A probe as discovery lists it: a running echo server with 4 workers on port 7000. */
export function probe(pid: number, over: Partial<ProbeListing> = {}): ProbeListing {
  return { pid, name: `echo-${pid}`, workers: 4, layoutVersion: 1, startMs: 1_000_000, port: 7000, platform: 'linux', state: 'running', ...over }
}

export const ADDRESS_IN_USE: ApiError = {
  code: 'address-in-use',
  message: 'bind failed: address-in-use (EADDRINUSE, 98) — The address and port are already in use.',
  nativeCode: 98,
  nativeName: 'EADDRINUSE',
}
