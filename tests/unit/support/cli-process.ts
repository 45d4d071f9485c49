// The real command as a user runs it (node bin/iocp-monitor.cjs …), captured for assertions.
// dist-cli/ is compiled from the current sources by tests/unit/global-setup.ts.
//
// The same tests also run the command on Windows: with IOCPM_CLI_HOST=wine (vitest.wine.config.ts)
// `run` starts it through `npm run wine`'s script — the compiled CLI on the official Windows Node
// under Wine, with the Windows addon on real completion ports — so every CLI scenario is proven
// on both platforms from one test file. A test may also pick the host per process (a Linux load
// generator against a Windows server and the reverse).
import { spawn, type ChildProcess } from 'node:child_process'
import { get } from 'node:http'
import { join, resolve } from 'node:path'
import { afterEach } from 'vitest'

export const ROOT = resolve(__dirname, '../../..')
export const BIN = join(ROOT, 'bin', 'iocp-monitor.cjs')
export const WINE_BIN = join(ROOT, 'bin', 'wine', 'iocp-monitor-wine.mjs')

export type CliHost = 'linux' | 'wine'
/** The host these tests run the command on (see above). */
export const CLI_HOST: CliHost = process.env['IOCPM_CLI_HOST'] === 'wine' ? 'wine' : 'linux'

/** What legitimately differs between the hosts; everything else must be printed identically. */
export const HOST_TRAITS: Record<CliHost, { backendLine: RegExp; explicitBackend: string; stopSignal: (sent: NodeJS.Signals) => NodeJS.Signals }> = {
  linux: { backendLine: /^backend (iouring|epoll), /m, explicitBackend: 'epoll', stopSignal: (sent) => sent },
  // Windows has only Ctrl-C: the wine runner delivers SIGINT and SIGTERM alike as SIGINT.
  wine: { backendLine: /^backend iocp, /m, explicitBackend: 'iocp', stopSignal: () => 'SIGINT' },
}
export const TRAITS = HOST_TRAITS[CLI_HOST]

/** Hosts to run a two-process scenario on: both Linux, or each side once on Windows. */
export const HOST_PAIRS: Array<[CliHost, CliHost]> = CLI_HOST === 'wine' ? [['wine', 'linux'], ['linux', 'wine']] : [['linux', 'linux']]

export interface Run {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves once the process has exited and both of its streams have been read to the end. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

// Commands still running when a test ends (it failed before stopping them) are stopped, so a
// failed assertion never leaves a server behind for the rest of the run. SIGTERM, not SIGKILL:
// the Wine runner forwards it to the Windows process as Ctrl-C.
const running = new Set<ChildProcess>()
afterEach(() => {
  for (const c of running) c.kill('SIGTERM')
  running.clear()
})

export function run(args: string[], { host = CLI_HOST, env = process.env }: { host?: CliHost; env?: NodeJS.ProcessEnv } = {}): Run {
  const child = spawn(process.execPath, [host === 'wine' ? WINE_BIN : BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  // 'close', not 'exit': 'exit' can come before the last output still waiting in the pipes has
  // been read, and a test that reads stdout()/stderr() after `await exit` must see all of it.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('close', (code, signal) => r({ code, signal })))
  return { child, stdout: () => out, stderr: () => err, exit }
}

/**
 * Waits until `pattern` appears on one of the command's streams (failing early, with both
 * streams, if the process ends without printing it). The order of lines across the two streams
 * is not kept: they reach us through two pipes (under Wine, relayed from two separate files), so
 * a line printed to stderr before a stdout line may arrive after it. To check a stderr line
 * printed before the stdout line waited for (e.g. "backend …" before "listening …"), wait for it
 * on stderr too.
 */
export async function waitForLine(r: Run, pattern: RegExp, timeoutMs = 15_000, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const m = r[stream]().match(pattern)
    if (m) return m
    if (r.child.exitCode !== null || r.child.signalCode !== null) {
      // Exited: what it printed last may still be in the pipes; decide once they are read.
      await r.exit
      const last = r[stream]().match(pattern)
      if (last) return last
      throw new Error(`exited ${r.child.exitCode ?? r.child.signalCode} before printing ${pattern}\nstdout: ${r.stdout()}\nstderr: ${r.stderr()}`)
    }
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${r.stdout()}\nstderr: ${r.stderr()}`)
    await new Promise((res) => setTimeout(res, 20))
  }
}

/** GET a page (the Prometheus endpoint) as text. */
export function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve(body))
    }).on('error', reject)
  })
}
