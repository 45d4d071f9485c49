// The built-in load generator's contract: its configuration (one definition, validated the same way
// in main, preload and renderer), the live progress and the final summary of a run, and the presets
// offered by the Load panel. Field names match the native LoadGenerator (native/src/loadgen) so a
// validated config is handed to the addon unchanged.
import type { FieldError, Validated } from './result'
import type { ErrorCount } from './engine-snapshot'

/**
 * What a fault does to its share of the connections (each block of 100 connections gets exactly
 * the requested percentages):
 * - reset: half a message, then RST (SO_LINGER {1,0}).
 * - halfclose: 4 messages, then shutdown(SHUT_WR); the echoes are read until the server's FIN.
 * - slow: keeps writing but never reads (the server's send queue fills up).
 * - trickle: 1 byte per millisecond.
 * - garbage: a 1 MiB burst of 0xFF the server never asked for, then RST.
 * - vanish: connects and closes at once.
 * - storm: connect, close, reconnect, for as long as the run lasts.
 */
export const FAULT_KINDS = ['reset', 'halfclose', 'slow', 'trickle', 'garbage', 'vanish', 'storm'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/** Percentage of the connections given each fault: integers, summing to at most 100. */
export type FaultMix = Record<FaultKind, number>

/**
 * The socket layer the generator's threads drive. auto: io_uring on Linux where the kernel has it
 * (else epoll), IOCP on Windows; a layer of the other platform is refused by the generator.
 */
export const LOAD_IOS = ['auto', 'iouring', 'epoll', 'iocp'] as const
export type LoadIo = (typeof LOAD_IOS)[number]

export interface LoadConfig {
  /** Target: an IP address or a host name (resolved by the generator). */
  host: string
  port: number
  connections: number
  /** Bytes per message. */
  messageSize: number
  /** Messages per second over all connections; 0 = as fast as the server answers. */
  rate: number
  /** Messages in flight per connection before waiting for their echo. */
  pipeline: number
  /** Run length; 0 = until `messages` are done. */
  durationMs: number
  /** Total messages; 0 = until the duration ends. */
  messages: number
  /** Connections are opened evenly over this time. */
  rampUpMs: number
  /**
   * Generator threads (its own, never the engine's workers); 0 = the generator chooses (half the
   * cores for a target on this machine, one per core for a remote one) and reports the choice.
   */
  threads: number
  /** Verify every echoed byte; false against discard servers (send only). */
  expectEcho: boolean
  /** The generator's socket layer (see LOAD_IOS). */
  io: LoadIo
  faults: FaultMix
}

/** What a caller sends: any subset; `faults` may name only the kinds it uses. */
export type LoadRequest = Partial<Omit<LoadConfig, 'faults'>> & { faults?: Partial<FaultMix> }

export const NO_FAULTS: FaultMix = { reset: 0, halfclose: 0, slow: 0, trickle: 0, garbage: 0, vanish: 0, storm: 0 }

/**
 * Host and port default to the engine's own defaults (127.0.0.1:9000); in the app the load
 * controller substitutes the running server's address when the request names none.
 */
export const DEFAULT_LOAD_CONFIG: LoadConfig = {
  host: '127.0.0.1',
  port: 9000,
  connections: 50,
  messageSize: 128,
  rate: 0,
  pipeline: 1,
  durationMs: 5000,
  messages: 0,
  rampUpMs: 0,
  threads: 0,
  expectEcho: true,
  io: 'auto',
  faults: NO_FAULTS,
}

export const LOAD_LIMITS = {
  port: { min: 1, max: 65535 },
  connections: { min: 1, max: 20000 },
  messageSize: { min: 1, max: 1024 * 1024 },
  rate: { min: 0, max: 1e8 },
  pipeline: { min: 1, max: 128 },
  durationMs: { min: 0, max: 24 * 3600 * 1000 },
  messages: { min: 0, max: Number.MAX_SAFE_INTEGER },
  rampUpMs: { min: 0, max: 3600 * 1000 },
  threads: { min: 0, max: 16 },
} as const

/** Latency from write to verified echo, from the generator's histogram (microseconds). */
export interface LoadLatency {
  count: number
  p50Us: number
  p90Us: number
  p99Us: number
  p999Us: number
  maxUs: number
}

/** The generator's cumulative counters since the run started (what LoadGenerator.snapshot() returns). */
export interface LoadCounters {
  running: boolean
  elapsedMs: number
  connectsOk: number
  connectsFailed: number
  activeConnections: number
  msgsSent: number
  msgsEchoed: number
  bytesSent: number
  bytesReceived: number
  /** Echoed bytes that differed from what was sent (0 on a correct echo server). */
  mismatchedBytes: number
  /** Generator threads of this run, and how that number was chosen (native generator only). */
  threads?: number
  threadsNote?: string
  /** The socket layer the generator's threads drove (never 'auto'), and why that one. */
  io?: Exclude<LoadIo, 'auto'>
  ioNote?: string
  /** Connections (or, for storm, reconnects) that got each fault so far. */
  faultsInjected: FaultMix
  /** Connect/send/receive errors seen by the generator, by native code. */
  errors: ErrorCount[]
  latency: LoadLatency
}

/** The counters of a run that has done nothing (yet): every number 0, no faults, no errors. */
export function zeroLoadCounters(): LoadCounters {
  return {
    running: false,
    elapsedMs: 0,
    connectsOk: 0,
    connectsFailed: 0,
    activeConnections: 0,
    msgsSent: 0,
    msgsEchoed: 0,
    bytesSent: 0,
    bytesReceived: 0,
    mismatchedBytes: 0,
    faultsInjected: { ...NO_FAULTS },
    errors: [],
    latency: { count: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 },
  }
}

/** One sample of a running load, streamed as 'load:progress' at the sampler's rate. */
export interface LoadProgress extends LoadCounters {
  /** Wall-clock time of the sample, epoch ms. */
  t: number
  /** Messages sent per second since the previous sample (0 on the first). */
  msgsPerS: number
  /** Megabytes (10^6 bytes) sent per second since the previous sample. */
  mbPerS: number
}

/** The end of a run ('load:finished'): final counters, averages over the whole run, what ran. */
export interface LoadSummary extends LoadCounters {
  config: LoadConfig
  /** Epoch ms. */
  startedAt: number
  endedAt: number
  /** True when stop() ended the run before its duration or message count. */
  stoppedEarly: boolean
  /** Averages over elapsedMs. */
  msgsPerS: number
  mbPerS: number
}

/** idle ─start→ starting (resolve, test connect) ─→ running ─stop/end→ stopping ─→ idle */
export type LoadState = 'idle' | 'starting' | 'running' | 'stopping'

export interface LoadPreset {
  name: string
  description: string
  config: LoadRequest
}

/** Presets offered by the Load panel and `iocp-monitor load --preset`. None names a target. */
export const LOAD_PRESETS = {
  smoke: { name: 'smoke', description: 'A quick check: 10 connections, 128 B messages, 3 s.', config: { connections: 10, messageSize: 128, durationMs: 3000 } },
  steady: {
    name: 'steady',
    description: 'Steady paced load: 50 connections, 128 B, 20,000 msgs/s, 10 s.',
    config: { connections: 50, messageSize: 128, rate: 20000, durationMs: 10000 },
  },
  storm: {
    name: 'storm',
    description: 'Many connections ramping up: 500 connections over 2 s, 4 KiB, 10 s.',
    config: { connections: 500, rampUpMs: 2000, messageSize: 4096, durationMs: 10000 },
  },
  faults: {
    name: 'faults',
    description: 'Misbehaving clients: 100 connections, 10 s, 23 % of them faulty.',
    config: { connections: 100, durationMs: 10000, faults: { reset: 5, halfclose: 5, slow: 2, trickle: 2, garbage: 2, vanish: 5, storm: 2 } },
  },
} as const satisfies Record<string, LoadPreset>

export type LoadPresetName = keyof typeof LOAD_PRESETS

// A host name (RFC 1123 labels) or an IP literal. Checked here so a typo is a field error in the
// form; whether it resolves is the generator's answer (name-not-resolved).
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/

export function isLoadHost(host: unknown): host is string {
  return typeof host === 'string' && (HOST_NAME.test(host) || (host.includes(':') && IPV6.test(host)))
}

function checkNumber(errors: FieldError[], field: keyof typeof LOAD_LIMITS, v: unknown, integer = true): void {
  const { min, max } = LOAD_LIMITS[field]
  const ok = typeof v === 'number' && Number.isFinite(v) && (!integer || Number.isInteger(v)) && v >= min && v <= max
  if (!ok) errors.push({ field, message: `${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}` })
}

/** Merges a partial fault mix over NO_FAULTS; every error names `faults.<kind>` or `faults`. */
function validateFaults(errors: FieldError[], input: unknown): FaultMix {
  if (input === undefined) return { ...NO_FAULTS }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    errors.push({ field: 'faults', message: 'faults must be an object such as {reset: 5}' })
    return { ...NO_FAULTS }
  }
  const mix = { ...NO_FAULTS }
  let sum = 0
  for (const [kind, v] of Object.entries(input)) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      errors.push({ field: `faults.${kind}`, message: `unknown fault ${kind} (known: ${FAULT_KINDS.join(', ')})` })
      continue
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) {
      errors.push({ field: `faults.${kind}`, message: `fault ${kind} must be an integer percentage from 0 to 100` })
      continue
    }
    mix[kind as FaultKind] = v
    sum += v
  }
  if (sum > 100) errors.push({ field: 'faults', message: `fault percentages add up to ${sum}, more than 100` })
  return mix
}

