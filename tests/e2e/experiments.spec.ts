// The guided experiments end to end: each one runs against the real service and engine from the
// page, and the effect it narrates must be in the numbers it measured (read from its summary
// table). Also: Stop puts a running server back as it was, and a port in use is reported.
// The experiments are reached on the How it works tab (#learn) when it exists, otherwise at
// #experiments (a preview route of the h-exper branch).
import { expect, test, type Page } from '@playwright/test'
import { freePort, holdPort } from './net-helpers'
import { dashboardUrl, ensureStopped, hook, startServer, tab } from './page-helpers'

test.describe.configure({ mode: 'serial' })

async function openExperiments(page: Page): Promise<void> {
  const url = dashboardUrl()
  await page.goto(url)
  await expect(page.getByTestId('state')).toBeVisible()
  if ((await page.getByTestId('tab-learn').count()) === 0) {
    await page.goto(`${url.replace(/#.*$/, '')}#experiments`)
    await page.reload()
  }
  await expect(page.getByTestId('state')).toBeVisible()
}

async function showExperiments(page: Page): Promise<void> {
  if ((await page.getByTestId('tab-learn').count()) > 0) await page.getByTestId('tab-learn').click()
  await expect(page.getByTestId('guided-experiments')).toBeVisible()
}

/** Stopped server, the form aimed at a free port: the experiments run there. */
async function stoppedOnFreePort(page: Page): Promise<number> {
  await tab(page, 'server')
  await ensureStopped(page)
  const port = await freePort()
  await page.getByTestId('port-input').fill(String(port))
  await showExperiments(page)
  return port
}

type Cells = Record<string, Record<string, number>>

/** The summary table of an experiment: metric → phase → measured value. */
async function summary(page: Page, id: string): Promise<Cells> {
  const cells = page.getByTestId(`exp-summary-${id}`).getByTestId('exp-cell')
  const out: Cells = {}
  for (const c of await cells.all()) {
    const metric = (await c.getAttribute('data-metric'))!
    const phase = (await c.getAttribute('data-phase'))!
    ;(out[metric] ??= {})[phase] = Number(await c.getAttribute('data-value'))
  }
  return out
}

async function runExperiment(page: Page, id: string): Promise<{ cells: Cells; outcome: string }> {
  const card = page.getByTestId(`exp-${id}`)
  await card.getByTestId(`exp-run-${id}`).click()
  // Narration while it runs: the phase, the step and the chart to watch.
  await expect(card.getByTestId('exp-step')).toBeVisible()
  await expect(card.getByTestId('exp-watch')).toHaveAttribute('data-target', /chart|timeline|table/)
  await expect(card.getByTestId('exp-live').getByRole('progressbar')).toBeVisible()
  const done = page.getByTestId(`exp-summary-${id}`)
  await expect(done).toBeVisible({ timeout: 45_000 })
  await expect(page.getByTestId('guided-experiments')).toHaveAttribute('data-state', 'done')
  const cells = await summary(page, id)
  const outcome = (await done.getByTestId('exp-outcome').textContent()) ?? ''
  console.log(`experiment ${id}: ${JSON.stringify(cells)}\n  ${outcome.trim()}`)
  return { cells, outcome }
}

/** The server is back as the user left it: stopped here. */
async function expectStopped(page: Page): Promise<void> {
  await expect(page.getByTestId('state')).toHaveAttribute('data-state', 'stopped')
}

/** One experiment from a stopped server on a free port: run it, check what it measured, then its
 * summary must stay shown and the server be left stopped, as it was. */
function experimentTest(title: string, id: string, check: (cells: Cells) => void): void {
  test(title, async ({ page }) => {
    await openExperiments(page)
    await stoppedOnFreePort(page)
    const { cells } = await runExperiment(page, id)
    check(cells)
    await expect(page.getByTestId(`exp-summary-${id}`)).toHaveAttribute('data-shown', 'true')
    await expectStopped(page)
  })
}

experimentTest('one worker vs four: the busiest worker takes all the completions with one, a share with four', 'workers', (cells) => {
  expect(cells.workers).toEqual({ one: 1, four: 4 })
  expect(cells.busiestCompletionShare.one).toBeGreaterThan(0.99)
  expect(cells.busiestCompletionShare.four).toBeLessThan(0.7)
  expect(cells.busiestBusyShare.one).toBeGreaterThan(0.99)
  expect(cells.busiestBusyShare.four).toBeLessThan(0.7)
  expect(cells.completionsPerS.one).toBeGreaterThan(0)
  expect(cells.completionsPerS.four).toBeGreaterThan(0)
})

