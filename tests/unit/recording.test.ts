// Record & replay: a real run (real addon, real traffic) recorded to NDJSON, read back and
// replayed through the live tick path — the same series exactly, the same CSV as the live
// history; corrupt files refused with the line number; the replay/record/server interplay.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { AlertEvent } from '../../src-shared/alerts'
import type { ServerStatus } from '../../src-shared/api'
import { DEFAULT_ENGINE_CONFIG } from '../../src-shared/engine-config'
import type { OpenedRecording, RecordingStatus, ReplayStatus } from '../../src-shared/features'
import type { MetricsTick } from '../../src-shared/metrics'
import { RECORDING_FORMAT } from '../../src-shared/recording-format'
import { createApp, type App } from '../../src-main/app'
import { loadRecording, parseRecording, RecordingFormatError } from '../../src-main/recording/reader'
import { TickRecorder } from '../../src-main/recording/recorder'
import { Replayer, replayOffsets, type ReplayClock } from '../../src-main/recording/replayer'
import { writeCsvFile } from '../../src-main/service/csv-export'
import { silentLogger } from '../../src-main/service/log'
import { addon } from '../addon/support/addon'
import { connectTcp, echoRoundTrip, freePort, waitFor } from '../addon/support/net'
import { synthTick } from './support/synth-tick'
import { tempDir } from './support/temp-dir'

const tmp = tempDir('iocpm-rec-')

const HEADER = JSON.stringify({ format: RECORDING_FORMAT, version: 1, startedAt: 1, config: null, info: null })

/** A live service with the ops layer, disposed after each test. */
function useService() {
  const made: App[] = []
  afterEach(async () => {
    for (const app of made.splice(0)) await app.dispose()
  })
  return async (recordingsDir?: string) => {
    const ops = await createApp({ store: null, addon, sampleHz: 50, applyPrometheusConfig: false, recordingsDir, logger: silentLogger })
    made.push(ops)
    return { service: ops.service, ops }
  }
}

