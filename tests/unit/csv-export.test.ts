// The CSV we write must parse back (csv-parse) to the documented columns, one row per worker per
// tick plus "all", ISO timestamps and exact totals; files appear atomically.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import type { MetricsTick, WorkerSample } from '../../src-shared/metrics'
import { CSV_COLUMNS, CsvRecorder, countCsvRows, ticksToCsv, writeCsvFile } from '../../src-main/service/csv-export'
import { totalSample } from '../../src-main/service/sampler'
import { tempDir } from './support/temp-dir'

function sample(worker: number, k: number): WorkerSample {
  return {
    worker,
    queueDepth: k,
    inflight: 2,
    completionsTotal: 10 * k,
    bytesInTotal: 1000 * k + worker,
    bytesOutTotal: 900 * k,
    errorsTotal: k % 2,
    sessions: 3,
    completionsPerS: 123.45678,
    bytesInPerS: 1e6 / 3,
    bytesOutPerS: 0,
    errorsPerS: 0.5,
    busy: 0.123456,
  }
}

function tick(seq: number, workers = 2): MetricsTick {
  const ws = Array.from({ length: workers }, (_, i) => sample(i, seq + 1))
  return { t: Date.UTC(2026, 10, 26, 1, 2, 3, seq), seq, workers: ws, total: totalSample(ws), errors: [] }
}

type Row = Record<(typeof CSV_COLUMNS)[number], string>
const parseCsv = (text: string): Row[] => parse(text, { columns: true, skip_empty_lines: true })

describe('CSV export', () => {
  const tmp = tempDir('iocpm-csv-', { each: true })

  it('has the documented columns in order', async () => {
    expect(CSV_COLUMNS).toEqual([
      'timestamp', 'worker', 'queue_depth', 'inflight', 'sessions', 'completions_total', 'bytes_in_total', 'bytes_out_total',
      'errors_total', 'completions_per_s', 'bytes_in_per_s', 'bytes_out_per_s', 'errors_per_s', 'busy_pct',
    ])
    const { csv } = await ticksToCsv([tick(0)])
    expect(csv.split('\n')[0]).toBe(CSV_COLUMNS.join(','))
  })

  it('writes one row per worker per tick plus an "all" row, with ISO-8601 UTC timestamps', async () => {
    const ticks = [tick(0), tick(1), tick(2)]
    const { csv, rows } = await ticksToCsv(ticks)
    const parsed = parseCsv(csv)
    expect(rows).toBe(9)
    expect(countCsvRows(ticks)).toBe(9)
    expect(parsed).toHaveLength(9)
    expect(parsed.map((r) => r.worker)).toEqual(['0', '1', 'all', '0', '1', 'all', '0', '1', 'all'])
    expect(parsed[0]!.timestamp).toBe('2026-11-26T01:02:03.000Z')
    expect(parsed[3]!.timestamp).toBe('2026-11-26T01:02:03.001Z')
    for (const r of parsed) expect(r.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('totals are exact, "all" is the sum, rates are rounded, busy is a percentage', async () => {
    const parsed = parseCsv((await ticksToCsv([tick(4)])).csv)
    const [w0, w1, all] = parsed
    expect(Number(w0!.bytes_in_total)).toBe(5000)
    expect(Number(w1!.bytes_in_total)).toBe(5001)
    expect(Number(all!.bytes_in_total)).toBe(10_001)
    expect(Number(all!.completions_total)).toBe(100)
    expect(w0!.completions_per_s).toBe('123.457')
    expect(w0!.bytes_in_per_s).toBe('333333.333')
    expect(w0!.busy_pct).toBe('12.35')
    expect(all!.busy_pct).toBe('12.35') // mean of two equal workers
    expect(Number(all!.errors_per_s)).toBe(1)
  })

  it('an empty history is just the header', async () => {
    const { csv, rows } = await ticksToCsv([])
    expect(rows).toBe(0)
    expect(csv.trim()).toBe(CSV_COLUMNS.join(','))
  })

  it('writeCsvFile streams to a temp file and renames it over the destination', async () => {
    const dest = tmp('metrics.csv')
    writeFileSync(dest, 'old content')
    const ticks = Array.from({ length: 2000 }, (_, i) => tick(i, 4))
    const { rows } = await writeCsvFile(dest, ticks)
    expect(rows).toBe(10_000)
    const parsed = parseCsv(readFileSync(dest, 'utf8'))
    expect(parsed).toHaveLength(10_000)
    expect(parsed.at(-1)!.worker).toBe('all')
    expect(readdirSync(tmp())).toEqual(['metrics.csv']) // no temp file left behind
  })

  it('a failed write leaves the old file intact and no temp file', async () => {
    const dest = tmp('no-such-dir', 'metrics.csv')
    await expect(writeCsvFile(dest, [tick(0)])).rejects.toThrow(/ENOENT/)
    const existing = tmp('keep.csv')
    writeFileSync(existing, 'keep me')
    const broken = [tick(0), { ...tick(1), workers: null } as unknown as MetricsTick]
    await expect(writeCsvFile(existing, broken)).rejects.toThrow()
    expect(readFileSync(existing, 'utf8')).toBe('keep me')
    expect(readdirSync(tmp())).toEqual(['keep.csv'])
  })

  it('CsvRecorder appends ticks as they come and publishes the file only on finish', async () => {
    const dest = tmp('run.csv')
    const rec = await CsvRecorder.create(dest)
    for (let i = 0; i < 50; i++) rec.write(tick(i))
    expect(readdirSync(tmp()).some((f) => f === 'run.csv')).toBe(false)
    expect(rec.rowCount).toBe(150)
    expect(await rec.finish()).toEqual({ rows: 150 })
    expect(readdirSync(tmp())).toEqual(['run.csv'])
    const parsed = parseCsv(readFileSync(dest, 'utf8'))
    expect(parsed).toHaveLength(150)
    expect(Number(parsed.at(-1)!.bytes_in_total)).toBe(2 * 50_000 + 1)
  })

  it('CsvRecorder.abort removes the temp file', async () => {
    const rec = await CsvRecorder.create(tmp('x.csv'))
    rec.write(tick(0))
    await rec.abort()
    expect(readdirSync(tmp())).toEqual([])
  })
})

describe('column subsets', () => {
  it('writes chosen columns in schema order whatever order they are asked in', async () => {
    const { ticksToCsv } = await import('../../src-main/service/csv-export')
    const w = { worker: 0, queueDepth: 3, inflight: 2, completionsTotal: 10, bytesInTotal: 100, bytesOutTotal: 90, errorsTotal: 0, sessions: 1, completionsPerS: 1, bytesInPerS: 2, bytesOutPerS: 3, errorsPerS: 0, busy: 0.5 }
    const tick = { t: Date.UTC(2026, 0, 1), seq: 0, workers: [w], total: { ...w, worker: 'all' as const }, errors: [] }
    const { csv, rows } = await ticksToCsv([tick], ['bytes_in_total', 'timestamp', 'worker'])
    expect(rows).toBe(2)
    expect(csv.trim().split('\n')).toEqual(['timestamp,worker,bytes_in_total', '2026-01-01T00:00:00.000Z,0,100', '2026-01-01T00:00:00.000Z,all,100'])
  })
})
