// The server feature over the real addon, behind the app's router: sampling follows the server's
// life, exports see the final totals, every channel validates its payload and answers with a Result.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerStatus } from '../../src-shared/api'
import type { MetricsTick } from '../../src-shared/metrics'
import { INVOKE_CHANNELS } from '../../src-shared/validate'
import { createApp, type App } from '../../src-main/app'
import type { Logger } from '../../src-main/service/log'
import { addon } from '../addon/support/addon'
import { connectTcp, echoRoundTrip, freePort, waitFor } from '../addon/support/net'

function capturingLogger() {
  const lines: string[] = []
  const logger: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) }
  return { lines, logger }
}

describe('the server feature', () => {
  const apps: App[] = []
  async function service(opts: { sampleHz?: number; historyCapacity?: number } = {}) {
    const { lines, logger } = capturingLogger()
    const app = await createApp({ store: null, addon, logger, sampleHz: 50, applyPrometheusConfig: false, ...opts })
    apps.push(app)
    return { s: app.server, app, lines }
  }
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.dispose()))
  })

  it('samples while running and records a final tick with the final totals after stop', async () => {
    const { s, app } = await service()
    const ticks: MetricsTick[] = []
    const statuses: ServerStatus[] = []
    app.service.on('metrics:tick', (t) => ticks.push(t))
    app.service.on('server:status-changed', (st) => statuses.push(st))
    const port = await freePort()
    expect((await s.start({ port, workers: 2 })).ok).toBe(true)
    expect(ticks.length).toBeGreaterThanOrEqual(1) // the baseline sample at start

    const sock = await connectTcp(port)
    let sent = 0
    for (let i = 0; i < 20; i++) {
      const payload = Buffer.alloc(1000 + i, i)
      sent += payload.length
      await echoRoundTrip(sock, payload)
    }
    await waitFor(() => (ticks.at(-1)?.total.bytesInTotal ?? 0) === sent, 3000, 'a tick with all bytes')
    sock.destroy()
    const before = ticks.length
    expect((await s.stop()).ok).toBe(true)
    expect(ticks.length).toBe(before + 1)
    const final = ticks.at(-1)!
    expect(final.total.bytesInTotal).toBe(sent)
    expect(final.total.bytesOutTotal).toBe(sent)
    expect(final.workers).toHaveLength(2)
    expect(final.workers[0]!.bytesInTotal + final.workers[1]!.bytesInTotal).toBe(sent)
    expect(s.lastTick()).toBe(final)

    // Stopped: no more ticks; seq strictly increasing.
    await new Promise((r) => setTimeout(r, 100))
    expect(ticks.length).toBe(before + 1)
    expect(ticks.every((t, i) => i === 0 || t.seq === ticks[i - 1]!.seq + 1)).toBe(true)
    expect(statuses.map((x) => x.state)).toEqual(['starting', 'running', 'stopping', 'stopped'])

    const hist = await s.history()
    expect(hist.ok && hist.value.length).toBe(ticks.length)
  })

  it('exportCsv returns the CSV text; exportCsvToFile writes the same rows to disk', async () => {
    const { s, app } = await service()
    const port = await freePort()
    await s.start({ port, workers: 2 })
    const sock = await connectTcp(port)
    await echoRoundTrip(sock, Buffer.alloc(4321, 7))
    sock.destroy()
    await s.stop()

    const r = await s.exportCsv({})
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.path).toBeNull()
    const rows = parse(r.value.csv!, { columns: true }) as Record<string, string>[]
    expect(rows).toHaveLength(r.value.rows)
    expect(rows.at(-1)).toMatchObject({ worker: 'all', bytes_in_total: '4321', bytes_out_total: '4321' })

    const dir = mkdtempSync(join(tmpdir(), 'iocpm-svc-'))
    try {
      const f = await s.exportCsvToFile({}, join(dir, 'out.csv'))
      expect(f).toMatchObject({ ok: true, value: { path: join(dir, 'out.csv'), rows: r.value.rows } })
      expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe(r.value.csv)
      const bad = await s.exportCsvToFile({}, join(dir, 'missing', 'out.csv'))
      expect(bad.ok).toBe(false)
      if (!bad.ok) expect(bad.error.message).toContain('could not write')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }

    const last = r.value.rows ? rows.at(-1)!.timestamp : ''
    const since = await s.exportCsv({ sinceMs: Date.parse(last) })
    expect(since.ok && since.value.rows).toBeGreaterThanOrEqual(3)
    expect(since.ok && since.value.rows).toBeLessThan(r.value.rows + 1)
  })

  it('a new run starts a fresh history; a failed start keeps the previous run’s data', async () => {
    const { s, app } = await service()
    await s.start({ port: await freePort() })
    await s.stop()
    const firstRun = (await s.history()) as { ok: true; value: MetricsTick[] }
    expect(firstRun.value.length).toBeGreaterThan(0)
    const failed = await s.start({ port: 1, host: '192.0.2.1' }) // not an address of this host
    expect(failed.ok).toBe(false)
    expect(((await s.history()) as { ok: true; value: MetricsTick[] }).value).toHaveLength(firstRun.value.length)
    await s.start({ port: await freePort() })
    const second = (await s.history()) as { ok: true; value: MetricsTick[] }
    expect(second.value[0]!.seq).toBeGreaterThan(firstRun.value.at(-1)!.seq)
    expect(second.value[0]!.total.bytesInTotal).toBe(0)
  })

  it('catalog returns every portable error name with en/ko text', async () => {
    const { s, app } = await service()
    const r = await s.catalog()
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.length).toBeGreaterThan(5)
    expect(r.value.map((e) => e.name)).toContain('address-in-use')
    for (const e of r.value) expect(e.en && e.ko).toBeTruthy()
  })

  it('rejects malformed payloads on every channel as data, logging each distinct problem once', async () => {
    const { s, app, lines } = await service()
    for (const channel of INVOKE_CHANNELS) {
      for (let i = 0; i < 3; i++) {
        const r = await app.service.invoke(channel, 'garbage')
        expect(r.ok).toBe(false)
        if (!r.ok) expect(r.error.code).toBe('invalid-message')
      }
    }
    expect(lines.filter((l) => l.includes('rejected'))).toHaveLength(INVOKE_CHANNELS.length)
    expect((await app.service.invoke('nope' as never, undefined)).ok).toBe(false)
    expect((await s.status()).ok).toBe(true)
  })

  it('a listener that throws does not stop sampling', async () => {
    const { s, app, lines } = await service()
    let n = 0
    app.service.on('metrics:tick', () => {
      n++
      throw new Error('renderer went away')
    })
    await s.start({ port: await freePort() })
    await waitFor(() => n >= 3, 2000, 'three ticks')
    expect(lines.some((l) => l.includes('renderer went away'))).toBe(true)
  })

  it('dispose stops a running server and refuses new starts', async () => {
    const { s, app } = await service()
    const port = await freePort()
    await s.start({ port })
    await app.dispose()
    expect((await s.status()).ok && ((await s.status()) as { ok: true; value: ServerStatus }).value.state).toBe('stopped')
    const r = await s.start({ port })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('disposed')
    await app.dispose() // idempotent
  })

  it('rejects a sample rate outside 1–100 Hz', async () => {
    await expect(createApp({ store: null, addon, sampleHz: 500, applyPrometheusConfig: false })).rejects.toThrow(RangeError)
  })
})
