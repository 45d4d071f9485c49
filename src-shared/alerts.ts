// Alert rules and the events they produce: one definition, validated the same way in main (IPC,
// bridge, config file) and in the renderer (its rule editor). The evaluator is
// src-main/alerts/alert-evaluator.ts.
import type { FieldError, Validated } from './result'
import { LIMITS } from './engine-config'
import { isPlainObject, unknownKeys } from './guards'
import type { WorkerSample } from './metrics'

/** Fields of a WorkerSample a rule can watch (units as in MetricsTick: busy is a 0..1 ratio). */
export const ALERT_METRICS = ['queueDepth', 'inflight', 'errorsPerS', 'bytesInPerS', 'bytesOutPerS', 'completionsPerS', 'busy', 'sessions'] as const
export type AlertMetric = (typeof ALERT_METRICS)[number] & keyof WorkerSample

export const ALERT_OPS = ['>', '<'] as const
export type AlertOp = (typeof ALERT_OPS)[number]

export interface AlertRule {
  metric: AlertMetric
  /** A worker index, or 'all' for the tick's "all" row (sums; busy is the mean over workers). */
  worker: number | 'all'
  op: AlertOp
  threshold: number
  /** How long the condition must hold, in sample time, before the alert is raised (0 = at once). */
  forSeconds: number
}

export const ALERT_LIMITS = {
  rules: 100,
  forSeconds: { min: 0, max: 24 * 3600 },
  worker: { min: 0, max: LIMITS.workers.max - 1 },
} as const

export interface AlertEvent {
  /** One id per occurrence: an alert's 'raised' event and its later 'cleared' event share it. */
  id: string
  kind: 'raised' | 'cleared'
  rule: AlertRule
  /** Position of the rule in the rule list when the event was produced. */
  ruleIndex: number
  /** Sample time (epoch ms) at which the condition started to hold. */
  startedAt: number
  /** Sample time of this event: when forSeconds had elapsed (raised) or the condition ended (cleared). */
  at: number
  /** The metric's value at `at`; null when cleared because there is no data (server stopped, rules changed). */
  value: number | null
  /** English text for logs and notifications; the renderer may build its own with describeAlert. */
  message: string
}

export interface AlertsState {
  rules: AlertRule[]
  /** Raised alerts that have not cleared, oldest first. */
  active: AlertEvent[]
}

const RULE_FIELDS: Record<keyof AlertRule, true> = { metric: true, worker: true, op: true, threshold: true, forSeconds: true }

/** Checks one rule; `prefix` names it in field errors (e.g. "alerts[2]"). Unknown fields are errors. */
export function validateAlertRule(input: unknown, prefix = 'rule'): Validated<AlertRule> {
  if (!isPlainObject(input)) return { ok: false, errors: [{ field: prefix, message: `${prefix} must be an object` }] }
  const errors: FieldError[] = unknownKeys(input, RULE_FIELDS).map((k) => ({ field: `${prefix}.${k}`, message: `unknown field ${prefix}.${k}` }))
  const { metric, worker, op, threshold, forSeconds } = input
  if (typeof metric !== 'string' || !(ALERT_METRICS as readonly string[]).includes(metric)) {
    errors.push({ field: `${prefix}.metric`, message: `${prefix}.metric must be one of ${ALERT_METRICS.join(', ')}` })
  }
  const { min, max } = ALERT_LIMITS.worker
  if (worker !== 'all' && (typeof worker !== 'number' || !Number.isInteger(worker) || worker < min || worker > max)) {
    errors.push({ field: `${prefix}.worker`, message: `${prefix}.worker must be 'all' or an integer from ${min} to ${max}` })
  }
  if (typeof op !== 'string' || !(ALERT_OPS as readonly string[]).includes(op)) {
    errors.push({ field: `${prefix}.op`, message: `${prefix}.op must be '>' or '<'` })
  }
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    errors.push({ field: `${prefix}.threshold`, message: `${prefix}.threshold must be a finite number` })
  }
  const f = ALERT_LIMITS.forSeconds
  if (typeof forSeconds !== 'number' || !Number.isFinite(forSeconds) || forSeconds < f.min || forSeconds > f.max) {
    errors.push({ field: `${prefix}.forSeconds`, message: `${prefix}.forSeconds must be a number from ${f.min} to ${f.max}` })
  }
  if (errors.length) return { ok: false, errors }
  return { ok: true, value: { metric, worker, op, threshold, forSeconds } as AlertRule }
}

/** A rule list: an array of at most ALERT_LIMITS.rules valid rules (copied, so callers may keep it). */
export function validateAlertRules(input: unknown, field = 'alerts'): Validated<AlertRule[]> {
  if (!Array.isArray(input)) return { ok: false, errors: [{ field, message: `${field} must be an array of rules` }] }
  if (input.length > ALERT_LIMITS.rules) return { ok: false, errors: [{ field, message: `${field} may hold at most ${ALERT_LIMITS.rules} rules` }] }
  const rules: AlertRule[] = []
  const errors: FieldError[] = []
  input.forEach((r, i) => {
    const v = validateAlertRule(r, `${field}[${i}]`)
    if (v.ok) rules.push(v.value)
    else errors.push(...v.errors)
  })
  return errors.length ? { ok: false, errors } : { ok: true, value: rules }
}

export type AlertLanguage = 'en' | 'ko'

const METRIC_NAMES: Record<AlertLanguage, Record<AlertMetric, string>> = {
  en: {
    queueDepth: 'queue depth',
    inflight: 'operations in flight',
    errorsPerS: 'errors/s',
    bytesInPerS: 'bytes in/s',
    bytesOutPerS: 'bytes out/s',
    completionsPerS: 'completions/s',
    busy: 'busy ratio',
    sessions: 'sessions',
  },
  ko: {
    queueDepth: '큐 깊이',
    inflight: '진행 중 작업',
    errorsPerS: '초당 오류',
    bytesInPerS: '초당 수신 바이트',
    bytesOutPerS: '초당 송신 바이트',
    completionsPerS: '초당 완료',
    busy: '사용률',
    sessions: '세션',
  },
}

function num(x: number): string {
  return String(Math.round(x * 1000) / 1000)
}

/** The event as one sentence, e.g. "queue depth on worker 0 > 100 for 5 s (now 153)". */
export function describeAlert(e: Pick<AlertEvent, 'kind' | 'rule' | 'value'>, lang: AlertLanguage = 'en'): string {
  const { metric, worker, op, threshold, forSeconds } = e.rule
  const name = METRIC_NAMES[lang][metric]
  const now = e.value === null ? '' : num(e.value)
  if (lang === 'ko') {
    const where = worker === 'all' ? '전체 워커' : `워커 ${worker}`
    if (e.kind === 'cleared') return `해제: ${where} ${name} ${op} ${num(threshold)} 조건 종료${now ? ` (현재 ${now})` : ''}`
    return `${where} ${name} ${op} ${num(threshold)} 상태가 ${num(forSeconds)}초 지속 (현재 ${now})`
  }
  const where = worker === 'all' ? 'all workers' : `worker ${worker}`
  if (e.kind === 'cleared') return `cleared: ${name} on ${where} no longer ${op} ${num(threshold)}${now ? ` (now ${now})` : ''}`
  return `${name} on ${where} ${op} ${num(threshold)} for ${num(forSeconds)} s (now ${now})`
}
