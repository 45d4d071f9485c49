// The dashboard end to end: a real browser, the real service and native engine (started by
// global-setup.ts), and real TCP traffic from this process.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { parse } from 'csv-parse/sync'
import { freePort, holdPort, resetClients, sleep, varyingLoad } from './net-helpers'

const SHOTS = resolve(__dirname, 'screenshots')
const CSV_COLUMNS =
  'timestamp,worker,queue_depth,inflight,sessions,completions_total,bytes_in_total,bytes_out_total,errors_total,completions_per_s,bytes_in_per_s,bytes_out_per_s,errors_per_s,busy_pct'

/** The dashboard's read-only test hook (src-renderer/src/test-hook.ts). */
interface HookView {
  tickCount: number
  lastTotals: { bytesInTotal: number; bytesOutTotal: number; completionsTotal: number; errorsTotal: number } | null
  workers: number
  errorRows: number
}

function dashboardUrl(): string {
  const url = process.env.IOCPM_DASHBOARD_URL
  if (!url) throw new Error('IOCPM_DASHBOARD_URL is not set (global-setup did not run?)')
  return url
}

const hook = (page: Page) => page.evaluate(() => (window as unknown as { __iocpm: HookView }).__iocpm)
const chartUpdates = async (page: Page, testid: string) =>
  Number(await page.getByTestId(testid).locator('[data-updates]').first().getAttribute('data-updates'))

/** Leaves the service stopped whatever a previous test did. */
async function ensureStopped(page: Page): Promise<void> {
  const state = page.getByTestId('state')
  await expect(state).not.toHaveAttribute('data-state', /starting|stopping/)
  if ((await state.getAttribute('data-state')) === 'running') {
    await page.getByTestId('stop-button').click()
    await expect(state).toHaveAttribute('data-state', 'stopped')
  }
}

test.describe.configure({ mode: 'serial' })

test('runs a server, shows live traffic and errors, exports CSV, stops', async ({ page }) => {
  await page.goto(dashboardUrl())
  const state = page.getByTestId('state')
  await expect(state).toBeVisible()
  await ensureStopped(page)

  const port = await freePort()
  await page.getByTestId('port-input').fill(String(port))
  await page.getByTestId('workers-input').fill('2')
  await page.getByTestId('start-button').click()
  await expect(state).toHaveAttribute('data-state', 'running')
  await expect(page.getByTestId('backend')).toHaveText(/^(iouring|epoll|iocp)$/)
  await expect(page.getByTestId('endpoint')).toHaveText(`127.0.0.1:${port}`)

  await expect.poll(async () => (await hook(page)).workers).toBe(2)
  const ticksBefore = (await hook(page)).tickCount
  const queueBefore = await chartUpdates(page, 'queue-depth-chart')
  const bytesBefore = await chartUpdates(page, 'bytes-chart')

  // ~10 s of varying echo traffic with a few abrupt resets in the middle; the running screenshot
  // is taken while it flows.
  const load = varyingLoad(port, 10)
  await sleep(4000)
  await resetClients(port, 3)
  await sleep(4500)
  await page.mouse.move(0, 0)
  await expect(page.getByTestId('kpi-sessions')).not.toHaveText(/^(—|0)$/)
  await page.screenshot({ path: resolve(SHOTS, 'dashboard-running.png') })
  const sent = await load

  // The sampler saw every byte: the newest 'all' sample matches what the clients sent.
  await expect.poll(async () => (await hook(page)).lastTotals?.bytesInTotal, { timeout: 15_000 }).toBe(sent)
  await expect.poll(async () => (await hook(page)).lastTotals?.bytesOutTotal).toBe(sent)
  expect((await hook(page)).tickCount).toBeGreaterThan(ticksBefore + 50)
  expect(await chartUpdates(page, 'queue-depth-chart')).toBeGreaterThan(queueBefore)
  expect(await chartUpdates(page, 'bytes-chart')).toBeGreaterThan(bytesBefore)
  await expect(page.getByTestId('worker-table').locator('tbody tr[data-worker]:not([data-worker="all"])')).toHaveCount(2)

  // The resets show up as connection-reset, with the catalog's description.
  const resetRow = page.getByTestId('error-table').getByTestId('error-row').and(page.locator('[data-name="connection-reset"]'))
  await expect(resetRow).toBeVisible({ timeout: 15_000 })
  await expect(resetRow).toContainText(/ECONNRESET|WSAECONNRESET/)
  await expect(resetRow).toContainText('The peer reset the connection')
  await page.getByTestId('error-table').scrollIntoViewIfNeeded()
  await page.screenshot({ path: resolve(SHOTS, 'dashboard-errors.png') })
  await page.evaluate(() => window.scrollTo(0, 0))

  // Export: the browser receives the CSV over the bridge and downloads it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()])
  expect(download.suggestedFilename()).toMatch(/^iocp-monitor-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.csv$/)
  const text = await readFile(await download.path(), 'utf8')
  const [header] = text.split(/\r?\n/, 1)
  expect(header).toBe(CSV_COLUMNS)
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[]
  const all = rows.filter((r) => r.worker === 'all')
  expect(all.length).toBeGreaterThan(10)
  expect(Number(all[all.length - 1].bytes_in_total)).toBe(sent)
  expect(rows.some((r) => r.worker === '0')).toBe(true)
  expect(rows.some((r) => r.worker === '1')).toBe(true)
  await expect(page.getByTestId('export-status')).toContainText(download.suggestedFilename())

  await page.getByTestId('stop-button').click()
  await expect(state).toHaveAttribute('data-state', 'stopped')
  await expect(page.getByTestId('uptime')).toHaveText('—')
})

