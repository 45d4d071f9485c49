// The sampler's packed snapshot must decode to exactly what snapshot() returns, errors included.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { loadAddon } from '../../src-main/addon/load-addon'
import { decodeSnapshot } from '../../src-main/addon/snapshot-decode'

const freePort = () => new Promise<number>((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)) }) })

describe('snapshotPacked', () => {
  it('decodes to the same counters and errors as snapshot()', async () => {
    const { Engine } = loadAddon()
    const engine = new Engine()
    const port = await freePort()
    await engine.start({ port, workers: 4 })
    // Traffic plus abortive closes, so counters and an error row are non-zero.
    for (let i = 0; i < 6; i++) {
      await new Promise<void>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(Buffer.alloc(64 * 1024, i)))
        s.once('data', () => { s.resetAndDestroy(); resolve() })
      })
    }
    await new Promise((r) => setTimeout(r, 200))
    await engine.stop() // frozen totals: both reads see the same numbers
    const plain = engine.snapshot()
    const decoded = decodeSnapshot(engine.snapshotPacked!())
    expect(decoded.workers.length).toBe(4)
    expect(decoded.workers.reduce((a, w) => a + w.bytesIn, 0)).toBeGreaterThan(0)
    expect({ ...decoded, monoNs: 0 }).toEqual({ ...plain, monoNs: 0 })
  })
})
