// The load feature: the built-in load generator's runs (load:start/stop/status) and their
// load:progress and load:finished events. A request without host and port is aimed at the running
// server; progress is sampled at the server's sample rate (a sibling of the metrics sampler).
import type { LoadStatus } from '../../src-shared/api'
import type { ChannelHandlers } from '../../src-shared/contract'
import type { LoadRequest } from '../../src-shared/load'
import type { Result } from '../../src-shared/result'
import type { NativeAddon } from '../addon/native-addon'
import { LoadController } from '../service/load-controller'
import type { MonitorService } from '../service/monitor-service'
import type { ServerFeature } from './server-feature'

export class LoadFeature {
  private readonly controller: LoadController

  constructor(
    service: MonitorService,
    addon: NativeAddon,
    server: Pick<ServerFeature, 'currentStatus' | 'sampleHz'>,
    now: () => number,
    /** Where to aim when the built-in server is not running (an attached process's port). */
    otherTarget: () => { host: string; port: number } | null = () => null,
  ) {
    this.controller = new LoadController(new addon.LoadGenerator(), {
      hz: server.sampleHz,
      now,
      defaultTarget: () => {
        const s = server.currentStatus()
        return s.state === 'running' && s.info ? { host: s.info.host, port: s.info.port } : otherTarget()
      },
      onProgress: (p) => service.publish('load:progress', p),
      onFinished: (summary) => service.publish('load:finished', summary),
      onError: (err) => service.warnings.warnOnce('load', `load generator: ${(err as Error)?.message ?? err}`),
    })
  }

  handlers(): Pick<ChannelHandlers, 'load:start' | 'load:stop' | 'load:status'> {
    return {
      'load:start': (req) => this.start(req),
      'load:stop': () => this.stop(),
      'load:status': () => this.status(),
    }
  }

  /** Starts a run; host and port default to the running server's address. */
  start(req: LoadRequest = {}): Promise<Result<LoadStatus>> {
    return this.controller.start(req)
  }

  stop(): Promise<Result<LoadStatus>> {
    return this.controller.stop()
  }

  async status(): Promise<Result<LoadStatus>> {
    return { ok: true, value: this.controller.status() }
  }

  /** Stops a run and refuses new ones. Idempotent. */
  dispose(): Promise<void> {
    return this.controller.dispose()
  }
}