describe('record & replay of a real run', () => {
  const create = useService()

  it('replay reproduces the recorded series exactly; CSV from the recording equals the live history CSV', async () => {
    const { service, ops } = await create()
    const file = tmp('run.ndjson')
    const live: MetricsTick[] = []
    const onLive = (t: MetricsTick) => live.push(t)
    service.on('metrics:tick', onLive)

    expect((await ops.recording.startRecordingTo(file)).ok).toBe(true)
    const port = await freePort()
    const config = { port, workers: 2 }
    expect((await ops.server.start(config)).ok).toBe(true)
    let sent = 0
    const socks = await Promise.all([connectTcp(port), connectTcp(port), connectTcp(port)])
    for (let round = 0; round < 10; round++) {
      for (const [i, s] of socks.entries()) {
        const payload = Buffer.alloc(700 + 91 * round + i, round)
        sent += payload.length
        await echoRoundTrip(s, payload)
      }
      await new Promise((r) => setTimeout(r, 15))
    }
    socks.forEach((s) => s.destroy())
    await waitFor(() => (live.at(-1)?.total.bytesInTotal ?? 0) === sent, 3000, 'all bytes sampled')
    expect((await ops.server.stop()).ok).toBe(true)
    service.off('metrics:tick', onLive)
    const stopped = await ops.recording.stopRecording()
    expect(stopped).toMatchObject({ ok: true, value: { state: 'idle', path: file, ticks: live.length, lastError: null } })

    // The file: a header, then exactly the ticks the dashboard saw.
    const lines = readFileSync(file, 'utf8').split('\n')
    expect(lines.at(-1)).toBe('')
    expect(lines).toHaveLength(live.length + 2)
    const rec = await loadRecording(file)
    expect(rec.header).toMatchObject({ format: RECORDING_FORMAT, version: 1, config: { ...config, host: '127.0.0.1' }, info: { port, workers: 2 } })
    expect(rec.truncatedLastLine).toBe(false)
    expect(rec.ticks).toEqual(live)
    expect(rec.ticks.at(-1)!.total.bytesOutTotal).toBe(sent)
    const history = (await ops.server.history()) as { ok: true; value: MetricsTick[] }
    expect(history.value).toEqual(live)

    // CSV of the recording (what `iocp-monitor export --from` writes) = CSV of the live history.
    const liveCsv = tmp('live.csv')
    const recCsv = tmp('rec.csv')
    expect((await ops.server.exportCsvToFile({}, liveCsv)).ok).toBe(true)
    await writeCsvFile(recCsv, rec.ticks)
    expect(readFileSync(recCsv, 'utf8')).toBe(readFileSync(liveCsv, 'utf8'))

    // Replay through the live path, 25× faster: every tick, in order, deep-equal.
    const opened = await ops.recording.openRecordingFile(file)
    expect(opened.ok).toBe(true)
    const summary = (opened as { ok: true; value: OpenedRecording }).value
    expect(summary.ticks).toEqual(live)
    expect(summary.summary).toMatchObject({ source: 'run.ndjson', ticks: live.length, firstT: live[0]!.t, lastT: live.at(-1)!.t, truncatedLastLine: false })
    const replayed: MetricsTick[] = []
    const statuses: ReplayStatus[] = []
    service.on('metrics:tick', (t) => replayed.push(t))
    service.on('replay:status', (s) => statuses.push(s))
    const started = await ops.recording.startReplay({ speed: 25 })
    expect(started).toMatchObject({ ok: true, value: { state: 'playing', total: live.length, speed: 25, source: 'run.ndjson' } })
    await waitFor(() => statuses.at(-1)?.state === 'finished', 10_000, 'the replay to finish')
    expect(statuses.at(-1)).toMatchObject({ state: 'finished', position: live.length, total: live.length })
    expect(replayed).toEqual(live)
    // The history view now holds the replay; its CSV is the recording's.
    expect(((await ops.server.history()) as { ok: true; value: MetricsTick[] }).value).toEqual(live)
    const replayCsv = tmp('replay.csv')
    expect((await ops.server.exportCsvToFile({}, replayCsv)).ok).toBe(true)
    expect(readFileSync(replayCsv, 'utf8')).toBe(readFileSync(liveCsv, 'utf8'))
  })

  it('replay, recording and the server exclude each other sensibly', async () => {
    const { service, ops } = await create(tmp('recordings'))
    expect(await ops.recording.startReplay()).toMatchObject({ ok: false, error: { code: 'no-recording' } })
    const text = [HEADER, ...Array.from({ length: 200 }, (_, i) => JSON.stringify(synthTick(i, 1000 + 100 * i)))].join('\n') + '\n'
    const opened = await service.invoke('recording:open', { text })
    expect(opened.ok && (opened.value as OpenedRecording).summary.ticks).toBe(200)

    // While the server runs: no replay.
    const port = await freePort()
    await ops.server.start({ port })
    expect(await ops.recording.startReplay()).toMatchObject({ ok: false, error: { code: 'server-running' } })
    await ops.server.stop()

    // Replay at the original pace (20 s of data): a server start ends it before its first live tick.
    const statuses: ReplayStatus[] = []
    service.on('replay:status', (s) => statuses.push(s))
    expect((await service.invoke('replay:start', { speed: 1 })).ok).toBe(true)
    // A recording cannot start during a replay (it would record the replay).
    expect(await service.invoke('recording:start', {})).toMatchObject({ ok: false, error: { code: 'busy' } })
    const ticks: MetricsTick[] = []
    service.on('metrics:tick', (t) => ticks.push(t))
    const statusesSeen: ServerStatus[] = []
    service.on('server:status-changed', (s) => statusesSeen.push(s))
    expect((await ops.server.start({ port })).ok).toBe(true)
    expect(statuses.at(-1)).toMatchObject({ state: 'stopped' })
    expect(statuses.at(-1)!.position).toBeLessThan(200)
    // After the start, only live ticks: the history is the live run's.
    const hist = ((await ops.server.history()) as { ok: true; value: MetricsTick[] }).value
    expect(hist.length).toBeGreaterThan(0)
    expect(hist.every((t) => t.workers.length === 2 && t.total.bytesInTotal === 0 && t.errors.length === 0)).toBe(true)
    await ops.server.stop()

    // The bridge's recording:start writes into the recordings directory; a second start is refused.
    const r1 = (await service.invoke('recording:start', undefined)) as { ok: true; value: RecordingStatus }
    expect(r1.ok).toBe(true)
    expect(r1.value.path!.startsWith(tmp('recordings'))).toBe(true)
    expect(await service.invoke('recording:start', undefined)).toMatchObject({ ok: false, error: { code: 'already-recording' } })
    expect(await ops.recording.startReplay()).toMatchObject({ ok: false, error: { code: 'busy' } })
    const r2 = (await service.invoke('recording:stop', {})) as { ok: true; value: RecordingStatus }
    expect(r2.value).toMatchObject({ state: 'idle', ticks: 0 })
    // No tick came: the file is a header alone (the last config, no start info), still readable.
    const empty = await loadRecording(r1.value.path!)
    expect(empty.ticks).toEqual([])
    expect(empty.header).toMatchObject({ config: { port }, info: null })
    expect(readdirSync(tmp('recordings'))).toHaveLength(1)
    // Stopping when idle is fine.
    expect((await service.invoke('recording:stop', undefined)).ok).toBe(true)
  })

  it('alerts fire on replayed ticks as they would have live, and clear when the replay ends', async () => {
    const { service, ops } = await create()
    const text = [HEADER, ...Array.from({ length: 40 }, (_, i) => JSON.stringify(synthTick(i, 1000 + 100 * i)))].join('\n') + '\n'
    expect((await ops.recording.openRecording({ text })).ok).toBe(true)
    // completionsTotal = 10 * seq on each worker: worker 1 passes 200 at seq 21 (t = 3100).
    expect((await ops.alerts.setAlerts({ rules: [{ metric: 'queueDepth', worker: 1, op: '<', threshold: 5, forSeconds: 1 }] })).ok).toBe(true)
    const events: AlertEvent[] = []
    service.on('alerts:event', (e) => events.push(e))
    await ops.recording.startReplay({ speed: 100 })
    await waitFor(() => ops.recording.replayStatus().state === 'finished', 5000, 'replay end')
    expect(events.map((e) => [e.kind, e.startedAt, e.at])).toEqual([
      ['raised', 1000, 2000],
      ['cleared', 1000, 4900],
    ])
    const listed = await service.invoke('alerts:list', undefined)
    expect(listed).toMatchObject({ ok: true, value: { active: [], rules: [{ metric: 'queueDepth' }] } })
  })

  it('recording errors are Results: a stalled disk ends the recording, a bad path or file is refused', async () => {
    const { service, ops } = await create()
    let failed: Error | null = null
    const rec = await TickRecorder.create(tmp('stalled.ndjson'), { describe: () => ({ config: null, info: null }), maxUnwrittenBytes: 1, onError: (e) => (failed = e) })
    rec.write(synthTick(0, 1))
    expect(failed).toBeInstanceOf(Error)
    await expect(rec.stop()).rejects.toThrow(/not keeping up/)
    expect(await ops.recording.startRecordingTo(tmp('no-such-dir', 'x.ndjson'))).toMatchObject({ ok: false, error: { code: 'recording-failed', nativeName: 'ENOENT' } })
    expect(await service.invoke('recording:open', { text: 'garbage\n' })).toMatchObject({ ok: false, error: { code: 'invalid-recording', message: expect.stringContaining('upload: line 1: is not valid JSON') } })
    expect(await ops.recording.openRecordingFile(tmp('missing.ndjson'))).toMatchObject({ ok: false, error: { code: 'open-failed', nativeName: 'ENOENT' } })
    expect(await service.invoke('recording:open', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } })
  })
})

