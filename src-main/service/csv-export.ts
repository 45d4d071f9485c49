// CSV export of sampled metrics. The schema is fixed (a spreadsheet or script written against it
// must keep working), one row per tick per worker followed by one row with worker "all":
//
//   column             unit / meaning
//   timestamp          ISO-8601 UTC with milliseconds, e.g. 2026-11-26T01:53:00.123Z (sample time)
//   worker             worker index from 0, or "all" (sum over workers)
//   queue_depth        completions ready in the worker's queue, not yet taken (count, gauge)
//   inflight           operations submitted and not completed: accept + recv + send (count, gauge)
//   sessions           open connections (count, gauge)
//   completions_total  completions handled since the server started (count, cumulative)
//   bytes_in_total     bytes received since start (bytes, cumulative)
//   bytes_out_total    bytes sent since start (bytes, cumulative)
//   errors_total       errors counted by native code since start (count, cumulative)
//   completions_per_s  completions per second over the last sample interval (1/s)
//   bytes_in_per_s     bytes received per second (bytes/s)
//   bytes_out_per_s    bytes sent per second (bytes/s)
//   errors_per_s       errors per second (1/s)
//   busy_pct           share of the interval the worker was busy: Linux its thread's CPU time,
//                      Windows its time handling completions (percent 0–100; for "all" the
//                      mean over workers)
//
// Rates carry at most 3 decimals and busy_pct 2; totals are exact integers.
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { stringify, type Stringifier } from 'csv-stringify'
import type { MetricsTick, WorkerSample } from '../../src-shared/metrics'
import { CSV_COLUMNS, type CsvColumn } from '../../src-shared/csv-schema'
import { AtomicFileWriter, writeFileAtomicUnless } from './atomic-file'

export { CSV_COLUMNS, type CsvColumn } from '../../src-shared/csv-schema'
export type CsvRecord = (string | number)[]

const round = (x: number, digits: number): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

export function csvRecord(timestamp: string, s: WorkerSample): CsvRecord {
  return [
    timestamp,
    s.worker,
    s.queueDepth,
    s.inflight,
    s.sessions,
    s.completionsTotal,
    s.bytesInTotal,
    s.bytesOutTotal,
    s.errorsTotal,
    round(s.completionsPerS, 3),
    round(s.bytesInPerS, 3),
    round(s.bytesOutPerS, 3),
    round(s.errorsPerS, 3),
    round(s.busy * 100, 2),
  ]
}

/** The rows of one tick: each worker, then "all". */
export function tickRecords(tick: MetricsTick): CsvRecord[] {
  const ts = new Date(tick.t).toISOString()
  return [...tick.workers.map((w) => csvRecord(ts, w)), csvRecord(ts, tick.total)]
}

/**
 * Indexes of the chosen columns in schema order (a subset is always written in the schema's
 * order, whatever order it was asked in); undefined = every column.
 */
function columnIndexes(columns?: readonly CsvColumn[]): number[] | undefined {
  if (!columns) return undefined
  return CSV_COLUMNS.map((c, i) => (columns.includes(c) ? i : -1)).filter((i) => i >= 0)
}

export function* csvRecords(ticks: Iterable<MetricsTick>, columns?: readonly CsvColumn[]): Generator<CsvRecord> {
  const idx = columnIndexes(columns)
  for (const tick of ticks) {
    for (const rec of tickRecords(tick)) yield idx ? idx.map((i) => rec[i]) : rec
  }
}

export function countCsvRows(ticks: readonly MetricsTick[]): number {
  let n = 0
  for (const t of ticks) n += t.workers.length + 1
  return n
}

function newStringifier(columns?: readonly CsvColumn[]): Stringifier {
  const idx = columnIndexes(columns)
  return stringify({ header: true, columns: idx ? idx.map((i) => CSV_COLUMNS[i]) : [...CSV_COLUMNS] })
}

/**
 * The whole CSV as one string (header included), for the browser transport's download. Streamed
 * like the file export, so an hour of history (≈2 s of formatting) does not block the event loop
 * and the sampler in one piece.
 */
export async function ticksToCsv(ticks: readonly MetricsTick[], columns?: readonly CsvColumn[]): Promise<{ csv: string; rows: number }> {
  const parts: string[] = []
  const collect = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, callback) {
      parts.push(chunk.toString())
      callback()
    },
  })
  await pipeline(Readable.from(csvRecords(ticks, columns), { objectMode: true }), newStringifier(columns), collect)
  return { csv: parts.join(''), rows: countCsvRows(ticks) }
}

/** Streams the CSV of `ticks` to `path` atomically; rows are generated as the file is written. */
export async function writeCsvFile(path: string, ticks: readonly MetricsTick[], columns?: readonly CsvColumn[], signal?: AbortSignal): Promise<{ rows: number }> {
  await writeFileAtomicUnless(signal, path, Readable.from(csvRecords(ticks, columns), { objectMode: true }), newStringifier(columns))
  return { rows: countCsvRows(ticks) }
}

/**
 * Appends ticks to a CSV as they arrive and makes it visible atomically at finish(): a long CLI
 * run records every tick without holding them in memory, and the file never appears half-written.
 */
export class CsvRecorder {
  private rows = 0
  private readonly done: Promise<void>

  private constructor(
    private readonly file: AtomicFileWriter,
    private readonly stringifier: Stringifier,
  ) {
    this.done = pipeline(stringifier, file.stream)
    // Errors surface in finish(); this keeps an early one from being an unhandled rejection.
    this.done.catch(() => undefined)
  }

  static async create(path: string): Promise<CsvRecorder> {
    return new CsvRecorder(await AtomicFileWriter.open(path), newStringifier())
  }

  get rowCount(): number {
    return this.rows
  }

  write(tick: MetricsTick): void {
    for (const r of tickRecords(tick)) {
      this.stringifier.write(r)
      this.rows++
    }
  }

  /** Ends the CSV, syncs it and renames it into place. */
  async finish(): Promise<{ rows: number }> {
    this.stringifier.end()
    try {
      await this.done
    } catch (err) {
      await this.file.abort()
      throw err
    }
    await this.file.commit()
    return { rows: this.rows }
  }

  async abort(): Promise<void> {
    this.stringifier.destroy()
    await this.file.abort()
  }
}
