// The start and stop the feature stores (alerts, load, recording, settings) share. init() runs once:
// it subscribes to the store's events, reloads the store's state after every bridge reconnect
// (events sent while the bridge was down are lost), and loads it. dispose() undoes all of that,
// so init() may run again.
import { watch } from 'vue'
import type { MonitorApi } from '../../../src-shared/contract'
import { getApi } from '../api'
import { useServerStore } from './server'

type Unsubscribe = () => void

export function featureLifecycle(refresh: () => Promise<void>, subscribe: (api: MonitorApi) => Unsubscribe[] = () => []) {
  const server = useServerStore()
  const unsubscribe: Unsubscribe[] = []
  let started = false

  async function init(): Promise<void> {
    if (started) return
    started = true
    unsubscribe.push(...subscribe(getApi()))
    unsubscribe.push(watch(() => server.reconnects, () => void refresh()))
    await refresh()
  }

  function dispose(): void {
    for (const u of unsubscribe.splice(0)) u()
    started = false
  }

  return { init, dispose }
}
