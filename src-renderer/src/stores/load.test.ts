// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { DEFAULT_ENGINE_CONFIG } from '../../../src-shared/engine-config'
import type { LoadProgress, LoadSummary } from '../../../src-shared/load'
import { DEFAULT_LOAD_CONFIG, NO_FAULTS, zeroLoadCounters } from '../../../src-shared/load'
import { type FakeApi } from '../testing/fake-api'
import { freshStoreEnv } from './fresh-store-env'
import { useLoadStore } from './load'
import { useServerStore } from './server'

/** A sample of a running load; the store keeps it as sent, so only msgsPerS matters here. */
function progress(t: number, over: Partial<LoadProgress> = {}): LoadProgress {
  return { ...zeroLoadCounters(), t, running: true, elapsedMs: 1000, msgsPerS: 5000, mbPerS: 0.64, ...over }
}

describe('load store', () => {
  let api: FakeApi
  beforeEach(() => {
    api = freshStoreEnv()
  })

  it('starts from the smoke preset aimed at the running server, with durations in seconds', () => {
    const load = useLoadStore()
    expect(load.preset).toBe('smoke')
    expect(load.form.durationS).toBe('3')
    expect(load.form.host).toBe('')
    expect(load.candidate).toMatchObject({ connections: 10, messageSize: 128, durationMs: 3000, rampUpMs: 0 })
    expect(load.candidate).not.toHaveProperty('host')
    expect(load.candidate).not.toHaveProperty('port')
    expect(load.valid).toBe(true)
    // No server and no target: nothing to aim at.
    expect(load.needsTarget).toBe(true)
    expect(load.canStart).toBe(false)
  })

  it('validates as typed with the shared validator, naming each field', () => {
    const load = useLoadStore()
    load.form.connections = '0'
    load.form.durationS = '1.5'
    load.form.faults.reset = '70'
    load.form.faults.vanish = '40'
    load.form.host = 'bad host!'
    expect(load.valid).toBe(false)
    expect(Object.keys(load.errors).sort()).toEqual(['connections', 'faults', 'host'])
    expect(load.candidate.durationMs).toBe(1500)
    expect(load.faultTotal).toBe(110)
    load.form.durationS = '0'
    load.form.messages = '0'
    expect(load.errors.durationMs).toBeDefined()
    load.form.messages = 'x'
    expect(load.errors.messages).toBeDefined()
  })

  it('applies presets over the defaults and keeps the target the user typed', () => {
    const load = useLoadStore()
    load.form.host = '10.0.0.5'
    load.form.port = '7000'
    load.applyPreset('faults')
    expect(load.form.host).toBe('10.0.0.5')
    expect(load.form.connections).toBe('100')
    expect(load.form.faults.reset).toBe('5')
    expect(load.faultTotal).toBe(23)
    load.applyPreset('storm')
    expect(load.form.faults.reset).toBe('0')
    expect(load.form.rampUpS).toBe('2')
    expect(load.form.rate).toBe(String(DEFAULT_LOAD_CONFIG.rate))
    load.markEdited()
    expect(load.preset).toBeNull()
  })

  it('starts with the typed config, follows progress and the final summary', async () => {
    const server = useServerStore()
    server.status = {
      state: 'running',
      config: DEFAULT_ENGINE_CONFIG,
      info: { backend: 'epoll', host: '127.0.0.1', port: 9100, workers: 2, features: [] },
      startedAt: 1,
      lastError: null,
    }
    const load = useLoadStore()
    await load.init()
    expect(load.canStart).toBe(true)
    expect(await load.start()).toBe(true)
    expect(api.calls.find((c) => c.method === 'loadStart')?.arg).toEqual({
      connections: 10,
      messageSize: 128,
      rate: 0,
      pipeline: 1,
      durationMs: 3000,
      messages: 0,
      rampUpMs: 0,
      threads: 0,
      expectEcho: true,
      io: 'auto',
      faults: { ...NO_FAULTS },
    })
    expect(load.running).toBe(true)
    api.emit('load:progress', progress(10))
    api.emit('load:progress', progress(20, { msgsPerS: 7000 }))
    expect(load.progress?.msgsPerS).toBe(7000)
    expect(load.progressPoints().map((p) => p.msgsPerS)).toEqual([5000, 7000])
    const summary = { ...progress(30), config: { ...DEFAULT_LOAD_CONFIG }, startedAt: 1, endedAt: 30, stoppedEarly: false } as unknown as LoadSummary
    api.emit('load:finished', summary)
    expect(load.running).toBe(false)
    expect(load.summary).toEqual(summary)
  })

  it('does not verify echoes against a discard server unless asked to', async () => {
    const server = useServerStore()
    const load = useLoadStore()
    server.status = { ...server.status, config: { ...DEFAULT_ENGINE_CONFIG, workload: 'discard' } }
    await nextTick()
    expect(load.form.expectEcho).toBe(false)
    load.setExpectEcho(true)
    server.status = { ...server.status, config: { ...DEFAULT_ENGINE_CONFIG, workload: 'chat' } }
    await nextTick()
    expect(load.form.expectEcho).toBe(true)
  })

  it('keeps a failed start as an error', async () => {
    api.respond('load:start', { ok: false, error: { code: 'connection-refused', message: 'nothing listens on 127.0.0.1:1' } })
    const load = useLoadStore()
    load.form.host = '127.0.0.1'
    load.form.port = '1'
    expect(await load.start()).toBe(false)
    expect(load.lastError?.code).toBe('connection-refused')
    expect(load.running).toBe(false)
  })
})
