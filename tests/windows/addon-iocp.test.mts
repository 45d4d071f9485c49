// The addon's own tests for the IOCP backend, run by the official Windows Node under Wine
// (tests/windows/run-windows-node-tests.mjs): the Windows build of the addon (npm run build:win),
// loaded by the compiled product code (dist-cli), on real completion ports, over real sockets.
// Node's own test runner (node:test) because vitest's Linux-native toolchain cannot load in
// Windows Node; Node strips the types itself, so the socket helpers are shared with the Linux
// addon tests (../addon/support/net.ts).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { after, afterEach, describe, it } from 'node:test'
import type { EngineSnapshot } from '../../src-shared/engine-snapshot'
import { INVALID_CONFIGS, startError } from '../addon/support/config-errors.ts'
import { EngineFixture } from '../addon/support/engine-fixture.ts'
import { closed, connectTcp, echoRoundTrip, freePort, occupyPort, waitFor } from '../addon/support/net.ts'

// The product's own loader, compiled as the CLI runs it (IOCP_MONITOR_ADDON names the .node).
const require = createRequire(import.meta.url)
const { loadAddon } = require('../../dist-cli/src-main/addon/load-addon.js') as typeof import('../../src-main/addon/load-addon')
const addon = loadAddon()

const sum = (s: EngineSnapshot, key: 'bytesIn' | 'bytesOut' | 'sessions' | 'accepts' | 'closes') => s.workers.reduce((n, w) => n + w[key], 0)

