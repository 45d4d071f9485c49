// The renderer's only door to the main process: window.api, implementing MonitorApi over IPC for
// the channels of the contract (src-shared/contract.ts) and nothing else. The renderer never sees
// ipcRenderer or IPC event objects (an event's `sender` would hand it the whole IPC surface).
// recording:start and recording:open send no path: main asks the user with its own file dialogs.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { createApiClient } from '../src-shared/contract'

const api = createApiClient({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  listen(channel, cb) {
    const listener = (_event: IpcRendererEvent, value: unknown) => cb(value)
    ipcRenderer.on(channel, listener)
    return () => {
      ipcRenderer.removeListener(channel, listener)
    }
  },
})

contextBridge.exposeInMainWorld('api', api)
