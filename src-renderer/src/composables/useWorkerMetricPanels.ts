// The per-worker metric charts the Server and the Load tab both show, described once: title, help,
// axis and tooltip formats, and how the lines combine. A tab places one with
// `<WorkerMetricPanel v-bind="panels.queueDepth" testid="…" />`, adding its own test id and height.
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import type { WorkerField } from '../lib/tick-history'
import { useFormat } from './useFormat'

interface MetricPanel {
  field: WorkerField
  title: string
  help: string
  formatY: (v: number) => string
  formatTip: (v: number) => string
  /** Lines stack into a total (rates that add up across workers). */
  stacked?: boolean
  /** A whole number (queue depth, operations): whole-number axis ticks. */
  integer?: boolean
}

export function useWorkerMetricPanels() {
  const { t } = useI18n()
  const fmt = useFormat()
  const countTip = (v: number) => fmt.exact(v, 1)
  const rateTip = (v: number) => `${fmt.exact(v, 1)}/s`
  /** `key` names the panel's i18n texts: panel.<key> and panel.<key>Help. */
  const panel = (field: WorkerField, key: string, formatY: MetricPanel['formatY'], formatTip: MetricPanel['formatTip'], flags: Pick<MetricPanel, 'stacked' | 'integer'> = {}): MetricPanel => ({
    field,
    title: t(`panel.${key}`),
    help: t(`panel.${key}Help`),
    formatY,
    formatTip,
    ...flags,
  })
  // A computed, so the titles follow the UI language.
  return computed(() => ({
    queueDepth: panel('queueDepth', 'queueDepth', fmt.count, countTip, { integer: true }),
    completionsPerS: panel('completionsPerS', 'completions', fmt.perS, rateTip, { stacked: true }),
    inflight: panel('inflight', 'inflight', fmt.count, countTip, { integer: true }),
    busy: panel('busy', 'busy', fmt.percent, fmt.percent),
  }))
}
