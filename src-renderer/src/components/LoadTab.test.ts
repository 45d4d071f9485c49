// @vitest-environment happy-dom
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_LOAD_CONFIG, NO_FAULTS, type LoadSummary } from '../../../src-shared/load'
import { useAttachStore } from '../stores/attach'
import { useLoadStore } from '../stores/load'
import { createFakeApi, echoRun, probe } from '../testing/fake-api'
import { mountWithApp } from '../testing/mount'
import LoadForm from './LoadForm.vue'
import LoadLive from './LoadLive.vue'
import { markServerRunning } from '../testing/server-status'

const running = markServerRunning

describe('Load tab', () => {
  beforeEach(() => vi.spyOn(console, 'error').mockImplementation(() => {}))
  afterEach(() => vi.restoreAllMocks())
  // After-hooks run last-registered first: unmount, then restore the mocks.
  enableAutoUnmount(afterEach)

  it('aims empty fields at the attached process\'s port, or asks for a target when it published none', async () => {
    const api = createFakeApi()
    api.probesValue = [probe(42, { name: 'seed-echo', port: 7100 }), probe(43, { name: 'quiet', port: 0 })]
    const { wrapper } = mountWithApp(LoadForm, { api })
    await useAttachStore().init()
    await useAttachStore().attach(42)
    await flushPromises()
    expect(wrapper.get('[data-testid="load-target"]').text()).toBe('Empty fields aim at the attached process seed-echo, 127.0.0.1:7100.')
    expect(wrapper.get<HTMLInputElement>('[data-testid="load-port"]').element.placeholder).toBe('7100')
    await useAttachStore().attach(43)
    await flushPromises()
    expect(wrapper.get('[data-testid="load-target"]').text()).toBe('quiet did not publish its port: enter a target.')
    expect(useLoadStore().needsTarget).toBe(true)
  })

  it('picks presets from a keyboard radio group and validates every field inline', async () => {
    const { wrapper } = mountWithApp(LoadForm)
    running()
    await flushPromises()
    expect(wrapper.get('[data-testid="load-target"]').text()).toContain('127.0.0.1:9100')
    const smoke = wrapper.get('[data-testid="preset-smoke"]')
    expect(smoke.attributes('aria-checked')).toBe('true')
    await smoke.trigger('keydown', { key: 'ArrowRight' })
    expect(wrapper.get('[data-testid="preset-steady"]').attributes('aria-checked')).toBe('true')
    expect((wrapper.get('[data-testid="load-rate"]').element as HTMLInputElement).value).toBe('20000')

    await wrapper.get('[data-testid="load-connections"]').setValue('0')
    expect(wrapper.get('#load-connections-msg').text()).toBe('Enter a whole number from 1 to 20000.')
    await wrapper.get('[data-testid="load-duration"]').setValue('99999')
    expect(wrapper.get('#load-duration-msg').text()).toBe('Enter seconds from 0 to 86400.')
    await wrapper.get('[data-testid="load-messages"]').setValue('0')
    await wrapper.get('[data-testid="load-duration"]').setValue('0')
    expect(wrapper.get('#load-duration-msg').text()).toBe('Give a duration or a message count (both are 0).')
    await wrapper.get('[data-testid="load-fault-reset"]').setValue('60')
    await wrapper.get('[data-testid="load-fault-garbage"]').setValue('50')
    expect(wrapper.get('#load-faults-msg').text()).toBe('Faults add up to 110 %, more than 100 %.')
    await wrapper.get('[data-testid="load-host"]').setValue('not a host')
    expect(wrapper.get('#load-host-msg').text()).toContain('IP address or a host name')
    // Editing leaves the preset.
    expect(wrapper.find('[aria-checked="true"]').exists()).toBe(false)
  })

  it('starts the run (also with Enter), shows live numbers and then the summary', async () => {
    const { wrapper, api } = mountWithApp(LoadLive)
    running()
    const load = useLoadStore()
    await load.init()
    await flushPromises()
    const start = wrapper.get('[data-testid="load-start"]')
    expect(start.attributes('disabled')).toBeUndefined()
    await start.trigger('click')
    await flushPromises()
    expect(api.calls.filter((c) => c.method === 'loadStart')).toHaveLength(1)
    expect(wrapper.get('[data-testid="load-state"]').attributes('data-state')).toBe('running')
    expect(wrapper.get('[data-testid="load-stop"]').attributes('disabled')).toBeUndefined()

    const counters = echoRun(9000, 128, {
      running: true,
      elapsedMs: 1500,
      connectsOk: 10,
      activeConnections: 10,
      faultsInjected: { ...NO_FAULTS, reset: 2 },
      latency: { count: 9000, p50Us: 85, p90Us: 150, p99Us: 1250, p999Us: 3000, maxUs: 9000 },
    })
    api.emit('load:progress', { ...counters, t: Date.now(), msgsPerS: 6000, mbPerS: 0.77 })
    await flushPromises()
    expect(wrapper.get('[data-testid="live-msgs"]').text()).toBe('6000')
    expect(wrapper.get('[data-testid="live-p50"]').text()).toBe('85 µs')
    expect(wrapper.get('[data-testid="live-p99"]').text()).toBe('1.25 ms')
    expect(wrapper.get('[data-testid="live-connections"]').text()).toBe('10/ 10')
    expect(wrapper.get('[data-testid="live-faults"]').text()).toBe('2')

    const summary: LoadSummary = { ...counters, config: { ...DEFAULT_LOAD_CONFIG, connections: 10 }, startedAt: Date.now() - 3000, endedAt: Date.now(), stoppedEarly: false, msgsPerS: 3000, mbPerS: 0.38 }
    api.emit('load:finished', summary)
    await flushPromises()
    expect(wrapper.get('[data-testid="load-state"]').attributes('data-state')).toBe('idle')
    const s = wrapper.get('[data-testid="load-summary"]')
    expect(s.text()).toContain('9,000 / 9,000')
    expect(s.text()).toContain('85 µs · 150 µs · 1.25 ms · 3.00 ms · 9.00 ms')
    expect(s.text()).toContain('Reset 2')
  })
})