/**
 * Merges a partial config over `base` (the defaults, or the defaults aimed at the running server)
 * and validates every field, naming it in each error. Unknown fields are errors.
 */
export function validateLoadConfig(input: unknown, base: LoadConfig = DEFAULT_LOAD_CONFIG): Validated<LoadConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: 'config', message: 'config must be an object' }] }
  }
  const errors: FieldError[] = []
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(DEFAULT_LOAD_CONFIG, key)) errors.push({ field: key, message: `unknown field ${key}` })
  }
  // An undefined field (a form's empty input) takes the base value, as an absent one does.
  const req = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as LoadRequest
  const c: LoadConfig = { ...base, ...req, faults: { ...NO_FAULTS } }
  if (!isLoadHost(c.host)) errors.push({ field: 'host', message: 'host must be an IP address or a host name such as 127.0.0.1' })
  checkNumber(errors, 'port', c.port)
  checkNumber(errors, 'connections', c.connections)
  checkNumber(errors, 'messageSize', c.messageSize)
  checkNumber(errors, 'rate', c.rate, false)
  checkNumber(errors, 'pipeline', c.pipeline)
  checkNumber(errors, 'durationMs', c.durationMs)
  checkNumber(errors, 'messages', c.messages)
  checkNumber(errors, 'rampUpMs', c.rampUpMs)
  checkNumber(errors, 'threads', c.threads)
  if (typeof c.expectEcho !== 'boolean') errors.push({ field: 'expectEcho', message: 'expectEcho must be true or false' })
  if (!(LOAD_IOS as readonly unknown[]).includes(c.io)) errors.push({ field: 'io', message: `io must be one of ${LOAD_IOS.join(', ')}` })
  // A run must end by itself; stop() alone is not an end condition anyone can test or script.
  if (c.durationMs === 0 && c.messages === 0) errors.push({ field: 'durationMs', message: 'give a duration or a message count (both are 0)' })
  c.faults = validateFaults(errors, 'faults' in req ? req.faults : base.faults)
  return errors.length ? { ok: false, errors } : { ok: true, value: c }
}

