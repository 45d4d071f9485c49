// A real ws client of the bridge for tests: it sends requests the way the dashboard frames them
// ({id, channel, payload}) and records every reply and event.
import WebSocket from 'ws'
import type { BridgeEvent, BridgeReply } from '../../../src-shared/bridge-protocol'
import type { Result } from '../../../src-shared/result'

/** A bridge client that records replies and events. */
export class BridgeTestClient {
  readonly replies: BridgeReply[] = []
  readonly events: BridgeEvent[] = []
  private nextId = 1
  private waiters = new Map<number, (r: Result<unknown>) => void>()
  /** How the server (or we) closed the connection. */
  readonly closed: Promise<{ code: number; reason: string }>

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString())
      if ('event' in msg) this.events.push(msg)
      else {
        this.replies.push(msg)
        this.waiters.get(msg.id)?.(msg.result)
      }
    })
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<BridgeTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers })
      ws.once('open', () => resolve(new BridgeTestClient(ws)))
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
  }

  call<T = unknown>(channel: string, payload?: unknown): Promise<Result<T>> {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.waiters.set(id, resolve as (r: Result<unknown>) => void)
      this.ws.send(JSON.stringify(payload === undefined ? { id, channel } : { id, channel, payload }))
    })
  }

  close(): void {
    this.ws.close()
  }
}
