// The "How it works" diagram as data: which boxes the pipeline has, what each backend calls them
// and which API calls belong to each, and the live numbers a MetricsTick gives every box. Pure
// functions, so the component tests can check the numbers against a known tick without a DOM.
import type { EngineConfig } from '../../../../src-shared/engine-config'
import type { StartInfo } from '../../../../src-shared/engine-snapshot'
import { zeroSample, type MetricsTick } from '../../../../src-shared/metrics'

export type Backend = StartInfo['backend']
export const BACKENDS: readonly Backend[] = ['iocp', 'iouring', 'epoll']

/**
 * Whose words the diagram uses: a built-in backend's, or "probe" for an attached Linux process,
 * where the monitor cannot know whether the server uses epoll or io_uring and so names the probe
 * calls (native/probe/iocpm_probe.h) that feed each box instead.
 */
export type VocabularyId = Backend | 'probe'

/** The boxes of the pipeline, in the order data flows through them. */
export const STAGES = ['clients', 'sessions', 'inflight', 'queue', 'workers', 'handlers', 'sendQueues', 'errors'] as const
export type StageId = (typeof STAGES)[number]

/** API calls (and kernel objects) that have their own explanation. */
export const API_TOPICS = [
  'htons',
  'wsaSocket',
  'createIoCompletionPort',
  'acceptEx',
  'wsaRecv',
  'wsaSend',
  'gqcs',
  'soLinger',
  'shutdown',
  'workerThreads',
  'iouringRings',
  'cqe',
  'multishotAccept',
  'multishotRecv',
  'epollWait',
  'epollCtl',
  'accept4',
  'recvSend',
  // The probe's calls (native/probe/iocpm_probe.h), the chips of the "probe" vocabulary.
  'probeOpen',
  'probeSessions',
  'probeInflight',
  'probeQueueDepth',
  'probeCompletion',
  'probeBusy',
  'probeRecv',
  'probeSend',
  'probeError',
] as const
export type ApiTopicId = (typeof API_TOPICS)[number]

export type TopicId = StageId | ApiTopicId

export function isStage(id: TopicId): id is StageId {
  return (STAGES as readonly string[]).includes(id)
}

/**
 * Errors from the error catalog (by portable name) an API topic can report: the explanation
 * shows the catalog's own text for them rather than a second wording of the same meaning.
 */
export const TOPIC_CATALOG_ERRORS: Partial<Record<TopicId, readonly string[]>> = {
  wsaRecv: ['connection-reset', 'connection-aborted'],
  wsaSend: ['connection-reset', 'broken-pipe'],
  gqcs: ['connection-reset', 'connection-aborted', 'operation-canceled'],
  soLinger: ['connection-reset'],
  acceptEx: ['too-many-open-files', 'session-limit'],
  accept4: ['too-many-open-files', 'session-limit'],
  cqe: ['connection-reset', 'operation-canceled'],
  recvSend: ['would-block', 'connection-reset', 'broken-pipe'],
  sendQueues: ['send-queue-full'],
  probeError: ['connection-reset', 'broken-pipe'],
}

/** A clickable API name inside a box: the code name as written in C, and the topic it opens. */
export interface ApiChip {
  label: string
  topic: ApiTopicId
}

export interface BackendVocabulary {
  /** The per-worker completion queue's name on this backend. */
  queue: string
  /** The call a worker blocks in to take completions. */
  dequeue: string
  /** The API names shown in each box (code names: never translated). */
  chips: Record<StageId, ApiChip[]>
}

