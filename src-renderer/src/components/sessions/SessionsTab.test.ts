// @vitest-environment happy-dom
import { enableAutoUnmount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SessionCloseRequest } from '../../../../src-shared/sessions'
import { useAttachStore } from '../../stores/attach'
import { createFakeApi, probe, type FakeApi } from '../../testing/fake-api'
import { mountWithApp } from '../../testing/mount'
import { sessionTable } from '../../testing/session-table'
import SessionsTab from './SessionsTab.vue'
import { askedSessions, markServerRunning } from '../../testing/server-status'

const running = markServerRunning

const asked = askedSessions
const closes = (api: FakeApi) => api.calls.filter((c) => c.method === 'closeSession').map((c) => c.arg as SessionCloseRequest)
const tick = (ms = 10) => vi.advanceTimersByTimeAsync(ms)

describe('Sessions tab', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    // Chart.js cannot draw without a real canvas; the chart itself is covered end to end.
    vi.spyOn(console, 'error').mockImplementation(() => {})
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })
  enableAutoUnmount(afterEach)

  function setup(n = 3) {
    const api = createFakeApi()
    api.respond('sessions:table', () => ({ ok: true, value: sessionTable(n) }))
    const ctx = mountWithApp(SessionsTab, { api })
    return ctx
  }

  it('says the server is stopped, then loads and shows the rows with totals', async () => {
    const { wrapper, api } = setup()
    await tick()
    expect(wrapper.get('[data-testid="sessions-placeholder"]').attributes('data-kind')).toBe('stopped')
    expect(asked(api)).toHaveLength(0)
    api.respond('sessions:table', () => new Promise(() => {})) // never answers: loading
    running()
    await tick()
    expect(wrapper.get('[data-testid="sessions-placeholder"]').text()).toBe('Asking the server for its sessions…')
  })

  it('renders only a window of rows for 10,000 sessions and moves it on scroll', async () => {
    const { wrapper } = setup(10_000)
    running()
    await tick()
    const table = wrapper.get('[data-testid="session-table"]')
    expect(table.attributes('data-rows')).toBe('10000')
    const rendered = wrapper.findAll('[data-testid="session-row"]')
    expect(rendered.length).toBeGreaterThan(10)
    expect(rendered.length).toBeLessThan(60)
    expect(rendered[0].attributes('data-index')).toBe('0')
    const el = table.element as HTMLDivElement
    el.scrollTop = 30 * 5000
    await table.trigger('scroll')
    const after = wrapper.findAll('[data-testid="session-row"]')
    expect(after.length).toBeLessThan(60)
    expect(Number(after[0].attributes('data-index'))).toBeGreaterThan(4900)
    expect(wrapper.get('[data-testid="sessions-totals"]').text()).toContain('10,000 open')
  })

  it('sorting a server column asks with its key; the filter is sent as addressPrefix', async () => {
    const { wrapper, api } = setup()
    running()
    await tick()
    await wrapper.get('[data-testid="sort-sendQueue"]').trigger('click')
    await tick()
    expect(asked(api).at(-1)?.key).toBe('sendQueue')
    expect(wrapper.get('[data-testid="sort-sendQueue"]').element.closest('th')?.getAttribute('aria-sort')).toBe('descending')
    await wrapper.get('[data-testid="sort-age"]').trigger('click')
    await tick()
    expect(asked(api).at(-1)?.key).toBe('age')
    await wrapper.get('[data-testid="sort-lastError"]').trigger('click')
    await tick()
    expect(asked(api).at(-1)?.key).toBe('errors')
    await wrapper.get('[data-testid="sort-rateOut"]').trigger('click')
    await tick()
    expect(asked(api).at(-1)?.key).toBe('bytesPerS')

    await wrapper.get('[data-testid="sessions-filter"]').setValue('127.0.0.1:4')
    await tick(300)
    expect(asked(api).at(-1)).toMatchObject({ addressPrefix: '127.0.0.1:4' })
  })

  it('pause stops the polling; resume starts it again', async () => {
    const { wrapper, api } = setup()
    running()
    await tick(1100)
    await wrapper.get('[data-testid="sessions-pause"]').trigger('click')
    expect(wrapper.get('[data-testid="sessions-pause"]').attributes('aria-pressed')).toBe('true')
    expect(wrapper.find('[data-testid="sessions-paused"]').exists()).toBe(true)
    const n = asked(api).length
    await tick(3000)
    expect(asked(api)).toHaveLength(n)
    await wrapper.get('[data-testid="sessions-pause"]').trigger('click')
    await tick(1100)
    expect(asked(api).length).toBeGreaterThan(n)
  })

  it('opens a row (mouse and keyboard) and closes or resets it only after confirmation', async () => {
    const { wrapper, api } = setup()
    api.respond('sessions:close', (req) => ({ ok: true, value: req }))
    running()
    await tick()
    const rows = wrapper.findAll('[data-testid="session-row"]')
    await rows[0].trigger('keydown', { key: 'ArrowDown' })
    await rows[0].trigger('keydown', { key: 'Enter' })
    const id = Number(rows[1].attributes('data-id'))
    expect(wrapper.get('[data-testid="session-detail"]').attributes('data-id')).toBe(String(id))

    await wrapper.get('[data-testid="session-close"]').trigger('click')
    expect(closes(api)).toHaveLength(0)
    expect(wrapper.get('[data-testid="session-confirm"]').text()).toContain('gracefully')
    await wrapper.get('[data-testid="session-confirm-no"]').trigger('click')
    expect(closes(api)).toHaveLength(0)
    await wrapper.get('[data-testid="session-close"]').trigger('click')
    await wrapper.get('[data-testid="session-confirm-yes"]').trigger('click')
    await tick()
    expect(closes(api)).toEqual([{ id, abortive: false }])
    expect(wrapper.get('[data-testid="session-outcome"]').attributes('data-outcome')).toBe('closedGraceful')

    await wrapper.get('[data-testid="session-reset"]').trigger('click')
    expect(wrapper.get('[data-testid="session-confirm"]').text()).toContain('RST')
    await wrapper.get('[data-testid="session-confirm-yes"]').trigger('click')
    await tick()
    expect(closes(api).at(-1)).toEqual({ id, abortive: true })
    expect(wrapper.get('[data-testid="session-outcome"]').attributes('data-outcome')).toBe('closedAbortive')
  })

  it('says "already closed" when the session is gone, and shows other failures', async () => {
    const { wrapper, api } = setup()
    api.respond('sessions:close', { ok: false, error: { code: 'not-found', message: 'session 3 is not open' } })
    running()
    await tick()
    await wrapper.findAll('[data-testid="session-row"]')[0].trigger('click')
    await wrapper.get('[data-testid="session-reset"]').trigger('click')
    await wrapper.get('[data-testid="session-confirm-yes"]').trigger('click')
    await tick()
    expect(wrapper.get('[data-testid="session-outcome"]').text()).toBe('Already closed: the session was no longer open.')

    api.respond('sessions:close', { ok: false, error: { code: 'not-running', message: 'the server is not running' } })
    await wrapper.get('[data-testid="session-close"]').trigger('click')
    await wrapper.get('[data-testid="session-confirm-yes"]').trigger('click')
    await tick()
    expect(wrapper.get('[data-testid="session-close-error"]').text()).toContain('not-running')
  })

  it('shows the service\'s not-available answer instead of a table while a process is attached, asking once', async () => {
    const NOT_AVAILABLE = 'an attached process publishes counters only: the session table is the built-in server\'s'
    const { wrapper, api } = setup()
    api.respond('sessions:table', { ok: false, error: { code: 'not-available', message: NOT_AVAILABLE } })
    api.probesValue = [probe(42)]
    await useAttachStore().init()
    await useAttachStore().attach(42)
    await tick(2000)
    const placeholder = wrapper.get('[data-testid="sessions-placeholder"]')
    expect(placeholder.attributes('data-kind')).toBe('notAvailable')
    expect(placeholder.attributes('data-code')).toBe('not-available')
    expect(placeholder.text()).toContain('an attached process publishes counters only')
    expect(wrapper.get('[data-testid="sessions-not-available"]').text()).toBe(NOT_AVAILABLE)
    // Not a failure to shout about, and not asked again every 500 ms.
    expect(wrapper.find('[data-testid="sessions-error"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="session-row"]').exists()).toBe(false)
    expect(asked(api)).toHaveLength(1)

    // Detached: back to the built-in server's (stopped) state.
    await useAttachStore().detach()
    await tick(1000)
    expect(wrapper.get('[data-testid="sessions-placeholder"]').attributes('data-kind')).toBe('stopped')
  })
})
