// The real command as a user runs it (node bin/iocp-monitor.cjs …), captured for assertions.
// dist-cli/ is compiled from the current sources by tests/unit/global-setup.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { join, resolve } from 'node:path'

export const ROOT = resolve(__dirname, '../../..')
export const BIN = join(ROOT, 'bin', 'iocp-monitor.cjs')

export interface Run {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export function run(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })))
  return { child, stdout: () => out, stderr: () => err, exit }
}

/** Waits until stdout matches `pattern` (failing early, with both streams, if the process exits). */
export async function waitForLine(r: Run, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const m = r.stdout().match(pattern)
    if (m) return m
    if (r.child.exitCode !== null) throw new Error(`exited ${r.child.exitCode} before printing ${pattern}\nstdout: ${r.stdout()}\nstderr: ${r.stderr()}`)
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${r.stdout()}\nstderr: ${r.stderr()}`)
    await new Promise((res) => setTimeout(res, 20))
  }
}
