// The one composition root: the service and its features, as Electron, `serve` and `ui` use them.
// It owns the order of start-up (config first: it picks the sample rate) and of shutdown (the
// engine stops and emits its final sample before a recording is flushed and /metrics closes).
import type { ConfigStore } from './config/config-store'
import { createFeatures, type FeatureOptions, type Features } from './features'
import { createMonitorService, type MonitorService } from './service/monitor-service'
import type { Logger } from './service/log'

export interface AppOptions extends Omit<FeatureOptions, 'service' | 'loaded' | 'store'> {
  /** The settings file; null = none (serve: the flags are the whole configuration). */
  store: ConfigStore | null
  /** Samples per second; by default the config file's sampler.hz. */
  sampleHz?: number
  logger?: Logger
}

export interface App extends Features {
  readonly service: MonitorService
  /** Stops the engine (joining its threads), then disposes the features. Idempotent. */
  dispose(): Promise<void>
}

export async function createApp(opts: AppOptions): Promise<App> {
  const loaded = opts.store ? await opts.store.load() : undefined
  const service = createMonitorService({ sampleHz: opts.sampleHz ?? loaded?.config.sampler.hz, logger: opts.logger })
  const features = await createFeatures({ ...opts, service, loaded })
  let disposing: Promise<void> | null = null
  return {
    ...features,
    service,
    dispose() {
      disposing ??= service.dispose().then(() => features.dispose())
      return disposing
    },
  }
}
