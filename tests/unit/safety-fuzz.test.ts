// Untrusted input everywhere it can enter main: every handler behind IPC (the router in front of
// each feature's handlers and Electron's own flavours, with the payloads a renderer could send) and the
// WebSocket bridge (random JSON, wrong types, unknown channels, huge and binary frames). Nothing
// may crash, throw or leave an unhandled rejection; every bad message is answered {ok:false};
// and nothing changes: the server stays stopped, no file is written, no replay starts.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ServerStatus } from '../../src-shared/api'
import type { ChannelHandlers, InvokeChannel } from '../../src-shared/contract'
import type { Result } from '../../src-shared/result'
import { BRIDGE_MAX_MESSAGE_BYTES, BRIDGE_MAX_RECORDING_BYTES, BRIDGE_PATH, type BridgeReply } from '../../src-shared/bridge-protocol'
import { DEFAULT_APP_CONFIG, type ConfigState } from '../../src-shared/app-config'
import { INVOKE_CHANNELS, BRIDGE_NO_ID } from '../../src-shared/validate'
import { startDashboardServer, type DashboardServer } from '../../src-main/bridge/dashboard-server'
import { ConfigStore } from '../../src-main/config/config-store'
import { createApp, type App } from '../../src-main/app'
import { silentLogger } from '../../src-main/service/log'
import type { MonitorService } from '../../src-main/service/monitor-service'
import { addon } from '../addon/support/addon'
import { waitFor } from '../addon/support/net'
import { mulberry32 } from './support/prng'

/** Field names the validators know, so random values reach the field checks too. */
const KNOWN_FIELDS = ['host', 'port', 'workers', 'backend', 'sinceMs', 'connections', 'faults', 'rules', 'text', 'speed', 'server', 'sampler', 'alerts', 'ui', 'prometheus', 'version', 'metric', 'threshold']
const NASTY_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '\u0000', 'x'.repeat(1000)]

function fuzzer(seed: number) {
  const rnd = mulberry32(seed)
  const int = (n: number) => Math.floor(rnd() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  const str = (max: number) => Array.from({ length: int(max) }, () => String.fromCharCode(int(0xffff))).join('')
  const value = (depth: number): unknown => {
    switch (int(depth > 3 ? 7 : 10)) {
      case 0: return pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, -0, 65536, 9000, 10])
      case 1: return pick([null, true, false])
      case 2: return str(40)
      case 3: return pick(['', 'all', '>', 'en', 'ko', 'echo', 'iouring', '127.0.0.1', 'NaN', '{"id":1}', 'server:start'])
      case 4: return rnd() * 10 ** int(20)
      case 5: return 'z'.repeat(int(100_000))
      case 6: return pick([[], {}, [null], [[[]]]])
      case 7: return Array.from({ length: int(5) }, () => value(depth + 1))
      default: return object(depth + 1)
    }
  }
  const object = (depth: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {}
    for (let i = int(4); i > 0; i--) o[rnd() < 0.7 ? pick(KNOWN_FIELDS) : pick(NASTY_KEYS)] = value(depth)
    return o
  }
  /** A payload no channel accepts: not an object at all, or an object with an unknown field. */
  const invalidPayload = (): unknown => {
    switch (int(4)) {
      case 0: return pick([null, 0, 1, -1, '', 'garbage', true, false, [], [1, 2], [{}], 1e308])
      case 1: return JSON.parse(`{"__proto__": ${JSON.stringify(value(2)) ?? 'null'}, "port": 9000}`)
      case 2: {
        let deep: unknown = {}
        for (let i = 0; i < 500; i++) deep = [deep]
        return pick([deep, { server: deep, __fuzz: 1 }])
      }
      default: return { ...object(1), [`__fuzz${int(1e6)}`]: value(1) }
    }
  }
  return { rnd, int, pick, str, value, object, invalidPayload }
}

const REJECTED_CODES = ['invalid-message', 'invalid-config']

