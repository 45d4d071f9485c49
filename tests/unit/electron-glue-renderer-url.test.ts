// ELECTRON_RENDERER_URL (set by `electron-vite dev`) is honoured only by an unpackaged app and only
// for an http(s) server on loopback: src-main/electron/renderer-url.ts, used by index.ts.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isLoopbackDevServerUrl, rendererSource } from '../../src-main/electron/renderer-url'
import { APP_INDEX_URL } from '../../src-main/security/trusted-origin'
import { startMainProcess } from './support/electron-glue'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

const LOOPBACK = ['http://localhost:5173/', 'http://127.0.0.1:5173/', 'https://127.0.0.1:5173/', 'http://[::1]:5173/', 'http://LOCALHOST:5173', 'http://127.1:5173/']
const NOT_LOOPBACK = [
  'http://evil.example:5173/',
  'http://localhost.evil.example/',
  'http://127.0.0.1.nip.io/',
  'http://10.0.0.5:5173/',
  'http://0.0.0.0:5173/',
  'http://[::]:5173/',
  'http://user:pw@127.0.0.1:5173/',
  'file:///tmp/index.html',
  'ftp://127.0.0.1/',
  'ws://127.0.0.1:5173/',
  'app://renderer/index.html',
  'javascript:alert(1)',
  'localhost:5173',
  'not a url',
]

describe('isLoopbackDevServerUrl', () => {
  it('accepts http(s) on 127.0.0.0/8, ::1 and localhost', () => {
    for (const url of LOOPBACK) expect(isLoopbackDevServerUrl(url), url).toBe(true)
  })

  it('refuses any other host or scheme, and credentials', () => {
    for (const url of NOT_LOOPBACK) expect(isLoopbackDevServerUrl(url), url).toBe(false)
  })
})

describe('rendererSource', () => {
  it('is the bundled app:// page when the variable is not set', () => {
    expect(rendererSource(undefined, false)).toEqual({ url: APP_INDEX_URL, devServerUrl: null, ignored: null })
    expect(rendererSource('', true)).toEqual({ url: APP_INDEX_URL, devServerUrl: null, ignored: null })
  })

  it('is the dev server in an unpackaged app when it is on loopback', () => {
    for (const url of LOOPBACK) expect(rendererSource(url, false), url).toEqual({ url, devServerUrl: url, ignored: null })
  })

  it('ignores the variable in a packaged app, even on loopback, and says so', () => {
    for (const url of LOOPBACK) expect(rendererSource(url, true), url).toMatchObject({ url: APP_INDEX_URL, devServerUrl: null, ignored: expect.stringContaining('packaged') })
  })

  it('ignores a URL that is not on loopback, and says so', () => {
    for (const url of NOT_LOOPBACK) expect(rendererSource(url, false), url).toMatchObject({ url: APP_INDEX_URL, devServerUrl: null, ignored: expect.stringContaining('loopback') })
  })
})

describe('the main process and ELECTRON_RENDERER_URL', () => {
  it('loads the dev server, trusts its origin for navigation and IPC, and lets the CSP reach its HMR socket', async () => {
    const main = await startMainProcess({ isPackaged: false, rendererUrl: 'http://localhost:5173/' })
    await main.ready()
    const [win] = main.electron.windows
    expect(win!.loadedUrls).toEqual(['http://localhost:5173/'])
    expect(win!.webContents.attempt('will-navigate', 'http://localhost:5173/settings')).toBe(false)
    expect(await main.electron.ipcMain.invoke('server:status', 'http://localhost:5173/')).not.toMatchObject({ error: { code: 'forbidden' } })
    const callback = vi.fn()
    main.electron.session.headersListener!({ url: 'http://localhost:5173/', responseHeaders: {} }, callback)
    expect(callback.mock.calls[0]![0].responseHeaders['Content-Security-Policy'][0]).toContain("connect-src 'self' ws://localhost:5173")
  })

  // Both ways of ignoring the URL must leave no trust behind: app:// loaded, its origin refused, a warning why.
  it.each([
    { title: 'in a packaged app loads app:// and trusts nothing of the dev server', isPackaged: true, rendererUrl: 'http://localhost:5173/', warning: 'ELECTRON_RENDERER_URL is ignored in a packaged app' },
    { title: 'in an unpackaged app loads app:// when the URL is not on loopback', isPackaged: false, rendererUrl: 'http://evil.example:5173/', warning: 'not an http(s) URL on loopback' },
  ])('$title', async ({ isPackaged, rendererUrl, warning }) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const main = await startMainProcess({ isPackaged, rendererUrl })
    await main.ready()
    const [win] = main.electron.windows
    expect(win!.loadedUrls).toEqual([APP_INDEX_URL])
    expect(win!.webContents.attempt('will-navigate', rendererUrl)).toBe(true)
    expect(await main.electron.ipcMain.invoke('server:status', rendererUrl)).toMatchObject({ error: { code: 'forbidden' } })
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(warning))
  })
})
