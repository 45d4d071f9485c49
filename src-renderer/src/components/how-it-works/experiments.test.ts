// The experiments' pure logic: phase configurations and sequencing, progress, and the summary
// arithmetic from synthetic ticks and load counters.
import { describe, expect, it } from 'vitest'
import { DEFAULT_ENGINE_CONFIG, validateEngineConfig } from '../../../../src-shared/engine-config'
import { DEFAULT_LOAD_CONFIG, NO_FAULTS, validateLoadConfig, zeroLoadCounters, type LoadCounters } from '../../../../src-shared/load'
import type { MetricsTick } from '../../../../src-shared/metrics'
import { sample } from '../../testing/fake-api'
import {
  busiestBusyShare,
  busiestCompletionShare,
  bytesPerCompletion,
  connectsPerS,
  experimentById,
  EXPERIMENT_IDS,
  EXPERIMENTS,
  metricValue,
  needsRestart,
  overallProgress,
  PhaseRecorder,
  phaseServerConfig,
  plannedMs,
  type LoadMeasure,
  type PhaseMeasure,
} from './experiments'

interface W {
  qd?: number
  busy?: number
  comp?: number
}

/** A tick with per-worker queue depth, busy and cumulative completions, and totals. */
function mk(seq: number, workers: W[], total: { comp?: number; compPerS?: number; inPerS?: number; outPerS?: number; bytesIn?: number; bytesOut?: number; sessions?: number } = {}, errors: [string, number][] = []): MetricsTick {
  return {
    t: 1_000_000 + seq * 100,
    seq,
    workers: workers.map((w, i) => sample(i, { queueDepth: w.qd ?? 0, busy: w.busy ?? 0, completionsTotal: w.comp ?? 0 })),
    total: sample('all', {
      completionsTotal: total.comp ?? workers.reduce((a, w) => a + (w.comp ?? 0), 0),
      completionsPerS: total.compPerS ?? 0,
      bytesInPerS: total.inPerS ?? 0,
      bytesOutPerS: total.outPerS ?? 0,
      bytesInTotal: total.bytesIn ?? 0,
      bytesOutTotal: total.bytesOut ?? 0,
      sessions: total.sessions ?? 0,
    }),
    errors: errors.map(([name, count]) => ({ code: 1, nativeName: 'E', name, count, perS: 0 })),
  }
}

function counters(over: Partial<LoadCounters> = {}): LoadCounters {
  return { ...zeroLoadCounters(), running: true, elapsedMs: 1000, ...over }
}

function measure(over: Partial<PhaseMeasure>): PhaseMeasure {
  return {
    ticks: 10,
    workers: 1,
    peakQueueDepth: 0,
    meanQueueDepth: 0,
    busyByWorker: [0],
    completionsByWorker: [0],
    completionsPerS: 0,
    bytesInPerS: 0,
    bytesOutPerS: 0,
    bytesIn: 0,
    bytesOut: 0,
    peakSessions: 0,
    endSessions: 0,
    serverErrors: {},
    load: null,
    ...over,
  }
}

