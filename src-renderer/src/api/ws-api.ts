// MonitorApi over the token-protected WebSocket bridge (browser mode). Framing follows
// src-shared/bridge-protocol.ts: requests carry an id and get exactly one reply; events have no id.
//
// Failure model (errors are data, as over Electron IPC — nothing here throws at the caller):
// - a request made while the socket is (re)connecting waits in a queue and is sent on open;
// - every request resolves within `requestTimeoutMs` — with the reply, or with an ApiError
//   `timeout`; a request already sent when the socket drops resolves at once with
//   `bridge-disconnected` (its reply can never arrive on the next socket);
// - the socket reconnects with capped exponential backoff and jitter, forever, until dispose().
import type { AlertEvent, AlertsState } from '../../../src-shared/alerts'
import type { ApiError, ExportRequest, ExportResult, InvokeChannel, LoadStatus, MonitorApi, Result, ServerStatus } from '../../../src-shared/api'
import { CHANNELS } from '../../../src-shared/api'
import type { AppConfigPatch, ConfigState } from '../../../src-shared/app-config'
import { BRIDGE_PATH, type BridgeEvent, type BridgeReply, type BridgeRequest } from '../../../src-shared/bridge-protocol'
import type { EngineConfig } from '../../../src-shared/engine-config'
import type { CatalogEntry } from '../../../src-shared/engine-snapshot'
import type {
  AlertsSetRequest,
  OpenedRecording,
  RecordingOpenRequest,
  RecordingStatus,
  ReplayRequest,
  ReplayStatus,
} from '../../../src-shared/features'
import type { LoadProgress, LoadRequest, LoadSummary } from '../../../src-shared/load'
import type { MetricsTick } from '../../../src-shared/metrics'

export type ConnectionState = 'connecting' | 'open' | 'closed'

/** Replies that carry bulk data (history, an uploaded recording) may take this long. */
const BULK_TIMEOUT_MS = 60_000

/** Transports that can lose their connection report it; Electron IPC cannot and does not. */
export interface ConnectionAware {
  connectionState(): ConnectionState
  onConnection(cb: (state: ConnectionState) => void): () => void
}

