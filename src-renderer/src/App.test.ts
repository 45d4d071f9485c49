// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from './App.vue'
import { useUiStore } from './stores/ui'
import { alertEvent, createFakeApi, tick } from './testing/fake-api'
import { mountWithApp } from './testing/mount'

const SERVER_IDS = [
  'start-button',
  'stop-button',
  'state',
  'port-input',
  'workers-input',
  'queue-depth-chart',
  'bytes-chart',
  'completions-chart',
  'inflight-chart',
  'busy-chart',
  'error-timeline',
  'worker-table',
  'time-controls',
  'pause-button',
  'range-select',
  'export-button',
  'lang-switch',
  'config-toggle',
]

describe('App', () => {
  beforeEach(() => {
    // Chart.js cannot draw without a real canvas; the charts' own behaviour is covered end to end.
    vi.spyOn(console, 'error').mockImplementation(() => {})
    history.replaceState(null, '', '/')
  })
  afterEach(() => {
    document.body.innerHTML = ''
    localStorage.clear()
    vi.restoreAllMocks()
  })

  it('renders the Server tab with every control tests and users rely on, and live data from ticks', async () => {
    const api = createFakeApi()
    const { wrapper } = mountWithApp(App, { api })
    await flushPromises()
    for (const id of SERVER_IDS) expect(wrapper.find(`[data-testid="${id}"]`).exists(), id).toBe(true)
    expect(wrapper.get('[data-testid="state"]').attributes('data-state')).toBe('stopped')

    const reset = { code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: 2, perS: 20 }
    api.emit('metrics:tick', tick(1))
    api.emit('metrics:tick', tick(2, { errors: [reset] }))
    await flushPromises()
    expect(wrapper.get('[data-testid="kpi-sessions"]').text()).toBe('2')
    expect(wrapper.findAll('[data-testid="worker-table"] tbody tr[data-worker]:not([data-worker="all"])')).toHaveLength(2)
    // The Errors tab badge counts distinct errors.
    expect(wrapper.get('[data-testid="tab-errors"]').text()).toContain('1')
    wrapper.unmount()
  })

  it('switches tabs with the mouse and the arrow keys (ARIA tablist), mirrored in the URL hash', async () => {
    const { wrapper } = mountWithApp(App)
    await flushPromises()
    const tablist = wrapper.get('[role="tablist"]')
    expect(tablist.findAll('[role="tab"]')).toHaveLength(7)
    const server = wrapper.get('[data-testid="tab-server"]')
    expect(server.attributes('aria-selected')).toBe('true')
    expect(server.attributes('tabindex')).toBe('0')
    expect(wrapper.get('[role="tabpanel"]').attributes('aria-labelledby')).toBe('tab-server')

    await server.trigger('keydown', { key: 'ArrowRight' })
    expect(wrapper.get('[data-testid="tab-load"]').attributes('aria-selected')).toBe('true')
    expect(wrapper.find('[data-testid="load-form"]').exists()).toBe(true)
    expect(location.hash).toBe('#load')
    await wrapper.get('[data-testid="tab-load"]').trigger('keydown', { key: 'End' })
    expect(wrapper.find('[data-testid="settings-alerts"]').exists()).toBe(true)
    await wrapper.get('[data-testid="tab-settings"]').trigger('keydown', { key: 'ArrowRight' })
    expect(useUiStore().tab).toBe('server')
    await wrapper.get('[data-testid="tab-errors"]').trigger('click')
    expect(wrapper.find('[data-testid="error-table"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="queue-depth-chart"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows active alerts above the charts and counts them on the Settings tab', async () => {
    const api = createFakeApi()
    const { wrapper } = mountWithApp(App, { api })
    await flushPromises()
    api.emit('alerts:event', alertEvent('raised', Date.now(), { metric: 'queueDepth', threshold: 10 }))
    await flushPromises()
    const banner = wrapper.get('[data-testid="alert-banner"]')
    expect(banner.text()).toContain('queue depth on all workers > 10 for 0 s (now 12)')
    expect(wrapper.get('[data-testid="tab-settings"]').text()).toContain('1')
    wrapper.unmount()
  })

  it('opens the export dialog and the shortcut list from the keyboard', async () => {
    const { wrapper } = mountWithApp(App)
    await flushPromises()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'e' }))
    await flushPromises()
    expect((wrapper.get('[data-testid="export-dialog"]').element as HTMLDialogElement).open).toBe(true)
    useUiStore().exportOpen = false
    await flushPromises()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '?' }))
    await flushPromises()
    expect((wrapper.get('[data-testid="shortcuts-dialog"]').element as HTMLDialogElement).open).toBe(true)
    wrapper.unmount()
  })

  it('switches language and remembers it', async () => {
    const { wrapper, api } = mountWithApp(App)
    await flushPromises()
    await wrapper.get('[data-testid="lang-switch"]').setValue('ko')
    expect(wrapper.get('[data-testid="start-button"]').text()).toBe('시작')
    expect(wrapper.get('[data-testid="tab-load"]').text()).toBe('부하')
    expect(localStorage.getItem('iocp-monitor.locale')).toBe('ko')
    expect(document.documentElement.lang).toBe('ko')
    // Also saved to the service's config file.
    await flushPromises()
    expect(api.calls.find((c) => c.method === 'setConfig')?.arg).toEqual({ ui: { language: 'ko' } })
    wrapper.unmount()
  })
})