describe('experiment definitions', () => {
  it('offers the five experiments, each short, with valid server and load configurations', () => {
    expect(EXPERIMENTS.map((e) => e.id)).toEqual([...EXPERIMENT_IDS])
    for (const exp of EXPERIMENTS) {
      expect(exp.phases.length).toBeGreaterThanOrEqual(2)
      // Short enough for a guided look (and a fast e2e): at most ~10 s of load.
      expect(plannedMs(exp)).toBeLessThanOrEqual(10_000)
      for (const p of exp.phases) {
        const server = validateEngineConfig(phaseServerConfig(DEFAULT_ENGINE_CONFIG, p))
        expect(server.ok, `${exp.id}/${p.id}: ${JSON.stringify(server)}`).toBe(true)
        const load = validateLoadConfig(p.load, DEFAULT_LOAD_CONFIG)
        expect(load.ok, `${exp.id}/${p.id}: ${JSON.stringify(load)}`).toBe(true)
        expect(p.load.host, 'the target is the experiment server').toBeUndefined()
        expect(p.load.port).toBeUndefined()
      }
    }
    expect(experimentById('closeMode')?.phases.map((p) => p.server.closeMode)).toEqual(['graceful', 'abortive'])
    expect(experimentById('workers')?.phases.map((p) => p.server.workers)).toEqual([1, 4])
    expect(experimentById('backlog')?.phases.map((p) => p.server.backlog)).toEqual([1024, 1])
    expect(experimentById('sizeSweep')?.phases.map((p) => p.load.messageSize)).toEqual([64, 1024, 16384])
    expect(experimentById('slowReader')?.phases.map((p) => p.load.faults?.slow ?? 0)).toEqual([0, 10])
    expect(experimentById('nope')).toBeUndefined()
  })

  it("lays a phase over the user's configuration, keeping host, port and backend", () => {
    const user = { ...DEFAULT_ENGINE_CONFIG, port: 9123, backend: 'epoll' as const, workers: 8, recvBufferSize: 1024 * 1024, sendQueueLimit: 4 * 1024 * 1024 }
    const slow = experimentById('slowReader')!.phases[1]
    const c = phaseServerConfig(user, slow)
    expect(c).toMatchObject({ port: 9123, backend: 'epoll', host: '127.0.0.1', workers: 1, workload: 'chat', sendQueueLimit: 512 * 1024 })
    // The slow reader's small queue would be invalid next to a 1 MiB receive buffer: it is lowered.
    expect(c.recvBufferSize).toBe(16384)
    expect(validateEngineConfig(phaseServerConfig({ ...user, recvBufferSize: 4 * 1024 * 1024 }, { ...slow, server: { sendQueueLimit: 65536 } })).ok).toBe(true)
  })

  it('restarts the server only when the configuration changes (the size sweep keeps one run)', () => {
    const sweep = experimentById('sizeSweep')!
    const a = phaseServerConfig(DEFAULT_ENGINE_CONFIG, sweep.phases[0])
    const b = phaseServerConfig(DEFAULT_ENGINE_CONFIG, sweep.phases[1])
    expect(needsRestart(null, a)).toBe(true)
    expect(needsRestart(a, b)).toBe(false)
    const workers = experimentById('workers')!
    expect(needsRestart(phaseServerConfig(DEFAULT_ENGINE_CONFIG, workers.phases[0]), phaseServerConfig(DEFAULT_ENGINE_CONFIG, workers.phases[1]))).toBe(true)
  })

  it('reports progress over the phases by their planned run time', () => {
    const sweep = experimentById('sizeSweep')! // 3 × 2.5 s
    expect(overallProgress(sweep, 0, 0)).toBe(0)
    expect(overallProgress(sweep, 0, 0.5)).toBeCloseTo(1 / 6)
    expect(overallProgress(sweep, 1, 0)).toBeCloseTo(1 / 3)
    expect(overallProgress(sweep, 2, 1)).toBe(1)
    expect(overallProgress(sweep, 2, 7)).toBe(1)
  })
})

