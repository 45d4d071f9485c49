// @vitest-environment happy-dom
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { useMetricsStore } from '../stores/metrics'
import { useViewStore } from '../stores/view'
import { tick } from '../testing/fake-api'
import { mountWithApp } from '../testing/mount'
import TimeControls from './TimeControls.vue'

describe('TimeControls', () => {
  enableAutoUnmount(afterEach)

  it('pauses and resumes, zooms, pans and picks a span — all acting on the shared view', async () => {
    const { wrapper } = mountWithApp(TimeControls)
    const metrics = useMetricsStore()
    for (let i = 1; i <= 6000; i++) metrics.ingest(tick(i)) // 10 min
    const view = useViewStore()
    await flushPromises()
    const shown = wrapper.get('[data-testid="view-range"]')
    expect(shown.attributes('data-paused')).toBe('false')
    expect(shown.text()).toContain('Live')

    const pause = wrapper.get('[data-testid="pause-button"]')
    await pause.trigger('click')
    expect(pause.attributes('aria-pressed')).toBe('true')
    expect(pause.text()).toBe('Live')
    metrics.ingest(tick(6001))
    metrics.ingest(tick(6002))
    await flushPromises()
    expect(shown.text()).toContain('Paused · 2 new samples')

    await wrapper.get('[data-testid="zoom-in"]').trigger('click')
    expect(view.span).toBe(30_000)
    await wrapper.get('[data-testid="pan-left"]').trigger('click')
    expect(view.range.max).toBe(tick(6000).t - 15_000 - 7_500)
    await pause.trigger('click')
    expect(view.paused).toBe(false)

    // The span is a radio group: arrow keys move through it.
    const oneMin = wrapper.get('[data-testid="range-select"] [aria-checked="true"]')
    await oneMin.trigger('keydown', { key: 'ArrowRight' })
    expect(view.preset).toBe('5m')
    expect(view.span).toBe(300_000)
  })
})
