// The probe's Linux example (examples/epoll-echo-server) built by examples/build.mjs and served
// under a real load from the project's generator (`iocp-monitor load`): every byte echoed, the
// probe's counters equal to what the generator moved, and a clean exit that removes the segment.
// (The Windows example is checked by hand under Wine: see examples/seed-echo-server/README.md.)
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LoadSummary } from '../../src-shared/load'
import { ROOT, run, waitForLine, type Run } from './support/cli-process'

interface ExamplesBuild {
  buildEpollExample(opts?: { log?: (line: string) => void }): { epoll: string; epollNoProbe: string }
}
const { buildEpollExample } = (await import(join(ROOT, 'examples/build.mjs'))) as ExamplesBuild
const built = buildEpollExample({ log: () => undefined })

/** The probe segment's fields this test checks (layout v1 of native/probe/iocpm_probe.h). */
function readProbe(pid: number) {
  const b = readFileSync(`/dev/shm/iocpm-${pid}`)
  const u64 = (o: number) => Number(b.readBigUInt64LE(o))
  const workers = b.readUInt32LE(20)
  const perWorker = Array.from({ length: workers }, (_, w) => {
    const o = 256 + 512 * w
    return {
      completions: u64(o), recvOps: u64(o + 8), recvBytes: u64(o + 16), sendOps: u64(o + 24), sendBytes: u64(o + 32),
      opened: u64(o + 40), closed: u64(o + 48), errors: u64(o + 56), inflight: b.readUInt32LE(o + 80), queueDepth: b.readUInt32LE(o + 84),
    }
  })
  const sum = (k: keyof (typeof perWorker)[number]) => perWorker.reduce((n, w) => n + w[k], 0)
  return {
    magicOk: b.readBigUInt64LE(0) === 0x4252504d50434f49n,
    name: b.toString('utf8', 48, 112).replace(/\0.*$/s, ''),
    state: b.readUInt32LE(116),
    port: b.readUInt32LE(120),
    workers,
    sum,
  }
}

function startServer(binary: string, args: string[]) {
  const child = spawn(binary, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })))
  const server: Run = { child, stdout: () => out, stderr: () => err, exit }
  return server
}

async function loadRun(port: number, conns: number, seconds: number): Promise<LoadSummary> {
  const load = run(['load', '--port', String(port), '--conns', String(conns), '--size', '128', '--seconds', String(seconds)])
  expect((await load.exit).code, load.stderr()).toBe(0)
  return JSON.parse(load.stdout().trim().split('\n').at(-1)!) as LoadSummary
}

describe('examples/epoll-echo-server', () => {
  it('echoes a real load exactly, its probe counts what the generator moved, and SIGTERM exits 0 removing /dev/shm/iocpm-<pid>', async () => {
    const server = startServer(built.epoll, ['--workers', '2', '--name', 'vitest-echo'])
    try {
      const port = Number((await waitForLine(server, /^listening 127\.0\.0\.1:(\d+)$/m, 5000))[1])
      const pid = server.child.pid!
      const before = readProbe(pid)
      expect(before).toMatchObject({ magicOk: true, name: 'vitest-echo', state: 1, port, workers: 2 })

      const s = await loadRun(port, 20, 1.5)
      expect(s).toMatchObject({ connectsOk: 20, connectsFailed: 0, mismatchedBytes: 0 })
      expect(s.msgsEchoed).toBeGreaterThan(1000)
      expect(s.bytesReceived).toBe(s.bytesSent)

      // The generator has closed its connections; give the server a moment to see the FINs.
      await new Promise((r) => setTimeout(r, 300))
      const p = readProbe(pid)
      expect(p.sum('recvBytes')).toBe(s.bytesSent)
      expect(p.sum('sendBytes')).toBe(s.bytesReceived)
      expect(p.sum('recvOps')).toBeGreaterThan(0)
      expect(p.sum('completions')).toBeGreaterThanOrEqual(p.sum('recvOps'))
      expect(p.sum('opened')).toBe(p.sum('closed'))
      expect(p.sum('opened')).toBeGreaterThanOrEqual(20)
      expect(p.sum('errors')).toBe(0)
      expect(p.sum('inflight')).toBe(0)
      expect(p.sum('queueDepth')).toBe(0)

      server.child.kill('SIGTERM')
      expect(await server.exit).toEqual({ code: 0, signal: null })
      expect(existsSync(`/dev/shm/iocpm-${pid}`)).toBe(false)
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL')
    }
  })

  it('the -DIOCPM_NO_PROBE build echoes the same, publishes no segment, and SIGINT exits 0', async () => {
    const server = startServer(built.epollNoProbe, ['--workers', '1'])
    try {
      const port = Number((await waitForLine(server, /^listening 127\.0\.0\.1:(\d+)$/m, 5000))[1])
      expect(existsSync(`/dev/shm/iocpm-${server.child.pid}`)).toBe(false)
      const s = await loadRun(port, 10, 1)
      expect(s).toMatchObject({ connectsOk: 10, mismatchedBytes: 0 })
      expect(s.bytesReceived).toBe(s.bytesSent)
      server.child.kill('SIGINT')
      expect(await server.exit).toEqual({ code: 0, signal: null })
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL')
    }
  })

  it('refuses a bad flag with exit code 2 and the usage on stderr', async () => {
    const server = startServer(built.epoll, ['--workers', '0'])
    expect((await server.exit).code).toBe(2)
    expect(server.stderr()).toMatch(/^usage: epoll-echo-server /m)
  })
})
