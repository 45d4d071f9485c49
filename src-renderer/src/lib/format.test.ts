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
  it('formats bytes in decimal SI units', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(999)).toBe('999 B')
    expect(formatBytes(1500)).toBe('1.50 kB')
    expect(formatBytesPerS(20_000_000)).toBe('20.0 MB/s')
    expect(formatBytes(250_000_000)).toBe('250 MB')
    expect(formatBytes(Number.NaN)).toBe('—')
  })

  it('formats counts, percentages and durations', () => {
    expect(formatCount(12)).toBe('12')
    expect(formatCount(12.34)).toBe('12.3')
    expect(formatCount(123456)).toBe('123.5k')
    expect(formatCount(2_500_000)).toBe('2.50M')
    expect(formatPercent(0.123)).toBe('12.3%')
    expect(formatPercent(1)).toBe('100%')
    expect(formatDuration(65_000)).toBe('1:05')
    expect(formatDuration(3_725_000)).toBe('1:02:05')
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

  it('trims padding zeros for axis labels', () => {
    expect(trimZeros('5.00 MB/s')).toBe('5 MB/s')
    expect(trimZeros('2.50 kB/s')).toBe('2.5 kB/s')
    expect(trimZeros('150.0k/s')).toBe('150k/s')
    expect(trimZeros('100 B/s')).toBe('100 B/s')
    expect(trimZeros('0.25')).toBe('0.25')
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
