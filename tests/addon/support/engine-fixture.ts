// One engine per test and the clients it serves: started on a free port, cleaned up after. Shared
// by the Linux addon tests (vitest) and the Windows ones (node:test in Windows Node, which strips
// the types itself: hence only erasable syntax and the `.ts` in the import below).
import type { Socket } from 'node:net'
import type { NativeAddon, NativeEngine } from '../../../src-main/addon/native-addon'
import type { StartInfo } from '../../../src-shared/engine-snapshot'
import { connectTcp, freePort } from './net.ts'

export class EngineFixture {
  private current: NativeEngine | null = null
  private readonly sockets: Socket[] = []
  private readonly addon: Pick<NativeAddon, 'Engine'>
  private readonly defaults: Record<string, unknown>

  /** `defaults` go into every start (e.g. the backend under test), before the test's own fields. */
  constructor(addon: Pick<NativeAddon, 'Engine'>, defaults: Record<string, unknown> = {}) {
    this.addon = addon
    this.defaults = defaults
  }

  /** A new engine on a free 127.0.0.1 port with 2 workers unless `extra` says otherwise. */
  async start(extra: Record<string, unknown> = {}): Promise<{ engine: NativeEngine; port: number; info: StartInfo }> {
    const engine = new this.addon.Engine()
    this.current = engine
    const port = await freePort()
    const info = await engine.start({ host: '127.0.0.1', port, workers: 2, ...this.defaults, ...extra })
    return { engine, port, info }
  }

  /** The engine of the last start(). */
  get engine(): NativeEngine {
    if (!this.current) throw new Error('no engine: call start() first')
    return this.current
  }

  /** A client connected to `port`, destroyed by cleanup(). */
  async client(port: number): Promise<Socket> {
    const s = await connectTcp(port)
    this.sockets.push(s)
    return s
  }

  async cleanup(): Promise<void> {
    for (const s of this.sockets.splice(0)) s.destroy()
    await this.current?.stop()
  }
}
