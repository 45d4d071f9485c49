// Test setup shared by the store tests: each test starts over with a fresh FakeApi behind getApi()
// and a fresh active Pinia, so no store state or event subscription carries over between tests.
import { createPinia, setActivePinia } from 'pinia'
import { setApi } from '../api'
import { createFakeApi, type FakeApi } from '../testing/fake-api'

/** Installs a new FakeApi and a new active Pinia; returns the api for the test to drive. */
export function freshStoreEnv(): FakeApi {
  const api = createFakeApi()
  setApi(api)
  setActivePinia(createPinia())
  return api
}
