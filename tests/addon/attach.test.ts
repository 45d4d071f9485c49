// The attach feature over the real addon and a real instrumented process (the epoll example):
// one source sampled at a time, the load generator aimed at the attached port, the exit seen with
// history and export kept, two monitors on one probe, and the clear refusals.
import { afterEach, describe, expect, it } from 'vitest'
import type { AttachStatus } from '../../src-shared/attach'
import type { MetricsTick } from '../../src-shared/metrics'
import { createApp, type App } from '../../src-main/app'
import { silentLogger } from '../../src-main/service/log'
import { startExample, type ExampleServer } from '../support/example-servers'
import { freePort, waitFor } from './support/net'

const apps: App[] = []
const servers: ExampleServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) s.kill()
  await Promise.all(apps.splice(0).map((a) => a.dispose()))
})

async function app(): Promise<App> {
  const a = await createApp({ store: null, sampleHz: 20, applyPrometheusConfig: false, probePollMs: 100, logger: silentLogger })
  apps.push(a)
  return a
}

async function example(name?: string): Promise<ExampleServer> {
  const s = await startExample('epoll', { workers: 2, name })
  servers.push(s)
  return s
}

function ticksOf(a: App): MetricsTick[] {
  const ticks: MetricsTick[] = []
  a.service.on('metrics:tick', (t) => ticks.push(t))
  return ticks
}

describe('attach (epoll example)', () => {
  it('samples the process like the built-in server: ticks, history, CSV, the load generator aimed at its port, then "exited" with the history kept', async () => {
    const a = await app()
    const server = await example()
    const ticks = ticksOf(a)
    const statuses: AttachStatus[] = []
    a.service.on('attach:status-changed', (s) => statuses.push(s))
    const r = a.attach.attach({ name: server.name })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value).toMatchObject({ state: 'attached', probe: { name: server.name, workers: 2, port: server.port, state: 'running' } })

    // load:start without host/port aims at the attached server's port.
    const started = await a.load.start({ connections: 20, messageSize: 64, durationMs: 1000 })
    expect(started.ok, JSON.stringify(started)).toBe(true)
    if (started.ok) expect(started.value.config).toMatchObject({ port: server.port })
    const summary = await new Promise<{ bytesSent: number; bytesReceived: number; mismatchedBytes: number }>((res) => a.service.on('load:finished', res))
    expect(summary.mismatchedBytes).toBe(0)

    // The built-in server cannot start while attached; the sessions table says why it is empty.
    const start = await a.server.start({ port: await freePort() })
    expect(start.ok ? null : start.error.code).toBe('attached')
    const table = a.sessions.table({ key: 'age', limit: 10, worker: -1, addressPrefix: '' })
    expect(table.ok ? null : table.error.code).toBe('not-available')

    await new Promise((res) => setTimeout(res, 300))
    server.stop()
    await waitFor(() => a.attach.status().state === 'exited', 5000, 'state exited')
    expect(a.attach.status()).toMatchObject({ state: 'exited', exitReason: 'closed', probe: { name: server.name } })
    expect(statuses.map((s) => s.state)).toEqual(['attached', 'exited'])
    const n = ticks.length
    await new Promise((res) => setTimeout(res, 200))
    expect(ticks.length).toBe(n) // sampling stopped with the exit
    const last = a.server.lastTick()!
    expect(last.total.bytesInTotal).toBe(summary.bytesSent)
    expect(last.total.bytesOutTotal).toBe(summary.bytesReceived)
    const csv = await a.server.exportCsv({})
    expect(csv.ok && csv.value.rows).toBeGreaterThan(3)

    // Exited is not attached: the built-in server starts again (a fresh history).
    const port = await freePort()
    const again = await a.server.start({ port })
    expect(again.ok, JSON.stringify(again)).toBe(true)
    const busy = a.attach.attach({ pid: process.pid })
    expect(busy.ok ? null : busy.error.code).toMatch(/server-running|probe-not-found/)
    await a.server.stop()
  })

  it('two monitors on one probe both read it; detach leaves the process alone; discovery notices it appear and go', async () => {
    const a = await app()
    const b = await app()
    const lists: string[][] = []
    a.service.on('probes:changed', (l) => lists.push(l.map((p) => p.name)))
    const server = await example()
    await waitFor(() => lists.some((l) => l.includes(server.name)), 3000, 'probes:changed with the example')
    expect(a.attach.attach({ name: server.name }).ok).toBe(true)
    expect(b.attach.attach({ name: server.name }).ok).toBe(true)
    const ta = ticksOf(a)
    const tb = ticksOf(b)
    await waitFor(() => ta.length > 2 && tb.length > 2, 3000, 'ticks on both monitors')
    expect(b.attach.detach()).toMatchObject({ ok: true, value: { state: 'detached' } })
    expect(a.attach.status().state).toBe('attached')
    server.stop()
    expect((await server.exit).code).toBe(0)
    await waitFor(() => a.attach.status().state === 'exited', 5000, 'state exited')
    await waitFor(() => !lists.at(-1)!.includes(server.name), 3000, 'probes:changed without the example')
  })

  it('refusals: unknown name (listing what exists), two processes with one name, a running built-in server', async () => {
    const a = await app()
    const one = await example()
    const missing = a.attach.attach({ name: 'no-such-probe' })
    expect(missing.ok).toBe(false)
    if (!missing.ok) {
      expect(missing.error.code).toBe('probe-not-found')
      expect(missing.error.message).toContain(one.name)
    }
    await example(one.name)
    const twice = a.attach.attach({ name: one.name })
    expect(twice.ok ? null : twice.error.code).toBe('probe-ambiguous')

    const port = await freePort()
    expect((await a.server.start({ port })).ok).toBe(true)
    const listed = a.attach.listProbes()
    const pid = listed.ok ? listed.value.find((p) => p.name === one.name)!.pid : 0
    const running = a.attach.attach({ pid })
    expect(running.ok ? null : running.error.code).toBe('server-running')
    expect(a.attach.status().lastError?.code).toBe('server-running')
    await a.server.stop()
  })
})
