// "Worker 0" … "Worker 63" in the UI language, built once per language and worker count instead of
// one translation call per row or series on every redraw.
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { useMetricsStore } from '../stores/metrics'

export function useWorkerLabels() {
  const { t, locale } = useI18n()
  const metrics = useMetricsStore()
  return computed(() => {
    void locale.value
    return Array.from({ length: metrics.workerCount }, (_, i) => t('chart.worker', { n: i }))
  })
}
