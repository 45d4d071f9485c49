// Prometheus exposition of the engine's counters: GET /metrics on 127.0.0.1 (off unless asked
// for). Uses prom-client with a Registry of its own, never the global one, so nothing else in the
// process (or a second exporter in tests) can add to or clash with these series.
//
// Counters and gauges come from a fresh engine snapshot taken at scrape time (exact cumulative
// values; Prometheus computes rates itself), so every series of one scrape is from the same
// instant. Only the busy ratio is an interval value: it is the latest live tick's. Counters
// restart at 0 when the server restarts, which Prometheus' rate()/increase() handle as a reset.
//
//   iocpm_server_up                          1 while the server runs
//   iocpm_queue_depth{worker}                completions ready, not yet taken (gauge)
//   iocpm_inflight_ops{worker}               operations submitted, not completed (gauge)
//   iocpm_sessions{worker}                   open connections (gauge)
//   iocpm_completions_total{worker}          completions handled (counter)
//   iocpm_accepts_total{worker}              connections accepted as sessions (counter)
//   iocpm_closes_total{worker}               sessions closed (counter)
//   iocpm_bytes_in_total{worker}             bytes received (counter)
//   iocpm_bytes_out_total{worker}            bytes sent (counter)
//   iocpm_busy_seconds_total{worker}         busy time: Linux the worker's CPU time (counter)
//   iocpm_busy_ratio{worker}                 busy share of the last sample interval, 0..1 (gauge)
//   iocpm_errors_total{worker,code,native}   errors by portable name and native name (counter)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { Counter, Gauge, Registry } from 'prom-client'
import type { EngineSnapshot } from '../../src-shared/engine-snapshot'
import type { MetricsTick } from '../../src-shared/metrics'
import { allowedHosts, hostForUrl, isLoopback } from '../security/loopback'
import { consoleLogger, type Logger } from '../service/log'

export const DEFAULT_METRICS_PORT = 9464
export const METRICS_PATH = '/metrics'

export interface PrometheusSource {
  /** A fresh snapshot of the engine's counters; null when none can be had. */
  snapshot(): EngineSnapshot | null
  /** The newest tick of the live server (not of a replay). */
  lastTick(): MetricsTick | undefined
  serverUp(): boolean
}

export class PrometheusExporter {
  readonly registry = new Registry()
  private readonly up: Gauge
  private readonly queueDepth: Gauge
  private readonly inflight: Gauge
  private readonly sessions: Gauge
  private readonly busyRatio: Gauge
  private readonly completions: Counter
  private readonly accepts: Counter
  private readonly closes: Counter
  private readonly bytesIn: Counter
  private readonly bytesOut: Counter
  private readonly busySeconds: Counter
  private readonly errors: Counter

  constructor(private readonly source: PrometheusSource) {
    const registers = [this.registry]
    const gauge = (name: string, help: string, labelNames: string[] = ['worker']) => new Gauge({ name, help, labelNames, registers })
    const counter = (name: string, help: string, labelNames: string[] = ['worker']) => new Counter({ name, help, labelNames, registers })
    this.up = gauge('iocpm_server_up', 'Whether the monitored TCP server is running (1) or not (0).', [])
    this.queueDepth = gauge('iocpm_queue_depth', "Completions ready in the worker's completion queue and not yet taken.")
    this.inflight = gauge('iocpm_inflight_ops', 'Operations (accept, recv, send) submitted by the worker and not yet completed.')
    this.sessions = gauge('iocpm_sessions', 'Open connections owned by the worker.')
    this.completions = counter('iocpm_completions_total', 'Completions handled by the worker since the server started.')
    this.accepts = counter('iocpm_accepts_total', 'Connections accepted as sessions by the worker since the server started (session-limit rejects excluded).')
    this.closes = counter('iocpm_closes_total', 'Sessions closed by the worker since the server started.')
    this.bytesIn = counter('iocpm_bytes_in_total', 'Bytes received by the worker since the server started.')
    this.bytesOut = counter('iocpm_bytes_out_total', 'Bytes sent by the worker since the server started.')
    this.busySeconds = counter('iocpm_busy_seconds_total', 'Seconds the worker was busy since the server started (Linux: its thread CPU time; Windows: time handling completions).')
    this.busyRatio = gauge('iocpm_busy_ratio', 'Share of the last sample interval the worker was busy (0..1).')
    this.errors = counter('iocpm_errors_total', 'Errors counted by native code, by portable name (code) and native name (native).', ['worker', 'code', 'native'])
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** The exposition text of one consistent snapshot. */
  async metrics(): Promise<string> {
    this.update()
    return this.registry.metrics()
  }

  private update(): void {
    // Series of workers or error kinds that no longer exist must disappear, not linger.
    this.registry.resetMetrics()
    this.up.set(this.source.serverUp() ? 1 : 0)
    for (const w of this.source.snapshot()?.workers ?? []) {
      const worker = String(w.worker)
      this.queueDepth.set({ worker }, w.queueDepth)
      this.inflight.set({ worker }, w.inflight.accept + w.inflight.recv + w.inflight.send)
      this.sessions.set({ worker }, w.sessions)
      this.completions.inc({ worker }, w.completions)
      this.accepts.inc({ worker }, w.accepts)
      this.closes.inc({ worker }, w.closes)
      this.bytesIn.inc({ worker }, w.bytesIn)
      this.bytesOut.inc({ worker }, w.bytesOut)
      this.busySeconds.inc({ worker }, w.busyNs / 1e9)
      for (const e of w.errors) this.errors.inc({ worker, code: e.name, native: e.nativeName }, e.count)
    }
    for (const w of this.source.lastTick()?.workers ?? []) this.busyRatio.set({ worker: String(w.worker) }, w.busy)
  }
}

export interface MetricsHttpServer {
  /** http://127.0.0.1:PORT/metrics */
  url: string
  port: number
  close(): Promise<void>
}

export interface MetricsServerOptions {
  exporter: PrometheusExporter
  /** 0 picks a free port (tests). */
  port: number
  /** Loopback by default; anything else is warned about (the endpoint has no authentication). */
  host?: string
  logger?: Logger
}

/**
 * Serves GET /metrics and nothing else (404). The Host header must name this server, as for the
 * dashboard: a web page reached through DNS rebinding cannot read the metrics.
 */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsHttpServer> {
  const host = opts.host ?? '127.0.0.1'
  const logger = opts.logger ?? consoleLogger
  if (!isLoopback(host)) logger.warn(`metrics: listening on ${host}, which is not a loopback address; anyone who can reach it can read the metrics`)
  let hosts: string[] = []
  const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }

  const send = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(text)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!hosts.includes(req.headers.host ?? '')) return send(res, 421, 'wrong Host header\n')
    const path = new URL(req.url ?? '/', 'http://local').pathname
    if (req.method !== 'GET' || path !== METRICS_PATH) return send(res, 404, 'not found: only GET /metrics is served here\n')
    const body = await opts.exporter.metrics()
    res.writeHead(200, { ...headers, 'Content-Type': opts.exporter.contentType })
    res.end(body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.warn(`metrics: scrape failed: ${(err as Error)?.message ?? err}`)
      if (!res.headersSent) send(res, 500, 'internal error\n')
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (err) => logger.error(`metrics: server error: ${err.message}`))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : opts.port
  hosts = allowedHosts(host, port)
  let closing: Promise<void> | null = null
  return {
    url: `http://${hostForUrl(host)}:${port}${METRICS_PATH}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
