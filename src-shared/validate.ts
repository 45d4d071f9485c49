// Runtime validation of everything that crosses a process boundary into main: invoke payloads
// (Electron IPC and the WebSocket bridge carry the same ones), each checked by the validator the
// contract table names for its channel, and bridge request frames. Nothing here throws: a bad
// message becomes a Result the caller sends back as data.
import type { BridgeRequest } from './bridge-protocol'
import { INVOKE_CHANNELS, INVOKES, type InvokeChannel, type ValidPayloadOf } from './contract'
import { invalidMessage, isPlainObject } from './guards'
import type { ApiError, Result } from './result'

// Defined in ./guards (shared with the payload validators without an import cycle).
export { invalidMessage, isPlainObject }
export { INVOKE_CHANNELS }

/** What each channel's payload is once validated. */
export type ValidPayloads = { [C in InvokeChannel]: ValidPayloadOf<C> }

/** Reply id used when a bridge frame is so malformed that its own id cannot be read. */
export const BRIDGE_NO_ID = -1

export function isInvokeChannel(x: unknown): x is InvokeChannel {
  return typeof x === 'string' && Object.hasOwn(INVOKES, x)
}

/** Validates one invoke payload; the value is the normalised payload the service acts on. */
export function validatePayload<C extends InvokeChannel>(channel: C, payload: unknown): Result<ValidPayloads[C]>
export function validatePayload(channel: InvokeChannel, payload: unknown): Result<unknown> {
  if (!isInvokeChannel(channel)) return { ok: false, error: invalidMessage(`invalid message on ${String(channel)}: unknown channel`) }
  return INVOKES[channel].validate(payload, channel)
}

export type ParsedBridgeRequest = { ok: true; value: BridgeRequest<InvokeChannel> } | { ok: false; id: number; error: ApiError }

/**
 * Parses one text frame of the bridge into a request (shape only; the payload is validated per
 * channel by validatePayload). The id of a bad frame is echoed when it is readable so the client
 * can fail the matching call; otherwise the reply carries BRIDGE_NO_ID.
 */
export function parseBridgeRequest(text: string): ParsedBridgeRequest {
  let msg: unknown
  try {
    msg = JSON.parse(text)
  } catch {
    return { ok: false, id: BRIDGE_NO_ID, error: invalidMessage('bridge message is not valid JSON') }
  }
  if (!isPlainObject(msg)) {
    return { ok: false, id: BRIDGE_NO_ID, error: invalidMessage('bridge message must be a JSON object') }
  }
  const { id, channel, payload } = msg
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return { ok: false, id: BRIDGE_NO_ID, error: invalidMessage('bridge message needs an integer id >= 0') }
  }
  for (const key of Object.keys(msg)) {
    if (key !== 'id' && key !== 'channel' && key !== 'payload') {
      return { ok: false, id, error: invalidMessage(`bridge message has unknown field ${key}`) }
    }
  }
  if (!isInvokeChannel(channel)) {
    return { ok: false, id, error: invalidMessage(`unknown channel ${JSON.stringify(channel)?.slice(0, 64)}`) }
  }
  return { ok: true, value: { id, channel, payload } }
}
