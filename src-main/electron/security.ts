// Process-wide hardening, following Electron's security checklist: no permissions, no navigation,
// no new windows, no <webview>, and the CSP on every response the renderer receives.
import { app, session, type Session } from 'electron'
import { contentSecurityPolicy } from '../security/csp'
import { isTrustedUrl } from '../security/trusted-origin'

export function securityHeaders(connectSrc: string[] = []): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy({ connectSrc }),
    'X-Content-Type-Options': 'nosniff',
  }
}

/** Applies to every webContents ever created (including any a bug or an exploit might open). */
export function guardWebContents(trustedOrigins: readonly string[]): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e, url) => {
      // Reloading our own page (or the dev server's HMR reload) is fine; leaving it is not.
      if (!isTrustedUrl(url, trustedOrigins)) e.preventDefault()
    })
    contents.on('will-redirect', (e, url) => {
      if (!isTrustedUrl(url, trustedOrigins)) e.preventDefault()
    })
    contents.on('will-attach-webview', (e) => e.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
}

export function hardenSession(headers: Record<string, string>, ses: Session = session.defaultSession): void {
  // The dashboard needs no camera, notifications, clipboard, … : refuse every request and check.
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  // Covers responses not produced by our app:// handler (the Vite dev server in development).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) } })
  })
}
