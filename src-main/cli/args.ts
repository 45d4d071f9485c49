// Command-line parsing for iocp-monitor. Hand-rolled rather than util.parseArgs so every error
// names the flag and the accepted values in one consistent sentence (exit code 2).
import { BACKENDS, CLOSE_MODES, DEFAULT_ENGINE_CONFIG, IOCP_DEQUEUES, IOCP_PORT_LAYOUTS, IOURING_RECV_MODES, IOURING_SOCKETS, LIMITS, WORKLOADS, validateEngineConfig, type EngineConfig } from '../../src-shared/engine-config'
import { DEFAULT_LOAD_CONFIG, LOAD_IOS, LOAD_LIMITS, LOAD_PRESETS, parseFaultList, validateLoadConfig, type LoadConfig, type LoadPresetName, type LoadRequest } from '../../src-shared/load'
import { BRIDGE_DEFAULT_MAX_CLIENTS, BRIDGE_MAX_CLIENTS_LIMIT } from '../../src-shared/bridge-protocol'
import { PROBE_NAME_RE, type AttachRequest } from '../../src-shared/attach'
import { SAMPLE_HZ } from '../service/sampler'

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface ServeCommand {
  command: 'serve'
  config: EngineConfig
  csv: string | null
  sampleHz: number
  /** Port of the Prometheus /metrics endpoint on 127.0.0.1; 0 = off. */
  metricsPort: number
  /** Recording file (NDJSON) written while the server runs, or null. */
  record: string | null
  /** The session table as it is when the server is asked to stop, written there as CSV; or null. */
  sessionsCsv: string | null
}

/** `export --from REC --csv FILE`: the CSV of a recording. */
export interface ExportCommand {
  command: 'export'
  from: string
  csv: string
}

export interface UiCommand {
  command: 'ui'
  host: string
  port: number
  staticDir: string | null
  /** null when --sample-hz was not given: the config file's sampler.hz applies (default 10). */
  sampleHz: number | null
  /** Dashboard (WebSocket) clients served at once; one more is refused. */
  maxClients: number
}

export interface LoadCommand {
  command: 'load'
  config: LoadConfig
}

/** `attach (--pid N | --name NAME)`: samples another process's probe like serve samples the engine. */
export interface AttachCommand {
  command: 'attach'
  target: AttachRequest
  csv: string | null
  sampleHz: number
  metricsPort: number
  record: string | null
}

export type Command = ServeCommand | UiCommand | LoadCommand | ExportCommand | AttachCommand | { command: 'probes' } | { command: 'help' }

type FlagKind = { kind: 'flag' } | { kind: 'string' } | { kind: 'int'; min: number; max: number } | { kind: 'number'; min: number; max: number } | { kind: 'enum'; choices: readonly string[] }

interface FlagSpec {
  /** Key in the parsed result. */
  key: string
  type: FlagKind
}

/** Load config field → the flag a user typed, for error messages. */
const LOAD_FLAG_FOR_FIELD: Record<string, string> = {
  host: '--host',
  port: '--port',
  connections: '--conns',
  messageSize: '--size',
  durationMs: '--seconds',
  rate: '--rate',
  pipeline: '--pipeline',
  messages: '--messages',
  rampUpMs: '--ramp-up-ms',
  threads: '--threads',
  expectEcho: '--no-verify',
  io: '--io',
  faults: '--faults',
}

/** Config field → the flag a user typed, for error messages. */
const FLAG_FOR_FIELD: Record<string, string> = {
  host: '--host',
  port: '--port',
  workers: '--threads',
  backend: '--backend',
  workload: '--workload',
  closeMode: '--close-mode',
  backlog: '--backlog',
  recvBufferSize: '--recv-buffer',
  maxSessions: '--max-sessions',
  sendQueueLimit: '--send-queue-limit',
  iouringRecv: '--iouring-recv',
  iouringSockets: '--iouring-sockets',
  iocpPortLayout: '--iocp-port-layout',
  iocpDequeue: '--iocp-dequeue',
  iocpAcceptPool: '--iocp-accept-pool',
}

