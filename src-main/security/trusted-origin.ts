// Which pages may call the main process. Electron glue asks this for every IPC message
// (event.senderFrame.url); kept free of electron so it is unit-tested under Node.

/** The renderer's origin in a built app: a privileged custom scheme instead of file://. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'renderer'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/**
 * scheme://host[:port] of a URL, also for custom schemes (WHATWG URL reports origin "null" for
 * those, which must never compare equal to anything). null for unparsable or host-less URLs.
 */
export function urlOrigin(url: string | undefined | null): string | null {
  if (!url) return null
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (!u.host) return null
  return `${u.protocol}//${u.host}`
}

export function isTrustedUrl(url: string | undefined | null, trustedOrigins: readonly string[]): boolean {
  const origin = urlOrigin(url)
  return origin !== null && trustedOrigins.includes(origin)
}
