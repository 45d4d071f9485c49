// Frame timing measured in the page, shared by the perf and sessions specs: requestAnimationFrame
// deltas and long tasks (PerformanceObserver), optionally while scrolling a container a few pixels
// every frame. startFrameRecording and stopFrameRecording run inside the page (page.evaluate), so
// they are self-contained: they may not call anything else in this module.

export interface FrameRecording {
  deltas: number[]
  longTasks: number
  longTaskMs: number
  /** The most `scroll.row` elements seen in the container at once (0 without scrolling). */
  maxRendered: number
}

export interface ScrollSpec {
  container: string
  row: string
  pxPerFrame: number
}

export function startFrameRecording(scroll: ScrollSpec | null): void {
  const perf = { deltas: [] as number[], longTasks: 0, longTaskMs: 0, maxRendered: 0, stop: false }
  ;(window as unknown as { __perf: typeof perf }).__perf = perf
  const scroller = scroll ? document.querySelector<HTMLElement>(scroll.container) : null
  let last = performance.now()
  let dir = 1
  const frame = (t: number) => {
    perf.deltas.push(t - last)
    last = t
    if (scroll && scroller) {
      perf.maxRendered = Math.max(perf.maxRendered, scroller.querySelectorAll(scroll.row).length)
      if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) dir = -1
      else if (scroller.scrollTop <= 0) dir = 1
      scroller.scrollTop += dir * scroll.pxPerFrame
    }
    if (!perf.stop) requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
  try {
    const obs = new PerformanceObserver((list) => {
      if (perf.stop) return obs.disconnect()
      for (const e of list.getEntries()) {
        perf.longTasks++
        perf.longTaskMs += e.duration
      }
    })
    obs.observe({ type: 'longtask' })
  } catch {
    // No long-task timing in this browser: reported as 0.
  }
}

export function stopFrameRecording(): FrameRecording {
  const p = (window as unknown as { __perf: FrameRecording & { stop: boolean } }).__perf
  p.stop = true
  return { deltas: p.deltas.slice(1), longTasks: p.longTasks, longTaskMs: p.longTaskMs, maxRendered: p.maxRendered }
}

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d

/** Frame-delta statistics in ms: median, p95, p99, max, frames over 16.7 (+1) and over 50 ms. */
export function frameStats(deltas: number[]) {
  const sorted = [...deltas].sort((a, b) => a - b)
  const q = (p: number) => round(sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : Number.NaN)
  return {
    frames: deltas.length,
    median: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    over16ms: deltas.filter((d) => d > 16.7 + 1).length,
    over50ms: deltas.filter((d) => d > 50).length,
  }
}
