// CSV exports are atomic even when the exporting process is killed outright: a child process
// starts a large export (1 hour at 10 Hz of 64 workers: 36,000 ticks × 65 rows) and is SIGKILLed
// mid-write. The target must then not exist, or be exactly the previous complete version — never
// a partial file. Plus a full round trip: ticks → CSV → csv-parse → the same values.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import type { MetricsTick, WorkerSample } from '../../src-shared/metrics'
import { CSV_COLUMNS, countCsvRows, csvRecord, ticksToCsv, writeCsvFile } from '../../src-main/service/csv-export'
import { totalSample } from '../../src-main/service/sampler'
import { mulberry32 } from './support/prng'
import { tempDir } from './support/temp-dir'

const ROOT = resolve(__dirname, '../..')
// dist-cli/ is compiled from the current sources by tests/unit/global-setup.ts.
const CSV_MODULE = join(ROOT, 'dist-cli', 'src-main', 'service', 'csv-export.js')

/** The child: builds 36,000 ticks × 64 workers (sharing sample objects, so memory stays small) and exports them. */
const CHILD = `
const { writeCsvFile } = require(${JSON.stringify(CSV_MODULE)})
const W = 64, N = 36000
const s = (w) => ({ worker: w, queueDepth: 3, inflight: 5, completionsTotal: 123456789, bytesInTotal: 98765432101, bytesOutTotal: 98765432101, errorsTotal: 1, sessions: 12, completionsPerS: 1234.567, bytesInPerS: 4567.891, bytesOutPerS: 4567.891, errorsPerS: 0.1, busy: 0.4321 })
const workers = Array.from({ length: W }, (_, i) => s(i))
const total = { ...s(0), worker: 'all' }
const ticks = Array.from({ length: N }, (_, i) => ({ t: 1795654800000 + i * 100, seq: i, workers, total, errors: [] }))
writeCsvFile(process.argv[1], ticks).then(() => { process.stdout.write('done\\n') })
`

/** Runs the child exporting to `target`, SIGKILLs it once its temp file (beside the target) holds `killAtBytes`. */
async function killMidExport(target: string, killAtBytes: number): Promise<{ signal: NodeJS.Signals | null; tempBytes: number; stdout: string }> {
  const dir = dirname(target)
  const child = spawn(process.execPath, ['-e', CHILD, target], { stdio: ['ignore', 'pipe', 'inherit'] })
  let stdout = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)))
  let tempBytes = 0
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline && child.exitCode === null) {
    // This export's temp file (a killed earlier one may have left its own behind).
    const temp = readdirSync(dir).find((f) => f.startsWith(`.${basename(target)}.${child.pid}.`) && f.endsWith('.tmp'))
    if (temp) {
      try {
        tempBytes = statSync(join(dir, temp)).size
      } catch {
        tempBytes = 0
      }
      if (tempBytes >= killAtBytes) break
    }
    await new Promise((r) => setTimeout(r, 5))
  }
  child.kill('SIGKILL')
  return { signal: await exited, tempBytes, stdout }
}

describe('CSV export killed mid-write', () => {
  const tmp = tempDir('iocpm-kill-')

  it('with no previous file: the target does not exist afterwards', async () => {
    const target = tmp('first.csv')
    const r = await killMidExport(target, 4 * 1024 * 1024)
    expect(r.signal).toBe('SIGKILL')
    expect(r.stdout).toBe('') // it never finished
    expect(r.tempBytes).toBeGreaterThanOrEqual(4 * 1024 * 1024) // it was killed while writing
    expect(existsSync(target)).toBe(false)
    // What a kill leaves is the hidden temp file, never the target name.
    expect(readdirSync(tmp()).every((f) => f.startsWith('.first.csv.') && f.endsWith('.tmp'))).toBe(true)
  })

  it('with a previous export: the target is exactly the previous complete version', async () => {
    const target = tmp('metrics.csv')
    const previous = Array.from({ length: 50 }, (_, i) => tick(i, 4))
    await writeCsvFile(target, previous)
    const before = readFileSync(target)
    const r = await killMidExport(target, 8 * 1024 * 1024)
    expect(r.signal).toBe('SIGKILL')
    expect(r.tempBytes).toBeGreaterThanOrEqual(8 * 1024 * 1024)
    const after = readFileSync(target)
    expect(after.equals(before)).toBe(true)
    expect(parse(after, { columns: true })).toHaveLength(countCsvRows(previous))
  })
})

function tick(seq: number, workers: number, rnd: () => number = () => 0.5): MetricsTick {
  const int = (max: number) => Math.floor(rnd() * max)
  const ws: WorkerSample[] = Array.from({ length: workers }, (_, w) => ({
    worker: w,
    queueDepth: int(5000),
    inflight: int(100000),
    completionsTotal: int(2 ** 50),
    bytesInTotal: int(Number.MAX_SAFE_INTEGER),
    bytesOutTotal: int(2 ** 45),
    errorsTotal: int(1000),
    sessions: int(100000),
    completionsPerS: rnd() * 1e7,
    bytesInPerS: rnd() * 1e10,
    bytesOutPerS: rnd() < 0.2 ? 0 : rnd() * 1e10,
    errorsPerS: rnd() < 0.5 ? 0 : rnd() * 10,
    busy: rnd(),
  }))
  return { t: Date.UTC(2026, 10, 26) + seq * 100 + int(3), seq, workers: ws, total: totalSample(ws), errors: [] }
}

describe('CSV round trip', () => {
  const tmp = tempDir('iocpm-rt-')
  it('ticks → CSV → csv-parse gives back every value, exactly as documented', async () => {
    const rnd = mulberry32(42)
    const ticks = Array.from({ length: 120 }, (_, i) => tick(i, 1 + ((i * 7) % 64), rnd))
    const { csv, rows } = await ticksToCsv(ticks)
    const parsed = parse(csv, { columns: true }) as Record<(typeof CSV_COLUMNS)[number], string>[]
    expect(Object.keys(parsed[0]!)).toEqual([...CSV_COLUMNS])
    expect(parsed).toHaveLength(rows)
    let i = 0
    for (const t of ticks) {
      for (const s of [...t.workers, t.total]) {
        const row = parsed[i++]!
        const want = csvRecord(new Date(t.t).toISOString(), s)
        expect(CSV_COLUMNS.map((c) => row[c])).toEqual(want.map(String))
        // Totals are exact integers (up to 2^53), the timestamp is the sample time, rates are rounded.
        expect(Number(row.bytes_in_total)).toBe(s.bytesInTotal)
        expect(Date.parse(row.timestamp)).toBe(t.t)
        expect(Math.abs(Number(row.busy_pct) - s.busy * 100)).toBeLessThanOrEqual(0.005 + 1e-9)
        // Rates keep 3 decimals: within half the last decimal of the value (plus the spacing of
        // doubles, which at ~1e11 for the summed "all" row is ~1e-4).
        expect(Math.abs(Number(row.bytes_in_per_s) - s.bytesInPerS)).toBeLessThanOrEqual(0.0005 + 2 * Number.EPSILON * s.bytesInPerS)
      }
    }
    // The file export writes the very same text.
    await writeCsvFile(tmp('x.csv'), ticks)
    expect(readFileSync(tmp('x.csv'), 'utf8')).toBe(csv)
  })
})
