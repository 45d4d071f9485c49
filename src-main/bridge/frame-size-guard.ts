// The bridge's per-message size limit, decided from the raw frame BEFORE it is parsed. Parsing is
// what costs: JSON.parse of a 32 MiB frame takes a main-process pause and many times its size in
// heap. So a frame over BRIDGE_MAX_MESSAGE_BYTES is parsed only when its first bytes say it is the
// one request allowed to be larger, a recording upload; everything else over the limit is refused
// from its length alone. (The frame limit itself, BRIDGE_MAX_RECORDING_BYTES, is ws's maxPayload:
// beyond it the connection is closed with 1009 before the frame is even buffered whole.)
import { BRIDGE_MAX_MESSAGE_BYTES, BRIDGE_MAX_RECORDING_BYTES, BRIDGE_UPLOAD_CHANNEL } from '../../src-shared/bridge-protocol'
import { BRIDGE_NO_ID } from '../../src-shared/validate'

/** Enough of a frame's start to hold `{"id":<15 digits>,"channel":"recording:open",` with spacing. */
const HEAD_BYTES = 256
/**
 * An upload's frame starts by naming its channel: `{"id":7,"channel":"recording:open",…` (the
 * order JSON.stringify gives the dashboard's {id, channel, payload}), or with the channel first.
 * This only admits the frame to parsing; the parsed channel is checked again (JSON.parse keeps
 * the last of two "channel" keys).
 */
const UPLOAD_HEAD = new RegExp(`^\\s*\\{\\s*(?:"id"\\s*:\\s*\\d{1,16}\\s*,\\s*)?"channel"\\s*:\\s*"${BRIDGE_UPLOAD_CHANNEL}"\\s*[,}]`)
/** The id at the frame's start, echoed in the refusal so the caller's request fails at once. */
const ID_HEAD = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/

export interface FrameRefusal {
  id: number
  message: string
}

/** Why a frame is too large for its channel, or null when it may be parsed. */
export function refuseOversizedFrame(raw: Buffer): FrameRefusal | null {
  if (raw.length <= BRIDGE_MAX_MESSAGE_BYTES) return null
  const head = raw.subarray(0, HEAD_BYTES).toString('latin1')
  if (UPLOAD_HEAD.test(head)) return null
  const id = ID_HEAD.exec(head)
  return {
    id: id ? Number(id[1]) : BRIDGE_NO_ID,
    message: `bridge messages may be at most ${BRIDGE_MAX_MESSAGE_BYTES} bytes (this one is ${raw.length}); only a ${BRIDGE_UPLOAD_CHANNEL} upload may be larger, up to ${BRIDGE_MAX_RECORDING_BYTES} bytes`,
  }
}

/** A ws message as one Buffer (ws hands over a Buffer unless binaryType says otherwise). */
export function frameBytes(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.isBuffer(data) ? data : Buffer.from(data)
}
