// The CSV export's fixed schema, in file order. This mirrors CSV_COLUMNS in
// src-main/service/csv-export.ts (the renderer may not import main-process code); the service
// validates `columns` against its own list, so a drift shows up as a rejected export, not as a
// silently wrong file.
export const EXPORT_COLUMNS = [
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
export type ExportColumn = (typeof EXPORT_COLUMNS)[number]
