// The preload (src-preload/index.ts) run under Node with a recording stand-in for its two Electron
// objects: the page gets window.api and nothing else of Electron — no ipcRenderer, no IPC event
// objects (an event's `sender` would hand the page the whole IPC surface).
import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { EVENT_CHANNELS, EVENTS, INVOKE_CHANNELS, INVOKES } from '../../src-shared/contract'

function preloadStandin() {
  const exposed: { key: string; api: unknown }[] = []
  const ipc = new EventEmitter()
  const ipcRenderer = Object.assign(ipc, { invoke: vi.fn(async (_channel: string, _payload: unknown) => ({ ok: true, value: null })) })
  return { exposed, ipcRenderer, module: { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push({ key, api }) }, ipcRenderer } }
}

async function runPreload() {
  const standin = preloadStandin()
  vi.resetModules()
  vi.doMock('electron', () => standin.module)
  await import('../../src-preload/index')
  return standin
}

describe('preload', () => {
  it('exposes exactly one object, window.api, holding only the contract methods', async () => {
    const { exposed, ipcRenderer } = await runPreload()
    expect(exposed.map((e) => e.key)).toEqual(['api'])
    const api = exposed[0]!.api as Record<string, unknown>
    const methods = [...INVOKE_CHANNELS.map((c) => INVOKES[c].method), ...EVENT_CHANNELS.map((e) => EVENTS[e].method)]
    expect(Object.keys(api).sort()).toEqual([...methods].sort())
    for (const value of Object.values(api)) {
      expect(value).toBeTypeOf('function')
      expect(value).not.toBe(ipcRenderer.invoke)
    }
  })

  it('invokes only the channel a method is bound to', async () => {
    const { exposed, ipcRenderer } = await runPreload()
    const api = exposed[0]!.api as { status(): Promise<unknown> }
    await api.status()
    expect(ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith('server:status', undefined)
  })

  it('hands an event listener the payload only, never the IPC event, and unsubscribes it', async () => {
    const { exposed, ipcRenderer } = await runPreload()
    const api = exposed[0]!.api as { onStatus(cb: (...args: unknown[]) => void): () => void }
    const cb = vi.fn()
    const off = api.onStatus(cb)
    ipcRenderer.emit('server:status-changed', { sender: ipcRenderer }, { state: 'running' })
    expect(cb).toHaveBeenCalledExactlyOnceWith({ state: 'running' })
    off()
    expect(ipcRenderer.listenerCount('server:status-changed')).toBe(0)
  })
})
