// The probe's example servers (examples/), started the way a user starts them, for the attach
// tests (vitest and Playwright): the Linux epoll example natively, the Windows IOCP example under
// Wine in the same prefix as the Windows product (bin/wine/wine-process.mjs), so that a monitor
// running on Windows Node finds its named mapping. Each gets a probe name of its own.
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'

const ROOT = resolve(__dirname, '../..')

interface ExamplesBuild {
  buildEpollExample(opts?: { log?: (line: string) => void }): { epoll: string; epollNoProbe: string }
  buildSeedExample(opts?: { log?: (line: string) => void }): string | null
}
interface WineProcess {
  spawnWindowsProgram(
    exe: string,
    args: string[],
    opts: { onStdout?: (line: string) => void; onStderr?: (line: string) => void },
  ): { pid: number; interrupt(): void; kill(): void; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }
  ensurePrefix(opts?: { log?: (s: string) => void }): string
}

export type ExampleKind = 'epoll' | 'seed'

export interface ExampleServer {
  kind: ExampleKind
  name: string
  port: number
  /** Asks for a clean stop (SIGTERM natively, Ctrl-C under Wine): the probe is closed. */
  stop(): void
  /** Kills it without a chance to close its probe (SIGKILL). */
  kill(): void
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  output(): string
}

const quiet = { log: () => undefined }
const importRoot = <T>(rel: string): Promise<T> => import(join(ROOT, rel)) as Promise<T>

/** Where the example runs: natively on Linux, or under Wine for the Windows product. */
export function exampleFor(host: 'linux' | 'wine'): ExampleKind {
  return host === 'wine' ? 'seed' : 'epoll'
}

let seq = 0
export function uniqueProbeName(prefix: string): string {
  return `${prefix}-${process.pid}-${++seq}`
}

/** Builds (if needed) and starts one example on a free port; resolves once it listens. */
export async function startExample(kind: ExampleKind, opts: { workers?: number; name?: string; timeoutMs?: number } = {}): Promise<ExampleServer> {
  const name = opts.name ?? uniqueProbeName(kind)
  const args = ['--port', '0', '--workers', String(opts.workers ?? 2), '--name', name]
  const build = await importRoot<ExamplesBuild>('examples/build.mjs')
  let out = ''
  let handle: Pick<ExampleServer, 'stop' | 'kill' | 'exit'>
  if (kind === 'epoll') {
    const child = spawn(build.buildEpollExample(quiet).epoll, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
    handle = {
      stop: () => child.kill('SIGTERM'),
      kill: () => child.kill('SIGKILL'),
      exit: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))),
    }
  } else {
    const exe = build.buildSeedExample(quiet)
    if (!exe) throw new Error('the Windows example needs mingw-w64 (apt-get install -y g++-mingw-w64-x86-64)')
    const wine = await importRoot<WineProcess>('bin/wine/wine-process.mjs')
    wine.ensurePrefix(quiet)
    const line = (l: string) => (out += l.replace(/\r$/, '') + '\n')
    const p = wine.spawnWindowsProgram(exe, args, { onStdout: line, onStderr: line })
    // Windows has no SIGTERM: Wine turns SIGINT into the Ctrl-C the example handles.
    handle = { stop: () => p.interrupt(), kill: () => p.kill(), exit: p.exited }
  }
  let exited = false
  void handle.exit.then(() => (exited = true))
  const deadline = Date.now() + (opts.timeoutMs ?? (kind === 'seed' ? 60_000 : 10_000))
  for (;;) {
    const m = /^listening 127\.0\.0\.1:(\d+)$/m.exec(out)
    if (m) return { kind, name, port: Number(m[1]), ...handle, output: () => out }
    if (exited) throw new Error(`the ${kind} example exited before listening:\n${out}`)
    if (Date.now() > deadline) {
      handle.kill()
      throw new Error(`the ${kind} example did not listen in time:\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
}
