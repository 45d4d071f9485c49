// The Sessions tab end to end: the real service and engine, misbehaving clients from the built-in
// generator. Slow readers (they write and never read) pile up bytes in the server's send queue, so
// sorted by send queue they are on top; one is reset from the detail panel and leaves the table.
// Then the frame time of scrolling a table of thousands of sessions (measured as perf.spec.ts
// does: requestAnimationFrame deltas and long tasks in the page), written to
// test-results/sessions-frame-time.json; only generous bounds are asserted (a shared 2-core box).
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { resolve } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { sleep } from './net-helpers'
import { dashboardUrl, ensureStopped, SHOTS, startLoadRun, startServer, tab } from './page-helpers'
import { frameStats, round, startFrameRecording, stopFrameRecording } from './frame-timing'

test.describe.configure({ mode: 'serial' })

const OUT = resolve(__dirname, '../../test-results/sessions-frame-time.json')
const CLI = resolve(__dirname, '../../bin/iocp-monitor.cjs')

async function stopLoad(page: Page): Promise<void> {
  await tab(page, 'load')
  if ((await page.getByTestId('load-state').getAttribute('data-state')) !== 'idle') await page.getByTestId('load-stop').click()
  await expect(page.getByTestId('load-state')).toHaveAttribute('data-state', 'idle', { timeout: 20_000 })
}

/** The send queue (bytes) of the table's first rows, top to bottom. */
async function topQueues(page: Page, n: number): Promise<{ id: number; queue: number; state: string; remote: string }[]> {
  return page.getByTestId('session-row').evaluateAll(
    (rows, n) =>
      rows.slice(0, n).map((r) => ({
        id: Number(r.getAttribute('data-id')),
        queue: Number(r.querySelector('[data-col="sendQueue"]')?.getAttribute('data-value')),
        state: r.getAttribute('data-state') ?? '',
        remote: r.querySelector('[data-col="remote"]')?.textContent?.trim() ?? '',
      })),
    n,
  )
}

test('slow readers top the send-queue order; one is reset from its detail and leaves the table', async ({ page }) => {
  test.setTimeout(120_000)
  await page.goto(dashboardUrl())
  await startServer(page, 2)

  // The Faults preset with more slow readers and time enough to look at them.
  await startLoadRun(page, 'faults', { 'load-fault-slow': '10', 'load-duration': '60' })

  await tab(page, 'sessions')
  await expect(page.getByTestId('session-row').first()).toBeVisible({ timeout: 15_000 })
  await page.getByTestId('sort-sendQueue').click()
  await expect(page.getByTestId('sort-sendQueue').locator('xpath=..')).toHaveAttribute('aria-sort', 'descending')
  await expect.poll(async () => (await topQueues(page, 1))[0]?.queue ?? 0, { timeout: 20_000 }).toBeGreaterThan(0)

  const top = (await topQueues(page, 5)).filter((r) => r.queue > 0)
  expect(top.length).toBeGreaterThanOrEqual(1)
  for (const r of top) {
    expect(r.state).toBe('open')
    expect(r.remote).toMatch(/^127\.0\.0\.1:\d+$/)
  }
  // Largest first.
  const queues = (await topQueues(page, 10)).map((r) => r.queue)
  expect(queues).toEqual([...queues].sort((a, b) => b - a))

  // Select the top slow reader; its chart collects points while the table refreshes.
  const target = top[0]
  await page.locator(`[data-testid="session-row"][data-id="${target.id}"]`).click()
  const detail = page.getByTestId('session-detail')
  await expect(detail).toHaveAttribute('data-id', String(target.id))
  await expect(detail).toContainText(target.remote)
  await expect.poll(async () => Number(await page.getByTestId('session-rate-chart').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThanOrEqual(4)
  await page.mouse.move(0, 0)
  await page.screenshot({ path: resolve(SHOTS, 'sessions.png') })

  // Reset (RST), confirmed.
  await page.getByTestId('session-reset').click()
  await expect(page.getByTestId('session-confirm')).toContainText(target.remote)
  await expect(page.getByTestId('session-confirm-yes')).toBeFocused()
  await page.getByTestId('session-confirm-yes').click()
  await expect(page.getByTestId('session-outcome')).toHaveAttribute('data-outcome', /closedAbortive|gone/)
  await expect(page.locator(`[data-testid="session-row"][data-id="${target.id}"]`)).toHaveCount(0, { timeout: 5000 })
  await expect(page.getByTestId('session-not-in-table')).toBeVisible()

  // The session table CSV from the Export dialog (E opens it with "Session table" chosen here).
  await page.getByTestId('session-detail-close').click()
  await page.keyboard.press('e')
  await expect(page.getByTestId('export-what-sessions')).toBeChecked()
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()])
  expect(dl.suggestedFilename()).toMatch(/^iocp-monitor-sessions-.*\.csv$/)

  await stopLoad(page)
  await ensureStopped(page)
  await tab(page, 'sessions')
  await expect(page.getByTestId('sessions-placeholder')).toHaveAttribute('data-kind', 'stopped')
})

