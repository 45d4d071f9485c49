// The server configuration: one definition, validated the same way in main, preload and renderer
// (the renderer uses it for inline form errors; main re-validates everything that crosses IPC).

import type { FieldError, Validated } from './result'

export const BACKENDS = ['auto', 'iouring', 'epoll', 'iocp'] as const
export type BackendChoice = (typeof BACKENDS)[number]

export const WORKLOADS = ['echo', 'discard', 'chat'] as const
export type Workload = (typeof WORKLOADS)[number]

export const CLOSE_MODES = ['graceful', 'abortive'] as const
export type CloseMode = (typeof CLOSE_MODES)[number]

// The io_uring backend's receive model (native/src/core/config.h describes it). Validated on every
// platform like the IOCP options; epoll and IOCP ignore it.
/** multishot: multishot recv on a provided-buffer ring where the kernel has it, else single-shot; single: always single-shot. */
export const IOURING_RECV_MODES = ['multishot', 'single'] as const
export type IouringRecv = (typeof IOURING_RECV_MODES)[number]

/**
 * How the io_uring backend holds a session's socket. fd: an ordinary descriptor; direct: only an
 * entry in the worker ring's file table (Linux 6.13+), so RLIMIT_NOFILE does not cap the sessions
 * — each worker's table holds up to that many.
 */
export const IOURING_SOCKETS = ['fd', 'direct'] as const
export type IouringSockets = (typeof IOURING_SOCKETS)[number]

// The IOCP backend's options (native/src/core/config.h describes the model). Validated on every
// platform so a config means the same everywhere; the Linux backends ignore them.
/** perWorker: one completion port per worker thread; shared: one port all workers wait on. */
export const IOCP_PORT_LAYOUTS = ['perWorker', 'shared'] as const
export type IocpPortLayout = (typeof IOCP_PORT_LAYOUTS)[number]

/** gqcsex: GetQueuedCompletionStatusEx, up to 64 packets per call; gqcs: GetQueuedCompletionStatus, one. */
export const IOCP_DEQUEUES = ['gqcsex', 'gqcs'] as const
export type IocpDequeue = (typeof IOCP_DEQUEUES)[number]

export interface EngineConfig {
  host: string
  port: number
  workers: number
  backend: BackendChoice
  workload: Workload
  backlog: number
  recvBufferSize: number
  maxSessions: number
  sendQueueLimit: number
  noDelay: boolean
  reusePort: boolean
  closeMode: CloseMode
  iouringRecv: IouringRecv
  iouringSockets: IouringSockets
  iocpPortLayout: IocpPortLayout
  iocpDequeue: IocpDequeue
  /** AcceptEx calls kept posted, so a burst of connects never waits for one to be re-posted. */
  iocpAcceptPool: number
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  // Loopback unless the user explicitly chooses otherwise: a test server must not be reachable
  // from the network by accident.
  host: '127.0.0.1',
  port: 9000,
  workers: 2,
  backend: 'auto',
  workload: 'echo',
  backlog: 1024,
  recvBufferSize: 16 * 1024,
  maxSessions: 20000,
  sendQueueLimit: 4 * 1024 * 1024,
  noDelay: true,
  // One listener per worker so the kernel spreads connections across workers. The engine first
  // binds without SO_REUSEPORT, so a port already in use still fails with address-in-use.
  reusePort: true,
  closeMode: 'graceful',
  iouringRecv: 'multishot',
  iouringSockets: 'fd',
  iocpPortLayout: 'perWorker',
  iocpDequeue: 'gqcsex',
  iocpAcceptPool: 32,
}

export const LIMITS = {
  port: { min: 1, max: 65535 },
  workers: { min: 1, max: 64 },
  backlog: { min: 1, max: 65535 },
  recvBufferSize: { min: 512, max: 4 * 1024 * 1024 },
  maxSessions: { min: 1, max: 100000 },
  sendQueueLimit: { min: 4096, max: 256 * 1024 * 1024 },
  iocpAcceptPool: { min: 1, max: 1024 },
} as const

