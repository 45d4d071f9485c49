// The server state machine over the real addon (and, for failure modes the real one cannot be
// made to produce on demand, a scripted engine).
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerState, ServerStatus } from '../../src-shared/api'
import type { NativeEngine } from '../../src-main/addon/native-addon'
import { ServerController } from '../../src-main/service/controller'
import { addon } from '../addon/support/addon'
import { connectTcp, echoRoundTrip, freePort, occupyPort } from '../addon/support/net'

function recorder() {
  const states: ServerState[] = []
  return { states, onStatus: (s: ServerStatus) => states.push(s.state) }
}

describe('ServerController with the real engine', () => {
  const engines: NativeEngine[] = []
  function controller(onStatus?: (s: ServerStatus) => void) {
    const engine = new addon.Engine()
    engines.push(engine)
    return new ServerController(engine, { onStatus })
  }
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()))
  })

  it('goes stopped → starting → running → stopping → stopped', async () => {
    const rec = recorder()
    const c = controller(rec.onStatus)
    expect(c.status()).toMatchObject({ state: 'stopped', config: null, info: null, startedAt: null, lastError: null })
    const port = await freePort()
    const started = await c.start({ port, workers: 2 })
    expect(started.ok).toBe(true)
    if (!started.ok) return
    expect(started.value).toMatchObject({ state: 'running', config: { port, workers: 2, host: '127.0.0.1' }, info: { port, workers: 2 } })
    expect(started.value.startedAt).toBeTypeOf('number')
    const s = await connectTcp(port)
    expect((await echoRoundTrip(s, Buffer.from('hi'))).toString()).toBe('hi')
    s.destroy()
    const stopped = await c.stop()
    expect(stopped.ok && stopped.value.state).toBe('stopped')
    expect(rec.states).toEqual(['starting', 'running', 'stopping', 'stopped'])
  })

  it('a port in use fails with address-in-use / EADDRINUSE and the controller keeps working', async () => {
    const held = await occupyPort()
    const c = controller()
    try {
      const r = await c.start({ port: held.port })
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.error).toMatchObject({ code: 'address-in-use', nativeName: 'EADDRINUSE' })
      expect(r.error.nativeCode).toBeTypeOf('number')
      expect(c.status()).toMatchObject({ state: 'failed', lastError: { code: 'address-in-use' } })
    } finally {
      await held.close()
    }
    const again = await c.start({ port: await freePort() })
    expect(again.ok && again.value.state).toBe('running')
    expect(c.status().lastError).toBeNull()
  })

  it('start twice: the second is refused as already-running, the server keeps running', async () => {
    const c = controller()
    const port = await freePort()
    expect((await c.start({ port })).ok).toBe(true)
    const second = await c.start({ port: await freePort() })
    expect(second.ok).toBe(false)
    if (!second.ok) expect(second.error.code).toBe('already-running')
    expect(c.status()).toMatchObject({ state: 'running', config: { port } })
  })

  it('concurrent starts are serialised: exactly one wins', async () => {
    const c = controller()
    const [a, b] = await Promise.all([c.start({ port: await freePort() }), c.start({ port: await freePort() })])
    expect([a.ok, b.ok].sort()).toEqual([false, true])
    const loser = a.ok ? b : a
    if (!loser.ok) expect(loser.error.code).toBe('already-running')
  })

  it('stop twice (and stop before any start) is safe', async () => {
    const c = controller()
    expect(await c.stop()).toMatchObject({ ok: true, value: { state: 'stopped' } })
    await c.start({ port: await freePort() })
    const [x, y] = await Promise.all([c.stop(), c.stop()])
    expect(x).toMatchObject({ ok: true, value: { state: 'stopped' } })
    expect(y).toMatchObject({ ok: true, value: { state: 'stopped' } })
  })

  it('stop after a failed start returns to stopped and keeps the error', async () => {
    const held = await occupyPort()
    const c = controller()
    await c.start({ port: held.port })
    await held.close()
    const r = await c.stop()
    expect(r).toMatchObject({ ok: true, value: { state: 'stopped', lastError: { code: 'address-in-use' } } })
  })

  it('an invalid config is refused with field errors and no state change', async () => {
    const rec = recorder()
    const c = controller(rec.onStatus)
    const r = await c.start({ port: 0, workers: 1000, backend: 'kqueue' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('invalid-config')
    expect(r.error.fieldErrors?.map((e) => e.field).sort()).toEqual(['backend', 'port', 'workers'])
    expect(rec.states).toEqual([])
  })

  it('status() hands out copies', async () => {
    const c = controller()
    await c.start({ port: await freePort() })
    const s = c.status()
    s.config!.port = 1
    s.info!.features.push('x')
    expect(c.status().config!.port).not.toBe(1)
    expect(c.status().info!.features).not.toContain('x')
  })
})

/** An engine scripted to misbehave in the ways a native addon can. */
function scriptedEngine(behaviour: { start?: () => unknown; stop?: () => unknown; running?: boolean }): NativeEngine {
  return {
    start: () => (behaviour.start ? behaviour.start() : Promise.resolve({ backend: 'epoll', host: '127.0.0.1', port: 1, workers: 1, features: [] })) as never,
    stop: () => (behaviour.stop ? behaviour.stop() : Promise.resolve()) as never,
    snapshot: () => ({ monoNs: 0, running: false, workers: [] }),
    sessions: () => ({ monoNs: 0, sendQueueLimit: 0, live: 0, matched: 0, bytesIn: 0, bytesOut: 0, sendQueue: 0, rows: [] }),
    closeSession: () => false,
    get running() {
      return behaviour.running ?? false
    },
  }
}

describe('ServerController survives addon failures', () => {
  it('a synchronous throw from start becomes a failed Result', async () => {
    const c = new ServerController(
      scriptedEngine({
        start: () => {
          throw new TypeError('bad native state')
        },
      }),
    )
    const r = await c.start({ port: 1 })
    expect(r).toMatchObject({ ok: false, error: { code: 'internal', message: 'bad native state' } })
    expect(c.status().state).toBe('failed')
  })

  it('a rejection with a non-Error value is still an ApiError', async () => {
    const c = new ServerController(scriptedEngine({ start: () => Promise.reject('just a string') }))
    const r = await c.start({ port: 1 })
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } })
  })

  it('a config error from the engine carries the field', async () => {
    const err = Object.assign(new Error('port must be from 1 to 65535'), { code: 'invalid-config', field: 'port' })
    const c = new ServerController(scriptedEngine({ start: () => Promise.reject(err) }))
    const r = await c.start({ port: 1 })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-config', fieldErrors: [{ field: 'port' }] } })
  })

  it('a failing stop reports the engine’s real state', async () => {
    const behaviour = { stop: () => Promise.reject(new Error('join failed')), running: true }
    const c = new ServerController(scriptedEngine(behaviour))
    await c.start({ port: 1 })
    const r = await c.stop()
    expect(r).toMatchObject({ ok: false, error: { message: 'join failed' } })
    expect(c.status().state).toBe('running')
    behaviour.running = false
    const r2 = await c.stop()
    expect(r2.ok).toBe(false)
    expect(c.status().state).toBe('stopped')
  })

  it('a throwing status listener does not wedge the state machine', async () => {
    const c = new ServerController(scriptedEngine({}), {
      onStatus: () => {
        throw new Error('listener bug')
      },
    })
    expect((await c.start({ port: 1 })).ok).toBe(true)
    expect((await c.stop()).ok).toBe(true)
  })
})
