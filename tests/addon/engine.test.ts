// The native engine over real sockets on 127.0.0.1, once per Linux backend (io_uring once per
// receive model): echo correctness, exact byte accounting, stop with open connections, config
// errors naming the field.
import { randomBytes } from 'node:crypto'
import { release } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineSnapshot } from '../../src-shared/engine-snapshot'
import { addon, backendUnavailable } from './support/addon'
import { INVALID_CONFIGS, startError } from './support/config-errors'
import { EngineFixture } from './support/engine-fixture'
import { closed, echoRoundTrip, freePort, readExactly, waitFor } from './support/net'

// Multishot recv arrived in Linux 6.0; before it the default iouringRecv runs single-shot.
// Direct descriptors run on 6.13+ (the ring's file table); before, ordinary ones, and it says so.
const [kernelMajor = 0, kernelMinor = 0] = release().split('.').map(Number)
const MULTISHOT_RECV = kernelMajor >= 6 ? 'multishot-recv+provided-buffers' : 'single-recv'
const DIRECT = kernelMajor > 6 || (kernelMajor === 6 && kernelMinor >= 13) ? 'direct-descriptors' : 'direct-descriptors-unavailable:fd-sockets'

// Every scenario below runs once per case. `recv` is the receive feature the start result reports,
// `sockets` the direct-descriptor feature (null: none).
const CASES = [
  { name: 'the iouring backend', config: { backend: 'iouring' }, recv: MULTISHOT_RECV, sockets: null },
  { name: 'the iouring backend and single-shot recv', config: { backend: 'iouring', iouringRecv: 'single' }, recv: 'single-recv', sockets: null },
  { name: 'the iouring backend and direct descriptors', config: { backend: 'iouring', iouringSockets: 'direct' }, recv: MULTISHOT_RECV, sockets: DIRECT },
  { name: 'the epoll backend', config: { backend: 'epoll' }, recv: null, sockets: null },
] as const

const sum = (s: EngineSnapshot, key: 'bytesIn' | 'bytesOut' | 'sessions') => s.workers.reduce((n, w) => n + w[key], 0)