test('a port already in use shows a clear error; the page keeps working from the keyboard', async ({ page }) => {
  await page.goto(dashboardUrl())
  await ensureStopped(page)
  const held = await holdPort()
  try {
    await page.getByTestId('port-input').fill(String(held.port))
    await page.getByTestId('start-button').click()
    const banner = page.getByTestId('api-error')
    await expect(banner).toBeVisible()
    await expect(banner).toHaveAttribute('data-code', 'address-in-use')
    await expect(banner).toContainText(/address-in-use \((EADDRINUSE|WSAEADDRINUSE) \d+\)/)
    await expect(page.getByTestId('state')).not.toHaveAttribute('data-state', 'running')

    // Inline validation: an out-of-range value is flagged at the field and Start is disabled.
    await page.getByTestId('workers-input').fill('0')
    await expect(page.getByTestId('workers-input')).toHaveAttribute('aria-invalid', 'true')
    await expect(page.locator('#cfg-workers-msg')).toContainText('1 to 64')
    await expect(page.getByTestId('start-button')).toBeDisabled()
    await page.getByTestId('workers-input').fill('2')
    await expect(page.getByTestId('start-button')).toBeEnabled()

    // Keyboard only: dismiss the error, type a free port, Enter starts; Stop by Shift+Tab + Enter.
    await page.getByTestId('api-error-dismiss').focus()
    await page.keyboard.press('Enter')
    await expect(banner).toBeHidden()
    const port = await freePort()
    await page.getByTestId('port-input').focus()
    await page.keyboard.press('ControlOrMeta+a')
    await page.keyboard.type(String(port))
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('state')).toHaveAttribute('data-state', 'running')
    await page.getByTestId('lang-switch').focus()
    await page.keyboard.press('Shift+Tab')
    await expect(page.getByTestId('stop-button')).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('state')).toHaveAttribute('data-state', 'stopped')
  } finally {
    await held.close()
  }
})

test('switches to Korean and remembers the choice', async ({ page }) => {
  await page.goto(dashboardUrl())
  await page.getByTestId('lang-switch').selectOption('ko')
  await expect(page.getByTestId('start-button')).toHaveText('시작')
  await expect(page.getByRole('heading', { name: '워커별 큐 깊이' })).toBeVisible()
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko')
  await page.reload()
  await expect(page.getByRole('heading', { name: '서버 설정' })).toBeVisible()
  await page.getByTestId('lang-switch').selectOption('en')
  await expect(page.getByTestId('start-button')).toHaveText('Start')
})
