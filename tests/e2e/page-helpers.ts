// What every e2e test does with the page: find the dashboard, read the test hook, count chart
// redraws, start and stop a server from the UI.
import { expect, type Locator, type Page } from '@playwright/test'
import { resolve } from 'node:path'
import { freePort } from './net-helpers'
import type { TestHookView } from '../../src-renderer/src/test-hook'

/** Where the dashboard's service runs: 'wine' under playwright.wine.config.ts (Windows Node + IOCP). */
export const E2E_HOST: 'linux' | 'wine' = process.env.IOCPM_CLI_HOST === 'wine' ? 'wine' : 'linux'

/** A path the service printed, as this (Linux) test process opens it: Wine shows / as drive Z:. */
export function localPath(servicePath: string): string {
  return E2E_HOST === 'wine' ? servicePath.replace(/^[Zz]:/, '').replace(/\\/g, '/') : servicePath
}

/** README screenshots; the Windows run keeps its own set beside them. */
export const SHOTS = resolve(__dirname, 'screenshots', E2E_HOST === 'wine' ? 'wine' : '')

export const CSV_COLUMNS =
  'timestamp,worker,queue_depth,inflight,sessions,completions_total,bytes_in_total,bytes_out_total,errors_total,completions_per_s,bytes_in_per_s,bytes_out_per_s,errors_per_s,busy_pct'

/** The dashboard's read-only test hook, typed by the renderer module that installs it. */
export type HookView = TestHookView

export function dashboardUrl(): string {
  const url = process.env.IOCPM_DASHBOARD_URL
  if (!url) throw new Error('IOCPM_DASHBOARD_URL is not set (global-setup did not run?)')
  return url
}

export const hook = (page: Page): Promise<HookView> => page.evaluate(() => (window as unknown as { __iocpm: HookView }).__iocpm)

/** Redraws of the (first) chart inside a panel, from its data-updates attribute. */
export async function chartUpdates(page: Page, testid: string): Promise<number> {
  return Number(await page.getByTestId(testid).locator('[data-updates]').first().getAttribute('data-updates'))
}

export function tab(page: Page, id: 'server' | 'load' | 'errors' | 'sessions' | 'learn' | 'recordings' | 'settings'): Promise<void> {
  return page.getByTestId(`tab-${id}`).click()
}

/** Leaves the service stopped whatever a previous test did. */
export async function ensureStopped(page: Page): Promise<void> {
  const state = page.getByTestId('state')
  await expect(state).not.toHaveAttribute('data-state', /starting|stopping/)
  if ((await state.getAttribute('data-state')) === 'running') {
    await page.getByTestId('stop-button').click()
    await expect(state).toHaveAttribute('data-state', 'stopped')
  }
}

/** Starts a server from the Server tab's form; resolves with its port. */
export async function startServer(page: Page, workers: number): Promise<number> {
  await tab(page, 'server')
  await ensureStopped(page)
  const port = await freePort()
  await page.getByTestId('port-input').fill(String(port))
  await page.getByTestId('workers-input').fill(String(workers))
  await page.getByTestId('start-button').click()
  await expect(page.getByTestId('state')).toHaveAttribute('data-state', 'running')
  await expect.poll(async () => (await hook(page)).workers).toBe(workers)
  return port
}

/**
 * Starts a load run from the Load tab: a preset, then the given fields (test id → value) over it;
 * resolves once the run is seen running. For runs long enough to outlast the test's checks.
 */
export async function startLoadRun(page: Page, preset: 'steady' | 'faults', fields: Record<string, string>): Promise<void> {
  await tab(page, 'load')
  await page.getByTestId(`preset-${preset}`).click()
  for (const [testid, value] of Object.entries(fields)) await page.getByTestId(testid).fill(value)
  await page.getByTestId('load-start').click()
  await expect(page.getByTestId('load-state')).toHaveAttribute('data-state', 'running', { timeout: 15_000 })
}

/** Drags across a chart's plot from `from` to `to` (fractions of its width): zoom to that span. */
export async function dragAcross(page: Page, chart: Locator, from: number, to: number, opts: { shift?: boolean } = {}): Promise<void> {
  const box = await chart.boundingBox()
  if (!box) throw new Error('chart is not visible')
  const y = box.y + box.height * 0.4
  if (opts.shift) await page.keyboard.down('Shift')
  await page.mouse.move(box.x + box.width * from, y)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 4 })
  await page.mouse.move(box.x + box.width * to, y, { steps: 4 })
  await page.mouse.up()
  if (opts.shift) await page.keyboard.up('Shift')
}
