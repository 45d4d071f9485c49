// Real-socket helpers for tests: free ports, TCP clients on 127.0.0.1, polling.
import { createServer, connect, type Server, type Socket } from 'node:net'

/** Holds a port (address-in-use tests); close() releases it. */
export function occupyPort(host = '127.0.0.1'): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      resolve({ port, server, close: () => new Promise<void>((r) => server.close(() => r())) })
    })
  })
}

/** A port that was free a moment ago: bind port 0, read it, close. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const held = await occupyPort(host)
  await held.close()
  return held.port
}

export function connectTcp(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host })
    s.once('connect', () => {
      s.off('error', reject)
      resolve(s)
    })
    s.once('error', reject)
  })
}

/** Collects everything the socket receives until `n` bytes have arrived. */
export function readExactly(s: Socket, n: number, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let got = 0
    const timer = setTimeout(() => finish(new Error(`received ${got} of ${n} bytes within ${timeoutMs} ms`)), timeoutMs)
    const onData = (d: Buffer) => {
      chunks.push(d)
      got += d.length
      if (got >= n) finish()
    }
    const onClose = () => finish(new Error(`connection closed after ${got} of ${n} bytes`))
    function finish(err?: Error) {
      clearTimeout(timer)
      s.off('data', onData)
      s.off('close', onClose)
      if (err) reject(err)
      else resolve(Buffer.concat(chunks))
    }
    s.on('data', onData)
    s.once('close', onClose)
  })
}

/** Sends `payload` and reads the same number of bytes back (an echo round trip). */
export async function echoRoundTrip(s: Socket, payload: Buffer): Promise<Buffer> {
  const reply = readExactly(s, payload.length)
  s.write(payload)
  return reply
}

/** Resolves when the peer closes the connection (FIN or RST). */
export function closed(s: Socket, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.destroyed) return resolve()
    const timer = setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs)
    s.on('error', () => undefined)
    s.resume()
    s.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Polls `check` until it returns true. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
