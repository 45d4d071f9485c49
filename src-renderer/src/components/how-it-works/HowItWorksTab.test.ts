// @vitest-environment happy-dom
// The "How it works" tab against a known sample: every box shows that sample's number, each
// backend names its own calls, explanations interpolate the live values and come back with Escape.
// An attached process is drawn from its ticks too: IOCP names on Windows, the probe's calls on
// Linux; its last numbers stay (with a note) when it exits; a detach goes back to the built-in server.
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerStatus } from '../../../../src-shared/api'
import type { AttachStatus, ProbeListing } from '../../../../src-shared/attach'
import { DEFAULT_ENGINE_CONFIG } from '../../../../src-shared/engine-config'
import type { MetricsTick } from '../../../../src-shared/metrics'
import { useAttachStore } from '../../stores/attach'
import { useServerStore } from '../../stores/server'
import { useUiStore } from '../../stores/ui'
import { createFakeApi, probe, sample } from '../../testing/fake-api'
import { mountWithApp } from '../../testing/mount'
import type { Backend } from './pipeline-model'
import HowItWorksTab from './HowItWorksTab.vue'

const KNOWN: MetricsTick = {
  t: 1_000_000,
  seq: 42,
  workers: [
    sample(0, { queueDepth: 3, inflight: 40, sessions: 20, busy: 0.25, completionsPerS: 1200, bytesInPerS: 500_000, bytesOutPerS: 500_000 }),
    sample(1, { queueDepth: 9, inflight: 22, sessions: 21, busy: 0.5, completionsPerS: 3400, bytesInPerS: 700_000, bytesOutPerS: 700_000 }),
  ],
  total: sample('all', { queueDepth: 12, inflight: 62, sessions: 41, busy: 0.375, completionsPerS: 4600, bytesInPerS: 1_200_000, bytesOutPerS: 1_200_000, errorsPerS: 2, errorsTotal: 7 }),
  errors: [{ code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: 7, perS: 2 }],
}

function status(backend: Backend, features: string[] = []): ServerStatus {
  return {
    state: 'running',
    config: { ...DEFAULT_ENGINE_CONFIG, workers: 2, workload: 'echo' },
    info: { backend, host: '127.0.0.1', port: 9100, workers: 2, features },
    startedAt: 1,
    lastError: null,
  }
}

async function mountRunning(backend: Backend, opts: { locale?: 'en' | 'ko'; features?: string[] } = {}) {
  const m = mountWithApp(HowItWorksTab, { locale: opts.locale })
  const server = useServerStore()
  await server.init()
  m.api.emit('server:status-changed', status(backend, opts.features))
  m.api.emit('metrics:tick', KNOWN)
  await flushPromises()
  return m
}

const value = (w: ReturnType<typeof mountWithApp>['wrapper'], id: string) => w.get(`[data-testid="${id}"]`)
const chipLabels = (w: ReturnType<typeof mountWithApp>['wrapper']) => w.findAll('.chip').map((c) => c.text().replace(/\u200b/g, ''))

const PID = 4242
/** An attached run that took KNOWN and then ended: the exited view shows only a tick of its own run. */
const RUN_AROUND_KNOWN = { attachedAt: KNOWN.t - 5000, exitedAt: KNOWN.t + 50 }

/** Mounts the tab with the built-in server stopped, attaches to a probe as the Source picker does, and sends the known tick. */
async function mountAttached(platform: ProbeListing['platform'], opts: { locale?: 'en' | 'ko'; workers?: number; tick?: boolean } = {}) {
  const api = createFakeApi()
  api.probesValue = [probe(PID, { name: 'my-echo', workers: opts.workers ?? 2, platform })]
  const m = mountWithApp(HowItWorksTab, { api, locale: opts.locale })
  await useServerStore().init()
  const attach = useAttachStore()
  await attach.init()
  expect(await attach.attach(PID)).toBe(true)
  if (opts.tick !== false) m.api.emit('metrics:tick', KNOWN)
  await flushPromises()
  return { ...m, attach }
}

/** The numbers every box shows for KNOWN, whichever source sent it. */
function expectKnownNumbers(w: ReturnType<typeof mountWithApp>['wrapper']): void {
  const expected: Record<string, number> = {
    'value-bytes-in': 1_200_000,
    'value-sessions': 41,
    'value-inflight': 62,
    'value-queue-depth': 12,
    'value-completions': 4600,
    'value-busy': 0.375,
    'value-bytes-out': 1_200_000,
    'value-errors': 2,
  }
  for (const [id, raw] of Object.entries(expected)) expect(Number(value(w, id).attributes('data-value')), id).toBe(raw)
  expect(value(w, 'value-sessions').text()).toContain('41')
  expect(Number(w.get('[data-testid="lane-1"] [data-testid="lane-depth"]').attributes('data-value'))).toBe(9)
}