/**
 * Integer flags, one per config field, named as `flagFor` names the field and checked against the
 * range the config's validator allows (`limits`, the same table).
 */
function intFlags<F extends string>(limits: Record<F, { min: number; max: number }>, flagFor: Record<string, string>, fields: readonly F[]): Record<string, FlagSpec> {
  return Object.fromEntries(fields.map((key) => [flagFor[key]!, { key, type: { kind: 'int', ...limits[key] } }]))
}

const SAMPLE_HZ_FLAG: FlagSpec = { key: 'sampleHz', type: { kind: 'number', min: SAMPLE_HZ.min, max: SAMPLE_HZ.max } }

const SERVE_FLAGS: Record<string, FlagSpec> = {
  '--host': { key: 'host', type: { kind: 'string' } },
  ...intFlags(LIMITS, FLAG_FOR_FIELD, Object.keys(LIMITS) as (keyof typeof LIMITS)[]),
  '--workers': { key: 'workers', type: { kind: 'int', ...LIMITS.workers } },
  '--backend': { key: 'backend', type: { kind: 'enum', choices: BACKENDS } },
  '--workload': { key: 'workload', type: { kind: 'enum', choices: WORKLOADS } },
  '--close-mode': { key: 'closeMode', type: { kind: 'enum', choices: CLOSE_MODES } },
  '--no-nodelay': { key: 'noNoDelay', type: { kind: 'flag' } },
  '--no-reuse-port': { key: 'noReusePort', type: { kind: 'flag' } },
  '--iouring-recv': { key: 'iouringRecv', type: { kind: 'enum', choices: IOURING_RECV_MODES } },
  '--iouring-sockets': { key: 'iouringSockets', type: { kind: 'enum', choices: IOURING_SOCKETS } },
  '--iocp-port-layout': { key: 'iocpPortLayout', type: { kind: 'enum', choices: IOCP_PORT_LAYOUTS } },
  '--iocp-dequeue': { key: 'iocpDequeue', type: { kind: 'enum', choices: IOCP_DEQUEUES } },
  '--csv': { key: 'csv', type: { kind: 'string' } },
  '--sample-hz': SAMPLE_HZ_FLAG,
  '--metrics-port': { key: 'metricsPort', type: { kind: 'int', min: 0, max: 65535 } },
  '--record': { key: 'record', type: { kind: 'string' } },
  '--sessions-csv': { key: 'sessionsCsv', type: { kind: 'string' } },
}

const EXPORT_FLAGS: Record<string, FlagSpec> = {
  '--from': { key: 'from', type: { kind: 'string' } },
  '--csv': { key: 'csv', type: { kind: 'string' } },
}

const ATTACH_FLAGS: Record<string, FlagSpec> = {
  '--pid': { key: 'pid', type: { kind: 'int', min: 1, max: 0xffffffff } },
  '--name': { key: 'name', type: { kind: 'string' } },
  '--csv': { key: 'csv', type: { kind: 'string' } },
  '--sample-hz': SAMPLE_HZ_FLAG,
  '--metrics-port': { key: 'metricsPort', type: { kind: 'int', min: 0, max: 65535 } },
  '--record': { key: 'record', type: { kind: 'string' } },
}

const UI_FLAGS: Record<string, FlagSpec> = {
  '--host': { key: 'host', type: { kind: 'string' } },
  '--port': { key: 'port', type: { kind: 'int', min: 0, max: 65535 } },
  '--static': { key: 'staticDir', type: { kind: 'string' } },
  '--sample-hz': SAMPLE_HZ_FLAG,
  '--max-clients': { key: 'maxClients', type: { kind: 'int', min: 1, max: BRIDGE_MAX_CLIENTS_LIMIT } },
}

