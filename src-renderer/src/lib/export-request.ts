// What the export dialog's choices mean as an ExportRequest. Only what differs from "everything"
// is sent: all samples and all columns is `{}`.
import type { ExportRequest } from '../../../src-shared/api'
import { EXPORT_COLUMNS, type ExportColumn } from './export-columns'

export type ExportRangeChoice = 'all' | 'last' | 'view'

export interface ExportChoice {
  range: ExportRangeChoice
  /** For 'last': minutes back from now. */
  minutes: number
  /** For 'view': the charts' current time axis. */
  view: { min: number; max: number }
  columns: readonly ExportColumn[]
}

export const EXPORT_MINUTES = { min: 1, max: 60 } as const

export function validMinutes(m: number): boolean {
  return Number.isInteger(m) && m >= EXPORT_MINUTES.min && m <= EXPORT_MINUTES.max
}

export function buildExportRequest(c: ExportChoice, now = Date.now()): ExportRequest {
  const req: ExportRequest = {}
  if (c.range === 'last') req.sinceMs = now - c.minutes * 60_000
  else if (c.range === 'view') {
    req.sinceMs = Math.floor(c.view.min)
    req.untilMs = Math.ceil(c.view.max)
  }
  if (c.columns.length < EXPORT_COLUMNS.length) req.columns = EXPORT_COLUMNS.filter((col) => c.columns.includes(col))
  return req
}
