// Alert rules over synthetic ticks: raised only after the condition held for forSeconds of sample
// time, cleared on the first tick it does not hold, one id per occurrence; rule validation.
import { describe, expect, it } from 'vitest'
import { describeAlert, validateAlertRules, type AlertRule } from '../../src-shared/alerts'
import type { MetricsTick, WorkerSample } from '../../src-shared/metrics'
import { AlertEvaluator } from '../../src-main/alerts/alert-evaluator'
import { totalSample } from '../../src-main/service/sampler'
import { sample } from '../../src-renderer/src/testing/fake-api'

const T0 = Date.UTC(2026, 10, 26, 1, 0, 0)

/** A tick at T0 + ms whose workers have the given overrides. */
function tick(ms: number, workers: Partial<WorkerSample>[]): MetricsTick {
  const ws = workers.map((o, i) => sample(i, o))
  return { t: T0 + ms, seq: ms / 100, workers: ws, total: totalSample(ws), errors: [] }
}

const deepQueue: AlertRule = { metric: 'queueDepth', worker: 1, op: '>', threshold: 100, forSeconds: 2 }

describe('AlertEvaluator', () => {
  it('raises only after the condition held for forSeconds, then clears once', () => {
    const a = new AlertEvaluator([deepQueue])
    const events = []
    // 10 Hz: 0 … 1.9 s above the threshold → nothing yet.
    for (let ms = 0; ms < 2000; ms += 100) {
      const e = a.evaluate(tick(ms, [{ queueDepth: 500 }, { queueDepth: 150 }]))
      expect(e).toEqual([])
    }
    const raised = a.evaluate(tick(2000, [{}, { queueDepth: 153 }]))
    expect(raised).toHaveLength(1)
    expect(raised[0]).toMatchObject({ kind: 'raised', ruleIndex: 0, startedAt: T0, at: T0 + 2000, value: 153, rule: deepQueue })
    expect(raised[0]!.message).toBe('queue depth on worker 1 > 100 for 2 s (now 153)')
    expect(a.active().map((x) => x.id)).toEqual([raised[0]!.id])
    events.push(...raised)

    // Still above: no repeat.
    expect(a.evaluate(tick(2100, [{}, { queueDepth: 999 }]))).toEqual([])
    // Back below: cleared with the same id and the value that cleared it.
    const cleared = a.evaluate(tick(2200, [{}, { queueDepth: 100 }]))
    expect(cleared).toEqual([expect.objectContaining({ kind: 'cleared', id: raised[0]!.id, startedAt: T0, at: T0 + 2200, value: 100 })])
    expect(cleared[0]!.message).toBe('cleared: queue depth on worker 1 no longer > 100 (now 100)')
    expect(a.active()).toEqual([])
  })

  it('a dip below the threshold restarts the wait', () => {
    const a = new AlertEvaluator([deepQueue])
    for (let ms = 0; ms <= 1900; ms += 100) expect(a.evaluate(tick(ms, [{}, { queueDepth: 200 }]))).toEqual([])
    expect(a.evaluate(tick(2000, [{}, { queueDepth: 5 }]))).toEqual([]) // dip: nothing was raised
    for (let ms = 2100; ms < 4100; ms += 100) expect(a.evaluate(tick(ms, [{}, { queueDepth: 200 }]))).toEqual([])
    const e = a.evaluate(tick(4100, [{}, { queueDepth: 200 }]))
    expect(e).toHaveLength(1)
    expect(e[0]!.startedAt).toBe(T0 + 2100)
  })

  it("forSeconds 0 raises on the first matching tick; '<' and 'all' (busy is the mean)", () => {
    const rules: AlertRule[] = [
      { metric: 'busy', worker: 'all', op: '>', threshold: 0.5, forSeconds: 0 },
      { metric: 'completionsPerS', worker: 'all', op: '<', threshold: 10, forSeconds: 0 },
    ]
    const a = new AlertEvaluator(rules)
    // Mean busy 0.45: rule 0 does not hold; sum of completions 12: rule 1 does not hold.
    expect(a.evaluate(tick(0, [{ busy: 0.9, completionsPerS: 6 }, { busy: 0, completionsPerS: 6 }]))).toEqual([])
    const e = a.evaluate(tick(100, [{ busy: 0.9, completionsPerS: 1 }, { busy: 0.2, completionsPerS: 1 }]))
    expect(e.map((x) => [x.ruleIndex, x.kind, x.value])).toEqual([
      [0, 'raised', 0.55],
      [1, 'raised', 2],
    ])
    expect(e[0]!.id).not.toBe(e[1]!.id)
  })

  it('a worker missing from the tick counts as "does not hold"', () => {
    const a = new AlertEvaluator([{ ...deepQueue, worker: 3, forSeconds: 0 }])
    expect(a.evaluate(tick(0, [{}, {}, {}, { queueDepth: 101 }]))).toHaveLength(1)
    const e = a.evaluate(tick(100, [{}, {}]))
    expect(e).toEqual([expect.objectContaining({ kind: 'cleared', value: null })])
  })

  it('reset and setRules clear active alerts (value null) and forget pending ones', () => {
    const a = new AlertEvaluator([{ ...deepQueue, forSeconds: 0 }, deepQueue])
    a.evaluate(tick(0, [{}, { queueDepth: 500 }]))
    expect(a.active()).toHaveLength(1)
    const cleared = a.reset(T0 + 50)
    expect(cleared).toEqual([expect.objectContaining({ kind: 'cleared', at: T0 + 50, value: null, ruleIndex: 0 })])
    // The pending 2 s rule starts over after the reset.
    expect(a.evaluate(tick(1900, [{}, { queueDepth: 500 }]))).toHaveLength(1) // rule 0 only
    expect(a.evaluate(tick(3800, [{}, { queueDepth: 500 }]))).toEqual([])
    expect(a.evaluate(tick(3900, [{}, { queueDepth: 500 }]))).toEqual([expect.objectContaining({ ruleIndex: 1, startedAt: T0 + 1900 })])
    const replaced = a.setRules([], T0 + 4000)
    expect(replaced.map((e) => e.kind)).toEqual(['cleared', 'cleared'])
    expect(a.rules).toEqual([])
  })

  it('sample time stepping backwards restarts the wait instead of raising early', () => {
    const a = new AlertEvaluator([deepQueue])
    a.evaluate(tick(10_000, [{}, { queueDepth: 500 }]))
    expect(a.evaluate(tick(5_000, [{}, { queueDepth: 500 }]))).toEqual([])
    expect(a.evaluate(tick(6_900, [{}, { queueDepth: 500 }]))).toEqual([])
    expect(a.evaluate(tick(7_000, [{}, { queueDepth: 500 }]))).toHaveLength(1)
  })

  it('describes events in Korean too', () => {
    expect(describeAlert({ kind: 'raised', rule: deepQueue, value: 153 }, 'ko')).toBe('워커 1 큐 깊이 > 100 상태가 2초 지속 (현재 153)')
  })
})

