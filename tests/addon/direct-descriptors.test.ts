// iouringSockets "direct": sessions held only in each worker ring's file table are not capped by the
// process's open-files limit. The engine runs in a child process whose RLIMIT_NOFILE is lowered
// with prlimit (this process keeps its own, for the clients); with ordinary descriptors it cannot
// hold more sessions than that limit, with direct descriptors it holds and echoes on more.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { release } from 'node:os'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { addonPath } from './support/addon'
import { connectTcp, echoRoundTrip, freePort } from './support/net'

const [major = 0, minor = 0] = release().split('.').map(Number)
// Direct descriptors need the ring's file table, which the engine uses on 6.13+ (before that a
// closed socket could be kept open by another session's multishot receive).
const KERNEL_OK = major > 6 || (major === 6 && minor >= 13)
const LIMIT = 128 // the server process's RLIMIT_NOFILE
const CONNECTIONS = 200 // more sessions than that limit allows descriptors

// The engine in a child process, under the lower limit; "snapshot" on stdin prints its sessions.
const HOST = `
const { Engine } = require(process.argv[1])
const e = new Engine()
e.start(JSON.parse(process.argv[2])).then((info) => {
  process.stdout.write(JSON.stringify({ features: info.features }) + '\\n')
  process.stdin.on('data', (d) => {
    if (String(d).includes('snapshot')) {
      const s = e.snapshot()
      const errors = s.workers.flatMap((w) => w.errors.map((x) => x.name))
      process.stdout.write(JSON.stringify({ sessions: s.workers.reduce((n, w) => n + w.sessions, 0), errors }) + '\\n')
    }
  })
  process.stdin.on('end', () => e.stop().then(() => process.exit(0)))
}, (err) => { process.stdout.write(JSON.stringify({ error: err.message }) + '\\n'); process.exit(1) })
`

class LimitedServer {
  private lines: string[] = []
  private waiters: ((l: string) => void)[] = []
  readonly child: ChildProcessWithoutNullStreams
  constructor(config: object) {
    this.child = spawn('prlimit', [`--nofile=${LIMIT}:${LIMIT}`, '--', process.execPath, '-e', HOST, addonPath, JSON.stringify(config)])
    let buf = ''
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        const w = this.waiters.shift()
        if (w) w(line)
        else this.lines.push(line)
      }
    })
  }
  next(): Promise<Record<string, unknown>> {
    const l = this.lines.shift()
    return l !== undefined ? Promise.resolve(JSON.parse(l)) : new Promise((r) => this.waiters.push((line) => r(JSON.parse(line))))
  }
  async snapshot(): Promise<{ sessions: number; errors: string[] }> {
    this.child.stdin.write('snapshot\n')
    return (await this.next()) as { sessions: number; errors: string[] }
  }
  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r))
    this.child.stdin.end()
    await exited
  }
}

describe.skipIf(!KERNEL_OK)('io_uring direct descriptors: sessions beyond the open-files limit', { timeout: 60_000 }, () => {
  const sockets: Socket[] = []
  const servers: LimitedServer[] = []
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.destroy())
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  async function serve(iouringSockets: 'fd' | 'direct') {
    const port = await freePort()
    const server = new LimitedServer({ host: '127.0.0.1', port, workers: 2, backend: 'iouring', iouringSockets })
    servers.push(server)
    const started = (await server.next()) as { features?: string[]; error?: string }
    expect(started.error).toBeUndefined()
    return { port, server, features: started.features! }
  }

  it(`holds and echoes on ${CONNECTIONS} sessions with RLIMIT_NOFILE ${LIMIT}`, async () => {
    const { port, server, features } = await serve('direct')
    expect(features).toContain('direct-descriptors')
    for (let i = 0; i < CONNECTIONS; i++) sockets.push(await connectTcp(port))
    // Every one echoes, byte-exact, each with its own bytes.
    await Promise.all(
      sockets.map(async (s, i) => {
        const payload = Buffer.from(`session ${i} `.repeat(10))
        expect((await echoRoundTrip(s, payload)).equals(payload)).toBe(true)
      }),
    )
    const snap = await server.snapshot()
    expect(snap.sessions).toBe(CONNECTIONS)
    expect(snap.errors).toEqual([])
    // And they all end: the clients close, the server's sessions go back to 0.
    sockets.splice(0).forEach((s) => s.end())
    await waitForAsync(async () => (await server.snapshot()).sessions === 0, 10_000, 'sessions back to 0')
  })

  it('with ordinary descriptors the same limit caps the sessions (the contrast)', async () => {
    const { port, server, features } = await serve('fd')
    expect(features).not.toContain('direct-descriptors')
    for (let i = 0; i < CONNECTIONS; i++) sockets.push(await connectTcp(port)) // the kernel completes them; accepting is the server's part
    await waitForAsync(async () => (await server.snapshot()).errors.length > 0, 10_000, 'the server to run out of descriptors')
    const snap = await server.snapshot()
    expect(snap.sessions).toBeLessThan(LIMIT)
    expect(snap.errors).toContain('too-many-open-files')
  })
})

async function waitForAsync(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
