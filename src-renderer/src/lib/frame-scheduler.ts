// Spreads chart redraws over animation frames. A sample arrives every 100 ms and makes every chart
// on the page want to redraw; drawn in the same frame, six charts at 64 workers can overrun it
// (and the canvases are rasterised together), while the next five frames sit idle. Here each chart
// asks for a draw, and a frame runs queued draws only until its budget is spent; the rest run in
// the next frame — a tick's redraws land within a frame or two, and no frame carries all of them.
//
// A draw asked for again before it ran is run once (the newest state is what it draws).

/** Milliseconds of drawing per frame before the rest waits for the next one. */
export const FRAME_BUDGET_MS = 6

type Draw = () => void

/** Time spent drawing, for the test hook and DevTools (how much of a frame the charts take). */
export const drawStats = { frames: 0, draws: 0, totalMs: 0, maxFrameMs: 0 }

const queue = new Map<object, Draw>()
let frame = 0

function run(): void {
  frame = 0
  const start = performance.now()
  for (const [key, draw] of queue) {
    queue.delete(key)
    drawStats.draws++
    try {
      draw()
    } catch (e) {
      console.error('iocp-monitor: chart draw failed', e)
    }
    // Always at least one draw per frame, so a slow chart cannot starve.
    if (performance.now() - start >= FRAME_BUDGET_MS) break
  }
  const spent = performance.now() - start
  drawStats.frames++
  drawStats.totalMs += spent
  if (spent > drawStats.maxFrameMs) drawStats.maxFrameMs = spent
  if (queue.size) frame = requestAnimationFrame(run)
}

/** Queues `draw` for an upcoming frame under `key` (one pending draw per key). */
export function scheduleDraw(key: object, draw: Draw): void {
  // Re-inserting moves the key to the end: whoever waited longest draws first.
  queue.delete(key)
  queue.set(key, draw)
  if (!frame) frame = requestAnimationFrame(run)
}

/** Drops a pending draw (a chart being unmounted). */
export function cancelDraw(key: object): void {
  queue.delete(key)
}