const PROBE_CHIPS = [
  'iocpm_session_opened / iocpm_session_closed',
  'iocpm_set_inflight / iocpm_add_inflight',
  'iocpm_set_queue_depth',
  'iocpm_count_completion',
  'iocpm_count_busy',
  'iocpm_count_recv',
  'iocpm_count_send',
  'iocpm_count_error',
]

describe('How it works tab', () => {
  enableAutoUnmount(afterEach)

  it('shows an empty state with a way to the Server tab while no server runs', async () => {
    const { wrapper } = mountWithApp(HowItWorksTab)
    await useServerStore().init()
    await flushPromises()
    expect(wrapper.get('[data-testid="learn-empty"]').text()).toContain('No server is running')
    expect(wrapper.find('[data-testid="pipeline-diagram"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="guided-experiments"]').exists()).toBe(true)
    await wrapper.get('[data-testid="learn-to-server"]').trigger('click')
    expect(useUiStore().tab).toBe('server')
  })

  it('puts the known sample’s numbers in every box and lane', async () => {
    const { wrapper, api } = await mountRunning('iouring')
    const expected: Record<string, [number, string]> = {
      'value-bytes-in': [1_200_000, '1.20 MB/s'],
      'value-sessions': [41, '41'],
      'value-inflight': [62, '62'],
      'value-queue-depth': [12, '12'],
      'value-completions': [4600, '4600'],
      'value-busy': [0.375, '37.5%'],
      'value-bytes-out': [1_200_000, '1.20 MB/s'],
      'value-errors': [2, '2'],
    }
    for (const [id, [raw, text]] of Object.entries(expected)) {
      expect(Number(value(wrapper, id).attributes('data-value')), id).toBe(raw)
      expect(value(wrapper, id).text(), id).toContain(text)
    }
    expect(value(wrapper, 'value-errors').text()).toContain('7 total')
    expect(value(wrapper, 'value-workload').text()).toContain('echo')
    const lanes = [
      { depth: 3, busy: 0.25, completions: 1200, text: ['3 waiting', '25.0% busy', '1200/s'] },
      { depth: 9, busy: 0.5, completions: 3400, text: ['9 waiting', '50.0% busy', '3400/s'] },
    ]
    lanes.forEach((l, i) => {
      const lane = wrapper.get(`[data-testid="lane-${i}"]`)
      expect(Number(lane.get('[data-testid="lane-depth"]').attributes('data-value'))).toBe(l.depth)
      expect(Number(lane.get('[data-testid="lane-busy"]').attributes('data-value'))).toBe(l.busy)
      expect(Number(lane.get('[data-testid="lane-completions"]').attributes('data-value'))).toBe(l.completions)
      for (const s of l.text) expect(lane.text()).toContain(s)
    })
    // The deeper queue's bar is drawn fuller; both against the minimum scale of 16.
    const fills = wrapper.findAll('.queue-fill').map((f) => (f.element as HTMLElement).style.transform)
    expect(fills).toEqual(['scaleX(0.1875)', 'scaleX(0.5625)'])
    // Flows carry the rates they are drawn from.
    const rates = wrapper.findAll('[data-testid="flow"]').map((f) => Number(f.attributes('data-rate')))
    expect(rates).toContain(1_200_000)
    expect(rates).toContain(3400)

    // The next sample replaces every number.
    const next: MetricsTick = { ...KNOWN, t: KNOWN.t + 100, seq: 43, total: { ...KNOWN.total, sessions: 50 } }
    api.emit('metrics:tick', next)
    await flushPromises()
    expect(value(wrapper, 'value-sessions').text()).toContain('50')
  })

  it.each([
    ['iocp', [], 'I/O completion port', 'GetQueuedCompletionStatusEx', ['AcceptEx', 'WSARecv', 'WSASend', 'CreateIoCompletionPort', 'WSASocketW(WSA_FLAG_OVERLAPPED)']],
    ['iocp', ['dequeue-single', 'shared-port'], 'I/O completion port (shared)', 'GetQueuedCompletionStatus', ['AcceptEx']],
    ['iouring', ['multishot-accept'], 'CQ ring (completion queue)', 'io_uring_submit_and_wait', ['IORING_OP_ACCEPT (multishot)', 'IORING_OP_RECV (multishot, provided buffers)', 'CQE']],
    ['iouring', ['single-accept', 'single-recv'], 'CQ ring (completion queue)', 'io_uring_submit_and_wait', ['IORING_OP_ACCEPT', 'IORING_OP_RECV']],
    ['epoll', [], 'epoll ready list', 'epoll_wait', ['accept4', 'epoll_ctl (EPOLLIN, EPOLLOUT, EPOLLET)', 'recv / send']],
  ] as const)('names the boxes in %s terms (features %j)', async (backend, features, queue, dequeue, chips) => {
    const { wrapper } = await mountRunning(backend, { features: [...features] })
    const line = wrapper.get('[data-testid="learn-backend"]')
    expect(line.attributes('data-backend')).toBe(backend)
    expect(line.text()).toContain(`Backend ${backend}: completion queue = ${queue}, workers wait in ${dequeue}.`)
    const labels = wrapper.findAll('.chip').map((c) => c.text().replace(/\u200b/g, ''))
    for (const c of chips) expect(labels).toContain(c)
    expect(labels).toContain(dequeue === 'epoll_wait' ? 'epoll_wait' : dequeue)
    if (backend !== 'iocp') expect(labels.some((l) => l.includes('WSA'))).toBe(false)
  })

  it('explains a worker’s queue with its live depth, and Escape closes it and returns focus', async () => {
    const { wrapper } = await mountRunning('iocp')
    const opener = wrapper.get('[data-testid="lane-queue-1"]')
    ;(opener.element as HTMLElement).focus()
    await opener.trigger('click')
    const panel = wrapper.get('[data-testid="explanation"]')
    expect(panel.attributes('data-topic')).toBe('queue')
    expect(panel.get('[data-testid="explanation-now"]').text()).toBe('Completions waiting for worker 1: 9 (12 over all workers).')
    expect(panel.get('[data-testid="explanation-backend"]').text()).toContain('NtQueryIoCompletion')
    expect(document.activeElement).toBe(panel.get('[data-testid="explanation-title"]').element)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(wrapper.find('[data-testid="explanation"]').exists()).toBe(false)
    expect(document.activeElement).toBe(opener.element)
  })

  it('explains API calls with the error catalog’s own meanings', async () => {
    const { wrapper } = await mountRunning('iocp')
    await wrapper.get('[data-testid="api-wsaRecv"]').trigger('click')
    let panel = wrapper.get('[data-testid="explanation"]')
    expect(panel.get('[data-testid="explanation-what"]').text()).toContain('WSA_IO_PENDING (ERROR_IO_PENDING, 997)')
    // The fake service's catalog text, not a rewording.
    expect(panel.get('[data-testid="explanation-catalog"]').text()).toContain('connection-reset: The peer reset the connection (RST).')
    await wrapper.get('[data-testid="stage-button-workers"]').trigger('click')
    await wrapper.get('[data-testid="related-gqcs"]').trigger('click')
    panel = wrapper.get('[data-testid="explanation"]')
    expect(panel.attributes('data-topic')).toBe('gqcs')
    expect(panel.text()).toMatch(/OVERLAPPED is not null, so a packet was dequeued for an operation that failed/)
    await wrapper.get('[data-testid="stage-button-errors"]').trigger('click')
    panel = wrapper.get('[data-testid="explanation"]')
    expect(panel.get('[data-testid="explanation-now"]').text()).toBe('2 errors per second, 7 since the server started.')
    expect(panel.get('[data-testid="explanation-current-errors"]').text()).toContain('connection-reset (ECONNRESET 104) × 7: The peer reset the connection (RST).')
    await wrapper.get('[data-testid="explanation-close"]').trigger('click')
    expect(wrapper.find('[data-testid="explanation"]').exists()).toBe(false)
  })

  it('speaks Korean, catalog meanings included', async () => {
    const { wrapper } = await mountRunning('epoll', { locale: 'ko' })
    expect(wrapper.text()).toContain('동작 원리')
    expect(wrapper.get('[data-testid="learn-backend"]').text()).toContain('백엔드 epoll')
    await wrapper.get('[data-testid="stage-button-sessions"]').trigger('click')
    expect(wrapper.get('[data-testid="explanation-now"]').text()).toBe('세션 41개가 열려 있습니다. 워커당 약 20.5개입니다.')
    await wrapper.get('[data-testid="api-soLinger"]').trigger('click')
    expect(wrapper.get('[data-testid="explanation-catalog"]').text()).toContain('상대가 연결을 재설정했습니다 (RST).')
  })

  describe('with an attached process', () => {
    it('draws a Linux process from its ticks in the probe’s words, and explains each call', async () => {
      const { wrapper } = await mountAttached('linux')
      expect(wrapper.find('[data-testid="learn-empty"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="pipeline-diagram"]').exists()).toBe(true)
      const line = wrapper.get('[data-testid="learn-backend"]')
      expect(line.attributes('data-backend')).toBe('probe')
      expect(line.attributes('data-source')).toBe('attached')
      expect(line.text()).toContain('Attached process my-echo (pid 4242, 2 workers): every number comes from its probe (iocpm_probe.h).')
      expect(line.text()).toContain('may use epoll or io_uring')
      expectKnownNumbers(wrapper)
      expect(wrapper.findAll('[data-testid="lane-depth"]').length).toBe(2)
      expect(value(wrapper, 'value-workload').text()).toBe('my-echo’s own code')

      const labels = chipLabels(wrapper)
      for (const c of PROBE_CHIPS) expect(labels, c).toContain(c)
      // Neither backend's names: the monitor cannot know which one the process uses.
      expect(labels.filter((l) => !l.startsWith('iocpm_'))).toEqual([])

      await wrapper.get('[data-testid="api-probeSessions"]').trigger('click')
      let panel = wrapper.get('[data-testid="explanation"]')
      expect(panel.get('[data-testid="explanation-title"]').text()).toBe('iocpm_session_opened and iocpm_session_closed')
      expect(panel.get('[data-testid="explanation-what"]').text()).toContain('the open sessions are the difference')

      // A box says how the probe makes its number; the send queues say the probe cannot see them.
      await wrapper.get('[data-testid="stage-button-sendQueues"]').trigger('click')
      panel = wrapper.get('[data-testid="explanation"]')
      expect(panel.find('[data-testid="explanation-backend"]').exists()).toBe(false)
      expect(panel.get('[data-testid="explanation-probe"]').text()).toContain('The probe has no send-queue data')
      // send-queue-full is the built-in server's limit, not something the probed process reports.
      expect(panel.find('[data-testid="explanation-catalog"]').exists()).toBe(false)
      expect(panel.get('[data-testid="explanation-now"]').text()).toBe('1.20 MB/s leave the send queues towards the clients (1.20 MB/s came in).')
      await wrapper.get('[data-testid="related-probeSend"]').trigger('click')
      expect(wrapper.get('[data-testid="explanation"]').attributes('data-topic')).toBe('probeSend')
      await wrapper.get('[data-testid="stage-button-handlers"]').trigger('click')
      expect(wrapper.get('[data-testid="explanation-now"]').text()).toBe('Workload my-echo’s own code; it is handling 1.20 MB/s of received data.')

      // The experiments restart the built-in server: they say why they cannot run now.
      expect(wrapper.get('[data-testid="exp-attached"]').text()).toContain('Unavailable while my-echo is attached')
      expect(wrapper.get('[data-testid="exp-run-workers"]').attributes('disabled')).toBeDefined()
    })

    it('draws one lane per probe worker before the first tick', async () => {
      const { wrapper } = await mountAttached('linux', { workers: 3, tick: false })
      expect(wrapper.findAll('[data-testid="lane-depth"]').length).toBe(3)
      expect(Number(value(wrapper, 'value-sessions').attributes('data-value'))).toBe(0)
    })

    it('speaks Korean for an attached process, probe calls included', async () => {
      const { wrapper } = await mountAttached('linux', { locale: 'ko' })
      expect(wrapper.get('[data-testid="learn-backend"]').text()).toContain('연결된 프로세스 my-echo (pid 4242, 워커 2개)')
      await wrapper.get('[data-testid="api-probeQueueDepth"]').trigger('click')
      expect(wrapper.get('[data-testid="explanation-calls"]').text()).toContain('NtQueryIoCompletion')
      await wrapper.get('[data-testid="stage-button-sendQueues"]').trigger('click')
      expect(wrapper.get('[data-testid="explanation-probe"]').text()).toContain('송신 큐 데이터가 없습니다')
      expect(wrapper.get('[data-testid="exp-attached"]').text()).toContain('my-echo에 연결되어 있는 동안에는 쓸 수 없습니다')
    })

    it('draws a Windows process in IOCP words, with where the probe gets each number', async () => {
      const { wrapper } = await mountAttached('windows')
      const line = wrapper.get('[data-testid="learn-backend"]')
      expect(line.attributes('data-backend')).toBe('iocp')
      expect(line.text()).toContain('Attached process my-echo (pid 4242, 2 workers)')
      expect(line.text()).toContain('IOCP server')
      expectKnownNumbers(wrapper)
      const labels = chipLabels(wrapper)
      for (const c of ['AcceptEx', 'WSARecv', 'WSASend', 'CreateIoCompletionPort', 'GetQueuedCompletionStatus(Ex)']) expect(labels, c).toContain(c)
      expect(labels.some((l) => l.startsWith('iocpm_'))).toBe(false)
      await wrapper.get('[data-testid="stage-button-queue"]').trigger('click')
      const panel = wrapper.get('[data-testid="explanation"]')
      expect(panel.get('[data-testid="explanation-backend"]').text()).toContain('On iocp')
      expect(panel.get('[data-testid="explanation-probe"]').text()).toContain('iocpm_set_queue_depth')
      expect(panel.get('[data-testid="explanation-now"]').text()).toBe('Completions waiting for worker 1: 9 (12 over all workers).')
    })

    it('keeps the last numbers with a note when the process exits', async () => {
      const { wrapper, api, attach } = await mountAttached('linux')
      await wrapper.get('[data-testid="stage-button-workers"]').trigger('click')
      const gone: AttachStatus = { ...attach.status, state: 'exited', exitReason: 'closed', ...RUN_AROUND_KNOWN }
      api.emit('attach:status-changed', gone)
      await flushPromises()
      const note = wrapper.get('[data-testid="learn-exited"]')
      expect(note.text()).toBe('my-echo (pid 4242) exited (closed its probe). These are its last numbers; start the built-in server or attach to another process to follow it here. Open the Server tab')
      expect(wrapper.get('[data-testid="learn-backend"]').attributes('data-source')).toBe('exited')
      expect(wrapper.get('[data-testid="learn-backend"]').text()).toContain('Last sample #42, taken as the process exited')
      expectKnownNumbers(wrapper)
      await wrapper.get('[data-testid="learn-exited-to-server"]').trigger('click')
      expect(useUiStore().tab).toBe('server')
      // The explanation the reader had open stays: the boxes still mean the same thing.
      expect(wrapper.get('[data-testid="explanation"]').attributes('data-topic')).toBe('workers')
      // Exited, nothing is attached any more: the experiments no longer say it is.
      expect(wrapper.find('[data-testid="exp-attached"]').exists()).toBe(false)
    })

    it('goes back to the built-in server after a detach', async () => {
      const { wrapper, api, attach } = await mountAttached('linux')
      await wrapper.get('[data-testid="stage-button-sessions"]').trigger('click')
      expect(await attach.detach()).toBe(true)
      await flushPromises()
      expect(wrapper.get('[data-testid="learn-empty"]').text()).toContain('No server is running')
      expect(wrapper.find('[data-testid="pipeline-diagram"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="explanation"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="exp-attached"]').exists()).toBe(false)

      api.emit('server:status-changed', status('epoll'))
      api.emit('metrics:tick', KNOWN)
      await flushPromises()
      const line = wrapper.get('[data-testid="learn-backend"]')
      expect(line.attributes('data-backend')).toBe('epoll')
      expect(line.attributes('data-source')).toBe('builtin')
      expect(line.text()).toContain('Backend epoll: completion queue = epoll ready list')
      expect(chipLabels(wrapper).some((l) => l.startsWith('iocpm_'))).toBe(false)
      expect(value(wrapper, 'value-workload').text()).toContain('echo: sends every byte back')
    })

    it('follows a built-in server started after the attached process exited', async () => {
      const { wrapper, api, attach } = await mountAttached('windows')
      api.emit('attach:status-changed', { ...attach.status, state: 'exited', exitReason: 'process-exited', ...RUN_AROUND_KNOWN })
      await flushPromises()
      expect(wrapper.get('[data-testid="learn-exited"]').text()).toContain('ended without closing its probe')
      api.emit('server:status-changed', status('iouring'))
      api.emit('metrics:tick', { ...KNOWN, t: RUN_AROUND_KNOWN.exitedAt + 1000, seq: 1 })
      await flushPromises()
      expect(wrapper.find('[data-testid="learn-exited"]').exists()).toBe(false)
      expect(wrapper.get('[data-testid="learn-backend"]').attributes('data-backend')).toBe('iouring')
      // Stopped again, the service still says "exited", but the numbers are the built-in run's now.
      api.emit('server:status-changed', { ...status('iouring'), state: 'stopped', info: null, startedAt: null })
      await flushPromises()
      expect(wrapper.get('[data-testid="learn-empty"]').text()).toContain('No server is running')
      expect(wrapper.find('[data-testid="learn-exited"]').exists()).toBe(false)
    })
  })
})
