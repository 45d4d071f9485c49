// @vitest-environment happy-dom
// GuidedExperiments over the fake api: a whole run (server restarted with each phase's
// configuration through the server store, the load aimed at it, the narration, the measured
// summary, the user's running server and form put back), Stop, a port in use, a busy load
// generator, and every text in both languages.
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ServerStatus } from '../../../../src-shared/api'
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../../../src-shared/engine-config'
import { DEFAULT_LOAD_CONFIG, NO_FAULTS, type LoadRequest, type LoadSummary } from '../../../../src-shared/load'
import { createAppI18n } from '../../i18n'
import en from '../../i18n/en'
import ko from '../../i18n/ko'
import { useConfigDraftStore } from '../../stores/config-draft'
import { useLoadStore } from '../../stores/load'
import { useServerStore } from '../../stores/server'
import { useUiStore } from '../../stores/ui'
import { ADDRESS_IN_USE, createFakeApi, echoRun, tick, type FakeApi } from '../../testing/fake-api'
import { mountWithApp } from '../../testing/mount'
import { CHART_KEY, EXPERIMENTS } from './experiments'
import { RUN_ERROR_KINDS, useExperimentsStore } from './experiments-store'
import GuidedExperiments from './GuidedExperiments.vue'

// The user's own server: not the experiments' settings, so each phase restarts it.
const USER: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, port: 9100, workers: 2, closeMode: 'abortive', backlog: 64 }

function runningStatus(config: EngineConfig): ServerStatus {
  return { state: 'running', config, info: { backend: 'epoll', host: config.host, port: config.port, workers: config.workers, features: [] }, startedAt: Date.now(), lastError: null }
}

/** A fake service whose start/stop keep a status, as the real one does. */
function statefulApi(initial: ServerStatus | null): FakeApi {
  const api = createFakeApi()
  if (initial) api.statusValue = initial
  api.respond('server:start', (cfg) => ({ ok: true, value: (api.statusValue = runningStatus({ ...DEFAULT_ENGINE_CONFIG, ...cfg })) }))
  api.respond('server:stop', () => ({ ok: true, value: (api.statusValue = { state: 'stopped', config: null, info: null, startedAt: null, lastError: null }) }))
  return api
}

function summaryFor(req: LoadRequest, over: Partial<LoadSummary> = {}): LoadSummary {
  return {
    ...echoRun(100, 128),
    elapsedMs: req.durationMs ?? 1000,
    connectsOk: req.connections ?? 1,
    faultsInjected: { ...NO_FAULTS, halfclose: 11 },
    latency: { count: 100, p50Us: 50, p90Us: 80, p99Us: 100, p999Us: 120, maxUs: 150 },
    config: { ...DEFAULT_LOAD_CONFIG, ...(req as object), faults: { ...NO_FAULTS, ...req.faults } },
    startedAt: Date.now(),
    endedAt: Date.now(),
    stoppedEarly: false,
    msgsPerS: 50,
    mbPerS: 0.1,
    ...over,
  }
}

const loadStarts = (api: FakeApi) => api.calls.filter((c) => c.method === 'loadStart')
const starts = (api: FakeApi) => api.calls.filter((c) => c.method === 'start').map((c) => c.arg as Partial<EngineConfig>)

async function mountRunning(initial: ServerStatus | null) {
  const api = statefulApi(initial)
  const mounted = mountWithApp(GuidedExperiments, { api })
  await useServerStore().init()
  await useLoadStore().init()
  await flushPromises()
  return mounted
}

/** Plays one phase: a few ticks while the load runs, then its end. */
async function playPhase(api: FakeApi, index: number, over: Partial<LoadSummary> = {}): Promise<void> {
  await vi.waitFor(() => expect(loadStarts(api)).toHaveLength(index + 1), { timeout: 3000 })
  const req = loadStarts(api)[index].arg as LoadRequest
  for (let s = 1; s <= 3; s++) api.emit('metrics:tick', tick(s + index * 10, { t: Date.now() + s }))
  api.emit('load:finished', summaryFor(req, over))
  api.loadValue = { ...api.loadValue, state: 'idle' }
}

