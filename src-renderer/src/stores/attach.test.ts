// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import type { AttachStatus } from '../../../src-shared/attach'
import { probe, tick, type FakeApi } from '../testing/fake-api'
import { markServerRunning } from '../testing/server-status'
import { useAttachStore } from './attach'
import { freshStoreEnv } from './fresh-store-env'
import { useLoadStore } from './load'
import { useMetricsStore } from './metrics'
import { useServerStore } from './server'

const exited = (over: Partial<AttachStatus> = {}): AttachStatus => ({
  state: 'exited',
  probe: probe(42, { state: 'exited' }),
  attachedAt: 1_000,
  exitedAt: 2_000,
  exitReason: 'process-exited',
  lastError: null,
  ...over,
})

describe('attach store', () => {
  let api: FakeApi
  beforeEach(() => {
    api = freshStoreEnv()
  })

  it('loads the probes and the status at start, then follows probes:changed and attach:status-changed', async () => {
    api.probesValue = [probe(42), probe(43, { problem: { code: 'probe-version', message: 'layout 9 is newer than this build reads' } })]
    const attach = useAttachStore()
    await attach.init()
    expect(attach.available).toBe(true)
    expect(attach.probes.map((p) => p.pid)).toEqual([42, 43])
    expect(attach.status.state).toBe('detached')
    expect(attach.sourceLive).toBe(false)

    api.emit('probes:changed', [probe(44)])
    expect(attach.probes.map((p) => p.pid)).toEqual([44])
    api.emitUnchecked('probes:changed', 'garbage')
    expect(attach.probes.map((p) => p.pid)).toEqual([44])

    api.emit('attach:status-changed', exited())
    expect(attach.status.state).toBe('exited')
    expect(attach.attached).toBe(false)
    api.emitUnchecked('attach:status-changed', { nope: 1 })
    expect(attach.status.state).toBe('exited')
    attach.dispose()
  })

  it('attaches by pid and detaches, with a live source while attached', async () => {
    api.probesValue = [probe(42)]
    const attach = useAttachStore()
    await attach.init()
    expect(await attach.attach(42)).toBe(true)
    expect(api.calls.filter((c) => c.method === 'attach').map((c) => c.arg)).toEqual([{ pid: 42 }])
    expect(attach.attached).toBe(true)
    expect(attach.attachedProbe?.pid).toBe(42)
    expect(attach.sourceLive).toBe(true)
    expect(attach.lastError).toBeNull()

    expect(await attach.detach()).toBe(true)
    expect(api.calls.some((c) => c.method === 'detach')).toBe(true)
    expect(attach.status.state).toBe('detached')
    expect(attach.sourceLive).toBe(false)
  })

  it('keeps a refused attach as an ApiError (server-running) and the source unchanged', async () => {
    api.probesValue = [probe(42)]
    api.statusValue = { ...api.statusValue, state: 'running' }
    const attach = useAttachStore()
    await attach.init()
    expect(await attach.attach(42)).toBe(false)
    expect(attach.lastError).toMatchObject({ code: 'server-running', message: expect.stringContaining('stop the built-in server') })
    expect(attach.status.state).toBe('detached')
    attach.dismissError()
    expect(attach.lastError).toBeNull()
    // A broken transport is an error too, never a throw.
    api.respond('attach:start', () => Promise.reject(new Error('ipc exploded')))
    expect(await attach.attach(42)).toBe(false)
    expect(attach.lastError).toMatchObject({ code: 'internal', message: 'ipc exploded' })
  })

  it('marks itself unavailable against a service without the attach feature', async () => {
    api.respond('attach:status', { ok: false, error: { code: 'not-implemented', message: 'no attach' } })
    const attach = useAttachStore()
    await attach.init()
    expect(attach.available).toBe(false)
    expect(attach.status.state).toBe('detached')
  })

  it('starts the charts over when a process is attached', async () => {
    api.probesValue = [probe(42)]
    const attach = useAttachStore()
    const metrics = useMetricsStore()
    await attach.init()
    metrics.ingest(tick(1, { t: 1_000 }))
    metrics.ingest(tick(2, { t: 2_000 }))
    api.emit('attach:status-changed', { state: 'attached', probe: probe(42), attachedAt: 1_500, exitedAt: null, exitReason: null, lastError: null })
    expect(metrics.data().length).toBe(1)
  })

  it('aims the load generator at the attached port when the probe published one', async () => {
    api.probesValue = [probe(42, { port: 7100 }), probe(43, { port: 0 })]
    const attach = useAttachStore()
    const load = useLoadStore()
    await attach.init()
    expect(load.needsTarget).toBe(true)
    await attach.attach(42)
    expect(load.target).toEqual({ host: '127.0.0.1', port: 7100, source: 'attached' })
    expect(load.needsTarget).toBe(false)
    await attach.attach(43)
    expect(load.target).toBeNull()
    expect(load.needsTarget).toBe(true)
  })

  it('treats the running built-in server as a live source too', async () => {
    const attach = useAttachStore()
    await attach.init()
    markServerRunning()
    expect(useServerStore().status.state).toBe('running')
    expect(attach.sourceLive).toBe(true)
  })
})