experimentTest('a slow reader fills its send queue: send-queue-full only with the slow reader, one session dropped', 'slowReader', (cells) => {
  expect(cells.sendQueueFull.allRead).toBe(0)
  expect(cells.sendQueueFull.oneSlow).toBeGreaterThanOrEqual(1)
  expect(cells.endSessions.oneSlow).toBeLessThan(cells.peakSessions.oneSlow)
  expect(cells.endSessions.allRead).toBe(cells.peakSessions.allRead)
  // Chat sends every message to every session: far more out than in.
  expect(cells.bytesOut.allRead).toBeGreaterThan(0)
})

experimentTest('abortive close: the load generator counts connection-reset; graceful close: none', 'closeMode', (cells) => {
  expect(cells.halfCloses.graceful).toBeGreaterThan(0)
  expect(cells.loadResets.graceful).toBe(0)
  expect(cells.loadResets.abortive).toBeGreaterThan(0)
  // The server chose to reset: it counts none itself.
  expect(cells.serverResets.abortive).toBe(0)
})

experimentTest('a connect storm against backlog 1 makes far fewer connections per second than against 1024', 'backlog', (cells) => {
  expect(cells.backlog).toEqual({ large: 1024, small: 1 })
  expect(cells.connectsPerS.large).toBeGreaterThan(0)
  expect(cells.connectsPerS.small).toBeLessThan(cells.connectsPerS.large / 2)
})

experimentTest('message size sweep: bytes/s rises with the size while completions/s does not', 'sizeSweep', (cells) => {
  const b = cells.bytesInPerS
  expect(b.s1k).toBeGreaterThan(b.s64)
  expect(b.s16k).toBeGreaterThan(b.s1k)
  expect(b.s16k).toBeGreaterThan(b.s64 * 20)
  // Completions/s stays in the same range or falls: nowhere near the bytes' growth.
  const c = cells.completionsPerS
  expect(c.s16k).toBeLessThan(c.s64 * 2)
  expect(cells.bytesPerCompletion.s16k).toBeGreaterThan(cells.bytesPerCompletion.s64 * 20)
})

test('Stop ends an experiment and puts the running server back with its own configuration', async ({ page }) => {
  await openExperiments(page)
  const port = await startServer(page, 2)
  await showExperiments(page)
  const card = page.getByTestId('exp-workers')
  await card.getByTestId('exp-run-workers').click()
  await expect(card.getByTestId('exp-step')).toBeVisible()
  // The experiment's server: one worker, same port.
  await expect.poll(async () => (await hook(page)).workers, { timeout: 10_000 }).toBe(1)
  await card.getByTestId('exp-stop').click()
  await expect(page.getByTestId('guided-experiments')).toHaveAttribute('data-state', 'cancelled', { timeout: 20_000 })
  await expect(card.getByTestId('exp-cancelled')).toBeVisible()
  await expect(page.getByTestId('exp-summary-workers')).toHaveCount(0)
  await expect(page.getByTestId('state')).toHaveAttribute('data-state', 'running')
  await expect(page.getByTestId('endpoint')).toHaveText(`127.0.0.1:${port}`)
  await expect.poll(async () => (await hook(page)).workers, { timeout: 10_000 }).toBe(2)
  expect((await hook(page)).loadState).toBe('idle')
  await tab(page, 'server')
  await ensureStopped(page)
})

test('a port in use stops the experiment with the reason; the server stays stopped', async ({ page }) => {
  await openExperiments(page)
  await tab(page, 'server')
  await ensureStopped(page)
  const held = await holdPort()
  try {
    await page.getByTestId('port-input').fill(String(held.port))
    await showExperiments(page)
    await page.getByTestId('exp-run-closeMode').click()
    const err = page.getByTestId('exp-error')
    await expect(err).toBeVisible({ timeout: 15_000 })
    await expect(err).toHaveAttribute('data-kind', 'serverStart')
    await expect(err).toHaveAttribute('data-code', 'address-in-use')
    await expect(err).toContainText(/address-in-use \((EADDRINUSE|WSAEADDRINUSE) \d+\)/)
    await expect(page.getByTestId('guided-experiments')).toHaveAttribute('data-state', 'failed')
    await expect(page.getByTestId('state')).not.toHaveAttribute('data-state', 'running')
    await page.getByTestId('exp-error-dismiss').click()
    await expect(err).toBeHidden()
  } finally {
    await held.close()
  }
})
