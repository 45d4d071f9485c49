// A recording's size cap (config recording.maxBytes, default 1 GiB): reaching it stops the
// recording cleanly — the file ends on a whole tick, reads back complete, never passes the cap —
// and the recording:status event says why. Real files, the real service and config feature.
import { statSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_APP_CONFIG, RECORDING_MAX_BYTES, validateAppConfig, type ConfigState } from '../../src-shared/app-config'
import type { RecordingStatus } from '../../src-shared/features'
import { createApp, type App } from '../../src-main/app'
import { loadRecording } from '../../src-main/recording/reader'
import { TickRecorder } from '../../src-main/recording/recorder'
import { silentLogger } from '../../src-main/service/log'
import { addon } from '../addon/support/addon'
import { waitFor } from '../addon/support/net'
import { synthTick } from './support/synth-tick'
import { tempDir } from './support/temp-dir'

const tmp = tempDir('iocpm-rec-limit-', { each: true })
const MiB = 1024 * 1024

describe('recording size cap', () => {
  const apps: App[] = []
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.dispose()
  })

  it('defaults to 1 GiB and is validated like every config field', () => {
    expect(DEFAULT_APP_CONFIG.recording.maxBytes).toBe(1024 * MiB)
    expect(validateAppConfig({ recording: { maxBytes: 5 * MiB } })).toMatchObject({ ok: true, value: { recording: { maxBytes: 5 * MiB } } })
    // A file from before the field existed gets the default.
    expect(validateAppConfig({ version: 1, sampler: { hz: 10 } })).toMatchObject({ ok: true, value: { recording: { maxBytes: RECORDING_MAX_BYTES.default } } })
    for (const maxBytes of [0, MiB - 1, 1.5 * MiB + 0.5, RECORDING_MAX_BYTES.max + 1, '1GiB', null, -MiB]) {
      expect(validateAppConfig({ recording: { maxBytes } })).toMatchObject({ ok: false, errors: [{ field: 'recording.maxBytes' }] })
    }
    expect(validateAppConfig({ recording: { maxBytes: MiB, extra: 1 } })).toMatchObject({ ok: false, errors: [{ field: 'recording.extra' }] })
  })

  it('the recorder writes no tick past the cap, tells its owner once, and the file reads back whole', async () => {
    const path = tmp('capped.ndjson')
    const line = JSON.stringify(synthTick(0, 1000)).length + 1
    const fulls: number[] = []
    // Room for the header and three ticks and a bit, not four.
    const rec = await TickRecorder.create(path, { describe: () => ({ config: null, info: null }), maxBytes: 400 + 3 * line + line / 2, onFull: (n) => fulls.push(n) })
    for (let i = 0; i < 10; i++) rec.write(synthTick(i, 1000 + 100 * i))
    expect(rec.reachedLimit).toBe(true)
    expect(fulls).toHaveLength(1)
    const result = await rec.stop()
    expect(result.ticks).toBe(3)
    const size = statSync(path).size
    expect(size).toBe(result.bytes)
    expect(size).toBeLessThanOrEqual(400 + 3 * line + line / 2)
    const back = await loadRecording(path)
    expect(back.truncatedLastLine).toBe(false)
    expect(back.ticks.map((t) => t.seq)).toEqual([0, 1, 2])
  })

  it('reaching recording.maxBytes stops the recording, and recording:status says why', async () => {
    const app = await createApp({ store: null, addon, sampleHz: 10, applyPrometheusConfig: false, recordingsDir: tmp('recordings'), logger: silentLogger })
    apps.push(app)
    const { service } = app
    const set = (await service.invoke('config:set', { recording: { maxBytes: MiB } })) as { ok: true; value: ConfigState }
    expect(set.value.config.recording.maxBytes).toBe(MiB)
    const statuses: RecordingStatus[] = []
    service.on('recording:status', (s) => statuses.push(s))
    const started = await service.invoke('recording:start', undefined)
    expect(started).toMatchObject({ ok: true, value: { state: 'recording' } })
    const path = (started as { ok: true; value: RecordingStatus }).value.path!

    // 64-worker ticks (~20 KB each) through the real event bus, as the sampler publishes them.
    let seq = 0
    while (statuses.at(-1)?.state !== 'idle' && seq < 200) service.publish('metrics:tick', synthTick(seq++, 1000 + 100 * seq, 64))
    await waitFor(() => statuses.at(-1)?.state === 'idle', 5000, 'the recording to stop at its cap')
    const last = statuses.at(-1)!
    expect(last.lastError).toMatchObject({ code: 'recording-size-limit', message: expect.stringContaining('1 MiB') })
    expect(last.path).toBe(path)

    // Flushed, closed, whole: under the cap by less than one tick, every tick readable.
    const size = statSync(path).size
    const tickBytes = JSON.stringify(synthTick(0, 0, 64)).length + 1
    expect(size).toBeLessThanOrEqual(MiB)
    expect(size).toBeGreaterThan(MiB - tickBytes - 1024)
    const back = await loadRecording(path)
    expect(back.truncatedLastLine).toBe(false)
    expect(back.ticks).toHaveLength(last.ticks)

    // Later ticks go nowhere; the status stays put; a new recording can start.
    service.publish('metrics:tick', synthTick(seq++, 1e6, 64))
    expect(statSync(path).size).toBe(size)
    expect(await service.invoke('recording:stop', undefined)).toMatchObject({ ok: true, value: { state: 'idle', ticks: last.ticks } })
    expect(await service.invoke('recording:start', undefined)).toMatchObject({ ok: true, value: { state: 'recording' } })
  })
})