/**
 * Parses "reset=5,halfclose=5,slow=2" (the CLI's --faults, or a text field) into a fault mix.
 * Only the syntax and names are checked here; ranges and the sum by validateLoadConfig.
 */
export function parseFaultList(text: string): Validated<Partial<FaultMix>> {
  const out: Partial<FaultMix> = {}
  const errors: FieldError[] = []
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=(\d+)$/.exec(part)
    if (!m) {
      errors.push({ field: 'faults', message: `'${part}' is not KIND=PERCENT (e.g. reset=5)` })
      continue
    }
    const kind = m[1] as FaultKind
    if (!FAULT_KINDS.includes(kind)) errors.push({ field: `faults.${m[1]}`, message: `unknown fault ${m[1]} (known: ${FAULT_KINDS.join(', ')})` })
    else if (kind in out) errors.push({ field: `faults.${kind}`, message: `fault ${kind} given twice` })
    else out[kind] = Number(m[2])
  }
  if (!errors.length && !Object.keys(out).length) errors.push({ field: 'faults', message: 'faults must list at least one KIND=PERCENT' })
  return errors.length ? { ok: false, errors } : { ok: true, value: out }
}

/** Derived rates between two samples of one run (elapsedMs is the generator's own clock). */
export function loadRates(cur: LoadCounters, prev: LoadCounters | null): { msgsPerS: number; mbPerS: number } {
  const dtS = prev ? (cur.elapsedMs - prev.elapsedMs) / 1000 : 0
  if (dtS <= 0) return { msgsPerS: 0, mbPerS: 0 }
  return {
    msgsPerS: Math.max(0, cur.msgsSent - prev!.msgsSent) / dtS,
    mbPerS: Math.max(0, cur.bytesSent - prev!.bytesSent) / 1e6 / dtS,
  }
}
