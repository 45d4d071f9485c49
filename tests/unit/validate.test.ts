// The runtime contract: every invoke payload and bridge frame is checked before main acts on it.
import { describe, expect, it } from 'vitest'
import { DEFAULT_ENGINE_CONFIG, IOCP_DEQUEUES, IOCP_PORT_LAYOUTS, IOURING_RECV_MODES, IOURING_SOCKETS, isIpLiteral, validateEngineConfig } from '../../src-shared/engine-config'
import { BRIDGE_NO_ID, INVOKE_CHANNELS, isInvokeChannel, isPlainObject, parseBridgeRequest, validatePayload } from '../../src-shared/validate'
import { EVENT_CHANNELS, EVENTS, INVOKES } from '../../src-shared/contract'

describe('validatePayload', () => {
  it('knows exactly the request channels of the contract, each with its own method', () => {
    expect([...INVOKE_CHANNELS].sort()).toEqual(
      [
        'server:start', 'server:stop', 'server:status', 'metrics:history', 'export:csv', 'errors:catalog', 'load:start', 'load:stop', 'load:status',
        'alerts:list', 'alerts:set', 'recording:start', 'recording:stop', 'recording:open', 'replay:start', 'replay:stop', 'config:get', 'config:set',
        'sessions:table', 'sessions:close', 'probes:list', 'attach:start', 'attach:stop', 'attach:status',
      ].sort(),
    )
    expect([...EVENT_CHANNELS].sort()).toEqual(['alerts:event', 'attach:status-changed', 'load:finished', 'load:progress', 'metrics:tick', 'probes:changed', 'recording:status', 'replay:status', 'server:status-changed'])
    const methods = [...Object.values(INVOKES), ...Object.values(EVENTS)].map((s) => s.method)
    expect(new Set(methods).size).toBe(methods.length)
    for (const e of EVENT_CHANNELS) expect(isInvokeChannel(e)).toBe(false)
    expect(isInvokeChannel('server:start')).toBe(true)
    expect(isInvokeChannel('metrics:tick')).toBe(false)
    expect(isInvokeChannel(42)).toBe(false)
  })

  it('sessions:table: defaults, bounds and unknown fields', () => {
    expect(validatePayload('sessions:table', undefined)).toEqual({ ok: true, value: { key: 'bytesPerS', limit: 100, worker: -1, addressPrefix: '' } })
    expect(validatePayload('sessions:table', { key: 'sendQueue', limit: 10000, worker: 3, addressPrefix: '127.0.0.1:' })).toEqual({
      ok: true,
      value: { key: 'sendQueue', limit: 10000, worker: 3, addressPrefix: '127.0.0.1:' },
    })
    for (const bad of [{ key: 'rate' }, { limit: 0 }, { limit: 10001 }, { limit: 1.5 }, { worker: -2 }, { addressPrefix: 7 }, { addressPrefix: 'x'.repeat(65) }, { sort: 'age' }, 'age', [1]]) {
      const r = validatePayload('sessions:table', bad)
      expect(r.ok, JSON.stringify(bad)).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalid-message')
    }
  })

  it('sessions:close: a positive integer id and a boolean', () => {
    expect(validatePayload('sessions:close', { id: 42, abortive: true })).toEqual({ ok: true, value: { id: 42, abortive: true } })
    for (const bad of [undefined, {}, { id: 0, abortive: false }, { id: 1.5, abortive: false }, { id: '4', abortive: false }, { id: 4 }, { id: 4, abortive: 'yes' }, { id: 4, abortive: true, x: 1 }]) {
      expect(validatePayload('sessions:close', bad).ok, JSON.stringify(bad)).toBe(false)
    }
  })

  it('start: merges a partial config over the defaults', () => {
    const r = validatePayload('server:start', { port: 9100, workers: 4 })
    expect(r).toEqual({ ok: true, value: { ...DEFAULT_ENGINE_CONFIG, port: 9100, workers: 4 } })
  })

  it.each([undefined, null, 7, 'x', [], [1], new Date()])('start: %o is an invalid message', (payload) => {
    const r = validatePayload('server:start', payload)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('invalid-message')
  })

  it('start: bad fields are invalid-config with every field error', () => {
    const r = validatePayload('server:start', { port: 0, workers: 'two', colour: 'red' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('invalid-config')
    expect(r.error.fieldErrors?.map((e) => e.field).sort()).toEqual(['colour', 'port', 'workers'])
  })

  it('start: a JSON __proto__ key is an unknown field, not a prototype change', () => {
    const r = validatePayload('server:start', JSON.parse('{"__proto__": {"port": 1}}'))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.fieldErrors?.[0]?.field).toBe('__proto__')
  })

  it.each(['server:stop', 'server:status', 'metrics:history', 'errors:catalog'] as const)('%s accepts nothing or {}', (channel) => {
    expect(validatePayload(channel, undefined)).toEqual({ ok: true, value: undefined })
    expect(validatePayload(channel, {})).toEqual({ ok: true, value: undefined })
    for (const bad of [null, 0, '', { a: 1 }, [], true]) {
      const r = validatePayload(channel, bad)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalid-message')
    }
  })

  it('exportCsv: {sinceMs?: finite number}', () => {
    expect(validatePayload('export:csv', undefined)).toEqual({ ok: true, value: {} })
    expect(validatePayload('export:csv', {})).toEqual({ ok: true, value: {} })
    expect(validatePayload('export:csv', { sinceMs: 1234.5 })).toEqual({ ok: true, value: { sinceMs: 1234.5 } })
    for (const bad of [{ sinceMs: '1' }, { sinceMs: NaN }, { sinceMs: Infinity }, { since: 1 }, 5, null]) {
      const r = validatePayload('export:csv', bad)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalid-message')
    }
  })

  it('never throws, whatever the input', () => {
    const weird: unknown[] = [Symbol('s'), () => 1, new Proxy({}, {}), Object.create(null), BigInt(1)]
    for (const channel of INVOKE_CHANNELS) for (const p of weird) expect(() => validatePayload(channel, p)).not.toThrow()
    expect(validatePayload('nope' as never, {}).ok).toBe(false)
  })

  it('isPlainObject accepts literals and null-prototype objects only', () => {
    expect(isPlainObject({})).toBe(true)
    expect(isPlainObject(Object.create(null))).toBe(true)
    expect(isPlainObject(new (class X {})())).toBe(false)
    expect(isPlainObject([])).toBe(false)
  })
})

describe('parseBridgeRequest', () => {
  it('accepts {id, channel, payload?}', () => {
    expect(parseBridgeRequest('{"id":3,"channel":"server:status"}')).toEqual({ ok: true, value: { id: 3, channel: 'server:status', payload: undefined } })
    expect(parseBridgeRequest('{"id":0,"channel":"server:start","payload":{"port":1}}')).toEqual({
      ok: true,
      value: { id: 0, channel: 'server:start', payload: { port: 1 } },
    })
  })

  it.each(['', 'not json', '[]', '"str"', '{"channel":"server:status"}', '{"id":-1,"channel":"server:status"}', '{"id":1.5,"channel":"server:status"}', '{"id":"1","channel":"server:status"}'])(
    '%s is rejected without a usable id',
    (text) => {
      const r = parseBridgeRequest(text)
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.id).toBe(BRIDGE_NO_ID)
        expect(r.error.code).toBe('invalid-message')
      }
    },
  )

  it('echoes the id of a frame with a bad channel or extra field', () => {
    for (const text of ['{"id":9,"channel":"metrics:tick"}', '{"id":9,"channel":"server:status","extra":1}', '{"id":9}']) {
      const r = parseBridgeRequest(text)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.id).toBe(9)
    }
  })
})

