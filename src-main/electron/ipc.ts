// ipcMain handlers: one per request channel of src-shared/contract.ts (the service answers each,
// unless Electron has its own flavour: the file dialogs). Each checks that the message comes from
// our own page before doing anything; the payload itself is validated by the service.
// Results (including errors) are returned as data: an exception thrown across ipcMain.handle
// would reach the renderer as an opaque string.
import { dialog, ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import type { ExportResult } from '../../src-shared/api'
import { EVENT_CHANNELS, INVOKE_CHANNELS, type ChannelHandlers, type EventChannel } from '../../src-shared/contract'
import type { Result } from '../../src-shared/result'
import { isTrustedUrl } from '../security/trusted-origin'
import type { MonitorService } from '../service/monitor-service'

const FORBIDDEN: Result<never> = { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame' } }

function csvFileName(now: Date): string {
  return `iocp-monitor-${now.toISOString().replace(/[:.]/g, '-')}.csv`
}

async function exportWithDialog(service: MonitorService, win: BrowserWindow | null, payload: unknown): Promise<Result<ExportResult>> {
  const v = service.validate('export:csv', payload)
  if (!v.ok) return v
  const options = { defaultPath: csvFileName(new Date()), filters: [{ name: 'CSV', extensions: ['csv'] }] }
  const choice = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
  if (choice.canceled || !choice.filePath) return { ok: true, value: { path: null, rows: 0 } }
  return service.exportCsvToFile(v.value, choice.filePath)
}

/** `overrides`: channels answered differently in Electron (recording's file dialogs: ./ipc-ops.ts). */
export function registerIpcHandlers(service: MonitorService, trustedOrigins: readonly string[], getWindow: () => BrowserWindow | null, overrides: Partial<ChannelHandlers> = {}): () => void {
  const trusted = (e: IpcMainInvokeEvent) => isTrustedUrl(e.senderFrame?.url, trustedOrigins)
  const electronOwn: Partial<ChannelHandlers> = { 'export:csv': (p) => exportWithDialog(service, getWindow(), p), ...overrides }
  const handlers: Record<string, (payload: unknown) => Promise<Result<unknown>>> = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [channel, electronOwn[channel] ?? ((p: unknown) => service.invoke(channel, p))]),
  )
  for (const [channel, handle] of Object.entries(handlers)) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!trusted(event)) return FORBIDDEN
      try {
        return await handle(payload)
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: String((err as Error)?.message ?? err) } }
      }
    })
  }
  return () => Object.keys(handlers).forEach((c) => ipcMain.removeHandler(c))
}

/** Forwards every event of the contract to the window, on its own channel; returns the unsubscribe. */
export function forwardEvents(service: MonitorService, getWindow: () => BrowserWindow | null): () => void {
  const send = (channel: EventChannel, payload: unknown) => {
    const win = getWindow()
    if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(channel, payload)
  }
  const listeners = EVENT_CHANNELS.map((event) => ({ event, listener: (payload: unknown) => send(event, payload) }))
  // EventEmitter's typing wants one event name at a time; every listener takes its payload as is.
  for (const { event, listener } of listeners) service.on(event as 'metrics:tick', listener)
  return () => {
    for (const { event, listener } of listeners) service.off(event as 'metrics:tick', listener)
  }
}
