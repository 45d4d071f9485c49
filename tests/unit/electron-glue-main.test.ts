// The Electron main process (src-main/electron/index.ts, window.ts, security.ts) run under Node
// with the recording stand-in for `electron`: what it asks of Electron before and after 'ready',
// the windows it opens and the session it hardens.
import { readdirSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { contentSecurityPolicy } from '../../src-main/security/csp'
import { APP_INDEX_URL } from '../../src-main/security/trusted-origin'
import { startMainProcess } from './support/electron-glue'

const ROOT = resolve(__dirname, '../..')

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('start-up order', () => {
  it('enables the sandbox for every renderer before the app is ready', async () => {
    const main = await startMainProcess()
    await main.ready()
    const { calls } = main.electron
    expect(calls).toContain('app.enableSandbox')
    expect(calls.indexOf('app.enableSandbox')).toBeLessThan(calls.indexOf('app.ready'))
    expect(calls).not.toContain('app.exit 1')
  })

  it('registers app:// as a privileged scheme before ready and serves it after', async () => {
    const main = await startMainProcess()
    await main.ready()
    const { calls, protocol } = main.electron
    expect(calls.indexOf('protocol.registerSchemesAsPrivileged')).toBeLessThan(calls.indexOf('app.ready'))
    expect(protocol.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
    expect(protocol.handlers.has('app')).toBe(true)
  })
})

describe('windows', () => {
  const expectHardened = (options: Electron.BrowserWindowConstructorOptions) => {
    const prefs = options.webPreferences
    expect(prefs).toBeDefined()
    expect(prefs?.contextIsolation).toBe(true)
    expect(prefs?.sandbox).toBe(true)
    expect(prefs?.nodeIntegration).toBe(false)
    expect(prefs?.nodeIntegrationInWorker).toBe(false)
    expect(prefs?.webSecurity).toBe(true)
    expect(prefs?.allowRunningInsecureContent).toBe(false)
    expect(prefs?.webviewTag ?? false).toBe(false)
    expect(prefs?.experimentalFeatures ?? false).toBe(false)
    expect(prefs?.enableBlinkFeatures).toBeUndefined()
    expect(prefs?.nodeIntegrationInSubFrames ?? false).toBe(false)
    expect(prefs?.preload && isAbsolute(prefs.preload)).toBe(true)
    expect(prefs?.preload).toMatch(/[\\/]preload[\\/]index\.cjs$/)
  }

  it('opens one window with every isolation switch on, loading the bundled renderer', async () => {
    const main = await startMainProcess()
    await main.ready()
    expect(main.electron.windows).toHaveLength(1)
    const [win] = main.electron.windows
    expectHardened(win!.options)
    expect(win!.loadedUrls).toEqual([APP_INDEX_URL])
  })

  it('opens a window with the same switches when the app is activated with none open', async () => {
    const main = await startMainProcess()
    await main.ready()
    main.electron.windows.splice(0) // as if the first window had been closed
    main.electron.app.emit('activate')
    expect(main.electron.windows).toHaveLength(1)
    expectHardened(main.electron.windows[0]!.options)
  })
})

describe('session', () => {
  const PERMISSIONS = ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'pointerLock', 'unknown']

  it('denies every permission request', async () => {
    const main = await startMainProcess()
    await main.ready()
    const handler = main.electron.session.permissionRequestHandler
    expect(handler).toBeTypeOf('function')
    for (const permission of PERMISSIONS) {
      const callback = vi.fn()
      handler!(main.electron.windows[0]!.webContents, permission, callback, { requestingUrl: APP_INDEX_URL })
      expect(callback, permission).toHaveBeenCalledExactlyOnceWith(false)
    }
  })

  it('answers every permission check with no', async () => {
    const main = await startMainProcess()
    await main.ready()
    const check = main.electron.session.permissionCheckHandler
    expect(check).toBeTypeOf('function')
    for (const permission of PERMISSIONS) expect(check!(main.electron.windows[0]!.webContents, permission, 'app://renderer', {}), permission).toBe(false)
  })

  it('adds the CSP to responses that do not come from app:// (the dev server)', async () => {
    const main = await startMainProcess()
    await main.ready()
    const listener = main.electron.session.headersListener
    expect(listener).toBeTypeOf('function')
    const callback = vi.fn()
    listener!({ url: 'http://127.0.0.1:5173/', responseHeaders: { 'Content-Type': ['text/html'] } }, callback)
    expect(callback).toHaveBeenCalledExactlyOnceWith({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy()], 'X-Content-Type-Options': ['nosniff'] },
    })
  })
})

describe('no shell.openExternal', () => {
  // Nothing the page says can open a URL or a file outside the app: neither layer calls
  // shell.openExternal (or shell at all), so no untrusted content can reach it.
  it('is not used by any file of src-main or src-preload', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : /\.m?ts$/.test(e.name) ? [`${dir}/${e.name}`] : []))
    const users = ['src-main', 'src-preload'].flatMap(files).filter((f) => /\bopenExternal\b|\{[^}]*\bshell\b[^}]*\}\s*from\s*['"]electron['"]/.test(readFileSync(join(ROOT, f), 'utf8')))
    expect(users).toEqual([])
  })
})
