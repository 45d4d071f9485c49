// The alerts feature: alerts:list, alerts:set and the alerts:event stream. Rules are evaluated
// on every tick; no more data (a stop, a replay starting or ending) clears what was active.
import type { AlertEvent, AlertsState } from '../../src-shared/alerts'
import type { ServerStatus } from '../../src-shared/api'
import type { ChannelHandlers } from '../../src-shared/contract'
import type { AlertsSetRequest } from '../../src-shared/features'
import type { MetricsTick } from '../../src-shared/metrics'
import type { Result } from '../../src-shared/result'
import { AlertEvaluator } from '../alerts/alert-evaluator'
import type { Logger } from '../service/log'
import type { MonitorService } from '../service/monitor-service'
import type { ConfigFeature } from './config-feature'
import type { ServerFeature } from './server-feature'

export class AlertsFeature {
  private readonly evaluator = new AlertEvaluator()

  constructor(
    private readonly service: MonitorService,
    private readonly server: Pick<ServerFeature, 'lastTick'>,
    private readonly config: ConfigFeature,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.evaluator.setRules(config.current().alerts, now())
  }

  handlers(): Pick<ChannelHandlers, 'alerts:list' | 'alerts:set'> {
    return {
      'alerts:list': () => this.listAlerts(),
      'alerts:set': (req) => this.setAlerts(req),
    }
  }

  async listAlerts(): Promise<Result<AlertsState>> {
    return { ok: true, value: this.state() }
  }

  /** Replaces the rules; saved to the config file first, so a failed save changes nothing. */
  async setAlerts({ rules }: AlertsSetRequest): Promise<Result<AlertsState>> {
    const saved = await this.config.save({ ...this.config.current(), alerts: rules })
    if (!saved.ok) return saved
    this.applyRules()
    return { ok: true, value: this.state() }
  }

  /** The rules of the current config take effect (active alerts are cleared). */
  applyRules(): void {
    this.publish(this.evaluator.setRules(this.config.current().alerts, this.lastTickTime()))
  }

  /** Nothing can be said to still be alerting (a stop, a replay's start or end). */
  reset(): void {
    this.publish(this.evaluator.reset(this.lastTickTime()))
  }

  tick(tick: MetricsTick): void {
    this.publish(this.evaluator.evaluate(tick))
  }

  status(status: ServerStatus): void {
    if (status.state === 'stopped' || status.state === 'failed') this.reset()
  }

  private state(): AlertsState {
    return { rules: this.evaluator.rules, active: this.evaluator.active() }
  }

  private publish(events: AlertEvent[]): void {
    for (const e of events) {
      this.logger.info(`alert ${e.kind}: ${e.message}`)
      this.service.publish('alerts:event', e)
    }
  }

  private lastTickTime(): number {
    return this.server.lastTick()?.t ?? this.now()
  }
}