describe('validateEngineConfig (via start)', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty'])('rejects the inherited name %s as an unknown field', (key) => {
    const r = validatePayload('server:start', { [key]: 'x' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.fieldErrors?.map((e) => e.field)).toContain(key)
  })
})

describe('export:csv range and columns', () => {
  it('accepts sinceMs/untilMs and known columns, refuses the rest', async () => {
    const { validatePayload } = await import('../../src-shared/validate')
    expect(validatePayload('export:csv', { sinceMs: 1, untilMs: 2, columns: ['worker', 'timestamp'] }).ok).toBe(true)
    expect(validatePayload('export:csv', { sinceMs: 5, untilMs: 2 }).ok).toBe(false)
    expect(validatePayload('export:csv', { columns: [] }).ok).toBe(false)
    expect(validatePayload('export:csv', { columns: ['nope'] }).ok).toBe(false)
    expect(validatePayload('export:csv', { columns: ['worker', 'worker'] }).ok).toBe(false)
    expect(validatePayload('export:csv', { untilMs: Number.NaN }).ok).toBe(false)
  })
})

describe('validateEngineConfig: host text and field combinations', () => {
  it.each(['::1', '::', 'fe80::1', '1:2:3:4:5:6:7:8', '::ffff:127.0.0.1', '2001:db8::8a2e:370:7334', '127.0.0.1', '0.0.0.0'])('accepts the address %s', (host) => {
    expect(isIpLiteral(host)).toBe(true)
    expect(validateEngineConfig({ host }).ok).toBe(true)
  })

  it.each([':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', '1.2.3.4::', '::ffff:999.0.0.1', '1:2:3:4:5:6:7', ':1', 'localhost', '256.0.0.1', '01.2.3.4'])('refuses %s naming host', (host) => {
    const r = validateEngineConfig({ host })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(['host'])
  })

  it('refuses a send queue smaller than two receive buffers (an echo could close its own session)', () => {
    const r = validateEngineConfig({ recvBufferSize: 65536, sendQueueLimit: 65536 })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.errors).toHaveLength(1)
      expect(r.errors[0]).toMatchObject({ field: 'sendQueueLimit' })
      expect(r.errors[0]!.message).toContain('131072')
    }
    expect(validateEngineConfig({ recvBufferSize: 65536, sendQueueLimit: 131072 }).ok).toBe(true)
  })
})

