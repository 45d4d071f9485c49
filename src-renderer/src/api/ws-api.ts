// MonitorApi over the token-protected WebSocket bridge (browser mode). Framing follows
// src-shared/bridge-protocol.ts: requests carry an id and get exactly one reply; events have no id.
//
// Failure model (errors are data, as over Electron IPC — nothing here throws at the caller):
// - a request made while the socket is (re)connecting waits in a queue and is sent on open;
// - every request resolves within `requestTimeoutMs` — with the reply, or with an ApiError
//   `timeout`; a request already sent when the socket drops resolves at once with
//   `bridge-disconnected` (its reply can never arrive on the next socket);
// - the socket reconnects with capped exponential backoff and jitter, forever, until dispose().
import { createApiClient, EVENT_CHANNELS, type EventChannel, type InvokeChannel, type MonitorApi } from '../../../src-shared/contract'
import { BRIDGE_PATH, type BridgeEvent, type BridgeReply, type BridgeRequest } from '../../../src-shared/bridge-protocol'
import type { ApiError, Result } from '../../../src-shared/result'

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

type EventName = EventChannel

function isEvent(m: Record<string, unknown>): m is Record<string, unknown> & BridgeEvent<EventChannel> {
  return (EVENT_CHANNELS as readonly unknown[]).includes(m.event)
}

/** WsApi's MonitorApi methods come from the contract table (installed in the constructor). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface WsApi extends MonitorApi {}

export class WsApi implements ConnectionAware {
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
    // One method per channel of the contract; bulk replies (history, a recording) get longer.
    Object.assign(
      this,
      createApiClient({
        invoke: (channel, payload, { bulk }) => this.request(channel, payload, bulk ? BULK_TIMEOUT_MS : this.requestTimeoutMs),
        listen: (event, cb) => this.listen(event, cb),
      }),
    )
    this.connect()
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
    const msg: BridgeRequest<InvokeChannel> = { id, channel: p.channel }
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
