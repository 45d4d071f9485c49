// @vitest-environment happy-dom
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_ENGINE_CONFIG } from '../../../src-shared/engine-config'
import { downloadText } from '../lib/download'
import { useServerStore } from '../stores/server'
import { useSessionsStore } from '../stores/sessions'
import { sessionTable } from '../testing/session-table'
import { useMetricsStore } from '../stores/metrics'
import { useUiStore } from '../stores/ui'
import { useViewStore } from '../stores/view'
import { tick } from '../testing/fake-api'
import { mountWithApp } from '../testing/mount'
import ExportDialog from './ExportDialog.vue'

vi.mock('../lib/download', () => ({ downloadText: vi.fn() }))

describe('ExportDialog', () => {
  enableAutoUnmount(afterEach)

  async function open() {
    const ctx = mountWithApp(ExportDialog)
    const metrics = useMetricsStore()
    for (let i = 1; i <= 900; i++) metrics.ingest(tick(i))
    useUiStore().exportOpen = true
    await flushPromises()
    return ctx
  }

  it('exports everything by default and closes', async () => {
    const { wrapper, api } = await open()
    const dialog = wrapper.get('[data-testid="export-dialog"]').element as HTMLDialogElement
    expect(dialog.open).toBe(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.method === 'exportCsv')?.arg).toEqual({})
    expect(dialog.open).toBe(false)
    expect(useUiStore().exportOpen).toBe(false)
  })

  it('exports the last N minutes, checking N inline', async () => {
    const { wrapper, api } = await open()
    await wrapper.get('[data-testid="export-range-last"]').setValue(true)
    await wrapper.get('[data-testid="export-minutes"]').setValue('0')
    expect(wrapper.get('#export-minutes-msg').text()).toBe('Enter a whole number from 1 to 60.')
    expect(wrapper.get('[data-testid="export-save"]').attributes('disabled')).toBeDefined()
    await wrapper.get('[data-testid="export-minutes"]').setValue('2')
    const before = Date.now()
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const req = api.calls.find((c) => c.method === 'exportCsv')?.arg as { sinceMs: number }
    expect(req.sinceMs).toBeGreaterThanOrEqual(before - 120_000 - 5)
    expect(req.sinceMs).toBeLessThanOrEqual(Date.now() - 120_000)
  })

  it('exports the zoomed view with a subset of columns (preselected when the view is frozen)', async () => {
    const ctx = mountWithApp(ExportDialog)
    const metrics = useMetricsStore()
    for (let i = 1; i <= 900; i++) metrics.ingest(tick(i))
    await flushPromises()
    const view = useViewStore()
    view.zoomTo(tick(100).t, tick(200).t)
    useUiStore().exportOpen = true
    await flushPromises()
    const { wrapper, api } = ctx
    expect((wrapper.get('[data-testid="export-range-view"]').element as HTMLInputElement).checked).toBe(true)
    await wrapper.get('button.link-btn:last-of-type').trigger('click') // None
    expect(wrapper.get('[data-testid="export-save"]').attributes('disabled')).toBeDefined()
    expect(wrapper.text()).toContain('Choose at least one column.')
    await wrapper.get('[data-testid="export-col-queue_depth"]').setValue(true)
    await wrapper.get('[data-testid="export-col-timestamp"]').setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.method === 'exportCsv')?.arg).toEqual({ sinceMs: tick(100).t, untilMs: tick(200).t, columns: ['timestamp', 'queue_depth'] })
  })

  it('shows a failed export in the dialog and stays open', async () => {
    const { wrapper, api } = await open()
    api.respond('export:csv', { ok: false, error: { code: 'export-failed', message: 'could not write /x.csv: EACCES' } })
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="export-error"]').text()).toContain('EACCES')
    expect((wrapper.get('[data-testid="export-dialog"]').element as HTMLDialogElement).open).toBe(true)
  })

  it('exports the session table as CSV (every matched session, the Sessions tab filter and order)', async () => {
    const { wrapper, api } = await open()
    api.respond('sessions:table', { ok: true, value: sessionTable(2, {}, (id) => ({ remote: `[::1]:${5000 + id}` })) })
    await wrapper.get('[data-testid="export-what-sessions"]').setValue(true)
    // The server is stopped: nothing to export.
    expect(wrapper.text()).toContain('The server is not running')
    expect(wrapper.get('[data-testid="export-save"]').attributes('disabled')).toBeDefined()
    useServerStore().status = { state: 'running', config: DEFAULT_ENGINE_CONFIG, info: null, startedAt: 1, lastError: null }
    useSessionsStore().addressPrefix = '[::1]'
    useSessionsStore().sortBy('sendQueue')
    await flushPromises()
    expect(wrapper.find('[data-testid="export-col-timestamp"]').exists()).toBe(false)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls.filter((c) => c.method === 'exportCsv')).toHaveLength(0)
    expect(api.calls.find((c) => c.method === 'sessions')?.arg).toEqual({ key: 'sendQueue', limit: 10000, addressPrefix: '[::1]' })
    const [name, text] = vi.mocked(downloadText).mock.calls.at(-1)!
    expect(name).toMatch(/^iocp-monitor-sessions-.*\.csv$/)
    expect(text.split('\n')[0]).toBe('id,worker,local,remote,age_ms,state,bytes_in,bytes_out,bytes_in_per_s,bytes_out_per_s,completions,send_queue,peak_send_queue,errors,last_error,last_error_code')
    expect(text).toContain('"[::1]:5002"')
    expect(useServerStore().lastExport).toEqual({ rows: 2, path: null, fileName: name })
    expect(useUiStore().exportOpen).toBe(false)
  })
})
