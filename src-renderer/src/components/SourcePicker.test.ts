// @vitest-environment happy-dom
import { enableAutoUnmount, flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AttachStatus } from '../../../src-shared/attach'
import App from '../App.vue'
import { useAttachStore } from '../stores/attach'
import { createFakeApi, probe, type FakeApi } from '../testing/fake-api'
import { mountWithApp } from '../testing/mount'
import { markServerRunning } from '../testing/server-status'
import AppHeader from './AppHeader.vue'
import SourcePicker from './SourcePicker.vue'

const PROBLEM = { code: 'probe-version', message: 'probe layout 9 is newer than this build reads (1)' } as const

function apiWithProbes(): FakeApi {
  const api = createFakeApi()
  api.probesValue = [probe(42, { name: 'seed-echo', workers: 4 }), probe(43, { name: 'old', state: 'exited' }), probe(44, { name: 'future', problem: PROBLEM })]
  return api
}

/** Mounts `component` and starts the attach store, as the page's session does. */
async function mountStarted(component: Parameters<typeof mountWithApp>[0], api = apiWithProbes(), locale: 'en' | 'ko' = 'en') {
  const ctx = mountWithApp(component, { api, locale })
  await useAttachStore().init()
  await flushPromises()
  return ctx
}

const select = (w: VueWrapper) => w.get<HTMLSelectElement>('[data-testid="source-select"]')
const attachCalls = (api: FakeApi) => api.calls.filter((c) => c.method === 'attach').map((c) => c.arg)

// After-hooks run last-registered first: unmount, then the describe blocks' own clean-up.
enableAutoUnmount(afterEach)

