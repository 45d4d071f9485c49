// The one composition root: the router and its features, as Electron, `serve` and `ui` use them.
// createFeatures owns the order of start-up (config first: it picks the sample rate); this file
// owns the order of shutdown (the engine stops and emits its final sample before a recording is
// flushed and /metrics closes).
import { createFeatures, type FeatureOptions, type Features } from './features'
import type { Logger } from './service/log'
import { MonitorService } from './service/monitor-service'

export interface AppOptions extends Omit<FeatureOptions, 'service'> {
  logger?: Logger
}

export interface App extends Features {
  readonly service: MonitorService
  /**
   * Stops the load generator and the engine (joining its threads), then ends a replay, flushes a
   * recording, closes /metrics and detaches the features. Idempotent.
   */
  dispose(): Promise<void>
}

export async function createApp(opts: AppOptions): Promise<App> {
  const service = new MonitorService({ logger: opts.logger })
  const features = await createFeatures({ ...opts, service })
  let disposing: Promise<void> | null = null
  return {
    ...features,
    service,
    dispose() {
      disposing ??= (async () => {
        // The load first: it may be aimed at our own server, which is about to go away.
        await features.load.dispose()
        // An attached process's final sample goes to the recording like the engine's does.
        features.attach.dispose()
        // Stopping a running server emits its final sample, which a recording in progress must
        // still get before its file is closed.
        await features.server.dispose()
        await features.recording.dispose()
        await features.metrics.stopMetrics()
        features.detach()
      })()
      return disposing
    },
  }
}
