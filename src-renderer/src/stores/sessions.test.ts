// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { FakeApi } from '../testing/fake-api'
import { sessionTable } from '../testing/session-table'
import { freshStoreEnv } from './fresh-store-env'
import { useServerStore } from './server'
import { DEFAULT_SESSION_LIMIT, useSessionsStore } from './sessions'
import { askedSessions, markServerRunning } from '../testing/server-status'

const running = markServerRunning

const asked = askedSessions

describe('sessions store', () => {
  let api: FakeApi
  beforeEach(() => {
    // Only the timers the store uses: promises (and flushing them) run for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    api = freshStoreEnv()
    api.respond('sessions:table', () => ({ ok: true, value: sessionTable(3) }))
  })
  afterEach(() => vi.useRealTimers())

  it('asks only while viewed and the server runs, at most every 500 ms, and stops when paused', async () => {
    const s = useSessionsStore()
    await vi.advanceTimersByTimeAsync(2000)
    expect(asked(api)).toHaveLength(0) // nobody looks
    const detach = s.attach()
    await vi.advanceTimersByTimeAsync(2000)
    expect(asked(api)).toHaveLength(0) // server stopped
    running()
    await vi.advanceTimersByTimeAsync(10)
    expect(asked(api)).toEqual([{ key: 'bytesPerS', limit: DEFAULT_SESSION_LIMIT }])
    expect(s.table?.rows).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(2000)
    const n = asked(api).length
    expect(n).toBeGreaterThanOrEqual(4)
    expect(n).toBeLessThanOrEqual(5) // 2 Hz, not per tick

    s.setPaused(true)
    await vi.advanceTimersByTimeAsync(3000)
    expect(asked(api)).toHaveLength(n)
    s.setPaused(false)
    await vi.advanceTimersByTimeAsync(600)
    expect(asked(api).length).toBeGreaterThan(n)

    detach()
    const m = asked(api).length
    await vi.advanceTimersByTimeAsync(3000)
    expect(asked(api)).toHaveLength(m)
  })

  it('sorting by a server column asks that key; client columns do not ask again', async () => {
    const s = useSessionsStore()
    s.attach()
    running()
    await vi.advanceTimersByTimeAsync(10)
    s.sortBy('sendQueue')
    await vi.advanceTimersByTimeAsync(10)
    expect(asked(api).at(-1)?.key).toBe('sendQueue')
    s.sortBy('age')
    await vi.advanceTimersByTimeAsync(10)
    expect(asked(api).at(-1)?.key).toBe('age')
    s.sortBy('lastError')
    await vi.advanceTimersByTimeAsync(10)
    expect(asked(api).at(-1)?.key).toBe('errors')
    const before = asked(api).length
    s.sortBy('remote')
    await vi.advanceTimersByTimeAsync(10)
    expect(asked(api)).toHaveLength(before)
    expect(s.rows.map((r) => r.id)).toEqual([1, 2, 3]) // by address, ascending
    s.sortBy('remote')
    expect(s.rows.map((r) => r.id)).toEqual([3, 2, 1])
  })

  it('passes the address prefix, worker and "all" as the query', async () => {
    const s = useSessionsStore()
    s.attach()
    running()
    await vi.advanceTimersByTimeAsync(10)
    s.addressPrefix = ' 127.0.0.1:5 '
    s.worker = 1
    s.showAll = true
    await vi.advanceTimersByTimeAsync(10)
    expect(asked(api).at(-1)).toEqual({ key: 'bytesPerS', limit: 10000, worker: 1, addressPrefix: '127.0.0.1:5' })
  })

  it('collects the selected session rates from each table', async () => {
    const s = useSessionsStore()
    s.attach()
    running()
    await vi.advanceTimersByTimeAsync(10)
    s.select(s.table!.rows[0])
    await vi.advanceTimersByTimeAsync(1600)
    expect(s.rates.length).toBeGreaterThanOrEqual(4)
    api.respond('sessions:table', { ok: true, value: sessionTable(2) }) // id 3 gone
    await vi.advanceTimersByTimeAsync(600)
    expect(s.selectedInTable).toBe(false)
    expect(s.selected?.id).toBe(3)
  })

  it('keeps the last error and clears the table when the server stops', async () => {
    const s = useSessionsStore()
    s.attach()
    running()
    await vi.advanceTimersByTimeAsync(10)
    api.respond('sessions:table', { ok: false, error: { code: 'internal', message: 'boom' } })
    await vi.advanceTimersByTimeAsync(600)
    expect(s.error?.message).toBe('boom')
    useServerStore().status = { ...useServerStore().status, state: 'stopped' }
    await vi.advanceTimersByTimeAsync(10)
    expect(s.table).toBeNull()
  })
})
