// The browser-mode dashboard server with a real ws client and the real engine: token and Origin
// checks, static files, CSP, malformed-message fuzzing, and start/stop over the bridge.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { LoadStatus, ServerStatus } from '../../src-shared/api'
import type { LoadSummary } from '../../src-shared/load'
import { BRIDGE_MAX_MESSAGE_BYTES, BRIDGE_MAX_RECORDING_BYTES, BRIDGE_PATH } from '../../src-shared/bridge-protocol'
import { BRIDGE_NO_ID } from '../../src-shared/validate'
import { startDashboardServer, type DashboardServer } from '../../src-main/bridge/dashboard-server'
import { createApp, type App } from '../../src-main/app'
import { silentLogger } from '../../src-main/service/log'
import { addon } from '../addon/support/addon'
import { connectTcp, echoRoundTrip, freePort, waitFor } from '../addon/support/net'
import { BridgeTestClient as Client } from './support/bridge-client'
import { mulberry32 } from './support/prng'

function httpGet(port: number, path: string, opts: { method?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.host ? { Host: opts.host } : {} }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('dashboard server', () => {
  let app: App
  let server: DashboardServer
  let staticDir: string
  let wsUrl: string
  const clients: Client[] = []

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'iocpm-static-'))
    mkdirSync(join(staticDir, 'assets'))
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>IOCP Monitor</title><script type="module" src="./assets/app.js"></script>')
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
    app = await createApp({ store: null, addon, sampleHz: 50, applyPrometheusConfig: false, logger: silentLogger })
    server = await startDashboardServer({ service: app.service, staticDir, logger: silentLogger })
    wsUrl = `ws://127.0.0.1:${server.port}${BRIDGE_PATH}?token=${server.token}`
  })
  afterEach(() => clients.splice(0).forEach((c) => c.close()))
  afterAll(async () => {
    await server.close()
    await app.dispose()
    rmSync(staticDir, { recursive: true, force: true })
  })

  async function client(): Promise<Client> {
    const c = await Client.open(wsUrl)
    clients.push(c)
    return c
  }

  it('prints a loopback URL carrying a random 128-bit token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token).toMatch(/^[0-9a-f]{32}$/)
  })

  describe('http', () => {
    it('serves index.html only with the right token, with a strict CSP', async () => {
      const ok = await httpGet(server.port, `/?token=${server.token}`)
      expect(ok.status).toBe(200)
      expect(ok.body).toContain('IOCP Monitor')
      const csp = String(ok.headers['content-security-policy'])
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`)
      expect(csp).toContain("img-src 'self' data:")
      expect(csp).toContain("style-src 'self' 'unsafe-inline'")
      expect(csp).not.toContain('unsafe-eval')
      expect(ok.headers['referrer-policy']).toBe('no-referrer')
      expect(ok.headers['x-content-type-options']).toBe('nosniff')
      expect(ok.headers['cache-control']).toBe('no-store')
      for (const path of ['/', '/index.html', '/?token=wrong', `/?token=${server.token}x`]) {
        expect((await httpGet(server.port, path)).status).toBe(401)
      }
    })

    it('serves other assets without the token', async () => {
      const js = await httpGet(server.port, '/assets/app.js')
      expect(js.status).toBe(200)
      expect(js.headers['content-type']).toMatch(/^text\/javascript/)
      expect(js.headers['content-security-policy']).toBeDefined()
    })

    it('never serves files outside the static root', async () => {
      for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', '/%00', '/assets/%5c..%5cx', '/nope.js']) {
        expect((await httpGet(server.port, path)).status).toBe(404)
      }
    })

    it('refuses other methods and foreign Host headers (DNS rebinding)', async () => {
      expect((await httpGet(server.port, '/assets/app.js', { method: 'POST' })).status).toBe(405)
      expect((await httpGet(server.port, `/?token=${server.token}`, { host: `evil.example:${server.port}` })).status).toBe(421)
      expect((await httpGet(server.port, `/?token=${server.token}`, { host: `localhost:${server.port}` })).status).toBe(200)
    })

    it('explains a missing renderer build instead of failing obscurely', async () => {
      const s2 = await startDashboardServer({ service: app.service, staticDir: join(staticDir, 'missing'), logger: silentLogger })
      try {
        const r = await httpGet(s2.port, `/?token=${s2.token}`)
        expect(r.status).toBe(503)
        expect(r.body).toContain('npm run build')
      } finally {
        await s2.close()
      }
    })
  })

  describe('WebSocket bridge', () => {
    it.each([
      ['no token', () => `ws://127.0.0.1:${server.port}${BRIDGE_PATH}`, {}, 401],
      ['a wrong token', () => `ws://127.0.0.1:${server.port}${BRIDGE_PATH}?token=${'0'.repeat(32)}`, {}, 401],
      ['a token prefix', () => `ws://127.0.0.1:${server.port}${BRIDGE_PATH}?token=${server.token.slice(0, 31)}`, {}, 401],
      ['a foreign Origin', () => wsUrl, { Origin: 'http://evil.example' }, 403],
      ['a foreign Host', () => wsUrl, { Host: 'evil.example' }, 421],
      ['another path', () => `ws://127.0.0.1:${server.port}/other?token=${server.token}`, {}, 404],
    ])('refuses a connection with %s', async (_what, url, headers, status) => {
      await expect(Client.open(url(), headers)).rejects.toThrow(`HTTP ${status}`)
    })

    it('accepts the right token with the page’s own Origin (or none)', async () => {
      const c = await Client.open(wsUrl, { Origin: `http://127.0.0.1:${server.port}` })
      clients.push(c)
      expect((await c.call('server:status')).ok).toBe(true)
      expect((await (await client()).call('server:status')).ok).toBe(true)
    })

    it('closes a connection that sends an oversized frame (1009) and keeps serving others', async () => {
      const c = await client()
      // Over the message limit but under the frame limit (the recording upload's): an error reply.
      const big = await c.call('server:start', { host: '127.0.0.1', pad: 'x'.repeat(BRIDGE_MAX_MESSAGE_BYTES) })
      expect(big.ok === false && big.error.code).toBe('invalid-message')
      const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)))
      c.ws.send('x'.repeat(BRIDGE_MAX_RECORDING_BYTES + 1))
      expect(await closed).toBe(1009)
      expect((await (await client()).call('server:status')).ok).toBe(true)
    })

    it('answers every malformed message with an error and never crashes (fuzz)', async () => {
      const c = await client()
      const rnd = mulberry32(20261126)
      const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!
      const randomValue = (depth: number): unknown => {
        switch (Math.floor(rnd() * (depth > 2 ? 5 : 7))) {
          case 0: return Math.floor(rnd() * 2 ** 40) * (rnd() < 0.5 ? -1 : 1)
          case 1: return rnd() < 0.5 ? null : rnd() < 0.5
          case 2: return Array.from({ length: Math.floor(rnd() * 30) }, () => String.fromCharCode(Math.floor(rnd() * 0xffff))).join('')
          case 3: return pick(['server:start', '__proto__', 'constructor', '', 'metrics:tick', 'x'.repeat(300)])
          case 4: return rnd() * 1e300
          case 5: return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(depth + 1))
          default: return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [`k${Math.floor(rnd() * 1e6)}`, randomValue(depth + 1)]))
        }
      }
      const invalid: string[] = []
      const expectedIds: number[] = []
      for (let i = 0; i < 400; i++) {
        const kind = i % 5
        const id = 1000 + i
        if (kind === 0) invalid.push(JSON.stringify(randomValue(0)) ?? 'undefined') // not a request at all
        else if (kind === 1) invalid.push(String(randomValue(0)).slice(0, 200) + '{') // not JSON
        else if (kind === 2) {
          invalid.push(JSON.stringify({ id, channel: `server:${randomValue(2)}`, payload: randomValue(0) }))
          expectedIds.push(id)
        } else if (kind === 3) {
          // A real channel with a payload no channel accepts (non-empty junk object or a scalar).
          const payload = rnd() < 0.5 ? { [`junk${i}`]: randomValue(1) } : pick([7, 'x', true, [1]])
          invalid.push(JSON.stringify({ id, channel: pick(['server:start', 'server:stop', 'server:status', 'metrics:history', 'export:csv', 'errors:catalog']), payload }))
          expectedIds.push(id)
        } else invalid.push(JSON.stringify({ id: pick([-1, 1.5, '7', null]), channel: 'server:status' }))
      }
      for (const m of invalid) c.ws.send(m)
      c.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true })
      await waitFor(() => c.replies.length === invalid.length + 1, 10_000, 'a reply to every fuzz message')
      expect(c.replies.every((r) => r.result.ok === false)).toBe(true)
      expect(c.replies.every((r) => ['invalid-message', 'invalid-config', 'busy'].includes((r.result as { error: { code: string } }).error.code))).toBe(true)
      const ids = new Set(c.replies.map((r) => r.id))
      for (const id of expectedIds) expect(ids.has(id)).toBe(true)
      expect(ids.has(BRIDGE_NO_ID)).toBe(true)
      // Still alive, still stopped (no fuzz message started anything).
      const status = await c.call<ServerStatus>('server:status')
      expect(status.ok && status.value.state).toBe('stopped')
    })

    it('starts and stops the server over the bridge, broadcasting status and ticks', async () => {
      const a = await client()
      const b = await client()
      const port = await freePort()
      const started = await a.call<ServerStatus>('server:start', { port, workers: 2 })
      expect(started.ok && started.value.state).toBe('running')
      const tcp = await connectTcp(port)
      expect((await echoRoundTrip(tcp, Buffer.from('over the bridge'))).toString()).toBe('over the bridge')
      tcp.destroy()
      await waitFor(() => b.events.filter((e) => e.event === 'metrics:tick').length >= 3, 3000, 'ticks on the other client')
      const stopped = await b.call<ServerStatus>('server:stop')
      expect(stopped.ok && stopped.value.state).toBe('stopped')
      await waitFor(() => a.events.some((e) => e.event === 'server:status-changed' && (e.payload as ServerStatus).state === 'stopped'), 2000, 'stopped event')
      const states = a.events.filter((e) => e.event === 'server:status-changed').map((e) => (e.payload as ServerStatus).state)
      expect(states).toEqual(['starting', 'running', 'stopping', 'stopped'])

      const exported = await a.call<{ path: string | null; rows: number; csv: string }>('export:csv', {})
      expect(exported.ok).toBe(true)
      if (!exported.ok) return
      expect(exported.value.path).toBeNull()
      expect(exported.value.rows).toBeGreaterThan(0)
      expect(exported.value.csv.split('\n')[0]).toMatch(/^timestamp,worker,/)
      const lastAll = exported.value.csv.trim().split('\n').at(-1)!.split(',')
      expect(lastAll[1]).toBe('all')
      expect(Number(lastAll[6])).toBe('over the bridge'.length)

      const catalog = await a.call<unknown[]>('errors:catalog')
      expect(catalog.ok && catalog.value.length).toBeGreaterThan(0)
      const history = await a.call<unknown[]>('metrics:history')
      expect(history.ok && history.value.length).toBeGreaterThan(0)
    })

    it('a start error crosses the bridge as data', async () => {
      const c = await client()
      const r = await c.call('server:start', { port: 0 })
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-config', fieldErrors: [{ field: 'port' }] } })
    })

    it('runs the load generator over the bridge, broadcasting progress and the summary', async () => {
      const a = await client()
      const b = await client()
      const port = await freePort()
      expect((await a.call('server:start', { port })).ok).toBe(true)
      const started = await a.call<LoadStatus>('load:start', { connections: 4, durationMs: 400 })
      expect(started.ok && started.value.config).toMatchObject({ host: '127.0.0.1', port }) // aimed at our server
      await waitFor(() => b.events.some((e) => e.event === 'load:finished'), 5000, 'load:finished on the other client')
      const summary = b.events.find((e) => e.event === 'load:finished')!.payload as LoadSummary
      expect(summary.mismatchedBytes).toBe(0)
      expect(summary.bytesReceived).toBe(summary.bytesSent)
      expect(b.events.filter((e) => e.event === 'load:progress').length).toBeGreaterThanOrEqual(3)
      const status = await b.call<LoadStatus>('load:status')
      expect(status.ok && status.value.lastSummary).toEqual(summary)
      expect(await a.call('load:start', { port: 0 })).toMatchObject({ ok: false, error: { code: 'invalid-config', fieldErrors: [{ field: 'port' }] } })
      expect((await a.call('load:stop')).ok).toBe(true)
      expect((await a.call('server:stop')).ok).toBe(true)
    })

    it('answers a burst of requests, refusing the excess as busy rather than queueing without bound', async () => {
      const c = await client()
      const results = await Promise.all(Array.from({ length: 60 }, () => c.call('server:status')))
      expect(results).toHaveLength(60)
      for (const r of results) expect(r.ok || (r as { error: { code: string } }).error.code === 'busy').toBe(true)
    })

    it('close() disconnects clients', async () => {
      const s2 = await startDashboardServer({ service: app.service, staticDir, logger: silentLogger })
      const c = await Client.open(`ws://127.0.0.1:${s2.port}${BRIDGE_PATH}?token=${s2.token}`)
      const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)))
      await s2.close()
      expect(await closed).toBe(1001)
    })
  })
})
