// The renderer's only door to the main process: window.api, implementing MonitorApi over IPC for
// the known channels and nothing else. The renderer never sees ipcRenderer or IPC event objects
// (an event's `sender` would hand it the whole IPC surface).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { CHANNELS, type MonitorApi } from '../src-shared/api'
import type { MetricsTick } from '../src-shared/metrics'
import type { ServerStatus } from '../src-shared/api'
import type { LoadProgress, LoadSummary } from '../src-shared/load'
import type { AlertEvent } from '../src-shared/alerts'
import type { RecordingStatus, ReplayStatus } from '../src-shared/features'

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
  loadStart: (config) => ipcRenderer.invoke(CHANNELS.loadStart, config),
  loadStop: () => ipcRenderer.invoke(CHANNELS.loadStop),
  loadStatus: () => ipcRenderer.invoke(CHANNELS.loadStatus),
  onLoadProgress: (cb) => subscribe<LoadProgress>(CHANNELS.loadProgress, cb),
  onLoadFinished: (cb) => subscribe<LoadSummary>(CHANNELS.loadFinished, cb),
  // Alerts, recording & replay, config. recording:start and recording:open send no path: main
  // asks the user with its own file dialogs.
  listAlerts: () => ipcRenderer.invoke(CHANNELS.alertsList),
  setAlerts: (req) => ipcRenderer.invoke(CHANNELS.alertsSet, req),
  onAlert: (cb) => subscribe<AlertEvent>(CHANNELS.alertEvent, cb),
  startRecording: () => ipcRenderer.invoke(CHANNELS.recordingStart),
  stopRecording: () => ipcRenderer.invoke(CHANNELS.recordingStop),
  onRecordingStatus: (cb) => subscribe<RecordingStatus>(CHANNELS.recordingStatus, cb),
  openRecording: (req) => ipcRenderer.invoke(CHANNELS.recordingOpen, req),
  startReplay: (req) => ipcRenderer.invoke(CHANNELS.replayStart, req),
  stopReplay: () => ipcRenderer.invoke(CHANNELS.replayStop),
  onReplayStatus: (cb) => subscribe<ReplayStatus>(CHANNELS.replayStatus, cb),
  getConfig: () => ipcRenderer.invoke(CHANNELS.configGet),
  setConfig: (patch) => ipcRenderer.invoke(CHANNELS.configSet, patch),
}

contextBridge.exposeInMainWorld('api', api)