const LOAD_FLAGS: Record<string, FlagSpec> = {
  '--preset': { key: 'preset', type: { kind: 'enum', choices: Object.keys(LOAD_PRESETS) } },
  '--host': { key: 'host', type: { kind: 'string' } },
  ...intFlags(LOAD_LIMITS, LOAD_FLAG_FOR_FIELD, ['port', 'connections', 'messageSize', 'pipeline', 'messages', 'rampUpMs', 'threads']),
  '--connections': { key: 'connections', type: { kind: 'int', ...LOAD_LIMITS.connections } },
  '--seconds': { key: 'seconds', type: { kind: 'number', min: 0, max: LOAD_LIMITS.durationMs.max / 1000 } },
  '--rate': { key: 'rate', type: { kind: 'number', ...LOAD_LIMITS.rate } },
  '--no-verify': { key: 'noVerify', type: { kind: 'flag' } },
  '--io': { key: 'io', type: { kind: 'enum', choices: LOAD_IOS } },
  '--faults': { key: 'faults', type: { kind: 'string' } },
}

export const USAGE = `Usage:
  iocp-monitor serve [--host 127.0.0.1] [--port 9000] [--threads 2] [--backend auto|iouring|epoll|iocp]
                     [--workload echo|discard|chat] [--close-mode graceful|abortive]
                     [--backlog 1024] [--recv-buffer 16384] [--max-sessions 20000]
                     [--send-queue-limit 4194304] [--no-nodelay] [--no-reuse-port]
                     [--iouring-recv multishot|single] [--iouring-sockets fd|direct]
                     [--iocp-port-layout perWorker|shared] [--iocp-dequeue gqcsex|gqcs]
                     [--iocp-accept-pool 32]
                     [--csv FILE] [--sample-hz 10] [--metrics-port 9464] [--record FILE]
                     [--sessions-csv FILE]
      Runs the TCP server headless. Prints "listening HOST:PORT" when ready; SIGINT/SIGTERM stop
      it (exit 0). --csv writes the sampled metrics to FILE when it stops. --sessions-csv writes
      the session table (every open connection, oldest first, up to 10,000) as it is when the stop
      is asked for. --workers = --threads.
      Sizes are in bytes; --send-queue-limit must be at least twice --recv-buffer.
      --iouring-recv chooses the io_uring backend's receive: multishot recv on a provided-buffer
      ring where the kernel has it (else single-shot), or always single-shot recv into a
      per-session buffer. --iouring-sockets direct keeps each session only in its worker
      ring's file table (Linux 6.13+), so the open-files limit caps sessions per worker, not per
      process. Both are checked, but ignored, by epoll and IOCP.
      --iocp-* choose the IOCP backend's model (Windows): one completion port per worker or one
      shared port, GetQueuedCompletionStatusEx (batches of 64) or GetQueuedCompletionStatus (one
      packet per call), and how many AcceptEx calls stay posted. Checked, but ignored, on Linux.
      --metrics-port serves Prometheus metrics on http://127.0.0.1:PORT/metrics (0 = off).
      --record writes every sample to FILE (NDJSON recording) as the run goes on.
  iocp-monitor ui [--host 127.0.0.1] [--port 0] [--static DIR] [--sample-hz 10] [--max-clients 16]
      Serves the dashboard on loopback and prints "dashboard http://HOST:PORT/?token=…".
      --max-clients: dashboard tabs served at once; one more is refused with a reason.
      Settings (alerts, Prometheus endpoint, sample rate) are kept in
      $XDG_CONFIG_HOME/iocp-monitor/config.json (~/.config/… when unset); --sample-hz overrides.
  iocp-monitor load [--preset smoke|steady|storm|faults] [--host 127.0.0.1] [--port 9000]
                    [--conns 50] [--size 128] [--seconds 5] [--rate 0] [--pipeline 1]
                    [--messages 0] [--ramp-up-ms 0] [--threads 0] [--io auto|iouring|epoll|iocp]
                    [--no-verify]
                    [--faults reset=5,halfclose=5,slow=2,trickle=2,garbage=2,vanish=5,storm=2]
      Runs the built-in load generator against an echo server. Prints one progress line per
      second to stderr and, at the end, the summary as one JSON line on stdout. SIGINT/SIGTERM
      end the run early (the summary is still printed). Exit 1 when any echoed byte mismatched
      or the target cannot be reached. --rate 0 = unlimited; --seconds 0 = until --messages.
      --threads 0 (default): half the cores for a target on this machine, one per core for a
      remote one; the summary says how many ran and why. --io auto (default): io_uring on Linux
      where the kernel has it (else epoll), IOCP on Windows; the summary says which ran and why.
  iocp-monitor attach (--pid N | --name NAME) [--csv FILE] [--sample-hz 10] [--metrics-port 9464]
                      [--record FILE]
      Samples another process that includes the probe (native/probe/iocpm_probe.h) like serve
      samples the built-in server. Prints "attached NAME pid N workers W" once; exits 0 when that
      process exits or on SIGINT/SIGTERM, with the CSV and the recording complete.
  iocp-monitor probes
      Lists the probes published on this machine, one JSON object per line.
  iocp-monitor export --from RECORDING --csv FILE
      Writes the CSV of a recording (same columns as --csv), atomically.
  iocp-monitor help`

