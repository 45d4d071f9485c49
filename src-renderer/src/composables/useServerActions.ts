// Start/Stop as the header buttons and the form's Enter key both trigger them: what is allowed
// in which state, and starting only with a configuration that passed validation. While another
// process is attached the service refuses a start (error `attached`), so Start is not offered.
import { computed } from 'vue'
import { useAttachStore } from '../stores/attach'
import { useConfigDraftStore } from '../stores/config-draft'
import { useServerStore } from '../stores/server'

export function useServerActions() {
  const server = useServerStore()
  const draft = useConfigDraftStore()
  const attach = useAttachStore()

  const state = computed(() => server.status.state)
  /** The configuration can be edited (and a server started) only when nothing is running. */
  const idle = computed(() => state.value === 'stopped' || state.value === 'failed')
  /** Nothing is sent while the browser transport is reconnecting: it would only time out. */
  const ready = computed(() => server.connection === 'open' && server.pending === null)
  /** Another process is the sampled source: detach before starting the built-in server. */
  const blockedByAttach = computed(() => attach.attached)
  const canStart = computed(() => idle.value && draft.valid && ready.value && !blockedByAttach.value)
  const canStop = computed(() => (state.value === 'running' || state.value === 'starting') && ready.value)

  async function start(): Promise<boolean> {
    if (!canStart.value) return false
    return server.start({ ...draft.candidate })
  }

  async function stop(): Promise<boolean> {
    if (!canStop.value) return false
    return server.stop()
  }

  return { state, idle, ready, blockedByAttach, canStart, canStop, start, stop }
}
