// ipcMain handlers: one per invoke channel of src-shared/api.ts. Each checks that the message
// comes from our own page before doing anything; the payload itself is validated by the service.
// Results (including errors) are returned as data: an exception thrown across ipcMain.handle
// would reach the renderer as an opaque string.
import { dialog, ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { CHANNELS, type ExportResult, type Result } from '../../src-shared/api'
import { FEATURE_EVENT_CHANNELS } from '../../src-shared/features'
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

/** An invoke handler: gets the untrusted payload, resolves with a Result. */
export type IpcHandler = (payload: unknown) => Promise<Result<unknown>>

/** `extra`: more channels (alerts, recording & replay, config: ./ipc-ops.ts), same sender check. */
export function registerIpcHandlers(service: MonitorService, trustedOrigins: readonly string[], getWindow: () => BrowserWindow | null, extra: Record<string, IpcHandler> = {}): () => void {
  const trusted = (e: IpcMainInvokeEvent) => isTrustedUrl(e.senderFrame?.url, trustedOrigins)
  const handlers: Record<string, (payload: unknown) => Promise<Result<unknown>>> = {
    [CHANNELS.start]: (p) => service.start(p),
    [CHANNELS.stop]: (p) => service.stop(p),
    [CHANNELS.status]: (p) => service.status(p),
    [CHANNELS.history]: (p) => service.history(p),
    [CHANNELS.catalog]: (p) => service.catalog(p),
    [CHANNELS.exportCsv]: (p) => exportWithDialog(service, getWindow(), p),
    [CHANNELS.loadStart]: (p) => service.loadStart(p),
    [CHANNELS.loadStop]: (p) => service.loadStop(p),
    [CHANNELS.loadStatus]: (p) => service.loadStatus(p),
    ...extra,
  }
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

/** Forwards service events to the window; returns the unsubscribe. */
export function forwardEvents(service: MonitorService, getWindow: () => BrowserWindow | null): () => void {
  const send = (channel: string, payload: unknown) => {
    const win = getWindow()
    if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(channel, payload)
  }
  const onTick = (tick: unknown) => send(CHANNELS.tick, tick)
  const onStatus = (status: unknown) => send(CHANNELS.statusChanged, status)
  service.on('metrics:tick', onTick)
  service.on('server:status-changed', onStatus)
  const onLoadProgress = (p: unknown) => send(CHANNELS.loadProgress, p)
  const onLoadFinished = (s: unknown) => send(CHANNELS.loadFinished, s)
  service.on('load:progress', onLoadProgress)
  service.on('load:finished', onLoadFinished)
  // Alerts, recording and replay status: forwarded as they are, on their own channel names.
  const featureListeners = FEATURE_EVENT_CHANNELS.map((event) => ({ event, listener: (payload: unknown) => send(event, payload) }))
  for (const { event, listener } of featureListeners) service.on(event as 'alerts:event', listener)
  return () => {
    for (const { event, listener } of featureListeners) service.off(event as 'alerts:event', listener)
    service.off('metrics:tick', onTick)
    service.off('server:status-changed', onStatus)
    service.off('load:progress', onLoadProgress)
    service.off('load:finished', onLoadFinished)
  }
}