describe('every handler behind IPC rejects malformed payloads as data', () => {
  let dir: string
  let service: MonitorService
  let ops: App
  const unhandled: unknown[] = []
  const onUnhandled = (e: unknown) => unhandled.push(e)
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iocpm-fuzz-'))
    ops = await createApp({ addon, store: new ConfigStore(join(dir, 'config')), recordingsDir: join(dir, 'rec'), logger: silentLogger })
    service = ops.service
    process.on('unhandledRejection', onUnhandled)
    process.on('uncaughtException', onUnhandled)
  })
  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled)
    process.off('uncaughtException', onUnhandled)
    await ops.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('1,500 random payloads on every method and channel: {ok:false}, no throw, no change', async () => {
    const f = fuzzer(20261126)
    // Each entry is what an Electron handler does with the renderer's payload: the router
    // validates it, then the handler a feature registered, or Electron's own flavour (the export
    // to a file a save dialog chose), answers; the bridge's path is invoke().
    const handlers: ChannelHandlers = { ...ops.server.handlers(), ...ops.load.handlers(), ...ops.config.handlers(), ...ops.alerts.handlers(), ...ops.recording.handlers(), ...ops.sessions.handlers(), ...ops.attach.handlers() }
    type Method = [string, (p: unknown) => Promise<Result<unknown>>]
    const methods: Method[] = [
      ...INVOKE_CHANNELS.map((c): Method => [`handler ${c}`, (p) => service.invokeWith(c, p, handlers[c])]),
      ['exportCsvToFile', (p) => service.invokeWith('export:csv', p, (req) => ops.server.exportCsvToFile(req, join(dir, 'never.csv')))],
      ...INVOKE_CHANNELS.map((c): Method => [`invoke ${c}`, (p) => service.invoke(c, p)]),
    ]
    let calls = 0
    for (let round = 0; round < 1500 / methods.length; round++) {
      for (const [name, call] of methods) {
        const payload = f.invalidPayload()
        let r: Result<unknown>
        try {
          r = await call(payload)
        } catch (err) {
          throw new Error(`${name} threw on ${JSON.stringify(payload)?.slice(0, 200)}: ${err}`)
        }
        calls++
        if (r.ok || !REJECTED_CODES.includes(r.error.code)) {
          throw new Error(`${name} accepted or mis-coded ${JSON.stringify(payload)?.slice(0, 200)}: ${JSON.stringify(r).slice(0, 300)}`)
        }
      }
    }
    // Unknown channels, through the dispatcher the bridge uses.
    for (let i = 0; i < 50; i++) {
      const r = await service.invoke(f.pick(['nope', '', 'metrics:tick', 'alerts:event', f.str(20), '__proto__']) as InvokeChannel, f.value(0))
      expect(r.ok).toBe(false)
    }
    // Recording uploads of random text are refused as invalid recordings.
    for (let i = 0; i < 30; i++) {
      const text = Array.from({ length: f.int(20) + 1 }, () => (f.rnd() < 0.3 ? JSON.stringify(f.object(0)) : f.str(200))).join(f.pick(['\n', '\r\n', '']))
      expect(await ops.recording.openRecording({ text })).toMatchObject({ ok: false, error: { code: 'invalid-recording' } })
    }
    expect(calls).toBeGreaterThanOrEqual(1400)
    expect(unhandled).toEqual([])

    // Nothing changed: still stopped, defaults, no file written, no replay.
    const st = (await ops.server.status()) as { ok: true; value: ServerStatus }
    expect(st.value.state).toBe('stopped')
    const cfg = (await ops.config.getConfig()) as { ok: true; value: ConfigState }
    expect(cfg.value.config).toEqual(DEFAULT_APP_CONFIG)
    expect(existsSync(join(dir, 'config'))).toBe(false)
    expect(existsSync(join(dir, 'rec'))).toBe(false)
    expect(existsSync(join(dir, 'never.csv'))).toBe(false)
    expect(ops.recording.replayStatus().state).toBe('idle')
  })
})