describe('validateAlertRules', () => {
  it('accepts valid rules and copies them', () => {
    const input = [deepQueue, { metric: 'busy', worker: 'all', op: '<', threshold: 0.1, forSeconds: 0 }]
    const v = validateAlertRules(input)
    expect(v).toEqual({ ok: true, value: input })
    expect(v.ok && v.value[0]).not.toBe(input[0])
  })

  it('names every bad field', () => {
    const v = validateAlertRules([{ metric: 'latency', worker: 64, op: '>=', threshold: Infinity, forSeconds: -1, extra: 1 }])
    expect(v.ok).toBe(false)
    if (v.ok) return
    expect(v.errors.map((e) => e.field).sort()).toEqual(['alerts[0].extra', 'alerts[0].forSeconds', 'alerts[0].metric', 'alerts[0].op', 'alerts[0].threshold', 'alerts[0].worker'])
  })

  it('rejects non-arrays, non-objects, inherited names and too many rules', () => {
    expect(validateAlertRules({}).ok).toBe(false)
    expect(validateAlertRules([null]).ok).toBe(false)
    expect(validateAlertRules([JSON.parse('{"__proto__":{"x":1},"metric":"busy","worker":"all","op":">","threshold":1,"forSeconds":0}')]).ok).toBe(false)
    expect(validateAlertRules(Array.from({ length: 101 }, () => deepQueue)).ok).toBe(false)
  })
})
