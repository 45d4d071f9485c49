// The IPC contract, as one table: every request channel with the MonitorApi method that calls it,
// its request and response types and the validator that guards it in main; every event with its
// method and payload. Everything else is derived from this file — the MonitorApi type, the channel
// lists, the preload's window.api and the WebSocket client (createApiClient), IPC registration and
// bridge forwarding in main (ChannelHandlers, EVENT_CHANNELS) — so adding a channel is one entry
// here plus its handler in a feature module.
import type { AlertEvent, AlertsState } from './alerts'
import { validateAttachStart, type AttachRequest, type AttachStatus, type ProbeListing } from './attach'
import type { ExportRequest, ExportResult, LoadStatus, ServerStatus } from './api'
import type { AppConfigPatch, ConfigState } from './app-config'
import type { EngineConfig } from './engine-config'
import type { CatalogEntry } from './engine-snapshot'
import type { AlertsSetRequest, OpenedRecording, RecordingOpenRequest, RecordingStatus, ReplayRequest, ReplayStatus } from './features'
import type { LoadProgress, LoadRequest, LoadSummary } from './load'
import type { MetricsTick } from './metrics'
import { validateSessionClose, validateSessionQuery, type SessionCloseRequest, type SessionCloseResult, type SessionQuery, type SessionTable } from './sessions'
import {
  validateAlertsSet,
  validateConfigSet,
  validateEmpty,
  validateExport,
  validateLoadStart,
  validateRecordingOpen,
  validateReplayStart,
  validateStart,
  type PayloadValidator,
} from './payload-validators'
import type { Result } from './result'

/** One request channel. `types` exists only for the type checker: it is never set or read. */
interface InvokeSpec<M extends string, Req, Res, Valid> {
  method: M
  validate: PayloadValidator<Valid>
  /** The reply may be large (history, a recording): clients allow it more time. */
  bulk: boolean
  readonly types?: { req: Req; res: Res }
}

interface EventSpec<M extends string, Payload> {
  method: M
  /** A stream where only the newest value matters: a lagging bridge client may miss some. */
  stream: boolean
  readonly types?: { payload: Payload }
}

/** `invoke<Request, Response>()('method', validator)`: the types are given, the rest inferred. */
function invoke<Req, Res>() {
  return <M extends string, Valid>(method: M, validate: PayloadValidator<Valid>, opts: { bulk?: boolean } = {}): InvokeSpec<M, Req, Res, Valid> => ({
    method,
    validate,
    bulk: opts.bulk ?? false,
  })
}

function event<Payload>() {
  return <M extends string>(method: M, opts: { stream?: boolean } = {}): EventSpec<M, Payload> => ({ method, stream: opts.stream ?? false })
}

/** The request channels (renderer → main); `void` = the call takes no argument. */
export const INVOKES = {
  'server:start': invoke<Partial<EngineConfig>, ServerStatus>()('start', validateStart),
  'server:stop': invoke<void, ServerStatus>()('stop', validateEmpty),
  'server:status': invoke<void, ServerStatus>()('status', validateEmpty),
  // An hour of 64 workers is tens of MB of JSON.
  'metrics:history': invoke<void, MetricsTick[]>()('history', validateEmpty, { bulk: true }),
  'export:csv': invoke<ExportRequest, ExportResult>()('exportCsv', validateExport, { bulk: true }),
  'errors:catalog': invoke<void, CatalogEntry[]>()('catalog', validateEmpty),
  /** Resolves once the run has started (or failed to); its end arrives as load:finished. */
  'load:start': invoke<LoadRequest, LoadStatus>()('loadStart', validateLoadStart),
  /** Ends the run within ~100 ms and resolves with the status holding its summary. */
  'load:stop': invoke<void, LoadStatus>()('loadStop', validateEmpty),
  'load:status': invoke<void, LoadStatus>()('loadStatus', validateEmpty),
  'alerts:list': invoke<void, AlertsState>()('listAlerts', validateEmpty),
  /** Replaces the rule list (validated, saved to the config file); active alerts are cleared. */
  'alerts:set': invoke<AlertsSetRequest, AlertsState>()('setAlerts', validateAlertsSet),
  /** Electron asks where to save; the browser bridge writes into the recordings directory. */
  'recording:start': invoke<void, RecordingStatus>()('startRecording', validateEmpty),
  'recording:stop': invoke<void, RecordingStatus>()('stopRecording', validateEmpty),
  /** Resolves with ok:true and value null when the user cancelled the open dialog. */
  'recording:open': invoke<RecordingOpenRequest | undefined, OpenedRecording | null>()('openRecording', validateRecordingOpen, { bulk: true }),
  /** Plays the opened recording through metrics:tick (the server must be stopped). */
  'replay:start': invoke<ReplayRequest | undefined, ReplayStatus>()('startReplay', validateReplayStart),
  'replay:stop': invoke<void, ReplayStatus>()('stopReplay', validateEmpty),
  'config:get': invoke<void, ConfigState>()('getConfig', validateEmpty),
  'config:set': invoke<AppConfigPatch, ConfigState>()('setConfig', validateConfigSet),
  /** The top sessions by a key (asked for on demand, at most twice a second per query). */
  'sessions:table': invoke<SessionQuery | undefined, SessionTable>()('sessions', validateSessionQuery),
  /** Closes one session: graceful (FIN) or abortive (RST); not-found when it is gone. */
  'sessions:close': invoke<SessionCloseRequest, SessionCloseResult>()('closeSession', validateSessionClose),
  /** The probes published on this machine (other processes that include iocpm_probe.h). */
  'probes:list': invoke<void, ProbeListing[]>()('listProbes', validateEmpty),
  /** Samples that process instead of the built-in server (which must be stopped). */
  'attach:start': invoke<AttachRequest, AttachStatus>()('attach', validateAttachStart),
  /** Back to the built-in server; the attached run's history stays until the next start. */
  'attach:stop': invoke<void, AttachStatus>()('detach', validateEmpty),
  'attach:status': invoke<void, AttachStatus>()('attachStatus', validateEmpty),
} as const