describe('GuidedExperiments', () => {
  beforeEach(() => vi.spyOn(console, 'error').mockImplementation(() => {}))
  afterEach(() => vi.restoreAllMocks())
  enableAutoUnmount(afterEach)

  it('runs an experiment phase by phase, narrates it, summarises what was measured and puts the running server back', async () => {
    const { wrapper, api } = await mountRunning(runningStatus(USER))
    const draft = useConfigDraftStore()
    draft.load(USER)
    await wrapper.get('[data-testid="exp-run-closeMode"]').trigger('click')
    await flushPromises()

    // Phase 1: the user's server was stopped and started with graceful close on the user's port.
    await vi.waitFor(() => expect(loadStarts(api)).toHaveLength(1))
    expect(api.calls.map((c) => c.method).filter((m) => m === 'stop' || m === 'start')).toEqual(['stop', 'start'])
    expect(starts(api)[0]).toMatchObject({ port: 9100, workers: 2, backlog: 64, closeMode: 'graceful', workload: 'echo' })
    expect(loadStarts(api)[0].arg).toMatchObject({ host: '127.0.0.1', port: 9100, connections: 20, faults: { halfclose: 50 } })
    const card = wrapper.get('[data-testid="exp-closeMode"]')
    expect(card.get('[data-testid="exp-phase"]').text()).toBe('Phase 1 of 2: Graceful (FIN)')
    expect(card.get('[data-testid="exp-step"]').text()).toContain('Graceful close')
    expect(card.get('[data-testid="exp-watch"]').attributes('data-target')).toBe('error-timeline')
    expect(card.get('[data-testid="exp-watch"]').text()).toBe('Errors per second')
    expect(card.find('[role="progressbar"]').exists()).toBe(true)
    expect(wrapper.emitted('highlight')?.[0]).toEqual(['error-timeline'])
    // Other experiments cannot start meanwhile.
    expect(wrapper.get('[data-testid="exp-run-workers"]').attributes('disabled')).toBeDefined()
    api.emit('metrics:tick', tick(1, { t: Date.now() }))
    await flushPromises()
    expect(card.findAll('[data-testid="exp-live-row"]').length).toBe(3)

    await playPhase(api, 0)
    // Phase 2: abortive; the generator sees the resets.
    await playPhase(api, 1, { errors: [{ code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: 11 }] })
    await vi.waitFor(() => expect(wrapper.find('[data-testid="exp-summary-closeMode"]').exists()).toBe(true), { timeout: 3000 })
    await flushPromises()

    expect(starts(api)[1]).toMatchObject({ port: 9100, closeMode: 'abortive' })
    const cell = (metric: string, phase: string) => Number(wrapper.get(`[data-testid="exp-cell"][data-metric="${metric}"][data-phase="${phase}"]`).attributes('data-value'))
    expect(cell('loadResets', 'graceful')).toBe(0)
    expect(cell('loadResets', 'abortive')).toBe(11)
    expect(cell('halfCloses', 'abortive')).toBe(11)
    const summary = wrapper.get('[data-testid="exp-summary-closeMode"]')
    expect(summary.attributes('data-shown')).toBe('true')
    expect(summary.get('[data-testid="exp-outcome"]').text()).toContain('connection-reset 11 time(s) with abortive close')
    // The user's server is back with the user's configuration; the form too.
    expect(starts(api).at(-1)).toEqual(USER)
    expect(useServerStore().status.state).toBe('running')
    expect(useServerStore().status.config).toEqual(USER)
    expect(draft.candidate).toMatchObject({ port: 9100, workers: 2, closeMode: 'abortive', backlog: 64 })
    expect(wrapper.get('[data-testid="guided-experiments"]').attributes('data-state')).toBe('done')
    expect(useExperimentsStore().highlight).toBeNull()
    expect(wrapper.get('[data-testid="exp-run-closeMode"]').text()).toBe('Run again')
  })

  it('Stop cancels the run: the load stops, the server is put back (stopped), nothing is concluded', async () => {
    const { wrapper, api } = await mountRunning(null)
    await wrapper.get('[data-testid="exp-run-workers"]').trigger('click')
    await vi.waitFor(() => expect(loadStarts(api)).toHaveLength(1))
    expect(starts(api)[0]).toMatchObject({ workers: 1 })
    await flushPromises()
    await wrapper.get('[data-testid="exp-stop"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.get('[data-testid="guided-experiments"]').attributes('data-state')).toBe('cancelled'), { timeout: 3000 })
    expect(api.calls.some((c) => c.method === 'loadStop')).toBe(true)
    expect(loadStarts(api)).toHaveLength(1)
    expect(useServerStore().status.state).toBe('stopped')
    expect(starts(api)).toHaveLength(1)
    expect(wrapper.find('[data-testid="exp-cancelled"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="exp-summary-workers"]').exists()).toBe(false)
  })

  it('a port in use ends the experiment with the reason and no load run', async () => {
    const { wrapper, api } = await mountRunning(null)
    api.respond('server:start', { ok: false, error: ADDRESS_IN_USE })
    await wrapper.get('[data-testid="exp-run-backlog"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.find('[data-testid="exp-error"]').exists()).toBe(true))
    const err = wrapper.get('[data-testid="exp-error"]')
    expect(err.attributes('data-kind')).toBe('serverStart')
    expect(err.attributes('data-code')).toBe('address-in-use')
    expect(err.text()).toContain('could not be started')
    expect(err.text()).toContain('address-in-use (EADDRINUSE 98)')
    expect(loadStarts(api)).toHaveLength(0)
    expect(wrapper.get('[data-testid="guided-experiments"]').attributes('data-state')).toBe('failed')
    await err.get('[data-testid="exp-error-dismiss"]').trigger('click')
    expect(wrapper.find('[data-testid="exp-error"]').exists()).toBe(false)
  })

  it('a load run that cannot start is reported and the server put back', async () => {
    const { wrapper, api } = await mountRunning(null)
    api.respond('load:start', { ok: false, error: { code: 'busy', message: 'a load run is already in progress' } })
    await wrapper.get('[data-testid="exp-run-sizeSweep"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.find('[data-testid="exp-error"]').exists()).toBe(true))
    expect(wrapper.get('[data-testid="exp-error"]').attributes('data-kind')).toBe('loadStart')
    expect(useServerStore().status.state).toBe('stopped')
  })

  it('will not start while a load run is in progress', async () => {
    const { wrapper, api } = await mountRunning(runningStatus(USER))
    useLoadStore().status = { ...useLoadStore().status, state: 'running' }
    await flushPromises()
    expect(wrapper.get('[data-testid="exp-run-workers"]').attributes('disabled')).toBeDefined()
    expect(await useExperimentsStore().run('workers')).toBe(false)
    await flushPromises()
    expect(wrapper.get('[data-testid="exp-error"]').attributes('data-kind')).toBe('loadRunning')
    expect(starts(api)).toHaveLength(0)
  })

  it('"Show on the Server tab" selects the Server tab and outlines the chart', async () => {
    const { wrapper, api } = await mountRunning(null)
    const chart = document.createElement('div')
    chart.setAttribute('data-testid', 'busy-chart')
    document.body.appendChild(chart)
    await wrapper.get('[data-testid="exp-run-workers"]').trigger('click')
    await vi.waitFor(() => expect(loadStarts(api)).toHaveLength(1))
    await flushPromises()
    useUiStore().select('load')
    await wrapper.get('[data-testid="exp-show"]').trigger('click')
    await flushPromises()
    expect(useUiStore().tab).toBe('server')
    expect(chart.hasAttribute('data-exp-highlight')).toBe(true)
    await useExperimentsStore().cancel()
    chart.remove()
  })

  it('renders in Korean', async () => {
    const api = statefulApi(null)
    const { wrapper } = mountWithApp(GuidedExperiments, { api, locale: 'ko' })
    await flushPromises()
    expect(wrapper.text()).toContain('안내 실험')
    expect(wrapper.text()).toContain('워커 1개와 워커 4개')
    expect(wrapper.text()).not.toMatch(/experiments\./)
  })
})

describe('experiment texts', () => {
  /** Every leaf path of a message tree. */
  function leaves(o: unknown, prefix = ''): string[] {
    if (typeof o !== 'object' || o === null) return [prefix]
    return Object.entries(o).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
  }

  it('has the same keys in English and Korean, none empty', () => {
    const enKeys = leaves(en.experiments).sort()
    expect(leaves(ko.experiments).sort()).toEqual(enKeys)
    for (const k of enKeys) {
      const get = (root: unknown) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], root)
      expect(typeof get(en.experiments) === 'string' && (get(en.experiments) as string).length > 0, `en ${k}`).toBe(true)
      expect(typeof get(ko.experiments) === 'string' && (get(ko.experiments) as string).length > 0, `ko ${k}`).toBe(true)
    }
  })

  it('has every text an experiment, phase, step, metric, chart, outcome and error refers to, in both languages', () => {
    const keys: string[] = []
    for (const exp of EXPERIMENTS) {
      const item = `experiments.items.${exp.id}`
      keys.push(`${item}.title`, `${item}.what`, `${item}.expect`)
      for (const p of exp.phases) keys.push(`${item}.phases.${p.id}`, `${item}.steps.${p.id}`, `experiments.charts.${CHART_KEY[p.watch]}`)
      for (const m of exp.metrics) keys.push(`experiments.metrics.${m.id}`)
    }
    for (const k of Object.values(CHART_KEY)) keys.push(`experiments.charts.${k}`)
    for (const k of RUN_ERROR_KINDS) keys.push(`experiments.errors.${k}`)
    // The outcome keys each summary can produce (see experiments.test.ts for when).
    const outcomes: Record<string, string[]> = {
      workers: ['shownWithQueue', 'shownQueueFlat', 'notShown'],
      slowReader: ['shown', 'notShown'],
      closeMode: ['shown', 'notShown'],
      backlog: ['shown', 'notShown'],
      sizeSweep: ['shownFalls', 'shownFlat', 'notShown'],
    }
    for (const exp of EXPERIMENTS) for (const o of outcomes[exp.id]) keys.push(`experiments.items.${exp.id}.outcome.${o}`)
    for (const locale of ['en', 'ko'] as const) {
      const { global } = createAppI18n(locale)
      const missing = keys.filter((k) => !global.te(k, locale))
      expect(missing, `${locale} is missing`).toEqual([])
    }
  })
})
