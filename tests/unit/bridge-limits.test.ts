// The bridge's limits, over real sockets with a real ws client: a message over 64 KiB is refused
// from its size before it is parsed (on every channel but the recording upload, which keeps its
// 32 MiB), logged once; and the number of dashboard clients is capped, the one too many being
// closed with a reason while the others keep working.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BRIDGE_CLOSE_TOO_MANY_CLIENTS, BRIDGE_DEFAULT_MAX_CLIENTS, BRIDGE_MAX_MESSAGE_BYTES, BRIDGE_PATH } from '../../src-shared/bridge-protocol'
import type { OpenedRecording } from '../../src-shared/features'
import { RECORDING_FORMAT } from '../../src-shared/recording-format'
import { createApp, type App } from '../../src-main/app'
import { startDashboardServer, type DashboardServer } from '../../src-main/bridge/dashboard-server'
import type { Logger } from '../../src-main/service/log'
import { waitFor } from '../addon/support/net'
import { BridgeTestClient } from './support/bridge-client'
import { synthTick } from './support/synth-tick'
import { tempDir } from './support/temp-dir'

/** A Logger that keeps what it was told (the bridge's real OnceLogger sits in front of it). */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { warnings, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) }
}

const tmp = tempDir('iocpm-bridge-limits-')

/** How the server closed the client, or null when it is still open after `ms`. */
function closedWithin(c: BridgeTestClient, ms = 2000): Promise<{ code: number; reason: string } | null> {
  return Promise.race([c.closed, new Promise<null>((r) => setTimeout(() => r(null), ms))])
}

