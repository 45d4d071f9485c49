// The load generator's contract: config validation with field-named errors, the fault list syntax,
// derived rates and the load:start invoke payload (the CLI's `load` arguments: cli-args.test.ts).
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_LOAD_CONFIG,
  FAULT_KINDS,
  LOAD_PRESETS,
  NO_FAULTS,
  loadRates,
  parseFaultList,
  validateLoadConfig,
  type LoadCounters,
} from '../../src-shared/load'
import { validatePayload } from '../../src-shared/validate'

const fields = (input: unknown): string[] => {
  const v = validateLoadConfig(input)
  return v.ok ? [] : v.errors.map((e) => e.field).sort()
}

describe('validateLoadConfig', () => {
  it('merges a partial config over the defaults', () => {
    expect(validateLoadConfig({})).toEqual({ ok: true, value: DEFAULT_LOAD_CONFIG })
    const v = validateLoadConfig({ host: 'localhost', port: 9100, connections: 20000, messageSize: 1048576, rate: 2500.5, faults: { reset: 60, storm: 40 } })
    expect(v.ok && v.value).toEqual({ ...DEFAULT_LOAD_CONFIG, host: 'localhost', port: 9100, connections: 20000, messageSize: 1048576, rate: 2500.5, faults: { ...NO_FAULTS, reset: 60, storm: 40 } })
  })

  it('aims at the base (the running server) unless the request names a target', () => {
    const base = { ...DEFAULT_LOAD_CONFIG, host: '::1', port: 4242 }
    expect(validateLoadConfig({ connections: 3 }, base)).toMatchObject({ ok: true, value: { host: '::1', port: 4242, connections: 3 } })
    expect(validateLoadConfig({ port: 7 }, base)).toMatchObject({ ok: true, value: { host: '::1', port: 7 } })
    // An undefined field (a form's empty input) is absent, not an error.
    expect(validateLoadConfig({ host: undefined, port: undefined }, base)).toMatchObject({ ok: true, value: { host: '::1', port: 4242 } })
  })

  it.each([
    [{ port: 0 }, ['port']],
    [{ port: 65536 }, ['port']],
    [{ connections: 0 }, ['connections']],
    [{ connections: 20001 }, ['connections']],
    [{ messageSize: 1048577 }, ['messageSize']],
    [{ rate: -1 }, ['rate']],
    [{ rate: Infinity }, ['rate']],
    [{ pipeline: 129 }, ['pipeline']],
    [{ durationMs: 1.5 }, ['durationMs']],
    [{ durationMs: 0 }, ['durationMs']], // and messages 0: the run would never end by itself
    [{ messages: -1 }, ['messages']],
    [{ rampUpMs: 3600001 }, ['rampUpMs']],
    [{ threads: 17 }, ['threads']],
    [{ expectEcho: 'yes' }, ['expectEcho']],
    [{ io: 'kqueue' }, ['io']],
    [{ io: 1 }, ['io']],
    [{ host: '' }, ['host']],
    [{ host: 'a b' }, ['host']],
    [{ host: 'x'.repeat(254) }, ['host']],
    [{ connections: '10' }, ['connections']],
    [{ colour: 'red' }, ['colour']],
    [{ faults: { reset: 101 } }, ['faults.reset']],
    [{ faults: { reset: 2.5 } }, ['faults.reset']],
    [{ faults: { explode: 1 } }, ['faults.explode']],
    [{ faults: { reset: 60, slow: 41 } }, ['faults']],
    [{ faults: [5] }, ['faults']],
    [{ faults: 5 }, ['faults']],
  ])('%j → errors on %j', (input, expected) => {
    expect(fields(input)).toEqual(expected)
  })

  it('reports every bad field at once, with a message naming it', () => {
    const v = validateLoadConfig({ port: 'x', connections: -5, threads: -1 })
    expect(v.ok).toBe(false)
    if (v.ok) return
    expect(v.errors.map((e) => e.field).sort()).toEqual(['connections', 'port', 'threads'])
    for (const e of v.errors) expect(e.message).toContain(e.field)
  })

  it('a message count alone ends a run; so does a duration alone', () => {
    expect(validateLoadConfig({ durationMs: 0, messages: 1000 }).ok).toBe(true)
    expect(validateLoadConfig({ durationMs: 1000, messages: 0 }).ok).toBe(true)
  })

  it.each(['constructor', '__proto__', 'toString'])('the inherited name %s is an unknown field', (key) => {
    expect(fields(JSON.parse(`{"${key}": 1}`))).toEqual([key])
  })

  it('every preset is a valid config that names no target', () => {
    for (const [name, p] of Object.entries(LOAD_PRESETS)) {
      expect(p.name).toBe(name)
      expect(validateLoadConfig(p.config).ok).toBe(true)
      expect(p.config).not.toHaveProperty('host')
      expect(p.config).not.toHaveProperty('port')
    }
    const faults = validateLoadConfig(LOAD_PRESETS.faults.config)
    expect(faults.ok && FAULT_KINDS.every((k) => faults.value.faults[k] > 0)).toBe(true)
  })
})

describe('parseFaultList', () => {
  it('parses KIND=PERCENT lists', () => {
    expect(parseFaultList('reset=5,halfclose=5, slow=2')).toEqual({ ok: true, value: { reset: 5, halfclose: 5, slow: 2 } })
  })
  it.each([
    ['reset', 'faults'],
    ['reset=x', 'faults'],
    ['nuke=5', 'faults.nuke'],
    ['reset=1,reset=2', 'faults.reset'],
    ['', 'faults'],
  ])('%j → an error on %s', (text, field) => {
    const v = parseFaultList(text)
    expect(v.ok).toBe(false)
    if (!v.ok) expect(v.errors[0]!.field).toBe(field)
  })
})

describe('loadRates', () => {
  const at = (elapsedMs: number, msgsSent: number, bytesSent: number) => ({ elapsedMs, msgsSent, bytesSent }) as LoadCounters
  it('is the difference of two samples over the generator clock', () => {
    expect(loadRates(at(1500, 3000, 2_000_000), at(1000, 1000, 1_000_000))).toEqual({ msgsPerS: 4000, mbPerS: 2 })
    expect(loadRates(at(1000, 1000, 1), null)).toEqual({ msgsPerS: 0, mbPerS: 0 })
    expect(loadRates(at(1000, 1000, 1), at(1000, 0, 0))).toEqual({ msgsPerS: 0, mbPerS: 0 })
  })
})

describe('load:start payload', () => {
  it('passes a valid request on as sent (no defaults filled in), without undefined fields', () => {
    expect(validatePayload('load:start', { connections: 5, port: undefined, faults: { reset: 5 } })).toEqual({ ok: true, value: { connections: 5, faults: { reset: 5 } } })
    expect(validatePayload('load:start', undefined)).toEqual({ ok: true, value: {} })
  })
  it('bad fields are invalid-config with every field error; a non-object is an invalid message', () => {
    const r = validatePayload('load:start', { port: 0, faults: { reset: 200 } })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('invalid-config')
      expect(r.error.fieldErrors?.map((e) => e.field).sort()).toEqual(['faults.reset', 'port'])
    }
    for (const bad of [null, 7, 'x', [], new Date()]) {
      const v = validatePayload('load:start', bad)
      expect(!v.ok && v.error.code).toBe('invalid-message')
    }
  })
  it.each(['load:stop', 'load:status'] as const)('%s accepts nothing or {}', (channel) => {
    expect(validatePayload(channel, {})).toEqual({ ok: true, value: undefined })
    expect(validatePayload(channel, { a: 1 }).ok).toBe(false)
  })
})
