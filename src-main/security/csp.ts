// One Content-Security-Policy for every way the renderer is served (Electron's app:// protocol,
// Vite's dev server, the dashboard's http server). Scripts only from our own origin, no eval, no
// plugins, no framing; inline styles are allowed because Vue's style bindings and Chart.js set
// style attributes. Only connect-src differs: the browser build needs its WebSocket bridge.
export interface CspOptions {
  /** Extra connect-src sources, e.g. ws://127.0.0.1:PORT for the bridge. */
  connectSrc?: string[]
}

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['connect-src', ["'self'", ...(opts.connectSrc ?? [])]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ]
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ')
}