/** Every field that takes one of a list of strings, with its list. */
export const ENUM_FIELDS = {
  backend: BACKENDS,
  workload: WORKLOADS,
  closeMode: CLOSE_MODES,
  iouringRecv: IOURING_RECV_MODES,
  iouringSockets: IOURING_SOCKETS,
  iocpPortLayout: IOCP_PORT_LAYOUTS,
  iocpDequeue: IOCP_DEQUEUES,
} as const satisfies Partial<Record<keyof EngineConfig, readonly string[]>>

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const HEXTET = /^[0-9a-fA-F]{1,4}$/

/** RFC 4291 text form: up to 8 hextets, one `::` for a run of zeros, optionally IPv4 at the end. */
function isIpv6(host: string): boolean {
  if (host.length > 45 || !host.includes(':')) return false
  const halves = host.split('::')
  if (halves.length > 2) return false
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')))
  const all = groups.flat()
  let count = all.length
  // Only the very end of the address may be dotted IPv4 (so not "1.2.3.4::").
  const tail = groups[groups.length - 1]!
  const last = tail[tail.length - 1]
  if (last !== undefined && last.includes('.')) {
    if (!IPV4.test(last)) return false
    all.pop()
    count += 1 // an embedded IPv4 address fills two hextets
  }
  if (!all.every((g) => HEXTET.test(g))) return false
  return halves.length === 2 ? count <= 7 : count === 8
}

/** A literal IPv4/IPv6 address; host names are rejected so binding never depends on DNS. */
export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || isIpv6(host)
}

function checkInt(errors: FieldError[], field: keyof typeof LIMITS, v: unknown): void {
  const { min, max } = LIMITS[field]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    errors.push({ field, message: `${field} must be an integer from ${min} to ${max}` })
  }
}

function checkEnum(errors: FieldError[], field: string, v: unknown, allowed: readonly string[]): void {
  if (typeof v !== 'string' || !allowed.includes(v)) {
    errors.push({ field, message: `${field} must be one of ${allowed.join(', ')}` })
  }
}

/**
 * Merges a partial config over the defaults and validates every field. Unknown fields are an
 * error (a typo must not be silently ignored).
 */
export function validateEngineConfig(input: unknown): Validated<EngineConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: 'config', message: 'config must be an object' }] }
  }
  const errors: FieldError[] = []
  for (const key of Object.keys(input)) {
    // hasOwn, not `in`: `in` also finds inherited names (__proto__, constructor, toString), which
    // would let them through as "known" fields.
    if (!Object.hasOwn(DEFAULT_ENGINE_CONFIG, key)) errors.push({ field: key, message: `unknown field ${key}` })
  }
  const c = { ...DEFAULT_ENGINE_CONFIG, ...(input as Partial<EngineConfig>) }
  if (typeof c.host !== 'string' || !isIpLiteral(c.host)) {
    errors.push({ field: 'host', message: 'host must be an IPv4 or IPv6 address such as 127.0.0.1' })
  }
  for (const field of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) checkInt(errors, field, c[field])
  for (const [field, allowed] of Object.entries(ENUM_FIELDS)) checkEnum(errors, field, c[field as keyof typeof ENUM_FIELDS], allowed)
  if (typeof c.noDelay !== 'boolean') errors.push({ field: 'noDelay', message: 'noDelay must be true or false' })
  if (typeof c.reusePort !== 'boolean') errors.push({ field: 'reusePort', message: 'reusePort must be true or false' })
  // Echo pauses receiving once the queue is half full; one more receive must still fit, or a
  // session would be closed with send-queue-full by its own echo.
  if (!errors.some((e) => e.field === 'sendQueueLimit' || e.field === 'recvBufferSize') && c.sendQueueLimit < 2 * c.recvBufferSize) {
    errors.push({ field: 'sendQueueLimit', rule: 'sendQueueVsRecvBuffer', message: `sendQueueLimit must be at least twice recvBufferSize (${2 * c.recvBufferSize})` })
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: c }
}
