// `iocp-monitor attach` and `iocp-monitor probes` against the probe's example servers: on Linux the
// epoll example, and (IOCPM_CLI_HOST=wine, vitest.wine.config.ts) the textbook IOCP example under
// Wine attached from the Windows product on Windows Node. The load comes from the project's own
// generator on Linux; the attached CLI's CSV must hold exactly the bytes it moved.
import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProbeListing } from '../../src-shared/attach'
import type { LoadSummary } from '../../src-shared/load'
import { exampleFor, startExample, uniqueProbeName, type ExampleServer } from '../support/example-servers'
import { loadRecording } from '../../src-main/recording/reader'
import { freePort } from '../addon/support/net'
import { CLI_HOST, run, scrape, waitForLine, type Run } from './support/cli-process'
import { tempDir } from './support/temp-dir'

const KIND = exampleFor(CLI_HOST)
type Row = Record<string, string>

const started: ExampleServer[] = []
afterEach(() => {
  for (const s of started.splice(0)) s.kill()
})

async function example(workers = 2): Promise<ExampleServer> {
  const s = await startExample(KIND, { workers })
  started.push(s)
  return s
}

async function attached(name: string, csv: string, more: string[] = []): Promise<{ cli: Run; pid: number }> {
  const cli = run(['attach', '--name', name, '--csv', csv, '--sample-hz', '20', ...more])
  const m = await waitForLine(cli, new RegExp(`^attached ${name} pid (\\d+) workers 2\\s*$`, 'm'), CLI_HOST === 'wine' ? 60_000 : 15_000)
  return { cli, pid: Number(m[1]) }
}

function loadRun(port: number, args: string[]): Run {
  return run(['load', '--port', String(port), '--conns', '50', '--size', '128', ...args], { host: 'linux' })
}

function summaryOf(r: Run): LoadSummary {
  return JSON.parse(r.stdout().trim().split('\n').at(-1)!) as LoadSummary
}

function csvRows(file: string): Row[] {
  return parse(readFileSync(file, 'utf8'), { columns: true }) as Row[]
}

const maxOf = (rows: Row[], col: string) => Math.max(...rows.filter((r) => r.worker !== 'all').map((r) => Number(r[col])))