describe('SourcePicker', () => {
  beforeEach(() => vi.spyOn(console, 'error').mockImplementation(() => {}))
  afterEach(() => {
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('is a select labelled "Source" with Built-in and one option per probe; exited and broken ones are marked and disabled', async () => {
    const { wrapper } = await mountStarted(SourcePicker)
    const el = select(wrapper).element
    expect(el.labels?.[0]?.textContent).toBe('Source')
    expect(el.value).toBe('builtin')
    const options = wrapper.findAll('option')
    expect(options.map((o) => o.text())).toEqual([
      'Built-in server',
      'seed-echo · pid 42 · 4 workers',
      'old · pid 43 · 4 workers — exited',
      'future · pid 44 · 4 workers — problem',
    ])
    expect(options.map((o) => (o.element as HTMLOptionElement).disabled)).toEqual([false, false, true, true])
    expect(options[3]!.attributes('title')).toBe(`probe-version: ${PROBLEM.message}`)
    expect(options[3]!.attributes('data-state')).toBe('problem')
    expect(wrapper.find('[data-testid="attach-chip"]').exists()).toBe(false)
  })

  it('follows probes:changed', async () => {
    const { wrapper, api } = await mountStarted(SourcePicker)
    api.emit('probes:changed', [probe(50, { name: 'late' })])
    await flushPromises()
    expect(wrapper.findAll('option').map((o) => o.text())).toEqual(['Built-in server', 'late · pid 50 · 4 workers'])
  })

  it('attaches when a process is chosen and shows the chip; Built-in detaches', async () => {
    const { wrapper, api } = await mountStarted(SourcePicker)
    await select(wrapper).setValue('42')
    await flushPromises()
    expect(attachCalls(api)).toEqual([{ pid: 42 }])
    expect(select(wrapper).element.value).toBe('42')
    const chip = wrapper.get('[data-testid="attach-chip"]')
    expect(chip.text()).toBe('Attached: seed-echo (pid 42)')
    expect(chip.attributes('data-state')).toBe('attached')
    expect(wrapper.get('[data-testid="attach-status"]').attributes('role')).toBe('status')

    await select(wrapper).setValue('builtin')
    await flushPromises()
    expect(api.calls.some((c) => c.method === 'detach')).toBe(true)
    expect(select(wrapper).element.value).toBe('builtin')
    expect(wrapper.find('[data-testid="attach-chip"]').exists()).toBe(false)
  })

  it('keeps Built-in selected when the service refuses (the built-in server runs) and keeps the error for the banner', async () => {
    const api = apiWithProbes()
    api.statusValue = { ...api.statusValue, state: 'running' }
    const { wrapper } = await mountStarted(SourcePicker, api)
    markServerRunning()
    await flushPromises()
    // The option is offered: choosing it is how the user learns why not.
    expect((wrapper.get('[data-testid="source-option-42"]').element as HTMLOptionElement).disabled).toBe(false)
    await select(wrapper).setValue('42')
    await flushPromises()
    expect(attachCalls(api)).toEqual([{ pid: 42 }])
    expect(select(wrapper).element.value).toBe('builtin')
    expect(useAttachStore().lastError?.code).toBe('server-running')
  })

  it('says the attached process exited, and why, in Korean too', async () => {
    const api = apiWithProbes()
    const gone: AttachStatus = { state: 'exited', probe: probe(42, { name: 'seed-echo', state: 'exited' }), attachedAt: 1, exitedAt: 2, exitReason: 'closed', lastError: null }
    api.attachValue = gone
    const { wrapper } = await mountStarted(SourcePicker, api)
    const chip = wrapper.get('[data-testid="attach-chip"]')
    expect(chip.attributes('data-state')).toBe('exited')
    expect(chip.text()).toBe('seed-echo exited (closed its probe)')
    expect(select(wrapper).element.value).toBe('builtin')

    const ko = await mountStarted(SourcePicker, (() => {
      const a = apiWithProbes()
      a.attachValue = { ...gone, exitReason: 'process-exited' }
      return a
    })(), 'ko')
    expect(ko.wrapper.get('[data-testid="attach-chip"]').text()).toBe('seed-echo 종료됨 (프로브를 닫지 않고 끝남)')
    expect(ko.wrapper.find('label').text()).toBe('소스')
  })
})

describe('the header while attached', () => {
  beforeEach(() => vi.spyOn(console, 'error').mockImplementation(() => {}))
  afterEach(() => {
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('disables Start with a hint to detach, and enables it again after detaching', async () => {
    const { wrapper } = await mountStarted(AppHeader)
    const start = () => wrapper.get('[data-testid="start-button"]')
    expect(start().attributes('disabled')).toBeUndefined()
    await useAttachStore().attach(42)
    await flushPromises()
    expect(start().attributes('disabled')).toBeDefined()
    expect(start().attributes('title')).toBe('Detach to start the built-in server')
    expect(wrapper.get('[data-testid="start-attached-hint"]').text()).toBe('Detach to start the built-in server')
    expect(start().attributes('aria-describedby')).toBe('start-attached-hint')
    await useAttachStore().detach()
    await flushPromises()
    expect(start().attributes('disabled')).toBeUndefined()
    expect(wrapper.find('[data-testid="start-attached-hint"]').exists()).toBe(false)
  })

  it('turns Stop into Detach while attached: it detaches and the process keeps its probe', async () => {
    const { wrapper, api } = await mountStarted(AppHeader)
    expect(wrapper.find('[data-testid="detach-button"]').exists()).toBe(false)
    await useAttachStore().attach(42)
    await flushPromises()
    expect(wrapper.find('[data-testid="stop-button"]').exists()).toBe(false)
    const detach = wrapper.get('[data-testid="detach-button"]')
    expect(detach.text()).toBe('Detach')
    await detach.trigger('click')
    await flushPromises()
    expect(api.calls.filter((c) => c.method === 'detach')).toHaveLength(1)
    expect(useAttachStore().attached).toBe(false)
    expect(wrapper.find('[data-testid="stop-button"]').exists()).toBe(true)
  })
})

describe('the page with a source picker', () => {
  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    history.replaceState(null, '', '/')
  })
  afterEach(() => {
    vi.restoreAllMocks()
    document.body.innerHTML = ''
    localStorage.clear()
  })

  it('shows the service\'s server-running message in an alert banner when a process is chosen while the built-in server runs', async () => {
    const api = apiWithProbes()
    api.statusValue = { ...api.statusValue, state: 'running', startedAt: 1 }
    const { wrapper } = mountWithApp(App, { api })
    await flushPromises()
    await select(wrapper).setValue('42')
    await flushPromises()
    const banner = wrapper.get('[data-testid="attach-error"]')
    expect(banner.attributes('role')).toBe('alert')
    expect(banner.attributes('data-code')).toBe('server-running')
    expect(banner.text()).toContain('stop the built-in server before attaching to another process')
    await wrapper.get('[data-testid="attach-error-dismiss"]').trigger('click')
    expect(wrapper.find('[data-testid="attach-error"]').exists()).toBe(false)
  })
})
