// Loads the real main-process glue (src-main/electron/) against the recording stand-in for
// `electron` (./electron-standin.ts). Each load starts from a fresh module registry, because
// src-main/electron/index.ts does its work when it is imported (as Electron runs it).
import { vi, type MockInstance } from 'vitest'
import type { App } from '../../../src-main/app'
import { MonitorService } from '../../../src-main/service/monitor-service'
import { silentLogger } from '../../../src-main/service/log'
import { createElectronStandin, type ElectronStandin, type StandinOptions } from './electron-standin'

/** Imports glue modules with `electron` replaced by `standin.module`. */
export async function withStandin<T>(standin: ElectronStandin, load: () => Promise<T>): Promise<T> {
  vi.resetModules()
  vi.doMock('electron', () => standin.module)
  return load()
}

export interface SpyApp {
  app: App
  service: MonitorService
  /** Spies on the two doors into the router: nothing reaches a feature except through them. */
  invoke: MockInstance<MonitorService['invoke']>
  invokeWith: MockInstance<MonitorService['invokeWith']>
}

/**
 * A stand-in for createApp's result: a real router with no features behind it (no addon, no
 * config file), its entry points spied on. The glue under test only wires it.
 */
export function spyApp(): SpyApp {
  const service = new MonitorService({ logger: silentLogger })
  const invoke = vi.spyOn(service, 'invoke')
  const invokeWith = vi.spyOn(service, 'invokeWith')
  const app = { service, dispose: vi.fn(async () => {}), config: { current: () => ({ ui: { language: 'en' } }) } } as unknown as App
  return { app, service, invoke, invokeWith }
}

export interface MainProcess extends SpyApp {
  electron: ElectronStandin
  /** Fires 'ready' and waits until the first window is open. */
  ready(): Promise<void>
}

/**
 * Runs src-main/electron/index.ts as Electron would start it. ELECTRON_RENDERER_URL and the smoke
 * test switch are taken from `env` only (the test's own environment is not consulted).
 */
export async function startMainProcess(opts: StandinOptions & { rendererUrl?: string } = {}): Promise<MainProcess> {
  const electron = createElectronStandin(opts)
  const spy = spyApp()
  vi.stubEnv('ELECTRON_RENDERER_URL', opts.rendererUrl)
  vi.stubEnv('IOCP_MONITOR_SMOKE_TEST', undefined)
  await withStandin(electron, async () => {
    vi.doMock('../../../src-main/app', () => ({ createApp: async () => spy.app }))
    await import('../../../src-main/electron/index')
  })
  vi.unstubAllEnvs()
  return {
    ...spy,
    electron,
    async ready() {
      electron.emitReady()
      await vi.waitFor(() => {
        if (electron.windows.length === 0) throw new Error('no window opened after ready')
      })
    },
  }
}
