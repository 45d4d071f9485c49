// Evaluates alert rules against each tick. Pure: time is the tick's sample time (MetricsTick.t),
// never a timer, so a replayed recording raises the same alerts at the same sample times as the
// live run did, and tests drive it with synthetic ticks.
//
// Per rule: while the condition holds, remember since when; once it has held for forSeconds,
// raise (one event). The first tick on which it does not hold clears it (one event, same id).
// A worker missing from a tick (a smaller run) counts as "does not hold".
import { describeAlert, type AlertEvent, type AlertRule } from '../../src-shared/alerts'
import type { MetricsTick, WorkerSample } from '../../src-shared/metrics'

interface RuleState {
  /** Sample time since which the condition has held; null when it does not hold. */
  since: number | null
  active: AlertEvent | null
}

export class AlertEvaluator {
  private list: AlertRule[] = []
  private states: RuleState[] = []
  private nextId = 1

  constructor(rules: readonly AlertRule[] = []) {
    this.setRules(rules, 0)
  }

  get rules(): AlertRule[] {
    return this.list.map((r) => ({ ...r }))
  }

  /** Raised alerts not yet cleared, oldest first. */
  active(): AlertEvent[] {
    return this.states
      .flatMap((s) => (s.active ? [{ ...s.active, rule: { ...s.active.rule } }] : []))
      .sort((a, b) => a.at - b.at)
  }

  /**
   * Replaces the rules. Active alerts belong to the old rules, so they are cleared (the returned
   * events); the new rules start from scratch.
   */
  setRules(rules: readonly AlertRule[], at: number): AlertEvent[] {
    const cleared = this.reset(at)
    this.list = rules.map((r) => ({ ...r }))
    this.states = this.list.map(() => ({ since: null, active: null }))
    return cleared
  }

  /** Clears every active alert (value null: there is no data, e.g. the server stopped) and forgets pending conditions. */
  reset(at: number): AlertEvent[] {
    const out: AlertEvent[] = []
    this.states.forEach((s, i) => {
      if (s.active) out.push(this.clearEvent(s.active, i, at, null))
      s.since = null
      s.active = null
    })
    return out
  }

  /** Evaluates every rule on one tick; returns the raised and cleared events, in rule order. */
  evaluate(tick: MetricsTick): AlertEvent[] {
    const out: AlertEvent[] = []
    this.list.forEach((rule, i) => {
      const s = this.states[i]!
      const value = valueOf(tick, rule)
      const holds = value !== null && (rule.op === '>' ? value > rule.threshold : value < rule.threshold)
      if (!holds) {
        s.since = null
        if (s.active) {
          out.push(this.clearEvent(s.active, i, tick.t, value))
          s.active = null
        }
        return
      }
      // Wall-clock sample time can step backwards (NTP): restart the wait rather than wait forever.
      if (s.since === null || tick.t < s.since) s.since = tick.t
      if (!s.active && tick.t - s.since >= rule.forSeconds * 1000) {
        const e: AlertEvent = { id: `alert-${this.nextId++}`, kind: 'raised', rule: { ...rule }, ruleIndex: i, startedAt: s.since, at: tick.t, value, message: '' }
        e.message = describeAlert(e)
        s.active = e
        out.push({ ...e, rule: { ...rule } })
      }
    })
    return out
  }

  private clearEvent(raised: AlertEvent, ruleIndex: number, at: number, value: number | null): AlertEvent {
    const e: AlertEvent = { id: raised.id, kind: 'cleared', rule: { ...raised.rule }, ruleIndex, startedAt: raised.startedAt, at, value, message: '' }
    e.message = describeAlert(e)
    return e
  }
}

function valueOf(tick: MetricsTick, rule: AlertRule): number | null {
  const sample: WorkerSample | undefined = rule.worker === 'all' ? tick.total : tick.workers.find((w) => w.worker === rule.worker)
  if (!sample) return null
  const v = sample[rule.metric]
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}
