// The load controller and the load feature's channels over the real addon: the native generator
// against the native engine on 127.0.0.1 (and against a corrupting Node server), real sockets only.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { LoadStatus } from '../../src-shared/api'
import { FAULT_KINDS, LOAD_PRESETS, type LoadProgress, type LoadSummary } from '../../src-shared/load'
import type { NativeEngine } from '../../src-main/addon/native-addon'
import { connectableHost, LoadController } from '../../src-main/service/load-controller'
import { silentLogger } from '../../src-main/service/log'
import { createApp, type App } from '../../src-main/app'
import { addon } from './support/addon'
import { corruptingEchoServer } from './support/corrupting-server'
import { freePort, waitFor } from './support/net'

const serverErrors = (engine: NativeEngine) => engine.snapshot().workers.flatMap((w) => w.errors)
const serverBytesIn = (engine: NativeEngine) => engine.snapshot().workers.reduce((n, w) => n + w.bytesIn, 0)

describe('LoadController against the engine', () => {
  let engine: NativeEngine
  let port: number
  const controllers: LoadController[] = []

  function controller(opts: ConstructorParameters<typeof LoadController>[1] = {}) {
    const c = new LoadController(new addon.LoadGenerator(), { hz: 20, ...opts })
    controllers.push(c)
    return c
  }

  beforeAll(async () => {
    engine = new addon.Engine()
    port = await freePort()
    await engine.start({ host: '127.0.0.1', port, workers: 2 })
  })
  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((c) => c.dispose()))
  })
  afterAll(async () => {
    await engine.stop()
  })

  it('runs for its duration: every echoed byte verified, progress streamed, a summary at the end', async () => {
    const progress: LoadProgress[] = []
    const finished: LoadSummary[] = []
    const c = controller({ onProgress: (p) => progress.push(p), onFinished: (s) => finished.push(s) })
    const before = serverBytesIn(engine)
    const started = await c.start({ port, connections: 20, messageSize: 256, durationMs: 1000 })
    expect(started.ok && started.value.state).toBe('running')
    expect(started.ok && started.value.config).toMatchObject({ host: '127.0.0.1', port, connections: 20 })
    expect(c.status().state).toBe('running')

    const summary = await c.whenIdle()
    expect(summary).not.toBeNull()
    expect(finished).toEqual([summary])
    expect(summary!.stoppedEarly).toBe(false)
    expect(summary!.elapsedMs).toBeGreaterThanOrEqual(990)
    expect(summary!.connectsOk).toBe(20)
    expect(summary!.msgsSent).toBeGreaterThan(100)
    expect(summary!.mismatchedBytes).toBe(0)
    expect(summary!.bytesReceived).toBe(summary!.bytesSent)
    expect(summary!.msgsEchoed).toBe(summary!.msgsSent)
    expect(summary!.latency.count).toBe(summary!.msgsEchoed)
    expect(summary!.msgsPerS).toBeCloseTo(summary!.msgsSent / (summary!.elapsedMs / 1000), 3)
    expect(summary!.config).toMatchObject({ port, connections: 20, messageSize: 256, durationMs: 1000 })
    // The generator's totals are the server's byte counters, exactly.
    await waitFor(() => serverBytesIn(engine) - before === summary!.bytesSent, 2000, 'the server to count every byte')

    // ~20 Hz for 1 s: a baseline, the live samples, and the final one with the final totals.
    expect(progress.length).toBeGreaterThanOrEqual(12)
    expect(progress[0]!.msgsPerS).toBe(0)
    expect(progress.some((p) => p.running && p.msgsPerS > 0 && p.mbPerS > 0)).toBe(true)
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.msgsSent).toBeGreaterThanOrEqual(progress[i - 1]!.msgsSent)
    expect(progress.at(-1)).toMatchObject({ running: false, msgsSent: summary!.msgsSent, bytesSent: summary!.bytesSent })

    const st = c.status()
    expect(st).toMatchObject({ state: 'idle', config: null, startedAt: null, lastError: null })
    expect(st.lastSummary).toEqual(summary)
  })

  it('stop mid-run resolves within 500 ms with what was done', async () => {
    const finished: LoadSummary[] = []
    const c = controller({ onFinished: (s) => finished.push(s) })
    expect((await c.start({ port, connections: 10, durationMs: 30_000 })).ok).toBe(true)
    await new Promise((r) => setTimeout(r, 300))
    const t0 = performance.now()
    const stopped = await c.stop()
    expect(performance.now() - t0).toBeLessThan(500)
    expect(stopped.ok && stopped.value.state).toBe('idle')
    const summary = stopped.ok ? stopped.value.lastSummary : null
    expect(summary).toMatchObject({ running: false, stoppedEarly: true, mismatchedBytes: 0 })
    expect(summary!.msgsSent).toBeGreaterThan(0)
    expect(summary!.elapsedMs).toBeLessThan(2000)
    expect(finished).toHaveLength(1)
    // Stopping again (idle) is fine and changes nothing.
    expect(await c.stop()).toMatchObject({ ok: true, value: { state: 'idle' } })
  })

  it('a second start while running is already-running; a stop queued behind a start applies to it', async () => {
    const c = controller()
    const [a, b] = await Promise.all([c.start({ port, connections: 2, durationMs: 30_000 }), c.start({ port, connections: 2, durationMs: 30_000 })])
    expect(a.ok).toBe(true)
    expect(!b.ok && b.error.code).toBe('already-running')
    const [again, stopped] = await Promise.all([c.start({ port, durationMs: 30_000 }), c.stop()])
    expect(!again.ok && again.error.code).toBe('already-running')
    expect(stopped.ok && stopped.value.state).toBe('idle')
    // And one started then stopped at once (during its test connect) still ends promptly.
    const t0 = performance.now()
    const [s1, s2] = await Promise.all([c.start({ port, connections: 2, durationMs: 30_000 }), c.stop()])
    expect(s1.ok && s2.ok).toBe(true)
    expect(s2.ok && s2.value.lastSummary?.stoppedEarly).toBe(true)
    expect(performance.now() - t0).toBeLessThan(1000)
  })

  it('rate limiting holds within 5 % (2000 msgs/s for 2 s)', async () => {
    const c = controller()
    // Headroom (20 connections × pipeline 4) so the limiter, not round trips, sets the pace even
    // on a busy machine. Sending stops at durationMs; elapsedMs also counts the wait for the last
    // echoes, so the expectation is rate × durationMs.
    expect((await c.start({ port, connections: 20, pipeline: 4, rate: 2000, durationMs: 2000 })).ok).toBe(true)
    const s = (await c.whenIdle())!
    const expected = 2000 * 2
    expect(Math.abs(s.msgsSent - expected) / expected, `${s.msgsSent} messages in ${s.elapsedMs} ms`).toBeLessThan(0.05)
    expect(s.mismatchedBytes).toBe(0)
  })

  it('a refused port is connection-refused on the port field, with the native error', async () => {
    const c = controller()
    const r = await c.start({ host: '127.0.0.1', port: await freePort(), durationMs: 1000 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error).toMatchObject({ code: 'connection-refused', nativeName: 'ECONNREFUSED' })
    expect(typeof r.error.nativeCode).toBe('number')
    expect(r.error.fieldErrors?.map((e) => e.field)).toEqual(['port'])
    expect(c.status()).toMatchObject({ state: 'idle', lastError: { code: 'connection-refused' } })
    // The controller stays usable.
    expect((await c.start({ port, connections: 1, messages: 10, durationMs: 0 })).ok).toBe(true)
    expect((await c.whenIdle())?.msgsEchoed).toBe(10)
    expect(c.status().lastError).toBeNull()
  })

  // Each socket layer of this platform drives a verified run and says so in its summary; the other
  // platform's is refused on the io field before anything connects.
  it.each(process.platform === 'win32' ? (['iocp'] as const) : (['iouring', 'epoll'] as const))('io %s: a verified run that reports the layer it drove', async (io) => {
    const c = controller()
    const before = serverBytesIn(engine)
    expect((await c.start({ port, connections: 8, messages: 800, durationMs: 0, pipeline: 2, io })).ok).toBe(true)
    const s = (await c.whenIdle())!
    expect(s).toMatchObject({ io, ioNote: 'as configured', msgsEchoed: 800, mismatchedBytes: 0, bytesReceived: s.bytesSent })
    await waitFor(() => serverBytesIn(engine) - before === s.bytesSent, 2000, 'the server to count every byte')
  })

  it('io auto picks the platform\'s layer and says why; the other platform\'s layer is refused on the io field', async () => {
    const c = controller()
    expect((await c.start({ port, connections: 2, messages: 20, durationMs: 0 })).ok).toBe(true)
    const s = (await c.whenIdle())!
    expect(s.io).toBe(process.platform === 'win32' ? 'iocp' : 'iouring')
    expect(s.ioNote).toMatch(/^auto: /)
    const r = await c.start({ port, connections: 2, messages: 20, durationMs: 0, io: process.platform === 'win32' ? 'epoll' : 'iocp' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('invalid-config')
    expect(r.error.fieldErrors?.map((e) => e.field)).toEqual(['io'])
    expect(r.error.message).toMatch(/only available on (Windows|Linux)/)
  })

  it('an unresolvable host is name-not-resolved on the host field', async () => {
    const r = await controller().start({ host: 'no-such-host.invalid', port, durationMs: 1000 })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('name-not-resolved')
      expect(r.error.fieldErrors?.map((e) => e.field)).toEqual(['host'])
    }
  })

  it('an invalid config never reaches the addon: invalid-config with every field', async () => {
    const r = await controller().start({ port: 0, connections: 0, faults: { reset: 90, slow: 20 } })
    expect(!r.ok && r.error.code).toBe('invalid-config')
    expect(!r.ok && r.error.fieldErrors?.map((e) => e.field).sort()).toEqual(['connections', 'faults', 'port'])
  })

  it('reset and garbage faults show up as connection-reset in the server’s errors', async () => {
    const c = controller()
    expect((await c.start({ port, connections: 40, durationMs: 800, faults: { reset: 10, garbage: 5 } })).ok).toBe(true)
    const s = (await c.whenIdle())!
    expect(s.faultsInjected.reset).toBeGreaterThanOrEqual(4)
    expect(s.faultsInjected.garbage).toBeGreaterThanOrEqual(2)
    expect(s.mismatchedBytes).toBe(0)
    await waitFor(() => serverErrors(engine).some((e) => e.name === 'connection-reset' && e.count > 0), 2000, 'connection-reset on the server')
  })

  it('every fault kind of the faults preset is injected, and the healthy connections still verify', async () => {
    const c = controller()
    expect((await c.start({ ...LOAD_PRESETS.faults.config, port, durationMs: 800 })).ok).toBe(true)
    const s = (await c.whenIdle())!
    for (const kind of FAULT_KINDS) expect(s.faultsInjected[kind], kind).toBeGreaterThan(0)
    expect(s.faultsInjected.storm).toBeGreaterThan(2) // reconnects, not just connections
    expect(s.mismatchedBytes).toBe(0)
    expect(s.msgsEchoed).toBeGreaterThan(0)
  })

  it('maps a server on the unspecified address to loopback', () => {
    expect(connectableHost('0.0.0.0')).toBe('127.0.0.1')
    expect(connectableHost('::')).toBe('::1')
    expect(connectableHost('10.1.2.3')).toBe('10.1.2.3')
  })
})

