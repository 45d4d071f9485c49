// A recording stand-in for the part of the `electron` module that the main-process glue
// (src-main/electron/) uses. The Electron binary cannot run here (and require('electron') outside
// Electron tries to download it), so the glue tests load the REAL glue modules with this object in
// place of `electron` (vi.doMock, see ./electron-glue.ts) and assert on what it records: window
// options, the order of app calls against 'ready', the session's handlers, the listeners on every
// webContents, the ipcMain handlers and the app:// protocol handler. It lives in tests/ only; the
// glue keeps importing `electron` itself, so nothing of this reaches the build.
// It mimics only what the glue relies on, including the two before-ready rules Electron enforces
// (enableSandbox and registerSchemesAsPrivileged throw once the app is ready).
import { EventEmitter } from 'node:events'
import type { BrowserWindowConstructorOptions } from 'electron'

/** The cancellable event object Electron passes to will-navigate, will-redirect, … */
export interface StandinEvent {
  readonly url?: string
  defaultPrevented: boolean
  preventDefault(): void
}

function standinEvent(url?: string): StandinEvent {
  const e: StandinEvent = {
    url,
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true
    },
  }
  return e
}

type WindowOpenHandler = (details: { url: string; frameName: string; features: string; disposition: string }) => { action: 'allow' | 'deny' }
type PermissionRequestHandler = (webContents: unknown, permission: string, callback: (granted: boolean) => void, details: object) => void
type PermissionCheckHandler = (webContents: unknown, permission: string, requestingOrigin: string, details: object) => boolean
type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]>; cancel?: boolean }) => void,
) => void
type ProtocolHandler = (request: Request) => Response | Promise<Response>
type InvokeHandler = (event: StandinInvokeEvent, ...args: unknown[]) => unknown
export interface StandinInvokeEvent {
  /** null: the frame has gone (navigated away or destroyed), as Electron reports it. */
  senderFrame: { url: string } | null
}

export class StandinWebContents extends EventEmitter {
  windowOpenHandler: WindowOpenHandler | null = null
  readonly sent: { channel: string; payload: unknown }[] = []

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload })
  }
  isDestroyed(): boolean {
    return false
  }
  async executeJavaScript(): Promise<unknown> {
    return undefined
  }

  /**
   * What Chromium does before navigating, redirecting or attaching a <webview>: emits the event
   * and goes ahead unless a listener prevented it. Returns true when it was prevented.
   */
  attempt(event: 'will-navigate' | 'will-redirect', url: string): boolean
  attempt(event: 'will-attach-webview', webPreferences: object, params: { src: string }): boolean
  attempt(event: string, ...args: unknown[]): boolean {
    const e = standinEvent(typeof args[0] === 'string' ? args[0] : undefined)
    this.emit(event, e, ...args)
    return e.defaultPrevented
  }

  /** What window.open() or a target=_blank link would get: the handler's answer (no handler: allow). */
  openWindow(url: string): { action: 'allow' | 'deny' } {
    return this.windowOpenHandler?.({ url, frameName: '', features: '', disposition: 'new-window' }) ?? { action: 'allow' }
  }
}

export interface StandinOptions {
  /** app.isPackaged (false: a development run, as `electron .` or `electron-vite dev`). */
  isPackaged?: boolean
  /** What app.getPath() answers. */
  userData?: string
}

export type ElectronStandin = ReturnType<typeof createElectronStandin>

