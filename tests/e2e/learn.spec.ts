// The "How it works" tab end to end: the real service and engine under a load from the built-in
// generator; the diagram's boxes carry live, non-zero numbers that keep changing, an explanation
// opens from a box and from an API name and closes with Escape, and the tab switches to Korean.
// Takes the README screenshots of the tab in both languages while the load runs.
import { resolve } from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { dashboardUrl, E2E_HOST, ensureStopped, SHOTS, startLoadRun, startServer, tab } from './page-helpers'

const numberOf = async (l: Locator): Promise<number> => Number(await l.getAttribute('data-value'))

/**
 * Starts the Steady preset, gentler and longer, so the load outlasts the test's checks (the test
 * stops it when done). 40 s was not always enough: on a loaded CI machine under Wine the checks
 * took over a minute and the sessions read 0 after the run had ended.
 */
async function startLoad(page: Page): Promise<void> {
  await startLoadRun(page, 'steady', { 'load-rate': '4000', 'load-duration': '300' })
}

test('How it works: live pipeline under load, explanations, Korean', async ({ page }) => {
  await page.goto(dashboardUrl())
  await expect(page.getByTestId('state')).toBeVisible()
  await page.getByTestId('lang-switch').selectOption('en')

  // Stopped: the tab says how to get a server.
  await ensureStopped(page)
  await tab(page, 'learn')
  await expect(page).toHaveURL(/#learn$/)
  await expect(page.getByTestId('learn-empty')).toContainText('No server is running')

  await startServer(page, 2)
  await startLoad(page)
  try {
    await tab(page, 'learn')
    const diagram = page.getByTestId('pipeline-diagram')
    await expect(diagram).toBeVisible()
    await expect(page.getByTestId('learn-backend')).toHaveAttribute('data-backend', E2E_HOST === 'wine' ? 'iocp' : /^(iouring|epoll)$/)

    // Every traffic box carries a live, non-zero number from the sampler.
    for (const id of ['value-bytes-in', 'value-sessions', 'value-inflight', 'value-completions', 'value-busy', 'value-bytes-out']) {
      await expect.poll(() => numberOf(page.getByTestId(id)), { message: id, timeout: 15_000 }).toBeGreaterThan(0)
    }
    await expect(page.getByTestId('value-sessions')).toContainText('50')
    for (const w of [0, 1]) await expect.poll(() => numberOf(page.getByTestId(`lane-${w}`).getByTestId('lane-completions')), { timeout: 15_000 }).toBeGreaterThan(0)
    // …and follows the samples: the completions figure changes as ticks arrive.
    const first = await page.getByTestId('value-completions').getAttribute('data-value')
    await expect.poll(() => page.getByTestId('value-completions').getAttribute('data-value'), { timeout: 10_000 }).not.toBe(first)

    // A box explains itself with the live value; Escape closes and focus returns to the box.
    const sessionsBox = page.getByTestId('stage-button-sessions')
    await sessionsBox.click()
    const panel = page.getByTestId('explanation')
    await expect(panel).toHaveAttribute('data-topic', 'sessions')
    await expect(panel.getByTestId('explanation-now')).toHaveText(/^50 sessions are open, about 25 per worker\.$/)
    await page.keyboard.press('Escape')
    await expect(panel).toBeHidden()
    await expect(sessionsBox).toBeFocused()

    // An API name, from the keyboard.
    const apiName = page.locator('[data-testid^="api-"]').first()
    await apiName.focus()
    await page.keyboard.press('Enter')
    await expect(panel).toBeVisible()
    await expect(panel.getByTestId('explanation-calls')).not.toBeEmpty()

    // The worker lane the screenshot shows explained.
    await page.getByTestId('lane-queue-1').click()
    await expect(panel.getByTestId('explanation-now')).toContainText('Completions waiting for worker 1:')
    await page.mouse.move(0, 0)
    await page.screenshot({ path: resolve(SHOTS, 'learn-en.png'), fullPage: true })

    // Korean: the tab, the boxes and the open explanation.
    await page.getByTestId('lang-switch').selectOption('ko')
    await expect(page.getByTestId('tab-learn')).toHaveText('동작 원리')
    await expect(page.getByTestId('stage-button-sessions')).toContainText('소켓과 세션')
    await expect(panel.getByTestId('explanation-now')).toContainText('워커 1에 완료')
    await expect.poll(() => numberOf(page.getByTestId('value-completions'))).toBeGreaterThan(0)
    await page.screenshot({ path: resolve(SHOTS, 'learn-ko.png'), fullPage: true })
    await page.getByTestId('lang-switch').selectOption('en')
  } finally {
    await tab(page, 'load')
    const stop = page.getByTestId('load-stop')
    if (await stop.isEnabled()) await stop.click()
    await expect(page.getByTestId('load-state')).toHaveAttribute('data-state', 'idle', { timeout: 15_000 })
    await ensureStopped(page)
  }
})