describe('PhaseRecorder', () => {
  it('measures peaks, means, per-worker shares and rates over the ticks while the load ran', () => {
    const r = new PhaseRecorder(null)
    r.tick(mk(1, [{ qd: 2, busy: 0.5, comp: 100 }, { qd: 0, busy: 0.1, comp: 20 }], { compPerS: 1000, inPerS: 10_000, outPerS: 10_000, bytesIn: 1000, bytesOut: 900, sessions: 4 }))
    r.tick(mk(2, [{ qd: 6, busy: 0.7, comp: 300 }, { qd: 1, busy: 0.3, comp: 60 }], { compPerS: 3000, inPerS: 30_000, outPerS: 20_000, bytesIn: 5000, bytesOut: 4000, sessions: 6 }))
    r.loadEnded()
    // After the run: only cumulative counts (errors) still move.
    r.tick(mk(3, [{ qd: 50, busy: 0, comp: 300 }, { qd: 50, busy: 0, comp: 60 }], { compPerS: 0, bytesIn: 5000, sessions: 0 }, [['connection-reset', 2]]))
    const m = r.measure()
    expect(m.ticks).toBe(2)
    expect(m.workers).toBe(2)
    expect(m.peakQueueDepth).toBe(6)
    expect(m.meanQueueDepth).toBe(4) // deepest worker: 2, then 6
    expect(m.busyByWorker[0]).toBeCloseTo(0.6)
    expect(m.busyByWorker[1]).toBeCloseTo(0.2)
    expect(m.completionsByWorker).toEqual([300, 60])
    expect(m.completionsPerS).toBe(2000)
    expect(m.bytesInPerS).toBe(20_000)
    expect(m.bytesOutPerS).toBe(15_000)
    expect(m.bytesIn).toBe(5000)
    expect(m.bytesOut).toBe(4000)
    expect(m.peakSessions).toBe(6)
    expect(m.endSessions).toBe(6)
    expect(m.serverErrors).toEqual({ 'connection-reset': 2 })
    expect(busiestCompletionShare(m)).toBeCloseTo(300 / 360)
    expect(busiestBusyShare(m)).toBeCloseTo(0.75)
    expect(bytesPerCompletion(m)).toBe(10)
  })

  it('subtracts the baseline when the server kept running into the phase, and restarts it at zero after a restart', () => {
    const base = mk(10, [{ comp: 1000 }], { bytesIn: 50_000, bytesOut: 50_000 }, [['send-queue-full', 3]])
    const r = new PhaseRecorder(base)
    r.tick(mk(11, [{ comp: 1500 }], { bytesIn: 80_000, bytesOut: 70_000 }, [['send-queue-full', 5], ['broken-pipe', 1]]))
    let m = r.measure()
    expect(m.completionsByWorker).toEqual([500])
    expect(m.bytesIn).toBe(30_000)
    expect(m.bytesOut).toBe(20_000)
    expect(m.serverErrors).toEqual({ 'send-queue-full': 2, 'broken-pipe': 1 })

    // Totals went backwards: a new engine run; its totals count from zero.
    r.tick(mk(12, [{ comp: 40 }], { bytesIn: 400, bytesOut: 300 }, [['send-queue-full', 1]]))
    m = r.measure()
    expect(m.completionsByWorker).toEqual([40])
    expect(m.bytesIn).toBe(400)
    expect(m.serverErrors).toEqual({ 'send-queue-full': 1 })
  })

  it('reads the sessions at the end of sending, before the generator closes its connections', () => {
    const r = new PhaseRecorder(null, { durationMs: 3000 })
    r.tick(mk(1, [{}], { sessions: 10 }))
    r.load(counters({ elapsedMs: 2000 }))
    r.tick(mk(2, [{}], { sessions: 9 }))
    r.load(counters({ elapsedMs: 2900 }))
    r.tick(mk(3, [{}], { sessions: 0 }))
    const m = r.measure()
    expect(m.peakSessions).toBe(10)
    expect(m.endSessions).toBe(9)
  })

  it("keeps the load run's final counters and errors by portable name", () => {
    const r = new PhaseRecorder(null)
    r.load(counters({ elapsedMs: 500, connectsOk: 5 }))
    r.load(
      counters({
        running: false,
        elapsedMs: 2000,
        connectsOk: 400,
        connectsFailed: 3,
        faultsInjected: { ...NO_FAULTS, halfclose: 11 },
        errors: [
          { code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: 7 },
          { code: 10054, nativeName: 'WSAECONNRESET', name: 'connection-reset', count: 4 },
        ],
      }),
    )
    const m = r.measure()
    expect(m.load).toMatchObject({ elapsedMs: 2000, connectsOk: 400, connectsFailed: 3, errors: { 'connection-reset': 11 }, faults: { halfclose: 11 } })
    expect(connectsPerS(m)).toBe(200)
    expect(new PhaseRecorder(null).measure()).toMatchObject({ ticks: 0, workers: 0, load: null, completionsPerS: 0 })
  })
})

