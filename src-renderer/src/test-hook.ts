// A tiny, read-only window into the dashboard for end-to-end tests and for humans in DevTools:
// `window.__iocpm.tickCount`, `.lastTotals` (the newest 'all' sample), `.workers`, `.errorRows`,
// the sample history's size, the charts' time axis, active alerts and the load run's state.
// Every read returns a frozen copy; nothing here can change state or reach the transport.
import type { Pinia } from 'pinia'
import type { WorkerSample } from '../../src-shared/metrics'
import { drawStats } from './lib/frame-scheduler'
import { useAlertsStore } from './stores/alerts'
import { useLoadStore } from './stores/load'
import { useMetricsStore } from './stores/metrics'
import { useViewStore } from './stores/view'

export interface TestHookView {
  tickCount: number
  lastTotals: Readonly<WorkerSample> | null
  workers: number
  errorRows: number
  /** Samples held by the renderer's history, and the bytes of its typed arrays. */
  historyLength: number
  historyBytes: number
  /** The charts' time axis right now, and whether it is frozen (paused, zoomed or panned). */
  range: { min: number; max: number }
  paused: boolean
  activeAlerts: number
  /** Alert events (raised and cleared) received since the page loaded, up to the log's bound. */
  alertEvents: number
  loadState: string
  /** Chart drawing so far: frames that drew, charts drawn, total and worst per-frame time (ms). */
  draw: { frames: number; draws: number; totalMs: number; maxFrameMs: number }
  /** The last finished load run's totals (null before the first). */
  loadSummary: { startedAt: number; bytesSent: number; bytesReceived: number; msgsSent: number; msgsEchoed: number; mismatchedBytes: number } | null
}

export function installTestHook(pinia: Pinia): void {
  const metrics = useMetricsStore(pinia)
  const view = useViewStore(pinia)
  const alerts = useAlertsStore(pinia)
  const load = useLoadStore(pinia)
  Object.defineProperty(window, '__iocpm', {
    configurable: false,
    enumerable: false,
    get: (): Readonly<TestHookView> =>
      Object.freeze({
        tickCount: metrics.tickCount,
        lastTotals: metrics.latest ? Object.freeze({ ...metrics.latest.total }) : null,
        workers: metrics.workerCount,
        errorRows: metrics.errorRows.length,
        historyLength: metrics.data().length,
        historyBytes: metrics.data().bytes,
        range: Object.freeze({ ...view.range }),
        paused: view.paused,
        activeAlerts: alerts.active.length,
        alertEvents: alerts.log.length,
        draw: Object.freeze({ ...drawStats }),
        loadState: load.status.state,
        loadSummary: load.summary
          ? Object.freeze({
              startedAt: load.summary.startedAt,
              bytesSent: load.summary.bytesSent,
              bytesReceived: load.summary.bytesReceived,
              msgsSent: load.summary.msgsSent,
              msgsEchoed: load.summary.msgsEchoed,
              mismatchedBytes: load.summary.mismatchedBytes,
            })
          : null,
      }),
  })
}
