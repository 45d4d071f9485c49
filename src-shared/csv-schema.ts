// The CSV export's fixed schema, in file order (units in README "CSV export"). Shared so the
// renderer's column picker, the validator and the writer use one list.
export const CSV_COLUMNS = [
  'timestamp',
  'worker',
  'queue_depth',
  'inflight',
  'sessions',
  'completions_total',
  'bytes_in_total',
  'bytes_out_total',
  'errors_total',
  'completions_per_s',
  'bytes_in_per_s',
  'bytes_out_per_s',
  'errors_per_s',
  'busy_pct',
] as const

export type CsvColumn = (typeof CSV_COLUMNS)[number]

export function isCsvColumn(x: unknown): x is CsvColumn {
  return typeof x === 'string' && (CSV_COLUMNS as readonly string[]).includes(x)
}
