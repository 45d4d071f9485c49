// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { alertEvent, type FakeApi } from '../testing/fake-api'
import { MAX_LOG, useAlertsStore } from './alerts'
import { freshStoreEnv } from './fresh-store-env'

describe('alerts store', () => {
  let api: FakeApi
  beforeEach(() => {
    api = freshStoreEnv()
  })

  it('loads the rules and follows raised and cleared events into the active list, the log and chart intervals', async () => {
    api.alertsValue = { rules: [{ metric: 'busy', worker: 3, op: '>', threshold: 0.9, forSeconds: 5 }], active: [] }
    const alerts = useAlertsStore()
    await alerts.init()
    expect(alerts.available).toBe(true)
    expect(alerts.draft).toHaveLength(1)
    // busy is edited in percent.
    expect(alerts.draft[0]).toMatchObject({ metric: 'busy', worker: '3', threshold: '90', forSeconds: '5' })
    expect(alerts.dirty).toBe(false)

    api.emit('alerts:event', alertEvent('raised', 1000, {}, 'a'))
    api.emit('alerts:event', alertEvent('raised', 2000, {}, 'b'))
    expect(alerts.active.map((a) => a.id)).toEqual(['a', 'b'])
    api.emit('alerts:event', alertEvent('cleared', 3000, {}, 'a'))
    expect(alerts.active.map((a) => a.id)).toEqual(['b'])
    expect(alerts.log.map((e) => `${e.id}:${e.kind}`)).toEqual(['a:cleared', 'b:raised', 'a:raised'])
    expect(alerts.intervals.map((i) => [i.id, i.start, i.end])).toEqual([
      ['a', 1000, 3000],
      ['b', 2000, null],
    ])
    api.emitUnchecked('alerts:event', { junk: true })
    expect(alerts.log).toHaveLength(3)
  })

  it('bounds the log', async () => {
    const alerts = useAlertsStore()
    await alerts.init()
    for (let i = 0; i < MAX_LOG + 20; i++) api.emit('alerts:event', alertEvent('raised', i, {}, `x${i}`))
    expect(alerts.log).toHaveLength(MAX_LOG)
    expect(alerts.log[0].id).toBe(`x${MAX_LOG + 19}`)
  })

  it('validates the draft as typed and saves it as rules', async () => {
    const alerts = useAlertsStore()
    await alerts.init()
    alerts.addRule()
    expect(alerts.dirty).toBe(true)
    const r = alerts.draft[0]
    r.threshold = 'lots'
    expect(alerts.draftValid).toBe(false)
    expect(Object.keys(alerts.draftErrors[0])).toEqual(['threshold'])
    r.threshold = '-1'
    r.forSeconds = '0'
    r.metric = 'errorsPerS'
    expect(alerts.draftValid).toBe(true)
    expect(await alerts.save()).toBe(true)
    expect(api.calls.find((c) => c.method === 'setAlerts')?.arg).toEqual({ rules: [{ metric: 'errorsPerS', worker: 'all', op: '>', threshold: -1, forSeconds: 0 }] })
    expect(alerts.dirty).toBe(false)
    alerts.draft[0].metric = 'busy'
    alerts.draft[0].threshold = '75'
    await alerts.save()
    expect(api.alertsValue.rules[0].threshold).toBe(0.75)
    alerts.removeRule(0)
    expect(alerts.dirty).toBe(true)
    alerts.revert()
    expect(alerts.draft).toHaveLength(1)
  })

  it('says so when the service has no alerts', async () => {
    api.respond('alerts:list', { ok: false, error: { code: 'invalid-message', message: 'unknown channel alerts:list' } })
    const alerts = useAlertsStore()
    await alerts.init()
    expect(alerts.available).toBe(false)
    expect(alerts.unavailable?.message).toContain('alerts:list')
  })
})