/** The probe calls that feed each box: what an attached Linux process's diagram names. */
function probeVocabulary(): BackendVocabulary {
  const recv: ApiChip = { label: 'iocpm_count_recv', topic: 'probeRecv' }
  const send: ApiChip = { label: 'iocpm_count_send', topic: 'probeSend' }
  return {
    queue: 'the queue depth the server reports',
    dequeue: 'the server’s own wait call',
    chips: {
      clients: [recv, send],
      sessions: [{ label: 'iocpm_session_opened / iocpm_session_closed', topic: 'probeSessions' }],
      inflight: [{ label: 'iocpm_set_inflight / iocpm_add_inflight', topic: 'probeInflight' }],
      queue: [{ label: 'iocpm_set_queue_depth', topic: 'probeQueueDepth' }],
      workers: [
        { label: 'iocpm_count_completion', topic: 'probeCompletion' },
        { label: 'iocpm_count_busy', topic: 'probeBusy' },
        { label: 'iocpm_probe_open', topic: 'probeOpen' },
      ],
      handlers: [recv, send],
      sendQueues: [send],
      errors: [{ label: 'iocpm_count_error', topic: 'probeError' }],
    },
  }
}

/**
 * What each backend names the parts of the pipeline. The running server's features refine it:
 * io_uring falls back to single-shot accept/recv on older kernels, IOCP may dequeue one packet
 * per call (iocpDequeue "gqcs").
 */
export function backendVocabulary(backend: VocabularyId, features: readonly string[] = [], config: Partial<EngineConfig> | null = null): BackendVocabulary {
  if (backend === 'probe') return probeVocabulary()
  const common = { htons: { label: 'htons / htonl', topic: 'htons' as const }, threads: { label: 'std::thread + join', topic: 'workerThreads' as const } }
  if (backend === 'iocp') {
    const dequeue = config?.iocpDequeue === 'gqcs' || features.includes('dequeue-single') ? 'GetQueuedCompletionStatus' : 'GetQueuedCompletionStatusEx'
    return {
      queue: features.includes('shared-port') ? 'I/O completion port (shared)' : 'I/O completion port',
      dequeue,
      chips: {
        clients: [common.htons],
        sessions: [
          { label: 'WSASocketW(WSA_FLAG_OVERLAPPED)', topic: 'wsaSocket' },
          { label: 'closesocket + SO_LINGER', topic: 'soLinger' },
          { label: 'shutdown(SD_BOTH)', topic: 'shutdown' },
        ],
        inflight: [
          { label: 'AcceptEx', topic: 'acceptEx' },
          { label: 'WSARecv', topic: 'wsaRecv' },
          { label: 'WSASend', topic: 'wsaSend' },
        ],
        queue: [{ label: 'CreateIoCompletionPort', topic: 'createIoCompletionPort' }],
        workers: [{ label: dequeue, topic: 'gqcs' }, common.threads],
        handlers: [{ label: 'WSARecv', topic: 'wsaRecv' }],
        sendQueues: [{ label: 'WSASend', topic: 'wsaSend' }],
        errors: [{ label: 'GetQueuedCompletionStatus = FALSE', topic: 'gqcs' }],
      },
    }
  }
  if (backend === 'iouring') {
    const multiAccept = !features.includes('single-accept')
    const multiRecv = !features.includes('single-recv')
    const accept: ApiChip = { label: multiAccept ? 'IORING_OP_ACCEPT (multishot)' : 'IORING_OP_ACCEPT', topic: 'multishotAccept' }
    const recv: ApiChip = { label: multiRecv ? 'IORING_OP_RECV (multishot, provided buffers)' : 'IORING_OP_RECV', topic: 'multishotRecv' }
    const send: ApiChip = { label: 'IORING_OP_SEND', topic: 'iouringRings' }
    return {
      queue: 'CQ ring (completion queue)',
      dequeue: 'io_uring_submit_and_wait',
      chips: {
        clients: [common.htons],
        sessions: [accept, { label: 'close + SO_LINGER', topic: 'soLinger' }, { label: 'shutdown(SHUT_WR)', topic: 'shutdown' }],
        inflight: [{ label: 'SQE → SQ ring', topic: 'iouringRings' }, accept, recv, send],
        queue: [{ label: 'CQE', topic: 'cqe' }],
        workers: [{ label: 'io_uring_submit_and_wait', topic: 'iouringRings' }, common.threads],
        handlers: [recv],
        sendQueues: [send],
        errors: [{ label: 'cqe->res < 0', topic: 'cqe' }],
      },
    }
  }
  return {
    queue: 'epoll ready list',
    dequeue: 'epoll_wait',
    chips: {
      clients: [common.htons],
      sessions: [
        { label: 'accept4', topic: 'accept4' },
        { label: 'close + SO_LINGER', topic: 'soLinger' },
        { label: 'shutdown(SHUT_WR)', topic: 'shutdown' },
      ],
      inflight: [{ label: 'epoll_ctl (EPOLLIN, EPOLLOUT, EPOLLET)', topic: 'epollCtl' }],
      queue: [{ label: 'epoll_wait', topic: 'epollWait' }],
      workers: [{ label: 'epoll_wait', topic: 'epollWait' }, common.threads],
      handlers: [{ label: 'recv / send', topic: 'recvSend' }],
      sendQueues: [{ label: 'send', topic: 'recvSend' }],
      errors: [{ label: 'errno', topic: 'recvSend' }],
    },
  }
}

