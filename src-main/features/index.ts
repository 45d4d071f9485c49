// The feature modules over one MonitorService (which serves the server and load channels itself
// and routes every other channel to the handler a feature registered): config, alerts, recording
// and replay, metrics export. createFeatures builds them, registers their handlers and listeners
// and owns their dispose order; src-main/app.ts adds the service around them.
import type { ServerStatus } from '../../src-shared/api'
import type { ChannelHandlers, InvokeChannel } from '../../src-shared/contract'
import type { MetricsTick } from '../../src-shared/metrics'
import type { ConfigStore, LoadedConfig } from '../config/config-store'
import { consoleLogger, type Logger } from '../service/log'
import type { MonitorService } from '../service/monitor-service'
import { AlertsFeature } from './alerts-feature'
import { ConfigFeature } from './config-feature'
import { MetricsExportFeature } from './metrics-feature'
import { RecordingFeature } from './recording-feature'

export interface FeatureOptions {
  service: MonitorService
  /** Where the config is kept; null/absent = in memory only (CLI serve, tests). */
  store?: ConfigStore | null
  /** The store's load() result when the caller already needed it (to pick the sample rate). */
  loaded?: LoadedConfig
  /** Where recording:start writes when no path is given (the browser bridge). */
  recordingsDir?: string | null
  /** Start the /metrics endpoint as config.prometheus says (default true). */
  applyPrometheusConfig?: boolean
  /** Interface of the /metrics endpoint (loopback by default). */
  metricsHost?: string
  logger?: Logger
  now?: () => number
}

export interface Features {
  readonly config: ConfigFeature
  readonly alerts: AlertsFeature
  readonly recording: RecordingFeature
  readonly metrics: MetricsExportFeature
  /**
   * Ends a replay, flushes a recording, closes /metrics and detaches from the service (whose
   * channels then answer "unavailable"). Idempotent. Call it after the service's dispose(), so a
   * recording still gets the final sample of a server that was running.
   */
  dispose(): Promise<void>
}

export async function createFeatures(opts: FeatureOptions): Promise<Features> {
  const { service } = opts
  const logger = opts.logger ?? consoleLogger
  const now = opts.now ?? Date.now
  const config = await ConfigFeature.load(service, opts.store ?? null, opts.loaded)
  if (config.loaded.notice) logger.warn(`config: ${config.loaded.notice.message}`)
  const alerts = new AlertsFeature(service, config, logger, now)
  const recording = new RecordingFeature(service, alerts, opts.recordingsDir ?? null, logger, now)
  const metrics = new MetricsExportFeature(service, config, opts.metricsHost, logger)
  config.setHooks({
    applied: async (patch) => {
      if (patch.alerts) alerts.applyRules()
      if (patch.prometheus) await metrics.apply()
    },
    metricsState: () => metrics.state(),
  })

  // Each tick: recorded and exported (when live), then the alert rules (on live and replayed).
  const onTick = (tick: MetricsTick) => {
    if (!recording.replaying) metrics.tick(tick)
    recording.tick(tick)
    alerts.tick(tick)
  }
  const onStatus = (status: ServerStatus) => {
    recording.status(status)
    alerts.status(status)
  }
  service.on('metrics:tick', onTick)
  service.on('server:status-changed', onStatus)
  const handlers: Partial<ChannelHandlers> = { ...config.handlers(), ...alerts.handlers(), ...recording.handlers() }
  const unhandle = Object.entries(handlers).map(([channel, handler]) => service.handle(channel as InvokeChannel, handler))
  if (opts.applyPrometheusConfig !== false) await metrics.apply()

  let disposing: Promise<void> | null = null
  return {
    config,
    alerts,
    recording,
    metrics,
    dispose() {
      disposing ??= (async () => {
        await recording.dispose()
        await metrics.stopMetrics()
        service.off('metrics:tick', onTick)
        service.off('server:status-changed', onStatus)
        for (const off of unhandle) off()
      })()
      return disposing
    },
  }
}
