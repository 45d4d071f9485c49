// The session table through the service, as the dashboard asks for it, over real sockets: the
// slow reader first by send queue, the flooder first by bytes/s, exact addresses and bytes, and
// sessions:close making the client see FIN (graceful) or RST (abortive). Once with each way the
// io_uring backend can hold a socket: with direct descriptors the names come from the accept and
// the FIN, the RST and the close go through the ring.
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src-shared/result'
import type { SessionCloseResult, SessionTable } from '../../src-shared/sessions'
import { createApp, type App } from '../../src-main/app'
import { silentLogger } from '../../src-main/service/log'
import { addon } from './support/addon'
import { connectTcp, echoRoundTrip, freePort, waitFor } from './support/net'

for (const iouringSockets of ['fd', 'direct'] as const) {
  describe(`sessions:table and sessions:close (iouringSockets ${iouringSockets})`, { timeout: 60_000 }, () => {
    const apps: App[] = []
    const sockets: Socket[] = []
    afterEach(async () => {
      sockets.splice(0).forEach((s) => s.destroy())
      await Promise.all(apps.splice(0).map((a) => a.dispose()))
    })

    async function running() {
      const app = await createApp({ store: null, addon, sampleHz: 10, applyPrometheusConfig: false, logger: silentLogger })
      apps.push(app)
      const port = await freePort()
      const started = await app.server.start({ port, workers: 2, sendQueueLimit: 256 * 1024, iouringSockets })
      expect(started.ok).toBe(true)
      const client = async () => {
        const s = await connectTcp(port)
        sockets.push(s)
        return s
      }
      const table = async (q: object) => {
        const r = (await app.service.invoke('sessions:table', q)) as Result<SessionTable>
        if (!r.ok) throw new Error(r.error.message)
        return r.value
      }
      return { app, port, client, table }
    }

    /** Asks again (past the 500 ms of the same query) until `done`; 20 s at most. */
    async function until(table: (q: object) => Promise<SessionTable>, q: object, done: (t: SessionTable) => boolean): Promise<SessionTable> {
      for (let i = 0; ; i++) {
        const t = await table(q)
        if (done(t)) return t
        if (i > 36) throw new Error(`no such table within 20 s; last: ${JSON.stringify(t).slice(0, 400)}`)
        await new Promise((r) => setTimeout(r, 550))
      }
    }

    const rowOf = (t: SessionTable, s: Socket) => t.rows.find((r) => r.remote === `127.0.0.1:${s.localPort}`)

    it('finds the slow reader by send queue and the flooder by bytes/s, with exact addresses and bytes', async () => {
      const { port, client, table } = await running()
      const steady = await client()
      await echoRoundTrip(steady, Buffer.alloc(100_000, 7))
      const idle = await client()
      // A slow reader: writes, never reads; its echoes pile up in the server's send queue.
      const slow = await client()
      slow.pause()
      // The kernel's socket buffers (several MB on loopback) fill first; then the server's queue.
      const chunk = Buffer.alloc(1024 * 1024, 1)
      const top = await until(table, { key: 'sendQueue' }, (t) => {
        slow.write(chunk)
        return t.live === 3 && t.rows[0]?.remote === `127.0.0.1:${slow.localPort}` && t.rows[0].sendQueue > 0
      })
      expect(top.rows[0]!.remote).toBe(`127.0.0.1:${slow.localPort}`)
      expect(top.rows[0]!.sendQueue).toBeGreaterThan(0)
      expect(top.sendQueueLimit).toBe(256 * 1024)
      expect(top.live).toBe(3)

      const s = rowOf(top, steady)!
      expect(s).toMatchObject({ local: `127.0.0.1:${port}`, bytesIn: 100_000, bytesOut: 100_000, sendQueue: 0, state: 'open', errors: 0, lastError: null })
      expect(rowOf(top, idle)).toMatchObject({ bytesIn: 0, bytesOut: 0 })

      // The flooder: the most bytes per second between two tables. First the slow reader must be
      // held back (its bytes in stop growing), or its writes still filling the socket buffers compete.
      let lastIn = -1
      await until(table, { key: 'age' }, (t) => {
        const inNow = rowOf(t, slow)?.bytesIn ?? -2
        const same = inNow === lastIn
        lastIn = inNow
        return same
      })
      await table({ key: 'bytesPerS', limit: 1 })
      await echoRoundTrip(steady, Buffer.alloc(2 * 1024 * 1024, 9))
      await new Promise((r) => setTimeout(r, 550))
      const flood = await table({ key: 'bytesPerS', limit: 1 })
      expect(flood.rows).toHaveLength(1)
      expect(flood.rows[0]!.remote).toBe(`127.0.0.1:${steady.localPort}`)
      expect(flood.matched).toBe(3)

      // Filters.
      expect((await table({ key: 'age', addressPrefix: `127.0.0.1:${idle.localPort}` })).matched).toBe(1)
      expect((await table({ key: 'age', addressPrefix: '10.' })).matched).toBe(0)
    })

    it('asks the engine at most every 500 ms for the same query', async () => {
      const { client, table } = await running()
      await client()
      const a = await table({ key: 'age' })
      const b = await table({ key: 'age' })
      expect(b.monoNs).toBe(a.monoNs)
      const c = await table({ key: 'errors' })
      expect(c.monoNs).not.toBe(a.monoNs)
    })

    it('closes a session gracefully (the client reads EOF) or abortively (the client sees RST)', async () => {
      const { app, client, table } = await running()
      const graceful = await client()
      const reset = await client()
      await echoRoundTrip(graceful, Buffer.from('hello'))
      const t = await until(table, { key: 'age' }, (x) => x.live === 2)
      const gracefulId = rowOf(t, graceful)!.id
      const resetId = rowOf(t, reset)!.id
      const close = (id: number, abortive: boolean) => app.service.invoke('sessions:close', { id, abortive }) as Promise<Result<SessionCloseResult>>

      const ended = new Promise<string>((resolve) => {
        graceful.on('end', () => resolve('end'))
        graceful.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'))
      })
      graceful.resume()
      expect(await close(gracefulId, false)).toEqual({ ok: true, value: { id: gracefulId, abortive: false } })
      expect(await ended).toBe('end')

      const failed = new Promise<string>((resolve) => {
        reset.on('end', () => resolve('end'))
        reset.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'))
      })
      reset.resume()
      expect((await close(resetId, true)).ok).toBe(true)
      expect(await failed).toBe('ECONNRESET')

      const again = await close(resetId, true)
      expect(again.ok).toBe(false)
      if (!again.ok) expect(again.error.code).toBe('not-found')
      await app.server.stop()
      const stopped = await close(1, false)
      expect(stopped.ok).toBe(false)
      if (!stopped.ok) expect(stopped.error.code).toBe('not-running')
      expect((await table({ key: 'sendQueue' })).live).toBe(0)
    })
  })
}
