// The WebSocket side of the bridge: answers each client's requests through the service and fans
// the service's events out to every client. Every frame is validated (src-shared/validate); a bad
// one gets an error reply and never reaches the service.
import type { WebSocket } from 'ws'
import { BRIDGE_MAX_MESSAGE_BYTES, type BridgeEvent, type BridgeReply } from '../../src-shared/bridge-protocol'
import { EVENT_CHANNELS, EVENTS, type EventChannel } from '../../src-shared/contract'
import { BRIDGE_NO_ID, invalidMessage, parseBridgeRequest } from '../../src-shared/validate'
import type { OnceLogger } from '../service/log'
import type { MonitorService } from '../service/monitor-service'

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
  ) {
    // EventEmitter's typing wants one event name at a time; every listener takes its payload as is.
    for (const { event, listener } of this.listeners) service.on(event as 'metrics:tick', listener)
  }

  get size(): number {
    return this.clients.size
  }

  add(ws: WebSocket): void {
    this.clients.add(ws)
    let pending = 0
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.reply(ws, BRIDGE_NO_ID, { ok: false, error: invalidMessage('bridge messages must be text frames') })
        return
      }
      const parsed = parseBridgeRequest(data.toString())
      if (!parsed.ok) {
        this.log.warnOnce(`bridge:${parsed.error.message}`, `bridge: rejected ${parsed.error.message}`)
        this.reply(ws, parsed.id, { ok: false, error: parsed.error })
        return
      }
      const { id, channel, payload } = parsed.value
      // The frame limit is the recording upload's (BRIDGE_MAX_RECORDING_BYTES); every other
      // channel keeps the small one.
      if (channel !== 'recording:open' && rawLength(data) > BRIDGE_MAX_MESSAGE_BYTES) {
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

function rawLength(data: Buffer | ArrayBuffer | Buffer[]): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0)
  return data.byteLength
}
