// The metrics-export feature: the Prometheus /metrics endpoint (on 127.0.0.1 unless told
// otherwise), configured through config:set or a CLI flag; it has no channel of its own.
import type { ConfigState } from '../../src-shared/app-config'
import type { MetricsTick } from '../../src-shared/metrics'
import type { ApiError, Result } from '../../src-shared/result'
import { PrometheusExporter, startMetricsServer, type MetricsHttpServer } from '../metrics-export/prometheus'
import type { Logger } from '../service/log'
import { SerialQueue } from '../service/serial-queue'
import type { ConfigFeature } from './config-feature'
import type { ServerFeature } from './server-feature'

/** Socket errors of the /metrics listener as portable names (as the engine reports its own). */
function listenError(err: unknown, port: number): ApiError {
  const e = err as NodeJS.ErrnoException
  const code = e.code === 'EADDRINUSE' ? 'address-in-use' : e.code === 'EACCES' ? 'permission-denied' : 'metrics-failed'
  return { code, message: `cannot serve /metrics on port ${port}: ${e.message}`, ...(e.code ? { nativeName: e.code } : {}) }
}

export class MetricsExportFeature {
  readonly exporter: PrometheusExporter
  private metrics: MetricsHttpServer | null = null
  private metricsError: ApiError | null = null
  /** Endpoint changes one at a time (two quick config:set calls must not race for the port). */
  private readonly metricsQueue = new SerialQueue()
  /** The newest live tick (a replay's ticks are not this server's metrics). */
  private lastLive: MetricsTick | undefined

  constructor(
    server: Pick<ServerFeature, 'engineSnapshot' | 'sampling'>,
    private readonly config: ConfigFeature,
    private readonly host: string | undefined,
    private readonly logger: Logger,
  ) {
    this.exporter = new PrometheusExporter({
      snapshot: () => server.engineSnapshot(),
      lastTick: () => this.lastLive,
      // Up while a source is sampled: the built-in server running or a live attached process.
      serverUp: () => server.sampling(),
    })
  }

  /** A live tick (the caller leaves out replayed ones). */
  tick(tick: MetricsTick): void {
    this.lastLive = tick
  }

  state(): ConfigState['metrics'] {
    return { url: this.metrics?.url ?? null, error: this.metricsError && { ...this.metricsError } }
  }

  /** Serves /metrics on `port` (0 = a free port), replacing any endpoint already open. */
  startMetrics(port: number): Promise<Result<string>> {
    return this.metricsQueue.run(async () => {
      await this.closeMetrics()
      try {
        this.metrics = await startMetricsServer({ exporter: this.exporter, port, host: this.host, logger: this.logger })
        this.metricsError = null
        return { ok: true as const, value: this.metrics.url }
      } catch (err) {
        this.metricsError = listenError(err, port)
        this.logger.error(this.metricsError.message)
        return { ok: false as const, error: { ...this.metricsError } }
      }
    })
  }

  stopMetrics(): Promise<void> {
    return this.metricsQueue.run(() => this.closeMetrics())
  }

  /** Opens, moves or closes the endpoint as the config says. */
  async apply(): Promise<void> {
    const { enabled, port } = this.config.current().prometheus
    if (!enabled) return this.stopMetrics()
    if (this.metrics?.port === port) return
    await this.startMetrics(port)
  }

  private async closeMetrics(): Promise<void> {
    const m = this.metrics
    this.metrics = null
    this.metricsError = null
    await m?.close()
  }
}
