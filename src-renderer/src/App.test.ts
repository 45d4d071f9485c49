// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from './App.vue'
import { FakeApi, tick } from './testing/fake-api'
import { mountWithApp } from './testing/mount'

const TEST_IDS = ['start-button', 'stop-button', 'state', 'port-input', 'workers-input', 'queue-depth-chart', 'bytes-chart', 'error-table', 'export-button', 'lang-switch']

describe('App', () => {
  afterEach(() => {
    document.body.innerHTML = ''
    localStorage.clear()
  })

  it('renders every control tests and users rely on, and live data from ticks', async () => {
    // Chart.js cannot draw without a real canvas; the charts' own behaviour is covered end to end.
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const api = new FakeApi()
    const { wrapper } = mountWithApp(App, { api })
    await flushPromises()
    for (const id of TEST_IDS) expect(wrapper.find(`[data-testid="${id}"]`).exists(), id).toBe(true)
    expect(wrapper.get('[data-testid="state"]').attributes('data-state')).toBe('stopped')

    const reset = { code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: 2, perS: 20 }
    api.emitTick(tick(1))
    api.emitTick(tick(2, { errors: [reset] }))
    await flushPromises()
    expect(wrapper.get('[data-testid="kpi-sessions"]').text()).toBe('0')
    const row = wrapper.get('[data-testid="error-row"]')
    expect(row.attributes('data-name')).toBe('connection-reset')
    expect(row.text()).toContain('ECONNRESET')
    expect(row.text()).toContain('The peer reset the connection (RST).')
    expect(wrapper.findAll('[data-testid="worker-table"] tbody tr[data-worker]:not([data-worker="all"])')).toHaveLength(2)
    wrapper.unmount()
  })

  it('switches language and remembers it', async () => {
    const { wrapper } = mountWithApp(App)
    await flushPromises()
    await wrapper.get('[data-testid="lang-switch"]').setValue('ko')
    expect(wrapper.get('[data-testid="start-button"]').text()).toBe('시작')
    expect(localStorage.getItem('iocp-monitor.locale')).toBe('ko')
    expect(document.documentElement.lang).toBe('ko')
    wrapper.unmount()
  })
})