describe('bridge limits', () => {
  let app: App
  const servers: DashboardServer[] = []
  const clients: BridgeTestClient[] = []

  beforeAll(async () => {
    app = await createApp({ store: null, sampleHz: 50, applyPrometheusConfig: false, logger: recordingLogger() })
  })
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close())
    for (const s of servers.splice(0)) await s.close()
  })
  afterAll(async () => {
    await app.dispose()
  })

  async function serve(opts: { maxClients?: number } = {}) {
    const logger = recordingLogger()
    const server = await startDashboardServer({ service: app.service, staticDir: tmp(), logger, ...opts })
    servers.push(server)
    const url = `ws://127.0.0.1:${server.port}${BRIDGE_PATH}?token=${server.token}`
    const connect = async () => {
      const c = await BridgeTestClient.open(url)
      clients.push(c)
      return c
    }
    return { server, logger, connect }
  }

  describe('message size', () => {
    it('refuses a frame over 64 KiB from its size alone, before parsing it, echoing its id', async () => {
      const { connect } = await serve()
      const c = await connect()
      // Not JSON at all past its head: parsing it would answer "not valid JSON" with no id.
      c.ws.send(`{"id":41,"channel":"server:status","payload":"${'x'.repeat(BRIDGE_MAX_MESSAGE_BYTES)}`)
      await waitFor(() => c.replies.some((r) => r.id === 41), 5000, 'the refusal of message 41')
      const reply = c.replies.find((r) => r.id === 41)!
      expect(reply.result).toMatchObject({ ok: false, error: { code: 'invalid-message', message: expect.stringContaining(`at most ${BRIDGE_MAX_MESSAGE_BYTES} bytes`) } })
      // A frame whose head names no id is refused too, with the no-id reply.
      c.ws.send(' '.repeat(BRIDGE_MAX_MESSAGE_BYTES + 1))
      await waitFor(() => c.replies.length === 2, 5000, 'the second refusal')
      expect(c.replies[1]).toMatchObject({ id: -1, result: { ok: false, error: { message: expect.stringContaining('at most') } } })
      // The connection is still served.
      expect((await c.call('server:status')).ok).toBe(true)
    })

    it('refuses every channel but the upload over the limit; exactly the limit is fine', async () => {
      const { connect } = await serve()
      const c = await connect()
      // {"id":1,"channel":"server:status","payload":{"pad":"…"}} padded to exactly the limit: parsed (and refused by the payload check).
      const overhead = JSON.stringify({ id: 1, channel: 'server:status', payload: { pad: '' } }).length
      const atLimit = await c.call('server:status', { pad: 'y'.repeat(BRIDGE_MAX_MESSAGE_BYTES - overhead) })
      expect(atLimit.ok === false && atLimit.error.message).not.toContain('at most')
      for (const channel of ['server:start', 'config:set', 'alerts:set', 'replay:start']) {
        const r = await c.call(channel, { pad: 'y'.repeat(BRIDGE_MAX_MESSAGE_BYTES) })
        expect(r).toMatchObject({ ok: false, error: { code: 'invalid-message', message: expect.stringContaining(`at most ${BRIDGE_MAX_MESSAGE_BYTES} bytes`) } })
      }
      // A head that names recording:open but a later duplicate key another channel: the parsed channel decides.
      c.ws.send(`{"id":77,"channel":"recording:open","payload":{"text":"${'z'.repeat(BRIDGE_MAX_MESSAGE_BYTES)}"},"channel":"server:start"}`)
      await waitFor(() => c.replies.some((r) => r.id === 77), 5000, 'the refusal of message 77')
      expect(c.replies.find((r) => r.id === 77)!.result).toMatchObject({ ok: false, error: { code: 'invalid-message', message: expect.stringContaining('server:start') } })
    })

    it('still accepts a recording upload larger than 64 KiB', async () => {
      const { connect } = await serve()
      const c = await connect()
      const header = JSON.stringify({ format: RECORDING_FORMAT, version: 1, startedAt: 1, config: null, info: null })
      const lines = [header, ...Array.from({ length: 200 }, (_, i) => JSON.stringify(synthTick(i, 1000 + 100 * i)))]
      const text = lines.join('\n') + '\n'
      expect(text.length).toBeGreaterThan(BRIDGE_MAX_MESSAGE_BYTES)
      const r = await c.call<OpenedRecording>('recording:open', { text })
      expect(r.ok && r.value.summary.ticks).toBe(200)
    })

    it('logs a refused frame once, however many arrive, and never stops serving', async () => {
      const { connect, logger } = await serve()
      const c = await connect()
      for (let i = 0; i < 5; i++) c.ws.send(JSON.stringify({ id: 100 + i, channel: 'server:status', payload: 'p'.repeat(BRIDGE_MAX_MESSAGE_BYTES) }))
      await waitFor(() => c.replies.length === 5, 5000, 'five refusals')
      expect(logger.warnings.filter((w) => w.includes('larger than'))).toHaveLength(1)
      expect((await c.call('server:status')).ok).toBe(true)
    })
  })

  describe('client cap', () => {
    it(`serves ${BRIDGE_DEFAULT_MAX_CLIENTS} clients by default`, async () => {
      const { connect } = await serve()
      const all = await Promise.all(Array.from({ length: BRIDGE_DEFAULT_MAX_CLIENTS }, () => connect()))
      for (const c of all) expect((await c.call('server:status')).ok).toBe(true)
      const extra = await connect()
      expect((await closedWithin(extra))?.code).toBe(BRIDGE_CLOSE_TOO_MANY_CLIENTS)
    })

    it('closes client N+1 with a reason; the others keep working, and a freed slot is reused', async () => {
      const { connect, logger } = await serve({ maxClients: 2 })
      const a = await connect()
      const b = await connect()
      const third = await connect()
      const closed = await closedWithin(third)
      expect(closed?.code).toBe(BRIDGE_CLOSE_TOO_MANY_CLIENTS)
      expect(closed?.reason).toMatch(/too many dashboard connections \(at most 2\)/)
      expect(logger.warnings.filter((w) => w.includes('refused a client'))).toHaveLength(1)
      expect((await a.call('server:status')).ok).toBe(true)
      expect((await b.call('server:status')).ok).toBe(true)
      // The refused one never counted; once a client leaves, a new one gets its place.
      a.close()
      await a.closed
      let served = false
      for (let attempt = 0; attempt < 50 && !served; attempt++) {
        // The server forgets a client when its socket has closed, a moment after the client sees it.
        const c = await connect()
        const r = await Promise.race([c.call('server:status'), c.closed.then(() => null)])
        served = r !== null && r.ok
        if (!served) await new Promise((res) => setTimeout(res, 20))
      }
      expect(served).toBe(true)
    })

    it('refuses a nonsensical cap', async () => {
      await expect(startDashboardServer({ service: app.service, staticDir: tmp(), maxClients: 0 })).rejects.toThrow(/maxClients/)
    })
  })
})