/** The subset of the DOM WebSocket the client uses, so tests can substitute a fake. */
export interface WebSocketLike {
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface WsApiOptions {
  url: string
  createSocket?: (url: string) => WebSocketLike
  requestTimeoutMs?: number
  backoffInitialMs?: number
  backoffMaxMs?: number
}

interface Pending {
  channel: InvokeChannel
  payload: unknown
  sent: boolean
  resolve: (r: Result<unknown>) => void
  timer: ReturnType<typeof setTimeout>
}

/** ws://<host>/bridge?token=… for the page this script was served from. */
export function bridgeUrlFromLocation(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(loc.search).get('token') ?? ''
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${loc.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`
}

function apiError(code: string, message: string): Result<never> {
  const error: ApiError = { code, message }
  return { ok: false, error }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

function isReply(m: Record<string, unknown>): m is Record<string, unknown> & BridgeReply {
  return typeof m.id === 'number' && isObject(m.result) && typeof m.result.ok === 'boolean'
}

type EventName = BridgeEvent['event']
const EVENT_NAMES: readonly EventName[] = [
  CHANNELS.tick,
  CHANNELS.statusChanged,
  CHANNELS.loadProgress,
  CHANNELS.loadFinished,
  CHANNELS.alertEvent,
  CHANNELS.recordingStatus,
  CHANNELS.replayStatus,
]

function isEvent(m: Record<string, unknown>): m is Record<string, unknown> & BridgeEvent {
  return (EVENT_NAMES as readonly unknown[]).includes(m.event)
}

export class WsApi implements MonitorApi, ConnectionAware {
  private readonly url: string
  private readonly createSocket: (url: string) => WebSocketLike
  private readonly requestTimeoutMs: number
  private readonly backoffInitialMs: number
  private readonly backoffMaxMs: number

  private socket: WebSocketLike | null = null
  private state: ConnectionState = 'closed'
  private nextId = 1
  private attempts = 0
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null
  private disposed = false
  private readonly pending = new Map<number, Pending>()
  /** Event listeners by event name (the payload type is the channel's, see MonitorApi). */
  private readonly listeners = new Map<EventName, Set<(v: never) => void>>()
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>()

  constructor(opts: WsApiOptions) {
    this.url = opts.url
    this.createSocket = opts.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike)
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000
    this.backoffInitialMs = opts.backoffInitialMs ?? 250
    this.backoffMaxMs = opts.backoffMaxMs ?? 5_000
    this.connect()
  }

  // ---- MonitorApi -------------------------------------------------------------------------

  start(config: Partial<EngineConfig>): Promise<Result<ServerStatus>> {
    return this.request(CHANNELS.start, config) as Promise<Result<ServerStatus>>
  }
  stop(): Promise<Result<ServerStatus>> {
    return this.request(CHANNELS.stop) as Promise<Result<ServerStatus>>
  }
  status(): Promise<Result<ServerStatus>> {
    return this.request(CHANNELS.status) as Promise<Result<ServerStatus>>
  }
  history(): Promise<Result<MetricsTick[]>> {
    // An hour of 64 workers is tens of MB of JSON: give it longer than a command.
    return this.request(CHANNELS.history, undefined, BULK_TIMEOUT_MS) as Promise<Result<MetricsTick[]>>
  }
  exportCsv(req: ExportRequest): Promise<Result<ExportResult>> {
    return this.request(CHANNELS.exportCsv, req, BULK_TIMEOUT_MS) as Promise<Result<ExportResult>>
  }
  catalog(): Promise<Result<CatalogEntry[]>> {
    return this.request(CHANNELS.catalog) as Promise<Result<CatalogEntry[]>>
  }
  onTick(cb: (tick: MetricsTick) => void): () => void {
    return this.listen(CHANNELS.tick, cb)
  }
  onStatus(cb: (status: ServerStatus) => void): () => void {
    return this.listen(CHANNELS.statusChanged, cb)
  }
  loadStart(config: LoadRequest): Promise<Result<LoadStatus>> {
    return this.request(CHANNELS.loadStart, config) as Promise<Result<LoadStatus>>
  }
  loadStop(): Promise<Result<LoadStatus>> {
    return this.request(CHANNELS.loadStop) as Promise<Result<LoadStatus>>
  }
  loadStatus(): Promise<Result<LoadStatus>> {
    return this.request(CHANNELS.loadStatus) as Promise<Result<LoadStatus>>
  }
  onLoadProgress(cb: (progress: LoadProgress) => void): () => void {
    return this.listen(CHANNELS.loadProgress, cb)
  }
  onLoadFinished(cb: (summary: LoadSummary) => void): () => void {
    return this.listen(CHANNELS.loadFinished, cb)
  }
  listAlerts(): Promise<Result<AlertsState>> {
    return this.request(CHANNELS.alertsList) as Promise<Result<AlertsState>>
  }
  setAlerts(req: AlertsSetRequest): Promise<Result<AlertsState>> {
    return this.request(CHANNELS.alertsSet, req) as Promise<Result<AlertsState>>
  }
  onAlert(cb: (event: AlertEvent) => void): () => void {
    return this.listen(CHANNELS.alertEvent, cb)
  }
  startRecording(): Promise<Result<RecordingStatus>> {
    return this.request(CHANNELS.recordingStart) as Promise<Result<RecordingStatus>>
  }
  stopRecording(): Promise<Result<RecordingStatus>> {
    return this.request(CHANNELS.recordingStop) as Promise<Result<RecordingStatus>>
  }
  onRecordingStatus(cb: (status: RecordingStatus) => void): () => void {
    return this.listen(CHANNELS.recordingStatus, cb)
  }
  openRecording(req?: RecordingOpenRequest): Promise<Result<OpenedRecording | null>> {
    return this.request(CHANNELS.recordingOpen, req, BULK_TIMEOUT_MS) as Promise<Result<OpenedRecording | null>>
  }
  startReplay(req?: ReplayRequest): Promise<Result<ReplayStatus>> {
    return this.request(CHANNELS.replayStart, req) as Promise<Result<ReplayStatus>>
  }
  stopReplay(): Promise<Result<ReplayStatus>> {
    return this.request(CHANNELS.replayStop) as Promise<Result<ReplayStatus>>
  }
  onReplayStatus(cb: (status: ReplayStatus) => void): () => void {
    return this.listen(CHANNELS.replayStatus, cb)
  }
  getConfig(): Promise<Result<ConfigState>> {
    return this.request(CHANNELS.configGet) as Promise<Result<ConfigState>>
  }
  setConfig(patch: AppConfigPatch): Promise<Result<ConfigState>> {
    return this.request(CHANNELS.configSet, patch) as Promise<Result<ConfigState>>
  }

  // ---- ConnectionAware --------------------------------------------------------------------

  connectionState(): ConnectionState {
    return this.state
  }
  onConnection(cb: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(cb)
    return () => this.connectionListeners.delete(cb)
  }

  /** Closes the socket for good and resolves everything still pending. */
  dispose(): void {
    this.disposed = true
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    const s = this.socket
    this.socket = null
    if (s) {
      s.onopen = s.onclose = s.onerror = s.onmessage = null
      s.close(1000, 'disposed')
    }
    for (const [id, p] of this.pending) this.settle(id, p, apiError('bridge-disconnected', 'The dashboard connection was closed.'))
    this.setState('closed')
  }

  // ---- internals --------------------------------------------------------------------------

  private request(channel: InvokeChannel, payload?: unknown, timeoutMs = this.requestTimeoutMs): Promise<Result<unknown>> {
    if (this.disposed) return Promise.resolve(apiError('bridge-disconnected', 'The dashboard connection was closed.'))
    return new Promise((resolve) => {
      const id = this.nextId++
      const timer = setTimeout(() => {
        const p = this.pending.get(id)
        if (p) this.settle(id, p, apiError('timeout', `No reply to ${channel} within ${timeoutMs / 1000} s.`))
      }, timeoutMs)
      const p: Pending = { channel, payload, sent: false, resolve, timer }
      this.pending.set(id, p)
      if (this.state === 'open') this.send(id, p)
    })
  }

  private send(id: number, p: Pending): void {
    const msg: BridgeRequest = { id, channel: p.channel }
    if (p.payload !== undefined) msg.payload = p.payload
    try {
      this.socket?.send(JSON.stringify(msg))
      p.sent = true
    } catch (e) {
      this.settle(id, p, apiError('bridge-error', `Could not send ${p.channel}: ${String(e)}`))
    }
  }

  private settle(id: number, p: Pending, result: Result<unknown>): void {
    clearTimeout(p.timer)
    this.pending.delete(id)
    p.resolve(result)
  }

  private connect(): void {
    if (this.disposed) return
    this.setState('connecting')
    let s: WebSocketLike
    try {
      s = this.createSocket(this.url)
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = s
    s.onopen = () => {
      if (this.socket !== s) return
      this.attempts = 0
      this.setState('open')
      for (const [id, p] of this.pending) if (!p.sent) this.send(id, p)
    }
    s.onmessage = (ev) => {
      if (this.socket === s) this.receive(ev.data)
    }
    s.onerror = () => {
      // A close event always follows; reconnecting happens there.
    }
    s.onclose = () => {
      if (this.socket !== s) return
      this.socket = null
      for (const [id, p] of this.pending) {
        if (p.sent) this.settle(id, p, apiError('bridge-disconnected', `The connection dropped before ${p.channel} was answered.`))
      }
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect(): void {
    if (this.disposed) return
    this.setState('closed')
    const base = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** this.attempts)
    this.attempts++
    // Jitter (±20 %) keeps several open tabs from reconnecting in lock step.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4))
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null
      this.connect()
    }, delay)
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return
    let msg: unknown
    try {
      msg = JSON.parse(data)
    } catch {
      return
    }
    if (!isObject(msg)) return
    if (isReply(msg)) {
      const p = this.pending.get(msg.id)
      if (p) this.settle(msg.id, p, msg.result)
      return
    }
    if (isEvent(msg)) {
      const set = this.listeners.get(msg.event)
      if (set) this.emit(set as Set<(v: unknown) => void>, msg.payload)
    }
  }

  private listen<T>(event: EventName, cb: (value: T) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    const fn = cb as (v: never) => void
    set.add(fn)
    return () => set.delete(fn)
  }

  private emit<T>(listeners: Set<(v: T) => void>, value: T): void {
    for (const cb of listeners) {
      try {
        cb(value)
      } catch (e) {
        // One failing listener must not starve the others (or kill the socket handler).
        console.error('iocp-monitor: listener failed', e)
      }
    }
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return
    this.state = state
    this.emit(this.connectionListeners, state)
  }
}
