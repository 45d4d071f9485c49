// The CSV export's fixed schema, shared with the service (src-shared/csv-schema.ts).
import { CSV_COLUMNS, type CsvColumn } from '../../../src-shared/csv-schema'

export const EXPORT_COLUMNS = CSV_COLUMNS
export type ExportColumn = CsvColumn