describe('iocp engine on Windows Node', () => {
  const fx = new EngineFixture(addon)
  afterEach(() => fx.cleanup())

  it('runs on win32 and auto picks iocp', async () => {
    assert.equal(process.platform, 'win32')
    const { info, port } = await fx.start({ backend: 'auto' })
    assert.equal(info.backend, 'iocp')
    assert.equal(info.port, port)
    assert.equal(info.fallbackReason, undefined)
    assert.ok(info.features.includes('acceptex-pool'), info.features.join(','))
    assert.ok(info.features.includes('queue-depth-ntquery'), 'NtQueryIoCompletion found in ntdll')
    assert.equal(fx.engine.running, true)
  })

  it('snapshot has every field for every worker', async () => {
    const { port } = await fx.start({ backend: 'iocp', workers: 3 })
    const s = await fx.client(port)
    await echoRoundTrip(s, Buffer.from('hello'))
    const snap = fx.engine.snapshot()
    assert.equal(snap.running, true)
    assert.equal(typeof snap.monoNs, 'number')
    assert.equal(snap.workers.length, 3)
    snap.workers.forEach((w, i) => {
      assert.equal(w.worker, i)
      for (const k of ['queueDepth', 'completions', 'accepts', 'closes', 'sessions', 'bytesIn', 'bytesOut', 'busyNs'] as const) {
        assert.equal(typeof w[k], 'number', `worker ${i} ${k}`)
        assert.ok(w[k] >= 0, `worker ${i} ${k} = ${w[k]}`)
      }
      for (const k of ['accept', 'recv', 'send'] as const) assert.equal(typeof w.inflight[k], 'number')
      assert.ok(Array.isArray(w.errors))
    })
    // AcceptEx calls stay posted (all charged to worker 0), one receive is armed for the client.
    assert.ok(snap.workers[0]!.inflight.accept > 0)
    assert.equal(snap.workers.reduce((n, w) => n + w.inflight.recv, 0), 1)
    assert.equal(sum(snap, 'sessions'), 1)
    // The packed fast path decodes to the same counters.
    assert.equal(fx.engine.snapshotPacked?.().counters.length, 3 * 12)
  })

  for (const [iocpPortLayout, iocpDequeue] of [['perWorker', 'gqcsex'], ['perWorker', 'gqcs'], ['shared', 'gqcsex'], ['shared', 'gqcs']] as const) {
    it(`echoes every byte and counts it exactly (${iocpPortLayout}, ${iocpDequeue})`, async () => {
      const { port, info } = await fx.start({ backend: 'iocp', iocpPortLayout, iocpDequeue })
      assert.ok(info.features.includes(iocpPortLayout === 'perWorker' ? 'port-per-worker' : 'shared-port'), info.features.join(','))
      assert.ok(info.features.includes(iocpDequeue === 'gqcsex' ? 'dequeue-batch' : 'dequeue-single'), info.features.join(','))
      const conns = await Promise.all(Array.from({ length: 8 }, () => fx.client(port)))
      let sent = 0
      await Promise.all(
        conns.map(async (s, i) => {
          for (const size of [1, 100, 4096, 65_537, 200_000 + i]) {
            const payload = randomBytes(size)
            sent += size
            const reply = await echoRoundTrip(s, payload)
            assert.ok(reply.equals(payload), `connection ${i}, ${size} bytes echoed unchanged`)
          }
        }),
      )
      assert.equal(sum(fx.engine.snapshot(), 'bytesIn'), sent)
      // A send is counted when its completion is dequeued, which can trail the client's receipt.
      await waitFor(() => sum(fx.engine.snapshot(), 'bytesOut') === sent, 5_000, `bytesOut = ${sent}`)
      assert.equal(sum(fx.engine.snapshot(), 'accepts'), 8)
    })
  }

  it('accepts the io_uring receive model and ignores it (it shapes the io_uring backend only)', async () => {
    const { port, info } = await fx.start({ backend: 'iocp', iouringRecv: 'single' })
    assert.ok(!info.features.some((f) => f.includes('recv')), info.features.join(','))
    const s = await fx.client(port)
    const payload = randomBytes(10_000)
    assert.ok((await echoRoundTrip(s, payload)).equals(payload))
  })

  it('discards input with the discard workload', async () => {
    const { port } = await fx.start({ backend: 'iocp', workload: 'discard' })
    const s = await fx.client(port)
    let echoed = 0
    s.on('data', (d: Buffer) => (echoed += d.length))
    s.write(randomBytes(50_000))
    await waitFor(() => sum(fx.engine.snapshot(), 'bytesIn') === 50_000, 5_000, 'bytesIn = 50000')
    await new Promise((r) => setTimeout(r, 100))
    assert.equal(echoed, 0)
    assert.equal(sum(fx.engine.snapshot(), 'bytesOut'), 0)
  })

  it('stops with 50 connections open: stop resolves, clients see the close, sessions are freed', async () => {
    const { port } = await fx.start({ backend: 'iocp' })
    const conns = await Promise.all(Array.from({ length: 50 }, () => fx.client(port)))
    await Promise.all(conns.map((s) => echoRoundTrip(s, Buffer.from('x'))))
    assert.equal(sum(fx.engine.snapshot(), 'sessions'), 50)
    const t0 = Date.now()
    await fx.engine.stop()
    const stopMs = Date.now() - t0
    assert.ok(stopMs < 5_000, `stop took ${stopMs} ms`)
    await Promise.all(conns.map((s) => closed(s)))
    const snap = fx.engine.snapshot()
    assert.equal(snap.running, false)
    assert.equal(sum(snap, 'sessions'), 0)
    assert.equal(sum(snap, 'closes'), 50)
  })

  it('frees the port on stop so it can start again on it', async () => {
    const { port } = await fx.start({ backend: 'iocp' })
    await fx.engine.stop()
    const again = new addon.Engine()
    const info = await again.start({ host: '127.0.0.1', port, workers: 1, backend: 'iocp' })
    assert.equal(info.port, port)
    await again.stop()
  })

  it('counts a peer reset under its portable name', async () => {
    const { port } = await fx.start({ backend: 'iocp' })
    const conns = await Promise.all(Array.from({ length: 5 }, () => fx.client(port)))
    await Promise.all(conns.map((s) => echoRoundTrip(s, Buffer.from('ping'))))
    // The client has its echo before the server has handled the send's completion and re-armed
    // its receive; wait for that, so each RST meets exactly one pending WSARecv.
    const inflight = (k: 'recv' | 'send') => fx.engine.snapshot().workers.reduce((n, w) => n + w.inflight[k], 0)
    await waitFor(() => inflight('recv') === 5 && inflight('send') === 0, 5_000, 'five receives pending, no send')
    // RST while the server's WSARecv is pending: the receive completes with an error.
    for (const s of conns) s.resetAndDestroy()
    await waitFor(() => sum(fx.engine.snapshot(), 'sessions') === 0, 5_000, 'sessions closed')
    const errors = fx.engine.snapshot().workers.flatMap((w) => w.errors)
    const reset = errors.filter((e) => e.name === 'connection-reset')
    assert.ok(reset.length > 0, `errors: ${JSON.stringify(errors)}`)
    for (const e of reset) {
      assert.ok(e.nativeName.length > 0)
      assert.ok(e.count > 0)
    }
    assert.equal(reset.reduce((n, e) => n + e.count, 0), 5, `one reset per connection: ${JSON.stringify(errors)}`)
  })

  it('drives the engine with the Windows load generator (ConnectEx, overlapped I/O): 0 mismatched bytes', async () => {
    const { port } = await fx.start({ backend: 'iocp' })
    const gen = new addon.LoadGenerator()
    const run = gen.start({ host: '127.0.0.1', port, connections: 100, messageSize: 256, pipeline: 4, durationMs: 1_500, threads: 1, expectEcho: true })
    // Meanwhile, the queue depth NtQueryIoCompletion reports: completions queued on a worker's
    // port and not yet dequeued. Under this load some sample must catch a backlog.
    let maxDepth = 0
    let done = false
    run.finally(() => (done = true)).catch(() => undefined)
    while (!done) {
      for (const w of fx.engine.snapshot().workers) maxDepth = Math.max(maxDepth, w.queueDepth)
      await new Promise((r) => setTimeout(r, 2))
    }
    const result = await run
    assert.ok(maxDepth > 0, `queue depth stayed 0 under load`)
    assert.equal(result.mismatchedBytes, 0)
    assert.equal(result.connectsOk, 100)
    assert.ok(result.msgsEchoed > 100, `echoed ${result.msgsEchoed}`)
    assert.equal(result.bytesReceived, result.bytesSent)
    assert.equal(sum(fx.engine.snapshot(), 'bytesIn'), result.bytesSent)
  })
})

