// The WebSocket side of the bridge: answers each client's requests through the service and fans
// the service's events out to every client. Every frame is size-checked before it is parsed
// (./frame-size-guard) and validated (src-shared/validate); a bad one gets an error reply and
// never reaches the service. At most `maxClients` are served at once; one more is closed with
// BRIDGE_CLOSE_TOO_MANY_CLIENTS and a reason the page can show, and the others carry on.
import type { WebSocket } from 'ws'
import {
  BRIDGE_CLOSE_TOO_MANY_CLIENTS,
  BRIDGE_DEFAULT_MAX_CLIENTS,
  BRIDGE_MAX_MESSAGE_BYTES,
  BRIDGE_UPLOAD_CHANNEL,
  type BridgeEvent,
  type BridgeReply,
} from '../../src-shared/bridge-protocol'
import { EVENT_CHANNELS, EVENTS, type EventChannel } from '../../src-shared/contract'
import { BRIDGE_NO_ID, invalidMessage, parseBridgeRequest } from '../../src-shared/validate'
import type { OnceLogger } from '../service/log'
import type { MonitorService } from '../service/monitor-service'
import { frameBytes, refuseOversizedFrame } from './frame-size-guard'

/** Requests one client may have outstanding; more are refused with `busy` (flood guard). */
export const MAX_PENDING_PER_CLIENT = 16
/**
 * A client this far behind (bytes queued in the socket) stops receiving ticks until it catches
 * up. Ticks are a stream where only the newest matters; status events are always sent.
 */
export const TICK_BACKLOG_LIMIT = 4 * 1024 * 1024

export class BridgeClients {
  private readonly clients = new Set<WebSocket>()
  // Every event of the contract goes to every client. Streams (ticks, load progress: only the
  // newest matters) are dropped for a lagging client; the rest (status, summaries, alerts) never.
  private readonly listeners = EVENT_CHANNELS.map((event) => ({ event, listener: (payload: unknown) => this.broadcast({ event, payload }, EVENTS[event].stream) }))

  constructor(
    private readonly service: MonitorService,
    private readonly log: OnceLogger,
    private readonly maxClients: number = BRIDGE_DEFAULT_MAX_CLIENTS,
  ) {
    // EventEmitter's typing wants one event name at a time; every listener takes its payload as is.
    for (const { event, listener } of this.listeners) service.on(event as 'metrics:tick', listener)
  }

  get size(): number {
    return this.clients.size
  }

  add(ws: WebSocket): void {
    if (this.clients.size >= this.maxClients) {
      const reason = `too many dashboard connections (at most ${this.maxClients}); close another dashboard tab`
      this.log.warnOnce('bridge:full', `bridge: refused a client: ${reason}`)
      ws.close(BRIDGE_CLOSE_TOO_MANY_CLIENTS, reason)
      return
    }
    this.clients.add(ws)
    let pending = 0
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.reply(ws, BRIDGE_NO_ID, { ok: false, error: invalidMessage('bridge messages must be text frames') })
        return
      }
      const raw = frameBytes(data)
      // Before JSON.parse: an oversized frame on a small channel costs nothing but this check.
      const refused = refuseOversizedFrame(raw)
      if (refused) {
        this.log.warnOnce('bridge:too-large', `bridge: rejected a message larger than ${BRIDGE_MAX_MESSAGE_BYTES} bytes (${refused.message})`)
        this.reply(ws, refused.id, { ok: false, error: invalidMessage(refused.message) })
        return
      }
      const parsed = parseBridgeRequest(raw.toString())
      if (!parsed.ok) {
        this.log.warnOnce(`bridge:${parsed.error.message}`, `bridge: rejected ${parsed.error.message}`)
        this.reply(ws, parsed.id, { ok: false, error: parsed.error })
        return
      }
      const { id, channel, payload } = parsed.value
      // The guard above let a large frame through on its head's word; the parsed channel decides
      // (a frame may name recording:open first and another channel in a later duplicate key).
      if (channel !== BRIDGE_UPLOAD_CHANNEL && raw.length > BRIDGE_MAX_MESSAGE_BYTES) {
        this.log.warnOnce('bridge:too-large', `bridge: rejected a ${channel} message larger than ${BRIDGE_MAX_MESSAGE_BYTES} bytes`)
        this.reply(ws, id, { ok: false, error: invalidMessage(`messages on ${channel} may be at most ${BRIDGE_MAX_MESSAGE_BYTES} bytes`) })
        return
      }
      if (pending >= MAX_PENDING_PER_CLIENT) {
        this.reply(ws, id, { ok: false, error: { code: 'busy', message: `more than ${MAX_PENDING_PER_CLIENT} requests outstanding` } })
        return
      }
      pending++
      this.service
        .invoke(channel, payload)
        .catch((err: unknown) => ({ ok: false as const, error: { code: 'internal', message: String((err as Error)?.message ?? err) } }))
        .then((result) => {
          pending--
          this.reply(ws, id, result)
        })
    })
    ws.on('close', () => this.clients.delete(ws))
    // Socket errors (a client vanishing mid-frame, an oversized frame) close that client only.
    ws.on('error', (err) => {
      this.log.warnOnce(`bridge-error:${err.message}`, `bridge: client error: ${err.message}`)
      this.clients.delete(ws)
    })
  }

  /**
   * Detaches from the service and closes every client: a close frame first, then, for a client
   * that does not answer it promptly, the socket is cut so shutdown never waits on a peer.
   */
  close(graceMs = 500): void {
    for (const { event, listener } of this.listeners) this.service.off(event as 'metrics:tick', listener)
    const open = [...this.clients]
    this.clients.clear()
    for (const ws of open) ws.close(1001, 'server shutting down')
    if (open.length) setTimeout(() => open.forEach((ws) => ws.terminate()), graceMs).unref()
  }

  private reply(ws: WebSocket, id: number, result: BridgeReply['result']): void {
    if (ws.readyState !== ws.OPEN) return
    const msg: BridgeReply = { id, result }
    ws.send(JSON.stringify(msg))
  }

  private broadcast(msg: BridgeEvent<EventChannel>, droppable: boolean): void {
    if (!this.clients.size) return
    const text = JSON.stringify(msg)
    for (const ws of this.clients) {
      if (ws.readyState !== ws.OPEN) continue
      if (droppable && ws.bufferedAmount > TICK_BACKLOG_LIMIT) continue
      ws.send(text)
    }
  }
}
