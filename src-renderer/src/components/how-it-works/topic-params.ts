// The live values a stage's "Right now" sentence interpolates, formatted for the UI language.
// Queue and worker explanations speak about one worker: the one whose box was clicked, or else the
// one that matters most (the deepest queue, the busiest thread).
import type { Formatters } from '../../composables/useFormat'
import type { PipelineNumbers, StageId, TopicId, WorkerLane } from './pipeline-model'

/** What the explanation panel shows: a topic and, for a worker's box, which worker. */
export interface Selection {
  topic: TopicId
  worker?: number
}

function pick(lanes: readonly WorkerLane[], worker: number | undefined, by: (l: WorkerLane) => number): WorkerLane | undefined {
  if (worker !== undefined) return lanes.find((l) => l.worker === worker)
  return lanes.reduce<WorkerLane | undefined>((best, l) => (!best || by(l) > by(best) ? l : best), undefined)
}

export function stageParams(stage: StageId, n: PipelineNumbers, fmt: Formatters, workload: string, worker?: number): Record<string, string> {
  const workers = Math.max(1, n.lanes.length)
  const perWorker = (v: number) => fmt.exact(v / workers, v % workers === 0 ? 0 : 1)
  switch (stage) {
    case 'clients':
      return { in: fmt.bytesPerS(n.bytesInPerS), out: fmt.bytesPerS(n.bytesOutPerS), sessions: fmt.exact(n.sessions, 0) }
    case 'sessions':
      return { sessions: fmt.exact(n.sessions, 0), perWorker: perWorker(n.sessions) }
    case 'inflight':
      return { inflight: fmt.exact(n.inflight, 0), perWorker: perWorker(n.inflight) }
    case 'queue': {
      const lane = pick(n.lanes, worker, (l) => l.queueDepth)
      return { worker: String(lane?.worker ?? 0), depth: fmt.exact(lane?.queueDepth ?? 0, 0), total: fmt.exact(n.queueDepth, 0) }
    }
    case 'workers': {
      const lane = pick(n.lanes, worker, (l) => l.busy)
      return { worker: String(lane?.worker ?? 0), busy: fmt.percent(lane?.busy ?? 0), completions: fmt.perS(lane?.completionsPerS ?? 0), totalCompletions: fmt.perS(n.completionsPerS) }
    }
    case 'handlers':
      return { workload, in: fmt.bytesPerS(n.bytesInPerS) }
    case 'sendQueues':
      return { out: fmt.bytesPerS(n.bytesOutPerS), in: fmt.bytesPerS(n.bytesInPerS) }
    case 'errors':
      return { perS: fmt.count(n.errorsPerS), total: fmt.exact(n.errorsTotal, 0) }
  }
}
