// Which page the window loads: the bundled renderer on app:// or, in development, the Vite dev
// server that `electron-vite dev` names in ELECTRON_RENDERER_URL. The page that loads gets the
// trusted origin, and with it window.api, so an environment variable must not be able to hand
// that to another server: a packaged app ignores the variable, and a development run accepts only
// an http(s) server on this machine. Free of electron so it is unit-tested under Node.
import { isLoopback } from '../security/loopback'
import { APP_INDEX_URL } from '../security/trusted-origin'

/** http(s) on 127.0.0.0/8, ::1 or localhost, without credentials in the URL. */
export function isLoopbackDevServerUrl(url: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false
  if (u.username || u.password) return false
  // WHATWG URL has already canonicalised the host (127.1 -> 127.0.0.1; IPv6 in brackets).
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
  return host === 'localhost' || isLoopback(host)
}

export interface RendererSource {
  /** What the window loads. */
  url: string
  /** The dev server's URL when it is used, else null. */
  devServerUrl: string | null
  /** Why a given ELECTRON_RENDERER_URL was not used (for a warning), else null. */
  ignored: string | null
}

export function rendererSource(envUrl: string | undefined, isPackaged: boolean): RendererSource {
  const bundled = (ignored: string | null): RendererSource => ({ url: APP_INDEX_URL, devServerUrl: null, ignored })
  if (!envUrl) return bundled(null)
  if (isPackaged) return bundled('ELECTRON_RENDERER_URL is ignored in a packaged app')
  if (!isLoopbackDevServerUrl(envUrl)) return bundled(`ELECTRON_RENDERER_URL ${envUrl} is not an http(s) URL on loopback; ignored`)
  return { url: envUrl, devServerUrl: envUrl, ignored: null }
}
