// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { BRIDGE_MAX_RECORDING_BYTES } from '../../../src-shared/bridge-protocol'
import { RECORDING_FORMAT } from '../../../src-shared/recording-format'
import { type FakeApi, tick } from '../testing/fake-api'
import { freshStoreEnv } from './fresh-store-env'
import { useMetricsStore } from './metrics'
import { useRecordingStore } from './recording'
import { useServerStore } from './server'

describe('recording store', () => {
  let api: FakeApi
  beforeEach(() => {
    api = freshStoreEnv()
  })

  it('records and follows the recorder’s status events', async () => {
    const rec = useRecordingStore()
    await rec.init()
    expect(rec.available).toBe(true)
    await rec.startRecording()
    expect(rec.recording.state).toBe('recording')
    api.emit('recording:status', { state: 'idle', path: '/tmp/rec.ndjson', startedAt: 1, ticks: 42, lastError: { code: 'disk-full', message: 'ENOSPC' } })
    expect(rec.recording.ticks).toBe(42)
    expect(rec.lastError?.code).toBe('disk-full')
  })

  it('opens a file by sending its text, shows it whole, and replays it from an empty chart', async () => {
    const ticks = [tick(1), tick(2), tick(3)]
    api.respond('recording:open', {
      ok: true,
      value: {
        summary: { source: 'upload', header: { format: RECORDING_FORMAT, version: 1, startedAt: 5, config: null, info: null }, ticks: 3, firstT: ticks[0].t, lastT: ticks[2].t, truncatedLastLine: false },
        ticks,
      },
    })
    const rec = useRecordingStore()
    await useServerStore().init()
    await rec.init()
    const text = ticks.map((t) => JSON.stringify(t)).join('\n')
    expect(await rec.open(new File([text], 'run.ndjson'))).toBe(true)
    expect(api.calls.find((c) => c.method === 'openRecording')?.arg).toEqual({ text })
    expect(rec.opened?.ticks).toBe(3)
    expect(rec.replay.total).toBe(3)

    const metrics = useMetricsStore()
    metrics.ingest(tick(500))
    expect(rec.showWhole()).toBe(true)
    expect(metrics.data().length).toBe(3)

    rec.speed = 10
    await rec.startReplay()
    expect(api.calls.find((c) => c.method === 'startReplay')?.arg).toEqual({ speed: 10 })
    // Replayed ticks are older than what was shown: the chart starts empty.
    expect(metrics.data().length).toBe(0)
    api.emit('metrics:tick', tick(1))
    expect(metrics.data().length).toBe(1)
  })

  it('refuses a file larger than the bridge accepts, before reading it', async () => {
    const rec = useRecordingStore()
    const big = { name: 'huge.ndjson', size: BRIDGE_MAX_RECORDING_BYTES + 1, text: () => Promise.reject(new Error('read')) } as unknown as File
    expect(await rec.open(big)).toBe(false)
    expect(rec.lastError?.code).toBe('recording-too-large')
    expect(api.calls.some((c) => c.method === 'openRecording')).toBe(false)
  })
})
