// The feature modules, each answering its own channels of the contract and publishing its own
// events through the one MonitorService (the router and event bus): server (the engine, its
// samples, history and CSV export), load (the load generator), config, alerts, recording and
// replay, metrics export, sessions, attach (another process as the sampled source). createFeatures builds them in order (config first: it picks the sample
// rate), registers their handlers and listeners; src-main/app.ts owns their dispose order.
import type { ServerStatus } from '../../src-shared/api'
import type { ChannelHandlers, InvokeChannel } from '../../src-shared/contract'
import type { MetricsTick } from '../../src-shared/metrics'
import { loadAddon } from '../addon/load-addon'
import type { NativeAddon } from '../addon/native-addon'
import type { ConfigStore } from '../config/config-store'
import type { MonitorService } from '../service/monitor-service'
import { AlertsFeature } from './alerts-feature'
import { AttachFeature } from './attach-feature'
import { ConfigFeature } from './config-feature'
import { LoadFeature } from './load-feature'
import { MetricsExportFeature } from './metrics-feature'
import { RecordingFeature } from './recording-feature'
import { ServerFeature } from './server-feature'
import { SessionsFeature } from './sessions-feature'

export interface FeatureOptions {
  service: MonitorService
  /** The loaded addon; by default the real one. */
  addon?: NativeAddon
  /** Where the config is kept; null/absent = in memory only (CLI serve, tests). */
  store?: ConfigStore | null
  /** Samples per second, 1–100; by default the config's sampler.hz. */
  sampleHz?: number
  /** Ticks kept in memory (default one hour at 10 Hz). */
  historyCapacity?: number
  /** Where recording:start writes when no path is given (the browser bridge). */
  recordingsDir?: string | null
  /** Start the /metrics endpoint as config.prometheus says (default true). */
  applyPrometheusConfig?: boolean
  /** Interface of the /metrics endpoint (loopback by default). */
  metricsHost?: string
  /** Probe discovery interval in ms (default 1 s); 0 = only when asked. */
  probePollMs?: number
  now?: () => number
}

export interface Features {
  readonly server: ServerFeature
  readonly load: LoadFeature
  readonly config: ConfigFeature
  readonly alerts: AlertsFeature
  readonly recording: RecordingFeature
  readonly metrics: MetricsExportFeature
  readonly sessions: SessionsFeature
  readonly attach: AttachFeature
  /** Unregisters every handler and listener (the channels then answer "unavailable"). */
  detach(): void
}

export async function createFeatures(opts: FeatureOptions): Promise<Features> {
  const { service } = opts
  const { logger } = service
  const now = opts.now ?? Date.now
  const addon = opts.addon ?? loadAddon()
  const config = await ConfigFeature.load(opts.store ?? null)
  if (config.loaded.notice) logger.warn(`config: ${config.loaded.notice.message}`)
  const server = new ServerFeature(service, addon, { sampleHz: opts.sampleHz ?? config.current().sampler.hz, historyCapacity: opts.historyCapacity, now })
  const attach = new AttachFeature(service, addon, server, { now, pollMs: opts.probePollMs })
  // Without a host and port, the load generator aims at the running built-in server, else at the
  // attached process's port (when its probe told it).
  const load = new LoadFeature(service, addon, server, now, () => attach.loadTarget())
  const alerts = new AlertsFeature(service, server, config, logger, now)
  const recording = new RecordingFeature(service, server, alerts, config, opts.recordingsDir ?? null, logger, now)
  const metrics = new MetricsExportFeature(server, config, opts.metricsHost, logger)
  const sessions = new SessionsFeature(server.sessionSource(), now, () =>
    attach.status().state === 'attached' ? 'an attached process publishes counters only: the session table is the built-in server\'s' : null,
  )
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
  const handlers: ChannelHandlers = { ...server.handlers(), ...load.handlers(), ...config.handlers(), ...alerts.handlers(), ...recording.handlers(), ...sessions.handlers(), ...attach.handlers() }
  const unhandle = (Object.keys(handlers) as InvokeChannel[]).map((channel) => service.handle(channel, handlers[channel]))
  if (opts.applyPrometheusConfig !== false) await metrics.apply()

  return {
    server,
    load,
    config,
    alerts,
    recording,
    metrics,
    sessions,
    attach,
    detach() {
      service.off('metrics:tick', onTick)
      service.off('server:status-changed', onStatus)
      for (const off of unhandle) off()
    },
  }
}