describe('summaries', () => {
  it('workers: concentration with one worker, and whether the queue showed it', () => {
    const exp = experimentById('workers')!
    const one = measure({ workers: 1, busyByWorker: [0.9], completionsByWorker: [9000], peakQueueDepth: 30 })
    const four = measure({ workers: 4, busyByWorker: [0.3, 0.3, 0.2, 0.2], completionsByWorker: [3000, 2000, 2000, 3000], peakQueueDepth: 4 })
    expect(exp.outcome([one, four])).toEqual({ key: 'shownWithQueue', shown: true, params: { oneShare: 100, fourShare: 30, oneBusy: 90, fourBusy: 30, onePeak: 30, fourPeak: 4 } })
    expect(exp.outcome([{ ...one, peakQueueDepth: 0 }, four]).key).toBe('shownQueueFlat')
    expect(exp.outcome([four, four])).toMatchObject({ key: 'notShown', shown: false })
    expect(metricValue(exp, exp.metrics.find((m) => m.id === 'busiestBusyShare')!, 1, four)).toBeCloseTo(0.3)
  })

  it('slow reader: send-queue-full only with the slow reader', () => {
    const exp = experimentById('slowReader')!
    const allRead = measure({ peakSessions: 10, endSessions: 10 })
    const oneSlow = measure({ peakSessions: 10, endSessions: 9, serverErrors: { 'send-queue-full': 1 } })
    expect(exp.outcome([allRead, oneSlow])).toEqual({ key: 'shown', shown: true, params: { full: 1, before: 0, endSessions: 9, peakSessions: 10 } })
    expect(exp.outcome([allRead, allRead]).shown).toBe(false)
  })

  it('close mode: connection-reset counted by the generator after abortive, not after graceful', () => {
    const exp = experimentById('closeMode')!
    const load = (resets: number): LoadMeasure => ({ elapsedMs: 2000, connectsOk: 20, connectsFailed: 0, msgsSent: 1, bytesSent: 1, bytesReceived: 1, errors: resets ? { 'connection-reset': resets } : ({} as Record<string, number>), faults: { halfclose: 11 } })
    expect(exp.outcome([measure({ load: load(0) }), measure({ load: load(11) })])).toEqual({ key: 'shown', shown: true, params: { graceful: 0, abortive: 11, halfCloses: 11 } })
    expect(exp.outcome([measure({ load: load(2) }), measure({ load: load(11) })]).shown).toBe(false)
    expect(exp.outcome([measure({ load: load(0) }), measure({ load: load(0) })]).shown).toBe(false)
  })

  it('backlog: the connection rate against backlog 1 vs 1024', () => {
    const exp = experimentById('backlog')!
    const load = (ok: number, failed = 0) => ({ elapsedMs: 3000, connectsOk: ok, connectsFailed: failed, msgsSent: 0, bytesSent: 0, bytesReceived: 0, errors: {}, faults: {} })
    expect(exp.outcome([measure({ load: load(30_000) }), measure({ load: load(300) })])).toEqual({ key: 'shown', shown: true, params: { large: 10_000, small: 100, failed: 0, ratio: 100 } })
    expect(exp.outcome([measure({ load: load(300) }), measure({ load: load(290) })]).shown).toBe(false)
    const backlog = exp.metrics.find((m) => m.id === 'backlog')!
    expect([0, 1].map((i) => metricValue(exp, backlog, i, measure({})))).toEqual([1024, 1])
  })

  it('size sweep: bytes/s rises at every step; completions/s falls or stays', () => {
    const exp = experimentById('sizeSweep')!
    const at = (inPerS: number, compPerS: number) => measure({ bytesInPerS: inPerS, completionsPerS: compPerS })
    expect(exp.outcome([at(1e6, 2e5), at(1e7, 1.5e5), at(1e8, 1e5)])).toEqual({ key: 'shownFalls', shown: true, params: { bytesRatio: 100, completionsRatio: 0.5 } })
    expect(exp.outcome([at(1e6, 1e5), at(1e7, 1.1e5), at(1e8, 1.2e5)]).key).toBe('shownFlat')
    expect(exp.outcome([at(1e6, 1e5), at(1e5, 1e5), at(1e8, 1e5)]).shown).toBe(false)
    const size = exp.metrics.find((m) => m.id === 'messageSize')!
    expect([0, 1, 2].map((i) => metricValue(exp, size, i, at(0, 0)))).toEqual([64, 1024, 16384])
  })
})
