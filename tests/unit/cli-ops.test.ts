// The CLI's operations flags and commands, run as a user runs them: serve --metrics-port and
// --record, export --from … --csv …, and ui with a per-user config directory.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { DEFAULT_ENGINE_CONFIG } from '../../src-shared/engine-config'
import { parseCommandLine, UsageError } from '../../src-main/cli/args'
import { loadRecording } from '../../src-main/recording/reader'
import { connectTcp, echoRoundTrip, freePort, occupyPort } from '../addon/support/net'
import { run, scrape, waitForLine } from './support/cli-process'
import { tempDir } from './support/temp-dir'

describe('argument parsing', () => {
  const usage = (argv: string[]) => {
    try {
      parseCommandLine(argv)
    } catch (e) {
      if (e instanceof UsageError) return e.message
      throw e
    }
    return null
  }

  it('serve --metrics-port (0 = off) and --record', () => {
    expect(parseCommandLine(['serve', '--metrics-port', '9464', '--record', 'r.ndjson'])).toMatchObject({ command: 'serve', config: DEFAULT_ENGINE_CONFIG, metricsPort: 9464, record: 'r.ndjson' })
    expect(parseCommandLine(['serve', '--metrics-port=0'])).toMatchObject({ metricsPort: 0, record: null })
    expect(usage(['serve', '--metrics-port', '70000'])).toBe("--metrics-port must be an integer from 0 to 65535 (got '70000')")
    expect(usage(['serve', '--record'])).toBe('--record needs a value')
  })

  it('export --from REC --csv FILE, both required', () => {
    expect(parseCommandLine(['export', '--from', 'a.ndjson', '--csv', 'b.csv'])).toEqual({ command: 'export', from: 'a.ndjson', csv: 'b.csv' })
    expect(usage(['export', '--csv', 'b.csv'])).toMatch(/export needs --from/)
    expect(usage(['export', '--from', 'a.ndjson'])).toMatch(/export needs --csv/)
    expect(usage(['export', '--from', 'a', '--csv', 'b', '--port', '1'])).toMatch(/unknown option --port for export/)
    expect(usage(['frobnicate'])).toMatch(/expected serve, ui, load, attach, probes, export or help/)
  })
})