const scrollSessions = (pxPerFrame: number) => ({ container: '[data-testid="session-table"]', row: '[data-testid="session-row"]', pxPerFrame })

test('scrolling 10,000 sessions stays smooth (recorded in test-results/sessions-frame-time.json)', async ({ page }) => {
  test.setTimeout(150_000)
  // The size: 10,000 live sessions. Their clients run in a separate `iocp-monitor load`
  // process: the service holding both ends (20,000 sockets) would pass this machine's descriptor
  // limit (RLIMIT_NOFILE 20,000).
  const CONNECTIONS = 10_000
  const MEASURE_MS = 6000
  const BASELINE_MS = 3000
  await page.goto(dashboardUrl())
  const port = await startServer(page, 2)

  // Many quiet connections at a modest total message rate, opened over 5 s (not a connect storm
  // against the 1,024 backlog).
  const load = spawn(process.execPath, [CLI, 'load', '--port', String(port), '--conns', String(CONNECTIONS), '--rate', '3000', '--seconds', '120', '--ramp-up-ms', '5000', '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'] })
  load.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (/error|cannot/i.test(d)) console.log(`load: ${d.trim()}`) // shown if the table never fills
  })
  const loadExit = new Promise<number | null>((r) => load.once('exit', (code) => r(code)))
  try {
    await tab(page, 'sessions')
    await page.getByTestId('sessions-limit').selectOption('all')
    const table = page.getByTestId('session-table')
    await expect.poll(async () => Number(await table.getAttribute('data-rows')), { timeout: 60_000 }).toBeGreaterThanOrEqual(CONNECTIONS * 0.99)
    await sleep(1000)

    // Baseline: the same page and traffic, not scrolling (what this busy machine allows right now).
    await page.evaluate(startFrameRecording, scrollSessions(0))
    await sleep(BASELINE_MS)
    const baseline = await page.evaluate(stopFrameRecording)

    await page.evaluate(startFrameRecording, scrollSessions(40))
    await sleep(MEASURE_MS)
    const perf = await page.evaluate(stopFrameRecording)
    const rows = Number(await table.getAttribute('data-rows'))
    const stats = frameStats(perf.deltas)
    const report = {
      when: new Date().toISOString(),
      sessionsInTable: rows,
      measuredMs: MEASURE_MS,
      scrollPxPerFrame: 40,
      maxRowsInDom: perf.maxRendered,
      cpus: os.cpus().length,
      loadAverage1m: round(os.loadavg()[0]),
      fps: round((stats.frames * 1000) / MEASURE_MS, 1),
      frameMs: stats,
      longTasks: { count: perf.longTasks, totalMs: round(perf.longTaskMs, 1) },
      baselineNotScrolling: { measuredMs: BASELINE_MS, frameMs: frameStats(baseline.deltas), longTasks: { count: baseline.longTasks, totalMs: round(baseline.longTaskMs, 1) } },
    }
    await mkdir(resolve(OUT, '..'), { recursive: true })
    await writeFile(OUT, `${JSON.stringify(report, null, 2)}\n`)
    console.log(`sessions table scroll, ${rows} rows:`)
    console.log(JSON.stringify(report, null, 2))
    test.info().annotations.push({ type: 'sessions-frame-time', description: JSON.stringify(report) })

    // Virtualised: a window of rows, not thousands, so a frame costs the same at 10,000 sessions
    // as at 40. The frame times themselves are a measurement (recorded above and in the README),
    // not a pass mark: the server, 10,000 client connections and the browser share two CPUs, and
    // on this VM the frame rate at rest alone went from 60 to 27 fps between runs. What is
    // asserted is the failure the virtualisation prevents: a table that draws every row takes
    // seconds per frame, so the median frame must stay under 250 ms and the page must keep
    // producing frames while it scrolls.
    expect(perf.maxRendered).toBeLessThan(80)
    expect(stats.frames).toBeGreaterThan((MEASURE_MS / 1000) * 4)
    expect(stats.median).toBeLessThan(250)
  } finally {
    load.kill('SIGINT')
    await loadExit
  }
  await ensureStopped(page)
})
