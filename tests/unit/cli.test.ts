// The real command, as a user runs it: node bin/iocp-monitor.cjs … (compiled with tsc first).
import { readdirSync, readFileSync } from 'node:fs'
import { get } from 'node:http'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { connectTcp, echoRoundTrip, freePort, occupyPort } from '../addon/support/net'
import { run, TRAITS, waitForLine } from './support/cli-process'
import { tempDir } from './support/temp-dir'

describe('iocp-monitor CLI', () => {
  // dist-cli/ is compiled from the current sources by tests/unit/global-setup.ts.
  const tmp = tempDir('iocpm-cli-')

  it('serve: prints exactly "listening HOST:PORT", stops on SIGTERM with exit 0 and writes the CSV', async () => {
    const port = await freePort()
    const csv = tmp('metrics.csv')
    const r = run(['serve', '--port', String(port), '--threads', '2', '--csv', csv])
    await waitForLine(r, /^listening 127\.0\.0\.1:(\d+)\n/m)
    expect(r.stdout()).toBe(`listening 127.0.0.1:${port}\n`)
    // Printed to stderr before "listening", but the two streams do not keep their order.
    await waitForLine(r, TRAITS.backendLine, 15_000, 'stderr')
    expect(r.stderr()).toMatch(TRAITS.backendLine)
    expect(r.stderr()).toMatch(/, 2 worker\(s\)/)

    let sent = 0
    const sockets = await Promise.all([connectTcp(port), connectTcp(port), connectTcp(port)])
    for (const [i, s] of sockets.entries()) {
      for (let k = 0; k < 10; k++) {
        const payload = Buffer.alloc(500 + 37 * k + i, k)
        sent += payload.length
        await echoRoundTrip(s, payload)
      }
    }
    sockets.forEach((s) => s.destroy())

    r.child.kill('SIGTERM')
    const { code, signal } = await r.exit
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    expect(r.stdout()).toBe(`listening 127.0.0.1:${port}\n`) // still just the one line
    expect(r.stderr()).toContain(`${TRAITS.stopSignal('SIGTERM')}: stopping`)
    expect(readdirSync(tmp()).filter((f) => f.includes('metrics'))).toEqual(['metrics.csv']) // no temp file left

    const rows = parse(readFileSync(csv, 'utf8'), { columns: true }) as Record<string, string>[]
    const all = rows.filter((row) => row.worker === 'all')
    expect(all.length).toBeGreaterThan(0)
    expect(rows.filter((row) => row.worker !== 'all').every((row) => row.worker === '0' || row.worker === '1')).toBe(true)
    expect(Number(all.at(-1)!.bytes_in_total)).toBe(sent)
    expect(Number(all.at(-1)!.bytes_out_total)).toBe(sent)
    for (const row of rows) expect(row.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('serve: SIGINT stops cleanly too', async () => {
    const r = run(['serve', '--port', String(await freePort()), '--workers', '1', '--backend', TRAITS.explicitBackend])
    await waitForLine(r, /^listening /m)
    await waitForLine(r, /^backend /m, 15_000, 'stderr')
    expect(r.stderr()).toMatch(new RegExp(`^backend ${TRAITS.explicitBackend}, 1 worker`, 'm'))
    r.child.kill('SIGINT')
    expect(await r.exit).toEqual({ code: 0, signal: null })
  })

  it('serve: a port in use exits 1 naming address-in-use and the native code', async () => {
    const held = await occupyPort()
    try {
      const r = run(['serve', '--port', String(held.port)])
      expect((await r.exit).code).toBe(1)
      expect(r.stdout()).toBe('')
      expect(r.stderr()).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${held.port}: .*address-in-use.*EADDRINUSE \\d+`))
    } finally {
      await held.close()
    }
  })

  it.each([
    [['serve', '--port', 'nine'], /--port must be an integer/],
    [['serve', '--threads', '0'], /--threads must be an integer from 1 to 64/],
    [['serve', '--backend', 'kqueue'], /--backend must be one of/],
    [['serve', '--iouring-recv', 'multi'], /--iouring-recv must be one of multishot, single/],
    [['serve', '--bogus'], /unknown option --bogus/],
  ])('bad arguments %j exit 2 with a message naming the flag', async (args, message) => {
    const r = run(args)
    expect((await r.exit).code).toBe(2)
    expect(r.stderr()).toMatch(message)
  })

  it('serve --csv into a missing directory fails before listening', async () => {
    const r = run(['serve', '--port', String(await freePort()), '--csv', tmp('no', 'such', 'dir.csv')])
    expect((await r.exit).code).toBe(1)
    expect(r.stderr()).toMatch(/--csv .*cannot create the file/)
    expect(r.stdout()).toBe('')
  })

  it('ui: prints the tokenised dashboard URL, serves it, stops on SIGTERM', async () => {
    const port = await freePort()
    const r = run(['ui', '--port', String(port), '--static', tmp()])
    const [, url] = await waitForLine(r, /^dashboard (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})\n/m)
    expect(url).toContain(`127.0.0.1:${port}/`)
    const status = await new Promise<number>((res, rej) => get(url!, (resp) => (resp.resume(), res(resp.statusCode ?? 0))).on('error', rej))
    expect(status).toBe(503) // an empty --static dir: explained, not crashed
    r.child.kill('SIGTERM')
    expect((await r.exit).code).toBe(0)
  })

  it('help exits 0 with usage on stdout', async () => {
    const r = run(['help'])
    expect((await r.exit).code).toBe(0)
    expect(r.stdout()).toMatch(/iocp-monitor serve/)
  })
})
