// Types window.api for the renderer (the preload's contextBridge exposes it).
import type { MonitorApi } from '../src-shared/contract'

declare global {
  interface Window {
    api: MonitorApi
  }
}

export {}
