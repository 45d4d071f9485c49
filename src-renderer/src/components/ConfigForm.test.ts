// @vitest-environment happy-dom
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_ENGINE_CONFIG } from '../../../src-shared/engine-config'
import { useServerStore } from '../stores/server'
import { ADDRESS_IN_USE, STOPPED } from '../testing/fake-api'
import { mountWithApp } from '../testing/mount'
import ConfigForm from './ConfigForm.vue'

describe('ConfigForm', () => {
  enableAutoUnmount(afterEach)

  it('validates inline as the user types, with localized messages tied to the field', async () => {
    const { wrapper } = mountWithApp(ConfigForm)
    const port = wrapper.get('[data-testid="port-input"]')
    expect(port.attributes('aria-invalid')).toBe('false')

    await port.setValue('70000')
    expect(port.attributes('aria-invalid')).toBe('true')
    expect(port.attributes('aria-describedby')).toBe('cfg-port-msg')
    expect(wrapper.get('#cfg-port-msg').text()).toBe('Enter a whole number from 1 to 65535.')

    await port.setValue('')
    expect(wrapper.get('#cfg-port-msg').text()).toBe('Enter a whole number from 1 to 65535.')
    await port.setValue('12a')
    expect(port.attributes('aria-invalid')).toBe('true')

    await wrapper.get('[data-testid="workers-input"]').setValue('65')
    expect(wrapper.get('#cfg-workers-msg').text()).toBe('Enter a whole number from 1 to 64.')

    await wrapper.get('[data-testid="host-input"]').setValue('localhost')
    expect(wrapper.get('#cfg-host-msg').text()).toContain('IPv4 or IPv6')

    await port.setValue('9100')
    await wrapper.get('[data-testid="workers-input"]').setValue('4')
    await wrapper.get('[data-testid="host-input"]').setValue('::1')
    expect(wrapper.findAll('[aria-invalid="true"]')).toHaveLength(0)
  })

  it('starts with the typed config on Enter, and not while invalid', async () => {
    const { wrapper, api } = mountWithApp(ConfigForm)
    await wrapper.get('[data-testid="workers-input"]').setValue('0')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls.filter((c) => c.method === 'start')).toHaveLength(0)

    await wrapper.get('[data-testid="workers-input"]').setValue('3')
    await wrapper.get('[data-testid="port-input"]').setValue(' 9100 ')
    await wrapper.get('[data-testid="backend-select"]').setValue('epoll')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    // Every field, the untouched ones at their defaults; the port trimmed and typed.
    expect(api.calls.find((c) => c.method === 'start')?.arg).toEqual({ ...DEFAULT_ENGINE_CONFIG, port: 9100, workers: 3, backend: 'epoll' })
  })

  it('edits the advanced fields, which open by themselves when they hold an error', async () => {
    const { wrapper, api } = mountWithApp(ConfigForm)
    const details = wrapper.get('[data-testid="config-advanced"]')
    expect(details.attributes('open')).toBeUndefined()
    await wrapper.get('[data-testid="send-queue-input"]').setValue('100')
    expect(wrapper.get('#cfg-send-queue-msg').text()).toBe('Enter a whole number from 4096 to 268435456.')
    expect(details.attributes('open')).toBeDefined()
    await wrapper.get('[data-testid="buffer-input"]').setValue('65536')
    await wrapper.get('[data-testid="send-queue-input"]').setValue('65536')
    expect(wrapper.get('#cfg-send-queue-msg').text()).toBe('Must be at least twice the receive buffer (131072).')
    await wrapper.get('[data-testid="buffer-input"]').setValue('16384')
    expect(wrapper.get('#cfg-send-queue-msg').text()).not.toContain('twice') // back to the hint
    await wrapper.get('[data-testid="backlog-input"]').setValue('128')
    await wrapper.get('[data-testid="max-sessions-input"]').setValue('500')
    await wrapper.get('[data-testid="close-mode-select"]').setValue('abortive')
    await wrapper.get('[data-testid="nodelay-input"]').setValue(false)
    await wrapper.get('[data-testid="reuseport-input"]').setValue(false)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.method === 'start')?.arg).toMatchObject({ backlog: 128, maxSessions: 500, sendQueueLimit: 65536, closeMode: 'abortive', noDelay: false, reusePort: false })
  })

  it('shows the IOCP options only for the iocp backend, with inline validation', async () => {
    const { wrapper, api } = mountWithApp(ConfigForm)
    const backend = wrapper.get('[data-testid="backend-select"]')
    expect(wrapper.find('[data-testid="config-iocp"]').exists()).toBe(false) // auto, never started: unknown
    await backend.setValue('iouring')
    expect(wrapper.find('[data-testid="config-iocp"]').exists()).toBe(false)

    await backend.setValue('iocp')
    expect(wrapper.get('#cfg-iocp-port-layout-msg').text()).toContain('completion port per worker thread')
    await wrapper.get('[data-testid="iocp-port-layout-select"]').setValue('shared')
    expect(wrapper.get('#cfg-iocp-port-layout-msg').text()).toContain('one port all workers wait on')
    await wrapper.get('[data-testid="iocp-dequeue-select"]').setValue('gqcs')
    const pool = wrapper.get('[data-testid="iocp-accept-pool-input"]')
    await pool.setValue('0')
    expect(pool.attributes('aria-invalid')).toBe('true')
    expect(wrapper.get('#cfg-iocp-accept-pool-msg').text()).toBe('Enter a whole number from 1 to 1024.')
    // An invalid field stays in sight whatever the backend, since it blocks Start.
    await backend.setValue('epoll')
    expect(wrapper.find('[data-testid="config-iocp"]').exists()).toBe(true)
    await wrapper.get('[data-testid="iocp-accept-pool-input"]').setValue('8')
    expect(wrapper.find('[data-testid="config-iocp"]').exists()).toBe(false)

    await backend.setValue('iocp')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.method === 'start')?.arg).toMatchObject({ backend: 'iocp', iocpPortLayout: 'shared', iocpDequeue: 'gqcs', iocpAcceptPool: 8 })
  })

  it('shows the io_uring receive model only for the iouring backend, with its hint', async () => {
    const { wrapper, api } = mountWithApp(ConfigForm)
    const backend = wrapper.get('[data-testid="backend-select"]')
    expect(wrapper.find('[data-testid="config-iouring"]').exists()).toBe(false) // auto, never started: unknown
    for (const other of ['epoll', 'iocp']) {
      await backend.setValue(other)
      expect(wrapper.find('[data-testid="config-iouring"]').exists()).toBe(false)
    }

    await backend.setValue('iouring')
    expect(wrapper.find('[data-testid="config-iocp"]').exists()).toBe(false)
    const recv = wrapper.get('[data-testid="iouring-recv-select"]')
    expect(recv.element).toHaveProperty('value', 'multishot')
    expect(recv.findAll('option').map((o) => o.text())).toEqual(['Multishot, provided buffers', 'Single-shot, a buffer per session'])
    expect(wrapper.get('#cfg-iouring-recv-msg').text()).toContain('shared buffer')
    await recv.setValue('single')
    expect(wrapper.get('#cfg-iouring-recv-msg').text()).toContain('a buffer each session keeps')
    const sockets = wrapper.get('[data-testid="iouring-sockets-select"]')
    expect(sockets.element).toHaveProperty('value', 'fd')
    expect(sockets.findAll('option').map((o) => o.text())).toEqual(['File descriptors', 'Direct descriptors (ring file table)'])
    expect(wrapper.get('#cfg-iouring-sockets-msg').text()).toContain('ulimit -n')
    await sockets.setValue('direct')
    expect(wrapper.get('#cfg-iouring-sockets-msg').text()).toContain('file table')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.method === 'start')?.arg).toMatchObject({ backend: 'iouring', iouringRecv: 'single', iouringSockets: 'direct' })

    // A value the service refused stays in sight whatever the backend, since it blocks Start.
    await backend.setValue('epoll')
    useServerStore().lastError = { ...ADDRESS_IN_USE, code: 'invalid-config', fieldErrors: [{ field: 'iouringRecv', message: 'iouringRecv must be multishot or single' }] }
    await flushPromises()
    expect(wrapper.get('[data-testid="iouring-recv-select"]').attributes('aria-invalid')).toBe('true')
    expect(wrapper.get('#cfg-iouring-recv-msg').text()).toBe('Choose one of: multishot, single.')
  })

  // Each backend's own options, with the section that must stay hidden meanwhile.
  it.each([
    ['iocp', 'port-per-worker', 'iouring', 'epoll'],
    ['iouring', 'single-recv', 'iocp', 'epoll'],
  ] as const)('shows the %s options for auto once a server on this host resolved auto to it', async (resolved, feature, other, chosenLater) => {
    const { wrapper, api } = mountWithApp(ConfigForm)
    await useServerStore().init()
    const section = `[data-testid="config-${resolved}"]`
    const info = { backend: resolved, host: '127.0.0.1', port: 9000, workers: 2, features: [feature] }
    api.emit('server:status-changed', { state: 'running', config: DEFAULT_ENGINE_CONFIG, info, startedAt: 1, lastError: null })
    await flushPromises()
    expect(wrapper.find(section).exists()).toBe(true)
    expect(wrapper.find(`[data-testid="config-${other}"]`).exists()).toBe(false)
    api.emit('server:status-changed', STOPPED) // the status forgets the backend; the form does not
    await flushPromises()
    expect(wrapper.get('[data-testid="backend-select"]').element).toHaveProperty('value', 'auto')
    expect(wrapper.find(section).exists()).toBe(true)
    await wrapper.get('[data-testid="backend-select"]').setValue(chosenLater)
    expect(wrapper.find(section).exists()).toBe(false)
  })

  it('shows the running configuration in the io_uring options', async () => {
    const { wrapper, api } = mountWithApp(ConfigForm)
    await useServerStore().init()
    const info = { backend: 'iouring' as const, host: '127.0.0.1', port: 9000, workers: 2, features: ['single-recv'] }
    api.emit('server:status-changed', { state: 'running', config: { ...DEFAULT_ENGINE_CONFIG, iouringRecv: 'single' }, info, startedAt: 1, lastError: null })
    await flushPromises()
    expect(wrapper.get('[data-testid="iouring-recv-select"]').element).toHaveProperty('value', 'single')
  })

  it('locks while running and shows the running configuration', async () => {
    const { wrapper } = mountWithApp(ConfigForm)
    const server = useServerStore()
    server.status = {
      state: 'running',
      config: { ...DEFAULT_ENGINE_CONFIG, port: 9555, workers: 8 },
      info: { backend: 'epoll', host: '127.0.0.1', port: 9555, workers: 8, features: ['edge-triggered'] },
      startedAt: 1,
      lastError: null,
    }
    await flushPromises()
    expect(wrapper.get('fieldset').attributes('disabled')).toBeDefined()
    expect((wrapper.get('[data-testid="port-input"]').element as HTMLInputElement).value).toBe('9555')
    expect(wrapper.get('[data-testid="start-info"]').text()).toContain('edge-triggered')
  })

  it('shows field errors the service rejected', async () => {
    const { wrapper } = mountWithApp(ConfigForm)
    useServerStore().lastError = { ...ADDRESS_IN_USE, code: 'invalid-config', fieldErrors: [{ field: 'host', message: 'host is not local' }] }
    await flushPromises()
    expect(wrapper.get('[data-testid="host-input"]').attributes('aria-invalid')).toBe('true')
  })
})