describe(`iocp-monitor attach (${KIND} example, monitor on ${CLI_HOST})`, () => {
  const tmp = tempDir('iocpm-attach-')

  it('prints "attached NAME pid N workers W", follows the process under load (CSV, /metrics, recording), and exits 0 when it stops, with exactly the bytes moved', async () => {
    const server = await example()
    const csv = tmp('attach.csv')
    const rec = tmp('attach.ndjson')
    const metricsPort = await freePort()
    const { cli } = await attached(server.name, csv, ['--metrics-port', String(metricsPort), '--record', rec])
    const load = loadRun(server.port, ['--seconds', '2'])
    expect((await load.exit).code, load.stderr()).toBe(0)
    const s = summaryOf(load)
    expect(s).toMatchObject({ mismatchedBytes: 0, connectsOk: 50 })
    expect(s.bytesReceived).toBe(s.bytesSent)
    // Prometheus sees the attached process as it sees the built-in server.
    let body = ''
    const sumOf = (metric: string) => [...body.matchAll(new RegExp(`^${metric}\\{worker="\\d+"\\} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0)
    for (let tries = 0; tries < 100 && sumOf('iocpm_bytes_in_total') !== s.bytesSent; tries++) {
      body = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(body).toContain('iocpm_server_up 1')
    expect(sumOf('iocpm_bytes_in_total')).toBe(s.bytesSent)
    expect(sumOf('iocpm_bytes_out_total')).toBe(s.bytesReceived)
    // Let the last closes reach the server, then stop it: the monitor sees it exit.
    await new Promise((r) => setTimeout(r, 300))
    server.stop()
    expect((await cli.exit).code, cli.stderr()).toBe(0)
    expect(cli.stderr()).toMatch(new RegExp(`${server.name} \\(pid \\d+\\) exited \\(closed\\)`))
    const rows = csvRows(csv)
    const last = rows.filter((r) => r.worker === 'all').at(-1)!
    expect(Number(last.bytes_in_total)).toBe(s.bytesSent)
    expect(Number(last.bytes_out_total)).toBe(s.bytesReceived)
    // Under load the workers had completions waiting and operations in flight.
    expect(maxOf(rows, 'queue_depth')).toBeGreaterThan(0)
    expect(maxOf(rows, 'inflight')).toBeGreaterThan(0)
    expect(new Set(rows.map((r) => r.worker))).toEqual(new Set(['0', '1', 'all']))
    const ticks = (await loadRecording(rec)).ticks
    expect(cli.stderr()).toContain(`recorded ${ticks.length} samples to ${rec}`)
    expect(ticks.at(-1)!.total.bytesInTotal).toBe(s.bytesSent)
  })

  it('a process killed mid-run: the monitor says it exited and the CSV is complete up to its last counters', async () => {
    const server = await example()
    const csv = tmp('killed.csv')
    const { cli } = await attached(server.name, csv)
    const load = loadRun(server.port, ['--seconds', '30'])
    await waitForLine(load, /conns 50\/50 {2}msgs [1-9]/m, 20_000, 'stderr')
    server.kill()
    expect((await cli.exit).code, cli.stderr()).toBe(0)
    expect(cli.stderr()).toMatch(/exited \(process-exited\)/)
    load.child.kill('SIGTERM')
    await load.exit
    const rows = csvRows(csv)
    const all = rows.filter((r) => r.worker === 'all')
    expect(all.length).toBeGreaterThan(2)
    expect(Number(all.at(-1)!.bytes_in_total)).toBeGreaterThan(0)
    // Totals never go backwards, and the last row is the last counters the probe published.
    for (let i = 1; i < all.length; i++) expect(Number(all[i]!.bytes_in_total)).toBeGreaterThanOrEqual(Number(all[i - 1]!.bytes_in_total))
  })

  it('SIGINT/SIGTERM detaches (exit 0) and leaves the process running; `probes` lists it as one JSON line', async () => {
    const server = await example()
    const probes = run(['probes'])
    expect((await probes.exit).code, probes.stderr()).toBe(0)
    const listed = probes.stdout().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeListing)
    const mine = listed.find((p) => p.name === server.name)
    expect(mine).toMatchObject({ name: server.name, workers: 2, layoutVersion: 1, state: 'running', port: server.port, platform: CLI_HOST === 'wine' ? 'windows' : 'linux' })
    expect(mine!.problem).toBeUndefined()

    const csv = tmp('detach.csv')
    const { cli, pid } = await attached(server.name, csv)
    expect(pid).toBe(mine!.pid)
    cli.child.kill('SIGTERM')
    expect((await cli.exit).code, cli.stderr()).toBe(0)
    expect(csvRows(csv).length).toBeGreaterThan(0)
    // The example still serves: the monitor only read its probe.
    const load = loadRun(server.port, ['--seconds', '0.5'])
    expect((await load.exit).code, load.stderr()).toBe(0)
  })

  it('no such probe, both or neither of --pid/--name: clear errors (exit 1 / 2)', async () => {
    const missing = uniqueProbeName('nobody')
    const r = run(['attach', '--name', missing])
    expect((await r.exit).code).toBe(1)
    expect(r.stderr()).toMatch(new RegExp(`cannot attach: no running probe named ${missing} .*\\(probe-not-found\\)`))
    const byPid = run(['attach', '--pid', '999999'])
    expect((await byPid.exit).code).toBe(1)
    expect(byPid.stderr()).toMatch(/cannot attach: .*\(probe-not-found/)
    for (const args of [['attach'], ['attach', '--pid', '1', '--name', 'x'], ['attach', '--name', 'bad name']]) {
      const u = run(args)
      expect((await u.exit).code, args.join(' ')).toBe(2)
      expect(u.stderr()).toMatch(/--pid|--name/)
    }
  })
})