/** One worker's lane: its queue and its thread. */
export interface WorkerLane {
  worker: number
  queueDepth: number
  /** 0..1: how full the queue bar is drawn (depth against the deepest queue, at least QUEUE_SCALE_MIN). */
  queueFill: number
  busy: number
  completionsPerS: number
  sessions: number
  inflight: number
}

/** The live numbers of every box, from one MetricsTick. */
export interface PipelineNumbers {
  bytesInPerS: number
  bytesOutPerS: number
  sessions: number
  inflight: number
  queueDepth: number
  completionsPerS: number
  busy: number
  errorsPerS: number
  errorsTotal: number
  lanes: WorkerLane[]
}

/** Lanes drawn one per worker; beyond this many the rest are summarised in one line. */
export const MAX_LANES = 16

/** A queue this deep or deeper is drawn full; below it the bar grows with the depth. */
export const QUEUE_SCALE_MIN = 16

export function pipelineNumbers(tick: MetricsTick | null, workerCount = 0): PipelineNumbers {
  const total = tick?.total ?? zeroSample('all')
  const samples = tick?.workers ?? Array.from({ length: workerCount }, (_, i) => zeroSample(i))
  const scale = Math.max(QUEUE_SCALE_MIN, ...samples.map((w) => w.queueDepth))
  return {
    bytesInPerS: total.bytesInPerS,
    bytesOutPerS: total.bytesOutPerS,
    sessions: total.sessions,
    inflight: total.inflight,
    queueDepth: total.queueDepth,
    completionsPerS: total.completionsPerS,
    busy: total.busy,
    errorsPerS: total.errorsPerS,
    errorsTotal: total.errorsTotal,
    lanes: samples.map((w, i) => ({
      worker: typeof w.worker === 'number' ? w.worker : i,
      queueDepth: w.queueDepth,
      queueFill: Math.min(1, w.queueDepth / scale),
      busy: w.busy,
      completionsPerS: w.completionsPerS,
      sessions: w.sessions,
      inflight: w.inflight,
    })),
  }
}

/**
 * A flow's stroke width in px for a rate: logarithmic, because rates span from a few per second
 * to gigabytes per second and a linear width would be either invisible or the whole screen.
 */
export function flowWidth(perS: number): number {
  if (!(perS > 0)) return 1
  return Math.min(12, 1.5 + 1.2 * Math.log10(1 + perS))
}

/** Seconds one dash of a flow takes to travel: faster with more traffic; 0 = not moving. */
export function flowSeconds(perS: number): number {
  if (!(perS > 0)) return 0
  return Math.max(0.25, 3 - 0.35 * Math.log10(1 + perS))
}
