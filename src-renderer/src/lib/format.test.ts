// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { apiErrorTitle, formatApiError } from '../api/format-error'
import { ADDRESS_IN_USE } from '../testing/fake-api'
import {
  fileTimestamp,
  formatBytes,
  formatBytesPerS,
  formatClock,
  formatCount,
  formatDuration,
  formatExact,
  formatLatencyUs,
  formatPercent,
  formatWhen,
  trimZeros,
} from './format'

describe('formatting', () => {
  // One formatter call a row: bytes in decimal SI units, counts, percentages and durations.
  it.each([
    ['formatBytes', formatBytes, 0, '0 B'],
    ['formatBytes', formatBytes, 999, '999 B'],
    ['formatBytes', formatBytes, 1500, '1.50 kB'],
    ['formatBytesPerS', formatBytesPerS, 20_000_000, '20.0 MB/s'],
    ['formatBytes', formatBytes, 250_000_000, '250 MB'],
    ['formatBytes', formatBytes, Number.NaN, '—'],
    ['formatCount', formatCount, 12, '12'],
    ['formatCount', formatCount, 12.34, '12.3'],
    ['formatCount', formatCount, 123456, '123.5k'],
    ['formatCount', formatCount, 2_500_000, '2.50M'],
    ['formatPercent', formatPercent, 0.123, '12.3%'],
    ['formatPercent', formatPercent, 1, '100%'],
    ['formatDuration', formatDuration, 65_000, '1:05'],
    ['formatDuration', formatDuration, 3_725_000, '1:02:05'],
  ] as const)('%s(%s) is %s', (_name, format, value, shown) => {
    expect(format(value)).toBe(shown)
  })

  it('formats exact values, latencies and times through Intl for the UI language', () => {
    expect(formatExact(1234567.891)).toBe('1,234,567.89')
    expect(formatExact(1234567.891, 'ko', 0)).toBe('1,234,568')
    expect(formatLatencyUs(850)).toBe('850 µs')
    expect(formatLatencyUs(1250)).toBe('1.25 ms')
    expect(formatLatencyUs(2_400_000)).toBe('2.40 s')
    const t = new Date(2026, 0, 2, 14, 3, 5).getTime()
    expect(formatClock(t, 'en')).toBe('14:03:05')
    expect(formatClock(t, 'ko')).toBe('14:03:05')
    expect(formatWhen(t, 'en', t + 1000)).toBe('14:03:05')
    expect(formatWhen(t, 'en', t + 86_400_000)).toBe('Jan 2, 14:03:05')
    expect(formatWhen(t, 'ko', t + 86_400_000)).toBe('1월 2일 14:03:05')
    expect(formatCount(1500.5, 'ko')).toBe('1501')
  })

  it.each([
    ['5.00 MB/s', '5 MB/s'],
    ['2.50 kB/s', '2.5 kB/s'],
    ['150.0k/s', '150k/s'],
    ['100 B/s', '100 B/s'],
    ['0.25', '0.25'],
  ])('trims padding zeros for axis labels: %s → %s', (label, trimmed) => {
    expect(trimZeros(label)).toBe(trimmed)
  })

  it('makes file-name-safe timestamps', () => {
    expect(fileTimestamp(new Date(2026, 10, 26, 1, 2, 3).getTime())).toBe('2026-11-26T01-02-03')
  })

  it('titles ApiErrors with the portable name and the native one', () => {
    expect(apiErrorTitle(ADDRESS_IN_USE)).toBe('address-in-use (EADDRINUSE 98)')
    expect(apiErrorTitle({ code: 'timeout', message: 'x' })).toBe('timeout')
    expect(formatApiError({ code: 'x', message: 'm', nativeCode: 5 })).toBe('x (5): m')
  })
})
