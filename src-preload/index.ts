// The renderer's only door to the main process: window.api, implementing MonitorApi over IPC for
// the known channels and nothing else. The renderer never sees ipcRenderer or IPC event objects
// (an event's `sender` would hand it the whole IPC surface).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { CHANNELS, type MonitorApi } from '../src-shared/api'
import type { MetricsTick } from '../src-shared/metrics'
import type { ServerStatus } from '../src-shared/api'

function subscribe<T>(channel: string, cb: (value: T) => void): () => void {
  const listener = (_event: IpcRendererEvent, value: T) => cb(value)
  ipcRenderer.on(channel, listener)
  return () => {
    ipcRenderer.removeListener(channel, listener)
  }
}

const api: MonitorApi = {
  start: (config) => ipcRenderer.invoke(CHANNELS.start, config),
  stop: () => ipcRenderer.invoke(CHANNELS.stop),
  status: () => ipcRenderer.invoke(CHANNELS.status),
  history: () => ipcRenderer.invoke(CHANNELS.history),
  exportCsv: (req) => ipcRenderer.invoke(CHANNELS.exportCsv, req),
  catalog: () => ipcRenderer.invoke(CHANNELS.catalog),
  onTick: (cb) => subscribe<MetricsTick>(CHANNELS.tick, cb),
  onStatus: (cb) => subscribe<ServerStatus>(CHANNELS.statusChanged, cb),
}

contextBridge.exposeInMainWorld('api', api)