describe('validateEngineConfig: IOCP options', () => {
  it('defaults to a port per worker, GetQueuedCompletionStatusEx and 32 posted AcceptEx calls', () => {
    expect(DEFAULT_ENGINE_CONFIG).toMatchObject({ iocpPortLayout: 'perWorker', iocpDequeue: 'gqcsex', iocpAcceptPool: 32 })
  })

  it('accepts every layout and dequeue call, and an accept pool from 1 to 1024', () => {
    for (const iocpPortLayout of IOCP_PORT_LAYOUTS) {
      for (const iocpDequeue of IOCP_DEQUEUES) expect(validateEngineConfig({ iocpPortLayout, iocpDequeue }).ok).toBe(true)
    }
    for (const iocpAcceptPool of [1, 1024]) expect(validateEngineConfig({ iocpAcceptPool }).ok).toBe(true)
  })

  it.each([
    [{ iocpPortLayout: 'per-worker' }, 'iocpPortLayout', 'iocpPortLayout must be one of perWorker, shared'],
    [{ iocpDequeue: 'bogus' }, 'iocpDequeue', 'iocpDequeue must be one of gqcsex, gqcs'],
    [{ iocpAcceptPool: 0 }, 'iocpAcceptPool', 'iocpAcceptPool must be an integer from 1 to 1024'],
    [{ iocpAcceptPool: 1025 }, 'iocpAcceptPool', 'iocpAcceptPool must be an integer from 1 to 1024'],
    [{ iocpAcceptPool: 2.5 }, 'iocpAcceptPool', 'iocpAcceptPool must be an integer from 1 to 1024'],
    [{ iocpAcceptPool: '32' }, 'iocpAcceptPool', 'iocpAcceptPool must be an integer from 1 to 1024'],
  ])('refuses %o naming %s', (input, field, message) => {
    const r = validateEngineConfig(input)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors).toEqual([{ field, message }])
  })
})

describe('validateEngineConfig: io_uring receive model', () => {
  it('defaults to multishot recv (on provided buffers where the kernel has them)', () => {
    expect(DEFAULT_ENGINE_CONFIG.iouringRecv).toBe('multishot')
  })

  it('accepts multishot and single, on any backend (the others ignore it)', () => {
    expect([...IOURING_RECV_MODES]).toEqual(['multishot', 'single'])
    for (const iouringRecv of IOURING_RECV_MODES) {
      for (const backend of ['auto', 'iouring', 'epoll', 'iocp'] as const) expect(validateEngineConfig({ backend, iouringRecv }).ok).toBe(true)
    }
  })

  it.each([
    [{ iouringRecv: 'bogus' }],
    [{ iouringRecv: 'Single' }],
    [{ iouringRecv: '' }],
    [{ iouringRecv: 1 }],
    [{ iouringRecv: null }],
  ])('refuses %o naming iouringRecv', (input) => {
    const r = validateEngineConfig(input)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors).toEqual([{ field: 'iouringRecv', message: 'iouringRecv must be one of multishot, single' }])
  })
})

describe('validateEngineConfig: io_uring sockets', () => {
  it('defaults to ordinary descriptors and accepts fd and direct on any backend', () => {
    expect(DEFAULT_ENGINE_CONFIG.iouringSockets).toBe('fd')
    expect([...IOURING_SOCKETS]).toEqual(['fd', 'direct'])
    for (const iouringSockets of IOURING_SOCKETS) {
      for (const backend of ['auto', 'iouring', 'epoll', 'iocp'] as const) expect(validateEngineConfig({ backend, iouringSockets }).ok).toBe(true)
    }
  })

  it.each([[{ iouringSockets: 'fixed' }], [{ iouringSockets: 'Direct' }], [{ iouringSockets: '' }], [{ iouringSockets: 0 }]])('refuses %o naming iouringSockets', (input) => {
    const r = validateEngineConfig(input)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors).toEqual([{ field: 'iouringSockets', message: 'iouringSockets must be one of fd, direct' }])
  })
})

describe('attach:start', () => {
  it('takes exactly one of pid and name, each checked', () => {
    expect(validatePayload('attach:start', { pid: 42 })).toEqual({ ok: true, value: { pid: 42 } })
    expect(validatePayload('attach:start', { name: 'seed-echo' })).toEqual({ ok: true, value: { name: 'seed-echo' } })
    for (const bad of [undefined, {}, { pid: 1, name: 'a' }, { pid: 0 }, { pid: -1 }, { pid: 1.5 }, { pid: '7' }, { name: '' }, { name: 'a b' }, { name: 'x'.repeat(64) }, { port: 1 }]) {
      const r = validatePayload('attach:start', bad)
      expect(r.ok, JSON.stringify(bad)).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalid-message')
    }
  })
})
