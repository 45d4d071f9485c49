// Which server the "How it works" diagram draws, and in whose words. The built-in server while it
// runs; else the attached process (issue 14), whose ticks arrive on the same metrics:tick stream;
// else nothing. An attached Windows process is an IOCP server (the probe is only published from
// Windows by a completion-port server in practice), so it gets the IOCP names; on Linux the probe
// does not say whether the server uses epoll or io_uring, so the boxes name the probe calls.
import type { ServerStatus } from '../../../../src-shared/api'
import type { AttachStatus, ProbeListing } from '../../../../src-shared/attach'
import { backendVocabulary, type Backend, type BackendVocabulary, type VocabularyId } from './pipeline-model'

export type PipelineSource =
  | { kind: 'none' }
  | { kind: 'builtin'; backend: Backend }
  /** attached: sampled now; exited: the process is gone and its final sample is what is shown. */
  | { kind: 'attached' | 'exited'; probe: ProbeListing; exitReason: AttachStatus['exitReason'] }

/**
 * A running built-in server wins over an exited process (starting it is what a user does next,
 * and the header's chip drops the exited process then too). An exited process keeps its last
 * numbers on screen rather than going blank: the service keeps that run's history and final
 * sample, the other tabs keep showing them, and the last queue depths and error counts are
 * exactly what someone whose server just died wants to look at. The service keeps reporting
 * "exited" until the next attach, even after a built-in run has come and gone, so the exited view
 * lasts only while the newest tick is still one of that process's (taken between its attach and
 * its exit); after that the numbers on screen would be someone else's.
 */
export function pipelineSource(
  server: Pick<ServerStatus, 'state' | 'info'>,
  attach: Pick<AttachStatus, 'state' | 'probe' | 'exitReason' | 'attachedAt' | 'exitedAt'>,
  newestTickAt: number | null,
  fallback: Backend,
): PipelineSource {
  if (server.state === 'running') return { kind: 'builtin', backend: server.info?.backend ?? fallback }
  const { probe, exitReason } = attach
  if (!probe) return { kind: 'none' }
  if (attach.state === 'attached') return { kind: 'attached', probe, exitReason }
  if (attach.state === 'exited' && tickOfRun(newestTickAt, attach.attachedAt, attach.exitedAt)) return { kind: 'exited', probe, exitReason }
  return { kind: 'none' }
}

function tickOfRun(t: number | null, from: number | null, to: number | null): boolean {
  return t !== null && from !== null && to !== null && t >= from && t <= to
}

/** The vocabulary an attached process is drawn in (see VocabularyId). */
export function probeVocabularyId(probe: Pick<ProbeListing, 'platform'>): VocabularyId {
  return probe.platform === 'windows' ? 'iocp' : 'probe'
}

/** The words for an attached process: IOCP on Windows, the probe's calls on Linux. */
export function attachedVocabulary(probe: Pick<ProbeListing, 'platform'>): BackendVocabulary {
  const id = probeVocabularyId(probe)
  const v = backendVocabulary(id)
  if (id !== 'iocp') return v
  // Which of the two dequeue calls the server makes is not in the probe: name both.
  const dequeue = 'GetQueuedCompletionStatus(Ex)'
  return { ...v, dequeue, chips: { ...v.chips, workers: v.chips.workers.map((c) => (c.topic === 'gqcs' ? { ...c, label: dequeue } : c)) } }
}
