// The fake's methods and subscriptions come from the contract table: a channel added to
// src-shared/contract.ts must be callable and subscribable on it with no edit to the fake.
import { describe, expect, it } from 'vitest'
import { EVENT_CHANNELS, EVENTS, INVOKE_CHANNELS, INVOKES, type MonitorApi } from '../../../src-shared/contract'
import type { Result } from '../../../src-shared/result'
import { createFakeApi, STOPPED, type FakeApi } from './fake-api'

/** A method looked up by the name the table gives it. */
function method(api: FakeApi, name: string): unknown {
  return (api as unknown as Record<string, unknown>)[name]
}

describe('FakeApi', () => {
  it('is a MonitorApi', () => {
    const api: MonitorApi = createFakeApi()
    expect(api).toBeDefined()
  })

  it.each(INVOKE_CHANNELS)('has the method for %s, which records the call on that channel and answers what respond() set', async (channel) => {
    const api = createFakeApi()
    const { method: name } = INVOKES[channel]
    const fn = method(api, name)
    expect(typeof fn).toBe('function')
    const answer: Result<never> = { ok: false, error: { code: 'test', message: channel } }
    api.respond(channel, answer)
    const arg = { probe: channel }
    await expect((fn as (req: unknown) => Promise<Result<unknown>>)(arg)).resolves.toEqual(answer)
    expect(api.calls).toEqual([{ channel, method: name, arg }])
  })

  it.each(EVENT_CHANNELS)('has the subscription for %s, which emit() reaches until it is undone', (event) => {
    const api = createFakeApi()
    const on = method(api, EVENTS[event].method)
    expect(typeof on).toBe('function')
    const got: unknown[] = []
    const off = (on as (cb: (payload: unknown) => void) => () => void)((p) => got.push(p))
    api.emitUnchecked(event, 1)
    // Another event's subscribers are not this one's.
    for (const other of EVENT_CHANNELS) if (other !== event) api.emitUnchecked(other, 'other')
    off()
    api.emitUnchecked(event, 2)
    expect(got).toEqual([1])
  })

  it('answers from its state by default, and again after respond(channel, null)', async () => {
    const api = createFakeApi()
    expect(await api.status()).toEqual({ ok: true, value: STOPPED })
    api.respond('server:status', (req) => ({ ok: true, value: { ...STOPPED, lastError: { code: 'x', message: String(req) } } }))
    expect(await api.status()).toMatchObject({ ok: true, value: { lastError: { code: 'x' } } })
    api.respond('server:status', null)
    expect(await api.status()).toEqual({ ok: true, value: STOPPED })
    api.respond('server:start', () => Promise.reject(new Error('ipc exploded')))
    await expect(api.start({})).rejects.toThrow('ipc exploded')
  })
})
