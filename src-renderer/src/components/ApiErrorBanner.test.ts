// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { useMetricsStore } from '../stores/metrics'
import { ADDRESS_IN_USE } from '../testing/fake-api'
import { mountWithApp } from '../testing/mount'
import ApiErrorBanner from './ApiErrorBanner.vue'

describe('ApiErrorBanner', () => {
  it('names the portable and native error, explains it in the current language, and dismisses', async () => {
    const { wrapper } = mountWithApp(ApiErrorBanner, { locale: 'ko', props: { error: null } })
    expect(wrapper.find('[data-testid="api-error"]').exists()).toBe(false)
    useMetricsStore().setCatalog([{ name: 'address-in-use', en: 'The address and port are already in use.', ko: '주소와 포트가 이미 사용 중입니다.' }])
    await wrapper.setProps({ error: ADDRESS_IN_USE })
    await flushPromises()
    const banner = wrapper.get('[data-testid="api-error"]')
    expect(banner.attributes('role')).toBe('alert')
    expect(banner.text()).toContain('address-in-use (EADDRINUSE 98)')
    expect(banner.text()).toContain('bind failed')
    expect(banner.text()).toContain('주소와 포트가 이미 사용 중입니다.')
    await wrapper.get('[data-testid="api-error-dismiss"]').trigger('click')
    expect(wrapper.emitted('dismiss')).toHaveLength(1)
    await wrapper.setProps({ error: null })
    expect(wrapper.find('[data-testid="api-error"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
