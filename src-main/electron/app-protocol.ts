// Serves the built renderer on app://renderer/ rather than file://. A real origin makes 'self' in
// the CSP mean exactly our files, lets the IPC handlers check the sender's origin, and keeps the
// page from reading arbitrary local files the way file:// pages may.
import { protocol } from 'electron'
import { readStaticFile } from '../bridge/static-files'
import { APP_HOST, APP_SCHEME } from '../security/trusted-origin'

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

export function serveRenderer(rendererDir: string, securityHeaders: Record<string, string>): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('not found', { status: 404 })
    const file = await readStaticFile(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname)
    if (!file) return new Response('not found', { status: 404 })
    return new Response(new Uint8Array(file.body), { headers: { 'Content-Type': file.type, ...securityHeaders } })
  })
}