describe('iocp config errors on Windows Node', () => {
  const engine = new addon.Engine()
  after(() => engine.stop())

  for (const [config, field] of INVALID_CONFIGS) {
    it(`${JSON.stringify(config)} is rejected as invalid-config naming ${field}`, async () => {
      const e = await startError(engine, { backend: 'iocp', ...config })
      assert.equal(e.code, 'invalid-config')
      assert.equal(e.field, field)
      assert.match(e.message, new RegExp(field))
      assert.equal(engine.running, false)
    })
  }

  it('names the Linux backends as not supported here', async () => {
    for (const backend of ['iouring', 'epoll']) {
      const e = await startError(engine, { backend, port: await freePort() })
      assert.equal(e.code, 'not-supported')
      assert.match(e.message, /only available on Linux/)
    }
  })

  it('reports a port in use as address-in-use with the WSA code', async () => {
    const held = await occupyPort()
    try {
      const e = await startError(engine, { backend: 'iocp', host: '127.0.0.1', port: held.port, workers: 1 })
      assert.equal(e.code, 'address-in-use')
      assert.equal(e.nativeCode, 10048)
      assert.equal(e.nativeName, 'WSAEADDRINUSE')
      assert.equal(e.syscall, 'bind')
    } finally {
      await held.close()
    }
  })
})

describe('error catalog on Windows Node', () => {
  it('is the same catalog, in the same order, as the Linux build', () => {
    const win = addon.errorCatalog()
    assert.ok(win.length > 20)
    for (const e of win) {
      assert.match(e.name, /^[a-z-]+$/)
      assert.ok(e.en.length > 0 && e.ko.length > 0, e.name)
    }
    // The runner writes the Linux addon's catalog here, so the two builds are compared.
    const linuxFile = process.env.IOCPM_LINUX_CATALOG
    assert.ok(linuxFile, 'IOCPM_LINUX_CATALOG is set by the runner')
    assert.deepEqual(win, JSON.parse(readFileSync(linuxFile, 'utf8')))
  })
})

describe('threads and handles on Windows Node', () => {
  it('are back to the baseline after every start/traffic/stop cycle', async () => {
    const engine = new addon.Engine()
    const cycle = async () => {
      const port = await freePort()
      await engine.start({ host: '127.0.0.1', port, workers: 4, backend: 'iocp' })
      const conns = await Promise.all(Array.from({ length: 20 }, () => connectTcp(port)))
      await Promise.all(conns.map((s) => echoRoundTrip(s, randomBytes(1000))))
      const during = addon.processResources()
      await engine.stop()
      await Promise.all(conns.map((s) => closed(s)))
      for (const s of conns) s.destroy()
      await new Promise((r) => setTimeout(r, 50))
      return during
    }
    // Node releases its client sockets' handles asynchronously, a few ms after 'close': read the
    // counts once they have stopped falling (the same reading three times, 20 ms apart).
    const settled = async () => {
      let last = addon.processResources()
      for (let same = 0, tries = 0; same < 3 && tries < 100; tries++) {
        await new Promise((r) => setTimeout(r, 20))
        const now = addon.processResources()
        same = now.threads === last.threads && now.handles === last.handles ? same + 1 : 0
        last = now
      }
      return last
    }
    // The first cycle warms up what lives for the process (libuv's thread pool, Winsock).
    await cycle()
    const baseline = await settled()
    assert.ok(baseline.threads > 0 && baseline.handles > 0, JSON.stringify(baseline))
    for (let i = 0; i < 3; i++) {
      const during = await cycle()
      assert.ok(during.threads >= baseline.threads + 4, `4 workers running: ${JSON.stringify(during)} vs ${JSON.stringify(baseline)}`)
      assert.ok(during.handles > baseline.handles, 'ports, sockets and threads are handles')
      // Every worker joined; not one handle more than before (a leak would only ever add).
      const after = await settled()
      assert.equal(after.threads, baseline.threads, `threads after cycle ${i + 1}`)
      assert.ok(after.handles <= baseline.handles, `handles after cycle ${i + 1}: ${after.handles} > ${baseline.handles}`)
    }
  })
})
