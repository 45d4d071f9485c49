// Downsampling for long ranges: the history ring keeps every sample (an hour at 10 Hz is 36,000
// ticks; at 64 workers ~600 MB as JSON), but a chart of an hour needs ~2,000 points. Consecutive
// ticks are merged into buckets so each kind of value keeps its meaning:
//   cumulative totals, sessions: the bucket's last value (totals stay exact);
//   rates and busy: the mean over the bucket;
//   queue depth and in-flight ops: the bucket's maximum (a spike must not vanish).
// CSV export always reads the full-resolution ring, never this.
import type { MetricsTick, WorkerSample } from '../../src-shared/metrics'

export const HISTORY_MAX_POINTS = 2000

function mergeSamples(samples: readonly WorkerSample[]): WorkerSample {
  const last = samples[samples.length - 1]
  const mean = (k: 'completionsPerS' | 'bytesInPerS' | 'bytesOutPerS' | 'errorsPerS' | 'busy') => samples.reduce((a, s) => a + s[k], 0) / samples.length
  return {
    ...last,
    queueDepth: Math.max(...samples.map((s) => s.queueDepth)),
    inflight: Math.max(...samples.map((s) => s.inflight)),
    completionsPerS: mean('completionsPerS'),
    bytesInPerS: mean('bytesInPerS'),
    bytesOutPerS: mean('bytesOutPerS'),
    errorsPerS: mean('errorsPerS'),
    busy: mean('busy'),
  }
}

function mergeTicks(bucket: readonly MetricsTick[]): MetricsTick {
  const last = bucket[bucket.length - 1]
  if (bucket.length === 1) return last
  const workers = last.workers.map((w, i) => mergeSamples(bucket.map((t) => t.workers[i] ?? w)))
  const perS = new Map<string, number>()
  for (const t of bucket) for (const e of t.errors) perS.set(`${e.code}/${e.name}`, (perS.get(`${e.code}/${e.name}`) ?? 0) + e.perS / bucket.length)
  return {
    t: last.t,
    seq: last.seq,
    workers,
    total: mergeSamples(bucket.map((t) => t.total)),
    errors: last.errors.map((e) => ({ ...e, perS: perS.get(`${e.code}/${e.name}`) ?? e.perS })),
  }
}

/** At most `maxPoints` ticks covering the same time span, newest tick always last and exact. */
export function downsampleTicks(ticks: readonly MetricsTick[], maxPoints = HISTORY_MAX_POINTS): MetricsTick[] {
  if (ticks.length <= maxPoints) return [...ticks]
  const size = Math.ceil(ticks.length / maxPoints)
  const out: MetricsTick[] = []
  // Buckets are aligned to the end so the newest bucket ends on the newest tick.
  for (let end = ticks.length; end > 0; end -= size) out.push(mergeTicks(ticks.slice(Math.max(0, end - size), end)))
  return out.reverse()
}
