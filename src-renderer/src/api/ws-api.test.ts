// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridgeUrlFromLocation, WsApi, type WebSocketLike } from './ws-api'

class FakeSocket implements WebSocketLike {
  readyState = 0
  onopen: ((ev: unknown) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  sent: Record<string, unknown>[] = []
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data))
  }
  close(): void {
    this.readyState = 3
  }
  open(): void {
    this.readyState = 1
    this.onopen?.({})
  }
  drop(): void {
    this.readyState = 3
    this.onclose?.({ code: 1006, reason: '' })
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) })
  }
}

describe('WsApi', () => {
  let sockets: FakeSocket[]
  let api: WsApi
  const make = (opts: Partial<ConstructorParameters<typeof WsApi>[0]> = {}) =>
    new WsApi({
      url: 'ws://127.0.0.1:1/bridge?token=t',
      createSocket: (url) => {
        const s = new FakeSocket(url)
        sockets.push(s)
        return s
      },
      ...opts,
    })

  beforeEach(() => {
    vi.useFakeTimers()
    sockets = []
  })
  afterEach(() => {
    api?.dispose()
    vi.useRealTimers()
  })

  it('builds the bridge URL from the page location and its token', () => {
    expect(bridgeUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:8123', search: '?token=a%2Bb' })).toBe('ws://127.0.0.1:8123/bridge?token=a%2Bb')
  })

  it('queues requests until the socket opens, then frames them with ids', async () => {
    api = make()
    const p = api.status()
    expect(sockets[0].sent).toEqual([])
    sockets[0].open()
    expect(sockets[0].sent).toEqual([{ id: 1, channel: 'server:status' }])
    const startP = api.start({ port: 9001 })
    expect(sockets[0].sent[1]).toEqual({ id: 2, channel: 'server:start', payload: { port: 9001 } })
    sockets[0].receive({ id: 2, result: { ok: false, error: { code: 'address-in-use', message: 'm' } } })
    sockets[0].receive({ id: 1, result: { ok: true, value: { state: 'stopped' } } })
    await expect(p).resolves.toEqual({ ok: true, value: { state: 'stopped' } })
    await expect(startP).resolves.toEqual({ ok: false, error: { code: 'address-in-use', message: 'm' } })
  })

  it('resolves with a timeout ApiError when no reply comes', async () => {
    api = make({ requestTimeoutMs: 1000 })
    sockets[0].open()
    const p = api.status()
    vi.advanceTimersByTime(1001)
    const r = await p
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('timeout')
  })

  it('fails sent requests on disconnect, keeps unsent ones, and reconnects with backoff', async () => {
    api = make({ backoffInitialMs: 100, backoffMaxMs: 1000 })
    const states: string[] = []
    api.onConnection((s) => states.push(s))
    sockets[0].open()
    const sentBeforeDrop = api.status()
    sockets[0].drop()
    const r = await sentBeforeDrop
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('bridge-disconnected')

    const queued = api.catalog()
    expect(sockets).toHaveLength(1)
    vi.advanceTimersByTime(200)
    expect(sockets).toHaveLength(2)
    sockets[1].drop()
    vi.advanceTimersByTime(150) // second delay is ~200 ms (±20 %): not yet
    expect(sockets).toHaveLength(2)
    vi.advanceTimersByTime(150)
    expect(sockets).toHaveLength(3)
    sockets[2].open()
    expect(sockets[2].sent).toEqual([{ id: 2, channel: 'errors:catalog' }])
    sockets[2].receive({ id: 2, result: { ok: true, value: [] } })
    await expect(queued).resolves.toEqual({ ok: true, value: [] })
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open'])
  })

  it('dispatches events to listeners and survives a throwing listener and junk frames', () => {
    api = make()
    sockets[0].open()
    const ticks: unknown[] = []
    const statuses: unknown[] = []
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    api.onTick(() => {
      throw new Error('bad listener')
    })
    const off = api.onTick((t) => ticks.push(t))
    api.onStatus((s) => statuses.push(s))
    sockets[0].onmessage?.({ data: 'not json' })
    sockets[0].receive({ event: 'something-else', payload: 1 })
    sockets[0].receive({ event: 'metrics:tick', payload: { seq: 1 } })
    sockets[0].receive({ event: 'server:status-changed', payload: { state: 'running' } })
    off()
    sockets[0].receive({ event: 'metrics:tick', payload: { seq: 2 } })
    expect(ticks).toEqual([{ seq: 1 }])
    expect(statuses).toEqual([{ state: 'running' }])
    expect(spy).toHaveBeenCalled()
    spy.mockRestore()
  })

  it('frames load and feature calls on their channels and dispatches their events', async () => {
    api = make()
    sockets[0].open()
    void api.loadStart({ connections: 5 })
    void api.setAlerts({ rules: [] })
    void api.openRecording({ text: 'x' })
    void api.startReplay({ speed: 10 })
    void api.setConfig({ ui: { language: 'ko' } })
    expect(sockets[0].sent.map((m) => [m.channel, m.payload])).toEqual([
      ['load:start', { connections: 5 }],
      ['alerts:set', { rules: [] }],
      ['recording:open', { text: 'x' }],
      ['replay:start', { speed: 10 }],
      ['config:set', { ui: { language: 'ko' } }],
    ])
    const seen: string[] = []
    api.onLoadProgress(() => seen.push('progress'))
    api.onLoadFinished(() => seen.push('finished'))
    api.onAlert(() => seen.push('alert'))
    api.onRecordingStatus(() => seen.push('recording'))
    api.onReplayStatus(() => seen.push('replay'))
    for (const event of ['load:progress', 'load:finished', 'alerts:event', 'recording:status', 'replay:status', 'unknown:event']) {
      sockets[0].receive({ event, payload: {} })
    }
    expect(seen).toEqual(['progress', 'finished', 'alert', 'recording', 'replay'])
  })

  it('resolves everything pending on dispose and stops reconnecting', async () => {
    api = make()
    const p = api.status()
    api.dispose()
    const r = await p
    expect(r.ok).toBe(false)
    vi.advanceTimersByTime(60_000)
    expect(sockets).toHaveLength(1)
    const after = await api.status()
    expect(after.ok).toBe(false)
  })
})
