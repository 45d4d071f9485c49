// Messages of the WebSocket bridge (browser mode). The same invoke channels and events as
// Electron's IPC, framed as JSON:
//   client → server  {"id": 7, "channel": "server:start", "payload": {...}}
//   server → client  {"id": 7, "result": Result<T>}                      (reply to one request)
//   server → client  {"event": "metrics:tick" | "server:status-changed", "payload": ...}
// The token travels in the URL (?token=…) of both the page and the WebSocket.
import type { InvokeChannel, Result } from './api'

export interface BridgeRequest {
  id: number
  channel: InvokeChannel
  payload?: unknown
}

export interface BridgeReply {
  id: number
  result: Result<unknown>
}

export interface BridgeEvent {
  event: 'metrics:tick' | 'server:status-changed'
  payload: unknown
}

export const BRIDGE_PATH = '/bridge'
/** Largest accepted client message; anything larger is rejected unread. */
export const BRIDGE_MAX_MESSAGE_BYTES = 64 * 1024
