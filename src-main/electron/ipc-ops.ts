// Electron glue of the feature modules (src-main/features): the request handlers whose Electron
// flavour needs main's own file dialogs (recording:start asks where to save, recording:open which
// file to read; a path never comes from the renderer), and desktop notifications for alerts.
// Every other channel is answered by the service and its features, as on the bridge.
import { dialog, Notification, type BrowserWindow } from 'electron'
import { describeAlert, type AlertEvent } from '../../src-shared/alerts'
import type { ChannelHandlers } from '../../src-shared/contract'
import type { Features } from '../features'
import type { MonitorService } from '../service/monitor-service'

const NDJSON_FILTERS = [
  { name: 'IOCP Monitor recording', extensions: ['ndjson', 'jsonl'] },
  { name: 'All files', extensions: ['*'] },
]

function recordingFileName(now: Date): string {
  return `iocp-monitor-${now.toISOString().replace(/[:.]/g, '-')}.ndjson`
}

/** The recording channels with main's own dialogs; every other channel is the service's. */
export function opsIpcHandlers(service: MonitorService, ops: Features, getWindow: () => BrowserWindow | null): Partial<ChannelHandlers> {
  return {
    'recording:start': async (p) => {
      const v = service.validate('recording:start', p)
      if (!v.ok) return v
      const win = getWindow()
      const options = { defaultPath: recordingFileName(new Date()), filters: NDJSON_FILTERS }
      const choice = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      if (choice.canceled || !choice.filePath) return { ok: true, value: ops.recording.recordingStatus() }
      return ops.recording.startRecordingTo(choice.filePath)
    },
    'recording:open': async (p) => {
      const v = service.validate('recording:open', p)
      if (!v.ok) return v
      // The page may also hand over a file's text (drag and drop), as in the browser.
      if (v.value.text !== undefined) return ops.recording.openRecording(v.value)
      const win = getWindow()
      const options = { properties: ['openFile' as const], filters: NDJSON_FILTERS }
      const choice = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      const path = choice.filePaths[0]
      if (choice.canceled || !path) return { ok: true, value: null }
      return ops.recording.openRecordingFile(path)
    },
  }
}

/** A desktop notification for each raised alert, in the UI's language. Returns the unsubscribe. */
export function notifyAlerts(service: MonitorService, ops: Features): () => void {
  const onAlert = (e: AlertEvent) => {
    if (e.kind !== 'raised' || !Notification.isSupported()) return
    const lang = ops.config.current().ui.language
    new Notification({ title: lang === 'ko' ? 'IOCP Monitor 경고' : 'IOCP Monitor alert', body: describeAlert(e, lang), silent: false }).show()
  }
  service.on('alerts:event', onAlert)
  return () => service.off('alerts:event', onAlert)
}