/** The events (main → renderer). */
export const EVENTS = {
  'metrics:tick': event<MetricsTick>()('onTick', { stream: true }),
  'server:status-changed': event<ServerStatus>()('onStatus'),
  /** One LoadProgress per sampler tick while a run lasts, then load:finished. */
  'load:progress': event<LoadProgress>()('onLoadProgress', { stream: true }),
  'load:finished': event<LoadSummary>()('onLoadFinished'),
  'alerts:event': event<AlertEvent>()('onAlert'),
  'recording:status': event<RecordingStatus>()('onRecordingStatus'),
  'replay:status': event<ReplayStatus>()('onReplayStatus'),
  'attach:status-changed': event<AttachStatus>()('onAttachStatus'),
  /** The probe list changed: one appeared, exited or went away. */
  'probes:changed': event<ProbeListing[]>()('onProbes'),
} as const

type Invokes = typeof INVOKES
type Events = typeof EVENTS
export type InvokeChannel = keyof Invokes
export type EventChannel = keyof Events
export type RequestOf<C extends InvokeChannel> = NonNullable<Invokes[C]['types']>['req']
export type ResponseOf<C extends InvokeChannel> = NonNullable<Invokes[C]['types']>['res']
/** What the channel's validator hands the service. */
export type ValidPayloadOf<C extends InvokeChannel> = Invokes[C]['validate'] extends PayloadValidator<infer V> ? V : never
export type PayloadOf<E extends EventChannel> = NonNullable<Events[E]['types']>['payload']

export const INVOKE_CHANNELS = Object.keys(INVOKES) as InvokeChannel[]
export const EVENT_CHANNELS = Object.keys(EVENTS) as EventChannel[]

type Args<Req> = [Req] extends [void] ? [] : undefined extends Req ? [req?: Req] : [req: Req]

/** The one interface the renderer talks to, derived from the table. */
export type MonitorApi = {
  [C in InvokeChannel as Invokes[C]['method']]: (...args: Args<RequestOf<C>>) => Promise<Result<ResponseOf<C>>>
} & {
  [E in EventChannel as Events[E]['method']]: (cb: (payload: PayloadOf<E>) => void) => () => void
}

/**
 * Main's side of the table: one handler per request channel. Main's router validates every payload
 * with the channel's validator first, so a handler gets only what the validator accepted.
 */
export type ChannelHandlers = { [C in InvokeChannel]: (payload: ValidPayloadOf<C>) => Promise<Result<ResponseOf<C>>> }

/** A transport's two primitives; createApiClient turns them into a MonitorApi. */
export interface ApiTransport {
  invoke(channel: InvokeChannel, payload: unknown, opts: { bulk: boolean }): Promise<Result<unknown>>
  listen(event: EventChannel, cb: (payload: unknown) => void): () => void
}

/**
 * Builds window.api (preload, over IPC) and the browser client (over the WebSocket bridge) the
 * same way: one method per table entry. The only cast of a response type is here, where each
 * method is bound to the channel the table pairs it with.
 */
export function createApiClient(transport: ApiTransport): MonitorApi {
  const api: Record<string, unknown> = {}
  for (const channel of INVOKE_CHANNELS) {
    const { method, bulk } = INVOKES[channel]
    api[method] = (req?: unknown) => transport.invoke(channel, req, { bulk })
  }
  for (const name of EVENT_CHANNELS) {
    api[EVENTS[name].method] = (cb: (payload: unknown) => void) => transport.listen(name, cb)
  }
  return api as MonitorApi
}
