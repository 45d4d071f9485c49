// The browser mode of the dashboard: an http server on loopback that serves the built renderer and
// hosts the WebSocket bridge, so the same UI works without Electron.
//
// Security, since anything on this machine (including any web page in a browser) can reach a
// loopback port:
// - a random token (or the caller's) is required for the page (index.html) and for the WebSocket;
//   it is compared in constant time;
// - the Host header must name this server and a WebSocket's Origin (when sent, as browsers always
//   do) must be this server's own origin — defeats DNS rebinding and cross-site WebSockets;
// - a strict CSP, nosniff, no-referrer (the token is in the URL) and no framing on every response;
// - frames are limited to BRIDGE_MAX_RECORDING_BYTES (closed unread beyond it), messages on every
//   channel but recording:open to BRIDGE_MAX_MESSAGE_BYTES (refused from their size, before they
//   are parsed), and all are validated before they reach the service;
// - at most `maxClients` WebSocket clients at once (BRIDGE_DEFAULT_MAX_CLIENTS): each one gets
//   every tick, so an unbounded number would be an unbounded cost to main.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { BRIDGE_MAX_RECORDING_BYTES, BRIDGE_PATH } from '../../src-shared/bridge-protocol'
import { defaultRendererDir } from '../paths'
import { contentSecurityPolicy } from '../security/csp'
import { allowedHosts, allowedOrigins, hostForUrl, isLoopback } from '../security/loopback'
import { generateToken, tokensEqual } from '../security/token'
import { consoleLogger, OnceLogger, type Logger } from '../service/log'
import type { MonitorService } from '../service/monitor-service'
import { BridgeClients } from './bridge-clients'
import { readStaticFile } from './static-files'

export interface DashboardServerOptions {
  service: MonitorService
  /** Interface to bind; loopback by default (anything else is warned about). */
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** The built renderer (default out/renderer of this package). */
  staticDir?: string
  /** Access token; a random one when omitted. */
  token?: string
  /** Dashboard clients served at once (default BRIDGE_DEFAULT_MAX_CLIENTS); one more is refused. */
  maxClients?: number
  logger?: Logger
}

export interface DashboardServer {
  /** http://HOST:PORT/?token=TOKEN — what a user opens. */
  url: string
  port: number
  token: string
  /** Closes clients and the listener; does not dispose the service. */
  close(): Promise<void>
}

const INDEX_PATHS = new Set(['/', '/index.html'])

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? generateToken()
  const staticDir = opts.staticDir ?? defaultRendererDir()
  const logger = opts.logger ?? consoleLogger
  const log = new OnceLogger(logger)
  if (opts.maxClients !== undefined && !(Number.isSafeInteger(opts.maxClients) && opts.maxClients >= 1)) {
    throw new RangeError(`dashboard: maxClients must be an integer >= 1 (got ${opts.maxClients})`)
  }
  if (!isLoopback(host)) logger.warn(`dashboard: listening on ${host}, which is not a loopback address; anyone who learns the token can control the server`)

  // Filled in once listening (the port may be 0 until then).
  let port = 0
  let hosts: string[] = []
  let origins: string[] = []
  let headers: Record<string, string> = {}

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      log.warnOnce(`http:${(err as Error)?.message}`, `dashboard: request failed: ${(err as Error)?.message ?? err}`)
      if (!res.headersSent) send(res, 500, 'internal error')
      else res.destroy()
    })
  })

  function send(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra })
    res.end(text)
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hosts.includes(req.headers.host ?? '')) return send(res, 421, 'wrong Host header')
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' })
    const url = new URL(req.url ?? '/', 'http://local')
    const isIndex = INDEX_PATHS.has(url.pathname)
    if (isIndex && !tokensEqual(url.searchParams.get('token'), token)) {
      return send(res, 401, 'Open the dashboard with the URL printed by `iocp-monitor ui` (it includes ?token=…).')
    }
    const file = await readStaticFile(staticDir, isIndex ? '/index.html' : url.pathname)
    if (!file) {
      if (isIndex) return send(res, 503, `The dashboard is not built (no ${staticDir}/index.html); run \`npm run build\`.`)
      return send(res, 404, 'not found')
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': file.type,
      'Content-Length': String(file.body.length),
      // The page carries the token in its URL: never cache it. Hashed assets may be revalidated.
      'Cache-Control': isIndex ? 'no-store' : 'no-cache',
    })
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: BRIDGE_MAX_RECORDING_BYTES, perMessageDeflate: false })
  const clients = new BridgeClients(opts.service, log, opts.maxClients)

  function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
    log.warnOnce(`upgrade:${status}`, `dashboard: refused a WebSocket (${status} ${reason})`)
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://local')
    if (url.pathname !== BRIDGE_PATH) return refuseUpgrade(socket, 404, 'Not Found')
    if (!hosts.includes(req.headers.host ?? '')) return refuseUpgrade(socket, 421, 'Misdirected Request')
    // Browsers always send Origin on a WebSocket; only non-browser clients omit it, and those
    // cannot be tricked into connecting by a web page.
    const origin = req.headers.origin
    if (origin !== undefined && !origins.includes(origin)) return refuseUpgrade(socket, 403, 'Forbidden')
    if (!tokensEqual(url.searchParams.get('token'), token)) return refuseUpgrade(socket, 401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => clients.add(ws))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  port = typeof address === 'object' && address ? address.port : 0
  hosts = allowedHosts(host, port)
  origins = allowedOrigins(host, port)
  const wsSources = hosts.map((h) => `ws://${h}`)
  headers = {
    'Content-Security-Policy': contentSecurityPolicy({ connectSrc: wsSources }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
  server.on('error', (err) => logger.error(`dashboard: server error: ${err.message}`))

  let closing: Promise<void> | null = null
  return {
    url: `http://${hostForUrl(host)}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clients.close()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
