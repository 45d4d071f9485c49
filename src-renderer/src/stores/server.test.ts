// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MonitorApi } from '../../../src-shared/contract'
import { setApi } from '../api'
import { ADDRESS_IN_USE, createFakeApi, type FakeApi, tick } from '../testing/fake-api'
import { freshStoreEnv } from './fresh-store-env'
import { useMetricsStore } from './metrics'
import { useServerStore } from './server'

describe('server store', () => {
  let api: FakeApi
  beforeEach(() => {
    api = freshStoreEnv()
  })
  afterEach(() => vi.restoreAllMocks())

  it('loads status, catalog and history, and follows ticks and status events', async () => {
    api.historyValue = [tick(1), tick(2)]
    const server = useServerStore()
    await server.init()
    const metrics = useMetricsStore()
    expect(metrics.data().length).toBe(2)
    expect(metrics.catalog.get('connection-reset')?.ko).toContain('재설정')
    api.emit('metrics:tick', tick(3))
    expect(metrics.latest?.seq).toBe(3)
    api.emit('server:status-changed', { ...api.statusValue, state: 'running', startedAt: tick(3).t })
    expect(server.status.state).toBe('running')
    // The new run starts at tick 3: older samples leave the window.
    expect(metrics.data().length).toBe(1)
    expect(metrics.data().firstT).toBe(tick(3).t)
  })

  it('keeps a failed start as an ApiError and clears it on the next attempt', async () => {
    const server = useServerStore()
    api.respond('server:start', { ok: false, error: ADDRESS_IN_USE })
    expect(await server.start({ port: 80 })).toBe(false)
    expect(server.lastError).toEqual(ADDRESS_IN_USE)
    expect(server.pending).toBeNull()
    api.respond('server:start', null)
    expect(await server.start({ port: 9000 })).toBe(true)
    expect(server.lastError).toBeNull()
    expect(server.status.state).toBe('running')
  })

  it('turns a throwing transport into an ApiError instead of crashing', async () => {
    const broken = createFakeApi()
    broken.start = () => Promise.reject(new Error('ipc exploded'))
    setApi(broken as MonitorApi)
    const server = useServerStore()
    expect(await server.start({})).toBe(false)
    expect(server.lastError).toEqual({ code: 'internal', message: 'ipc exploded' })
  })

  it('follows the transport connection and resyncs after a reconnect', async () => {
    let notify: (s: 'connecting' | 'open' | 'closed') => void = () => {}
    let state: 'connecting' | 'open' | 'closed' = 'connecting'
    const aware = Object.assign(api, {
      connectionState: () => state,
      onConnection: (cb: typeof notify) => {
        notify = cb
        return () => {}
      },
    })
    setApi(aware)
    const server = useServerStore()
    await server.init()
    expect(server.connection).toBe('connecting')
    state = 'open'
    notify('open')
    expect(server.connection).toBe('open')
    const before = api.calls.filter((c) => c.method === 'status').length
    notify('closed')
    expect(server.connection).toBe('closed')
    notify('open')
    await Promise.resolve()
    expect(api.calls.filter((c) => c.method === 'status').length).toBeGreaterThan(before)
  })

  it('downloads the CSV in browser mode as iocp-monitor-<timestamp>.csv', async () => {
    api.respond('export:csv', { ok: true, value: { path: null, rows: 2, csv: 'a,b\n1,2\n' } })
    const created: Blob[] = []
    URL.createObjectURL = vi.fn((b: Blob) => {
      created.push(b)
      return 'blob:fake'
    })
    URL.revokeObjectURL = vi.fn()
    const clicks: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download)
    })
    const server = useServerStore()
    const r = await server.exportCsv()
    expect(r.ok).toBe(true)
    expect(clicks).toHaveLength(1)
    expect(clicks[0]).toMatch(/^iocp-monitor-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.csv$/)
    expect(await created[0].text()).toBe('a,b\n1,2\n')
    expect(server.lastExport).toEqual({ rows: 2, path: null, fileName: clicks[0] })
    expect(api.calls.find((c) => c.method === 'exportCsv')?.arg).toEqual({})
    await server.exportCsv({ sinceMs: 5, untilMs: 9, columns: ['timestamp', 'queue_depth'] })
    expect(api.calls.filter((c) => c.method === 'exportCsv')[1].arg).toEqual({ sinceMs: 5, untilMs: 9, columns: ['timestamp', 'queue_depth'] })
  })

  it('reports the saved path in Electron mode', async () => {
    api.respond('export:csv', { ok: true, value: { path: '/home/u/iocp.csv', rows: 7 } })
    const server = useServerStore()
    await server.exportCsv()
    expect(server.lastExport).toEqual({ rows: 7, path: '/home/u/iocp.csv', fileName: null })
  })

  it('returns a failed export to the caller instead of the page-wide error', async () => {
    api.respond('export:csv', { ok: false, error: { code: 'invalid-message', message: 'unknown field untilMs' } })
    const server = useServerStore()
    const r = await server.exportCsv({ untilMs: 1 })
    expect(r).toEqual({ ok: false, error: { code: 'invalid-message', message: 'unknown field untilMs' } })
    expect(server.lastError).toBeNull()
    expect(server.exporting).toBe(false)
  })
})
