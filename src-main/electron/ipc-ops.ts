// Electron glue of the feature modules (src-main/features): the request handlers whose Electron
// flavour needs main's own file dialogs (export:csv and recording:start ask where to save,
// recording:open which file to read; a path never comes from the renderer), and desktop
// notifications for alerts. Every other channel is answered by the features, as on the bridge.
import { dialog, Notification, type BrowserWindow, type FileFilter } from 'electron'
import { describeAlert, type AlertEvent } from '../../src-shared/alerts'
import type { ChannelHandlers } from '../../src-shared/contract'
import type { Features } from '../features'
import type { MonitorService } from '../service/monitor-service'

const CSV_FILTERS: FileFilter[] = [{ name: 'CSV', extensions: ['csv'] }]
const NDJSON_FILTERS: FileFilter[] = [
  { name: 'IOCP Monitor recording', extensions: ['ndjson', 'jsonl'] },
  { name: 'All files', extensions: ['*'] },
]

/** A file name for a save dialog: iocp-monitor-2026-11-26T01-53-00-123Z.csv */
function defaultFileName(now: Date, extension: string): string {
  return `iocp-monitor-${now.toISOString().replace(/[:.]/g, '-')}.${extension}`
}

/**
 * The channels with main's own dialogs (export:csv and recording:start ask where to save,
 * recording:open which file to read). Their payloads arrive validated, like every channel's.
 */
export function dialogHandlers(app: Features, getWindow: () => BrowserWindow | null): Pick<ChannelHandlers, 'export:csv' | 'recording:start' | 'recording:open'> {
  const saveDialog = async (extension: string, filters: FileFilter[]): Promise<string | null> => {
    const win = getWindow()
    const options = { defaultPath: defaultFileName(new Date(), extension), filters }
    const choice = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
    return choice.canceled || !choice.filePath ? null : choice.filePath
  }
  return {
    'export:csv': async (req) => {
      const path = await saveDialog('csv', CSV_FILTERS)
      return path ? app.server.exportCsvToFile(req, path) : { ok: true, value: { path: null, rows: 0 } }
    },
    'recording:start': async () => {
      const path = await saveDialog('ndjson', NDJSON_FILTERS)
      return path ? app.recording.startRecordingTo(path) : { ok: true, value: app.recording.recordingStatus() }
    },
    'recording:open': async (req) => {
      // The page may also hand over a file's text (drag and drop), as in the browser.
      if (req.text !== undefined) return app.recording.openRecording(req)
      const win = getWindow()
      const options = { properties: ['openFile' as const], filters: NDJSON_FILTERS }
      const choice = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      const path = choice.filePaths[0]
      if (choice.canceled || !path) return { ok: true, value: null }
      return app.recording.openRecordingFile(path)
    },
  }
}

/** A desktop notification for each raised alert, in the UI's language. Returns the unsubscribe. */
export function notifyAlerts(service: MonitorService, app: Features): () => void {
  const onAlert = (e: AlertEvent) => {
    if (e.kind !== 'raised' || !Notification.isSupported()) return
    const lang = app.config.current().ui.language
    new Notification({ title: lang === 'ko' ? 'IOCP Monitor 경고' : 'IOCP Monitor alert', body: describeAlert(e, lang), silent: false }).show()
  }
  service.on('alerts:event', onAlert)
  return () => service.off('alerts:event', onAlert)
}
