// An echo server that lies: every chunk goes back with one bit flipped, so a client that verifies
// its echoes must notice (the load generator counts mismatchedBytes).
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll } from 'vitest'

export interface CorruptingServer {
  port: number
  close(): Promise<void>
}

export async function startCorruptingEchoServer(): Promise<CorruptingServer> {
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    sockets.add(s)
    s.on('data', (d: Buffer) => {
      d[d.length >> 1]! ^= 0x10
      s.write(d)
    })
    s.on('error', () => undefined)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      sockets.forEach((s) => s.destroy())
      await new Promise((r) => server.close(r))
    },
  }
}

/** A corrupting server for the enclosing describe: started before its tests, closed after. Returns its port. */
export function corruptingEchoServer(): () => number {
  let server: CorruptingServer | null = null
  beforeAll(async () => {
    server = await startCorruptingEchoServer()
  })
  afterAll(() => server?.close())
  return () => {
    if (!server) throw new Error('corruptingEchoServer() is used before its beforeAll ran')
    return server.port
  }
}
