// The server configuration: one definition, validated the same way in main, preload and renderer
// (the renderer uses it for inline form errors; main re-validates everything that crosses IPC).

export const BACKENDS = ['auto', 'iouring', 'epoll', 'iocp'] as const
export type BackendChoice = (typeof BACKENDS)[number]

export const WORKLOADS = ['echo', 'discard', 'chat'] as const
export type Workload = (typeof WORKLOADS)[number]

export const CLOSE_MODES = ['graceful', 'abortive'] as const
export type CloseMode = (typeof CLOSE_MODES)[number]

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
}

export const LIMITS = {
  port: { min: 1, max: 65535 },
  workers: { min: 1, max: 64 },
  backlog: { min: 1, max: 65535 },
  recvBufferSize: { min: 512, max: 4 * 1024 * 1024 },
  maxSessions: { min: 1, max: 100000 },
  sendQueueLimit: { min: 4096, max: 256 * 1024 * 1024 },
} as const

export interface FieldError {
  field: string
  message: string
  /** Set when the error is a rule between fields rather than the field's own range or type. */
  rule?: 'sendQueueVsRecvBuffer'
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] }

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
  checkInt(errors, 'port', c.port)
  checkInt(errors, 'workers', c.workers)
  checkInt(errors, 'backlog', c.backlog)
  checkInt(errors, 'recvBufferSize', c.recvBufferSize)
  checkInt(errors, 'maxSessions', c.maxSessions)
  checkInt(errors, 'sendQueueLimit', c.sendQueueLimit)
  checkEnum(errors, 'backend', c.backend, BACKENDS)
  checkEnum(errors, 'workload', c.workload, WORKLOADS)
  checkEnum(errors, 'closeMode', c.closeMode, CLOSE_MODES)
  if (typeof c.noDelay !== 'boolean') errors.push({ field: 'noDelay', message: 'noDelay must be true or false' })
  if (typeof c.reusePort !== 'boolean') errors.push({ field: 'reusePort', message: 'reusePort must be true or false' })
  // Echo pauses receiving once the queue is half full; one more receive must still fit, or a
  // session would be closed with send-queue-full by its own echo.
  if (!errors.some((e) => e.field === 'sendQueueLimit' || e.field === 'recvBufferSize') && c.sendQueueLimit < 2 * c.recvBufferSize) {
    errors.push({ field: 'sendQueueLimit', rule: 'sendQueueVsRecvBuffer', message: `sendQueueLimit must be at least twice recvBufferSize (${2 * c.recvBufferSize})` })
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: c }
}
