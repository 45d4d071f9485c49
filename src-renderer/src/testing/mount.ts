// Mounts a component with the app's plugins (a fresh Pinia, i18n in English) over a FakeApi.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Component } from 'vue'
import { setApi } from '../api'
import { createAppI18n, type Locale } from '../i18n'
import { createFakeApi, type FakeApi } from './fake-api'

export function mountWithApp(component: Component, opts: { api?: FakeApi; locale?: Locale; props?: Record<string, unknown> } = {}) {
  const api = opts.api ?? createFakeApi()
  setApi(api)
  const pinia = createPinia()
  setActivePinia(pinia)
  const wrapper = mount(component, { props: opts.props, global: { plugins: [pinia, createAppI18n(opts.locale ?? 'en')] }, attachTo: document.body })
  return { wrapper, api, pinia }
}