describe('reading recordings', () => {
  const ticks = Array.from({ length: 5 }, (_, i) => synthTick(i, 1000 + 100 * i))
  const good = [HEADER, ...ticks.map((t) => JSON.stringify(t))]

  function expectLineError(text: string, line: number, detail: RegExp): void {
    let err: unknown
    try {
      parseRecording(text, 'x.ndjson')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(RecordingFormatError)
    expect((err as RecordingFormatError).line).toBe(line)
    expect((err as Error).message).toMatch(new RegExp(`^x\\.ndjson: line ${line}: `))
    expect((err as Error).message).toMatch(detail)
  }

  it('reads a valid recording (CRLF line ends too)', () => {
    expect(parseRecording(good.join('\n') + '\n').ticks).toEqual(ticks)
    expect(parseRecording(good.join('\r\n') + '\r\n').ticks).toEqual(ticks)
  })

  it('reads a header config written before the iocp* fields and iouringRecv existed, with their defaults', () => {
    const older = Object.fromEntries(Object.entries({ ...DEFAULT_ENGINE_CONFIG, port: 9100 }).filter(([k]) => !k.startsWith('iocp') && k !== 'iouringRecv'))
    const header = JSON.stringify({ format: RECORDING_FORMAT, version: 1, startedAt: 1, config: older, info: null })
    expect(parseRecording([header, ...good.slice(1)].join('\n')).header.config).toEqual({ ...DEFAULT_ENGINE_CONFIG, port: 9100 })
  })

  it('refuses a corrupt file, naming the line and the problem', () => {
    const withLine = (n: number, text: string) => good.map((l, i) => (i === n - 1 ? text : l)).join('\n') + '\n'
    expectLineError(withLine(3, '{"t": 1, "seq"'), 3, /is not valid JSON/)
    const badField = structuredClone(ticks[3]!) as unknown as { workers: Record<string, unknown>[] }
    badField.workers[1]!.queueDepth = -1
    expectLineError(withLine(5, JSON.stringify(badField)), 5, /bad tick: workers\[1\]\.queueDepth must be an integer >= 0/)
    expectLineError(withLine(2, JSON.stringify({ ...ticks[0], extra: 1 })), 2, /extra is not a field/)
    expectLineError(withLine(4, JSON.stringify({ ...ticks[0], total: { ...ticks[0]!.total, worker: 0 } })), 4, /total\.worker must be 'all'/)
    expectLineError(withLine(6, JSON.stringify({ ...ticks[0], errors: [{ code: 1, nativeName: 'E', name: 'e', count: 1.5, perS: 0 }] })), 6, /errors\[0\]\.count/)
    expectLineError(withLine(3, ''), 3, /is empty/)
    expectLineError(withLine(1, JSON.stringify({ format: 'something-else' })), 1, /iocp-monitor-recording/)
    expectLineError(withLine(1, JSON.stringify({ format: RECORDING_FORMAT, version: 2 })), 1, /unsupported recording version 2/)
    expectLineError(withLine(1, JSON.stringify({ format: RECORDING_FORMAT, version: 1, startedAt: 1, config: { port: 0 }, info: null })), 1, /config\.port/)
    expectLineError(withLine(1, JSON.stringify(ticks[0])), 1, /first line must be a header/)
    expect(() => parseRecording('', 'x.ndjson')).toThrow(/empty/)
  })

  it('drops a torn last line (a recorder killed mid-write) and says so', () => {
    const torn = good.join('\n') + '\n' + JSON.stringify(ticks[0]).slice(0, 40)
    const r = parseRecording(torn)
    expect(r.ticks).toEqual(ticks)
    expect(r.truncatedLastLine).toBe(true)
    // A complete last line without "\n" is a tick like any other.
    expect(parseRecording(good.join('\n')).ticks).toEqual(ticks)
    // A torn line in the middle is corruption.
    expect(() => parseRecording([HEADER, JSON.stringify(ticks[0]).slice(0, 40), JSON.stringify(ticks[1])].join('\n'))).toThrow(/line 2: is not valid JSON/)
  })

  it('the file reader streams and validates the same way; opening a corrupt file is an error Result', async () => {
    const file = tmp('big.ndjson')
    const many = Array.from({ length: 3000 }, (_, i) => synthTick(i, 1000 + 100 * i, 8))
    writeFileSync(file, [HEADER, ...many.map((t) => JSON.stringify(t))].join('\n') + '\n')
    expect((await loadRecording(file)).ticks).toEqual(many)
    writeFileSync(file, [HEADER, ...many.map((t, i) => (i === 2500 ? '{oops' : JSON.stringify(t)))].join('\n') + '\n')
    await expect(loadRecording(file)).rejects.toThrow(/big\.ndjson: line 2502: is not valid JSON/)
    await expect(loadRecording(tmp('missing.ndjson'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('Replayer pacing', () => {
  /** A fake clock: timers run when the test advances time. */
  function fakeClock() {
    let now = 0
    let timers: { at: number; fn: () => void }[] = []
    const clock: ReplayClock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        const t = { at: now + ms, fn }
        timers.push(t)
        return t
      },
      clearTimeout: (h) => {
        timers = timers.filter((t) => t !== h)
      },
    }
    const advance = (ms: number) => {
      const end = now + ms
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0]
        if (!due) break
        timers = timers.filter((t) => t !== due)
        now = due.at
        due.fn()
      }
      now = end
    }
    return { clock, advance }
  }

  const ticks = [0, 100, 200, 300, 60_300, 60_400].map((t, i) => synthTick(i, 5000 + t))

  it('plays at the recorded pace, long gaps shortened to 5 s', () => {
    expect(replayOffsets(ticks)).toEqual([0, 100, 200, 300, 5300, 5400])
    const { clock, advance } = fakeClock()
    const out: number[] = []
    let end: string | null = null
    const r = new Replayer({ ticks, speed: 1, clock, emit: (t) => (out.push(t.seq), true), onEnd: (how) => (end = how) })
    r.start()
    expect(out).toEqual([0])
    advance(99)
    expect(out).toEqual([0])
    advance(1)
    expect(out).toEqual([0, 1])
    advance(200)
    expect(out).toEqual([0, 1, 2, 3])
    advance(4999)
    expect(out).toEqual([0, 1, 2, 3])
    advance(1)
    expect(out).toEqual([0, 1, 2, 3, 4])
    expect(end).toBeNull()
    advance(100)
    expect(out).toEqual([0, 1, 2, 3, 4, 5])
    expect(end).toBe('finished')
  })

  it('plays faster with a speed factor; stops when told or when emit refuses', () => {
    const { clock, advance } = fakeClock()
    const out: number[] = []
    const ends: [string, number][] = []
    const r = new Replayer({ ticks, speed: 10, clock, emit: (t) => (out.push(t.seq), true), onEnd: (how, pos) => ends.push([how, pos]) })
    r.start()
    advance(30)
    expect(out).toEqual([0, 1, 2, 3])
    r.stop()
    r.stop()
    advance(10_000)
    expect(out).toEqual([0, 1, 2, 3])
    expect(ends).toEqual([['stopped', 4]])
    const refused: [string, number][] = []
    new Replayer({ ticks, speed: 1000, clock, emit: (t) => t.seq < 2, onEnd: (how, pos) => refused.push([how, pos]) }).start()
    advance(1000)
    expect(refused).toEqual([['stopped', 2]])
  })

  it('real timers: 20 ticks 100 ms apart at 4× take about half a second', async () => {
    const t = Array.from({ length: 20 }, (_, i) => synthTick(i, 100 * i))
    const t0 = performance.now()
    const out: MetricsTick[] = []
    await new Promise<void>((resolve) => new Replayer({ ticks: t, speed: 4, emit: (x) => (out.push(x), true), onEnd: () => resolve() }).start())
    const ms = performance.now() - t0
    expect(out).toEqual(t)
    expect(ms).toBeGreaterThanOrEqual(470)
    expect(ms).toBeLessThan(1500)
  })
})
