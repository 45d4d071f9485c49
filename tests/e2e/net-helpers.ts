// Real TCP from the test process: free ports, a port held busy, echo clients with exact byte
// counts and clients that reset abruptly (RST) to make the engine count connection errors.
import net from 'node:net'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** A listener the test keeps open, so the engine's bind fails with address-in-use. */
export function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((s) => s.destroy())
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      resolve({ port, close: () => new Promise<void>((r) => srv.close(() => r())) })
    })
  })
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    s.once('connect', () => {
      s.off('error', reject)
      resolve(s)
    })
    s.once('error', reject)
  })
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The error code of a connect to `port`: 'ECONNREFUSED' once nothing listens there, null if it connects. */
export async function connectError(port: number): Promise<string | null> {
  try {
    ;(await connect(port)).destroy()
    return null
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err)
  }
}

/**
 * Sends `bytes` in `chunk`-sized writes spaced by `gapMs` (so the traffic spans several samples
 * and the charts have a shape), reads every echoed byte back, then closes gracefully.
 */
export async function echoClient(port: number, bytes: number, chunk: number, gapMs: number): Promise<number> {
  const s = await connect(port)
  let received = 0
  const done = new Promise<void>((resolve, reject) => {
    s.on('data', (d: Buffer) => {
      received += d.length
      if (received >= bytes) resolve()
    })
    s.once('error', reject)
    s.once('close', () => (received >= bytes ? resolve() : reject(new Error(`echo closed after ${received}/${bytes} bytes`))))
  })
  const payload = Buffer.alloc(chunk, 0x61)
  for (let sent = 0; sent < bytes; sent += chunk) {
    const n = Math.min(chunk, bytes - sent)
    if (!s.write(n === chunk ? payload : payload.subarray(0, n))) await new Promise((r) => s.once('drain', r))
    if (gapMs) await sleep(gapMs)
  }
  await done
  await new Promise<void>((r) => s.end(r))
  if (received !== bytes) throw new Error(`echoed ${received} bytes, expected ${bytes}`)
  return bytes
}

/**
 * Request/response: sends `size` bytes, waits for all of them to come back, `rounds` times. Many
 * of these at once keep every worker busy with small completions — what makes queues build up.
 */
export async function pingPongClient(port: number, rounds: number, size: number): Promise<number> {
  const s = await connect(port)
  const msg = Buffer.alloc(size, 0x62)
  let pending = 0
  let round = 0
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject)
    s.once('close', () => (round >= rounds ? resolve() : reject(new Error(`ping-pong closed after ${round}/${rounds} rounds`))))
    s.on('data', (d: Buffer) => {
      pending -= d.length
      if (pending > 0) return
      if (++round >= rounds) return resolve()
      pending = size
      s.write(msg)
    })
    pending = size
    s.write(msg)
  })
  await new Promise<void>((r) => s.end(r))
  return rounds * size
}

/** Several echo clients at once; resolves with the total number of bytes sent (= echoed). */
export async function echoTraffic(port: number, opts: { clients: number; bytesPerClient: number; chunk: number; gapMs: number }): Promise<number> {
  const sent = await Promise.all(Array.from({ length: opts.clients }, () => echoClient(port, opts.bytesPerClient, opts.chunk, opts.gapMs)))
  return sent.reduce((a, b) => a + b, 0)
}

/**
 * A load that changes shape over `seconds`: every half second a new wave of 1, 3, 5 or 7 paced
 * echo clients starts, and every fourth second 128 request/response clients pile completions up
 * in the workers' queues, so sessions, throughput and queue depth rise and fall like real traffic.
 * Resolves with the total number of bytes sent (every one of them echoed back).
 */
export async function varyingLoad(port: number, seconds: number): Promise<number> {
  const waves = Array.from({ length: seconds * 2 }, async (_, i) => {
    await sleep(i * 500)
    if (i % 8 !== 5) return echoTraffic(port, { clients: 1 + (i % 4) * 2, bytesPerClient: 512 * 1024, chunk: 8192, gapMs: 15 })
    const burst = await Promise.all(Array.from({ length: 128 }, () => pingPongClient(port, 300, 256)))
    return burst.reduce((a, b) => a + b, 0)
  })
  return (await Promise.all(waves)).reduce((a, b) => a + b, 0)
}

/**
 * Clients that connect, send nothing and reset (SO_LINGER 0 → RST): the engine's pending receive
 * completes with ECONNRESET. Sending nothing keeps the byte counts exact.
 */
export async function resetClients(port: number, count: number): Promise<void> {
  const sockets = await Promise.all(Array.from({ length: count }, () => connect(port)))
  // Let the engine accept them and post its receives before the RSTs arrive (Wine is slow to).
  await sleep(500)
  for (const s of sockets) s.resetAndDestroy()
  await sleep(100)
}