describe('iocp-monitor serve/export/ui', () => {
  const tmp = tempDir('iocpm-cliops-')

  it('serve --metrics-port --record --csv; export --from gives the same CSV as --csv', async () => {
    // Two distinct free ports: hold the first while asking for the second.
    const held = await occupyPort()
    const metricsPort = await freePort()
    const port = held.port
    await held.close()
    const rec = tmp('run.ndjson')
    const csv = tmp('live.csv')
    const r = run(['serve', '--port', String(port), '--threads', '2', '--metrics-port', String(metricsPort), '--record', rec, '--csv', csv, '--sample-hz', '50'])
    await waitForLine(r, /^listening /m)
    expect(r.stdout()).toBe(`listening 127.0.0.1:${port}\n`) // still the one machine-readable line
    // Printed to stderr before "listening", but the two streams do not keep their order.
    await waitForLine(r, /^metrics /m, 15_000, 'stderr')
    expect(r.stderr()).toContain(`metrics http://127.0.0.1:${metricsPort}/metrics`)

    let sent = 0
    const socks = await Promise.all([connectTcp(port), connectTcp(port)])
    for (let i = 0; i < 20; i++) {
      for (const s of socks) {
        const payload = Buffer.alloc(1000 + i, i)
        sent += payload.length
        await echoRoundTrip(s, payload)
      }
    }
    socks.forEach((s) => s.destroy())
    let body = ''
    for (let tries = 0; tries < 100; tries++) {
      body = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
      const total = [...body.matchAll(/^iocpm_bytes_in_total\{worker="\d+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0)
      if (total === sent) break
      await new Promise((res) => setTimeout(res, 20))
    }
    expect(body).toContain('iocpm_server_up 1')
    expect([...body.matchAll(/^iocpm_bytes_out_total\{worker="\d+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0)).toBe(sent)
    // The recording is readable while it is being written.
    expect((await loadRecording(rec)).header.info).toMatchObject({ port, workers: 2 })

    r.child.kill('SIGTERM')
    expect(await r.exit).toEqual({ code: 0, signal: null })
    const recorded = r.stderr().match(/recorded (\d+) samples to (.+)$/m)
    expect(recorded?.[2]).toBe(rec)
    const ticks = (await loadRecording(rec)).ticks
    expect(ticks).toHaveLength(Number(recorded![1]))
    expect(ticks.at(-1)!.total.bytesInTotal).toBe(sent)

    const out = tmp('from-recording.csv')
    const e = run(['export', '--from', rec, '--csv', out])
    expect(await e.exit).toEqual({ code: 0, signal: null })
    expect(e.stderr()).toMatch(new RegExp(`^wrote ${ticks.length * 3} rows \\(${ticks.length} samples\\) to `, 'm'))
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(csv, 'utf8'))
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[]
    expect(rows.at(-1)).toMatchObject({ worker: 'all', bytes_in_total: String(sent), bytes_out_total: String(sent) })
  })

  it('export refuses a corrupt recording (naming the line) and leaves no CSV; bad ports fail serve', async () => {
    const rec = tmp('corrupt.ndjson')
    writeFileSync(rec, '{"format":"iocp-monitor-recording","version":1,"startedAt":1,"config":null,"info":null}\n{"t":1,"seq":0}\n')
    const out = tmp('never.csv')
    const e = run(['export', '--from', rec, '--csv', out])
    expect((await e.exit).code).toBe(1)
    expect(e.stderr()).toMatch(/--from .*corrupt\.ndjson: not a valid recording: corrupt\.ndjson: line 2: bad tick: workers must be an array/)
    expect(existsSync(out)).toBe(false)
    const missing = run(['export', '--from', tmp('nope.ndjson'), '--csv', out])
    expect((await missing.exit).code).toBe(1)
    expect(missing.stderr()).toMatch(/cannot read it: .*ENOENT/)

    const held = await occupyPort()
    try {
      const s = run(['serve', '--port', String(await freePort()), '--metrics-port', String(held.port)])
      expect((await s.exit).code).toBe(1)
      expect(s.stderr()).toMatch(/--metrics-port \d+: cannot serve \/metrics on port \d+: .* \(address-in-use, EADDRINUSE\)/)
      expect(s.stdout()).toBe('')
    } finally {
      await held.close()
    }
  })

  it('ui: a corrupt config in $XDG_CONFIG_HOME is set aside with a warning; the dashboard still starts', async () => {
    const xdg = tmp('xdg')
    mkdirSync(join(xdg, 'iocp-monitor'), { recursive: true })
    writeFileSync(join(xdg, 'iocp-monitor', 'config.json'), '{"sampler": {"hz": "fast"}}')
    const r = run(['ui', '--port', '0'], { env: { ...process.env, XDG_CONFIG_HOME: xdg } })
    await waitForLine(r, /^dashboard http/m)
    expect(r.stdout()).toMatch(/^dashboard http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}\n$/)
    const warning = /warning: config: .*config\.json has invalid settings: sampler\.hz must be a number from 1 to 100\. The default settings are in use; it was renamed to .*config\.json\.corrupt-/
    await waitForLine(r, warning, 15_000, 'stderr')
    expect(r.stderr()).toMatch(warning)
    expect(readdirSync(join(xdg, 'iocp-monitor')).filter((f) => f.startsWith('config.json.corrupt-'))).toHaveLength(1)
    r.child.kill('SIGTERM')
    expect((await r.exit).code).toBe(0)
  })

  it('Ctrl-C during export cancels it cleanly: exit 130, no temp file, the old CSV untouched', async () => {
    // A recording big enough that exporting it takes a while: 40,000 samples of 8 workers.
    const rec = tmp('big.ndjson')
    const sample = (w: number | 'all') => ({ worker: w, queueDepth: 3, inflight: 5, completionsTotal: 123456789, bytesInTotal: 98765432101, bytesOutTotal: 98765432101, errorsTotal: 1, sessions: 12, completionsPerS: 1234.567, bytesInPerS: 4567.891, bytesOutPerS: 4567.891, errorsPerS: 0.1, busy: 0.4321 })
    const workers = Array.from({ length: 8 }, (_, i) => sample(i))
    const lines = [JSON.stringify({ format: 'iocp-monitor-recording', version: 1, startedAt: 1795654800000, config: null, info: null })]
    for (let i = 0; i < 40_000; i++) lines.push(JSON.stringify({ t: 1795654800000 + i * 100, seq: i, workers, total: sample('all'), errors: [] }))
    writeFileSync(rec, lines.join('\n') + '\n')
    const out = tmp('big.csv')
    writeFileSync(out, 'the previous export\n')

    const e = run(['export', '--from', rec, '--csv', out])
    // Interrupt once the export is writing its temporary file next to the target.
    const deadline = Date.now() + 60_000
    while (!readdirSync(tmp()).some((f) => f.startsWith('.big.csv.')) && e.child.exitCode === null && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5))
    expect(e.child.exitCode).toBe(null) // still exporting: the signal lands mid-write
    e.child.kill('SIGINT')
    expect(await e.exit).toEqual({ code: 130, signal: null })
    expect(e.stderr()).toContain(`SIGINT: export cancelled; ${out} was not written (left as it was)`)
    expect(readFileSync(out, 'utf8')).toBe('the previous export\n')
    expect(readdirSync(tmp()).filter((f) => f.startsWith('.big.csv.'))).toEqual([])
  })
})
