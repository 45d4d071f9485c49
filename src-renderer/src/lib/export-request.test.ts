import { describe, expect, it } from 'vitest'
import { EXPORT_COLUMNS } from './export-columns'
import { buildExportRequest, validMinutes } from './export-request'

describe('export request', () => {
  const base = { range: 'all' as const, minutes: 5, view: { min: 1000.4, max: 2000.6 }, columns: EXPORT_COLUMNS }

  it('sends nothing for everything and every column', () => {
    expect(buildExportRequest(base)).toEqual({})
  })

  it('turns "the last N minutes" and "what the charts show" into a time range', () => {
    expect(buildExportRequest({ ...base, range: 'last', minutes: 5 }, 1_000_000)).toEqual({ sinceMs: 700_000 })
    expect(buildExportRequest({ ...base, range: 'view' })).toEqual({ sinceMs: 1000, untilMs: 2001 })
  })

  it('lists a column subset in the schema order', () => {
    expect(buildExportRequest({ ...base, columns: ['busy_pct', 'timestamp', 'queue_depth'] })).toEqual({ columns: ['timestamp', 'queue_depth', 'busy_pct'] })
  })

  it('accepts whole minutes from 1 to 60', () => {
    expect(validMinutes(1)).toBe(true)
    expect(validMinutes(60)).toBe(true)
    expect(validMinutes(0)).toBe(false)
    expect(validMinutes(61)).toBe(false)
    expect(validMinutes(2.5)).toBe(false)
    expect(validMinutes(Number.NaN)).toBe(false)
  })
})
