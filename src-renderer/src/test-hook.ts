// A tiny, read-only window into the dashboard for end-to-end tests and for humans in DevTools:
// `window.__iocpm.tickCount`, `.lastTotals` (the newest 'all' sample), `.workers`, `.errorRows`.
// Every read returns a frozen copy; nothing here can change state or reach the transport.
import type { Pinia } from 'pinia'
import type { WorkerSample } from '../../src-shared/metrics'
import { useMetricsStore } from './stores/metrics'

export interface TestHookView {
  tickCount: number
  lastTotals: Readonly<WorkerSample> | null
  workers: number
  errorRows: number
}

export function installTestHook(pinia: Pinia): void {
  const metrics = useMetricsStore(pinia)
  Object.defineProperty(window, '__iocpm', {
    configurable: false,
    enumerable: false,
    get: (): Readonly<TestHookView> =>
      Object.freeze({
        tickCount: metrics.tickCount,
        lastTotals: metrics.latest ? Object.freeze({ ...metrics.latest.total }) : null,
        workers: metrics.workerCount,
        errorRows: metrics.errorRows.length,
      }),
  })
}
