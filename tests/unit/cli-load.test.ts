// `iocp-monitor load` end to end: the real command against `iocp-monitor serve` (another process)
// and against a corrupting Node echo server, over real sockets on 127.0.0.1.
import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import type { LoadSummary } from '../../src-shared/load'
import { corruptingEchoServer } from '../addon/support/corrupting-server'
import { freePort, occupyPort } from '../addon/support/net'
import { HOST_PAIRS, run, scrape, waitForLine, type Run } from './support/cli-process'
import { tempDir } from './support/temp-dir'

/** stdout must be exactly one line, the JSON summary. */
function summaryOf(r: Run): LoadSummary {
  const lines = r.stdout().split('\n').filter(Boolean)
  expect(lines).toHaveLength(1)
  return JSON.parse(lines[0]!) as LoadSummary
}

describe('iocp-monitor load', () => {
  const tmp = tempDir('iocpm-load-')

  it.each(HOST_PAIRS)('against `serve` (serve on %s, load on %s): one JSON summary on stdout whose bytesSent is exactly the server CSV’s bytes_in_total', async (serveHost, loadHost) => {
    const port = await freePort()
    const csv = tmp(`server-${serveHost}-${loadHost}.csv`)
    const server = run(['serve', '--port', String(port), '--threads', '2', '--csv', csv], { host: serveHost })
    try {
      await waitForLine(server, /^listening /m)
      const load = run(['load', '--host', '127.0.0.1', '--port', String(port), '--conns', '50', '--size', '128', '--seconds', '2'], { host: loadHost })
      expect((await load.exit).code).toBe(0)
      const s = summaryOf(load)
      expect(s).toMatchObject({ running: false, stoppedEarly: false, connectsOk: 50, mismatchedBytes: 0 })
      expect(s.config).toMatchObject({ host: '127.0.0.1', port, connections: 50, messageSize: 128, durationMs: 2000 })
      expect(s.msgsSent).toBeGreaterThan(1000)
      expect(s.bytesReceived).toBe(s.bytesSent)
      // Progress once per second and the human summary go to stderr.
      expect(load.stderr()).toMatch(/^load 127\.0\.0\.1:\d+: 50 connection\(s\), 128 B messages, 2 s, unlimited rate$/m)
      expect(load.stderr()).toMatch(/^\[\s+[01]\.\d s\] {2}conns 50\/50 {2}msgs [\d,]+ \([\d,]+\/s, [\d.]+ MB\/s\)/m)
      expect(load.stderr()).toMatch(/^done after 2\.\d\d s: /m)
      // Which socket layer the generator drove, and why: io_uring or IOCP, chosen by itself.
      expect(load.stderr()).toMatch(loadHost === 'wine' ? /^generator io iocp \(auto: IOCP/m : /^generator io iouring \(auto: io_uring/m)
      expect(s.io).toBe(loadHost === 'wine' ? 'iocp' : 'iouring')

      // Give the server a moment to read the last bytes of the closed connections, then stop it.
      await new Promise((r) => setTimeout(r, 300))
      server.child.kill('SIGTERM')
      expect((await server.exit).code).toBe(0)
      const rows = parse(readFileSync(csv, 'utf8'), { columns: true }) as Record<string, string>[]
      const last = rows.filter((row) => row.worker === 'all').at(-1)!
      expect(Number(last.bytes_in_total)).toBe(s.bytesSent)
      expect(Number(last.bytes_out_total)).toBe(s.bytesReceived)
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL')
    }
  })

  it.each(HOST_PAIRS)('faults (serve on %s, load on %s): every fault injected, counted by the server under portable names, no mismatched echo', async (serveHost, loadHost) => {
    const held = await occupyPort()
    const metricsPort = await freePort()
    const port = held.port
    await held.close()
    const server = run(['serve', '--port', String(port), '--threads', '2', '--metrics-port', String(metricsPort)], { host: serveHost })
    try {
      await waitForLine(server, /^listening /m)
      const load = run(['load', '--port', String(port), '--conns', '40', '--seconds', '2', '--faults', 'reset=10,halfclose=10,slow=5,garbage=5'], { host: loadHost })
      expect((await load.exit).code).toBe(0)
      const s = summaryOf(load)
      expect(s.mismatchedBytes).toBe(0)
      expect(s.connectsOk).toBeGreaterThanOrEqual(40)
      for (const fault of ['reset', 'halfclose', 'slow', 'garbage'] as const) expect(s.faultsInjected[fault], fault).toBeGreaterThan(0)
      // The server saw the resets as errors with a portable name and the native one beside it.
      const body = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
      const resets = [...body.matchAll(/^iocpm_errors_total\{worker="\d+",code="connection-reset",native="(\w+)"\} (\d+)$/gm)]
      expect(resets.length, body).toBeGreaterThan(0)
      expect(resets.reduce((n, m) => n + Number(m[2]), 0)).toBeGreaterThan(0)
      for (const m of resets) expect(m[1]).toMatch(serveHost === 'wine' ? /^(WSAECONNRESET|ERROR_NETNAME_DELETED|STATUS_\w+)$/ : /^ECONNRESET$/)
      expect(body).toMatch(/^iocpm_server_up 1$/m)
    } finally {
      server.child.kill('SIGTERM')
      expect((await server.exit).code).toBe(0)
    }
  })

  it('SIGINT ends the run early and still prints the summary', async () => {
    const port = await freePort()
    const server = run(['serve', '--port', String(port), '--threads', '1'])
    try {
      await waitForLine(server, /^listening /m)
      const load = run(['load', '--port', String(port), '--conns', '4', '--seconds', '60'])
      const deadline = Date.now() + 10_000
      while (!/^load /m.test(load.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      await new Promise((r) => setTimeout(r, 300))
      load.child.kill('SIGINT')
      expect((await load.exit).code).toBe(0)
      expect(load.stderr()).toMatch(/SIGINT: stopping/)
      const s = summaryOf(load)
      expect(s.stoppedEarly).toBe(true)
      expect(s.elapsedMs).toBeLessThan(5000)
      expect(s.mismatchedBytes).toBe(0)
    } finally {
      server.child.kill('SIGTERM')
      await server.exit
    }
  })

  describe('against a corrupting echo server', () => {
    const corruptPort = corruptingEchoServer()

    it('exits 1 with mismatchedBytes > 0', async () => {
      const load = run(['load', '--port', String(corruptPort()), '--conns', '4', '--size', '256', '--seconds', '1'])
      expect((await load.exit).code).toBe(1)
      const s = summaryOf(load)
      expect(s.mismatchedBytes).toBeGreaterThan(0)
      expect(load.stderr()).toMatch(/FAILED: [\d,]+ echoed byte\(s\) differed/)
    })

    it('--no-verify sends without checking echoes (exit 0)', async () => {
      const load = run(['load', '--port', String(corruptPort()), '--conns', '2', '--messages', '200', '--seconds', '0', '--no-verify'])
      expect((await load.exit).code).toBe(0)
      expect(summaryOf(load)).toMatchObject({ msgsSent: 200, mismatchedBytes: 0, config: { expectEcho: false } })
    })
  })

  it('a refused port exits 1 naming connection-refused, with nothing on stdout', async () => {
    const port = await freePort()
    const load = run(['load', '--port', String(port), '--seconds', '1'])
    expect((await load.exit).code).toBe(1)
    expect(load.stdout()).toBe('')
    expect(load.stderr()).toMatch(new RegExp(`cannot load 127\\.0\\.0\\.1:${port}: .*\\(connection-refused, (WSA)?ECONNREFUSED \\d+\\)`))
  })

  it('an unresolvable host exits 1 naming name-not-resolved', async () => {
    const load = run(['load', '--host', 'no-such-host.invalid', '--port', '9', '--seconds', '1'])
    expect((await load.exit).code).toBe(1)
    expect(load.stdout()).toBe('')
    expect(load.stderr()).toMatch(/cannot load no-such-host\.invalid:9: .*\(name-not-resolved/)
  })

  it.each([
    [['load', '--conns', 'lots'], /--conns must be an integer from 1 to 20000 \(got 'lots'\)/],
    [['load', '--faults', 'reset=60,halfclose=50'], /--faults: fault percentages add up to 110/],
    [['load', '--faults', 'meteor=1'], /--faults: unknown fault meteor/],
    [['load', '--seconds', '0'], /--seconds: give a duration or a message count/],
  ])('bad arguments %j exit 2 with a message naming the flag', async (args, message) => {
    const load = run(args)
    expect((await load.exit).code).toBe(2)
    expect(load.stdout()).toBe('')
    expect(load.stderr()).toMatch(message)
  })
})