export function createElectronStandin(opts: StandinOptions = {}) {
  /** Every recorded call in order, e.g. 'app.enableSandbox', 'app.ready', 'protocol.handle app'. */
  const calls: string[] = []
  let ready = false
  let resolveReady!: () => void
  const readyPromise = new Promise<void>((resolve) => (resolveReady = resolve))

  const app = Object.assign(new EventEmitter(), {
    isPackaged: opts.isPackaged ?? false,
    enableSandbox(): void {
      calls.push('app.enableSandbox')
      if (ready) throw new Error('app.enableSandbox() can only be called before app is ready')
    },
    whenReady(): Promise<void> {
      calls.push('app.whenReady')
      return readyPromise
    },
    isReady: () => ready,
    requestSingleInstanceLock: () => true,
    getPath: (_name: string) => opts.userData ?? '/nonexistent/iocp-monitor-standin',
    quit(): void {
      calls.push('app.quit')
    },
    exit(code = 0): void {
      calls.push(`app.exit ${code}`)
    },
  })

  const windows: StandinBrowserWindow[] = []
  class StandinBrowserWindow extends EventEmitter {
    readonly webContents = new StandinWebContents()
    readonly loadedUrls: string[] = []
    constructor(readonly options: BrowserWindowConstructorOptions) {
      super()
      calls.push('new BrowserWindow')
      windows.push(this)
      // Electron emits this for every webContents it creates, windows' included.
      app.emit('web-contents-created', standinEvent(), this.webContents)
    }
    static getAllWindows(): StandinBrowserWindow[] {
      return [...windows]
    }
    async loadURL(url: string): Promise<void> {
      this.loadedUrls.push(url)
    }
    isDestroyed = () => false
    isMinimized = () => false
    restore(): void {}
    focus(): void {}
    show(): void {}
  }

  const session = {
    permissionRequestHandler: null as PermissionRequestHandler | null,
    permissionCheckHandler: null as PermissionCheckHandler | null,
    headersListener: null as HeadersListener | null,
    setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
      calls.push('session.setPermissionRequestHandler')
      session.permissionRequestHandler = handler
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
      calls.push('session.setPermissionCheckHandler')
      session.permissionCheckHandler = handler
    },
    webRequest: {
      onHeadersReceived(listener: HeadersListener): void {
        calls.push('session.webRequest.onHeadersReceived')
        session.headersListener = listener
      },
    },
  }

  const protocol = {
    privilegedSchemes: [] as { scheme: string; privileges?: object }[],
    handlers: new Map<string, ProtocolHandler>(),
    registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: object }[]): void {
      calls.push('protocol.registerSchemesAsPrivileged')
      if (ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready')
      protocol.privilegedSchemes.push(...schemes)
    },
    handle(scheme: string, handler: ProtocolHandler): void {
      calls.push(`protocol.handle ${scheme}`)
      protocol.handlers.set(scheme, handler)
    },
    /** What the renderer's request for `url` gets from the registered handler. */
    async fetch(url: string, init?: RequestInit): Promise<Response> {
      const handler = protocol.handlers.get(new URL(url).protocol.slice(0, -1))
      if (!handler) throw new Error(`no protocol handler for ${url}`)
      return handler(new Request(url, init))
    },
  }

  const ipcMain = {
    handlers: new Map<string, InvokeHandler>(),
    handle(channel: string, handler: InvokeHandler): void {
      if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
      ipcMain.handlers.set(channel, handler)
    },
    removeHandler(channel: string): void {
      ipcMain.handlers.delete(channel)
    },
    /** What ipcRenderer.invoke(channel, payload) from a frame at `senderUrl` gets back. */
    async invoke(channel: string, senderUrl: string | null, payload?: unknown): Promise<unknown> {
      const handler = ipcMain.handlers.get(channel)
      if (!handler) throw new Error(`No handler registered for '${channel}'`)
      return handler({ senderFrame: senderUrl === null ? null : { url: senderUrl } }, payload)
    },
  }

  const dialog = {
    shown: [] as string[],
    async showSaveDialog(): Promise<{ canceled: boolean; filePath?: string }> {
      dialog.shown.push('save')
      return { canceled: true }
    },
    async showOpenDialog(): Promise<{ canceled: boolean; filePaths: string[] }> {
      dialog.shown.push('open')
      return { canceled: true, filePaths: [] }
    },
  }

  class Notification {
    static isSupported = () => false
    show(): void {}
  }

  return {
    calls,
    windows,
    /** The `electron` module as the glue imports it. */
    module: { app, BrowserWindow: StandinBrowserWindow, session: { defaultSession: session }, protocol, ipcMain, dialog, Notification },
    app,
    session,
    protocol,
    ipcMain,
    dialog,
    /** Electron's 'ready': resolves whenReady() and makes the before-ready calls throw. */
    emitReady(): void {
      calls.push('app.ready')
      ready = true
      app.emit('ready')
      resolveReady()
    },
    /** A webContents Electron creates for something other than our window (a bug, an exploit). */
    createOtherWebContents(): StandinWebContents {
      const contents = new StandinWebContents()
      app.emit('web-contents-created', standinEvent(), contents)
      return contents
    },
  }
}
