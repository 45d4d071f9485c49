// Command-line parsing for iocp-monitor. Hand-rolled rather than util.parseArgs so every error
// names the flag and the accepted values in one consistent sentence (exit code 2).
import { BACKENDS, CLOSE_MODES, DEFAULT_ENGINE_CONFIG, LIMITS, WORKLOADS, validateEngineConfig, type EngineConfig } from '../../src-shared/engine-config'
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
}

export interface UiCommand {
  command: 'ui'
  host: string
  port: number
  staticDir: string | null
  sampleHz: number
}

export type Command = ServeCommand | UiCommand | { command: 'help' }

type FlagKind = { kind: 'string' } | { kind: 'int'; min: number; max: number } | { kind: 'number'; min: number; max: number } | { kind: 'enum'; choices: readonly string[] }

interface FlagSpec {
  /** Key in the parsed result. */
  key: string
  type: FlagKind
}

const SAMPLE_HZ_FLAG: FlagSpec = { key: 'sampleHz', type: { kind: 'number', min: SAMPLE_HZ.min, max: SAMPLE_HZ.max } }

const SERVE_FLAGS: Record<string, FlagSpec> = {
  '--host': { key: 'host', type: { kind: 'string' } },
  '--port': { key: 'port', type: { kind: 'int', ...LIMITS.port } },
  '--threads': { key: 'workers', type: { kind: 'int', ...LIMITS.workers } },
  '--workers': { key: 'workers', type: { kind: 'int', ...LIMITS.workers } },
  '--backend': { key: 'backend', type: { kind: 'enum', choices: BACKENDS } },
  '--workload': { key: 'workload', type: { kind: 'enum', choices: WORKLOADS } },
  '--close-mode': { key: 'closeMode', type: { kind: 'enum', choices: CLOSE_MODES } },
  '--csv': { key: 'csv', type: { kind: 'string' } },
  '--sample-hz': SAMPLE_HZ_FLAG,
}

const UI_FLAGS: Record<string, FlagSpec> = {
  '--host': { key: 'host', type: { kind: 'string' } },
  '--port': { key: 'port', type: { kind: 'int', min: 0, max: 65535 } },
  '--static': { key: 'staticDir', type: { kind: 'string' } },
  '--sample-hz': SAMPLE_HZ_FLAG,
}

/** Config field → the flag a user typed, for error messages. */
const FLAG_FOR_FIELD: Record<string, string> = { host: '--host', port: '--port', workers: '--threads', backend: '--backend', workload: '--workload', closeMode: '--close-mode' }

export const USAGE = `Usage:
  iocp-monitor serve [--host 127.0.0.1] [--port 9000] [--threads 2] [--backend auto|iouring|epoll]
                     [--workload echo|discard|chat] [--close-mode graceful|abortive]
                     [--csv FILE] [--sample-hz 10]
      Runs the TCP server headless. Prints "listening HOST:PORT" when ready; SIGINT/SIGTERM stop
      it (exit 0). --csv writes the sampled metrics to FILE when it stops. --workers = --threads.
  iocp-monitor ui [--host 127.0.0.1] [--port 0] [--static DIR] [--sample-hz 10]
      Serves the dashboard on loopback and prints "dashboard http://HOST:PORT/?token=…".
  iocp-monitor help`

function parseValue(flag: string, spec: FlagSpec, raw: string): string | number {
  const t = spec.type
  switch (t.kind) {
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
    if (arg !== flag) raw = arg.slice(eq + 1)
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
  const { csv, sampleHz, ...fields } = f
  const v = validateEngineConfig({ ...DEFAULT_ENGINE_CONFIG, ...fields })
  if (!v.ok) {
    const e = v.errors[0]!
    throw new UsageError(`${FLAG_FOR_FIELD[e.field] ?? e.field}: ${e.message}`)
  }
  return { command: 'serve', config: v.value, csv: (csv as string | undefined) ?? null, sampleHz: (sampleHz as number | undefined) ?? SAMPLE_HZ.default }
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
    sampleHz: (f.sampleHz as number | undefined) ?? SAMPLE_HZ.default,
  }
}

export function parseCommandLine(argv: string[]): Command {
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' }
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help' }
  if (command === 'serve') return parseServe(rest)
  if (command === 'ui') return parseUi(rest)
  throw new UsageError(`unknown command '${command}' (expected serve, ui or help)`)
}