for (const { name, config, recv, sockets } of CASES) {
  const { backend } = config
  const unavailable = await backendUnavailable(backend)
  if (unavailable) console.log(`addon tests with ${name} skipped: ${unavailable}`)

  describe.skipIf(unavailable !== null)(`engine with ${name}`, () => {
    const fx = new EngineFixture(addon, config)
    afterEach(() => fx.cleanup())

    it('reports the backend it was asked for, and the receive model it runs', async () => {
      const { info, port } = await fx.start()
      expect(info.backend).toBe(backend)
      expect(info.port).toBe(port)
      expect(info.workers).toBe(2)
      expect(fx.engine.running).toBe(true)
      expect(fx.engine.snapshot().workers).toHaveLength(2)
      const recvFeatures = info.features.filter((f) => f.includes('recv'))
      expect(recvFeatures).toEqual(recv ? [recv] : [])
      expect(info.features.filter((f) => f.includes('direct'))).toEqual(sockets ? [sockets] : [])
    })

    it('accepts the other backends’ options and ignores them', async () => {
      // iouringRecv shapes the io_uring backend only, so epoll gets it here too.
      const others = { iocpPortLayout: 'shared', iocpDequeue: 'gqcs', iocpAcceptPool: 1, ...(backend === 'epoll' ? { iouringRecv: 'single', iouringSockets: 'direct' } : {}) }
      const { info, port } = await fx.start(others)
      expect(info.backend).toBe(backend)
      for (const otherFeature of ['shared-port', 'dequeue-single', 'acceptex-pool', 'single-recv', 'direct-descriptors']) {
        if (otherFeature !== recv && otherFeature !== sockets) expect(info.features).not.toContain(otherFeature)
      }
      const s = await fx.client(port)
      const data = randomBytes(1000)
      expect((await echoRoundTrip(s, data)).equals(data)).toBe(true)
    })

    it('echoes every byte back unchanged, over many connections and sizes', async () => {
      const { port } = await fx.start()
      const conns = await Promise.all(Array.from({ length: 8 }, () => fx.client(port)))
      await Promise.all(
        conns.map(async (s, i) => {
          for (const size of [1, 100, 4096, 65_537, 300_000 + i]) {
            const payload = randomBytes(size)
            const reply = await echoRoundTrip(s, payload)
            expect(reply.equals(payload)).toBe(true)
          }
        }),
      )
    })

    it('counts exactly the bytes sent and received, summed over workers', async () => {
      const { port } = await fx.start()
      let sent = 0
      let received = 0
      const conns = await Promise.all(Array.from({ length: 6 }, () => fx.client(port)))
      await Promise.all(
        conns.map(async (s, i) => {
          for (let k = 0; k < 5; k++) {
            const payload = randomBytes(1000 * (i + 1) + k * 777)
            sent += payload.length
            const reply = await echoRoundTrip(s, payload)
            received += reply.length
          }
        }),
      )
      expect(received).toBe(sent)
      // A send is counted when its completion is handled, which can trail the peer's receipt.
      await waitFor(() => sum(fx.engine.snapshot(), 'bytesOut') === received, 5000, 'bytesOut to settle')
      const live = fx.engine.snapshot()
      expect(sum(live, 'bytesIn')).toBe(sent)
      expect(sum(live, 'sessions')).toBe(6)
      await fx.engine.stop()
      const final = fx.engine.snapshot()
      expect(final.running).toBe(false)
      expect(sum(final, 'bytesIn')).toBe(sent)
      expect(sum(final, 'bytesOut')).toBe(received)
    })

    it('discards input with the discard workload (nothing sent back)', async () => {
      const { port } = await fx.start({ workload: 'discard' })
      const s = await fx.client(port)
      s.write(randomBytes(50_000))
      await waitFor(() => sum(fx.engine.snapshot(), 'bytesIn') === 50_000, 5000, 'bytesIn')
      expect(sum(fx.engine.snapshot(), 'bytesOut')).toBe(0)
    })

    it('stops with connections open: clients see the close and stop resolves', async () => {
      const { port } = await fx.start()
      const conns = await Promise.all(Array.from({ length: 5 }, () => fx.client(port)))
      // Make sure every connection was accepted and is mid-conversation.
      await Promise.all(conns.map((s) => echoRoundTrip(s, Buffer.from('ping'))))
      const allClosed = Promise.all(conns.map((s) => closed(s)))
      const t0 = Date.now()
      await fx.engine.stop()
      expect(Date.now() - t0).toBeLessThan(5000)
      await allClosed
      expect(fx.engine.running).toBe(false)
      expect(sum(fx.engine.snapshot(), 'sessions')).toBe(0)
      await fx.engine.stop() // a second stop is a no-op
    })

    it('frees the port on stop so it can start again on it', async () => {
      const { port } = await fx.start()
      await fx.engine.stop()
      await fx.engine.start({ host: '127.0.0.1', port, workers: 1, ...config })
      const s = await fx.client(port)
      const reply = await echoRoundTrip(s, Buffer.from('again'))
      expect(reply.toString()).toBe('again')
    })

    it('does not leak one connection’s bytes into another', async () => {
      const { port } = await fx.start()
      const [a, b] = await Promise.all([fx.client(port), fx.client(port)])
      const pa = Buffer.alloc(20_000, 'a')
      const pb = Buffer.alloc(20_000, 'b')
      const [ra, rb] = await Promise.all([readExactly(a, pa.length), readExactly(b, pb.length), a.write(pa), b.write(pb)])
      expect(ra.equals(pa)).toBe(true)
      expect(rb.equals(pb)).toBe(true)
    })
  })
}

describe('engine config errors', () => {
  const engine = new addon.Engine()

  it.each(INVALID_CONFIGS)('%o is rejected as invalid-config naming %s', async (config, field) => {
    const e = await startError(engine, config)
    expect(e.code).toBe('invalid-config')
    expect(e.field).toBe(field)
    expect(e.message).toContain(field)
    expect(engine.running).toBe(false)
  })

  it('rejects a wrongly typed field with invalid-config and a message naming it', async () => {
    const e = await startError(engine, { port: 'nine thousand' })
    expect(e.code).toBe('invalid-config')
    expect(e.message).toContain('port')
  })

  it('reports a port in use as address-in-use with the native errno', async () => {
    const other = new addon.Engine()
    const port = await freePort()
    await other.start({ host: '127.0.0.1', port, workers: 1 })
    try {
      const e = await startError(engine, { host: '127.0.0.1', port, workers: 1 })
      expect(e.code).toBe('address-in-use')
      expect(e.nativeName).toBe('EADDRINUSE')
      expect(typeof e.nativeCode).toBe('number')
      expect(e.syscall).toBe('bind')
    } finally {
      await other.stop()
    }
  })
})
