// The one seam between the dashboard and the service: in Electron the preload's `window.api`
// (IPC), in a plain browser a WebSocket client of the same MonitorApi interface.
import type { MonitorApi } from '../../../src-shared/contract'
import { WsApi, bridgeUrlFromLocation, type ConnectionAware } from './ws-api'

let current: MonitorApi | null = null

function pick(): MonitorApi {
  // Read through a cast rather than a global declaration: the preload's index.d.ts owns the
  // `window.api` type, and this module must also work where it is absent.
  const injected = (globalThis as { api?: MonitorApi }).api
  if (injected) return injected
  return new WsApi({ url: bridgeUrlFromLocation(window.location) })
}

/** Electron's preload injected window.api (files go through main's dialogs); otherwise a browser. */
export function isElectron(): boolean {
  return !!(globalThis as { api?: MonitorApi }).api
}

export function getApi(): MonitorApi {
  current ??= pick()
  return current
}

/** Tests substitute a fake implementation (or reset with null). */
export function setApi(api: MonitorApi | null): void {
  current = api
}

export function isConnectionAware(api: MonitorApi): api is MonitorApi & ConnectionAware {
  const a = api as Partial<ConnectionAware>
  return typeof a.onConnection === 'function' && typeof a.connectionState === 'function'
}
