// Electron main process: the only place (with the other files of this folder) that imports
// electron. It wires the app (createApp: the router and its features) to a hardened window; all
// logic lives in the pure modules.
import { join } from 'node:path'
import { app as electronApp, BrowserWindow } from 'electron'
import { createApp, type App } from '../app'
import { ConfigStore } from '../config/config-store'
import { dialogHandlers, notifyAlerts } from './ipc-ops'
import { APP_ORIGIN, urlOrigin } from '../security/trusted-origin'
import { registerAppScheme, serveRenderer } from './app-protocol'
import { forwardEvents, registerIpcHandlers } from './ipc'
import { rendererSource } from './renderer-url'
import { guardWebContents, hardenSession, securityHeaders } from './security'
import { createMainWindow } from './window'

// `electron-vite dev` sets ELECTRON_RENDERER_URL: the renderer then comes from Vite's dev server
// instead of app://, but only in an unpackaged app and from loopback (./renderer-url.ts).
const renderer = rendererSource(process.env['ELECTRON_RENDERER_URL'], electronApp.isPackaged)
if (renderer.ignored) console.warn(`iocp-monitor: ${renderer.ignored}`)
const devOrigin = urlOrigin(renderer.devServerUrl)
const trustedOrigins = devOrigin ? [APP_ORIGIN, devOrigin] : [APP_ORIGIN]
// Vite's HMR talks over a WebSocket to the dev server; production needs no network at all.
const connectSrc = devOrigin ? [devOrigin.replace(/^http/, 'ws')] : []
/** IOCP_MONITOR_SMOKE_TEST=1: load the window, report whether window.api exists, quit. */
const smokeTest = process.env['IOCP_MONITOR_SMOKE_TEST'] === '1'

registerAppScheme()
electronApp.enableSandbox()
guardWebContents(trustedOrigins)

let monitor: App | null = null
let mainWindow: BrowserWindow | null = null
let disposed = false

if (!smokeTest && !electronApp.requestSingleInstanceLock()) {
  electronApp.quit()
} else {
  electronApp.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore()
    mainWindow?.focus()
  })
  electronApp
    .whenReady()
    .then(onReady)
    .catch((err: unknown) => fail(err))
}

function fail(err: unknown): void {
  console.error(`iocp-monitor: ${(err as Error)?.stack ?? err}`)
  electronApp.exit(1)
}

async function onReady(): Promise<void> {
  const headers = securityHeaders(connectSrc)
  hardenSession(headers)
  serveRenderer(join(__dirname, '../renderer'), headers)
  // Settings live in the per-user data directory; a bad file is set aside, never fatal.
  const store = new ConfigStore(electronApp.getPath('userData'))
  monitor = await createApp({ store })
  const { service } = monitor
  const getWindow = () => mainWindow
  registerIpcHandlers(service, trustedOrigins, dialogHandlers(monitor, getWindow))
  forwardEvents(service, getWindow)
  notifyAlerts(service, monitor)
  openWindow()
  electronApp.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow()
  })
}

function openWindow(): void {
  mainWindow = createMainWindow(join(__dirname, '../preload/index.cjs'), renderer.url)
  mainWindow.on('closed', () => (mainWindow = null))
  if (smokeTest) runSmokeTest(mainWindow)
}

function runSmokeTest(win: BrowserWindow): void {
  const finish = (code: number) => {
    void shutdown().then(() => electronApp.exit(code))
  }
  win.webContents.once('did-finish-load', async () => {
    try {
      const kind = await win.webContents.executeJavaScript('typeof window.api?.status')
      const state = kind === 'function' ? await win.webContents.executeJavaScript('window.api.status().then((r) => r.ok && r.value.state)') : null
      console.log(`smoke: window.api.status is ${kind}; state ${state}`)
      finish(kind === 'function' && state === 'stopped' ? 0 : 1)
    } catch (err) {
      console.log(`smoke: failed: ${(err as Error)?.message ?? err}`)
      finish(1)
    }
  })
  win.webContents.once('did-fail-load', (_e, code, description) => {
    console.log(`smoke: page failed to load: ${code} ${description}`)
    finish(1)
  })
}

/**
 * Stops the engine (joining its threads), then flushes a recording (which so gets the final
 * sample) and closes /metrics; safe to call more than once.
 */
function shutdown(): Promise<void> {
  if (disposed || !monitor) return Promise.resolve()
  return monitor
    .dispose()
    .catch((err: unknown) => console.error(`iocp-monitor: shutdown: ${(err as Error)?.message ?? err}`))
    .finally(() => {
      disposed = true
    })
}

// A monitoring tool has nothing to do without its window, on every platform.
electronApp.on('window-all-closed', () => electronApp.quit())

// Stop the engine before the process goes away: hold the quit until dispose has finished.
electronApp.on('will-quit', (event) => {
  if (disposed || !monitor) return
  event.preventDefault()
  void shutdown().then(() => electronApp.quit())
})
