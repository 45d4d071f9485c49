// Which process the dashboard samples: the built-in server, or another process that publishes a
// probe (native/probe/iocpm_probe.h) and was attached to. The store keeps the probes the service
// discovered (probes:list, then probes:changed), the attach status (attach:status, then
// attach:status-changed), the call in flight and the last failed call as an ApiError for display.
// Attached, the process feeds the same metrics:tick stream as the built-in server, so the charts
// need nothing from here; the tabs that depend on *which* source is live read `attached`/`sourceLive`.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { DETACHED_STATUS, type AttachStatus, type ProbeListing } from '../../../src-shared/attach'
import type { ApiError, Result } from '../../../src-shared/result'
import { getApi } from '../api'
import { call, pendingActions } from '../api/call'
import { featureLifecycle } from './feature-lifecycle'
import { useMetricsStore } from './metrics'
import { useServerStore } from './server'

export type AttachAction = 'attach' | 'detach'

function isStatus(v: unknown): v is AttachStatus {
  const s = v as AttachStatus
  return typeof v === 'object' && v !== null && typeof s.state === 'string' && 'probe' in s && 'attachedAt' in s
}

function isListing(v: unknown): v is ProbeListing[] {
  return Array.isArray(v) && v.every((p) => typeof p === 'object' && p !== null && typeof (p as ProbeListing).pid === 'number')
}

/** A probe the user may attach to: running, and readable by this version. */
export function attachable(p: ProbeListing): boolean {
  return p.state === 'running' && !p.problem
}

export const useAttachStore = defineStore('attach', () => {
  const server = useServerStore()

  /** null until the service answered: false when it offers no attach feature (older service). */
  const available = ref<boolean | null>(null)
  const probes = shallowRef<ProbeListing[]>([])
  const status = shallowRef<AttachStatus>(DETACHED_STATUS)
  const pending = ref<AttachAction | null>(null)
  const lastError = shallowRef<ApiError | null>(null)

  /** Another process is the sampled source now. */
  const attached = computed(() => status.value.state === 'attached')
  /** The attached process: its probe while attached, null otherwise. */
  const attachedProbe = computed(() => (attached.value ? status.value.probe : null))
  /** Something is being sampled: the built-in server runs or a process is attached. */
  const sourceLive = computed(() => attached.value || server.status.state === 'running')

  function applyStatus(s: unknown): void {
    if (!isStatus(s)) return
    const prev = status.value
    status.value = s
    // A new attach is a new run: the charts start over from it (the service cleared its history).
    if (s.state === 'attached' && s.attachedAt !== null && s.attachedAt !== prev.attachedAt) useMetricsStore().startRun(s.attachedAt)
  }

  function applyProbes(list: unknown): void {
    if (isListing(list)) probes.value = list
  }

  async function refresh(): Promise<void> {
    const [st, list] = await Promise.all([call(() => getApi().attachStatus()), call(() => getApi().listProbes())])
    available.value = st.ok
    if (st.ok) applyStatus(st.value)
    if (list.ok) applyProbes(list.value)
  }

  const { init, dispose } = featureLifecycle(refresh, (api) => [api.onAttachStatus(applyStatus), api.onProbes(applyProbes)])

  const runAction = pendingActions(pending, lastError)
  async function run(action: AttachAction, fn: () => Promise<Result<AttachStatus>>): Promise<boolean> {
    const r = await runAction(action, fn)
    if (r?.ok) applyStatus(r.value)
    return r?.ok ?? false
  }

  /** Makes the process with this pid the sampled source (the service refuses while the built-in server runs). */
  function attach(pid: number): Promise<boolean> {
    return run('attach', () => getApi().attach({ pid }))
  }

  /** Back to the built-in server; the attached run's history stays until the next start. */
  function detach(): Promise<boolean> {
    return run('detach', () => getApi().detach())
  }

  /** Asks for the probe list now (discovery also pushes changes on its own). */
  async function reloadProbes(): Promise<void> {
    const r = await call(() => getApi().listProbes())
    if (r.ok) applyProbes(r.value)
  }

  function dismissError(): void {
    lastError.value = null
  }

  return { available, probes, status, pending, lastError, attached, attachedProbe, sourceLive, init, dispose, attach, detach, reloadProbes, dismissError }
})
