// `serve --sessions-csv FILE`: the session table as it is when the stop is asked for, written
// atomically. Also run by the wine-cli suite (the command on Windows Node: the IOCP backend).
import { readdirSync, readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { SESSION_CSV_COLUMNS } from '../../src-shared/sessions'
import { connectTcp, echoRoundTrip, freePort } from '../addon/support/net'
import { run, waitForLine } from './support/cli-process'
import { tempDir } from './support/temp-dir'

describe('iocp-monitor serve --sessions-csv', () => {
  const tmp = tempDir('iocpm-sessions-')

  it('writes one row per open connection with its exact addresses and bytes', async () => {
    const port = await freePort()
    const out = tmp('sessions.csv')
    const r = run(['serve', '--port', String(port), '--threads', '2', '--sessions-csv', out])
    await waitForLine(r, /^listening /m)
    const a = await connectTcp(port)
    const b = await connectTcp(port)
    await echoRoundTrip(a, Buffer.alloc(1000, 1))
    await echoRoundTrip(a, Buffer.alloc(234, 2))
    await echoRoundTrip(b, Buffer.alloc(10, 3))
    const [portA, portB] = [a.localPort, b.localPort]
    r.child.kill('SIGTERM')
    expect((await r.exit).code).toBe(0)
    a.destroy()
    b.destroy()
    await waitForLine(r, /^wrote 2 sessions to /m, 5_000, 'stderr')
    expect(readdirSync(tmp()).filter((f) => f.includes('sessions'))).toEqual(['sessions.csv']) // no temp file left
    const text = readFileSync(out, 'utf8')
    expect(text.split('\n')[0]).toBe(SESSION_CSV_COLUMNS.join(','))
    const rows = parse(text, { columns: true }) as Record<string, string>[]
    expect(rows).toHaveLength(2)
    const byRemote = new Map(rows.map((row) => [row['remote'], row]))
    const ra = byRemote.get(`127.0.0.1:${portA}`)
    const rb = byRemote.get(`127.0.0.1:${portB}`)
    expect(ra).toMatchObject({ local: `127.0.0.1:${port}`, bytes_in: '1234', bytes_out: '1234', state: 'open', send_queue: '0', errors: '0' })
    expect(rb).toMatchObject({ local: `127.0.0.1:${port}`, bytes_in: '10', bytes_out: '10', state: 'open' })
    expect(rows[0]!['remote']).toBe(`127.0.0.1:${portA}`) // oldest first
  })

  it('refuses a file in a missing directory before listening', async () => {
    const r = run(['serve', '--port', String(await freePort()), '--sessions-csv', tmp('missing', 'x.csv')])
    expect((await r.exit).code).toBe(1)
    expect(r.stdout()).toBe('')
    expect(r.stderr()).toMatch(/--sessions-csv .*x\.csv: cannot write there/)
  })
})