function parseValue(flag: string, spec: FlagSpec, raw: string): string | number {
  const t = spec.type
  switch (t.kind) {
    case 'flag':
      return raw
    case 'string':
      if (raw === '') throw new UsageError(`${flag} needs a non-empty value`)
      return raw
    case 'int': {
      const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN
      if (!Number.isSafeInteger(n) || n < t.min || n > t.max) throw new UsageError(`${flag} must be an integer from ${t.min} to ${t.max} (got '${raw}')`)
      return n
    }
    case 'number': {
      const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN
      if (!Number.isFinite(n) || n < t.min || n > t.max) throw new UsageError(`${flag} must be a number from ${t.min} to ${t.max} (got '${raw}')`)
      return n
    }
    case 'enum':
      if (!t.choices.includes(raw)) throw new UsageError(`${flag} must be one of ${t.choices.join(', ')} (got '${raw}')`)
      return raw
  }
}

/** `--flag value` and `--flag=value`; each flag at most once (a repeat is almost always a typo). */
function parseFlags(args: string[], flags: Record<string, FlagSpec>, command: string): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  const seen = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    const spec = flags[flag]
    if (!spec) {
      if (!arg.startsWith('-')) throw new UsageError(`unexpected argument '${arg}' for ${command}`)
      throw new UsageError(`unknown option ${flag} for ${command} (known: ${Object.keys(flags).join(', ')})`)
    }
    let raw: string
    if (spec.type.kind === 'flag') {
      if (arg !== flag) throw new UsageError(`${flag} takes no value`)
      raw = 'true'
    } else if (arg !== flag) raw = arg.slice(eq + 1)
    else {
      const next = args[i + 1]
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`${flag} needs a value`)
      raw = next
      i++
    }
    const previous = seen.get(spec.key)
    if (previous !== undefined) throw new UsageError(`${flag} given twice (also as ${previous})`)
    seen.set(spec.key, flag)
    out[spec.key] = parseValue(flag, spec, raw)
  }
  return out
}

function parseServe(args: string[]): ServeCommand {
  const f = parseFlags(args, SERVE_FLAGS, 'serve')
  const { csv, sampleHz, metricsPort, record, sessionsCsv, noNoDelay, noReusePort, ...fields } = f
  const v = validateEngineConfig({
    ...DEFAULT_ENGINE_CONFIG,
    ...fields,
    ...(noNoDelay ? { noDelay: false } : {}),
    ...(noReusePort ? { reusePort: false } : {}),
  })
  if (!v.ok) {
    const e = v.errors[0]!
    throw new UsageError(`${FLAG_FOR_FIELD[e.field] ?? e.field}: ${e.message}`)
  }
  return {
    command: 'serve',
    config: v.value,
    csv: (csv as string | undefined) ?? null,
    sampleHz: (sampleHz as number | undefined) ?? SAMPLE_HZ.default,
    metricsPort: (metricsPort as number | undefined) ?? 0,
    record: (record as string | undefined) ?? null,
    sessionsCsv: (sessionsCsv as string | undefined) ?? null,
  }
}