describe('the WebSocket bridge survives hostile clients', () => {
  let dir: string
  let ops: App
  let server: DashboardServer
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iocpm-fuzzws-'))
    ops = await createApp({ addon, store: new ConfigStore(join(dir, 'config')), recordingsDir: join(dir, 'rec'), logger: silentLogger })
    server = await startDashboardServer({ service: ops.service, staticDir: dir, logger: silentLogger })
  })
  afterAll(async () => {
    await server.close()
    await ops.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  function open(): Promise<{ ws: WebSocket; replies: BridgeReply[] }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}${BRIDGE_PATH}?token=${server.token}`)
      const replies: BridgeReply[] = []
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString())
        if (!('event' in m)) replies.push(m)
      })
      ws.once('open', () => resolve({ ws, replies }))
      ws.once('error', reject)
    })
  }

  it('answers every malformed frame with {ok:false}: random JSON, wrong types, unknown channels, bad payloads, large and binary frames', async () => {
    const f = fuzzer(7)
    const { ws, replies } = await open()
    const frames: (string | Buffer)[] = []
    for (let i = 0; i < 600; i++) {
      const id = 10_000 + i
      switch (i % 8) {
        case 0: frames.push(JSON.stringify(f.value(0)) ?? 'null'); break // not a request
        case 1: frames.push(f.str(100)); break // not JSON
        case 2: frames.push(JSON.stringify({ id: f.pick([-5, 1.5, '7', null, [], {}, 2 ** 60]), channel: 'server:status' })); break
        case 3: frames.push(JSON.stringify({ id, channel: f.pick(['nope', 'metrics:tick', 'alerts:event', 'replay:status', '', f.str(10)]), payload: f.value(0) })); break
        case 4: frames.push(JSON.stringify({ id, channel: f.pick(INVOKE_CHANNELS), payload: f.invalidPayload() })); break
        case 5: frames.push(JSON.stringify({ id, channel: 'server:status', extra: f.value(0) })); break
        case 6: frames.push(Buffer.from(f.str(50))); break // binary frame
        default: frames.push(JSON.stringify({ id, channel: f.pick(INVOKE_CHANNELS.filter((c) => c !== 'recording:open')), payload: { pad: 'y'.repeat(BRIDGE_MAX_MESSAGE_BYTES) } })) // over the message limit
      }
    }
    // recording:open may be large (an uploaded recording), but garbage is still refused.
    frames.push(JSON.stringify({ id: 99_999, channel: 'recording:open', payload: { text: 'not a recording\n'.repeat(300_000) } }))
    for (const m of frames) ws.send(m, { binary: Buffer.isBuffer(m) })
    await waitFor(() => replies.length === frames.length, 20_000, 'a reply to every frame')
    const codes = new Set(replies.map((r) => (r.result.ok ? 'OK' : r.result.error.code)))
    expect([...codes].filter((c) => !['invalid-message', 'invalid-config', 'invalid-recording', 'busy'].includes(c))).toEqual([])
    expect(replies.some((r) => r.id === BRIDGE_NO_ID)).toBe(true)
    expect(replies.find((r) => r.id === 99_999)!.result).toMatchObject({ ok: false, error: { code: 'invalid-recording' } })
    ws.close()
  })

  it('a frame over the upload limit closes that client (1009); the server keeps serving and nothing changed', async () => {
    const a = await open()
    const closed = new Promise<number>((r) => a.ws.once('close', (code) => r(code)))
    a.ws.send('x'.repeat(BRIDGE_MAX_RECORDING_BYTES + 1))
    expect(await closed).toBe(1009)
    const b = await open()
    b.ws.send(JSON.stringify({ id: 1, channel: 'server:status' }))
    b.ws.send(JSON.stringify({ id: 2, channel: 'config:get' }))
    await waitFor(() => b.replies.length === 2, 5000, 'two replies')
    const byId = new Map(b.replies.map((r) => [r.id, r.result]))
    expect(byId.get(1)).toMatchObject({ ok: true, value: { state: 'stopped' } })
    expect(byId.get(2)).toMatchObject({ ok: true, value: { config: DEFAULT_APP_CONFIG, notice: null } })
    expect(readdirSync(dir)).toEqual([]) // no config saved, no recording written
    b.ws.close()
  })
})
