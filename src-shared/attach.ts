// Attach: IOCP Monitor samples another process — any server that includes the probe
// (native/probe/iocpm_probe.h) — the way it samples its built-in server. These are the messages of
// the contract's probes:* and attach:* channels and their validator.
import { invalidMessage, isPlainObject } from './guards'
import type { ApiError, Result } from './result'

/** Why a probe cannot be read (native/src/attach/probe_reader.cc says which check failed). */
export type ProbeProblemCode = 'probe-not-found' | 'probe-permission' | 'probe-corrupt' | 'probe-version'

/** One probe found on this machine (a shared-memory segment named after its process). */
export interface ProbeListing {
  pid: number
  /** The name the server gave iocpm_probe_open (empty when the segment could not be read). */
  name: string
  workers: number
  layoutVersion: number
  /** Wall clock when the probe was opened, epoch ms. */
  startMs: number
  /** The port the server said it listens on (iocpm_probe_set_port); 0 = not told. */
  port: number
  platform: 'linux' | 'windows'
  /** exited: the probe was closed or its process is gone (a crash leaves the segment behind). */
  state: 'running' | 'exited'
  /** Why this segment cannot be attached: probe-version, probe-corrupt, probe-permission. */
  problem?: { code: ProbeProblemCode; message: string; nativeCode?: number; nativeName?: string }
}

/** Which probe to attach to: by process id, or by the name the server gave its probe. */
export type AttachRequest = { pid: number } | { name: string }

export type AttachState = 'detached' | 'attached' | 'exited'

export interface AttachStatus {
  state: AttachState
  /** The probe attached to (or last attached to, after it exited or a detach). */
  probe: ProbeListing | null
  attachedAt: number | null
  /** When the process was seen to exit (state exited), epoch ms. */
  exitedAt: number | null
  /** closed: the server called iocpm_probe_close; process-exited: it ended without doing so. */
  exitReason: 'closed' | 'process-exited' | null
  lastError: ApiError | null
}

/** The longest probe name the probe accepts (63 bytes of [A-Za-z0-9._-]). */
export const PROBE_NAME_RE = /^[A-Za-z0-9._-]{1,63}$/

export function validateAttachStart(payload: unknown, channel: string): Result<AttachRequest> {
  const bad = (why: string): Result<AttachRequest> => ({ ok: false, error: invalidMessage(`invalid message on ${channel}: ${why}`) })
  if (!isPlainObject(payload)) return bad('expected {pid} or {name}')
  const keys = Object.keys(payload)
  if (keys.length !== 1 || (keys[0] !== 'pid' && keys[0] !== 'name')) return bad('expected exactly one of pid, name')
  if (keys[0] === 'pid') {
    const { pid } = payload
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || pid > 0xffffffff) return bad('pid must be a positive integer')
    return { ok: true, value: { pid } }
  }
  const { name } = payload
  if (typeof name !== 'string' || !PROBE_NAME_RE.test(name)) return bad('name must be 1–63 characters of A–Z, a–z, 0–9, ".", "_", "-"')
  return { ok: true, value: { name } }
}

export const DETACHED_STATUS: AttachStatus = { state: 'detached', probe: null, attachedAt: null, exitedAt: null, exitReason: null, lastError: null }