function parseExport(args: string[]): ExportCommand {
  const f = parseFlags(args, EXPORT_FLAGS, 'export')
  if (f.from === undefined) throw new UsageError('export needs --from RECORDING (a file written by serve --record or the app)')
  if (f.csv === undefined) throw new UsageError('export needs --csv FILE (where to write the CSV)')
  return { command: 'export', from: f.from as string, csv: f.csv as string }
}

function parseAttach(args: string[]): AttachCommand {
  const f = parseFlags(args, ATTACH_FLAGS, 'attach')
  if ((f.pid === undefined) === (f.name === undefined)) throw new UsageError('attach needs exactly one of --pid N or --name NAME (see `iocp-monitor probes`)')
  if (f.name !== undefined && !PROBE_NAME_RE.test(f.name as string)) throw new UsageError(`--name must be 1–63 characters of A–Z, a–z, 0–9, ".", "_", "-" (got '${f.name}')`)
  return {
    command: 'attach',
    target: f.pid !== undefined ? { pid: f.pid as number } : { name: f.name as string },
    csv: (f.csv as string | undefined) ?? null,
    sampleHz: (f.sampleHz as number | undefined) ?? SAMPLE_HZ.default,
    metricsPort: (f.metricsPort as number | undefined) ?? 0,
    record: (f.record as string | undefined) ?? null,
  }
}

function parseUi(args: string[]): UiCommand {
  const f = parseFlags(args, UI_FLAGS, 'ui')
  const host = (f.host as string | undefined) ?? '127.0.0.1'
  const v = validateEngineConfig({ host })
  if (!v.ok) throw new UsageError(`--host: ${v.errors[0]!.message}`)
  return {
    command: 'ui',
    host,
    port: (f.port as number | undefined) ?? 0,
    staticDir: (f.staticDir as string | undefined) ?? null,
    sampleHz: (f.sampleHz as number | undefined) ?? null,
    maxClients: (f.maxClients as number | undefined) ?? BRIDGE_DEFAULT_MAX_CLIENTS,
  }
}

function parseLoad(args: string[]): LoadCommand {
  const f = parseFlags(args, LOAD_FLAGS, 'load')
  const { preset, seconds, noVerify, faults, ...fields } = f
  const request: LoadRequest = { ...(preset ? LOAD_PRESETS[preset as LoadPresetName].config : {}), ...fields }
  if (seconds !== undefined) request.durationMs = Math.round((seconds as number) * 1000)
  if (noVerify !== undefined) request.expectEcho = false
  if (faults !== undefined) {
    const parsed = parseFaultList(faults as string)
    if (!parsed.ok) throw new UsageError(`--faults: ${parsed.errors[0]!.message}`)
    request.faults = parsed.value
  }
  // The CLI lets the generator choose its thread count unless --threads is given.
  const v = validateLoadConfig(request, { ...DEFAULT_LOAD_CONFIG, threads: 0 })
  if (!v.ok) {
    const e = v.errors[0]!
    throw new UsageError(`${LOAD_FLAG_FOR_FIELD[e.field.split('.')[0]!] ?? e.field}: ${e.message}`)
  }
  return { command: 'load', config: v.value }
}

export function parseCommandLine(argv: string[]): Command {
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' }
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help' }
  if (command === 'serve') return parseServe(rest)
  if (command === 'ui') return parseUi(rest)
  if (command === 'load') return parseLoad(rest)
  if (command === 'export') return parseExport(rest)
  if (command === 'attach') return parseAttach(rest)
  if (command === 'probes') {
    if (rest.length) throw new UsageError(`probes takes no options (got '${rest[0]}')`)
    return { command: 'probes' }
  }
  throw new UsageError(`unknown command '${command}' (expected serve, ui, load, attach, probes, export or help)`)
}