describe('a corrupting echo server', () => {
  const corruptPort = corruptingEchoServer()

  it('is caught: mismatchedBytes > 0', async () => {
    const c = new LoadController(new addon.LoadGenerator())
    try {
      expect((await c.start({ port: corruptPort(), connections: 4, messageSize: 512, durationMs: 500 })).ok).toBe(true)
      const s = (await c.whenIdle())!
      expect(s.msgsSent).toBeGreaterThan(0)
      expect(s.mismatchedBytes).toBeGreaterThan(0)
    } finally {
      await c.dispose()
    }
  })
})

describe('the load feature\'s channels', () => {
  const apps: App[] = []
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.dispose()))
  })
  async function app(sampleHz?: number): Promise<App> {
    const a = await createApp({ store: null, addon, sampleHz, applyPrometheusConfig: false, logger: silentLogger })
    apps.push(a)
    return a
  }

  it('aims at the running server by default and streams progress and the summary as events', async () => {
    const a = await app(20)
    const s = a.service
    const port = await freePort()
    expect((await a.server.start({ port, workers: 2 })).ok).toBe(true)
    const progress: LoadProgress[] = []
    const finished: LoadSummary[] = []
    s.on('load:progress', (p) => progress.push(p))
    s.on('load:finished', (x) => finished.push(x))

    const r = await s.invoke('load:start', { connections: 8, durationMs: 600 })
    expect(r.ok && (r.value as LoadStatus).config).toMatchObject({ host: '127.0.0.1', port })
    await waitFor(() => finished.length === 1, 5000, 'load:finished')
    const summary = finished[0]!
    expect(summary.mismatchedBytes).toBe(0)
    expect(summary.bytesReceived).toBe(summary.bytesSent)
    expect(progress.length).toBeGreaterThanOrEqual(8)
    const st = await a.load.status()
    expect(st.ok && st.value.state).toBe('idle')
    expect(st.ok && st.value.lastSummary).toEqual(summary)

    // The server's final tick counts exactly the bytes the generator sent.
    expect((await a.server.stop()).ok).toBe(true)
    expect(a.server.lastTick()!.total.bytesInTotal).toBe(summary.bytesSent)
    expect(a.server.lastTick()!.total.bytesOutTotal).toBe(summary.bytesReceived)
  })

  it('validates load payloads and stops a run on dispose', async () => {
    const a = await app()
    expect(await a.service.invoke('load:start', { connections: 'many' })).toMatchObject({ ok: false, error: { code: 'invalid-config', fieldErrors: [{ field: 'connections' }] } })
    expect(await a.service.invoke('load:stop', { junk: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-message' } })
    const port = await freePort()
    await a.server.start({ port })
    expect((await a.load.start({ connections: 2, durationMs: 60_000 })).ok).toBe(true)
    const t0 = performance.now()
    await a.dispose()
    expect(performance.now() - t0).toBeLessThan(2000)
    const st = await a.load.status()
    expect(st.ok && st.value.state).toBe('idle')
    expect(st.ok && st.value.lastSummary?.stoppedEarly).toBe(true)
    expect(await a.load.start({})).toMatchObject({ ok: false, error: { code: 'disposed' } })
  })
})
