// Messages of the WebSocket bridge (browser mode). The same invoke channels and events as
// Electron's IPC, framed as JSON:
//   client → server  {"id": 7, "channel": "server:start", "payload": {...}}
//   server → client  {"id": 7, "result": Result<T>}                      (reply to one request)
//   server → client  {"event": "metrics:tick" (or another event of ./contract), "payload": ...}
// The token travels in the URL (?token=…) of both the page and the WebSocket.
// Channel names are type parameters (./contract's InvokeChannel and EventChannel), so this file
// depends on nothing but the leaf Result type.
import type { Result } from './result'

export interface BridgeRequest<Channel extends string = string> {
  id: number
  channel: Channel
  payload?: unknown
}

export interface BridgeReply {
  id: number
  result: Result<unknown>
}

export interface BridgeEvent<Event extends string = string> {
  event: Event
  payload: unknown
}

export const BRIDGE_PATH = '/bridge'
/**
 * Largest accepted client message on every channel but recording:open. A larger one is refused
 * from its size alone, before it is parsed, with an error reply (its id is echoed when the frame
 * starts with it, as the dashboard's frames do).
 */
export const BRIDGE_MAX_MESSAGE_BYTES = 64 * 1024
/** The one channel whose messages may be larger than BRIDGE_MAX_MESSAGE_BYTES: a recording upload. */
export const BRIDGE_UPLOAD_CHANNEL = 'recording:open'
/**
 * Largest recording:open message (a recording's NDJSON text uploaded from the browser: about an
 * hour of 2 workers at 10 Hz). This is the WebSocket frame limit: a larger frame closes the
 * connection (1009) unread. Longer recordings are opened in Electron or exported with the CLI.
 */
export const BRIDGE_MAX_RECORDING_BYTES = 32 * 1024 * 1024

/**
 * Dashboard clients (WebSocket connections) served at once unless the bridge is configured
 * otherwise (`iocp-monitor ui --max-clients`). Every client gets every tick, so each one costs
 * main a serialisation's worth of socket writes at the sample rate.
 */
export const BRIDGE_DEFAULT_MAX_CLIENTS = 16
/** Highest --max-clients accepted. */
export const BRIDGE_MAX_CLIENTS_LIMIT = 1024
/**
 * Close code of a connection refused because the bridge is full (RFC 6455 "Try Again Later"); the
 * close reason says why, for the page to show.
 */
export const BRIDGE_CLOSE_TOO_MANY_CLIENTS = 1013
