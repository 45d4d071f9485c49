// ipcMain handlers: one per request channel of src-shared/contract.ts, each answered through the
// service's router (which validates the payload), by the feature that registered the channel or by
// Electron's own flavour of it (the file dialogs: ./ipc-ops.ts). Each checks that the message comes
// from our own page before doing anything.
// Results (including errors) are returned as data: an exception thrown across ipcMain.handle
// would reach the renderer as an opaque string.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { EVENT_CHANNELS, INVOKE_CHANNELS, type ChannelHandlers, type EventChannel } from '../../src-shared/contract'
import type { Result } from '../../src-shared/result'
import { isTrustedUrl } from '../security/trusted-origin'
import type { MonitorService } from '../service/monitor-service'

const FORBIDDEN: Result<never> = { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame' } }

/** `overrides`: channels answered differently in Electron (the file dialogs: ./ipc-ops.ts). */
export function registerIpcHandlers(service: MonitorService, trustedOrigins: readonly string[], overrides: Partial<ChannelHandlers> = {}): () => void {
  const trusted = (e: IpcMainInvokeEvent) => isTrustedUrl(e.senderFrame?.url, trustedOrigins)
  for (const channel of INVOKE_CHANNELS) {
    const own = overrides[channel]
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!trusted(event)) return FORBIDDEN
      try {
        return await (own ? service.invokeWith(channel, payload, own) : service.invoke(channel, payload))
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: String((err as Error)?.message ?? err) } }
      }
    })
  }
  return () => INVOKE_CHANNELS.forEach((c) => ipcMain.removeHandler(c))
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
