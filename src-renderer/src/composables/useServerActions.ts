// Start/Stop as the header buttons and the form's Enter key both trigger them: what is allowed
// in which state, and starting only with a configuration that passed validation.
import { computed } from 'vue'
import { useConfigDraftStore } from '../stores/config-draft'
import { useServerStore } from '../stores/server'

export function useServerActions() {
  const server = useServerStore()
  const draft = useConfigDraftStore()

  const state = computed(() => server.status.state)
  /** The configuration can be edited (and a server started) only when nothing is running. */
  const idle = computed(() => state.value === 'stopped' || state.value === 'failed')
  /** Nothing is sent while the browser transport is reconnecting: it would only time out. */
  const ready = computed(() => server.connection === 'open' && server.pending === null)
  const canStart = computed(() => idle.value && draft.valid && ready.value)
  const canStop = computed(() => (state.value === 'running' || state.value === 'starting') && ready.value)

  async function start(): Promise<boolean> {
    if (!canStart.value) return false
    return server.start({ ...draft.candidate })
  }

  async function stop(): Promise<boolean> {
    if (!canStop.value) return false
    return server.stop()
  }

  return { state, idle, ready, canStart, canStop, start, stop }
}
