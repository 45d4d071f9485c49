// IPC sender checks (src-main/electron/ipc.ts registerIpcHandlers, wired by index.ts): a message
// from a frame of any other origin is refused and never reaches the router, its features or the
// file dialogs.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { INVOKE_CHANNELS } from '../../src-shared/contract'
import { APP_INDEX_URL, APP_ORIGIN } from '../../src-main/security/trusted-origin'
import { createElectronStandin } from './support/electron-standin'
import { spyApp, startMainProcess, withStandin } from './support/electron-glue'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

const FORBIDDEN = { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame' } }
const UNTRUSTED_SENDERS: (string | null)[] = [
  'https://evil.example/',
  'http://127.0.0.1:5173/',
  'file:///tmp/index.html',
  'app://evil/index.html',
  'about:blank',
  'data:text/html,x',
  '',
  null, // the frame is gone
]

describe('IPC from the main window (index.ts wiring)', () => {
  it('registers one handler per request channel of the contract', async () => {
    const main = await startMainProcess()
    await main.ready()
    expect([...main.electron.ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it('refuses every channel from a frame of another origin, before the service is called', async () => {
    const main = await startMainProcess()
    await main.ready()
    for (const channel of INVOKE_CHANNELS) {
      for (const sender of UNTRUSTED_SENDERS) {
        expect(await main.electron.ipcMain.invoke(channel, sender, {}), `${channel} from ${sender}`).toEqual(FORBIDDEN)
      }
    }
    expect(main.invoke).not.toHaveBeenCalled()
    expect(main.invokeWith).not.toHaveBeenCalled()
    expect(main.electron.dialog.shown).toEqual([])
  })

  it('passes a message from our own page to the service', async () => {
    const main = await startMainProcess()
    await main.ready()
    // No feature is registered behind the spy router: the call arrives and is answered "unavailable".
    expect(await main.electron.ipcMain.invoke('server:status', APP_INDEX_URL)).toMatchObject({ ok: false, error: { code: 'unavailable' } })
    expect(main.invoke).toHaveBeenCalledExactlyOnceWith('server:status', undefined)
    // A channel with main's own file dialog goes through the same router, with its own handler.
    await main.electron.ipcMain.invoke('recording:start', `${APP_ORIGIN}/index.html#/recordings`)
    expect(main.invokeWith).toHaveBeenCalledWith('recording:start', undefined, expect.any(Function))
    expect(main.electron.dialog.shown).toEqual(['save'])
  })
})

describe('registerIpcHandlers with a spy service', () => {
  async function register(trusted: readonly string[]) {
    const electron = createElectronStandin()
    const spy = spyApp()
    const handler = vi.fn(async () => ({ ok: true as const, value: { path: null, rows: 0 } }))
    spy.service.handle('export:csv', handler)
    const { registerIpcHandlers } = await withStandin(electron, () => import('../../src-main/electron/ipc'))
    const unregister = registerIpcHandlers(spy.service, trusted)
    return { electron, spy, handler, unregister }
  }

  it('refuses another origin: neither the router nor the handler runs', async () => {
    const { electron, spy, handler } = await register([APP_ORIGIN])
    for (const sender of UNTRUSTED_SENDERS) expect(await electron.ipcMain.invoke('export:csv', sender, {}), String(sender)).toEqual(FORBIDDEN)
    expect(spy.invoke).not.toHaveBeenCalled()
    expect(handler).not.toHaveBeenCalled()
  })

  it('answers a trusted origin through the router, and a dev server origin only when it is trusted', async () => {
    const { electron, handler } = await register([APP_ORIGIN, 'http://localhost:5173'])
    expect(await electron.ipcMain.invoke('export:csv', APP_INDEX_URL, {})).toEqual({ ok: true, value: { path: null, rows: 0 } })
    expect(await electron.ipcMain.invoke('export:csv', 'http://localhost:5173/', {})).toMatchObject({ ok: true })
    expect(await electron.ipcMain.invoke('export:csv', 'http://localhost:5174/', {})).toEqual(FORBIDDEN)
    expect(handler).toHaveBeenCalledTimes(2)
  })

  it('removes its handlers when asked', async () => {
    const { electron, unregister } = await register([APP_ORIGIN])
    unregister()
    expect(electron.ipcMain.handlers.size).toBe(0)
  })
})
