// @vitest-environment happy-dom
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { useAlertsStore } from '../stores/alerts'
import { mountWithApp } from '../testing/mount'
import AlertRules from './AlertRules.vue'

describe('AlertRules', () => {
  enableAutoUnmount(afterEach)

  it('adds a rule, flags a bad threshold inline, and saves', async () => {
    const { wrapper, api } = mountWithApp(AlertRules)
    await useAlertsStore().init()
    await flushPromises()
    expect(wrapper.text()).toContain('No rules.')
    await wrapper.get('[data-testid="rule-add"]').trigger('click')
    const row = wrapper.get('[data-testid="alert-rule"]')
    await row.get('[data-testid="rule-metric"]').setValue('errorsPerS')
    expect(row.text()).toContain('/s')
    await row.get('[data-testid="rule-threshold"]').setValue('abc')
    expect(row.get('[data-testid="rule-threshold"]').attributes('aria-invalid')).toBe('true')
    expect(wrapper.text()).toContain('Enter a number.')
    expect(wrapper.get('[data-testid="rules-save"]').attributes('disabled')).toBeDefined()
    await row.get('[data-testid="rule-threshold"]').setValue('0')
    await row.get('[data-testid="rule-for"]').setValue('2')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.method === 'setAlerts')?.arg).toEqual({ rules: [{ metric: 'errorsPerS', worker: 'all', op: '>', threshold: 0, forSeconds: 2 }] })
    expect(wrapper.text()).toContain('Saved at')
  })
})
