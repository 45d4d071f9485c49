// Record & replay. Recording writes every sample to an NDJSON file in main (Electron asks where;
// the browser bridge writes into the recordings directory). Opening reads one back — in Electron
// through main's open dialog, in a browser by sending the chosen file's text — and then it can be
// shown whole in the charts or replayed through the live path at a chosen speed.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ApiError, Result } from '../../../src-shared/result'
import { BRIDGE_MAX_RECORDING_BYTES } from '../../../src-shared/bridge-protocol'
import { REPLAY_SPEED, type RecordingStatus, type RecordingSummary, type ReplayStatus } from '../../../src-shared/features'
import { getApi } from '../api'
import { call, pendingActions } from '../api/call'
import { useMetricsStore } from './metrics'
import { featureLifecycle } from './feature-lifecycle'

const RECORDING_IDLE: RecordingStatus = { state: 'idle', path: null, startedAt: null, ticks: 0, lastError: null }
const REPLAY_IDLE: ReplayStatus = { state: 'idle', position: 0, total: 0, speed: REPLAY_SPEED.default, source: null }

export type RecordingAction = 'record' | 'stop-record' | 'open' | 'replay' | 'stop-replay' | 'show'

export const useRecordingStore = defineStore('recording', () => {
  const available = ref<boolean | null>(null)
  const recording = shallowRef<RecordingStatus>(RECORDING_IDLE)
  const replay = shallowRef<ReplayStatus>(REPLAY_IDLE)
  const opened = shallowRef<RecordingSummary | null>(null)
  const lastError = shallowRef<ApiError | null>(null)
  const pending = ref<RecordingAction | null>(null)
  const speed = ref<number>(REPLAY_SPEED.default)
  /** The chosen file's name in a browser (the service only knows it as an upload). */
  const fileName = ref<string | null>(null)
  /** The opened recording's ticks, kept only until they are shown (then the metrics store has them). */
  let openedTicks: unknown[] | null = null

  const runAction = pendingActions(pending, lastError)
  async function run<T>(action: RecordingAction, fn: () => Promise<Result<T>>): Promise<T | undefined> {
    const r = await runAction(action, fn)
    return r?.ok ? r.value : undefined
  }

  function onRecordingStatus(s: RecordingStatus): void {
    if (typeof s !== 'object' || s === null) return
    recording.value = s
    if (s.lastError) lastError.value = s.lastError
  }

  function onReplayStatus(s: ReplayStatus): void {
    if (typeof s !== 'object' || s === null) return
    const prev = replay.value.state
    replay.value = s
    // A replay starts from an empty chart: its ticks are older than whatever was shown.
    if (s.state === 'playing' && prev !== 'playing') useMetricsStore().clear()
  }

  async function refresh(): Promise<void> {
    // There is no "recording:status" request; a harmless stop of nothing would change state, so
    // availability is probed with the config call every feature service answers.
    const r = await call(() => getApi().getConfig())
    available.value = r.ok
  }

  const { init, dispose } = featureLifecycle(refresh, (api) => [api.onRecordingStatus(onRecordingStatus), api.onReplayStatus(onReplayStatus)])

  async function startRecording(): Promise<void> {
    const v = await run('record', () => getApi().startRecording())
    if (v) recording.value = v
  }

  async function stopRecording(): Promise<void> {
    const v = await run('stop-record', () => getApi().stopRecording())
    if (v) recording.value = v
  }

  /** Electron: main's open dialog (no argument). Browser: the chosen file's text. */
  async function open(file?: File): Promise<boolean> {
    let text: string | undefined
    if (file) {
      if (file.size > BRIDGE_MAX_RECORDING_BYTES) {
        lastError.value = {
          code: 'recording-too-large',
          message: `${file.name} is ${Math.round(file.size / 1e6)} MB; a browser can open recordings up to ${BRIDGE_MAX_RECORDING_BYTES / 1024 / 1024} MiB (use the desktop app for larger ones).`,
        }
        return false
      }
      text = await file.text()
    }
    const v = await run('open', () => getApi().openRecording(text === undefined ? undefined : { text }))
    if (!v) return false
    opened.value = v.summary
    fileName.value = file?.name ?? null
    openedTicks = v.ticks
    replay.value = { ...REPLAY_IDLE, total: v.summary.ticks, source: v.summary.source, speed: speed.value }
    return true
  }

  /** Puts the whole opened recording into the charts at once (to zoom and pan over it). */
  function showWhole(): boolean {
    if (!openedTicks) return false
    const metrics = useMetricsStore()
    metrics.clear()
    metrics.backfill(openedTicks)
    return true
  }

  async function startReplay(): Promise<void> {
    const s = Math.min(REPLAY_SPEED.max, Math.max(REPLAY_SPEED.min, Math.round(speed.value) || 1))
    const v = await run('replay', () => getApi().startReplay({ speed: s }))
    if (v) onReplayStatus(v)
  }

  async function stopReplay(): Promise<void> {
    const v = await run('stop-replay', () => getApi().stopReplay())
    if (v) onReplayStatus(v)
  }

  function dismissError(): void {
    lastError.value = null
  }

  return {
    available,
    recording,
    replay,
    opened,
    lastError,
    pending,
    speed,
    fileName,
    init,
    dispose,
    refresh,
    startRecording,
    stopRecording,
    open,
    showWhole,
    startReplay,
    stopReplay,
    dismissError,
  }
})
