// Alert rules and the alerts they raise. The service evaluates the rules on every sample and sends
// 'alerts:event' (raised / cleared); this store keeps the rule editor's draft (validated as typed
// with src-shared's validateAlertRule), the active alerts, a bounded log, and the intervals the
// charts mark.
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import { validateAlertRule, type AlertEvent, type AlertMetric, type AlertOp, type AlertRule, type AlertsState } from '../../../src-shared/alerts'
import type { ApiError } from '../../../src-shared/result'
import type { FieldError } from '../../../src-shared/result'
import { getApi } from '../api'
import { call } from '../api/call'
import { parseFormNumber } from '../lib/form-number'
import { featureLifecycle } from './feature-lifecycle'

/** Alert events kept in the log (newest first). */
export const MAX_LOG = 200

/** One rule as the editor holds it: numbers as typed; busy is edited in percent. */
export interface RuleDraft {
  key: number
  metric: AlertMetric
  worker: string
  op: AlertOp
  threshold: string
  forSeconds: string
}

/** An alert on the time axis: raised at `start`, cleared at `end` (null: still active). */
export interface AlertInterval {
  id: string
  start: number
  end: number | null
  rule: AlertRule
}

let nextKey = 1

export function ruleToDraft(r: AlertRule): RuleDraft {
  return {
    key: nextKey++,
    metric: r.metric,
    worker: String(r.worker),
    op: r.op,
    threshold: String(r.metric === 'busy' ? Math.round(r.threshold * 100 * 1000) / 1000 : r.threshold),
    forSeconds: String(r.forSeconds),
  }
}

export function draftToRule(d: RuleDraft): unknown {
  const threshold = parseFormNumber(d.threshold)
  return {
    metric: d.metric,
    worker: d.worker === 'all' ? 'all' : parseFormNumber(d.worker),
    op: d.op,
    threshold: d.metric === 'busy' ? threshold / 100 : threshold,
    forSeconds: parseFormNumber(d.forSeconds),
  }
}

function isEvent(e: unknown): e is AlertEvent {
  const a = e as AlertEvent
  return typeof e === 'object' && e !== null && typeof a.id === 'string' && (a.kind === 'raised' || a.kind === 'cleared') && typeof a.at === 'number'
}

export const useAlertsStore = defineStore('alerts', () => {
  /** null until the service answered; false when it does not offer alerts. */
  const available = ref<boolean | null>(null)
  const unavailable = shallowRef<ApiError | null>(null)
  const rules = shallowRef<AlertRule[]>([])
  const active = shallowRef<AlertEvent[]>([])
  const log = shallowRef<AlertEvent[]>([])
  const draft = reactive<RuleDraft[]>([])
  const saving = ref(false)
  const saveError = shallowRef<ApiError | null>(null)
  const savedAt = ref<number | null>(null)

  const draftChecks = computed(() => draft.map((d, i) => validateAlertRule(draftToRule(d), `alerts[${i}]`)))
  /** Per draft row: field name ('metric', 'threshold', …) → its first error. */
  const draftErrors = computed<Record<string, FieldError>[]>(() =>
    draftChecks.value.map((v) => {
      const out: Record<string, FieldError> = {}
      if (!v.ok) for (const e of v.errors) out[e.field.replace(/^alerts\[\d+\]\./, '')] ??= e
      return out
    }),
  )
  const draftValid = computed(() => draftChecks.value.every((v) => v.ok))
  const dirty = computed(() => {
    if (draft.length !== rules.value.length) return true
    return draftChecks.value.some((v, i) => !v.ok || JSON.stringify(v.value) !== JSON.stringify(rules.value[i]))
  })

  /** Raised → cleared pairs from the log and the active list, oldest first. */
  const intervals = computed<AlertInterval[]>(() => {
    const byId = new Map<string, AlertInterval>()
    const events = [...log.value].reverse()
    for (const e of [...active.value, ...events]) {
      const cur = byId.get(e.id)
      if (e.kind === 'raised') {
        if (!cur) byId.set(e.id, { id: e.id, start: e.at, end: null, rule: e.rule })
      } else if (cur) cur.end = e.at
      else byId.set(e.id, { id: e.id, start: e.startedAt, end: e.at, rule: e.rule })
    }
    return [...byId.values()].sort((a, b) => a.start - b.start)
  })

  function applyState(s: AlertsState): void {
    rules.value = s.rules.map((r) => ({ ...r }))
    active.value = s.active
    draft.splice(0, draft.length, ...s.rules.map(ruleToDraft))
  }

  function onEvent(e: AlertEvent): void {
    if (!isEvent(e)) return
    log.value = [e, ...log.value].slice(0, MAX_LOG)
    if (e.kind === 'raised') active.value = [...active.value.filter((a) => a.id !== e.id), e]
    else active.value = active.value.filter((a) => a.id !== e.id)
  }

  async function refresh(): Promise<void> {
    const r = await call(() => getApi().listAlerts())
    if (r.ok) {
      const first = available.value !== true
      available.value = true
      unavailable.value = null
      // Keep an unsaved draft across a reconnect.
      if (first || !dirty.value) applyState(r.value)
      else {
        rules.value = r.value.rules
        active.value = r.value.active
      }
    } else {
      available.value = false
      unavailable.value = r.error
    }
  }

  const { init, dispose } = featureLifecycle(refresh, (api) => [api.onAlert(onEvent)])

  function addRule(rule: Partial<AlertRule> = {}): void {
    draft.push(ruleToDraft({ metric: 'queueDepth', worker: 'all', op: '>', threshold: 100, forSeconds: 5, ...rule }))
  }

  function removeRule(index: number): void {
    draft.splice(index, 1)
  }

  function revert(): void {
    draft.splice(0, draft.length, ...rules.value.map(ruleToDraft))
    saveError.value = null
  }

  async function save(): Promise<boolean> {
    if (!draftValid.value || saving.value) return false
    saving.value = true
    saveError.value = null
    try {
      const list = draftChecks.value.map((v) => (v.ok ? v.value : null)).filter((r): r is AlertRule => r !== null)
      const r = await call(() => getApi().setAlerts({ rules: list }))
      if (!r.ok) {
        saveError.value = r.error
        return false
      }
      applyState(r.value)
      savedAt.value = Date.now()
      return true
    } finally {
      saving.value = false
    }
  }

  function clearLog(): void {
    log.value = []
  }

  return {
    available,
    unavailable,
    rules,
    active,
    log,
    draft,
    draftErrors,
    draftValid,
    dirty,
    saving,
    saveError,
    savedAt,
    intervals,
    init,
    dispose,
    refresh,
    addRule,
    removeRule,
    revert,
    save,
    clearLog,
    onEvent,
  }
})
